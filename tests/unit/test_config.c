/* Tests for src/service/config.c: the settings table, the INI parser, -X
 * overrides, credentials, redaction, librdkafka checks and reload diffs. */
#define _GNU_SOURCE /* open_memstream, mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "build_config.h"
#include "newsd/config.h"

static char tmpdir[] = "/tmp/newsd-test-config-XXXXXX";

/* Writes @p text to a fresh file in tmpdir; returns its path (static). */
static const char *
write_file(const char *name, const char *text)
{
        static char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        return path;
}

/* Loads @p text (as a file named t.conf) with the -X overrides given as a
 * NULL-terminated list; returns the number of errors. */
static size_t
load(nd_config *c, nd_strvec *errors, const char *text, ...)
{
        nd_strvec overrides = {0};
        const char *path = write_file("t.conf", text ? text : "");
        const char *x;
        va_list ap;

        va_start(ap, text);
        while ((x = va_arg(ap, const char *)))
                nd_strvec_push(&overrides, x);
        va_end(ap);
        nd_config_load(c, path, &overrides, errors);
        nd_strvec_clear(&overrides);
        return errors->n;
}

/* Loads with overrides only and expects exactly one error, @p want. */
static void
expect_x_error(const char *x, const char *want)
{
        nd_config c;
        nd_strvec errors = {0};

        assert_int_equal(load(&c, &errors, NULL, x, NULL), 1);
        assert_string_equal(errors.v[0], want);
        nd_config_free(&c);
        nd_strvec_clear(&errors);
}

/* Loads the -X overrides @p xs (which must be valid for the table), then
 * expects nd_config_check_kafka to report exactly @p want. Both lists are
 * NULL-terminated. */
static void
expect_kafka_errors(const char *const *xs, const char *const *want)
{
        nd_config c;
        nd_strvec overrides = {0}, errors = {0};
        size_t n = 0;

        for (size_t i = 0; xs[i]; i++)
                nd_strvec_push(&overrides, xs[i]);
        assert_int_equal(
            nd_config_load(&c, write_file("k.conf", ""), &overrides, &errors),
            ND_OK);
        assert_int_equal(nd_config_check_kafka(&c, &errors), ND_ERR_CONFIG);
        for (; want[n]; n++) {
                assert_true(n < errors.n);
                assert_string_equal(errors.v[n], want[n]);
        }
        assert_int_equal(errors.n, n);
        nd_config_free(&c);
        nd_strvec_clear(&overrides);
        nd_strvec_clear(&errors);
}

static const nd_kv *
kv(const nd_kv_list *l, const char *key)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i].key, key) == 0)
                        return &l->v[i];
        return NULL;
}

static char *
printed(const nd_config *c)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        nd_config_print(c, f);
        fclose(f);
        return buf;
}

static int
setup(void **state)
{
        (void)state;
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
        char cmd[300];

        (void)state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
}

static void
test_defaults(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        const nd_kv *group;

        (void)state;
        setenv("NEWSD_DATA_DIR", "/srv/newsd-data", 1);
        assert_int_equal(load(&c, &errors, "# nothing\n", NULL), 0);
        assert_int_equal(c.input.n, 1);
        assert_string_equal(c.input.v[0], "news.raw");
        assert_string_equal(c.output, "news.enriched");
        assert_string_equal(c.dead_letter, "news.dlq");
        assert_int_equal(c.delivery, ND_DELIVERY_AT_LEAST_ONCE);
        assert_int_equal(c.event_format, ND_EVENT_BINARY);
        assert_int_equal(c.max_article_bytes, 4 * 1024 * 1024);
        assert_int_equal(c.max_in_flight, 1000);
        assert_int_equal(c.commit_interval_ms, 5000);
        assert_int_equal(c.shutdown_timeout_ms, 30000);
        assert_int_equal(c.dedup_window, 4096);
        assert_int_equal(c.dedup_max_distance, 16);
        assert_int_equal(c.disabled_stages.n, 0);
        assert_string_equal(c.data_dir, "/srv/newsd-data");
        assert_string_equal(c.user_data_dir, "");
        assert_int_equal(c.log_level, LOG_INFO);
        assert_int_equal(c.log_target, ND_LOG_TARGET_AUTO);
        assert_string_equal(c.metrics_listen, "127.0.0.1:9464");
        assert_int_equal(c.kafka.n, 0);
        assert_int_equal(c.producer.n, 0);
        group = kv(&c.consumer, "group.id");
        assert_non_null(group);
        assert_string_equal(group->value, "newsd");
        assert_non_null(c.path);
        nd_config_free(&c);

        /* Without the environment variable: the installed data dir. */
        unsetenv("NEWSD_DATA_DIR");
        assert_int_equal(load(&c, &errors, "", NULL), 0);
        assert_string_equal(c.data_dir, NEWSD_DATADIR);
        nd_config_free(&c);

        /* A group.id in [kafka] is not overridden by the default. */
        assert_int_equal(load(&c, &errors, "[kafka]\ngroup.id = mine\n", NULL),
                         0);
        assert_null(kv(&c.consumer, "group.id"));
        assert_string_equal(kv(&c.kafka, "group.id")->value, "mine");
        nd_strvec_clear(&errors);
        nd_config_free(&c);
}

