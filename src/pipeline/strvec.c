/* Growable string vectors and byte buffers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsd/strvec.h"

bool
nd_strvec_take(nd_strvec *sv, char *s)
{
        if (!s)
                return false;
        if (sv->n == sv->cap) {
                size_t cap = sv->cap ? sv->cap * 2 : 8;
                char **v = realloc(sv->v, cap * sizeof(*v));
                if (!v) {
                        free(s);
                        return false;
                }
                sv->v = v;
                sv->cap = cap;
        }
        sv->v[sv->n++] = s;
        return true;
}

bool
nd_strvec_pushn(nd_strvec *sv, const char *s, size_t len)
{
        char *copy = malloc(len + 1);

        if (!copy)
                return false;
        memcpy(copy, s, len);
        copy[len] = '\0';
        return nd_strvec_take(sv, copy);
}

bool
nd_strvec_push(nd_strvec *sv, const char *s)
{
        return nd_strvec_pushn(sv, s, strlen(s));
}

bool
nd_strvec_contains(const nd_strvec *sv, const char *s)
{
        for (size_t i = 0; i < sv->n; i++)
                if (strcmp(sv->v[i], s) == 0)
                        return true;
        return false;
}

void
nd_strvec_clear(nd_strvec *sv)
{
        for (size_t i = 0; i < sv->n; i++)
                free(sv->v[i]);
        free(sv->v);
        sv->v = NULL;
        sv->n = sv->cap = 0;
}

static bool
buf_reserve(nd_buf *b, size_t extra)
{
        size_t need = b->len + extra + 1;
        size_t cap;
        char *p;

        if (need <= b->cap)
                return true;
        cap = b->cap ? b->cap : 64;
        while (cap < need)
                cap *= 2;
        p = realloc(b->p, cap);
        if (!p)
                return false;
        b->p = p;
        b->cap = cap;
        return true;
}

bool
nd_buf_append(nd_buf *b, const void *data, size_t len)
{
        if (!buf_reserve(b, len))
                return false;
        if (len)
                memcpy(b->p + b->len, data, len);
        b->len += len;
        b->p[b->len] = '\0';
        return true;
}

bool
nd_buf_appends(nd_buf *b, const char *s)
{
        return nd_buf_append(b, s, strlen(s));
}

bool
nd_buf_appendc(nd_buf *b, char c)
{
        return nd_buf_append(b, &c, 1);
}

bool
nd_buf_printf(nd_buf *b, const char *fmt, ...)
{
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || !buf_reserve(b, (size_t)n))
                return false;
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
        return true;
}

char *
nd_buf_steal(nd_buf *b)
{
        char *p = b->p;

        if (!p)
                p = calloc(1, 1);
        b->p = NULL;
        b->len = b->cap = 0;
        return p;
}

void
nd_buf_free(nd_buf *b)
{
        free(b->p);
        b->p = NULL;
        b->len = b->cap = 0;
}
