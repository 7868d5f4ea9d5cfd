/* Tests for src/pipeline/fingerprint.c and stage_fingerprint.c: simhash
 * properties, the near-duplicate window's bound, eviction and index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/fingerprint.h"
#include "stage_util.h"

extern const nd_stage_ops nd_stage_fingerprint;

static uint64_t
sh(const char *s)
{
        return nd_simhash(s, strlen(s));
}

static const char *article =
    "The city council approved the new budget on Tuesday after a long "
    "debate about public transport, schools and the renovation of the "
    "central library. The mayor said the plan would create hundreds of "
    "jobs and improve bus services in the northern districts, while the "
    "opposition warned that taxes could rise next year if revenue from "
    "the port falls short of the forecast.";

static void
test_hamming(void **state)
{
        (void)state;
        assert_int_equal(nd_hamming(0, 0), 0);
        assert_int_equal(nd_hamming(0, UINT64_MAX), 64);
        assert_int_equal(nd_hamming(1, 3), 1);
        assert_int_equal(nd_hamming(0xF0, 0x0F), 8);
}

static void
test_simhash_properties(void **state)
{
        char edited[1024];

        (void)state;
        /* Deterministic, blind to case, punctuation and spacing. */
        assert_true(sh(article) == sh(article));
        assert_true(sh("Hello World, again") == sh("hello   world again!"));
        /* No words, no hash; one word is one shingle. */
        assert_true(sh("") == 0);
        assert_true(sh(" .,;! ") == 0);
        assert_true(sh("word") != 0);
        assert_true(sh("word") == sh("WORD"));
        /* Word order matters. */
        assert_true(sh("alpha beta gamma") != sh("gamma beta alpha"));

        /* One word changed in 60: 3 of 58 shingles differ, so the hashes
         * stay close; an unrelated text lands about half the bits away. */
        snprintf(edited, sizeof(edited), "%s", article);
        memcpy(strstr(edited, "Tuesday"), "Weekday", 7);
        assert_true(nd_hamming(sh(article), sh(edited)) > 0);
        assert_true(nd_hamming(sh(article), sh(edited)) <= 12);
        assert_true(nd_hamming(sh(article),
                               sh("Heavy snow closed the mountain roads and "
                                  "several villages were cut off for two "
                                  "days before rescue teams arrived with "
                                  "food, fuel and medicine for the "
                                  "families living there.")) > 12);

        /* Scripts without spaces: characters are the words. */
        assert_true(sh("我们喜欢音乐") == sh("我们喜欢音乐"));
        assert_true(sh("我们喜欢音乐") != sh("我们喜欢电影"));
        assert_true(sh("我们喜欢音乐") != sh("我们"));
}

/* A fingerprint whose four words are all @p x. */
static nd_fp
fp_of(uint64_t x)
{
        nd_fp fp = {{x, x, x, x}};

        return fp;
}

static void
test_fp_distance(void **state)
{
        nd_fp a = fp_of(0), b = fp_of(0);

        (void)state;
        assert_int_equal(nd_fp_distance(&a, &b), 0);
        b = fp_of(UINT64_MAX);
        assert_int_equal(nd_fp_distance(&a, &b), 64);
        /* 5 differing bits of 256 are 1.25 per 64, rounded to 1; 6 are
         * 1.5, rounded up to 2. */
        b = fp_of(0);
        b.w[0] = 0x1F;
        assert_int_equal(nd_fp_distance(&a, &b), 1);
        b.w[3] = 0x1;
        assert_int_equal(nd_fp_distance(&a, &b), 2);
        /* The published simhash is the first word. */
        nd_fingerprint(article, strlen(article), &a);
        assert_true(a.w[0] == sh(article));
        assert_true(a.w[1] != a.w[0] && a.w[2] != a.w[1]);
}

