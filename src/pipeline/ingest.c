/* Ingest: format detection and the mapping of crawler fields to an nd_doc. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "newsd/civil.h"
#include "newsd/ingest.h"

/* Field aliases written by news-please, trafilatura and newspaper, in order
 * of preference. */
static const char *const title_keys[] = {"title", "headline", NULL};
static const char *const text_keys[] = {"text", "maintext", "body", "content",
                                        NULL};
static const char *const url_keys[] = {"url", "link", "canonical_url", NULL};
static const char *const date_keys[] = {"date_publish", "published",
                                        "published_at", "date", NULL};
static const char *const lang_keys[] = {"language", "lang", NULL};
static const char *const author_keys[] = {"authors", "author", NULL};
static const char *const source_keys[] = {"source_domain", "hostname",
                                          "sitename", "source", NULL};
static const char *const desc_keys[] = {"description", "excerpt", NULL};
static const char *const id_keys[] = {"id", NULL};

static const unsigned char *
skip_bom_space(const unsigned char *p, const unsigned char *end)
{
        if (end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
                p += 3;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
                p++;
        return p;
}

static bool
starts_with_ci(const unsigned char *p, const unsigned char *end,
               const char *prefix)
{
        size_t n = strlen(prefix);

        return (size_t)(end - p) >= n &&
               strncasecmp((const char *)p, prefix, n) == 0;
}

static bool
looks_like_html(const unsigned char *p, const unsigned char *end)
{
        static const char *const tags[] = {
            "<!doctype html", "<html",    "<head", "<body", "<article",
            "<div",           "<p>",      "<p ",   "<!--",  "<meta",
            "<title",         "<section", "<main", "<span", NULL};

        for (size_t i = 0; tags[i]; i++)
                if (starts_with_ci(p, end, tags[i]))
                        return true;
        return false;
}

static int
content_type_format(const char *ct)
{
        char mime[128];
        size_t n = 0;

        while (*ct == ' ')
                ct++;
        while (ct[n] && ct[n] != ';' && ct[n] != ' ' && n < sizeof(mime) - 1) {
                mime[n] = (char)tolower((unsigned char)ct[n]);
                n++;
        }
        mime[n] = '\0';
        if (n == 0)
                return ND_FORMAT_AUTO;
        if (strcmp(mime, "application/json") == 0 ||
            (n > 5 && strcmp(mime + n - 5, "+json") == 0) ||
            strcmp(mime, "application/x-ndjson") == 0)
                return ND_FORMAT_JSON;
        if (strcmp(mime, "text/plain") == 0)
                return ND_FORMAT_TEXT;
        if (strcmp(mime, "text/html") == 0 ||
            strcmp(mime, "application/xhtml+xml") == 0)
                return ND_FORMAT_HTML;
        return -1;
}

nd_format
nd_ingest_sniff(const void *value, size_t len, const char *content_type)
{
        const unsigned char *p = value, *end = p + len;

        if (content_type) {
                int f = content_type_format(content_type);
                if (f > 0)
                        return (nd_format)f;
        }
        p = skip_bom_space(p, end);
        if (p < end && *p == '{')
                return ND_FORMAT_JSON;
        if (p < end && *p == '<' && looks_like_html(p, end))
                return ND_FORMAT_HTML;
        return ND_FORMAT_TEXT;
}

static bool
read_digits(const char **s, int n, int *out)
{
        int v = 0;

        for (int i = 0; i < n; i++) {
                if (!isdigit((unsigned char)(*s)[i]))
                        return false;
                v = v * 10 + ((*s)[i] - '0');
        }
        *s += n;
        *out = v;
        return true;
}

bool
nd_ingest_parse_time(const char *s, char *out, size_t out_size)
{
        int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
        static const int mdays[] = {31, 29, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
        long long t;
        struct tm tm;
        time_t tt;

        while (*s == ' ')
                s++;
        if (!read_digits(&s, 4, &y) || *s++ != '-' ||
            !read_digits(&s, 2, &mo) || *s++ != '-' || !read_digits(&s, 2, &d))
                return false;
        if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
                return false;
        if (*s == 'T' || *s == 't' || *s == ' ') {
                s++;
                if (!read_digits(&s, 2, &h) || *s++ != ':' ||
                    !read_digits(&s, 2, &mi))
                        return false;
                if (*s == ':') {
                        s++;
                        if (!read_digits(&s, 2, &sec))
                                return false;
                        if (*s == '.' || *s == ',') {
                                s++;
                                while (isdigit((unsigned char)*s))
                                        s++;
                        }
                }
                if (h > 23 || mi > 59 || sec > 60)
                        return false;
                if (*s == 'Z' || *s == 'z') {
                        s++;
                } else if (*s == '+' || *s == '-') {
                        int sign = *s++ == '-' ? -1 : 1, oh, om = 0;
                        if (!read_digits(&s, 2, &oh))
                                return false;
                        if (*s == ':')
                                s++;
                        if (isdigit((unsigned char)*s) &&
                            !read_digits(&s, 2, &om))
                                return false;
                        if (oh > 23 || om > 59)
                                return false;
                        off = sign * (oh * 60 + om) * 60;
                }
        }
        while (*s == ' ')
                s++;
        if (*s != '\0')
                return false;
        if (sec == 60)
                sec = 59;
        t = (long long)nd_days_from_civil(y, mo, d) * 86400 + h * 3600 +
            mi * 60 + sec - off;
        tt = (time_t)t;
        if (!gmtime_r(&tt, &tm))
                return false;
        return strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0;
}

static json_t *
first_member(json_t *obj, const char *const *keys, const char **found)
{
        for (size_t i = 0; keys[i]; i++) {
                json_t *v = json_object_get(obj, keys[i]);
                if (v && !json_is_null(v)) {
                        *found = keys[i];
                        return v;
                }
        }
        return NULL;
}

/* A string field; numbers are accepted for ids. Empty strings count as
 * absent. */
static nd_err
take_string(json_t *obj, const char *const *keys, bool allow_number, char **dst,
            char *errstr, size_t errstr_size)
{
        const char *key = NULL;
        json_t *v = first_member(obj, keys, &key);
        char num[32];

        if (!v)
                return ND_OK;
        if (json_is_string(v)) {
                if (json_string_length(v) == 0)
                        return ND_OK;
                *dst = malloc(json_string_length(v) + 1);
                if (!*dst)
                        return ND_ERR_NOMEM;
                memcpy(*dst, json_string_value(v), json_string_length(v));
                (*dst)[json_string_length(v)] = '\0';
                return ND_OK;
        }
        if (allow_number && json_is_integer(v)) {
                snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                         json_integer_value(v));
                *dst = strdup(num);
                return *dst ? ND_OK : ND_ERR_NOMEM;
        }
        return nd_seterr(errstr, errstr_size, ND_ERR_INVALID_FIELD,
                         "field \"%s\" must be a string", key);
}

static nd_err
take_authors(json_t *obj, nd_strvec *authors, char *errstr, size_t errstr_size)
{
        const char *key = NULL;
        json_t *v = first_member(obj, author_keys, &key), *item;
        size_t i;

        if (!v)
                return ND_OK;
        if (json_is_string(v)) {
                if (json_string_length(v) > 0 &&
                    !nd_strvec_push(authors, json_string_value(v)))
                        return ND_ERR_NOMEM;
                return ND_OK;
        }
        if (!json_is_array(v))
                return nd_seterr(errstr, errstr_size, ND_ERR_INVALID_FIELD,
                                 "field \"%s\" must be a string or an array",
                                 key);
        json_array_foreach(v, i, item)
        {
                const char *name = NULL;
                if (json_is_string(item))
                        name = json_string_value(item);
                else if (json_is_object(item))
                        name = json_string_value(json_object_get(item, "name"));
                if (!name)
                        return nd_seterr(errstr, errstr_size,
                                         ND_ERR_INVALID_FIELD,
                                         "field \"%s\" item %zu is not a "
                                         "name",
                                         key, i);
                if (*name && !nd_strvec_push(authors, name))
                        return ND_ERR_NOMEM;
        }
        return ND_OK;
}

static int
json_depth(json_t *v, int limit)
{
        int max = 0, d;
        const char *k;
        json_t *item;
        size_t i;

        if (limit <= 0)
                return 1;
        if (json_is_object(v)) {
                json_object_foreach(v, k, item)
                {
                        d = json_depth(item, limit - 1);
                        if (d > max)
                                max = d;
                }
                return 1 + max;
        }
        if (json_is_array(v)) {
                json_array_foreach(v, i, item)
                {
                        d = json_depth(item, limit - 1);
                        if (d > max)
                                max = d;
                }
                return 1 + max;
        }
        return 0;
}

static nd_err
ingest_json(nd_doc *doc, const void *value, size_t len, int max_depth,
            char *errstr, size_t errstr_size)
{
        json_error_t jerr;
        json_t *obj;
        nd_err err = ND_OK;

        obj = json_loadb(value, len, 0, &jerr);
        if (!obj)
                return nd_seterr(errstr, errstr_size, ND_ERR_INVALID_JSON,
                                 "invalid JSON at line %d column %d: %s",
                                 jerr.line, jerr.column, jerr.text);
        if (!json_is_object(obj)) {
                err = nd_seterr(errstr, errstr_size, ND_ERR_INVALID_JSON,
                                "JSON article must be an object");
                goto out;
        }
        if (json_depth(obj, max_depth + 1) > max_depth) {
                err = nd_seterr(errstr, errstr_size, ND_ERR_INVALID_JSON,
                                "JSON nested deeper than %d levels", max_depth);
                goto out;
        }
        if ((err = take_string(obj, title_keys, false, &doc->title, errstr,
                               errstr_size)) ||
            (err = take_string(obj, text_keys, false, &doc->text, errstr,
                               errstr_size)) ||
            (err = take_string(obj, url_keys, false, &doc->url, errstr,
                               errstr_size)) ||
            (err = take_string(obj, date_keys, false, &doc->published, errstr,
                               errstr_size)) ||
            (err = take_string(obj, lang_keys, false, &doc->language, errstr,
                               errstr_size)) ||
            (err = take_string(obj, source_keys, false, &doc->source, errstr,
                               errstr_size)) ||
            (err = take_string(obj, desc_keys, false, &doc->description, errstr,
                               errstr_size)) ||
            (err = take_string(obj, id_keys, true, &doc->id, errstr,
                               errstr_size)) ||
            (err = take_authors(obj, &doc->authors, errstr, errstr_size)))
                goto out;
        /* Without JSON_ALLOW_NUL, strings cannot hold NUL bytes. */
        doc->text_len = doc->text ? strlen(doc->text) : 0;
out:
        json_decref(obj);
        return err;
}

nd_err
nd_ingest(nd_doc *doc, const void *value, size_t len, const char *content_type,
          nd_format format, int max_depth, char *errstr, size_t errstr_size)
{
        if (format == ND_FORMAT_AUTO) {
                if (content_type && content_type_format(content_type) < 0)
                        return nd_seterr(errstr, errstr_size,
                                         ND_ERR_UNSUPPORTED_FORMAT,
                                         "content-type \"%s\" is not "
                                         "supported (JSON or plain text)",
                                         content_type);
                format = nd_ingest_sniff(value, len, content_type);
        }
        doc->format = format;
        switch (format) {
        case ND_FORMAT_JSON:
                return ingest_json(doc, value, len, max_depth, errstr,
                                   errstr_size);
        case ND_FORMAT_HTML:
                return nd_seterr(errstr, errstr_size, ND_ERR_UNSUPPORTED_FORMAT,
                                 "HTML input is not supported yet; send "
                                 "the extracted text as JSON or plain text");
        default:
                doc->text = malloc(len + 1);
                if (!doc->text)
                        return ND_ERR_NOMEM;
                if (len)
                        memcpy(doc->text, value, len);
                doc->text[len] = '\0';
                doc->text_len = len;
                return ND_OK;
        }
}
