"""Structured CloudEvents mode and a regex subscription: each event is one
application/cloudevents+json value holding the article event under "data",
with the same id and attributes binary mode puts in headers."""
import json

from ndkafka import (Collector, DevBroker, Newsd, article, ce_id, check,
                     finish_run, finish_with_logs, produce, save_events)

N = 60
records = [article(i) for i in range(N)]
records[7] = (b"bad-7", b'{"title": ', [("content-type", b"application/json")])

broker = DevBroker(partitions=3)
out = Collector(broker)
svc = Newsd(broker, ["pipeline.event-format=structured",
                     "topics.input=^news\\.r.w$"])
coords = produce(broker, records)
finish_run(out, svc, coords)

check(len(out.events) == N - 1 and len(out.dead) == 1,
      "%d events and one dead letter (got %d and %d)" %
      (N - 1, len(out.events), len(out.dead)))
ok, datas, ids = 0, [], set()
want_ids = {ce_id(p, o) for i, (p, o) in enumerate(coords) if i != 7}
for (_, _, key, h, value) in out.events:
    env = json.loads(value)
    data = env.get("data", {})
    uri = data.get("article", {}).get("uri")
    good = (h.get("content-type") == b"application/cloudevents+json" and
            not any(k.startswith("ce_") for k in h) and
            env.get("specversion") == "1.0" and
            env.get("type") == "dev.newsd.article.enriched.v1" and
            env.get("source", "").startswith("urn:newsd:") and
            env.get("datacontenttype") == "application/json" and
            env.get("subject") == uri and key == uri.encode() and
            env.get("time") and env.get("dataschema"))
    ok += bool(good)
    ids.add(env.get("id"))
    datas.append(data)
check(ok == N - 1, "every envelope is complete (%d of %d)" % (ok, N - 1))
check(ids == want_ids, "envelope ids are the inputs' <topic>-<partition>-"
      "<offset>")
check(out.dead and out.dead[0][3].get("newsd-error-code") == b"invalid-json",
      "the bad input is dead-lettered as invalid-json")
save_events(datas, "kafka-structured")
broker.stop()
finish_with_logs(svc)
