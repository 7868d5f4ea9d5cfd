/* Near-duplicate fingerprints: a 64-bit simhash of a text's word shingles,
 * and a bounded window of recent simhashes to find near-duplicates in. */
#ifndef NEWSD_FINGERPRINT_H
#define NEWSD_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Words per shingle. */
#define ND_SIMHASH_SHINGLE 3
/* Uris longer than this are not remembered by a window (bounds its memory);
 * canonical URLs and newsd's urns are far shorter. */
#define ND_DUPWIN_URI_MAX 2048

/*
 * The simhash of @p len bytes of UTF-8 @p text: every run of
 * ND_SIMHASH_SHINGLE consecutive case-folded words is hashed to 64 bits,
 * and bit i of the result is set when most shingle hashes have it set.
 * Words are runs of letters, digits and marks; in scripts written without
 * spaces (Han, kana, Thai, Lao, Khmer, Burmese) every letter is a word. A
 * text shorter than one shingle is one shingle; a text without words is 0.
 */
uint64_t nd_simhash(const char *text, size_t len);

/* Number of differing bits. */
unsigned nd_hamming(uint64_t a, uint64_t b);

/*
 * A window of the last `capacity` (simhash, uri) pairs added, oldest evicted
 * first, for near-duplicates within `max_distance` differing bits. It lives
 * in one pipeline instance: two processes, or two pipelines in one process,
 * each see only their own articles. Memory is bounded by
 * nd_dupwin_max_bytes(capacity, max_distance), allocated up front except
 * for the uris.
 *
 * Lookup: the simhash is cut into max(4, max_distance + 1) pieces; two
 * hashes within max_distance agree on at least one piece (pigeonhole), so a
 * lookup visits only the entries sharing a piece with it: for unrelated
 * texts about capacity * sum(2^-width) of them (4 * capacity / 65536 for
 * max_distance <= 3, 11 * capacity / 64 for 10), plus the near-duplicates
 * themselves. max_distance 16 and above scans the window, O(capacity).
 */
typedef struct nd_dupwin nd_dupwin;

/* NULL on allocation failure, capacity 0 or max_distance > 64. Free with
 * nd_dupwin_destroy. */
nd_dupwin *nd_dupwin_new(unsigned capacity, unsigned max_distance);
void nd_dupwin_destroy(nd_dupwin *w);

/*
 * The nearest remembered simhash within the window's max_distance of
 * @p hash whose uri is not @p self (NULL: any uri), the most recent one
 * among equally near ones. Returns its uri (borrowed, valid until the next
 * nd_dupwin_add) and sets *distance, or returns NULL.
 */
const char *nd_dupwin_find(const nd_dupwin *w, uint64_t hash,
                           const char *self, unsigned *distance);

/* Remembers (hash, uri), evicting the oldest entry when full. A uri longer
 * than ND_DUPWIN_URI_MAX is skipped. False on allocation failure. */
bool nd_dupwin_add(nd_dupwin *w, uint64_t hash, const char *uri);

/* Entries held now. */
size_t nd_dupwin_size(const nd_dupwin *w);

/* The most memory a window can hold, in bytes. */
size_t nd_dupwin_max_bytes(unsigned capacity, unsigned max_distance);

#endif
