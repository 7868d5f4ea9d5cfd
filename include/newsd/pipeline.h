/* The text pipeline: one raw article in, one event out. Knows nothing of
 * Kafka, systemd or signals; the CLI, the service, tests, benchmarks and
 * fuzzers all go through this interface. */
#ifndef NEWSD_PIPELINE_H
#define NEWSD_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newsd/doc.h"
#include "newsd/err.h"

#define ND_STAGE_MAX 16

/* The name on_stage reports for ingest (parsing the raw input), which runs
 * before the stage table. */
#define ND_PIPELINE_INGEST "ingest"

/* Everything the pipeline reads from configuration. Initialise with
 * nd_pipeline_conf_init(), then override. Strings are borrowed for the
 * duration of nd_pipeline_new(). */
typedef struct nd_pipeline_conf {
        size_t max_article_bytes;     /* larger inputs: ND_ERR_TOO_LARGE */
        const char *data_dir;         /* built-in data (phrases, gazetteers) */
        const char *user_data_dir;    /* optional extra data, may be NULL */
        const char *disabled_stages[ND_STAGE_MAX]; /* names, NULL-ended */
        int json_max_depth;           /* deeper JSON: ND_ERR_INVALID_JSON */
        unsigned dedup_window;        /* near-duplicate window, articles */
        unsigned dedup_max_distance;  /* Hamming distance for duplicates */
        unsigned reading_wpm;         /* words per minute for reading time */
        const char *dataschema_uri;   /* ce_dataschema / analysis schema */
        /* Optional (NULL: off): called after ingest and after each stage
         * with its wall time, for metrics. @p stage is the stage's name,
         * a constant. */
        void (*on_stage)(void *opaque, const char *stage, double seconds);
        void *on_stage_opaque;
} nd_pipeline_conf;

void nd_pipeline_conf_init(nd_pipeline_conf *conf);

typedef struct nd_pipeline nd_pipeline;

/* Creates a pipeline: loads data files and creates every enabled stage.
 * Returns NULL and fills errstr on failure. Free with
 * nd_pipeline_destroy(). */
nd_pipeline *nd_pipeline_new(const nd_pipeline_conf *conf, char *errstr,
                             size_t errstr_size);
void nd_pipeline_destroy(nd_pipeline *p);

/* One raw input record. Borrowed for the duration of the call. */
typedef struct nd_input {
        const void *value;
        size_t len;
        const char *content_type; /* header value or NULL */
        nd_format format;         /* forced format; ND_FORMAT_AUTO sniffs */
        const char *published;    /* default publication time, or NULL */
        nd_provenance prov;
} nd_input;

/* The outcome of one article. On success `event` is the JSON value
 * {article, analysis, provenance}; on failure err/errstr say why (the
 * dead-letter reason). Release with nd_result_clear(). */
typedef struct nd_result {
        nd_err err;
        char errstr[512];
        json_t *event;    /* owned, NULL on failure */
        char *uri;        /* owned: the article uri (the record key) */
        char *language;   /* owned or NULL: BCP 47 code when known */
} nd_result;

void nd_result_clear(nd_result *r);

/* Processes one article; always fills @p out (never crashes on any input).
 * Returns out->err. */
nd_err nd_pipeline_process(nd_pipeline *p, const nd_input *in,
                           nd_result *out);

/* Initialises @p in with "unknown" provenance. */
void nd_input_init(nd_input *in);

/* Whether the named stage exists in this build. */
bool nd_pipeline_stage_exists(const char *name);
/* The names of every stage in pipeline order, NULL-terminated. */
const char *const *nd_pipeline_stage_names(void);

#endif
