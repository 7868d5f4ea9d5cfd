/* Loads entity TSV files into one table and compiles their aliases into a
 * matcher over folded text. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>

#include "newsd/gazetteer.h"

const char *
nd_ent_type_name(nd_ent_type t)
{
        switch (t) {
        case ND_ENT_PERSON:
                return "person";
        case ND_ENT_ORGANISATION:
                return "organisation";
        default:
                return "place";
        }
}

/* --- A byte-string hash map to uint32, for load-time lookups. ---------- */

typedef struct {
        char *key; /* owned */
        size_t len;
        uint32_t value;
} slot;

typedef struct {
        slot *slots;
        size_t cap, n; /* cap a power of two */
} hmap;

typedef struct {
        hmap uris;    /* uri -> entity */
        hmap aliases; /* entity + folded alias -> 1 */
        hmap stop;    /* folded alias -> 1 */
} load_index;

static uint64_t
hash_bytes(const void *p, size_t n)
{
        const unsigned char *s = p;
        uint64_t h = 1469598103934665603ULL;

        for (size_t i = 0; i < n; i++)
                h = (h ^ s[i]) * 1099511628211ULL;
        return h;
}

static slot *
hmap_find(const hmap *m, const void *key, size_t len)
{
        size_t i;

        if (m->cap == 0)
                return NULL;
        for (i = hash_bytes(key, len) & (m->cap - 1); m->slots[i].key;
             i = (i + 1) & (m->cap - 1))
                if (m->slots[i].len == len &&
                    memcmp(m->slots[i].key, key, len) == 0)
                        return &m->slots[i];
        return NULL;
}

static bool
hmap_put(hmap *m, const void *key, size_t len, uint32_t value)
{
        size_t i;

        if ((m->n + 1) * 2 > m->cap) {
                size_t cap = m->cap ? m->cap * 2 : 1024;
                slot *s = calloc(cap, sizeof(*s));
                if (!s)
                        return false;
                for (size_t k = 0; k < m->cap; k++) {
                        if (!m->slots[k].key)
                                continue;
                        i = hash_bytes(m->slots[k].key, m->slots[k].len) &
                            (cap - 1);
                        while (s[i].key)
                                i = (i + 1) & (cap - 1);
                        s[i] = m->slots[k];
                }
                free(m->slots);
                m->slots = s;
                m->cap = cap;
        }
        i = hash_bytes(key, len) & (m->cap - 1);
        while (m->slots[i].key)
                i = (i + 1) & (m->cap - 1);
        m->slots[i].key = malloc(len ? len : 1);
        if (!m->slots[i].key)
                return false;
        memcpy(m->slots[i].key, key, len);
        m->slots[i].len = len;
        m->slots[i].value = value;
        m->n++;
        return true;
}

static void
hmap_free(hmap *m)
{
        for (size_t i = 0; i < m->cap; i++)
                free(m->slots[i].key);
        free(m->slots);
        memset(m, 0, sizeof(*m));
}

/* --- Loading ------------------------------------------------------------ */

nd_gazetteer *
nd_gazetteer_new(void)
{
        nd_gazetteer *g = calloc(1, sizeof(*g));

        if (!g)
                return NULL;
        g->index = calloc(1, sizeof(load_index));
        if (!g->index) {
                free(g);
                return NULL;
        }
        return g;
}

static char *
dup_field(const char *s, size_t n)
{
        char *d;

        if (n == 0 || (n == 1 && s[0] == '-'))
                return NULL;
        d = malloc(n + 1);
        if (d) {
                memcpy(d, s, n);
                d[n] = '\0';
        }
        return d;
}

/* Acronyms in capitals ("UN", "SCO", "ООН", "CCTV") are ordinary words in
 * lower case, so they only match as written. */
static bool
is_acronym(const uint32_t *cp, size_t n)
{
        size_t letters = 0;

        for (size_t i = 0; i < n; i++) {
                if (u_isupper((UChar32)cp[i]))
                        letters++;
                else if (!(cp[i] >= '0' && cp[i] <= '9') && cp[i] != '&')
                        return false;
        }
        return letters >= 2 && n <= 6;
}

