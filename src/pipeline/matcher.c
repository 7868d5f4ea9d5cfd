/* Folding for matching and an Aho-Corasick automaton over code points.
 *
 * Why Aho-Corasick over folded code points: the gazetteer holds tens of
 * thousands of names in hundreds of scripts, and one pass over the text
 * must find all of them. Folding (case, marks, apostrophe variants) works
 * per code point and the offsets we report are code points, so the
 * automaton's alphabet is code points: a byte automaton would need the same
 * map back and would triple the depth of every non-Latin pattern.
 * Transitions live in one open-addressing hash keyed by (state, code
 * point), which keeps memory proportional to the trie size whatever the
 * alphabet. Hyperscan is not packaged for every Debian architecture and
 * knows no Unicode case folding beyond its own rules. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#include "newsd/matcher.h"

/* --- UTF-8 and folding ------------------------------------------------ */

static uint32_t
utf8_next(const unsigned char *s, size_t len, size_t *i)
{
        unsigned char c = s[*i];
        uint32_t cp;
        size_t n, k;

        if (c < 0x80) {
                (*i)++;
                return c;
        }
        if (c >= 0xC2 && c <= 0xDF) {
                n = 1;
                cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
                n = 2;
                cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
                n = 3;
                cp = c & 0x07;
        } else {
                (*i)++;
                return 0xFFFD;
        }
        if (*i + n >= len) {
                (*i)++;
                return 0xFFFD;
        }
        for (k = 1; k <= n; k++) {
                if ((s[*i + k] & 0xC0) != 0x80) {
                        (*i)++;
                        return 0xFFFD;
                }
                cp = (cp << 6) | (s[*i + k] & 0x3F);
        }
        *i += n + 1;
        return cp;
}

/* Variants that writers use interchangeably, after case folding. */
static uint32_t
unify(uint32_t c)
{
        switch (c) {
        case 0x05F3: /* HEBREW PUNCTUATION GERESH */
        case 0x2019: /* RIGHT SINGLE QUOTATION MARK */
        case 0x2018:
        case 0x02BC: /* MODIFIER LETTER APOSTROPHE */
        case 0x0060:
        case 0x00B4:
                return '\'';
        case 0x05F4: /* HEBREW PUNCTUATION GERSHAYIM */
                return '"';
        case 0x2010:
        case 0x2011:
        case 0x2012:
        case 0x2013:
        case 0x2014:
        case 0x2212:
                return '-';
        case 0x00A0:
                return ' ';
        case 0x0671: /* ALEF WASLA */
                return 0x0627;
        case 0x0649: /* ALEF MAKSURA, often written for final YEH */
        case 0x06CC: /* FARSI YEH */
                return 0x064A;
        case 0x06A9: /* KEHEH */
                return 0x0643;
        default:
                return c;
        }
}

typedef struct {
        uint32_t *cp, *orig;
        size_t n, cap;
} fold_out;

static bool
emit(fold_out *o, uint32_t c, uint32_t src)
{
        if (o->n + 1 >= o->cap) {
                size_t cap = o->cap ? o->cap * 2 : 64;
                uint32_t *a = realloc(o->cp, cap * sizeof(*a));
                if (!a)
                        return false;
                o->cp = a;
                a = realloc(o->orig, (cap + 1) * sizeof(*a));
                if (!a)
                        return false;
                o->orig = a;
                o->cap = cap;
        }
        o->cp[o->n] = c;
        o->orig[o->n++] = src;
        return true;
}

