/* The Kafka service: one thread consumes, runs the pipeline, produces, and
 * stores an input's offset only once its output is acknowledged and every
 * earlier input of its partition is too (at-least-once; docs/delivery.md). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "newsd/fanout.h"
#include "newsd/log.h"
#include "newsd/monitor.h"
#include "newsd/output.h"
#include "newsd/pipeline.h"
#include "newsd/route.h"
#include "newsd/service.h"
#include "newsd/tracker.h"

#define DEFAULT_MAX_IN_FLIGHT    1000
#define DEFAULT_COMMIT_MS        1000
#define DEFAULT_SHUTDOWN_MS      30000
#define RETRY_MIN_MS             100
#define RETRY_MAX_MS             10000
#define LOOP_IDLE_MS             100
#define LOOP_BUSY_MS             5
#define PAUSE_AFTER_MS           500
#define FORCED_STEP_MS           1000

/* One output record of a consumed input, from poll until it is
 * acknowledged. An input with several outputs (routed topics, entity
 * records) has one nd_rec per output, sharing its message and offset. */
typedef struct nd_rec {
        struct nd_rec *next;       /* local queue or retry list */
        rd_kafka_message_t *msg;   /* owned: the input, kept for the
                                      dead-letter record and for retries */
        nd_tracker_part *part;     /* NULL until dispatched */
        uint64_t generation;
        nd_outrec out;             /* owned: what is produced (again) */
        bool dead_letter;          /* out is the dead-letter record */
        nd_err dead_letter_code;   /* why, when dead_letter */
        bool queue_full;           /* last attempt hit a full queue */
        unsigned attempts;
        int64_t retry_at_ms;
        bool entity;               /* out is an entity record */
        char *topic;               /* owned: out's topic when routed */
        unsigned *outputs;         /* shared by the input's output records:
                                      how many are alive; the last frees
                                      msg. NULL until dispatched. */
} nd_rec;

typedef struct rec_list {
        nd_rec *head, *tail;
        unsigned n;
} rec_list;

struct nd_service {
        const nd_config *conf;     /* borrowed */
        nd_service_hooks hooks;
        rd_kafka_t *consumer;
        rd_kafka_t *producer;
        nd_pipeline *pipeline;
        nd_tracker *tracker;
        nd_output_conf oc;
        char *source;              /* owned: ce_source */
        char *dataschema;          /* owned: ce_dataschema */
        nd_template *output;       /* owned: [topics] output */
        const char *entities;      /* borrowed: entity topic, NULL: off */

        unsigned max_in_flight, low_water;
        unsigned shutdown_ms;
        int64_t stop_deadline;     /* set once stopping */
        int64_t full_since;        /* when the in-flight bound was hit */
        uint64_t commit_results;   /* commit outcomes seen (any error) */
        bool close_started;
        bool consumer_closed;

        rec_list queue;            /* consumed, not yet dispatched */
        rec_list retry;            /* failed deliveries waiting to retry */

        nd_service_stats st;
        volatile sig_atomic_t stop_requests;
        bool fatal;
        char fatal_reason[512];
};

static int64_t
now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
list_push(rec_list *l, nd_rec *r)
{
        r->next = NULL;
        if (l->tail)
                l->tail->next = r;
        else
                l->head = r;
        l->tail = r;
        l->n++;
}

static nd_rec *
list_pop(rec_list *l)
{
        nd_rec *r = l->head;

        if (!r)
                return NULL;
        l->head = r->next;
        if (!l->head)
                l->tail = NULL;
        l->n--;
        r->next = NULL;
        return r;
}

/* Frees @p r; returns whether it was the last output record of its
 * input (which then leaves the in-flight count). */
static bool
rec_free(nd_rec *r)
{
        bool last = true;

        if (!r)
                return false;
        nd_outrec_clear(&r->out);
        free(r->topic);
        if (r->outputs) {
                last = --*r->outputs == 0;
                if (last)
                        free(r->outputs);
        }
        if (r->msg && last)
                rd_kafka_message_destroy(r->msg);
        free(r);
        return last;
}

/* Frees a dispatched output record. */
static void
rec_done(nd_service *s, nd_rec *r)
{
        if (rec_free(r))
                s->st.in_flight--;
}

static void
rec_fields(const nd_rec *r, nd_log_fields *f, const char *error)
{
        memset(f, 0, sizeof(*f));
        f->topic = rd_kafka_topic_name(r->msg->rkt);
        f->partition = r->msg->partition;
        f->offset = r->msg->offset;
        f->error = error;
}

/* ---- Configuration of the librdkafka handles ------------------------- */

static bool
kv_has(const nd_kv_list *l, const char *key)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i].key, key) == 0)
                        return true;
        return false;
}

static nd_err
conf_set(rd_kafka_conf_t *rc, const char *key, const char *value,
         const char *origin, char *errstr, size_t errstr_size)
{
        char why[256];

        if (rd_kafka_conf_set(rc, key, value, why, sizeof(why)) ==
            RD_KAFKA_CONF_OK)
                return ND_OK;
        return nd_seterr(errstr, errstr_size, ND_ERR_CONFIG, "%s: %s",
                         origin ? origin : "newsd", why);
}

/* Settings at-least-once delivery depends on; a user value that
 * contradicts one is a configuration error, not silently overridden. */
static const struct forced {
        bool consumer;
        const char *key;
        const char *value;
} forced[] = {
        {true, "enable.auto.offset.store", "false"},
        {false, "enable.idempotence", "true"},
        {false, "acks", "all"},
};

static nd_err
check_forced(const nd_config *c, char *errstr, size_t errstr_size)
{
        const nd_kv_list *lists[] = {&c->kafka, &c->consumer, &c->producer};

        for (size_t i = 0; i < sizeof(forced) / sizeof(*forced); i++)
                for (size_t l = 0; l < 3; l++)
                        for (size_t k = 0; k < lists[l]->n; k++) {
                                const nd_kv *kv = &lists[l]->v[k];
                                bool same =
                                        strcmp(kv->value, forced[i].value) == 0 ||
                                        (strcmp(forced[i].key, "acks") == 0 &&
                                         strcmp(kv->value, "-1") == 0);
                                if (strcmp(kv->key, forced[i].key) == 0 &&
                                    !same)
                                        return nd_seterr(
                                                errstr, errstr_size,
                                                ND_ERR_CONFIG,
                                                "%s: %s must be %s: newsd "
                                                "relies on it to lose "
                                                "nothing",
                                                kv->origin ? kv->origin : "-X",
                                                kv->key, forced[i].value);
                        }
        return ND_OK;
}

