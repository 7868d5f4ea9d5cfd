/* Tests for src/service/metrics.c (registry, exposition, /proc parsing),
 * src/service/rdkafka_stats.c (lag from librdkafka statistics) and
 * src/service/monitor.c (newsd's metric set, readiness, summary). Every
 * expected line is written out by hand from the exposition format 0.0.4. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "newsd/metrics.h"
#include "newsd/monitor.h"
#include "newsd/pipeline.h"

static char *
render(nd_metrics *m)
{
        nd_buf b = {0};

        assert_true(nd_metrics_render(m, &b));
        return nd_buf_steal(&b);
}

static char *
read_data(const char *name)
{
        const char *src = getenv("NEWSD_SOURCE_DIR");
        char path[1024];
        FILE *fp;
        char *buf;
        long n;

        assert_non_null(src);
        snprintf(path, sizeof(path), "%s/tests/data/metrics/%s", src, name);
        fp = fopen(path, "rb");
        assert_non_null(fp);
        fseek(fp, 0, SEEK_END);
        n = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        buf = malloc((size_t)n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
        buf[n] = '\0';
        fclose(fp);
        return buf;
}

static void
test_exposition(void **state)
{
        static const char *const lag_labels[] = {"topic", "partition", NULL};
        static const double bounds[] = {0.125, 0.5, 1};
        nd_metrics *m = nd_metrics_new();
        nd_metric *requests, *lag, *dur;
        char *text;

        (void)state;
        nd_metrics_set_process(m, false);
        requests = nd_metrics_add(m, ND_METRIC_COUNTER, "t_requests_total",
                                  "Requests served.", NULL, NULL, 0, NULL, 0);
        lag = nd_metrics_add(m, ND_METRIC_GAUGE, "t_lag", "Lag.", lag_labels,
                             NULL, 0, NULL, 0);
        dur = nd_metrics_add(m, ND_METRIC_HISTOGRAM, "t_duration_seconds",
                             "Duration.", NULL, bounds, 3, NULL, 0);
        assert_non_null(requests);
        assert_non_null(lag);
        assert_non_null(dur);

        nd_counter_add(nd_metric_get(requests, NULL), 2);
        nd_counter_add(nd_metric_get(requests, NULL), 1);
        nd_gauge_set(nd_metric_get(lag, (const char *[]){"news.raw", "0"}), 5);
        nd_gauge_set(nd_metric_get(lag, (const char *[]){"news.raw", "1"}),
                     0.25);
        nd_gauge_add(nd_metric_get(lag, (const char *[]){"news.raw", "1"}),
                     0.5);
        /* Exactly representable values so the sum is known: 2.4375. An
         * observation equal to a bound falls in that bucket (le). */
        nd_histogram_observe(nd_metric_get(dur, NULL), 0.0625);
        nd_histogram_observe(nd_metric_get(dur, NULL), 0.125);
        nd_histogram_observe(nd_metric_get(dur, NULL), 0.25);
        nd_histogram_observe(nd_metric_get(dur, NULL), 2);

        text = render(m);
        assert_string_equal(text,
                            "# HELP t_requests_total Requests served.\n"
                            "# TYPE t_requests_total counter\n"
                            "t_requests_total 3\n"
                            "# HELP t_lag Lag.\n"
                            "# TYPE t_lag gauge\n"
                            "t_lag{topic=\"news.raw\",partition=\"0\"} 5\n"
                            "t_lag{topic=\"news.raw\",partition=\"1\"} 0.75\n"
                            "# HELP t_duration_seconds Duration.\n"
                            "# TYPE t_duration_seconds histogram\n"
                            "t_duration_seconds_bucket{le=\"0.125\"} 2\n"
                            "t_duration_seconds_bucket{le=\"0.5\"} 3\n"
                            "t_duration_seconds_bucket{le=\"1\"} 3\n"
                            "t_duration_seconds_bucket{le=\"+Inf\"} 4\n"
                            "t_duration_seconds_sum 2.4375\n"
                            "t_duration_seconds_count 4\n");
        free(text);
        assert_int_equal(nd_histogram_count(nd_metric_get(dur, NULL)), 4);
        assert_true(nd_histogram_sum(nd_metric_get(dur, NULL)) == 2.4375);
        nd_metrics_destroy(m);
}