/* Folds one code point into @p o. */
static bool
fold_cp(fold_out *o, uint32_t c, uint32_t src)
{
        UChar dec[16], bare[16], folded[32];
        UErrorCode st = U_ZERO_ERROR;
        const UNormalizer2 *nfd;
        int32_t n, m = 0, k;

        if (c < 0x80) {
                if (c >= 'A' && c <= 'Z')
                        c += 'a' - 'A';
                return emit(o, unify(c), src);
        }
        if (c == 0x0640) /* TATWEEL stretches Arabic words, means nothing */
                return true;
        nfd = unorm2_getNFDInstance(&st);
        if (U_FAILURE(st))
                return emit(o, unify(c), src);
        n = unorm2_getDecomposition(nfd, (UChar32)c, dec, 16, &st);
        if (U_FAILURE(st) || n < 0) {
                n = 0;
                U16_APPEND_UNSAFE(dec, n, c);
        }
        /* Drop nonspacing marks from the decomposition. */
        for (k = 0; k < n;) {
                UChar32 d;
                U16_NEXT(dec, k, n, d);
                if (u_charType(d) == U_NON_SPACING_MARK)
                        continue;
                U16_APPEND_UNSAFE(bare, m, d);
        }
        if (m == 0)
                return true;
        st = U_ZERO_ERROR;
        n = u_strFoldCase(folded, 32, bare, m, U_FOLD_CASE_DEFAULT, &st);
        if (U_FAILURE(st))
                return true;
        for (k = 0; k < n;) {
                UChar32 d;
                U16_NEXT(folded, k, n, d);
                if (!emit(o, unify((uint32_t)d), src))
                        return false;
        }
        return true;
}

/* Folding through ICU costs a decomposition and a case fold per code
 * point; the scripts of nearly all news text lie below U+3000, so their
 * results are computed once into a table. */
#define FOLD_CACHE_MAX 0x3000

typedef struct {
        uint32_t cp[3];
        uint8_t n;
} fold_entry;

static fold_entry fold_cache[FOLD_CACHE_MAX];
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static void
fold_cache_init(void)
{
        for (uint32_t c = 0; c < FOLD_CACHE_MAX; c++) {
                fold_out o = {0};
                fold_entry *e = &fold_cache[c];
                if (!fold_cp(&o, c, 0) || o.n > 3) {
                        /* Left uncached (n = 0xFF): folded on demand. */
                        e->n = 0xFF;
                } else {
                        e->n = (uint8_t)o.n;
                        if (o.n > 0) /* marks and tatweel fold to nothing */
                                memcpy(e->cp, o.cp, o.n * sizeof(uint32_t));
                }
                free(o.cp);
                free(o.orig);
        }
}

static bool
fold_cached(fold_out *o, uint32_t c, uint32_t src)
{
        const fold_entry *e;

        if (c >= FOLD_CACHE_MAX || fold_cache[c].n == 0xFF)
                return fold_cp(o, c, src);
        e = &fold_cache[c];
        for (uint8_t k = 0; k < e->n; k++)
                if (!emit(o, e->cp[k], src))
                        return false;
        return true;
}

void
nd_folded_free(nd_folded *f)
{
        free(f->cp);
        free(f->orig);
        free(f->src);
        free(f->src_byte);
        memset(f, 0, sizeof(*f));
}

nd_err
nd_fold(const char *s, size_t len, nd_folded *out)
{
        const unsigned char *u = (const unsigned char *)s;
        fold_out o = {0};
        size_t i = 0, ns = 0;

        pthread_once(&fold_once, fold_cache_init);
        memset(out, 0, sizeof(*out));
        out->src = malloc((len + 1) * sizeof(*out->src));
        out->src_byte = malloc((len + 1) * sizeof(*out->src_byte));
        if (!out->src || !out->src_byte || !emit(&o, 0, 0))
                goto nomem;
        o.n = 0;
        while (i < len) {
                uint32_t c;
                out->src_byte[ns] = i;
                c = utf8_next(u, len, &i);
                out->src[ns] = c;
                if (!fold_cached(&o, c, (uint32_t)ns))
                        goto nomem;
                ns++;
        }
        out->src_byte[ns] = len;
        out->nsrc = ns;
        o.orig[o.n] = (uint32_t)ns;
        out->cp = o.cp;
        out->orig = o.orig;
        out->n = o.n;
        return ND_OK;
nomem:
        free(o.cp);
        free(o.orig);
        nd_folded_free(out);
        return ND_ERR_NOMEM;
}