static void
test_missing_files(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        char path[300];

        (void)state;
        snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
        assert_int_equal(nd_config_load(&c, path, NULL, &errors),
                         ND_ERR_CONFIG);
        assert_int_equal(errors.n, 1);
        snprintf(path, sizeof(path),
                 "%s/absent.conf: cannot read: No such file or directory",
                 tmpdir);
        assert_string_equal(errors.v[0], path);
        assert_null(c.path);
        nd_config_free(&c);
        nd_strvec_clear(&errors);
}

static void
test_sizes_and_durations(void **state)
{
        nd_config c;
        nd_strvec errors = {0};

        (void)state;
        assert_int_equal(load(&c, &errors,
                              "[pipeline]\n"
                              "max-article-bytes = 512k\n"
                              "commit-interval = 250ms\n"
                              "shutdown-timeout = 2m\n"
                              "max-in-flight = 64\n"
                              "dedup-window = 0\n",
                              NULL),
                         0);
        assert_int_equal(c.max_article_bytes, 512 * 1024);
        assert_int_equal(c.commit_interval_ms, 250);
        assert_int_equal(c.shutdown_timeout_ms, 120000);
        assert_int_equal(c.max_in_flight, 64);
        assert_int_equal(c.dedup_window, 0);
        nd_config_free(&c);

        assert_int_equal(load(&c, &errors, NULL,
                              "pipeline.max-article-bytes=1G",
                              "pipeline.commit-interval=1500",
                              "pipeline.shutdown-timeout=7s",
                              "pipeline.max-article-bytes=2048", NULL),
                         0);
        /* The last -X wins. */
        assert_int_equal(c.max_article_bytes, 2048);
        assert_int_equal(c.commit_interval_ms, 1500);
        assert_int_equal(c.shutdown_timeout_ms, 7000);
        nd_config_free(&c);
        nd_strvec_clear(&errors);

        expect_x_error("pipeline.max-article-bytes=1023",
                       "-X pipeline.max-article-bytes: 1023 is out of range "
                       "(1k to 1G)");
        expect_x_error("pipeline.max-article-bytes=2G",
                       "-X pipeline.max-article-bytes: 2G is out of range "
                       "(1k to 1G)");
        expect_x_error("pipeline.max-article-bytes=4T",
                       "-X pipeline.max-article-bytes: \"4T\" is not a size "
                       "such as 512k, 4M or 1G (suffixes k, M, G: powers of "
                       "1024)");
        expect_x_error("pipeline.commit-interval=99",
                       "-X pipeline.commit-interval: 99 is out of range "
                       "(100ms to 60m)");
        expect_x_error("pipeline.commit-interval=1h",
                       "-X pipeline.commit-interval: \"1h\" is not a "
                       "duration such as 500ms, 30s or 5m (no suffix: "
                       "milliseconds)");
        expect_x_error("pipeline.max-in-flight=-1",
                       "-X pipeline.max-in-flight: \"-1\" is not a whole "
                       "number");
        expect_x_error("pipeline.max-in-flight=1000001",
                       "-X pipeline.max-in-flight: 1000001 is out of range "
                       "(1 to 1000000)");
        expect_x_error("pipeline.dedup-max-distance=65",
                       "-X pipeline.dedup-max-distance: 65 is out of range "
                       "(0 to 64)");
        /* A number too large for 64 bits is not a number. */
        expect_x_error("pipeline.dedup-window=99999999999999999999999",
                       "-X pipeline.dedup-window: "
                       "\"99999999999999999999999\" is not a whole number");
}

