/* Unicode normalization of article text: one pass over the bytes repairs
 * UTF-8, drops invisible controls and folds whitespace; ICU then brings the
 * (rare) parts that are not already NFC into NFC. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "newsd/normalize.h"

#define REPLACEMENT_CHAR 0xFFFD
#define ZWNJ             0x200C
#define ZWJ              0x200D

/* NFC is checked and applied piecewise: pieces of about this many bytes,
 * cut before an ASCII byte (see nfc_apply), keep the UTF-16 scratch buffers
 * small whatever the size of the article. */
#define NFC_CHUNK 16384

/* ------------------------------------------------------------------------
 * UTF-8 decoding with the "maximal subpart" practice (Unicode 15, ch. 3,
 * U+FFFD substitution; the WHATWG Encoding standard does the same): a lead
 * byte followed by a valid but incomplete prefix of a sequence is one error;
 * any other bad byte is an error on its own. So "E2 82 41" is U+FFFD "A",
 * while "ED A0 80" (a UTF-16 surrogate) and "C0 80" (overlong NUL) are three
 * and two errors, because ED A0 and C0 can start no valid sequence. */

/* Decodes one sequence at @p p (p < end). Returns the code point, or -1 for
 * an ill-formed sequence; *n is the number of bytes consumed either way. */
static int32_t
utf8_next(const unsigned char *p, const unsigned char *end, size_t *n)
{
        unsigned char b = p[0], lo = 0x80, hi = 0xBF;
        size_t need, i;
        uint32_t cp;

        if (b < 0x80) {
                *n = 1;
                return b;
        }
        if (b < 0xC2 || b > 0xF4) {
                /* Continuation bytes, overlong leads C0/C1, and the leads
                 * of the 5- and 6-byte forms UTF-8 no longer has. */
                *n = 1;
                return -1;
        }
        if (b < 0xE0) {
                need = 1;
                cp = b & 0x1Fu;
        } else if (b < 0xF0) {
                need = 2;
                cp = b & 0x0Fu;
                if (b == 0xE0)
                        lo = 0xA0; /* overlong */
                else if (b == 0xED)
                        hi = 0x9F; /* surrogates */
        } else {
                need = 3;
                cp = b & 0x07u;
                if (b == 0xF0)
                        lo = 0x90; /* overlong */
                else if (b == 0xF4)
                        hi = 0x8F; /* above U+10FFFF */
        }
        for (i = 1; i <= need; i++) {
                if (p + i >= end || p[i] < lo || p[i] > hi)
                        break;
                cp = cp << 6 | (p[i] & 0x3Fu);
                lo = 0x80;
                hi = 0xBF;
        }
        *n = i;
        return i == need + 1 ? (int32_t)cp : -1;
}

