/* Article structure for plain text: title, lead, key points, subheadings,
 * list items, the sources section and page furniture, driven by the phrase
 * lists under data/boilerplate/ (docs/structure.md describes the rules). */
#define _GNU_SOURCE /* memmem, strndup, getline */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "newsd/structure.h"

/* Lines longer than this (bytes) are never compared with phrases: no
 * heading or furniture line is that long, and the bound keeps the folding
 * buffers on the stack. */
#define KEY_MAX 1024

/* Thresholds in code points (see docs/structure.md). */
#define SUBHEADING_MAX_CP     120 /* longest line taken as a subheading */
#define SUBHEADING_MAX_WORDS  16
#define LONG_PARAGRAPH_CP     120 /* article text, not teasers or link titles */
#define SOURCE_LINE_MAX_CP    150 /* longest unbulleted line of a sources list */
#define SOURCE_NAME_MAX_WORDS 5

enum phrase_list {
        PL_KEY_POINTS,
        PL_SOURCES,
        PL_AGENCY,
        PL_FURN_TRAILING,
        PL_FURN_LINES,
        PL__COUNT
};

static const char *const list_files[PL__COUNT] = {
    "key-points.txt",         "sources.txt",         "agency-prefixes.txt",
    "furniture-trailing.txt", "furniture-lines.txt",
};

/* One phrase list, folded at load time. A phrase written with a trailing
 * '*' matches any line that starts with it (on a word boundary). */
typedef struct phrase_set {
        nd_strvec exact;  /* sorted, for bsearch */
        nd_strvec prefix; /* few; scanned */
        size_t exact_max; /* longest key of each kind, bytes */
        size_t prefix_max;
} phrase_set;

struct nd_phrases {
        phrase_set set[PL__COUNT];
};

/* --- Matching keys -------------------------------------------------------
 * A key is a line as a phrase list sees it: trimmed, without its bullet
 * glyph or list number, without trailing ':', runs of blanks as one space,
 * case-folded, NFC, with Arabic and Hebrew points and tatweel dropped,
 * Arabic alef variants unified and typographic apostrophes made ASCII, so
 * "L’essentiel :" matches the phrase "l'essentiel". */