static void
test_enums_lists_strings(void **state)
{
        nd_config c;
        nd_strvec errors = {0};

        (void)state;
        assert_int_equal(load(&c, &errors,
                              "[pipeline]\n"
                              "delivery = exactly-once\n"
                              "event-format = structured\n"
                              "[log]\n"
                              "level = debug\n"
                              "target = journal\n"
                              "[topics]\n"
                              "input = a.one , b_two,c-3\n"
                              "[metrics]\n"
                              "listen =\n"
                              "[data]\n"
                              "user-dir = /etc/newsd/gazetteer.d\n",
                              NULL),
                         0);
        assert_int_equal(c.delivery, ND_DELIVERY_EXACTLY_ONCE);
        assert_int_equal(c.event_format, ND_EVENT_STRUCTURED);
        assert_int_equal(c.log_level, LOG_DEBUG);
        assert_int_equal(c.log_target, ND_LOG_TARGET_JOURNAL);
        assert_int_equal(c.input.n, 3);
        assert_string_equal(c.input.v[0], "a.one");
        assert_string_equal(c.input.v[1], "b_two");
        assert_string_equal(c.input.v[2], "c-3");
        assert_string_equal(c.metrics_listen, "");
        assert_string_equal(c.user_data_dir, "/etc/newsd/gazetteer.d");
        nd_config_free(&c);
        nd_strvec_clear(&errors);

        expect_x_error("log.level=verbose",
                       "-X log.level: \"verbose\" is not one of: emerg, "
                       "alert, crit, err, warning, notice, info, debug");
        expect_x_error("pipeline.event-format=json",
                       "-X pipeline.event-format: \"json\" is not one of: "
                       "binary, structured");
        expect_x_error("topics.input=a,,b",
                       "-X topics.input: empty entry in the list");
        expect_x_error("topics.input=", "-X topics.input: must not be empty");
        expect_x_error("topics.output=", "-X topics.output: must not be "
                                         "empty");
        expect_x_error("data.dir=", "-X data.dir: must not be empty");
        expect_x_error("metrics.listen=localhost",
                       "-X metrics.listen: expected HOST:PORT such as "
                       "127.0.0.1:9464, or empty for off");
        expect_x_error("metrics.listen=127.0.0.1:70000",
                       "-X metrics.listen: port must be 1 to 65535");
}

static void
test_topics(void **state)
{
        nd_config c;
        nd_strvec errors = {0};

        (void)state;
        assert_int_equal(load(&c, &errors, NULL,
                              "topics.input=^news\\.(raw|wire)$, extra", NULL),
                         0);
        assert_int_equal(c.input.n, 2);
        assert_string_equal(c.input.v[0], "^news\\.(raw|wire)$");
        nd_config_free(&c);
        nd_strvec_clear(&errors);

        /* regcomp's own message follows; only the start is ours. */
        assert_int_equal(load(&c, &errors, NULL, "topics.input=^news(", NULL),
                         1);
        assert_non_null(strstr(errors.v[0], "-X topics.input: invalid regular "
                                            "expression \"^news(\": "));
        nd_config_free(&c);
        nd_strvec_clear(&errors);

        expect_x_error("topics.output=bad topic",
                       "-X topics.output: \"bad topic\": a topic name holds "
                       "only letters, digits, '.', '_' and '-'");
        expect_x_error("topics.dead-letter=..",
                       "-X topics.dead-letter: \"..\" is not a valid topic "
                       "name");
        /* Consuming one's own output would loop forever. */
        expect_x_error("topics.output=news.raw",
                       "-X topics.output: \"news.raw\" is also an input "
                       "topic: newsd would consume its own output");
        /* A regex subscription catches the output and the dead letters. */
        assert_int_equal(
            load(&c, &errors, NULL, "topics.input=^news\\..*", NULL), 2);
        assert_string_equal(errors.v[0],
                            "topics.output: \"news.enriched\" is also an "
                            "input topic: newsd would consume its own "
                            "output");
        assert_string_equal(errors.v[1],
                            "topics.dead-letter: \"news.dlq\" is also an "
                            "input topic: newsd would consume its own "
                            "output");
        nd_config_free(&c);
        nd_strvec_clear(&errors);
        expect_x_error("topics.dead-letter=news.enriched",
                       "-X topics.dead-letter: the dead-letter topic must "
                       "differ from the output topic");
}