static nd_err
add_alias(nd_gazetteer *g, uint32_t ent, const char *lang, size_t lang_len,
          const char *text, size_t len, uint32_t flags)
{
        load_index *ix = g->index;
        char buf[512];
        uint32_t *cp = NULL;
        size_t n = 0;
        nd_alias *a;
        nd_err err = ND_OK;
        nd_folded f = {0};
        nd_buf key = {0};

        if (len > 0 && text[0] == '=') {
                flags |= ND_ALIAS_EXACT;
                text++;
                len--;
        }
        if (len == 0 || len >= sizeof(buf))
                return ND_OK;
        memcpy(buf, text, len);
        buf[len] = '\0';
        if (nd_fold(buf, len, &f) != ND_OK)
                return ND_ERR_NOMEM;
        if (is_acronym(f.src, f.nsrc))
                flags |= ND_ALIAS_EXACT;
        cp = f.cp;
        n = f.n;
        if (n == 0)
                goto out;
        {
                slot *st = hmap_find(&ix->stop, cp, n * sizeof(*cp));
                if (st && st->value == 1)
                        goto out;
                if (st)
                        flags |= ND_ALIAS_CONTEXT;
        }
        if (!nd_buf_append(&key, &ent, sizeof(ent)) ||
            !nd_buf_append(&key, cp, n * sizeof(*cp))) {
                err = ND_ERR_NOMEM;
                goto out;
        }
        if (hmap_find(&ix->aliases, key.p, key.len))
                goto out; /* the same entity, the same folded name */
        if (!hmap_put(&ix->aliases, key.p, key.len, 1)) {
                err = ND_ERR_NOMEM;
                goto out;
        }
        if (g->n_aliases == g->cap_aliases) {
                size_t cap = g->cap_aliases ? g->cap_aliases * 2 : 1024;
                nd_alias *v = realloc(g->aliases, cap * sizeof(*v));
                if (!v) {
                        err = ND_ERR_NOMEM;
                        goto out;
                }
                g->aliases = v;
                g->cap_aliases = cap;
        }
        a = &g->aliases[g->n_aliases];
        memset(a, 0, sizeof(*a));
        a->entity = ent;
        a->flags = flags;
        a->n_folded = n;
        if (lang_len >= sizeof(a->lang))
                lang_len = sizeof(a->lang) - 1;
        memcpy(a->lang, lang, lang_len);
        a->folded = f.cp;
        f.cp = NULL;
        a->src = f.src;
        a->n_src = f.nsrc;
        f.src = NULL;
        for (size_t i = 0; i < a->n_src; i++)
                if (u_isupper((UChar32)a->src[i]) ||
                    u_istitle((UChar32)a->src[i]))
                        a->flags |= ND_ALIAS_CAPITAL;
        g->n_aliases++;
out:
        nd_buf_free(&key);
        nd_folded_free(&f);
        return err;
}

/* Russian declines place names and the gazetteer holds the nominative:
 * a one-word Russian place name gets its genitive, dative, accusative,
 * instrumental and prepositional forms (Россия: России, Россию, Россией;
 * Китай: Китая, Китаю, Китаем, Китае; Пекин: Пекина, Пекину, Пекином,
 * Пекине; Москва: Москвы, Москве, Москву, Москвой). Indeclinable names
 * ending in other vowels (Того, Чили) get none. */
static nd_err
add_russian_forms(nd_gazetteer *g, uint32_t ent, const char *name, size_t len,
                  uint32_t flags)
{
        static const struct {
                const char *ending, *forms[5];
        } rules[] = {
            {"ия", {"ии", "ию", "ией", NULL}},
            {"ья", {"ьи", "ье", "ью", "ьей", NULL}},
            {"ка", {"ки", "ке", "ку", "кой", NULL}},
            {"га", {"ги", "ге", "гу", "гой", NULL}},
            {"а", {"ы", "е", "у", "ой", NULL}},
            {"ай", {"ая", "аю", "аем", "ае", NULL}},
            {"ь", {"и", "ю", "ью", NULL}},
        };
        static const char consonants[] = "бвгджзклмнпрстфхцчшщ";
        char buf[256];

        if (memchr(name, ' ', len) || len + 8 >= sizeof(buf) || len < 6)
                return ND_OK;
        for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
                size_t el = strlen(rules[r].ending);
                size_t stem = len - el;
                if (len <= el || memcmp(name + stem, rules[r].ending, el) != 0)
                        continue;
                for (size_t k = 0; rules[r].forms[k]; k++) {
                        size_t fl = strlen(rules[r].forms[k]);
                        nd_err err;
                        memcpy(buf, name, stem);
                        memcpy(buf + stem, rules[r].forms[k], fl);
                        err = add_alias(g, ent, "ru", 2, buf, stem + fl, flags);
                        if (err != ND_OK)
                                return err;
                }
                return ND_OK;
        }
        /* A final consonant (two UTF-8 bytes in the Cyrillic block). */
        if (len >= 2 &&
            strstr(consonants, (char[]){name[len - 2], name[len - 1], 0})) {
                static const char *const forms[] = {"а", "у", "ом", "е"};
                for (size_t k = 0; k < 4; k++) {
                        nd_err err;
                        memcpy(buf, name, len);
                        memcpy(buf + len, forms[k], strlen(forms[k]));
                        err = add_alias(g, ent, "ru", 2, buf,
                                        len + strlen(forms[k]), flags);
                        if (err != ND_OK)
                                return err;
                }
        }
        return ND_OK;
}

