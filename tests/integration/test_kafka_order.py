"""Per-key order: articles with the same key (and so the same uri) come out
in input order. Runs with the eager protocol (range assignor) and a small
in-flight bound, so the loop waits for acknowledgements all along."""
import json

from ndkafka import (Collector, DevBroker, Newsd, check, finish_run,
                     finish_with_logs, produce, save_sample)

N, KEYS = 3000, 30
records = []
for i in range(N):
    k, seq = i % KEYS, i // KEYS
    doc = {"title": "Thread %d update %d" % (k, seq),
           "text": "Update %d of thread %d. Things moved on since the last "
                   "one.\n\nMore news will follow." % (seq, k),
           "url": "https://news.example.com/thread/%d" % k}
    records.append((b"thread-%d" % k, json.dumps(doc).encode(), None))

broker = DevBroker(partitions=3)
out = Collector(broker)
svc = Newsd(broker, ["consumer.partition.assignment.strategy=range",
                     "pipeline.max-in-flight=16"])
coords = produce(broker, records)
missing, dups, _ = finish_run(out, svc, coords)
check(not missing and not dups and not out.dead,
      "one event per input (%d missing, %d duplicated, %d dead)" %
      (len(missing), len(dups), len(out.dead)))

# The collector keeps each output partition's records in offset order.
last, bad, keys_partition = {}, 0, {}
for (p, _, key, _, value) in out.events:
    title = json.loads(value)["article"]["headlines"][0]["value"]
    k, seq = int(title.split()[1]), int(title.split()[3])
    keys_partition.setdefault(key, set()).add(p)
    if seq <= last.get(k, -1):
        bad += 1
    last[k] = seq
check(all(len(ps) == 1 for ps in keys_partition.values()),
      "each uri lands on one output partition")
check(bad == 0, "every key's events arrive in input order (%d out of order)"
      % bad)
check(len(last) == KEYS and all(v == N // KEYS - 1 for v in last.values()),
      "every key's last event is its last update")
save_sample(out.events, "kafka-order", 100)
broker.stop()
finish_with_logs(svc)
