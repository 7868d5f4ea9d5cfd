/* Stage: named entities (people, organisations, places) found with the
 * gazetteer in the title and body, mapped to ninjs people, organisations,
 * places and, for credited news agencies, infoSources. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uchar.h>

#include "newsd/gazetteer.h"
#include "newsd/stage.h"

typedef struct {
        nd_gazetteer *gaz;
        nd_matcher *credit; /* credit phrases ("according to", "לפי") */
} ent_state;

/* A long, unambiguous name may be found glued to a neighbouring known name
 * (links stripped without spaces): at least this many folded code points
 * and a space inside. */
#define GLUE_MIN_LEN 10
/* How far before an agency name a credit phrase may stand. */
#define CREDIT_WINDOW 40

static void
ent_destroy(void *state)
{
        ent_state *st = state;

        if (!st)
                return;
        nd_gazetteer_free(st->gaz);
        nd_matcher_free(st->credit);
        free(st);
}

/* One phrase a line; '#' comments. */
static nd_err
load_phrases(nd_matcher *m, const char *path, char *errstr, size_t errstr_size)
{
        FILE *fp = fopen(path, "r");
        char line[512];

        if (!fp)
                return nd_seterr(errstr, errstr_size, ND_ERR_IO,
                                 "%s: cannot open", path);
        while (fgets(line, sizeof(line), fp)) {
                size_t n = strcspn(line, "\r\n");
                uint32_t *cp;
                line[n] = '\0';
                if (n == 0 || line[0] == '#')
                        continue;
                cp = nd_fold_str(line, &n);
                if (!cp || (n > 0 && !nd_matcher_add(m, cp, n, 0))) {
                        free(cp);
                        fclose(fp);
                        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                         "out of memory");
                }
                free(cp);
        }
        fclose(fp);
        return ND_OK;
}

static nd_err
ent_create(void **state, const nd_pipeline_conf *conf, char *errstr,
           size_t errstr_size)
{
        ent_state *st = calloc(1, sizeof(*st));
        char path[4096];
        nd_err err;

        if (!st)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        err = nd_gazetteer_load(&st->gaz, conf->data_dir, conf->user_data_dir,
                                errstr, errstr_size);
        if (err != ND_OK)
                goto fail;
        st->credit = nd_matcher_new();
        if (!st->credit) {
                err = nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                "out of memory");
                goto fail;
        }
        snprintf(path, sizeof(path), "%s/entities/credit-phrases.txt",
                 conf->data_dir);
        err = load_phrases(st->credit, path, errstr, errstr_size);
        if (err != ND_OK)
                goto fail;
        if (!nd_matcher_build(st->credit)) {
                err = nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                "out of memory");
                goto fail;
        }
        *state = st;
        return ND_OK;
fail:
        ent_destroy(st);
        return err;
}

/* --- Candidates --------------------------------------------------------- */

typedef struct {
        size_t start, end; /* folded */
        uint32_t alias;
        bool start_ok, end_ok, accepted;
} cand;

typedef struct {
        const nd_gazetteer *gaz;
        const nd_folded *f;
        cand *v;
        size_t n, cap;
        bool oom;
} scan_ctx;

static bool
exact_ok(const nd_folded *f, size_t start, size_t end, const nd_alias *a)
{
        size_t s = f->orig[start], e = f->orig[end - 1] + 1;

        if (e - s != a->n_src)
                return false;
        return memcmp(f->src + s, a->src, a->n_src * sizeof(uint32_t)) == 0;
}

static bool
is_capital(uint32_t c)
{
        return u_isupper((UChar32)c) || u_istitle((UChar32)c);
}

/* Every capital of the alias is a capital in the text too ("A China" is
 * not "A china"); where folding changed the length, one capital will do.
 * A name of three letters or fewer in capitals is an acronym ("ROM" is not
 * "Rom"). */
