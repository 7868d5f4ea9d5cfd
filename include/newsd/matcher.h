/* Text folding for matching, and an Aho-Corasick automaton over folded code
 * points that finds every occurrence of many patterns in one pass. Used by
 * the entity, amount and date stages; built once at stage creation. */
#ifndef NEWSD_MATCHER_H
#define NEWSD_MATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newsd/err.h"

/* A UTF-8 text decoded and folded for matching: case folded (full
 * folding, so "ß" becomes "ss"), canonical decomposition with nonspacing
 * marks (accents, Hebrew points, Arabic harakat) dropped, apostrophe and
 * geresh variants unified, Arabic letter variants unified. Every folded
 * code point remembers the source code point it came from. */
typedef struct nd_folded {
        uint32_t *cp;   /* owned: folded code points, n of them */
        uint32_t *orig; /* owned: orig[i] = source index of cp[i]; orig[n]
                           = nsrc */
        size_t n;
        uint32_t *src;    /* owned: source code points, nsrc of them */
        size_t *src_byte; /* owned: byte offset of each source code point;
                             src_byte[nsrc] = byte length */
        size_t nsrc;
} nd_folded;

/* Folds @p len bytes of UTF-8 (invalid sequences count as U+FFFD). Free
 * with nd_folded_free(). */
nd_err nd_fold(const char *s, size_t len, nd_folded *out);
void nd_folded_free(nd_folded *f);
/* Folds a NUL-terminated string into a malloc'd code point array; returns
 * NULL on allocation failure. *n gets the length. */
uint32_t *nd_fold_str(const char *s, size_t *n);

/* Whether @p c is part of a word (letter, digit or mark). */
bool nd_is_word_cp(uint32_t c);
/* Whether @p c belongs to a script written without spaces (Han, kana,
 * Thai ...), where word boundaries cannot be checked. */
bool nd_is_unspaced_cp(uint32_t c);
/* Scripts whose clitic prefixes are recognised. */
enum { ND_CLITIC_NONE = 0, ND_CLITIC_HEBREW, ND_CLITIC_ARABIC };
/* Which clitic rules apply to a word starting with @p c. */
int nd_clitic_script(uint32_t c);
/* Whether folded cp[from..to) is a sequence of clitic prefixes of
 * @p script (Hebrew ו ה ב כ ל מ ש, at most three; Arabic و/ف, then ب/ك/ل,
 * then ال). */
bool nd_clitic_prefix_ok(const uint32_t *cp, size_t from, size_t to,
                         int script);
/* Whether a phrase found at folded [start, end) stands as a word: a word
 * boundary (or, when @p clitics, a clitic prefix after one) before it and a
 * word boundary after it. On success *word_start gets the start of the word
 * including its clitics. */
bool nd_word_bounded(const nd_folded *f, size_t start, size_t end, bool clitics,
                     size_t *word_start);

/* The two halves of nd_word_bounded(), for callers that judge the edges of
 * a match apart. */
bool nd_boundary_before(const nd_folded *f, size_t start, bool clitics,
                        size_t *word_start);
bool nd_boundary_after(const nd_folded *f, size_t end);

typedef struct nd_matcher nd_matcher;

nd_matcher *nd_matcher_new(void);
/* Adds a pattern of folded code points with a caller's id; the same
 * pattern may be added under several ids. Only before nd_matcher_build(). */
bool nd_matcher_add(nd_matcher *m, const uint32_t *cp, size_t n, uint32_t id);
/* Computes failure links; after this the matcher is read-only and may be
 * shared by threads. */
bool nd_matcher_build(nd_matcher *m);
/* Called for every occurrence, folded [start, end), in order of end; a
 * false return stops the scan. */
typedef bool (*nd_match_fn)(void *ctx, size_t start, size_t end, uint32_t id);
void nd_matcher_scan(const nd_matcher *m, const uint32_t *cp, size_t n,
                     nd_match_fn fn, void *ctx);
size_t nd_matcher_states(const nd_matcher *m);
void nd_matcher_free(nd_matcher *m);

#endif
