/* Tests for src/service/entity_stream.c: sentences cut at their bounds
 * from code point offsets, keys, and the records built from an event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/entity_stream.h"

static void
expect_sentence(const char *text, size_t start, size_t end, const char *want)
{
        char *got = nd_entity_sentence(text, strlen(text), start, end);

        if (!want) {
                assert_null(got);
                return;
        }
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
}

static void
test_sentences(void **state)
{
        static const char *const text =
            "Intro here. Paris is big! Then more.\nNext line about Rome";

        (void)state;
        /* "Paris" is code points 12-17. */
        expect_sentence(text, 12, 17, "Paris is big!");
        /* After a line break, up to the end of the text. */
        expect_sentence(text, 53, 57, "Next line about Rome");
        /* The first sentence. */
        expect_sentence(text, 0, 5, "Intro here.");
        /* Offsets count code points, not bytes: ירושלים is 11-18. */
        expect_sentence("שלום עולם. ירושלים יפה. סוף", 11, 18, "ירושלים יפה.");
        expect_sentence("مرحبا؟ القدس جميلة", 7, 12, "القدس جميلة");
        /* CJK full stops end a sentence without a blank: パリ is 7-9. */
        expect_sentence("東京は大きい。パリも。", 7, 9, "パリも。");
        /* Outside the text, or empty. */
        expect_sentence(text, 55, 80, NULL);
        expect_sentence(text, 12, 12, NULL);
}

/* A sentence longer than ND_ENTITY_SENTENCE_MAX is cut at word bounds
 * around the mention. */
static void
test_long_sentence_cut(void **state)
{
        nd_buf b = {0};
        char *got;

        (void)state;
        /* "w w ... w X w ... w.": X at code point 600. */
        for (int i = 0; i < 300; i++)
                nd_buf_appends(&b, "w ");
        nd_buf_appends(&b, "X");
        for (int i = 0; i < 300; i++)
                nd_buf_appends(&b, " w");
        nd_buf_appends(&b, ".");
        got = nd_entity_sentence(b.p, b.len, 600, 601);
        assert_non_null(got);
        /* From the first word after 150 code points back (452) to the last
         * blank before 400 code points from there (851): 399. */
        assert_int_equal(strlen(got), 399);
        assert_memory_equal(got, "w w", 3);
        assert_string_equal(got + 396, "w w");
        assert_non_null(strstr(got, " X "));
        assert_int_equal(strstr(got, "X") - got, 600 - 452);
        free(got);
        nd_buf_free(&b);
}

static json_t *
load(const char *text)
{
        json_error_t jerr;
        json_t *e = json_loads(text, 0, &jerr);

        if (!e)
                fail_msg("%s", jerr.text);
        return e;
}

static void
test_keys(void **state)
{
        json_t *a = load("{\"uri\": \"http://www.wikidata.org/entity/Q90\", "
                         "\"type\": \"place\", \"name\": \"Paris\"}");
        json_t *b = load("{\"type\": \"person\", \"name\": \"Dana Cohen/2\"}");
        char *ka = nd_entity_key(a), *kb = nd_entity_key(b);

        (void)state;
        assert_string_equal(ka, "http://www.wikidata.org/entity/Q90");
        assert_string_equal(kb, "urn:newsd:entity:person:Dana%20Cohen%2F2");
        free(ka);
        free(kb);
        json_decref(a);
        json_decref(b);
}

static const char *const event =
    "{\"article\": {\"uri\": \"https://example.com/a\", \"bodies\": "
    "[{\"role\": \"main\", \"value\": \"Intro here. Paris is big! Then "
    "more.\"}]},"
    " \"analysis\": {\"structure\": {\"title\": \"Rome and Paris\"},"
    " \"entities\": ["
    "{\"type\": \"place\", \"name\": \"Paris\", \"uri\": \"urn:x:paris\","
    " \"count\": 2, \"salience\": 0.5, \"mentions\": ["
    "{\"field\": \"title\", \"start\": 9, \"end\": 14},"
    "{\"field\": \"body\", \"start\": 12, \"end\": 17}]},"
    "{\"type\": \"place\", \"name\": \"Rome\", \"count\": 1, "
    "\"salience\": 1, \"mentions\": ["
    "{\"field\": \"title\", \"start\": 0, \"end\": 4}]}]}}";