static unsigned char *
utf8_put(unsigned char *o, uint32_t c)
{
        if (c < 0x80) {
                *o++ = (unsigned char)c;
        } else if (c < 0x800) {
                *o++ = (unsigned char)(0xC0 | c >> 6);
                *o++ = (unsigned char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
                *o++ = (unsigned char)(0xE0 | c >> 12);
                *o++ = (unsigned char)(0x80 | (c >> 6 & 0x3F));
                *o++ = (unsigned char)(0x80 | (c & 0x3F));
        } else {
                *o++ = (unsigned char)(0xF0 | c >> 18);
                *o++ = (unsigned char)(0x80 | (c >> 12 & 0x3F));
                *o++ = (unsigned char)(0x80 | (c >> 6 & 0x3F));
                *o++ = (unsigned char)(0x80 | (c & 0x3F));
        }
        return o;
}

/* ICU's NFC normalizer, a process-wide singleton fetched once. */
static const UNormalizer2 *nfc_instance;
static pthread_once_t nfc_once = PTHREAD_ONCE_INIT;

static void
nfc_init(void)
{
        UErrorCode status = U_ZERO_ERROR;
        const UNormalizer2 *n = unorm2_getNFCInstance(&status);

        nfc_instance = U_SUCCESS(status) ? n : NULL;
}

/* ------------------------------------------------------------------------
 * Character classes. The sets are small and fixed by the Unicode standard,
 * so they are tested directly rather than through property look-ups on
 * every character. */

typedef enum cclass {
        CC_TEXT = 0,
        CC_SPACE,    /* U+0020 */
        CC_ODDSPACE, /* TAB and the other space separators (Zs) */
        CC_LF,
        CC_CR,
        CC_BREAK,   /* NEL, LS, PS */
        CC_CONTROL, /* C0 and C1 controls other than TAB, LF, CR, NEL */
        CC_ZW,      /* zero-width characters always removed */
        CC_JOINER,  /* ZWNJ, ZWJ: removed unless they join (see joins()) */
        CC_BIDI,    /* bidi marks, embeddings, overrides, isolates */
} cclass;

static cclass
classify(uint32_t c)
{
        if (c < 0x20) {
                if (c == '\n')
                        return CC_LF;
                if (c == '\r')
                        return CC_CR;
                if (c == '\t')
                        return CC_ODDSPACE;
                return CC_CONTROL;
        }
        if (c < 0x7F)
                return c == ' ' ? CC_SPACE : CC_TEXT;
        if (c < 0xA0)
                return c == 0x85 ? CC_BREAK : CC_CONTROL;
        if (c == 0xA0)
                return CC_ODDSPACE;
        if (c == 0xAD)
                return CC_ZW; /* soft hyphen: invisible unless the line
                                 breaks there, which plain text never asks */
        if (c < 0x61C)
                return CC_TEXT;
        if (c == 0x61C)
                return CC_BIDI; /* ARABIC LETTER MARK */
        if (c == 0x1680)
                return CC_ODDSPACE;
        if (c < 0x2000)
                return CC_TEXT;
        if (c <= 0x200A)
                return CC_ODDSPACE; /* EN QUAD .. HAIR SPACE */
        if (c == 0x200B)
                return CC_ZW;
        if (c == ZWNJ || c == ZWJ)
                return CC_JOINER;
        if (c == 0x200E || c == 0x200F)
                return CC_BIDI; /* LRM, RLM */
        if (c == 0x2028 || c == 0x2029)
                return CC_BREAK;
        if (c >= 0x202A && c <= 0x202E)
                return CC_BIDI; /* LRE, RLE, PDF, LRO, RLO */
        if (c == 0x202F || c == 0x205F || c == 0x3000)
                return CC_ODDSPACE;
        if (c == 0x2060)
                return CC_ZW; /* WORD JOINER */
        if (c >= 0x2066 && c <= 0x2069)
                return CC_BIDI; /* LRI, RLI, FSI, PDI */
        if (c == 0xFEFF)
                return CC_ZW; /* BOM / ZERO WIDTH NO-BREAK SPACE */
        return CC_TEXT;
}

/* Scripts in which ZWNJ and ZWJ are part of correct spelling: cursive
 * scripts, where they select the joining form of the letters around them
 * (Persian "می‌خواهم" needs the ZWNJ after the prefix "می"), and
 * Brahmic scripts, where they select conjunct, half or explicit-virama forms.
 * Removing them there changes how the word is written, and the words'
 * identity for search; elsewhere they are invisible noise. */
static const UScriptCode joining_scripts[] = {
    USCRIPT_ARABIC,          USCRIPT_SYRIAC,     USCRIPT_NKO,
    USCRIPT_MONGOLIAN,       USCRIPT_MANDAIC,    USCRIPT_MANICHAEAN,
    USCRIPT_PSALTER_PAHLAVI, USCRIPT_ADLAM,      USCRIPT_HANIFI_ROHINGYA,
    USCRIPT_SOGDIAN,         USCRIPT_DEVANAGARI, USCRIPT_BENGALI,
    USCRIPT_GURMUKHI,        USCRIPT_GUJARATI,   USCRIPT_ORIYA,
    USCRIPT_TAMIL,           USCRIPT_TELUGU,     USCRIPT_KANNADA,
    USCRIPT_MALAYALAM,       USCRIPT_SINHALA,    USCRIPT_MYANMAR,
    USCRIPT_KHMER,           USCRIPT_TIBETAN,
};

static bool
letter_or_mark(UChar32 c)
{
        return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) != 0;
}

/* What the joiner rules read of the text before a joiner: the combining
 * character sequence that ends there, as its starter (last character of
 * combining class 0) and whether a virama came after that starter. Both
 * survive NFC, which only reorders the marks of a sequence and composes
 * them onto its starter; the last character alone does not (a virama sorts
 * before U+0328 OGONEK), and deciding on it would leave texts that change
 * when normalized a second time. */
