/* The service configuration (SPEC §2). One declarative table of settings
 * drives parsing, validation, the effective-config printout, reload
 * decisions and the reference documentation. */
#define _GNU_SOURCE /* strcasestr, explicit_bzero */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <ini.h>

#include "build_config.h"
#include "newsd/config.h"

#define CREDENTIAL_PREFIX "@credential:"
#define CREDENTIAL_MAX    (1024 * 1024)
#define REDACTED          "[redacted]"
/* Marks a value inih was handed in place of an over-long line's value (see
 * read_line): the index into load_ctx.stash follows. */
#define STASH_MARK '\x01'

enum setting_type {
        ST_STRING,
        ST_LIST, /* comma-separated */
        ST_BOOL,
        ST_UINT,
        ST_SIZE,     /* bytes, suffixes k M G */
        ST_DURATION, /* milliseconds, suffixes ms s m */
        ST_ENUM,     /* stored as the index into names[] */
        ST_STAGE,    /* stage.NAME = on|off, stored in disabled_stages */
        ST_ROUTE,    /* a key of a [route.NAME] section, set through
                        nd_route_set() on that section's nd_route */
};

#define SF_RELOADABLE 0x1u /* takes effect on SIGHUP without a restart */
#define SF_SECRET     0x2u /* never printed or quoted in errors */
#define SF_NONEMPTY   0x4u

/* Extra validation of a string value or of one list entry. */
typedef bool (*value_check)(const char *value, char *errstr,
                            size_t errstr_size);

struct setting {
        const char *section;
        const char *key;
        enum setting_type type;
        size_t offset;       /* into nd_config */
        const char *def;     /* parsed like a value from the file */
        const char *env;     /* environment variable overriding def */
        const char *doc_def; /* the default as documented, when def
                                depends on the build or environment */
        unsigned long long min, max;
        const char *const *names; /* ST_ENUM: value i is names[i];
                                     ST_ROUTE: names[0] is the type column */
        value_check check;
        unsigned flags;
        const char *help;
};

enum section_kind {
        SEC_TABLE, /* settings from the table */
        SEC_KAFKA, /* free-form librdkafka properties */
        SEC_ROUTE, /* [route.NAME]: one per name, ST_ROUTE settings */
};

struct section {
        const char *name;
        enum section_kind kind;
        size_t kv_offset; /* SEC_KAFKA: the nd_kv_list in nd_config */
        const char *help;
};

static const struct section sections[] = {
    {"topics", SEC_TABLE, 0,
     "Where articles come from and where events "
     "go."},
    {"pipeline", SEC_TABLE, 0,
     "Delivery, event format, limits and the enrichment stages."},
    {"data", SEC_TABLE, 0,
     "Directories of pipeline data (boilerplate phrases, gazetteers)."},
    {"log", SEC_TABLE, 0, "Logging."},
    {"metrics", SEC_TABLE, 0, "The Prometheus metrics endpoint."},
    {"kafka", SEC_KAFKA, offsetof(nd_config, kafka),
     "Any librdkafka property (bootstrap.servers, security.protocol, "
     "sasl.*, ssl.* ...), for the consumer and the producer alike. "
     "librdkafka itself validates names and values at check time."},
    {"consumer", SEC_KAFKA, offsetof(nd_config, consumer),
     "librdkafka properties for the consumer only (group.id, "
     "session.timeout.ms ...); they override [kafka]. group.id defaults "
     "to newsd."},
    {"producer", SEC_KAFKA, offsetof(nd_config, producer),
     "librdkafka properties for the producer only (compression.type, "
     "linger.ms ...); they override [kafka]."},
    {"route.NAME", SEC_ROUTE, 0,
     "A routing rule (docs/routing.md): an event for which every "
     "condition of the section holds goes to its topic too, besides "
     "[topics] output. NAME: 1 to 64 letters, digits, '_' or '-'. A "
     "condition left out always holds. Routes are read at start."},
};

#define ROUTE_SECTION "route.NAME"
#define ND_ROUTE_KEYS 8 /* at least the entries of nd_route_keys() */

#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

static const char *const delivery_names[] = {"at-least-once", "exactly-once",
                                             NULL};
static const char *const event_names[] = {"binary", "structured", NULL};
/* Indexed by syslog priority: LOG_EMERG is 0, LOG_DEBUG 7. */
static const char *const level_names[] = {"emerg", "alert",   "crit",
                                          "err",   "warning", "notice",
                                          "info",  "debug",   NULL};
static const char *const target_names[] = {"auto", "journal", "stderr", NULL};

_Static_assert(sizeof(nd_delivery) == sizeof(int) &&
                   sizeof(nd_event_mode) == sizeof(int) &&
                   sizeof(nd_log_target) == sizeof(int),
               "enum settings are stored as int");
_Static_assert(LOG_EMERG == 0 && LOG_DEBUG == 7,
               "level_names is indexed by syslog priority");

static bool check_input_topic(const char *v, char *errstr, size_t errsz);
static bool check_topic(const char *v, char *errstr, size_t errsz);
static bool check_template(const char *v, char *errstr, size_t errsz);
static bool check_optional_topic(const char *v, char *errstr, size_t errsz);
static bool check_listen(const char *v, char *errstr, size_t errsz);

#define OFF(member) offsetof(nd_config, member)
#define SEC         1000ULL
#define MIN         (60 * SEC)