static void
error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
        nd_service *s = opaque;
        char fatal[512];

        if (err == RD_KAFKA_RESP_ERR__FATAL) {
                rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
                nd_log(LOG_CRIT, "%s: fatal error: %s", rd_kafka_name(rk),
                       fatal);
                snprintf(s->fatal_reason, sizeof(s->fatal_reason), "%s",
                         fatal);
                s->fatal = true;
                return;
        }
        /* Transient by nature (brokers down, timeouts): librdkafka
         * reconnects and retries by itself. Connection failures are in its
         * own log lines already. */
        nd_log(err == RD_KAFKA_RESP_ERR__TRANSPORT ? LOG_DEBUG : LOG_WARNING, "%s: %s: %s", rd_kafka_name(rk),
               rd_kafka_err2name(err), reason);
        if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN &&
            rd_kafka_type(rk) == RD_KAFKA_PRODUCER)
                nd_monitor_set_broker_up(s->hooks.monitor, false, reason);
}

/* librdkafka statistics feed the monitor: consumer lag, broker states. */
static int
stats_cb(rd_kafka_t *rk, char *json, size_t json_len, void *opaque)
{
        nd_service *s = opaque;
        char err[256];

        if (nd_monitor_rdkafka_stats(s->hooks.monitor, json, json_len, err,
                                     sizeof(err)) != ND_OK)
                nd_log(LOG_DEBUG, "%s: %s", rd_kafka_name(rk), err);
        return 0; /* librdkafka frees json */
}

/* Statistics every 5 s unless configured (0 turns them off). */
static nd_err
metrics_conf(nd_service *s, rd_kafka_conf_t *rc, bool consumer, char *errstr,
             size_t errstr_size)
{
        const nd_config *c = s->conf;
        const nd_kv_list *side = consumer ? &c->consumer : &c->producer;

        if (!s->hooks.monitor)
                return ND_OK;
        rd_kafka_conf_set_stats_cb(rc, stats_cb);
        if (kv_has(side, "statistics.interval.ms") ||
            kv_has(&c->kafka, "statistics.interval.ms"))
                return ND_OK;
        return conf_set(rc, "statistics.interval.ms", "5000", NULL, errstr,
                        errstr_size);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts,
                         void *opaque);
static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                      void *opaque);
static void commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque);

static rd_kafka_conf_t *
kafka_conf(nd_service *s, bool consumer, char *errstr, size_t errstr_size)
{
        const nd_config *c = s->conf;
        rd_kafka_conf_t *rc = nd_config_kafka_conf(c, consumer, errstr,
                                                   errstr_size);
        char num[32];

        if (!rc)
                return NULL;
        if (consumer) {
                bool group = kv_has(&c->consumer, "group.id") ||
                             kv_has(&c->kafka, "group.id");
                snprintf(num, sizeof(num), "%u",
                         c->commit_interval_ms ? c->commit_interval_ms
                                               : DEFAULT_COMMIT_MS);
                if ((!group && conf_set(rc, "group.id", "newsd", NULL, errstr,
                                        errstr_size)) ||
                    conf_set(rc, "enable.auto.offset.store", "false", NULL,
                             errstr, errstr_size) ||
                    conf_set(rc, "enable.auto.commit", "true", NULL, errstr,
                             errstr_size) ||
                    conf_set(rc, "auto.commit.interval.ms", num, NULL, errstr,
                             errstr_size))
                        goto fail;
                /* A pipeline that starts on a new group must not skip what
                 * is already in the topic. */
                if (!kv_has(&c->consumer, "auto.offset.reset") &&
                    !kv_has(&c->kafka, "auto.offset.reset") &&
                    conf_set(rc, "auto.offset.reset", "earliest", NULL,
                             errstr, errstr_size))
                        goto fail;
                if (!kv_has(&c->consumer, "partition.assignment.strategy") &&
                    !kv_has(&c->kafka, "partition.assignment.strategy") &&
                    conf_set(rc, "partition.assignment.strategy",
                             "cooperative-sticky", NULL, errstr, errstr_size))
                        goto fail;
                rd_kafka_conf_set_rebalance_cb(rc, rebalance_cb);
                rd_kafka_conf_set_offset_commit_cb(rc, commit_cb);
        } else {
                if (conf_set(rc, "enable.idempotence", "true", NULL, errstr,
                             errstr_size) ||
                    conf_set(rc, "acks", "all", NULL, errstr, errstr_size))
                        goto fail;
                rd_kafka_conf_set_dr_msg_cb(rc, dr_msg_cb);
        }
        if (metrics_conf(s, rc, consumer, errstr, errstr_size))
                goto fail;
        rd_kafka_conf_set_log_cb(rc, nd_log_rdkafka);
        rd_kafka_conf_set_error_cb(rc, error_cb);
        rd_kafka_conf_set_opaque(rc, s);
        return rc;
fail:
        rd_kafka_conf_destroy(rc);
        return NULL;
}

/* ---- Backpressure ------------------------------------------------------ */

static void
set_paused(nd_service *s, bool pause)
{
        rd_kafka_topic_partition_list_t *parts = NULL;
        rd_kafka_resp_err_t err;

        if (s->st.paused == pause)
                return;
        err = rd_kafka_assignment(s->consumer, &parts);
        if (!err)
                err = pause ? rd_kafka_pause_partitions(s->consumer, parts)
                            : rd_kafka_resume_partitions(s->consumer, parts);
        if (err) {
                nd_log(LOG_ERR, "cannot %s partitions: %s",
                       pause ? "pause" : "resume", rd_kafka_err2str(err));
        } else {
                s->st.paused = pause;
                nd_monitor_set_paused(s->hooks.monitor, pause);
                nd_log(LOG_INFO, "%s fetching (%u in flight, %u queued)",
                       pause ? "paused" : "resumed", s->st.in_flight,
                       s->queue.n);
        }
        if (parts)
                rd_kafka_topic_partition_list_destroy(parts);
}

static bool
queue_full_waiting(const nd_service *s)
{
        for (const nd_rec *r = s->retry.head; r; r = r->next)
                if (r->queue_full)
                        return true;
        return false;
}