static void
test_stages(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        nd_pipeline_conf pc;

        (void)state;
        assert_int_equal(
            load(&c, &errors, "[pipeline]\nstage.stats = off\n", NULL), 0);
        assert_int_equal(c.disabled_stages.n, 1);
        assert_string_equal(c.disabled_stages.v[0], "stats");
        nd_config_pipeline_conf(&c, &pc);
        assert_string_equal(pc.disabled_stages[0], "stats");
        assert_null(pc.disabled_stages[1]);
        nd_config_free(&c);

        /* Switched back on from the command line. */
        assert_int_equal(load(&c, &errors, "[pipeline]\nstage.stats = no\n",
                              "pipeline.stage.stats=on", NULL),
                         0);
        assert_int_equal(c.disabled_stages.n, 0);
        nd_config_free(&c);
        nd_strvec_clear(&errors);

        expect_x_error("pipeline.stage.stats=maybe",
                       "-X pipeline.stage.stats: \"maybe\" is not on or off "
                       "(also accepted: true/false, yes/no, 1/0)");
        expect_x_error("pipeline.stage.stat=off",
                       "-X pipeline.stage.stat: unknown key; did you mean "
                       "stage.stats?");
}

/* Every error of a file, with its line, in one run. */
static void
test_all_errors_reported(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        char want[512];
        const char *text = "[topics]\n"                /* 1 */
                           "output = news.enriched\n"  /* 2 */
                           "bogus\n"                   /* 3 */
                           "[pipeline]\n"              /* 4 */
                           "max-in-flight = 0\n"       /* 5 */
                           "max-inflight = 5\n"        /* 6 */
                           "[nope]\n"                  /* 7 */
                           "x = 1\n"                   /* 8 */
                           "[log]\n"                   /* 9 */
                           "level = loud\n"            /* 10 */
                           "level = debug\n"           /* 11 */
                           "[kafka]\n"                 /* 12 */
                           "bootstrap.servers = a:1\n" /* 13 */
                           "bootstrap.servers = b:1\n" /* 14 */
                           "[data\n"                   /* 15 */
                           "= value\n"                 /* 16 */
                           "[metrics]\n"               /* 17 */
                           "level = info\n";           /* 18 */
        const char *expected[] = {
            "%s:3: expected \"key = value\", \"[section]\" or a "
            "comment",
            "%s:5: pipeline.max-in-flight: 0 is out of range (1 to "
            "1000000)",
            "%s:6: pipeline.max-inflight: unknown key; did you mean "
            "max-in-flight?",
            "%s:7: unknown section [nope]; the sections are [topics] "
            "[pipeline] [data] [log] [metrics] [kafka] [consumer] "
            "[producer] [route.NAME]",
            "%s:10: log.level: \"loud\" is not one of: emerg, alert, "
            "crit, err, warning, notice, info, debug",
            "%s:11: log.level: duplicate key (first set on line 10)",
            "%s:14: kafka.bootstrap.servers: duplicate key (first set "
            "at %s:13)",
            "%s:15: missing ']' in the section header",
            "%s:16: missing key before '='",
            "%s:18: metrics.level: unknown key; did you mean [log] "
            "level?",
        };
        const char *path;

        (void)state;
        assert_int_equal(load(&c, &errors, text, NULL), 10);
        path = c.path;
        for (size_t i = 0; i < 10; i++) {
                snprintf(want, sizeof(want), expected[i], path, path);
                assert_string_equal(errors.v[i], want);
        }
        nd_config_free(&c);
        nd_strvec_clear(&errors);
}

static void
test_syntax_variants(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        char servers[400], text[600];
        nd_strvec errs2 = {0};

        (void)state;
        /* A BOM, indented keys, "key: value", inline comments. */
        assert_int_equal(load(&c, &errors,
                              "\xEF\xBB\xBF[topics]\n"
                              "    output = out.t ; a comment\n"
                              "\tdead-letter: dlq.t\n"
                              "  # an indented comment\n"
                              "[kafka]\n"
                              "  client.id = a;b\n",
                              NULL),
                         0);
        assert_string_equal(c.output, "out.t");
        assert_string_equal(c.dead_letter, "dlq.t");
        assert_string_equal(kv(&c.kafka, "client.id")->value, "a;b");
        nd_config_free(&c);

        /* A line longer than inih's buffer keeps its whole value, and
         * later lines keep their numbers. */
        memset(servers, 0, sizeof(servers));
        for (int i = 0; i < 20; i++)
                snprintf(servers + strlen(servers),
                         sizeof(servers) - strlen(servers),
                         "%sbroker-%02d.example.com:9092", i ? "," : "", i);
        snprintf(text, sizeof(text),
                 "[kafka]\nbootstrap.servers = %s ; twenty\nnope\n", servers);
        assert_int_equal(load(&c, &errs2, text, NULL), 1);
        assert_string_equal(kv(&c.kafka, "bootstrap.servers")->value, servers);
        assert_non_null(strstr(errs2.v[0], "t.conf:3: expected"));
        nd_config_free(&c);
        nd_strvec_clear(&errs2);

        /* '#' does not start a comment after a value; the error says
         * so. */
        assert_int_equal(
            load(&c, &errors, "[log]\nlevel = info # quiet\n", NULL), 1);
        assert_non_null(strstr(errors.v[0],
                               "t.conf:2: log.level: \"info # quiet\" is "
                               "not one of: emerg, alert, crit, err, warning, "
                               "notice, info, debug (a comment after a value "
                               "starts with ';', not '#')"));
        nd_config_free(&c);
        nd_strvec_clear(&errors);

        /* Outside of any section; control characters. */
        assert_int_equal(load(&c, &errors,
                              "loose = 1\n[log]\nlevel = in\x02"
                              "fo\n",
                              NULL),
                         2);
        assert_non_null(strstr(errors.v[0],
                               "t.conf:1: \"loose\" is outside of any "
                               "[section]"));
        assert_non_null(strstr(errors.v[1],
                               "t.conf:3: control character 0x02 in the "
                               "line"));
        nd_config_free(&c);
        nd_strvec_clear(&errors);
}