static void
test_record(void **state)
{
        json_t *ev = load(event);
        json_t *ents =
            json_object_get(json_object_get(ev, "analysis"), "entities");
        json_t *want = load(
            "{\"uri\": \"urn:x:paris\", \"type\": \"place\", \"name\": "
            "\"Paris\", \"article_uri\": \"https://example.com/a\", "
            "\"ce_id\": \"news.raw-0-7\", \"count\": 2, \"salience\": 0.5, "
            "\"sentence\": \"Paris is big!\", \"mention\": {\"field\": "
            "\"body\", \"start\": 12, \"end\": 17}}");
        /* Only a title mention: the title is its sentence. */
        json_t *want2 =
            load("{\"uri\": \"urn:newsd:entity:place:Rome\", \"type\": "
                 "\"place\", \"name\": \"Rome\", \"article_uri\": "
                 "\"https://example.com/a\", \"ce_id\": \"news.raw-0-7\", "
                 "\"count\": 1, \"salience\": 1, \"sentence\": \"Rome and "
                 "Paris\", \"mention\": {\"field\": \"title\", \"start\": 0, "
                 "\"end\": 4}}");
        json_t *got =
            nd_entity_record(json_array_get(ents, 0), ev, "news.raw-0-7");
        json_t *got2 =
            nd_entity_record(json_array_get(ents, 1), ev, "news.raw-0-7");

        (void)state;
        assert_true(json_equal(got, want));
        assert_true(json_equal(got2, want2));
        json_decref(got);
        json_decref(got2);
        json_decref(want);
        json_decref(want2);
        json_decref(ev);
}

/* The Kafka records: one per entity, keyed by the entity, with
 * CloudEvents headers naming the article's event. */
static void
test_records(void **state)
{
        json_t *ev = load(event);
        nd_output_conf oc = {.source = "urn:newsd:g"};
        nd_output_input in = {.topic = "news.raw", .partition = 0, .offset = 7};
        nd_outrec *recs = NULL;
        size_t n = 0;
        char errstr[256];
        const void *v;
        size_t vl;

        (void)state;
        assert_int_equal(nd_entity_records(&oc, "news.entities", &in, ev, &recs,
                                           &n, errstr, sizeof(errstr)),
                         ND_OK);
        assert_int_equal(n, 2);
        assert_string_equal(recs[0].topic, "news.entities");
        assert_int_equal(recs[0].key_len, strlen("urn:x:paris"));
        assert_memory_equal(recs[0].key, "urn:x:paris", recs[0].key_len);
        assert_int_equal(
            rd_kafka_header_get_last(recs[0].headers, "ce_id", &v, &vl), 0);
        assert_int_equal(vl, strlen("news.raw-0-7/urn:x:paris"));
        assert_memory_equal(v, "news.raw-0-7/urn:x:paris", vl);
        assert_int_equal(
            rd_kafka_header_get_last(recs[1].headers, "ce_subject", &v, &vl),
            0);
        assert_int_equal(vl, strlen("urn:newsd:entity:place:Rome"));
        assert_memory_equal(v, "urn:newsd:entity:place:Rome", vl);
        assert_int_equal(
            rd_kafka_header_get_last(recs[1].headers, "ce_type", &v, &vl), 0);
        assert_memory_equal(v, ND_ENTITY_CE_TYPE, vl);
        for (size_t i = 0; i < n; i++)
                nd_outrec_clear(&recs[i]);
        free(recs);
        json_decref(ev);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_sentences),
            cmocka_unit_test(test_long_sentence_cut),
            cmocka_unit_test(test_keys),
            cmocka_unit_test(test_record),
            cmocka_unit_test(test_records),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
