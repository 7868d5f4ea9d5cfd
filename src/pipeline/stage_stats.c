/* Stage: text statistics of the body with Unicode segmentation (ICU word
 * and sentence break iterators, dictionary-based for Chinese, Japanese,
 * Thai, Lao, Khmer and Burmese), and the reading time. */
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "newsd/stage.h"
#include "newsd/u16.h"

/* One set per pipeline: break iterators are costly to open (rule and
 * dictionary loading), so they are opened once and pointed at each
 * article's text with ubrk_setText(). */
typedef struct stats_state {
        UBreakIterator *words;
        UBreakIterator *sentences;
        nd_u16buf body; /* the body in UTF-16 */
        unsigned wpm;
} stats_state;

static void
stats_destroy(void *state)
{
        stats_state *st = state;

        if (!st)
                return;
        if (st->words)
                ubrk_close(st->words);
        if (st->sentences)
                ubrk_close(st->sentences);
        nd_u16buf_free(&st->body);
        free(st);
}

static nd_err
stats_create(void **state, const nd_pipeline_conf *conf, char *errstr,
             size_t errstr_size)
{
        stats_state *st = calloc(1, sizeof(*st));
        UErrorCode status = U_ZERO_ERROR;

        *state = NULL;
        if (!st)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        /* The root locale: the rules and dictionaries apply to every
         * script, whatever the article's language. */
        st->words = ubrk_open(UBRK_WORD, "", NULL, 0, &status);
        if (U_SUCCESS(status))
                st->sentences = ubrk_open(UBRK_SENTENCE, "", NULL, 0, &status);
        if (U_FAILURE(status)) {
                stats_destroy(st);
                return nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                 "ICU break iterator: %s", u_errorName(status));
        }
        st->wpm = conf->reading_wpm ? conf->reading_wpm : 200;
        *state = st;
        return ND_OK;
}

static size_t
count_code_points(const char *s, size_t len)
{
        size_t n = 0;

        for (size_t i = 0; i < len; i++)
                n += ((unsigned char)s[i] & 0xC0) != 0x80;
        return n;
}

/* Words are the segments ICU classes as numbers, letters, kana or
 * ideographs; spaces and punctuation between them do not count. */
static size_t
count_words(UBreakIterator *bi)
{
        size_t n = 0;

        ubrk_first(bi);
        while (ubrk_next(bi) != UBRK_DONE)
                n += ubrk_getRuleStatus(bi) >= UBRK_WORD_NUMBER;
        return n;
}

/* A sentence segment counts when it holds a letter or digit, so a run of
 * blank lines or a lone bullet is not a sentence. */
static size_t
count_sentences(UBreakIterator *bi, const UChar *s)
{
        size_t n = 0;
        int32_t start = ubrk_first(bi), end;

        while ((end = ubrk_next(bi)) != UBRK_DONE) {
                for (int32_t i = start; i < end;) {
                        UChar32 c;
                        U16_NEXT(s, i, end, c);
                        if (u_isalnum(c)) {
                                n++;
                                break;
                        }
                }
                start = end;
        }
        return n;
}

static nd_err
stats_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        stats_state *st = state;
        UErrorCode status = U_ZERO_ERROR;
        size_t words, sentences, paragraphs, seconds;
        json_t *o;

        if (!nd_u16buf_set(&st->body, doc->body, doc->body_len))
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "stats: cannot convert the body to UTF-16");
        ubrk_setText(st->words, st->body.p, st->body.len, &status);
        ubrk_setText(st->sentences, st->body.p, st->body.len, &status);
        if (U_FAILURE(status))
                return nd_seterr(errstr, errstr_size, ND_ERR_INTERNAL,
                                 "stats: %s", u_errorName(status));
        words = count_words(st->words);
        sentences = count_sentences(st->sentences, st->body.p);
        paragraphs = doc->n_blocks + doc->key_points.n + (doc->lead != NULL);
        /* Rounded up: a one-word article still takes a second to read. */
        seconds = (words * 60 + st->wpm - 1) / st->wpm;

        o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:i}", "characters",
                      (json_int_t)count_code_points(doc->body, doc->body_len),
                      "words", (json_int_t)words, "sentences",
                      (json_int_t)sentences, "paragraphs",
                      (json_int_t)paragraphs, "reading_time_seconds",
                      (json_int_t)seconds, "words_per_minute", (int)st->wpm);
        if (!o || json_object_set_new(doc->analysis, "stats", o) != 0)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        return ND_OK;
}

const nd_stage_ops nd_stage_stats = {
    .name = "stats",
    .create = stats_create,
    .run = stats_run,
    .destroy = stats_destroy,
};
