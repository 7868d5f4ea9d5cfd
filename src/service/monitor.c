/* newsd's metric set, liveness and readiness (see newsd/monitor.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build_config.h"
#include "newsd/monitor.h"
#include "newsd/pipeline.h"

/* Stage times run from microseconds (a short article's statistics) to a
 * good part of a second (a 4 MB article through every stage). */
static const double stage_buckets[] = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
    0.01,    0.025,    0.05,    0.1,    0.25,    0.5,    1,     2.5,
};

/* End-to-end latency spans a healthy pipeline (milliseconds) and catching
 * up on a backlog (minutes). */
static const double latency_buckets[] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1,     2.5,    5,     10,   30,    60,   120, 300,  900,
};

#define N_STAGE_CACHE (ND_STAGE_MAX + 4)

struct nd_monitor {
        nd_metrics *reg;
        nd_metric_child *consumed;
        nd_metric_child *produced;
        nd_metric_child *events[ND_MON__EVENTS];
        nd_metric_child *paused;
        nd_metric_child *in_flight;
        nd_metric_child *assigned;
        nd_metric_child *ready;
        nd_metric_child *latency;
        nd_metric *dead_letter;
        nd_metric_child *dead_letter_by_err[ND_ERR__COUNT];
        nd_metric *stages;
        nd_metric *lag;
        /* Children for the pipeline's stage names, found without a lock:
         * the names are the stage table's constants. Written only in
         * nd_monitor_new(). */
        struct {
                const char *name;
                nd_metric_child *c;
        } stage_cache[N_STAGE_CACHE];
        size_t n_stage_cache;

        _Atomic int64_t heartbeat_ns; /* CLOCK_MONOTONIC; 0: none yet */
        _Atomic int consumer_state;
        _Atomic bool broker_up;
        pthread_mutex_t reason_lock;
        char broker_reason[160];
};

static int64_t
mono_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static nd_metric_child *
add_one(nd_monitor *mon, nd_metric_type type, const char *name,
        const char *help, char *errstr, size_t errstr_size)
{
        nd_metric *f = nd_metrics_add(mon->reg, type, name, help, NULL, NULL, 0,
                                      errstr, errstr_size);

        return f ? nd_metric_get(f, NULL) : NULL;
}

