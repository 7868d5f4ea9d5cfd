/* A small metrics registry: counters, gauges and fixed-bucket histograms
 * with labels, updated with atomics from the service's main loop and
 * rendered in the Prometheus text exposition format 0.0.4 by the HTTP
 * thread. Also the pure parsers behind the figures that come from outside:
 * librdkafka's statistics JSON (consumer lag, broker states) and
 * /proc/self (process figures). */
#ifndef NEWSD_METRICS_H
#define NEWSD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newsd/err.h"
#include "newsd/strvec.h"

#define ND_METRIC_LABELS_MAX  4
#define ND_METRIC_BUCKETS_MAX 32

typedef enum nd_metric_type {
        ND_METRIC_COUNTER = 0,
        ND_METRIC_GAUGE,
        ND_METRIC_HISTOGRAM,
} nd_metric_type;

typedef struct nd_metrics nd_metrics;           /* a registry */
typedef struct nd_metric nd_metric;             /* one metric family */
typedef struct nd_metric_child nd_metric_child; /* one label set's value */

/* Creates an empty registry. NULL on allocation failure. Free with
 * nd_metrics_destroy(), which frees every family and child. */
nd_metrics *nd_metrics_new(void);
void nd_metrics_destroy(nd_metrics *m);

/* Whether rendering appends the process_* figures read from /proc/self
 * (on by default; tests that check exact output switch it off). */
void nd_metrics_set_process(nd_metrics *m, bool on);

/*
 * Registers a family. @p label_names is NULL-terminated (NULL: no labels),
 * at most ND_METRIC_LABELS_MAX names. Histograms take @p n_buckets finite,
 * strictly ascending upper bounds (+Inf is implicit); other types pass
 * NULL, 0. Names are checked against the Prometheus data model. Strings are
 * copied. A family without labels gets its one child at once, so it renders
 * as 0 before its first update. The family is owned by @p m; NULL and
 * errstr on failure.
 */
nd_metric *nd_metrics_add(nd_metrics *m, nd_metric_type type, const char *name,
                          const char *help, const char *const *label_names,
                          const double *buckets, size_t n_buckets, char *errstr,
                          size_t errstr_size);

/* The child for @p label_values (one per label name; NULL for a family
 * without labels), created on first use under the family's lock. The
 * pointer stays valid until nd_metric_clear()/nd_gauge_replace() on that
 * family or nd_metrics_destroy(), so callers may keep it and update it
 * without any lock. NULL on allocation failure. */
nd_metric_child *nd_metric_get(nd_metric *f, const char *const *label_values);

/* Updates: lock-free, callable from any thread. A NULL child is ignored, so
 * an allocation failure in nd_metric_get() costs a figure, not a crash. */
void nd_counter_add(nd_metric_child *c, uint64_t n);
void nd_gauge_set(nd_metric_child *c, double v);
void nd_gauge_add(nd_metric_child *c, double delta);
void nd_histogram_observe(nd_metric_child *c, double v);

/* Read-back for summaries and tests. */
uint64_t nd_counter_value(const nd_metric_child *c);
double nd_gauge_value(const nd_metric_child *c);
/* The number of observations and their sum. */
uint64_t nd_histogram_count(const nd_metric_child *c);
double nd_histogram_sum(const nd_metric_child *c);

/* The sum of every child of the gauge family @p f, and in @p n (may be
 * NULL) how many there are. */
double nd_gauge_sum(nd_metric *f, size_t *n);

/* Drops every child of @p f (pointers to them become invalid): for families
 * whose label sets come and go, such as lag per partition. */
void nd_metric_clear(nd_metric *f);

/* Replaces every child of the gauge family @p f by @p n children, the i-th
 * with label values label_values[i * L .. i * L + L - 1] (L = the family's
 * label count) and value values[i]; a scrape sees the old set or the new
 * one, never a mix. */
nd_err nd_gauge_replace(nd_metric *f, size_t n, const char *const *label_values,
                        const double *values);

/* Appends the exposition of every family, in registration order, then the
 * process figures when enabled. False on allocation failure. */
bool nd_metrics_render(nd_metrics *m, nd_buf *out);

/* Formats @p v as the exposition format writes sample values and `le`
 * bounds: integers without a fraction, others in the shortest form that
 * reads back exactly, "NaN", "+Inf", "-Inf". @p size >= 32. */
void nd_metrics_format_value(double v, char *buf, size_t size);

/* ---- librdkafka statistics (statistics.interval.ms, stats_cb) ---- */

/* Consumer lag of one assigned topic-partition. */
typedef struct nd_lag {
        char *topic; /* owned */
        int32_t partition;
        int64_t lag; /* >= 0 */
} nd_lag;

typedef struct nd_rdkafka_stats {
        char type[16]; /* "consumer", "producer" or "" */
        nd_lag *lag;   /* owned array, sorted by topic, partition */
        size_t n_lag;
        int brokers_up;    /* real brokers (configured or learned) UP */
        int brokers_known; /* real brokers listed */
} nd_rdkafka_stats;

/*
 * Parses one statistics JSON document emitted by librdkafka (see its
 * STATISTICS.md). Lag is reported for partitions the application holds
 * ("desired"), never for the internal partition -1: librdkafka's
 * consumer_lag when it is known (>= 0), else the end offset (ls_offset,
 * else hi_offset) minus committed_offset when both are valid offsets, clamped
 * at 0; a partition whose lag cannot be known is left out rather than
 * reported wrong. @p json is @p len bytes (stats_cb's json, json_len).
 * Fills @p out (release with nd_rdkafka_stats_clear()).
 */
nd_err nd_metrics_parse_rdkafka_stats(const char *json, size_t len,
                                      nd_rdkafka_stats *out, char *errstr,
                                      size_t errstr_size);
void nd_rdkafka_stats_clear(nd_rdkafka_stats *s);

/* ---- process figures (/proc/self) ---- */

typedef struct nd_proc_figures {
        double cpu_seconds;        /* user + system */
        double start_time_seconds; /* since the Unix epoch */
        double resident_bytes;
        double virtual_bytes;
        double open_fds; /* -1: unknown */
        double max_fds;  /* -1: unknown */
} nd_proc_figures;

/* Parses the text of /proc/self/stat given the clock tick rate, the page
 * size and the boot time (btime of /proc/stat, seconds since the epoch).
 * Fills every member but the fd counts. */
nd_err nd_proc_parse_stat(const char *stat, long ticks_per_second,
                          long page_size, double boot_time,
                          nd_proc_figures *out);

/* Reads /proc/self and friends. */
nd_err nd_proc_read(nd_proc_figures *out, char *errstr, size_t errstr_size);

#endif
