"""A second instance joins the group mid-stream, then leaves with SIGTERM:
no input is lost. With the cooperative protocol, revoked partitions are
drained and committed before they move, so nothing comes out twice either."""
import re
import time

from ndkafka import (Collector, DevBroker, Newsd, ProducerThread, article,
                     check, finish_run, finish_with_logs, log, save_sample,
                     stopped_counts)

N = 8000
records = [article(i) for i in range(N)]

broker = DevBroker(partitions=3)
out = Collector(broker)
a = Newsd(broker, name="a")
# About 30 s of input: a join and a leave each take a few seconds of
# rebalancing on the mock cluster.
prod = ProducerThread(broker, records, batch=100, pause=0.25)
check(out.wait_for(1000, 120), "instance a publishes")
b = Newsd(broker, name="b")
# b is in once a gave it partitions and it published something.
joined = False
for _ in range(600):
    if re.search(r"assigned [1-9]\d* partition", b.log_text()) and \
            re.search(r"revoked [1-9]\d* partition", a.log_text()):
        joined = True
        break
    time.sleep(0.1)
check(joined, "b joined: a revoked partitions and b got some")
before = sum(out.counts())
time.sleep(3)
check(b.stop() == 0, "b leaves with SIGTERM and exit 0")
check(len(prod.coords) < N, "b left mid-stream (%d of %d produced)" %
      (len(prod.coords), N))
bc = stopped_counts(b)
check(bc is not None and bc[1] > 0, "b published events while in the group "
      "(%s)" % (bc,))
log("outputs when b left: %d (%d when b joined)" % (sum(out.counts()), before))

prod.join(120)
check(prod.error is None, "test producer ran without error: %s" % prod.error)
missing, dups, unknown = finish_run(out, a, prod.coords)
check(not missing and not unknown, "no input lost (%d missing)" % len(missing))
check(not dups, "no duplicates across the rebalances (%d)" % len(dups))
check(len(out.events) == N, "exactly %d events (got %d)" % (N, len(out.events)))
save_sample(out.events, "kafka-rebalance", 100)
broker.stop()
finish_with_logs(a, b)
