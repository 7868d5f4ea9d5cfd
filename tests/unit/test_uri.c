/* Tests for src/pipeline/uri.c: canonical URLs and SHA-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "newsd/uri.h"

static void
check(const char *in, const char *want)
{
        char *got = nd_uri_canonical_url(in);

        if (!want) {
                assert_null(got);
                return;
        }
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
}

static void
test_canonical(void **state)
{
        (void)state;
        check("HTTPS://WWW.Example.COM/News/Story?id=7#comments",
              "https://www.example.com/News/Story?id=7");
        check("https://example.com/a?utm_source=x&id=1&utm_medium=y&fbclid=z",
              "https://example.com/a?id=1");
        check("https://example.com/a?utm_source=x", "https://example.com/a");
        check("http://example.com:80", "http://example.com/");
        check("https://example.com:8443/x", "https://example.com:8443/x");
        check("https://example.com:443/x", "https://example.com/x");
        check("ftp://example.com/x", NULL);
        check("/relative/path", NULL);
        check("https://", NULL);
}

static void
test_sha256(void **state)
{
        char hex[65];

        (void)state;
        /* FIPS 180-2 test vector for "abc". */
        nd_sha256_hex("abc", 3, hex);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                                 "b00361a396177a9cb410ff61f20015ad");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_canonical),
            cmocka_unit_test(test_sha256),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
