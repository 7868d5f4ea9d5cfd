/* newsd run: the Kafka service. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "build_config.h"
#include "cli.h"
#include "newsd/config.h"
#include "newsd/http.h"
#include "newsd/lifecycle.h"
#include "newsd/log.h"
#include "newsd/monitor.h"
#include "newsd/service.h"

/* The running service and its life cycle, for the signal handlers. */
static nd_service *running;
static nd_lifecycle *lifecycle;

static void
on_stop_signal(int sig)
{
        (void)sig;
        if (running)
                nd_service_request_stop(running);
}

static void
on_reload_signal(int sig)
{
        (void)sig;
        if (lifecycle)
                nd_lifecycle_request_reload(lifecycle);
}

static void
run_usage(FILE *out)
{
        fprintf(out,
                "Usage: newsd run [-c FILE] [-X section.key=value]...\n"
                "\n"
                "Consumes raw articles from the input topics, publishes one "
                "event per article\nto the output topic and what cannot "
                "become one to the dead-letter topic.\nAn input's offset is "
                "committed only once its output is acknowledged.\n"
                "\n"
                "  -c, --config FILE     configuration file (default %s,\n"
                "                        used only when it exists)\n"
                "  -X section.key=value  override a configuration key, e.g.\n"
                "                        -X kafka.bootstrap.servers=host:9092\n"
                "  -h, --help            show this help\n"
                "\n"
                "SIGTERM or SIGINT: stop fetching, deliver what is in flight, "
                "commit and exit 0\nwithin pipeline.shutdown-timeout-ms. A "
                "second signal gives up on what is still\nin flight (it is "
                "not committed, so it is read again on the next start).\n",
                NEWSD_DEFAULT_CONFIG);
}

/* The metrics registry, and its HTTP endpoint unless [metrics] listen is
 * empty; the endpoint comes up first so probes get answers (503) while the
 * service connects. */
static nd_err
start_metrics(const nd_config *conf, nd_monitor **mon, nd_http **http)
{
        nd_http_conf hc = {.listen = conf->metrics_listen};
        char errstr[512];

        *mon =
            nd_monitor_new(nd_pipeline_stage_names(), errstr, sizeof(errstr));
        if (!*mon) {
                nd_log(LOG_ERR, "%s", errstr);
                return ND_ERR_NOMEM;
        }
        if (!hc.listen || !*hc.listen)
                return ND_OK;
        *http = nd_http_start(&hc, *mon, errstr, sizeof(errstr));
        if (!*http) {
                nd_log(LOG_ERR, "%s", errstr);
                return ND_ERR_IO;
        }
        nd_log(LOG_INFO, "metrics on http://%s/metrics", hc.listen);
        return ND_OK;
}

int
nd_cmd_run(int argc, char **argv)
{
        static const struct option opts[] = {
                {"config", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *path = NULL;
        nd_strvec overrides = {0}, errors = {0};
        nd_config conf;
        nd_service *s = NULL;
        nd_lifecycle *lc = NULL;
        nd_service_hooks hooks = {0};
        nd_http *http = NULL;
        struct sigaction sa;
        char errstr[512];
        int c, rc = ND_EXIT_OK;
        bool loaded = false;

        optind = 1;
        while ((c = getopt_long(argc, argv, "c:X:h", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        path = optarg;
                        break;
                case 'X':
                        nd_strvec_push(&overrides, optarg);
                        break;
                case 'h':
                        run_usage(stdout);
                        goto out;
                default:
                        run_usage(stderr);
                        rc = ND_EXIT_USAGE;
                        goto out;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "newsd run: unexpected argument '%s'\n",
                        argv[optind]);
                rc = ND_EXIT_USAGE;
                goto out;
        }
        loaded = true;
        if (nd_config_load(&conf, path, &overrides, &errors) != ND_OK) {
                for (size_t i = 0; i < errors.n; i++)
                        fprintf(stderr, "%s\n", errors.v[i]);
                rc = ND_EXIT_USAGE;
                goto out;
        }
        nd_log_setup(conf.log_level, conf.log_target);

        /* systemd: READY/STATUS/STOPPING, the watchdog, SIGHUP reloads. */
        lc = nd_lifecycle_new(&conf, path, &overrides);
        if (!lc) {
                nd_log(LOG_ERR, "out of memory");
                rc = ND_EXIT_FAILURE;
                goto out;
        }
        nd_lifecycle_hooks(lc, &hooks);
        if (start_metrics(&conf, &hooks.monitor, &http) != ND_OK) {
                rc = ND_EXIT_FAILURE;
                goto out;
        }
        s = nd_service_new(&conf, &hooks, errstr, sizeof(errstr));
        if (!s) {
                nd_log(LOG_ERR, "%s", errstr);
                rc = strstr(errstr, "out of memory") ? ND_EXIT_FAILURE
                                                     : ND_EXIT_USAGE;
                goto out;
        }
        /* The handlers only set a flag the main loop reads. */
        running = s;
        nd_lifecycle_attach(lc, s);
        lifecycle = lc;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        sa.sa_handler = on_reload_signal;
        sigaction(SIGHUP, &sa, NULL);

        if (nd_service_run(s, errstr, sizeof(errstr)) != ND_OK) {
                nd_log(LOG_ERR, "%s", errstr);
                rc = ND_EXIT_FAILURE;
        }
        running = NULL;
        lifecycle = NULL;
out:
        nd_service_destroy(s);
        nd_lifecycle_destroy(lc);
        nd_http_stop(http);
        nd_monitor_destroy(hooks.monitor);
        if (loaded)
                nd_config_free(&conf);
        nd_strvec_clear(&overrides);
        nd_strvec_clear(&errors);
        return rc;
}
