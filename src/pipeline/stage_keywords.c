/* Stage: the article's keywords. Words come from ICU word segmentation of
 * title and body, lower-cased for the article's language; stop words (data
 * files data/stopwords/<lang>.txt) are dropped; the rest are stemmed with
 * Snowball where it has a stemmer for the language and grouped by stem;
 * Hebrew clitic prefixes are handled by the article's own vocabulary. */
#define _GNU_SOURCE /* qsort_r */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "newsd/stage.h"
#include "newsd/u16.h"

#define TOP_N 10
/* Words shorter than this (code points) are not keywords: single letters
 * and, in Chinese, single characters are mostly function words. */
#define MIN_WORD_CHARS 2
/* Longer words are not looked at (keeps the scratch buffers fixed). */
#define MAX_WORD_UNITS 64
/* Weights of an occurrence: the title says what the article is about, the
 * first paragraph usually repeats it. */
#define WEIGHT_TITLE 3.0
#define WEIGHT_LEAD  1.5
#define WEIGHT_BODY  1.0
#define MAX_LANGS    128

/* --- A string table: interned strings with per-string counters, cleared
 * in O(slots) and reused from article to article without freeing. */

typedef struct term {
        uint32_t off, len; /* in the table's arena */
        uint32_t hash;
        uint32_t count;
        double weight;
        uint32_t first; /* order of first occurrence */
        int32_t group;  /* index in the stem table, -1 before grouping */
        int32_t best;   /* stem table: the most frequent surface term */
} term;

typedef struct strtab {
        uint32_t *slot; /* item index + 1; 0 marks an empty slot */
        uint32_t cap;   /* power of two */
        term *items;
        uint32_t n, items_cap;
        nd_buf arena;
} strtab;

static uint32_t
str_hash(const char *s, size_t len)
{
        uint32_t h = 2166136261u; /* FNV-1a */

        for (size_t i = 0; i < len; i++)
                h = (h ^ (unsigned char)s[i]) * 16777619u;
        return h;
}

static void
strtab_free(strtab *t)
{
        free(t->slot);
        free(t->items);
        nd_buf_free(&t->arena);
        memset(t, 0, sizeof(*t));
}

static void
strtab_reset(strtab *t)
{
        if (t->slot)
                memset(t->slot, 0, t->cap * sizeof(*t->slot));
        t->n = 0;
        t->arena.len = 0;
}

static const char *
strtab_str(const strtab *t, uint32_t i)
{
        return t->arena.p + t->items[i].off;
}

static bool
strtab_grow(strtab *t)
{
        uint32_t cap = t->cap ? t->cap * 2 : 256;
        uint32_t *slot = calloc(cap, sizeof(*slot));

        if (!slot)
                return false;
        for (uint32_t i = 0; i < t->n; i++) {
                uint32_t s = t->items[i].hash & (cap - 1);
                while (slot[s])
                        s = (s + 1) & (cap - 1);
                slot[s] = i + 1;
        }
        free(t->slot);
        t->slot = slot;
        t->cap = cap;
        return true;
}

/* The index of @p s, or -1. */
static int32_t
strtab_find(const strtab *t, const char *s, size_t len)
{
        uint32_t h = str_hash(s, len);

        if (!t->cap)
                return -1;
        for (uint32_t i = h & (t->cap - 1); t->slot[i];
             i = (i + 1) & (t->cap - 1)) {
                const term *x = &t->items[t->slot[i] - 1];
                if (x->hash == h && x->len == len &&
                    memcmp(t->arena.p + x->off, s, len) == 0)
                        return (int32_t)(t->slot[i] - 1);
        }
        return -1;
}

/* The index of @p s, added with zeroed counters when new; -1 when out of
 * memory. */