/*
 * At the in-flight bound (or with the producer queue full) the loop stops
 * taking records and waits for acknowledgements. Pausing the partitions
 * costs librdkafka's prefetched records and a fetch round trip, so it is
 * kept for waits that last (a broker away, a slow output): after
 * PAUSE_AFTER_MS the partitions are paused and the consumer is polled again,
 * which keeps the group session and max.poll.interval.ms. Fetching resumes
 * below the low-water mark. Returns whether the loop must not take records
 * now.
 */
static bool
update_backpressure(nd_service *s)
{
        bool full = s->st.in_flight >= s->max_in_flight ||
                    queue_full_waiting(s);
        int64_t now = now_ms();

        if (!full) {
                s->full_since = 0;
                if (s->st.paused && s->queue.n == 0 &&
                    s->st.in_flight <= s->low_water)
                        set_paused(s, false);
                return false;
        }
        if (!s->full_since)
                s->full_since = now;
        if (!s->st.paused && now - s->full_since >= PAUSE_AFTER_MS)
                set_paused(s, true);
        return !s->st.paused;
}

/* ---- Producing and delivery ------------------------------------------- */

static void
schedule_retry(nd_service *s, nd_rec *r, bool queue_full)
{
        int64_t delay = RETRY_MIN_MS;

        for (unsigned i = 1; i < r->attempts && delay < RETRY_MAX_MS; i++)
                delay *= 2;
        if (delay > RETRY_MAX_MS)
                delay = RETRY_MAX_MS;
        if (queue_full)
                delay = 10;
        r->queue_full = queue_full;
        r->retry_at_ms = now_ms() + delay;
        list_push(&s->retry, r);
}

static void handle_failure(nd_service *s, nd_rec *r, rd_kafka_resp_err_t err);

/* Produces r->out; on an immediate failure the record goes to the retry
 * list (it stays in flight either way). */
static void
produce(nd_service *s, nd_rec *r)
{
        rd_kafka_headers_t *h = rd_kafka_headers_copy(r->out.headers);
        rd_kafka_resp_err_t err;

        r->attempts++;
        /* No F_COPY: the buffers live in r until the delivery report. */
        err = rd_kafka_producev(
                s->producer, RD_KAFKA_V_TOPIC(r->out.topic),
                RD_KAFKA_V_KEY(r->out.key, r->out.key_len),
                RD_KAFKA_V_VALUE(r->out.value, r->out.value_len),
                RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(r),
                RD_KAFKA_V_END);
        if (!err)
                return;
        rd_kafka_headers_destroy(h); /* still ours after a failure */
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                r->attempts--;
                schedule_retry(s, r, true);
                return;
        }
        handle_failure(s, r, err);
}

/* What output records say about the input record @p m. */
static nd_output_input
output_input(const rd_kafka_message_t *m)
{
        rd_kafka_headers_t *hdrs = NULL;
        nd_output_input in = {
                .topic = rd_kafka_topic_name(m->rkt),
                .partition = m->partition,
                .offset = m->offset,
                .key = m->key,
                .key_len = m->key_len,
                .value = m->payload,
                .len = m->len,
        };

        /* Headers are parsed on first use and stay owned by m. */
        if (rd_kafka_message_headers(m, &hdrs) == 0)
                in.headers = hdrs;
        return in;
}

/* Turns r into its dead-letter record for @p code. */
static void
to_dead_letter(nd_service *s, nd_rec *r, nd_err code, const char *message)
{
        nd_output_input in = output_input(r->msg);
        char errstr[256];
        nd_log_fields f;

        nd_outrec_clear(&r->out);
        r->dead_letter = true;
        r->dead_letter_code = code;
        r->entity = false;
        rec_fields(r, &f, nd_err_code(code));
        nd_logf(LOG_NOTICE, &f, "to the dead-letter topic: %s", message);
        while (nd_output_dead_letter(&s->oc, &in, code, message, &r->out,
                                     errstr, sizeof(errstr)) != ND_OK) {
                /* Out of memory: dropping the record is not an option. */
                nd_logf(LOG_ERR, &f, "%s; trying again", errstr);
                struct timespec ts = {0, 100 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
}

static void
handle_failure(nd_service *s, nd_rec *r, rd_kafka_resp_err_t err)
{
        nd_log_fields f;

        s->st.produce_errors++;
        nd_monitor_count(s->hooks.monitor, ND_MON_DELIVERY_FAILED);
        rec_fields(r, &f, "kafka");
        if (r->generation != nd_tracker_generation(r->part)) {
                /* Its partition was revoked meanwhile: the next owner
                 * reads the record again from the last commit. */
                nd_logf(LOG_INFO, &f,
                        "delivery failed after its partition was revoked: "
                        "%s; left to the partition's new owner",
                        rd_kafka_err2str(err));
                rec_done(s, r);
                return;
        }
        /* An event the output topic refuses for its size can never be
         * delivered: its input goes to the dead-letter topic instead. */
        if (!r->dead_letter && err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
                char msg[256];
                snprintf(msg, sizeof(msg),
                         "the %s is too large for topic %s: %s",
                         r->entity ? "entity record" : "event", r->out.topic,
                         rd_kafka_err2str(err));
                to_dead_letter(s, r, ND_ERR_TOO_LARGE, msg);
                r->attempts = 0;
                produce(s, r);
                return;
        }
        nd_logf(LOG_WARNING, &f,
                "delivery of the %s to %s failed (attempt %u): %s; retrying",
                r->dead_letter ? "dead-letter record" : "event", r->out.topic,
                r->attempts, rd_kafka_err2str(err));
        schedule_retry(s, r, false);
}

static void
store_offset(nd_service *s, nd_tracker_part *p, int64_t offset)
{
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(1);
        rd_kafka_resp_err_t err;

        rd_kafka_topic_partition_list_add(l, nd_tracker_part_topic(p),
                                          nd_tracker_part_partition(p))
                ->offset = offset;
        err = rd_kafka_offsets_store(s->consumer, l);
        if (!err)
                err = l->elems[0].err;
        if (err) {
                nd_log_fields f = {.topic = nd_tracker_part_topic(p),
                                   .partition = nd_tracker_part_partition(p),
                                   .offset = offset};
                /* The partition was revoked meanwhile: its next owner
                 * starts from the last commit. */
                nd_logf(LOG_DEBUG, &f, "offset not stored: %s",
                        rd_kafka_err2str(err));
        }
        rd_kafka_topic_partition_list_destroy(l);
}

/* An acknowledged delivery: counted, and proof that a broker is up. */
static void
monitor_delivered(nd_service *s, const nd_rec *r)
{
        rd_kafka_timestamp_type_t tstype;

        if (!s->hooks.monitor)
                return;
        if (r->dead_letter)
                nd_monitor_dead_lettered(s->hooks.monitor,
                                         r->dead_letter_code);
        else if (!r->entity) /* events, on every topic they are routed to */
                nd_monitor_produced(s->hooks.monitor,
                                    rd_kafka_message_timestamp(r->msg,
                                                               &tstype));
        nd_monitor_set_broker_up(s->hooks.monitor, true, NULL);
}

static void
dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        nd_service *s = opaque;
        nd_rec *r = m->_private;
        int64_t commit;

        (void)rk;
        if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
            m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
                /* Forced shutdown: not delivered, so not committed. */
                rec_done(s, r);
                return;
        }
        if (m->err) {
                handle_failure(s, r, m->err);
                return;
        }
        if (r->dead_letter)
                s->st.dead_lettered++;
        else if (r->entity)
                s->st.entities_out++;
        else
                s->st.events_out++;
        monitor_delivered(s, r);
        commit = nd_tracker_ack(r->part, r->generation, r->msg->offset);
        if (commit >= 0)
                store_offset(s, r->part, commit);
        rec_done(s, r);
}

