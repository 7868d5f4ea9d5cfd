/* Helpers for the stage tests: a doc with a body, a stage run on it. */
#ifndef TEST_STAGE_UTIL_H
#define TEST_STAGE_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "newsd/pipeline.h"
#include "newsd/stage.h"

/* A doc whose body is @p body (copied) and whose analysis is empty. */
static inline void
doc_with_body(nd_doc *doc, const char *body)
{
        memset(doc, 0, sizeof(*doc));
        doc->body = strdup(body);
        doc->body_len = strlen(body);
        doc->analysis = json_object();
        doc->article = json_object();
        doc->uri = strdup("urn:test");
}

/* Creates @p ops with the default configuration and the source tree's
 * data; fails the test when creation fails. */
static inline void *
stage_new(const nd_stage_ops *ops, const nd_pipeline_conf *override)
{
        nd_pipeline_conf conf;
        char err[256] = "";
        void *state = NULL;

        if (override)
                conf = *override;
        else
                nd_pipeline_conf_init(&conf);
        if (!conf.data_dir)
                conf.data_dir = getenv("NEWSD_DATA_DIR");
        if (ops->create && ops->create(&state, &conf, err, sizeof(err)))
                fail_msg("%s create: %s", ops->name, err);
        return state;
}

static inline void
stage_run(const nd_stage_ops *ops, void *state, nd_doc *doc)
{
        char err[256] = "";

        if (ops->run(state, doc, err, sizeof(err)) != ND_OK)
                fail_msg("%s run: %s", ops->name, err);
}

#endif
