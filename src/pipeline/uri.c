/* Canonical article URLs and SHA-256 digests. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "newsd/strvec.h"
#include "newsd/uri.h"

void
nd_sha256_hex(const void *data, size_t len, char hex[65])
{
        static const char digits[] = "0123456789abcdef";
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;

        if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
                mdlen = 0;
        for (unsigned int i = 0; i < 32; i++) {
                hex[2 * i] = i < mdlen ? digits[md[i] >> 4] : '0';
                hex[2 * i + 1] = i < mdlen ? digits[md[i] & 15] : '0';
        }
        hex[64] = '\0';
}

/* Query parameters that only track the click, never identify the page. */
static bool
is_tracking_param(const char *p, size_t n)
{
        static const char *const exact[] = {
            "fbclid", "gclid",  "dclid",  "msclkid", "yclid",
            "mc_cid", "mc_eid", "igshid", "_ga",     "ref_src",
            "cmpid",  "ocid",   "smid",   NULL};
        const char *eq = memchr(p, '=', n);
        size_t klen = eq ? (size_t)(eq - p) : n;

        if (klen >= 4 && strncasecmp(p, "utm_", 4) == 0)
                return true;
        for (size_t i = 0; exact[i]; i++)
                if (strlen(exact[i]) == klen &&
                    strncasecmp(p, exact[i], klen) == 0)
                        return true;
        return false;
}

char *
nd_uri_canonical_url(const char *url)
{
        nd_buf b = {0};
        const char *p = url, *host, *host_end, *path, *end;
        bool https;
        bool first = true;

        while (*p == ' ')
                p++;
        if (strncasecmp(p, "https://", 8) == 0) {
                https = true;
                host = p + 8;
        } else if (strncasecmp(p, "http://", 7) == 0) {
                https = false;
                host = p + 7;
        } else {
                return NULL;
        }
        end = host + strcspn(host, "# \t\r\n");
        host_end = host + strcspn(host, "/?#");
        if (host_end > end)
                host_end = end;
        if (host_end == host)
                return NULL;
        for (const char *c = host; c < host_end; c++)
                if ((unsigned char)*c < 0x21)
                        return NULL;

        nd_buf_appends(&b, https ? "https://" : "http://");
        {
                /* Lower-case the host, drop userinfo-free default ports. */
                size_t hl = (size_t)(host_end - host);
                const char *colon = memchr(host, ':', hl);
                if (colon && ((https && host_end - colon == 4 &&
                               strncmp(colon, ":443", 4) == 0) ||
                              (!https && host_end - colon == 3 &&
                               strncmp(colon, ":80", 3) == 0)))
                        hl = (size_t)(colon - host);
                for (size_t i = 0; i < hl; i++)
                        nd_buf_appendc(&b,
                                       (char)tolower((unsigned char)host[i]));
        }
        path = host_end;
        {
                const char *q = memchr(path, '?', (size_t)(end - path));
                const char *path_end = q ? q : end;
                if (path_end == path)
                        nd_buf_appendc(&b, '/');
                else
                        nd_buf_append(&b, path, (size_t)(path_end - path));
                if (q) {
                        const char *s = q + 1;
                        while (s < end) {
                                const char *amp =
                                    memchr(s, '&', (size_t)(end - s));
                                const char *e = amp ? amp : end;
                                if (e > s &&
                                    !is_tracking_param(s, (size_t)(e - s))) {
                                        nd_buf_appendc(&b, first ? '?' : '&');
                                        nd_buf_append(&b, s, (size_t)(e - s));
                                        first = false;
                                }
                                s = amp ? amp + 1 : end;
                        }
                }
        }
        if (!b.p) {
                nd_buf_free(&b);
                return NULL;
        }
        return nd_buf_steal(&b);
}