static void
test_overrides(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        const nd_kv *linger;

        (void)state;
        /* -X replaces a file value without a duplicate error. */
        assert_int_equal(load(&c, &errors,
                              "[pipeline]\nmax-in-flight = 5\n"
                              "[producer]\nlinger.ms = 20\n",
                              "pipeline.max-in-flight=7",
                              "producer.linger.ms = 5", NULL),
                         0);
        assert_int_equal(c.max_in_flight, 7);
        linger = kv(&c.producer, "linger.ms");
        assert_string_equal(linger->value, "5");
        assert_string_equal(linger->origin, "-X producer.linger.ms");
        nd_config_free(&c);

        assert_int_equal(load(&c, &errors, NULL, "nope.k=1", "novalue",
                              "log.lvl=debug", "log=debug",
                              "pipeline.max-in-flight=x", NULL),
                         5);
        assert_string_equal(
            errors.v[0],
            "-X nope.k: unknown section [nope]; the "
            "sections are [topics] [pipeline] [data] [log] "
            "[metrics] [kafka] [consumer] [producer] [route.NAME]");
        assert_string_equal(errors.v[1],
                            "-X novalue: expected section.key=value");
        assert_string_equal(errors.v[2],
                            "-X log.lvl: unknown key; did you mean level?");
        assert_string_equal(errors.v[3], "-X log: expected section.key=value");
        assert_string_equal(errors.v[4],
                            "-X pipeline.max-in-flight: \"x\" is not a "
                            "whole number");
        nd_config_free(&c);
        nd_strvec_clear(&errors);

        expect_x_error("topic.output=x",
                       "-X topic.output: unknown section [topic]; did you "
                       "mean [topics]?");
        expect_x_error("pipeline.bootstrap.servers=x",
                       "-X pipeline.bootstrap.servers: unknown key; "
                       "librdkafka properties go in [kafka], [consumer] or "
                       "[producer]");
}

static void
test_credentials(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        char credir[300], want[600];
        const nd_kv *pw, *id;

        (void)state;
        snprintf(credir, sizeof(credir), "%s/creds", tmpdir);
        assert_int_equal(mkdir(credir, 0700), 0);
        write_file("creds/kafka-password", "hunter2-secret\n");
        write_file("creds/listen", "0.0.0.0:9000\r\n\n");
        setenv("CREDENTIALS_DIRECTORY", credir, 1);

        assert_int_equal(load(&c, &errors,
                              "[kafka]\n"
                              "sasl.password = @credential:kafka-password\n"
                              "client.id = @credential:kafka-password\n"
                              "[metrics]\nlisten = @credential:listen\n",
                              NULL),
                         0);
        pw = kv(&c.kafka, "sasl.password");
        assert_string_equal(pw->value, "hunter2-secret");
        assert_true(pw->secret);
        /* Not a secret by name, but it came from a credential. */
        id = kv(&c.kafka, "client.id");
        assert_true(id->secret);
        assert_string_equal(c.metrics_listen, "0.0.0.0:9000");
        nd_config_free(&c);

        assert_int_equal(load(&c, &errors,
                              "[kafka]\n"
                              "sasl.password = "
                              "@credential:missing\n",
                              "kafka.x=@credential:../etc", NULL),
                         2);
        snprintf(want, sizeof(want),
                 "%s/t.conf:2: kafka.sasl.password: @credential:missing: "
                 "cannot read %s/missing: No such file or directory",
                 tmpdir, credir);
        assert_string_equal(errors.v[0], want);
        assert_string_equal(errors.v[1],
                            "-X kafka.x: @credential: needs a credential "
                            "name without '/'");
        nd_config_free(&c);
        nd_strvec_clear(&errors);

        unsetenv("CREDENTIALS_DIRECTORY");
        expect_x_error("kafka.sasl.password=@credential:kafka-password",
                       "-X kafka.sasl.password: "
                       "@credential:kafka-password: CREDENTIALS_DIRECTORY "
                       "is not set (systemd sets it for LoadCredential=)");
}

