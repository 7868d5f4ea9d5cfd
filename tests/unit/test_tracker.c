/* Tests for src/service/tracker.c: only the acknowledged prefix of a
 * partition becomes committable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "newsd/tracker.h"

static nd_tracker *
tracker_with(const char *topic, int32_t partition, const int64_t *offsets,
             size_t n, nd_tracker_part **part)
{
        nd_tracker *t = nd_tracker_new();

        assert_non_null(t);
        *part = nd_tracker_part_get(t, topic, partition);
        assert_non_null(*part);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(nd_tracker_track(*part, offsets[i]), ND_OK);
        return t;
}

static void
test_in_order(void **state)
{
        static const int64_t offs[] = {10, 11, 12};
        nd_tracker_part *p;
        nd_tracker *t = tracker_with("a", 0, offs, 3, &p);
        uint64_t g = nd_tracker_generation(p);

        (void)state;
        assert_int_equal(nd_tracker_pending(p), 3);
        assert_int_equal(nd_tracker_ack(p, g, 10), 11);
        assert_int_equal(nd_tracker_ack(p, g, 11), 12);
        assert_int_equal(nd_tracker_ack(p, g, 12), 13);
        assert_int_equal(nd_tracker_pending(p), 0);
        nd_tracker_destroy(t);
}

/* A late report for an early record holds the commit back; once it comes,
 * the commit jumps over everything acknowledged meanwhile. */
static void
test_out_of_order(void **state)
{
        static const int64_t offs[] = {0, 1, 2, 3, 4};
        nd_tracker_part *p;
        nd_tracker *t = tracker_with("a", 1, offs, 5, &p);
        uint64_t g = nd_tracker_generation(p);

        (void)state;
        assert_int_equal(nd_tracker_ack(p, g, 3), -1);
        assert_int_equal(nd_tracker_ack(p, g, 1), -1);
        assert_int_equal(nd_tracker_ack(p, g, 4), -1);
        assert_int_equal(nd_tracker_pending(p), 5);
        assert_int_equal(nd_tracker_ack(p, g, 0), 2); /* 0 and 1 done */
        assert_int_equal(nd_tracker_pending(p), 3);
        assert_int_equal(nd_tracker_ack(p, g, 2), 5); /* 2, 3, 4 done */
        assert_int_equal(nd_tracker_pending(p), 0);
        nd_tracker_destroy(t);
}

/* Compacted topics and transaction markers leave gaps between offsets. */
static void
test_gaps(void **state)
{
        static const int64_t offs[] = {5, 9, 20};
        nd_tracker_part *p;
        nd_tracker *t = tracker_with("a", 0, offs, 3, &p);
        uint64_t g = nd_tracker_generation(p);

        (void)state;
        assert_int_equal(nd_tracker_ack(p, g, 9), -1);
        assert_int_equal(nd_tracker_ack(p, g, 5), 10);
        assert_int_equal(nd_tracker_ack(p, g, 20), 21);
        nd_tracker_destroy(t);
}

static void
test_bad_acks_ignored(void **state)
{
        static const int64_t offs[] = {1, 2};
        nd_tracker_part *p;
        nd_tracker *t = tracker_with("a", 0, offs, 2, &p);
        uint64_t g = nd_tracker_generation(p);

        (void)state;
        assert_int_equal(nd_tracker_ack(p, g, 7), -1); /* never tracked */
        assert_int_equal(nd_tracker_ack(p, g, 0), -1);
        assert_int_equal(nd_tracker_ack(p, g, 2), -1);
        assert_int_equal(nd_tracker_ack(p, g, 2), -1); /* twice */
        assert_int_equal(nd_tracker_pending(p), 2);
        assert_int_equal(nd_tracker_ack(p, g, 1), 3);
        assert_int_equal(nd_tracker_ack(p, g, 1), -1); /* already released */
        nd_tracker_destroy(t);
}

static void
test_track_must_increase(void **state)
{
        static const int64_t offs[] = {4};
        nd_tracker_part *p;
        nd_tracker *t = tracker_with("a", 0, offs, 1, &p);

        (void)state;
        assert_int_equal(nd_tracker_track(p, 4), ND_ERR_INTERNAL);
        assert_int_equal(nd_tracker_track(p, 3), ND_ERR_INTERNAL);
        assert_int_equal(nd_tracker_track(p, -1), ND_ERR_INTERNAL);
        assert_int_equal(nd_tracker_pending(p), 1);
        nd_tracker_destroy(t);
}

