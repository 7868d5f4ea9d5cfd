/* Routing: topic templates filled from the event and the conditions of
 * [route.NAME] rules, evaluated over the event JSON only. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "newsd/route.h"

#define TOPIC_MAX 249

/* A field of the event a placeholder can name; see field_value(). */
enum field {
        F_LANGUAGE,
        F_SCRIPT,
        F_PLACE_COUNTRY,
        F_SOURCE,
        F_INPUT_TOPIC,
        F_TYPE,
};

static const char *const field_names[] = {
    "language", "script", "place.country", "source", "input.topic",
    "type",     NULL,
};

/* One piece of a template: literal text, or a placeholder. */
typedef struct piece {
        bool placeholder;
        enum field field;
        char *text; /* owned: the literal, or the fallback */
} piece;

struct nd_template {
        char *text;    /* owned: as written */
        piece *pieces; /* owned */
        size_t n;
};

static bool
topic_char(char c)
{
        return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

const char *const *
nd_template_names(void)
{
        return field_names;
}

void
nd_template_destroy(nd_template *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->n; i++)
                free(t->pieces[i].text);
        free(t->pieces);
        free(t->text);
        free(t);
}

static bool
add_piece(nd_template *t, bool placeholder, enum field f, const char *s,
          size_t len)
{
        piece *np = realloc(t->pieces, (t->n + 1) * sizeof(*np));

        if (!np)
                return false;
        t->pieces = np;
        np[t->n].placeholder = placeholder;
        np[t->n].field = f;
        np[t->n].text = strndup(s, len);
        if (!np[t->n].text)
                return false;
        t->n++;
        return true;
}

static void
names_hint(char *buf, size_t size)
{
        size_t used = 0;

        buf[0] = '\0';
        for (size_t i = 0; field_names[i] && used < size; i++)
                used += (size_t)snprintf(buf + used, size - used, "%s{%s}",
                                         i ? " " : "", field_names[i]);
}

nd_template *
nd_template_parse(const char *text, char *errstr, size_t errstr_size)
{
        nd_template *t = calloc(1, sizeof(*t));
        const char *p = text;
        bool has_literal = false;
        char hint[256];

        if (!t || !(t->text = strdup(text)))
                goto nomem;
        if (*text == '\0') {
                nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                          "a topic template must not be empty");
                goto fail;
        }
        while (*p) {
                if (*p == '{') {
                        const char *close = strchr(p + 1, '}');
                        const char *open = strchr(p + 1, '{');
                        const char *bar, *name = p + 1;
                        size_t name_len;
                        int f = -1;
                        if (!close || (open && open < close)) {
                                nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                          "\"%s\": unbalanced '{' at "
                                          "column %zu",
                                          text, (size_t)(p - text) + 1);
                                goto fail;
                        }
                        bar = memchr(name, '|', (size_t)(close - name));
                        name_len = (size_t)((bar ? bar : close) - name);
                        for (size_t i = 0; field_names[i]; i++)
                                if (strlen(field_names[i]) == name_len &&
                                    strncmp(field_names[i], name, name_len) ==
                                        0)
                                        f = (int)i;
                        if (f < 0) {
                                names_hint(hint, sizeof(hint));
                                nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                          "\"%s\": unknown placeholder "
                                          "{%.*s}; the placeholders are %s",
                                          text, (int)name_len, name, hint);
                                goto fail;
                        }
                        for (const char *q = bar ? bar + 1 : close; q < close;
                             q++) {
                                if (!topic_char(*q)) {
                                        nd_seterr(errstr, errstr_size,
                                                  ND_ERR_CONFIG,
                                                  "\"%s\": the fallback of "
                                                  "{%.*s} holds only "
                                                  "letters, digits, '.', "
                                                  "'_' and '-'",
                                                  text, (int)name_len, name);
                                        goto fail;
                                }
                        }
                        if (!add_piece(t, true, (enum field)f,
                                       bar ? bar + 1 : ND_TEMPLATE_FALLBACK,
                                       bar ? (size_t)(close - bar - 1)
                                           : strlen(ND_TEMPLATE_FALLBACK)))
                                goto nomem;
                        p = close + 1;
                        continue;
                }
                if (*p == '}') {
                        nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                  "\"%s\": unbalanced '}' at column %zu", text,
                                  (size_t)(p - text) + 1);
                        goto fail;
                }
                {
                        size_t len = strcspn(p, "{}");
                        for (size_t i = 0; i < len; i++) {
                                if (!topic_char(p[i])) {
                                        nd_seterr(errstr, errstr_size,
                                                  ND_ERR_CONFIG,
                                                  "\"%s\": a topic holds "
                                                  "only letters, digits, "
                                                  "'.', '_', '-' and "
                                                  "{placeholders}",
                                                  text);
                                        goto fail;
                                }
                        }
                        if (!add_piece(t, false, 0, p, len))
                                goto nomem;
                        has_literal = true;
                        p += len;
                }
        }
        if (nd_template_is_static(t) &&
            (strlen(text) > TOPIC_MAX || strcmp(text, ".") == 0 ||
             strcmp(text, "..") == 0)) {
                nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                          "\"%s\" is not a valid topic name (1 to %d "
                          "characters, not . or ..)",
                          text, TOPIC_MAX);
                goto fail;
        }
        if (!has_literal) {
                /* "{language|}" alone could expand to an empty topic. */
                for (size_t i = 0; i < t->n; i++)
                        if (*t->pieces[i].text == '\0') {
                                nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                          "\"%s\": a template of "
                                          "placeholders only needs "
                                          "non-empty fallbacks",
                                          text);
                                goto fail;
                        }
        }
        return t;
