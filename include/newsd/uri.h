/* Article URIs: canonical URLs and content-addressed URNs. */
#ifndef NEWSD_URI_H
#define NEWSD_URI_H

#include <stddef.h>

/* Canonicalizes an http(s) URL: lower-case scheme and host, default port
 * dropped, fragment dropped, tracking parameters (utm_*, fbclid, gclid ...)
 * removed. Returns a new string, or NULL when @p url is not an absolute
 * http(s) URL. */
char *nd_uri_canonical_url(const char *url);

/* Writes the lower-case hex SHA-256 of @p len bytes into @p hex (65 bytes). */
void nd_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
