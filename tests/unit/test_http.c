/* Tests for src/service/http.c: the listen address parser, and the server
 * on a free loopback port answering well-formed, malformed and oversized
 * requests over raw sockets. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "newsd/http.h"
#include "newsd/monitor.h"

static void
test_parse_listen(void **state)
{
        struct sockaddr_storage ss;
        socklen_t len;
        char err[256];
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)&ss;
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&ss;
        static const char *const bad[] = {
            "",
            "127.0.0.1",
            "127.0.0.1:",
            ":9464",
            "localhost:9464",
            "127.0.0.1:65536",
            "127.0.0.1:-1",
            "127.0.0.1:94x",
            "[::1]",
            "[::1]9464",
            "::1:9464",
            "[127.0.0.1]:80",
            "[]:80",
            "1.2.3:80",
        };

        (void)state;
        assert_int_equal(
            nd_http_parse_listen("127.0.0.1:9464", &ss, &len, err, sizeof(err)),
            ND_OK);
        assert_int_equal(ss.ss_family, AF_INET);
        assert_int_equal(len, sizeof(struct sockaddr_in));
        assert_int_equal(ntohs(v4->sin_port), 9464);
        assert_int_equal(ntohl(v4->sin_addr.s_addr), 0x7f000001);

        assert_int_equal(
            nd_http_parse_listen("0.0.0.0:0", &ss, &len, err, sizeof(err)),
            ND_OK);
        assert_int_equal(ntohs(v4->sin_port), 0);

        assert_int_equal(
            nd_http_parse_listen("[::1]:9100", &ss, &len, err, sizeof(err)),
            ND_OK);
        assert_int_equal(ss.ss_family, AF_INET6);
        assert_int_equal(len, sizeof(struct sockaddr_in6));
        assert_int_equal(ntohs(v6->sin6_port), 9100);
        assert_true(IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr));

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err[0] = '\0';
                if (nd_http_parse_listen(bad[i], &ss, &len, err, sizeof(err)) !=
                    ND_ERR_CONFIG)
                        fail_msg("accepted listen address \"%s\"", bad[i]);
                assert_non_null(strstr(err, "metrics listen address"));
        }
}

/* One exchange on a fresh connection: sends @p len bytes of @p req (stops
 * early if the server closes), then reads the answer until EOF. Returns
 * the HTTP status, or -1 when no status line came back; the whole answer
 * goes to @p resp. */
