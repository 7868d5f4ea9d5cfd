/* Builds the event {article, analysis, provenance} from a processed doc. */
#ifndef NEWSD_EVENT_H
#define NEWSD_EVENT_H

#include <jansson.h>

#include "newsd/doc.h"
#include "newsd/pipeline.h"

/* Returns a new reference to the event, or NULL on allocation failure.
 * Takes the members stages added to doc->analysis and doc->article. */
json_t *nd_event_build(nd_doc *doc, const nd_pipeline_conf *conf,
                       double processing_ms);

#endif