static bool
is_blank(unsigned char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Length of a leading no-break space (U+00A0) or U+202F, else 0. */
static size_t
nbsp_len(const char *s, size_t len)
{
        if (len >= 2 && (unsigned char)s[0] == 0xc2 &&
            (unsigned char)s[1] == 0xa0)
                return 2;
        if (len >= 3 && (unsigned char)s[0] == 0xe2 &&
            (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0xaf)
                return 3;
        return 0;
}

static void
trim(const char **s, size_t *len)
{
        size_t n;

        for (;;) {
                if (*len > 0 && is_blank((unsigned char)**s)) {
                        (*s)++;
                        (*len)--;
                } else if ((n = nbsp_len(*s, *len)) > 0) {
                        *s += n;
                        *len -= n;
                } else {
                        break;
                }
        }
        while (*len > 0) {
                const unsigned char *e = (const unsigned char *)*s + *len;
                if (is_blank(e[-1]))
                        (*len)--;
                else if (*len >= 2 && e[-2] == 0xc2 && e[-1] == 0xa0)
                        *len -= 2;
                else if (*len >= 3 && e[-3] == 0xe2 && e[-2] == 0x80 &&
                         e[-1] == 0xaf)
                        *len -= 3;
                else
                        break;
        }
}

/* Bullet glyphs that may start a list item. The ASCII ones and the dashes
 * need a following blank ("-5 degrees" is no list item). */
static const char *const glyphs_spaced[] = {"-", "*", "\xe2\x80\x93" /* – */};
static const char *const glyphs[] = {
    "\xe2\x80\xa2" /* • */, "\xc2\xb7" /* · */,     "\xe2\x80\xa3" /* ‣ */,
    "\xe2\x96\xaa" /* ▪ */, "\xe2\x97\xa6" /* ◦ */, "\xe2\x97\x8f" /* ● */,
    "\xe2\x96\xa0" /* ■ */, "\xe2\x96\xba" /* ► */, "\xe2\x96\xb8" /* ▸ */,
    "\xe2\x81\x83" /* ⁃ */,
};

/* Bytes of a leading bullet glyph and the blanks after it, else 0. */
static size_t
glyph_len(const char *s, size_t len)
{
        size_t n = 0;

        for (size_t i = 0; !n && i < sizeof(glyphs) / sizeof(*glyphs); i++) {
                size_t g = strlen(glyphs[i]);
                if (len >= g && memcmp(s, glyphs[i], g) == 0)
                        n = g;
        }
        for (size_t i = 0;
             !n && i < sizeof(glyphs_spaced) / sizeof(*glyphs_spaced); i++) {
                size_t g = strlen(glyphs_spaced[i]);
                if (len > g && memcmp(s, glyphs_spaced[i], g) == 0 &&
                    is_blank((unsigned char)s[g]))
                        n = g;
        }
        if (!n)
                return 0;
        while (n < len && is_blank((unsigned char)s[n]))
                n++;
        return n;
}

/* Bytes of a leading list number ("1. ", "12) ") and its blanks, else 0. */
static size_t
number_len(const char *s, size_t len)
{
        size_t n = 0;

        while (n < len && n < 2 && s[n] >= '0' && s[n] <= '9')
                n++;
        if (n == 0 || n + 1 >= len || (s[n] != '.' && s[n] != ')') ||
            !is_blank((unsigned char)s[n + 1]))
                return 0;
        n++;
        while (n < len && is_blank((unsigned char)s[n]))
                n++;
        return n < len ? n : 0;
}

/* Drops trailing ':' (ASCII or fullwidth) and the blanks around it. */
static void
strip_colons(const char *s, size_t *len)
{
        for (;;) {
                while (*len > 0 && is_blank((unsigned char)s[*len - 1]))
                        (*len)--;
                if (*len > 0 && s[*len - 1] == ':')
                        (*len)--;
                else if (*len >= 3 &&
                         memcmp(s + *len - 3, "\xef\xbc\x9a", 3) == 0)
                        *len -= 3;
                else
                        break;
        }
}

static bool
dropped_mark(UChar32 c)
{
        return (c >= 0x0591 && c <= 0x05c7 && c != 0x05be && c != 0x05c0 &&
                c != 0x05c3 && c != 0x05c6) || /* Hebrew points, cantillation */
               (c >= 0x064b && c <= 0x065f) ||
               c == 0x0670 || /* harakat */
               c == 0x0640;   /* tatweel */
}

static UChar
unify(UChar c)
{
        switch (c) {
        case 0x2019: /* ’ */
        case 0x2018: /* ‘ */
        case 0x02bc: /* ʼ */
                return '\'';
        case 0x0622:           /* آ */
        case 0x0623:           /* أ */
        case 0x0625:           /* إ */
                return 0x0627; /* ا */
        default:
                return c;
        }
}

/*
 * Writes the key of s[0..len) to @p out (NUL-terminated). Returns false when
 * the line is too long to be a phrase or ICU fails; callers then treat the
 * line as matching nothing.
 */
static bool
make_key(const char *s, size_t len, char *out, size_t outsz)
{
        char tmp[KEY_MAX];
        UChar u1[KEY_MAX], u2[KEY_MAX];
        size_t n = 0, g;
        int32_t ulen, flen, klen = 0;
        UErrorCode uerr = U_ZERO_ERROR;
        const UNormalizer2 *nfc;

        trim(&s, &len);
        if ((g = glyph_len(s, len)) > 0 || (g = number_len(s, len)) > 0) {
                s += g;
                len -= g;
        }
        strip_colons(s, &len);
        if (len >= sizeof(tmp))
                return false;
        for (size_t i = 0; i < len;) {
                size_t sp = nbsp_len(s + i, len - i);
                if (sp || is_blank((unsigned char)s[i])) {
                        if (n > 0 && tmp[n - 1] != ' ')
                                tmp[n++] = ' ';
                        i += sp ? sp : 1;
                } else {
                        tmp[n++] = s[i++];
                }
        }
        u_strFromUTF8WithSub(u1, KEY_MAX, &ulen, tmp, (int32_t)n, 0xfffd, NULL,
                             &uerr);
        if (U_FAILURE(uerr))
                return false;
        flen = u_strFoldCase(u2, KEY_MAX, u1, ulen, U_FOLD_CASE_DEFAULT, &uerr);
        if (U_FAILURE(uerr))
                return false;
        nfc = unorm2_getNFCInstance(&uerr);
        if (U_FAILURE(uerr))
                return false;
        ulen = unorm2_normalize(nfc, u2, flen, u1, KEY_MAX, &uerr);
        if (U_FAILURE(uerr))
                return false;
        for (int32_t i = 0; i < ulen; i++) {
                if (dropped_mark(u1[i]))
                        continue;
                u2[klen++] = unify(u1[i]);
        }
        u_strToUTF8(out, (int32_t)outsz, &ulen, u2, klen, &uerr);
        if (U_FAILURE(uerr) || uerr == U_STRING_NOT_TERMINATED_WARNING)
                return false;
        return true;
}

static int
cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
word_boundary(const char *key, size_t at)
{
        unsigned char c = (unsigned char)key[at];

        return c == '\0' || c == ' ' ||
               (c < 0x80 &&
                !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9')));
}

static bool
key_has_prefix(const phrase_set *ps, const char *key)
{
        for (size_t i = 0; i < ps->prefix.n; i++) {
                size_t pl = strlen(ps->prefix.v[i]);
                if (strncmp(key, ps->prefix.v[i], pl) == 0 &&
                    word_boundary(key, pl))
                        return true;
        }
        return false;
}

static bool
key_in_set(const phrase_set *ps, const char *key)
{
        if (!*key)
                return false;
        if (ps->exact.n &&
            bsearch(&key, ps->exact.v, ps->exact.n, sizeof(char *), cmp_str))
                return true;
        return key_has_prefix(ps, key);
}

/* Folding changes a line's length by a factor of three at most (a Kelvin
 * sign becomes 'k'), and a key drops bullets, blanks and colons: a line
 * longer than this cannot fold to a phrase of @p max bytes. */
static size_t
fold_bound(size_t max)
{
        return 3 * max + 64;
}

/*
 * Does the line match a phrase of the set? Long lines (paragraphs) are not
 * folded whole: they cannot equal a phrase, and for phrases that a line
 * starts with, the line's beginning is enough.
 */
static bool
line_in_set(const phrase_set *ps, const char *s, size_t len)
{
        char key[3 * KEY_MAX];

        if (len <= fold_bound(ps->exact_max))
                return make_key(s, len, key, sizeof(key)) &&
                       key_in_set(ps, key);
        if (ps->prefix.n == 0)
                return false;
        if (len > fold_bound(ps->prefix_max)) {
                len = fold_bound(ps->prefix_max);
                while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
                        len--; /* not inside a UTF-8 sequence */
        }
        return make_key(s, len, key, sizeof(key)) && key_has_prefix(ps, key);
}

/* --- Loading ------------------------------------------------------------ */

/* Reads one phrase file into @p ps. A missing optional file is no error. */
static nd_err
load_file(phrase_set *ps, const char *path, bool optional, char *errstr,
          size_t errstr_size)
{
        FILE *f = fopen(path, "r");
        char *line = NULL, key[3 * KEY_MAX];
        size_t cap = 0, lineno = 0;
        ssize_t got;
        nd_err err = ND_OK;

        if (!f) {
                if (optional && errno == ENOENT)
                        return ND_OK;
                return nd_seterr(errstr, errstr_size, ND_ERR_DATA, "%s: %s",
                                 path, strerror(errno));
        }
        while ((got = getline(&line, &cap, f)) >= 0) {
                const char *s = line;
                size_t len = (size_t)got;
                bool prefix = false;

                lineno++;
                trim(&s, &len);
                while (len > 0 && (s[len - 1] == '\n' ||
                                   is_blank((unsigned char)s[len - 1])))
                        len--;
                if (len == 0 || s[0] == '#')
                        continue;
                if (s[len - 1] == '*') {
                        prefix = true;
                        len--;
                }
                if (!make_key(s, len, key, sizeof(key))) {
                        err = nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                        "%s:%zu: phrase too long or not text",
                                        path, lineno);
                        goto out;
                }
                if (!*key)
                        continue;
                if (prefix && strlen(key) > ps->prefix_max)
                        ps->prefix_max = strlen(key);
                if (!prefix && strlen(key) > ps->exact_max)
                        ps->exact_max = strlen(key);
                if (!nd_strvec_push(prefix ? &ps->prefix : &ps->exact, key)) {
                        err = nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                        "out of memory");
                        goto out;
                }
        }
        if (ferror(f))
                err = nd_seterr(errstr, errstr_size, ND_ERR_DATA, "%s: %s",
                                path, strerror(errno));
out:
        free(line);
        fclose(f);
        return err;
}

static nd_err
load_dir(nd_phrases *ph, const char *dir, bool optional, char *errstr,
         size_t errstr_size)
{
        char path[4096];

        for (int i = 0; i < PL__COUNT; i++) {
                int n = snprintf(path, sizeof(path), "%s/boilerplate/%s", dir,
                                 list_files[i]);
                nd_err err;

                if (n < 0 || (size_t)n >= sizeof(path))
                        return nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                         "%s: path too long", dir);
                err =
                    load_file(&ph->set[i], path, optional, errstr, errstr_size);
                if (err != ND_OK)
                        return err;
        }
        return ND_OK;
}

