/* The pipeline's per-article document. */
#include <stdlib.h>
#include <string.h>

#include "newsd/doc.h"

static const char *const format_names[] = {"auto", "text", "json", "html"};
static const char *const block_names[] = {"paragraph", "subheading",
                                          "list-item"};

const char *
nd_format_name(nd_format f)
{
        if ((unsigned)f >= sizeof(format_names) / sizeof(format_names[0]))
                return "auto";
        return format_names[f];
}

int
nd_format_parse(const char *name)
{
        for (size_t i = 0; i < sizeof(format_names) / sizeof(*format_names);
             i++)
                if (strcmp(name, format_names[i]) == 0)
                        return (int)i;
        return -1;
}

const char *
nd_block_kind_name(nd_block_kind k)
{
        if ((unsigned)k >= sizeof(block_names) / sizeof(block_names[0]))
                return "paragraph";
        return block_names[k];
}

void
nd_doc_clear(nd_doc *doc)
{
        free(doc->id);
        free(doc->title);
        free(doc->text);
        free(doc->url);
        free(doc->published);
        free(doc->language);
        free(doc->description);
        free(doc->source);
        nd_strvec_clear(&doc->authors);
        free(doc->lead);
        nd_strvec_clear(&doc->key_points);
        for (size_t i = 0; i < doc->n_blocks; i++)
                free(doc->blocks[i].text);
        free(doc->blocks);
        nd_strvec_clear(&doc->sources);
        nd_strvec_clear(&doc->removed);
        nd_strvec_clear(&doc->info_sources);
        free(doc->body);
        free(doc->uri);
        free(doc->sha256);
        json_decref(doc->analysis);
        json_decref(doc->article);
        memset(doc, 0, sizeof(*doc));
}
