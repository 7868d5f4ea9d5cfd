/* A growable vector of owned C strings, and a growable byte buffer. */
#ifndef NEWSD_STRVEC_H
#define NEWSD_STRVEC_H

#include <stdbool.h>
#include <stddef.h>

typedef struct nd_strvec {
        char **v; /* owned strings; v[n] is not guaranteed NULL */
        size_t n;
        size_t cap;
} nd_strvec;

/* Appends a copy of the first @p len bytes of @p s; false on allocation
 * failure. */
bool nd_strvec_pushn(nd_strvec *sv, const char *s, size_t len);
bool nd_strvec_push(nd_strvec *sv, const char *s);
/* Takes ownership of @p s (which must come from malloc). */
bool nd_strvec_take(nd_strvec *sv, char *s);
bool nd_strvec_contains(const nd_strvec *sv, const char *s);
/* Frees every string and the array; leaves @p sv empty and reusable. */
void nd_strvec_clear(nd_strvec *sv);

typedef struct nd_buf {
        char *p; /* always NUL-terminated when cap > 0 */
        size_t len;
        size_t cap;
} nd_buf;

bool nd_buf_append(nd_buf *b, const void *data, size_t len);
bool nd_buf_appends(nd_buf *b, const char *s);
bool nd_buf_appendc(nd_buf *b, char c);
bool nd_buf_printf(nd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the string to the caller (who frees it); leaves @p b empty. Returns
 * an empty allocated string for an empty buffer, NULL on allocation failure. */
char *nd_buf_steal(nd_buf *b);
void nd_buf_free(nd_buf *b);

#endif
