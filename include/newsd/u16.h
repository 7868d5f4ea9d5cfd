/* A reusable UTF-16 buffer for the ICU calls of the enrichment stages. */
#ifndef NEWSD_U16_H
#define NEWSD_U16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/utypes.h>

typedef struct nd_u16buf {
        UChar *p;    /* owned; grown, never shrunk */
        int32_t cap; /* code units */
        int32_t len; /* code units of the last conversion */
} nd_u16buf;

/* Converts @p len bytes of UTF-8 into @p b (invalid sequences become
 * U+FFFD), growing it when needed. False on allocation failure or text
 * beyond ICU's 32-bit lengths. */
bool nd_u16buf_set(nd_u16buf *b, const char *s, size_t len);
void nd_u16buf_free(nd_u16buf *b);

#endif
