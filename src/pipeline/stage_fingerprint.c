/* Stage: the body's simhash, and near-duplicate detection against the
 * window of articles this pipeline instance processed recently. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "newsd/fingerprint.h"
#include "newsd/stage.h"

typedef struct fp_state {
        nd_dupwin *window; /* NULL when dedup_window is 0 */
        unsigned max_distance;
} fp_state;

static void
fp_destroy(void *state)
{
        fp_state *st = state;

        if (!st)
                return;
        nd_dupwin_destroy(st->window);
        free(st);
}

static nd_err
fp_create(void **state, const nd_pipeline_conf *conf, char *errstr,
          size_t errstr_size)
{
        fp_state *st = calloc(1, sizeof(*st));

        *state = NULL;
        if (!st)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        st->max_distance = conf->dedup_max_distance;
        if (st->max_distance > 64)
                st->max_distance = 64;
        if (conf->dedup_window > 0) {
                st->window =
                    nd_dupwin_new(conf->dedup_window, st->max_distance);
                if (!st->window) {
                        fp_destroy(st);
                        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                         "near-duplicate window of %u "
                                         "articles: out of memory",
                                         conf->dedup_window);
                }
        }
        *state = st;
        return ND_OK;
}

static nd_err
fp_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        fp_state *st = state;
        nd_fp h;
        json_t *fp = json_object_get(doc->analysis, "fingerprints");
        char hex[17];

        nd_fingerprint(doc->body, doc->body_len, &h);
        snprintf(hex, sizeof(hex), "%016" PRIx64, h.w[0]);
        if (!fp) {
                fp = json_object();
                if (json_object_set_new(doc->analysis, "fingerprints", fp))
                        goto nomem;
        }
        if (json_object_set_new(fp, "simhash", json_string(hex)))
                goto nomem;
        if (st->window) {
                unsigned d = 0;
                const char *uri = nd_dupwin_find(st->window, &h, doc->uri, &d);
                if (uri &&
                    json_object_set_new(
                        doc->analysis, "duplicate_of",
                        json_pack("{s:s,s:i}", "uri", uri, "distance", (int)d)))
                        goto nomem;
                if (!nd_dupwin_add(st->window, &h, doc->uri))
                        goto nomem;
        }
        return ND_OK;
nomem:
        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
}

const nd_stage_ops nd_stage_fingerprint = {
    .name = "fingerprint",
    .create = fp_create,
    .run = fp_run,
    .destroy = fp_destroy,
};