typedef struct comb_seq {
        UChar32 starter; /* -1 at the start and after whitespace */
        bool virama;
} comb_seq;

#define VIRAMA_CCC 9

/* Adds a written character of U+0300 or above (all below are starters). */
static void
seq_add(comb_seq *s, UChar32 c)
{
        uint8_t ccc = u_getCombiningClass(c);

        if (ccc == 0) {
                s->starter = c;
                s->virama = false;
        } else if (ccc == VIRAMA_CCC) {
                s->virama = true;
        }
}

/* The combining sequence that ends at @p o in the output written from
 * @p out (valid UTF-8): walks back over marks to their starter. Whitespace
 * is a starter of no script. */
static comb_seq
seq_before(const unsigned char *out, const unsigned char *o)
{
        comb_seq s = {-1, false};

        while (o > out) {
                const unsigned char *b = o - 1;
                size_t n;
                UChar32 c;

                while (b > out && (*b & 0xC0) == 0x80)
                        b--;
                c = utf8_next(b, o, &n);
                o = b;
                if (c < 0 || c == ' ' || c == '\n')
                        break;
                if (c < 0x300 || u_getCombiningClass(c) == 0) {
                        s.starter = c;
                        break;
                }
                if (u_getCombiningClass(c) == VIRAMA_CCC)
                        s.virama = true;
        }
        return s;
}

/* Whether the canonical decomposition of @p c ends in a virama followed by
 * nothing but marks (Sinhala U+0DDA is U+0DD9 U+0DCA): the composed form
 * of a sequence that seq_add() would have marked. */
static bool
decomposes_to_virama(UChar32 c)
{
        UErrorCode status = U_ZERO_ERROR;
        comb_seq s = {c, false};
        UChar d[32];
        int32_t n, i = 0;

        if (c < 0x300 || !nfc_instance)
                return false;
        n = unorm2_getDecomposition(nfc_instance, c, d, 32, &status);
        if (U_FAILURE(status) || n <= 0)
                return false;
        while (i < n) {
                UChar32 k;
                U16_NEXT(d, i, n, k);
                seq_add(&s, k);
        }
        return s.virama;
}

/* Whether a ZWNJ or ZWJ after the sequence @p s and before @p next (-1:
 * none) does any work and must be kept. Besides letters of one joining
 * script, a joiner right after a virama is kept even at a word end
 * (Malayalam chillu forms are written virama + ZWJ), and a ZWJ between
 * emoji glues an emoji sequence (family, profession, flag variants) into
 * one picture. */
static bool
joins(UChar32 c, const comb_seq *s, UChar32 next)
{
        UChar32 prev = s->starter;

        if (s->virama || decomposes_to_virama(prev))
                return true;
        /* A mark right after the joiner belongs to the joiner's own
         * sequence, and NFC may reorder it with the marks after it: only a
         * starter counts as the character that follows. */
        if (prev < 0 || next < 0 || u_getCombiningClass(next) != 0)
                return false;
        if (c == ZWJ &&
            (u_hasBinaryProperty(prev, UCHAR_EXTENDED_PICTOGRAPHIC) ||
             u_hasBinaryProperty(prev, UCHAR_EMOJI_MODIFIER) ||
             prev == 0xFE0F) &&
            u_hasBinaryProperty(next, UCHAR_EXTENDED_PICTOGRAPHIC))
                return true;
        if (!letter_or_mark(prev) || !letter_or_mark(next))
                return false;
        /* uscript_hasScript() reads Script_Extensions, so Arabic harakat
         * (Script=Inherited) still count as Arabic. */
        for (size_t i = 0;
             i < sizeof(joining_scripts) / sizeof(joining_scripts[0]); i++)
                if (uscript_hasScript(prev, joining_scripts[i]) &&
                    uscript_hasScript(next, joining_scripts[i]))
                        return true;
        return false;
}

/* ------------------------------------------------------------------------
 * The cleaning pass. Whitespace is gathered into runs (spaces and line
 * breaks between two visible characters, with removed characters
 * transparent) and each run is written once when the next visible character
 * arrives: one space; or one or two newlines, plus a single space when the
 * next line was indented (only line ends are trimmed). Runs at the start and
 * end of the text are dropped. */

