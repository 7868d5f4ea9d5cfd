/* The Kafka service: one thread consumes, runs the pipeline, produces, and
 * stores an input's offset only once its output is acknowledged and every
 * earlier input of its partition is too (at-least-once; docs/delivery.md).
 * This file: configuration of the handles, the main loop, backpressure and
 * the life cycle. */
#include "service_int.h"

int64_t
nd_svc_now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
nd_svc_list_push(rec_list *l, nd_rec *r)
{
        r->next = NULL;
        if (l->tail)
                l->tail->next = r;
        else
                l->head = r;
        l->tail = r;
        l->n++;
}

nd_rec *
nd_svc_list_pop(rec_list *l)
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

bool
nd_svc_rec_free(nd_rec *r)
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

void
nd_svc_rec_done(nd_service *s, nd_rec *r)
{
        if (nd_svc_rec_free(r))
                s->st.in_flight--;
}

void
nd_svc_rec_fields(const nd_rec *r, nd_log_fields *f, const char *error)
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
                                            errstr, errstr_size, ND_ERR_CONFIG,
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
                snprintf(s->fatal_reason, sizeof(s->fatal_reason), "%s", fatal);
                s->fatal = true;
                return;
        }
        /* Transient by nature (brokers down, timeouts): librdkafka
         * reconnects and retries by itself. Connection failures are in its
         * own log lines already. */
        nd_log(err == RD_KAFKA_RESP_ERR__TRANSPORT ? LOG_DEBUG : LOG_WARNING,
               "%s: %s: %s", rd_kafka_name(rk), rd_kafka_err2name(err), reason);
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

static rd_kafka_conf_t *
kafka_conf(nd_service *s, bool consumer, char *errstr, size_t errstr_size)
{
        const nd_config *c = s->conf;
        rd_kafka_conf_t *rc =
            nd_config_kafka_conf(c, consumer, errstr, errstr_size);
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
                    conf_set(rc, "auto.offset.reset", "earliest", NULL, errstr,
                             errstr_size))
                        goto fail;
                if (!kv_has(&c->consumer, "partition.assignment.strategy") &&
                    !kv_has(&c->kafka, "partition.assignment.strategy") &&
                    conf_set(rc, "partition.assignment.strategy",
                             "cooperative-sticky", NULL, errstr, errstr_size))
                        goto fail;
                rd_kafka_conf_set_rebalance_cb(rc, nd_svc_rebalance_cb);
                rd_kafka_conf_set_offset_commit_cb(rc, nd_svc_commit_cb);
        } else {
                if (conf_set(rc, "enable.idempotence", "true", NULL, errstr,
                             errstr_size) ||
                    conf_set(rc, "acks", "all", NULL, errstr, errstr_size))
                        goto fail;
                rd_kafka_conf_set_dr_msg_cb(rc, nd_svc_dr_msg_cb);
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

void
nd_svc_set_paused(nd_service *s, bool pause)
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
        bool full =
            s->st.in_flight >= s->max_in_flight || queue_full_waiting(s);
        int64_t now = nd_svc_now_ms();

        if (!full) {
                s->full_since = 0;
                if (s->st.paused && s->queue.n == 0 &&
                    s->st.in_flight <= s->low_water)
                        nd_svc_set_paused(s, false);
                return false;
        }
        if (!s->full_since)
                s->full_since = now;
        if (!s->st.paused && now - s->full_since >= PAUSE_AFTER_MS)
                nd_svc_set_paused(s, true);
        return !s->st.paused;
}

/* ---- Processing -------------------------------------------------------- */

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
                r->part =
                    nd_tracker_part_get(s->tracker, topic, r->msg->partition);
        }
        while (!(r->outputs = calloc(1, sizeof(*r->outputs)))) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nd_log(LOG_ERR, "out of memory dispatching a record");
                nanosleep(&ts, NULL);
        }
        *r->outputs = 1;
        nd_svc_build_output(s, r, &more);
        err = nd_tracker_track_outputs(r->part, r->msg->offset, *r->outputs);
        if (err == ND_ERR_INTERNAL) {
                nd_log_fields f;
                /* The consumer went back (offset reset, seek): start the
                 * partition over; reports of the older records no longer
                 * count. */
                nd_svc_rec_fields(r, &f, NULL);
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
        nd_svc_produce(s, r);
        while ((o = nd_svc_list_pop(&more)))
                nd_svc_produce(s, o);
}

