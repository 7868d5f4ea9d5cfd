/* The event: ninjs article, newsd analysis and provenance (SPEC §4). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "build_config.h"
#include "newsd/event.h"
#include "newsd/ingest.h"
#include "newsd/normalize.h"

static void
set_str(json_t *obj, const char *key, const char *value)
{
        if (value && *value)
                json_object_set_new(obj, key, json_string(value));
}

static json_t *
text_item(const char *role, const char *value)
{
        json_t *o = json_object();

        if (role)
                json_object_set_new(o, "role", json_string(role));
        json_object_set_new(o, "value", json_string(value));
        return o;
}

static json_t *
strvec_array(const nd_strvec *sv)
{
        json_t *a = json_array();

        for (size_t i = 0; i < sv->n; i++)
                json_array_append_new(a, json_string(sv->v[i]));
        return a;
}

static json_t *
build_structure(const nd_doc *doc)
{
        json_t *s = json_object(), *paras = json_array();

        set_str(s, "title", doc->title);
        set_str(s, "lead", doc->lead);
        json_object_set_new(s, "key_points", strvec_array(&doc->key_points));
        for (size_t i = 0; i < doc->n_blocks; i++)
                json_array_append_new(
                    paras, json_pack("{s:s,s:s}", "kind",
                                     nd_block_kind_name(doc->blocks[i].kind),
                                     "text", doc->blocks[i].text));
        json_object_set_new(s, "paragraphs", paras);
        json_object_set_new(s, "sources", strvec_array(&doc->sources));
        json_object_set_new(s, "removed", strvec_array(&doc->removed));
        return s;
}

/* Moves @p key of @p from into @p to, appending when both hold arrays. */
static void
merge_member(json_t *to, json_t *from, const char *key)
{
        json_t *src = json_object_get(from, key), *dst;

        if (!src)
                return;
        dst = json_object_get(to, key);
        if (dst && json_is_array(dst) && json_is_array(src))
                json_array_extend(dst, src);
        else
                json_object_set(to, key, src);
        json_object_del(from, key);
}

static const char *
published_time(const nd_doc *doc, char *buf, size_t size)
{
        if (doc->published && nd_ingest_parse_time(doc->published, buf, size))
                return buf;
        if (doc->published_default &&
            nd_ingest_parse_time(doc->published_default, buf, size))
                return buf;
        return NULL;
}

static json_t *
build_article(nd_doc *doc, const char *published)
{
        json_t *a = json_object(), *body, *stats, *lang, *descs, *srcs;
        const char *language = NULL;

        json_object_set_new(a, "uri", json_string(doc->uri));
        json_object_set_new(a, "type", json_string("text"));
        lang = json_object_get(doc->analysis, "language");
        if (lang)
                language = json_string_value(json_object_get(lang, "code"));
        if (!language || strcmp(language, "und") == 0)
                language = doc->language;
        set_str(a, "language", language);
        if (doc->title)
                json_object_set_new(
                    a, "headlines",
                    json_pack("[o]", text_item("main", doc->title)));
        descs = json_array();
        if (doc->description)
                json_array_append_new(descs,
                                      text_item("summary", doc->description));
        if (doc->lead)
                json_array_append_new(descs, text_item("lead", doc->lead));
        for (size_t i = 0; i < doc->key_points.n; i++)
                json_array_append_new(
                    descs, text_item("key-point", doc->key_points.v[i]));
        if (json_array_size(descs) > 0)
                json_object_set_new(a, "descriptions", descs);
        else
                json_decref(descs);

        body = json_pack("{s:s,s:s,s:s%}", "role", "main", "contentType",
                         "text/plain", "value", doc->body, doc->body_len);
        stats = json_object_get(doc->analysis, "stats");
        if (json_object_get(stats, "characters"))
                json_object_set(body, "charCount",
                                json_object_get(stats, "characters"));
        if (json_object_get(stats, "words"))
                json_object_set(body, "wordCount",
                                json_object_get(stats, "words"));
        json_object_set_new(a, "bodies", json_pack("[o]", body));

        srcs = json_array();
        for (size_t i = 0; i < doc->info_sources.n; i++)
                json_array_append_new(srcs, json_pack("{s:s,s:s}", "name",
                                                      doc->info_sources.v[i],
                                                      "role", "source"));
        json_object_set_new(a, "infoSources", srcs);
        /* People, organisations, places and further sources come from the
         * enrichment stages. */
        merge_member(a, doc->article, "infoSources");
        json_object_update(a, doc->article);
        if (json_array_size(json_object_get(a, "infoSources")) == 0)
                json_object_del(a, "infoSources");

        if (published) {
                set_str(a, "firstCreated", published);
                set_str(a, "versionCreated", published);
        }
        if (doc->authors.n > 0) {
                nd_buf by = {0};
                for (size_t i = 0; i < doc->authors.n; i++) {
                        if (i)
                                nd_buf_appends(&by, ", ");
                        nd_buf_appends(&by, doc->authors.v[i]);
                }
                if (by.p)
                        set_str(a, "by", by.p);
                nd_buf_free(&by);
        }
        if (doc->id || doc->url) {
                json_t *ids = json_array();
                if (doc->id)
                        json_array_append_new(ids,
                                              text_item("input-id", doc->id));
                if (doc->url)
                        json_array_append_new(ids, text_item("url", doc->url));
                json_object_set_new(a, "altIds", ids);
        }
        return a;
}

