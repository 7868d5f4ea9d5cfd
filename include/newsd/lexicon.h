/* Phrase lists (month names, scale words, currency words ...) compiled into
 * one matcher, and a scan that returns their word-bounded occurrences in a
 * folded text. Shared by the amount and date stages. */
#ifndef NEWSD_LEXICON_H
#define NEWSD_LEXICON_H

#include "newsd/matcher.h"
#include "newsd/strvec.h"

typedef struct nd_lex_entry {
        int kind;     /* caller's category */
        double value; /* caller's number (a month, a multiplier ...) */
        char *tag;    /* owned, may be NULL (a currency code, a unit) */
        bool symbol;  /* no letters: needs no word boundary ("$", "%") */
} nd_lex_entry;

typedef struct nd_lexicon {
        nd_matcher *m;         /* owned, NULL until built */
        nd_lex_entry *entries; /* owned; matcher ids index this */
        size_t n, cap;
} nd_lexicon;

/* A found phrase, folded offsets. */
typedef struct nd_lex_hit {
        size_t start, end;
        const nd_lex_entry *e;
} nd_lex_hit;

nd_lexicon *nd_lexicon_new(void);
/* Adds one phrase. Before nd_lexicon_build(). */
bool nd_lexicon_add(nd_lexicon *lx, const char *phrase, int kind, double value,
                    const char *tag);
bool nd_lexicon_build(nd_lexicon *lx);
void nd_lexicon_free(nd_lexicon *lx);
/* Word-bounded occurrences (clitic prefixes allowed), leftmost-longest,
 * non-overlapping, in text order. *hits is malloc'd; the caller frees it. */
nd_err nd_lexicon_scan(const nd_lexicon *lx, const nd_folded *f,
                       nd_lex_hit **hits, size_t *n_hits);
/* Reads a TSV file; for each non-comment line calls @p row with the
 * tab-separated fields. */
nd_err nd_tsv_each(const char *path,
                   nd_err (*row)(void *ctx, char **fields, size_t n_fields),
                   void *ctx, char *errstr, size_t errstr_size);

/* One data file of a lexicon and the function that turns its rows into
 * phrases (the row function's ctx is the nd_lexicon). */
typedef struct nd_lexicon_file {
        const char *file; /* relative to the data directory */
        nd_err (*row)(void *ctx, char **fields, size_t n_fields);
} nd_lexicon_file;

/* Builds a lexicon from @p n files under @p data_dir. Returns NULL and
 * fills errstr on failure; the caller frees with nd_lexicon_free(). */
nd_lexicon *nd_lexicon_load(const char *data_dir, const nd_lexicon_file *files,
                            size_t n, char *errstr, size_t errstr_size);

#endif
