"""/metrics, /healthz and /readyz of `newsd run` against the dev broker.

Scrapes /metrics during a run and parses it with prometheus_client's parser:
the counters match what this test produced and consumed, the lag goes to 0
once newsd has caught up, histograms have buckets, sum and count, and every
family is documented. /readyz is 503 before the first assignment and while
the brokers are down, 200 when running. Malformed and oversized HTTP
requests get 4xx and processing goes on."""
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from ndkafka import (Collector, DevBroker, Newsd, article, check,
                     finish_with_logs, log, produce, save_sample)
import ndtest

from prometheus_client.parser import text_string_to_metric_families

GOOD = 120        # articles that become events, in two batches
BAD_JSON = 4      # broken JSON: invalid-json
EMPTY = 3         # empty values: empty-body
PARTITIONS = 3


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(port, path):
    """(status, body) of GET @path; (None, "") when nothing answers."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                    timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")
    except OSError:
        return None, ""


def scrape(port):
    """{family name: family} of /metrics, through the reference parser."""
    status, text = http(port, "/metrics")
    if status != 200:
        return {}
    return {f.name: f for f in text_string_to_metric_families(text)}


def value(fams, family, sample=None, **labels):
    """The value of one sample of @family, or None when absent."""
    for s in fams[family].samples if family in fams else []:
        if s.name == (sample or family) and all(
                s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None


def wait_for(what, pred, timeout):
    """Polls @pred until it returns something true; checks it did."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = pred()
        if r:
            return r
        time.sleep(0.1)
    check(False, "%s (waited %d s)" % (what, timeout))
    return None


def raw_request(port, data):
    """Sends raw bytes (stopping if the server closes), returns the status
    of the answer, or None when the connection closed without one."""
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    answer = b""
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
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


def documented():
    """Metric names in the tables of docs/metrics.md."""
    with open(os.path.join(ndtest.SOURCE_DIR, "docs", "metrics.md"),
              encoding="utf-8") as f:
        return set(re.findall(r"^\| `([a-z_]+)` \|", f.read(), re.M))


def check_histogram(fams, fam, labels, want_count):
    f = fams.get(fam)
    check(f is not None and f.type == "histogram", "%s is a histogram" % fam)
    if not f:
        return
    buckets = [s for s in f.samples if s.name == fam + "_bucket" and all(
        s.labels.get(k) == v for k, v in labels.items())]
    count = value(fams, fam, fam + "_count", **labels)
    total = value(fams, fam, fam + "_sum", **labels)
    counts = [s.value for s in buckets]
    what = "%s%s" % (fam, labels or "")
    check(len(buckets) > 5 and buckets[-1].labels["le"] == "+Inf",
          "%s has buckets up to +Inf" % what)
    check(counts == sorted(counts) and counts and counts[-1] == count,
          "%s buckets are cumulative and +Inf == count" % what)
    check(total is not None and total > 0, "%s has a sum" % what)
    if want_count is not None:
        check(count == want_count, "%s count == %d (%r)"
              % (what, want_count, count))


broker = DevBroker(partitions=PARTITIONS)
out = Collector(broker)
port = free_port()
svc = Newsd(broker, ["metrics.listen=127.0.0.1:%d" % port,
                     "kafka.statistics.interval.ms=500",
                     "pipeline.commit-interval=500ms"])

# ---- readiness before the first assignment, then when running ----
first = wait_for("the endpoint answers",
                 lambda: (lambda r: r if r[0] else None)(http(port, "/readyz")),
                 30)
if first:
    check(first[0] == 503 and ("first partition assignment" in first[1] or
                               "not subscribed" in first[1]),
          "/readyz 503 before the first assignment: %r" % (first,))
wait_for("/readyz 200 once assigned", lambda: http(port, "/readyz")[0] == 200,
         60)
check(http(port, "/readyz") == (200, "ready\n"), "/readyz says ready")
check(http(port, "/healthz") == (200, "ok\n"), "/healthz 200 while running")

# ---- first batch; abuse the HTTP server mid-stream; second batch ----
bad = [(b"bad%d" % i, b'{"title": broken %d' % i, None)
       for i in range(BAD_JSON)]