static int
exchange(uint16_t port, const char *req, size_t len, char *resp, size_t size)
{
        struct sockaddr_in sa = {0};
        struct timeval tv = {.tv_sec = 15};
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        size_t off = 0, got = 0;
        int status = -1;

        assert_true(fd >= 0);
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        while (off < len) {
                ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
                if (n <= 0)
                        break;
                off += (size_t)n;
        }
        shutdown(fd, SHUT_WR);
        while (got + 1 < size) {
                ssize_t n = recv(fd, resp + got, size - 1 - got, 0);
                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        resp[got] = '\0';
        close(fd);
        if (strncmp(resp, "HTTP/1.", 7) == 0 && got >= 12)
                status = atoi(resp + 9);
        return status;
}

static int
get(uint16_t port, const char *req, char *resp, size_t size)
{
        return exchange(port, req, strlen(req), resp, size);
}

/* The body of an answer: what follows the blank line. */
static const char *
body_of(const char *resp)
{
        const char *p = strstr(resp, "\r\n\r\n");

        return p ? p + 4 : "";
}

static void
test_server(void **state)
{
        nd_monitor *mon = nd_monitor_new(NULL, NULL, 0);
        nd_http_conf conf = {.listen = "127.0.0.1:0",
                             .health_max_age_ms = 60000};
        static char resp[1 << 20];
        char err[256] = "";
        nd_http *h;
        uint16_t port;
        char *big;
        size_t big_len;

        (void)state;
        assert_non_null(mon);
        h = nd_http_start(&conf, mon, err, sizeof(err));
        if (!h)
                fail_msg("nd_http_start: %s", err);
        port = nd_http_port(h);
        assert_true(port > 0);

        /* /metrics: the format's content type and the samples. */
        nd_monitor_consumed(mon, 12);
        assert_int_equal(get(port,
                             "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                             "Connection: close\r\n\r\n",
                             resp, sizeof(resp)),
                         200);
        assert_non_null(strstr(resp, "Content-Type: text/plain; "
                                     "version=0.0.4; charset=utf-8\r\n"));
        assert_non_null(
            strstr(body_of(resp), "\nnewsd_records_consumed_total 12\n"));
        assert_non_null(strstr(body_of(resp), "\nprocess_open_fds "));

        /* HEAD: the headers only. */
        assert_int_equal(get(port,
                             "HEAD /metrics HTTP/1.1\r\nHost: x\r\n"
                             "Connection: close\r\n\r\n",
                             resp, sizeof(resp)),
                         200);
        assert_string_equal(body_of(resp), "");

        /* /healthz follows the heartbeat. */
        assert_int_equal(
            get(port, "GET /healthz HTTP/1.0\r\n\r\n", resp, sizeof(resp)),
            503);
        assert_string_equal(body_of(resp), "main loop not started\n");
        nd_monitor_heartbeat(mon);
        assert_int_equal(
            get(port, "GET /healthz HTTP/1.0\r\n\r\n", resp, sizeof(resp)),
            200);
        assert_string_equal(body_of(resp), "ok\n");

        /* /readyz: 503 with the reason until assigned and connected. */
        nd_monitor_set_consumer(mon, ND_CONSUMER_JOINING);
        assert_int_equal(
            get(port, "GET /readyz HTTP/1.0\r\n\r\n", resp, sizeof(resp)), 503);
        assert_string_equal(
            body_of(resp),
            "consumer waiting for its first partition assignment\n");
        nd_monitor_set_assignment(mon, 2);
        nd_monitor_set_broker_up(mon, true, NULL);
        assert_int_equal(
            get(port, "GET /readyz HTTP/1.0\r\n\r\n", resp, sizeof(resp)), 200);
        assert_string_equal(body_of(resp), "ready\n");

        /* Unknown path, other methods, bodies, garbage. */
        assert_int_equal(
            get(port, "GET /nope HTTP/1.0\r\n\r\n", resp, sizeof(resp)), 404);
        assert_int_equal(get(port,
                             "POST /metrics HTTP/1.1\r\nHost: x\r\n"
                             "Content-Length: 5\r\n\r\nhello",
                             resp, sizeof(resp)),
                         405);
        assert_non_null(strstr(resp, "Allow: GET, HEAD\r\n"));
        assert_int_equal(get(port,
                             "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                             "Content-Length: 5\r\n\r\nhello",
                             resp, sizeof(resp)),
                         400);
        assert_int_equal(
            get(port, "\x01\x02 garbage\r\n\r\n", resp, sizeof(resp)), 400);
        /* A request line without a URI: libmicrohttpd closes the connection
         * without an answer; never a success. */
        {
                int st = get(port, "GET\r\n\r\n", resp, sizeof(resp));
                if (st != -1 && (st < 400 || st > 499))
                        fail_msg("request line without URI: status %d", st);
        }

        /* A 1 MB header: refused (4xx) without reading it all. */
        big_len = (1 << 20) + 64;
        big = malloc(big_len + 1);
        assert_non_null(big);
        strcpy(big, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ");
        memset(big + strlen(big), 'a', big_len - strlen(big) - 4);
        memcpy(big + big_len - 4, "\r\n\r\n", 5);
        {
                int st = exchange(port, big, big_len, resp, sizeof(resp));
                if (st < 400 || st > 499)
                        fail_msg("1 MB header: status %d", st);
        }
        /* A 1 MB URL likewise. */
        memcpy(big, "GET /", 5);
        memset(big + 5, 'u', 1 << 20);
        strcpy(big + 5 + (1 << 20), " HTTP/1.0\r\n\r\n");
        {
                int st = exchange(port, big, strlen(big), resp, sizeof(resp));
                if (st < 400 || st > 499)
                        fail_msg("1 MB URL: status %d", st);
        }
        free(big);

        /* None of it disturbed the server. */
        assert_int_equal(
            get(port, "GET /metrics HTTP/1.0\r\n\r\n", resp, sizeof(resp)),
            200);
        assert_non_null(
            strstr(body_of(resp), "\nnewsd_records_consumed_total 12\n"));

        nd_http_stop(h);
        nd_monitor_destroy(mon);
}

static int
connect_to(uint16_t port)
{
        struct sockaddr_in sa = {0};
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        assert_true(fd >= 0);
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        return fd;
}

/* At the connection limit a further client is turned away; once the idle
 * ones go, the server answers again. A stale heartbeat fails /healthz. */
static void
test_limits(void **state)
{
        nd_monitor *mon = nd_monitor_new(NULL, NULL, 0);
        nd_http_conf conf = {.listen = "127.0.0.1:0",
                             .max_connections = 2,
                             .health_max_age_ms = 1};
        struct timespec pause = {0, 20 * 1000 * 1000};
        char resp[4096], err[256];
        int idle[2], st;
        nd_http *h;
        uint16_t port;

        (void)state;
        h = nd_http_start(&conf, mon, err, sizeof(err));
        if (!h)
                fail_msg("nd_http_start: %s", err);
        port = nd_http_port(h);
        idle[0] = connect_to(port);
        idle[1] = connect_to(port);
        /* The server accepts the idle ones before the third arrives. */
        nanosleep(&pause, NULL);
        assert_int_equal(
            get(port, "GET /metrics HTTP/1.0\r\n\r\n", resp, sizeof(resp)), -1);
        close(idle[0]);
        close(idle[1]);

        nd_monitor_heartbeat(mon);
        nanosleep(&pause, NULL);
        /* The closes reach the server thread in their own time: ask again
         * until it has room (5 s at most). */
        st = -1;
        for (int i = 0; i < 250 && st == -1; i++) {
                st = get(port, "GET /healthz HTTP/1.0\r\n\r\n", resp,
                         sizeof(resp));
                if (st == -1)
                        nanosleep(&pause, NULL);
        }
        assert_int_equal(st, 503);
        assert_non_null(strstr(body_of(resp), "main loop stalled: last turn"));
        nd_http_stop(h);
        nd_monitor_destroy(mon);
}

static void
test_start_errors(void **state)
{
        nd_monitor *mon = nd_monitor_new(NULL, NULL, 0);
        nd_http_conf conf = {.listen = "127.0.0.1:0"};
        nd_http_conf bad = {.listen = "nowhere"};
        char err[256];
        nd_http *a, *b;

        (void)state;
        assert_null(nd_http_start(&bad, mon, err, sizeof(err)));
        assert_non_null(strstr(err, "metrics listen address"));

        /* A port already taken is an error with the address in it. */
        a = nd_http_start(&conf, mon, err, sizeof(err));
        assert_non_null(a);
        {
                char taken[32];
                nd_http_conf again;
                snprintf(taken, sizeof(taken), "127.0.0.1:%u",
                         (unsigned)nd_http_port(a));
                again = (nd_http_conf){.listen = taken};
                b = nd_http_start(&again, mon, err, sizeof(err));
                assert_null(b);
                assert_non_null(strstr(err, taken));
        }
        nd_http_stop(a);
        nd_monitor_destroy(mon);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse_listen),
            cmocka_unit_test(test_server),
            cmocka_unit_test(test_start_errors),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