static void
test_secrets_redacted(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        char credir[300], *out;

        (void)state;
        assert_true(nd_config_is_secret("sasl.password"));
        assert_true(nd_config_is_secret("ssl.key.password"));
        assert_true(nd_config_is_secret("ssl.keystore.password"));
        assert_true(nd_config_is_secret("sasl.oauthbearer.client.secret"));
        assert_true(nd_config_is_secret("sasl.oauthbearer.config"));
        assert_true(nd_config_is_secret("ssl.key.pem"));
        assert_false(nd_config_is_secret("bootstrap.servers"));
        assert_false(nd_config_is_secret("sasl.username"));
        assert_false(nd_config_is_secret("ssl.certificate.pem"));

        assert_int_equal(load(&c, &errors,
                              "[kafka]\n"
                              "sasl.username = alice\n"
                              "sasl.password = hunter2-secret\n"
                              "[producer]\n"
                              "ssl.key.password = pem-pass-phrase\n",
                              NULL),
                         0);
        out = printed(&c);
        assert_null(strstr(out, "hunter2"));
        assert_null(strstr(out, "pem-pass-phrase"));
        assert_non_null(strstr(out, "\nsasl.password = [redacted]\n"));
        assert_non_null(strstr(out, "\nssl.key.password = [redacted]\n"));
        assert_non_null(strstr(out, "\nsasl.username = alice\n"));
        free(out);
        nd_config_free(&c);

        /* librdkafka quotes a bad value; a secret one must not appear. */
        snprintf(credir, sizeof(credir), "%s/creds2", tmpdir);
        assert_int_equal(mkdir(credir, 0700), 0);
        write_file("creds2/proto", "hunter2-secret\n");
        setenv("CREDENTIALS_DIRECTORY", credir, 1);
        expect_kafka_errors(
            (const char *[]){"kafka.security.protocol=@credential:proto", NULL},
            (const char *[]){"-X kafka.security.protocol: Invalid value "
                             "\"[redacted]\" for configuration property "
                             "\"security.protocol\"",
                             NULL});

        /* Nor in our own messages about a credential's value. */
        expect_x_error("log.level=@credential:proto",
                       "-X log.level: \"[redacted]\" is not one of: emerg, "
                       "alert, crit, err, warning, notice, info, debug");
        unsetenv("CREDENTIALS_DIRECTORY");
}

static void
test_kafka_conf(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        rd_kafka_conf_t *conf;
        char errstr[512], val[256];
        size_t len;

        (void)state;
        assert_int_equal(load(&c, &errors,
                              "[kafka]\n"
                              "bootstrap.servers = k1:9092,k2:9092\n"
                              "[consumer]\n"
                              "session.timeout.ms = 7000\n"
                              "[producer]\n"
                              "linger.ms = 20\n",
                              NULL),
                         0);
        assert_int_equal(nd_config_check_kafka(&c, &errors), ND_OK);

        conf = nd_config_kafka_conf(&c, true, errstr, sizeof(errstr));
        assert_non_null(conf);
        len = sizeof(val);
        assert_int_equal(
            rd_kafka_conf_get(conf, "bootstrap.servers", val, &len),
            RD_KAFKA_CONF_OK);
        assert_string_equal(val, "k1:9092,k2:9092");
        len = sizeof(val);
        rd_kafka_conf_get(conf, "group.id", val, &len);
        assert_string_equal(val, "newsd");
        len = sizeof(val);
        rd_kafka_conf_get(conf, "session.timeout.ms", val, &len);
        assert_string_equal(val, "7000");
        rd_kafka_conf_destroy(conf);

        conf = nd_config_kafka_conf(&c, false, errstr, sizeof(errstr));
        assert_non_null(conf);
        len = sizeof(val);
        rd_kafka_conf_get(conf, "linger.ms", val, &len);
        assert_string_equal(val, "20");
        /* The consumer's side stays on the consumer. */
        len = sizeof(val);
        rd_kafka_conf_get(conf, "session.timeout.ms", val, &len);
        assert_string_equal(val, "45000");
        rd_kafka_conf_destroy(conf);
        nd_config_free(&c);

        /* Errors: librdkafka's words, our origins; a [kafka] error once. */
        assert_int_equal(load(&c, &errors,
                              "[kafka]\n"
                              "no.such.property = 1\n"
                              "[producer]\n"
                              "compression.type = zzz\n",
                              NULL),
                         0);
        assert_null(nd_config_kafka_conf(&c, false, errstr, sizeof(errstr)));
        assert_non_null(strstr(errstr, "t.conf:2: No such configuration "
                                       "property: \"no.such.property\""));
        assert_int_equal(nd_config_check_kafka(&c, &errors), ND_ERR_CONFIG);
        assert_int_equal(errors.n, 2);
        assert_non_null(strstr(errors.v[0], "t.conf:2: No such "
                                            "configuration property: "
                                            "\"no.such.property\""));
        assert_non_null(strstr(errors.v[1],
                               "t.conf:4: Invalid value \"zzz\" for "
                               "configuration property "
                               "\"compression.codec\""));
        nd_config_free(&c);
        nd_strvec_clear(&errors);

        /* A mistyped property gets librdkafka's closest name. */
        expect_kafka_errors(
            (const char *[]){"kafka.bootstrap.server=k:1", "consumer.output=x",
                             NULL},
            (const char *[]){"-X kafka.bootstrap.server: No such "
                             "configuration property: "
                             "\"bootstrap.server\"; did you mean "
                             "bootstrap.servers?",
                             "-X consumer.output: No such configuration "
                             "property: \"output\"; did you mean "
                             "[topics] output?",
                             NULL});
}