static int32_t
strtab_intern(strtab *t, const char *s, size_t len)
{
        int32_t found = strtab_find(t, s, len);
        uint32_t h, i;
        term *x;

        if (found >= 0)
                return found;
        if ((t->n + 1) * 2 > t->cap && !strtab_grow(t))
                return -1;
        if (t->n == t->items_cap) {
                uint32_t cap = t->items_cap ? t->items_cap * 2 : 256;
                term *ni = realloc(t->items, cap * sizeof(*ni));
                if (!ni)
                        return -1;
                t->items = ni;
                t->items_cap = cap;
        }
        x = &t->items[t->n];
        memset(x, 0, sizeof(*x));
        x->off = (uint32_t)t->arena.len;
        x->len = (uint32_t)len;
        x->hash = h = str_hash(s, len);
        x->group = -1;
        x->best = -1;
        if (!nd_buf_append(&t->arena, s, len) ||
            !nd_buf_appendc(&t->arena, '\0'))
                return -1;
        for (i = h & (t->cap - 1); t->slot[i]; i = (i + 1) & (t->cap - 1))
                ;
        t->slot[i] = ++t->n;
        return (int32_t)(t->n - 1);
}

/* --- Per-language data. */

typedef struct lang_data {
        char code[16];
        strtab stop;                /* empty when there is no list */
        struct sb_stemmer *stemmer; /* NULL: no Snowball stemmer */
        bool stemmer_tried;
} lang_data;

typedef struct kw_state {
        lang_data langs[MAX_LANGS];
        size_t n_langs;
        UBreakIterator *words;
        nd_u16buf u16;   /* the text being segmented */
        strtab terms;    /* this article's words */
        strtab stems;    /* this article's stems */
        uint32_t *order; /* stems sorted by score */
        uint32_t order_cap;
} kw_state;

static lang_data *
lang_get(kw_state *st, const char *code, bool add)
{
        for (size_t i = 0; i < st->n_langs; i++)
                if (strcmp(st->langs[i].code, code) == 0)
                        return &st->langs[i];
        if (!add || st->n_langs == MAX_LANGS || strlen(code) >= 16)
                return NULL;
        lang_data *l = &st->langs[st->n_langs++];
        memset(l, 0, sizeof(*l));
        snprintf(l->code, sizeof(l->code), "%s", code);
        return l;
}

static nd_err
load_stopwords(kw_state *st, const char *dir, const char *name, char *errstr,
               size_t errstr_size)
{
        char path[4096], code[16], *line = NULL;
        size_t cap = 0, n = strlen(name) - 4;
        ssize_t got;
        FILE *f;
        lang_data *l;
        nd_err err = ND_OK;

        if (n == 0 || n >= sizeof(code))
                return ND_OK;
        memcpy(code, name, n);
        code[n] = '\0';
        if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
            (int)sizeof(path))
                return nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                 "%s: path too long", dir);
        if (!(l = lang_get(st, code, true)))
                return nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                 "%s: too many stop word languages", path);
        if (!(f = fopen(path, "r")))
                return nd_seterr(errstr, errstr_size, ND_ERR_DATA, "%s: %s",
                                 path, strerror(errno));
        while ((got = getline(&line, &cap, f)) > 0) {
                while (got > 0 &&
                       (line[got - 1] == '\n' || line[got - 1] == '\r' ||
                        line[got - 1] == ' '))
                        line[--got] = '\0';
                if (got == 0 || line[0] == '#')
                        continue;
                if (strtab_intern(&l->stop, line, (size_t)got) < 0) {
                        err = nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                        "out of memory");
                        break;
                }
        }
        if (err == ND_OK && ferror(f))
                err = nd_seterr(errstr, errstr_size, ND_ERR_DATA, "%s: %s",
                                path, strerror(errno));
        free(line);
        fclose(f);
        return err;
}

/* Reads every <lang>.txt of @p base/stopwords; a missing directory is fine
 * for the user data directory only. */
static nd_err
load_stopword_dir(kw_state *st, const char *base, bool required, char *errstr,
                  size_t errstr_size)
{
        char dir[4096];
        DIR *d;
        struct dirent *de;
        nd_err err = ND_OK;

        if (snprintf(dir, sizeof(dir), "%s/stopwords", base) >=
            (int)sizeof(dir))
                return nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                 "%s: path too long", base);
        if (!(d = opendir(dir))) {
                if (!required && errno == ENOENT)
                        return ND_OK;
                return nd_seterr(errstr, errstr_size, ND_ERR_DATA, "%s: %s",
                                 dir, strerror(errno));
        }
        while (err == ND_OK && (de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n > 4 && strcmp(de->d_name + n - 4, ".txt") == 0)
                        err = load_stopwords(st, dir, de->d_name, errstr,
                                             errstr_size);
        }
        closedir(d);
        return err;
}

