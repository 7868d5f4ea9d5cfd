/* The observability endpoint: /metrics (Prometheus text 0.0.4), /healthz
 * and /readyz, served by libmicrohttpd from its own thread so a slow or
 * hostile client never touches the service's main loop. */
#ifndef NEWSD_HTTP_H
#define NEWSD_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "newsd/err.h"
#include "newsd/monitor.h"

#define ND_HTTP_DEFAULT_LISTEN "127.0.0.1:9464"

typedef struct nd_http_conf {
        const char *listen;         /* "A.B.C.D:PORT" or "[v6]:PORT"; port 0
                                     * picks a free one (tests) */
        unsigned health_max_age_ms; /* /healthz fails past this heartbeat
                                     * age; 0: 30000, the units'
                                     * WatchdogSec= */
        unsigned max_connections;   /* 0: 16 */
        unsigned timeout_s;         /* idle connection timeout; 0: 10 */
} nd_http_conf;

typedef struct nd_http nd_http;

/* Parses a listen address; IPv6 literals go in brackets. */
nd_err nd_http_parse_listen(const char *listen, struct sockaddr_storage *addr,
                            socklen_t *addr_len, char *errstr,
                            size_t errstr_size);

/* Binds and starts serving @p mon (borrowed: it must outlive the server).
 * NULL and errstr on failure. Stop with nd_http_stop(). */
nd_http *nd_http_start(const nd_http_conf *conf, nd_monitor *mon, char *errstr,
                       size_t errstr_size);

/* The bound port (the chosen one when the configured port was 0). */
uint16_t nd_http_port(const nd_http *h);

/* Stops the server thread, closes every connection, frees @p h. */
void nd_http_stop(nd_http *h);

#endif
