/* The article as it moves through the pipeline: ingested fields, structure,
 * and the analysis that stages add. Owned by the pipeline for one article. */
#ifndef NEWSD_DOC_H
#define NEWSD_DOC_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "newsd/strvec.h"

typedef enum nd_format {
        ND_FORMAT_AUTO = 0,
        ND_FORMAT_TEXT,
        ND_FORMAT_JSON,
        ND_FORMAT_HTML,
} nd_format;

/* "auto", "text", "json", "html" */
const char *nd_format_name(nd_format f);
/* Parses a name as above; returns -1 for an unknown name. */
int nd_format_parse(const char *name);

typedef enum nd_block_kind {
        ND_BLOCK_PARAGRAPH = 0,
        ND_BLOCK_SUBHEADING,
        ND_BLOCK_LIST_ITEM,
} nd_block_kind;

/* "paragraph", "subheading", "list-item" */
const char *nd_block_kind_name(nd_block_kind k);

typedef struct nd_block {
        nd_block_kind kind;
        char *text; /* owned, normalized, no trailing newline */
} nd_block;

/* Counters of what normalization changed, reported in
 * analysis.normalization. */
typedef struct nd_norm_stats {
        size_t invalid_utf8;       /* invalid sequences replaced by U+FFFD */
        size_t controls_removed;   /* C0/C1 controls (except TAB, LF) */
        size_t nul_removed;        /* NUL bytes (also counted as controls) */
        size_t zero_width_removed; /* ZWSP, ZWNJ/ZWJ outside joining contexts,
                                      BOM, soft hyphen, word joiner */
        size_t bidi_removed;       /* LRM, RLM, ALM, embeddings, isolates */
        size_t line_endings;       /* CRLF / CR / LS / PS / NEL turned to LF */
        size_t spaces_normalized;  /* NBSP and other odd spaces turned to ' ' */
        size_t blank_runs;         /* runs of blanks collapsed */
        size_t nfc_changed;        /* 1 when NFC changed the text */
} nd_norm_stats;

/* Where the input came from; filled by the caller (service or CLI), strings
 * borrowed for the duration of one nd_pipeline_process() call. */
typedef struct nd_provenance {
        const char *topic;    /* NULL offline */
        int32_t partition;    /* -1 when unknown */
        int64_t offset;       /* -1 when unknown */
        int64_t timestamp_ms; /* -1 when unknown */
        const void *key;      /* may be NULL */
        size_t key_len;
        const char *source_name; /* file name offline, NULL otherwise */
        json_t *headers;         /* borrowed object name -> string, or NULL */
} nd_provenance;

typedef struct nd_doc {
        /* --- Ingest: the input's fields, UTF-8 (normalized once the
         * normalize stage ran); owned; NULL when absent. */
        nd_format format; /* detected or forced format */
        char *id;
        char *title;
        char *text;      /* the raw article text */
        size_t text_len; /* bytes in text (raw text may hold NULs) */
        char *url;
        char *published; /* as given; ISO 8601 after ingest when
                            it could be parsed */
        char *language;  /* declared language, if any */
        char *description;
        char *source; /* source domain / site name */
        nd_strvec authors;

        /* --- Structure stage. */
        char *lead; /* first paragraph, or NULL */
        nd_strvec key_points;
        nd_block *blocks; /* body blocks in order, lead excluded */
        size_t n_blocks;
        nd_strvec sources;      /* lines of the sources section */
        nd_strvec removed;      /* page furniture taken out */
        nd_strvec info_sources; /* named sources (agencies) */

        /* --- Derived, after structure: the normalized body text (lead, key
         * points and blocks joined by blank lines) that article.bodies[0]
         * carries, and the article's uri. */
        char *body;
        size_t body_len; /* bytes */
        char *uri;
        char *sha256; /* hex digest of body */

        nd_norm_stats norm;

        /* Members stages add to the event: `analysis` gets one member per
         * stage result (language, stats, entities ...); `article` gets ninjs
         * members that only an enrichment stage knows (people, places ...).
         * Both are owned objects, created empty by the pipeline. */
        json_t *analysis;
        json_t *article;

        const nd_provenance *prov;     /* borrowed */
        const char *published_default; /* borrowed, --published */
} nd_doc;

/* Frees everything the doc owns and zeroes it. */
void nd_doc_clear(nd_doc *doc);

#endif