static void
test_pipeline_conf(void **state)
{
        nd_config c;
        nd_strvec errors = {0};
        nd_pipeline_conf pc;

        (void)state;
        assert_int_equal(load(&c, &errors,
                              "[pipeline]\n"
                              "max-article-bytes = 64k\n"
                              "dedup-window = 100\n"
                              "dedup-max-distance = 5\n"
                              "[data]\n"
                              "dir = /opt/data\n",
                              NULL),
                         0);
        nd_config_pipeline_conf(&c, &pc);
        assert_int_equal(pc.max_article_bytes, 65536);
        assert_string_equal(pc.data_dir, "/opt/data");
        assert_null(pc.user_data_dir);
        assert_null(pc.disabled_stages[0]);
        assert_int_equal(pc.dedup_window, 100);
        assert_int_equal(pc.dedup_max_distance, 5);
        nd_config_free(&c);

        assert_int_equal(load(&c, &errors, "[data]\nuser-dir = /etc/x\n", NULL),
                         0);
        nd_config_pipeline_conf(&c, &pc);
        assert_string_equal(pc.user_data_dir, "/etc/x");
        nd_config_free(&c);
        nd_strvec_clear(&errors);
}

/* What nd_config_print writes loads back to the same configuration. */
static void
test_print_round_trip(void **state)
{
        nd_config a, b;
        nd_strvec errors = {0};
        char *out_a, *out_b;

        (void)state;
        assert_int_equal(load(&a, &errors,
                              "[topics]\ninput = x.in, ^y\\..*\n"
                              "[pipeline]\nmax-article-bytes = 1536\n"
                              "commit-interval = 90s\nstage.stats = off\n"
                              "[metrics]\nlisten =\n"
                              "[producer]\nlinger.ms = 5\n",
                              NULL),
                         0);
        out_a = printed(&a);
        assert_non_null(strstr(out_a, "\ninput = x.in, ^y\\..*\n"));
        assert_non_null(strstr(out_a, "\nmax-article-bytes = 1536\n"));
        assert_non_null(strstr(out_a, "\ncommit-interval = 90s\n"));
        assert_non_null(strstr(out_a, "\nstage.stats = off\n"));
        assert_non_null(strstr(out_a, "\nlisten =\n"));
        assert_non_null(strstr(out_a, "\n[producer]\nlinger.ms = 5\n"));
        assert_int_equal(load(&b, &errors, out_a, NULL), 0);
        out_b = printed(&b);
        /* Past the first line, which names the file. */
        assert_string_equal(strchr(out_a, '\n'), strchr(out_b, '\n'));
        free(out_a);
        free(out_b);
        nd_config_free(&a);
        nd_config_free(&b);
        nd_strvec_clear(&errors);
}

