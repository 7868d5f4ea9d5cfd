/* The pipeline driver: ingest, the stage table, the uri, the event. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build_config.h"
#include "newsd/event.h"
#include "newsd/ingest.h"
#include "newsd/pipeline.h"
#include "newsd/stage.h"
#include "newsd/uri.h"

extern const nd_stage_ops nd_stage_normalize;
extern const nd_stage_ops nd_stage_structure;
extern const nd_stage_ops nd_stage_stats;
extern const nd_stage_ops nd_stage_language;
extern const nd_stage_ops nd_stage_keywords;
extern const nd_stage_ops nd_stage_fingerprint;
extern const nd_stage_ops nd_stage_entities;
extern const nd_stage_ops nd_stage_quotes;
extern const nd_stage_ops nd_stage_amounts;
extern const nd_stage_ops nd_stage_dates;

/* The stages in the order they run. Required stages cannot be switched off:
 * everything after them relies on the normalized text and its body. */
static const struct stage_entry {
        const nd_stage_ops *ops;
        bool required;
} stage_table[] = {
        {&nd_stage_normalize, true},
        {&nd_stage_structure, true},
        {&nd_stage_stats, false},
        {&nd_stage_language, false},
        {&nd_stage_keywords, false},
        {&nd_stage_fingerprint, false},
        {&nd_stage_entities, false},
        {&nd_stage_quotes, false},
        {&nd_stage_amounts, false},
        {&nd_stage_dates, false},
};

#define N_STAGES (sizeof(stage_table) / sizeof(stage_table[0]))

struct nd_pipeline {
        nd_pipeline_conf conf;
        char *data_dir;
        char *user_data_dir;
        char *dataschema_uri;
        void *state[N_STAGES];
        bool enabled[N_STAGES];
};

void
nd_pipeline_conf_init(nd_pipeline_conf *conf)
{
        memset(conf, 0, sizeof(*conf));
        conf->max_article_bytes = 4 * 1024 * 1024;
        conf->data_dir = NULL;
        conf->json_max_depth = 32;
        conf->dedup_window = 4096;
        conf->dedup_max_distance = 16;
        conf->reading_wpm = 200;
        conf->dataschema_uri = "https://newsd.dev/schema/event/1.0";
}

bool
nd_pipeline_stage_exists(const char *name)
{
        for (size_t i = 0; i < N_STAGES; i++)
                if (strcmp(stage_table[i].ops->name, name) == 0)
                        return true;
        return false;
}

const char *const *
nd_pipeline_stage_names(void)
{
        static const char *names[N_STAGES + 1];

        for (size_t i = 0; i < N_STAGES; i++)
                names[i] = stage_table[i].ops->name;
        names[N_STAGES] = NULL;
        return names;
}

static bool
stage_disabled(const nd_pipeline_conf *conf, const char *name)
{
        for (size_t i = 0; i < ND_STAGE_MAX && conf->disabled_stages[i]; i++)
                if (strcmp(conf->disabled_stages[i], name) == 0)
                        return true;
        return false;
}

/* The data directory: configured, else $NEWSD_DATA_DIR, else the installed
 * one. A binary run from its build tree, before `cmake --install`, finds no
 * installed data and uses the source tree's data/ instead. */
static const char *
data_dir_for(const char *configured)
{
        const char *env = getenv("NEWSD_DATA_DIR");

        if (configured && *configured && strcmp(configured, NEWSD_DATADIR))
                return configured;
        if (env && *env)
                return env;
        if (access(NEWSD_DATADIR, R_OK) != 0 &&
            access(NEWSD_SOURCE_DATADIR, R_OK) == 0)
                return NEWSD_SOURCE_DATADIR;
        return NEWSD_DATADIR;
}

nd_pipeline *
nd_pipeline_new(const nd_pipeline_conf *conf, char *errstr, size_t errstr_size)
{
        nd_pipeline *p = calloc(1, sizeof(*p));

        if (!p) {
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
                return NULL;
        }
        p->conf = *conf;
        p->data_dir = strdup(data_dir_for(conf->data_dir));
        p->user_data_dir = conf->user_data_dir ? strdup(conf->user_data_dir)
                                               : NULL;
        p->dataschema_uri = strdup(conf->dataschema_uri
                                           ? conf->dataschema_uri
                                           : "");
        if (!p->data_dir || !p->dataschema_uri ||
            (conf->user_data_dir && !p->user_data_dir)) {
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
                goto fail;
        }
        p->conf.data_dir = p->data_dir;
        p->conf.user_data_dir = p->user_data_dir;
        p->conf.dataschema_uri = p->dataschema_uri;
        /* The disabled-stage names are only read here. */
        memset(p->conf.disabled_stages, 0, sizeof(p->conf.disabled_stages));

        for (size_t i = 0; i < ND_STAGE_MAX && conf->disabled_stages[i]; i++) {
                const char *name = conf->disabled_stages[i];
                if (!nd_pipeline_stage_exists(name)) {
                        nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                                  "unknown stage \"%s\"", name);
                        goto fail;
                }
        }
        for (size_t i = 0; i < N_STAGES; i++) {
                const nd_stage_ops *ops = stage_table[i].ops;
                char serr[256] = "";

                p->enabled[i] = stage_table[i].required ||
                                !stage_disabled(conf, ops->name);
                if (!p->enabled[i] || !ops->create)
                        continue;
                if (ops->create(&p->state[i], &p->conf, serr, sizeof(serr)) !=
                    ND_OK) {
                        nd_seterr(errstr, errstr_size, ND_ERR_DATA,
                                  "stage %s: %s", ops->name, serr);
                        goto fail;
                }
        }
        return p;
