/* Error values shared by every newsd module, with stable string tokens. */
#ifndef NEWSD_ERR_H
#define NEWSD_ERR_H

#include <stddef.h>

/*
 * Every function that can fail returns an nd_err and, where a caller passes
 * one, fills `char *errstr, size_t errstr_size` with a human-readable reason.
 * The tokens returned by nd_err_code() are part of the product's contract:
 * they appear as the `newsd-error-code` header of dead-letter records.
 */
typedef enum nd_err {
        ND_OK = 0,
        ND_ERR_INVALID_JSON,       /* "invalid-json" */
        ND_ERR_TOO_LARGE,          /* "too-large" */
        ND_ERR_EMPTY_BODY,         /* "empty-body" */
        ND_ERR_UNSUPPORTED_FORMAT, /* "unsupported-format" */
        ND_ERR_INVALID_FIELD,      /* "invalid-field" */
        ND_ERR_NOMEM,              /* "out-of-memory" */
        ND_ERR_CONFIG,             /* "config" */
        ND_ERR_IO,                 /* "io" */
        ND_ERR_KAFKA,              /* "kafka" */
        ND_ERR_DATA,               /* "data" */
        ND_ERR_INTERNAL,           /* "internal" */
        ND_ERR__COUNT
} nd_err;

/* Stable machine token for @p err (never NULL). */
const char *nd_err_code(nd_err err);

/* Short English description of @p err (never NULL). */
const char *nd_err_str(nd_err err);

/* snprintf into errstr when errstr is not NULL; returns @p err. */
nd_err nd_seterr(char *errstr, size_t errstr_size, nd_err err, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

#endif
