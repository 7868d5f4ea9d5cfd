/* The service's internals, shared by service.c (configuration, main loop,
 * backpressure, life cycle), delivery.c (outputs, delivery reports,
 * retries, offset storing) and rebalance.c (assignment changes). Not a
 * contract for other modules: include/newsd/service.h is. */
#ifndef NEWSD_SERVICE_INT_H
#define NEWSD_SERVICE_INT_H

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "newsd/fanout.h"
#include "newsd/log.h"
#include "newsd/monitor.h"
#include "newsd/output.h"
#include "newsd/pipeline.h"
#include "newsd/route.h"
#include "newsd/service.h"
#include "newsd/tracker.h"

#define DEFAULT_MAX_IN_FLIGHT 1000
#define DEFAULT_COMMIT_MS     1000
#define DEFAULT_SHUTDOWN_MS   30000
#define RETRY_MIN_MS          100
#define RETRY_MAX_MS          10000
#define LOOP_IDLE_MS          100
#define LOOP_BUSY_MS          5
#define PAUSE_AFTER_MS        500
#define FORCED_STEP_MS        1000
/* How long a refused commit of revoked partitions is retried: long enough
 * for a coordinator to finish a rebalance step, short enough not to hold
 * up a rebalance that waits for this member (whose heartbeats the
 * coordinator does not count meanwhile, so its session runs down). */
#define REVOKE_COMMIT_RETRY_MS 1000

/* One output record of a consumed input, from poll until it is
 * acknowledged. An input with several outputs (routed topics, entity
 * records) has one nd_rec per output, sharing its message and offset. */
typedef struct nd_rec {
        struct nd_rec *next;     /* local queue or retry list */
        rd_kafka_message_t *msg; /* owned: the input, kept for the
                                    dead-letter record and for retries */
        nd_tracker_part *part;   /* NULL until dispatched */
        uint64_t generation;
        nd_outrec out;           /* owned: what is produced (again) */
        bool dead_letter;        /* out is the dead-letter record */
        nd_err dead_letter_code; /* why, when dead_letter */
        bool queue_full;         /* last attempt hit a full queue */
        unsigned attempts;
        int64_t retry_at_ms;
        bool entity;       /* out is an entity record */
        char *topic;       /* owned: out's topic when routed */
        unsigned *outputs; /* shared by the input's output records: how
                              many are alive; the last frees msg. NULL
                              until dispatched. */
} nd_rec;

typedef struct rec_list {
        nd_rec *head, *tail;
        unsigned n;
} rec_list;

struct nd_service {
        const nd_config *conf; /* borrowed */
        nd_service_hooks hooks;
        rd_kafka_t *consumer;
        rd_kafka_t *producer;
        nd_pipeline *pipeline;
        nd_tracker *tracker;
        nd_output_conf oc;
        char *source;         /* owned: ce_source */
        char *dataschema;     /* owned: ce_dataschema */
        nd_template *output;  /* owned: [topics] output */
        const char *entities; /* borrowed: entity topic, NULL: off */

        unsigned max_in_flight, low_water;
        unsigned shutdown_ms;
        int64_t stop_deadline;   /* set once stopping */
        int64_t full_since;      /* when the in-flight bound was hit */
        uint64_t commit_results; /* commit outcomes seen (any error) */
        bool close_started;
        bool consumer_closed;

        rec_list queue; /* consumed, not yet dispatched */
        rec_list retry; /* failed deliveries waiting to retry */

        nd_service_stats st;
        volatile sig_atomic_t stop_requests;
        bool fatal;
        char fatal_reason[512];
};

/* service.c */
int64_t nd_svc_now_ms(void);
void nd_svc_list_push(rec_list *l, nd_rec *r);
nd_rec *nd_svc_list_pop(rec_list *l);
/* Frees @p r; returns whether it was the last output record of its input
 * (which then leaves the in-flight count). */
bool nd_svc_rec_free(nd_rec *r);
/* Frees a dispatched output record. */
void nd_svc_rec_done(nd_service *s, nd_rec *r);
/* Log fields naming r's input record. */
void nd_svc_rec_fields(const nd_rec *r, nd_log_fields *f, const char *error);
void nd_svc_set_paused(nd_service *s, bool pause);
/* One turn of a healthy loop: liveness for the watchdog and /healthz,
 * STATUS=, pending reloads. Also called from the drains of a rebalance,
 * which keep delivering while they wait. */
void nd_svc_tick(nd_service *s);

/* delivery.c */
/* Runs the pipeline on r and builds its output records: r's own is the
 * event on the first topic (or the dead-letter record); the others, sharing
 * r's message, go to @p more. */
void nd_svc_build_output(nd_service *s, nd_rec *r, rec_list *more);
/* Produces r->out; r stays in flight until acknowledged (failures are
 * retried). */
void nd_svc_produce(nd_service *s, nd_rec *r);
/* Produces again every failed delivery that is due. */
void nd_svc_run_retries(nd_service *s);
void nd_svc_dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                      void *opaque);
void nd_svc_commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque);

/* rebalance.c */
void nd_svc_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque);
/* Drops the records of @p parts (all when NULL) from @p l. */
void nd_svc_drop_records(nd_service *s, rec_list *l,
                         const rd_kafka_topic_partition_list_t *parts);

#endif