nd_phrases *
nd_phrases_load(const char *data_dir, const char *user_dir, char *errstr,
                size_t errstr_size)
{
        nd_phrases *ph = calloc(1, sizeof(*ph));

        if (!ph) {
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
                return NULL;
        }
        if (!data_dir) {
                nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                          "no data directory for the boilerplate phrases");
                goto fail;
        }
        if (load_dir(ph, data_dir, false, errstr, errstr_size) != ND_OK)
                goto fail;
        if (user_dir && *user_dir &&
            load_dir(ph, user_dir, true, errstr, errstr_size) != ND_OK)
                goto fail;
        for (int i = 0; i < PL__COUNT; i++)
                if (ph->set[i].exact.n)
                        qsort(ph->set[i].exact.v, ph->set[i].exact.n,
                              sizeof(char *), cmp_str);
        return ph;
fail:
        nd_phrases_destroy(ph);
        return NULL;
}

void
nd_phrases_destroy(nd_phrases *ph)
{
        if (!ph)
                return;
        for (int i = 0; i < PL__COUNT; i++) {
                nd_strvec_clear(&ph->set[i].exact);
                nd_strvec_clear(&ph->set[i].prefix);
        }
        free(ph);
}

/* --- Splitting ------------------------------------------------------------
 * The text becomes lines (trimmed), the lines become units (a paragraph,
 * a list item, a heading), and each unit gets one role. */