static void
test_labelled_histogram(void **state)
{
        static const char *const stage[] = {"stage", NULL};
        static const double bounds[] = {1, 2};
        nd_metrics *m = nd_metrics_new();
        nd_metric *h;
        char *text;

        (void)state;
        nd_metrics_set_process(m, false);
        h = nd_metrics_add(m, ND_METRIC_HISTOGRAM, "t_stage_seconds", "S.",
                           stage, bounds, 2, NULL, 0);
        assert_non_null(h);
        /* A family with labels and no child yet: HELP and TYPE only. */
        text = render(m);
        assert_string_equal(text, "# HELP t_stage_seconds S.\n"
                                  "# TYPE t_stage_seconds histogram\n");
        free(text);

        nd_histogram_observe(nd_metric_get(h, (const char *[]){"ingest"}), 3);
        nd_histogram_observe(nd_metric_get(h, (const char *[]){"ingest"}), 1.5);
        text = render(m);
        assert_string_equal(
            text, "# HELP t_stage_seconds S.\n"
                  "# TYPE t_stage_seconds histogram\n"
                  "t_stage_seconds_bucket{stage=\"ingest\",le=\"1\"} 0\n"
                  "t_stage_seconds_bucket{stage=\"ingest\",le=\"2\"} 1\n"
                  "t_stage_seconds_bucket{stage=\"ingest\",le=\"+Inf\"} 2\n"
                  "t_stage_seconds_sum{stage=\"ingest\"} 4.5\n"
                  "t_stage_seconds_count{stage=\"ingest\"} 2\n");
        free(text);
        nd_metrics_destroy(m);
}

static void
test_escaping(void **state)
{
        static const char *const code[] = {"code", NULL};
        nd_metrics *m = nd_metrics_new();
        nd_metric *f;
        char *text;

        (void)state;
        nd_metrics_set_process(m, false);
        /* HELP escapes backslash and newline but not the double quote;
         * label values escape all three. */
        f = nd_metrics_add(m, ND_METRIC_COUNTER, "t_total",
                           "Say \"hi\"\nback\\slash", code, NULL, 0, NULL, 0);
        assert_non_null(f);
        nd_counter_add(nd_metric_get(f, (const char *[]){"a\"b\\c\nd"}), 1);
        nd_counter_add(nd_metric_get(f, (const char *[]){"ü-ok"}), 7);
        text = render(m);
        assert_string_equal(text, "# HELP t_total Say \"hi\"\\nback\\\\slash\n"
                                  "# TYPE t_total counter\n"
                                  "t_total{code=\"a\\\"b\\\\c\\nd\"} 1\n"
                                  "t_total{code=\"ü-ok\"} 7\n");
        free(text);
        nd_metrics_destroy(m);
}

static void
test_format_value(void **state)
{
        char buf[40];

        (void)state;
#define CHECK(v, want)                                                         \
        do {                                                                   \
                nd_metrics_format_value((v), buf, sizeof(buf));                \
                assert_string_equal(buf, (want));                              \
        } while (0)
        CHECK(0, "0");
        CHECK(3, "3");
        CHECK(-7, "-7");
        CHECK(0.1, "0.1");
        CHECK(2.5, "2.5");
        CHECK(0.00001, "1e-05");
        CHECK(1.0 / 3.0, "0.3333333333333333");
        CHECK(1e20, "1e+20");
        CHECK(NAN, "NaN");
        CHECK(INFINITY, "+Inf");
        CHECK(-INFINITY, "-Inf");
#undef CHECK
}

