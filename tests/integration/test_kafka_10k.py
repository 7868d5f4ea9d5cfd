"""10,000 articles through newsd and the dev broker, 1% of them bad: exactly
one event per good article, one dead-letter record per bad one (with its
error code and original bytes), CloudEvents headers, unique ce_id, and the
group's offsets committed to the end after a clean stop."""
import json
import re

from ndkafka import (RAW, Collector, DevBroker, Newsd, account, article,
                     check, committed, finish_with_logs, log, produce,
                     save_sample)

N = 10000
MAX_BYTES = 4096

# The bad ones: one in a hundred, four kinds in turn, each with the error
# code SPEC §5 gives it.
BAD_KINDS = [
    ("invalid-json", lambda i: b'{"title": "broken %d", "text": ' % i,
     [("content-type", b"application/json")]),
    ("empty-body", lambda i: b" \n\t\n " * (i % 3 + 1), None),
    ("unsupported-format",
     lambda i: b"<!DOCTYPE html><html><body><p>page %d</p></body></html>" % i,
     None),
    ("too-large", lambda i: (b"Title %d\n\n" % i) + b"word " * 1000, None),
]

records, expect_code = [], {}
for i in range(N):
    if i % 100 == 50:
        code, value, headers = BAD_KINDS[(i // 100) % 4]
        hdrs = list(headers or []) + [("x-origin", b"bad-%d" % i)]
        records.append((b"bad-%d" % i, value(i), hdrs))
        expect_code[i] = code
    else:
        k, v, h = article(i)
        if i % 10 == 3:
            h = [("traceparent",
                  b"00-%032x-%016x-01" % (i + 1, i + 1))]
        records.append((k, v, h))

broker = DevBroker(partitions=3)
out = Collector(broker)
svc = Newsd(broker, ["pipeline.max-article-bytes=%d" % MAX_BYTES])
coords = produce(broker, records)
log("produced %d" % len(coords))
done = out.wait_for(N, 240)
check(done, "all %d inputs gave an output" % N)
n_events, n_dead = out.settle(2.0)
rc = svc.stop()
check(rc == 0, "SIGTERM stops newsd with exit 0 (got %s)" % rc)
out.stop()
check(out.error is None, "collector ran without error: %s" % out.error)

events, dead = out.events, out.dead
check(len(events) == N - 100, "exactly %d events (got %d)" % (N - 100, len(events)))
check(len(dead) == 100, "exactly 100 dead-letter records (got %d)" % len(dead))

missing, dups, unknown = account(coords, events, dead)
check(not missing, "every input accounted for (%d missing)" % len(missing))
check(not dups, "no input has two outputs (%d do)" % len(dups))
check(not unknown, "no output for an unknown input (%d)" % len(unknown))
ids = [h.get("ce_id") for (_, _, _, h, _) in events]
check(len(set(ids)) == len(ids) and None not in ids, "every ce_id is unique")

# Dead letters: the right code, the original key, value and headers.
by_coord = {c: i for i, c in enumerate(coords)}
bad_ok = code_ok = src_ok = 0
for (_, _, key, h, value) in dead:
    p, o = int(h["newsd-source-partition"]), int(h["newsd-source-offset"])
    i = by_coord.get((p, o))
    if i is None or i not in expect_code:
        continue
    k, v, hdrs = records[i]
    if key == k and value == v and all(h.get(n) == x for n, x in hdrs):
        bad_ok += 1
    if h.get("newsd-error-code") == expect_code[i].encode():
        code_ok += 1
    if (h.get("newsd-source-topic") == RAW.encode() and
            h.get("newsd-error-message")):
        src_ok += 1
check(bad_ok == 100, "dead letters carry the original key, value and headers "
      "(%d of 100)" % bad_ok)
check(code_ok == 100, "dead letters carry the expected newsd-error-code "
      "(%d of 100)" % code_ok)
check(src_ok == 100, "dead letters name their source topic and a message "
      "(%d of 100)" % src_ok)

# Events: CloudEvents binary mode, keyed by the article uri.
rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
hdr_ok = trace_ok = trace_want = 0
for (_, _, key, h, value) in events:
    ev = json.loads(value)
    cid = h.get("ce_id", b"").decode()
    p, o = int(cid.rsplit("-", 2)[1]), int(cid.rsplit("-", 2)[2])
    i = by_coord[(p, o)]
    uri = ev["article"]["uri"]
    good = (h.get("ce_specversion") == b"1.0" and
            h.get("ce_type") == b"dev.newsd.article.enriched.v1" and
            h.get("ce_source", b"").startswith(b"urn:newsd:") and
            h.get("ce_subject") == uri.encode() and key == uri.encode() and
            h.get("content-type") == b"application/json" and
            h.get("ce_dataschema") and
            rfc3339.match(h.get("ce_time", b"").decode()) and
            uri == "https://news.example.com/story/%d" % i and
            ev["provenance"]["offset"] == o and
            ev["provenance"]["partition"] == p)
    hdr_ok += bool(good)
    if records[i][2]:
        trace_want += 1
        trace_ok += h.get("traceparent") == records[i][2][0][1]
check(hdr_ok == len(events), "events carry the CloudEvents headers, key = uri "
      "and their provenance (%d of %d)" % (hdr_ok, len(events)))
check(trace_want > 0 and trace_ok == trace_want,
      "traceparent copied through (%d of %d)" % (trace_ok, trace_want))
save_sample(events, "kafka-10k")

# After a clean stop the group's offsets are at the end of every partition.
ends = {}
for p, o in coords:
    ends[p] = max(ends.get(p, 0), o + 1)
com = committed(broker)
check(all((com[p] or 0) == ends.get(p, 0) for p in com),
      "committed offsets %s are the end offsets %s" % (com, ends))

broker.stop()
finish_with_logs(svc)
