"""SIGTERM mid-stream, then a restart: the stop is clean (exit 0), what was
delivered is exactly what was committed, and after the restart every input
has exactly one output: no loss, no duplicate."""
import signal
import time

from ndkafka import (Collector, DevBroker, Newsd, ProducerThread, article,
                     check, committed, finish_run, finish_with_logs, log,
                     save_sample, stopped_counts)

N = 6000
records = [article(i) for i in range(N)]

broker = DevBroker(partitions=3)
out = Collector(broker)
first = Newsd(broker, name="first")
prod = ProducerThread(broker, records, batch=250, pause=0.25)
check(out.wait_for(1500, 120), "the first instance publishes")
# SIGHUP asks for a reload; it must not end the service.
first.signal(signal.SIGHUP)
time.sleep(0.5)
check(first.alive() and "SIGHUP: reloading" in first.log_text(),
      "SIGHUP is taken as a reload, not a stop")
rc = first.stop()
check(rc == 0, "SIGTERM mid-stream: exit 0 (got %s)" % rc)
n_first = out.settle(1.5)
log("after the first stop: %s outputs, %d produced so far" %
    (n_first, len(prod.coords)))
check(sum(n_first) < N, "the stop came mid-stream (%d of %d done)" %
      (sum(n_first), N))
counts = stopped_counts(first)
check(counts is not None and counts[1] == n_first[0],
      "the first instance reports what it delivered: %s" % (counts,))

# A clean stop commits exactly what it delivered.
com = committed(broker)
with out.lock:
    done = {(int(h["ce_id"].decode().rsplit("-", 2)[1]),
             int(h["ce_id"].decode().rsplit("-", 2)[2]))
            for (_, _, _, h, _) in out.events}
prod.join(120)
check(prod.error is None, "test producer ran without error: %s" % prod.error)
below = {(p, o) for (p, o) in prod.coords if o < (com[p] or 0)}
check(done == below, "delivered = committed: %d delivered, %d below the "
      "committed offsets %s" % (len(done), len(below), com))

second = Newsd(broker, name="second")
missing, dups, unknown = finish_run(out, second, prod.coords)
check(not missing and not unknown, "every input accounted for (%d missing)"
      % len(missing))
check(not dups, "no duplicates after a clean stop (%d)" % len(dups))
check(len(out.events) == N, "exactly %d events (got %d)" % (N, len(out.events)))
save_sample(out.events, "kafka-sigterm", 100)
broker.stop()
finish_with_logs(first, second)
