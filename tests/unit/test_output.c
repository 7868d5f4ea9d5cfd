/* Tests for src/service/output.c: CloudEvents event records and dead-letter
 * records, without a broker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/output.h"

static const nd_output_conf binary_conf = {
    .event_topic = "out",
    .dead_letter_topic = "dlq",
    .mode = ND_EVENT_BINARY,
    .source = "urn:newsd:grp",
    .dataschema = "https://example.org/schema",
};

/* The last value of header @p name as a string, or NULL. */
static char *
hdr(const rd_kafka_headers_t *h, const char *name)
{
        const void *v;
        size_t len;
        char *s;

        if (rd_kafka_header_get_last(h, name, &v, &len) != 0)
                return NULL;
        s = malloc(len + 1);
        memcpy(s, v, len);
        s[len] = '\0';
        return s;
}

static void
assert_hdr(const rd_kafka_headers_t *h, const char *name, const char *want)
{
        char *got = hdr(h, name);

        if (!want) {
                assert_null(got);
                return;
        }
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
}

static nd_output_input
input(rd_kafka_headers_t *h)
{
        nd_output_input in = {
            .topic = "news.raw",
            .partition = 2,
            .offset = 41,
            .key = "k1",
            .key_len = 2,
            .value = "raw\0bytes",
            .len = 9,
            .headers = h,
        };
        return in;
}

static void
test_binary_event(void **state)
{
        rd_kafka_headers_t *ih = rd_kafka_headers_new(4);
        json_t *ev =
            json_pack("{s:{s:s, s:s}}", "article", "uri", "https://ex.com/a",
                      "firstCreated", "2023-02-01T10:00:00Z");
        nd_output_input in;
        nd_outrec out;
        char errstr[128];

        (void)state;
        rd_kafka_header_add(ih, "traceparent", -1, "00-aa-bb-01", -1);
        rd_kafka_header_add(ih, "x-other", -1, "not copied", -1);
        in = input(ih);
        assert_int_equal(nd_output_event(&binary_conf, &in, "https://ex.com/a",
                                         ev, &out, errstr, sizeof(errstr)),
                         ND_OK);
        assert_string_equal(out.topic, "out");
        assert_int_equal(out.key_len, strlen("https://ex.com/a"));
        assert_memory_equal(out.key, "https://ex.com/a", out.key_len);
        assert_hdr(out.headers, "ce_specversion", "1.0");
        assert_hdr(out.headers, "ce_id", "news.raw-2-41");
        assert_hdr(out.headers, "ce_source", "urn:newsd:grp");
        assert_hdr(out.headers, "ce_type", "dev.newsd.article.enriched.v1");
        assert_hdr(out.headers, "ce_time", "2023-02-01T10:00:00Z");
        assert_hdr(out.headers, "ce_subject", "https://ex.com/a");
        assert_hdr(out.headers, "ce_dataschema", "https://example.org/schema");
        assert_hdr(out.headers, "content-type", "application/json");
        assert_hdr(out.headers, "traceparent", "00-aa-bb-01");
        assert_hdr(out.headers, "x-other", NULL);
        /* The value is the event itself. */
        {
                json_t *v = json_loadb(out.value, out.value_len, 0, NULL);
                assert_non_null(v);
                assert_true(json_equal(v, ev));
                json_decref(v);
        }
        nd_outrec_clear(&out);
        json_decref(ev);
        rd_kafka_headers_destroy(ih);
}

static void
check_time(json_t *ev, const char *want)
{
        nd_output_input in = input(NULL);
        nd_outrec out;

        assert_int_equal(
            nd_output_event(&binary_conf, &in, "urn:x", ev, &out, NULL, 0),
            ND_OK);
        assert_hdr(out.headers, "ce_time", want);
        assert_hdr(out.headers, "traceparent", NULL);
        nd_outrec_clear(&out);
        json_decref(ev);
}

/* Without a publication time, ce_time is the record's timestamp, else the
 * processing time; with neither there is no ce_time (it is optional). */
static void
test_time_fallbacks(void **state)
{
        (void)state;
        check_time(json_pack("{s:{s:s}, s:{s:s, s:s}}", "article", "uri",
                             "urn:x", "provenance", "timestamp",
                             "2023-03-01T12:00:00.123Z", "processed_at",
                             "2024-01-01T00:00:00.000Z"),
                   "2023-03-01T12:00:00.123Z");
        check_time(json_pack("{s:{s:s}, s:{s:s}}", "article", "uri", "urn:x",
                             "provenance", "processed_at",
                             "2024-01-01T00:00:00.000Z"),
                   "2024-01-01T00:00:00.000Z");
        check_time(json_pack("{s:{s:s}}", "article", "uri", "urn:x"), NULL);
}

