"""kill -9 while a routed, multi-output stream flows (default topic, a
language topic, a watch topic, entity records), then a restart: every input
has all of its outputs. Outputs repeated by the restart are counted, and
only inputs at or after the committed offsets may be repeated: an offset is
committed only once every output of its input was acknowledged."""
import json

from ndkafka import (Collector, DevBroker, Newsd, ProducerThread, check,
                     ce_id, committed, finish_with_logs, log, save_sample,
                     wait_all)
from ndroute import ENT, WATCH_URI, article, read_all, routing_extra, user_dir

N = 1500
WATCHED = {i for i in range(N) if i % 3 == 0 and i % 5 == 0}
LANG_TOPIC = {"en": "news.lang.en", "he": "news.desk.he",
              "ar": "news.desk.ar"}
EXTRA = routing_extra(user_dir()) + ["pipeline.commit-interval=200ms"]

broker = DevBroker(partitions=3)
out = Collector(broker)
first = Newsd(broker, EXTRA, name="first")
prod = ProducerThread(broker, [article(i, watch=i in WATCHED)
                               for i in range(N)], batch=100, pause=0.2)
check(out.wait_for(300, 90), "the first instance publishes")
first.kill9()
n_first = out.settle(1.0)
com = committed(broker)
log("killed after %s outputs; committed %s" % (n_first, com))
check(sum(n_first) < N, "the kill came mid-stream (%d of %d done)" %
      (sum(n_first), N))

second = Newsd(broker, EXTRA, name="second")
prod.join(120)
check(prod.error is None, "test producer ran without error: %s" % prod.error)
check(wait_all(out, prod.coords, 90), "every input has an event")
out.settle(1.5)
check(second.stop() == 0, "the second instance stops with exit 0")
out.stop()

topics = ["news.enriched", "news.desk.he", "news.desk.ar", "news.lang.en",
          "news.watch", ENT, "news.dlq"]
got = read_all(broker, topics)
log("records: %s" % {t: len(v) for t, v in got.items()})
ids = {ce_id(p, o): i for i, (p, o) in enumerate(prod.coords)}

# Expected outputs of every input, from its event: (topic, ce_id[, uri]).
events = {}
for (_, _, _, h, v) in got["news.enriched"]:
    events[h["ce_id"].decode()] = json.loads(v)
want = {}
for c, i in ids.items():
    ev = events.get(c)
    outs = {("news.enriched", c)}
    lang = ("en", "he", "ar")[i % 3]
    outs.add((LANG_TOPIC[lang], c))
    if i in WATCHED:
        outs.add(("news.watch", c))
    for e in (ev or {}).get("analysis", {}).get("entities", []):
        outs.add((ENT, c, e["uri"]))
    want[c] = outs

seen = {}
for t in topics[:-1]:
    for (_, _, k, h, v) in got[t]:
        if t == ENT:
            rec = json.loads(v)
            key = (t, rec["ce_id"], rec["uri"])
        else:
            key = (t, h["ce_id"].decode())
        seen[key] = seen.get(key, 0) + 1

missing = [o for outs in want.values() for o in outs if o not in seen]
expected = {o for outs in want.values() for o in outs}
unknown = [o for o in seen if o not in expected]
dups = {o: n - 1 for o, n in seen.items() if n > 1}
log("%d expected outputs; %d repeated (%d extra records) after kill -9" %
    (len(expected), len(dups), sum(dups.values())))
check(not got["news.dlq"], "nothing dead-lettered")
check(len(events) == N, "every input has its event (%d of %d)" %
      (len(events), N))
check(not missing, "no output is lost (%d missing, e.g. %s)" %
      (len(missing), missing[:3]))
check(not unknown, "no output that no input calls for (%s)" % unknown[:3])
check(sum(1 for o in expected if o[0] == ENT) > N,
      "the stream had entity records for most inputs")
check(any(o[0] == ENT and o[2] == WATCH_URI for o in expected),
      "the watched entity has records")
# A repeated output belongs to an input the crash left uncommitted.
early = {o[1] for o in dups
         if int(o[1].rsplit("-", 2)[2]) <
         (com[int(o[1].rsplit("-", 2)[1])] or 0)}
check(not early, "only uncommitted inputs were repeated (%d below the "
      "committed offsets)" % len(early))
total = sum(len(got[t]) for t in topics[:-1])
check(total == len(expected) + sum(dups.values()),
      "records = expected outputs + counted duplicates (%d = %d + %d)" %
      (total, len(expected), sum(dups.values())))
save_sample(got["news.enriched"], "kafka-routing-kill9", 30)
broker.stop()
finish_with_logs(first, second)
