"""/metrics, /healthz and /readyz of `newsd run` against the dev broker.

Scrapes /metrics during a run and parses it with prometheus_client's parser:
the counters match what this test produced and consumed, the lag goes to 0
once newsd has caught up, histograms have buckets, sum and count, every
family is documented. /readyz is 503 before the first assignment and while
the brokers are down, 200 when running. Malformed and oversized HTTP
requests get 4xx and processing goes on."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "cli"))
import ndtest  # noqa: E402
from ndtest import check  # noqa: E402

from kafka import KafkaConsumer, KafkaProducer  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

GOOD = 120          # articles that become events (two batches of 60)
BAD_JSON = 4        # broken JSON: invalid-json
EMPTY = 3           # empty values: empty-body
PARTITIONS = 3
KAFKA_API = (2, 5, 0)

procs = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_broker():
    p = subprocess.Popen([ndtest.NEWSD, "dev-broker", "--partitions",
                          str(PARTITIONS)], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    procs.append(p)
    line = p.stdout.readline().strip()
    if not line.startswith("bootstrap.servers="):
        raise SystemExit("dev-broker said %r" % line)
    return p, line.split("=", 1)[1]


def http(port, path):
    """(status, body) of GET path."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                    timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")
    except OSError:
        return None, ""


def scrape(port):
    """{name: family} of /metrics, through the reference parser."""
    status, text = http(port, "/metrics")
    if status != 200:
        return {}
    return {f.name: f for f in text_string_to_metric_families(text)}