typedef struct line {
        const char *s;
        size_t len;
} line;

enum role {
        R_NONE = 0,
        R_TITLE,
        R_LEAD,
        R_KP_HEADING, /* dropped */
        R_KEY_POINT,
        R_PARAGRAPH,
        R_SUBHEADING,
        R_ITEM,
        R_SRC_HEADING, /* dropped, or its text after ':' is a source */
        R_SOURCE,
        R_CREDIT,
        R_REMOVED,
};

typedef struct unit {
        size_t first, n; /* lines[first .. first+n) */
        size_t cp;       /* code points, lines together */
        size_t skip;     /* bytes of bullet glyph or number on its line */
        bool glyph;      /* starts with a bullet glyph */
        bool numbered;   /* starts with "1." style numbering */
        bool bullet;     /* a list item: glyph, or numbered among numbered */
        bool phrase;     /* its first line is in a phrase list (when
                            grouping lines needs to know) */
        enum role role;
} unit;

typedef struct splitter {
        const nd_phrases *ph;
        line *lines;
        size_t n_lines;
        unit *units;
        size_t n_units;
} splitter;

static size_t
count_cp(const char *s, size_t len)
{
        size_t n = 0;

        for (size_t i = 0; i < len; i++)
                n += ((unsigned char)s[i] & 0xc0) != 0x80;
        return n;
}

static size_t
count_words(const char *s, size_t len)
{
        size_t n = 0;
        bool in = false;

        for (size_t i = 0; i < len; i++) {
                bool b = is_blank((unsigned char)s[i]);
                n += !b && !in;
                in = !b;
        }
        return n;
}

/* Splits @p text into trimmed lines; blank lines get len 0. LF, CRLF and
 * lone CR end a line. */
static nd_err
split_lines(splitter *sp, const char *text)
{
        size_t cap = 1;

        for (const char *p = text; *p; p++)
                cap += *p == '\n' || (*p == '\r' && p[1] != '\n');
        sp->lines = calloc(cap, sizeof(line));
        if (!sp->lines)
                return ND_ERR_NOMEM;
        for (const char *p = text;;) {
                size_t n = strcspn(p, "\r\n");
                line *l = &sp->lines[sp->n_lines++];

                l->s = p;
                l->len = n;
                trim(&l->s, &l->len);
                p += n;
                if (!*p)
                        break;
                p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
        }
        return ND_OK;
}

/* A line that any phrase list recognises stands alone even inside a block
 * of lines. */
static bool
is_phrase_line(const nd_phrases *ph, const line *l)
{
        for (int i = 0; i < PL__COUNT; i++)
                if (i != PL_AGENCY && line_in_set(&ph->set[i], l->s, l->len))
                        return true;
        return false;
}

static void
add_unit(splitter *sp, size_t first)
{
        const line *l = &sp->lines[first];
        unit *u = &sp->units[sp->n_units++];

        memset(u, 0, sizeof(*u));
        u->first = first;
        u->n = 1;
        u->cp = count_cp(l->s, l->len);
        if ((u->skip = glyph_len(l->s, l->len)) > 0)
                u->glyph = true;
        else if ((u->skip = number_len(l->s, l->len)) > 0)
                u->numbered = true;
}

/*
 * Groups lines into units. Text without blank lines between its lines is
 * one paragraph per line (as scraped). Text with blank lines is one
 * paragraph per block of lines (hard-wrapped lines stay together), except
 * that list items and lines a phrase list knows stand alone.
 */
