/* Tests for src/pipeline/stage_entities.c on hand-made sentences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "stage_helper.h"

extern const nd_stage_ops nd_stage_entities;

static void *state;

static int
setup(void **s)
{
        (void)s;
        state = helper_create(&nd_stage_entities, NULL);
        return 0;
}

static int
teardown(void **s)
{
        (void)s;
        nd_stage_entities.destroy(state);
        return 0;
}

/* Runs the stage; returns the entity named @p name (borrowed from doc) or
 * NULL. */
static json_t *
entity(nd_doc *doc, const char *name)
{
        json_t *ents = json_object_get(doc->analysis, "entities"), *e;
        size_t i;

        json_array_foreach(
            ents, i,
            e) if (strcmp(json_string_value(json_object_get(e, "name")),
                          name) == 0) return e;
        return NULL;
}

static size_t
count_of(nd_doc *doc, const char *name)
{
        json_t *e = entity(doc, name);

        return e ? (size_t)json_integer_value(json_object_get(e, "count")) : 0;
}

static void
run(nd_doc *doc, const char *title, const char *body)
{
        char err[256];

        helper_doc(doc, title, body, NULL);
        assert_int_equal(nd_stage_entities.run(state, doc, err, sizeof(err)),
                         ND_OK);
}

static void
test_names_and_short_aliases(void **s)
{
        nd_doc doc;
        json_t *m;

        (void)s;
        run(&doc, "Putin in Beijing",
            "Xi arrived first. Vladimir Putin met Xi Jinping on Monday. "
            "Putin said Xi was a friend.");
        /* "Putin" in the title comes before the full name: not counted;
         * in the body after it: counted. */
        assert_int_equal(count_of(&doc, "Vladimir Putin"), 2);
        /* The first "Xi" is before "Xi Jinping". */
        assert_int_equal(count_of(&doc, "Xi Jinping"), 2);
        assert_int_equal(count_of(&doc, "Beijing"), 1);
        m = json_array_get(json_object_get(entity(&doc, "Beijing"), "mentions"),
                           0);
        assert_string_equal(json_string_value(json_object_get(m, "field")),
                            "title");
        assert_int_equal(json_integer_value(json_object_get(m, "start")), 9);
        assert_int_equal(json_integer_value(json_object_get(m, "end")), 16);
        assert_string_equal(
            json_string_value(json_object_get(
                json_array_get(json_object_get(doc.article, "people"), 0),
                "rel")),
            "mentioned");
        nd_doc_clear(&doc);
}

static void
test_word_boundaries_and_case(void **s)
{
        nd_doc doc;

        (void)s;
        /* Names inside words, and lower-case words that are names
         * elsewhere, are not entities. */
        run(&doc, NULL,
            "Iranian and Russians met. A china cup and a turkey dinner. "
            "Я знаю того человека. Spainish is not a word.");
        assert_int_equal(
            json_array_size(json_object_get(doc.analysis, "entities")), 0);
        nd_doc_clear(&doc);
        /* Code point offsets: Ü is one code point, two bytes. */
        run(&doc, NULL, "Über Berlin.");
        assert_int_equal(
            json_integer_value(json_object_get(
                json_array_get(
                    json_object_get(entity(&doc, "Berlin"), "mentions"), 0),
                "start")),
            5);
        nd_doc_clear(&doc);
}

static void
test_hebrew_arabic_clitics(void **s)
{
        nd_doc doc;

        (void)s;
        run(&doc, NULL, "סין ובלארוס נפגשו בבייג'ינג. שיתוף פעולה ושי לא.");
        assert_int_equal(count_of(&doc, "Belarus"), 1);
        assert_int_equal(count_of(&doc, "Beijing"), 1);
        assert_int_equal(count_of(&doc, "China"), 1);
        assert_null(entity(&doc, "Xi Jinping"));
        nd_doc_clear(&doc);
        run(&doc, NULL, "زار الرئيس والصين ثم سافر للصين وروسيا.");
        assert_int_equal(count_of(&doc, "China"), 2);
        assert_int_equal(count_of(&doc, "Russia"), 1);
        nd_doc_clear(&doc);
}

