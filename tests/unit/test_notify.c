/* Tests for src/service/notify.c: the datagrams sent to a real
 * NOTIFY_SOCKET, and the timing of pings, STATUS= refreshes and drain
 * extensions on an injected clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "newsd/notify.h"

#define MS  1000ULL
#define SEC 1000000ULL

static int sock = -1;
static char dir[] = "/tmp/newsd-notify-XXXXXX";
static char path[sizeof(dir) + 16];

static int
setup(void **state)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};

        (void)state;
        if (!mkdtemp(dir))
                return -1;
        snprintf(path, sizeof(path), "%s/notify", dir);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -1;
        return 0;
}

static int
teardown(void **state)
{
        (void)state;
        close(sock);
        unlink(path);
        rmdir(dir);
        return 0;
}

/* The next datagram, or "" when none is waiting. */
static const char *
next_message(void)
{
        static char buf[1024];
        ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);

        buf[n > 0 ? n : 0] = '\0';
        return buf;
}

static void
start(const char *watchdog_usec, bool ours)
{
        char pid[32];

        setenv("NOTIFY_SOCKET", path, 1);
        unsetenv("NEWSD_TEST_STALL_AFTER_MS");
        if (watchdog_usec) {
                snprintf(pid, sizeof(pid), "%d", ours ? (int)getpid() : 1);
                setenv("WATCHDOG_USEC", watchdog_usec, 1);
                setenv("WATCHDOG_PID", pid, 1);
        } else {
                unsetenv("WATCHDOG_USEC");
                unsetenv("WATCHDOG_PID");
        }
        nd_notify_init(0);
        while (next_message()[0])
                ;
}

static void
test_lifecycle_messages(void **state)
{
        const char *m;
        unsigned long long mono;
        uint64_t before, after;

        (void)state;
        start(NULL, false);
        assert_true(nd_notify_ready() > 0);
        assert_string_equal(next_message(), "READY=1\nSTATUS=processing");

        before = nd_notify_now();
        assert_true(nd_notify_reloading() > 0);
        after = nd_notify_now();
        m = next_message();
        assert_int_equal(sscanf(m, "RELOADING=1\nMONOTONIC_USEC=%llu\n", &mono),
                         1);
        assert_true(mono >= before && mono <= after);
        assert_non_null(strstr(m, "\nSTATUS=reloading configuration"));

        assert_true(nd_notify_stopping() > 0);
        assert_string_equal(next_message(),
                            "STOPPING=1\nSTATUS=stopping: draining records "
                            "in flight");
        assert_true(nd_notify_extend_timeout(5 * SEC) > 0);
        assert_string_equal(next_message(), "EXTEND_TIMEOUT_USEC=5000000");
        assert_true(nd_notify_status("connecting to %s", "brokers") > 0);
        assert_string_equal(next_message(), "STATUS=connecting to brokers");
        assert_string_equal(next_message(), "");
}

static void
test_no_socket(void **state)
{
        (void)state;
        start(NULL, false);
        unsetenv("NOTIFY_SOCKET");
        assert_int_equal(nd_notify_ready(), 0);
        assert_int_equal(nd_notify_stopping(), 0);
        assert_string_equal(next_message(), "");
}

static void
test_watchdog_period(void **state)
{
        (void)state;
        start("1000000", true);
        assert_int_equal(nd_notify_watchdog_usec(), SEC);
        /* First turn pings, then every 500 ms, counted from the last ping
         * (not from the schedule: a late turn delays the next ping). */
        assert_true(nd_notify_watchdog_tick(10 * SEC));
        assert_string_equal(next_message(), "WATCHDOG=1");
        assert_false(nd_notify_watchdog_tick(10 * SEC + 499 * MS));
        assert_true(nd_notify_watchdog_tick(10 * SEC + 500 * MS));
        assert_false(nd_notify_watchdog_tick(10 * SEC + 600 * MS));
        assert_true(nd_notify_watchdog_tick(10 * SEC + 1100 * MS));
        assert_false(nd_notify_watchdog_tick(10 * SEC + 1599 * MS));
        assert_string_equal(next_message(), "WATCHDOG=1");
        assert_string_equal(next_message(), "WATCHDOG=1");
        assert_string_equal(next_message(), "");
        /* The loop never turned in between: no ping on its own. */
        assert_true(nd_notify_watchdog_tick(60 * SEC));
        assert_string_equal(next_message(), "WATCHDOG=1");
        assert_string_equal(next_message(), "");
}

static void
test_watchdog_off(void **state)
{
        (void)state;
        /* WATCHDOG_PID names another process: not ours to ping. */
        start("1000000", false);
        assert_int_equal(nd_notify_watchdog_usec(), 0);
        assert_false(nd_notify_watchdog_tick(0));
        assert_false(nd_notify_watchdog_tick(10 * SEC));
        assert_int_equal(nd_notify_poll_timeout_ms(1000), 1000);
        start(NULL, false);
        assert_false(nd_notify_watchdog_tick(10 * SEC));
        assert_string_equal(next_message(), "");
}

