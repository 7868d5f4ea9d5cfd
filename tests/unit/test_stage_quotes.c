/* Tests for src/pipeline/stage_quotes.c on hand-made sentences, with the
 * entities stage run first as in the pipeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stage_helper.h"

extern const nd_stage_ops nd_stage_entities;
extern const nd_stage_ops nd_stage_quotes;

static void *ents;

static int
setup(void **s)
{
        (void)s;
        ents = helper_create(&nd_stage_entities, NULL);
        return 0;
}

static int
teardown(void **s)
{
        (void)s;
        nd_stage_entities.destroy(ents);
        return 0;
}

static json_t *
quotes(const char *body)
{
        nd_doc doc;
        char err[256];
        json_t *q;

        helper_doc(&doc, NULL, body, NULL);
        assert_int_equal(nd_stage_entities.run(ents, &doc, err, sizeof(err)),
                         ND_OK);
        assert_int_equal(nd_stage_quotes.run(NULL, &doc, err, sizeof(err)),
                         ND_OK);
        q = json_incref(json_object_get(doc.analysis, "quotes"));
        nd_doc_clear(&doc);
        return q;
}

static void
expect(json_t *q, size_t i, const char *text, const char *speaker)
{
        json_t *o = json_array_get(q, i);

        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "text")),
                            text);
        if (speaker)
                assert_string_equal(
                    json_string_value(json_object_get(o, "speaker")), speaker);
        else
                assert_null(json_object_get(o, "speaker"));
}

static void
test_marks_and_speakers(void **s)
{
        json_t *q;

        (void)s;
        q = quotes("\"We will win,\" Vladimir Putin said on Monday. "
                   "Olaf Scholz replied: „Das glaube ich nicht.“ "
                   "« Nous verrons », a dit Emmanuel Macron.");
        assert_int_equal(json_array_size(q), 3);
        expect(q, 0, "We will win,", "Vladimir Putin");
        expect(q, 1, "Das glaube ich nicht.", "Olaf Scholz");
        expect(q, 2, "Nous verrons", "Emmanuel Macron");
        json_decref(q);
}

static void
test_previous_sentence_and_inside(void **s)
{
        json_t *q;

        (void)s;
        /* The speaker named in the sentence before; a person named inside
         * the quote is not its speaker. */
        q = quotes("Joe Biden spoke to reporters. \"I trust Olaf Scholz "
                   "completely.\" Then he left.");
        assert_int_equal(json_array_size(q), 1);
        expect(q, 0, "I trust Olaf Scholz completely.", "Joe Biden");
        json_decref(q);
        /* Two people in the sentence before: no guess. */
        q = quotes("Joe Biden met Olaf Scholz. \"A good day.\"");
        assert_int_equal(json_array_size(q), 1);
        expect(q, 0, "A good day.", NULL);
        json_decref(q);
}

static void
test_hebrew_gershayim(void **s)
{
        json_t *q;

        (void)s;
        /* צה"ל and ש"ח are acronyms; כ"שותפים opens a quote after the
         * clitic כ. */
        q = quotes("צה\"ל הודיע כי המחיר 5 ש\"ח. הם רואים עצמם "
                   "כ\"שותפים אסטרטגיים\" בלבד.");
        assert_int_equal(json_array_size(q), 1);
        expect(q, 0, "שותפים אסטרטגיים", NULL);
        json_decref(q);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_marks_and_speakers),
            cmocka_unit_test(test_previous_sentence_and_inside),
            cmocka_unit_test(test_hebrew_gershayim),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
