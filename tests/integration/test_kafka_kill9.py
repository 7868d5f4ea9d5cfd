"""kill -9 mid-stream, then a restart: every input gets an event. Records
that were in flight (delivered or not, but not yet committed) may come out
twice; the test counts them and checks that only inputs at or after the
committed offsets were repeated."""
from ndkafka import (Collector, DevBroker, Newsd, ProducerThread, article,
                     check, committed, finish_run, finish_with_logs, log,
                     save_sample)

N = 6000
records = [article(i) for i in range(N)]
# Commit often, so what a crash repeats stays small.
EXTRA = ["pipeline.commit-interval=200ms"]

broker = DevBroker(partitions=3)
out = Collector(broker)
first = Newsd(broker, EXTRA, name="first")
prod = ProducerThread(broker, records, batch=250, pause=0.25)
check(out.wait_for(1500, 120), "the first instance publishes")
first.kill9()
n_first = out.settle(1.5)
com = committed(broker)
log("killed after %s outputs; committed %s" % (n_first, com))
check(sum(n_first) < N, "the kill came mid-stream (%d of %d done)" %
      (sum(n_first), N))

second = Newsd(broker, EXTRA, name="second")
prod.join(120)
check(prod.error is None, "test producer ran without error: %s" % prod.error)
missing, dups, unknown = finish_run(out, second, prod.coords)
check(not missing and not unknown, "every input has an event (%d missing)"
      % len(missing))
log("%d input(s) came out twice after kill -9" % len(dups))
early = [c for c in dups
         if int(c.rsplit("-", 2)[2]) < (com[int(c.rsplit("-", 2)[1])] or 0)]
check(not early, "only uncommitted (in-flight) inputs were repeated "
      "(%d of %d duplicates lie below the committed offsets)" %
      (len(early), len(dups)))
check(len(out.events) == N + len(dups),
      "events = inputs + counted duplicates (%d = %d + %d)" %
      (len(out.events), N, len(dups)))
save_sample(out.events, "kafka-kill9", 100)
broker.stop()
finish_with_logs(first, second)