static void
kw_destroy(void *state)
{
        kw_state *st = state;

        if (!st)
                return;
        for (size_t i = 0; i < st->n_langs; i++) {
                strtab_free(&st->langs[i].stop);
                if (st->langs[i].stemmer)
                        sb_stemmer_delete(st->langs[i].stemmer);
        }
        if (st->words)
                ubrk_close(st->words);
        nd_u16buf_free(&st->u16);
        strtab_free(&st->terms);
        strtab_free(&st->stems);
        free(st->order);
        free(st);
}

static nd_err
kw_create(void **state, const nd_pipeline_conf *conf, char *errstr,
          size_t errstr_size)
{
        kw_state *st = calloc(1, sizeof(*st));
        UErrorCode status = U_ZERO_ERROR;
        nd_err err;

        *state = NULL;
        if (!st)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        err = load_stopword_dir(st, conf->data_dir, true, errstr, errstr_size);
        if (err == ND_OK && conf->user_data_dir)
                err = load_stopword_dir(st, conf->user_data_dir, false, errstr,
                                        errstr_size);
        if (err == ND_OK) {
                st->words = ubrk_open(UBRK_WORD, "", NULL, 0, &status);
                if (U_FAILURE(status))
                        err = nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                        "ICU word break iterator: %s",
                                        u_errorName(status));
        }
        if (err != ND_OK) {
                kw_destroy(st);
                return err;
        }
        *state = st;
        return ND_OK;
}

/* The Snowball stemmer of @p l, created on first use and kept. */
static struct sb_stemmer *
stemmer_of(lang_data *l)
{
        if (!l->stemmer_tried) {
                l->stemmer = sb_stemmer_new(l->code, "UTF_8");
                l->stemmer_tried = true;
        }
        return l->stemmer;
}

/* The data of language @p code: its stop words and stemmer. A language
 * without a stop word list gets an entry only when Snowball has a stemmer
 * for it, so declared codes from the input (anything at all) cannot fill
 * the table. NULL when there is nothing for the language. */
static lang_data *
lang_find(kw_state *st, const char *code)
{
        lang_data *l = lang_get(st, code, false);
        struct sb_stemmer *stemmer;

        if (l)
                return l;
        stemmer = sb_stemmer_new(code, "UTF_8");
        if (!stemmer)
                return NULL;
        l = lang_get(st, code, true);
        if (!l) {
                sb_stemmer_delete(stemmer);
                return NULL;
        }
        l->stemmer = stemmer;
        l->stemmer_tried = true;
        return l;
}

/* --- Per article. */

/* Hebrew writes the conjunction, the article and several prepositions
 * (ו ה ב ל מ ש כ) as prefixes of the next word, and Snowball has no Hebrew
 * stemmer. A prefix is taken off only when the rest occurs in the same
 * article on its own ("ובלארוס" -> "בלארוס" when "בלארוס" occurs), which
 * keeps words that merely start with such a letter ("לוקשנקו") whole. */
static bool
is_hebrew_prefix(UChar32 c)
{
        return c == 0x05D5 || c == 0x05D4 || c == 0x05D1 || c == 0x05DC ||
               c == 0x05DE || c == 0x05E9 || c == 0x05DB;
}

/* Whether @p w is a stop word; in Hebrew also when it is one behind up to
 * three prefix letters ("ושהוא" is "ו" + "ש" + "הוא"). */
static bool
is_stop(const strtab *stop, const char *w, size_t len, bool hebrew)
{
        int32_t i = 0, n = (int32_t)len;

        if (strtab_find(stop, w, len) >= 0)
                return true;
        for (int k = 0; hebrew && k < 3 && i < n; k++) {
                UChar32 c;

                U8_NEXT(w, i, n, c);
                if (!is_hebrew_prefix(c))
                        break;
                if (i < n && strtab_find(stop, w + i, (size_t)(n - i)) >= 0)
                        return true;
        }
        return false;
}

/* Adds the words of @p text to st->terms, each occurrence weighing
 * @p weight, or WEIGHT_LEAD in the first paragraph when @p lead_boost. */
