/* Logging facade: journal fields under systemd, <N>-prefixed or plain lines
 * on stderr otherwise. Cheap when a level is off. */
#ifndef NEWSD_LOG_H
#define NEWSD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>

#include "newsd/config.h"

/* Structured fields of one log entry; NULL / -1 members are left out. */
typedef struct nd_log_fields {
        const char *topic;    /* KAFKA_TOPIC */
        int32_t partition;    /* KAFKA_PARTITION, -1: none */
        int64_t offset;       /* KAFKA_OFFSET, -1: none */
        const char *uri;      /* ARTICLE_URI */
        const char *error;    /* NEWSD_ERROR (a stable error token) */
        const char *facility; /* RDKAFKA_FACILITY for librdkafka lines */
} nd_log_fields;

#define ND_LOG_NOFIELDS ((const nd_log_fields *)0)

/* Sets the threshold and target; safe to call again on reload. */
void nd_log_setup(int level, nd_log_target target);

extern int nd_log_level_threshold;

#define nd_log_enabled(level) ((level) <= nd_log_level_threshold)

/* Logs at syslog @p level with optional structured @p fields. Safe to call
 * from any thread (librdkafka logs from its own). */
void nd_log_fields_at(int level, const nd_log_fields *fields, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));

#define nd_log(level, ...)                                                     \
        do {                                                                   \
                if (nd_log_enabled(level))                                     \
                        nd_log_fields_at(level, ND_LOG_NOFIELDS, __VA_ARGS__); \
        } while (0)

#define nd_logf(level, fields, ...)                                            \
        do {                                                                   \
                if (nd_log_enabled(level))                                     \
                        nd_log_fields_at(level, fields, __VA_ARGS__);          \
        } while (0)

/* As librdkafka declares it; C11 allows the typedef twice. */
typedef struct rd_kafka_s rd_kafka_t;

/*
 * librdkafka's log callback: set it with rd_kafka_conf_set_log_cb(). Each
 * line is logged at its own syslog @p level with RDKAFKA_FACILITY=@p fac
 * and the client's name as a prefix.
 */
void nd_log_rdkafka(const rd_kafka_t *rk, int level, const char *fac,
                    const char *buf);

/* Logs the "suppressed N similar messages" summaries of rate-limit windows
 * that have ended (with @p all, of every window that suppressed something).
 * The main loop calls it now and then, and with @p all before exiting. */
void nd_log_flush_suppressed(bool all);

/* The syslog name of @p level ("err", "warning", "info" ...). */
const char *nd_log_level_name(int level);

/* Parses a level name ("error" and "warn" accepted too) or a digit 0-7;
 * returns -1 when @p name is none of them. */
int nd_log_level_parse(const char *name);

/* ---- What the facade decided, and the pure pieces it is built from
 *      (exposed for the unit tests). ---- */

typedef enum nd_log_style {
        ND_LOG_STYLE_JOURNAL = 0, /* native journal protocol */
        ND_LOG_STYLE_PREFIXED,    /* "<3>message key=value" on stderr */
        ND_LOG_STYLE_PLAIN,       /* "TIME LEVEL message key=value" */
} nd_log_style;

/* The style nd_log_setup() chose. */
nd_log_style nd_log_current_style(void);

/*
 * The style for @p target given the environment: @p journal_stream is
 * $JOURNAL_STREAM or NULL, @p stderr_dev/@p stderr_ino identify stderr
 * (fstat), @p under_systemd is whether $INVOCATION_ID is set and @p tty is
 * isatty(2).
 */
nd_log_style nd_log_choose_style(nd_log_target target,
                                 const char *journal_stream,
                                 unsigned long stderr_dev,
                                 unsigned long stderr_ino, bool under_systemd,
                                 bool tty);

#define ND_LOG_MAX_FIELDS  9
#define ND_LOG_MESSAGE_MAX 4096
#define ND_LOG_VALUE_MAX   1024

/* The journal fields of one entry; iov[] points into buf. */
typedef struct nd_log_record {
        struct iovec iov[ND_LOG_MAX_FIELDS];
        size_t n;
        char buf[ND_LOG_MESSAGE_MAX + 6 * ND_LOG_VALUE_MAX];
        size_t used;
} nd_log_record;

/* Fills @p rec with PRIORITY, SYSLOG_IDENTIFIER=newsd, MESSAGE and the
 * present members of @p fields (which may be NULL). Over-long values are
 * truncated. */
void nd_log_format_fields(nd_log_record *rec, int level,
                          const nd_log_fields *fields, const char *message);

/*
 * Writes one stderr line (with its '\n') for @p style PREFIXED or PLAIN
 * into @p buf; @p now (wall clock) is used by PLAIN only. Control
 * characters in the message become spaces so a line stays a line. Returns
 * the length written (truncated to @p size - 1).
 */
size_t nd_log_format_line(char *buf, size_t size, nd_log_style style, int level,
                          const nd_log_fields *fields, const char *message,
                          const struct timespec *now);

/* ---- Rate limiting of repeated errors ---- */

#define ND_LOG_RL_SLOTS  16
#define ND_LOG_RL_SAMPLE 160

/* One kind of message: same format string, same NEWSD_ERROR token and same
 * librdkafka facility. */
typedef struct nd_log_rl_slot {
        const char *fmt; /* NULL: free slot */
        char error[48];
        char facility[32];
        int level;
        uint64_t start_usec;           /* window start */
        unsigned count;                /* entries in this window */
        char sample[ND_LOG_RL_SAMPLE]; /* the first message of the window */
} nd_log_rl_slot;

typedef struct nd_log_ratelimit {
        uint64_t interval_usec; /* window length */
        unsigned burst;         /* entries logged per window and kind */
        nd_log_rl_slot slots[ND_LOG_RL_SLOTS];
} nd_log_ratelimit;

void nd_log_ratelimit_init(nd_log_ratelimit *rl, uint64_t interval_usec,
                           unsigned burst);

/*
 * Counts one entry of kind (@p fmt, @p error, @p facility) at @p now_usec
 * and returns whether to log it. When the entry opens a new window after
 * one that suppressed entries, that window's slot is copied to @p ended
 * (ended->count - burst were suppressed) so the caller can log a summary
 * first; otherwise ended->fmt is set to NULL. @p message is kept as the
 * window's sample.
 */
bool nd_log_ratelimit_check(nd_log_ratelimit *rl, int level, const char *fmt,
                            const char *error, const char *facility,
                            const char *message, uint64_t now_usec,
                            nd_log_rl_slot *ended);

/* Takes one window that ended before @p now_usec with suppressed entries
 * and copies it to @p ended; returns false when there is none. With
 * @p force every window with suppressed entries is taken (at exit). */
bool nd_log_ratelimit_expire(nd_log_ratelimit *rl, uint64_t now_usec,
                             bool force, nd_log_rl_slot *ended);

/* Test seams: the monotonic clock of the rate limiter, in microseconds,
 * and the stream stderr lines go to (NULL: stderr). */
void nd_log_set_clock(uint64_t (*clock_usec)(void));
void nd_log_set_stream(FILE *stream);

#endif