static void
test_invalid_families(void **state)
{
        static const char *const le[] = {"le", NULL};
        static const char *const reserved[] = {"__name", NULL};
        static const char *const colon[] = {"a:b", NULL};
        static const double down[] = {1, 0.5};
        static const double one[] = {1};
        nd_metrics *m = nd_metrics_new();
        char err[256];

        (void)state;
        assert_null(nd_metrics_add(m, ND_METRIC_COUNTER, "9lives", "", NULL,
                                   NULL, 0, err, sizeof(err)));
        assert_non_null(strstr(err, "invalid metric name"));
        assert_null(nd_metrics_add(m, ND_METRIC_COUNTER, "a-b", "", NULL, NULL,
                                   0, err, sizeof(err)));
        assert_null(nd_metrics_add(m, ND_METRIC_HISTOGRAM, "h", "", le, one, 1,
                                   err, sizeof(err)));
        assert_null(nd_metrics_add(m, ND_METRIC_GAUGE, "g", "", reserved, NULL,
                                   0, err, sizeof(err)));
        assert_null(nd_metrics_add(m, ND_METRIC_GAUGE, "g", "", colon, NULL, 0,
                                   err, sizeof(err)));
        assert_null(nd_metrics_add(m, ND_METRIC_HISTOGRAM, "h", "", NULL, down,
                                   2, err, sizeof(err)));
        assert_null(nd_metrics_add(m, ND_METRIC_HISTOGRAM, "h", "", NULL, NULL,
                                   0, err, sizeof(err)));
        assert_null(nd_metrics_add(m, ND_METRIC_COUNTER, "c", "", NULL, one, 1,
                                   err, sizeof(err)));
        /* Metric names may hold colons (recording rules). */
        assert_non_null(nd_metrics_add(m, ND_METRIC_COUNTER, "job:x_total", "",
                                       NULL, NULL, 0, err, sizeof(err)));
        nd_metrics_destroy(m);
}

static void
test_gauge_replace(void **state)
{
        static const char *const labels[] = {"topic", "partition", NULL};
        const char *const set1[] = {"t", "0", "t", "1"};
        const char *const set2[] = {"u", "7"};
        const double v1[] = {10, 11};
        const double v2[] = {3};
        nd_metrics *m = nd_metrics_new();
        nd_metric *f;
        char *text;
        size_t n;

        (void)state;
        nd_metrics_set_process(m, false);
        f = nd_metrics_add(m, ND_METRIC_GAUGE, "t_lag", "L.", labels, NULL, 0,
                           NULL, 0);
        assert_int_equal(nd_gauge_replace(f, 2, set1, v1), ND_OK);
        assert_true(nd_gauge_sum(f, &n) == 21);
        assert_int_equal(n, 2);
        assert_int_equal(nd_gauge_replace(f, 1, set2, v2), ND_OK);
        text = render(m);
        assert_string_equal(text, "# HELP t_lag L.\n# TYPE t_lag gauge\n"
                                  "t_lag{topic=\"u\",partition=\"7\"} 3\n");
        free(text);
        assert_int_equal(nd_gauge_replace(f, 0, NULL, NULL), ND_OK);
        assert_true(nd_gauge_sum(f, &n) == 0);
        assert_int_equal(n, 0);
        nd_metric_clear(f);
        nd_metrics_destroy(m);
}

static void
check_lag(const nd_lag *l, const char *topic, int32_t partition, int64_t lag)
{
        assert_string_equal(l->topic, topic);
        assert_int_equal(l->partition, partition);
        assert_int_equal(l->lag, lag);
}

/* Parses the data file @p name and checks its type and broker counts. */
static void
parse_file(const char *name, nd_rdkafka_stats *st, const char *type, int known,
           int up)
{
        char *json = read_data(name);

        assert_int_equal(
            nd_metrics_parse_rdkafka_stats(json, strlen(json), st, NULL, 0),
            ND_OK);
        free(json);
        assert_string_equal(st->type, type);
        assert_int_equal(st->brokers_known, known);
        assert_int_equal(st->brokers_up, up);
}

static nd_err
parse_str(const char *json, nd_rdkafka_stats *st, char *err, size_t err_size)
{
        return nd_metrics_parse_rdkafka_stats(json, strlen(json), st, err,
                                              err_size);
}

