/* systemd notification: thin wrappers over sd_notify(3) plus the timing of
 * STATUS= refreshes, watchdog pings and drain timeout extensions. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "newsd/log.h"
#include "newsd/notify.h"

static struct {
        uint64_t watchdog_usec; /* 0: off */
        nd_every watchdog;      /* pings, every watchdog_usec / 2 */
        nd_every status;        /* STATUS= refreshes */
        nd_notify_figures prev; /* figures at the last STATUS= */
        uint64_t prev_usec;
        bool have_prev;
        nd_every drain;      /* EXTEND_TIMEOUT_USEC= while draining */
        uint64_t drain_left; /* in flight at the last extension */
        bool draining;
        uint64_t start_usec;
        uint64_t stall_after_usec; /* test-only fault, 0: off */
        bool failure_logged;
} st;

uint64_t
nd_notify_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

bool
nd_every_due(nd_every *e, uint64_t now)
{
        if (e->period_usec == 0)
                return false;
        if (e->started && now - e->last_usec < e->period_usec)
                return false;
        e->started = true;
        e->last_usec = now;
        return true;
}

void
nd_notify_init(uint64_t now)
{
        uint64_t usec = 0;
        const char *stall = getenv("NEWSD_TEST_STALL_AFTER_MS");

        memset(&st, 0, sizeof(st));
        st.start_usec = now;
        /* 0: keep $WATCHDOG_USEC so a re-exec or a helper can read it. */
        if (sd_watchdog_enabled(0, &usec) > 0)
                st.watchdog_usec = usec;
        st.watchdog.period_usec = st.watchdog_usec / 2;
        st.status.period_usec = ND_NOTIFY_STATUS_INTERVAL_USEC;
        st.drain.period_usec = ND_NOTIFY_DRAIN_EXTEND_USEC / 2;
        if (stall && *stall) {
                st.stall_after_usec = strtoull(stall, NULL, 10) * 1000;
                if (st.stall_after_usec == 0)
                        st.stall_after_usec = 1;
                nd_log(LOG_WARNING,
                       "NEWSD_TEST_STALL_AFTER_MS=%s: the main loop will stall "
                       "on purpose (a test-only fault)",
                       stall);
        }
        if (st.watchdog_usec)
                nd_log(LOG_INFO,
                       "watchdog on: interval %llu ms, pinging every "
                       "%llu ms",
                       (unsigned long long)(st.watchdog_usec / 1000),
                       (unsigned long long)(st.watchdog.period_usec / 1000));
}

uint64_t
nd_notify_watchdog_usec(void)
{
        return st.watchdog_usec;
}

int
nd_notify_poll_timeout_ms(int max_ms)
{
        uint64_t quarter_ms = st.watchdog_usec / 4000;

        if (st.watchdog_usec && quarter_ms < (uint64_t)max_ms)
                return quarter_ms > 0 ? (int)quarter_ms : 1;
        return max_ms;
}

static int
notify_send(const char *state)
{
        int r = sd_notify(0, state);

        if (r < 0 && !st.failure_logged) {
                st.failure_logged = true;
                nd_log(LOG_WARNING, "sd_notify: %s", strerror(-r));
        }
        return r;
}

int
nd_notify_ready(void)
{
        return notify_send("READY=1\nSTATUS=processing");
}

int
nd_notify_status(const char *fmt, ...)
{
        char buf[512] = "STATUS=";
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf + 7, sizeof(buf) - 7, fmt, ap);
        va_end(ap);
        return notify_send(buf);
}

size_t
nd_notify_format_status(char *buf, size_t size, const nd_notify_figures *prev,
                        const nd_notify_figures *cur, uint64_t elapsed_usec)
{
        double in = 0, out = 0;
        char lag[32];
        int n;

        if (size == 0)
                return 0;
        if (prev && elapsed_usec > 0) {
                double secs = (double)elapsed_usec / 1e6;

                in = (double)(cur->records_in - prev->records_in) / secs;
                out = (double)(cur->records_out - prev->records_out) / secs;
        }
        if (cur->lag >= 0)
                snprintf(lag, sizeof(lag), "%lld", (long long)cur->lag);
        else
                snprintf(lag, sizeof(lag), "unknown");
        n = snprintf(buf, size,
                     "in %.1f rec/s, out %.1f rec/s, dead-lettered %llu, "
                     "lag %s, %s",
                     in, out, (unsigned long long)cur->dead_lettered, lag,
                     cur->paused ? "paused" : "consuming");
        if (n < 0)
                n = 0;
        return (size_t)n < size ? (size_t)n : size - 1;
}

bool
nd_notify_status_due(uint64_t now)
{
        return nd_every_due(&st.status, now);
}

int
nd_notify_status_tick(uint64_t now, const nd_notify_figures *fig)
{
        if (!nd_notify_status_due(now))
                return 0;
        return nd_notify_status_send(now, fig);
}

int
nd_notify_status_send(uint64_t now, const nd_notify_figures *fig)
{
        char buf[256];

        nd_notify_format_status(buf, sizeof(buf),
                                st.have_prev ? &st.prev : NULL, fig,
                                now - st.prev_usec);
        st.prev = *fig;
        st.prev_usec = now;
        st.have_prev = true;
        return nd_notify_status("%s", buf);
}

int
nd_notify_reloading(void)
{
        char buf[128];

        snprintf(buf, sizeof(buf),
                 "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading "
                 "configuration",
                 (unsigned long long)nd_notify_now());
        return notify_send(buf);
}

int
nd_notify_stopping(void)
{
        return notify_send("STOPPING=1\nSTATUS=stopping: draining records in "
                           "flight");
}

int
nd_notify_extend_timeout(uint64_t usec)
{
        char buf[64];

        snprintf(buf, sizeof(buf), "EXTEND_TIMEOUT_USEC=%llu",
                 (unsigned long long)usec);
        return notify_send(buf);
}

int
nd_notify_drain_tick(uint64_t now, uint64_t in_flight)
{
        if (!st.draining) {
                /* The first turn of the drain only takes the measure. */
                st.draining = true;
                st.drain_left = in_flight;
                nd_every_due(&st.drain, now);
                return 0;
        }
        if (in_flight == 0 || !nd_every_due(&st.drain, now))
                return 0;
        if (in_flight >= st.drain_left)
                return 0; /* no progress: let the stop timeout run */
        st.drain_left = in_flight;
        return nd_notify_extend_timeout(ND_NOTIFY_DRAIN_EXTEND_USEC);
}

/* The test-only fault: stop turning, as a stuck record would. */
static void
stall_forever(void)
{
        nd_log(LOG_WARNING, "test fault: main loop stalled");
        for (;;)
                pause();
}

bool
nd_notify_watchdog_tick(uint64_t now)
{
        if (st.stall_after_usec && now - st.start_usec >= st.stall_after_usec)
                stall_forever();
        if (!st.watchdog_usec || !nd_every_due(&st.watchdog, now))
                return false;
        return notify_send("WATCHDOG=1") > 0;
}
