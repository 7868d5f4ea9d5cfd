/* Near-duplicate fingerprints: simhashes of a text's word shingles, and a
 * bounded window of recent fingerprints to find near-duplicates in. */
#ifndef NEWSD_FINGERPRINT_H
#define NEWSD_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Words per shingle. */
#define ND_SIMHASH_SHINGLE 3
/* 64-bit words of the fingerprint the near-duplicate window compares; the
 * first is the published simhash. */
#define ND_FP_WORDS 4
/* Uris longer than this are not remembered by a window (bounds its memory);
 * canonical URLs and newsd's urns are far shorter. */
#define ND_DUPWIN_URI_MAX 2048

/* A 256-bit simhash: four independent 64-bit simhashes of the same
 * shingles. */
typedef struct nd_fp {
        uint64_t w[ND_FP_WORDS];
} nd_fp;

/*
 * The fingerprint of @p len bytes of UTF-8 @p text: every run of
 * ND_SIMHASH_SHINGLE consecutive case-folded words is hashed to 256 bits,
 * and bit i of the result is set when most shingle hashes have it set.
 * Words are runs of letters, digits and marks; in scripts written without
 * spaces (Han, kana, Thai, Lao, Khmer, Burmese) every letter is a word. A
 * text shorter than one shingle is one shingle; a text without words is 0.
 */
void nd_fingerprint(const char *text, size_t len, nd_fp *out);

/* The published 64-bit simhash: the first word of nd_fingerprint(). */
uint64_t nd_simhash(const char *text, size_t len);

/* Number of differing bits. */
unsigned nd_hamming(uint64_t a, uint64_t b);

/*
 * The distance of two fingerprints in bits per 64: the differing bits of
 * all 256, divided by four, rounded. It estimates the same thing as the
 * Hamming distance of two 64-bit simhashes (the angle between the texts'
 * shingle sets) with half the spread, so a threshold separates edited
 * copies from unrelated texts with far fewer misses and false alarms.
 */
unsigned nd_fp_distance(const nd_fp *a, const nd_fp *b);

/*
 * A window of the last `capacity` (fingerprint, uri) pairs added, oldest
 * evicted first, for near-duplicates within `max_distance` (in the units of
 * nd_fp_distance). It lives in one pipeline instance: two processes, or two
 * pipelines in one process, each see only their own articles. Memory is
 * bounded by nd_dupwin_max_bytes(capacity), allocated up front except for
 * the uris.
 *
 * Lookup scans the window: O(capacity) comparisons of up to 4 words (XOR
 * and popcount), leaving an entry as soon as it is out of reach
 * (bench/bench_pipeline.c reports the time for 100000 entries). An index
 * of exact pieces (pigeonhole) does not pay at the distances edited news
 * copies need: 12 bits per 64 is 48 of 256, which needs 49 pieces of 5
 * bits, and their chains together hold more entries than the window.
 */
typedef struct nd_dupwin nd_dupwin;

/* NULL on allocation failure, capacity 0 or max_distance > 64. Free with
 * nd_dupwin_destroy. */
nd_dupwin *nd_dupwin_new(unsigned capacity, unsigned max_distance);
void nd_dupwin_destroy(nd_dupwin *w);

/*
 * The nearest remembered fingerprint within the window's max_distance of
 * @p fp whose uri is not @p self (NULL: any uri), the most recent one among
 * equally near ones. Returns its uri (borrowed, valid until the next
 * nd_dupwin_add) and sets *distance, or returns NULL.
 */
const char *nd_dupwin_find(const nd_dupwin *w, const nd_fp *fp,
                           const char *self, unsigned *distance);

/* Remembers (fp, uri), evicting the oldest entry when full. A uri longer
 * than ND_DUPWIN_URI_MAX is skipped. False on allocation failure. */
bool nd_dupwin_add(nd_dupwin *w, const nd_fp *fp, const char *uri);

/* Entries held now. */
size_t nd_dupwin_size(const nd_dupwin *w);

/* The most memory a window of @p capacity entries can hold, in bytes. */
size_t nd_dupwin_max_bytes(unsigned capacity);

#endif
