/* Reads librdkafka's statistics JSON (STATISTICS.md of librdkafka 2.0):
 * consumer lag per assigned topic-partition and how many brokers are up. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "newsd/metrics.h"

/* librdkafka writes -1001 (RD_KAFKA_OFFSET_INVALID) for offsets it does not
 * know; any negative offset is unknown here. */
static int64_t
offset_member(json_t *obj, const char *key)
{
        json_t *v = json_object_get(obj, key);

        return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* The lag of one partition object, or -1 when it cannot be known. */
static int64_t
partition_lag(json_t *part)
{
        int64_t lag = offset_member(part, "consumer_lag");
        int64_t end, committed;

        if (lag >= 0)
                return lag;
        /* consumer_lag is -1 until this group has committed an offset (and
         * older versions lack it): fall back to the end offset the
         * consumer reads up to (last stable offset under read_committed,
         * the default, else the high watermark) minus the committed one. */
        end = offset_member(part, "ls_offset");
        if (end < 0)
                end = offset_member(part, "hi_offset");
        committed = offset_member(part, "committed_offset");
        if (end < 0 || committed < 0)
                return -1;
        return end > committed ? end - committed : 0;
}

static int
lag_cmp(const void *a, const void *b)
{
        const nd_lag *x = a, *y = b;
        int c = strcmp(x->topic, y->topic);

        if (c)
                return c;
        return (x->partition > y->partition) - (x->partition < y->partition);
}

static nd_err
push_lag(nd_rdkafka_stats *out, size_t *cap, const char *topic,
         int32_t partition, int64_t lag)
{
        if (out->n_lag == *cap) {
                size_t ncap = *cap ? *cap * 2 : 16;
                nd_lag *v = realloc(out->lag, ncap * sizeof(*v));
                if (!v)
                        return ND_ERR_NOMEM;
                out->lag = v;
                *cap = ncap;
        }
        out->lag[out->n_lag].topic = strdup(topic);
        if (!out->lag[out->n_lag].topic)
                return ND_ERR_NOMEM;
        out->lag[out->n_lag].partition = partition;
        out->lag[out->n_lag].lag = lag;
        out->n_lag++;
        return ND_OK;
}

static nd_err
parse_topics(json_t *topics, nd_rdkafka_stats *out)
{
        const char *tkey;
        json_t *topic;
        size_t cap = 0;

        json_object_foreach(topics, tkey, topic)
        {
                json_t *parts = json_object_get(topic, "partitions");
                json_t *tn = json_object_get(topic, "topic");
                const char *tname =
                    json_is_string(tn) ? json_string_value(tn) : tkey;
                const char *pkey;
                json_t *part;

                if (!json_is_object(parts))
                        continue;
                json_object_foreach(parts, pkey, part)
                {
                        json_t *pid = json_object_get(part, "partition");
                        json_t *desired = json_object_get(part, "desired");
                        int64_t lag;

                        /* -1 is librdkafka's internal UnAssigned
                         * partition; partitions not desired are not ours
                         * (any more) and their offsets are stale. */
                        if (!json_is_integer(pid) ||
                            json_integer_value(pid) < 0 ||
                            json_integer_value(pid) > INT32_MAX ||
                            json_is_false(desired))
                                continue;
                        lag = partition_lag(part);
                        if (lag < 0)
                                continue;
                        if (push_lag(out, &cap, tname,
                                     (int32_t)json_integer_value(pid),
                                     lag) != ND_OK)
                                return ND_ERR_NOMEM;
                }
        }
        if (out->n_lag > 1)
                qsort(out->lag, out->n_lag, sizeof(*out->lag), lag_cmp);
        return ND_OK;
}

/* Counts the real brokers: "configured" (bootstrap) and "learned" ones, not
 * the "internal" broker or "logical" ones such as the group coordinator,
 * which mirror a real connection. */
static void
parse_brokers(json_t *brokers, nd_rdkafka_stats *out)
{
        const char *name;
        json_t *b;

        json_object_foreach(brokers, name, b)
        {
                const char *source =
                    json_string_value(json_object_get(b, "source"));
                const char *state =
                    json_string_value(json_object_get(b, "state"));

                if (!source || (strcmp(source, "configured") != 0 &&
                                strcmp(source, "learned") != 0))
                        continue;
                out->brokers_known++;
                if (state && strcmp(state, "UP") == 0)
                        out->brokers_up++;
        }
}

nd_err
nd_metrics_parse_rdkafka_stats(const char *json, size_t len,
                               nd_rdkafka_stats *out, char *errstr,
                               size_t errstr_size)
{
        json_error_t jerr;
        json_t *root;
        const char *type;
        nd_err err = ND_OK;

        memset(out, 0, sizeof(*out));
        root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return nd_seterr(errstr, errstr_size, ND_ERR_INVALID_JSON,
                                 "statistics: %s (line %d)", jerr.text,
                                 jerr.line);
        if (!json_is_object(root)) {
                err = nd_seterr(errstr, errstr_size, ND_ERR_INVALID_JSON,
                                "statistics: not a JSON object");
                goto out;
        }
        type = json_string_value(json_object_get(root, "type"));
        if (type)
                snprintf(out->type, sizeof(out->type), "%s", type);
        if (json_is_object(json_object_get(root, "brokers")))
                parse_brokers(json_object_get(root, "brokers"), out);
        if (json_is_object(json_object_get(root, "topics")))
                err = parse_topics(json_object_get(root, "topics"), out);
        if (err != ND_OK) {
                nd_seterr(errstr, errstr_size, err, "out of memory");
                nd_rdkafka_stats_clear(out);
        }
out:
        json_decref(root);
        return err;
}

void
nd_rdkafka_stats_clear(nd_rdkafka_stats *s)
{
        for (size_t i = 0; i < s->n_lag; i++)
                free(s->lag[i].topic);
        free(s->lag);
        memset(s, 0, sizeof(*s));
}