static void
test_structured_event(void **state)
{
        nd_output_conf oc = binary_conf;
        rd_kafka_headers_t *ih = rd_kafka_headers_new(2);
        json_t *ev = json_pack("{s:{s:s}, s:{}, s:{s:s}}", "article", "uri",
                               "urn:y", "analysis", "provenance", "timestamp",
                               "2023-03-01T12:00:00.123Z");
        nd_output_input in;
        nd_outrec out;
        json_t *v;

        (void)state;
        oc.mode = ND_EVENT_STRUCTURED;
        rd_kafka_header_add(ih, "tracestate", -1, "a=b", -1);
        in = input(ih);
        assert_int_equal(nd_output_event(&oc, &in, "urn:y", ev, &out, NULL, 0),
                         ND_OK);
        assert_hdr(out.headers, "content-type", "application/cloudevents+json");
        assert_hdr(out.headers, "ce_id", NULL);
        assert_hdr(out.headers, "tracestate", "a=b");
        v = json_loadb(out.value, out.value_len, 0, NULL);
        assert_non_null(v);
        assert_string_equal(
            json_string_value(json_object_get(v, "specversion")), "1.0");
        assert_string_equal(json_string_value(json_object_get(v, "id")),
                            "news.raw-2-41");
        assert_string_equal(json_string_value(json_object_get(v, "subject")),
                            "urn:y");
        assert_string_equal(json_string_value(json_object_get(v, "time")),
                            "2023-03-01T12:00:00.123Z");
        assert_string_equal(
            json_string_value(json_object_get(v, "datacontenttype")),
            "application/json");
        assert_string_equal(json_string_value(json_object_get(v, "tracestate")),
                            "a=b");
        assert_true(json_equal(json_object_get(v, "data"), ev));
        json_decref(v);
        nd_outrec_clear(&out);
        json_decref(ev);
        rd_kafka_headers_destroy(ih);
}

static void
test_dead_letter(void **state)
{
        rd_kafka_headers_t *ih = rd_kafka_headers_new(4);
        nd_output_input in;
        nd_outrec out;
        const char *name;
        const void *val;
        size_t size, n = 0;

        (void)state;
        rd_kafka_header_add(ih, "content-type", -1, "application/json", -1);
        /* A replayed dead letter: its old reason is replaced, not doubled. */
        rd_kafka_header_add(ih, "newsd-error-code", -1, "too-large", -1);
        in = input(ih);
        assert_int_equal(nd_output_dead_letter(&binary_conf, &in,
                                               ND_ERR_INVALID_JSON,
                                               "bad at line 1", &out, NULL, 0),
                         ND_OK);
        assert_string_equal(out.topic, "dlq");
        assert_int_equal(out.key_len, 2);
        assert_memory_equal(out.key, "k1", 2);
        assert_int_equal(out.value_len, 9);
        assert_memory_equal(out.value, "raw\0bytes", 9);
        assert_hdr(out.headers, "content-type", "application/json");
        assert_hdr(out.headers, "newsd-error-code", "invalid-json");
        assert_hdr(out.headers, "newsd-error-message", "bad at line 1");
        assert_hdr(out.headers, "newsd-source-topic", "news.raw");
        assert_hdr(out.headers, "newsd-source-partition", "2");
        assert_hdr(out.headers, "newsd-source-offset", "41");
        while (rd_kafka_header_get_all(out.headers, n, &name, &val, &size) == 0)
                n++;
        assert_int_equal(n, 6);
        nd_outrec_clear(&out);
        rd_kafka_headers_destroy(ih);
}

/* No key, no value (a tombstone), no headers, no message. */
static void
test_dead_letter_bare(void **state)
{
        nd_output_input in = input(NULL);
        nd_outrec out;

        (void)state;
        in.key = NULL;
        in.value = NULL;
        in.len = 0;
        assert_int_equal(nd_output_dead_letter(&binary_conf, &in,
                                               ND_ERR_EMPTY_BODY, NULL, &out,
                                               NULL, 0),
                         ND_OK);
        assert_null(out.key);
        assert_null(out.value);
        assert_hdr(out.headers, "newsd-error-code", "empty-body");
        assert_hdr(out.headers, "newsd-error-message",
                   nd_err_str(ND_ERR_EMPTY_BODY));
        nd_outrec_clear(&out);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_binary_event),
            cmocka_unit_test(test_time_fallbacks),
            cmocka_unit_test(test_structured_event),
            cmocka_unit_test(test_dead_letter),
            cmocka_unit_test(test_dead_letter_bare),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
