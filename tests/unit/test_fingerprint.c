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

static void
test_window_bound_and_eviction(void **state)
{
        nd_dupwin *w = nd_dupwin_new(3, 3);
        unsigned d = 99;

        (void)state;
        assert_non_null(w);
        assert_true(nd_dupwin_add(w, 0x1111, "a"));
        assert_true(nd_dupwin_add(w, 0x2222000000000000ULL, "b"));
        assert_true(nd_dupwin_add(w, 0x3333000000ULL, "c"));
        assert_int_equal(nd_dupwin_size(w), 3);
        assert_string_equal(nd_dupwin_find(w, 0x1111, NULL, &d), "a");
        assert_int_equal(d, 0);
        /* The fourth evicts the oldest: never more than capacity. */
        assert_true(nd_dupwin_add(w, 0x4444, "d"));
        assert_int_equal(nd_dupwin_size(w), 3);
        /* 0x1111 vs 0x4444: 8 bits apart, beyond 3. */
        assert_null(nd_dupwin_find(w, 0x1111, NULL, &d));
        assert_string_equal(nd_dupwin_find(w, 0x4444, NULL, &d), "d");
        /* Up to max_distance bits apart is found, one more is not. */
        assert_string_equal(nd_dupwin_find(w, 0x4444 ^ 0x7, NULL, &d), "d");
        assert_int_equal(d, 3);
        assert_null(nd_dupwin_find(w, 0x4444 ^ 0xF, NULL, &d));
        /* The article itself is no duplicate of itself. */
        assert_null(nd_dupwin_find(w, 0x4444, "d", &d));
        for (int i = 0; i < 10; i++)
                assert_true(nd_dupwin_add(w, (uint64_t)i << 20, "e"));
        assert_int_equal(nd_dupwin_size(w), 3);
        assert_null(nd_dupwin_find(w, 0x4444, NULL, &d));
        nd_dupwin_destroy(w);

        assert_null(nd_dupwin_new(0, 3));
        assert_true(nd_dupwin_max_bytes(1000, 3) > nd_dupwin_max_bytes(10, 3));
        assert_true(nd_dupwin_max_bytes(1000, 3) <
                    1000 * (ND_DUPWIN_URI_MAX + 200) + (1u << 20) + 4096);
}

static void
test_window_prefers_nearest_then_newest(void **state)
{
        nd_dupwin *w = nd_dupwin_new(10, 3);
        char longuri[ND_DUPWIN_URI_MAX + 2];
        unsigned d = 99;

        (void)state;
        nd_dupwin_add(w, 0x3, "two-bits");
        nd_dupwin_add(w, 0x1, "one-bit");
        nd_dupwin_add(w, 0x2, "one-bit-newer");
        nd_dupwin_add(w, 0x7, "three-bits");
        assert_string_equal(nd_dupwin_find(w, 0, NULL, &d), "one-bit-newer");
        assert_int_equal(d, 1);
        /* Too long a uri is not remembered, and that is no error. */
        memset(longuri, 'u', sizeof(longuri) - 1);
        longuri[sizeof(longuri) - 1] = '\0';
        assert_true(nd_dupwin_add(w, 0, longuri));
        assert_int_equal(nd_dupwin_size(w), 4);
        nd_dupwin_destroy(w);
}

static uint64_t
next_rand(uint64_t *s)
{
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        return *s;
}

static uint64_t
flip_bits(uint64_t h, unsigned n, uint64_t *seed)
{
        for (unsigned i = 0; i < n; i++)
                h ^= 1ULL << (next_rand(seed) % 64);
        return h;
}

/* The index answers as a scan of the window would, for the indexed
 * distances and for the scanned ones, after many evictions. */
static void
test_window_index_matches_scan(void **state)
{
        const unsigned distances[] = {0, 3, 7, 12, 20};

        (void)state;
        for (size_t k = 0; k < sizeof(distances) / sizeof(*distances); k++) {
                unsigned maxd = distances[k], cap = 500;
                nd_dupwin *w = nd_dupwin_new(cap, maxd);
                uint64_t seed = 88172645463325252ULL, *hist;
                char uri[32];

                hist = calloc(2000, sizeof(*hist));
                assert_non_null(w);
                for (unsigned i = 0; i < 2000; i++) {
                        /* A third are near copies of a recent entry. */
                        uint64_t h = i > 10 && i % 3 == 0
                                             ? flip_bits(hist[i - 1 - i % 7],
                                                         i % 16, &seed)
                                             : next_rand(&seed);
                        unsigned d = 99, best = 99;
                        const char *got = nd_dupwin_find(w, h, NULL, &d);
                        unsigned lo = i > cap ? i - cap : 0;

                        for (unsigned j = lo; j < i; j++)
                                if (nd_hamming(h, hist[j]) < best)
                                        best = nd_hamming(h, hist[j]);
                        if (best <= maxd) {
                                assert_non_null(got);
                                assert_int_equal(d, best);
                        } else {
                                assert_null(got);
                        }
                        hist[i] = h;
                        snprintf(uri, sizeof(uri), "u%u", i);
                        assert_true(nd_dupwin_add(w, h, uri));
                }
                assert_int_equal(nd_dupwin_size(w), cap);
                free(hist);
                nd_dupwin_destroy(w);
        }
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
        assert_int_equal(strtoull(hex, NULL, 16), sh(article));
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
                cmocka_unit_test(test_window_bound_and_eviction),
                cmocka_unit_test(test_window_prefers_nearest_then_newest),
                cmocka_unit_test(test_window_index_matches_scan),
                cmocka_unit_test(test_stage),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
