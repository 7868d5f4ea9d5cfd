/* systemd notification (sd_notify(3)): readiness, live status, reload,
 * stop, timeout extension and the watchdog. Every call is a no-op when
 * $NOTIFY_SOCKET is unset, so the service runs the same outside systemd.
 * Call from the main thread only: NotifyAccess=main. */
#ifndef NEWSD_NOTIFY_H
#define NEWSD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The live figures of the service, cumulative since start; STATUS= shows
 * rates computed from two of them. */
typedef struct nd_notify_figures {
        uint64_t records_in;    /* records consumed */
        uint64_t records_out;   /* events acknowledged by Kafka */
        uint64_t dead_lettered; /* dead-letter records acknowledged */
        int64_t lag;            /* summed consumer lag, -1: unknown */
        bool paused;            /* consumption paused (too much in flight) */
} nd_notify_figures;

/* How often STATUS= is refreshed. */
#define ND_NOTIFY_STATUS_INTERVAL_USEC (2ULL * 1000 * 1000)
/* While a drain makes progress, the stop timeout is pushed this far ahead
 * at most every half of it. */
#define ND_NOTIFY_DRAIN_EXTEND_USEC (10ULL * 1000 * 1000)

/* CLOCK_MONOTONIC in microseconds: the clock every @p now below is on. */
uint64_t nd_notify_now(void);

/*
 * Reads the watchdog interval (sd_watchdog_enabled(): $WATCHDOG_USEC, for
 * this process when $WATCHDOG_PID names it) and the test-only stall switch
 * $NEWSD_TEST_STALL_AFTER_MS. Call once at start, before any other call.
 */
void nd_notify_init(uint64_t now);

/* The watchdog interval, 0 when systemd does not watch this process. */
uint64_t nd_notify_watchdog_usec(void);

/* A poll timeout for the main loop that keeps the pings on time: @p max_ms,
 * or a quarter of the watchdog interval when that is shorter. */
int nd_notify_poll_timeout_ms(int max_ms);

/* The functions below return sd_notify()'s value: > 0 sent, 0 no
 * $NOTIFY_SOCKET, < 0 -errno (logged once). */

/* READY=1: consumer subscribed and a broker reached; also after a
 * reload. */
int nd_notify_ready(void);

/* STATUS= with free text, e.g. "connecting to brokers". */
int nd_notify_status(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Sends STATUS= with the live figures when ND_NOTIFY_STATUS_INTERVAL_USEC
 * has passed since the last one. Call once per main-loop turn. */
int nd_notify_status_tick(uint64_t now, const nd_notify_figures *fig);

/* The same in two steps, for figures that cost something to gather: whether
 * a STATUS= is due at @p now (if so, the next one is due an interval
 * later), then the send. */
bool nd_notify_status_due(uint64_t now);
int nd_notify_status_send(uint64_t now, const nd_notify_figures *fig);

/* RELOADING=1 with MONOTONIC_USEC= (read here, not injectable: systemd
 * compares it with its own clock). Follow with nd_notify_ready(). */
int nd_notify_reloading(void);

/* STOPPING=1: the drain begins. */
int nd_notify_stopping(void);

/* EXTEND_TIMEOUT_USEC=@p usec: the current start/stop timeout is pushed to
 * at least @p usec from now. */
int nd_notify_extend_timeout(uint64_t usec);

/* During a drain, once per turn with the number of records still in
 * flight: extends the stop timeout while that number keeps falling, so a
 * slow but healthy drain is not killed and a stuck one is. */
int nd_notify_drain_tick(uint64_t now, uint64_t in_flight);

/*
 * Sends WATCHDOG=1 when the watchdog is on and half its interval has passed
 * since the last ping. Call it once per main-loop turn and nowhere else: a
 * loop that stops turning stops the pings and systemd restarts the service.
 * Returns whether a ping was sent.
 *
 * Test-only fault: with $NEWSD_TEST_STALL_AFTER_MS=N in the environment,
 * the turn that comes N ms after nd_notify_init() blocks for good (signals
 * are still handled but the loop never turns again), as a pipeline stuck on
 * one record would. Never set it in production.
 */
bool nd_notify_watchdog_tick(uint64_t now);

/* ---- The pure pieces, exposed for the unit tests ---- */

/* A periodic deadline: due at the first call, then every @p period_usec. */
typedef struct nd_every {
        uint64_t period_usec; /* 0: never due */
        uint64_t last_usec;
        bool started;
} nd_every;

/* Whether @p e is due at @p now; if so, restarts its period at @p now. */
bool nd_every_due(nd_every *e, uint64_t now);

/* Writes the STATUS= text for the figures @p cur, with rates computed over
 * @p elapsed_usec since @p prev (NULL: no rates yet), into @p buf. Returns
 * the length (truncated to @p size - 1). */
size_t nd_notify_format_status(char *buf, size_t size,
                               const nd_notify_figures *prev,
                               const nd_notify_figures *cur,
                               uint64_t elapsed_usec);

#endif
