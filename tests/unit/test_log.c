/* Tests for src/service/log.c: journal fields, stderr lines, the choice
 * between them and the rate limiter (with an injected clock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/log.h"

#define SEC 1000000ULL

static void
assert_field(const nd_log_record *rec, size_t i, const char *want)
{
        assert_true(i < rec->n);
        assert_int_equal(rec->iov[i].iov_len, strlen(want));
        assert_memory_equal(rec->iov[i].iov_base, want, strlen(want));
}

static void
test_fields_none(void **state)
{
        nd_log_record rec;

        (void)state;
        nd_log_format_fields(&rec, LOG_ERR, ND_LOG_NOFIELDS, "hello");
        assert_int_equal(rec.n, 3);
        assert_field(&rec, 0, "PRIORITY=3");
        assert_field(&rec, 1, "SYSLOG_IDENTIFIER=newsd");
        assert_field(&rec, 2, "MESSAGE=hello");
}

static void
test_fields_all(void **state)
{
        nd_log_record rec;
        nd_log_fields f = {
                .topic = "news.raw",
                .partition = 2,
                .offset = 17,
                .uri = "https://example.com/a",
                .error = "invalid-json",
                .facility = "FAIL",
        };

        (void)state;
        nd_log_format_fields(&rec, LOG_WARNING, &f, "dead-lettered");
        assert_int_equal(rec.n, 9);
        assert_field(&rec, 0, "PRIORITY=4");
        assert_field(&rec, 2, "MESSAGE=dead-lettered");
        assert_field(&rec, 3, "KAFKA_TOPIC=news.raw");
        assert_field(&rec, 4, "KAFKA_PARTITION=2");
        assert_field(&rec, 5, "KAFKA_OFFSET=17");
        assert_field(&rec, 6, "ARTICLE_URI=https://example.com/a");
        assert_field(&rec, 7, "NEWSD_ERROR=invalid-json");
        assert_field(&rec, 8, "RDKAFKA_FACILITY=FAIL");
}

/* Partition and offset 0 are real positions; only -1 means absent. */
static void
test_fields_some(void **state)
{
        nd_log_record rec;
        nd_log_fields f = {.partition = 0, .offset = -1, .error = "too-large"};

        (void)state;
        nd_log_format_fields(&rec, LOG_INFO, &f, "m");
        assert_int_equal(rec.n, 5);
        assert_field(&rec, 0, "PRIORITY=6");
        assert_field(&rec, 3, "KAFKA_PARTITION=0");
        assert_field(&rec, 4, "NEWSD_ERROR=too-large");

        f.partition = -1;
        f.offset = 0;
        f.error = NULL;
        nd_log_format_fields(&rec, LOG_INFO, &f, "m");
        assert_int_equal(rec.n, 4);
        assert_field(&rec, 3, "KAFKA_OFFSET=0");
}

static void
test_fields_truncated(void **state)
{
        static char big[ND_LOG_MESSAGE_MAX + 100];
        nd_log_record rec;

        (void)state;
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        nd_log_format_fields(&rec, LOG_ERR, ND_LOG_NOFIELDS, big);
        assert_int_equal(rec.n, 3);
        assert_int_equal(rec.iov[2].iov_len,
                         strlen("MESSAGE=") + ND_LOG_MESSAGE_MAX);
}

static void
test_line_prefixed(void **state)
{
        char buf[256];
        nd_log_fields f = {.topic = "news.raw", .partition = 2, .offset = 17};
        size_t n;

        (void)state;
        n = nd_log_format_line(buf, sizeof(buf), ND_LOG_STYLE_PREFIXED,
                               LOG_WARNING, &f, "delivery failed", NULL);
        assert_string_equal(buf,
                            "<4>delivery failed topic=news.raw partition=2 "
                            "offset=17\n");
        assert_int_equal(n, strlen(buf));

        nd_log_format_line(buf, sizeof(buf), ND_LOG_STYLE_PREFIXED, LOG_INFO,
                           ND_LOG_NOFIELDS, "two\nlines", NULL);
        assert_string_equal(buf, "<6>two lines\n");
}