nomem:
        nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
fail:
        nd_template_destroy(t);
        return NULL;
}

bool
nd_template_is_static(const nd_template *t)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->pieces[i].placeholder)
                        return false;
        return true;
}

const char *
nd_template_text(const nd_template *t)
{
        return t->text;
}

static json_t *
path(json_t *v, const char *a, const char *b)
{
        v = json_object_get(v, a);
        return b ? json_object_get(v, b) : v;
}

/* The host of an http(s) URI, into @p buf. */
static const char *
uri_host(const char *uri, char *buf, size_t size)
{
        const char *h, *end;

        if (!uri)
                return NULL;
        if (strncasecmp(uri, "https://", 8) == 0)
                h = uri + 8;
        else if (strncasecmp(uri, "http://", 7) == 0)
                h = uri + 7;
        else
                return NULL;
        end = h + strcspn(h, "/?#:");
        if (end == h || (size_t)(end - h) >= size)
                return NULL;
        memcpy(buf, h, (size_t)(end - h));
        buf[end - h] = '\0';
        if (strncasecmp(buf, "www.", 4) == 0)
                memmove(buf, buf + 4, strlen(buf + 4) + 1);
        return buf;
}

/* The value a placeholder names, or NULL when the event has none. */
static const char *
field_value(enum field f, json_t *event, char *buf, size_t size)
{
        json_t *ents;
        size_t i;
        json_t *e;

        switch (f) {
        case F_LANGUAGE: {
                const char *l =
                    json_string_value(path(event, "article", "language"));
                return l ? l
                         : json_string_value(json_object_get(
                               path(event, "analysis", "language"), "code"));
        }
        case F_SCRIPT:
                return json_string_value(json_object_get(
                    path(event, "analysis", "language"), "script"));
        case F_PLACE_COUNTRY:
                ents = path(event, "analysis", "entities");
                json_array_foreach(ents, i, e)
                {
                        const char *type =
                            json_string_value(json_object_get(e, "type"));
                        const char *c =
                            json_string_value(json_object_get(e, "country"));
                        if (type && strcmp(type, "place") == 0 && c && *c)
                                return c;
                }
                return NULL;
        case F_SOURCE:
                return uri_host(
                    json_string_value(path(event, "article", "uri")), buf,
                    size);
        case F_INPUT_TOPIC:
                return json_string_value(path(event, "provenance", "topic"));
        case F_TYPE:
                return json_string_value(path(event, "article", "type"));
        }
        return NULL;
}

