"""Stopping while the broker is away: the first SIGTERM gives up on what it
cannot deliver once pipeline.shutdown-timeout has passed, a second SIGTERM
gives up at once; both exit 0 and commit only what was delivered, and the
next instance (broker back) leaves no input without an output."""
import time

from ndkafka import (Collector, DevBroker, Newsd, article, check, committed,
                     finish_run, finish_with_logs, log, produce, save_sample)

N = 3000
records = [article(i) for i in range(N)]
# Slow enough (linger) that records are surely in flight when the broker
# goes away.
EXTRA = ["pipeline.shutdown-timeout=4s", "pipeline.max-in-flight=100",
         "producer.linger.ms=300", "pipeline.commit-interval=500ms"]

broker = DevBroker(partitions=3)
out = Collector(broker)
coords = produce(broker, records)


def delivered_covers_committed(what):
    """Every input below the committed offsets has an output."""
    com = committed(broker)
    out.settle(2.0)
    with out.lock:
        seen = {h["ce_id"].decode() for (_, _, _, h, _) in out.events}
    below = ["news.raw-%d-%d" % (p, o) for (p, o) in coords
             if o < (com[p] or 0)]
    check(below and all(c in seen for c in below),
          "%s: the %d inputs below the committed offsets %s all have "
          "events" % (what, len(below), com))


def stop_while_away(inst, second_signal, reached):
    check(out.wait_for(reached, 90), "%s publishes" % inst.name)
    # Something is committed before the outage, so the checks below
    # compare against real commits.
    for _ in range(100):
        if any(committed(broker).values()):
            break
        time.sleep(0.2)
    broker.down()
    time.sleep(1)
    inst.signal(15)
    if second_signal:
        time.sleep(1)
        inst.signal(15)
    try:
        rc = inst.proc.wait(60)
    except Exception:
        rc = None
    check(rc == 0, "%s exits 0 with the broker away (got %s)" %
          (inst.name, rc))
    broker.up()
    log("%s stopped; brokers up" % inst.name)


first = Newsd(broker, EXTRA, name="first")
stop_while_away(first, False, 300)
check("undelivered" in first.log_text(),
      "first: the deadline left records undelivered")
delivered_covers_committed("after the deadline")

second = Newsd(broker, EXTRA, name="second")
stop_while_away(second, True, sum(out.counts()) + 300)
delivered_covers_committed("after a second signal")

third = Newsd(broker, name="third")
missing, dups, unknown = finish_run(out, third, coords, 150)
check(not missing and not unknown, "no input lost (%d missing)" %
      len(missing))
log("%d input(s) came out twice" % len(dups))
save_sample(out.events, "kafka-stop-outage", 100)
broker.stop()
finish_with_logs(first, second, third)