static void
test_poll_timeout(void **state)
{
        (void)state;
        start("1000000", true);
        assert_int_equal(nd_notify_poll_timeout_ms(1000), 250);
        assert_int_equal(nd_notify_poll_timeout_ms(100), 100);
        start("2000", true);
        assert_int_equal(nd_notify_poll_timeout_ms(1000), 1);
}

static void
test_status_tick(void **state)
{
        nd_notify_figures f = {.lag = -1};

        (void)state;
        start(NULL, false);
        assert_true(nd_notify_status_tick(0, &f) > 0);
        assert_string_equal(next_message(),
                            "STATUS=in 0.0 rec/s, out 0.0 rec/s, "
                            "dead-lettered 0, lag unknown, consuming");
        f.records_in = 100;
        assert_int_equal(nd_notify_status_tick(1 * SEC, &f), 0);
        assert_string_equal(next_message(), "");
        /* 2 s after the first: 300 in and 290 out over 2 s. */
        f.records_in = 300;
        f.records_out = 290;
        f.dead_lettered = 2;
        f.lag = 17;
        f.paused = true;
        assert_true(nd_notify_status_tick(2 * SEC, &f) > 0);
        assert_string_equal(next_message(),
                            "STATUS=in 150.0 rec/s, out 145.0 rec/s, "
                            "dead-lettered 2, lag 17, paused");
        /* 4 s later (a slow turn): 40 more in over 4 s. */
        f.records_in = 340;
        f.records_out = 330;
        f.paused = false;
        assert_true(nd_notify_status_tick(6 * SEC, &f) > 0);
        assert_string_equal(next_message(),
                            "STATUS=in 10.0 rec/s, out 10.0 rec/s, "
                            "dead-lettered 2, lag 17, consuming");
}

/* The two-step form keeps the same schedule. */
static void
test_status_due_send(void **state)
{
        nd_notify_figures f = {.records_in = 10, .lag = 0};

        (void)state;
        start(NULL, false);
        assert_true(nd_notify_status_due(100 * SEC));
        assert_false(nd_notify_status_due(101 * SEC));
        assert_true(nd_notify_status_send(101 * SEC, &f) > 0);
        assert_string_equal(next_message(),
                            "STATUS=in 0.0 rec/s, out 0.0 rec/s, "
                            "dead-lettered 0, lag 0, consuming");
        assert_true(nd_notify_status_due(102 * SEC));
        f.records_in = 30;
        assert_true(nd_notify_status_send(102 * SEC, &f) > 0);
        assert_string_equal(next_message(),
                            "STATUS=in 20.0 rec/s, out 0.0 rec/s, "
                            "dead-lettered 0, lag 0, consuming");
}

static void
test_format_status_truncated(void **state)
{
        char buf[12];
        nd_notify_figures f = {.lag = 3};

        (void)state;
        assert_int_equal(nd_notify_format_status(buf, sizeof(buf), NULL, &f, 0),
                         11);
        assert_string_equal(buf, "in 0.0 rec/");
}

static void
test_drain(void **state)
{
        (void)state;
        start(NULL, false);
        /* The first turn of the drain only measures. */
        assert_int_equal(nd_notify_drain_tick(0, 100), 0);
        /* Progress, but 5 s have not passed. */
        assert_int_equal(nd_notify_drain_tick(1 * SEC, 90), 0);
        assert_true(nd_notify_drain_tick(5 * SEC, 80) > 0);
        assert_string_equal(next_message(), "EXTEND_TIMEOUT_USEC=10000000");
        /* No progress in 5 s: the stop timeout is left to run. */
        assert_int_equal(nd_notify_drain_tick(10 * SEC, 80), 0);
        assert_true(nd_notify_drain_tick(15 * SEC, 10) > 0);
        assert_string_equal(next_message(), "EXTEND_TIMEOUT_USEC=10000000");
        /* Drained: nothing left to wait for. */
        assert_int_equal(nd_notify_drain_tick(20 * SEC, 0), 0);
        assert_string_equal(next_message(), "");
}

static void
test_every(void **state)
{
        nd_every e = {.period_usec = 10};
        nd_every never = {0};

        (void)state;
        assert_true(nd_every_due(&e, 100));
        assert_false(nd_every_due(&e, 109));
        assert_true(nd_every_due(&e, 110));
        assert_true(nd_every_due(&e, 125));
        assert_false(nd_every_due(&e, 134));
        assert_false(nd_every_due(&never, 0));
        assert_false(nd_every_due(&never, 1000));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_every),
            cmocka_unit_test(test_lifecycle_messages),
            cmocka_unit_test(test_no_socket),
            cmocka_unit_test(test_watchdog_period),
            cmocka_unit_test(test_watchdog_off),
            cmocka_unit_test(test_poll_timeout),
            cmocka_unit_test(test_status_tick),
            cmocka_unit_test(test_status_due_send),
            cmocka_unit_test(test_format_status_truncated),
            cmocka_unit_test(test_drain),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
