/* Article structure for plain text: title, lead, key points, subheadings,
 * paragraphs, sources section and page furniture. */
#ifndef NEWSD_STRUCTURE_H
#define NEWSD_STRUCTURE_H

#include "newsd/doc.h"
#include "newsd/err.h"

/* The phrase lists that drive structure detection, loaded from
 * <data_dir>/boilerplate/ (one phrase per line, '#' comments, any number of
 * languages per file). */
typedef struct nd_phrases nd_phrases;

nd_phrases *nd_phrases_load(const char *data_dir, const char *user_dir,
                            char *errstr, size_t errstr_size);
void nd_phrases_destroy(nd_phrases *ph);

/*
 * Splits doc->text (normalized) into doc->lead, key_points, blocks,
 * sources, removed and info_sources. When @p take_title is true (plain
 * text input without a separate title) and doc->title is NULL, the first
 * non-empty line becomes doc->title.
 */
nd_err nd_structure_split(const nd_phrases *ph, nd_doc *doc, int take_title,
                          char *errstr, size_t errstr_size);

#endif
