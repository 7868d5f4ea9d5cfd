/* The Kafka service (`newsd run`): consumes raw articles, publishes events
 * and dead-letter records at-least-once. The systemd and metrics modules
 * plug in through nd_service_hooks and nd_service_stats. */
#ifndef NEWSD_SERVICE_H
#define NEWSD_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newsd/config.h"
#include "newsd/err.h"
#include "newsd/pipeline.h"

/* A snapshot of the service's state and counters since start. */
typedef struct nd_service_stats {
        uint64_t records_in;     /* input records consumed */
        uint64_t events_out;     /* events acknowledged by Kafka */
        uint64_t dead_lettered;  /* dead-letter records acknowledged */
        uint64_t entities_out;   /* entity records acknowledged */
        uint64_t produce_errors; /* failed deliveries (each one retried) */
        uint64_t commits;        /* offset commits that succeeded */
        unsigned in_flight;      /* records produced, not yet acknowledged */
        unsigned queued;         /* consumed records waiting for room */
        unsigned assigned;       /* partitions assigned to this instance */
        bool paused;             /* fetching paused by backpressure */
        bool ready;              /* subscribed and first assignment done */
        bool stopping;           /* draining for shutdown */
} nd_service_stats;

/* Called from the service's own (main) thread; any member may be NULL. */
typedef struct nd_service_hooks {
        void *opaque;
        /* Once: the consumer joined its group (first assignment, possibly
         * empty). sd_notify READY=1 belongs here. */
        void (*ready)(void *opaque, const nd_service_stats *st);
        /* Every loop iteration, at least every 100 ms while the loop runs:
         * a stalled loop stops calling it (watchdog), and STATUS / metrics
         * read the counters here. */
        void (*tick)(void *opaque, const nd_service_stats *st);
        /* Once, when a stop was requested, before draining. */
        void (*stopping)(void *opaque, const nd_service_stats *st);
        /* Metrics, liveness and readiness (newsd/monitor.h); NULL: none.
         * Borrowed: it must outlive the service. */
        struct nd_monitor *monitor;
} nd_service_hooks;

typedef struct nd_service nd_service;

/*
 * Creates the consumer and producer from @p c (which must outlive the
 * service) and the pipeline. Nothing is fetched before nd_service_run().
 * Returns NULL and fills errstr on failure (ND_ERR_CONFIG class problems
 * are reported the same way). Free with nd_service_destroy().
 */
nd_service *nd_service_new(const nd_config *c, const nd_service_hooks *hooks,
                           char *errstr, size_t errstr_size);

/*
 * Runs until nd_service_request_stop(), then drains: stops fetching,
 * delivers what is in flight, commits, closes the consumer and flushes the
 * producer within shutdown_timeout_ms. Returns ND_OK after a stop, or an
 * error (fatal Kafka error) with errstr filled.
 */
nd_err nd_service_run(nd_service *s, char *errstr, size_t errstr_size);

/*
 * Asks the service to stop. Async-signal-safe: call it from a signal
 * handler. A second call makes the drain give up at once; offsets still
 * only cover what was delivered.
 */
void nd_service_request_stop(nd_service *s);

/* Fills @p st; call from the service's thread (e.g. from a hook). */
void nd_service_stats_get(const nd_service *s, nd_service_stats *st);

void nd_service_destroy(nd_service *s);

/* ---- For the systemd life cycle (src/service/lifecycle.c): readiness,
 *      live figures and SIGHUP reloads. Call from the service's thread
 *      (a hook). ---- */

/* Whether the producer has reached a broker: it has cluster metadata. */
bool nd_service_producer_up(const nd_service *s);

/* The summed consumer lag of the assigned partitions: the figure of
 * newsd_consumer_lag, from librdkafka's statistics; -1 when unknown. */
int64_t nd_service_lag(nd_service *s);

/* Sets @p pc's per-stage timing hook (metrics) as the running pipeline has
 * it, for a pipeline built to replace it. */
void nd_service_pipeline_hooks(const nd_service *s, nd_pipeline_conf *pc);

/* Puts @p p in place of the running pipeline, between two records, and
 * returns the previous one for the caller to destroy. */
nd_pipeline *nd_service_swap_pipeline(nd_service *s, nd_pipeline *p);

/* Applies the reloadable limits of @p c (max-in-flight, shutdown-timeout);
 * nothing of @p c is kept. */
void nd_service_apply_limits(nd_service *s, const nd_config *c);

#endif
