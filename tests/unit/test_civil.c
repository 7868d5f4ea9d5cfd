/* Tests for src/pipeline/civil.c: day numbers of civil dates. Expected
 * values are day differences from 1970-01-01 computed independently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "newsd/civil.h"

static void
test_known_days(void **state)
{
        (void)state;
        assert_int_equal(nd_days_from_civil(1970, 1, 1), 0);
        assert_int_equal(nd_days_from_civil(1969, 12, 31), -1);
        assert_int_equal(nd_days_from_civil(2023, 3, 1), 19417);
        assert_int_equal(nd_days_from_civil(2000, 2, 29), 11016);
        assert_int_equal(nd_days_from_civil(1600, 2, 29), -135081);
}

static void
test_round_trip(void **state)
{
        long y;
        int m, d;

        (void)state;
        /* Every day from 1599 to 2401: back to the same date, one apart. */
        for (long z = nd_days_from_civil(1599, 1, 1);
             z <= nd_days_from_civil(2401, 12, 31); z++) {
                nd_civil_from_days(z, &y, &m, &d);
                assert_int_equal(nd_days_from_civil(y, m, d), z);
                assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        }
        nd_civil_from_days(19417, &y, &m, &d);
        assert_int_equal(y, 2023);
        assert_int_equal(m, 3);
        assert_int_equal(d, 1);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_known_days),
            cmocka_unit_test(test_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
