/* Output records: CloudEvents event records and dead-letter records. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsd/output.h"

/* Input headers carrying W3C trace context, copied onto the event. */
static const char *const trace_headers[] = {"traceparent", "tracestate"};

static const char *const dead_letter_headers[] = {
    "newsd-error-code",       "newsd-error-message", "newsd-source-topic",
    "newsd-source-partition", "newsd-source-offset",
};

void
nd_output_ce_id(const nd_output_input *in, char *buf, size_t size)
{
        snprintf(buf, size, "%s-%" PRId32 "-%" PRId64, in->topic, in->partition,
                 in->offset);
}

/* The article's publication time, else the input record's timestamp, else
 * when newsd processed it: all RFC 3339, as the event already holds them. */
static const char *
event_time(json_t *event)
{
        static const char *const where[][2] = {
            {"article", "firstCreated"},
            {"provenance", "timestamp"},
            {"provenance", "processed_at"},
        };

        for (size_t i = 0; i < sizeof(where) / sizeof(*where); i++) {
                const char *t = json_string_value(json_object_get(
                    json_object_get(event, where[i][0]), where[i][1]));
                if (t)
                        return t;
        }
        return NULL;
}

static rd_kafka_resp_err_t
add_str(rd_kafka_headers_t *h, const char *name, const char *value)
{
        return rd_kafka_header_add(h, name, -1, value, -1);
}

static void
copy_trace_context(const nd_output_input *in, rd_kafka_headers_t *h,
                   json_t *envelope)
{
        if (!in->headers)
                return;
        for (size_t i = 0; i < sizeof(trace_headers) / sizeof(*trace_headers);
             i++) {
                const void *v;
                size_t len;
                if (rd_kafka_header_get_last(in->headers, trace_headers[i], &v,
                                             &len) != 0 ||
                    !v)
                        continue;
                rd_kafka_header_add(h, trace_headers[i], -1, v, (ssize_t)len);
                /* The CloudEvents distributed tracing extension carries them
                 * as attributes too in structured mode. */
                if (envelope)
                        json_object_set_new(envelope, trace_headers[i],
                                            json_stringn(v, len));
        }
}

nd_err
nd_output_event(const nd_output_conf *oc, const nd_output_input *in,
                const char *uri, json_t *event, nd_outrec *out, char *errstr,
                size_t errstr_size)
{
        const char *ce_time = event_time(event);
        char id[512];
        json_t *env = NULL;
        nd_err err = ND_OK;

        memset(out, 0, sizeof(*out));
        out->topic = oc->event_topic;
        nd_output_ce_id(in, id, sizeof(id));
        out->key = strdup(uri);
        out->key_len = strlen(uri);
        out->headers = rd_kafka_headers_new(12);
        if (!out->key || !out->headers)
                goto nomem;

        if (oc->mode == ND_EVENT_STRUCTURED) {
                env = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}",
                                "specversion", "1.0", "id", id, "source",
                                oc->source, "type", ND_CE_TYPE, "subject", uri,
                                "dataschema", oc->dataschema, "datacontenttype",
                                "application/json", "data", event);
                if (!env)
                        goto nomem;
                if (ce_time)
                        json_object_set_new(env, "time", json_string(ce_time));
                add_str(out->headers, "content-type",
                        "application/cloudevents+json");
        } else {
                add_str(out->headers, "ce_specversion", "1.0");
                add_str(out->headers, "ce_id", id);
                add_str(out->headers, "ce_source", oc->source);
                add_str(out->headers, "ce_type", ND_CE_TYPE);
                if (ce_time)
                        add_str(out->headers, "ce_time", ce_time);
                add_str(out->headers, "ce_subject", uri);
                add_str(out->headers, "ce_dataschema", oc->dataschema);
                add_str(out->headers, "content-type", "application/json");
        }
        copy_trace_context(in, out->headers, env);
        out->value = json_dumps(env ? env : event, JSON_COMPACT);
        if (!out->value)
                goto nomem;
        out->value_len = strlen(out->value);
        goto out;
nomem:
        err = nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                        "out of memory building the event");
        nd_outrec_clear(out);
out:
        json_decref(env);
        return err;
}

static void *
dup_bytes(const void *p, size_t len)
{
        void *d = malloc(len ? len : 1);

        if (d && len)
                memcpy(d, p, len);
        return d;
}

nd_err
nd_output_dead_letter(const nd_output_conf *oc, const nd_output_input *in,
                      nd_err code, const char *message, nd_outrec *out,
                      char *errstr, size_t errstr_size)
{
        char num[32];

        memset(out, 0, sizeof(*out));
        out->topic = oc->dead_letter_topic;
        if (in->key) {
                out->key = dup_bytes(in->key, in->key_len);
                out->key_len = in->key_len;
                if (!out->key)
                        goto nomem;
        }
        if (in->value) {
                out->value = dup_bytes(in->value, in->len);
                out->value_len = in->len;
                if (!out->value)
                        goto nomem;
        }
        out->headers = in->headers ? rd_kafka_headers_copy(in->headers)
                                   : rd_kafka_headers_new(8);
        if (!out->headers)
                goto nomem;
        /* A record that went through newsd before (replayed from the
         * dead-letter topic) must not end up with two reasons. */
        for (size_t i = 0;
             i < sizeof(dead_letter_headers) / sizeof(*dead_letter_headers);
             i++)
                rd_kafka_header_remove(out->headers, dead_letter_headers[i]);
        add_str(out->headers, "newsd-error-code", nd_err_code(code));
        add_str(out->headers, "newsd-error-message",
                message && *message ? message : nd_err_str(code));
        add_str(out->headers, "newsd-source-topic", in->topic);
        snprintf(num, sizeof(num), "%" PRId32, in->partition);
        add_str(out->headers, "newsd-source-partition", num);
        snprintf(num, sizeof(num), "%" PRId64, in->offset);
        add_str(out->headers, "newsd-source-offset", num);
        return ND_OK;
nomem:
        nd_outrec_clear(out);
        return nd_seterr(errstr, errstr_size, ND_ERR_NOMEM,
                         "out of memory building the dead-letter record");
}

void
nd_outrec_clear(nd_outrec *o)
{
        free(o->key);
        free(o->value);
        if (o->headers)
                rd_kafka_headers_destroy(o->headers);
        memset(o, 0, sizeof(*o));
}
