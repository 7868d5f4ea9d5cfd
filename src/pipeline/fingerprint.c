/* Simhash over word shingles and the near-duplicate window. */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "newsd/fingerprint.h"

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

unsigned
nd_fp_distance(const nd_fp *a, const nd_fp *b)
{
        unsigned bits = 0;

        for (int i = 0; i < ND_FP_WORDS; i++)
                bits += (unsigned)__builtin_popcountll(a->w[i] ^ b->w[i]);
        return (bits + ND_FP_WORDS / 2) / ND_FP_WORDS;
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

#define LANE_ONES 0x0101010101010101ULL

/* Bit votes are counted eight at a time: byte j of lanes[w][b] counts how
 * often bit 8j+b of word w was set, so a shingle costs 8 additions per word
 * instead of 64. A byte holds 255 votes; the lanes are emptied into `ones`
 * before that. */
struct shingler {
        uint64_t lanes[ND_FP_WORDS][8];
        unsigned pending;                    /* votes in the lanes */
        uint32_t ones[ND_FP_WORDS][64];      /* shingles with bit i set */
        uint32_t shingles;                   /* shingles voted */
        uint64_t recent[ND_SIMHASH_SHINGLE]; /* last word hashes, a ring */
        size_t words;
};

static void
flush_lanes(struct shingler *s)
{
        for (int w = 0; w < ND_FP_WORDS; w++)
                for (int b = 0; b < 8; b++) {
                        for (int j = 0; j < 8; j++)
                                s->ones[w][8 * j + b] +=
                                    (uint32_t)(s->lanes[w][b] >> (8 * j)) &
                                    0xFF;
                        s->lanes[w][b] = 0;
                }
        s->pending = 0;
}

/* Each word of the fingerprint gets its own hash of the shingle, derived
 * from the shingle hash with a different seed. */
static void
vote(struct shingler *s, uint64_t h)
{
        for (int w = 0; w < ND_FP_WORDS; w++) {
                uint64_t x =
                    w == 0 ? h
                           : mix64(h ^ (0x9e3779b97f4a7c15ULL * (uint64_t)w));
                for (int b = 0; b < 8; b++)
                        s->lanes[w][b] += (x >> b) & LANE_ONES;
        }
        s->shingles++;
        if (++s->pending == 255)
                flush_lanes(s);
}

static uint64_t
shingle_hash(const struct shingler *s, size_t n)
{
        uint64_t h = 0;

        /* Oldest word first, so word order matters. */
        for (size_t i = 0; i < n; i++)
                h = combine(h,
                            s->recent[(s->words - n + i) % ND_SIMHASH_SHINGLE]);
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

void
nd_fingerprint(const char *text, size_t len, nd_fp *out)
{
        struct shingler s;
        int32_t i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
        uint64_t word = 0;
        bool in_word = false;

        memset(&s, 0, sizeof(s));
        while (i < n) {
                UChar32 c;
                bool part;

                U8_NEXT(text, i, n, c);
                part = c >= 0 && (U_GET_GC_MASK(c) &
                                  (U_GC_L_MASK | U_GC_N_MASK | U_GC_M_MASK));
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
                        word = (word ^
                                (uint64_t)u_foldCase(c, U_FOLD_CASE_DEFAULT)) *
                               0x100000001b3ULL;
                        in_word = true;
                } else if (in_word) {
                        add_word(&s, word);
                        in_word = false;
                }
        }
        if (in_word)
                add_word(&s, word);
        memset(out, 0, sizeof(*out));
        if (s.words == 0)
                return;
        if (s.words < ND_SIMHASH_SHINGLE)
                vote(&s, shingle_hash(&s, s.words));
        flush_lanes(&s);
        /* Bit set when more than half of the shingles have it. */
        for (int w = 0; w < ND_FP_WORDS; w++)
                for (int b = 0; b < 64; b++)
                        if (2 * s.ones[w][b] > s.shingles)
                                out->w[w] |= 1ULL << b;
}

uint64_t
nd_simhash(const char *text, size_t len)
{
        nd_fp fp;

        nd_fingerprint(text, len, &fp);
        return fp.w[0];
}

struct nd_dupwin {
        uint32_t cap;
        uint32_t head; /* next slot to fill (the oldest when full) */
        uint32_t size;
        uint64_t seq;
        unsigned max_distance;
        nd_fp *fp;       /* cap entries each */
        uint64_t *order; /* insertion order, to prefer recent */
        char **uri;      /* owned; NULL when the slot is free */
};

size_t
nd_dupwin_max_bytes(unsigned capacity)
{
        return sizeof(nd_dupwin) +
               (size_t)capacity * (sizeof(nd_fp) + sizeof(uint64_t) +
                                   sizeof(char *) + ND_DUPWIN_URI_MAX + 1);
}

nd_dupwin *
nd_dupwin_new(unsigned capacity, unsigned max_distance)
{
        nd_dupwin *w;

        if (capacity == 0 || capacity == UINT32_MAX || max_distance > 64)
                return NULL;
        w = calloc(1, sizeof(*w));
        if (!w)
                return NULL;
        w->cap = capacity;
        w->max_distance = max_distance;
        w->fp = calloc(capacity, sizeof(*w->fp));
        w->order = calloc(capacity, sizeof(*w->order));
        w->uri = calloc(capacity, sizeof(*w->uri));
        if (!w->fp || !w->order || !w->uri) {
                nd_dupwin_destroy(w);
                return NULL;
        }
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
        free(w->fp);
        free(w->order);
        free(w->uri);
        free(w);
}

size_t
nd_dupwin_size(const nd_dupwin *w)
{
        return w->size;
}

bool
nd_dupwin_add(nd_dupwin *w, const nd_fp *fp, const char *uri)
{
        uint32_t i = w->head;
        char *copy;

        if (strlen(uri) > ND_DUPWIN_URI_MAX)
                return true;
        copy = strdup(uri);
        if (!copy)
                return false;
        if (w->uri[i])
                free(w->uri[i]);
        else
                w->size++;
        w->fp[i] = *fp;
        w->order[i] = w->seq++;
        w->uri[i] = copy;
        w->head = (i + 1) % w->cap;
        return true;
}

/* The scan is the window's whole cost; with a POPCNT instruction it runs
 * several times faster, so x86-64 builds carry both versions and pick one
 * when loaded. Slots fill from 0 and are never emptied, so the first
 * `size` are the entries. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
static int64_t
nearest(const nd_dupwin *w, const nd_fp *fp, unsigned limit, const char *self,
        unsigned *bits_out)
{
        int64_t best = -1;
        unsigned best_bits = 0;

        for (uint32_t i = 0; i < w->size; i++) {
                const nd_fp *e = &w->fp[i];
                unsigned bits = 0;

                /* All four words, without an early exit: the branch would
                 * be taken half the time and mispredicted as often. */
                for (int k = 0; k < ND_FP_WORDS; k++)
                        bits +=
                            (unsigned)__builtin_popcountll(fp->w[k] ^ e->w[k]);
                /* Within reach is rare: the uri is compared only then. */
                if (bits > limit || (self && strcmp(w->uri[i], self) == 0))
                        continue;
                if (best < 0 || bits < best_bits ||
                    (bits == best_bits && w->order[i] > w->order[best])) {
                        best = i;
                        best_bits = bits;
                }
        }
        *bits_out = best_bits;
        return best;
}

const char *
nd_dupwin_find(const nd_dupwin *w, const nd_fp *fp, const char *self,
               unsigned *distance)
{
        /* In bits of all 256: nd_fp_distance() rounds bits / 4. */
        unsigned limit = w->max_distance * ND_FP_WORDS + ND_FP_WORDS / 2 - 1;
        unsigned bits;
        int64_t best = nearest(w, fp, limit, self, &bits);

        if (best < 0)
                return NULL;
        *distance = (bits + ND_FP_WORDS / 2) / ND_FP_WORDS;
        return w->uri[best];
}