static void
test_parse_stats_consumer(void **state)
{
        nd_rdkafka_stats st;

        (void)state;
        parse_file("rdkafka-stats-consumer.json", &st, "consumer", 3, 2);
        /* See tests/data/metrics/README.md for why each is (not) here. */
        assert_int_equal(st.n_lag, 4);
        check_lag(&st.lag[0], "news.other", 0, 5);
        check_lag(&st.lag[1], "news.raw", 0, 42);
        check_lag(&st.lag[2], "news.raw", 1, 20);
        check_lag(&st.lag[3], "news.raw", 4, 0);
        nd_rdkafka_stats_clear(&st);
}

static void
test_parse_stats_edge(void **state)
{
        nd_rdkafka_stats st;
        char err[256];

        (void)state;
        parse_file("rdkafka-stats-producer-down.json", &st, "producer", 2, 0);
        assert_int_equal(st.n_lag, 0);
        nd_rdkafka_stats_clear(&st);

        /* Older documents without consumer_lag: the hi_offset rule. */
        assert_int_equal(
            parse_str("{\"type\":\"consumer\",\"topics\":{\"x\":{"
                      "\"partitions\":{\"3\":{\"partition\":3,"
                      "\"committed_offset\":10,\"hi_offset\":25}}}}}",
                      &st, NULL, 0),
            ND_OK);
        assert_int_equal(st.n_lag, 1);
        check_lag(&st.lag[0], "x", 3, 15);
        nd_rdkafka_stats_clear(&st);

        /* Wrong types are unknown, not zero. */
        assert_int_equal(
            parse_str("{\"topics\":{\"x\":{\"partitions\":{\"0\":{"
                      "\"partition\":0,\"consumer_lag\":\"12\","
                      "\"committed_offset\":1.5,\"hi_offset\":25}}}},"
                      "\"brokers\":[]}",
                      &st, NULL, 0),
            ND_OK);
        assert_int_equal(st.n_lag, 0);
        assert_string_equal(st.type, "");
        nd_rdkafka_stats_clear(&st);

        assert_int_equal(parse_str("{\"topics\":", &st, err, sizeof(err)),
                         ND_ERR_INVALID_JSON);
        assert_non_null(strstr(err, "statistics"));
        assert_int_equal(parse_str("[1]", &st, err, sizeof(err)),
                         ND_ERR_INVALID_JSON);
}

static void
test_proc_stat(void **state)
{
        /* A command name with spaces and parentheses; fields as in proc(5):
         * utime 250 and stime 150 ticks, starttime 100000 ticks after boot,
         * vsize 104857600 bytes, rss 2560 pages. */
        const char *stat =
            "4242 (news d) (x)) S 1 4242 4242 0 -1 4194560 500 0 0 0 "
            "250 150 0 0 20 0 3 0 100000 104857600 2560 "
            "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        nd_proc_figures pf;

        (void)state;
        assert_int_equal(nd_proc_parse_stat(stat, 100, 4096, 1700000000.0, &pf),
                         ND_OK);
        assert_true(pf.cpu_seconds == 4.0);
        assert_true(pf.start_time_seconds == 1700001000.0);
        assert_true(pf.virtual_bytes == 104857600.0);
        assert_true(pf.resident_bytes == 10485760.0);
        assert_int_equal(
            nd_proc_parse_stat("4242 (x) S 1 2", 100, 4096, 0, &pf), ND_ERR_IO);
        assert_int_equal(
            nd_proc_parse_stat("no parenthesis", 100, 4096, 0, &pf), ND_ERR_IO);

        /* The live figures exist and are plausible. */
        assert_int_equal(nd_proc_read(&pf, NULL, 0), ND_OK);
        assert_true(pf.resident_bytes > 0);
        assert_true(pf.open_fds >= 3);
        assert_true(pf.start_time_seconds > 1500000000.0);
}