static const struct setting settings[] = {
    {"topics", "input", ST_LIST, OFF(input), "news.raw", NULL, NULL, 0, 0, NULL,
     check_input_topic, SF_NONEMPTY,
     "Topics to consume, comma-separated. An entry starting with ^ is a "
     "POSIX extended regular expression: every matching topic is "
     "consumed."},
    {"topics", "output", ST_STRING, OFF(output), "news.enriched", NULL, NULL, 0,
     0, NULL, check_template, SF_NONEMPTY,
     "Topic the events are published to: a topic name, or a template "
     "such as news.enriched.{language} whose {placeholders} are filled "
     "from the event: {language}, {script}, {place.country} (of the "
     "first place entity), {source} (host of the article uri), "
     "{input.topic}, {type}; {NAME|FALLBACK} names the text used when "
     "the field is missing (default: unknown). Values are lower-cased, "
     "characters outside [a-z0-9._-] become _ (docs/routing.md)."},
    {"topics", "dead-letter", ST_STRING, OFF(dead_letter), "news.dlq", NULL,
     NULL, 0, 0, NULL, check_topic, SF_NONEMPTY,
     "Topic receiving, unchanged, every input that cannot become an "
     "event, with newsd-error-* headers saying why."},
    {"topics", "entities", ST_STRING, OFF(entities), "", NULL, NULL, 0, 0, NULL,
     check_optional_topic, 0,
     "Topic of the entity stream: one record per entity per article, "
     "keyed by the entity uri (schema/newsd-entity.schema.json; empty: "
     "off)."},
    {"pipeline", "delivery", ST_ENUM, OFF(delivery), "at-least-once", NULL,
     NULL, 0, 0, delivery_names, NULL, 0,
     "Delivery guarantee. at-least-once commits an input's offset once "
     "its event is acknowledged; exactly-once uses Kafka transactions."},
    {"pipeline", "event-format", ST_ENUM, OFF(event_format), "binary", NULL,
     NULL, 0, 0, event_names, NULL, 0,
     "CloudEvents content mode: binary (ce_* headers, the event as the "
     "value) or structured (application/cloudevents+json)."},
    {"pipeline", "max-article-bytes", ST_SIZE, OFF(max_article_bytes), "4M",
     NULL, NULL, 1024, 1ULL << 30, NULL, NULL, SF_RELOADABLE,
     "Largest input accepted; larger ones go to the dead-letter topic as "
     "too-large."},
    {"pipeline", "max-in-flight", ST_UINT, OFF(max_in_flight), "1000", NULL,
     NULL, 1, 1000000, NULL, NULL, SF_RELOADABLE,
     "Records consumed but not yet acknowledged by Kafka; at this bound "
     "the assigned partitions are paused until deliveries catch up."},
    {"pipeline", "commit-interval", ST_DURATION, OFF(commit_interval_ms), "5s",
     NULL, NULL, 100, 60 * MIN, NULL, NULL, 0,
     "How often the offsets of delivered inputs are committed."},
    {"pipeline", "shutdown-timeout", ST_DURATION, OFF(shutdown_timeout_ms),
     "30s", NULL, NULL, SEC, 60 * MIN, NULL, NULL, SF_RELOADABLE,
     "How long a stop may spend delivering in-flight records and "
     "committing before it gives up; keep it below systemd's "
     "TimeoutStopSec."},
    {"pipeline", "dedup-window", ST_UINT, OFF(dedup_window), "4096", NULL, NULL,
     0, 10000000, NULL, NULL, SF_RELOADABLE,
     "How many recent articles the near-duplicate check remembers "
     "(0: off)."},
    {"pipeline", "dedup-max-distance", ST_UINT, OFF(dedup_max_distance), "16",
     NULL, NULL, 0, 64, NULL, NULL, SF_RELOADABLE,
     "Largest distance between two articles' simhash fingerprints, in "
     "differing bits per 64, for them to count as near-duplicates (see "
     "docs/enrichment.md)."},
    {"pipeline", "stage.NAME", ST_STAGE, OFF(disabled_stages), "on", NULL, NULL,
     0, 0, NULL, NULL, SF_RELOADABLE,
     "Switches one enrichment stage on or off. Stages that later ones "
     "depend on stay on."},
    {"data", "dir", ST_STRING, OFF(data_dir), NEWSD_DATADIR, "NEWSD_DATA_DIR",
     "the installed data directory (DATADIR/newsd), or $NEWSD_DATA_DIR "
     "when set",
     0, 0, NULL, NULL, SF_NONEMPTY | SF_RELOADABLE,
     "Directory of the pipeline's built-in data."},
    {"data", "user-dir", ST_STRING, OFF(user_data_dir), "", NULL, NULL, 0, 0,
     NULL, NULL, SF_RELOADABLE,
     "Optional directory of extra data read after the built-in one, such "
     "as /etc/newsd/gazetteer.d (empty: none)."},
    {"log", "level", ST_ENUM, OFF(log_level), "info", NULL, NULL, 0, 0,
     level_names, NULL, SF_RELOADABLE, "Lowest priority logged."},
    {"log", "target", ST_ENUM, OFF(log_target), "auto", NULL, NULL, 0, 0,
     target_names, NULL, 0,
     "auto: the journal when stderr is connected to it "
     "($JOURNAL_STREAM), else stderr."},
    {"metrics", "listen", ST_STRING, OFF(metrics_listen), "127.0.0.1:9464",
     NULL, NULL, 0, 0, NULL, check_listen, 0,
     "Address of the Prometheus /metrics endpoint, HOST:PORT (empty: "
     "off)."},
    {ROUTE_SECTION, "topic", ST_ROUTE, 0, "", NULL, "(required)", 0, 0,
     (const char *const[]){"topic template", NULL}, NULL, 0,
     "Topic the matching events go to; a template like [topics] "
     "output."},
    {ROUTE_SECTION, "language", ST_ROUTE, 0, "", NULL, "(any)", 0, 0,
     (const char *const[]){"comma-separated list", NULL}, NULL, 0,
     "The article's language is one of these BCP 47 codes (he also "
     "matches he-IL)."},
    {ROUTE_SECTION, "entity", ST_ROUTE, 0, "", NULL, "(any)", 0, 0,
     (const char *const[]){"entity uri or name", NULL}, NULL, 0,
     "The article mentions this entity: an entity of analysis.entities "
     "has this uri, or this canonical name in any case (built-in "
     "gazetteers and [data] user-dir alike)."},
    {ROUTE_SECTION, "duplicate", ST_ROUTE, 0, "", NULL, "(any)", 0, 0,
     (const char *const[]){"yes or no", NULL}, NULL, 0,
     "yes: only near-duplicates of a recent article (analysis."
     "fingerprints.duplicate_of); no: only articles that are not."},
    {ROUTE_SECTION, "min-words", ST_ROUTE, 0, "", NULL, "(0)", 0, 0,
     (const char *const[]){"integer, 0 to 10000000", NULL}, NULL, 0,
     "The article's body has at least this many words."},
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

/* ---------------------------------------------------------------------- */
/* Small helpers */

static void *
member(const nd_config *c, size_t offset)
{
        return (char *)c + offset;
}

static void push_errorf(nd_strvec *errors, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
push_errorf(nd_strvec *errors, const char *fmt, ...)
{
        va_list ap;
        char *s;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        s = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (s) {
                va_start(ap, fmt);
                vsnprintf(s, (size_t)n + 1, fmt, ap);
                va_end(ap);
        }
        if (!s || !nd_strvec_take(errors, s))
                nd_strvec_push(errors, "out of memory");
}

static char *
trim(char *s)
{
        char *end;

        while (isspace((unsigned char)*s))
                s++;
        end = s + strlen(s);
        while (end > s && isspace((unsigned char)end[-1]))
                *--end = '\0';
        return s;
}

/* Edit distance, case-insensitive, for "did you mean" hints. */
static size_t
distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b), row[64];

        if (la >= 63 || lb >= 63)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t cost = tolower((unsigned char)a[i - 1]) !=
                                      tolower((unsigned char)b[j - 1]);
                        size_t best = diag + cost;
                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        row[j] = best;
                        diag = up;
                }
        }
        return row[lb];
}

/* Close enough to be a typo: at most 2 edits, fewer for short words. */
static bool
is_close(const char *typed, const char *known)
{
        size_t d = distance(typed, known);
        size_t len = strlen(known);

        return d <= (len <= 4 ? 1 : 2);
}

static bool
is_route_section(const char *name)
{
        return strncmp(name, "route.", 6) == 0;
}

static const struct section *
find_section(const char *name)
{
        if (is_route_section(name))
                name = ROUTE_SECTION;
        for (size_t i = 0; i < N_SECTIONS; i++)
                if (strcmp(sections[i].name, name) == 0)
                        return &sections[i];
        return NULL;
}

static const char *
stage_of(const char *key)
{
        if (strncmp(key, "stage.", 6) != 0)
                return NULL;
        for (const char *const *n = nd_pipeline_stage_names(); *n; n++)
                if (strcmp(key + 6, *n) == 0)
                        return *n;
        return NULL;
}

static const struct setting *
find_setting(const char *section, const char *key)
{
        if (is_route_section(section))
                section = ROUTE_SECTION;
        for (size_t i = 0; i < N_SETTINGS; i++) {
                const struct setting *st = &settings[i];
                if (strcmp(st->section, section) != 0)
                        continue;
                if (st->type == ST_STAGE ? stage_of(key) != NULL
                                         : strcmp(st->key, key) == 0)
                        return st;
        }
        return NULL;
}

/* Appends " (did you mean ...?)" to @p b for a mistyped key. */
static void
suggest_key(nd_buf *b, const char *section, const char *key)
{
        if (is_route_section(section))
                section = ROUTE_SECTION;
        /* The same section first, then a key put in the wrong section. */
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < N_SETTINGS; i++) {
                        const struct setting *st = &settings[i];
                        bool same = strcmp(st->section, section) == 0;
                        if (same != (pass == 0))
                                continue;
                        if (st->type == ST_STAGE) {
                                const char *const *n;
                                for (n = nd_pipeline_stage_names(); *n; n++) {
                                        char full[80];
                                        snprintf(full, sizeof(full), "stage.%s",
                                                 *n);
                                        if (!is_close(key, full))
                                                continue;
                                        if (same)
                                                nd_buf_printf(b,
                                                              "; did you "
                                                              "mean %s?",
                                                              full);
                                        else
                                                nd_buf_printf(b,
                                                              "; did you mean "
                                                              "[%s] %s?",
                                                              st->section,
                                                              full);
                                        return;
                                }
                                continue;
                        }
                        if (!(same ? is_close(key, st->key)
                                   : strcmp(key, st->key) == 0))
                                continue;
                        if (same)
                                nd_buf_printf(b, "; did you mean %s?", st->key);
                        else
                                nd_buf_printf(b, "; did you mean [%s] %s?",
                                              st->section, st->key);
                        return;
                }
        }
        if (strchr(key, '.') && strncmp(key, "stage.", 6) != 0)
                nd_buf_appends(b, "; librdkafka properties go in [kafka], "
                                  "[consumer] or [producer]");
        else if (strncmp(key, "stage.", 6) == 0) {
                nd_buf_appends(b, "; the stages are:");
                for (const char *const *n = nd_pipeline_stage_names(); *n; n++)
                        nd_buf_printf(b, " %s", *n);
        }
}

static void
suggest_section(nd_buf *b, const char *name)
{
        for (size_t i = 0; i < N_SECTIONS; i++) {
                if (is_close(name, sections[i].name)) {
                        nd_buf_printf(b, "; did you mean [%s]?",
                                      sections[i].name);
                        return;
                }
        }
        nd_buf_appends(b, "; the sections are");
        for (size_t i = 0; i < N_SECTIONS; i++)
                nd_buf_printf(b, " [%s]", sections[i].name);
}

/* ---------------------------------------------------------------------- */
/* Value checks */

static bool
topic_name_ok(const char *v, char *errstr, size_t errsz)
{
        size_t len = strlen(v);

        if (len == 0 || len > 249) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "a topic name has 1 to 249 characters");
                return false;
        }
        if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "\"%s\" is not a valid topic name", v);
                return false;
        }
        for (const char *p = v; *p; p++) {
                if (isalnum((unsigned char)*p) || *p == '.' || *p == '_' ||
                    *p == '-')
                        continue;
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "\"%s\": a topic name holds only letters, digits, "
                          "'.', '_' and '-'",
                          v);
                return false;
        }
        return true;
}

static bool
check_topic(const char *v, char *errstr, size_t errsz)
{
        return topic_name_ok(v, errstr, errsz);
}

static bool
check_optional_topic(const char *v, char *errstr, size_t errsz)
{
        return *v == '\0' || topic_name_ok(v, errstr, errsz);
}

static bool
check_template(const char *v, char *errstr, size_t errsz)
{
        nd_template *t;

        if (!strpbrk(v, "{}"))
                return topic_name_ok(v, errstr, errsz);
        t = nd_template_parse(v, errstr, errsz);

        nd_template_destroy(t);
        return t != NULL;
}