static void
test_line_plain(void **state)
{
        char buf[256];
        /* 1700000000 is 2023-11-14 22:13:20 UTC. */
        struct timespec ts = {.tv_sec = 1700000000, .tv_nsec = 123456789};
        nd_log_fields f = {.partition = -1,
                           .offset = -1,
                           .uri = "urn:x a\"b",
                           .error = "too-large"};

        (void)state;
        nd_log_format_line(buf, sizeof(buf), ND_LOG_STYLE_PLAIN, LOG_ERR, &f,
                           "rejected", &ts);
        assert_string_equal(buf, "2023-11-14T22:13:20.123Z err rejected "
                                 "uri=\"urn:x a\\\"b\" error=too-large\n");
}

static void
test_line_truncated(void **state)
{
        char buf[10];
        size_t n;

        (void)state;
        n = nd_log_format_line(buf, sizeof(buf), ND_LOG_STYLE_PREFIXED, LOG_ERR,
                               ND_LOG_NOFIELDS, "hello world", NULL);
        assert_string_equal(buf, "<3>hello\n");
        assert_int_equal(n, 9);
}

static void
test_choose_style(void **state)
{
        (void)state;
        /* auto: the journal only when JOURNAL_STREAM names stderr. */
        assert_int_equal(nd_log_choose_style(ND_LOG_TARGET_AUTO, "8:1234", 8,
                                             1234, true, false),
                         ND_LOG_STYLE_JOURNAL);
        assert_int_equal(nd_log_choose_style(ND_LOG_TARGET_AUTO, "8:1234", 8,
                                             999, true, false),
                         ND_LOG_STYLE_PREFIXED);
        assert_int_equal(nd_log_choose_style(ND_LOG_TARGET_AUTO, "8:1234x", 8,
                                             1234, true, false),
                         ND_LOG_STYLE_PREFIXED);
        assert_int_equal(nd_log_choose_style(ND_LOG_TARGET_AUTO, NULL, 8, 1234,
                                             false, false),
                         ND_LOG_STYLE_PREFIXED);
        assert_int_equal(
            nd_log_choose_style(ND_LOG_TARGET_AUTO, NULL, 8, 1234, false, true),
            ND_LOG_STYLE_PLAIN);
        /* A terminal under systemd (StandardError=tty) still gets <N>. */
        assert_int_equal(
            nd_log_choose_style(ND_LOG_TARGET_AUTO, NULL, 8, 1234, true, true),
            ND_LOG_STYLE_PREFIXED);
        /* Explicit targets. */
        assert_int_equal(
            nd_log_choose_style(ND_LOG_TARGET_JOURNAL, NULL, 0, 0, false, true),
            ND_LOG_STYLE_JOURNAL);
        assert_int_equal(nd_log_choose_style(ND_LOG_TARGET_STDERR, "8:1234", 8,
                                             1234, true, false),
                         ND_LOG_STYLE_PREFIXED);
}

static void
test_levels(void **state)
{
        (void)state;
        assert_string_equal(nd_log_level_name(LOG_ERR), "err");
        assert_string_equal(nd_log_level_name(LOG_DEBUG), "debug");
        assert_int_equal(nd_log_level_parse("warning"), LOG_WARNING);
        assert_int_equal(nd_log_level_parse("warn"), LOG_WARNING);
        assert_int_equal(nd_log_level_parse("error"), LOG_ERR);
        assert_int_equal(nd_log_level_parse("7"), LOG_DEBUG);
        assert_int_equal(nd_log_level_parse("8"), -1);
        assert_int_equal(nd_log_level_parse("loud"), -1);
}

static const char fmt_a[] = "dead-lettered: %s";
static const char fmt_b[] = "delivery failed: %s";

