/* The output records of one article (docs/routing.md): its event on the
 * [topics] output topic and on every matching [route.NAME] topic, and its
 * entity records when the entity stream is on. The service tracks them all
 * before the input's offset may be committed. */
#ifndef NEWSD_FANOUT_H
#define NEWSD_FANOUT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "newsd/err.h"
#include "newsd/output.h"
#include "newsd/route.h"

/* What the records of an article are built from; borrowed. */
typedef struct nd_fanout_conf {
        const nd_output_conf *oc;  /* event_topic is ignored */
        const nd_template *output; /* [topics] output */
        const nd_route *routes;
        size_t n_routes;
        const char *entities; /* entity topic, NULL: off */
} nd_fanout_conf;

typedef struct nd_fanout_rec {
        nd_outrec out; /* out.topic points at topic, or at fc->entities */
        char *topic;   /* owned: the event's topic; NULL for entities */
        bool entity;   /* an entity record */
} nd_fanout_rec;

/*
 * Builds every record of the article @p event (key @p uri) read from
 * @p in: events first (the default topic first), then entity records.
 * On success *@p recs holds *@p n >= 1 records; release them with
 * nd_fanout_free(). On failure nothing is left to release.
 */
nd_err nd_fanout_build(const nd_fanout_conf *fc, const nd_output_input *in,
                       const char *uri, json_t *event, nd_fanout_rec **recs,
                       size_t *n, char *errstr, size_t errstr_size);

void nd_fanout_free(nd_fanout_rec *recs, size_t n);

#endif