static bool
ends_with(const char *w, size_t wl, const char *suffix)
{
        size_t sl = strlen(suffix);

        return wl >= sl && memcmp(w + wl - sl, suffix, sl) == 0;
}

/* Appends word @p w in Russian case @p kase (0 genitive, 1 dative, 2
 * instrumental, 3 prepositional) as a man's name declines: Владимир
 * Владимира, Сергей Сергея, Путин Путиным, Шольц Шольцем. Words ending
 * in a vowel or ь (Джо, Си, Лукашенко, Меркель) stay as they are.
 * Returns whether the word changed. */
static bool
decline_word(nd_buf *b, const char *w, size_t wl, int kase)
{
        static const char *const soft[] = {"я", "ю", "ем", "е"};
        static const char *const family[] = {"а", "у", "ым", "е"};
        static const char *const hush[] = {"а", "у", "ем", "е"};
        static const char *const hard[] = {"а", "у", "ом", "е"};
        static const char consonants[] = "бвгджзклмнпрстфхцчшщ";
        char last[3];

        if (wl >= 2 && ends_with(w, wl, "й")) {
                nd_buf_append(b, w, wl - 2);
                nd_buf_appends(b, soft[kase]);
                return true;
        }
        if (wl < 2) {
                nd_buf_append(b, w, wl);
                return false;
        }
        memcpy(last, w + wl - 2, 2);
        last[2] = '\0';
        if (!strstr(consonants, last) || (unsigned char)last[0] < 0xD0) {
                nd_buf_append(b, w, wl);
                return false;
        }
        nd_buf_append(b, w, wl);
        if (ends_with(w, wl, "ин") || ends_with(w, wl, "ын") ||
            ends_with(w, wl, "ов") || ends_with(w, wl, "ев") ||
            ends_with(w, wl, "ёв"))
                nd_buf_appends(b, family[kase]);
        else if (strstr("жшчщц", last))
                nd_buf_appends(b, hush[kase]);
        else
                nd_buf_appends(b, hard[kase]);
        return true;
}

/* A Russian man's name gets its oblique cases, every word in the same
 * case ("Джо Байденом", "Сергея Лаврова"). Names with a word ending in -а
 * (often a woman's) get none. */
static nd_err
add_russian_person_forms(nd_gazetteer *g, uint32_t ent, const char *name,
                         size_t len, uint32_t flags)
{
        for (size_t i = 0; i < len; i++)
                if ((i + 2 == len || (i + 2 < len && name[i + 2] == ' ')) &&
                    memcmp(name + i, "а", 2) == 0)
                        return ND_OK;
        for (int kase = 0; kase < 4; kase++) {
                nd_buf b = {0};
                bool changed = false;
                nd_err err = ND_OK;
                size_t i = 0;

                while (i < len) {
                        const char *sp = memchr(name + i, ' ', len - i);
                        size_t wl = sp ? (size_t)(sp - (name + i)) : len - i;
                        changed |= decline_word(&b, name + i, wl, kase);
                        i += wl;
                        if (sp) {
                                nd_buf_appendc(&b, ' ');
                                i++;
                        }
                }
                if (!b.p) {
                        err = ND_ERR_NOMEM;
                } else if (changed) {
                        err = add_alias(g, ent, "ru", 2, b.p, b.len, flags);
                }
                nd_buf_free(&b);
                if (err != ND_OK)
                        return err;
        }
        return ND_OK;
}

