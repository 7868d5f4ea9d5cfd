/* Tests for src/pipeline/pipeline.c and event.c: one article to one event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/pipeline.h"

static nd_pipeline *
new_pipeline(size_t max_bytes)
{
        nd_pipeline_conf conf;
        char err[256];
        nd_pipeline *p;

        nd_pipeline_conf_init(&conf);
        conf.data_dir = getenv("NEWSD_DATA_DIR");
        if (max_bytes)
                conf.max_article_bytes = max_bytes;
        p = nd_pipeline_new(&conf, err, sizeof(err));
        if (!p)
                fail_msg("nd_pipeline_new: %s", err);
        return p;
}

static nd_err
run(nd_pipeline *p, const char *value, nd_result *res)
{
        nd_input in;

        nd_input_init(&in);
        in.value = value;
        in.len = strlen(value);
        in.prov.topic = "news.raw";
        in.prov.partition = 3;
        in.prov.offset = 17;
        return nd_pipeline_process(p, &in, res);
}

static const char *
path_str(json_t *root, const char *a, const char *b)
{
        return json_string_value(json_object_get(json_object_get(root, a), b));
}

static void
test_json_article(void **state)
{
        nd_pipeline *p = new_pipeline(0);
        nd_result res;
        json_t *article, *body;

        (void)state;
        assert_int_equal(
            run(p,
                "{\"title\":\"Headline\",\"text\":\"First paragraph.\\n\\n"
                "Second paragraph.\",\"url\":\"HTTPS://Example.com/a?"
                "utm_source=x#top\",\"published\":\"2023-03-01T12:00:00Z\","
                "\"id\":\"abc\",\"authors\":[\"Jane Roe\"]}",
                &res),
            ND_OK);
        assert_string_equal(res.uri, "https://example.com/a");
        article = json_object_get(res.event, "article");
        assert_string_equal(path_str(res.event, "article", "uri"),
                            "https://example.com/a");
        assert_string_equal(path_str(res.event, "article", "type"), "text");
        assert_string_equal(path_str(res.event, "article", "firstCreated"),
                            "2023-03-01T12:00:00Z");
        assert_string_equal(path_str(res.event, "article", "by"), "Jane Roe");
        assert_string_equal(
            json_string_value(json_object_get(
                json_array_get(json_object_get(article, "headlines"), 0),
                "value")),
            "Headline");
        body = json_array_get(json_object_get(article, "bodies"), 0);
        assert_string_equal(json_string_value(json_object_get(body, "role")),
                            "main");
        assert_non_null(
            strstr(json_string_value(json_object_get(body, "value")),
                   "Second paragraph."));
        assert_string_equal(path_str(res.event, "provenance", "topic"),
                            "news.raw");
        assert_int_equal(
            json_integer_value(json_object_get(
                json_object_get(res.event, "provenance"), "offset")),
            17);
        assert_int_equal(
            strlen(json_string_value(json_object_get(
                json_object_get(json_object_get(res.event, "analysis"),
                                "fingerprints"),
                "sha256"))),
            64);
        nd_result_clear(&res);
        nd_pipeline_destroy(p);
}

static void
test_urn_without_url(void **state)
{
        nd_pipeline *p = new_pipeline(0);
        nd_result a, b;

        (void)state;
        assert_int_equal(run(p, "Title\n\nSame body text.", &a), ND_OK);
        assert_int_equal(run(p,
                             "{\"title\":\"Other\",\"text\":"
                             "\"Same body text.\"}",
                             &b),
                         ND_OK);
        assert_int_equal(strncmp(a.uri, "urn:newsd:sha256:", 17), 0);
        assert_int_equal(strlen(a.uri), 17 + 64);
        /* The urn is over the body only, so both agree. */
        assert_string_equal(a.uri, b.uri);
        nd_result_clear(&a);
        nd_result_clear(&b);
        nd_pipeline_destroy(p);
}

static void
test_errors(void **state)
{
        nd_pipeline *p = new_pipeline(64);
        nd_result res;
        char big[200];

        (void)state;
        assert_int_equal(run(p, "", &res), ND_ERR_EMPTY_BODY);
        assert_null(res.event);
        nd_result_clear(&res);
        assert_int_equal(run(p, "{\"title\":\"only a title\"}", &res),
                         ND_ERR_EMPTY_BODY);
        nd_result_clear(&res);
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(run(p, big, &res), ND_ERR_TOO_LARGE);
        assert_non_null(strstr(res.errstr, "64"));
        nd_result_clear(&res);
        assert_int_equal(run(p, "{nope", &res), ND_ERR_INVALID_JSON);
        assert_true(strlen(res.errstr) > 0);
        nd_result_clear(&res);
        nd_pipeline_destroy(p);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_json_article),
            cmocka_unit_test(test_urn_without_url),
            cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
