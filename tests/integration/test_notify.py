"""newsd run under a fake service manager: the test owns the NOTIFY_SOCKET
(a real AF_UNIX datagram socket), sets WATCHDOG_USEC/WATCHDOG_PID as
systemd does, runs newsd against `newsd dev-broker` and checks what systemd
would see:

- READY=1 only once the consumer joined its group and the producer reached
  a broker (not while the brokers are down), STATUS= lines with the live
  figures;
- SIGHUP: RELOADING=1 with MONOTONIC_USEC= then READY=1, for a valid
  configuration (applied) and an invalid one (rejected, the old one keeps
  running), while articles flow: every article gives an event;
- SIGTERM: STOPPING=1, exit 0;
- WATCHDOG=1 every half interval while the loop turns, and no more pings
  once the loop is stalled (the test-only NEWSD_TEST_STALL_AFTER_MS);
- stderr is not a terminal and JOURNAL_STREAM is unset: every line carries
  a <N> priority prefix."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.environ["NEWSD_SOURCE_DIR"], "tests", "cli"))
from ndtest import NEWSD, check, finish, save_events  # noqa: E402

WATCHDOG_USEC = 1000000   # pings expected every 0.5 s
TOPICS = ("news.raw", "news.enriched", "news.dlq")


def now():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class Manager:
    """The service manager's end of NOTIFY_SOCKET: every datagram with the
    monotonic time it arrived."""

    def __init__(self, tmp):
        self.path = os.path.join(tmp, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages = []          # (time, {KEY: value})
        self.lock = threading.Lock()
        self.done = False
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while not self.done:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            fields = dict(line.split("=", 1) for line in
                          data.decode().split("\n") if "=" in line)
            with self.lock:
                self.messages.append((now(), fields))

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def wait_for(self, key, value=None, after=0.0, timeout=30.0):
        """The first message at or after `after` carrying KEY (=value)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for t, m in self.snapshot():
                if t >= after and key in m and (value is None or
                                                m[key] == value):
                    return t, m
            time.sleep(0.05)
        return None, None

    def times(self, key, start=0.0, end=float("inf")):
        return [t for t, m in self.snapshot() if key in m and start <= t < end]

    def close(self):
        self.done = True
        self.thread.join()
        self.sock.close()


