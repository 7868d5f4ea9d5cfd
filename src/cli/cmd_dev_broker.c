/* newsd dev-broker: an embedded development Kafka cluster on loopback. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "newsd/devbroker.h"

static void
dev_broker_usage(FILE *out)
{
        fprintf(out,
                "Usage: newsd dev-broker [--brokers N] [--partitions N] "
                "[--topics a,b,c]\n"
                "\n"
                "Runs librdkafka's mock Kafka cluster on 127.0.0.1 for local "
                "development, the\ndemo and the tests. The first line on "
                "stdout is\n  bootstrap.servers=HOST:PORT,...\n"
                "Data lives in memory only, a few MB per partition.\n"
                "\n"
                "  -b, --brokers N     number of brokers (default 1)\n"
                "  -p, --partitions N  partitions per topic (default 3)\n"
                "  -t, --topics LIST   topics to create, comma separated\n"
                "                      (default news.raw,news.enriched,"
                "news.dlq)\n"
                "  -h, --help          show this help\n"
                "\n"
                "Signals: SIGINT or SIGTERM stop the cluster (exit 0). "
                "SIGUSR1 takes every\nbroker down (connections closed, new "
                "ones refused), SIGUSR2 brings them\nback up: tests use them "
                "to simulate an outage.\n");
}

static int
parse_count(const char *opt, const char *s, int max)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || v < 1 || v > max) {
                fprintf(stderr,
                        "newsd dev-broker: %s must be a number from 1 to %d, "
                        "not '%s'\n",
                        opt, max, s);
                return -1;
        }
        return (int)v;
}

static bool
split_topics(nd_strvec *topics, const char *list)
{
        const char *p = list;

        while (*p) {
                size_t n = strcspn(p, ",");
                if (n > 0 && !nd_strvec_pushn(topics, p, n))
                        return false;
                p += n;
                if (*p == ',')
                        p++;
        }
        return topics->n > 0;
}

int
nd_cmd_dev_broker(int argc, char **argv)
{
        static const struct option opts[] = {
            {"brokers", required_argument, NULL, 'b'},
            {"partitions", required_argument, NULL, 'p'},
            {"topics", required_argument, NULL, 't'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        int brokers = 1, partitions = 3, c, rc = ND_EXIT_OK;
        const char *topic_list = "news.raw,news.enriched,news.dlq";
        nd_strvec topics = {0};
        nd_devbroker *db = NULL;
        char errstr[512];
        sigset_t sigs;

        optind = 1;
        while ((c = getopt_long(argc, argv, "b:p:t:h", opts, NULL)) != -1) {
                switch (c) {
                case 'b':
                        if ((brokers = parse_count("--brokers", optarg, 32)) <
                            0)
                                return ND_EXIT_USAGE;
                        break;
                case 'p':
                        if ((partitions =
                                 parse_count("--partitions", optarg, 1000)) < 0)
                                return ND_EXIT_USAGE;
                        break;
                case 't':
                        topic_list = optarg;
                        break;
                case 'h':
                        dev_broker_usage(stdout);
                        return ND_EXIT_OK;
                default:
                        dev_broker_usage(stderr);
                        return ND_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "newsd dev-broker: unexpected argument '%s'\n",
                        argv[optind]);
                return ND_EXIT_USAGE;
        }
        if (!split_topics(&topics, topic_list)) {
                fprintf(stderr, "newsd dev-broker: --topics names no topic\n");
                rc = ND_EXIT_USAGE;
                goto out;
        }

        /* Blocked before librdkafka starts its threads, so they inherit the
         * mask and every signal is taken here, synchronously. */
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGINT);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGUSR1);
        sigaddset(&sigs, SIGUSR2);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);

        db = nd_devbroker_new(brokers, partitions, &topics, errstr,
                              sizeof(errstr));
        if (!db) {
                fprintf(stderr, "newsd dev-broker: %s\n", errstr);
                rc = ND_EXIT_FAILURE;
                goto out;
        }
        printf("bootstrap.servers=%s\n", nd_devbroker_bootstraps(db));
        fflush(stdout);

        for (;;) {
                int sig = sigwaitinfo(&sigs, NULL);
                if (sig < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "newsd dev-broker: sigwaitinfo: %s\n",
                                strerror(errno));
                        rc = ND_EXIT_FAILURE;
                        break;
                }
                if (sig == SIGINT || sig == SIGTERM)
                        break;
                if (nd_devbroker_set_down(db, sig == SIGUSR1, errstr,
                                          sizeof(errstr)) != ND_OK)
                        fprintf(stderr, "newsd dev-broker: %s\n", errstr);
                else
                        fprintf(stderr, "newsd dev-broker: brokers %s\n",
                                sig == SIGUSR1 ? "down" : "up");
        }
out:
        nd_devbroker_destroy(db);
        nd_strvec_clear(&topics);
        return rc;
}
