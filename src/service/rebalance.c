/* Rebalancing: revoked partitions are drained and committed before they
 * move; assigned ones start with fresh tracking. Both the cooperative and
 * the eager protocol. */
#include "service_int.h"

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
void
nd_svc_drop_records(nd_service *s, rec_list *l,
                    const rd_kafka_topic_partition_list_t *parts)
{
        rec_list keep = {0};
        nd_rec *r;

        while ((r = nd_svc_list_pop(l))) {
                if (parts && !in_list(parts, rd_kafka_topic_name(r->msg->rkt),
                                      r->msg->partition)) {
                        nd_svc_list_push(&keep, r);
                        continue;
                }
                if (r->part)
                        nd_svc_rec_done(s, r); /* dispatched: counted */
                else
                        nd_svc_rec_free(r);
        }
        *l = keep;
        s->st.queued = s->queue.n;
}

static size_t
pending_in(nd_service *s, const rd_kafka_topic_partition_list_t *parts)
{
        size_t n = 0;

        for (int i = 0; i < parts->cnt; i++) {
                nd_tracker_part *p =
                    nd_tracker_part_get(s->tracker, parts->elems[i].topic,
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
        while (pending_in(s, parts) > 0 && nd_svc_now_ms() < deadline &&
               s->stop_requests < 2 && !s->fatal) {
                rd_kafka_poll(s->producer, LOOP_BUSY_MS);
                nd_svc_run_retries(s);
                nd_svc_tick(s);
        }
}

/* Errors after which the same commit, with the same generation, can still
 * go through: the coordinator is busy or moving, or the group is between
 * two steps of a rebalance. ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID are
 * not among them: the group moved on, the partitions are no longer ours to
 * commit. */
static bool
commit_retriable(rd_kafka_resp_err_t err)
{
        switch (err) {
        case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
        case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
        case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
        case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
        case RD_KAFKA_RESP_ERR__TRANSPORT:
                return true;
        default:
                return false;
        }
}

/* Commits synchronously what was stored, while the revoked partitions are
 * still assigned: a failure that may pass is retried until @p deadline,
 * serving the producer meanwhile. The group can still refuse for good: a
 * member that joins while this one is inside its revocation starts a
 * rebalance that waits for this member, so the commit cannot succeed
 * before the partitions are given up. The error is returned; the caller
 * reports what the next owner reads again. */
static rd_kafka_resp_err_t
commit_revoked(nd_service *s, rd_kafka_t *rk, int64_t deadline)
{
        int wait_ms = RETRY_MIN_MS;
        rd_kafka_resp_err_t err;

        for (;;) {
                err = rd_kafka_commit(rk, NULL, 0);
                if (!err || err == RD_KAFKA_RESP_ERR__NO_OFFSET ||
                    !commit_retriable(err) ||
                    nd_svc_now_ms() + wait_ms > deadline ||
                    s->stop_requests >= 2 || s->fatal)
                        return err;
                nd_log(LOG_INFO,
                       "commit of revoked partitions: %s, "
                       "retrying in %d ms",
                       rd_kafka_err2str(err), wait_ms);
                for (int64_t until = nd_svc_now_ms() + wait_ms;
                     nd_svc_now_ms() < until;)
                        rd_kafka_poll(s->producer, LOOP_BUSY_MS);
                if (wait_ms < REVOKE_COMMIT_RETRY_MS / 4)
                        wait_ms *= 2;
        }
}

/* One line per revoked partition saying where its next owner starts: the
 * offset just committed, or on failure the last commit the coordinator
 * confirmed (-1: none since the partition was assigned here). Everything
 * from there on that was already delivered comes out again. */
static void
log_revoked_commits(nd_service *s, const rd_kafka_topic_partition_list_t *parts,
                    rd_kafka_resp_err_t err)
{
        for (int i = 0; i < parts->cnt; i++) {
                const char *topic = parts->elems[i].topic;
                int32_t partition = parts->elems[i].partition;
                nd_tracker_part *p =
                    nd_tracker_part_get(s->tracker, topic, partition);
                nd_log_fields f = {.topic = topic, .partition = partition};

                if (!p)
                        continue;
                if (!err && nd_tracker_stored(p) >= 0)
                        nd_tracker_set_committed(p, nd_tracker_stored(p));
                f.offset = nd_tracker_committed(p);
                if (!err || err == RD_KAFKA_RESP_ERR__NO_OFFSET)
                        nd_logf(LOG_INFO, &f,
                                "revoked %s[%d]: committed %" PRId64, topic,
                                (int)partition, nd_tracker_committed(p));
                else
                        nd_logf(LOG_WARNING, &f,
                                "revoked %s[%d]: commit failed (%s), next "
                                "owner starts at the last commit %" PRId64,
                                topic, (int)partition, rd_kafka_err2str(err),
                                nd_tracker_committed(p));
        }
}

static void
reset_parts(nd_service *s, const rd_kafka_topic_partition_list_t *parts)
{
        for (int i = 0; i < parts->cnt; i++) {
                nd_tracker_part *p =
                    nd_tracker_part_get(s->tracker, parts->elems[i].topic,
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
revoke(nd_service *s, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
       bool cooperative)
{
        rd_kafka_error_t *error = NULL;

        log_parts(rd_kafka_assignment_lost(rk) ? "lost" : "revoked", parts);
        nd_svc_drop_records(s, &s->queue, parts);
        if (!rd_kafka_assignment_lost(rk)) {
                /* Deliver what is in flight for these partitions and commit
                 * it, so the next owner starts right after it. */
                int64_t deadline = nd_svc_now_ms() + s->shutdown_ms;
                rd_kafka_resp_err_t err;

                drain(s, parts, deadline);
                /* When stopping, shut_down() committed already and the
                 * broker may be gone: do not wait for it again. */
                if (s->st.stopping) {
                        rd_kafka_commit(rk, NULL, 1);
                } else {
                        int64_t retry_until =
                            nd_svc_now_ms() + REVOKE_COMMIT_RETRY_MS;

                        err = commit_revoked(
                            s, rk,
                            retry_until < deadline ? retry_until : deadline);
                        log_revoked_commits(s, parts, err);
                }
        }
        nd_svc_drop_records(s, &s->retry, parts);
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

void
nd_svc_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
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
                nd_log(LOG_ERR, "rebalance failed: %s", rd_kafka_err2str(err));
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
