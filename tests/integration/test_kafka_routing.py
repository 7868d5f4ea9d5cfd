"""Routing on the dev broker: articles in three languages go to the default
topic and to their language's topic; a rule naming a user gazetteer entity
fires only for the articles that mention it; the entity stream holds one
record per entity of each event, keyed by the entity uri."""
import json
import os

from jsonschema import Draft202012Validator

from ndkafka import (DevBroker, Newsd, check, ce_id, finish_with_logs, log,
                     produce, save_sample)
from ndroute import (ENT, LANGS, WATCH_URI, article, ce_ids, read_all,
                     routing_extra, update, user_dir)

N = 90
WATCHED = {i for i in range(N) if i % 3 == 0 and i % 2 == 0}  # English

broker = DevBroker(partitions=3)
inst = Newsd(broker, routing_extra(user_dir()), name="routing")
UPDATES = 20
coords = produce(broker, [article(i, watch=i in WATCHED) for i in range(N)])
ids = {ce_id(p, o): i for i, (p, o) in enumerate(coords)}
# Running stories: updates of one url per language, for per-key order.
upd = produce(broker, [update(LANGS[j % 3], j // 3)
                       for j in range(3 * UPDATES)])
upd_ids = {ce_id(p, o) for p, o in upd}

TOPICS = ["news.enriched", "news.desk.he", "news.desk.ar", "news.lang.en",
          "news.watch", ENT, "news.dlq"]
got = {}
for _ in range(60):
    got = read_all(broker, TOPICS, timeout=5)
    if len(ce_ids(got["news.enriched"])) >= N + 3 * UPDATES and len(got["news.watch"]) >= \
            len(WATCHED):
        break
    import time
    time.sleep(0.5)
check(inst.stop() == 0, "newsd stops with exit 0")
got = read_all(broker, TOPICS)
log("records: %s" % {t: len(v) for t, v in got.items()})

default = got["news.enriched"]
events = {h["ce_id"].decode(): json.loads(v) for (_, _, _, h, v) in default}
check(set(events) == set(ids) | upd_ids, "every input has its event on the "
      "default topic (%d of %d)" % (len(set(events) & set(ids)), N))

# Per-key order on every topic: each story's updates come out in order on
# the default and its language topic, and each entity's records of one
# story in input order on the entity topic.
for t in ("news.enriched", "news.desk.he", "news.desk.ar", "news.lang.en"):
    seqs, parts = {}, {}
    for (p, o, k, h, v) in sorted(got[t], key=lambda r: (r[0], r[1])):
        if k.startswith(b"https://news.example.com/thread/"):
            title = json.loads(v)["analysis"]["structure"]["title"]
            seqs.setdefault(k, []).append(int(title.split()[-1]))
            parts.setdefault(k, set()).add(p)
    check(all(len(ps) == 1 for ps in parts.values()),
          "%s: a key stays on one partition" % t)
    check(seqs and all(s == list(range(UPDATES)) for s in seqs.values()),
          "%s: every story's %d updates in order, one partition per key "
          "(%s)" % (t, UPDATES, {k.decode()[-2:]: s[:5]
                                 for k, s in seqs.items()}))
ent_seq = {}
for (p, o, k, h, v) in sorted(got[ENT], key=lambda r: (r[0], r[1])):
    rec = json.loads(v)
    if rec["ce_id"] in upd_ids:
        ent_seq.setdefault((k, rec["article_uri"]), []).append(
            (p, int(rec["ce_id"].rsplit("-", 1)[1])))
check(ent_seq and all(len({p for p, _ in s}) == 1 and
                      [o for _, o in s] == sorted(o for _, o in s)
                      for s in ent_seq.values()),
      "entity records of a story come out per entity in input order")
all_events = dict(events)
for c in upd_ids:
    events.pop(c, None)
check(not got["news.dlq"], "nothing dead-lettered")

# Each language topic holds exactly its language's articles.
for lang, topic in (("he", "news.desk.he"), ("ar", "news.desk.ar"),
                    ("en", "news.lang.en")):
    want = {c for c, i in ids.items() if ("en", "he", "ar")[i % 3] == lang}
    have = set(ce_ids(got[topic])) - upd_ids
    check(have == want, "%s holds the %d %s articles (has %d, %d wrong)" %
          (topic, len(want), lang, len(have), len(have - want)))
    langs = {json.loads(v)["article"].get("language")
             for (_, _, _, _, v) in got[topic]}
    check(langs == {lang}, "%s events are all %s (%s)" % (topic, lang, langs))
    # Same key and value as on the default topic.
    same = all(json.loads(v) == all_events[h["ce_id"].decode()] and
               k == all_events[h["ce_id"].decode()]["article"]["uri"].encode()
               for (_, _, k, h, v) in got[topic])
    check(same, "%s carries the same event, keyed by the article uri" % topic)

# The watch rule fires only for the articles that name the entity.
want = {c for c, i in ids.items() if i in WATCHED}
have = set(ce_ids(got["news.watch"]))
check(have == want, "news.watch holds exactly the %d articles naming the "
      "watched entity (has %d)" % (len(want), len(have)))
for c, ev in events.items():
    uris = {e.get("uri") for e in ev["analysis"].get("entities", [])}
    if (WATCH_URI in uris) != (ids[c] in WATCHED):
        check(False, "the watched entity is found exactly where it is named "
              "(input %d)" % ids[c])
        break

# Entity records: one per entity of each event, keyed by the entity uri,
# each valid against schema/newsd-entity.schema.json.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "schema", "newsd-entity.schema.json")) as f:
    v_entity = Draft202012Validator(json.load(f))
bad = [e.message for (_, _, _, _, v) in got[ENT]
       for e in v_entity.iter_errors(json.loads(v))]
check(got[ENT] and not bad, "%d entity records valid against their schema "
      "(%s)" % (len(got[ENT]), bad[:3]))
by_event = {}
for (_, _, k, h, v) in got[ENT]:
    rec = json.loads(v)
    check(k.decode() == rec["uri"], "an entity record is keyed by its uri")
    check(h["ce_subject"].decode() == rec["uri"],
          "ce_subject names the entity")
    by_event.setdefault(rec["ce_id"], []).append(rec)
mismatch = 0
for c, ev in events.items():
    ents = ev["analysis"].get("entities", [])
    recs = by_event.get(c, [])
    want = sorted((e["uri"], e["type"], e["name"], e["count"])
                  for e in ents)
    have = sorted((r["uri"], r["type"], r["name"], r["count"]) for r in recs)
    if want != have or any(r["article_uri"] != ev["article"]["uri"]
                           for r in recs):
        mismatch += 1
        if mismatch == 1:
            log("input %d: entities %s, records %s" % (ids[c], want, have))
check(mismatch == 0, "entity records match the events' entities (%d "
      "mismatch)" % mismatch)
check(all(r.get("sentence") for rs in by_event.values() for r in rs),
      "every entity record has the sentence of its first mention")
zr = [r for rs in by_event.values() for r in rs if r["uri"] == WATCH_URI]
check(zr and all(r["sentence"] == "The Zorvania Institute published the "
                 "figures." for r in zr),
      "the watched entity's sentence is the one that names it")

save_sample(default, "kafka-routing", 30)
broker.stop()
finish_with_logs(inst)