uint32_t *
nd_fold_str(const char *s, size_t *n)
{
        nd_folded f;
        uint32_t *cp;

        if (nd_fold(s, strlen(s), &f) != ND_OK)
                return NULL;
        cp = f.cp;
        *n = f.n;
        f.cp = NULL;
        nd_folded_free(&f);
        return cp;
}

bool
nd_is_word_cp(uint32_t c)
{
        if (c < 0x80)
                return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9');
        if (u_isalnum((UChar32)c))
                return true;
        switch (u_charType((UChar32)c)) {
        case U_NON_SPACING_MARK:
        case U_COMBINING_SPACING_MARK:
        case U_ENCLOSING_MARK:
                return true;
        default:
                return false;
        }
}

bool
nd_is_unspaced_cp(uint32_t c)
{
        UErrorCode st = U_ZERO_ERROR;
        UScriptCode sc;

        if (c < 0x0E00)
                return false;
        sc = uscript_getScript((UChar32)c, &st);
        switch (sc) {
        case USCRIPT_HAN:
        case USCRIPT_HIRAGANA:
        case USCRIPT_KATAKANA:
        case USCRIPT_THAI:
        case USCRIPT_LAO:
        case USCRIPT_KHMER:
        case USCRIPT_MYANMAR:
        case USCRIPT_TIBETAN:
                return true;
        default:
                return false;
        }
}

int
nd_clitic_script(uint32_t c)
{
        if (c >= 0x05D0 && c <= 0x05EA)
                return ND_CLITIC_HEBREW;
        if (c >= 0x0620 && c <= 0x064A)
                return ND_CLITIC_ARABIC;
        return ND_CLITIC_NONE;
}

static bool
hebrew_clitic(uint32_t c)
{
        /* ו ה ב כ ל מ ש */
        return c == 0x05D5 || c == 0x05D4 || c == 0x05D1 || c == 0x05DB ||
               c == 0x05DC || c == 0x05DE || c == 0x05E9;
}

bool
nd_clitic_prefix_ok(const uint32_t *cp, size_t from, size_t to, int script)
{
        size_t n = to - from, i = from;

        if (n == 0)
                return true;
        if (script == ND_CLITIC_HEBREW) {
                if (n > 3)
                        return false;
                for (; i < to; i++)
                        if (!hebrew_clitic(cp[i]))
                                return false;
                return true;
        }
        if (script == ND_CLITIC_ARABIC) {
                /* [وف]? [بكل]? (ال)? */
                if (i < to && (cp[i] == 0x0648 || cp[i] == 0x0641))
                        i++;
                if (i < to &&
                    (cp[i] == 0x0628 || cp[i] == 0x0643 || cp[i] == 0x0644))
                        i++;
                if (i + 2 == to && cp[i] == 0x0627 && cp[i + 1] == 0x0644)
                        i += 2;
                return i == to;
        }
        return false;
}

bool
nd_boundary_after(const nd_folded *f, size_t end)
{
        const uint32_t *cp = f->cp;

        return end == 0 || end >= f->n || !nd_is_word_cp(cp[end]) ||
               (nd_is_unspaced_cp(cp[end]) && nd_is_unspaced_cp(cp[end - 1]));
}

bool
nd_boundary_before(const nd_folded *f, size_t start, bool clitics,
                   size_t *word_start)
{
        const uint32_t *cp = f->cp;
        size_t ws = start;

        if (start > 0 && start < f->n && nd_is_word_cp(cp[start - 1]) &&
            !(nd_is_unspaced_cp(cp[start - 1]) &&
              nd_is_unspaced_cp(cp[start]))) {
                int script = nd_clitic_script(cp[start]);
                if (!clitics || script == ND_CLITIC_NONE)
                        return false;
                while (ws > 0 && nd_is_word_cp(cp[ws - 1]))
                        ws--;
                if (!nd_clitic_prefix_ok(cp, ws, start, script))
                        return false;
        }
        if (word_start)
                *word_start = ws;
        return true;
}

