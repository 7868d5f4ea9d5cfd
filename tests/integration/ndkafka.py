"""Helpers for the Kafka integration tests: a `newsd dev-broker`, `newsd run`
instances, an independent producer and consumer (kafka-python), and the
bookkeeping that says whether every input was accounted for.

Everything started here is registered and killed at exit, whatever happens.
"""
import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "cli"))
import ndtest  # noqa: E402
from ndtest import NEWSD, check, finish, save_events  # noqa: E402,F401 (re-exported)

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402

RAW, OUT, DLQ = "news.raw", "news.enriched", "news.dlq"

_started = []
_logdir = tempfile.mkdtemp(prefix="newsd-it-")


def _cleanup():
    for p in _started:
        if p.poll() is None:
            p.kill()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass


atexit.register(_cleanup)
# A test killed by ctest's timeout gets SIGTERM: clean up then too.
signal.signal(signal.SIGTERM, lambda *a: sys.exit(3))


def log(msg):
    print("# %s %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class DevBroker:
    """`newsd dev-broker` in the background; .bootstrap is its address."""

    def __init__(self, partitions=3, brokers=1):
        self.proc = subprocess.Popen(
            [NEWSD, "dev-broker", "--partitions", str(partitions),
             "--brokers", str(brokers)],
            stdout=subprocess.PIPE, stderr=open(
                os.path.join(_logdir, "dev-broker.log"), "ab"))
        _started.append(self.proc)
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("bootstrap.servers="):
            raise RuntimeError("dev-broker said %r" % line)
        self.bootstrap = line.split("=", 1)[1]
        self.partitions = partitions
        log("dev-broker at " + self.bootstrap)

    def down(self):
        self.proc.send_signal(signal.SIGUSR1)

    def up(self):
        self.proc.send_signal(signal.SIGUSR2)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)


class Newsd:
    """One `newsd run` instance with -X overrides; stderr goes to a log file
    printed when the test fails."""

    count = 0

    def __init__(self, broker, extra=(), name=None):
        Newsd.count += 1
        self.name = name or "newsd-%d" % Newsd.count
        self.logpath = os.path.join(_logdir, self.name + ".log")
        # The mock cluster keeps a member that left the group until its
        # session times out, so a restarted instance would wait for the
        # default 45 s before getting partitions.
        args = [NEWSD, "run", "-X", "kafka.bootstrap.servers=" + broker.bootstrap,
                "-X", "metrics.listen=", "-X", "log.target=stderr",
                "-X", "consumer.session.timeout.ms=6000",
                "-X", "consumer.heartbeat.interval.ms=500"]
        for x in extra:
            args += ["-X", x]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                     stderr=open(self.logpath, "wb"))
        _started.append(self.proc)
        log("started %s (pid %d)" % (self.name, self.proc.pid))

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=60):
        """SIGTERM, then the exit code (None if it did not exit in time)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        log("%s stopped: exit %s" % (self.name, rc))
        return rc

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        log("%s killed" % self.name)

    def alive(self):
        return self.proc.poll() is None

    def log_text(self):
        with open(self.logpath, encoding="utf-8", errors="replace") as f:
            return f.read()


def producer(broker):
    return KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all",
                         linger_ms=5, retries=20, retry_backoff_ms=200,
                         max_in_flight_requests_per_connection=1)


def produce(broker, records):
    """Sends (key, value, headers) tuples to news.raw; returns a list of
    (partition, offset) in the same order."""
    p = producer(broker)
    futs = [p.send(RAW, value=v, key=k, headers=h or []) for k, v, h in records]
    p.flush(60)
    out = []
    for f in futs:
        md = f.get(60)
        out.append((md.partition, md.offset))
    p.close(10)
    return out


class Collector(threading.Thread):
    """Reads news.enriched and news.dlq from the beginning, as newsd writes
    them (the dev broker keeps only a few MB per partition)."""

    def __init__(self, broker):
        super().__init__(daemon=True)
        self.broker = broker
        self.events = []   # (partition, offset, key, headers dict, value)
        self.dead = []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.error = None
        self.start()

    def run(self):
        try:
            c = KafkaConsumer(bootstrap_servers=self.broker.bootstrap,
                              group_id=None, enable_auto_commit=False,
                              fetch_max_bytes=8 * 1024 * 1024)
            tps = [TopicPartition(t, p) for t in (OUT, DLQ)
                   for p in range(self.broker.partitions)]
            c.assign(tps)
            c.seek_to_beginning(*tps)
            while not self.halt.is_set():
                batch = c.poll(timeout_ms=200, max_records=2000)
                with self.lock:
                    for tp, msgs in batch.items():
                        dst = self.events if tp.topic == OUT else self.dead
                        for m in msgs:
                            dst.append((m.partition, m.offset, m.key,
                                        {k: v for k, v in m.headers}, m.value))
            c.close()
        except Exception as e:  # reported by the test
            self.error = repr(e)

    def counts(self):
        with self.lock:
            return len(self.events), len(self.dead)

    def wait_for(self, total, timeout, what="outputs"):
        """Waits until events + dead letters reach @total."""
        end = time.time() + timeout
        while time.time() < end:
            e, d = self.counts()
            if e + d >= total:
                return True
            time.sleep(0.2)
        log("timed out waiting for %d %s: have %s" % (total, what,
                                                       self.counts()))
        return False

    def settle(self, quiet=2.0):
        """Waits until nothing new arrived for @quiet seconds."""
        last = self.counts()
        since = time.time()
        while time.time() - since < quiet:
            time.sleep(0.2)
            now = self.counts()
            if now != last:
                last, since = now, time.time()
        return last

    def stop(self):
        self.halt.set()
        self.join(30)


def read_topic(broker, topic, timeout=20):
    """Every record of @topic: a list of (partition, offset, key, headers,
    value)."""
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None,
                      enable_auto_commit=False)
    tps = [TopicPartition(topic, p) for p in range(broker.partitions)]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    end = c.end_offsets(tps)
    out = []
    deadline = time.time() + timeout
    while time.time() < deadline and any(c.position(tp) < end[tp] for tp in tps):
        for tp, msgs in c.poll(timeout_ms=200, max_records=5000).items():
            for m in msgs:
                out.append((m.partition, m.offset, m.key,
                            {k: v for k, v in m.headers}, m.value))
    c.close()
    return out


def committed(broker, group="newsd", topic=RAW):
    """The group's committed offset per partition of @topic (None: none)."""
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group,
                      enable_auto_commit=False)
    out = {p: c.committed(TopicPartition(topic, p))
           for p in range(broker.partitions)}
    c.close()
    return out