static void
test_process_rendered(void **state)
{
        nd_metrics *m = nd_metrics_new();
        char *text;

        (void)state;
        text = render(m);
        assert_non_null(strstr(text, "# TYPE process_cpu_seconds_total "
                                     "counter\nprocess_cpu_seconds_total "));
        assert_non_null(strstr(text, "# TYPE process_resident_memory_bytes "
                                     "gauge\nprocess_resident_memory_bytes "));
        assert_non_null(strstr(text, "\nprocess_open_fds "));
        assert_non_null(strstr(text, "\nprocess_start_time_seconds "));
        free(text);
        nd_metrics_destroy(m);
}

static void
test_monitor_readiness(void **state)
{
        nd_monitor *mon = nd_monitor_new(NULL, NULL, 0);
        char *json = read_data("rdkafka-stats-producer-down.json");
        char reason[256];
        double age;

        (void)state;
        assert_non_null(mon);
        assert_false(nd_monitor_alive(mon, 1000, &age));
        assert_true(age == -1);
        nd_monitor_heartbeat(mon);
        assert_true(nd_monitor_alive(mon, 1000, &age));
        assert_true(age >= 0);

        assert_false(nd_monitor_ready(mon, reason, sizeof(reason)));
        assert_string_equal(reason, "consumer not subscribed yet");
        nd_monitor_set_consumer(mon, ND_CONSUMER_JOINING);
        assert_false(nd_monitor_ready(mon, reason, sizeof(reason)));
        assert_string_equal(
            reason, "consumer waiting for its first partition assignment");
        nd_monitor_set_assignment(mon, 3);
        assert_false(nd_monitor_ready(mon, reason, sizeof(reason)));
        assert_string_equal(
            reason, "producer cannot reach a broker: no broker reached yet");
        nd_monitor_set_broker_up(mon, true, NULL);
        assert_true(nd_monitor_ready(mon, reason, sizeof(reason)));
        assert_string_equal(reason, "ready");
        /* An empty assignment (a group with more members than partitions,
         * or an eager revoke before the next assign) is a legitimate
         * wait. */
        nd_monitor_set_assignment(mon, 0);
        assert_true(nd_monitor_ready(mon, NULL, 0));

        /* A producer statistics document with every broker down. */
        assert_int_equal(
            nd_monitor_rdkafka_stats(mon, json, strlen(json), NULL, 0), ND_OK);
        assert_false(nd_monitor_ready(mon, reason, sizeof(reason)));
        assert_string_equal(
            reason, "producer cannot reach a broker: 0 of 2 brokers up");
        nd_monitor_set_broker_up(mon, true, NULL);
        nd_monitor_set_consumer(mon, ND_CONSUMER_STOPPING);
        assert_false(nd_monitor_ready(mon, reason, sizeof(reason)));
        assert_string_equal(reason, "shutting down");
        /* Closing the consumer revokes everything: still stopping. */
        nd_monitor_set_assignment(mon, 0);
        assert_false(nd_monitor_ready(mon, reason, sizeof(reason)));
        assert_string_equal(reason, "shutting down");
        nd_monitor_destroy(mon);
        free(json);

        /* A NULL monitor is a no-op everywhere. */
        nd_monitor_consumed(NULL, 1);
        nd_monitor_on_stage(NULL, "x", 1);
        assert_false(nd_monitor_ready(NULL, NULL, 0));
}

/* An event acknowledged now for an input stamped @p offset_ms from now. */
static void
produced_at(nd_monitor *mon, int64_t offset_ms)
{
        struct timespec now;

        clock_gettime(CLOCK_REALTIME, &now);
        nd_monitor_produced(mon, (int64_t)now.tv_sec * 1000 +
                                     now.tv_nsec / 1000000 + offset_ms);
}