bool
nd_word_bounded(const nd_folded *f, size_t start, size_t end, bool clitics,
                size_t *word_start)
{
        return nd_boundary_after(f, end) &&
               nd_boundary_before(f, start, clitics, word_start);
}

/* --- The automaton ------------------------------------------------------ */

typedef struct {
        uint32_t id;
        uint32_t len;
        uint32_t next; /* next output of the same state, or UINT32_MAX */
} output;

typedef struct {
        uint64_t key; /* state << 21 | code point; UINT64_MAX when empty */
        uint32_t to;
} edge;

struct nd_matcher {
        uint32_t n_states, cap_states;
        uint32_t *fail; /* per state */
        uint32_t *dict; /* nearest state on the fail chain with outputs */
        uint32_t *out;  /* first output index per state, or UINT32_MAX */
        uint32_t *depth;
        uint32_t *parent;
        uint32_t *label; /* code point on the edge from the parent */
        output *outs;
        size_t n_outs, cap_outs;
        edge *edges;
        size_t n_edges, cap_edges; /* cap_edges is a power of two */
        bool built;
};

#define NO_OUT    UINT32_MAX
#define EMPTY_KEY UINT64_MAX

static inline uint64_t
edge_key(uint32_t state, uint32_t c)
{
        return ((uint64_t)state << 21) | (c & 0x1FFFFF);
}

static inline size_t
edge_slot(uint64_t key, size_t mask)
{
        key ^= key >> 33;
        key *= 0xff51afd7ed558ccdULL;
        key ^= key >> 33;
        return (size_t)key & mask;
}

static inline uint32_t
go(const nd_matcher *m, uint32_t state, uint32_t c)
{
        uint64_t key = edge_key(state, c);
        size_t mask = m->cap_edges - 1, i = edge_slot(key, mask);

        for (;; i = (i + 1) & mask) {
                if (m->edges[i].key == key)
                        return m->edges[i].to;
                if (m->edges[i].key == EMPTY_KEY)
                        return 0;
        }
}

static bool
edges_grow(nd_matcher *m)
{
        size_t cap = m->cap_edges ? m->cap_edges * 2 : 1024;
        edge *e = malloc(cap * sizeof(*e));

        if (!e)
                return false;
        for (size_t i = 0; i < cap; i++)
                e[i].key = EMPTY_KEY;
        for (size_t i = 0; i < m->cap_edges; i++) {
                size_t j;
                if (m->edges[i].key == EMPTY_KEY)
                        continue;
                j = edge_slot(m->edges[i].key, cap - 1);
                while (e[j].key != EMPTY_KEY)
                        j = (j + 1) & (cap - 1);
                e[j] = m->edges[i];
        }
        free(m->edges);
        m->edges = e;
        m->cap_edges = cap;
        return true;
}

static bool
states_grow(nd_matcher *m)
{
        uint32_t cap = m->cap_states ? m->cap_states * 2 : 1024;
        uint32_t **arrays[] = {&m->fail,  &m->dict,   &m->out,
                               &m->depth, &m->parent, &m->label};

        for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
                uint32_t *a = realloc(*arrays[i], cap * sizeof(uint32_t));
                if (!a)
                        return false;
                *arrays[i] = a;
        }
        m->cap_states = cap;
        return true;
}

static uint32_t
new_state(nd_matcher *m, uint32_t parent, uint32_t c, uint32_t depth)
{
        uint32_t s;

        if (m->n_states == m->cap_states && !states_grow(m))
                return 0;
        s = m->n_states++;
        m->fail[s] = 0;
        m->dict[s] = 0;
        m->out[s] = NO_OUT;
        m->depth[s] = depth;
        m->parent[s] = parent;
        m->label[s] = c;
        return s;
}

nd_matcher *
nd_matcher_new(void)
{
        nd_matcher *m = calloc(1, sizeof(*m));

        if (!m)
                return NULL;
        if (!edges_grow(m) || new_state(m, 0, 0, 0) != 0 || m->n_states != 1) {
                nd_matcher_free(m);
                return NULL;
        }
        return m;
}