static bool
capitals_ok(const nd_folded *f, size_t start, size_t end, const nd_alias *a)
{
        size_t s = f->orig[start], e = f->orig[end - 1] + 1;

        if (e - s <= 3 && !(a->flags & ND_ALIAS_EXACT)) {
                bool all = true;
                for (size_t i = s; i < e; i++)
                        if (!is_capital(f->src[i]))
                                all = false;
                if (all)
                        return false;
        }
        if (e - s == a->n_src) {
                for (size_t i = 0; i < a->n_src; i++)
                        if (is_capital(a->src[i]) && !is_capital(f->src[s + i]))
                                return false;
                return true;
        }
        for (size_t i = s; i < e; i++)
                if (is_capital(f->src[i]))
                        return true;
        return false;
}

static bool
long_name(const nd_alias *a)
{
        if (a->n_folded < GLUE_MIN_LEN || (a->flags & ND_ALIAS_SHORT))
                return false;
        for (size_t i = 0; i < a->n_folded; i++)
                if (a->folded[i] == ' ')
                        return true;
        return false;
}

static bool
on_match(void *ctx, size_t start, size_t end, uint32_t id)
{
        scan_ctx *sc = ctx;
        const nd_alias *a = &sc->gaz->aliases[id];
        const nd_folded *f = sc->f;
        /* A clitic before a short name of two or three letters ("ששי")
         * makes too many ordinary words. */
        bool clitics = !(a->flags & ND_ALIAS_SHORT) || a->n_folded >= 4;
        bool start_ok, end_ok;
        cand *c;

        if ((a->flags & ND_ALIAS_EXACT) && !exact_ok(f, start, end, a))
                return true;
        if ((a->flags & ND_ALIAS_CAPITAL) && !capitals_ok(f, start, end, a))
                return true;
        /* The two edges are judged apart so that glued names can be
         * recognised below. */
        end_ok = nd_boundary_after(f, end);
        start_ok = nd_boundary_before(f, start, clitics, NULL);
        if (!start_ok && !end_ok && !long_name(a))
                return true;
        if (sc->n == sc->cap) {
                size_t cap = sc->cap ? sc->cap * 2 : 64;
                cand *v = realloc(sc->v, cap * sizeof(*v));
                if (!v) {
                        sc->oom = true;
                        return false;
                }
                sc->v = v;
                sc->cap = cap;
        }
        c = &sc->v[sc->n++];
        c->start = start;
        c->end = end;
        c->alias = id;
        c->start_ok = start_ok;
        c->end_ok = end_ok;
        c->accepted = start_ok && end_ok;
        return true;
}

static int
cmp_cand(const void *pa, const void *pb)
{
        const cand *a = pa, *b = pb;

        if (a->start != b->start)
                return a->start < b->start ? -1 : 1;
        if (a->end != b->end)
                return a->end > b->end ? -1 : 1;
        return a->alias < b->alias ? -1 : a->alias > b->alias;
}

/* A candidate's end and index, to find candidates by where they end. */
typedef struct {
        size_t end, idx;
} end_ref;

static int
cmp_by_end(const void *pa, const void *pb)
{
        const end_ref *a = pa, *b = pb;

        return a->end < b->end ? -1 : a->end > b->end;
}

/* The first index of @p v (n candidates sorted by start) whose start is
 * >= @p pos. */
