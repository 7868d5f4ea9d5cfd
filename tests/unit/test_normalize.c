/* Tests for src/pipeline/normalize.c: UTF-8 repair, removals, whitespace,
 * NFC and the report. Expected strings are written out byte by byte; the
 * comments give the code points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/normalize.h"

#define FFFD "\xEF\xBF\xBD"

/* One hand-worked case: input, expected output, and every counter
 * expected (the ones not named are zero). */
typedef struct ncase {
        const char *in;
        size_t len; /* 0: strlen(in) */
        int single_line;
        const char *want;
        nd_norm_stats st;
} ncase;

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool
all_zero(const nd_norm_stats *st)
{
        static const nd_norm_stats zero;

        return memcmp(st, &zero, sizeof(zero)) == 0;
}

static void
run_cases(const ncase *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                const ncase *c = &cases[i];
                nd_norm_stats st = {0};
                size_t len = c->len ? c->len : strlen(c->in);
                char *got = nd_norm_text(c->in, len, c->single_line, &st);

                assert_non_null(got);
                if (strcmp(got, c->want) != 0)
                        fail_msg("case %zu: output differs", i);
                free(got);
#define FIELD(f)                                                               \
        if (st.f != c->st.f)                                                   \
        fail_msg("case %zu: %s is %zu, want %zu", i, #f, st.f, c->st.f)
                FIELD(invalid_utf8);
                FIELD(controls_removed);
                FIELD(nul_removed);
                FIELD(zero_width_removed);
                FIELD(bidi_removed);
                FIELD(line_endings);
                FIELD(spaces_normalized);
                FIELD(blank_runs);
                FIELD(nfc_changed);
#undef FIELD
                /* Normalized text is a fixed point. */
                memset(&st, 0, sizeof(st));
                got =
                    nd_norm_text(c->want, strlen(c->want), c->single_line, &st);
                assert_non_null(got);
                if (strcmp(got, c->want) != 0 || !all_zero(&st))
                        fail_msg("case %zu: output changes when normalized "
                                 "again",
                                 i);
                free(got);
        }
}

