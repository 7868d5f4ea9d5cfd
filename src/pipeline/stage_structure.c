/* Stage: article structure, and the normalized body built from it. */
#include <stdlib.h>
#include <string.h>

#include "newsd/stage.h"
#include "newsd/structure.h"

static nd_err
structure_create(void **state, const nd_pipeline_conf *conf, char *errstr,
                 size_t errstr_size)
{
        *state = nd_phrases_load(conf->data_dir, conf->user_data_dir, errstr,
                                 errstr_size);
        return *state ? ND_OK : ND_ERR_DATA;
}

static void
structure_destroy(void *state)
{
        nd_phrases_destroy(state);
}

static bool
append_part(nd_buf *b, const char *text)
{
        if (!text || !*text)
                return true;
        if (b->len > 0 && !nd_buf_append(b, "\n\n", 2))
                return false;
        return nd_buf_appends(b, text);
}

/* The body is what a reader reads: lead, key points and the body blocks, one
 * paragraph each, separated by blank lines. The title, the sources section
 * and removed furniture are not part of it. */
static nd_err
build_body(nd_doc *doc)
{
        nd_buf b = {0};
        bool ok = append_part(&b, doc->lead);

        for (size_t i = 0; ok && i < doc->key_points.n; i++)
                ok = append_part(&b, doc->key_points.v[i]);
        for (size_t i = 0; ok && i < doc->n_blocks; i++)
                ok = append_part(&b, doc->blocks[i].text);
        if (!ok) {
                nd_buf_free(&b);
                return ND_ERR_NOMEM;
        }
        doc->body_len = b.len;
        doc->body = nd_buf_steal(&b);
        return doc->body ? ND_OK : ND_ERR_NOMEM;
}

static nd_err
structure_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        nd_err err = nd_structure_split(
            state, doc, doc->format == ND_FORMAT_TEXT, errstr, errstr_size);

        if (err != ND_OK)
                return err;
        return build_body(doc);
}

const nd_stage_ops nd_stage_structure = {
    .name = "structure",
    .create = structure_create,
    .run = structure_run,
    .destroy = structure_destroy,
};