static bool
add_families(nd_monitor *mon, char *errstr, size_t errstr_size)
{
        static const char *const code_label[] = {"code", NULL};
        static const char *const stage_label[] = {"stage", NULL};
        static const char *const lag_labels[] = {"topic", "partition", NULL};
        static const char *const version_label[] = {"version", NULL};
        const char *const version[] = {NEWSD_VERSION};
        nd_metric *info;
        nd_metric *lat;

        info = nd_metrics_add(mon->reg, ND_METRIC_GAUGE, "newsd_build_info",
                              "Always 1; the version label says which newsd "
                              "is running.",
                              version_label, NULL, 0, errstr, errstr_size);
        if (!info)
                return false;
        nd_gauge_set(nd_metric_get(info, version), 1);

#define ADD(member, type, name, help)                                          \
        if (!(mon->member =                                                    \
                  add_one(mon, type, name, help, errstr, errstr_size)))        \
        return false
        ADD(consumed, ND_METRIC_COUNTER, "newsd_records_consumed_total",
            "Input records received from Kafka.");
        ADD(produced, ND_METRIC_COUNTER, "newsd_events_produced_total",
            "Events acknowledged by Kafka on the output topic.");
        ADD(events[ND_MON_DELIVERY_FAILED], ND_METRIC_COUNTER,
            "newsd_delivery_failures_total",
            "Records (events or dead letters) whose delivery failed.");
        ADD(events[ND_MON_DELIVERY_RETRIED], ND_METRIC_COUNTER,
            "newsd_delivery_retries_total",
            "Records produced again after a failed delivery.");
        ADD(events[ND_MON_COMMITTED], ND_METRIC_COUNTER, "newsd_commits_total",
            "Offset commits that succeeded.");
        ADD(events[ND_MON_COMMIT_FAILED], ND_METRIC_COUNTER,
            "newsd_commit_failures_total", "Offset commits that failed.");
        ADD(events[ND_MON_REBALANCED], ND_METRIC_COUNTER,
            "newsd_rebalances_total",
            "Consumer group rebalances (assignments and revocations).");
        ADD(paused, ND_METRIC_GAUGE, "newsd_paused",
            "1 while consumption is paused for backpressure, else 0.");
        ADD(in_flight, ND_METRIC_GAUGE, "newsd_in_flight_records",
            "Input records consumed and not yet acknowledged downstream.");
        ADD(assigned, ND_METRIC_GAUGE, "newsd_assigned_partitions",
            "Input partitions assigned to this instance.");
        ADD(ready, ND_METRIC_GAUGE, "newsd_ready",
            "1 while /readyz answers 200, else 0.");
#undef ADD

        mon->dead_letter = nd_metrics_add(
            mon->reg, ND_METRIC_COUNTER, "newsd_dead_letter_total",
            "Dead-letter records acknowledged by Kafka, by error code.",
            code_label, NULL, 0, errstr, errstr_size);
        if (!mon->dead_letter)
                return false;
        /* Every code up front: rate() over a series needs it to exist
         * before the first dead letter. */
        for (int e = ND_OK + 1; e < ND_ERR__COUNT; e++) {
                const char *v[] = {nd_err_code((nd_err)e)};
                mon->dead_letter_by_err[e] = nd_metric_get(mon->dead_letter, v);
        }

        mon->stages = nd_metrics_add(
            mon->reg, ND_METRIC_HISTOGRAM, "newsd_stage_duration_seconds",
            "Time spent in each pipeline stage per article.", stage_label,
            stage_buckets, sizeof(stage_buckets) / sizeof(stage_buckets[0]),
            errstr, errstr_size);
        lat = nd_metrics_add(
            mon->reg, ND_METRIC_HISTOGRAM, "newsd_end_to_end_latency_seconds",
            "From the input record's timestamp to the acknowledgement of "
            "its event.",
            NULL, latency_buckets,
            sizeof(latency_buckets) / sizeof(latency_buckets[0]), errstr,
            errstr_size);
        mon->lag = nd_metrics_add(
            mon->reg, ND_METRIC_GAUGE, "newsd_consumer_lag",
            "Records between the committed offset and the end of each "
            "assigned input partition (absent while unknown).",
            lag_labels, NULL, 0, errstr, errstr_size);
        if (!mon->stages || !lat || !mon->lag)
                return false;
        mon->latency = nd_metric_get(lat, NULL);
        return mon->latency != NULL;
}

static bool
cache_stage(nd_monitor *mon, const char *name)
{
        const char *v[] = {name};
        nd_metric_child *c = nd_metric_get(mon->stages, v);

        if (!c)
                return false;
        if (mon->n_stage_cache < N_STAGE_CACHE) {
                mon->stage_cache[mon->n_stage_cache].name = name;
                mon->stage_cache[mon->n_stage_cache].c = c;
                mon->n_stage_cache++;
        }
        return true;
}

nd_monitor *
nd_monitor_new(const char *const *stage_names, char *errstr, size_t errstr_size)
{
        nd_monitor *mon = calloc(1, sizeof(*mon));

        if (!mon) {
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
                return NULL;
        }
        pthread_mutex_init(&mon->reason_lock, NULL);
        snprintf(mon->broker_reason, sizeof(mon->broker_reason),
                 "no broker reached yet");
        mon->reg = nd_metrics_new();
        if (!mon->reg || !add_families(mon, errstr, errstr_size))
                goto fail;
        if (!cache_stage(mon, ND_PIPELINE_INGEST))
                goto fail;
        for (size_t i = 0; stage_names && stage_names[i]; i++)
                if (!cache_stage(mon, stage_names[i]))
                        goto fail;
        return mon;
fail:
        if (errstr && !*errstr)
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
        nd_monitor_destroy(mon);
        return NULL;
}

