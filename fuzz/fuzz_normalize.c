/* Fuzz target: nd_norm_text() on arbitrary bytes, as a text and as a
 * single line, checking the promises of normalize.h on every output. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "newsd/normalize.h"

/* Valid UTF-8 by the rules of Unicode ch. 3 (no overlongs, surrogates or
 * code points above U+10FFFF), with no C0/C1 control other than LF, no
 * zero-width or bidi control other than joiners, and no odd space. */
static void
check_clean(const unsigned char *s, size_t n, int single_line)
{
        size_t i = 0;

        while (i < n) {
                unsigned char b = s[i];
                uint32_t c;
                size_t len;

                if (b < 0x80) {
                        REQUIRE(b >= 0x20 || b == '\n');
                        REQUIRE(b != 0x7F);
                        REQUIRE(!(single_line && b == '\n'));
                        i++;
                        continue;
                }
                REQUIRE(b >= 0xC2 && b <= 0xF4);
                len = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
                REQUIRE(i + len <= n);
                c = b & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
                for (size_t k = 1; k < len; k++) {
                        REQUIRE((s[i + k] & 0xC0) == 0x80);
                        c = c << 6 | (s[i + k] & 0x3Fu);
                }
                REQUIRE(len != 3 || c >= 0x800);
                REQUIRE(len != 4 || (c >= 0x10000 && c <= 0x10FFFF));
                REQUIRE(c < 0xD800 || c > 0xDFFF);
                REQUIRE(c >= 0xA0); /* C1 */
                REQUIRE(c != 0xA0 && c != 0xAD && c != 0x61C && c != 0x1680);
                REQUIRE(c < 0x2000 || c > 0x200B);   /* spaces, ZWSP */
                REQUIRE(c != 0x200E && c != 0x200F); /* LRM, RLM */
                REQUIRE(c < 0x2028 || c > 0x202F);   /* LS, PS, bidi, NNBSP */
                REQUIRE(c != 0x205F && c != 0x2060 && c != 0x3000);
                REQUIRE(c < 0x2066 || c > 0x2069);
                REQUIRE(c != 0xFEFF);
                i += len;
        }
}

static void
check_whitespace(const char *s, size_t n)
{
        if (n == 0)
                return;
        REQUIRE(s[0] != ' ' && s[0] != '\n');
        REQUIRE(s[n - 1] != ' ' && s[n - 1] != '\n');
        REQUIRE(!strstr(s, "  "));
        REQUIRE(!strstr(s, " \n"));
        REQUIRE(!strstr(s, "\n\n\n"));
}

static bool
stats_zero(const nd_norm_stats *st)
{
        static const nd_norm_stats zero;

        return memcmp(st, &zero, sizeof(zero)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        for (int single_line = 0; single_line <= 1; single_line++) {
                nd_norm_stats st = {0}, st2 = {0};
                char *out =
                    nd_norm_text((const char *)data, size, single_line, &st);
                char *again;
                size_t n;
                json_t *report;

                REQUIRE(out);
                n = strlen(out);
                check_clean((const unsigned char *)out, n, single_line);
                check_whitespace(out, n);
                /* Every change is counted, and nothing unchanged is. */
                REQUIRE(stats_zero(&st) ==
                        (n == size && memcmp(out, data, size) == 0));
                report = nd_norm_report(&st);
                REQUIRE(report);
                REQUIRE(json_is_true(json_object_get(report, "changed")) ==
                        !stats_zero(&st));
                json_decref(report);
                /* The output is a fixed point. */
                again = nd_norm_text(out, n, single_line, &st2);
                REQUIRE(again);
                REQUIRE(strcmp(again, out) == 0);
                REQUIRE(stats_zero(&st2));
                free(again);
                free(out);
        }
        return 0;
}
