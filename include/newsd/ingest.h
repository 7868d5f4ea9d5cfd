/* Ingest: turns a raw record value (JSON, plain text) into an nd_doc. */
#ifndef NEWSD_INGEST_H
#define NEWSD_INGEST_H

#include "newsd/doc.h"
#include "newsd/err.h"

/* Decides the format of @p value from the content-type header when given
 * (application/json, text/plain, text/html ...), otherwise by sniffing the
 * bytes. Never returns ND_FORMAT_AUTO. */
nd_format nd_ingest_sniff(const void *value, size_t len,
                          const char *content_type);

/* Fills @p doc's input fields from @p value in @p format (ND_FORMAT_AUTO
 * sniffs). Strings are copied raw (not yet normalized); invalid UTF-8 is
 * left for the normalize stage. JSON deeper than @p max_depth, JSON that is
 * not an object, and field values of the wrong type are errors. HTML gives
 * ND_ERR_UNSUPPORTED_FORMAT. */
nd_err nd_ingest(nd_doc *doc, const void *value, size_t len,
                 const char *content_type, nd_format format, int max_depth,
                 char *errstr, size_t errstr_size);

/* Parses an ISO 8601 / RFC 3339 date-time (or date) and writes it in
 * canonical UTC form "YYYY-MM-DDTHH:MM:SSZ" into @p out (size >= 21).
 * Returns false when @p s is not such a date. */
bool nd_ingest_parse_time(const char *s, char *out, size_t out_size);

#endif
