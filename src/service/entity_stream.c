/* Entity stream records: one per entity of an article's event, with the
 * sentence of its first mention cut from the body. */
#define _GNU_SOURCE /* asprintf */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsd/entity_stream.h"
#include "newsd/strvec.h"

#define LEFT_CONTEXT 150 /* code points kept before a mention in a cut */
#define RING         256 /* > LEFT_CONTEXT: byte offsets of recent cps */

/* Decodes the code point at @p s (valid UTF-8: the text is normalized);
 * its byte length into @p n. */
static uint32_t
next_cp(const unsigned char *s, size_t left, size_t *n)
{
        uint32_t c = s[0];
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

        if (len > left)
                len = 1;
        if (len == 2)
                c = ((c & 0x1F) << 6) | (s[1] & 0x3F);
        else if (len == 3)
                c = ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        else if (len == 4)
                c = ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) |
                    ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        *n = len;
        return c;
}

static bool
is_blank(uint32_t c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == 0xA0 || c == 0x3000 ||
               (c >= 0x2000 && c <= 0x200A);
}

static bool
is_break(uint32_t c)
{
        return c == '\n' || c == 0x2029 || c == 0x2028;
}

/* Ends a sentence when a blank follows. */
static bool
is_terminator(uint32_t c)
{
        return c == '.' || c == '!' || c == '?' || c == 0x061F /* ؟ */ ||
               c == 0x06D4 /* ۔ */ || c == 0x0589 /* ։ */ ||
               c == 0x2026 /* … */;
}

/* Ends a sentence by itself (no blanks in CJK text). */
static bool
is_cjk_terminator(uint32_t c)
{
        return c == 0x3002 || c == 0xFF01 || c == 0xFF1F;
}

char *
nd_entity_sentence(const char *text, size_t len, size_t start, size_t end)
{
        const unsigned char *s = (const unsigned char *)text;
        size_t ring[RING];
        size_t b = 0, i = 0, n;
        size_t sent_b = 0, sent_cp = 0; /* where the current sentence
                                           starts */
        size_t left_b = 0, left_cp = 0, right_b = len, last_blank_b = 0;
        bool pending_end = false; /* a terminator was just seen */
        bool found = false;
        char *out;

        if (end <= start)
                return NULL;
        while (b < len) {
                uint32_t c = next_cp(s + b, len - b, &n);
                ring[i % RING] = b;
                if (!found && i == start) {
                        found = true;
                        left_b = sent_b;
                        left_cp = sent_cp;
                        if (start - sent_cp > LEFT_CONTEXT) {
                                /* Cut: begin at the first word after
                                 * LEFT_CONTEXT code points back. */
                                size_t from = start - LEFT_CONTEXT, k;
                                left_b = ring[from % RING];
                                left_cp = from;
                                for (k = from; k < start; k++) {
                                        size_t kb = ring[k % RING], kn;
                                        if (is_blank(next_cp(s + kb, len - kb,
                                                             &kn))) {
                                                left_b = kb + kn;
                                                left_cp = k + 1;
                                                break;
                                        }
                                }
                        }
                }
                if (found && i >= end) {
                        /* The sentence ends here, or the cut does. */
                        if (is_break(c) || (pending_end && is_blank(c))) {
                                right_b = b;
                                break;
                        }
                        if (is_blank(c))
                                last_blank_b = b;
                        if (i - left_cp >= ND_ENTITY_SENTENCE_MAX) {
                                right_b = last_blank_b ? last_blank_b : b;
                                break;
                        }
                }
                if (!found) {
                        if (is_break(c) || (pending_end && is_blank(c))) {
                                sent_b = b + n;
                                sent_cp = i + 1;
                        }
                }
                pending_end = is_terminator(c);
                if (is_cjk_terminator(c)) {
                        if (found && i >= end) {
                                right_b = b + n;
                                break;
                        }
                        if (!found) {
                                sent_b = b + n;
                                sent_cp = i + 1;
                        }
                }
                b += n;
                i++;
        }
        if (!found || i < end)
                return NULL;
        /* Blanks at either side. */
        while (left_b < right_b) {
                uint32_t c = next_cp(s + left_b, right_b - left_b, &n);
                if (!is_blank(c) && !is_break(c))
                        break;
                left_b += n;
        }
        while (right_b > left_b &&
               (s[right_b - 1] == ' ' || s[right_b - 1] == '\t' ||
                s[right_b - 1] == '\r' || s[right_b - 1] == '\n'))
                right_b--;
        out = malloc(right_b - left_b + 1);
        if (!out)
                return NULL;
        memcpy(out, text + left_b, right_b - left_b);
        out[right_b - left_b] = '\0';
        return out;
}

char *
nd_entity_key(json_t *entity)
{
        const char *uri = json_string_value(json_object_get(entity, "uri"));
        const char *type = json_string_value(json_object_get(entity, "type"));
        const char *name = json_string_value(json_object_get(entity, "name"));
        nd_buf b = {0};

        if (uri && *uri)
                return strdup(uri);
        nd_buf_printf(&b, "urn:newsd:entity:%s:", type ? type : "unknown");
        for (const unsigned char *p = (const unsigned char *)(name ? name : "");
             *p; p++) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
                        nd_buf_appendc(&b, (char)*p);
                else
                        nd_buf_printf(&b, "%%%02X", *p);
        }
        if (!nd_buf_appends(&b, "")) {
                nd_buf_free(&b);
                return NULL;
        }
        return nd_buf_steal(&b);
}

static json_t *
get2(json_t *v, const char *a, const char *b)
{
        return json_object_get(json_object_get(v, a), b);
}