static void
test_monitor_metrics(void **state)
{
        const char *const stages[] = {"normalize", "structure", NULL};
        nd_monitor *mon = nd_monitor_new(stages, NULL, 0);
        char *json = read_data("rdkafka-stats-consumer.json");
        char summary[512];
        nd_buf b = {0};

        (void)state;
        assert_non_null(mon);
        nd_monitor_set_assignment(mon, 5);
        nd_monitor_set_broker_up(mon, true, NULL);
        nd_monitor_consumed(mon, 5);
        for (int i = 0; i < 4; i++)
                nd_monitor_produced(mon, -1);
        nd_monitor_dead_lettered(mon, ND_ERR_INVALID_JSON);
        nd_monitor_set_in_flight(mon, 1);
        nd_monitor_count(mon, ND_MON_COMMITTED);
        nd_monitor_count(mon, ND_MON_REBALANCED);
        nd_monitor_count(mon, ND_MON_DELIVERY_FAILED);
        nd_monitor_on_stage(mon, "normalize", 0.002);
        nd_monitor_on_stage(mon, "ingest", 0.0001);
        /* Latency buckets: an input stamped 100 s ago lands in (60, 120];
         * one stamped in the future (clock skew) counts as 0. */
        produced_at(mon, -100000);
        produced_at(mon, 3600 * 1000);

        assert_int_equal(nd_monitor_lag_total(mon), -1);
        nd_monitor_summary(mon, summary, sizeof(summary));
        assert_non_null(strstr(summary, ", lag unknown"));
        assert_int_equal(
            nd_monitor_rdkafka_stats(mon, json, strlen(json), NULL, 0), ND_OK);
        assert_int_equal(nd_monitor_lag_total(mon), 67);
        /* The previous call set the rate baseline: rates are measured from
         * there; the counters did not move, so 0.0/s. */
        nd_monitor_summary(mon, summary, sizeof(summary));
        /* Lag 5 + 42 + 20 + 0. */
        assert_string_equal(summary,
                            "ready; consumed 5 (0.0/s), produced 6 (0.0/s), "
                            "dead-lettered 1, in flight 1, lag 67");
        nd_monitor_set_paused(mon, true);
        nd_monitor_summary(mon, summary, sizeof(summary));
        assert_non_null(strstr(summary, "in flight 1 (paused), lag 67"));
        /* Counters that moved since the previous call have a rate. */
        nd_monitor_consumed(mon, 10);
        nd_monitor_summary(mon, summary, sizeof(summary));
        assert_non_null(strstr(summary, "consumed 15 ("));
        assert_null(strstr(summary, "consumed 15 (0.0/s)"));
        assert_non_null(strstr(summary, "produced 6 (0.0/s)"));

        assert_true(nd_monitor_render(mon, &b));
        assert_non_null(strstr(b.p, "\nnewsd_records_consumed_total 15\n"));
        assert_non_null(strstr(b.p, "\nnewsd_events_produced_total 6\n"));
        assert_non_null(strstr(
            b.p, "\nnewsd_dead_letter_total{code=\"invalid-json\"} 1\n"));
        assert_non_null(
            strstr(b.p, "\nnewsd_dead_letter_total{code=\"too-large\"} 0\n"));
        assert_non_null(strstr(b.p, "\nnewsd_commits_total 1\n"));
        assert_non_null(strstr(b.p, "\nnewsd_rebalances_total 1\n"));
        assert_non_null(strstr(b.p, "\nnewsd_delivery_failures_total 1\n"));
        assert_non_null(strstr(b.p, "\nnewsd_delivery_retries_total 0\n"));
        assert_non_null(strstr(b.p, "\nnewsd_commit_failures_total 0\n"));
        assert_non_null(strstr(b.p, "\nnewsd_paused 1\n"));
        assert_non_null(strstr(b.p, "\nnewsd_in_flight_records 1\n"));
        assert_non_null(strstr(b.p, "\nnewsd_ready 1\n"));
        assert_non_null(strstr(b.p, "\nnewsd_assigned_partitions 5\n"));
        assert_non_null(strstr(b.p, "\nnewsd_consumer_lag{topic=\"news.raw\","
                                    "partition=\"1\"} 20\n"));
        assert_null(strstr(b.p, "partition=\"2\""));
        assert_null(strstr(b.p, "partition=\"-1\""));
        assert_non_null(strstr(b.p,
                               "\nnewsd_stage_duration_seconds_bucket{stage="
                               "\"normalize\",le=\"0.0025\"} 1\n"));
        assert_non_null(strstr(b.p,
                               "\nnewsd_stage_duration_seconds_bucket{stage="
                               "\"normalize\",le=\"0.001\"} 0\n"));
        assert_non_null(strstr(b.p,
                               "\nnewsd_stage_duration_seconds_count{stage="
                               "\"structure\"} 0\n"));
        assert_non_null(strstr(b.p,
                               "\nnewsd_stage_duration_seconds_count{stage="
                               "\"ingest\"} 1\n"));
        /* produced() without a timestamp records no latency. */
        assert_non_null(
            strstr(b.p, "\nnewsd_end_to_end_latency_seconds_count 2\n"));
        assert_non_null(strstr(b.p, "\nnewsd_end_to_end_latency_seconds_"
                                    "bucket{le=\"0.001\"} 1\n"));
        assert_non_null(strstr(b.p, "\nnewsd_end_to_end_latency_seconds_"
                                    "bucket{le=\"60\"} 1\n"));
        assert_non_null(strstr(b.p, "\nnewsd_end_to_end_latency_seconds_"
                                    "bucket{le=\"120\"} 2\n"));
        nd_buf_free(&b);
        nd_monitor_destroy(mon);
        free(json);
}