/* "lang:name|lang:name" */
static nd_err
add_alias_list(nd_gazetteer *g, uint32_t ent, const char *s, size_t len,
               uint32_t flags)
{
        const char *end = s + len;

        while (s < end) {
                const char *bar = memchr(s, '|', (size_t)(end - s));
                const char *item_end = bar ? bar : end;
                const char *colon = memchr(s, ':', (size_t)(item_end - s));
                nd_err err;

                if (colon && colon - s < 12) {
                        err =
                            add_alias(g, ent, s, (size_t)(colon - s), colon + 1,
                                      (size_t)(item_end - colon - 1), flags);
                        if (err == ND_OK && colon - s == 2 &&
                            memcmp(s, "ru", 2) == 0 &&
                            g->ents[ent].type == ND_ENT_PLACE)
                                err = add_russian_forms(
                                    g, ent, colon + 1,
                                    (size_t)(item_end - colon - 1), flags);
                        else if (err == ND_OK && colon - s == 2 &&
                                 memcmp(s, "ru", 2) == 0 &&
                                 g->ents[ent].type == ND_ENT_PERSON)
                                err = add_russian_person_forms(
                                    g, ent, colon + 1,
                                    (size_t)(item_end - colon - 1), flags);
                } else {
                        err = add_alias(g, ent, "und", 3, s,
                                        (size_t)(item_end - s), flags);
                }
                if (err != ND_OK)
                        return err;
                s = item_end + 1;
        }
        return ND_OK;
}

static nd_err
add_record(nd_gazetteer *g, char *fields[6], size_t lens[6], char *errstr,
           size_t errstr_size, const char *origin, size_t line)
{
        load_index *ix = g->index;
        nd_entity e = {0};
        slot *known = NULL;
        uint32_t idx;
        nd_err err;

        if (lens[1] == 6 && memcmp(fields[1], "person", 6) == 0) {
                e.type = ND_ENT_PERSON;
        } else if (lens[1] == 12 &&
                   memcmp(fields[1], "organisation", 12) == 0) {
                e.type = ND_ENT_ORGANISATION;
        } else if (lens[1] == 6 && memcmp(fields[1], "agency", 6) == 0) {
                e.type = ND_ENT_ORGANISATION;
                e.agency = true;
        } else if (lens[1] == 5 && memcmp(fields[1], "place", 5) == 0) {
                e.type = ND_ENT_PLACE;
        } else {
                return nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                 "%s:%zu: unknown type \"%.*s\"", origin, line,
                                 (int)lens[1], fields[1]);
        }
        if (lens[2] == 0)
                return nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                 "%s:%zu: empty name", origin, line);
        if (lens[0] > 1)
                known = hmap_find(&ix->uris, fields[0], lens[0]);
        if (known) {
                idx = known->value;
        } else {
                e.uri = dup_field(fields[0], lens[0]);
                e.name = dup_field(fields[2], lens[2]);
                e.country = dup_field(fields[3], lens[3]);
                if (!e.name || (lens[0] > 1 && !e.uri)) {
                        free(e.uri);
                        free(e.name);
                        free(e.country);
                        return ND_ERR_NOMEM;
                }
                if (g->n_ents == g->cap_ents) {
                        size_t cap = g->cap_ents ? g->cap_ents * 2 : 512;
                        nd_entity *v = realloc(g->ents, cap * sizeof(*v));
                        if (!v) {
                                free(e.uri);
                                free(e.name);
                                free(e.country);
                                return ND_ERR_NOMEM;
                        }
                        g->ents = v;
                        g->cap_ents = cap;
                }
                idx = (uint32_t)g->n_ents;
                g->ents[g->n_ents++] = e;
                if (e.uri && !hmap_put(&ix->uris, e.uri, lens[0], idx))
                        return ND_ERR_NOMEM;
        }
        err = add_alias_list(g, idx, fields[4], lens[4], 0);
        if (err == ND_OK)
                err =
                    add_alias_list(g, idx, fields[5], lens[5], ND_ALIAS_SHORT);
        /* The canonical name is an alias too; after the listed ones, so
         * that their flags ("=dpa") win. */
        if (err == ND_OK && !known)
                err = add_alias(g, idx, "und", 3, fields[2], lens[2], 0);
        return err;
}

