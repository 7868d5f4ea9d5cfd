/* Simhash over word shingles and the near-duplicate window. */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "newsd/fingerprint.h"

#define NIL UINT32_MAX

/* The 64-bit finalizer of MurmurHash3: every input bit flips about half of
 * the output bits, which simhash needs from its shingle hashes. */
static uint64_t
mix64(uint64_t x)
{
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdULL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53ULL;
        x ^= x >> 33;
        return x;
}

static uint64_t
combine(uint64_t a, uint64_t b)
{
        return mix64(a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2)));
}

unsigned
nd_hamming(uint64_t a, uint64_t b)
{
        return (unsigned)__builtin_popcountll(a ^ b);
}

/* Letters of scripts written without spaces are words of their own: a whole
 * Chinese sentence would otherwise be one "word". Below U+0E00 (Thai) no
 * such script exists, which spares the lookup for most text. */
static bool
letter_is_word(UChar32 c)
{
        UErrorCode status = U_ZERO_ERROR;
        UScriptCode sc;

        if (c < 0x0E00)
                return false;
        sc = uscript_getScript(c, &status);
        return U_SUCCESS(status) && uscript_breaksBetweenLetters(sc);
}

struct shingler {
        int32_t v[64];            /* per-bit votes */
        uint64_t recent[ND_SIMHASH_SHINGLE]; /* last word hashes, a ring */
        size_t words;
};

static void
vote(struct shingler *s, uint64_t h)
{
        for (int b = 0; b < 64; b++)
                s->v[b] += (int32_t)((h >> b) & 1) * 2 - 1;
}

static uint64_t
shingle_hash(const struct shingler *s, size_t n)
{
        uint64_t h = 0;

        /* Oldest word first, so word order matters. */
        for (size_t i = 0; i < n; i++)
                h = combine(h, s->recent[(s->words - n + i) %
                                         ND_SIMHASH_SHINGLE]);
        return h;
}

static void
add_word(struct shingler *s, uint64_t word)
{
        s->recent[s->words % ND_SIMHASH_SHINGLE] = mix64(word);
        s->words++;
        if (s->words >= ND_SIMHASH_SHINGLE)
                vote(s, shingle_hash(s, ND_SIMHASH_SHINGLE));
}

uint64_t
nd_simhash(const char *text, size_t len)
{
        struct shingler s;
        int32_t i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
        uint64_t word = 0;
        bool in_word = false;
        uint64_t out = 0;

        memset(&s, 0, sizeof(s));
        while (i < n) {
                UChar32 c;
                bool part;

                U8_NEXT(text, i, n, c);
                part = c >= 0 && (U_GET_GC_MASK(c) & (U_GC_L_MASK |
                                                      U_GC_N_MASK |
                                                      U_GC_M_MASK));
                if (part && letter_is_word(c)) {
                        if (in_word)
                                add_word(&s, word);
                        add_word(&s, 0xcbf29ce484222325ULL ^
                                             (uint64_t)u_foldCase(
                                                     c, U_FOLD_CASE_DEFAULT));
                        in_word = false;
                        continue;
                }
                if (part) {
                        if (!in_word)
                                word = 0xcbf29ce484222325ULL; /* FNV-1a */
                        word = (word ^ (uint64_t)u_foldCase(
                                                c, U_FOLD_CASE_DEFAULT)) *
                               0x100000001b3ULL;
                        in_word = true;
                } else if (in_word) {
                        add_word(&s, word);
                        in_word = false;
                }
        }
        if (in_word)
                add_word(&s, word);
        if (s.words == 0)
                return 0;
        if (s.words < ND_SIMHASH_SHINGLE)
                vote(&s, shingle_hash(&s, s.words));
        for (int b = 0; b < 64; b++)
                if (s.v[b] > 0)
                        out |= 1ULL << b;
        return out;
}

/* The window's index: the simhash is cut into `blocks` pieces, more than
 * max_distance of them, so two hashes within max_distance agree exactly on
 * at least one piece (pigeonhole); each piece value heads a chain of the
 * entries having it, and a lookup only walks the chains of its own pieces.
 * Chains are doubly linked through per-entry arrays so eviction is O(1). */
#define MIN_BLOCKS 4   /* pieces of at most 16 bits: 65536 chain heads */
#define MAX_BLOCKS 16  /* beyond this pieces are too short to help */

struct nd_dupwin {
        uint32_t cap;
        uint32_t head;           /* next slot to fill (the oldest when full) */
        uint32_t size;
        uint64_t seq;
        unsigned max_distance;
        int blocks;              /* 0: no index, lookups scan */
        uint8_t shift[MAX_BLOCKS], width[MAX_BLOCKS];
        uint32_t base[MAX_BLOCKS]; /* first chain head of each block */
        uint64_t *hash;          /* cap entries each */
        uint64_t *order;         /* insertion order, to prefer recent */
        char **uri;              /* owned; NULL when the slot is free */
        uint32_t *next, *prev;   /* cap * blocks: chain links */
        uint32_t *bucket;        /* chain heads, NIL when empty */
        size_t n_buckets;
};

static int
block_count(unsigned max_distance)
{
        if (max_distance >= MAX_BLOCKS)
                return 0;
        return max_distance + 1 < MIN_BLOCKS ? MIN_BLOCKS
                                             : (int)max_distance + 1;
}

static size_t
bucket_count(int blocks)
{
        size_t n = 0;

        for (int b = 0; b < blocks; b++)
                n += (size_t)1 << (64 / blocks + (b < 64 % blocks));
        return n;
}

