/* The records newsd publishes: the event of an article (CloudEvents 1.0,
 * Kafka protocol binding, binary or structured content mode; SPEC §4) and the
 * dead-letter record of an input that cannot become one (SPEC §5). */
#ifndef NEWSD_OUTPUT_H
#define NEWSD_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "newsd/config.h"
#include "newsd/err.h"

#define ND_CE_TYPE "dev.newsd.article.enriched.v1"

/* What output records are built from; strings borrowed. */
typedef struct nd_output_conf {
        const char *event_topic;
        const char *dead_letter_topic;
        nd_event_mode mode;
        const char *source;     /* ce_source */
        const char *dataschema; /* ce_dataschema */
} nd_output_conf;

/* The input record an output record answers; borrowed. */
typedef struct nd_output_input {
        const char *topic;
        int32_t partition;
        int64_t offset;
        const void *key; /* may be NULL */
        size_t key_len;
        const void *value; /* may be NULL */
        size_t len;
        const rd_kafka_headers_t *headers; /* may be NULL */
} nd_output_input;

/* One record ready to produce. */
typedef struct nd_outrec {
        const char *topic; /* borrowed from the nd_output_conf */
        void *key;         /* owned, may be NULL */
        size_t key_len;
        void *value; /* owned, may be NULL */
        size_t value_len;
        rd_kafka_headers_t *headers; /* owned */
} nd_outrec;

/*
 * Builds the event record of @p in: key @p uri, value the JSON @p event
 * (binary mode) or a CloudEvents envelope holding it under "data"
 * (structured mode), ce_* headers and trace context copied from the input.
 * ce_time is the article's firstCreated, else the record's timestamp
 * (provenance.timestamp), else the processing time (provenance.processed_at).
 * Release @p out with nd_outrec_clear().
 */
nd_err nd_output_event(const nd_output_conf *oc, const nd_output_input *in,
                       const char *uri, json_t *event, nd_outrec *out,
                       char *errstr, size_t errstr_size);

/*
 * Builds the dead-letter record of @p in: key, value and headers unchanged,
 * plus newsd-error-code (nd_err_code(@p code)), newsd-error-message and
 * newsd-source-topic/-partition/-offset (replacing headers of those names
 * the input carried). Release @p out with nd_outrec_clear().
 */
nd_err nd_output_dead_letter(const nd_output_conf *oc,
                             const nd_output_input *in, nd_err code,
                             const char *message, nd_outrec *out, char *errstr,
                             size_t errstr_size);

/* "<topic>-<partition>-<offset>" into @p buf. */
void nd_output_ce_id(const nd_output_input *in, char *buf, size_t size);

void nd_outrec_clear(nd_outrec *o);

#endif
