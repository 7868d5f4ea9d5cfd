/* Tests for src/pipeline/matcher.c: folding, boundaries, clitics and the
 * Aho-Corasick automaton. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/matcher.h"

typedef struct {
        size_t start[16], end[16];
        uint32_t id[16];
        size_t n;
} hits;

static bool
collect(void *ctx, size_t start, size_t end, uint32_t id)
{
        hits *h = ctx;

        if (h->n < 16) {
                h->start[h->n] = start;
                h->end[h->n] = end;
                h->id[h->n++] = id;
        }
        return true;
}

static void
add(nd_matcher *m, const char *s, uint32_t id)
{
        size_t n;
        uint32_t *cp = nd_fold_str(s, &n);

        assert_non_null(cp);
        assert_true(nd_matcher_add(m, cp, n, id));
        free(cp);
}

static void
test_fold_case_marks_geresh(void **s)
{
        nd_folded f;
        size_t n;
        uint32_t *a, *b;

        (void)s;
        /* "Ünïted" folds like "united"; ß becomes ss. */
        a = nd_fold_str("Ünïted Straße", &n);
        b = nd_fold_str("united strasse", &n);
        assert_memory_equal(a, b, n * sizeof(uint32_t));
        free(a);
        free(b);
        /* A combining mark alone folds to nothing; Arabic tatweel too. */
        a = nd_fold_str("e\xcc\x81\xd9\x80", &n);
        assert_int_equal(n, 1);
        assert_int_equal(a[0], 'e');
        free(a);
        /* Geresh, apostrophe and right quote are one character. */
        a = nd_fold_str("ג׳ינפינג", &n);
        b = nd_fold_str("ג'ינפינג", &n);
        assert_memory_equal(a, b, n * sizeof(uint32_t));
        free(a);
        free(b);
        /* The map back: "ß" (source index 4) gives two folded code points,
         * both pointing at it. */
        assert_int_equal(nd_fold("Stra\xc3\x9f"
                                 "e",
                                 7, &f),
                         ND_OK);
        assert_int_equal(f.nsrc, 6);
        assert_int_equal(f.n, 7);
        assert_int_equal(f.orig[4], 4);
        assert_int_equal(f.orig[5], 4);
        assert_int_equal(f.orig[6], 5);
        nd_folded_free(&f);
}

static void
test_automaton_overlaps(void **s)
{
        nd_matcher *m = nd_matcher_new();
        hits h = {0};
        size_t n;
        uint32_t *cp;

        (void)s;
        add(m, "he", 1);
        add(m, "she", 2);
        add(m, "his", 3);
        add(m, "hers", 4);
        assert_true(nd_matcher_build(m));
        cp = nd_fold_str("USHERS", &n);
        nd_matcher_scan(m, cp, n, collect, &h);
        /* ushers: she [1,4), he [2,4), hers [2,6) */
        assert_int_equal(h.n, 3);
        assert_int_equal(h.id[0] + h.id[1], 3);
        assert_int_equal(h.id[2], 4);
        assert_int_equal(h.start[2], 2);
        assert_int_equal(h.end[2], 6);
        free(cp);
        nd_matcher_free(m);
}

static void
test_boundaries_and_clitics(void **s)
{
        nd_folded f;
        size_t ws;
        const char *t = "ובלארוס שיתוף שי";

        (void)s;
        assert_int_equal(nd_fold(t, strlen(t), &f), ND_OK);
        /* "בלארוס" after the clitics ו ב. */
        assert_true(nd_word_bounded(&f, 2, 7, true, &ws));
        assert_int_equal(ws, 0);
        assert_false(nd_word_bounded(&f, 2, 7, false, NULL));
        /* "שי" at the start of "שיתוף" is not a word. */
        assert_false(nd_word_bounded(&f, 8, 10, true, NULL));
        assert_true(nd_word_bounded(&f, 14, 16, true, NULL));
        nd_folded_free(&f);
        /* Arabic: و + ال + name; لل contracts ل + ال. */
        {
                size_t n;
                uint32_t *cp = nd_fold_str("والل", &n);
                assert_true(nd_clitic_prefix_ok(cp, 0, 3, ND_CLITIC_ARABIC));
                assert_false(nd_clitic_prefix_ok(cp, 0, 4, ND_CLITIC_ARABIC));
                free(cp);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fold_case_marks_geresh),
            cmocka_unit_test(test_automaton_overlaps),
            cmocka_unit_test(test_boundaries_and_clitics),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
