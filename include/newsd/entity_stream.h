/* The entity stream ([topics] entities; docs/routing.md): one compact
 * record per entity per article, keyed by the entity uri so a compacted
 * topic keeps the latest mention of each entity. Schema:
 * schema/newsd-entity.schema.json. */
#ifndef NEWSD_ENTITY_STREAM_H
#define NEWSD_ENTITY_STREAM_H

#include <stddef.h>

#include <jansson.h>

#include "newsd/err.h"
#include "newsd/output.h"

#define ND_ENTITY_CE_TYPE "dev.newsd.entity.mentioned.v1"
/* Longest sentence kept, in code points; a longer one is cut around the
 * mention. */
#define ND_ENTITY_SENTENCE_MAX 400

/*
 * The sentence of @p text (UTF-8, @p len bytes) holding the code points
 * [@p start, @p end): from after the previous sentence end (. ! ? and their
 * Arabic, Urdu, Armenian and CJK forms, followed by a blank) or line break,
 * to the next one, blanks trimmed; at most ND_ENTITY_SENTENCE_MAX code
 * points, cut at word bounds around the mention. NULL when the offsets are
 * outside the text or out of memory; the caller frees.
 */
char *nd_entity_sentence(const char *text, size_t len, size_t start,
                         size_t end);

/* The record key of @p entity (an element of analysis.entities): its uri,
 * else urn:newsd:entity:TYPE:NAME (percent-encoded). Caller frees. */
char *nd_entity_key(json_t *entity);

/*
 * The value of the record of @p entity in @p event: uri (the key), type,
 * name, article_uri, ce_id (of the article's event), count, salience,
 * sentence (of the first body mention, else the title), mention (that
 * mention's field and offsets). New reference, NULL when out of memory.
 */
json_t *nd_entity_record(json_t *entity, json_t *event, const char *ce_id);

/*
 * Builds the records of every entity of @p event for @p topic (borrowed:
 * it must outlive the records), with binary CloudEvents headers (ce_type
 * ND_ENTITY_CE_TYPE, ce_subject the entity key, ce_id the article's ce_id
 * plus "/" and the key) and the input's trace context. Appends them to
 * *@p recs (realloc'd; *@p n counts them; release each with
 * nd_outrec_clear() and the array with free()).
 */
nd_err nd_entity_records(const nd_output_conf *oc, const char *topic,
                         const nd_output_input *in, json_t *event,
                         nd_outrec **recs, size_t *n, char *errstr,
                         size_t errstr_size);

#endif