static void
commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
          rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
        nd_service *s = opaque;

        (void)rk;
        s->commit_results++;
        if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
                return;
        nd_monitor_count(s->hooks.monitor,
                         err ? ND_MON_COMMIT_FAILED : ND_MON_COMMITTED);
        if (err) {
                nd_log(LOG_WARNING, "offset commit failed: %s",
                       rd_kafka_err2str(err));
                return;
        }
        s->st.commits++;
        for (int i = 0; offsets && i < offsets->cnt; i++) {
                const rd_kafka_topic_partition_t *p = &offsets->elems[i];
                nd_log_fields f = {.topic = p->topic,
                                   .partition = p->partition,
                                   .offset = p->offset};
                if (p->err)
                        nd_logf(LOG_WARNING, &f, "offset commit failed: %s",
                                rd_kafka_err2str(p->err));
        }
}

/* Retries every failed delivery that is due. */
static void
run_retries(nd_service *s)
{
        int64_t now = now_ms();
        rec_list due = {0}, keep = {0};
        nd_rec *r;

        while ((r = list_pop(&s->retry)))
                list_push(r->retry_at_ms <= now ? &due : &keep, r);
        s->retry = keep;
        while ((r = list_pop(&due))) {
                if (!r->queue_full)
                        nd_monitor_count(s->hooks.monitor,
                                         ND_MON_DELIVERY_RETRIED);
                produce(s, r);
        }
}

/* ---- Processing -------------------------------------------------------- */

/* Fills @p in from the record; headers go to @p hdrs_json (new reference)
 * and the content-type header into @p ctype. */
static void
input_from_message(const rd_kafka_message_t *m, nd_input *in,
                   json_t **hdrs_json, char *ctype, size_t ctype_size)
{
        rd_kafka_headers_t *hdrs = NULL;
        rd_kafka_timestamp_type_t tstype;
        const char *name;
        const void *val;
        size_t size;

        nd_input_init(in);
        in->value = m->payload ? m->payload : "";
        in->len = m->payload ? m->len : 0;
        in->prov.topic = rd_kafka_topic_name(m->rkt);
        in->prov.partition = m->partition;
        in->prov.offset = m->offset;
        in->prov.timestamp_ms = rd_kafka_message_timestamp(m, &tstype);
        in->prov.key = m->key;
        in->prov.key_len = m->key_len;
        *hdrs_json = NULL;
        if (rd_kafka_message_headers(m, &hdrs) != 0)
                return;
        *hdrs_json = json_object();
        for (size_t i = 0;
             rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == 0; i++) {
                /* Values that are not UTF-8 text cannot be JSON strings;
                 * they stay out of the provenance. */
                json_t *v = val ? json_stringn(val, size) : NULL;
                if (v)
                        json_object_set_new(*hdrs_json, name, v);
                if (strcasecmp(name, "content-type") == 0 && val &&
                    size < ctype_size) {
                        memcpy(ctype, val, size);
                        ctype[size] = '\0';
                        in->content_type = ctype;
                }
        }
        in->prov.headers = *hdrs_json;
}

/* A further output record of r's input: it shares r's message. */
static nd_rec *
sibling(nd_rec *r)
{
        nd_rec *o = calloc(1, sizeof(*o));

        while (!o) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nd_log(LOG_ERR, "out of memory routing a record");
                nanosleep(&ts, NULL);
                o = calloc(1, sizeof(*o));
        }
        o->msg = r->msg;
        o->part = r->part;
        o->outputs = r->outputs;
        (*r->outputs)++;
        return o;
}

/* r's own record is the event on the default topic; the other events and
 * the entity records (src/service/fanout.c) become siblings in @p more. */
static void
build_routed(nd_service *s, nd_rec *r, nd_result *res, rec_list *more)
{
        nd_fanout_conf fc = {&s->oc, s->output, s->conf->routes,
                             s->conf->n_routes, s->entities};
        nd_output_input oi = output_input(r->msg);
        nd_fanout_rec *recs;
        size_t n;
        char errstr[256];

        if (nd_fanout_build(&fc, &oi, res->uri, res->event, &recs, &n,
                            errstr, sizeof(errstr)) != ND_OK) {
                to_dead_letter(s, r, ND_ERR_NOMEM, errstr);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                nd_rec *o = i == 0 ? r : sibling(r);
                o->out = recs[i].out;
                o->topic = recs[i].topic;
                o->entity = recs[i].entity;
                if (i > 0)
                        list_push(more, o);
        }
        free(recs); /* the records moved into the nd_recs */
}

/* Runs the pipeline on r and builds its output records: r's own is the
 * event on the first topic (or the dead-letter record); the others go to
 * @p more. */
