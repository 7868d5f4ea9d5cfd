/* Error tokens and descriptions. */
#include <stdarg.h>
#include <stdio.h>

#include "newsd/err.h"

static const struct {
        const char *code;
        const char *str;
} err_table[ND_ERR__COUNT] = {
    [ND_OK] = {"ok", "success"},
    [ND_ERR_INVALID_JSON] = {"invalid-json", "invalid JSON"},
    [ND_ERR_TOO_LARGE] = {"too-large", "article too large"},
    [ND_ERR_EMPTY_BODY] = {"empty-body", "article has no text"},
    [ND_ERR_UNSUPPORTED_FORMAT] = {"unsupported-format",
                                   "unsupported input format"},
    [ND_ERR_INVALID_FIELD] = {"invalid-field", "invalid article field"},
    [ND_ERR_NOMEM] = {"out-of-memory", "out of memory"},
    [ND_ERR_CONFIG] = {"config", "configuration error"},
    [ND_ERR_IO] = {"io", "input/output error"},
    [ND_ERR_KAFKA] = {"kafka", "Kafka error"},
    [ND_ERR_DATA] = {"data", "pipeline data error"},
    [ND_ERR_INTERNAL] = {"internal", "internal error"},
};

const char *
nd_err_code(nd_err err)
{
        if ((unsigned)err >= ND_ERR__COUNT)
                return "internal";
        return err_table[err].code;
}

const char *
nd_err_str(nd_err err)
{
        if ((unsigned)err >= ND_ERR__COUNT)
                return "internal error";
        return err_table[err].str;
}

nd_err
nd_seterr(char *errstr, size_t errstr_size, nd_err err, const char *fmt, ...)
{
        va_list ap;

        if (errstr && errstr_size > 0) {
                va_start(ap, fmt);
                vsnprintf(errstr, errstr_size, fmt, ap);
                va_end(ap);
        }
        return err;
}