size_t
nd_dupwin_max_bytes(unsigned capacity, unsigned max_distance)
{
        int blocks = block_count(max_distance);

        return sizeof(nd_dupwin) + bucket_count(blocks) * sizeof(uint32_t) +
               (size_t)capacity *
                       (2 * sizeof(uint64_t) + sizeof(char *) +
                        2 * (size_t)blocks * sizeof(uint32_t) +
                        ND_DUPWIN_URI_MAX + 1);
}

nd_dupwin *
nd_dupwin_new(unsigned capacity, unsigned max_distance)
{
        nd_dupwin *w;
        unsigned shift = 0;

        if (capacity == 0 || capacity >= NIL || max_distance > 64)
                return NULL;
        w = calloc(1, sizeof(*w));
        if (!w)
                return NULL;
        w->cap = capacity;
        w->max_distance = max_distance;
        w->blocks = block_count(max_distance);
        for (int b = 0; b < w->blocks; b++) {
                w->width[b] = (uint8_t)(64 / w->blocks + (b < 64 % w->blocks));
                w->shift[b] = (uint8_t)shift;
                w->base[b] = (uint32_t)w->n_buckets;
                shift += w->width[b];
                w->n_buckets += (size_t)1 << w->width[b];
        }
        w->hash = calloc(capacity, sizeof(*w->hash));
        w->order = calloc(capacity, sizeof(*w->order));
        w->uri = calloc(capacity, sizeof(*w->uri));
        if (w->blocks) {
                w->next = malloc((size_t)capacity * w->blocks * sizeof(uint32_t));
                w->prev = malloc((size_t)capacity * w->blocks * sizeof(uint32_t));
                w->bucket = malloc(w->n_buckets * sizeof(uint32_t));
        }
        if (!w->hash || !w->order || !w->uri ||
            (w->blocks && (!w->next || !w->prev || !w->bucket))) {
                nd_dupwin_destroy(w);
                return NULL;
        }
        if (w->blocks)
                memset(w->bucket, 0xff, w->n_buckets * sizeof(uint32_t));
        return w;
}

void
nd_dupwin_destroy(nd_dupwin *w)
{
        if (!w)
                return;
        if (w->uri)
                for (uint32_t i = 0; i < w->cap; i++)
                        free(w->uri[i]);
        free(w->hash);
        free(w->order);
        free(w->uri);
        free(w->next);
        free(w->prev);
        free(w->bucket);
        free(w);
}

size_t
nd_dupwin_size(const nd_dupwin *w)
{
        return w->size;
}

/* The chain head of block @p b for @p hash. */
static uint32_t *
chain_head(const nd_dupwin *w, uint64_t hash, int b)
{
        uint64_t piece = (hash >> w->shift[b]) &
                         (((uint64_t)1 << w->width[b]) - 1);

        return &w->bucket[w->base[b] + piece];
}

static void
evict(nd_dupwin *w, uint32_t i)
{
        for (int b = 0; b < w->blocks; b++) {
                uint32_t *next = &w->next[(size_t)i * w->blocks + b];
                uint32_t *prev = &w->prev[(size_t)i * w->blocks + b];
                if (*prev != NIL)
                        w->next[(size_t)*prev * w->blocks + b] = *next;
                else
                        *chain_head(w, w->hash[i], b) = *next;
                if (*next != NIL)
                        w->prev[(size_t)*next * w->blocks + b] = *prev;
        }
        free(w->uri[i]);
        w->uri[i] = NULL;
        w->size--;
}

bool
nd_dupwin_add(nd_dupwin *w, uint64_t hash, const char *uri)
{
        uint32_t i = w->head;
        char *copy;

        if (strlen(uri) > ND_DUPWIN_URI_MAX)
                return true;
        copy = strdup(uri);
        if (!copy)
                return false;
        if (w->uri[i])
                evict(w, i);
        w->hash[i] = hash;
        w->order[i] = w->seq++;
        w->uri[i] = copy;
        /* New entries go to the front: chains run newest first. */
        for (int b = 0; b < w->blocks; b++) {
                uint32_t *head = chain_head(w, hash, b);
                w->prev[(size_t)i * w->blocks + b] = NIL;
                w->next[(size_t)i * w->blocks + b] = *head;
                if (*head != NIL)
                        w->prev[(size_t)*head * w->blocks + b] = i;
                *head = i;
        }
        w->size++;
        w->head = (i + 1) % w->cap;
        return true;
}

struct best {
        uint32_t i;
        unsigned distance;
        bool found;
};

static void
consider(const nd_dupwin *w, struct best *best, uint32_t i, uint64_t hash,
         const char *self)
{
        unsigned d = nd_hamming(hash, w->hash[i]);

        if (d > w->max_distance || (self && strcmp(w->uri[i], self) == 0))
                return;
        if (!best->found || d < best->distance ||
            (d == best->distance && w->order[i] > w->order[best->i])) {
                best->i = i;
                best->distance = d;
                best->found = true;
        }
}

const char *
nd_dupwin_find(const nd_dupwin *w, uint64_t hash, const char *self,
               unsigned *distance)
{
        struct best best = {0, 0, false};

        for (int b = 0; b < w->blocks; b++) {
                /* Newest first: an exact match ends the search, since
                 * nothing can beat it. */
                for (uint32_t i = *chain_head(w, hash, b); i != NIL;
                     i = w->next[(size_t)i * w->blocks + b]) {
                        consider(w, &best, i, hash, self);
                        if (best.found && best.distance == 0)
                                goto out;
                }
        }
        if (w->blocks == 0)
                for (uint32_t i = 0; i < w->cap; i++)
                        if (w->uri[i])
                                consider(w, &best, i, hash, self);
out:
        if (!best.found)
                return NULL;
        *distance = best.distance;
        return w->uri[best.i];
}