static void
build_output(nd_service *s, nd_rec *r, rec_list *more)
{
        const rd_kafka_message_t *m = r->msg;
        json_t *hdrs_json = NULL;
        char ctype[256];
        nd_input in;
        nd_result res;

        input_from_message(m, &in, &hdrs_json, ctype, sizeof(ctype));
        if (nd_pipeline_process(s->pipeline, &in, &res) == ND_OK)
                build_routed(s, r, &res, more);
        else
                to_dead_letter(s, r, res.err, res.errstr);
        nd_result_clear(&res);
        json_decref(hdrs_json);
}

/* Tracks, processes and produces one record. */
static void
dispatch(nd_service *s, nd_rec *r)
{
        const char *topic = rd_kafka_topic_name(r->msg->rkt);
        rec_list more = {0};
        nd_rec *o;
        nd_err err;

        r->part = nd_tracker_part_get(s->tracker, topic, r->msg->partition);
        while (!r->part) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nd_log(LOG_ERR, "out of memory tracking offsets");
                nanosleep(&ts, NULL);
                r->part = nd_tracker_part_get(s->tracker, topic,
                                              r->msg->partition);
        }
        while (!(r->outputs = calloc(1, sizeof(*r->outputs)))) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nd_log(LOG_ERR, "out of memory dispatching a record");
                nanosleep(&ts, NULL);
        }
        *r->outputs = 1;
        build_output(s, r, &more);
        err = nd_tracker_track_outputs(r->part, r->msg->offset, *r->outputs);
        if (err == ND_ERR_INTERNAL) {
                nd_log_fields f;
                /* The consumer went back (offset reset, seek): start the
                 * partition over; reports of the older records no longer
                 * count. */
                rec_fields(r, &f, NULL);
                nd_logf(LOG_WARNING, &f,
                        "offset went backwards; restarting its tracking");
                nd_tracker_reset(r->part);
                err = nd_tracker_track_outputs(r->part, r->msg->offset,
                                               *r->outputs);
        }
        while (err == ND_ERR_NOMEM) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nd_log(LOG_ERR, "out of memory tracking offsets");
                nanosleep(&ts, NULL);
                err = nd_tracker_track_outputs(r->part, r->msg->offset,
                                               *r->outputs);
        }
        r->generation = nd_tracker_generation(r->part);
        for (o = more.head; o; o = o->next)
                o->generation = r->generation;
        s->st.in_flight++;
        produce(s, r);
        while ((o = list_pop(&more)))
                produce(s, o);
}

static void
dispatch_queued(nd_service *s)
{
        while (s->queue.n > 0 && s->st.in_flight < s->max_in_flight &&
               !queue_full_waiting(s))
                dispatch(s, list_pop(&s->queue));
        s->st.queued = s->queue.n;
}

static void
handle_message(nd_service *s, rd_kafka_message_t *m)
{
        nd_rec *r;

        if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                        nd_log(LOG_WARNING, "consumer: %s",
                               rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                return;
        }
        if (s->st.stopping) {
                /* Not tracked, so not committed: read again next time. */
                rd_kafka_message_destroy(m);
                return;
        }
        r = calloc(1, sizeof(*r));
        while (!r) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nd_log(LOG_ERR, "out of memory queueing a record");
                nanosleep(&ts, NULL);
                r = calloc(1, sizeof(*r));
        }
        r->msg = m;
        s->st.records_in++;
        nd_monitor_consumed(s->hooks.monitor, 1);
        /* Records keep their order through the local queue, also those that
         * arrive while pausing takes effect. */
        list_push(&s->queue, r);
        dispatch_queued(s);
}

/* ---- Rebalancing ------------------------------------------------------- */

static bool
in_list(const rd_kafka_topic_partition_list_t *parts, const char *topic,
        int32_t partition)
{
        return rd_kafka_topic_partition_list_find(parts, topic, partition) !=
               NULL;
}

/* Drops the records of @p parts (all when NULL) from @p l. Queued records
 * were never dispatched, so never tracked; retries are records a drain gave
 * up on. Either way nothing was committed for them: their partition's next
 * owner reads them again. */
static void
drop_records(nd_service *s, rec_list *l,
             const rd_kafka_topic_partition_list_t *parts)
{
        rec_list keep = {0};
        nd_rec *r;

        while ((r = list_pop(l))) {
                if (parts && !in_list(parts, rd_kafka_topic_name(r->msg->rkt),
                                      r->msg->partition)) {
                        list_push(&keep, r);
                        continue;
                }
                if (r->part)
                        rec_done(s, r); /* dispatched: counted */
                else
                        rec_free(r);
        }
        *l = keep;
        s->st.queued = s->queue.n;
}

static size_t
pending_in(nd_service *s, const rd_kafka_topic_partition_list_t *parts)
{
        size_t n = 0;

        for (int i = 0; i < parts->cnt; i++) {
                nd_tracker_part *p = nd_tracker_part_get(
                        s->tracker, parts->elems[i].topic,
                        parts->elems[i].partition);
                if (p)
                        n += nd_tracker_pending(p);
        }
        return n;
}

/* Serves the producer until the records of @p parts are acknowledged, the
 * deadline passes or a forced stop comes. */
static void
drain(nd_service *s, const rd_kafka_topic_partition_list_t *parts,
      int64_t deadline)
{
        if (s->st.stopping && s->stop_deadline < deadline)
                deadline = s->stop_deadline;
        while (pending_in(s, parts) > 0 && now_ms() < deadline &&
               s->stop_requests < 2 && !s->fatal) {
                rd_kafka_poll(s->producer, LOOP_BUSY_MS);
                run_retries(s);
        }
}

static void
commit_sync(nd_service *s)
{
        rd_kafka_resp_err_t err = rd_kafka_commit(s->consumer, NULL, 0);

        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
                nd_log(LOG_WARNING, "offset commit failed: %s",
                       rd_kafka_err2str(err));
}

static void
reset_parts(nd_service *s, const rd_kafka_topic_partition_list_t *parts)
{
        for (int i = 0; i < parts->cnt; i++) {
                nd_tracker_part *p = nd_tracker_part_get(
                        s->tracker, parts->elems[i].topic,
                        parts->elems[i].partition);
                if (p)
                        nd_tracker_reset(p);
        }
}

static void
log_parts(const char *what, const rd_kafka_topic_partition_list_t *parts)
{
        char buf[1024];
        size_t n = 0;

        buf[0] = '\0';
        for (int i = 0; i < parts->cnt && n < sizeof(buf) - 64; i++)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s[%d]",
                                      i ? " " : "", parts->elems[i].topic,
                                      (int)parts->elems[i].partition);
        nd_log(LOG_INFO, "%s %d partition(s): %s", what, parts->cnt, buf);
}