char *
nd_template_expand(const nd_template *t, json_t *event)
{
        nd_buf b = {0};
        char host[256];
        char *out;

        for (size_t i = 0; i < t->n; i++) {
                const piece *pc = &t->pieces[i];
                const char *v = pc->text;
                if (pc->placeholder) {
                        const char *fv =
                            field_value(pc->field, event, host, sizeof(host));
                        if (fv && *fv)
                                v = fv;
                        for (const char *q = v; *q; q++)
                                nd_buf_appendc(
                                    &b, topic_char(*q)
                                            ? (char)tolower((unsigned char)*q)
                                            : '_');
                } else {
                        nd_buf_appends(&b, v);
                }
        }
        if (!nd_buf_appends(&b, ""))
                goto nomem;
        /* A value of dots only could make "." or "..". */
        if (strcmp(b.p, ".") == 0 || strcmp(b.p, "..") == 0)
                memset(b.p, '_', b.len);
        if (b.len > TOPIC_MAX) {
                b.p[TOPIC_MAX] = '\0';
                b.len = TOPIC_MAX;
        }
        out = nd_buf_steal(&b);
        return out;
nomem:
        nd_buf_free(&b);
        return NULL;
}

/* ---- Routes ------------------------------------------------------------ */

static const char *const route_keys[] = {
    "topic", "language", "entity", "duplicate", "min-words", NULL,
};

const char *const *
nd_route_keys(void)
{
        return route_keys;
}

bool
nd_route_name_ok(const char *name)
{
        size_t len = strlen(name);

        if (len == 0 || len > 64)
                return false;
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
                        return false;
        return true;
}

bool
nd_route_init(nd_route *r, const char *name, const char *origin)
{
        memset(r, 0, sizeof(*r));
        r->duplicate = -1;
        r->name = strdup(name);
        r->origin = strdup(origin);
        return r->name && r->origin;
}

void
nd_route_clear(nd_route *r)
{
        free(r->name);
        free(r->origin);
        nd_template_destroy(r->topic);
        nd_strvec_clear(&r->languages);
        free(r->entity);
        memset(r, 0, sizeof(*r));
}

/* A BCP 47 tag, loosely: letters, digits and '-', starting with a
 * letter. */
static bool
language_ok(const char *l)
{
        if (!isalpha((unsigned char)*l) || strlen(l) > 35)
                return false;
        for (const char *p = l; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '-')
                        return false;
        return true;
}

static nd_err
set_languages(nd_route *r, const char *value, char *errstr, size_t errstr_size)
{
        nd_strvec list = {0};
        const char *p = value;

        while (true) {
                size_t len = strcspn(p, ",");
                const char *s = p, *e = p + len;
                char tag[40];
                while (s < e && isspace((unsigned char)*s))
                        s++;
                while (e > s && isspace((unsigned char)e[-1]))
                        e--;
                if (e == s || (size_t)(e - s) >= sizeof(tag)) {
                        nd_strvec_clear(&list);
                        return nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                         "language: expected a comma list "
                                         "of language codes such as he,ar");
                }
                snprintf(tag, sizeof(tag), "%.*s", (int)(e - s), s);
                if (!language_ok(tag)) {
                        nd_strvec_clear(&list);
                        return nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                         "language: \"%s\" is not a language "
                                         "code (BCP 47, such as he or "
                                         "zh-Hant)",
                                         tag);
                }
                if (!nd_strvec_push(&list, tag)) {
                        nd_strvec_clear(&list);
                        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                         "out of memory");
                }
                if (p[len] == '\0')
                        break;
                p += len + 1;
        }
        nd_strvec_clear(&r->languages);
        r->languages = list;
        return ND_OK;
}

nd_err
nd_route_set(nd_route *r, const char *key, const char *value, char *errstr,
             size_t errstr_size)
{
        if (strcmp(key, "topic") == 0) {
                nd_template *t = nd_template_parse(value, errstr, errstr_size);
                if (!t)
                        return ND_ERR_CONFIG;
                nd_template_destroy(r->topic);
                r->topic = t;
                return ND_OK;
        }
        if (strcmp(key, "language") == 0)
                return set_languages(r, value, errstr, errstr_size);
        if (strcmp(key, "entity") == 0) {
                char *copy;
                if (*value == '\0')
                        return nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                         "entity: expected an entity uri or "
                                         "canonical name");
                if (!(copy = strdup(value)))
                        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                                         "out of memory");
                free(r->entity);
                r->entity = copy;
                return ND_OK;
        }
        if (strcmp(key, "duplicate") == 0) {
                if (strcasecmp(value, "yes") == 0)
                        r->duplicate = 1;
                else if (strcasecmp(value, "no") == 0)
                        r->duplicate = 0;
                else
                        return nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                         "duplicate: \"%s\" is not yes or no",
                                         value);
                return ND_OK;
        }
        if (strcmp(key, "min-words") == 0) {
                char *end;
                unsigned long n;
                errno = 0;
                n = strtoul(value, &end, 10);
                if (!isdigit((unsigned char)*value) || *end || errno ||
                    n > 10000000)
                        return nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                         "min-words: \"%s\" is not a whole "
                                         "number from 0 to 10000000",
                                         value);
                r->min_words = (unsigned)n;
                return ND_OK;
        }
        return nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                         "unknown key %s; a route has topic, language, "
                         "entity, duplicate and min-words",
                         key);
}