static size_t
first_start(const cand *v, size_t n, size_t pos)
{
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (v[mid].start < pos)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

/* Names glued by stripped links ("רוסיהולדימיר פוטיןמתרחש"): a long
 * multi-word name counts when, on a glued side, another complete known name
 * abuts it; that neighbour counts too. Candidates must be sorted by start;
 * @p by_end indexes them by end. */
static void
accept_glued(scan_ctx *sc, const end_ref *by_end)
{
        for (size_t i = 0; i < sc->n; i++) {
                cand *c = &sc->v[i], *left = NULL, *right = NULL;
                const nd_alias *a = &sc->gaz->aliases[c->alias];

                if (c->accepted || !long_name(a))
                        continue;
                if (!c->end_ok)
                        for (size_t k = first_start(sc->v, sc->n, c->end);
                             k < sc->n && sc->v[k].start == c->end; k++)
                                if (sc->v[k].end_ok &&
                                    !(sc->gaz->aliases[sc->v[k].alias].flags &
                                      ND_ALIAS_SHORT))
                                        right = &sc->v[k];
                if (!c->start_ok) {
                        size_t lo = 0, hi = sc->n;
                        while (lo < hi) {
                                size_t mid = lo + (hi - lo) / 2;
                                if (by_end[mid].end < c->start)
                                        lo = mid + 1;
                                else
                                        hi = mid;
                        }
                        for (; lo < sc->n && by_end[lo].end == c->start; lo++) {
                                cand *o = &sc->v[by_end[lo].idx];
                                if (o->start_ok &&
                                    !(sc->gaz->aliases[o->alias].flags &
                                      ND_ALIAS_SHORT))
                                        left = o;
                        }
                }
                if (!left && !right)
                        continue;
                c->accepted = true;
                if (left)
                        left->accepted = true;
                if (right)
                        right->accepted = true;
        }
}

static bool
terminator(uint32_t c)
{
        return c == '.' || c == '!' || c == '?' || c == '\n';
}

/* Whether an alias that is also an ordinary word stands as a place here:
 * after a locative clitic (בהודו, بالمغرب) or with another place named in
 * the same sentence (a list of countries). */
static bool
in_context(const scan_ctx *sc, const cand *c)
{
        const nd_folded *f = sc->f;
        size_t ws = c->start, s0 = c->start, s1 = c->end;

        if (nd_boundary_before(f, c->start, true, &ws))
                for (size_t k = ws; k < c->start; k++)
                        if (f->cp[k] == 0x05D1 || f->cp[k] == 0x05DC ||
                            f->cp[k] == 0x05DE || f->cp[k] == 0x0628 ||
                            f->cp[k] == 0x0644)
                                return true;
        while (s0 > 0 && c->start - s0 < 400 && !terminator(f->cp[s0 - 1]))
                s0--;
        while (s1 < f->n && s1 - c->end < 400 && !terminator(f->cp[s1]))
                s1++;
        for (size_t k = 0; k < sc->n; k++) {
                const cand *o = &sc->v[k];
                const nd_alias *a = &sc->gaz->aliases[o->alias];
                if (!o->accepted || o->start < s0 || o->end > s1 ||
                    (o->start < c->end && c->start < o->end) ||
                    (a->flags & ND_ALIAS_CONTEXT) ||
                    sc->gaz->ents[a->entity].type != ND_ENT_PLACE)
                        continue;
                return true;
        }
        return false;
}

/* --- Per-article entity table ------------------------------------------- */

typedef struct {
        int field;         /* 0 title, 1 body */
        size_t start, end; /* source code points */
        char *text;
        bool full;
} mention;

typedef struct {
        uint32_t entity;
        mention *m;
        size_t n, cap;
        double weight;
        bool has_full;
        bool credited;
} found;

typedef struct {
        found *v;
        size_t n, cap;
} found_set;

static found *
found_get(found_set *fs, uint32_t entity)
{
        for (size_t i = 0; i < fs->n; i++)
                if (fs->v[i].entity == entity)
                        return &fs->v[i];
        if (fs->n == fs->cap) {
                size_t cap = fs->cap ? fs->cap * 2 : 16;
                found *v = realloc(fs->v, cap * sizeof(*v));
                if (!v)
                        return NULL;
                fs->v = v;
                fs->cap = cap;
        }
        memset(&fs->v[fs->n], 0, sizeof(found));
        fs->v[fs->n].entity = entity;
        return &fs->v[fs->n++];
}

static void
found_free(found_set *fs)
{
        for (size_t i = 0; i < fs->n; i++) {
                for (size_t k = 0; k < fs->v[i].n; k++)
                        free(fs->v[i].m[k].text);
                free(fs->v[i].m);
        }
        free(fs->v);
}

typedef struct {
        size_t start, end; /* folded */
} span;

static bool
on_credit(void *ctx, size_t start, size_t end, uint32_t id)
{
        span *s = ctx;

        (void)id;
        s->start = start;
        s->end = end;
        return true;
}

/* Whether the mention at folded [start, end) credits its source: in
 * parentheses ("(dpa)", "(AFP/Reuters)") or after a credit phrase
 * ("according to", "לפי", "по данным") in the same sentence. */
static bool
credited(const ent_state *st, const nd_folded *f, size_t start, size_t end)
{
        size_t b = start, e = end, w;
        span found_span = {0, 0};

        while (b > 0 && f->cp[b - 1] == ' ')
                b--;
        while (e < f->n && f->cp[e] == ' ')
                e++;
        if (b > 0 && (f->cp[b - 1] == '(' || f->cp[b - 1] == '/') && e < f->n &&
            (f->cp[e] == ')' || f->cp[e] == '/'))
                return true;
        w = start > CREDIT_WINDOW ? start - CREDIT_WINDOW : 0;
        for (size_t i = start; i > w; i--) {
                uint32_t c = f->cp[i - 1];
                if (c == '.' || c == '!' || c == '?') {
                        w = i;
                        break;
                }
        }
        for (size_t i = w; i < start;) {
                found_span.end = 0;
                nd_matcher_scan(st->credit, f->cp + i, start - i, on_credit,
                                &found_span);
                if (found_span.end == 0)
                        break;
                if (nd_word_bounded(f, i + found_span.start, i + found_span.end,
                                    true, NULL))
                        return true;
                i += found_span.start + 1;
        }
        return false;
}

static char *
src_text(const nd_folded *f, const char *s, size_t start, size_t end)
{
        size_t b = f->src_byte[start], e = f->src_byte[end];
        char *t = malloc(e - b + 1);

        if (t) {
                memcpy(t, s + b, e - b);
                t[e - b] = '\0';
        }
        return t;
}

static nd_err
scan_field(const ent_state *st, found_set *fs, int field, const char *text,
           size_t len, bool sources_section)
{
        const nd_gazetteer *g = st->gaz;
        scan_ctx sc = {0};
        nd_folded f;
        nd_err err = nd_fold(text, len, &f);
        size_t last_end = 0;
        end_ref *by_end = NULL;

        if (err != ND_OK)
                return err;
        sc.gaz = g;
        sc.f = &f;
        nd_matcher_scan(g->matcher, f.cp, f.n, on_match, &sc);
        if (sc.oom) {
                err = ND_ERR_NOMEM;
                goto out;
        }
        if (sc.n > 1)
                qsort(sc.v, sc.n, sizeof(*sc.v), cmp_cand);
        by_end = malloc((sc.n + 1) * sizeof(*by_end));
        if (!by_end) {
                err = ND_ERR_NOMEM;
                goto out;
        }
        for (size_t i = 0; i < sc.n; i++)
                by_end[i] = (end_ref){sc.v[i].end, i};
        if (sc.n > 1)
                qsort(by_end, sc.n, sizeof(*by_end), cmp_by_end);
        accept_glued(&sc, by_end);
        for (size_t i = 0; i < sc.n; i++) {
                cand *c = &sc.v[i];
                const nd_alias *a = &g->aliases[c->alias];
                const nd_entity *ent = &g->ents[a->entity];
                bool full = !(a->flags & ND_ALIAS_SHORT);
                found *fd;
                mention *m;

                if (!c->accepted || c->start < last_end)
                        continue;
                fd = found_get(fs, a->entity);
                if (!fd) {
                        err = ND_ERR_NOMEM;
                        goto out;
                }
                /* A surname or other short name alone counts only after
                 * the full name. */
                if (!full && !fd->has_full)
                        continue;
                if ((a->flags & ND_ALIAS_CONTEXT) && !in_context(&sc, c))
                        continue;
                last_end = c->end;
                if (fd->n == fd->cap) {
                        size_t cap = fd->cap ? fd->cap * 2 : 4;
                        mention *v = realloc(fd->m, cap * sizeof(*v));
                        if (!v) {
                                err = ND_ERR_NOMEM;
                                goto out;
                        }
                        fd->m = v;
                        fd->cap = cap;
                }
                m = &fd->m[fd->n];
                m->field = field;
                m->start = f.orig[c->start];
                m->end = f.orig[c->end - 1] + 1;
                m->full = full;
                m->text = src_text(&f, text, m->start, m->end);
                if (!m->text) {
                        err = ND_ERR_NOMEM;
                        goto out;
                }
                if (!sources_section)
                        fd->n++;
                else
                        free(m->text);
                fd->has_full |= full;
                /* Title mentions weigh most, early body mentions more than
                 * late ones. */
                if (!sources_section)
                        fd->weight += field == 0           ? 3.0
                                      : c->start < f.n / 5 ? 1.5
                                                           : 1.0;
                if (ent->agency &&
                    (sources_section || credited(st, &f, c->start, c->end)))
                        fd->credited = true;
        }
out:
        free(by_end);
        free(sc.v);
        nd_folded_free(&f);
        return err;
}

static int
cmp_found(const void *pa, const void *pb)
{
        const found *a = pa, *b = pb;

        if (a->weight != b->weight)
                return a->weight > b->weight ? -1 : 1;
        if (a->m[0].field != b->m[0].field)
                return a->m[0].field - b->m[0].field;
        return a->m[0].start < b->m[0].start ? -1 : 1;
}

static bool
info_source_known(const nd_doc *doc, json_t *added, const char *name)
{
        size_t i;
        json_t *v;

        for (i = 0; i < doc->info_sources.n; i++)
                if (strcasecmp(doc->info_sources.v[i], name) == 0)
                        return true;
        json_array_foreach(added, i, v)
        {
                const char *n = json_string_value(json_object_get(v, "name"));
                if (n && strcasecmp(n, name) == 0)
                        return true;
        }
        return false;
}

/* Appends @p e to article.infoSources unless a source of that name is
 * there or in doc->info_sources. */
static void
add_info_source(nd_doc *doc, const nd_entity *e)
{
        json_t *srcs = json_object_get(doc->article, "infoSources"), *s;

        if (!srcs) {
                srcs = json_array();
                json_object_set_new(doc->article, "infoSources", srcs);
        }
        if (info_source_known(doc, srcs, e->name))
                return;
        s = json_pack("{s:s,s:s}", "name", e->name, "role", "source");
        if (e->uri)
                json_object_set_new(s, "uri", json_string(e->uri));
        json_array_append_new(srcs, s);
}

static nd_err
emit_json(const ent_state *st, nd_doc *doc, found_set *fs)
{
        static const char *const fields[] = {"title", "body"};
        static const char *const ninjs[] = {"people", "organisations",
                                            "places"};
        json_t *ents = json_array(), *groups[3], *srcs;
        double top = 0;
        size_t n = 0;

        for (size_t i = 0; i < fs->n; i++)
                if (fs->v[i].n > 0)
                        fs->v[n++] = fs->v[i];
                else
                        free(fs->v[i].m);
        fs->n = n;
        if (fs->n > 1)
                qsort(fs->v, fs->n, sizeof(*fs->v), cmp_found);
        if (fs->n > 0)
                top = fs->v[0].weight;
        for (int k = 0; k < 3; k++)
                groups[k] = json_array();
        for (size_t i = 0; i < fs->n; i++) {
                const found *fd = &fs->v[i];
                const nd_entity *e = &st->gaz->ents[fd->entity];
                json_t *o = json_object(), *ms = json_array(), *item;

                for (size_t k = 0; k < fd->n; k++)
                        json_array_append_new(
                            ms, json_pack("{s:s,s:I,s:I,s:s}", "field",
                                          fields[fd->m[k].field], "start",
                                          (json_int_t)fd->m[k].start, "end",
                                          (json_int_t)fd->m[k].end, "text",
                                          fd->m[k].text));
                json_object_set_new(o, "type",
                                    json_string(nd_ent_type_name(e->type)));
                json_object_set_new(o, "name", json_string(e->name));
                if (e->uri)
                        json_object_set_new(o, "uri", json_string(e->uri));
                if (e->country && e->type == ND_ENT_PLACE)
                        json_object_set_new(o, "country",
                                            json_string(e->country));
                json_object_set_new(o, "mentions", ms);
                json_object_set_new(o, "count",
                                    json_integer((json_int_t)fd->n));
                json_object_set_new(
                    o, "salience",
                    json_real(top > 0 ? (double)(long)(fd->weight / top * 1000 +
                                                       0.5) /
                                            1000
                                      : 0));
                json_array_append_new(ents, o);

                item =
                    json_pack("{s:s,s:s}", "name", e->name, "rel", "mentioned");
                if (e->uri)
                        json_object_set_new(item, "uri", json_string(e->uri));
                json_array_append_new(groups[e->type], item);
                if (fd->credited)
                        add_info_source(doc, e);
        }
        json_object_set_new(doc->analysis, "entities", ents);
        for (int k = 0; k < 3; k++) {
                if (json_array_size(groups[k]) > 0)
                        json_object_set_new(doc->article, ninjs[k], groups[k]);
                else
                        json_decref(groups[k]);
        }
        srcs = json_object_get(doc->article, "infoSources");
        if (srcs && json_array_size(srcs) == 0)
                json_object_del(doc->article, "infoSources");
        return ND_OK;
}

static nd_err
ent_run(void *state, nd_doc *doc, char *errstr, size_t errstr_size)
{
        ent_state *st = state;
        found_set fs = {0};
        nd_err err = ND_OK;

        if (doc->title)
                err = scan_field(st, &fs, 0, doc->title, strlen(doc->title),
                                 false);
        if (err == ND_OK && doc->body)
                err = scan_field(st, &fs, 1, doc->body, doc->body_len, false);
        /* The sources section is not part of the body: agencies named there
         * are credited but have no mention offsets. */
        for (size_t i = 0; err == ND_OK && i < doc->sources.n; i++)
                err = scan_field(st, &fs, 1, doc->sources.v[i],
                                 strlen(doc->sources.v[i]), true);
        if (err == ND_OK) {
                /* An agency named only in the sources section has no
                 * mention in the text, but is still an infoSource and an
                 * organisation of the item. */
                json_t *extra = json_array(), *orgs;
                for (size_t i = 0; i < fs.n; i++) {
                        const nd_entity *e = &st->gaz->ents[fs.v[i].entity];
                        json_t *item;
                        if (fs.v[i].n > 0 || !fs.v[i].credited)
                                continue;
                        add_info_source(doc, e);
                        item = json_pack("{s:s,s:s}", "name", e->name, "rel",
                                         "source");
                        if (e->uri)
                                json_object_set_new(item, "uri",
                                                    json_string(e->uri));
                        json_array_append_new(extra, item);
                }
                err = emit_json(st, doc, &fs);
                orgs = json_object_get(doc->article, "organisations");
                if (json_array_size(extra) > 0 && !orgs)
                        json_object_set(doc->article, "organisations", extra);
                else if (orgs)
                        json_array_extend(orgs, extra);
                json_decref(extra);
        }
        found_free(&fs);
        if (err != ND_OK)
                return nd_seterr(errstr, errstr_size, err, "entities: %s",
                                 nd_err_str(err));
        return ND_OK;
}

const nd_stage_ops nd_stage_entities = {
    .name = "entities",
    .create = ent_create,
    .run = ent_run,
    .destroy = ent_destroy,
};