/* librdkafka subscribes "^..." entries as POSIX extended regexes. */
static bool
check_input_topic(const char *v, char *errstr, size_t errsz)
{
        regex_t re;
        int rc;

        if (v[0] != '^')
                return topic_name_ok(v, errstr, errsz);
        rc = regcomp(&re, v, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
                char msg[128];
                regerror(rc, &re, msg, sizeof(msg));
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "invalid regular expression \"%s\": %s", v, msg);
                return false;
        }
        regfree(&re);
        return true;
}

static bool
check_listen(const char *v, char *errstr, size_t errsz)
{
        const char *colon = strrchr(v, ':');
        char *end;
        unsigned long port;

        if (*v == '\0')
                return true;
        if (!colon || colon == v) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "expected HOST:PORT such as 127.0.0.1:9464, or "
                          "empty for off");
                return false;
        }
        if (v[0] == '[' && colon[-1] != ']') {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "expected [IPV6]:PORT such as [::1]:9464");
                return false;
        }
        errno = 0;
        port = strtoul(colon + 1, &end, 10);
        if (!isdigit((unsigned char)colon[1]) || *end || errno || port == 0 ||
            port > 65535) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "port must be 1 to 65535");
                return false;
        }
        return true;
}

/* ---------------------------------------------------------------------- */
/* Parsing and formatting values */

static void
format_size(unsigned long long v, char *out, size_t outsz)
{
        static const char units[] = "GMk";
        static const unsigned long long mult[] = {1ULL << 30, 1ULL << 20,
                                                  1ULL << 10};

        for (size_t i = 0; i < 3; i++) {
                if (v != 0 && v % mult[i] == 0) {
                        snprintf(out, outsz, "%llu%c", v / mult[i], units[i]);
                        return;
                }
        }
        snprintf(out, outsz, "%llu", v);
}

static void
format_duration(unsigned long long ms, char *out, size_t outsz)
{
        if (ms != 0 && ms % MIN == 0)
                snprintf(out, outsz, "%llum", ms / MIN);
        else if (ms != 0 && ms % SEC == 0)
                snprintf(out, outsz, "%llus", ms / SEC);
        else
                snprintf(out, outsz, "%llums", ms);
}

static void
format_bound(const struct setting *st, unsigned long long v, char *out,
             size_t outsz)
{
        if (st->type == ST_SIZE)
                format_size(v, out, outsz);
        else if (st->type == ST_DURATION)
                format_duration(v, out, outsz);
        else
                snprintf(out, outsz, "%llu", v);
}

/* A decimal number with an optional unit suffix from @p units. */
static bool
parse_number(const char *v, const char *const *suffixes,
             const unsigned long long *mult, unsigned long long *out)
{
        unsigned long long n;
        char *end;

        if (!isdigit((unsigned char)*v))
                return false;
        errno = 0;
        n = strtoull(v, &end, 10);
        if (errno)
                return false;
        end = trim(end);
        for (size_t i = 0; suffixes[i]; i++) {
                if (strcmp(end, suffixes[i]) != 0)
                        continue;
                if (mult[i] && n > ULLONG_MAX / mult[i])
                        return false;
                *out = n * mult[i];
                return true;
        }
        return false;
}

static bool
parse_bool(const char *v, bool *out)
{
        static const char *const yes[] = {"on", "true", "yes", "1", NULL};
        static const char *const no[] = {"off", "false", "no", "0", NULL};

        for (size_t i = 0; yes[i]; i++) {
                if (strcasecmp(v, yes[i]) == 0) {
                        *out = true;
                        return true;
                }
                if (strcasecmp(v, no[i]) == 0) {
                        *out = false;
                        return true;
                }
        }
        return false;
}

static void
names_list(const char *const *names, char *out, size_t outsz)
{
        size_t used = 0;

        out[0] = '\0';
        for (size_t i = 0; names[i] && used < outsz; i++)
                used += (size_t)snprintf(out + used, outsz - used, "%s%s",
                                         i ? ", " : "", names[i]);
}

/* Splits a comma list into trimmed, non-empty entries. */
static bool
split_list(const char *v, nd_strvec *out, char *errstr, size_t errsz)
{
        char *copy = strdup(v), *tok;
        bool ok = true;

        if (!copy) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG, "out of memory");
                return false;
        }
        /* strtok_r would skip empty entries; "a,,b" is a mistake. */
        tok = copy;
        while (ok && tok) {
                char *comma = strchr(tok, ',');
                char *item;
                if (comma)
                        *comma = '\0';
                item = trim(tok);
                if (*item == '\0') {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "empty entry in the list");
                        ok = false;
                } else if (!nd_strvec_push(out, item)) {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "out of memory");
                        ok = false;
                }
                tok = comma ? comma + 1 : NULL;
        }
        free(copy);
        return ok;
}

static bool
stage_set(nd_config *c, const char *stage, bool on)
{
        nd_strvec *dis = &c->disabled_stages;

        for (size_t i = 0; i < dis->n; i++) {
                if (strcmp(dis->v[i], stage) != 0)
                        continue;
                if (on) {
                        free(dis->v[i]);
                        dis->v[i] = dis->v[--dis->n];
                }
                return true;
        }
        return on || nd_strvec_push(dis, stage);
}

/*
 * Validates @p v for @p st and stores it in @p c. On failure @p c is
 * unchanged and errstr says why; the message quotes the value only when
 * @p may_quote (never for secrets).
 */
static bool
set_value(nd_config *c, const struct setting *st, const char *key,
          const char *v, bool may_quote, char *errstr, size_t errsz)
{
        static const char *const size_sfx[] = {"",  "k", "K", "M",
                                               "m", "G", "g", NULL};
        static const unsigned long long size_mult[] = {
            1,          1ULL << 10, 1ULL << 10, 1ULL << 20,
            1ULL << 20, 1ULL << 30, 1ULL << 30};
        static const char *const dur_sfx[] = {"", "ms", "s", "m", NULL};
        static const unsigned long long dur_mult[] = {1, 1, SEC, MIN};
        void *dst = member(c, st->offset);
        const char *shown = may_quote ? v : REDACTED;
        unsigned long long n = 0;
        char lo[32], hi[256];
        bool b;

        switch (st->type) {
        case ST_STRING: {
                char *copy;
                if ((st->flags & SF_NONEMPTY) && *v == '\0') {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "must not be empty");
                        return false;
                }
                if (st->check && !st->check(v, errstr, errsz))
                        return false;
                copy = strdup(v);
                if (!copy) {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "out of memory");
                        return false;
                }
                free(*(char **)dst);
                *(char **)dst = copy;
                return true;
        }
        case ST_LIST: {
                nd_strvec list = {0};
                if (*v == '\0' && (st->flags & SF_NONEMPTY)) {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "must not be empty");
                        return false;
                }
                if (!split_list(v, &list, errstr, errsz))
                        goto list_fail;
                for (size_t i = 0; st->check && i < list.n; i++)
                        if (!st->check(list.v[i], errstr, errsz))
                                goto list_fail;
                nd_strvec_clear((nd_strvec *)dst);
                *(nd_strvec *)dst = list;
                return true;
        list_fail:
                nd_strvec_clear(&list);
                return false;
        }
        case ST_ROUTE:
                break; /* apply_route() sets these */
        case ST_BOOL:
        case ST_STAGE:
                if (!parse_bool(v, &b)) {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "\"%s\" is not on or off (also accepted: "
                                  "true/false, yes/no, 1/0)",
                                  shown);
                        return false;
                }
                if (st->type == ST_BOOL) {
                        *(bool *)dst = b;
                        return true;
                }
                if (!stage_set(c, stage_of(key), b)) {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "out of memory");
                        return false;
                }
                return true;
        case ST_ENUM:
                for (size_t i = 0; st->names[i]; i++) {
                        if (strcmp(v, st->names[i]) == 0) {
                                *(int *)dst = (int)i;
                                return true;
                        }
                }
                names_list(st->names, hi, sizeof(hi));
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "\"%s\" is not one of: %s", shown, hi);
                return false;
        case ST_UINT:
        case ST_SIZE:
        case ST_DURATION: {
                bool ok;
                if (st->type == ST_UINT)
                        ok = parse_number(v, (const char *const[]){"", NULL},
                                          (const unsigned long long[]){1}, &n);
                else if (st->type == ST_SIZE)
                        ok = parse_number(v, size_sfx, size_mult, &n);
                else
                        ok = parse_number(v, dur_sfx, dur_mult, &n);
                if (!ok) {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "\"%s\" is not %s", shown,
                                  st->type == ST_UINT ? "a whole number"
                                  : st->type == ST_SIZE
                                      ? "a size such as 512k, 4M or 1G "
                                        "(suffixes k, M, G: powers of "
                                        "1024)"
                                      : "a duration such as 500ms, 30s "
                                        "or 5m (no suffix: milliseconds)");
                        return false;
                }
                if (n < st->min || n > st->max) {
                        format_bound(st, st->min, lo, sizeof(lo));
                        format_bound(st, st->max, hi, sizeof(hi));
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "%s is out of range (%s to %s)", shown, lo,
                                  hi);
                        return false;
                }
                if (st->type == ST_SIZE)
                        *(size_t *)dst = (size_t)n;
                else
                        *(unsigned *)dst = (unsigned)n;
                return true;
        }
        }
        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                  "internal error: unknown setting type");
        return false;
}

