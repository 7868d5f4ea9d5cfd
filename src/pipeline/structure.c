/* Article structure (placeholder: paragraphs split on blank lines). */
#include <stdlib.h>
#include <string.h>

#include "newsd/structure.h"

struct nd_phrases {
        int unused;
};

nd_phrases *
nd_phrases_load(const char *data_dir, const char *user_dir, char *errstr,
                size_t errstr_size)
{
        (void)data_dir;
        (void)user_dir;
        (void)errstr;
        (void)errstr_size;
        return calloc(1, sizeof(nd_phrases));
}

void
nd_phrases_destroy(nd_phrases *ph)
{
        free(ph);
}

nd_err
nd_structure_split(const nd_phrases *ph, nd_doc *doc, int take_title,
                   char *errstr, size_t errstr_size)
{
        const char *p = doc->text ? doc->text : "";

        (void)ph;
        (void)errstr;
        (void)errstr_size;
        while (*p) {
                const char *end = strstr(p, "\n\n");
                size_t n = end ? (size_t)(end - p) : strlen(p);
                if (n > 0) {
                        char *t = strndup(p, n);
                        if (!t)
                                return ND_ERR_NOMEM;
                        if (take_title && !doc->title) {
                                doc->title = t;
                        } else {
                                nd_block *nb = realloc(doc->blocks,
                                                       (doc->n_blocks + 1) *
                                                               sizeof(*nb));
                                if (!nb) {
                                        free(t);
                                        return ND_ERR_NOMEM;
                                }
                                doc->blocks = nb;
                                nb[doc->n_blocks].kind = ND_BLOCK_PARAGRAPH;
                                nb[doc->n_blocks++].text = t;
                        }
                }
                p += n;
                while (*p == '\n')
                        p++;
        }
        return ND_OK;
}