static void
iso_time_ms(int64_t ms, char *buf, size_t size)
{
        time_t t = (time_t)(ms / 1000);
        struct tm tm;
        size_t n;

        gmtime_r(&t, &tm);
        n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, size - n, ".%03dZ", (int)(ms % 1000));
}

static json_t *
build_provenance(const nd_doc *doc, double processing_ms)
{
        const nd_provenance *pv = doc->prov;
        json_t *p = json_object();
        char ts[40];
        struct timespec now;

        if (pv->topic)
                set_str(p, "topic", pv->topic);
        if (pv->partition >= 0)
                json_object_set_new(p, "partition",
                                    json_integer(pv->partition));
        if (pv->offset >= 0)
                json_object_set_new(p, "offset", json_integer(pv->offset));
        if (pv->timestamp_ms >= 0) {
                iso_time_ms(pv->timestamp_ms, ts, sizeof(ts));
                set_str(p, "timestamp", ts);
        }
        if (pv->key) {
                /* A key that is not UTF-8 cannot be a JSON string; it is
                 * then shown as hex. */
                json_t *k = json_stringn(pv->key, pv->key_len);
                if (k) {
                        json_object_set_new(p, "key", k);
                } else {
                        nd_buf hex = {0};
                        for (size_t i = 0; i < pv->key_len; i++)
                                nd_buf_printf(
                                    &hex, "%02x",
                                    ((const unsigned char *)pv->key)[i]);
                        if (hex.p)
                                set_str(p, "key_hex", hex.p);
                        nd_buf_free(&hex);
                }
        }
        if (pv->headers && json_object_size(pv->headers) > 0)
                json_object_set(p, "headers", pv->headers);
        set_str(p, "source_name", pv->source_name);
        set_str(p, "format", nd_format_name(doc->format));
        if (doc->published)
                set_str(p, "published_raw", doc->published);
        set_str(p, "newsd_version", NEWSD_VERSION);
        clock_gettime(CLOCK_REALTIME, &now);
        iso_time_ms((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, ts,
                    sizeof(ts));
        set_str(p, "processed_at", ts);
        json_object_set_new(p, "processing_ms", json_real(processing_ms));
        return p;
}

json_t *
nd_event_build(nd_doc *doc, const nd_pipeline_conf *conf, double processing_ms)
{
        char published_buf[32];
        const char *published =
            published_time(doc, published_buf, sizeof(published_buf));
        json_t *analysis = doc->analysis, *fp;
        json_t *event;

        (void)conf;
        json_object_set_new(analysis, "structure", build_structure(doc));
        json_object_set_new(analysis, "normalization",
                            nd_norm_report(&doc->norm));
        fp = json_object_get(analysis, "fingerprints");
        if (!fp) {
                fp = json_object();
                json_object_set_new(analysis, "fingerprints", fp);
        }
        json_object_set_new(fp, "sha256", json_string(doc->sha256));

        event = json_object();
        if (!event)
                return NULL;
        json_object_set_new(event, "article", build_article(doc, published));
        json_object_set(event, "analysis", analysis);
        json_object_set_new(event, "provenance",
                            build_provenance(doc, processing_ms));
        return event;
}
