/* Runs one stage on a hand-made article, for the stage unit tests. */
#ifndef TEST_STAGE_HELPER_H
#define TEST_STAGE_HELPER_H

#include <stdlib.h>
#include <string.h>

#include "newsd/stage.h"

/* Fills @p doc with copies of @p title (may be NULL) and @p body and empty
 * analysis/article objects. */
static inline void
helper_doc(nd_doc *doc, const char *title, const char *body,
           const char *published)
{
        memset(doc, 0, sizeof(*doc));
        doc->title = title ? strdup(title) : NULL;
        doc->body = strdup(body);
        doc->body_len = strlen(body);
        doc->analysis = json_object();
        doc->article = json_object();
        doc->published_default = published;
}

/* Creates the stage from the source tree's data directory (and
 * @p user_dir), or fails the test. */
static inline void *
helper_create(const nd_stage_ops *ops, const char *user_dir)
{
        nd_pipeline_conf conf;
        char err[512] = "";
        void *state = NULL;

        nd_pipeline_conf_init(&conf);
        conf.data_dir = getenv("NEWSD_DATA_DIR");
        conf.user_data_dir = user_dir;
        if (ops->create &&
            ops->create(&state, &conf, err, sizeof(err)) != ND_OK) {
                fprintf(stderr, "create %s: %s\n", ops->name, err);
                abort();
        }
        return state;
}

#endif