void
nd_monitor_destroy(nd_monitor *mon)
{
        if (!mon)
                return;
        nd_metrics_destroy(mon->reg);
        pthread_mutex_destroy(&mon->reason_lock);
        free(mon);
}

nd_metrics *
nd_monitor_registry(nd_monitor *mon)
{
        return mon ? mon->reg : NULL;
}

void
nd_monitor_heartbeat(nd_monitor *mon)
{
        if (mon)
                atomic_store_explicit(&mon->heartbeat_ns, mono_ns(),
                                      memory_order_relaxed);
}

bool
nd_monitor_alive(nd_monitor *mon, unsigned max_age_ms, double *age_s)
{
        int64_t hb =
            mon ? atomic_load_explicit(&mon->heartbeat_ns, memory_order_relaxed)
                : 0;
        double age = hb ? (double)(mono_ns() - hb) / 1e9 : -1;

        if (age_s)
                *age_s = age;
        return hb != 0 && age * 1000.0 <= max_age_ms;
}

/* Keeps the newsd_ready gauge in step with nd_monitor_ready(). */
static void
update_ready(nd_monitor *mon)
{
        nd_gauge_set(mon->ready, nd_monitor_ready(mon, NULL, 0) ? 1 : 0);
}

void
nd_monitor_set_consumer(nd_monitor *mon, nd_consumer_state state)
{
        if (!mon)
                return;
        atomic_store(&mon->consumer_state, (int)state);
        update_ready(mon);
}

void
nd_monitor_set_assignment(nd_monitor *mon, int n_partitions)
{
        if (!mon)
                return;
        nd_gauge_set(mon->assigned, n_partitions);
        if (atomic_load(&mon->consumer_state) != ND_CONSUMER_STOPPING)
                nd_monitor_set_consumer(mon, ND_CONSUMER_ASSIGNED);
}

void
nd_monitor_set_broker_up(nd_monitor *mon, bool up, const char *reason)
{
        if (!mon)
                return;
        if (!up) {
                pthread_mutex_lock(&mon->reason_lock);
                snprintf(mon->broker_reason, sizeof(mon->broker_reason), "%s",
                         reason && *reason ? reason : "no broker reachable");
                pthread_mutex_unlock(&mon->reason_lock);
        }
        atomic_store(&mon->broker_up, up);
        update_ready(mon);
}

bool
nd_monitor_ready(nd_monitor *mon, char *reason, size_t reason_size)
{
        const char *why = NULL;

        if (!mon) {
                why = "not started";
                goto out;
        }
        switch ((nd_consumer_state)atomic_load(&mon->consumer_state)) {
        case ND_CONSUMER_STARTING:
                why = "consumer not subscribed yet";
                break;
        case ND_CONSUMER_JOINING:
                why = "consumer waiting for its first partition assignment";
                break;
        case ND_CONSUMER_STOPPING:
                why = "shutting down";
                break;
        case ND_CONSUMER_ASSIGNED:
                break;
        }
        if (!why && !atomic_load(&mon->broker_up)) {
                if (reason && reason_size) {
                        pthread_mutex_lock(&mon->reason_lock);
                        snprintf(reason, reason_size,
                                 "producer cannot reach a broker: %s",
                                 mon->broker_reason);
                        pthread_mutex_unlock(&mon->reason_lock);
                }
                return false;
        }
out:
        if (reason && reason_size)
                snprintf(reason, reason_size, "%s", why ? why : "ready");
        return why == NULL;
}

void
nd_monitor_consumed(nd_monitor *mon, uint64_t n)
{
        if (mon)
                nd_counter_add(mon->consumed, n);
}

void
nd_monitor_produced(nd_monitor *mon, int64_t input_timestamp_ms)
{
        struct timespec now;
        double latency;

        if (!mon)
                return;
        nd_counter_add(mon->produced, 1);
        if (input_timestamp_ms < 0)
                return;
        clock_gettime(CLOCK_REALTIME, &now);
        latency = (double)now.tv_sec + now.tv_nsec / 1e9 -
                  (double)input_timestamp_ms / 1e3;
        /* A producer clock ahead of ours would give a negative latency. */
        nd_histogram_observe(mon->latency, latency > 0 ? latency : 0);
}

