/* /metrics, /healthz and /readyz over libmicrohttpd (see newsd/http.h).
 *
 * The server runs in libmicrohttpd's own polling thread. It only reads the
 * monitor: atomics, and a family's lock for the time it takes to walk its
 * children. Connections, their idle time and the per-connection memory
 * (request line and headers) are bounded; bodies are refused. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "newsd/http.h"

/* Enough for any sane request line and headers; a larger request gets 431
 * or 414 from libmicrohttpd without reaching the handler. */
#define REQUEST_MEMORY_LIMIT (16 * 1024)

struct nd_http {
        struct MHD_Daemon *daemon;
        nd_monitor *mon;
        unsigned health_max_age_ms;
        uint16_t port;
};

nd_err
nd_http_parse_listen(const char *listen, struct sockaddr_storage *addr,
                     socklen_t *addr_len, char *errstr, size_t errstr_size)
{
        char host[64];
        const char *port_s;
        char *end;
        long port;
        size_t hlen;

        memset(addr, 0, sizeof(*addr));
        if (!listen || !*listen)
                goto bad;
        if (listen[0] == '[') {
                const char *close = strchr(listen, ']');
                if (!close || close[1] != ':')
                        goto bad;
                hlen = (size_t)(close - listen - 1);
                if (hlen == 0 || hlen >= sizeof(host))
                        goto bad;
                memcpy(host, listen + 1, hlen);
                port_s = close + 2;
        } else {
                const char *colon = strrchr(listen, ':');
                if (!colon || strchr(listen, ':') != colon)
                        goto bad;
                hlen = (size_t)(colon - listen);
                if (hlen == 0 || hlen >= sizeof(host))
                        goto bad;
                memcpy(host, listen, hlen);
                port_s = colon + 1;
        }
        host[hlen] = '\0';
        errno = 0;
        port = strtol(port_s, &end, 10);
        if (!*port_s || *end || errno || port < 0 || port > 65535)
                goto bad;

        if (listen[0] == '[') {
                struct sockaddr_in6 *sa = (struct sockaddr_in6 *)addr;
                if (inet_pton(AF_INET6, host, &sa->sin6_addr) != 1)
                        goto bad;
                sa->sin6_family = AF_INET6;
                sa->sin6_port = htons((uint16_t)port);
                *addr_len = sizeof(*sa);
        } else {
                struct sockaddr_in *sa = (struct sockaddr_in *)addr;
                if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
                        goto bad;
                sa->sin_family = AF_INET;
                sa->sin_port = htons((uint16_t)port);
                *addr_len = sizeof(*sa);
        }
        return ND_OK;
bad:
        return nd_seterr(errstr, errstr_size, ND_ERR_CONFIG,
                         "metrics listen address \"%s\": expected "
                         "IPv4:PORT or [IPv6]:PORT, PORT 0 to 65535",
                         listen ? listen : "");
}

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, const char *ctype,
      char *body, size_t len, bool owned)
{
        struct MHD_Response *r;
        enum MHD_Result ret;

        r = MHD_create_response_from_buffer(
            len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
        if (!r) {
                if (owned)
                        free(body);
                return MHD_NO;
        }
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
                MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        ret = MHD_queue_response(conn, status, r);
        MHD_destroy_response(r);
        return ret;
}

static enum MHD_Result
reply_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
        return reply(conn, status, "text/plain; charset=utf-8", (char *)text,
                     strlen(text), false);
}

