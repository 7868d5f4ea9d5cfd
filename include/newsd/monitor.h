/* newsd's own metrics, liveness and readiness: what the service loop
 * updates, what /metrics, /healthz and /readyz serve, and the one-line
 * summary for systemd's STATUS=. Every update is lock-free and safe from
 * any thread; every function accepts a NULL monitor and then does nothing,
 * so the service needs no checks of its own. */
#ifndef NEWSD_MONITOR_H
#define NEWSD_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newsd/err.h"
#include "newsd/metrics.h"

/* Where the consumer is in its group life; readiness follows from it. */
typedef enum nd_consumer_state {
        ND_CONSUMER_STARTING = 0, /* not subscribed yet: not ready */
        ND_CONSUMER_JOINING,      /* subscribed, no assignment yet: not ready */
        ND_CONSUMER_ASSIGNED,     /* holds an assignment, possibly empty: a
                                   * group with more members than partitions,
                                   * or between an eager revoke and the next
                                   * assign; a legitimate wait, so ready */
        ND_CONSUMER_STOPPING,     /* shutting down: not ready */
} nd_consumer_state;

typedef struct nd_monitor nd_monitor;

/* Creates the registry with every newsd_* family; @p stage_names (the
 * pipeline's, NULL-terminated; may be NULL) get their stage histogram
 * children up front so they render before the first article. Free with
 * nd_monitor_destroy(). */
nd_monitor *nd_monitor_new(const char *const *stage_names, char *errstr,
                           size_t errstr_size);
void nd_monitor_destroy(nd_monitor *mon);

/* The registry (owned by @p mon), e.g. to render it. */
nd_metrics *nd_monitor_registry(nd_monitor *mon);

/* ---- liveness: the same signal as the systemd watchdog ---- */

/* Called by the main loop once per turn. */
void nd_monitor_heartbeat(nd_monitor *mon);
/* Whether a heartbeat came within the last @p max_age_ms; @p age_s (may be
 * NULL) gets the age in seconds, -1 before the first heartbeat. */
bool nd_monitor_alive(nd_monitor *mon, unsigned max_age_ms, double *age_s);

/* ---- readiness ---- */

void nd_monitor_set_consumer(nd_monitor *mon, nd_consumer_state state);
/* The consumer now holds @p n_partitions partitions (after an assign, or
 * after an incremental assign or revoke): sets ND_CONSUMER_ASSIGNED, unless
 * it is stopping (closing the consumer revokes its partitions). */
void nd_monitor_set_assignment(nd_monitor *mon, int n_partitions);
/* Whether the producer can reach a broker; @p reason (may be NULL) says
 * why not. It starts false: nothing is known about brokers at start. */
void nd_monitor_set_broker_up(nd_monitor *mon, bool up, const char *reason);
/* Ready to serve: the consumer is assigned or legitimately waiting and the
 * producer reaches a broker. When not, @p reason gets why. */
bool nd_monitor_ready(nd_monitor *mon, char *reason, size_t reason_size);

/* ---- what the service loop counts ---- */

void nd_monitor_consumed(nd_monitor *mon, uint64_t n);
/* An event acknowledged on the output topic; @p input_timestamp_ms is the
 * input record's timestamp (-1: unknown) for the end-to-end latency. */
void nd_monitor_produced(nd_monitor *mon, int64_t input_timestamp_ms);
/* A dead-letter record acknowledged, for the reason @p err. */
void nd_monitor_dead_lettered(nd_monitor *mon, nd_err err);

/* Events counted one at a time. */
typedef enum nd_monitor_event {
        ND_MON_DELIVERY_FAILED = 0, /* a produce reported failed */
        ND_MON_DELIVERY_RETRIED,    /* a record produced again */
        ND_MON_COMMITTED,           /* an offset commit succeeded */
        ND_MON_COMMIT_FAILED,       /* an offset commit failed */
        ND_MON_REBALANCED,          /* an assignment or a revocation */
        ND_MON__EVENTS
} nd_monitor_event;

void nd_monitor_count(nd_monitor *mon, nd_monitor_event ev);
void nd_monitor_set_paused(nd_monitor *mon, bool paused);
void nd_monitor_set_in_flight(nd_monitor *mon, uint64_t n);

/* The pipeline's per-stage timing callback (nd_pipeline_conf.on_stage),
 * with the monitor as @p opaque. */
void nd_monitor_on_stage(void *opaque, const char *stage, double seconds);

/* Feeds one librdkafka statistics document (from a stats_cb): a
 * consumer's updates the lag per partition (replacing the previous set, so
 * partitions no longer assigned or no longer known disappear); a
 * producer's updates whether a broker is reachable. */
nd_err nd_monitor_rdkafka_stats(nd_monitor *mon, const char *json, size_t len,
                                char *errstr, size_t errstr_size);

/* ---- reporting ---- */

/* Appends the exposition of every metric (Prometheus text 0.0.4). */
bool nd_monitor_render(nd_monitor *mon, nd_buf *out);

/* The consumer lag summed over the assigned partitions, -1 while no
 * partition's lag is known (for STATUS= figures). */
int64_t nd_monitor_lag_total(nd_monitor *mon);

/* A one-line summary for STATUS=, with rates since the previous call,
 * e.g. "ready; consumed 120 (24.0/s), produced 118 (23.6/s), dead-lettered
 * 2, in flight 3, lag 0". Call from one thread. */
void nd_monitor_summary(nd_monitor *mon, char *buf, size_t size);

#endif