static void
test_ratelimit_window(void **state)
{
        nd_log_ratelimit rl;
        nd_log_rl_slot ended;
        bool r;

        (void)state;
        nd_log_ratelimit_init(&rl, 10 * SEC, 3);
        /* Burst of 3 per window, the rest suppressed. */
        for (int i = 0; i < 5; i++) {
                r = nd_log_ratelimit_check(
                    &rl, LOG_WARNING, fmt_a, "invalid-json", NULL,
                    i == 0 ? "first" : "later", (uint64_t)i * SEC, &ended);
                assert_int_equal(r, i < 3);
                assert_null(ended.fmt);
        }
        /* Same format, another error token: another kind. */
        assert_true(nd_log_ratelimit_check(&rl, LOG_WARNING, fmt_a, "too-large",
                                           NULL, "x", 5 * SEC, &ended));
        /* Another facility: another kind too. */
        assert_true(nd_log_ratelimit_check(&rl, LOG_WARNING, fmt_a,
                                           "invalid-json", "FAIL", "x", 5 * SEC,
                                           &ended));
        /* 9.999999 s after the start: still the same window. */
        assert_false(nd_log_ratelimit_check(&rl, LOG_WARNING, fmt_a,
                                            "invalid-json", NULL, "x",
                                            10 * SEC - 1, &ended));
        /* 10 s: a new window; the old one saw 6, suppressed 3. */
        assert_true(nd_log_ratelimit_check(&rl, LOG_WARNING, fmt_a,
                                           "invalid-json", NULL, "again",
                                           10 * SEC, &ended));
        assert_ptr_equal(ended.fmt, fmt_a);
        assert_int_equal(ended.count, 6);
        assert_string_equal(ended.sample, "first");
        assert_string_equal(ended.error, "invalid-json");
        /* The window that suppressed nothing ends without a summary. */
        assert_true(nd_log_ratelimit_check(&rl, LOG_WARNING, fmt_a, "too-large",
                                           NULL, "x", 20 * SEC, &ended));
        assert_null(ended.fmt);
}

static void
test_ratelimit_expire(void **state)
{
        nd_log_ratelimit rl;
        nd_log_rl_slot ended;

        (void)state;
        nd_log_ratelimit_init(&rl, 10 * SEC, 2);
        for (int i = 0; i < 4; i++)
                nd_log_ratelimit_check(&rl, LOG_ERR, fmt_b, NULL, NULL, "b",
                                       SEC, &ended);
        nd_log_ratelimit_check(&rl, LOG_ERR, fmt_a, NULL, NULL, "a", SEC,
                               &ended);
        assert_false(nd_log_ratelimit_expire(&rl, 10 * SEC, false, &ended));
        assert_true(nd_log_ratelimit_expire(&rl, 11 * SEC, false, &ended));
        assert_ptr_equal(ended.fmt, fmt_b);
        assert_int_equal(ended.count, 4);
        assert_int_equal(ended.level, LOG_ERR);
        /* Reported once; fmt_a suppressed nothing. */
        assert_false(nd_log_ratelimit_expire(&rl, 11 * SEC, false, &ended));
        /* After the summary the kind starts afresh with a full burst. */
        assert_true(nd_log_ratelimit_check(&rl, LOG_ERR, fmt_b, NULL, NULL, "b",
                                           12 * SEC, &ended));
        assert_true(nd_log_ratelimit_check(&rl, LOG_ERR, fmt_b, NULL, NULL, "b",
                                           12 * SEC, &ended));
        assert_false(nd_log_ratelimit_check(&rl, LOG_ERR, fmt_b, NULL, NULL,
                                            "b", 12 * SEC, &ended));
        /* At exit, windows still open are reported too. */
        assert_true(nd_log_ratelimit_expire(&rl, 12 * SEC, true, &ended));
        assert_int_equal(ended.count, 3);
}

/* With every slot taken a new kind replaces the oldest window and reports
 * what that window suppressed. */