empty = [(b"empty%d" % i, b"", None) for i in range(EMPTY)]
coords = produce(broker, [article(i) for i in range(GOOD // 2)] + bad + empty)
check(bool(wait_for(
    "a scrape during the run sees records consumed",
    lambda: (value(scrape(port), "newsd_records_consumed",
                   "newsd_records_consumed_total") or 0) > 0, 60)),
    "a scrape during the run sees records consumed")

st = raw_request(port, b"\x01\x02 garbage\r\n\r\n")
check(st is not None and 400 <= st < 500, "garbage request line: 4xx (%r)" % st)
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

coords += produce(broker, [article(i) for i in range(GOOD // 2, GOOD)])
total_in = GOOD + BAD_JSON + EMPTY
check(out.wait_for(total_in, 90), "every input has an output")
out.settle(1.5)
events, dead = out.counts()
check(events == GOOD and dead == BAD_JSON + EMPTY,
      "%d events and %d dead letters (%d, %d)"
      % (GOOD, BAD_JSON + EMPTY, events, dead))


# ---- the counters match; the lag reaches 0 on every partition ----
def settled():
    f = scrape(port)
    lags = [s.value for s in f["newsd_consumer_lag"].samples] \
        if "newsd_consumer_lag" in f else []
    if (value(f, "newsd_records_consumed", "newsd_records_consumed_total")
            == total_in and
            value(f, "newsd_events_produced", "newsd_events_produced_total")
            == GOOD and len(lags) == PARTITIONS and all(v == 0 for v in lags)):
        return f
    return None


fams = wait_for("counters settle and the lag is 0 on every partition",
                settled, 60) or scrape(port)
check(value(fams, "newsd_records_consumed", "newsd_records_consumed_total")
      == total_in, "newsd_records_consumed_total == %d" % total_in)
check(value(fams, "newsd_events_produced", "newsd_events_produced_total")
      == GOOD, "newsd_events_produced_total == %d" % GOOD)
check(value(fams, "newsd_dead_letter", "newsd_dead_letter_total",
            code="invalid-json") == BAD_JSON,
      "newsd_dead_letter_total{code=invalid-json} == %d" % BAD_JSON)
check(value(fams, "newsd_dead_letter", "newsd_dead_letter_total",
            code="empty-body") == EMPTY,
      "newsd_dead_letter_total{code=empty-body} == %d" % EMPTY)
check(sum(s.value for s in fams["newsd_dead_letter"].samples)
      == BAD_JSON + EMPTY, "dead letters by code add up")
lag = fams.get("newsd_consumer_lag")
check(lag is not None and
      sorted(s.labels["partition"] for s in lag.samples) ==
      [str(i) for i in range(PARTITIONS)] and
      all(s.labels["topic"] == "news.raw" for s in lag.samples),
      "lag for each news.raw partition, not the internal one")
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

check_histogram(fams, "newsd_end_to_end_latency_seconds", {}, GOOD)
check_histogram(fams, "newsd_stage_duration_seconds", {"stage": "ingest"},
                total_in)
check_histogram(fams, "newsd_stage_duration_seconds", {"stage": "normalize"},
                None)
for fam, sample in (("process_resident_memory_bytes", None),
                    ("process_cpu_seconds", "process_cpu_seconds_total"),
                    ("process_open_fds", None),
                    ("process_start_time_seconds", None)):
    check((value(fams, fam, sample) or 0) > 0, "%s present" % fam)

docs = documented()
for f in fams.values():
    exposed = f.name + "_total" if f.type == "counter" else f.name
    check(exposed in docs, "docs/metrics.md lists %s" % exposed)

# ---- a SIGHUP reload swaps the pipeline; stage times keep coming ----
def stage_count(stage):
    return value(scrape(port), "newsd_stage_duration_seconds",
                 "newsd_stage_duration_seconds_count", stage=stage)


before = {st: stage_count(st) for st in ("ingest", "normalize")}
svc.signal(signal.SIGHUP)
wait_for("the configuration is reloaded",
         lambda: "configuration reloaded" in svc.log_text(), 30)
MORE = 10
produce(broker, [article(i) for i in range(GOOD, GOOD + MORE)])
check(bool(wait_for(
    "stage times after the reload",
    lambda: all(stage_count(st) == before[st] + MORE for st in before), 60)),
    "the reloaded pipeline reports its stage times (%r before, %r after)"
    % (before, {st: stage_count(st) for st in before}))

# ---- brokers down: not ready, still alive; back up: ready ----
broker.down()
down = wait_for("/readyz 503 while the brokers are down",
                lambda: (lambda r: r if r[0] == 503 else None)(
                    http(port, "/readyz")), 60)
if down:
    check("broker" in down[1], "the reason names the brokers: %r" % down[1])
check(http(port, "/healthz")[0] == 200,
      "/healthz stays 200 while the brokers are down")
broker.up()
log("brokers up")
wait_for("/readyz 200 once the brokers are back",
         lambda: http(port, "/readyz")[0] == 200, 90)

# A second instance cannot take the same address: it says so and exits 1
# rather than running without its endpoint.
other = Newsd(broker, ["metrics.listen=127.0.0.1:%d" % port],
              name="newsd-port-taken")
try:
    rc = other.proc.wait(30)
except subprocess.TimeoutExpired:
    other.kill9()
    rc = None
check(rc == 1 and "cannot serve metrics on 127.0.0.1:%d" % port
      in other.log_text(), "a taken metrics address: exit 1 with the reason "
      "(%r)" % rc)

check(svc.stop() == 0, "newsd exits 0 on SIGTERM")
out.stop()
check(out.error is None, "collector ran without error: %s" % out.error)
save_sample(out.events, "metrics", 50)
broker.stop()
finish_with_logs(svc)