void
nd_monitor_dead_lettered(nd_monitor *mon, nd_err err)
{
        if (!mon)
                return;
        if (err > ND_OK && err < ND_ERR__COUNT)
                nd_counter_add(mon->dead_letter_by_err[err], 1);
        else
                nd_counter_add(mon->dead_letter_by_err[ND_ERR_INTERNAL], 1);
}

void
nd_monitor_count(nd_monitor *mon, nd_monitor_event ev)
{
        if (mon && ev >= 0 && ev < ND_MON__EVENTS)
                nd_counter_add(mon->events[ev], 1);
}

void
nd_monitor_set_paused(nd_monitor *mon, bool paused)
{
        if (mon)
                nd_gauge_set(mon->paused, paused ? 1 : 0);
}

void
nd_monitor_set_in_flight(nd_monitor *mon, uint64_t n)
{
        if (mon)
                nd_gauge_set(mon->in_flight, (double)n);
}

void
nd_monitor_on_stage(void *opaque, const char *stage, double seconds)
{
        nd_monitor *mon = opaque;
        nd_metric_child *c = NULL;

        if (!mon || !stage)
                return;
        for (size_t i = 0; i < mon->n_stage_cache && !c; i++)
                if (mon->stage_cache[i].name == stage ||
                    strcmp(mon->stage_cache[i].name, stage) == 0)
                        c = mon->stage_cache[i].c;
        if (!c) {
                const char *v[] = {stage};
                c = nd_metric_get(mon->stages, v);
        }
        nd_histogram_observe(c, seconds);
}

static nd_err
update_lag(nd_monitor *mon, const nd_rdkafka_stats *st)
{
        const char **labels = calloc(st->n_lag * 2 + 1, sizeof(*labels));
        double *values = calloc(st->n_lag + 1, sizeof(*values));
        char(*parts)[12] = calloc(st->n_lag + 1, sizeof(*parts));
        nd_err err = ND_ERR_NOMEM;

        if (!labels || !values || !parts)
                goto out;
        for (size_t i = 0; i < st->n_lag; i++) {
                snprintf(parts[i], sizeof(parts[i]), "%d",
                         (int)st->lag[i].partition);
                labels[2 * i] = st->lag[i].topic;
                labels[2 * i + 1] = parts[i];
                values[i] = (double)st->lag[i].lag;
        }
        err = nd_gauge_replace(mon->lag, st->n_lag, labels, values);
out:
        free(labels);
        free(values);
        free(parts);
        return err;
}

nd_err
nd_monitor_rdkafka_stats(nd_monitor *mon, const char *json, size_t len,
                         char *errstr, size_t errstr_size)
{
        nd_rdkafka_stats st;
        nd_err err;

        if (!mon)
                return ND_OK;
        err =
            nd_metrics_parse_rdkafka_stats(json, len, &st, errstr, errstr_size);
        if (err != ND_OK)
                return err;
        if (strcmp(st.type, "consumer") == 0) {
                err = update_lag(mon, &st);
                if (err != ND_OK)
                        nd_seterr(errstr, errstr_size, err, "out of memory");
        } else if (strcmp(st.type, "producer") == 0 && st.brokers_known > 0) {
                char why[96];
                snprintf(why, sizeof(why), "0 of %d brokers up",
                         st.brokers_known);
                nd_monitor_set_broker_up(mon, st.brokers_up > 0, why);
        }
        nd_rdkafka_stats_clear(&st);
        return err;
}

bool
nd_monitor_render(nd_monitor *mon, nd_buf *out)
{
        return mon && nd_metrics_render(mon->reg, out);
}

int64_t
nd_monitor_lag_total(nd_monitor *mon)
{
        size_t n = 0;
        double sum = mon ? nd_gauge_sum(mon->lag, &n) : 0;

        return n ? (int64_t)sum : -1;
}
