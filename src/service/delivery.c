/* The output side of the service: builds each record's event or dead-letter
 * record, produces it, retries failed deliveries, and turns delivery reports
 * into stored offsets through the tracker. */
#include "service_int.h"

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
        r->retry_at_ms = nd_svc_now_ms() + delay;
        nd_svc_list_push(&s->retry, r);
}

static void handle_failure(nd_service *s, nd_rec *r, rd_kafka_resp_err_t err);

/* Produces r->out; on an immediate failure the record goes to the retry
 * list (it stays in flight either way). */
void
nd_svc_produce(nd_service *s, nd_rec *r)
{
        rd_kafka_headers_t *h = rd_kafka_headers_copy(r->out.headers);
        rd_kafka_resp_err_t err;

        r->attempts++;
        /* No F_COPY: the buffers live in r until the delivery report. */
        err = rd_kafka_producev(
            s->producer, RD_KAFKA_V_TOPIC(r->out.topic),
            RD_KAFKA_V_KEY(r->out.key, r->out.key_len),
            RD_KAFKA_V_VALUE(r->out.value, r->out.value_len),
            RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(r), RD_KAFKA_V_END);
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
        nd_svc_rec_fields(r, &f, nd_err_code(code));
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
        nd_svc_rec_fields(r, &f, "kafka");
        if (r->generation != nd_tracker_generation(r->part)) {
                /* Its partition was revoked meanwhile: the next owner
                 * reads the record again from the last commit. */
                nd_logf(LOG_INFO, &f,
                        "delivery failed after its partition was revoked: "
                        "%s; left to the partition's new owner",
                        rd_kafka_err2str(err));
                nd_svc_rec_done(s, r);
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
                nd_svc_produce(s, r);
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
        if (!err)
                nd_tracker_set_stored(p, offset);
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
                nd_monitor_dead_lettered(s->hooks.monitor, r->dead_letter_code);
        else if (!r->entity) /* events, on every topic they are routed to */
                nd_monitor_produced(
                    s->hooks.monitor,
                    rd_kafka_message_timestamp(r->msg, &tstype));
        nd_monitor_set_broker_up(s->hooks.monitor, true, NULL);
}

void
nd_svc_dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
        nd_service *s = opaque;
        nd_rec *r = m->_private;
        int64_t commit;

        (void)rk;
        if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
            m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
                /* Forced shutdown: not delivered, so not committed. */
                nd_svc_rec_done(s, r);
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
        nd_svc_rec_done(s, r);
}

void
nd_svc_commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
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
                nd_tracker_part *tp;

                if (p->err) {
                        nd_logf(LOG_WARNING, &f, "offset commit failed: %s",
                                rd_kafka_err2str(p->err));
                } else if (p->offset >= 0 &&
                           (tp = nd_tracker_part_get(s->tracker, p->topic,
                                                     p->partition))) {
                        /* What a revocation reports as the next owner's
                         * starting point when its own commit fails. */
                        nd_tracker_set_committed(tp, p->offset);
                }
        }
}

/* Retries every failed delivery that is due. */
void
nd_svc_run_retries(nd_service *s)
{
        int64_t now = nd_svc_now_ms();
        rec_list due = {0}, keep = {0};
        nd_rec *r;

        while ((r = nd_svc_list_pop(&s->retry)))
                nd_svc_list_push(r->retry_at_ms <= now ? &due : &keep, r);
        s->retry = keep;
        while ((r = nd_svc_list_pop(&due))) {
                if (!r->queue_full)
                        nd_monitor_count(s->hooks.monitor,
                                         ND_MON_DELIVERY_RETRIED);
                nd_svc_produce(s, r);
        }
}

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

        if (nd_fanout_build(&fc, &oi, res->uri, res->event, &recs, &n, errstr,
                            sizeof(errstr)) != ND_OK) {
                to_dead_letter(s, r, ND_ERR_NOMEM, errstr);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                nd_rec *o = i == 0 ? r : sibling(r);
                o->out = recs[i].out;
                o->topic = recs[i].topic;
                o->entity = recs[i].entity;
                if (i > 0)
                        nd_svc_list_push(more, o);
        }
        free(recs); /* the records moved into the nd_recs */
}

void
nd_svc_build_output(nd_service *s, nd_rec *r, rec_list *more)
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
