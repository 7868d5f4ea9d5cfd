/* Stage: Unicode normalization of every text field of the article. */
#include <stdlib.h>
#include <string.h>

#include "newsd/normalize.h"
#include "newsd/stage.h"

static nd_err
norm_field(char **field, size_t len, int single_line, nd_norm_stats *st)
{
        char *n;

        if (!*field)
                return ND_OK;
        n = nd_norm_text(*field, len, single_line, st);
        if (!n)
                return ND_ERR_NOMEM;
        free(*field);
        *field = n;
        return ND_OK;
}

static nd_err
normalize_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        nd_err err;

        (void)state;
        if ((err = norm_field(&doc->text, doc->text_len, 0, &doc->norm)) ||
            (err = norm_field(&doc->title, doc->title ? strlen(doc->title) : 0,
                              1, &doc->norm)) ||
            (err = norm_field(&doc->description,
                              doc->description ? strlen(doc->description) : 0,
                              0, &doc->norm)))
                return nd_seterr(errstr, errstr_size, err, "normalize: %s",
                                 nd_err_str(err));
        doc->text_len = doc->text ? strlen(doc->text) : 0;
        for (size_t i = 0; i < doc->authors.n; i++) {
                nd_norm_stats ignored = {0};
                if ((err = norm_field(&doc->authors.v[i],
                                      strlen(doc->authors.v[i]), 1, &ignored)))
                        return err;
        }
        return ND_OK;
}

const nd_stage_ops nd_stage_normalize = {
    .name = "normalize",
    .run = normalize_run,
};