void
nd_route_format(const nd_route *r, nd_buf *b)
{
        if (r->topic)
                nd_buf_printf(b, "topic = %s\n", nd_template_text(r->topic));
        if (r->languages.n) {
                nd_buf_appends(b, "language = ");
                for (size_t i = 0; i < r->languages.n; i++)
                        nd_buf_printf(b, "%s%s", i ? "," : "",
                                      r->languages.v[i]);
                nd_buf_appends(b, "\n");
        }
        if (r->entity)
                nd_buf_printf(b, "entity = %s\n", r->entity);
        if (r->duplicate >= 0)
                nd_buf_printf(b, "duplicate = %s\n",
                              r->duplicate ? "yes" : "no");
        if (r->min_words)
                nd_buf_printf(b, "min-words = %u\n", r->min_words);
}

/* "he" matches he and he-IL; "zh-Hant" matches zh-Hant only. */
static bool
language_matches(const nd_strvec *set, const char *code)
{
        if (!code)
                return false;
        for (size_t i = 0; i < set->n; i++) {
                size_t len = strlen(set->v[i]);
                if (strncasecmp(code, set->v[i], len) == 0 &&
                    (code[len] == '\0' || code[len] == '-'))
                        return true;
        }
        return false;
}

static bool
has_entity(json_t *event, const char *want)
{
        json_t *e;
        size_t i;

        json_array_foreach(path(event, "analysis", "entities"), i, e)
        {
                const char *uri = json_string_value(json_object_get(e, "uri"));
                const char *name =
                    json_string_value(json_object_get(e, "name"));
                if ((uri && strcmp(uri, want) == 0) ||
                    (name && strcasecmp(name, want) == 0))
                        return true;
        }
        return false;
}

bool
nd_route_match(const nd_route *r, json_t *event)
{
        if (r->languages.n) {
                char buf[8];
                if (!language_matches(
                        &r->languages,
                        field_value(F_LANGUAGE, event, buf, sizeof(buf))))
                        return false;
        }
        if (r->entity && !has_entity(event, r->entity))
                return false;
        if (r->duplicate >= 0) {
                bool dup =
                    json_object_get(path(event, "analysis", "fingerprints"),
                                    "duplicate_of") != NULL;
                if (dup != (r->duplicate == 1))
                        return false;
        }
        if (r->min_words) {
                json_t *w =
                    path(path(event, "analysis", "stats"), "words", NULL);
                if (!json_is_integer(w) ||
                    json_integer_value(w) < (json_int_t)r->min_words)
                        return false;
        }
        return true;
}

static bool
add_topic(nd_strvec *topics, size_t first, char *topic)
{
        if (!topic)
                return false;
        for (size_t i = first; i < topics->n; i++) {
                if (strcmp(topics->v[i], topic) == 0) {
                        free(topic);
                        return true;
                }
        }
        return nd_strvec_take(topics, topic);
}

bool
nd_route_topics(const nd_template *def, const nd_route *routes, size_t n_routes,
                json_t *event, nd_strvec *topics)
{
        size_t first = topics->n;

        if (!add_topic(topics, first, nd_template_expand(def, event)))
                return false;
        for (size_t i = 0; i < n_routes; i++)
                if (routes[i].topic && nd_route_match(&routes[i], event) &&
                    !add_topic(topics, first,
                               nd_template_expand(routes[i].topic, event)))
                        return false;
        return true;
}