static nd_err
collect(kw_state *st, const char *text, size_t len, double weight,
        bool lead_boost, const char *locale, const strtab *stop, uint32_t *seq)
{
        int32_t n, start, end, lead_end = -1;
        UErrorCode status = U_ZERO_ERROR;
        bool hebrew = strcmp(locale, "he") == 0;

        if (!text || len == 0)
                return ND_OK;
        if (!nd_u16buf_set(&st->u16, text, len))
                return ND_ERR_NOMEM;
        n = st->u16.len;
        if (lead_boost) {
                lead_end = n;
                for (int32_t i = 0; i + 1 < n; i++)
                        if (st->u16.p[i] == '\n' && st->u16.p[i + 1] == '\n') {
                                lead_end = i;
                                break;
                        }
        }
        ubrk_setText(st->words, st->u16.p, n, &status);
        if (U_FAILURE(status))
                return ND_ERR_INTERNAL;
        start = ubrk_first(st->words);
        for (; (end = ubrk_next(st->words)) != UBRK_DONE; start = end) {
                UChar low[MAX_WORD_UNITS * 2];
                char u8[MAX_WORD_UNITS * 8];
                int32_t nlow, nu8;
                int32_t tag = ubrk_getRuleStatus(st->words);
                int32_t idx;

                /* Letters, kana and ideographs; numbers are no keywords. */
                if (tag < UBRK_WORD_LETTER || end - start > MAX_WORD_UNITS ||
                    u_countChar32(st->u16.p + start, end - start) <
                        MIN_WORD_CHARS)
                        continue;
                status = U_ZERO_ERROR;
                nlow = u_strToLower(low, (int32_t)(sizeof(low) / sizeof(*low)),
                                    st->u16.p + start, end - start, locale,
                                    &status);
                if (U_FAILURE(status))
                        continue;
                u_strToUTF8(u8, (int32_t)sizeof(u8), &nu8, low, nlow, &status);
                if (U_FAILURE(status) || nu8 >= (int32_t)sizeof(u8))
                        continue;
                if (stop && is_stop(stop, u8, (size_t)nu8, hebrew))
                        continue;
                idx = strtab_intern(&st->terms, u8, (size_t)nu8);
                if (idx < 0)
                        return ND_ERR_NOMEM;
                if (st->terms.items[idx].count++ == 0)
                        st->terms.items[idx].first = (*seq)++;
                st->terms.items[idx].weight +=
                    lead_boost && start < lead_end ? WEIGHT_LEAD : weight;
        }
        return ND_OK;
}

static int32_t
hebrew_base(const strtab *terms, int32_t idx)
{
        const char *s = strtab_str(terms, (uint32_t)idx);
        int32_t len = (int32_t)terms->items[idx].len, i = 0, best = idx;

        /* At most three prefix letters ("ושב..."), the rest two letters or
         * more. */
        for (int k = 0; k < 3 && i < len; k++) {
                UChar32 c;
                int32_t found, rest_chars = 0;

                U8_NEXT(s, i, len, c);
                if (!is_hebrew_prefix(c))
                        break;
                for (int32_t j = i; j < len;) {
                        UChar32 d;
                        U8_NEXT(s, j, len, d);
                        rest_chars++;
                }
                if (rest_chars < 2)
                        break;
                found = strtab_find(terms, s + i, (size_t)(len - i));
                if (found >= 0)
                        best = found;
        }
        return best;
}

/* Groups st->terms into st->stems. */
static nd_err
group_terms(kw_state *st, lang_data *l, bool hebrew)
{
        struct sb_stemmer *stemmer = l ? stemmer_of(l) : NULL;

        for (uint32_t i = 0; i < st->terms.n; i++) {
                term *t = &st->terms.items[i];
                const char *key = strtab_str(&st->terms, i);
                size_t key_len = t->len;
                int32_t g;
                term *s;

                if (hebrew) {
                        int32_t b = hebrew_base(&st->terms, (int32_t)i);
                        key = strtab_str(&st->terms, (uint32_t)b);
                        key_len = st->terms.items[b].len;
                } else if (stemmer) {
                        const sb_symbol *r = sb_stemmer_stem(
                            stemmer, (const sb_symbol *)key, (int)t->len);
                        if (r) {
                                key = (const char *)r;
                                key_len = (size_t)sb_stemmer_length(stemmer);
                        }
                }
                g = strtab_intern(&st->stems, key, key_len);
                if (g < 0)
                        return ND_ERR_NOMEM;
                s = &st->stems.items[g];
                if (s->count == 0 || t->first < s->first)
                        s->first = t->first;
                s->count += t->count;
                s->weight += t->weight;
                if (s->best < 0 || t->count > st->terms.items[s->best].count ||
                    (t->count == st->terms.items[s->best].count &&
                     t->first < st->terms.items[s->best].first))
                        s->best = (int32_t)i;
                t->group = g;
        }
        return ND_OK;
}