typedef struct ws_run {
        size_t chars; /* blanks and newlines in the run */
        size_t newlines;
        size_t blanks_tail;  /* blanks since the last newline */
        bool blanks_trimmed; /* a blank stood before a newline */
} ws_run;

static unsigned char *
flush_run(ws_run *r, bool at_start, unsigned char *o, nd_norm_stats *st)
{
        bool changed;

        if (r->chars == 0)
                return o;
        if (at_start) {
                changed = true;
        } else if (r->newlines == 0) {
                *o++ = ' ';
                changed = r->chars != 1;
        } else {
                *o++ = '\n';
                if (r->newlines > 1)
                        *o++ = '\n';
                if (r->blanks_tail > 0)
                        *o++ = ' ';
                changed =
                    r->newlines > 2 || r->blanks_trimmed || r->blanks_tail > 1;
        }
        if (changed)
                st->blank_runs++;
        memset(r, 0, sizeof(*r));
        return o;
}

/* Cleans @p len bytes of @p in into @p out (room for 3 * len bytes: an
 * invalid byte becomes a 3-byte U+FFFD, nothing else grows). Returns the
 * end of what was written; *high says whether any code point at or above
 * U+0300 was written (below it, every text is NFC). */
static unsigned char *
clean(const unsigned char *in, size_t len, bool single_line, unsigned char *out,
      nd_norm_stats *st, bool *high)
{
        const unsigned char *p = in, *end = in + len;
        unsigned char *o = out;
        ws_run run = {0};
        bool at_start = true, hi = false;
        const unsigned char *seq_at = NULL; /* where seq was read */
        comb_seq seq = {-1, false};

        while (p < end) {
                size_t n;
                int32_t c;

                /* Printable ASCII: the bulk of most texts, copied as is. */
                if (*p > 0x20 && *p < 0x7F) {
                        const unsigned char *s = p;
                        o = flush_run(&run, at_start, o, st);
                        at_start = false;
                        for (;;) {
                                do
                                        p++;
                                while (p<end && * p> 0x20 && *p < 0x7F);
                                /* One space between two words needs no
                                 * run. */
                                if (end - p < 2 || p[0] != ' ' ||
                                    p[1] <= 0x20 || p[1] >= 0x7F)
                                        break;
                                p++;
                        }
                        memcpy(o, s, (size_t)(p - s));
                        o += p - s;
                        continue;
                }
                c = utf8_next(p, end, &n);
                p += n;
                if (c < 0) {
                        st->invalid_utf8++;
                        c = REPLACEMENT_CHAR;
                        n = 0; /* nothing of the input to copy */
                }
                switch (classify((uint32_t)c)) {
                case CC_CR:
                        if (p < end && *p == '\n')
                                p++;
                        /* fall through */
                case CC_BREAK:
                        st->line_endings++;
                        /* fall through */
                case CC_LF:
                        if (single_line) {
                                /* A line break in a title: a space. */
                                st->spaces_normalized++;
                                run.blanks_tail++;
                        } else {
                                if (run.blanks_tail)
                                        run.blanks_trimmed = true;
                                run.newlines++;
                                run.blanks_tail = 0;
                        }
                        run.chars++;
                        break;
                case CC_ODDSPACE:
                        st->spaces_normalized++;
                        /* fall through */
                case CC_SPACE:
                        run.blanks_tail++;
                        run.chars++;
                        break;
                case CC_CONTROL:
                        st->controls_removed++;
                        if (c == 0)
                                st->nul_removed++;
                        break;
                case CC_ZW:
                        st->zero_width_removed++;
                        break;
                case CC_BIDI:
                        st->bidi_removed++;
                        break;
                case CC_JOINER: {
                        UChar32 next = -1;
                        size_t nn;
                        if (p < end)
                                next = utf8_next(p, end, &nn);
                        /* Read once for a row of joiners: a removed one
                         * leaves the output as it was. */
                        if (run.chars == 0 && o != seq_at) {
                                seq = seq_before(out, o);
                                seq_at = o;
                        }
                        if (run.chars == 0 && joins(c, &seq, next)) {
                                o = utf8_put(o, (uint32_t)c);
                                hi = true;
                        } else {
                                st->zero_width_removed++;
                        }
                        break;
                }
                case CC_TEXT:
                        o = flush_run(&run, at_start, o, st);
                        at_start = false;
                        if (n == 0) {
                                o = utf8_put(o, REPLACEMENT_CHAR);
                        } else {
                                /* A valid sequence: its own bytes. */
                                memcpy(o, p - n, n);
                                o += n;
                        }
                        if (c >= 0x300)
                                hi = true;
                        break;
                }
        }
        /* Whitespace at the end of the text: trimmed. */
        if (run.chars > 0)
                st->blank_runs++;
        *high = hi;
        return o;
}

