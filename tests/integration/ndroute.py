"""Helpers for the routing integration tests: articles in three languages,
a user gazetteer with one made-up entity, the routes that send them apart,
and reading any topic whole."""
import json
import os
import tempfile
import time

from kafka import KafkaConsumer, TopicPartition

WATCH_URI = "urn:test:zorvania"
ENT = "news.entities"

# Short articles that the language stage tells apart; the English one
# optionally names the user gazetteer's entity.
BODIES = {
    "en": "Officials in Berlin and Paris said on Monday that water prices "
          "in Europe would shape next year's budget. Item %d.\n\n"
          "The report also looked at farming.",
    "he": "משרד האוצר פרסם היום דוח חדש על מחירי הדיור בישראל. לפי הדוח, "
          "המחירים בתל אביב עלו בשנה האחרונה. פריט %d.\n\n"
          "השר אמר כי הממשלה תפעל להורדת המחירים.",
    "ar": "أعلنت وزارة المالية اليوم عن تقرير جديد حول أسعار المساكن في "
          "مصر. وقال الوزير إن الحكومة ستعمل على خفض الأسعار في القاهرة. "
          "البند %d.\n\nوأضاف أن التقرير يشمل عدة مدن.",
}
LANGS = ("en", "he", "ar")
WATCH_SENTENCE = "The Zorvania Institute published the figures."


def user_dir():
    """A user data dir whose gazetteer holds one organisation that no
    built-in file knows."""
    d = tempfile.mkdtemp(prefix="newsd-user-")
    os.makedirs(os.path.join(d, "entities"))
    with open(os.path.join(d, "entities", "watch.tsv"), "w",
              encoding="utf-8") as f:
        f.write("# A made-up organisation for the routing tests.\n")
        f.write("%s\torganisation\tZorvania Institute\t-\t"
                "en:Zorvania Institute\t-\n" % WATCH_URI)
    return d


def article(i, watch=False):
    """Article @i: its language cycles en, he, ar; @watch adds a sentence
    naming the watched entity (English articles only)."""
    lang = LANGS[i % 3]
    body = BODIES[lang] % i
    if watch:
        body = WATCH_SENTENCE + " " + body
    doc = {"title": "%s %d" % ({"en": "Prices", "he": "מחירים",
                                "ar": "أسعار"}[lang], i),
           "text": body, "url": "https://news.example.com/%s/%d" % (lang, i),
           "id": str(i)}
    return ("k%d" % i).encode(), json.dumps(doc).encode(), None


def update(lang, seq):
    """Update @seq of a running story in @lang: the same url (so the same
    article uri and key) every time."""
    body = BODIES[lang] % seq
    doc = {"title": "Update %d" % seq, "text": body,
           "url": "https://news.example.com/thread/%s" % lang,
           "id": "thread-%s-%d" % (lang, seq)}
    return ("thread-%s" % lang).encode(), json.dumps(doc).encode(), None


def routing_extra(udir):
    """-X settings: three language routes (two fixed topics, one template),
    a watch route and the entity stream."""
    return ["data.user-dir=" + udir,
            "topics.entities=" + ENT,
            "route.hebrew.topic=news.desk.he",
            "route.hebrew.language=he",
            "route.arabic.topic=news.desk.ar",
            "route.arabic.language=ar",
            "route.other.topic=news.lang.{language|und}",
            "route.other.language=en,fr",
            "route.watch.topic=news.watch",
            "route.watch.entity=" + WATCH_URI]


def read_all(broker, topics, timeout=30):
    """Every record of each of @topics, as {topic: [(partition, offset, key,
    headers, value)]}; partitions are found from the metadata."""
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None,
                      enable_auto_commit=False)
    tps = []
    for t in topics:
        parts = None
        end = time.time() + 10
        while parts is None and time.time() < end:
            parts = c.partitions_for_topic(t)
            if parts is None:
                c.topics()  # refresh
                time.sleep(0.2)
        tps += [TopicPartition(t, p) for p in sorted(parts or [])]
    out = {t: [] for t in topics}
    if not tps:
        c.close()
        return out
    c.assign(tps)
    c.seek_to_beginning(*tps)
    ends = c.end_offsets(tps)
    deadline = time.time() + timeout
    while time.time() < deadline and any(c.position(tp) < ends[tp]
                                         for tp in tps):
        for tp, msgs in c.poll(timeout_ms=200, max_records=5000).items():
            for m in msgs:
                out[tp.topic].append((m.partition, m.offset, m.key,
                                      {k: v for k, v in m.headers}, m.value))
    c.close()
    return out


def ce_ids(records):
    """{ce_id: count} of event records."""
    seen = {}
    for (_, _, _, h, _) in records:
        cid = h["ce_id"].decode()
        seen[cid] = seen.get(cid, 0) + 1
    return seen
