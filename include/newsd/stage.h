/* The interface every enrichment stage implements. Adding a stage means
 * adding one file that defines an nd_stage_ops and one line in the stage
 * table of src/pipeline/pipeline.c. */
#ifndef NEWSD_STAGE_H
#define NEWSD_STAGE_H

#include "newsd/doc.h"
#include "newsd/err.h"
#include "newsd/pipeline.h"

typedef struct nd_stage_ops {
        const char *name; /* "[pipeline] stage.<name> = on|off" */
        /* Builds the stage's state from configuration and data files.
         * *state may be left NULL by stateless stages. */
        nd_err (*create)(void **state, const nd_pipeline_conf *conf,
                         char *errstr, size_t errstr_size);
        /* Runs the stage on one article. An error makes the article a
         * dead-letter record with the returned code, so stages return errors
         * only for input that truly cannot become an event. */
        nd_err (*run)(void *state, nd_doc *doc, char *errstr,
                      size_t errstr_size);
        void (*destroy)(void *state);
} nd_stage_ops;

#endif
