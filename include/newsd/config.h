/* The service configuration (SPEC §2): an INI file plus -X overrides, driven
 * by one declarative table of settings in src/service/config.c. */
#ifndef NEWSD_CONFIG_H
#define NEWSD_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "newsd/err.h"
#include "newsd/pipeline.h"
#include "newsd/route.h"
#include "newsd/strvec.h"

/* One librdkafka property as written in the file, with where it came from
 * so errors can say FILE:LINE. */
typedef struct nd_kv {
        char *key;
        char *value;  /* after @credential: resolution */
        char *origin; /* "FILE:LINE", "-X section.key" or "default" */
        bool secret;  /* never printed or logged */
} nd_kv;

typedef struct nd_kv_list {
        nd_kv *v;
        size_t n;
        size_t cap;
} nd_kv_list;

typedef enum nd_delivery {
        ND_DELIVERY_AT_LEAST_ONCE = 0,
        ND_DELIVERY_EXACTLY_ONCE,
} nd_delivery;

typedef enum nd_event_mode {
        ND_EVENT_BINARY = 0,
        ND_EVENT_STRUCTURED,
} nd_event_mode;

typedef enum nd_log_target {
        ND_LOG_TARGET_AUTO = 0,
        ND_LOG_TARGET_JOURNAL,
        ND_LOG_TARGET_STDERR,
} nd_log_target;

typedef struct nd_config {
        char *path; /* the file read, or NULL */

        /* [kafka], [consumer], [producer] */
        nd_kv_list kafka;
        nd_kv_list consumer; /* group.id defaults to "newsd" */
        nd_kv_list producer;

        /* [topics] */
        nd_strvec input;   /* "news.raw"; "^..." entries are regexes */
        char *output;      /* "news.enriched": a topic template */
        char *dead_letter; /* "news.dlq" */
        char *entities;    /* the entity stream; "" or NULL: off */

        /* [route.NAME] sections, in file order */
        nd_route *routes;
        size_t n_routes;

        /* [pipeline] */
        nd_delivery delivery;
        nd_event_mode event_format;
        size_t max_article_bytes;
        unsigned max_in_flight; /* records in flight before pausing */
        unsigned commit_interval_ms;
        unsigned shutdown_timeout_ms;
        nd_strvec disabled_stages;
        unsigned dedup_window;
        unsigned dedup_max_distance;

        /* [data] */
        char *data_dir;
        char *user_data_dir;

        /* [log] */
        int log_level; /* syslog LOG_* value */
        nd_log_target log_target;

        /* [metrics] */
        char *metrics_listen; /* "" or NULL: off */
} nd_config;

/*
 * Loads @p path (or the default file when @p path is NULL; a missing default
 * file is not an error, a missing explicit one is), then applies each
 * "section.key=value" of @p overrides. Every problem is appended to
 * @p errors as "FILE:LINE: message" (or "-X: message"); returns ND_OK only
 * when there are none. @p c is always left valid for nd_config_free().
 */
nd_err nd_config_load(nd_config *c, const char *path,
                      const nd_strvec *overrides, nd_strvec *errors);

void nd_config_free(nd_config *c);

/* Writes the effective configuration as INI, secrets redacted. */
void nd_config_print(const nd_config *c, FILE *out);

/* Fills the pipeline's part of the configuration. Strings stay owned by
 * @p c. */
void nd_config_pipeline_conf(const nd_config *c, nd_pipeline_conf *pc);

/* Whether a librdkafka property name holds a secret. */
bool nd_config_is_secret(const char *key);

/*
 * Checks every [kafka], [consumer] and [producer] property with librdkafka
 * itself (rd_kafka_conf_set on a consumer and on a producer configuration).
 * Each failure is appended to @p errors as "ORIGIN: message", secret values
 * redacted. Returns ND_OK when librdkafka accepted them all.
 */
nd_err nd_config_check_kafka(const nd_config *c, nd_strvec *errors);

/*
 * A librdkafka configuration holding [kafka] then [consumer] (when
 * @p consumer) or [producer] properties. Returns NULL and fills errstr
 * ("ORIGIN: message") when librdkafka rejects one. The caller owns the
 * result (rd_kafka_new() takes it, or rd_kafka_conf_destroy()).
 */
rd_kafka_conf_t *nd_config_kafka_conf(const nd_config *c, bool consumer,
                                      char *errstr, size_t errstr_size);

/*
 * Compares two loaded configurations for a reload. Appends the name
 * ("section.key") of every changed setting that cannot be applied without a
 * restart to @p restart_needed (which may be NULL). Returns true when every
 * change can be applied by a reload.
 */
bool nd_config_reloadable_diff(const nd_config *old, const nd_config *neu,
                               nd_strvec *restart_needed);

typedef enum nd_config_ref_format {
        ND_CONFIG_REF_MARKDOWN = 0,
        ND_CONFIG_REF_MAN,
} nd_config_ref_format;

/* Writes the reference of every setting (from the settings table): a
 * Markdown section for docs/configuration.md, or roff for newsd.conf(5). */
void nd_config_reference(nd_config_ref_format fmt, FILE *out);

#endif