static enum MHD_Result reply_printf(struct MHD_Connection *conn,
                                    unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum MHD_Result
reply_printf(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
{
        char *s = malloc(512);
        va_list ap;
        int n;

        if (!s)
                return MHD_NO;
        va_start(ap, fmt);
        n = vsnprintf(s, 512, fmt, ap);
        va_end(ap);
        if (n < 0) {
                free(s);
                return MHD_NO;
        }
        return reply(conn, status, "text/plain; charset=utf-8", s,
                     n < 512 ? (size_t)n : 511, true);
}

static enum MHD_Result
serve_metrics(nd_http *h, struct MHD_Connection *conn)
{
        nd_buf b = {0};
        size_t len;

        if (!nd_monitor_render(h->mon, &b)) {
                nd_buf_free(&b);
                return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
                                  "out of memory\n");
        }
        len = b.len;
        return reply(conn, MHD_HTTP_OK,
                     "text/plain; version=0.0.4; charset=utf-8",
                     nd_buf_steal(&b), len, true);
}

static enum MHD_Result
serve_healthz(nd_http *h, struct MHD_Connection *conn)
{
        double age;

        if (nd_monitor_alive(h->mon, h->health_max_age_ms, &age))
                return reply_text(conn, MHD_HTTP_OK, "ok\n");
        if (age < 0)
                return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                                  "main loop not started\n");
        return reply_printf(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                            "main loop stalled: last turn %.1f s ago\n", age);
}

static enum MHD_Result
serve_readyz(nd_http *h, struct MHD_Connection *conn)
{
        char reason[256];
        bool ready = nd_monitor_ready(h->mon, reason, sizeof(reason));

        return reply_printf(conn,
                            ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
                            "%s\n", reason);
}

/* A body announced by Content-Length (other than 0) or chunked transfer. */
static bool
has_body(struct MHD_Connection *conn)
{
        const char *cl = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        const char *te = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);

        return te != NULL || (cl != NULL && strcmp(cl, "0") != 0);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
       const char *method, const char *version, const char *upload_data,
       size_t *upload_data_size, void **con_cls)
{
        nd_http *h = cls;

        (void)version;
        (void)upload_data;
        /* Every request is answered on its first call, before any body is
         * read: libmicrohttpd then closes the connection instead of reading
         * what a client tries to upload. */
        (void)con_cls;
        (void)upload_data_size;
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
            strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                  "only GET and HEAD\n");
        if (has_body(conn))
                return reply_text(conn, MHD_HTTP_BAD_REQUEST,
                                  "request bodies are not accepted\n");
        if (strcmp(url, "/metrics") == 0)
                return serve_metrics(h, conn);
        if (strcmp(url, "/healthz") == 0)
                return serve_healthz(h, conn);
        if (strcmp(url, "/readyz") == 0)
                return serve_readyz(h, conn);
        if (strcmp(url, "/") == 0)
                return reply_text(conn, MHD_HTTP_OK,
                                  "newsd: /metrics /healthz /readyz\n");
        return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

nd_http *
nd_http_start(const nd_http_conf *conf, nd_monitor *mon, char *errstr,
              size_t errstr_size)
{
        struct sockaddr_storage addr;
        socklen_t addr_len;
        const union MHD_DaemonInfo *info;
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
        nd_http *h;

        if (nd_http_parse_listen(conf->listen, &addr, &addr_len, errstr,
                                 errstr_size) != ND_OK)
                return NULL;
        h = calloc(1, sizeof(*h));
        if (!h) {
                nd_seterr(errstr, errstr_size, ND_ERR_NOMEM, "out of memory");
                return NULL;
        }
        h->mon = mon;
        h->health_max_age_ms =
            conf->health_max_age_ms ? conf->health_max_age_ms : 30000;
        if (addr.ss_family == AF_INET6)
                flags |= MHD_USE_IPv6;
        errno = 0;
        h->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR,
            (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
            conf->max_connections ? conf->max_connections : 16u,
            MHD_OPTION_CONNECTION_TIMEOUT,
            conf->timeout_s ? conf->timeout_s : 10u,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REQUEST_MEMORY_LIMIT,
            MHD_OPTION_END);
        if (!h->daemon) {
                nd_seterr(errstr, errstr_size, ND_ERR_IO,
                          "cannot serve metrics on %s: %s", conf->listen,
                          errno ? strerror(errno) : "libmicrohttpd failed");
                free(h);
                return NULL;
        }
        info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
        h->port = info ? info->port : 0;
        return h;
}

uint16_t
nd_http_port(const nd_http *h)
{
        return h ? h->port : 0;
}

void
nd_http_stop(nd_http *h)
{
        if (!h)
                return;
        MHD_stop_daemon(h->daemon);
        free(h);
}
