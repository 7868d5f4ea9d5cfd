/* Tests for src/pipeline/stage_keywords.c: stop words, stemming, weights,
 * Hebrew prefixes, language-aware lower-casing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stage_util.h"

extern const nd_stage_ops nd_stage_keywords;

static json_t *
keywords(void *st, nd_doc *doc, const char *title, const char *body,
         const char *lang)
{
        doc_with_body(doc, body);
        if (title)
                doc->title = strdup(title);
        if (lang)
                json_object_set_new(doc->analysis, "language",
                                    json_pack("{s:s}", "code", lang));
        stage_run(&nd_stage_keywords, st, doc);
        return json_object_get(doc->analysis, "keywords");
}

static json_t *
find_stem(json_t *kw, const char *stem)
{
        for (size_t i = 0; i < json_array_size(kw); i++) {
                json_t *k = json_array_get(kw, i);
                if (strcmp(json_string_value(json_object_get(k, "stem")),
                           stem) == 0)
                        return k;
        }
        return NULL;
}

static const char *
field(json_t *k, const char *key)
{
        return json_string_value(json_object_get(k, key));
}

static double
score(json_t *k)
{
        return json_real_value(json_object_get(k, "score"));
}

static json_int_t
count(json_t *k)
{
        return json_integer_value(json_object_get(k, "count"));
}

/* Weights worked out by hand: title 3, first paragraph 1.5, rest 1.
 *   erupt:   erupts (title 3) + erupted (lead 1.5) + erupt + eruption = 6.5
 *   volcano: Volcano (title 3) + volcano (lead 1.5) + Volcanoes = 5.5
 *   iceland: Iceland (title 3) + Iceland = 4
 * "in", "the", "on", "said", "was" and "Monday" are stop words. */
static void
test_english(void **state)
{
        void *st = stage_new(&nd_stage_keywords, NULL);
        nd_doc doc;
        json_t *kw, *k;

        (void)state;
        kw = keywords(st, &doc, "Volcano erupts in Iceland",
                      "The volcano erupted on Monday.\n\nVolcanoes in Iceland "
                      "erupt. Geologists said the eruption was brief.",
                      "en");
        k = json_array_get(kw, 0);
        assert_non_null(k);
        assert_string_equal(field(k, "stem"), "erupt");
        /* Four surface forms once each: the first one seen names it. */
        assert_string_equal(field(k, "term"), "erupts");
        assert_int_equal(count(k), 4);
        assert_true(score(k) == 1.0);

        k = json_array_get(kw, 1);
        assert_string_equal(field(k, "stem"), "volcano");
        assert_int_equal(count(k), 3);
        assert_true(score(k) > 0.845 && score(k) < 0.847); /* 5.5 / 6.5 */

        k = json_array_get(kw, 2);
        assert_string_equal(field(k, "term"), "iceland");
        assert_true(score(k) > 0.614 && score(k) < 0.616); /* 4 / 6.5 */

        assert_null(find_stem(kw, "the"));
        assert_null(find_stem(kw, "said"));
        assert_null(find_stem(kw, "monday"));
        assert_non_null(find_stem(kw, "geologist"));
        nd_doc_clear(&doc);
        nd_stage_keywords.destroy(st);
}

/* Hebrew prefixes come off only when the bare word occurs too. */
static void
test_hebrew_prefixes(void **state)
{
        void *st = stage_new(&nd_stage_keywords, NULL);
        nd_doc doc;
        json_t *kw, *k;

        (void)state;
        kw = keywords(st, &doc, NULL,
                      "בלארוס ובלארוס לבלארוס. לוקשנקו ביקר במינסק.", "he");
        k = json_array_get(kw, 0);
        assert_string_equal(field(k, "term"), "בלארוס");
        assert_int_equal(count(k), 3);
        /* ל is a prefix letter, but "וקשנקו" does not occur: whole. */
        k = find_stem(kw, "לוקשנקו");
        assert_non_null(k);
        assert_int_equal(count(k), 1);
        /* "מינסק" does not occur alone: "במינסק" stays as written. */
        assert_non_null(find_stem(kw, "במינסק"));
        assert_null(find_stem(kw, "ובלארוס"));
        nd_doc_clear(&doc);

        /* A stop word behind prefixes is a stop word: ו+ש+הוא, ו+לא. */
        kw = keywords(st, &doc, NULL, "ושהוא ולא שהוא בלארוס", "he");
        assert_int_equal(json_array_size(kw), 1);
        assert_string_equal(field(json_array_get(kw, 0), "term"), "בלארוס");
        nd_doc_clear(&doc);
        nd_stage_keywords.destroy(st);
}

/* Without a detected language the declared one is used; Turkish dotted
 * capital I lower-cases to a plain i only under Turkish rules. */
static void
test_declared_language_and_case(void **state)
{
        void *st = stage_new(&nd_stage_keywords, NULL);
        nd_doc doc;
        json_t *kw;

        (void)state;
        doc_with_body(&doc, "İSTANBUL İSTANBUL ve Ankara");
        doc.language = strdup("tr-TR");
        stage_run(&nd_stage_keywords, st, &doc);
        kw = json_object_get(doc.analysis, "keywords");
        assert_string_equal(field(json_array_get(kw, 0), "term"), "istanbul");
        assert_int_equal(count(json_array_get(kw, 0)), 2);
        /* "ve" (and) is a Turkish stop word. */
        assert_null(find_stem(kw, "ve"));
        nd_doc_clear(&doc);
        nd_stage_keywords.destroy(st);
}

/* Numbers and one-letter words are no keywords; at most ten come out. */
static void
test_filter_and_limit(void **state)
{
        void *st = stage_new(&nd_stage_keywords, NULL);
        nd_doc doc;
        json_t *kw;

        (void)state;
        kw = keywords(st, &doc, NULL,
                      "2024 x alpha bravo charlie delta echo foxtrot golf "
                      "hotel india juliett kilo lima",
                      NULL);
        assert_int_equal(json_array_size(kw), 10);
        assert_null(find_stem(kw, "2024"));
        assert_null(find_stem(kw, "x"));
        /* Equal weights: first occurrence first. */
        assert_string_equal(field(json_array_get(kw, 0), "term"), "alpha");
        nd_doc_clear(&doc);

        kw = keywords(st, &doc, NULL, "… 42 !", "en");
        assert_int_equal(json_array_size(kw), 0);
        nd_doc_clear(&doc);
        nd_stage_keywords.destroy(st);
}

static void
test_missing_data_dir(void **state)
{
        extern const nd_stage_ops nd_stage_keywords;
        nd_pipeline_conf conf;
        char err[256] = "";
        void *st = NULL;

        (void)state;
        nd_pipeline_conf_init(&conf);
        conf.data_dir = "/nonexistent";
        assert_int_equal(nd_stage_keywords.create(&st, &conf, err, sizeof(err)),
                         ND_ERR_DATA);
        assert_null(st);
        assert_non_null(strstr(err, "/nonexistent/stopwords"));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_english),
            cmocka_unit_test(test_hebrew_prefixes),
            cmocka_unit_test(test_declared_language_and_case),
            cmocka_unit_test(test_filter_and_limit),
            cmocka_unit_test(test_missing_data_dir),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