/* The pipeline's on_stage hook feeds the stage histogram: one observation
 * per stage that ran, ingest included; an input that fails in ingest stops
 * there. */
static void
test_pipeline_stage_timing(void **state)
{
        const char *article = "{\"title\":\"Headline\",\"text\":\"One "
                              "paragraph of body text.\"}";
        nd_monitor *mon = nd_monitor_new(nd_pipeline_stage_names(), NULL, 0);
        nd_pipeline_conf conf;
        nd_pipeline *p;
        nd_input in;
        nd_result res;
        char err[256];
        nd_buf b = {0};

        (void)state;
        nd_pipeline_conf_init(&conf);
        conf.data_dir = getenv("NEWSD_DATA_DIR");
        conf.on_stage = nd_monitor_on_stage;
        conf.on_stage_opaque = mon;
        p = nd_pipeline_new(&conf, err, sizeof(err));
        if (!p)
                fail_msg("nd_pipeline_new: %s", err);
        nd_input_init(&in);
        in.value = article;
        in.len = strlen(article);
        assert_int_equal(nd_pipeline_process(p, &in, &res), ND_OK);
        nd_result_clear(&res);
        in.value = "{broken";
        in.len = strlen("{broken");
        assert_int_equal(nd_pipeline_process(p, &in, &res),
                         ND_ERR_INVALID_JSON);
        nd_result_clear(&res);

        assert_true(nd_monitor_render(mon, &b));
        assert_non_null(strstr(b.p, "\nnewsd_stage_duration_seconds_count{"
                                    "stage=\"ingest\"} 2\n"));
        for (const char *const *s = nd_pipeline_stage_names(); *s; s++) {
                char want[128];
                snprintf(want, sizeof(want),
                         "\nnewsd_stage_duration_seconds_count{stage=\"%s\"} "
                         "1\n",
                         *s);
                if (!strstr(b.p, want))
                        fail_msg("missing: %s", want + 1);
        }
        nd_buf_free(&b);
        nd_pipeline_destroy(p);
        nd_monitor_destroy(mon);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_exposition),
            cmocka_unit_test(test_labelled_histogram),
            cmocka_unit_test(test_escaping),
            cmocka_unit_test(test_format_value),
            cmocka_unit_test(test_invalid_families),
            cmocka_unit_test(test_gauge_replace),
            cmocka_unit_test(test_parse_stats_consumer),
            cmocka_unit_test(test_parse_stats_edge),
            cmocka_unit_test(test_proc_stat),
            cmocka_unit_test(test_process_rendered),
            cmocka_unit_test(test_monitor_readiness),
            cmocka_unit_test(test_monitor_metrics),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