/* After a rebalance the partition starts over; reports for records of the
 * previous assignment must not store offsets for the new one. */
static void
test_reset_generation(void **state)
{
        static const int64_t offs[] = {100, 101};
        nd_tracker_part *p;
        nd_tracker *t = tracker_with("a", 0, offs, 2, &p);
        uint64_t old = nd_tracker_generation(p), g;

        (void)state;
        nd_tracker_reset(p);
        g = nd_tracker_generation(p);
        assert_true(g != old);
        assert_int_equal(nd_tracker_pending(p), 0);
        /* Reassigned from the committed offset: 100 comes again. */
        assert_int_equal(nd_tracker_track(p, 100), ND_OK);
        assert_int_equal(nd_tracker_ack(p, old, 100), -1);
        assert_int_equal(nd_tracker_pending(p), 1);
        assert_int_equal(nd_tracker_ack(p, g, 100), 101);
        nd_tracker_destroy(t);
}

static void
test_partitions_apart(void **state)
{
        nd_tracker *t = nd_tracker_new();
        nd_tracker_part *a0 = nd_tracker_part_get(t, "a", 0);
        nd_tracker_part *a1 = nd_tracker_part_get(t, "a", 1);
        nd_tracker_part *b0 = nd_tracker_part_get(t, "b", 0);

        (void)state;
        assert_ptr_not_equal(a0, a1);
        assert_ptr_not_equal(a0, b0);
        assert_ptr_equal(nd_tracker_part_get(t, "a", 1), a1);
        assert_string_equal(nd_tracker_part_topic(b0), "b");
        assert_int_equal(nd_tracker_part_partition(a1), 1);
        assert_int_equal(nd_tracker_track(a0, 0), ND_OK);
        assert_int_equal(nd_tracker_track(a1, 0), ND_OK);
        assert_int_equal(nd_tracker_track(b0, 0), ND_OK);
        assert_int_equal(nd_tracker_track(a0, 1), ND_OK);
        assert_int_equal(nd_tracker_total_pending(t), 4);
        /* a1's ack does not release a0's. */
        assert_int_equal(nd_tracker_ack(a1, nd_tracker_generation(a1), 0), 1);
        assert_int_equal(nd_tracker_pending(a0), 2);
        assert_int_equal(nd_tracker_total_pending(t), 3);
        nd_tracker_destroy(t);
}

/* Many records with the ring wrapping around and growing while entries sit
 * in the middle of it; acks in reverse order within blocks of 7. */
static void
test_ring_growth(void **state)
{
        nd_tracker *t = nd_tracker_new();
        nd_tracker_part *p = nd_tracker_part_get(t, "a", 0);
        uint64_t g = nd_tracker_generation(p);
        int64_t next = 0, committed = 0;

        (void)state;
        for (int round = 0; round < 50; round++) {
                int64_t first = next;
                for (int i = 0; i < 7 * (round % 13 + 1); i++)
                        assert_int_equal(nd_tracker_track(p, next++), ND_OK);
                for (int64_t o = next - 1; o >= first; o--) {
                        int64_t c = nd_tracker_ack(p, g, o);
                        if (o == first) {
                                assert_int_equal(c, next);
                                committed = c;
                        } else {
                                assert_int_equal(c, -1);
                        }
                }
        }
        assert_int_equal(committed, next);
        assert_int_equal(nd_tracker_pending(p), 0);
        nd_tracker_destroy(t);
}

/* An input with outputs on several topics: acknowledgements of its outputs
 * arrive out of order and interleaved with other inputs' ones; the offset
 * moves the commit point only with its last output. */