def article(i, key=None, url=None):
    """A small, valid JSON article numbered @i."""
    doc = {"title": "Article number %d" % i,
           "text": "This is the body of article %d. It has two sentences.\n\n"
                   "A second paragraph says a little more about item %d." % (i, i),
           "url": url or "https://news.example.com/story/%d" % i,
           "id": str(i)}
    return (key if key is not None else ("k%d" % (i % 97)).encode(),
            json.dumps(doc).encode(), None)


def ce_id(partition, offset):
    return "%s-%d-%d" % (RAW, partition, offset)


def account(inputs, events, dead):
    """Maps each input (partition, offset) to how many outputs it got.
    Returns (missing, duplicated, unknown) lists of input coordinates."""
    seen = {}
    unknown = []
    for (_, _, _, h, value) in events:
        if "ce_id" in h:
            cid = h["ce_id"].decode()
        else:  # structured mode: the id is in the envelope
            cid = json.loads(value).get("id", "")
        seen[cid] = seen.get(cid, 0) + 1
    for (_, _, _, h, _) in dead:
        cid = ce_id(int(h["newsd-source-partition"]),
                    int(h["newsd-source-offset"]))
        seen[cid] = seen.get(cid, 0) + 1
    want = {ce_id(p, o) for p, o in inputs}
    missing = [c for c in want if c not in seen]
    dups = [c for c, n in seen.items() if n > 1]
    unknown = [c for c in seen if c not in want]
    return missing, dups, unknown


def save_sample(events, tag, n=200):
    """Passes up to @n decoded events to ndtest.save_events."""
    step = max(1, len(events) // n)
    save_events([json.loads(v) for (_, _, _, _, v) in events[::step][:n]], tag)


def finish_with_logs(*instances, tail=40):
    """ndtest.finish(), showing the newsd logs first when something failed."""
    if ndtest.failures:
        show_logs(*instances, tail=tail)
    finish()


def show_logs(*instances, tail=40):
    for inst in instances:
        lines = inst.log_text().splitlines()
        print("---- %s (last %d lines of %d)" % (inst.name, tail, len(lines)))
        for ln in lines[-tail:]:
            print("   " + ln)


class ProducerThread(threading.Thread):
    """Produces @records to news.raw in batches at a steady pace, so newsd
    is mid-stream whenever a test disturbs it. .coords fills in order.
    stop() ends it after the current batch, for tests whose disturbance
    takes as long as it takes: they give a long list and stop when done."""

    def __init__(self, broker, records, batch=200, pause=0.2):
        super().__init__(daemon=True)
        self.broker, self.records = broker, records
        self.batch, self.pause = batch, pause
        self.coords = []
        self.error = None
        self.stopping = threading.Event()
        self.start()

    def run(self):
        try:
            for i in range(0, len(self.records), self.batch):
                if self.stopping.is_set():
                    break
                self.coords += produce(self.broker,
                                       self.records[i:i + self.batch])
                time.sleep(self.pause)
        except Exception as e:  # reported by the test
            self.error = repr(e)

    def stop(self):
        self.stopping.set()


def wait_all(out, coords, timeout):
    """Waits until every input in @coords has an output; returns whether
    it happened."""
    end = time.time() + timeout
    while time.time() < end:
        with out.lock:
            missing, _, _ = account(coords, out.events, out.dead)
        if not missing:
            return True
        time.sleep(0.5)
    log("timed out: %d input(s) without output" % len(missing))
    return False


def stopped_counts(inst):
    """(records in, events, dead-lettered) from an instance's last log
    line about stopping, or None."""
    import re
    m = re.findall(r"stopped: (\d+) in, (\d+) events, (\d+) dead-lettered",
                   inst.log_text())
    return tuple(int(x) for x in m[-1]) if m else None


def finish_run(out, inst, coords, timeout=120):
    """Waits until every input in @coords has an output, lets the topic
    settle, stops @inst and the collector (checking both went well), and
    returns account()'s (missing, duplicated, unknown)."""
    check(wait_all(out, coords, timeout), "every input has an output")
    out.settle(1.5)
    check(inst.stop() == 0, "%s stops with exit 0" % inst.name)
    out.stop()
    check(out.error is None, "collector ran without error: %s" % out.error)
    return account(coords, out.events, out.dead)
