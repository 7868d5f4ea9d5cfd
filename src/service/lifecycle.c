/* The service's life cycle under systemd: the service hooks send READY=1
 * once the consumer joined its group and the producer reached a broker,
 * STATUS= with the live figures, WATCHDOG=1 from each loop turn, STOPPING=1
 * and drain extensions; a SIGHUP reloads the configuration in a turn. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "newsd/lifecycle.h"
#include "newsd/log.h"
#include "newsd/notify.h"

struct nd_lifecycle {
        const nd_config *conf; /* borrowed: what the service runs with */
        char *path;            /* owned, NULL: the default file */
        nd_strvec overrides;   /* owned copies of the -X arguments */
        nd_service *service;   /* borrowed */
        bool ready_sent;
        bool waiting_logged; /* "waiting for the producer" said once */
        volatile sig_atomic_t reload_requests;
};

nd_lifecycle *
nd_lifecycle_new(const nd_config *conf, const char *path,
                 const nd_strvec *overrides)
{
        nd_lifecycle *l = calloc(1, sizeof(*l));

        if (!l)
                return NULL;
        l->conf = conf;
        if (path && !(l->path = strdup(path)))
                goto fail;
        for (size_t i = 0; overrides && i < overrides->n; i++)
                if (!nd_strvec_push(&l->overrides, overrides->v[i]))
                        goto fail;
        nd_notify_init(nd_notify_now());
        nd_notify_status("connecting to Kafka");
        return l;
fail:
        nd_lifecycle_destroy(l);
        return NULL;
}

void
nd_lifecycle_attach(nd_lifecycle *l, nd_service *s)
{
        l->service = s;
}

void
nd_lifecycle_request_reload(nd_lifecycle *l)
{
        l->reload_requests = 1;
}

/*
 * Loads the file again. A file with errors is rejected (every error
 * logged) and the running configuration stays; otherwise the reloadable
 * settings are applied: a new pipeline (data, limits, stage switches) is
 * built and swapped in, the service's limits and the log level are set.
 * Changed settings that need a restart are named and left as they run.
 */
static void
reload(nd_lifecycle *l)
{
        nd_log_fields f = {.partition = -1, .offset = -1, .error = "config"};
        nd_config neu;
        nd_strvec errors = {0}, restart = {0};
        nd_pipeline_conf pc;
        nd_pipeline *p;
        char errstr[512];

        if (l->ready_sent)
                nd_notify_reloading();
        nd_log(LOG_NOTICE, "SIGHUP: reloading %s",
               l->path ? l->path : "the default configuration");
        if (nd_config_load(&neu, l->path, &l->overrides, &errors) != ND_OK) {
                for (size_t i = 0; i < errors.n; i++)
                        nd_logf(LOG_ERR, &f, "reload: %s", errors.v[i]);
                nd_logf(LOG_ERR, &f,
                        "reload rejected: %zu error(s) in the configuration; "
                        "still running the previous one",
                        errors.n);
                goto out;
        }
        nd_config_pipeline_conf(&neu, &pc);
        nd_service_pipeline_hooks(l->service, &pc);
        p = nd_pipeline_new(&pc, errstr, sizeof(errstr));
        if (!p) {
                nd_logf(LOG_ERR, &f,
                        "reload rejected: %s; still running the previous "
                        "configuration",
                        errstr);
                goto out;
        }
        nd_pipeline_destroy(nd_service_swap_pipeline(l->service, p));
        nd_service_apply_limits(l->service, &neu);
        /* The target stays: where stderr goes does not change. */
        nd_log_setup(neu.log_level, l->conf->log_target);
        if (!nd_config_reloadable_diff(l->conf, &neu, &restart))
                for (size_t i = 0; i < restart.n; i++)
                        nd_log(LOG_WARNING,
                               "reload: %s changed but needs a restart; "
                               "still running with the previous value",
                               restart.v[i]);
        nd_log(LOG_NOTICE, "configuration reloaded%s",
               restart.n ? " (some changes need a restart)" : "");
out:
        nd_config_free(&neu);
        nd_strvec_clear(&errors);
        nd_strvec_clear(&restart);
        if (l->ready_sent)
                nd_notify_ready();
}

static void
send_status(nd_lifecycle *l, uint64_t now, const nd_service_stats *st)
{
        nd_notify_figures fig = {
            .records_in = st->records_in,
            .records_out = st->events_out,
            .dead_lettered = st->dead_lettered,
            .lag = nd_service_lag(l->service),
            .paused = st->paused,
        };

        nd_notify_status_send(now, &fig);
}

static void
on_tick(void *opaque, const nd_service_stats *st)
{
        nd_lifecycle *l = opaque;
        uint64_t now = nd_notify_now();

        /* Only here: a loop that stops turning stops the pings. */
        nd_notify_watchdog_tick(now);
        if (st->stopping) {
                nd_notify_drain_tick(now, st->in_flight);
                return;
        }
        if (!l->ready_sent && st->ready) {
                if (nd_service_producer_up(l->service)) {
                        l->ready_sent = true;
                        nd_notify_ready();
                        nd_log(LOG_INFO, "ready: consumer in its group, "
                                         "producer connected");
                } else if (!l->waiting_logged) {
                        l->waiting_logged = true;
                        nd_notify_status("consumer in its group; waiting "
                                         "for the producer to reach a "
                                         "broker");
                }
        }
        if (l->reload_requests) {
                l->reload_requests = 0;
                reload(l);
        }
        if (l->ready_sent && nd_notify_status_due(now)) {
                send_status(l, now, st);
                nd_log_flush_suppressed(false);
        }
}

static void
on_stopping(void *opaque, const nd_service_stats *st)
{
        (void)opaque;
        (void)st;
        nd_notify_stopping();
}

void
nd_lifecycle_hooks(nd_lifecycle *l, nd_service_hooks *hooks)
{
        memset(hooks, 0, sizeof(*hooks));
        hooks->opaque = l;
        hooks->tick = on_tick;
        hooks->stopping = on_stopping;
}

void
nd_lifecycle_destroy(nd_lifecycle *l)
{
        if (!l)
                return;
        nd_log_flush_suppressed(true);
        free(l->path);
        nd_strvec_clear(&l->overrides);
        free(l);
}