static void
revoke(nd_service *s, rd_kafka_t *rk,
       rd_kafka_topic_partition_list_t *parts, bool cooperative)
{
        rd_kafka_error_t *error = NULL;

        log_parts(rd_kafka_assignment_lost(rk) ? "lost" : "revoked", parts);
        drop_records(s, &s->queue, parts);
        if (!rd_kafka_assignment_lost(rk)) {
                /* Deliver what is in flight for these partitions and commit
                 * it, so the next owner starts right after it. */
                drain(s, parts, now_ms() + s->shutdown_ms);
                /* When stopping, shut_down() committed already and the
                 * broker may be gone: do not wait for it again. */
                if (s->st.stopping)
                        rd_kafka_commit(rk, NULL, 1);
                else
                        commit_sync(s);
        }
        drop_records(s, &s->retry, parts);
        reset_parts(s, parts);
        /* Whoever gets these partitions next, here or elsewhere, starts
         * them unpaused. */
        rd_kafka_resume_partitions(rk, parts);
        if (cooperative)
                error = rd_kafka_incremental_unassign(rk, parts);
        else
                rd_kafka_assign(rk, NULL);
        if (error) {
                nd_log(LOG_ERR, "unassign failed: %s",
                       rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
        }
}

static void
assign(nd_service *s, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
       bool cooperative)
{
        rd_kafka_error_t *error = NULL;
        rd_kafka_resp_err_t err = 0;

        log_parts("assigned", parts);
        reset_parts(s, parts);
        if (cooperative)
                error = rd_kafka_incremental_assign(rk, parts);
        else
                err = rd_kafka_assign(rk, parts);
        if (error) {
                nd_log(LOG_ERR, "assign failed: %s",
                       rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
        } else if (err) {
                nd_log(LOG_ERR, "assign failed: %s", rd_kafka_err2str(err));
        }
        /* New partitions start paused when the rest is. librdkafka keeps
         * a partition's pause flag across assignments, so a partition
         * paused under an earlier assignment is resumed explicitly. */
        if (parts->cnt > 0) {
                if (s->st.paused)
                        rd_kafka_pause_partitions(rk, parts);
                else
                        rd_kafka_resume_partitions(rk, parts);
        }
}

static void
rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
             rd_kafka_topic_partition_list_t *parts, void *opaque)
{
        nd_service *s = opaque;
        rd_kafka_topic_partition_list_t *now = NULL;
        bool cooperative =
                strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;

        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                assign(s, rk, parts, cooperative);
        } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
                revoke(s, rk, parts, cooperative);
        } else {
                nd_log(LOG_ERR, "rebalance failed: %s",
                       rd_kafka_err2str(err));
                if (cooperative)
                        revoke(s, rk, parts, true);
                else
                        rd_kafka_assign(rk, NULL);
        }
        nd_monitor_count(s->hooks.monitor, ND_MON_REBALANCED);
        if (!rd_kafka_assignment(rk, &now)) {
                s->st.assigned = (unsigned)now->cnt;
                nd_monitor_set_assignment(s->hooks.monitor, now->cnt);
                rd_kafka_topic_partition_list_destroy(now);
        }
        if (!s->st.ready && err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                s->st.ready = true;
                if (s->hooks.ready)
                        s->hooks.ready(s->hooks.opaque, &s->st);
        }
}

/* ---- Life cycle -------------------------------------------------------- */

static char *
source_uri(const char *group)
{
        nd_buf b = {0};

        /* The same for every instance of a group, so (ce_source, ce_id)
         * names an input record whichever instance processed it. */
        nd_buf_appends(&b, "urn:newsd:");
        for (const unsigned char *p = (const unsigned char *)group; *p; p++) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
                        nd_buf_appendc(&b, (char)*p);
                else
                        nd_buf_printf(&b, "%%%02X", *p);
        }
        return nd_buf_steal(&b);
}

static const char *
group_id(const nd_config *c)
{
        for (size_t i = 0; i < c->consumer.n; i++)
                if (strcmp(c->consumer.v[i].key, "group.id") == 0)
                        return c->consumer.v[i].value;
        for (size_t i = 0; i < c->kafka.n; i++)
                if (strcmp(c->kafka.v[i].key, "group.id") == 0)
                        return c->kafka.v[i].value;
        return "newsd";
}

void
nd_service_pipeline_hooks(const nd_service *s, nd_pipeline_conf *pc)
{
        if (s->hooks.monitor) {
                pc->on_stage = nd_monitor_on_stage;
                pc->on_stage_opaque = s->hooks.monitor;
        }
}

nd_service *
nd_service_new(const nd_config *c, const nd_service_hooks *hooks,
               char *errstr, size_t errstr_size)
{
        nd_service *s = calloc(1, sizeof(*s));
        rd_kafka_conf_t *rc = NULL;
        nd_pipeline_conf pc;

        if (!s) {
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
                return NULL;
        }
        s->conf = c;
        if (hooks)
                s->hooks = *hooks;
        s->max_in_flight = c->max_in_flight ? c->max_in_flight
                                            : DEFAULT_MAX_IN_FLIGHT;
        s->low_water = s->max_in_flight / 2;
        s->shutdown_ms = c->shutdown_timeout_ms ? c->shutdown_timeout_ms
                                                : DEFAULT_SHUTDOWN_MS;
        if (check_forced(c, errstr, errstr_size))
                goto fail;
        if (c->delivery == ND_DELIVERY_EXACTLY_ONCE) {
                /* Transactions (offsets sent with the output) are not built
                 * yet; running at-least-once instead would break the
                 * promise the setting makes. */
                nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                          "pipeline.delivery = exactly-once is not supported "
                          "yet; use at-least-once and drop duplicates by "
                          "ce_id (see docs/delivery.md)");
                goto fail;
        }

        nd_config_pipeline_conf(c, &pc);
        nd_service_pipeline_hooks(s, &pc);
        s->pipeline = nd_pipeline_new(&pc, errstr, errstr_size);
        s->source = source_uri(group_id(c));
        s->dataschema = strdup(pc.dataschema_uri ? pc.dataschema_uri : "");
        s->tracker = nd_tracker_new();
        if (!s->pipeline)
                goto fail;
        if (!s->source || !s->dataschema || !s->tracker) {
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
                goto fail;
        }
        s->oc.event_topic = c->output ? c->output : "news.enriched";
        s->output = nd_template_parse(s->oc.event_topic, errstr,
                                      errstr_size);
        if (!s->output)
                goto fail;
        s->entities = c->entities && *c->entities ? c->entities : NULL;
        s->oc.dead_letter_topic = c->dead_letter ? c->dead_letter : "news.dlq";
        s->oc.mode = c->event_format;
        s->oc.source = s->source;
        s->oc.dataschema = s->dataschema;

        if (!(rc = kafka_conf(s, false, errstr, errstr_size)))
                goto fail;
        s->producer = rd_kafka_new(RD_KAFKA_PRODUCER, rc, errstr, errstr_size);
        if (!s->producer) {
                rd_kafka_conf_destroy(rc);
                goto fail_kafka;
        }
        if (!(rc = kafka_conf(s, true, errstr, errstr_size)))
                goto fail;
        s->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, rc, errstr, errstr_size);
        if (!s->consumer) {
                rd_kafka_conf_destroy(rc);
                goto fail_kafka;
        }
        /* One queue for everything the consumer reports. */
        rd_kafka_poll_set_consumer(s->consumer);
        return s;