/* ------------------------------------------------------------------------
 * NFC through ICU. */

static bool
grow(void **p, size_t *cap, size_t need, size_t elem)
{
        size_t c = *cap ? *cap : 64;
        void *np;

        if (need <= *cap)
                return true;
        if (need > SIZE_MAX / 2 / elem)
                return false;
        while (c < need)
                c *= 2;
        np = realloc(*p, c * elem);
        if (!np)
                return false;
        *p = np;
        *cap = c;
        return true;
}

/* ICU takes capacities as int32_t. */
static int32_t
cap32(size_t cap)
{
        return cap < INT32_MAX ? (int32_t)cap : INT32_MAX;
}

typedef struct nfc_scratch {
        UChar *u; /* the piece in UTF-16 */
        size_t ucap;
        UChar *nu; /* its NFC */
        size_t nucap;
        char *res; /* the new text, once a piece changed */
        size_t rlen;
        size_t rcap;
} nfc_scratch;

/* Normalizes one piece to NFC in UTF-16. Returns 1 when NFC differs from
 * the piece (the result in sc->nu, *nlen units), 0 when the piece is
 * already NFC, -1 on failure. */
static int
nfc_piece(const UNormalizer2 *nfc, nfc_scratch *sc, const char *s, size_t len,
          int32_t *nlen)
{
        UErrorCode status = U_ZERO_ERROR;
        int32_t ulen, span, out;

        if (len > INT32_MAX / 2 ||
            !grow((void **)&sc->u, &sc->ucap, len + 1, sizeof(UChar)))
                return -1;
        u_strFromUTF8(sc->u, cap32(sc->ucap), &ulen, s, (int32_t)len, &status);
        if (U_FAILURE(status))
                return -1;
        /* The quick check answers "yes" for almost all real text without
         * building anything. */
        span = unorm2_spanQuickCheckYes(nfc, sc->u, ulen, &status);
        if (U_FAILURE(status))
                return -1;
        if (span == ulen)
                return 0;
        for (;;) {
                status = U_ZERO_ERROR;
                out = unorm2_normalize(nfc, sc->u, ulen, sc->nu,
                                       cap32(sc->nucap), &status);
                if (status != U_BUFFER_OVERFLOW_ERROR)
                        break;
                if (!grow((void **)&sc->nu, &sc->nucap, (size_t)out + 1,
                          sizeof(UChar)))
                        return -1;
        }
        if (U_FAILURE(status))
                return -1;
        *nlen = out;
        /* "Maybe" answers (a combining mark that might compose) can still
         * turn out to be NFC. */
        return out != ulen ||
               memcmp(sc->u, sc->nu, (size_t)out * sizeof(UChar)) != 0;
}

static bool
res_append_utf16(nfc_scratch *sc, const UChar *u, int32_t ulen)
{
        UErrorCode status = U_ZERO_ERROR;
        int32_t need;

        /* Every UTF-16 unit becomes at most 3 bytes. */
        if (!grow((void **)&sc->res, &sc->rcap, sc->rlen + (size_t)ulen * 3 + 1,
                  1))
                return false;
        u_strToUTF8(sc->res + sc->rlen, cap32(sc->rcap - sc->rlen), &need, u,
                    ulen, &status);
        if (U_FAILURE(status))
                return false;
        sc->rlen += (size_t)need;
        return true;
}

static bool
res_append(nfc_scratch *sc, const char *s, size_t len)
{
        if (!grow((void **)&sc->res, &sc->rcap, sc->rlen + len + 1, 1))
                return false;
        memcpy(sc->res + sc->rlen, s, len);
        sc->rlen += len;
        return true;
}

