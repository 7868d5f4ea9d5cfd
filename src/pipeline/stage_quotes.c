/* Stage: quotes (placeholder while being written). */
#include "newsd/stage.h"

static nd_err
run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        (void)state;
        (void)doc;
        (void)errstr;
        (void)errstr_size;
        return ND_OK;
}

const nd_stage_ops nd_stage_quotes = {
        .name = "quotes",
        .run = run,
};