static void
test_names_that_are_words(void **s)
{
        nd_doc doc;

        (void)s;
        /* הודו as "they admitted": no India; as a place after ב or in a
         * list of countries: India. */
        run(&doc, NULL,
            "השוטרים הודו כי טעו. הוא טס להודו. "
            "הקבוצה כוללת את סין, הודו ופקיסטן.");
        assert_int_equal(count_of(&doc, "India"), 2);
        nd_doc_clear(&doc);
        run(&doc, NULL,
            "Jordan scored twice. The King of Jordan visited "
            "Egypt.");
        assert_int_equal(count_of(&doc, "Jordan"), 1);
        nd_doc_clear(&doc);
}

static void
test_glued_names(void **s)
{
        nd_doc doc;

        (void)s;
        run(&doc, NULL,
            "ביקורו של בעל בריתו של נשיא רוסיהולדימיר "
            "פוטיןמתרחש היום.");
        assert_int_equal(count_of(&doc, "Vladimir Putin"), 1);
        assert_int_equal(count_of(&doc, "Russia"), 1);
        nd_doc_clear(&doc);
        /* Without a long name beside it, a glued country is not found. */
        run(&doc, NULL, "נשיא רוסיהוזה מתרחש.");
        assert_null(entity(&doc, "Russia"));
        nd_doc_clear(&doc);
}

static void
test_info_sources(void **s)
{
        nd_doc doc;
        json_t *srcs;

        (void)s;
        run(&doc, NULL,
            "Talks resumed on Monday (dpa). The BBC studio was closed. "
            "According to Reuters, prices rose.");
        srcs = json_object_get(doc.article, "infoSources");
        assert_int_equal(json_array_size(srcs), 2);
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(srcs, 0), "name")),
            "dpa");
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(srcs, 1), "name")),
            "Reuters");
        assert_non_null(entity(&doc, "BBC"));
        nd_doc_clear(&doc);
        /* Already named by the structure stage: not repeated. */
        helper_doc(&doc, NULL, "Talks resumed (dpa).", NULL);
        nd_strvec_push(&doc.info_sources, "dpa");
        {
                char err[256];
                assert_int_equal(
                    nd_stage_entities.run(state, &doc, err, sizeof(err)),
                    ND_OK);
        }
        assert_null(json_object_get(doc.article, "infoSources"));
        nd_doc_clear(&doc);
}

static void
test_user_entities(void **s)
{
        char dir[] = "/tmp/newsd-ents-XXXXXX", sub[64], path[80];
        void *st;
        nd_doc doc;
        FILE *fp;
        char err[256];

        (void)s;
        assert_non_null(mkdtemp(dir));
        snprintf(sub, sizeof(sub), "%s/entities", dir);
        assert_int_equal(mkdir(sub, 0700), 0);
        snprintf(path, sizeof(path), "%s/mine.tsv", sub);
        fp = fopen(path, "w");
        assert_non_null(fp);
        fputs("-\tperson\tJane Roe\tGB\ten:Jane Roe|de:Johanna Roe\ten:Roe\n",
              fp);
        fclose(fp);
        st = helper_create(&nd_stage_entities, dir);
        helper_doc(&doc, NULL, "Johanna Roe sprach. Roe ging.", NULL);
        assert_int_equal(nd_stage_entities.run(st, &doc, err, sizeof(err)),
                         ND_OK);
        assert_int_equal(count_of(&doc, "Jane Roe"), 2);
        nd_doc_clear(&doc);
        nd_stage_entities.destroy(st);
        unlink(path);
        rmdir(sub);
        rmdir(dir);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_names_and_short_aliases),
            cmocka_unit_test(test_word_boundaries_and_case),
            cmocka_unit_test(test_hebrew_arabic_clitics),
            cmocka_unit_test(test_names_that_are_words),
            cmocka_unit_test(test_glued_names),
            cmocka_unit_test(test_info_sources),
            cmocka_unit_test(test_user_entities),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
