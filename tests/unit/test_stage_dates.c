/* Tests for src/pipeline/stage_dates.c on hand-made sentences, published
 * on Wednesday 1 March 2023 unless said otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stage_helper.h"

extern const nd_stage_ops nd_stage_dates;

static void *state;

static int
setup(void **s)
{
        (void)s;
        state = helper_create(&nd_stage_dates, NULL);
        return 0;
}

static int
teardown(void **s)
{
        (void)s;
        nd_stage_dates.destroy(state);
        return 0;
}

static json_t *
dates(const char *body, const char *published)
{
        nd_doc doc;
        char err[256];
        json_t *a;

        helper_doc(&doc, NULL, body, published);
        assert_int_equal(nd_stage_dates.run(state, &doc, err, sizeof(err)),
                         ND_OK);
        a = json_incref(json_object_get(doc.analysis, "dates"));
        nd_doc_clear(&doc);
        return a;
}

static void
expect(json_t *a, size_t i, const char *text, const char *date, const char *res,
       bool relative)
{
        json_t *o = json_array_get(a, i);

        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "text")),
                            text);
        assert_string_equal(json_string_value(json_object_get(o, "date")),
                            date);
        assert_string_equal(json_string_value(json_object_get(o, "resolution")),
                            res);
        assert_int_equal(json_is_true(json_object_get(o, "relative")),
                         relative);
}

#define PUB "2023-03-01T12:00:00Z"

static void
test_absolute(void **s)
{
        json_t *a;

        (void)s;
        a = dates("Signed on March 1, 2023, and 3. Februar 2022; "
                  "5 марта 2020 года; 1 de marzo de 2023; in May 2021 "
                  "he may go.",
                  NULL);
        assert_int_equal(json_array_size(a), 5);
        expect(a, 0, "March 1, 2023", "2023-03-01", "day", false);
        expect(a, 1, "3. Februar 2022", "2022-02-03", "day", false);
        expect(a, 2, "5 марта 2020", "2020-03-05", "day", false);
        expect(a, 3, "1 de marzo de 2023", "2023-03-01", "day", false);
        expect(a, 4, "May 2021", "2021-05", "month", false);
        json_decref(a);
        /* 31 February does not exist: only the month and year stand. */
        a = dates("On 31 February 2023.", NULL);
        assert_int_equal(json_array_size(a), 1);
        expect(a, 0, "February 2023", "2023-02", "month", false);
        json_decref(a);
}

static void
test_relative(void **s)
{
        json_t *a;

        (void)s;
        a = dates("On Monday, two weeks ago and last year; in September "
                  "and in March.",
                  PUB);
        assert_int_equal(json_array_size(a), 5);
        /* Monday before Wednesday 1 March is 27 February. */
        expect(a, 0, "Monday", "2023-02-27", "day", true);
        expect(a, 1, "two weeks ago", "2023-02-15", "day", true);
        expect(a, 2, "last year", "2022", "year", true);
        /* September has not come yet in 2023: the last one was 2022. */
        expect(a, 3, "September", "2022-09", "month", true);
        expect(a, 4, "March", "2023-03", "month", true);
        json_decref(a);
        a = dates("ביום רביעי (1 במרץ) ובשנה שעברה, לפני שבועיים; "
                  "vor drei Tagen; три дня назад; قبل أسبوعين",
                  PUB);
        assert_int_equal(json_array_size(a), 6);
        expect(a, 0, "יום רביעי (1 במרץ)", "2023-03-01", "day", false);
        expect(a, 1, "בשנה שעברה", "2022", "year", true);
        expect(a, 2, "לפני שבועיים", "2023-02-15", "day", true);
        expect(a, 3, "vor drei Tagen", "2023-02-26", "day", true);
        expect(a, 4, "три дня назад", "2023-02-26", "day", true);
        expect(a, 5, "قبل أسبوعين", "2023-02-15", "day", true);
        json_decref(a);
}

static void
test_without_publication_date(void **s)
{
        json_t *a;

        (void)s;
        /* Relative dates need the publication date; absolute ones with a
         * year do not. */
        a = dates("Yesterday, on Monday, in September, 1 March 2023.", NULL);
        assert_int_equal(json_array_size(a), 1);
        expect(a, 0, "1 March 2023", "2023-03-01", "day", false);
        json_decref(a);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_absolute),
            cmocka_unit_test(test_relative),
            cmocka_unit_test(test_without_publication_date),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
