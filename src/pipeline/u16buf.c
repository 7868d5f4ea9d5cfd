/* A reusable UTF-16 buffer: the stages convert each article once into a
 * buffer that lives as long as the stage, not one allocation per article. */
#include <stdlib.h>

#include <unicode/ustring.h>

#include "newsd/u16.h"

bool
nd_u16buf_set(nd_u16buf *b, const char *s, size_t len)
{
        UErrorCode status = U_ZERO_ERROR;

        b->len = 0;
        if (len > INT32_MAX / 2)
                return false;
        /* UTF-16 never needs more code units than UTF-8 has bytes. */
        if ((int32_t)len + 1 > b->cap) {
                UChar *nb = realloc(b->p, ((size_t)len + 1) * sizeof(UChar));
                if (!nb)
                        return false;
                b->p = nb;
                b->cap = (int32_t)len + 1;
        }
        u_strFromUTF8WithSub(b->p, b->cap, &b->len, s, (int32_t)len, 0xFFFD,
                             NULL, &status);
        return U_SUCCESS(status);
}

void
nd_u16buf_free(nd_u16buf *b)
{
        free(b->p);
        b->p = NULL;
        b->cap = b->len = 0;
}
