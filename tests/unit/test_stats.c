/* Tests for src/pipeline/stage_stats.c: characters, words and sentences
 * counted by hand, in languages with and without spaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stage_util.h"

extern const nd_stage_ops nd_stage_stats;

static json_int_t
stat_of(nd_doc *doc, const char *key)
{
        json_t *v =
            json_object_get(json_object_get(doc->analysis, "stats"), key);

        if (!json_is_integer(v))
                fail_msg("stats.%s missing", key);
        return json_integer_value(v);
}

static void
check_counts(const char *body, json_int_t chars, json_int_t words,
             json_int_t sentences)
{
        void *st = stage_new(&nd_stage_stats, NULL);
        nd_doc doc;

        doc_with_body(&doc, body);
        stage_run(&nd_stage_stats, st, &doc);
        if (stat_of(&doc, "characters") != chars ||
            stat_of(&doc, "words") != words ||
            stat_of(&doc, "sentences") != sentences)
                fail_msg("\"%s\": %lld characters, %lld words, %lld "
                         "sentences; expected %lld, %lld, %lld",
                         body, (long long)stat_of(&doc, "characters"),
                         (long long)stat_of(&doc, "words"),
                         (long long)stat_of(&doc, "sentences"),
                         (long long)chars, (long long)words,
                         (long long)sentences);
        nd_doc_clear(&doc);
        nd_stage_stats.destroy(st);
}

static void
test_english(void **state)
{
        (void)state;
        /* The|cat|sat|on|the|mat|It|was|3|o'clock|Was|it: the number is a
         * word, the apostrophe keeps o'clock whole. */
        check_counts("The cat sat on the mat. It was 3 o'clock! Was it?", 49,
                     12, 3);
}

static void
test_hebrew(void **state)
{
        (void)state;
        /* שלום|לכולם|מה|שלומכם|היום; 4+1+6+1+2+1+6+1+5 code points. */
        check_counts("שלום לכולם. מה שלומכם היום?", 27, 5, 2);
        /* The geresh in ג'ינפינג and the gershayim in צה"ל stay inside the
         * word: שי|ג'ינפינג|ביקר|בצה"ל. */
        check_counts("שי ג'ינפינג ביקר בצה\"ל.", 23, 4, 1);
}

static void
test_chinese(void **state)
{
        (void)state;
        /* 我们|喜欢|音乐。他们|喜欢|电影。 */
        check_counts("我们喜欢音乐。他们喜欢电影。", 14, 6, 2);
}

static void
test_japanese(void **state)
{
        (void)state;
        /* 私|は|学生|です。 */
        check_counts("私は学生です。", 7, 4, 1);
}

static void
test_thai(void **state)
{
        (void)state;
        /* ฉัน|กิน|ข้าว แม่|ไป|ตลาด: no spaces between words, a space
         * between clauses, no sentence punctuation. Code points: ฉ ั น, ก ิ
         * น, ข ้ า ว, space, แ ม ่, ไ ป, ต ล า ด. */
        check_counts("ฉันกินข้าว แม่ไปตลาด", 20, 6, 1);
}

/* A bullet line or blank space is no sentence. */
static void
test_no_empty_sentences(void **state)
{
        (void)state;
        check_counts("One.\n\n  •\n\nTwo", 14, 2, 2);
}

static void
test_paragraphs_and_reading_time(void **state)
{
        nd_pipeline_conf conf;
        void *st;
        nd_doc doc;

        (void)state;
        nd_pipeline_conf_init(&conf);
        conf.reading_wpm = 60;
        st = stage_new(&nd_stage_stats, &conf);
        doc_with_body(&doc, "one two three four five six seven eight nine "
                            "ten eleven twelve");
        doc.lead = strdup("one two");
        nd_strvec_push(&doc.key_points, "three");
        nd_strvec_push(&doc.key_points, "four");
        doc.blocks = calloc(3, sizeof(nd_block));
        doc.n_blocks = 3;
        for (int i = 0; i < 3; i++)
                doc.blocks[i].text = strdup("x");
        stage_run(&nd_stage_stats, st, &doc);
        /* lead + 2 key points + 3 blocks */
        assert_int_equal(stat_of(&doc, "paragraphs"), 6);
        assert_int_equal(stat_of(&doc, "words"), 12);
        /* 12 words at 60 per minute */
        assert_int_equal(stat_of(&doc, "reading_time_seconds"), 12);
        assert_int_equal(stat_of(&doc, "words_per_minute"), 60);
        nd_doc_clear(&doc);

        /* One word still takes a second (rounded up). */
        doc_with_body(&doc, "word");
        stage_run(&nd_stage_stats, st, &doc);
        assert_int_equal(stat_of(&doc, "reading_time_seconds"), 1);
        nd_doc_clear(&doc);
        nd_stage_stats.destroy(st);
}

/* The iterators are reused: a long article then a short one must not carry
 * anything over. */
static void
test_reuse(void **state)
{
        void *st = stage_new(&nd_stage_stats, NULL);
        nd_doc doc;

        (void)state;
        doc_with_body(&doc, "Alpha beta gamma. Delta epsilon zeta. Eta theta.");
        stage_run(&nd_stage_stats, st, &doc);
        assert_int_equal(stat_of(&doc, "words"), 8);
        nd_doc_clear(&doc);
        doc_with_body(&doc, "Hi.");
        stage_run(&nd_stage_stats, st, &doc);
        assert_int_equal(stat_of(&doc, "words"), 1);
        assert_int_equal(stat_of(&doc, "sentences"), 1);
        assert_int_equal(stat_of(&doc, "characters"), 3);
        nd_doc_clear(&doc);
        nd_stage_stats.destroy(st);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_english),
            cmocka_unit_test(test_hebrew),
            cmocka_unit_test(test_chinese),
            cmocka_unit_test(test_japanese),
            cmocka_unit_test(test_thai),
            cmocka_unit_test(test_no_empty_sentences),
            cmocka_unit_test(test_paragraphs_and_reading_time),
            cmocka_unit_test(test_reuse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