static void
test_multi_output_out_of_order(void **state)
{
        nd_tracker *t = nd_tracker_new();
        nd_tracker_part *p = nd_tracker_part_get(t, "in", 0);
        uint64_t g = nd_tracker_generation(p);

        (void)state;
        assert_int_equal(nd_tracker_track_outputs(p, 5, 3), ND_OK);
        assert_int_equal(nd_tracker_track_outputs(p, 6, 2), ND_OK);
        assert_int_equal(nd_tracker_track_outputs(p, 7, 1), ND_OK);
        assert_int_equal(nd_tracker_outputs_left(p, 5), 3);
        /* 7 done, 6 half done, 5 two thirds done: nothing committable. */
        assert_int_equal(nd_tracker_ack(p, g, 7), -1);
        assert_int_equal(nd_tracker_ack(p, g, 6), -1);
        assert_int_equal(nd_tracker_ack(p, g, 5), -1);
        assert_int_equal(nd_tracker_ack(p, g, 5), -1);
        assert_int_equal(nd_tracker_outputs_left(p, 5), 1);
        assert_int_equal(nd_tracker_outputs_left(p, 6), 1);
        assert_int_equal(nd_tracker_pending(p), 3);
        /* The last output of 5 releases 5 only: 6 still waits for one. */
        assert_int_equal(nd_tracker_ack(p, g, 5), 6);
        assert_int_equal(nd_tracker_pending(p), 2);
        /* Its last output releases 6 and the 7 acknowledged before. */
        assert_int_equal(nd_tracker_ack(p, g, 6), 8);
        assert_int_equal(nd_tracker_pending(p), 0);
        /* A further report for a finished offset is ignored. */
        assert_int_equal(nd_tracker_ack(p, g, 6), -1);
        nd_tracker_destroy(t);
}

/* One output that keeps failing (never acknowledged) holds its offset and
 * every later one, however many of their outputs succeed. */
static void
test_failing_output_holds(void **state)
{
        nd_tracker *t = nd_tracker_new();
        nd_tracker_part *p = nd_tracker_part_get(t, "in", 0);
        uint64_t g = nd_tracker_generation(p);

        (void)state;
        assert_int_equal(nd_tracker_track_outputs(p, 0, 4), ND_OK);
        assert_int_equal(nd_tracker_track_outputs(p, 1, 2), ND_OK);
        for (int i = 0; i < 3; i++)
                assert_int_equal(nd_tracker_ack(p, g, 0), -1);
        assert_int_equal(nd_tracker_ack(p, g, 1), -1);
        assert_int_equal(nd_tracker_ack(p, g, 1), -1);
        assert_int_equal(nd_tracker_pending(p), 2);
        assert_int_equal(nd_tracker_outputs_left(p, 0), 1);
        assert_int_equal(nd_tracker_outputs_left(p, 1), 0);
        /* A reset (partition revoked) forgets it; late reports of the old
         * generation do not count. */
        nd_tracker_reset(p);
        assert_int_equal(nd_tracker_ack(p, g, 0), -1);
        assert_int_equal(nd_tracker_pending(p), 0);
        nd_tracker_destroy(t);
}

static void
test_zero_outputs_refused(void **state)
{
        nd_tracker *t = nd_tracker_new();
        nd_tracker_part *p = nd_tracker_part_get(t, "in", 0);

        (void)state;
        assert_int_equal(nd_tracker_track_outputs(p, 3, 0), ND_ERR_INTERNAL);
        assert_int_equal(nd_tracker_pending(p), 0);
        nd_tracker_destroy(t);
}

/* Stored and committed positions only move forward (commit results can
 * come back out of order) and are forgotten on reset. */
static void
test_stored_committed(void **state)
{
        nd_tracker *t = nd_tracker_new();
        nd_tracker_part *p = nd_tracker_part_get(t, "a", 0);

        (void)state;
        assert_non_null(p);
        assert_int_equal(nd_tracker_stored(p), -1);
        assert_int_equal(nd_tracker_committed(p), -1);
        nd_tracker_set_stored(p, 40);
        nd_tracker_set_stored(p, 25);
        assert_int_equal(nd_tracker_stored(p), 40);
        nd_tracker_set_committed(p, 30);
        nd_tracker_set_committed(p, 20);
        assert_int_equal(nd_tracker_committed(p), 30);
        nd_tracker_set_committed(p, 0);
        assert_int_equal(nd_tracker_committed(p), 30);
        nd_tracker_reset(p);
        assert_int_equal(nd_tracker_stored(p), -1);
        assert_int_equal(nd_tracker_committed(p), -1);
        nd_tracker_set_committed(p, 0);
        assert_int_equal(nd_tracker_committed(p), 0);
        nd_tracker_destroy(t);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_in_order),
            cmocka_unit_test(test_out_of_order),
            cmocka_unit_test(test_gaps),
            cmocka_unit_test(test_bad_acks_ignored),
            cmocka_unit_test(test_track_must_increase),
            cmocka_unit_test(test_reset_generation),
            cmocka_unit_test(test_partitions_apart),
            cmocka_unit_test(test_ring_growth),
            cmocka_unit_test(test_multi_output_out_of_order),
            cmocka_unit_test(test_failing_output_holds),
            cmocka_unit_test(test_zero_outputs_refused),
            cmocka_unit_test(test_stored_committed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