static int
by_score(const void *a, const void *b, void *stems)
{
        const term *x = &((const strtab *)stems)->items[*(const uint32_t *)a];
        const term *y = &((const strtab *)stems)->items[*(const uint32_t *)b];

        if (x->weight != y->weight)
                return x->weight < y->weight ? 1 : -1;
        if (x->count != y->count)
                return x->count < y->count ? 1 : -1;
        return x->first < y->first ? -1 : x->first > y->first;
}

/* The article's language: detected, else declared, else none. */
static const char *
article_language(const nd_doc *doc, char *buf, size_t size)
{
        json_t *lang = json_object_get(doc->analysis, "language");
        const char *code = json_string_value(json_object_get(lang, "code"));
        size_t n = 0;

        if (!code || strcmp(code, "und") == 0)
                code = doc->language;
        if (!code)
                return NULL;
        /* Stop word files and stemmers go by the primary subtag. */
        while (code[n] && code[n] != '-' && code[n] != '_' && n + 1 < size) {
                buf[n] = (char)(code[n] >= 'A' && code[n] <= 'Z'
                                    ? code[n] - 'A' + 'a'
                                    : code[n]);
                n++;
        }
        buf[n] = '\0';
        return n ? buf : NULL;
}

static nd_err
kw_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        kw_state *st = state;
        char code[16];
        const char *lang = article_language(doc, code, sizeof(code));
        lang_data *l = lang ? lang_find(st, lang) : NULL;
        uint32_t seq = 0, n;
        double top;
        json_t *out;
        nd_err err;

        strtab_reset(&st->terms);
        strtab_reset(&st->stems);
        err = collect(st, doc->title, doc->title ? strlen(doc->title) : 0,
                      WEIGHT_TITLE, false, lang ? lang : "",
                      l ? &l->stop : NULL, &seq);
        if (err == ND_OK)
                err = collect(st, doc->body, doc->body_len, WEIGHT_BODY, true,
                              lang ? lang : "", l ? &l->stop : NULL, &seq);
        if (err == ND_OK)
                err = group_terms(st, l, lang && strcmp(lang, "he") == 0);
        if (err != ND_OK)
                return nd_seterr(errstr, errstr_size, err, "keywords: %s",
                                 nd_err_str(err));

        n = st->stems.n;
        if (n > st->order_cap) {
                uint32_t *no = realloc(st->order, n * sizeof(*no));
                if (!no)
                        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                         "out of memory");
                st->order = no;
                st->order_cap = n;
        }
        for (uint32_t i = 0; i < n; i++)
                st->order[i] = i;
        /* With no terms, order may still be NULL, which qsort_r must not
         * be given even for zero elements. */
        if (n > 1)
                qsort_r(st->order, n, sizeof(*st->order), by_score, &st->stems);

        /* Scores are relative to the best keyword of the article (1.0). */
        out = json_array();
        top = n ? st->stems.items[st->order[0]].weight : 1;
        for (uint32_t i = 0; out && i < n && i < TOP_N; i++) {
                const term *s = &st->stems.items[st->order[i]];
                json_array_append_new(
                    out, json_pack(
                             "{s:s,s:s,s:f,s:i}", "term",
                             strtab_str(&st->terms, (uint32_t)s->best), "stem",
                             strtab_str(&st->stems, st->order[i]), "score",
                             (double)(int)(s->weight / top * 1000 + 0.5) / 1000,
                             "count", (int)s->count));
        }
        if (!out || json_object_set_new(doc->analysis, "keywords", out) != 0)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        return ND_OK;
}

const nd_stage_ops nd_stage_keywords = {
    .name = "keywords",
    .create = kw_create,
    .run = kw_run,
    .destroy = kw_destroy,
};