fail_kafka:
        /* librdkafka's own message; classify it as configuration. */
        {
                char tmp[512];
                snprintf(tmp, sizeof(tmp), "%s", errstr);
                nd_seterr(errstr, errstr_size, ND_ERR_CONFIG, "%s", tmp);
        }
fail:
        nd_service_destroy(s);
        return NULL;
}

static nd_err
subscribe(nd_service *s, char *errstr, size_t errstr_size)
{
        const nd_strvec *in = &s->conf->input;
        rd_kafka_topic_partition_list_t *topics =
                rd_kafka_topic_partition_list_new(in->n ? (int)in->n : 1);
        rd_kafka_resp_err_t err;

        if (in->n == 0)
                rd_kafka_topic_partition_list_add(topics, "news.raw",
                                                  RD_KAFKA_PARTITION_UA);
        for (size_t i = 0; i < in->n; i++)
                rd_kafka_topic_partition_list_add(topics, in->v[i],
                                                  RD_KAFKA_PARTITION_UA);
        err = rd_kafka_subscribe(s->consumer, topics);
        rd_kafka_topic_partition_list_destroy(topics);
        if (err)
                return nd_seterr(errstr, errstr_size, ND_ERR_KAFKA,
                                 "cannot subscribe: %s",
                                 rd_kafka_err2str(err));
        return ND_OK;
}

static void
tick(nd_service *s)
{
        s->st.queued = s->queue.n;
        nd_monitor_heartbeat(s->hooks.monitor);
        nd_monitor_set_in_flight(s->hooks.monitor, s->st.in_flight);
        if (s->hooks.tick)
                s->hooks.tick(s->hooks.opaque, &s->st);
}

/* Commits the stored offsets and waits for the outcome until @p deadline,
 * serving the consumer meanwhile (a broker that is away must not hold the
 * stop past its deadline). */
static void
commit_bounded(nd_service *s, int64_t deadline)
{
        uint64_t before = s->commit_results;
        rd_kafka_resp_err_t err = rd_kafka_commit(s->consumer, NULL, 1);

        if (err) {
                if (err != RD_KAFKA_RESP_ERR__NO_OFFSET)
                        nd_log(LOG_WARNING, "offset commit failed: %s",
                               rd_kafka_err2str(err));
                return;
        }
        while (s->commit_results == before && now_ms() < deadline) {
                rd_kafka_message_t *m =
                        rd_kafka_consumer_poll(s->consumer, LOOP_BUSY_MS);
                if (m)
                        handle_message(s, m);
                rd_kafka_poll(s->producer, 0);
        }
        if (s->commit_results == before)
                nd_log(LOG_WARNING, "offset commit not confirmed in time");
}

/* Leaves the group, serving the revocation, until @p deadline at most;
 * nd_service_destroy() skips the close when it did not finish. */