static void
test_reloadable_diff(void **state)
{
        nd_config a, b;
        nd_strvec errors = {0}, restart = {0};

        (void)state;
        assert_int_equal(load(&a, &errors,
                              "[kafka]\nbootstrap.servers = "
                              "k:1\n",
                              NULL),
                         0);
        assert_int_equal(load(&b, &errors,
                              "[kafka]\nbootstrap.servers = k:1\n"
                              "[log]\nlevel = debug\n"
                              "[pipeline]\nmax-in-flight = 3\n"
                              "stage.stats = off\n"
                              "[data]\nuser-dir = /etc/x\n",
                              NULL),
                         0);
        assert_true(nd_config_reloadable_diff(&a, &b, &restart));
        assert_int_equal(restart.n, 0);
        assert_true(nd_config_reloadable_diff(&a, &a, NULL));
        nd_config_free(&b);

        assert_int_equal(load(&b, &errors,
                              "[kafka]\nbootstrap.servers = k:2\n"
                              "[topics]\noutput = other\n"
                              "[log]\ntarget = stderr\nlevel = err\n"
                              "[producer]\nlinger.ms = 5\n",
                              NULL),
                         0);
        assert_false(nd_config_reloadable_diff(&a, &b, &restart));
        assert_int_equal(restart.n, 4);
        assert_string_equal(restart.v[0], "topics.output");
        assert_string_equal(restart.v[1], "log.target");
        assert_string_equal(restart.v[2], "kafka.bootstrap.servers");
        assert_string_equal(restart.v[3], "producer.linger.ms");
        nd_strvec_clear(&restart);

        /* A property removed is a change too. */
        assert_false(nd_config_reloadable_diff(&b, &a, &restart));
        assert_true(nd_strvec_contains(&restart, "producer.linger.ms"));
        nd_strvec_clear(&restart);
        nd_config_free(&a);
        nd_config_free(&b);
        nd_strvec_clear(&errors);
}

static void
test_reference(void **state)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        (void)state;
        nd_config_reference(ND_CONFIG_REF_MARKDOWN, f);
        fclose(f);
        assert_non_null(strstr(buf, "### [pipeline]\n"));
        assert_non_null(strstr(buf, "| `max-in-flight` | integer, 1 to "
                                    "1000000 | `1000` | applied |"));
        assert_non_null(strstr(buf, "| `commit-interval` | duration (ms, s, "
                                    "m), 100ms to 60m | `5s` | restart |"));
        assert_non_null(strstr(buf, "| `stage.NAME` | `on` \\| `off` |"));
        /* The build's data dir does not leak into the reference. */
        assert_null(strstr(buf, NEWSD_DATADIR));
        free(buf);
}

/* Routes are compiled at start: changing one asks for a restart; the
 * same routes written in another order of keys do not. */
static void
test_routes_reload(void **state)
{
        nd_config a, b, c;
        nd_strvec errors = {0}, restart = {0};
        static const char *const one =
            "[route.he]\ntopic = desk.he\nlanguage = he\n";

        (void)state;
        assert_int_equal(load(&a, &errors, one, NULL), 0);
        assert_int_equal(load(&b, &errors,
                              "[route.he]\nlanguage = he\ntopic = desk.he\n",
                              NULL),
                         0);
        assert_int_equal(load(&c, &errors, one, "route.he.min-words=5", NULL),
                         0);
        assert_int_equal(a.n_routes, 1);
        assert_string_equal(a.routes[0].name, "he");
        assert_string_equal(nd_template_text(a.routes[0].topic), "desk.he");
        assert_true(nd_config_reloadable_diff(&a, &b, &restart));
        assert_int_equal(restart.n, 0);
        assert_false(nd_config_reloadable_diff(&a, &c, &restart));
        assert_int_equal(restart.n, 1);
        assert_string_equal(restart.v[0], "route");
        nd_config_free(&a);
        nd_config_free(&b);
        nd_config_free(&c);
        nd_strvec_clear(&restart);
        nd_strvec_clear(&errors);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_defaults),
            cmocka_unit_test(test_missing_files),
            cmocka_unit_test(test_sizes_and_durations),
            cmocka_unit_test(test_enums_lists_strings),
            cmocka_unit_test(test_topics),
            cmocka_unit_test(test_stages),
            cmocka_unit_test(test_all_errors_reported),
            cmocka_unit_test(test_syntax_variants),
            cmocka_unit_test(test_overrides),
            cmocka_unit_test(test_credentials),
            cmocka_unit_test(test_secrets_redacted),
            cmocka_unit_test(test_kafka_conf),
            cmocka_unit_test(test_pipeline_conf),
            cmocka_unit_test(test_print_round_trip),
            cmocka_unit_test(test_reloadable_diff),
            cmocka_unit_test(test_routes_reload),
            cmocka_unit_test(test_reference),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