static nd_err
make_units(splitter *sp, bool title_alone)
{
        bool blocks = false, seen = false, gap = false;

        for (size_t i = 0; i < sp->n_lines; i++) {
                if (sp->lines[i].len == 0) {
                        gap = seen;
                } else {
                        if (gap)
                                blocks = true;
                        seen = true;
                }
        }
        sp->units = calloc(sp->n_lines ? sp->n_lines : 1, sizeof(unit));
        if (!sp->units)
                return ND_ERR_NOMEM;
        for (size_t i = 0; i < sp->n_lines; i++) {
                const line *l = &sp->lines[i];
                unit *prev = sp->n_units ? &sp->units[sp->n_units - 1] : NULL;
                bool phrase;

                if (l->len == 0)
                        continue;
                phrase = blocks && is_phrase_line(sp->ph, l);
                if (blocks && prev && prev->first + prev->n == i &&
                    !prev->glyph && !prev->numbered && !prev->phrase &&
                    !(title_alone && sp->n_units == 1) &&
                    !glyph_len(l->s, l->len) && !number_len(l->s, l->len) &&
                    !phrase) {
                        prev->n++;
                        prev->cp += 1 + count_cp(l->s, l->len);
                        continue;
                }
                add_unit(sp, i);
                sp->units[sp->n_units - 1].phrase = phrase;
        }
        /* "1. FC Köln" opening a paragraph is no list: numbering counts only
         * where numbered units follow each other. */
        for (size_t i = 0; i < sp->n_units; i++) {
                unit *u = &sp->units[i];
                u->bullet =
                    u->glyph ||
                    (u->numbered &&
                     ((i > 0 && sp->units[i - 1].numbered) ||
                      (i + 1 < sp->n_units && sp->units[i + 1].numbered)));
                if (!u->bullet)
                        u->skip = 0;
        }
        return ND_OK;
}

static const line *
first_line(const splitter *sp, const unit *u)
{
        return &sp->lines[u->first];
}

static bool
unit_in(const splitter *sp, const unit *u, int list)
{
        const line *l = first_line(sp, u);

        return u->n == 1 && line_in_set(&sp->ph->set[list], l->s, l->len);
}

/* The unit's text: its lines joined by '\n', without the bullet glyph. */
static char *
unit_text(const splitter *sp, const unit *u, bool strip_glyph)
{
        nd_buf b = {0};
        bool ok = true;

        for (size_t i = 0; ok && i < u->n; i++) {
                const line *l = &sp->lines[u->first + i];
                size_t skip = (i == 0 && strip_glyph) ? u->skip : 0;
                if (i > 0)
                        ok = nd_buf_appendc(&b, '\n');
                ok = ok && nd_buf_append(&b, l->s + skip, l->len - skip);
        }
        if (!ok) {
                nd_buf_free(&b);
                return NULL;
        }
        return nd_buf_steal(&b);
}

/* The last character before closing quotes and brackets ends a sentence
 * (or announces a list, ':'). */
static bool
ends_sentence(const char *s, size_t len)
{
        static const char *const closers[] = {
            "\"",
            "'",
            ")",
            "]",
            "\xc2\xbb" /* » */,
            "\xe2\x80\x9d" /* ” */,
            "\xe2\x80\x99" /* ’ */,
            "\xe2\x80\x9c" /* “ */,
            "\xc2\xab" /* « */,
        };
        static const char *const enders[] = {
            ".",
            "!",
            "?",
            ":",
            ";",
            ",",
            "\xe2\x80\xa6" /* … */,
            "\xd8\x9f" /* ؟ */,
            "\xdb\x94" /* ۔ */,
            "\xe3\x80\x82" /* 。 */,
            "\xef\xbc\x81" /* ！ */,
            "\xef\xbc\x9f" /* ？ */,
            "\xd8\x8c" /* ، */,
            "\xd7\x83" /* ׃ */,
        };
        bool again = true;

        while (again) {
                again = false;
                for (size_t i = 0; i < sizeof(closers) / sizeof(*closers);
                     i++) {
                        size_t c = strlen(closers[i]);
                        if (len >= c &&
                            memcmp(s + len - c, closers[i], c) == 0) {
                                len -= c;
                                again = true;
                        }
                }
                while (len > 0 && is_blank((unsigned char)s[len - 1]))
                        len--;
        }
        for (size_t i = 0; i < sizeof(enders) / sizeof(*enders); i++) {
                size_t e = strlen(enders[i]);
                if (len >= e && memcmp(s + len - e, enders[i], e) == 0)
                        return true;
        }
        return false;
}

static bool
heading_shaped(const splitter *sp, const unit *u)
{
        const line *l = first_line(sp, u);

        return u->n == 1 && !u->bullet && u->cp <= SUBHEADING_MAX_CP &&
               count_words(l->s, l->len) <= SUBHEADING_MAX_WORDS &&
               !ends_sentence(l->s, l->len);
}

static bool
paragraph_shaped(const splitter *sp, const unit *u)
{
        const line *l = &sp->lines[u->first + u->n - 1];

        return !u->bullet && (u->n > 1 || u->cp > SUBHEADING_MAX_CP ||
                              ends_sentence(l->s, l->len));
}

