/* The service's life cycle under systemd: READY=1, STATUS=, STOPPING=1 and
 * the watchdog driven from the service's hooks, and SIGHUP reloads applied
 * between two records. */
#ifndef NEWSD_LIFECYCLE_H
#define NEWSD_LIFECYCLE_H

#include "newsd/config.h"
#include "newsd/service.h"
#include "newsd/strvec.h"

typedef struct nd_lifecycle nd_lifecycle;

/*
 * Starts the life cycle of a service running @p conf (borrowed: it must
 * outlive the life cycle), which was loaded from @p path (may be NULL: the
 * default file) with @p overrides (copied): a reload loads them again.
 * Reads the watchdog settings. Returns NULL when out of memory. Free with
 * nd_lifecycle_destroy().
 */
nd_lifecycle *nd_lifecycle_new(const nd_config *conf, const char *path,
                               const nd_strvec *overrides);

/* Fills @p hooks for nd_service_new(). */
void nd_lifecycle_hooks(nd_lifecycle *l, nd_service_hooks *hooks);

/* The service the hooks act on (reload swaps its pipeline). */
void nd_lifecycle_attach(nd_lifecycle *l, nd_service *s);

/* Asks for a reload at the next turn of the main loop. Async-signal-safe:
 * call it from the SIGHUP handler. */
void nd_lifecycle_request_reload(nd_lifecycle *l);

void nd_lifecycle_destroy(nd_lifecycle *l);

#endif
