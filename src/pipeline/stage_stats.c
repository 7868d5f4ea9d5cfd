/* Stage: text statistics (placeholder counts until ICU segmentation). */
#include <string.h>

#include "newsd/stage.h"

static nd_err
stats_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        (void)state;
        (void)errstr;
        (void)errstr_size;
        json_object_set_new(doc->analysis, "stats",
                            json_pack("{s:I}", "bytes",
                                      (json_int_t)doc->body_len));
        return ND_OK;
}

const nd_stage_ops nd_stage_stats = {
        .name = "stats",
        .run = stats_run,
};