static void
dispatch_queued(nd_service *s)
{
        while (s->queue.n > 0 && s->st.in_flight < s->max_in_flight &&
               !queue_full_waiting(s))
                dispatch(s, nd_svc_list_pop(&s->queue));
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
        nd_svc_list_push(&s->queue, r);
        dispatch_queued(s);
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
nd_service_new(const nd_config *c, const nd_service_hooks *hooks, char *errstr,
               size_t errstr_size)
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
        s->max_in_flight =
            c->max_in_flight ? c->max_in_flight : DEFAULT_MAX_IN_FLIGHT;
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
        s->output = nd_template_parse(s->oc.event_topic, errstr, errstr_size);
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
                                 "cannot subscribe: %s", rd_kafka_err2str(err));
        return ND_OK;
}

void
nd_svc_tick(nd_service *s)
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
        while (s->commit_results == before && nd_svc_now_ms() < deadline) {
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
        while (!rd_kafka_consumer_closed(s->consumer) &&
               nd_svc_now_ms() < deadline) {
                rd_kafka_event_t *ev = rd_kafka_queue_poll(q, LOOP_BUSY_MS);
                if (ev && rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
                        nd_svc_rebalance_cb(
                            s->consumer, rd_kafka_event_error(ev),
                            rd_kafka_event_topic_partition_list(ev), s);
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
        int64_t start = nd_svc_now_ms(), deadline = start + s->shutdown_ms;
        int64_t drained_by = start + s->shutdown_ms * 6 / 10;
        int64_t closed_by = start + s->shutdown_ms * 9 / 10;
        int64_t left;

        s->stop_deadline = deadline;
        s->st.stopping = true;
        nd_monitor_set_consumer(s->hooks.monitor, ND_CONSUMER_STOPPING);
        if (s->hooks.stopping)
                s->hooks.stopping(s->hooks.opaque, &s->st);
        nd_log(LOG_INFO, "stopping: %u record(s) in flight", s->st.in_flight);
        nd_svc_set_paused(s, true);
        nd_svc_drop_records(s, &s->queue, NULL);
        while (s->st.in_flight > 0 && nd_svc_now_ms() < drained_by &&
               s->stop_requests < 2 && !s->fatal) {
                rd_kafka_message_t *m;
                rd_kafka_poll(s->producer, LOOP_BUSY_MS);
                nd_svc_run_retries(s);
                /* Keeps the group session and serves rebalances. */
                if ((m = rd_kafka_consumer_poll(s->consumer, 0)))
                        handle_message(s, m);
                nd_svc_tick(s);
        }
        if (s->st.in_flight > 0)
                nd_log(LOG_WARNING,
                       "stopping with %u record(s) undelivered; they are not "
                       "committed and will be read again",
                       s->st.in_flight);
        /* Only what was delivered is stored, so only that is committed. */
        nd_svc_drop_records(s, &s->retry, NULL);
        if (s->stop_requests >= 2 &&
            closed_by > nd_svc_now_ms() + FORCED_STEP_MS)
                closed_by = nd_svc_now_ms() + FORCED_STEP_MS;
        commit_bounded(s, closed_by);
        close_bounded(s, closed_by);
        left = deadline - nd_svc_now_ms();
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
                nd_svc_run_retries(s);
                dispatch_queued(s);
                if (update_backpressure(s)) {
                        rd_kafka_poll(s->producer, LOOP_BUSY_MS);
                        nd_svc_tick(s);
                        continue;
                }
                m = rd_kafka_consumer_poll(s->consumer,
                                           busy ? LOOP_BUSY_MS : LOOP_IDLE_MS);
                if (m)
                        handle_message(s, m);
                nd_svc_tick(s);
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
        while ((r = nd_svc_list_pop(&s->queue)))
                nd_svc_rec_free(r);
        while ((r = nd_svc_list_pop(&s->retry)))
                nd_svc_rec_free(r);
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
        return nd_monitor_lag_total(s->hooks.monitor);
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
        s->max_in_flight =
            c->max_in_flight ? c->max_in_flight : DEFAULT_MAX_IN_FLIGHT;
        s->low_water = s->max_in_flight / 2;
        s->shutdown_ms = c->shutdown_timeout_ms ? c->shutdown_timeout_ms
                                                : DEFAULT_SHUTDOWN_MS;
}