nd_err
nd_gazetteer_add_tsv(nd_gazetteer *g, const char *text, size_t len,
                     const char *origin, char *errstr, size_t errstr_size)
{
        const char *p = text, *end = text + len;
        size_t line = 0;

        if (g->matcher)
                return nd_seterr(errstr, errstr_size, ND_ERR_INTERNAL,
                                 "gazetteer already built");
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *le = nl ? nl : end;
                char *fields[6] = {0};
                size_t lens[6] = {0}, nf = 0;
                const char *f = p;
                nd_err err;

                line++;
                if (le > p && le[-1] == '\r')
                        le--;
                if (le == p || *p == '#') {
                        p = (nl ? nl : end) + 1;
                        continue;
                }
                while (nf < 6) {
                        const char *tab = memchr(f, '\t', (size_t)(le - f));
                        const char *fe = tab ? tab : le;
                        fields[nf] = (char *)f;
                        lens[nf++] = (size_t)(fe - f);
                        if (!tab)
                                break;
                        f = tab + 1;
                }
                if (nf < 5)
                        return nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                         "%s:%zu: expected at least 5 "
                                         "tab-separated columns, found %zu",
                                         origin, line, nf);
                for (size_t i = nf; i < 6; i++)
                        fields[i] = (char *)le;
                err = add_record(g, fields, lens, errstr, errstr_size, origin,
                                 line);
                if (err == ND_ERR_NOMEM)
                        return nd_seterr(errstr, errstr_size, err,
                                         "out of memory");
                if (err != ND_OK)
                        return err;
                p = (nl ? nl : end) + 1;
        }
        return ND_OK;
}

static nd_err
read_file(const char *path, char **out, size_t *len, char *errstr,
          size_t errstr_size)
{
        FILE *fp = fopen(path, "rb");
        nd_buf b = {0};
        char chunk[65536];
        size_t n;

        if (!fp)
                return nd_seterr(errstr, errstr_size, ND_ERR_IO, "%s: %s", path,
                                 strerror(errno));
        while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
                if (!nd_buf_append(&b, chunk, n)) {
                        fclose(fp);
                        nd_buf_free(&b);
                        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                         "out of memory");
                }
        }
        fclose(fp);
        *len = b.len;
        *out = nd_buf_steal(&b);
        if (!*out)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        return ND_OK;
}

nd_err
nd_gazetteer_add_file(nd_gazetteer *g, const char *path, char *errstr,
                      size_t errstr_size)
{
        char *text = NULL;
        size_t len = 0;
        nd_err err = read_file(path, &text, &len, errstr, errstr_size);

        if (err == ND_OK)
                err = nd_gazetteer_add_tsv(g, text, len, path, errstr,
                                           errstr_size);
        free(text);
        return err;
}

nd_err
nd_gazetteer_add_stoplist(nd_gazetteer *g, const char *path, bool context,
                          char *errstr, size_t errstr_size)
{
        load_index *ix = g->index;
        char *text = NULL, *line, *save = NULL;
        size_t len = 0;
        nd_err err = read_file(path, &text, &len, errstr, errstr_size);

        if (err != ND_OK)
                return err;
        for (line = strtok_r(text, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
                size_t n;
                uint32_t *cp;
                if (*line == '#' || *line == '\0')
                        continue;
                cp = nd_fold_str(line, &n);
                if (!cp || !hmap_put(&ix->stop, cp, n * sizeof(*cp),
                                     context ? 2 : 1)) {
                        free(cp);
                        err = nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                        "out of memory");
                        break;
                }
                free(cp);
        }
        free(text);
        return err;
}

/* Arabic writes ل + ال as لل ("للصين", to China): each alias starting with
 * the article gets that form as a second pattern. */
static bool
add_patterns(nd_matcher *m, const uint32_t *cp, size_t n, uint32_t id)
{
        if (!nd_matcher_add(m, cp, n, id))
                return false;
        if (n > 3 && cp[0] == 0x0627 && cp[1] == 0x0644) {
                uint32_t v[512];
                if (n > sizeof(v) / sizeof(v[0]))
                        return true;
                memcpy(v, cp, n * sizeof(*cp));
                v[0] = 0x0644;
                return nd_matcher_add(m, v, n, id);
        }
        return true;
}