static void
test_window_bound_and_eviction(void **state)
{
        nd_dupwin *w = nd_dupwin_new(3, 3);
        nd_fp q;
        unsigned d = 99;

        (void)state;
        assert_non_null(w);
        q = fp_of(0x1111);
        assert_true(nd_dupwin_add(w, &q, "a"));
        q = fp_of(0x2222000000000000ULL);
        assert_true(nd_dupwin_add(w, &q, "b"));
        q = fp_of(0x3333000000ULL);
        assert_true(nd_dupwin_add(w, &q, "c"));
        assert_int_equal(nd_dupwin_size(w), 3);
        q = fp_of(0x1111);
        assert_string_equal(nd_dupwin_find(w, &q, NULL, &d), "a");
        assert_int_equal(d, 0);
        /* The fourth evicts the oldest: never more than capacity. */
        q = fp_of(0x4444);
        assert_true(nd_dupwin_add(w, &q, "d"));
        assert_int_equal(nd_dupwin_size(w), 3);
        /* 0x1111 vs 0x4444: 8 bits per word apart, beyond 3. */
        q = fp_of(0x1111);
        assert_null(nd_dupwin_find(w, &q, NULL, &d));
        q = fp_of(0x4444);
        assert_string_equal(nd_dupwin_find(w, &q, NULL, &d), "d");
        /* Up to max_distance per 64 bits is found, one more is not. */
        q = fp_of(0x4444 ^ 0x7);
        assert_string_equal(nd_dupwin_find(w, &q, NULL, &d), "d");
        assert_int_equal(d, 3);
        q = fp_of(0x4444 ^ 0xF);
        assert_null(nd_dupwin_find(w, &q, NULL, &d));
        /* 3.25 per 64 rounds to 3: still within. */
        q = fp_of(0x4444 ^ 0x7);
        q.w[0] ^= 0x100;
        assert_non_null(nd_dupwin_find(w, &q, NULL, &d));
        assert_int_equal(d, 3);
        /* The article itself is no duplicate of itself. */
        q = fp_of(0x4444);
        assert_null(nd_dupwin_find(w, &q, "d", &d));
        for (int i = 0; i < 10; i++) {
                nd_fp e = fp_of((uint64_t)0xFF << (i % 7 * 8));
                assert_true(nd_dupwin_add(w, &e, "e"));
        }
        assert_int_equal(nd_dupwin_size(w), 3);
        assert_null(nd_dupwin_find(w, &q, NULL, &d));
        nd_dupwin_destroy(w);

        assert_null(nd_dupwin_new(0, 3));
        assert_null(nd_dupwin_new(10, 65));
        /* The bound is per entry, uri included. */
        assert_true(nd_dupwin_max_bytes(1000) >
                    1000 * (ND_DUPWIN_URI_MAX + sizeof(nd_fp)));
        assert_true(nd_dupwin_max_bytes(1000) <
                    1000 * (ND_DUPWIN_URI_MAX + 100) + 4096);
}

static void
test_window_prefers_nearest_then_newest(void **state)
{
        nd_dupwin *w = nd_dupwin_new(10, 3);
        char longuri[ND_DUPWIN_URI_MAX + 2];
        nd_fp q;
        unsigned d = 99;

        (void)state;
        q = fp_of(0x3);
        nd_dupwin_add(w, &q, "two-bits");
        q = fp_of(0x1);
        nd_dupwin_add(w, &q, "one-bit");
        q = fp_of(0x2);
        nd_dupwin_add(w, &q, "one-bit-newer");
        q = fp_of(0x7);
        nd_dupwin_add(w, &q, "three-bits");
        q = fp_of(0);
        assert_string_equal(nd_dupwin_find(w, &q, NULL, &d), "one-bit-newer");
        assert_int_equal(d, 1);
        /* Too long a uri is not remembered, and that is no error. */
        memset(longuri, 'u', sizeof(longuri) - 1);
        longuri[sizeof(longuri) - 1] = '\0';
        assert_true(nd_dupwin_add(w, &q, longuri));
        assert_int_equal(nd_dupwin_size(w), 4);
        nd_dupwin_destroy(w);
}

/* Real texts: an edited copy is found, unrelated texts of the test set are
 * not, at the default distance. */
