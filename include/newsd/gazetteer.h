/* The gazetteer: known people, organisations, news agencies and places,
 * with their names in many languages, loaded from TSV files (format in
 * docs/gazetteer.md) and compiled into one matcher. */
#ifndef NEWSD_GAZETTEER_H
#define NEWSD_GAZETTEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newsd/err.h"
#include "newsd/matcher.h"
#include "newsd/strvec.h"

typedef enum nd_ent_type {
        ND_ENT_PERSON = 0,
        ND_ENT_ORGANISATION,
        ND_ENT_PLACE,
} nd_ent_type;

/* "person", "organisation", "place" */
const char *nd_ent_type_name(nd_ent_type t);

typedef struct nd_entity {
        char *uri;     /* owned; NULL when the entity has no known uri */
        char *name;    /* owned: canonical name */
        char *country; /* owned: ISO 3166-1 alpha-2, or NULL */
        nd_ent_type type;
        bool agency; /* a news agency or broadcaster (an infoSource) */
} nd_entity;

/* Alias flags. */
#define ND_ALIAS_SHORT                                                         \
        0x1u                /* counts only after a full alias of the same      \
                               entity appeared earlier in the article */
#define ND_ALIAS_EXACT 0x2u /* matched case-sensitively (acronyms, "dpa") */
#define ND_ALIAS_CONTEXT                                                       \
        0x8u /* also an ordinary word ("הודו" India or                     \
                "they admitted"): counts only with a                           \
                locative clitic or another place in the                        \
                same sentence */
#define ND_ALIAS_CAPITAL                                                       \
        0x4u /* written with capitals: an occurrence                           \
                with one of them in lower case is an                           \
                ordinary word ("turkey", "A china") */

typedef struct nd_alias {
        uint32_t entity; /* index into ents */
        uint32_t flags;
        uint32_t *src; /* owned: the alias's code points as written */
        size_t n_src;
        uint32_t *folded; /* owned: the folded pattern */
        size_t n_folded;
        char lang[12];
} nd_alias;

typedef struct nd_gazetteer {
        nd_entity *ents; /* owned */
        size_t n_ents, cap_ents;
        nd_alias *aliases; /* owned; the matcher's ids index this */
        size_t n_aliases, cap_aliases;
        nd_matcher *matcher; /* owned; NULL before nd_gazetteer_build() */
        void *index;         /* owned: load-time hash tables */
} nd_gazetteer;

nd_gazetteer *nd_gazetteer_new(void);
/* Adds the entities of one TSV text (named @p origin in errors). An entity
 * whose uri was seen before adds its aliases to the earlier one; earlier
 * entities win when two share an alias. Only before nd_gazetteer_build(). */
nd_err nd_gazetteer_add_tsv(nd_gazetteer *g, const char *text, size_t len,
                            const char *origin, char *errstr,
                            size_t errstr_size);
nd_err nd_gazetteer_add_file(nd_gazetteer *g, const char *path, char *errstr,
                             size_t errstr_size);
/* Alias forms, one a line, that are never matched (@p context false:
 * ordinary words somewhere) or that need context (@p context true: they
 * get ND_ALIAS_CONTEXT). Before the entity files. */
nd_err nd_gazetteer_add_stoplist(nd_gazetteer *g, const char *path,
                                 bool context, char *errstr,
                                 size_t errstr_size);
/* Compiles the matcher; the gazetteer is read-only afterwards. */
nd_err nd_gazetteer_build(nd_gazetteer *g, char *errstr, size_t errstr_size);
/* Everything: @p user_dir/entities/\*.tsv (user_dir may be NULL; the
 * folder may be missing), @p data_dir/entities/\*.tsv,
 * then data_dir/gazetteer/countries.tsv and cities.tsv, built. */
nd_err nd_gazetteer_load(nd_gazetteer **out, const char *data_dir,
                         const char *user_dir, char *errstr,
                         size_t errstr_size);
void nd_gazetteer_free(nd_gazetteer *g);

#endif