static void
test_clean_text_untouched(void **state)
{
        static const ncase cases[] = {
            {"Plain text.\n\nSecond paragraph, one line.\nAnd a third.",
             0,
             0,
             "Plain text.\n\nSecond paragraph, one line.\nAnd a third.",
             {0}},
            /* Precomposed, already NFC: U+00E9 U+00FC U+00DF. */
            {"caf\xC3\xA9 \xC3\xBC"
             "ber Stra\xC3\x9F"
             "e",
             0,
             0,
             "caf\xC3\xA9 \xC3\xBC"
             "ber Stra\xC3\x9F"
             "e",
             {0}},
            /* An emoji (U+1F600) and a U+FFFD already in the input. */
            {"ok \xF0\x9F\x98\x80 " FFFD,
             0,
             0,
             "ok \xF0\x9F\x98\x80 " FFFD,
             {0}},
            {"", 0, 0, "", {0}},
            /* Not NFKC: the fi ligature and full-width A stay. */
            {"\xEF\xAC\x81 \xEF\xBC\xA1",
             0,
             0,
             "\xEF\xAC\x81 \xEF\xBC\xA1",
             {0}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

static void
test_invalid_utf8(void **state)
{
        static const ncase cases[] = {
            /* Overlong NUL: C0 can start nothing, 80 is a lone
             * continuation. */
            {"a\xC0\x80"
             "b",
             4,
             0,
             "a" FFFD FFFD "b",
             {.invalid_utf8 = 2}},
            /* Overlong 3- and 4-byte forms: E0 needs A0..BF next, F0
             * 90..BF. */
            {"\xE0\x80\x80", 0, 0, FFFD FFFD FFFD, {.invalid_utf8 = 3}},
            {"\xF0\x80\x80\x80",
             0,
             0,
             FFFD FFFD FFFD FFFD,
             {.invalid_utf8 = 4}},
            /* A surrogate (U+D800) encoded in UTF-8; U+D7FF just below
             * is fine. */
            {"\xED\xA0\x80", 0, 0, FFFD FFFD FFFD, {.invalid_utf8 = 3}},
            {"\xED\x9F\xBF", 0, 0, "\xED\x9F\xBF", {0}},
            /* Above U+10FFFF. */
            {"\xF4\x90\x80\x80",
             0,
             0,
             FFFD FFFD FFFD FFFD,
             {.invalid_utf8 = 4}},
            /* Truncated at the end: the valid prefix is one error. */
            {"ab\xE2\x82", 0, 0, "ab" FFFD, {.invalid_utf8 = 1}},
            {"x\xF0\x9F\x98", 0, 0, "x" FFFD, {.invalid_utf8 = 1}},
            {"\xC3", 0, 0, FFFD, {.invalid_utf8 = 1}},
            /* Truncated before an ASCII byte, which is kept. */
            {"\xE2\x82"
             "A",
             0,
             0,
             FFFD "A",
             {.invalid_utf8 = 1}},
            /* The old 5- and 6-byte forms: every byte is an error. */
            {"\xF8\x88\x80\x80\x80",
             0,
             0,
             FFFD FFFD FFFD FFFD FFFD,
             {.invalid_utf8 = 5}},
            {"\xFC\x84\x80\x80\x80\x80",
             0,
             0,
             FFFD FFFD FFFD FFFD FFFD FFFD,
             {.invalid_utf8 = 6}},
            /* Lone continuation bytes, and FE FF (not a BOM in
             * UTF-8). */
            {"a\x80"
             "b\xBF",
             0,
             0,
             "a" FFFD "b" FFFD,
             {.invalid_utf8 = 2}},
            {"\xFE\xFF", 0, 0, FFFD FFFD, {.invalid_utf8 = 2}},
            /* The example of Unicode 15 ch. 3 (Table 3-8): 61 F1 80 80
             * E1 80 C2 62 80 63 80 BF 64 is a, 3 x FFFD, b, FFFD, c,
             * 2 x FFFD, d. */
            {"\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
             0,
             0,
             "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d",
             {.invalid_utf8 = 6}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

static void
test_controls(void **state)
{
        static const ncase cases[] = {
            {"ab\0cd", 5, 0, "abcd", {.controls_removed = 1, .nul_removed = 1}},
            {"\0\0x\0", 4, 0, "x", {.controls_removed = 3, .nul_removed = 3}},
            /* U+0001, DEL, U+0080 (C1), an escape sequence's ESC, FF
             * and VT. */
            {"a\x01"
             "b\x7F\xC2\x80"
             "c\x1B[1m\x0C\x0B",
             0,
             0,
             "abc[1m",
             {.controls_removed = 6}},
            /* Removed characters are transparent to blank runs. */
            {"a \x01 b", 0, 0, "a b", {.controls_removed = 1, .blank_runs = 1}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

static void
test_zero_width(void **state)
{
        static const ncase cases[] = {
            /* BOM at the start, and again at the end. */
            {"\xEF\xBB\xBFHello\xEF\xBB\xBF",
             0,
             0,
             "Hello",
             {.zero_width_removed = 2}},
            /* ZWSP, soft hyphen, word joiner. */
            {"foo\xE2\x80\x8B"
             "bar ex\xC2\xAD"
             "ample a\xE2\x81\xA0"
             "b",
             0,
             0,
             "foobar example ab",
             {.zero_width_removed = 3}},
            /* ZWNJ and ZWJ between Latin letters join nothing. */
            {"a\xE2\x80\x8C"
             "b\xE2\x80\x8D"
             "c",
             0,
             0,
             "abc",
             {.zero_width_removed = 2}},
            /* Persian ZWNJ before a space joins nothing. */
            {"\xD9\x85\xDB\x8C\xE2\x80\x8C \xD8\xAE",
             0,
             0,
             "\xD9\x85\xDB\x8C \xD8\xAE",
             {.zero_width_removed = 1}},
            /* Between an Arabic and a Latin letter: removed. */
            {"\xD8\xA8\xE2\x80\x8C"
             "b",
             0,
             0,
             "\xD8\xA8"
             "b",
             {.zero_width_removed = 1}},
            /* A ZWJ at the start of the text joins nothing. */
            {"\xE2\x80\x8D\xD8\xA8",
             0,
             0,
             "\xD8\xA8",
             {.zero_width_removed = 1}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

/* Joiners that do work are kept: the input comes out as it went in. */
static void
test_joiners_kept(void **state)
{
        static const char *const kept[] = {
            /* Persian "mi-khaham": MEEM, FARSI YEH, ZWNJ, KHAH, WAW,
             * ALEF, HEH, MEEM. */
            "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87"
            "\xD9\x85",
            /* Arabic BEH, FATHA (Script=Inherited, used by Arabic),
             * ZWNJ, BEH. */
            "\xD8\xA8\xD9\x8E\xE2\x80\x8C\xD8\xA8",
            /* Devanagari KA, VIRAMA, ZWJ, SSA (half form). */
            "\xE0\xA4\x95\xE0\xA5\x8D\xE2\x80\x8D\xE0\xA4\xB7",
            /* Malayalam NA, VIRAMA, ZWJ at a word end (a chillu). */
            "\xE0\xB4\xA8\xE0\xB5\x8D\xE2\x80\x8D ab",
            /* Family emoji: MAN ZWJ WOMAN ZWJ GIRL. */
            "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
            "\xF0\x9F\x91\xA7",
        };
        ncase c = {0};

        (void)state;
        for (size_t i = 0; i < N(kept); i++) {
                c.in = c.want = kept[i];
                run_cases(&c, 1);
        }
}

/* Joiners next to marks that NFC reorders or composes: the decision must
 * come out the same on the normalized text (found by fuzz_normalize). */
static void
test_joiners_nfc(void **state)
{
        static const ncase cases[] = {
            /* Malayalam NA, OGONEK (ccc 202), VIRAMA (ccc 9), ZWJ: NFC
             * puts the virama first; the ZWJ after the sequence stays
             * either way. */
            {"\xE0\xB4\xA8\xCC\xA8\xE0\xB5\x8D\xE2\x80\x8D ab",
             0,
             0,
             "\xE0\xB4\xA8\xE0\xB5\x8D\xCC\xA8\xE2\x80\x8D ab",
             {.nfc_changed = 1}},
            /* FARSI YEH, ZWNJ, ARABIC SMALL HIGH TAH (ccc 230),
             * DEVANAGARI VIRAMA, ZWJ, SSA: a mark is not the letter after
             * a ZWNJ, so it goes; the ZWJ after the virama stays. */
            {"\xDB\x8C\xE2\x80\x8C\xD8\x95\xE0\xA5\x8D\xE2\x80\x8D"
             "\xE0\xA4\xB7",
             0,
             0,
             "\xDB\x8C\xE0\xA5\x8D\xD8\x95\xE2\x80\x8D\xE0\xA4\xB7",
             {.zero_width_removed = 1, .nfc_changed = 1}},
            /* Sinhala KOMBUVA + AL-LAKUNA (the virama) compose to
             * U+0DDA; the ZWJ after them stays. */
            {"\xE0\xB6\xB4\xE0\xB7\x99\xE0\xB7\x8A\xE2\x80\x8D x",
             0,
             0,
             "\xE0\xB6\xB4\xE0\xB7\x9A\xE2\x80\x8D x",
             {.nfc_changed = 1}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

static void
test_bidi(void **state)
{
        static const ncase cases[] = {
            /* Hebrew "shalom", RLM, "CNN", LRM, Hebrew "olam". */
            {"\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x80\x8F"
             "CNN"
             "\xE2\x80\x8E \xD7\xA2\xD7\x95\xD7\x9C\xD7\x9D",
             0,
             0,
             "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D CNN "
             "\xD7\xA2\xD7\x95\xD7\x9C\xD7\x9D",
             {.bidi_removed = 2}},
            /* RLE ... PDF, RLI ... PDI, RLO, ALM. */
            {"\xE2\x80\xAB"
             "a\xE2\x80\xAC \xE2\x81\xA7"
             "b\xE2\x81\xA9"
             " \xE2\x80\xAE"
             "c\xD8\x9C",
             0,
             0,
             "a b c",
             {.bidi_removed = 6}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

static void
test_line_endings(void **state)
{
        static const ncase cases[] = {
            {"a\r\nb", 0, 0, "a\nb", {.line_endings = 1}},
            {"a\rb", 0, 0, "a\nb", {.line_endings = 1}},
            /* CR then CRLF: two line ends, a blank line. */
            {"a\r\r\nb", 0, 0, "a\n\nb", {.line_endings = 2}},
            /* NEL, LS, PS. */
            {"a\xC2\x85"
             "b\xE2\x80\xA8"
             "c\xE2\x80\xA9"
             "d",
             0,
             0,
             "a\nb\nc\nd",
             {.line_endings = 3}},
            /* Four CRLF are two newlines too many. */
            {"a\r\n\r\n\r\n\r\nb",
             0,
             0,
             "a\n\nb",
             {.line_endings = 4, .blank_runs = 1}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

static void
test_spaces(void **state)
{
        static const ncase cases[] = {
            {"10\xC2\xA0km", 0, 0, "10 km", {.spaces_normalized = 1}},
            /* French guillemets with NARROW NO-BREAK SPACE; IDEOGRAPHIC
             * SPACE, EM SPACE, OGHAM SPACE MARK. */
            {"\xC2\xAB\xE2\x80\xAF"
             "bonjour\xE2\x80\xAF\xC2\xBB"
             "\xE3\x80\x80"
             "x\xE2\x80\x83"
             "y\xE1\x9A\x80"
             "z",
             0,
             0,
             "\xC2\xAB bonjour \xC2\xBB x y z",
             {.spaces_normalized = 5}},
            {"a  \t b", 0, 0, "a b", {.spaces_normalized = 1, .blank_runs = 1}},
            {"a\tb", 0, 0, "a b", {.spaces_normalized = 1}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

static void
test_blank_runs(void **state)
{
        static const ncase cases[] = {
            /* Trailing spaces of a line. */
            {"a \nb", 0, 0, "a\nb", {.blank_runs = 1}},
            {"a\n\n\n\nb", 0, 0, "a\n\nb", {.blank_runs = 1}},
            /* Lines of spaces only are blank lines: one run. */
            {"a\n \n \nb", 0, 0, "a\n\nb", {.blank_runs = 1}},
            /* Only line ends are trimmed: an indent becomes one
             * space. */
            {"a\n  b", 0, 0, "a\n b", {.blank_runs = 1}},
            {"a\n b", 0, 0, "a\n b", {0}},
            {"a\n\n b", 0, 0, "a\n\n b", {0}},
            /* The ends of the text, newlines included. */
            {"  a  ", 0, 0, "a", {.blank_runs = 2}},
            {"\n\na\n", 0, 0, "a", {.blank_runs = 2}},
            {"  \n \t ", 0, 0, "", {.blank_runs = 1, .spaces_normalized = 1}},
            /* Two separate runs in one line. */
            {"a  b  c", 0, 0, "a b c", {.blank_runs = 2}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

static void
test_single_line(void **state)
{
        static const ncase cases[] = {
            /* LF and CRLF become spaces (2 spaces_normalized, 1 line
             * ending); the double space and the trailing blank are two
             * runs. */
            {"Breaking:\nnews  today\r\n",
             0,
             1,
             "Breaking: news today",
             {.spaces_normalized = 2, .line_endings = 1, .blank_runs = 2}},
            {"a\n\n\nb",
             0,
             1,
             "a b",
             {.spaces_normalized = 3, .blank_runs = 1}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

static void
test_nfc(void **state)
{
        static const ncase cases[] = {
            /* e + COMBINING ACUTE ACCENT -> U+00E9. */
            {"cafe\xCC\x81", 0, 0, "caf\xC3\xA9", {.nfc_changed = 1}},
            /* Counted once per text, however many characters
             * changed. */
            {"e\xCC\x81 e\xCC\x81",
             0,
             0,
             "\xC3\xA9 \xC3\xA9",
             {.nfc_changed = 1}},
            /* a + ACUTE (ccc 230) + DOT BELOW (ccc 220): reordered, then
             * a + dot below composes to U+1EA1 and the acute stays
             * combining. */
            {"a\xCC\x81\xCC\xA3",
             0,
             0,
             "\xE1\xBA\xA1\xCC\x81",
             {.nfc_changed = 1}},
            /* ANGSTROM SIGN is a singleton: U+00C5. */
            {"1 \xE2\x84\xAB", 0, 0, "1 \xC3\x85", {.nfc_changed = 1}},
            /* Hangul jamo L + V compose to the syllable U+AC00. */
            {"\xE1\x84\x80\xE1\x85\xA1",
             0,
             0,
             "\xEA\xB0\x80",
             {.nfc_changed = 1}},
            /* A composition across a removed ZWSP: the mark meets its
             * base. */
            {"e\xE2\x80\x8B\xCC\x81",
             0,
             0,
             "\xC3\xA9",
             {.zero_width_removed = 1, .nfc_changed = 1}},
        };

        (void)state;
        run_cases(cases, N(cases));
}

/* Texts longer than one NFC piece: the change must land in the right place
 * whatever piece it falls in, and the untouched pieces must be copied. */
static void
test_nfc_long(void **state)
{
        const size_t n = 40000;
        char *in = malloc(n + 16), *want = malloc(n + 16), *got;
        nd_norm_stats st = {0};

        (void)state;
        assert_non_null(in);
        assert_non_null(want);
        /* 16384 x 'a', decomposed e-acute, then 'b' up to n bytes, then a
         * Hebrew ALEF (NFC, but not ASCII). */
        memset(in, 'a', 16384);
        memcpy(in + 16384, "e\xCC\x81", 3);
        memset(in + 16387, 'b', n - 16387);
        memcpy(in + n, "\xD7\x90", 3);
        memset(want, 'a', 16384);
        memcpy(want + 16384, "\xC3\xA9", 2);
        memset(want + 16386, 'b', n - 16387);
        memcpy(want + n - 1, "\xD7\x90", 3);
        got = nd_norm_text(in, n + 2, 0, &st);
        assert_non_null(got);
        assert_int_equal(strlen(got), n + 1);
        assert_string_equal(got, want);
        assert_int_equal(st.nfc_changed, 1);
        free(got);

        /* Hebrew letters with no ASCII at all (one piece, however long),
         * ending in e + acute. */
        memset(&st, 0, sizeof(st));
        for (size_t i = 0; i < n; i += 2)
                memcpy(in + i, "\xD7\x90", 2);
        memcpy(in + n, "e\xCC\x81", 4);
        memcpy(want, in, n);
        memcpy(want + n, "\xC3\xA9", 3);
        got = nd_norm_text(in, n + 3, 0, &st);
        assert_non_null(got);
        assert_string_equal(got, want);
        assert_int_equal(st.nfc_changed, 1);
        free(got);
        free(in);
        free(want);
}

static void
test_stats_accumulate(void **state)
{
        nd_norm_stats st = {0};
        char *a = nd_norm_text("x\0y", 3, 0, &st);
        char *b = nd_norm_text("\xFFz\0", 3, 1, &st);

        (void)state;
        assert_string_equal(a, "xy");
        assert_string_equal(b, FFFD "z");
        assert_int_equal(st.nul_removed, 2);
        assert_int_equal(st.controls_removed, 2);
        assert_int_equal(st.invalid_utf8, 1);
        free(a);
        free(b);
}

static void
test_report(void **state)
{
        nd_norm_stats st = {0};
        json_t *r = nd_norm_report(&st);

        (void)state;
        assert_non_null(r);
        assert_int_equal(json_object_size(r), 1);
        assert_true(json_is_false(json_object_get(r, "changed")));
        json_decref(r);

        st.invalid_utf8 = 2;
        st.nul_removed = 1;
        st.controls_removed = 1;
        st.nfc_changed = 1;
        r = nd_norm_report(&st);
        assert_int_equal(json_object_size(r), 5);
        assert_true(json_is_true(json_object_get(r, "changed")));
        assert_int_equal(json_integer_value(json_object_get(r, "invalid_utf8")),
                         2);
        assert_int_equal(json_integer_value(json_object_get(r, "nul_removed")),
                         1);
        assert_int_equal(
            json_integer_value(json_object_get(r, "controls_removed")), 1);
        assert_int_equal(json_integer_value(json_object_get(r, "nfc_changed")),
                         1);
        assert_null(json_object_get(r, "blank_runs"));
        json_decref(r);

        /* Every counter has its member. */
        st = (nd_norm_stats){1, 2, 3, 4, 5, 6, 7, 8, 9};
        r = nd_norm_report(&st);
        assert_int_equal(json_object_size(r), 10);
        assert_int_equal(
            json_integer_value(json_object_get(r, "zero_width_removed")), 4);
        assert_int_equal(json_integer_value(json_object_get(r, "bidi_removed")),
                         5);
        assert_int_equal(json_integer_value(json_object_get(r, "line_endings")),
                         6);
        assert_int_equal(
            json_integer_value(json_object_get(r, "spaces_normalized")), 7);
        assert_int_equal(json_integer_value(json_object_get(r, "blank_runs")),
                         8);
        json_decref(r);
}

static char *
read_sample(const char *name, size_t *len)
{
        const char *dir = getenv("NEWSD_SAMPLES_DIR");
        char path[4096];
        FILE *f;
        char *buf;
        long n;

        if (!dir)
                fail_msg("NEWSD_SAMPLES_DIR is not set");
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "rb");
        if (!f)
                fail_msg("cannot open %s", path);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        buf = malloc((size_t)n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
        buf[n] = '\0';
        fclose(f);
        *len = (size_t)n;
        return buf;
}

/* The Hebrew sample is clean NFC text with no trailing newline. The only
 * rule that applies to it is the indent rule: its five bullet lines start
 * with two spaces, which become one. Everything else must come out byte for
 * byte, and the report must say exactly that. */
static void
test_hebrew_sample(void **state)
{
        size_t len, i, o = 0, indents = 0;
        char *in = read_sample("he-belarus-china.txt", &len);
        char *want = malloc(len + 1), *got, *again;
        nd_norm_stats st = {0}, st2 = {0};
        json_t *r;

        (void)state;
        assert_non_null(want);
        for (i = 0; i < len; i++) {
                want[o++] = in[i];
                if (in[i] == '\n' && i + 2 < len && in[i + 1] == ' ' &&
                    in[i + 2] == ' ') {
                        want[o++] = ' ';
                        i += 2;
                        indents++;
                }
        }
        want[o] = '\0';
        assert_int_equal(indents, 5);

        got = nd_norm_text(in, len, 0, &st);
        assert_non_null(got);
        assert_string_equal(got, want);
        r = nd_norm_report(&st);
        assert_int_equal(json_object_size(r), 2);
        assert_true(json_is_true(json_object_get(r, "changed")));
        assert_int_equal(json_integer_value(json_object_get(r, "blank_runs")),
                         5);
        json_decref(r);

        /* Normalized text is a fixed point: nothing changes, nothing is
         * reported. */
        again = nd_norm_text(got, strlen(got), 0, &st2);
        assert_string_equal(again, got);
        assert_true(all_zero(&st2));
        r = nd_norm_report(&st2);
        assert_true(json_is_false(json_object_get(r, "changed")));
        json_decref(r);
        free(again);
        free(got);
        free(want);
        free(in);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_clean_text_untouched),
            cmocka_unit_test(test_invalid_utf8),
            cmocka_unit_test(test_controls),
            cmocka_unit_test(test_zero_width),
            cmocka_unit_test(test_joiners_kept),
            cmocka_unit_test(test_joiners_nfc),
            cmocka_unit_test(test_bidi),
            cmocka_unit_test(test_line_endings),
            cmocka_unit_test(test_spaces),
            cmocka_unit_test(test_blank_runs),
            cmocka_unit_test(test_single_line),
            cmocka_unit_test(test_nfc),
            cmocka_unit_test(test_nfc_long),
            cmocka_unit_test(test_stats_accumulate),
            cmocka_unit_test(test_report),
            cmocka_unit_test(test_hebrew_sample),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