nd_err
nd_gazetteer_build(nd_gazetteer *g, char *errstr, size_t errstr_size)
{
        nd_matcher *m = nd_matcher_new();

        if (!m)
                goto nomem;
        for (uint32_t i = 0; i < g->n_aliases; i++)
                if (!add_patterns(m, g->aliases[i].folded,
                                  g->aliases[i].n_folded, i))
                        goto nomem;
        if (!nd_matcher_build(m))
                goto nomem;
        g->matcher = m;
        return ND_OK;
nomem:
        nd_matcher_free(m);
        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
}

static int
cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.tsv file of @p dir in name order; a missing directory is no
 * error when @p optional. */
static nd_err
add_dir(nd_gazetteer *g, const char *dir, bool optional, char *errstr,
        size_t errstr_size)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        nd_strvec names = {0};
        nd_err err = ND_OK;

        if (!d) {
                if (optional && errno == ENOENT)
                        return ND_OK;
                return nd_seterr(errstr, errstr_size, ND_ERR_IO, "%s: %s", dir,
                                 strerror(errno));
        }
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n > 4 && strcmp(de->d_name + n - 4, ".tsv") == 0 &&
                    !nd_strvec_push(&names, de->d_name)) {
                        err = nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                        "out of memory");
                        goto out;
                }
        }
        if (names.n)
                qsort(names.v, names.n, sizeof(*names.v), cmp_str);
        for (size_t i = 0; i < names.n && err == ND_OK; i++) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s", dir, names.v[i]);
                err = nd_gazetteer_add_file(g, path, errstr, errstr_size);
        }
out:
        closedir(d);
        nd_strvec_clear(&names);
        return err;
}

nd_err
nd_gazetteer_load(nd_gazetteer **out, const char *data_dir,
                  const char *user_dir, char *errstr, size_t errstr_size)
{
        nd_gazetteer *g = nd_gazetteer_new();
        char path[4096];
        nd_err err;

        *out = NULL;
        if (!g)
                return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                 "out of memory");
        snprintf(path, sizeof(path), "%s/entities/stop-aliases.txt", data_dir);
        err = nd_gazetteer_add_stoplist(g, path, false, errstr, errstr_size);
        if (err == ND_OK) {
                snprintf(path, sizeof(path), "%s/entities/context-aliases.txt",
                         data_dir);
                err = nd_gazetteer_add_stoplist(g, path, true, errstr,
                                                errstr_size);
        }
        /* User entities first: they win over built-in ones on a shared
         * alias. */
        if (err == ND_OK && user_dir && *user_dir) {
                snprintf(path, sizeof(path), "%s/entities", user_dir);
                err = add_dir(g, path, true, errstr, errstr_size);
        }
        if (err == ND_OK) {
                snprintf(path, sizeof(path), "%s/entities", data_dir);
                err = add_dir(g, path, false, errstr, errstr_size);
        }
        if (err == ND_OK) {
                snprintf(path, sizeof(path), "%s/gazetteer/countries.tsv",
                         data_dir);
                err = nd_gazetteer_add_file(g, path, errstr, errstr_size);
        }
        if (err == ND_OK) {
                snprintf(path, sizeof(path), "%s/gazetteer/cities.tsv",
                         data_dir);
                err = nd_gazetteer_add_file(g, path, errstr, errstr_size);
        }
        if (err == ND_OK)
                err = nd_gazetteer_build(g, errstr, errstr_size);
        if (err != ND_OK) {
                nd_gazetteer_free(g);
                return err;
        }
        *out = g;
        return ND_OK;
}

void
nd_gazetteer_free(nd_gazetteer *g)
{
        load_index *ix;

        if (!g)
                return;
        ix = g->index;
        if (ix) {
                hmap_free(&ix->uris);
                hmap_free(&ix->aliases);
                hmap_free(&ix->stop);
                free(ix);
        }
        for (size_t i = 0; i < g->n_ents; i++) {
                free(g->ents[i].uri);
                free(g->ents[i].name);
                free(g->ents[i].country);
        }
        for (size_t i = 0; i < g->n_aliases; i++) {
                free(g->aliases[i].src);
                free(g->aliases[i].folded);
        }
        free(g->ents);
        free(g->aliases);
        nd_matcher_free(g->matcher);
        free(g);
}