/* Index of the next unit after @p i still without a role, or n_units. */
static size_t
next_free(const splitter *sp, size_t i, size_t end)
{
        for (i++; i < end && sp->units[i].role != R_NONE; i++)
                ;
        return i;
}

/*
 * Page furniture. Share, advertising and newsletter lines go wherever they
 * are. A trailing marker ("Related Posts") takes everything after it, unless
 * article text (a long paragraph of sentences) follows, as after a "Read
 * also" link inside the article: then only the marker and the link line
 * after it go. Returns where the article ends.
 */
static size_t
mark_furniture(splitter *sp, size_t from)
{
        size_t last_long = 0; /* 1 + index of the last long paragraph */

        for (size_t i = from; i < sp->n_units; i++) {
                unit *u = &sp->units[i];
                const line *l = &sp->lines[u->first + u->n - 1];
                if (unit_in(sp, u, PL_FURN_LINES))
                        u->role = R_REMOVED;
                else if (!u->bullet && u->cp >= LONG_PARAGRAPH_CP &&
                         ends_sentence(l->s, l->len))
                        last_long = i + 1;
        }
        for (size_t i = from; i < sp->n_units; i++) {
                unit *u = &sp->units[i];
                if (u->role != R_NONE || !unit_in(sp, u, PL_FURN_TRAILING))
                        continue;
                if (last_long <= i) {
                        for (size_t j = i; j < sp->n_units; j++)
                                sp->units[j].role = R_REMOVED;
                        return i;
                }
                u->role = R_REMOVED;
                if (i + 1 < sp->n_units && sp->units[i + 1].n == 1 &&
                    sp->units[i + 1].cp < LONG_PARAGRAPH_CP &&
                    !paragraph_shaped(sp, &sp->units[i + 1]))
                        sp->units[++i].role = R_REMOVED;
        }
        return sp->n_units;
}

/* Is unit @p u "Heading: text" with a sources heading? Sets *rest to the
 * text after the colon. */
static bool
inline_sources(const splitter *sp, const unit *u, const char **rest,
               size_t *rest_len)
{
        const line *l = first_line(sp, u);
        const char *s = l->s + u->skip;
        size_t len = l->len - u->skip;
        const char *colon = memchr(s, ':', len);

        if (u->n != 1 || u->cp > SOURCE_LINE_MAX_CP || !colon || colon == s)
                return false;
        *rest = colon + 1;
        *rest_len = len - (size_t)(*rest - s);
        trim(rest, rest_len);
        return *rest_len > 0 &&
               line_in_set(&sp->ph->set[PL_SOURCES], s, (size_t)(colon - s));
}

/* The sources section: its heading, then its items (bulleted items while
 * they last, else short lines) up to the end of the article. A heading
 * with its sources on the same line ("Quellen: dpa, AFP") stands alone. */
static void
mark_sources(splitter *sp, size_t from, size_t end)
{
        const char *rest;
        size_t rest_len, i, j;
        bool bulleted;

        for (i = from; i < end; i++) {
                unit *u = &sp->units[i];
                if (u->role != R_NONE)
                        continue;
                if (unit_in(sp, u, PL_SOURCES))
                        break;
                if (inline_sources(sp, u, &rest, &rest_len)) {
                        u->role = R_SRC_HEADING;
                        return;
                }
        }
        if (i >= end)
                return;
        sp->units[i].role = R_SRC_HEADING;
        j = next_free(sp, i, end);
        if (j >= end)
                return;
        bulleted = sp->units[j].bullet;
        for (; j < end; j = next_free(sp, j, end)) {
                unit *u = &sp->units[j];
                if (bulleted ? !u->bullet
                             : (u->n > 1 || u->cp > SOURCE_LINE_MAX_CP))
                        break;
                u->role = R_SOURCE;
        }
}

/* A credit line such as "(dpa)" or "(AFP/Reuters)": short, in brackets,
 * with a letter. */
static bool
credit_shaped(const char *s, size_t len)
{
        bool letter = false;

        if (len < 3 || len > 60 || s[0] != '(' || s[len - 1] != ')')
                return false;
        for (size_t i = 1; i + 1 < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '(' || c == ')' || c == '.' || c == ',')
                        return false;
                letter |= c >= 0x80 || (c >= 'a' && c <= 'z') ||
                          (c >= 'A' && c <= 'Z');
        }
        return letter;
}

static void
mark_credit(splitter *sp, size_t from, size_t end)
{
        for (size_t i = end; i-- > from;) {
                unit *u = &sp->units[i];
                const line *l = first_line(sp, u);
                if (u->role == R_REMOVED || u->role == R_SOURCE ||
                    u->role == R_SRC_HEADING)
                        continue;
                if (u->role == R_NONE && u->n == 1 &&
                    credit_shaped(l->s, l->len))
                        u->role = R_CREDIT;
                return;
        }
}

