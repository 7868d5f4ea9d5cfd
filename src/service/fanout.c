/* Fan-out of an article into its output records: routed events and entity
 * records. */
#include <stdlib.h>
#include <string.h>

#include "newsd/entity_stream.h"
#include "newsd/fanout.h"
#include "newsd/strvec.h"

void
nd_fanout_free(nd_fanout_rec *recs, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                nd_outrec_clear(&recs[i].out);
                free(recs[i].topic);
        }
        free(recs);
}

nd_err
nd_fanout_build(const nd_fanout_conf *fc, const nd_output_input *in,
                const char *uri, json_t *event, nd_fanout_rec **recs, size_t *n,
                char *errstr, size_t errstr_size)
{
        nd_strvec topics = {0};
        nd_fanout_rec *v = NULL;
        nd_outrec *ents = NULL;
        size_t nv = 0, ne = 0;
        nd_err err = ND_OK;

        *recs = NULL;
        *n = 0;
        if (!nd_route_topics(fc->output, fc->routes, fc->n_routes, event,
                             &topics))
                goto nomem;
        if (fc->entities &&
            (err = nd_entity_records(fc->oc, fc->entities, in, event, &ents,
                                     &ne, errstr, errstr_size)) != ND_OK)
                goto fail;
        v = calloc(topics.n + ne, sizeof(*v));
        if (!v)
                goto nomem;
        for (size_t i = 0; i < topics.n; i++, nv++) {
                nd_output_conf oc = *fc->oc;
                oc.event_topic = topics.v[i];
                if ((err = nd_output_event(&oc, in, uri, event, &v[nv].out,
                                           errstr, errstr_size)) != ND_OK)
                        goto fail;
                /* The record's topic now lives as long as the record. */
                v[nv].topic = topics.v[i];
                topics.v[i] = NULL;
        }
        for (size_t i = 0; i < ne; i++, nv++) {
                v[nv].out = ents[i];
                v[nv].entity = true;
        }
        free(ents);
        ents = NULL;
        ne = 0;
        nd_strvec_clear(&topics);
        *recs = v;
        *n = nv;
        return ND_OK;
nomem:
        err = nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                        "out of memory routing the event");
fail:
        for (size_t i = 0; i < ne; i++)
                nd_outrec_clear(&ents[i]);
        free(ents);
        nd_fanout_free(v, nv);
        nd_strvec_clear(&topics);
        return err;
}