/* The value of @p st (for ST_STAGE: of stage @p stage) as it would be
 * written in the file. */
static void
format_value(const nd_config *c, const struct setting *st, const char *stage,
             nd_buf *b)
{
        const void *src = member(c, st->offset);
        char num[32];

        switch (st->type) {
        case ST_STRING: {
                const char *s = *(char *const *)src;
                nd_buf_appends(b, s ? s : "");
                break;
        }
        case ST_LIST: {
                const nd_strvec *l = src;
                for (size_t i = 0; i < l->n; i++)
                        nd_buf_printf(b, "%s%s", i ? ", " : "", l->v[i]);
                break;
        }
        case ST_BOOL:
                nd_buf_appends(b, *(const bool *)src ? "on" : "off");
                break;
        case ST_ROUTE:
                break; /* nd_route_format() prints routes */
        case ST_STAGE:
                nd_buf_appends(b,
                               nd_strvec_contains(src, stage) ? "off" : "on");
                break;
        case ST_ENUM:
                nd_buf_appends(b, st->names[*(const int *)src]);
                break;
        case ST_UINT:
                nd_buf_printf(b, "%u", *(const unsigned *)src);
                break;
        case ST_SIZE:
                format_size(*(const size_t *)src, num, sizeof(num));
                nd_buf_appends(b, num);
                break;
        case ST_DURATION:
                format_duration(*(const unsigned *)src, num, sizeof(num));
                nd_buf_appends(b, num);
                break;
        }
        if (!b->p)
                nd_buf_appends(b, "");
}

/* ---------------------------------------------------------------------- */
/* librdkafka property lists */

static nd_kv_list *
kv_list(nd_config *c, const struct section *sec)
{
        return member(c, sec->kv_offset);
}

static nd_kv *
kv_find(const nd_kv_list *l, const char *key)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i].key, key) == 0)
                        return &l->v[i];
        return NULL;
}

static bool
kv_set(nd_kv_list *l, const char *key, const char *value, const char *origin,
       bool secret)
{
        nd_kv *kv = kv_find(l, key);
        char *v = strdup(value), *o = strdup(origin);

        if (!v || !o)
                goto fail;
        if (!kv) {
                if (l->n == l->cap) {
                        size_t cap = l->cap ? l->cap * 2 : 8;
                        nd_kv *nv = realloc(l->v, cap * sizeof(*nv));
                        if (!nv)
                                goto fail;
                        l->v = nv;
                        l->cap = cap;
                }
                kv = &l->v[l->n];
                kv->key = strdup(key);
                if (!kv->key)
                        goto fail;
                kv->value = NULL;
                kv->origin = NULL;
                l->n++;
        }
        free(kv->value);
        free(kv->origin);
        kv->value = v;
        kv->origin = o;
        kv->secret = secret;
        return true;
fail:
        free(v);
        free(o);
        return false;
}

static void
kv_list_free(nd_kv_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].key);
                free(l->v[i].value);
                free(l->v[i].origin);
        }
        free(l->v);
        memset(l, 0, sizeof(*l));
}

/* Substrings of secret property names, so that future librdkafka
 * properties (and plugin ones) named like these are covered too. */
static const char *const secret_markers[] = {
    "password",    "secret",     "sasl.oauthbearer.config",
    "ssl.key.pem", "ssl_key",    "sasl.jaas",
    "token",       "credential", NULL};

bool
nd_config_is_secret(const char *key)
{
        for (size_t i = 0; secret_markers[i]; i++)
                if (strcasestr(key, secret_markers[i]))
                        return true;
        return false;
}

/* ---------------------------------------------------------------------- */
/* Loading */

struct load_ctx {
        nd_config *c;
        nd_strvec *errors;
        const char *file;
        FILE *f;
        int lineno;
        char *line; /* getline buffer */
        size_t line_cap;
        nd_strvec stash; /* values of over-long lines */
        int set_line[N_SETTINGS];
        char *origin[N_SETTINGS]; /* where a setting was last set */
        int stage_line[ND_STAGE_MAX];
        int (*route_line)[ND_ROUTE_KEYS]; /* per route: where each key was
                                             set, by nd_route_keys() index */
};

/* Reads $CREDENTIALS_DIRECTORY/NAME (systemd's LoadCredential=). Returns a
 * malloc'd value without its trailing newline, or NULL with errstr set. */
static char *
read_credential(const char *name, char *errstr, size_t errsz)
{
        const char *dir = getenv("CREDENTIALS_DIRECTORY");
        char path[PATH_MAX];
        nd_buf b = {0};
        char chunk[4096];
        size_t got;
        FILE *f;

        if (*name == '\0' || strchr(name, '/') || strcmp(name, ".") == 0 ||
            strcmp(name, "..") == 0) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "@credential: needs a credential name without '/'");
                return NULL;
        }
        if (!dir || !*dir) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "@credential:%s: CREDENTIALS_DIRECTORY is not set "
                          "(systemd sets it for LoadCredential=)",
                          name);
                return NULL;
        }
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
            sizeof(path)) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "@credential:%s: path too long", name);
                return NULL;
        }
        f = fopen(path, "rb");
        if (!f) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "@credential:%s: cannot read %s: %s", name, path,
                          strerror(errno));
                return NULL;
        }
        while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
                if (b.len + got > CREDENTIAL_MAX ||
                    !nd_buf_append(&b, chunk, got)) {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                                  "@credential:%s: %s is larger than 1M", name,
                                  path);
                        goto fail;
                }
        }
        if (ferror(f)) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "@credential:%s: cannot read %s: %s", name, path,
                          strerror(errno));
                goto fail;
        }
        fclose(f);
        f = NULL;
        if (!b.p && !nd_buf_appends(&b, ""))
                goto nomem;
        if (strlen(b.p) != b.len) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG,
                          "@credential:%s: %s contains a NUL byte", name, path);
                goto fail;
        }
        while (b.len > 0 && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == '\r'))
                b.p[--b.len] = '\0';
        return nd_buf_steal(&b);
nomem:
        nd_seterr(errstr, errsz, ND_ERR_CONFIG, "out of memory");
fail:
        if (f)
                fclose(f);
        nd_buf_free(&b);
        return NULL;
}

static int
stage_index(const char *stage)
{
        const char *const *n = nd_pipeline_stage_names();

        for (int i = 0; n[i] && i < ND_STAGE_MAX; i++)
                if (strcmp(n[i], stage) == 0)
                        return i;
        return -1;
}

static nd_route *
route_find(nd_config *c, const char *name)
{
        for (size_t i = 0; i < c->n_routes; i++)
                if (strcmp(c->routes[i].name, name) == 0)
                        return &c->routes[i];
        return NULL;
}

/* Adds [route.@p name] first seen at @p origin; NULL when out of memory. */
static nd_route *
route_add(struct load_ctx *lc, const char *name, const char *origin)
{
        nd_config *c = lc->c;
        nd_route *nr = realloc(c->routes, (c->n_routes + 1) * sizeof(*nr));
        int(*lines)[ND_ROUTE_KEYS];

        if (!nr)
                return NULL;
        c->routes = nr;
        lines = realloc(lc->route_line,
                        (c->n_routes + 1) * sizeof(*lc->route_line));
        if (!lines)
                return NULL;
        lc->route_line = lines;
        memset(lines[c->n_routes], 0, sizeof(lines[c->n_routes]));
        if (!nd_route_init(&nr[c->n_routes], name, origin)) {
                nd_route_clear(&nr[c->n_routes]);
                return NULL;
        }
        return &nr[c->n_routes++];
}

static int
route_key_index(const char *key)
{
        const char *const *k = nd_route_keys();

        for (int i = 0; k[i] && i < ND_ROUTE_KEYS; i++)
                if (strcmp(k[i], key) == 0)
                        return i;
        return -1;
}

/* One key of a [route.NAME] section; errors read like apply()'s. */
static void
apply_route(struct load_ctx *lc, const char *where, int lineno,
            const char *label, const char *section, const char *key,
            const char *value)
{
        const char *name = section + strlen("route.");
        nd_route *r = route_find(lc->c, name);
        char errstr[512];
        int k;

        if (!nd_route_name_ok(name)) {
                /* The file's bad names are reported at their header. */
                if (lineno == 0)
                        push_errorf(lc->errors,
                                    "%s: [route.%s]: a route name has 1 to "
                                    "64 letters, digits, '_' or '-'",
                                    where, name);
                return;
        }
        if (!r && !(r = route_add(lc, name, where))) {
                push_errorf(lc->errors, "%s: out of memory", label);
                return;
        }
        k = route_key_index(key);
        if (lineno > 0 && k >= 0) {
                int *seen = &lc->route_line[r - lc->c->routes][k];
                if (*seen > 0) {
                        push_errorf(lc->errors,
                                    "%s: duplicate key (first set on line "
                                    "%d)",
                                    label, *seen);
                        return;
                }
                *seen = lineno;
        }
        if (nd_route_set(r, key, value, errstr, sizeof(errstr)) != ND_OK) {
                nd_buf hint = {0};
                if (k < 0)
                        suggest_key(&hint, section, key);
                push_errorf(lc->errors, "%s: %s%s", label, errstr,
                            hint.p ? hint.p : "");
                nd_buf_free(&hint);
        }
}