/* Marks the bullets from @p i on (skipping furniture) with @p role. */
static size_t
mark_list(splitter *sp, size_t i, size_t end, enum role role)
{
        for (; i < end && sp->units[i].bullet; i = next_free(sp, i, end))
                sp->units[i].role = role;
        return i;
}

/* Lead, key points, subheadings, list items and paragraphs, in order. */
static void
mark_body(splitter *sp, size_t from, size_t end)
{
        bool have_lead = false, have_kp = false;

        for (size_t i = from; i < end; i++) {
                unit *u = &sp->units[i];
                size_t next = next_free(sp, i, end);
                bool kp_heading;

                if (u->role != R_NONE)
                        continue;
                kp_heading = unit_in(sp, u, PL_KEY_POINTS);
                if (kp_heading && next < end && sp->units[next].bullet) {
                        u->role = R_KP_HEADING;
                        i = mark_list(sp, next, end, R_KEY_POINT) - 1;
                        have_kp = true;
                } else if (!have_lead && !u->bullet && !kp_heading) {
                        const line *l = &sp->lines[u->first + u->n - 1];
                        u->role = R_LEAD;
                        have_lead = true;
                        /* A list right after the lead is its summary, unless
                         * the lead announces it ("... include:"). */
                        if (!have_kp && next < end && sp->units[next].bullet &&
                            !(l->len && l->s[l->len - 1] == ':')) {
                                i = mark_list(sp, next, end, R_KEY_POINT) - 1;
                                have_kp = true;
                        }
                } else if (u->bullet) {
                        u->role = R_ITEM;
                } else if (!kp_heading && heading_shaped(sp, u) && next < end &&
                           paragraph_shaped(sp, &sp->units[next])) {
                        u->role = R_SUBHEADING;
                } else {
                        u->role = R_PARAGRAPH;
                }
        }
}

/* Where an agency word (news agency, Nachrichtenagentur ...) stands before
 * or after the name in @p key: the longest such phrase, its word count, and
 * whether it leads. Returns false when none does. A key that is only an
 * agency word gives words == SIZE_MAX (nothing is left of the name). */
static bool
find_agency(const phrase_set *ps, const char *key, size_t *words, bool *lead)
{
        size_t kl = strlen(key), best = 0;

        for (size_t i = 0; i < ps->exact.n; i++) {
                const char *a = ps->exact.v[i];
                size_t al = strlen(a);
                if (al <= best || al > kl)
                        continue;
                if (al == kl && strcmp(key, a) == 0) {
                        *words = SIZE_MAX;
                        return true;
                }
                if (al < kl && strncmp(key, a, al) == 0 && key[al] == ' ') {
                        best = al;
                        *lead = true;
                } else if (al < kl && strcmp(key + kl - al, a) == 0 &&
                           key[kl - al - 1] == ' ') {
                        best = al;
                        *lead = false;
                } else {
                        continue;
                }
                *words = count_words(a, al);
        }
        return best > 0;
}

/* Adds one name (a part of a source line) to doc->info_sources, without
 * the agency words around it, when it is short enough to be a name. */
static bool
add_source_name(const nd_phrases *ph, nd_doc *doc, const char *part,
                size_t plen)
{
        char key[3 * KEY_MAX], *name;
        size_t words = 0;
        bool lead = false;

        trim(&part, &plen);
        if (plen == 0 || !make_key(part, plen, key, sizeof(key)))
                return true;
        if (find_agency(&ph->set[PL_AGENCY], key, &words, &lead)) {
                if (words == SIZE_MAX)
                        return true;
                /* Folding keeps the blanks, so words of the key are words of
                 * the text. */
                for (size_t w = 0; w < words; w++) {
                        if (lead) {
                                while (plen &&
                                       !is_blank((unsigned char)*part)) {
                                        part++;
                                        plen--;
                                }
                        } else {
                                while (plen &&
                                       !is_blank((unsigned char)part[plen - 1]))
                                        plen--;
                        }
                        trim(&part, &plen);
                }
        }
        if (plen == 0 || count_words(part, plen) > SOURCE_NAME_MAX_WORDS)
                return true;
        if (!(name = strndup(part, plen)))
                return false;
        if (nd_strvec_contains(&doc->info_sources, name)) {
                free(name);
                return true;
        }
        return nd_strvec_take(&doc->info_sources, name);
}

/* Adds the names a source line holds to doc->info_sources: each part
 * between ',', ';' or '/'. A line with a link names no one. */