bool
nd_matcher_add(nd_matcher *m, const uint32_t *cp, size_t n, uint32_t id)
{
        uint32_t s = 0;

        if (m->built || n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                uint32_t t = go(m, s, cp[i]);
                if (t == 0) {
                        uint64_t key;
                        size_t j;
                        t = new_state(m, s, cp[i], (uint32_t)i + 1);
                        if (t == 0)
                                return false;
                        if ((m->n_edges + 1) * 2 > m->cap_edges &&
                            !edges_grow(m))
                                return false;
                        key = edge_key(s, cp[i]);
                        j = edge_slot(key, m->cap_edges - 1);
                        while (m->edges[j].key != EMPTY_KEY)
                                j = (j + 1) & (m->cap_edges - 1);
                        m->edges[j].key = key;
                        m->edges[j].to = t;
                        m->n_edges++;
                }
                s = t;
        }
        if (m->n_outs == m->cap_outs) {
                size_t cap = m->cap_outs ? m->cap_outs * 2 : 256;
                output *o = realloc(m->outs, cap * sizeof(*o));
                if (!o)
                        return false;
                m->outs = o;
                m->cap_outs = cap;
        }
        m->outs[m->n_outs].id = id;
        m->outs[m->n_outs].len = (uint32_t)n;
        m->outs[m->n_outs].next = m->out[s];
        m->out[s] = (uint32_t)m->n_outs++;
        return true;
}

bool
nd_matcher_build(nd_matcher *m)
{
        uint32_t maxd = 0, *count = NULL, *order = NULL;
        bool ok = false;

        for (uint32_t s = 0; s < m->n_states; s++)
                if (m->depth[s] > maxd)
                        maxd = m->depth[s];
        /* States in breadth-first order (by depth) so that a state's
         * failure target is final before the state is handled. */
        count = calloc(maxd + 2, sizeof(*count));
        order = malloc(m->n_states * sizeof(*order));
        if (!count || !order)
                goto out;
        for (uint32_t s = 0; s < m->n_states; s++)
                count[m->depth[s] + 1]++;
        for (uint32_t d = 1; d <= maxd + 1; d++)
                count[d] += count[d - 1];
        for (uint32_t s = 0; s < m->n_states; s++)
                order[count[m->depth[s]]++] = s;
        for (uint32_t k = 0; k < m->n_states; k++) {
                uint32_t s = order[k], p, f, c;
                if (m->depth[s] <= 1)
                        continue;
                p = m->parent[s];
                c = m->label[s];
                f = m->fail[p];
                for (;;) {
                        uint32_t t = go(m, f, c);
                        if (t) {
                                m->fail[s] = t;
                                break;
                        }
                        if (f == 0)
                                break;
                        f = m->fail[f];
                }
                f = m->fail[s];
                m->dict[s] = m->out[f] != NO_OUT ? f : m->dict[f];
        }
        m->built = true;
        ok = true;
out:
        free(count);
        free(order);
        return ok;
}

void
nd_matcher_scan(const nd_matcher *m, const uint32_t *cp, size_t n,
                nd_match_fn fn, void *ctx)
{
        uint32_t s = 0;

        for (size_t i = 0; i < n; i++) {
                uint32_t t;
                for (;;) {
                        t = go(m, s, cp[i]);
                        if (t || s == 0)
                                break;
                        s = m->fail[s];
                }
                s = t;
                for (uint32_t q = s; q; q = m->dict[q])
                        for (uint32_t o = m->out[q]; o != NO_OUT;
                             o = m->outs[o].next)
                                if (!fn(ctx, i + 1 - m->outs[o].len, i + 1,
                                        m->outs[o].id))
                                        return;
        }
}

size_t
nd_matcher_states(const nd_matcher *m)
{
        return m->n_states;
}

void
nd_matcher_free(nd_matcher *m)
{
        if (!m)
                return;
        free(m->fail);
        free(m->dict);
        free(m->out);
        free(m->depth);
        free(m->parent);
        free(m->label);
        free(m->outs);
        free(m->edges);
        free(m);
}