/* The main body's text, from the ninjs bodies. */
static const char *
body_text(json_t *event, size_t *len)
{
        json_t *bodies = get2(event, "article", "bodies"), *bd;
        size_t i;

        json_array_foreach(bodies, i, bd)
        {
                json_t *v = json_object_get(bd, "value");
                if (json_is_string(v)) {
                        *len = json_string_length(v);
                        return json_string_value(v);
                }
        }
        return NULL;
}

/* The first mention in the body, else the first one. */
static json_t *
first_mention(json_t *entity)
{
        json_t *mentions = json_object_get(entity, "mentions"), *m;
        size_t i;

        json_array_foreach(mentions, i, m)
        {
                const char *f = json_string_value(json_object_get(m, "field"));
                if (f && strcmp(f, "body") == 0)
                        return m;
        }
        return json_array_get(mentions, 0);
}

json_t *
nd_entity_record(json_t *entity, json_t *event, const char *ce_id)
{
        json_t *rec, *m = first_mention(entity);
        json_t *count = json_object_get(entity, "count");
        json_t *salience = json_object_get(entity, "salience");
        const char *field = json_string_value(json_object_get(m, "field"));
        const char *text = NULL;
        size_t len = 0;
        char *key = nd_entity_key(entity), *sentence = NULL;

        if (!key)
                return NULL;
        rec = json_pack(
            "{s:s, s:s?, s:s?, s:s?, s:s}", "uri", key, "type",
            json_string_value(json_object_get(entity, "type")), "name",
            json_string_value(json_object_get(entity, "name")), "article_uri",
            json_string_value(get2(event, "article", "uri")), "ce_id", ce_id);
        free(key);
        if (!rec)
                return NULL;
        json_object_set_new(rec, "count",
                            json_is_integer(count)
                                ? json_incref(count)
                                : json_integer((json_int_t)json_array_size(
                                      json_object_get(entity, "mentions"))));
        json_object_set_new(rec, "salience",
                            json_is_number(salience) ? json_incref(salience)
                                                     : json_real(0));
        if (field && strcmp(field, "body") == 0) {
                text = body_text(event, &len);
        } else if (field && strcmp(field, "title") == 0) {
                json_t *t = json_object_get(
                    get2(event, "analysis", "structure"), "title");
                if (json_is_string(t)) {
                        text = json_string_value(t);
                        len = json_string_length(t);
                }
        }
        if (m && text) {
                json_int_t start =
                    json_integer_value(json_object_get(m, "start"));
                json_int_t end = json_integer_value(json_object_get(m, "end"));
                if (start >= 0 && end > start)
                        sentence = nd_entity_sentence(text, len, (size_t)start,
                                                      (size_t)end);
        }
        if (sentence) {
                json_object_set_new(rec, "sentence", json_string(sentence));
                free(sentence);
        }
        if (m)
                json_object_set_new(
                    rec, "mention",
                    json_pack("{s:s?, s:O?, s:O?}", "field", field, "start",
                              json_object_get(m, "start"), "end",
                              json_object_get(m, "end")));
        return rec;
}

static rd_kafka_resp_err_t
add_str(rd_kafka_headers_t *h, const char *name, const char *value)
{
        return rd_kafka_header_add(h, name, -1, value, -1);
}

nd_err
nd_entity_records(const nd_output_conf *oc, const char *topic,
                  const nd_output_input *in, json_t *event, nd_outrec **recs,
                  size_t *n, char *errstr, size_t errstr_size)
{
        json_t *entities = get2(event, "analysis", "entities"), *e;
        char ce_id[512];
        size_t i;

        nd_output_ce_id(in, ce_id, sizeof(ce_id));
        json_array_foreach(entities, i, e)
        {
                json_t *rec = nd_entity_record(e, event, ce_id);
                nd_outrec *grown = realloc(*recs, (*n + 1) * sizeof(**recs));
                nd_outrec *o;
                const char *key;
                char *id = NULL;
                if (!rec || !grown) {
                        json_decref(rec);
                        goto nomem;
                }
                *recs = grown;
                o = &grown[*n];
                memset(o, 0, sizeof(*o));
                (*n)++;
                key = json_string_value(json_object_get(rec, "uri"));
                o->topic = topic;
                o->key = strdup(key);
                o->key_len = strlen(key);
                o->value = json_dumps(rec, JSON_COMPACT);
                o->headers = rd_kafka_headers_new(10);
                if (o->value)
                        o->value_len = strlen(o->value);
                if (asprintf(&id, "%s/%s", ce_id, key) < 0)
                        id = NULL;
                json_decref(rec); /* key dies with it: o->key from here */
                if (!o->key || !o->value || !o->headers || !id) {
                        free(id);
                        goto nomem;
                }
                key = o->key;
                add_str(o->headers, "ce_specversion", "1.0");
                add_str(o->headers, "ce_id", id);
                add_str(o->headers, "ce_source", oc->source);
                add_str(o->headers, "ce_type", ND_ENTITY_CE_TYPE);
                add_str(o->headers, "ce_subject", key);
                add_str(o->headers, "content-type", "application/json");
                free(id);
                if (in->headers) {
                        static const char *const trace[] = {"traceparent",
                                                            "tracestate"};
                        for (size_t t = 0; t < 2; t++) {
                                const void *v;
                                size_t vl;
                                if (rd_kafka_header_get_last(
                                        in->headers, trace[t], &v, &vl) == 0 &&
                                    v)
                                        rd_kafka_header_add(o->headers,
                                                            trace[t], -1, v,
                                                            (ssize_t)vl);
                        }
                }
        }
        return ND_OK;
nomem:
        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                         "out of memory building entity records");
}
