/* Tests for src/pipeline/stage_language.c and cld2_wrap.cc: language,
 * script, direction, declared language, and the measured accuracy on the
 * test set tests/data/langid/texts.jsonl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/langid.h"
#include "stage_util.h"

extern const nd_stage_ops nd_stage_language;

/* Runs the stage on @p body (with @p declared) and returns analysis.language
 * (owned by @p doc). */
static json_t *
detect(void *st, nd_doc *doc, const char *body, const char *declared)
{
        doc_with_body(doc, body);
        if (declared)
                doc->language = strdup(declared);
        stage_run(&nd_stage_language, st, doc);
        return json_object_get(doc->analysis, "language");
}

static const char *
str(json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

static void
check_script(const char *text, const char *script, bool rtl)
{
        nd_script_info si;

        nd_script_dominant(text, strlen(text), &si);
        if (strcmp(si.code, script) != 0 || si.rtl != rtl)
                fail_msg("\"%s\": script %s rtl %d, expected %s rtl %d", text,
                         si.code, si.rtl, script, rtl);
}

static void
test_scripts(void **state)
{
        (void)state;
        check_script("שלום לכולם", "Hebr", true);
        check_script("مرحبا بالعالم", "Arab", true);
        check_script("سلام دنیا", "Arab", true); /* Persian */
        check_script("ހެލޯ", "Thaa", true);
        check_script("Привет, мир", "Cyrl", false);
        check_script("我们喜欢音乐", "Hani", false);
        check_script("私は学生です", "Jpan", false);
        check_script("안녕하세요", "Hang", false);
        check_script("大韓民國 만세", "Kore", false);
        check_script("ฉันกินข้าว", "Thai", false);
        check_script("नमस्ते दुनिया", "Deva", false);
        check_script("Hello, world", "Latn", false);
        /* Mixed: the script of most letters wins; digits and punctuation
         * do not count. */
        check_script("הנשיא ביידן (Biden) 2024", "Hebr", true);
        check_script("The word שלום means peace", "Latn", false);
        check_script("1234 -- !!", "Zyyy", false);
        check_script("", "Zyyy", false);
        /* One katakana word (3 of 37 letters) does not make Chinese text
         * Japanese. */
        check_script(
            "我们在北京和上海的公司都非常喜欢使用日本的ソニー产品和服务"
            "以及其他电子设备",
            "Hani", false);
}

static void
test_hebrew(void **state)
{
        void *st = stage_new(&nd_stage_language, NULL);
        nd_doc doc;
        json_t *l = detect(st, &doc,
                           "ממשלת ישראל אישרה אמש את תקציב המדינה לשנה הבאה "
                           "לאחר דיון ארוך שנמשך עד שעות הלילה המאוחרות.",
                           NULL);

        (void)state;
        assert_string_equal(str(l, "code"), "he"); /* not CLD2's "iw" */
        assert_string_equal(str(l, "script"), "Hebr");
        assert_string_equal(str(l, "direction"), "rtl");
        assert_true(json_is_true(json_object_get(l, "reliable")));
        assert_true(json_real_value(json_object_get(l, "confidence")) > 0.5);
        assert_true(json_array_size(json_object_get(l, "candidates")) >= 1);
        assert_null(json_object_get(l, "declared"));
        nd_doc_clear(&doc);
        nd_stage_language.destroy(st);
}

static void
test_declared(void **state)
{
        void *st = stage_new(&nd_stage_language, NULL);
        const char *de = "Die Bundesregierung hat am Mittwoch ein neues Gesetz "
                         "zur Förderung erneuerbarer Energien beschlossen.";
        nd_doc doc;
        json_t *l;

        (void)state;
        l = detect(st, &doc, de, "en");
        assert_string_equal(str(l, "code"), "de");
        assert_string_equal(str(l, "declared"), "en");
        assert_true(
            json_is_true(json_object_get(l, "disagrees_with_declared")));
        nd_doc_clear(&doc);

        l = detect(st, &doc, de, "de-AT");
        assert_true(
            json_is_false(json_object_get(l, "disagrees_with_declared")));
        nd_doc_clear(&doc);

        /* The deprecated code of the input agrees with the current one. */
        l = detect(st, &doc,
                   "סערת חורף עזה פקדה את צפון הארץ ביום שלישי וגרמה להצפות "
                   "בכבישים רבים.",
                   "iw");
        assert_string_equal(str(l, "code"), "he");
        assert_true(
            json_is_false(json_object_get(l, "disagrees_with_declared")));
        nd_doc_clear(&doc);
        nd_stage_language.destroy(st);
}

/* Too little text is no answer: "und", unreliable, confidence 0, and no
 * disagreement with a declared language can be claimed. */
static void
test_short_text(void **state)
{
        void *st = stage_new(&nd_stage_language, NULL);
        nd_doc doc;
        json_t *l;

        (void)state;
        l = detect(st, &doc, "OK", "fr");
        assert_string_equal(str(l, "code"), "und");
        assert_true(json_is_false(json_object_get(l, "reliable")));
        assert_true(json_real_value(json_object_get(l, "confidence")) == 0);
        assert_true(
            json_is_false(json_object_get(l, "disagrees_with_declared")));
        assert_string_equal(str(l, "script"), "Latn");
        nd_doc_clear(&doc);

        l = detect(st, &doc, "12 345 678", NULL);
        assert_string_equal(str(l, "code"), "und");
        assert_string_equal(str(l, "script"), "Zyyy");
        assert_string_equal(str(l, "direction"), "ltr");
        nd_doc_clear(&doc);
        nd_stage_language.destroy(st);
}

/* Mixed languages: the main language wins and the other is a candidate. */
static void
test_mixed(void **state)
{
        void *st = stage_new(&nd_stage_language, NULL);
        nd_doc doc;
        json_t *l, *c;
        bool has_en = false;

        (void)state;
        l = detect(st, &doc,
                   "Правительство утвердило новую программу поддержки малого "
                   "бизнеса, которая начнёт действовать с первого января. По "
                   "словам министра экономики, предприниматели смогут получить "
                   "льготные кредиты. The government approved a new support "
                   "programme for small businesses.",
                   NULL);
        assert_string_equal(str(l, "code"), "ru");
        assert_string_equal(str(l, "script"), "Cyrl");
        c = json_object_get(l, "candidates");
        for (size_t i = 0; i < json_array_size(c); i++)
                has_en |= strcmp(str(json_array_get(c, i), "code"), "en") == 0;
        assert_true(has_en);
        nd_doc_clear(&doc);
        nd_stage_language.destroy(st);
}

static void
test_lang_codes(void **state)
{
        (void)state;
        assert_string_equal(nd_lang_modern("iw"), "he");
        assert_string_equal(nd_lang_modern("in"), "id");
        assert_string_equal(nd_lang_modern("de"), "de");
        assert_true(nd_lang_same("he-IL", "iw"));
        assert_true(nd_lang_same("PT_br", "pt"));
        assert_false(nd_lang_same("uk", "ru"));
}

/* The quality figure: share of the test set's texts (200+ characters each)
 * identified as their language. */
static void
test_accuracy(void **state)
{
        const char *src = getenv("NEWSD_SOURCE_DIR");
        char path[4096], *line = NULL;
        size_t cap = 0, total = 0, right = 0;
        void *st = stage_new(&nd_stage_language, NULL);
        FILE *f;

        (void)state;
        snprintf(path, sizeof(path), "%s/tests/data/langid/texts.jsonl",
                 src ? src : ".");
        f = fopen(path, "r");
        if (!f)
                fail_msg("cannot open %s", path);
        while (getline(&line, &cap, f) > 0) {
                json_t *o = json_loads(line, 0, NULL);
                const char *lang = str(o, "lang"), *text = str(o, "text");
                nd_doc doc;
                const char *got;

                assert_non_null(lang);
                assert_non_null(text);
                assert_true(strlen(text) >= 200);
                got = str(detect(st, &doc, text, NULL), "code");
                total++;
                if (nd_lang_same(got, lang))
                        right++;
                else
                        printf("# wrong: %s text identified as %s\n", lang,
                               got);
                nd_doc_clear(&doc);
                json_decref(o);
        }
        free(line);
        fclose(f);
        nd_stage_language.destroy(st);
        printf("# language accuracy: %zu/%zu = %.1f%%\n", right, total,
               total ? 100.0 * right / total : 0);
        assert_true(total >= 60);
        assert_true(right * 100 >= total * 95);
}

/* Through the whole pipeline: ninjs article.language and the result's
 * language (a record header in the service) are the detected language,
 * not the declared one. */
static void
test_pipeline_language(void **state)
{
        const char *in = "{\"title\":\"סערה בצפון\",\"language\":\"en\","
                         "\"text\":\"סערת חורף עזה פקדה את צפון הארץ ביום "
                         "שלישי וגרמה להצפות בכבישים רבים. המשטרה הודיעה על "
                         "סגירת כמה צירים מרכזיים.\"}";
        nd_pipeline_conf conf;
        nd_pipeline *p;
        nd_input input;
        nd_result res;
        char err[256];
        json_t *lang;

        (void)state;
        nd_pipeline_conf_init(&conf);
        conf.data_dir = getenv("NEWSD_DATA_DIR");
        p = nd_pipeline_new(&conf, err, sizeof(err));
        if (!p)
                fail_msg("nd_pipeline_new: %s", err);
        nd_input_init(&input);
        input.value = in;
        input.len = strlen(in);
        assert_int_equal(nd_pipeline_process(p, &input, &res), ND_OK);
        assert_string_equal(res.language, "he");
        assert_string_equal(
            str(json_object_get(res.event, "article"), "language"), "he");
        lang =
            json_object_get(json_object_get(res.event, "analysis"), "language");
        assert_string_equal(str(lang, "declared"), "en");
        assert_true(
            json_is_true(json_object_get(lang, "disagrees_with_declared")));
        nd_result_clear(&res);
        nd_pipeline_destroy(p);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_scripts),
            cmocka_unit_test(test_hebrew),
            cmocka_unit_test(test_declared),
            cmocka_unit_test(test_short_text),
            cmocka_unit_test(test_mixed),
            cmocka_unit_test(test_lang_codes),
            cmocka_unit_test(test_pipeline_language),
            cmocka_unit_test(test_accuracy),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
