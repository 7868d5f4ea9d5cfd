/* Tests for src/pipeline/stage_amounts.c on hand-made sentences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stage_helper.h"

extern const nd_stage_ops nd_stage_amounts;

static void *state;

static int
setup(void **s)
{
        (void)s;
        state = helper_create(&nd_stage_amounts, NULL);
        return 0;
}

static int
teardown(void **s)
{
        (void)s;
        nd_stage_amounts.destroy(state);
        return 0;
}

/* The amounts of @p body, as a new reference. */
static json_t *
amounts(const char *body)
{
        nd_doc doc;
        char err[256];
        json_t *a;

        helper_doc(&doc, NULL, body, NULL);
        assert_int_equal(nd_stage_amounts.run(state, &doc, err, sizeof(err)),
                         ND_OK);
        a = json_incref(json_object_get(doc.analysis, "amounts"));
        nd_doc_clear(&doc);
        return a;
}

static void
expect(json_t *a, size_t i, double value, const char *unit, const char *text)
{
        json_t *o = json_array_get(a, i);

        assert_non_null(o);
        assert_true(json_real_value(json_object_get(o, "value")) == value);
        if (unit)
                assert_string_equal(
                    json_string_value(json_object_get(o, "unit")), unit);
        else
                assert_null(json_object_get(o, "unit"));
        assert_string_equal(json_string_value(json_object_get(o, "text")),
                            text);
}

static void
test_english_german_french_spanish(void **s)
{
        json_t *a;

        (void)s;
        a = amounts("Sales rose 3.5 percent to $5 billion, with 1,500 staff "
                    "and two million users.");
        assert_int_equal(json_array_size(a), 3);
        expect(a, 0, 3.5, "percent", "3.5 percent");
        expect(a, 1, 5e9, "USD", "$5 billion");
        expect(a, 2, 2e6, NULL, "two million");
        json_decref(a);
        a = amounts("Der Umsatz stieg um 12 Prozent auf 3,5 Milliarden Euro.");
        assert_int_equal(json_array_size(a), 2);
        expect(a, 0, 12, "percent", "12 Prozent");
        expect(a, 1, 3.5e9, "EUR", "3,5 Milliarden Euro");
        json_decref(a);
        a = amounts("un déficit de deux milliards d'euros; 7 mil millones "
                    "de dólares");
        assert_int_equal(json_array_size(a), 2);
        expect(a, 0, 2e9, "EUR", "deux milliards d'euros");
        expect(a, 1, 7e9, "USD", "7 mil millones de dólares");
        json_decref(a);
}

static void
test_russian_arabic_hebrew(void **s)
{
        json_t *a;

        (void)s;
        a = amounts("Выручка составила два миллиарда долларов, рост на 7 "
                    "процентов.");
        assert_int_equal(json_array_size(a), 2);
        expect(a, 0, 2e9, "USD", "два миллиарда долларов");
        expect(a, 1, 7, "percent", "7 процентов");
        json_decref(a);
        a = amounts("بلغت التجارة 5 مليارات دولار بزيادة 10 في المئة.");
        assert_int_equal(json_array_size(a), 2);
        expect(a, 0, 5e9, "USD", "5 مليارات دولار");
        expect(a, 1, 10, "percent", "10 في المئة");
        json_decref(a);
        /* The clitic ל before חמישה; "ב-33%". */
        a = amounts("הסחר עלה ב-33% לחמישה מיליארד דולר, ועוד 200 ש\"ח.");
        assert_int_equal(json_array_size(a), 3);
        expect(a, 0, 33, "percent", "33%");
        expect(a, 1, 5e9, "USD", "חמישה מיליארד דולר");
        expect(a, 2, 200, "ILS", "200 ש\"ח");
        json_decref(a);
}

static void
test_plain_numbers_are_not_amounts(void **s)
{
        json_t *a;

        (void)s;
        a = amounts("In 2001 five people met in room 12; שלושה אנשים.");
        assert_int_equal(json_array_size(a), 0);
        json_decref(a);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_english_german_french_spanish),
            cmocka_unit_test(test_russian_arabic_hebrew),
            cmocka_unit_test(test_plain_numbers_are_not_amounts),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