static void
close_bounded(nd_service *s, int64_t deadline)
{
        rd_kafka_queue_t *q = rd_kafka_queue_new(s->consumer);
        rd_kafka_error_t *error = rd_kafka_consumer_close_queue(s->consumer, q);

        s->close_started = true;
        if (error) {
                nd_log(LOG_WARNING, "closing the consumer: %s",
                       rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                rd_kafka_queue_destroy(q);
                return;
        }
        while (!rd_kafka_consumer_closed(s->consumer) && now_ms() < deadline) {
                rd_kafka_event_t *ev = rd_kafka_queue_poll(q, LOOP_BUSY_MS);
                if (ev && rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
                        rebalance_cb(s->consumer, rd_kafka_event_error(ev),
                                     rd_kafka_event_topic_partition_list(ev),
                                     s);
                if (ev)
                        rd_kafka_event_destroy(ev);
                rd_kafka_poll(s->producer, 0);
        }
        s->consumer_closed = rd_kafka_consumer_closed(s->consumer);
        if (!s->consumer_closed)
                nd_log(LOG_WARNING, "consumer not closed in time; the group "
                                    "will notice when the session expires");
        rd_kafka_queue_destroy(q);
}

/*
 * Stops fetching, delivers what is in flight, commits and closes, within
 * shutdown_timeout_ms: six tenths for the in-flight records, three for the
 * commit and leaving the group, the rest for the producer. A second stop
 * request abandons the drain and shortens the rest to a few seconds.
 */
static void
shut_down(nd_service *s)
{
        int64_t start = now_ms(), deadline = start + s->shutdown_ms;
        int64_t drained_by = start + s->shutdown_ms * 6 / 10;
        int64_t closed_by = start + s->shutdown_ms * 9 / 10;
        int64_t left;

        s->stop_deadline = deadline;
        s->st.stopping = true;
        nd_monitor_set_consumer(s->hooks.monitor, ND_CONSUMER_STOPPING);
        if (s->hooks.stopping)
                s->hooks.stopping(s->hooks.opaque, &s->st);
        nd_log(LOG_INFO, "stopping: %u record(s) in flight", s->st.in_flight);
        set_paused(s, true);
        drop_records(s, &s->queue, NULL);
        while (s->st.in_flight > 0 && now_ms() < drained_by &&
               s->stop_requests < 2 && !s->fatal) {
                rd_kafka_message_t *m;
                rd_kafka_poll(s->producer, LOOP_BUSY_MS);
                run_retries(s);
                /* Keeps the group session and serves rebalances. */
                if ((m = rd_kafka_consumer_poll(s->consumer, 0)))
                        handle_message(s, m);
                tick(s);
        }
        if (s->st.in_flight > 0)
                nd_log(LOG_WARNING,
                       "stopping with %u record(s) undelivered; they are not "
                       "committed and will be read again",
                       s->st.in_flight);
        /* Only what was delivered is stored, so only that is committed. */
        drop_records(s, &s->retry, NULL);
        if (s->stop_requests >= 2 && closed_by > now_ms() + FORCED_STEP_MS)
                closed_by = now_ms() + FORCED_STEP_MS;
        commit_bounded(s, closed_by);
        close_bounded(s, closed_by);
        left = deadline - now_ms();
        if (s->stop_requests >= 2 || left <= 0) {
                rd_kafka_purge(s->producer, RD_KAFKA_PURGE_F_QUEUE |
                                                    RD_KAFKA_PURGE_F_INFLIGHT);
                left = FORCED_STEP_MS;
        }
        if (rd_kafka_flush(s->producer, (int)left) != 0)
                nd_log(LOG_WARNING, "producer not flushed in time");
        nd_log(LOG_INFO,
               "stopped: %" PRIu64 " in, %" PRIu64 " events, %" PRIu64
               " dead-lettered, %" PRIu64 " entity records",
               s->st.records_in, s->st.events_out, s->st.dead_lettered,
               s->st.entities_out);
}

nd_err
nd_service_run(nd_service *s, char *errstr, size_t errstr_size)
{
        nd_err err = subscribe(s, errstr, errstr_size);

        if (err)
                return err;
        nd_monitor_set_consumer(s->hooks.monitor, ND_CONSUMER_JOINING);
        nd_log(LOG_INFO, "running: %s -> %s (dead letters: %s)",
               s->conf->input.n ? s->conf->input.v[0] : "news.raw",
               s->oc.event_topic, s->oc.dead_letter_topic);
        while (s->stop_requests == 0 && !s->fatal) {
                rd_kafka_message_t *m;
                bool busy = s->st.in_flight > 0;

                rd_kafka_poll(s->producer, 0);
                run_retries(s);
                dispatch_queued(s);
                if (update_backpressure(s)) {
                        rd_kafka_poll(s->producer, LOOP_BUSY_MS);
                        tick(s);
                        continue;
                }
                m = rd_kafka_consumer_poll(s->consumer,
                                           busy ? LOOP_BUSY_MS : LOOP_IDLE_MS);
                if (m)
                        handle_message(s, m);
                tick(s);
        }
        shut_down(s);
        if (s->fatal)
                return nd_seterr(errstr, errstr_size, ND_ERR_KAFKA,
                                 "fatal Kafka error: %s", s->fatal_reason);
        return ND_OK;
}

void
nd_service_request_stop(nd_service *s)
{
        if (s->stop_requests < 2)
                s->stop_requests++;
}

void
nd_service_stats_get(const nd_service *s, nd_service_stats *st)
{
        *st = s->st;
        st->queued = s->queue.n;
}

void
nd_service_destroy(nd_service *s)
{
        nd_rec *r;

        if (!s)
                return;
        while ((r = list_pop(&s->queue)))
                rec_free(r);
        while ((r = list_pop(&s->retry)))
                rec_free(r);
        /* librdkafka cannot destroy a consumer whose close is still
         * waiting for an unreachable coordinator: its thread waits for the
         * group to terminate. Such a handle is left to the process exit,
         * which is what follows a stop. */
        if (s->consumer && s->close_started && !s->consumer_closed)
                nd_log(LOG_WARNING, "consumer handle abandoned after an "
                                    "unfinished close");
        else if (s->consumer)
                rd_kafka_destroy(s->consumer);
        if (s->producer)
                rd_kafka_destroy(s->producer);
        nd_tracker_destroy(s->tracker);
        nd_template_destroy(s->output);
        nd_pipeline_destroy(s->pipeline);
        free(s->source);
        free(s->dataschema);
        free(s);
}

/* ---- For the systemd life cycle ---------------------------------------- */

bool
nd_service_producer_up(const nd_service *s)
{
        /* The controller is known once a broker answered with metadata; a
         * timeout of 0 only reads the cache. */
        return rd_kafka_controllerid(s->producer, 0) >= 0;
}

int64_t
nd_service_lag(nd_service *s)
{
        rd_kafka_topic_partition_list_t *parts = NULL;
        int64_t lag = 0;
        bool known = false;

        if (rd_kafka_assignment(s->consumer, &parts) || !parts)
                return -1;
        if (rd_kafka_position(s->consumer, parts) ==
            RD_KAFKA_RESP_ERR_NO_ERROR) {
                for (int i = 0; i < parts->cnt; i++) {
                        const rd_kafka_topic_partition_t *p = &parts->elems[i];
                        int64_t lo, hi;

                        if (rd_kafka_get_watermark_offsets(
                                    s->consumer, p->topic, p->partition, &lo,
                                    &hi) != RD_KAFKA_RESP_ERR_NO_ERROR ||
                            hi < 0)
                                continue;
                        /* No position yet: everything from the low mark. */
                        int64_t pos = p->offset >= 0 ? p->offset : lo;

                        if (hi > pos)
                                lag += hi - pos;
                        known = true;
                }
        }
        rd_kafka_topic_partition_list_destroy(parts);
        return known ? lag : -1;
}

nd_pipeline *
nd_service_swap_pipeline(nd_service *s, nd_pipeline *p)
{
        nd_pipeline *old = s->pipeline;

        s->pipeline = p;
        return old;
}

void
nd_service_apply_limits(nd_service *s, const nd_config *c)
{
        s->max_in_flight = c->max_in_flight ? c->max_in_flight
                                            : DEFAULT_MAX_IN_FLIGHT;
        s->low_water = s->max_in_flight / 2;
        s->shutdown_ms = c->shutdown_timeout_ms ? c->shutdown_timeout_ms
                                                : DEFAULT_SHUTDOWN_MS;
}