class Stderr:
    """Collects a process's stderr lines with their arrival time."""

    def __init__(self, stream):
        self.lines = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, args=(stream,),
                                       daemon=True)
        self.thread.start()

    def _read(self, stream):
        for raw in stream:
            with self.lock:
                self.lines.append((now(), raw.decode("utf-8", "replace")
                                   .rstrip("\n")))

    def text(self):
        with self.lock:
            return [l for _, l in self.lines]

    def wait_for(self, needle, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for t, l in self.lines:
                    if needle in l:
                        return t
            time.sleep(0.05)
        return None


def start_broker():
    p = subprocess.Popen([NEWSD, "dev-broker", "--partitions", "3",
                          "--topics", ",".join(TOPICS)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline().decode().strip()
    assert line.startswith("bootstrap.servers="), line
    return p, line.split("=", 1)[1]


def write_config(path, servers, extra=""):
    with open(path, "w", encoding="utf-8") as f:
        f.write("[kafka]\nbootstrap.servers = %s\n"
                "[consumer]\ngroup.id = notify-test\n"
                "[log]\nlevel = info\n"
                "[metrics]\nlisten =\n%s" % (servers, extra))


def start_newsd(conf, manager, extra_env=None):
    env = dict(os.environ, NOTIFY_SOCKET=manager.path,
               WATCHDOG_USEC=str(WATCHDOG_USEC))
    env.pop("JOURNAL_STREAM", None)
    env.pop("INVOCATION_ID", None)
    env.update(extra_env or {})
    # systemd sets WATCHDOG_PID to the main process: the shell's pid is
    # newsd's once it execs.
    p = subprocess.Popen(["/bin/sh", "-c",
                          'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"',
                          "sh", NEWSD, "run", "-c", conf],
                         env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return p, Stderr(p.stderr)


def produce(servers, first, n):
    lines = "".join(json.dumps({
        "id": "a%d" % i,
        "title": "Harbour council article %d" % i,
        "text": "The council met on Tuesday.\n\nIt approved item %d of the "
                "budget." % i,
        "url": "https://news.example.com/a/%d" % i,
    }) + "\n" for i in range(first, first + n))
    p = subprocess.run(["kcat", "-P", "-b", servers, "-t", "news.raw"],
                       input=lines.encode(), capture_output=True, timeout=60)
    check(p.returncode == 0, "kcat produced %d articles" % n)


def consume(servers, want, timeout=60):
    """Events on the output topic, until `want` of them or the timeout."""
    deadline = time.time() + timeout
    events = []
    while time.time() < deadline:
        p = subprocess.run(["kcat", "-C", "-b", servers, "-t", "news.enriched",
                            "-o", "beginning", "-e", "-q", "-f", "%s\n"],
                           capture_output=True, timeout=60)
        events = [json.loads(l) for l in p.stdout.decode().splitlines()
                  if l.strip()]
        if len(events) >= want:
            break
        time.sleep(0.5)
    return events


def pings_per_window(manager, start, end):
    n = len(manager.times("WATCHDOG", start, end))
    return n, (end - start) / (WATCHDOG_USEC / 2e6)


tmp = tempfile.mkdtemp(prefix="newsd-notify-")
broker = newsd = None
manager = Manager(tmp)
try:
    broker, servers = start_broker()
    conf = os.path.join(tmp, "newsd.conf")
    write_config(conf, servers)

    # ---- Start with the brokers down: no READY=1, but the loop turns.
    broker.send_signal(signal.SIGUSR1)
    time.sleep(0.3)
    t0 = now()
    newsd, err = start_newsd(conf, manager)
    time.sleep(3)
    t_down = now()
    snap = manager.snapshot()
    check(not any("READY" in m for _, m in snap),
          "no READY=1 while the brokers are down")
    check(any(m.get("STATUS", "").startswith("connecting") for _, m in snap),
          "STATUS= says it is connecting")
    n, expected = pings_per_window(manager, t0 + 0.5, t_down)
    check(n >= 2, "WATCHDOG=1 keeps coming while waiting for Kafka (%d)" % n)
    broker.send_signal(signal.SIGUSR2)
    t_ready, _ = manager.wait_for("READY", "1", timeout=40)
    check(t_ready is not None, "READY=1 once the brokers are back")
    check(t_ready is None or t_ready > t_down, "READY=1 came after the outage")
    if t_ready is None:
        raise SystemExit(finish())

    # ---- Articles flow; STATUS= carries the figures. Batch a0-a19 before
    # any reload, a20-a39 sent just before the first SIGHUP (processed
    # around it), a40-a59 just before the second.
    produce(servers, 0, 20)
    consume(servers, 20)
    t_status, m = manager.wait_for("STATUS", after=t_ready + 2.5)
    check(m is not None and re.match(
        r"in \d+\.\d rec/s, out \d+\.\d rec/s, dead-lettered \d+, "
        r"lag (\d+|unknown), (consuming|paused)$", m["STATUS"]) is not None,
        "STATUS= line with the live figures (%s)" % (m or {}).get("STATUS"))

    # ---- SIGHUP with a valid configuration: a stage switched off, and one
    # setting that needs a restart.
    write_config(conf, servers, "[pipeline]\nstage.stats = off\n"
                 "[topics]\noutput = elsewhere\n")
    produce(servers, 20, 20)
    before = now()
    newsd.send_signal(signal.SIGHUP)
    t_rel, m = manager.wait_for("RELOADING", "1", after=before)
    after = now()
    check(t_rel is not None, "SIGHUP: RELOADING=1")
    mono = int(m.get("MONOTONIC_USEC", "0")) / 1e6 if m else 0
    check(m is not None and before <= mono <= after,
          "RELOADING=1 carries MONOTONIC_USEC= of the reload time")
    t_rdy, _ = manager.wait_for("READY", "1", after=t_rel or before)
    check(t_rdy is not None, "READY=1 after the reload")
    check(err.wait_for("configuration reloaded") is not None,
          "the valid configuration is applied")
    check(err.wait_for("topics.output changed but needs a restart") is not None,
          "a change that needs a restart is named in the log")

    # ---- SIGHUP with an invalid configuration: rejected, old one kept.
    write_config(conf, servers, "[pipeline]\nmax-in-flight = lots\n")
    produce(servers, 40, 20)
    before = now()
    newsd.send_signal(signal.SIGHUP)
    t_rel, _ = manager.wait_for("RELOADING", "1", after=before)
    t_rdy, _ = manager.wait_for("READY", "1", after=t_rel or before)
    check(t_rel is not None and t_rdy is not None,
          "invalid configuration: RELOADING=1 then READY=1")
    check(err.wait_for("reload rejected") is not None,
          "the invalid configuration is rejected")
    check(any(conf + ":" in l and "max-in-flight" in l for l in err.text()),
          "the error is logged as FILE:LINE: message")
    events = consume(servers, 60)
    save_events(events, "notify")
    ids = sorted(e["article"]["altIds"][0]["value"] for e in events)
    check(ids == sorted("a%d" % i for i in range(60)),
          "every article, before, around and after the reloads, became one "
          "event (%d)" % len(events))
    check(newsd.poll() is None, "still running after the reloads")

    def batch(lo, hi):
        return [e for e in events
                if lo <= int(e["article"]["altIds"][0]["value"][1:]) < hi]
    check(all("stats" in e["analysis"] for e in batch(0, 20)),
          "before the reload the stats stage ran")
    check(all("stats" not in e["analysis"] for e in batch(40, 60)),
          "after the reload the stats stage is off, also after the rejected "
          "one")
    time.sleep(2.5)
    rates = [re.match(r"in (\d+\.\d) rec/s, out (\d+\.\d)", m["STATUS"])
             for t, m in manager.snapshot()
             if t > t_ready and "STATUS" in m]
    check(any(r and float(r.group(1)) > 0 and float(r.group(2)) > 0
              for r in rates),
          "a STATUS= line shows records flowing in and out")

    # ---- Watchdog period while healthy.
    t_a = now()
    time.sleep(3)
    n, expected = pings_per_window(manager, t_a, now())
    print("     %d pings in 3 s (at most %.0f expected)" % (n, expected + 1))
    check(expected / 2 - 1 <= n <= expected + 1,
          "WATCHDOG=1 about every %d ms" % (WATCHDOG_USEC // 2000))

    # ---- SIGTERM.
    before = now()
    newsd.send_signal(signal.SIGTERM)
    t_stop, _ = manager.wait_for("STOPPING", "1", after=before)
    check(t_stop is not None, "SIGTERM: STOPPING=1")
    rc = newsd.wait(timeout=60)
    check(rc == 0, "exit 0 after SIGTERM (%d)" % rc)
    err.thread.join(timeout=10)
    lines = err.text()
    bad = [l for l in lines if not re.match(r"<[0-7]>", l)]
    check(lines and not bad, "every stderr line has a <N> prefix (%d lines%s)"
          % (len(lines), ", first bad: %r" % bad[0] if bad else ""))
    newsd = None

    # ---- A stalled loop stops the pings.
    write_config(conf, servers)
    t0 = now()
    newsd, err = start_newsd(conf, manager,
                             {"NEWSD_TEST_STALL_AFTER_MS": "3000"})
    t_stall = err.wait_for("test fault: main loop stalled", timeout=30)
    check(t_stall is not None, "the stall switch stalls the loop")
    n_before = len(manager.times("WATCHDOG", t0, t_stall or now()))
    check(n_before >= 2, "pings before the stall (%d)" % n_before)
    time.sleep(3)
    n_after = len(manager.times("WATCHDOG", (t_stall or now()) + 0.2))
    check(n_after == 0, "no ping in the 3 s after the stall (%d)" % n_after)
    check(newsd.poll() is None, "the stalled process is still there: only "
          "the watchdog can tell")
finally:
    for p in (newsd, broker):
        if p and p.poll() is None:
            p.kill()
            p.wait()
    manager.close()
    shutil.rmtree(tmp)
finish()
