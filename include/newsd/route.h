/* Routing (docs/routing.md): output topic templates such as
 * "news.enriched.{language}" and [route.NAME] rules whose simple conditions
 * send an event to further topics. Pure functions over the event JSON: no
 * Kafka here. */
#ifndef NEWSD_ROUTE_H
#define NEWSD_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "newsd/err.h"
#include "newsd/strvec.h"

/* Filled into a topic when a placeholder's field is missing and the
 * placeholder names no fallback of its own ({name|fallback}). */
#define ND_TEMPLATE_FALLBACK "unknown"

typedef struct nd_template nd_template;

/*
 * Parses a topic template: literal topic characters [a-zA-Z0-9._-] and
 * placeholders {NAME} or {NAME|FALLBACK}, NAME one of those listed by
 * nd_template_names(), FALLBACK topic characters (may be empty only when
 * the rest of the template is not). Returns NULL and fills errstr (unknown
 * placeholder, unbalanced brace, bad character) when it is not one. Free
 * with nd_template_destroy().
 */
nd_template *nd_template_parse(const char *text, char *errstr,
                               size_t errstr_size);
void nd_template_destroy(nd_template *t);

/* Whether the template has no placeholder (its topic is its text). */
bool nd_template_is_static(const nd_template *t);

/* The template as written; borrowed. */
const char *nd_template_text(const nd_template *t);

/* The placeholder names known, NULL-terminated. */
const char *const *nd_template_names(void);

/*
 * The topic for @p event: each placeholder replaced by its field's value
 * lower-cased, with every character outside [a-z0-9._-] turned into '_'
 * (so a value can never make an invalid topic name), or by its fallback
 * when the field is missing or empty. The result is cut to 249 bytes.
 * Returns a malloc'd string (caller frees) or NULL when out of memory.
 */
char *nd_template_expand(const nd_template *t, json_t *event);

/* A [route.NAME] rule: a topic template and conditions that must all
 * hold. */
typedef struct nd_route {
        char *name;          /* owned: NAME of [route.NAME] */
        char *origin;        /* owned: "FILE:LINE" of its header, or -X */
        nd_template *topic;  /* owned; NULL until set */
        nd_strvec languages; /* language = a,b: empty means any */
        char *entity;        /* owned: entity uri or name, NULL: any */
        int duplicate;       /* -1 any, 0 only originals, 1 only
                                near-duplicates */
        unsigned min_words;  /* 0: any */
} nd_route;

/* Initialises @p r for [route.@p name]; false when out of memory. */
bool nd_route_init(nd_route *r, const char *name, const char *origin);
void nd_route_clear(nd_route *r);

/* Whether @p name may name a route: 1 to 64 of [a-zA-Z0-9_-]. */
bool nd_route_name_ok(const char *name);

/* The keys of a [route.NAME] section, NULL-terminated. */
const char *const *nd_route_keys(void);

/*
 * Sets @p key of @p r from @p value, validating it. Returns ND_OK, or
 * ND_ERR_CONFIG with errstr saying why (unknown key, malformed condition,
 * bad template).
 */
nd_err nd_route_set(nd_route *r, const char *key, const char *value,
                    char *errstr, size_t errstr_size);

/* Writes the route's keys as "key = value" lines to @p b. */
void nd_route_format(const nd_route *r, nd_buf *b);

/* Whether every condition of @p r holds for @p event. */
bool nd_route_match(const nd_route *r, json_t *event);

/*
 * The topics of @p event: the default template's expansion first, then
 * each matching route's, each topic once. Appends to @p topics (strings
 * owned by it); false when out of memory.
 */
bool nd_route_topics(const nd_template *def, const nd_route *routes,
                     size_t n_routes, json_t *event, nd_strvec *topics);

#endif
