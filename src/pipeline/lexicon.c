/* Phrase lists compiled into a matcher; see include/newsd/lexicon.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsd/lexicon.h"

nd_lexicon *
nd_lexicon_new(void)
{
        nd_lexicon *lx = calloc(1, sizeof(*lx));

        if (lx && !(lx->m = nd_matcher_new())) {
                free(lx);
                return NULL;
        }
        return lx;
}

bool
nd_lexicon_add(nd_lexicon *lx, const char *phrase, int kind, double value,
               const char *tag)
{
        nd_lex_entry *e;
        uint32_t *cp;
        size_t n;
        bool ok;

        if (lx->n == lx->cap) {
                size_t cap = lx->cap ? lx->cap * 2 : 64;
                nd_lex_entry *v = realloc(lx->entries, cap * sizeof(*v));
                if (!v)
                        return false;
                lx->entries = v;
                lx->cap = cap;
        }
        cp = nd_fold_str(phrase, &n);
        if (!cp)
                return false;
        if (n == 0) {
                free(cp);
                return true;
        }
        e = &lx->entries[lx->n];
        e->kind = kind;
        e->value = value;
        e->tag = tag ? strdup(tag) : NULL;
        e->symbol = true;
        for (size_t i = 0; i < n; i++)
                if (nd_is_word_cp(cp[i]))
                        e->symbol = false;
        ok = (!tag || e->tag) && nd_matcher_add(lx->m, cp, n, (uint32_t)lx->n);
        free(cp);
        if (!ok) {
                free(e->tag);
                return false;
        }
        lx->n++;
        return true;
}

bool
nd_lexicon_build(nd_lexicon *lx)
{
        return nd_matcher_build(lx->m);
}

void
nd_lexicon_free(nd_lexicon *lx)
{
        if (!lx)
                return;
        for (size_t i = 0; i < lx->n; i++)
                free(lx->entries[i].tag);
        free(lx->entries);
        nd_matcher_free(lx->m);
        free(lx);
}

typedef struct {
        const nd_lexicon *lx;
        const nd_folded *f;
        nd_lex_hit *v;
        size_t n, cap;
        bool oom;
} scan_ctx;

static bool
on_hit(void *ctx, size_t start, size_t end, uint32_t id)
{
        scan_ctx *sc = ctx;
        const nd_lex_entry *e = &sc->lx->entries[id];

        if (!e->symbol && !nd_word_bounded(sc->f, start, end, true, NULL))
                return true;
        if (sc->n == sc->cap) {
                size_t cap = sc->cap ? sc->cap * 2 : 32;
                nd_lex_hit *v = realloc(sc->v, cap * sizeof(*v));
                if (!v) {
                        sc->oom = true;
                        return false;
                }
                sc->v = v;
                sc->cap = cap;
        }
        sc->v[sc->n].start = start;
        sc->v[sc->n].end = end;
        sc->v[sc->n++].e = e;
        return true;
}

static int
cmp_hit(const void *pa, const void *pb)
{
        const nd_lex_hit *a = pa, *b = pb;

        if (a->start != b->start)
                return a->start < b->start ? -1 : 1;
        if (a->end != b->end)
                return a->end > b->end ? -1 : 1;
        return a->e < b->e ? -1 : a->e > b->e;
}

nd_err
nd_lexicon_scan(const nd_lexicon *lx, const nd_folded *f, nd_lex_hit **hits,
                size_t *n_hits)
{
        scan_ctx sc = {.lx = lx, .f = f};
        size_t k = 0, last_end = 0;

        nd_matcher_scan(lx->m, f->cp, f->n, on_hit, &sc);
        if (sc.oom) {
                free(sc.v);
                return ND_ERR_NOMEM;
        }
        if (sc.n > 1)
                qsort(sc.v, sc.n, sizeof(*sc.v), cmp_hit);
        for (size_t i = 0; i < sc.n; i++) {
                if (sc.v[i].start < last_end)
                        continue;
                last_end = sc.v[i].end;
                sc.v[k++] = sc.v[i];
        }
        *hits = sc.v;
        *n_hits = k;
        return ND_OK;
}

nd_err
nd_tsv_each(const char *path,
            nd_err (*row)(void *ctx, char **fields, size_t n_fields), void *ctx,
            char *errstr, size_t errstr_size)
{
        FILE *fp = fopen(path, "r");
        char line[2048];
        nd_err err = ND_OK;

        if (!fp)
                return nd_seterr(errstr, errstr_size, ND_ERR_IO,
                                 "%s: cannot open", path);
        while (err == ND_OK && fgets(line, sizeof(line), fp)) {
                char *fields[8], *p = line;
                size_t n = 0;
                line[strcspn(line, "\r\n")] = '\0';
                if (line[0] == '#' || line[0] == '\0')
                        continue;
                while (n < 8) {
                        char *tab = strchr(p, '\t');
                        fields[n++] = p;
                        if (!tab)
                                break;
                        *tab = '\0';
                        p = tab + 1;
                }
                err = row(ctx, fields, n);
                if (err != ND_OK)
                        nd_seterr(errstr, errstr_size, err,
                                  "%s: bad line \"%s\"", path, fields[0]);
        }
        fclose(fp);
        return err;
}

nd_lexicon *
nd_lexicon_load(const char *data_dir, const nd_lexicon_file *files, size_t n,
                char *errstr, size_t errstr_size)
{
        nd_lexicon *lx = nd_lexicon_new();
        nd_err err = ND_OK;

        if (!lx) {
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
                return NULL;
        }
        for (size_t i = 0; err == ND_OK && i < n; i++) {
                char path[4096];

                snprintf(path, sizeof(path), "%s/%s", data_dir, files[i].file);
                err = nd_tsv_each(path, files[i].row, lx, errstr, errstr_size);
        }
        if (err == ND_OK && !nd_lexicon_build(lx))
                err = nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                "out of memory");
        if (err != ND_OK) {
                nd_lexicon_free(lx);
                return NULL;
        }
        return lx;
}