/* Brings *text (*len bytes, valid UTF-8, NUL-terminated, owned) into NFC.
 * The text is cut into pieces just before ASCII bytes: an ASCII character
 * always has a normalization boundary before it, so each piece normalizes
 * on its own. Returns 1 when the text changed (and replaces *text), 0 when
 * it was NFC, -1 on failure. */
static int
nfc_apply(char **text, size_t *len)
{
        const UNormalizer2 *nfc;
        nfc_scratch sc = {0};
        const char *s = *text;
        size_t pos = 0, n = *len;
        int rc = -1;

        nfc = nfc_instance;
        while (pos < n) {
                size_t end = n - pos > NFC_CHUNK ? pos + NFC_CHUNK : n, i;
                int32_t nlen = 0;
                int changed = 0;

                while (end < n && (unsigned char)s[end] >= 0x80)
                        end++;
                /* Lead bytes from 0xCC up start code points >= U+0300;
                 * below that everything is NFC already. */
                for (i = pos; i < end; i++)
                        if ((unsigned char)s[i] >= 0xCC)
                                break;
                if (i < end) {
                        changed =
                            nfc_piece(nfc, &sc, s + pos, end - pos, &nlen);
                        if (changed < 0)
                                goto out;
                }
                if (changed && !sc.res && !res_append(&sc, s, pos))
                        goto out;
                if (changed ? !res_append_utf16(&sc, sc.nu, nlen)
                            : sc.res && !res_append(&sc, s + pos, end - pos))
                        goto out;
                pos = end;
        }
        if (!sc.res) {
                rc = 0;
                goto out;
        }
        sc.res[sc.rlen] = '\0';
        free(*text);
        *text = sc.res;
        *len = sc.rlen;
        sc.res = NULL;
        rc = 1;
out:
        free(sc.u);
        free(sc.nu);
        free(sc.res);
        return rc;
}

char *
nd_norm_text(const char *in, size_t len, int single_line, nd_norm_stats *st)
{
        unsigned char *out, *o;
        char *text, *shrunk;
        size_t olen;
        bool high;
        int rc;

        if (len > (SIZE_MAX - 1) / 3)
                return NULL;
        pthread_once(&nfc_once, nfc_init);
        if (!nfc_instance)
                return NULL;
        /* Sized for the worst case; pages never written are never touched,
         * and the buffer is shrunk to fit below. */
        out = malloc(len * 3 + 1);
        if (!out)
                return NULL;
        o = clean((const unsigned char *)in, len, single_line != 0, out, st,
                  &high);
        olen = (size_t)(o - out);
        out[olen] = '\0';
        text = (char *)out;
        shrunk = realloc(text, olen + 1);
        if (shrunk)
                text = shrunk;
        if (!high)
                return text;
        rc = nfc_apply(&text, &olen);
        if (rc < 0) {
                free(text);
                return NULL;
        }
        if (rc > 0)
                st->nfc_changed++;
        return text;
}

/* The report's counters, in the order they are reported. */
static const struct counter {
        const char *name;
        size_t offset;
} counters[] = {
    {"invalid_utf8", offsetof(nd_norm_stats, invalid_utf8)},
    {"controls_removed", offsetof(nd_norm_stats, controls_removed)},
    {"nul_removed", offsetof(nd_norm_stats, nul_removed)},
    {"zero_width_removed", offsetof(nd_norm_stats, zero_width_removed)},
    {"bidi_removed", offsetof(nd_norm_stats, bidi_removed)},
    {"line_endings", offsetof(nd_norm_stats, line_endings)},
    {"spaces_normalized", offsetof(nd_norm_stats, spaces_normalized)},
    {"blank_runs", offsetof(nd_norm_stats, blank_runs)},
    {"nfc_changed", offsetof(nd_norm_stats, nfc_changed)},
};

json_t *
nd_norm_report(const nd_norm_stats *st)
{
        json_t *r = json_object();
        bool changed = false;

        if (!r)
                return NULL;
        /* `changed` first, so a reader sees the verdict before the detail. */
        json_object_set_new(r, "changed", json_false());
        for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
                size_t v =
                    *(const size_t *)((const char *)st + counters[i].offset);
                if (v == 0)
                        continue;
                changed = true;
                json_object_set_new(r, counters[i].name,
                                    json_integer((json_int_t)v));
        }
        json_object_set_new(r, "changed", json_boolean(changed));
        return r;
}
