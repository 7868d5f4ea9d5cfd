/* Language identification (CLD2 behind a C interface) and the dominant
 * script of a text, used by the language stage. */
#ifndef NEWSD_LANGID_H
#define NEWSD_LANGID_H

#include <stdbool.h>
#include <stddef.h>

#define ND_LANGID_MAX 3

typedef struct nd_lang_candidate {
        char code[16]; /* BCP 47 ("he", "zh", "zh-Hant") */
        int percent;   /* share of the scored text, 0..100 */
        double score;  /* CLD2's score relative to normal text of the
                          language; near 1.0 is typical, far off is skewed */
} nd_lang_candidate;

typedef struct nd_langid {
        nd_lang_candidate cand[ND_LANGID_MAX]; /* best first */
        int n;          /* candidates found; 0 when nothing was known */
        int text_bytes; /* letter bytes the detector scored */
        bool reliable;  /* CLD2's own reliability verdict */
} nd_langid;

/*
 * Identifies the languages of @p len bytes of UTF-8 @p text (plain text, no
 * hints: the text alone decides). Invalid UTF-8 gives n == 0. Never fails
 * and allocates nothing beyond what CLD2 uses on its stack.
 */
void nd_langid_detect(const char *text, size_t len, nd_langid *out);

typedef struct nd_script_info {
        char code[5];    /* ISO 15924, "Zyyy" when there are no letters */
        bool rtl;        /* the script is written right to left */
        size_t letters;  /* letters counted */
        size_t dominant; /* letters of the dominant script (group) */
} nd_script_info;

/*
 * The dominant script of @p len bytes of UTF-8 @p text, counted over letters
 * only (digits, punctuation and combining marks have no say). Japanese text
 * (kana with Han) is "Jpan", Korean Hangul with Han is "Kore".
 */
void nd_script_dominant(const char *text, size_t len, nd_script_info *out);

/* Replaces deprecated ISO 639 codes CLD2 and older inputs use ("iw", "in",
 * "ji", "jw", "mo") by the current ones; returns @p code itself otherwise. */
const char *nd_lang_modern(const char *code);

/* Whether two BCP 47 tags name the same language: primary subtags compared
 * case-insensitively after nd_lang_modern(), so "he-IL" and "iw" agree. */
bool nd_lang_same(const char *a, const char *b);

#endif
