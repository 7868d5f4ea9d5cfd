/* Tests for src/pipeline/ingest.c: sniffing, JSON aliases, bad JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/ingest.h"

static nd_err
ingest(nd_doc *doc, const char *s, const char *ct, char *errstr, size_t n)
{
        memset(doc, 0, sizeof(*doc));
        return nd_ingest(doc, s, strlen(s), ct, ND_FORMAT_AUTO, 32, errstr, n);
}

static void
test_sniff(void **state)
{
        (void)state;
        assert_int_equal(nd_ingest_sniff("  {\"a\":1}", 9, NULL),
                         ND_FORMAT_JSON);
        assert_int_equal(nd_ingest_sniff("\xEF\xBB\xBF{}", 5, NULL),
                         ND_FORMAT_JSON);
        assert_int_equal(nd_ingest_sniff("<!DOCTYPE html><p>", 18, NULL),
                         ND_FORMAT_HTML);
        assert_int_equal(nd_ingest_sniff("<b>Title</b>", 12, NULL),
                         ND_FORMAT_TEXT);
        assert_int_equal(nd_ingest_sniff("Title\n\nBody", 11, NULL),
                         ND_FORMAT_TEXT);
        /* The header wins over the bytes. */
        assert_int_equal(nd_ingest_sniff("{}", 2, "text/plain; charset=utf-8"),
                         ND_FORMAT_TEXT);
        assert_int_equal(nd_ingest_sniff("x", 1, "Application/JSON"),
                         ND_FORMAT_JSON);
}

static void
test_json_aliases(void **state)
{
        nd_doc doc;
        char err[256];

        (void)state;
        assert_int_equal(
            ingest(&doc,
                   "{\"title\":\"T\",\"maintext\":\"Body\",\"url\":\"u\","
                   "\"date_publish\":\"2023-03-01 12:00:00\","
                   "\"authors\":[\"A\",\"B\"],\"hostname\":\"h.example\","
                   "\"id\":42,\"language\":\"de\",\"description\":\"D\"}",
                   NULL, err, sizeof(err)),
            ND_OK);
        assert_string_equal(doc.title, "T");
        assert_string_equal(doc.text, "Body");
        assert_int_equal(doc.text_len, 4);
        assert_string_equal(doc.url, "u");
        assert_string_equal(doc.published, "2023-03-01 12:00:00");
        assert_int_equal(doc.authors.n, 2);
        assert_string_equal(doc.authors.v[1], "B");
        assert_string_equal(doc.source, "h.example");
        assert_string_equal(doc.id, "42");
        assert_string_equal(doc.language, "de");
        assert_string_equal(doc.description, "D");
        nd_doc_clear(&doc);

        /* The other aliases. */
        assert_int_equal(ingest(&doc,
                                "{\"content\":\"C\",\"published_at\":\"x\","
                                "\"author\":\"Solo\",\"sitename\":\"S\"}",
                                NULL, err, sizeof(err)),
                         ND_OK);
        assert_string_equal(doc.text, "C");
        assert_string_equal(doc.published, "x");
        assert_string_equal(doc.authors.v[0], "Solo");
        assert_string_equal(doc.source, "S");
        nd_doc_clear(&doc);
}

static void
test_bad_json(void **state)
{
        nd_doc doc;
        char err[256];
        char deep[200];

        (void)state;
        assert_int_equal(ingest(&doc, "{\"title\":", NULL, err, sizeof(err)),
                         ND_ERR_INVALID_JSON);
        assert_non_null(strstr(err, "line 1"));
        nd_doc_clear(&doc);
        assert_int_equal(
            ingest(&doc, "[1,2]", "application/json", err, sizeof(err)),
            ND_ERR_INVALID_JSON);
        assert_non_null(strstr(err, "object"));
        nd_doc_clear(&doc);
        assert_int_equal(
            ingest(&doc, "{\"title\":{\"x\":1}}", NULL, err, sizeof(err)),
            ND_ERR_INVALID_FIELD);
        assert_non_null(strstr(err, "title"));
        nd_doc_clear(&doc);

        /* 40 levels against a limit of 32. */
        memset(deep, 0, sizeof(deep));
        strcpy(deep, "{\"a\":");
        for (int i = 0; i < 40; i++)
                strcat(deep, "[");
        for (int i = 0; i < 40; i++)
                strcat(deep, "]");
        strcat(deep, "}");
        assert_int_equal(ingest(&doc, deep, NULL, err, sizeof(err)),
                         ND_ERR_INVALID_JSON);
        assert_non_null(strstr(err, "deeper"));
        nd_doc_clear(&doc);
}

static void
test_html_and_unknown_type(void **state)
{
        nd_doc doc;
        char err[256];

        (void)state;
        assert_int_equal(
            ingest(&doc, "<html><body>x</body></html>", NULL, err, sizeof(err)),
            ND_ERR_UNSUPPORTED_FORMAT);
        nd_doc_clear(&doc);
        assert_int_equal(
            ingest(&doc, "%PDF-1.4", "application/pdf", err, sizeof(err)),
            ND_ERR_UNSUPPORTED_FORMAT);
        assert_non_null(strstr(err, "application/pdf"));
        nd_doc_clear(&doc);
}

static void
test_plain_text_keeps_nul(void **state)
{
        nd_doc doc;
        char err[256];

        (void)state;
        memset(&doc, 0, sizeof(doc));
        assert_int_equal(nd_ingest(&doc, "a\0b", 3, NULL, ND_FORMAT_TEXT, 32,
                                   err, sizeof(err)),
                         ND_OK);
        assert_int_equal(doc.text_len, 3);
        assert_memory_equal(doc.text, "a\0b", 3);
        nd_doc_clear(&doc);
}

static void
test_parse_time(void **state)
{
        char out[32];

        (void)state;
        assert_true(
            nd_ingest_parse_time("2023-03-01T12:00:00Z", out, sizeof(out)));
        assert_string_equal(out, "2023-03-01T12:00:00Z");
        assert_true(nd_ingest_parse_time("2023-03-01T14:30:00+02:30", out,
                                         sizeof(out)));
        assert_string_equal(out, "2023-03-01T12:00:00Z");
        assert_true(nd_ingest_parse_time("2023-03-01 00:15:00.123-01:00", out,
                                         sizeof(out)));
        assert_string_equal(out, "2023-03-01T01:15:00Z");
        assert_true(nd_ingest_parse_time("2024-02-29", out, sizeof(out)));
        assert_string_equal(out, "2024-02-29T00:00:00Z");
        assert_false(nd_ingest_parse_time("2023-02-30", out, sizeof(out)));
        assert_false(nd_ingest_parse_time("yesterday", out, sizeof(out)));
        assert_false(
            nd_ingest_parse_time("2023-03-01T25:00:00Z", out, sizeof(out)));
        assert_false(
            nd_ingest_parse_time("2023-03-01T12:00:00Zjunk", out, sizeof(out)));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_sniff),
            cmocka_unit_test(test_json_aliases),
            cmocka_unit_test(test_bad_json),
            cmocka_unit_test(test_html_and_unknown_type),
            cmocka_unit_test(test_plain_text_keeps_nul),
            cmocka_unit_test(test_parse_time),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