def value(fams, family, sample=None, **labels):
    """The value of one sample, or None when absent."""
    f = fams.get(family)
    if not f:
        return None
    for s in f.samples:
        if s.name == (sample or family) and all(
                s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None


def wait_for(what, pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = pred()
        if r:
            return r
        time.sleep(0.2)
    check(False, "%s (waited %d s)" % (what, timeout))
    return None


def raw_request(port, data, read_timeout=15):
    """Sends raw bytes (stopping if the server closes), returns the status
    code of the answer, or None when the connection closed without one."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    try:
        try:
            s.sendall(data)
        except OSError:
            pass
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        answer = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            pass
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    return int(m.group(1)) if m else None


def produce(bs, start, count, bad_json=0, empty=0):
    p = KafkaProducer(bootstrap_servers=bs, api_version=KAFKA_API)
    for i in range(start, start + count):
        article = {"title": "Metrics test article %d" % i,
                   "text": "Paragraph one of article %d.\n\nParagraph two "
                           "says something else about %d." % (i, i),
                   "url": "https://example.com/metrics/%d" % i}
        p.send("news.raw", key=b"k%d" % i,
               value=json.dumps(article).encode())
    for i in range(bad_json):
        p.send("news.raw", key=b"bad%d" % i, value=b'{"title": broken %d' % i)
    for i in range(empty):
        p.send("news.raw", key=b"empty%d" % i, value=b"")
    p.flush()
    p.close()


def consume_all(bs, topic, want, timeout=90):
    c = KafkaConsumer(topic, bootstrap_servers=bs, api_version=KAFKA_API,
                      auto_offset_reset="earliest", enable_auto_commit=False,
                      consumer_timeout_ms=1000)
    got = []
    deadline = time.time() + timeout
    while len(got) < want and time.time() < deadline:
        for m in c:
            got.append(m)
            if len(got) >= want:
                break
    # A little longer: anything past `want` would be a duplicate.
    end = time.time() + 2
    while time.time() < end:
        polled = c.poll(timeout_ms=500)
        for msgs in polled.values():
            got.extend(msgs)
    c.close()
    return got


def documented():
    names = set()
    with open(os.path.join(ndtest.SOURCE_DIR, "docs", "metrics.md"),
              encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\| `([a-z_]+)` \|", line)
            if m:
                names.add(m.group(1))
    return names


def main():
    broker, bs = start_broker()
    port = free_port()
    # A file, not a pipe: a full pipe would block newsd's logging.
    log = tempfile.TemporaryFile(mode="w+")
    run = subprocess.Popen(
        [ndtest.NEWSD, "run", "-X", "kafka.bootstrap.servers=" + bs,
         "-X", "metrics.listen=127.0.0.1:%d" % port,
         "-X", "kafka.statistics.interval.ms=500",
         "-X", "pipeline.commit-interval=500ms"],
        stdout=subprocess.DEVNULL, stderr=log, text=True)
    procs.append(run)

    # ---- readiness before the first assignment ----
    first = wait_for("the endpoint answers",
                     lambda: http(port, "/readyz")[0] and http(port, "/readyz"),
                     30)
    if first:
        check(first[0] == 503 and ("first partition assignment" in first[1]
                                   or "not subscribed" in first[1]),
              "/readyz 503 before the first assignment: %r" % (first,))
    wait_for("/readyz 200 once assigned",
             lambda: http(port, "/readyz")[0] == 200, 60)
    status, body = http(port, "/readyz")
    check(status == 200 and body == "ready\n", "/readyz says ready")
    check(http(port, "/healthz") == (200, "ok\n"), "/healthz 200 while running")

    # ---- first batch, then abuse the HTTP server, then the second ----
    produce(bs, 0, GOOD // 2, bad_json=BAD_JSON, empty=EMPTY)
    mid = wait_for("some records consumed",
                   lambda: (value(scrape(port), "newsd_records_consumed",
                                  "newsd_records_consumed_total") or 0) > 0,
                   60)
    check(bool(mid), "a scrape during the run sees records consumed")

    st = raw_request(port, b"\x01\x02 garbage\r\n\r\n")
    check(st is not None and 400 <= st < 500,
          "garbage request line: 4xx (%r)" % st)
    st = raw_request(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " +
                     b"a" * (1 << 20) + b"\r\n\r\n")
    check(st is not None and 400 <= st < 500, "1 MB header: 4xx (%r)" % st)
    st = raw_request(port, b"POST /metrics HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 11\r\n\r\nhello world")
    check(st == 405, "POST with a body: 405 (%r)" % st)
    st = raw_request(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 5\r\n\r\nhello")
    check(st == 400, "GET with a body: 400 (%r)" % st)
    check(http(port, "/no/such/path")[0] == 404, "unknown path: 404")

    produce(bs, GOOD // 2, GOOD - GOOD // 2)
    events = consume_all(bs, "news.enriched", GOOD)
    dead = consume_all(bs, "news.dlq", BAD_JSON + EMPTY)
    check(len(events) == GOOD, "%d events on news.enriched (%d)"
          % (GOOD, len(events)))
    check(len(dead) == BAD_JSON + EMPTY, "%d dead letters (%d)"
          % (BAD_JSON + EMPTY, len(dead)))
    ndtest.save_events([json.loads(m.value) for m in events], "metrics")

    # ---- counters match; lag reaches 0 ----
    total_in = GOOD + BAD_JSON + EMPTY

    def settled():
        f = scrape(port)
        lags = [s.value for s in f.get("newsd_consumer_lag", None).samples] \
            if "newsd_consumer_lag" in f else []
        if (value(f, "newsd_records_consumed", "newsd_records_consumed_total")
                == total_in and
                value(f, "newsd_events_produced",
                      "newsd_events_produced_total") == GOOD and
                len(lags) == PARTITIONS and all(v == 0 for v in lags)):
            return f
        return None

    fams = wait_for("counters settle and the lag reaches 0 on every "
                    "partition", settled, 60)
    if not fams:
        fams = scrape(port)
    check(value(fams, "newsd_records_consumed",
                "newsd_records_consumed_total") == total_in,
          "newsd_records_consumed_total == %d" % total_in)
    check(value(fams, "newsd_events_produced",
                "newsd_events_produced_total") == GOOD,
          "newsd_events_produced_total == %d" % GOOD)
    check(value(fams, "newsd_dead_letter", "newsd_dead_letter_total",
                code="invalid-json") == BAD_JSON,
          "newsd_dead_letter_total{code=invalid-json} == %d" % BAD_JSON)
    check(value(fams, "newsd_dead_letter", "newsd_dead_letter_total",
                code="empty-body") == EMPTY,
          "newsd_dead_letter_total{code=empty-body} == %d" % EMPTY)
    check(sum(s.value for s in fams["newsd_dead_letter"].samples)
          == BAD_JSON + EMPTY, "dead letters by code add up")
    lag = fams.get("newsd_consumer_lag")
    check(lag is not None and sorted(s.labels["partition"] for s in lag.samples)
          == [str(i) for i in range(PARTITIONS)] and
          all(s.labels["topic"] == "news.raw" for s in lag.samples),
          "lag per news.raw partition, no internal partition")
    check(lag is not None and all(s.value == 0 for s in lag.samples),
          "lag is 0 once caught up")
    check(value(fams, "newsd_in_flight_records") == 0, "nothing in flight")
    check(value(fams, "newsd_paused") == 0, "not paused")
    check((value(fams, "newsd_commits", "newsd_commits_total") or 0) > 0,
          "commits counted")
    check((value(fams, "newsd_rebalances", "newsd_rebalances_total") or 0) >= 1,
          "the first assignment counted as a rebalance")
    check(value(fams, "newsd_assigned_partitions") == PARTITIONS,
          "%d partitions assigned" % PARTITIONS)
    check(value(fams, "newsd_ready") == 1, "newsd_ready 1")

    # Histograms: cumulative buckets ending at +Inf == count, a sum.
    for fam, labels, want in (
            ("newsd_end_to_end_latency_seconds", {}, GOOD),
            ("newsd_stage_duration_seconds", {"stage": "ingest"}, total_in),
            ("newsd_stage_duration_seconds", {"stage": "normalize"}, None)):
        f = fams.get(fam)
        check(f is not None and f.type == "histogram", "%s is a histogram" % fam)
        if not f:
            continue
        buckets = [s for s in f.samples if s.name == fam + "_bucket" and all(
            s.labels.get(k) == v for k, v in labels.items())]
        count = value(fams, fam, fam + "_count", **labels)
        total = value(fams, fam, fam + "_sum", **labels)
        les = [s.labels["le"] for s in buckets]
        counts = [s.value for s in buckets]
        check(len(buckets) > 5 and les[-1] == "+Inf",
              "%s%s has buckets up to +Inf" % (fam, labels))
        check(counts == sorted(counts) and counts and counts[-1] == count,
              "%s%s buckets are cumulative and +Inf == count" % (fam, labels))
        check(total is not None and total > 0, "%s%s has a sum" % (fam, labels))
        if want is not None:
            check(count == want, "%s%s count == %d (%r)"
                  % (fam, labels, want, count))
    for name in ("process_resident_memory_bytes", "process_cpu_seconds",
                 "process_open_fds", "process_start_time_seconds"):
        check((value(fams, name, name if name != "process_cpu_seconds"
                     else "process_cpu_seconds_total") or 0) > 0,
              "%s present" % name)

    # Every family newsd exposes is documented.
    docs = documented()
    for f in fams.values():
        exposed = f.name + "_total" if f.type == "counter" else f.name
        check(exposed in docs, "docs/metrics.md lists %s" % exposed)

    # ---- brokers down: not ready; back up: ready ----
    broker.send_signal(signal.SIGUSR1)
    down = wait_for("/readyz 503 while the brokers are down",
                    lambda: (lambda r: r if r[0] == 503 else None)(
                        http(port, "/readyz")), 60)
    if down:
        check("broker" in down[1], "the reason names the brokers: %r"
              % down[1])
    check(http(port, "/healthz")[0] == 200,
          "/healthz stays 200 while the brokers are down")
    broker.send_signal(signal.SIGUSR2)
    wait_for("/readyz 200 once the brokers are back",
             lambda: http(port, "/readyz")[0] == 200, 90)

    # ---- shutdown ----
    run.send_signal(signal.SIGTERM)
    try:
        rc = run.wait(timeout=60)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == 0, "newsd exits 0 on SIGTERM (%r)" % rc)
    if rc != 0 or ndtest.failures:
        log.seek(0)
        print(log.read()[-4000:])


try:
    main()
finally:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
ndtest.finish()