fail:
        nd_pipeline_destroy(p);
        return NULL;
}

void
nd_pipeline_destroy(nd_pipeline *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < N_STAGES; i++)
                if (p->state[i] && stage_table[i].ops->destroy)
                        stage_table[i].ops->destroy(p->state[i]);
        free(p->data_dir);
        free(p->user_data_dir);
        free(p->dataschema_uri);
        free(p);
}

void
nd_input_init(nd_input *in)
{
        memset(in, 0, sizeof(*in));
        in->prov.partition = -1;
        in->prov.offset = -1;
        in->prov.timestamp_ms = -1;
}

void
nd_result_clear(nd_result *r)
{
        json_decref(r->event);
        free(r->uri);
        free(r->language);
        memset(r, 0, sizeof(*r));
}

/* SPEC §4: the canonical URL when known, else a URN over the body. */
static nd_err
assign_uri(nd_doc *doc)
{
        char hex[65];

        nd_sha256_hex(doc->body, doc->body_len, hex);
        doc->sha256 = strdup(hex);
        if (!doc->sha256)
                return ND_ERR_NOMEM;
        if (doc->url)
                doc->uri = nd_uri_canonical_url(doc->url);
        if (!doc->uri) {
                size_t n = sizeof("urn:newsd:sha256:") + 64;
                doc->uri = malloc(n);
                if (!doc->uri)
                        return ND_ERR_NOMEM;
                snprintf(doc->uri, n, "urn:newsd:sha256:%s", hex);
        }
        return ND_OK;
}

static double
now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static nd_err
run_stages(nd_pipeline *p, nd_doc *doc, bool required, char *errstr,
           size_t errstr_size)
{
        for (size_t i = 0; i < N_STAGES; i++) {
                nd_err err;
                double t0;

                if (stage_table[i].required != required || !p->enabled[i])
                        continue;
                t0 = p->conf.on_stage ? now_ms() : 0;
                err = stage_table[i].ops->run(p->state[i], doc, errstr,
                                              errstr_size);
                if (p->conf.on_stage)
                        p->conf.on_stage(p->conf.on_stage_opaque,
                                         stage_table[i].ops->name,
                                         (now_ms() - t0) / 1e3);
                if (err != ND_OK)
                        return err;
        }
        return ND_OK;
}

nd_err
nd_pipeline_process(nd_pipeline *p, const nd_input *in, nd_result *out)
{
        nd_doc doc;
        double t0 = now_ms();
        nd_err err;

        memset(out, 0, sizeof(*out));
        memset(&doc, 0, sizeof(doc));
        doc.prov = &in->prov;
        doc.published_default = in->published;

        if (in->len > p->conf.max_article_bytes) {
                err = nd_seterr(out->errstr, sizeof(out->errstr),
                                ND_ERR_TOO_LARGE,
                                "article is %zu bytes, the limit "
                                "(max-article-bytes) is %zu",
                                in->len, p->conf.max_article_bytes);
                goto out;
        }
        err = nd_ingest(&doc, in->value, in->len, in->content_type,
                        in->format, p->conf.json_max_depth, out->errstr,
                        sizeof(out->errstr));
        if (p->conf.on_stage)
                p->conf.on_stage(p->conf.on_stage_opaque, ND_PIPELINE_INGEST,
                                 (now_ms() - t0) / 1e3);
        if (err != ND_OK)
                goto out;

        doc.analysis = json_object();
        doc.article = json_object();
        if (!doc.analysis || !doc.article) {
                err = ND_ERR_NOMEM;
                goto out;
        }
        err = run_stages(p, &doc, true, out->errstr, sizeof(out->errstr));
        if (err != ND_OK)
                goto out;
        if (!doc.body || doc.body_len == 0) {
                err = nd_seterr(out->errstr, sizeof(out->errstr),
                                ND_ERR_EMPTY_BODY,
                                "the article has no body text");
                goto out;
        }
        err = assign_uri(&doc);
        if (err != ND_OK)
                goto out;
        err = run_stages(p, &doc, false, out->errstr, sizeof(out->errstr));
        if (err != ND_OK)
                goto out;

        out->event = nd_event_build(&doc, &p->conf, now_ms() - t0);
        if (!out->event) {
                err = ND_ERR_NOMEM;
                goto out;
        }
        out->uri = doc.uri;
        doc.uri = NULL;
        {
                /* The event's language: detected, else declared. */
                const char *lang = json_string_value(json_object_get(
                        json_object_get(out->event, "article"), "language"));
                if (lang)
                        out->language = strdup(lang);
        }
out:
        if (err != ND_OK && out->errstr[0] == '\0')
                nd_seterr(out->errstr, sizeof(out->errstr), err, "%s",
                          nd_err_str(err));
        out->err = err;
        nd_doc_clear(&doc);
        return err;
}