static void
test_window_on_texts(void **state)
{
        nd_pipeline_conf conf;
        nd_dupwin *w;
        nd_fp a, b;
        char edited[1024];
        const char *snow = "Heavy snow closed the mountain roads and several "
                           "villages were cut off for two days before rescue "
                           "teams arrived with food and fuel.";
        unsigned d = 99;

        (void)state;
        nd_pipeline_conf_init(&conf);
        w = nd_dupwin_new(16, conf.dedup_max_distance);
        nd_fingerprint(article, strlen(article), &a);
        assert_true(nd_dupwin_add(w, &a, "original"));
        /* Five words of sixty rewritten: "improve bus services in the
         * northern districts" becomes "extend the tram lines to the southern
         * suburbs". */
        snprintf(edited, sizeof(edited), "%.*s%s%s",
                 (int)(strstr(article, "improve") - article), article,
                 "extend the tram lines to the southern suburbs",
                 strstr(article, ", while"));
        nd_fingerprint(edited, strlen(edited), &b);
        assert_non_null(nd_dupwin_find(w, &b, NULL, &d));
        assert_string_equal(nd_dupwin_find(w, &b, NULL, &d), "original");
        assert_true(d > 0 && d <= conf.dedup_max_distance);
        nd_fingerprint(snow, strlen(snow), &b);
        assert_null(nd_dupwin_find(w, &b, NULL, &d));
        nd_dupwin_destroy(w);
}

/* The stage: a simhash in hex, a duplicate named by uri, a window of one
 * that forgets. */
static void
test_stage(void **state)
{
        nd_pipeline_conf conf;
        void *st;
        nd_doc a, b, c;
        json_t *dup;
        const char *hex;

        (void)state;
        nd_pipeline_conf_init(&conf);
        conf.dedup_window = 8;
        conf.dedup_max_distance = 3;
        st = stage_new(&nd_stage_fingerprint, &conf);
        doc_with_body(&a, article);
        stage_run(&nd_stage_fingerprint, st, &a);
        hex = json_string_value(json_object_get(
            json_object_get(a.analysis, "fingerprints"), "simhash"));
        assert_non_null(hex);
        assert_int_equal(strlen(hex), 16);
        assert_true(strtoull(hex, NULL, 16) == sh(article));
        assert_null(json_object_get(a.analysis, "duplicate_of"));

        doc_with_body(&b, article);
        free(b.uri);
        b.uri = strdup("https://example.org/copy");
        stage_run(&nd_stage_fingerprint, st, &b);
        dup = json_object_get(b.analysis, "duplicate_of");
        assert_non_null(dup);
        assert_string_equal(json_string_value(json_object_get(dup, "uri")),
                            "urn:test");
        assert_int_equal(json_integer_value(json_object_get(dup, "distance")),
                         0);
        nd_stage_fingerprint.destroy(st);

        /* A window of one remembers only the last article. */
        conf.dedup_window = 1;
        st = stage_new(&nd_stage_fingerprint, &conf);
        nd_doc_clear(&a);
        nd_doc_clear(&b);
        doc_with_body(&a, article);
        doc_with_body(&b, "Something else entirely, with other words.");
        doc_with_body(&c, article);
        free(c.uri);
        c.uri = strdup("urn:third");
        stage_run(&nd_stage_fingerprint, st, &a);
        stage_run(&nd_stage_fingerprint, st, &b);
        stage_run(&nd_stage_fingerprint, st, &c);
        assert_null(json_object_get(c.analysis, "duplicate_of"));
        nd_stage_fingerprint.destroy(st);

        /* dedup_window 0: no window, still a simhash. */
        conf.dedup_window = 0;
        st = stage_new(&nd_stage_fingerprint, &conf);
        nd_doc_clear(&c);
        doc_with_body(&c, article);
        stage_run(&nd_stage_fingerprint, st, &c);
        assert_non_null(json_object_get(
            json_object_get(c.analysis, "fingerprints"), "simhash"));
        nd_stage_fingerprint.destroy(st);
        nd_doc_clear(&a);
        nd_doc_clear(&b);
        nd_doc_clear(&c);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_hamming),
            cmocka_unit_test(test_simhash_properties),
            cmocka_unit_test(test_fp_distance),
            cmocka_unit_test(test_window_bound_and_eviction),
            cmocka_unit_test(test_window_prefers_nearest_then_newest),
            cmocka_unit_test(test_window_on_texts),
            cmocka_unit_test(test_stage),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
