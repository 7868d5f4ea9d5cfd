/* Logging facade: native journal entries with structured fields when stderr
 * is the journal, sd-daemon(3) "<N>" lines under systemd otherwise, plain
 * lines on a terminal; repeated errors are rate-limited. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <systemd/sd-journal.h>

#include "newsd/log.h"

/* A poison stream can make every record fail the same way: per kind of
 * message, log this many per window, then one summary. */
#define RL_INTERVAL_USEC (10ULL * 1000 * 1000)
#define RL_BURST         5

int nd_log_level_threshold = LOG_INFO;

static int style = -1; /* nd_log_style, -1 until nd_log_setup() */
static FILE *stream;   /* NULL: stderr */
static uint64_t (*clock_fn)(void);
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;
static nd_log_ratelimit rl = {.interval_usec = RL_INTERVAL_USEC,
                              .burst = RL_BURST};

static const char *const level_names[] = {
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

const char *
nd_log_level_name(int level)
{
        if (level < 0 || level > LOG_DEBUG)
                return "debug";
        return level_names[level];
}

int
nd_log_level_parse(const char *name)
{
        static const struct {
                const char *alias;
                int level;
        } aliases[] = {
            {"emergency", LOG_EMERG},
            {"critical", LOG_CRIT},
            {"error", LOG_ERR},
            {"warn", LOG_WARNING},
        };

        if (!name)
                return -1;
        if (name[0] >= '0' && name[0] <= '7' && name[1] == '\0')
                return name[0] - '0';
        for (int i = 0; i <= LOG_DEBUG; i++)
                if (strcmp(name, level_names[i]) == 0)
                        return i;
        for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
                if (strcmp(name, aliases[i].alias) == 0)
                        return aliases[i].level;
        return -1;
}

/* ---- Choosing where lines go ---- */

static bool
journal_stream_matches(const char *journal_stream, unsigned long dev,
                       unsigned long ino)
{
        unsigned long jdev, jino;
        char extra;

        if (!journal_stream ||
            sscanf(journal_stream, "%lu:%lu%c", &jdev, &jino, &extra) != 2)
                return false;
        return jdev == dev && jino == ino;
}

nd_log_style
nd_log_choose_style(nd_log_target target, const char *journal_stream,
                    unsigned long stderr_dev, unsigned long stderr_ino,
                    bool under_systemd, bool tty)
{
        if (target == ND_LOG_TARGET_JOURNAL)
                return ND_LOG_STYLE_JOURNAL;
        /* systemd sets JOURNAL_STREAM for the service's own stderr only; a
         * child with stderr redirected must not take it for the journal. */
        if (target == ND_LOG_TARGET_AUTO &&
            journal_stream_matches(journal_stream, stderr_dev, stderr_ino))
                return ND_LOG_STYLE_JOURNAL;
        if (tty && !under_systemd)
                return ND_LOG_STYLE_PLAIN;
        return ND_LOG_STYLE_PREFIXED;
}

static nd_log_style
detect_style(nd_log_target target)
{
        struct stat st;
        unsigned long dev = 0, ino = 0;

        if (fstat(STDERR_FILENO, &st) == 0) {
                dev = (unsigned long)st.st_dev;
                ino = (unsigned long)st.st_ino;
        }
        return nd_log_choose_style(target, getenv("JOURNAL_STREAM"), dev, ino,
                                   getenv("INVOCATION_ID") != NULL,
                                   isatty(STDERR_FILENO) == 1);
}

void
nd_log_setup(int level, nd_log_target target)
{
        if (level < LOG_EMERG)
                level = LOG_EMERG;
        if (level > LOG_DEBUG)
                level = LOG_DEBUG;
        nd_log_level_threshold = level;
        style = (int)detect_style(target);
}

nd_log_style
nd_log_current_style(void)
{
        if (style < 0)
                style = (int)detect_style(ND_LOG_TARGET_AUTO);
        return (nd_log_style)style;
}

void
nd_log_set_clock(uint64_t (*clock_usec)(void))
{
        clock_fn = clock_usec;
}

void
nd_log_set_stream(FILE *s)
{
        stream = s;
}

static uint64_t
now_usec(void)
{
        struct timespec ts;

        if (clock_fn)
                return clock_fn();
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- Journal fields ---- */

/* Appends "KEY=value" (value cut to @p max bytes and to the room left). */
static void
add_field(nd_log_record *rec, const char *key, const char *value, size_t max)
{
        size_t klen = strlen(key), vlen = strlen(value);
        size_t room = sizeof(rec->buf) - rec->used;
        char *p = rec->buf + rec->used;

        if (rec->n >= ND_LOG_MAX_FIELDS || room < klen + 2)
                return;
        if (vlen > max)
                vlen = max;
        if (vlen > room - klen - 2)
                vlen = room - klen - 2;
        memcpy(p, key, klen);
        p[klen] = '=';
        memcpy(p + klen + 1, value, vlen);
        p[klen + 1 + vlen] = '\0';
        rec->iov[rec->n].iov_base = p;
        rec->iov[rec->n].iov_len = klen + 1 + vlen;
        rec->n++;
        rec->used += klen + vlen + 2;
}

void
nd_log_format_fields(nd_log_record *rec, int level, const nd_log_fields *f,
                     const char *message)
{
        char num[32];

        rec->n = 0;
        rec->used = 0;
        snprintf(num, sizeof(num), "%d", level);
        add_field(rec, "PRIORITY", num, sizeof(num));
        add_field(rec, "SYSLOG_IDENTIFIER", "newsd", 8);
        add_field(rec, "MESSAGE", message, ND_LOG_MESSAGE_MAX);
        if (!f)
                return;
        if (f->topic)
                add_field(rec, "KAFKA_TOPIC", f->topic, ND_LOG_VALUE_MAX);
        if (f->partition >= 0) {
                snprintf(num, sizeof(num), "%d", (int)f->partition);
                add_field(rec, "KAFKA_PARTITION", num, sizeof(num));
        }
        if (f->offset >= 0) {
                snprintf(num, sizeof(num), "%lld", (long long)f->offset);
                add_field(rec, "KAFKA_OFFSET", num, sizeof(num));
        }
        if (f->uri)
                add_field(rec, "ARTICLE_URI", f->uri, ND_LOG_VALUE_MAX);
        if (f->error)
                add_field(rec, "NEWSD_ERROR", f->error, ND_LOG_VALUE_MAX);
        if (f->facility)
                add_field(rec, "RDKAFKA_FACILITY", f->facility,
                          ND_LOG_VALUE_MAX);
}

/* ---- stderr lines ---- */

typedef struct line_buf {
        char *p;
        size_t size; /* room for text, not counting the final '\n' + NUL */
        size_t len;
} line_buf;

static void
lb_putc(line_buf *lb, char c)
{
        if (lb->len < lb->size)
                lb->p[lb->len++] = c;
}

static void
lb_puts(line_buf *lb, const char *s)
{
        while (*s)
                lb_putc(lb, *s++);
}

/* Control characters would break the one-entry-one-line rule. */
static void
lb_put_text(line_buf *lb, const char *s)
{
        for (; *s; s++)
                lb_putc(lb, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

/* key=value, the value quoted when it would not read as one word. */
static void
lb_put_kv(line_buf *lb, const char *key, const char *value)
{
        bool quote = value[0] == '\0' || strpbrk(value, " \"\\=") != NULL;

        lb_putc(lb, ' ');
        lb_puts(lb, key);
        lb_putc(lb, '=');
        if (!quote) {
                lb_put_text(lb, value);
                return;
        }
        lb_putc(lb, '"');
        for (const char *s = value; *s; s++) {
                if (*s == '"' || *s == '\\')
                        lb_putc(lb, '\\');
                lb_putc(lb, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
        }
        lb_putc(lb, '"');
}

size_t
nd_log_format_line(char *buf, size_t size, nd_log_style st, int level,
                   const nd_log_fields *f, const char *message,
                   const struct timespec *now)
{
        line_buf lb = {.p = buf, .size = size >= 2 ? size - 2 : 0};
        char tmp[64];

        if (size == 0)
                return 0;
        if (st == ND_LOG_STYLE_PLAIN) {
                struct tm tm;
                time_t sec = now ? now->tv_sec : 0;

                gmtime_r(&sec, &tm);
                strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
                lb_puts(&lb, tmp);
                snprintf(tmp, sizeof(tmp), ".%03ldZ ",
                         now ? now->tv_nsec / 1000000 : 0L);
                lb_puts(&lb, tmp);
                lb_puts(&lb, nd_log_level_name(level));
                lb_putc(&lb, ' ');
        } else {
                snprintf(tmp, sizeof(tmp), "<%d>", level);
                lb_puts(&lb, tmp);
        }
        lb_put_text(&lb, message);
        if (f) {
                if (f->topic)
                        lb_put_kv(&lb, "topic", f->topic);
                if (f->partition >= 0) {
                        snprintf(tmp, sizeof(tmp), "%d", (int)f->partition);
                        lb_put_kv(&lb, "partition", tmp);
                }
                if (f->offset >= 0) {
                        snprintf(tmp, sizeof(tmp), "%lld",
                                 (long long)f->offset);
                        lb_put_kv(&lb, "offset", tmp);
                }
                if (f->uri)
                        lb_put_kv(&lb, "uri", f->uri);
                if (f->error)
                        lb_put_kv(&lb, "error", f->error);
                if (f->facility)
                        lb_put_kv(&lb, "facility", f->facility);
        }
        if (size >= 2)
                buf[lb.len++] = '\n';
        buf[lb.len] = '\0';
        return lb.len;
}

/* ---- Rate limiting ---- */

void
nd_log_ratelimit_init(nd_log_ratelimit *r, uint64_t interval_usec,
                      unsigned burst)
{
        memset(r, 0, sizeof(*r));
        r->interval_usec = interval_usec;
        r->burst = burst;
}

static void
copy_cut(char *dst, size_t size, const char *src)
{
        snprintf(dst, size, "%s", src ? src : "");
}

static bool
slot_is(const nd_log_rl_slot *s, const char *fmt, const char *error,
        const char *facility)
{
        char e[sizeof(s->error)], fac[sizeof(s->facility)];

        if (s->fmt != fmt)
                return false;
        copy_cut(e, sizeof(e), error);
        copy_cut(fac, sizeof(fac), facility);
        return strcmp(s->error, e) == 0 && strcmp(s->facility, fac) == 0;
}

static void
slot_start(nd_log_rl_slot *s, int level, const char *message, uint64_t now)
{
        s->level = level;
        s->start_usec = now;
        s->count = 1;
        copy_cut(s->sample, sizeof(s->sample), message);
}

bool
nd_log_ratelimit_check(nd_log_ratelimit *r, int level, const char *fmt,
                       const char *error, const char *facility,
                       const char *message, uint64_t now, nd_log_rl_slot *ended)
{
        nd_log_rl_slot *s = NULL, *oldest = NULL;

        ended->fmt = NULL;
        for (size_t i = 0; i < ND_LOG_RL_SLOTS; i++) {
                nd_log_rl_slot *c = &r->slots[i];

                if (c->fmt && slot_is(c, fmt, error, facility)) {
                        s = c;
                        break;
                }
                if (!oldest || !c->fmt ||
                    (oldest->fmt && c->start_usec < oldest->start_usec))
                        oldest = c;
        }
        if (s) {
                if (now - s->start_usec < r->interval_usec)
                        return ++s->count <= r->burst;
                if (s->count > r->burst)
                        *ended = *s;
                slot_start(s, level, message, now);
                return true;
        }
        /* A new kind: take a free slot, or the one whose window is oldest
         * (reporting what it suppressed). */
        s = oldest;
        if (s->fmt && s->count > r->burst)
                *ended = *s;
        s->fmt = fmt;
        copy_cut(s->error, sizeof(s->error), error);
        copy_cut(s->facility, sizeof(s->facility), facility);
        slot_start(s, level, message, now);
        return true;
}

bool
nd_log_ratelimit_expire(nd_log_ratelimit *r, uint64_t now, bool force,
                        nd_log_rl_slot *ended)
{
        for (size_t i = 0; i < ND_LOG_RL_SLOTS; i++) {
                nd_log_rl_slot *s = &r->slots[i];

                if (!s->fmt || s->count <= r->burst)
                        continue;
                if (!force && now - s->start_usec < r->interval_usec)
                        continue;
                *ended = *s;
                s->fmt = NULL;
                return true;
        }
        return false;
}

/* ---- Output ---- */

static void
write_line(int level, const nd_log_fields *f, const char *message)
{
        char line[ND_LOG_MESSAGE_MAX + 2 * ND_LOG_VALUE_MAX];
        struct timespec ts;
        size_t n;
        nd_log_style st = nd_log_current_style();
        FILE *out = stream ? stream : stderr;

        if (st == ND_LOG_STYLE_JOURNAL)
                st = ND_LOG_STYLE_PREFIXED;
        clock_gettime(CLOCK_REALTIME, &ts);
        n = nd_log_format_line(line, sizeof(line), st, level, f, message, &ts);
        /* One write per line so lines from librdkafka's threads do not
         * interleave. */
        fwrite(line, 1, n, out);
        fflush(out);
}

static void
emit(int level, const nd_log_fields *f, const char *message)
{
        if (nd_log_current_style() == ND_LOG_STYLE_JOURNAL && !stream) {
                nd_log_record rec;

                nd_log_format_fields(&rec, level, f, message);
                if (sd_journal_sendv(rec.iov, (int)rec.n) >= 0)
                        return;
                /* No journald (target=journal outside systemd): stderr. */
        }
        write_line(level, f, message);
}

static void
emit_summary(const nd_log_rl_slot *s)
{
        nd_log_fields f = {
            .partition = -1,
            .offset = -1,
            .error = s->error[0] ? s->error : NULL,
            .facility = s->facility[0] ? s->facility : NULL,
        };
        char msg[ND_LOG_RL_SAMPLE + 96];

        snprintf(msg, sizeof(msg),
                 "suppressed %u similar messages in %llu s, the first: %s",
                 s->count - rl.burst,
                 (unsigned long long)(rl.interval_usec / 1000000), s->sample);
        emit(s->level, &f, msg);
}

/* Takes the ended windows out under the lock, logs them outside it. */
static void
flush_suppressed(bool force)
{
        nd_log_rl_slot ended;
        uint64_t now = now_usec();
        bool got;

        for (;;) {
                pthread_mutex_lock(&rl_lock);
                got = nd_log_ratelimit_expire(&rl, now, force, &ended);
                pthread_mutex_unlock(&rl_lock);
                if (!got)
                        return;
                emit_summary(&ended);
        }
}

void
nd_log_flush_suppressed(bool all)
{
        flush_suppressed(all);
}

static void
log_entry(int level, const nd_log_fields *f, const char *fmt,
          const char *message)
{
        nd_log_rl_slot ended;
        bool log = true;

        /* Only warnings and worse repeat per record; info lines are few. */
        if (level <= LOG_WARNING) {
                uint64_t now = now_usec();

                pthread_mutex_lock(&rl_lock);
                log = nd_log_ratelimit_check(
                    &rl, level, fmt, f ? f->error : NULL,
                    f ? f->facility : NULL, message, now, &ended);
                pthread_mutex_unlock(&rl_lock);
                if (ended.fmt)
                        emit_summary(&ended);
                flush_suppressed(false);
        }
        if (log)
                emit(level, f, message);
}

void
nd_log_fields_at(int level, const nd_log_fields *fields, const char *fmt, ...)
{
        char msg[ND_LOG_MESSAGE_MAX];
        va_list ap;
        int saved = errno; /* so "%m" and callers' errno survive */

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_entry(level, fields, fmt, msg);
        errno = saved;
}

void
nd_log_rdkafka(const rd_kafka_t *rk, int level, const char *fac,
               const char *buf)
{
        /* All librdkafka lines share this format: the rate limiter tells
         * them apart by facility. */
        static const char fmt[] = "%s: %s";
        nd_log_fields f = {.partition = -1, .offset = -1, .facility = fac};
        char msg[ND_LOG_MESSAGE_MAX];

        if (!nd_log_enabled(level))
                return;
        snprintf(msg, sizeof(msg), fmt, rk ? rd_kafka_name(rk) : "rdkafka",
                 buf ? buf : "");
        log_entry(level, &f, fmt, msg);
}