static void
test_ratelimit_evict(void **state)
{
        static char fmts[ND_LOG_RL_SLOTS + 1][8];
        nd_log_ratelimit rl;
        nd_log_rl_slot ended;

        (void)state;
        nd_log_ratelimit_init(&rl, 10 * SEC, 1);
        for (int i = 0; i <= ND_LOG_RL_SLOTS; i++)
                snprintf(fmts[i], sizeof(fmts[i]), "f%d", i);
        nd_log_ratelimit_check(&rl, LOG_ERR, fmts[0], NULL, NULL, "zero", 0,
                               &ended);
        nd_log_ratelimit_check(&rl, LOG_ERR, fmts[0], NULL, NULL, "zero", 0,
                               &ended);
        for (int i = 1; i < ND_LOG_RL_SLOTS; i++) {
                assert_true(nd_log_ratelimit_check(&rl, LOG_ERR, fmts[i], NULL,
                                                   NULL, "n", (uint64_t)i,
                                                   &ended));
                assert_null(ended.fmt);
        }
        assert_true(nd_log_ratelimit_check(&rl, LOG_ERR, fmts[ND_LOG_RL_SLOTS],
                                           NULL, NULL, "new", 100, &ended));
        assert_ptr_equal(ended.fmt, fmts[0]);
        assert_int_equal(ended.count, 2);
        /* fmts[0] lost its slot: it starts a new window. */
        assert_true(nd_log_ratelimit_check(&rl, LOG_ERR, fmts[0], NULL, NULL,
                                           "zero", 101, &ended));
}

static uint64_t fake_now;

static uint64_t
fake_clock(void)
{
        return fake_now;
}

static size_t
count_lines(FILE *f, const char *needle)
{
        char line[1024];
        size_t n = 0;

        rewind(f);
        while (fgets(line, sizeof(line), f))
                if (!needle || strstr(line, needle))
                        n++;
        return n;
}

/* The facade end to end: threshold, rate limit, summary, librdkafka
 * lines. */
static void
test_facade(void **state)
{
        FILE *out = tmpfile();
        nd_log_fields f = {
                .topic = "news.raw", .partition = 0, .error = "invalid-json"};
        char line[1024];

        (void)state;
        assert_non_null(out);
        /* Under systemd without a journal stream: <N> lines. */
        setenv("INVOCATION_ID", "0123", 1);
        unsetenv("JOURNAL_STREAM");
        nd_log_setup(LOG_INFO, ND_LOG_TARGET_AUTO);
        assert_int_equal(nd_log_current_style(), ND_LOG_STYLE_PREFIXED);
        nd_log_set_stream(out);
        nd_log_set_clock(fake_clock);
        fake_now = 1000 * SEC;

        nd_log(LOG_DEBUG, "not shown %d", 1);
        for (int i = 0; i < 8; i++) {
                f.offset = i;
                nd_logf(LOG_WARNING, &f, "record is not JSON (%d)", i);
        }
        for (int i = 0; i < 3; i++)
                nd_log(LOG_INFO, "progress %d", i);
        assert_int_equal(count_lines(out, NULL), 5 + 3);
        assert_int_equal(count_lines(out, "not shown"), 0);
        rewind(out);
        assert_non_null(fgets(line, sizeof(line), out));
        assert_string_equal(line, "<4>record is not JSON (0) topic=news.raw "
                                  "partition=0 offset=0 error=invalid-json\n");

        /* The window ends: one summary for the 3 suppressed. */
        fake_now += 11 * SEC;
        nd_log_flush_suppressed(false);
        assert_int_equal(count_lines(out, "suppressed 3 similar messages"), 1);
        assert_int_equal(count_lines(out, "the first: record is not JSON (0)"),
                         1);

        nd_log_rdkafka(NULL, LOG_WARNING, "FAIL", "broker down");
        assert_int_equal(
            count_lines(out, "<4>rdkafka: broker down facility=FAIL\n"), 1);
        nd_log_rdkafka(NULL, LOG_DEBUG, "FETCH", "quiet");
        assert_int_equal(count_lines(out, "quiet"), 0);

        nd_log_set_stream(NULL);
        nd_log_set_clock(NULL);
        fclose(out);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fields_none),
            cmocka_unit_test(test_fields_all),
            cmocka_unit_test(test_fields_some),
            cmocka_unit_test(test_fields_truncated),
            cmocka_unit_test(test_line_prefixed),
            cmocka_unit_test(test_line_plain),
            cmocka_unit_test(test_line_truncated),
            cmocka_unit_test(test_choose_style),
            cmocka_unit_test(test_levels),
            cmocka_unit_test(test_ratelimit_window),
            cmocka_unit_test(test_ratelimit_expire),
            cmocka_unit_test(test_ratelimit_evict),
            cmocka_unit_test(test_facade),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