static bool
add_source_names(const nd_phrases *ph, nd_doc *doc, const char *s, size_t len)
{
        size_t start = 0;

        if (memmem(s, len, "://", 3) || memmem(s, len, "www.", 4))
                return true;
        for (size_t i = 0; i <= len; i++) {
                if (i < len && s[i] != ',' && s[i] != ';' && s[i] != '/')
                        continue;
                if (!add_source_name(ph, doc, s + start, i - start))
                        return false;
                start = i + 1;
        }
        return true;
}

static bool
push_block(nd_doc *doc, nd_block_kind kind, char *text)
{
        nd_block *nb;

        if (!text)
                return false;
        nb = realloc(doc->blocks, (doc->n_blocks + 1) * sizeof(*nb));
        if (!nb) {
                free(text);
                return false;
        }
        doc->blocks = nb;
        nb[doc->n_blocks].kind = kind;
        nb[doc->n_blocks++].text = text;
        return true;
}

/* A line of the sources section: to doc->sources, its names to
 * doc->info_sources. */
static bool
add_source(const splitter *sp, nd_doc *doc, const unit *u)
{
        char *t = unit_text(sp, u, true);

        if (!t)
                return false;
        if (!add_source_names(sp->ph, doc, t, strlen(t))) {
                free(t);
                return false;
        }
        return nd_strvec_take(&doc->sources, t);
}

/* Moves every unit into the doc field its role names. */
static bool
emit(const splitter *sp, nd_doc *doc)
{
        for (size_t i = 0; i < sp->n_units; i++) {
                const unit *u = &sp->units[i];
                const line *l = first_line(sp, u);
                const char *rest;
                size_t rest_len;
                bool ok = true;

                switch (u->role) {
                case R_LEAD:
                        ok = (doc->lead = unit_text(sp, u, false)) != NULL;
                        break;
                case R_KEY_POINT:
                        ok = nd_strvec_take(&doc->key_points,
                                            unit_text(sp, u, true));
                        break;
                case R_PARAGRAPH:
                case R_NONE:
                        ok = push_block(doc, ND_BLOCK_PARAGRAPH,
                                        unit_text(sp, u, false));
                        break;
                case R_SUBHEADING:
                        ok = push_block(doc, ND_BLOCK_SUBHEADING,
                                        unit_text(sp, u, false));
                        break;
                case R_ITEM:
                        ok = push_block(doc, ND_BLOCK_LIST_ITEM,
                                        unit_text(sp, u, true));
                        break;
                case R_SRC_HEADING:
                        if (inline_sources(sp, u, &rest, &rest_len))
                                ok = nd_strvec_pushn(&doc->sources, rest,
                                                     rest_len) &&
                                     add_source_names(sp->ph, doc, rest,
                                                      rest_len);
                        break;
                case R_SOURCE:
                        ok = add_source(sp, doc, u);
                        break;
                case R_CREDIT:
                        ok =
                            nd_strvec_pushn(&doc->sources, l->s, l->len) &&
                            add_source_names(sp->ph, doc, l->s + 1, l->len - 2);
                        break;
                case R_REMOVED:
                        ok = nd_strvec_take(&doc->removed,
                                            unit_text(sp, u, false));
                        break;
                case R_TITLE:
                case R_KP_HEADING:
                        break;
                }
                if (!ok)
                        return false;
        }
        return true;
}

nd_err
nd_structure_split(const nd_phrases *ph, nd_doc *doc, int take_title,
                   char *errstr, size_t errstr_size)
{
        splitter sp = {.ph = ph};
        size_t from = 0, end;
        nd_err err;
        bool title = take_title && !doc->title;

        if (!doc->text || !*doc->text)
                return ND_OK;
        if ((err = split_lines(&sp, doc->text)) != ND_OK ||
            (err = make_units(&sp, title)) != ND_OK)
                goto out;
        /* A text of one line is all body: a title alone makes no article. */
        if (title &&
            (sp.n_units > 1 || (sp.n_units == 1 && sp.units[0].n > 1))) {
                const line *l = first_line(&sp, &sp.units[0]);
                if (!(doc->title = strndup(l->s, l->len))) {
                        err = ND_ERR_NOMEM;
                        goto out;
                }
                if (sp.units[0].n > 1) {
                        sp.units[0].first++;
                        sp.units[0].n--;
                        sp.units[0].cp -= count_cp(l->s, l->len) + 1;
                } else {
                        sp.units[0].role = R_TITLE;
                        from = 1;
                }
        }
        end = mark_furniture(&sp, from);
        mark_sources(&sp, from, end);
        mark_credit(&sp, from, end);
        mark_body(&sp, from, end);
        if (!emit(&sp, doc))
                err = ND_ERR_NOMEM;
out:
        free(sp.lines);
        free(sp.units);
        if (err != ND_OK)
                nd_seterr(errstr, errstr_size, err, "structure: %s",
                          nd_err_str(err));
        return err;
}
