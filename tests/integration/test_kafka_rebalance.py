"""A second instance joins the group mid-stream, then leaves with SIGTERM:
no input is lost. Revoked partitions are drained and committed before they
move, so normally nothing comes out twice. The group can refuse that commit
(a member joins while the revocation is under way and the coordinator
starts another rebalance): then the next owner starts from the last commit
the first owner got through, and only inputs at or after that offset may
come out again. The test checks exactly that, and counts them."""
import re
import time

from ndkafka import (RAW, Collector, DevBroker, Newsd, ProducerThread,
                     article, check, finish_run, finish_with_logs, log,
                     save_sample, stopped_counts)

# Input keeps flowing until b has joined and left, however long the
# rebalances take on a loaded machine; then a little more, and it stops.
# The inputs are the ones produced (N, known at the end).
POOL = 60000
records = [article(i) for i in range(POOL)]

broker = DevBroker(partitions=3)
out = Collector(broker)
a = Newsd(broker, name="a")
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
check(prod.is_alive() and len(prod.coords) < POOL,
      "b left mid-stream (%d produced so far)" % len(prod.coords))
bc = stopped_counts(b)
check(bc is not None and bc[1] > 0, "b published events while in the group "
      "(%s)" % (bc,))
log("outputs when b left: %d (%d when b joined)" % (sum(out.counts()), before))

time.sleep(3)
prod.stop()
prod.join(120)
N = len(prod.coords)
log("%d inputs produced" % N)
check(prod.error is None, "test producer ran without error: %s" % prod.error)
missing, dups, unknown = finish_run(out, a, prod.coords)
check(not missing and not unknown, "no input lost (%d missing)" % len(missing))
# Where a said, when it gave a partition up, the next owner starts: the
# offset it committed then, or the last commit the group confirmed when that
# commit was refused. The first revocation of each partition counts.
start = {}
for m in re.finditer(r"revoked %s\[(\d+)\]: (?:committed|commit failed "
                     r"\(.*?\), next owner starts at the last commit) "
                     r"(-?\d+)" % re.escape(RAW), a.log_text()):
    start.setdefault(int(m.group(1)), max(int(m.group(2)), 0))
first_revoke = re.search(r"revoked [1-9]\d* partition\(s\): (.*)",
                         a.log_text()).group(1)
moved = {int(p) for p in re.findall(r"%s\[(\d+)\]" % re.escape(RAW),
                                    first_revoke)}
check(moved and set(start) >= moved,
      "a reported where the next owner starts for every revoked partition "
      "(revoked %s, reported %s)" % (sorted(moved), start))
log("%d input(s) came out twice across the rebalances; next owner's start "
    "per moved partition: %s" % (len(dups), start))
early = [c for c in dups
         if int(c.rsplit("-", 2)[1]) not in start or
         int(c.rsplit("-", 2)[2]) < start[int(c.rsplit("-", 2)[1])]]
check(not early, "only inputs at or after a's last commit of a moved "
      "partition were repeated (%d of %d duplicates are not: %s)" %
      (len(early), len(dups), early[:5]))
check(len(out.events) == N + len(dups),
      "events = inputs + counted duplicates (%d = %d + %d)" %
      (len(out.events), N, len(dups)))
save_sample(out.events, "kafka-rebalance", 100)
broker.stop()
finish_with_logs(a, b)