/* A [route.NAME] header line: the route starts here. */
static void
route_header(struct load_ctx *lc, const char *section)
{
        const char *name = section + strlen("route.");
        char where[PATH_MAX + 32];
        nd_route *r = route_find(lc->c, name);

        snprintf(where, sizeof(where), "%s:%d", lc->file, lc->lineno);
        if (!nd_route_name_ok(name)) {
                push_errorf(lc->errors,
                            "%s: [%s]: a route name has 1 to 64 letters, "
                            "digits, '_' or '-'",
                            where, section);
                return;
        }
        if (r) {
                push_errorf(lc->errors,
                            "%s: duplicate section [%s] (first at %s)", where,
                            section, r->origin);
                return;
        }
        if (!route_add(lc, name, where))
                push_errorf(lc->errors, "%s: out of memory", where);
}

/*
 * Applies one key. @p where is "FILE:LINE" (lineno > 0) or "-X
 * section.key" (lineno 0); errors read "FILE:LINE: section.key: message"
 * or "-X section.key: message".
 */
static void
apply(struct load_ctx *lc, const char *where, int lineno, const char *section,
      const char *key, const char *value)
{
        const struct section *sec = find_section(section);
        const struct setting *st;
        char label[PATH_MAX + 300], errstr[512], *resolved = NULL;
        bool from_credential = false;
        nd_buf hint = {0};

        if (lineno > 0)
                snprintf(label, sizeof(label), "%s: %s.%s", where, section,
                         key);
        else
                snprintf(label, sizeof(label), "%s", where);

        if (*section == '\0') {
                push_errorf(lc->errors,
                            "%s: \"%s\" is outside of any [section]", where,
                            key);
                return;
        }
        if (!sec) {
                /* The file's unknown sections are reported at their
                 * header, once. */
                if (lineno > 0)
                        return;
                suggest_section(&hint, section);
                push_errorf(lc->errors, "%s: unknown section [%s]%s", where,
                            section, hint.p ? hint.p : "");
                goto out;
        }
        if (*key == '\0') {
                push_errorf(lc->errors, "%s: missing key before '='", where);
                goto out;
        }
        if (strncmp(value, CREDENTIAL_PREFIX, strlen(CREDENTIAL_PREFIX)) == 0) {
                resolved = read_credential(value + strlen(CREDENTIAL_PREFIX),
                                           errstr, sizeof(errstr));
                if (!resolved) {
                        push_errorf(lc->errors, "%s: %s", label, errstr);
                        goto out;
                }
                value = resolved;
                from_credential = true;
        }

        if (sec->kind == SEC_ROUTE) {
                apply_route(lc, where, lineno, label, section, key, value);
                goto out;
        }
        if (sec->kind == SEC_KAFKA) {
                nd_kv_list *l = kv_list(lc->c, sec);
                nd_kv *prev = kv_find(l, key);
                if (lineno > 0 && prev) {
                        push_errorf(lc->errors,
                                    "%s: duplicate key (first set at %s)",
                                    label, prev->origin);
                        goto out;
                }
                if (!kv_set(l, key, value, where,
                            from_credential || nd_config_is_secret(key)))
                        push_errorf(lc->errors, "%s: out of memory", label);
                goto out;
        }

        st = find_setting(section, key);
        if (!st) {
                suggest_key(&hint, section, key);
                push_errorf(lc->errors, "%s: unknown key%s", label,
                            hint.p ? hint.p : "");
                goto out;
        }
        if (lineno > 0) {
                size_t i = (size_t)(st - settings);
                int *seen = &lc->set_line[i];
                int stage =
                    st->type == ST_STAGE ? stage_index(stage_of(key)) : -1;
                if (stage >= 0)
                        seen = &lc->stage_line[stage];
                if (*seen > 0) {
                        push_errorf(lc->errors,
                                    "%s: duplicate key (first set on line "
                                    "%d)",
                                    label, *seen);
                        goto out;
                }
                *seen = lineno;
        }
        if (!set_value(lc->c, st, key, value,
                       !from_credential && !(st->flags & SF_SECRET), errstr,
                       sizeof(errstr))) {
                /* inih ends a value at " ;" only: "value # note" is one
                 * value. */
                push_errorf(lc->errors, "%s: %s%s", label, errstr,
                            strstr(value, " #") || strstr(value, "\t#")
                                ? " (a comment after a value starts "
                                  "with ';', not '#')"
                                : "");
                goto out;
        }
        free(lc->origin[st - settings]);
        lc->origin[st - settings] = strdup(label);
out:
        if (resolved) {
                /* Credentials do not linger in freed memory. */
                explicit_bzero(resolved, strlen(resolved));
                free(resolved);
        }
        nd_buf_free(&hint);
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
        struct load_ctx *lc = user;
        char where[PATH_MAX + 32];

        if (value[0] == STASH_MARK) {
                size_t i = strtoul(value + 1, NULL, 10);
                value = i < lc->stash.n ? lc->stash.v[i] : "";
        }
        snprintf(where, sizeof(where), "%s:%d", lc->file, lc->lineno);
        apply(lc, where, lc->lineno, section, name, value);
        return 1;
}

static void
line_error(struct load_ctx *lc, const char *msg)
{
        push_errorf(lc->errors, "%s:%d: %s", lc->file, lc->lineno, msg);
}

/*
 * inih's line reader. It counts lines (inih does not tell the handler),
 * reports every syntax error itself so that all of them are listed (inih
 * only returns the first), and hands inih an empty line instead of a
 * broken one. Leading blanks are removed so an indented key is a key, not
 * a continuation of the previous value. Lines longer than inih's fixed
 * buffer keep their value aside and pass a placeholder.
 */
