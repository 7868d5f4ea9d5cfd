/* Tests for src/service/fanout.c: an article's records are its event on
 * the default topic, on each matching route's topic, and its entity
 * records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/fanout.h"

static const char *const event_text =
    "{\"article\": {\"uri\": \"https://example.com/a\", \"language\": "
    "\"he\", \"bodies\": [{\"value\": \"Paris. Rome!\"}]},"
    " \"analysis\": {\"entities\": ["
    "{\"type\": \"place\", \"name\": \"Paris\", \"uri\": \"urn:x:paris\","
    " \"count\": 1, \"salience\": 1, \"mentions\": [{\"field\": \"body\","
    " \"start\": 0, \"end\": 5}]},"
    "{\"type\": \"place\", \"name\": \"Rome\", \"uri\": \"urn:x:rome\","
    " \"count\": 1, \"salience\": 1, \"mentions\": [{\"field\": \"body\","
    " \"start\": 7, \"end\": 11}]}]}}";

static nd_route
route(const char *topic, const char *key, const char *value)
{
        nd_route r;
        char errstr[256];

        assert_true(nd_route_init(&r, "r", "test"));
        assert_int_equal(
            nd_route_set(&r, "topic", topic, errstr, sizeof(errstr)), ND_OK);
        assert_int_equal(nd_route_set(&r, key, value, errstr, sizeof(errstr)),
                         ND_OK);
        return r;
}

static const char *
header(const nd_outrec *o, const char *name, char *buf, size_t size)
{
        const void *v;
        size_t len;

        if (rd_kafka_header_get_last(o->headers, name, &v, &len) != 0 ||
            len >= size)
                return NULL;
        memcpy(buf, v, len);
        buf[len] = '\0';
        return buf;
}

static void
test_records(void **state)
{
        char errstr[256], buf[256];
        json_error_t jerr;
        json_t *ev = json_loads(event_text, 0, &jerr);
        nd_template *out =
            nd_template_parse("news.{language}", errstr, sizeof(errstr));
        nd_route routes[2];
        nd_output_conf oc = {.event_topic = "ignored",
                             .dead_letter_topic = "news.dlq",
                             .source = "urn:newsd:g",
                             .dataschema = "s"};
        nd_fanout_conf fc = {&oc, out, routes, 2, "news.entities"};
        nd_output_input in = {.topic = "news.raw", .partition = 2, .offset = 9};
        nd_fanout_rec *recs;
        size_t n;

        (void)state;
        routes[0] = route("desk.he", "language", "he");
        routes[1] = route("desk.ar", "language", "ar");
        assert_int_equal(nd_fanout_build(&fc, &in, "https://example.com/a", ev,
                                         &recs, &n, errstr, sizeof(errstr)),
                         ND_OK);
        /* news.he, desk.he (desk.ar does not match), two entities. */
        assert_int_equal(n, 4);
        assert_string_equal(recs[0].out.topic, "news.he");
        assert_string_equal(recs[1].out.topic, "desk.he");
        for (size_t i = 0; i < 2; i++) {
                assert_false(recs[i].entity);
                assert_memory_equal(recs[i].out.key, "https://example.com/a",
                                    recs[i].out.key_len);
                assert_string_equal(
                    header(&recs[i].out, "ce_id", buf, sizeof(buf)),
                    "news.raw-2-9");
        }
        assert_true(recs[2].entity && recs[3].entity);
        assert_string_equal(recs[2].out.topic, "news.entities");
        assert_memory_equal(recs[2].out.key, "urn:x:paris", 11);
        assert_memory_equal(recs[3].out.key, "urn:x:rome", 10);
        nd_fanout_free(recs, n);

        /* Entity stream off: the events only. */
        fc.entities = NULL;
        assert_int_equal(nd_fanout_build(&fc, &in, "https://example.com/a", ev,
                                         &recs, &n, errstr, sizeof(errstr)),
                         ND_OK);
        assert_int_equal(n, 2);
        nd_fanout_free(recs, n);
        for (size_t i = 0; i < 2; i++)
                nd_route_clear(&routes[i]);
        nd_template_destroy(out);
        json_decref(ev);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_records),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