static char *
read_line(char *str, int num, void *stream)
{
        struct load_ctx *lc = stream;
        ssize_t n = getline(&lc->line, &lc->line_cap, lc->f);
        char *s, *sep;

        if (n < 0)
                return NULL;
        lc->lineno++;
        s = lc->line;
        if ((size_t)n != strlen(s)) {
                line_error(lc, "NUL byte in the line");
                goto blank;
        }
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
                s[--n] = '\0';
        if (lc->lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
                s += 3;
        while (*s == ' ' || *s == '\t')
                s++;
        for (const char *p = s; *p; p++) {
                if ((unsigned char)*p < 0x20 && *p != '\t') {
                        char msg[64];
                        snprintf(msg, sizeof(msg),
                                 "control character 0x%02x in the line",
                                 (unsigned)*p);
                        line_error(lc, msg);
                        goto blank;
                }
        }
        if (*s == '\0' || *s == '#' || *s == ';')
                goto blank;
        if (*s == '[') {
                char *close = strchr(s, ']'), name[128];
                const char *rest;
                if (!close) {
                        line_error(lc, "missing ']' in the section header");
                        goto blank;
                }
                snprintf(name, sizeof(name), "%.*s", (int)(close - s - 1),
                         s + 1);
                rest = close + 1;
                while (*rest == ' ' || *rest == '\t')
                        rest++;
                if (*rest && *rest != '#' && *rest != ';') {
                        line_error(lc, "text after the section header");
                        goto blank;
                }
                if (is_route_section(trim(name)))
                        route_header(lc, trim(name));
                else if (!find_section(trim(name))) {
                        nd_buf hint = {0};
                        suggest_section(&hint, trim(name));
                        push_errorf(lc->errors, "%s:%d: unknown section [%s]%s",
                                    lc->file, lc->lineno, trim(name),
                                    hint.p ? hint.p : "");
                        nd_buf_free(&hint);
                }
                if (strlen(s) + 2 > (size_t)num)
                        goto blank;
                snprintf(str, (size_t)num, "%s\n", s);
                return str;
        }
        sep = strpbrk(s, "=:");
        if (!sep) {
                line_error(lc, "expected \"key = value\", \"[section]\" or a "
                               "comment");
                goto blank;
        }
        if (strlen(s) + 2 <= (size_t)num) {
                snprintf(str, (size_t)num, "%s\n", s);
                return str;
        } else {
                char *value = sep + 1, *comment;
                int keylen = (int)(sep - s);
                /* inih's inline comments: ';' after a blank. */
                for (comment = value; (comment = strchr(comment, ';'));
                     comment++) {
                        if (comment > value &&
                            (comment[-1] == ' ' || comment[-1] == '\t')) {
                                *comment = '\0';
                                break;
                        }
                }
                if (keylen + 16 > num ||
                    !nd_strvec_push(&lc->stash, trim(value))) {
                        line_error(lc, "line too long");
                        goto blank;
                }
                snprintf(str, (size_t)num, "%.*s= %c%zu\n", keylen, s,
                         STASH_MARK, lc->stash.n - 1);
                return str;
        }
blank:
        snprintf(str, (size_t)num, "\n");
        return str;
}

static void
set_defaults(nd_config *c)
{
        char errstr[256];

        for (size_t i = 0; i < N_SETTINGS; i++) {
                const struct setting *st = &settings[i];
                const char *env = st->env ? getenv(st->env) : NULL;
                const char *v = env && *env ? env : st->def;
                if (st->type == ST_STAGE || st->type == ST_ROUTE)
                        continue; /* every stage on, no route */
                if (!set_value(c, st, st->key, v, true, errstr,
                               sizeof(errstr)) &&
                    env) /* a bad environment value: back to the default */
                        set_value(c, st, st->key, st->def, true, errstr,
                                  sizeof(errstr));
        }
}

static void
parse_file(struct load_ctx *lc, const char *path, bool explicit)
{
        int rc;

        lc->f = fopen(path, "r");
        if (!lc->f) {
                if (explicit || errno != ENOENT)
                        push_errorf(lc->errors, "%s: cannot read: %s", path,
                                    strerror(errno));
                return;
        }
        lc->c->path = strdup(path);
        lc->file = path;
        rc = ini_parse_stream(read_line, lc, on_key, lc);
        if (rc > 0) {
                /* inih saw an error read_line let through: report it
                 * unless that line already has one. */
                char prefix[PATH_MAX + 32];
                bool known = false;
                snprintf(prefix, sizeof(prefix), "%s:%d:", path, rc);
                for (size_t i = 0; i < lc->errors->n && !known; i++)
                        known = strncmp(lc->errors->v[i], prefix,
                                        strlen(prefix)) == 0;
                if (!known)
                        push_errorf(lc->errors, "%s syntax error", prefix);
        } else if (rc < 0) {
                push_errorf(lc->errors, "%s: cannot parse (%d)", path, rc);
        }
        if (ferror(lc->f))
                push_errorf(lc->errors, "%s: read error", path);
        fclose(lc->f);
        lc->f = NULL;
}

static void
apply_override(struct load_ctx *lc, const char *arg)
{
        char *copy = strdup(arg), *eq, *dot, *lhs, where[300];

        if (!copy) {
                push_errorf(lc->errors, "-X %s: out of memory", arg);
                return;
        }
        eq = strchr(copy, '=');
        if (eq)
                *eq = '\0';
        lhs = trim(copy);
        /* [route.NAME] keys: -X route.NAME.key=value */
        dot = strncmp(lhs, "route.", 6) == 0 ? strrchr(lhs, '.')
                                             : strchr(lhs, '.');
        if (!eq || !dot || dot == lhs || dot[1] == '\0') {
                push_errorf(lc->errors, "-X %s: expected section.key=value",
                            lhs);
                goto out;
        }
        *dot = '\0';
        snprintf(where, sizeof(where), "-X %s.%s", lhs, trim(dot + 1));
        apply(lc, where, 0, lhs, trim(dot + 1), trim(eq + 1));
out:
        free(copy);
}

/* Whether @p topic is one of the input topics or matches an input
 * regex. */
static bool
consumes(const nd_config *c, const char *topic)
{
        for (size_t j = 0; j < c->input.n; j++) {
                const char *in = c->input.v[j];
                regex_t re;
                bool hit = false;
                if (in[0] != '^') {
                        hit = strcmp(in, topic) == 0;
                } else if (regcomp(&re, in, REG_EXTENDED | REG_NOSUB) == 0) {
                        hit = regexec(&re, topic, 0, NULL, 0) == 0;
                        regfree(&re);
                }
                if (hit)
                        return true;
        }
        return false;
}

/* Checks between settings, once everything is read. */
static void
cross_check(struct load_ctx *lc)
{
        nd_config *c = lc->c;
        static const char *const names[] = {"output", "dead-letter"};
        static const char *const default_where[] = {"topics.output",
                                                    "topics.dead-letter"};
        const char *topics[] = {c->output, c->dead_letter};

        for (size_t i = 0; i < 2; i++) {
                const struct setting *st = find_setting("topics", names[i]);
                const char *where = lc->origin[st - settings];
                regex_t re;
                bool loop = false;
                for (size_t j = 0; j < c->input.n && !loop; j++) {
                        const char *in = c->input.v[j];
                        if (in[0] != '^') {
                                loop = strcmp(in, topics[i]) == 0;
                        } else if (regcomp(&re, in, REG_EXTENDED | REG_NOSUB) ==
                                   0) {
                                loop = regexec(&re, topics[i], 0, NULL, 0) == 0;
                                regfree(&re);
                        }
                }
                if (loop)
                        push_errorf(lc->errors,
                                    "%s: \"%s\" is also an input topic: "
                                    "newsd would consume its own output",
                                    where ? where : default_where[i],
                                    topics[i]);
        }
        if (strcmp(c->output, c->dead_letter) == 0)
                push_errorf(
                    lc->errors,
                    "%s: the dead-letter topic must differ from the "
                    "output topic",
                    lc->origin[find_setting("topics", "dead-letter") - settings]
                        ?: "topics.dead-letter");
        /* A route into an input topic would feed newsd its own events. */
        for (size_t i = 0; i < c->n_routes; i++) {
                const char *t = c->routes[i].topic
                                    ? nd_template_text(c->routes[i].topic)
                                    : NULL;
                if (t && nd_template_is_static(c->routes[i].topic) &&
                    consumes(c, t))
                        push_errorf(lc->errors,
                                    "%s: [route.%s]: \"%s\" is also an "
                                    "input topic: newsd would consume its "
                                    "own output",
                                    c->routes[i].origin, c->routes[i].name, t);
        }
        /* A topic that was there but wrong has its own error already. */
        for (size_t i = 0; i < c->n_routes; i++)
                if (!c->routes[i].topic &&
                    lc->route_line[i][route_key_index("topic")] == 0)
                        push_errorf(lc->errors,
                                    "%s: [route.%s]: missing topic (the "
                                    "topic its events go to)",
                                    c->routes[i].origin, c->routes[i].name);
        if (c->entities && *c->entities) {
                const char *where =
                    lc->origin[find_setting("topics", "entities") - settings];
                bool clash = strcmp(c->entities, c->output) == 0 ||
                             strcmp(c->entities, c->dead_letter) == 0 ||
                             nd_strvec_contains(&c->input, c->entities);
                if (clash)
                        push_errorf(lc->errors,
                                    "%s: the entity stream needs a topic of "
                                    "its own, not an input, output or "
                                    "dead-letter topic",
                                    where ? where : "topics.entities");
        }
        if (!kv_find(&c->kafka, "group.id") &&
            !kv_find(&c->consumer, "group.id"))
                kv_set(&c->consumer, "group.id", "newsd", "default", false);
}

nd_err
nd_config_load(nd_config *c, const char *path, const nd_strvec *overrides,
               nd_strvec *errors)
{
        struct load_ctx lc = {0};
        size_t before = errors->n;

        memset(c, 0, sizeof(*c));
        c->log_level = LOG_INFO;
        set_defaults(c);
        lc.c = c;
        lc.errors = errors;
        parse_file(&lc, path ? path : NEWSD_DEFAULT_CONFIG, path != NULL);
        for (size_t i = 0; overrides && i < overrides->n; i++)
                apply_override(&lc, overrides->v[i]);
        cross_check(&lc);

        free(lc.line);
        nd_strvec_clear(&lc.stash);
        for (size_t i = 0; i < N_SETTINGS; i++)
                free(lc.origin[i]);
        free(lc.route_line);
        return errors->n == before ? ND_OK : ND_ERR_CONFIG;
}

void
nd_config_free(nd_config *c)
{
        free(c->path);
        kv_list_free(&c->kafka);
        kv_list_free(&c->consumer);
        kv_list_free(&c->producer);
        for (size_t i = 0; i < c->n_routes; i++)
                nd_route_clear(&c->routes[i]);
        free(c->routes);
        for (size_t i = 0; i < N_SETTINGS; i++) {
                const struct setting *st = &settings[i];
                void *p = member(c, st->offset);
                if (st->type == ST_STRING)
                        free(*(char **)p);
                else if (st->type == ST_LIST || st->type == ST_STAGE)
                        nd_strvec_clear(p);
        }
        memset(c, 0, sizeof(*c));
}

/* ---------------------------------------------------------------------- */
/* Output */

static void
print_kv_section(const nd_config *c, const struct section *sec, FILE *out)
{
        const nd_kv_list *l = kv_list((nd_config *)c, sec);

        fprintf(out, "\n[%s]\n", sec->name);
        for (size_t i = 0; i < l->n; i++)
                fprintf(out, "%s = %s\n", l->v[i].key,
                        l->v[i].secret ? REDACTED : l->v[i].value);
}

void
nd_config_print(const nd_config *c, FILE *out)
{
        nd_buf b = {0};

        fprintf(out, "# newsd effective configuration, from %s\n",
                c->path ? c->path : "the built-in defaults");
        for (size_t s = 0; s < N_SECTIONS; s++) {
                const struct section *sec = &sections[s];
                if (sec->kind == SEC_KAFKA) {
                        print_kv_section(c, sec, out);
                        continue;
                }
                if (sec->kind == SEC_ROUTE) {
                        for (size_t r = 0; r < c->n_routes; r++) {
                                b.len = 0;
                                nd_route_format(&c->routes[r], &b);
                                fprintf(out, "\n[route.%s]\n%s",
                                        c->routes[r].name, b.p ? b.p : "");
                        }
                        continue;
                }
                fprintf(out, "\n[%s]\n", sec->name);
                for (size_t i = 0; i < N_SETTINGS; i++) {
                        const struct setting *st = &settings[i];
                        const char *const *n = nd_pipeline_stage_names();
                        if (strcmp(st->section, sec->name) != 0)
                                continue;
                        do {
                                b.len = 0;
                                format_value(c, st, *n, &b);
                                if (st->type == ST_STAGE)
                                        fprintf(out, "stage.%s", *n);
                                else
                                        fputs(st->key, out);
                                if (st->flags & SF_SECRET)
                                        fputs(" = " REDACTED "\n", out);
                                else
                                        fprintf(out, " =%s%s\n",
                                                *b.p ? " " : "", b.p);
                        } while (st->type == ST_STAGE && *++n);
                }
        }
        nd_buf_free(&b);
}

void
nd_config_pipeline_conf(const nd_config *c, nd_pipeline_conf *pc)
{
        size_t n = 0;

        nd_pipeline_conf_init(pc);
        pc->max_article_bytes = c->max_article_bytes;
        pc->data_dir = c->data_dir && *c->data_dir ? c->data_dir : NULL;
        pc->user_data_dir =
            c->user_data_dir && *c->user_data_dir ? c->user_data_dir : NULL;
        /* The table only accepts known stages, so they fit. */
        for (size_t i = 0; i < c->disabled_stages.n && n + 1 < ND_STAGE_MAX;
             i++)
                pc->disabled_stages[n++] = c->disabled_stages.v[i];
        pc->disabled_stages[n] = NULL;
        pc->dedup_window = c->dedup_window;
        pc->dedup_max_distance = c->dedup_max_distance;
}

/* ---------------------------------------------------------------------- */
/* librdkafka */

/* Replaces every occurrence of @p secret in @p msg. */
static void
redact(char *msg, size_t msgsz, const char *secret)
{
        size_t slen = strlen(secret), rlen = strlen(REDACTED);
        char *p;

        if (slen == 0)
                return;
        while ((p = strstr(msg, secret))) {
                size_t tail = strlen(p + slen);
                if ((size_t)(p - msg) + rlen + tail + 1 > msgsz) {
                        /* No room: cut the message before the secret. */
                        *p = '\0';
                        return;
                }
                memmove(p + rlen, p + slen, tail + 1);
                memcpy(p, REDACTED, rlen);
        }
}

/* Appends a hint for a property librdkafka does not know: a close
 * librdkafka name, or the newsd section the key belongs to. */
static void
suggest_property(const char *key, char *msg, size_t msgsz)
{
        char *list = NULL, *line, *save = NULL;
        size_t len = 0, used = strlen(msg);
        FILE *f = open_memstream(&list, &len);

        if (f) {
                rd_kafka_conf_properties_show(f);
                fclose(f);
        }
        /* One property per table row, its name in the first column. */
        for (line = list ? strtok_r(list, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
                size_t n = strcspn(line, " |");
                if (!islower((unsigned char)line[0]) || n >= 64)
                        continue;
                line[n] = '\0';
                if (is_close(key, line)) {
                        snprintf(msg + used, msgsz - used, "; did you mean %s?",
                                 line);
                        free(list);
                        return;
                }
        }
        free(list);
        for (size_t i = 0; i < N_SETTINGS; i++) {
                if (strcmp(key, settings[i].key) == 0) {
                        snprintf(msg + used, msgsz - used,
                                 "; did you mean [%s] %s?", settings[i].section,
                                 key);
                        return;
                }
        }
}

/* Sets every property of @p l on @p conf. Failures go to @p errors (all of
 * them) or, when it is NULL, stop at the first one into errstr. */
static bool
conf_apply(rd_kafka_conf_t *conf, const nd_kv_list *l, nd_strvec *errors,
           char *errstr, size_t errsz)
{
        bool ok = true;

        for (size_t i = 0; i < l->n; i++) {
                const nd_kv *kv = &l->v[i];
                char msg[512], line[1024];
                rd_kafka_conf_res_t res = rd_kafka_conf_set(
                    conf, kv->key, kv->value, msg, sizeof(msg));
                if (res == RD_KAFKA_CONF_OK)
                        continue;
                ok = false;
                if (res == RD_KAFKA_CONF_UNKNOWN)
                        suggest_property(kv->key, msg, sizeof(msg));
                if (kv->secret)
                        redact(msg, sizeof(msg), kv->value);
                snprintf(line, sizeof(line), "%s: %s", kv->origin, msg);
                if (!errors) {
                        nd_seterr(errstr, errsz, ND_ERR_CONFIG, "%s", line);
                        return false;
                }
                if (!nd_strvec_contains(errors, line))
                        nd_strvec_push(errors, line);
        }
        return ok;
}

static rd_kafka_conf_t *
build_conf(const nd_config *c, bool consumer, nd_strvec *errors, char *errstr,
           size_t errsz)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        bool ok;

        if (!conf) {
                nd_seterr(errstr, errsz, ND_ERR_CONFIG, "out of memory");
                return NULL;
        }
        ok = conf_apply(conf, &c->kafka, errors, errstr, errsz);
        if (ok || errors)
                ok = conf_apply(conf, consumer ? &c->consumer : &c->producer,
                                errors, errstr, errsz) &&
                     ok;
        if (!ok) {
                rd_kafka_conf_destroy(conf);
                return NULL;
        }
        return conf;
}

rd_kafka_conf_t *
nd_config_kafka_conf(const nd_config *c, bool consumer, char *errstr,
                     size_t errstr_size)
{
        return build_conf(c, consumer, NULL, errstr, errstr_size);
}

nd_err
nd_config_check_kafka(const nd_config *c, nd_strvec *errors)
{
        size_t before = errors->n;

        for (int consumer = 1; consumer >= 0; consumer--) {
                rd_kafka_conf_t *conf =
                    build_conf(c, consumer, errors, NULL, 0);
                if (conf)
                        rd_kafka_conf_destroy(conf);
        }
        return errors->n == before ? ND_OK : ND_ERR_CONFIG;
}

/* ---------------------------------------------------------------------- */
/* Reload */

static void
diff_kv(const nd_kv_list *a, const nd_kv_list *b, const char *section,
        nd_strvec *out, bool *same)
{
        for (int pass = 0; pass < 2; pass++) {
                const nd_kv_list *x = pass ? b : a, *y = pass ? a : b;
                for (size_t i = 0; i < x->n; i++) {
                        const nd_kv *other = kv_find(y, x->v[i].key);
                        char name[256];
                        /* Changed values are found in the first pass. */
                        if (other &&
                            (pass || strcmp(other->value, x->v[i].value) == 0))
                                continue;
                        *same = false;
                        snprintf(name, sizeof(name), "%s.%s", section,
                                 x->v[i].key);
                        if (out && !nd_strvec_contains(out, name))
                                nd_strvec_push(out, name);
                }
        }
}

bool
nd_config_reloadable_diff(const nd_config *old, const nd_config *neu,
                          nd_strvec *restart_needed)
{
        nd_buf a = {0}, b = {0};
        bool reloadable = true;

        for (size_t i = 0; i < N_SETTINGS; i++) {
                const struct setting *st = &settings[i];
                const char *const *n = nd_pipeline_stage_names();
                if ((st->flags & SF_RELOADABLE) || st->type == ST_ROUTE)
                        continue;
                do {
                        char name[128];
                        a.len = b.len = 0;
                        format_value(old, st, *n, &a);
                        format_value(neu, st, *n, &b);
                        if (strcmp(a.p, b.p) == 0)
                                continue;
                        reloadable = false;
                        snprintf(name, sizeof(name), "%s.%s%s", st->section,
                                 st->type == ST_STAGE ? "stage." : st->key,
                                 st->type == ST_STAGE ? *n : "");
                        if (restart_needed)
                                nd_strvec_push(restart_needed, name);
                } while (st->type == ST_STAGE && *++n);
        }
        /* Routes are compiled when the service starts. */
        a.len = b.len = 0;
        for (size_t i = 0; i < old->n_routes; i++) {
                nd_buf_printf(&a, "[%s]\n", old->routes[i].name);
                nd_route_format(&old->routes[i], &a);
        }
        for (size_t i = 0; i < neu->n_routes; i++) {
                nd_buf_printf(&b, "[%s]\n", neu->routes[i].name);
                nd_route_format(&neu->routes[i], &b);
        }
        if (strcmp(a.p ? a.p : "", b.p ? b.p : "") != 0) {
                reloadable = false;
                if (restart_needed)
                        nd_strvec_push(restart_needed, "route");
        }
        for (size_t s = 0; s < N_SECTIONS; s++)
                if (sections[s].kind == SEC_KAFKA)
                        diff_kv(kv_list((nd_config *)old, &sections[s]),
                                kv_list((nd_config *)neu, &sections[s]),
                                sections[s].name, restart_needed, &reloadable);
        nd_buf_free(&a);
        nd_buf_free(&b);
        return reloadable;
}

/* ---------------------------------------------------------------------- */
/* Reference documentation */

/* The type column: what a value looks like, with its bounds. */
static void
describe_type(const struct setting *st, bool markdown, nd_buf *b)
{
        char lo[32], hi[32];
        const char *q = markdown ? "`" : "";
        const char *bar = markdown ? " \\| " : " | ";

        format_bound(st, st->min, lo, sizeof(lo));
        format_bound(st, st->max, hi, sizeof(hi));
        switch (st->type) {
        case ST_ROUTE:
                nd_buf_appends(b, st->names[0]);
                break;
        case ST_STRING:
                nd_buf_appends(b, "string");
                break;
        case ST_LIST:
                nd_buf_appends(b, "comma-separated list");
                break;
        case ST_BOOL:
        case ST_STAGE:
                nd_buf_printf(b, "%son%s%s%soff%s", q, q, bar, q, q);
                break;
        case ST_ENUM:
                for (size_t i = 0; st->names[i]; i++)
                        nd_buf_printf(b, "%s%s%s%s", i ? bar : "", q,
                                      st->names[i], q);
                break;
        case ST_UINT:
                nd_buf_printf(b, "integer, %s to %s", lo, hi);
                break;
        case ST_SIZE:
                nd_buf_printf(b, "size (k, M, G), %s to %s", lo, hi);
                break;
        case ST_DURATION:
                nd_buf_printf(b, "duration (ms, s, m), %s to %s", lo, hi);
                break;
        }
}

static const char *
key_label(const struct setting *st)
{
        return st->type == ST_STAGE ? "stage.NAME" : st->key;
}

static void
stage_list(nd_buf *b, const char *q)
{
        const char *const *n = nd_pipeline_stage_names();

        for (size_t i = 0; n[i]; i++)
                nd_buf_printf(b, "%s%s%s%s", i ? ", " : "", q, n[i], q);
}

static void
secret_list(nd_buf *b, const char *q)
{
        for (size_t i = 0; secret_markers[i]; i++)
                nd_buf_printf(b, "%s%s%s%s", i ? ", " : "", q,
                              secret_markers[i], q);
}

static void
md_cell(const char *s, FILE *out)
{
        for (; *s; s++) {
                if (*s == '|' || *s == '*')
                        fputc('\\', out);
                fputc(*s, out);
        }
}

static void
reference_markdown(FILE *out)
{
        nd_buf b = {0};

        fputs("<!-- Generated by `newsd check-config --reference=markdown` "
              "from the settings\n     table in src/service/config.c: "
              "edit the table, then run\n     scripts/update-config-docs. "
              "-->\n",
              out);
        for (size_t s = 0; s < N_SECTIONS; s++) {
                const struct section *sec = &sections[s];
                fprintf(out, "\n### [%s]\n\n", sec->name);
                md_cell(sec->help, out);
                fputc('\n', out);
                if (sec->kind == SEC_KAFKA)
                        continue;
                fputs("\n| key | type | default | on reload | description "
                      "|\n|---|---|---|---|---|\n",
                      out);
                for (size_t i = 0; i < N_SETTINGS; i++) {
                        const struct setting *st = &settings[i];
                        if (strcmp(st->section, sec->name) != 0)
                                continue;
                        b.len = 0;
                        describe_type(st, true, &b);
                        fprintf(out, "| `%s` | %s | ", key_label(st), b.p);
                        if (st->doc_def)
                                md_cell(st->doc_def, out);
                        else if (*st->def)
                                fprintf(out, "`%s`", st->def);
                        else
                                fputs("(empty)", out);
                        fprintf(out, " | %s | ",
                                (st->flags & SF_RELOADABLE) ? "applied"
                                                            : "restart");
                        md_cell(st->help, out);
                        if (st->type == ST_STAGE) {
                                b.len = 0;
                                stage_list(&b, "`");
                                fprintf(out, " NAME is one of %s.", b.p);
                        }
                        fputs(" |\n", out);
                }
        }
        b.len = 0;
        secret_list(&b, "`");
        fprintf(out,
                "\n### Secrets\n\nA librdkafka property whose name contains "
                "one of %s is a secret, and so is\nevery value read with "
                "`@credential:NAME`: `check-config` prints it as\n"
                "`[redacted]` and no error message quotes it.\n",
                b.p);
        nd_buf_free(&b);
}

/* Roff text: backslashes and hyphens escaped, no line starting with a
 * control character. */
static void
roff_text(const char *s, FILE *out)
{
        if (*s == '.' || *s == '\'')
                fputs("\\&", out);
        for (; *s; s++) {
                if (*s == '\\')
                        fputs("\\e", out);
                else if (*s == '-')
                        fputs("\\-", out);
                else
                        fputc(*s, out);
        }
}

static void
reference_man(FILE *out)
{
        nd_buf b = {0};

        fputs(".\\\" Generated by `newsd check-config --reference=man` from "
              "the settings table\n"
              ".\\\" in src/service/config.c: edit the table, then run "
              "scripts/update-config-docs.\n"
              ".TH NEWSD.CONF 5 \"\" \"newsd\" \"File Formats Manual\"\n"
              ".SH NAME\n"
              "newsd.conf \\- configuration of the newsd news enrichment "
              "service\n"
              ".SH SYNOPSIS\n"
              ".I /etc/newsd/newsd.conf\n"
              ".br\n"
              ".I /etc/newsd/INSTANCE.conf\n"
              ".SH DESCRIPTION\n"
              "The file uses INI syntax: \\fB[section]\\fR headers, "
              "\\fIkey\\fR \\fB=\\fR \\fIvalue\\fR lines, and comments on "
              "lines starting with \\fB#\\fR or \\fB;\\fR (a \\fB;\\fR after "
              "a blank also ends a value).\n"
              "Each key may appear once.\n"
              "\\fBnewsd check\\-config\\fR validates a file, librdkafka "
              "properties included, and lists every error as "
              "\\fIFILE\\fB:\\fILINE\\fB: \\fImessage\\fR.\n"
              ".PP\n"
              "A value of the form \\fB@credential:\\fINAME\\fR is read "
              "from \\fB$CREDENTIALS_DIRECTORY/\\fINAME\\fR, as set up by "
              "systemd's \\fBLoadCredential=\\fR, without its trailing "
              "newline; secrets then never sit in this file.\n"
              ".PP\n"
              "\\fB\\-X\\fR \\fIsection\\fB.\\fIkey\\fB=\\fIvalue\\fR on the "
              "command line overrides a key of the file.\n"
              ".PP\n"
              "Sizes take the suffixes \\fBk\\fR, \\fBM\\fR and \\fBG\\fR "
              "(powers of 1024); durations \\fBms\\fR, \\fBs\\fR and "
              "\\fBm\\fR (no suffix: milliseconds).\n"
              "Settings marked \\fIreloadable\\fR take effect on "
              "\\fBSIGHUP\\fR; the others need a restart.\n",
              out);
        for (size_t s = 0; s < N_SECTIONS; s++) {
                const struct section *sec = &sections[s];
                fprintf(out, ".SS [%s]\n", sec->name);
                roff_text(sec->help, out);
                fputc('\n', out);
                for (size_t i = 0; sec->kind != SEC_KAFKA && i < N_SETTINGS;
                     i++) {
                        const struct setting *st = &settings[i];
                        if (strcmp(st->section, sec->name) != 0)
                                continue;
                        b.len = 0;
                        describe_type(st, false, &b);
                        fputs(".TP\n\\fB", out);
                        roff_text(key_label(st), out);
                        fputs("\\fR = \\fI", out);
                        roff_text(b.p, out);
                        fputs("\\fR\n", out);
                        roff_text(st->help, out);
                        if (st->type == ST_STAGE) {
                                b.len = 0;
                                stage_list(&b, "");
                                fputs(" NAME is one of ", out);
                                roff_text(b.p, out);
                                fputc('.', out);
                        }
                        fputs("\nDefault: ", out);
                        roff_text(st->doc_def ? st->doc_def
                                  : *st->def  ? st->def
                                              : "empty",
                                  out);
                        fprintf(out, "%s\n",
                                (st->flags & SF_RELOADABLE) ? "; reloadable."
                                                            : ".");
                }
        }
        b.len = 0;
        secret_list(&b, "");
        fputs(".SH SECRETS\n"
              "A librdkafka property whose name contains one of ",
              out);
        roff_text(b.p, out);
        fputs(" is a secret, and so is every value read with "
              "\\fB@credential:\\fR.\n"
              "Secrets are printed as [redacted] and never quoted in error "
              "messages.\n"
              ".SH FILES\n"
              ".TP\n.I /etc/newsd/newsd.conf\n"
              "The default configuration file; newsd runs on built\\-in "
              "defaults when it is missing.\n"
              ".SH SEE ALSO\n"
              ".BR newsd (8),\n"
              ".BR systemd.exec (5),\n"
              "librdkafka's CONFIGURATION.md for the properties of "
              "[kafka], [consumer] and [producer].\n",
              out);
        nd_buf_free(&b);
}

void
nd_config_reference(nd_config_ref_format fmt, FILE *out)
{
        if (fmt == ND_CONFIG_REF_MAN)
                reference_man(out);
        else
                reference_markdown(out);
}
