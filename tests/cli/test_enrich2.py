"""Entities, quotes, amounts, dates and sources on the Hebrew sample
he-belarus-china.txt. Every expectation was worked out by reading the
sample."""
import os
import re

from ndtest import SAMPLES, check, finish, process

rc, ev, err = process(["--published", "2023-03-01T12:00:00Z",
                       os.path.join(SAMPLES, "he-belarus-china.txt")],
                      tag="enrich2")
check(rc == 0 and len(ev) == 1, "the sample gives one event: " + err.strip())
if not ev:
    finish()
e = ev[0]
a = e["analysis"]
art = e["article"]
ents = {(x["type"], x["name"]): x for x in a.get("entities", [])}

for name in ["Alexander Lukashenko", "Xi Jinping", "Vladimir Putin",
             "Li Keqiang", "Ebrahim Raisi"]:
    check(("person", name) in ents, "person " + name)
for name in ["Belarus", "China", "Russia", "Ukraine", "Beijing", "Samarkand",
             "Uzbekistan", "India", "Pakistan", "Kazakhstan", "Kyrgyzstan",
             "Tajikistan", "Iran"]:
    check(("place", name) in ents, "place " + name)
for name in ["Shanghai Cooperation Organisation", "CCTV", "Xinhua"]:
    check(("organisation", name) in ents, "organisation " + name)
# dpa is named only in the sources section ("סוכנות הידיעות dpa"), outside
# the body: no mention offsets, but an organisation of the item.
check(any(o["name"] == "dpa" and o.get("rel") == "source"
          for o in art.get("organisations", [])),
      "dpa is a ninjs organisation with rel=source")
check(ents.get(("place", "Belarus"), {}).get("country") == "BY",
      "Belarus has country BY")
check(ents.get(("person", "Vladimir Putin"), {}).get("uri") ==
      "http://www.wikidata.org/entity/Q7747", "Putin's Wikidata uri")

# Putin is named three ways: in a key point, glued in "רוסיהולדימיר
# פוטיןמתרחש", and twice as "בפוטין" after the full name.
putin = ents.get(("person", "Vladimir Putin"), {"mentions": []})
check(len(putin["mentions"]) == 4, "Putin has 4 mentions, found %d" %
      len(putin["mentions"]))
# "שי" alone (twice) counts after "שי ג'ינפינג" (4 times).
xi = ents.get(("person", "Xi Jinping"), {"mentions": []})
check(len(xi["mentions"]) == 6, "Xi has 6 mentions, found %d" %
      len(xi["mentions"]))

# No entity inside an ordinary word: every mention is its field's text at
# its offsets, starting after a word boundary or Hebrew clitics and ending
# at one (or glued to another name, the Putin case).
fields = {"title": art["headlines"][0]["value"],
          "body": art["bodies"][0]["value"]}
word = re.compile(r"\w")
spans = {(m["field"], m["start"], m["end"])
         for x in a["entities"] for m in x["mentions"]}
bad = []
for x in a["entities"]:
    for m in x["mentions"]:
        t = fields[m["field"]]
        s, en = m["start"], m["end"]
        ok = t[s:en] == m["text"]
        k = s
        while k > 0 and word.match(t[k - 1]):
            k -= 1
        glued_left = any(f == m["field"] and e2 == s for f, _, e2 in spans)
        glued_right = any(f == m["field"] and s2 == en for f, s2, _ in spans)
        ok = ok and (k == s or glued_left or
                     (s - k <= 3 and all(c in "והבכלמש" for c in t[k:s])))
        ok = ok and (en == len(t) or not word.match(t[en]) or glued_right or
                     x["name"] == "Vladimir Putin")
        if not ok:
            bad.append("%s %r at %d" % (x["name"], m["text"], s))
check(not bad, "every mention is a word-bounded name: %s" % bad)

people = {p["name"] for p in art.get("people", [])}
places = {p["name"] for p in art.get("places", [])}
orgs = {p["name"] for p in art.get("organisations", [])}
check({"Xi Jinping", "Alexander Lukashenko"} <= people, "ninjs people")
check({"Belarus", "China"} <= places, "ninjs places")
check({"Xinhua", "CCTV", "Shanghai Cooperation Organisation"} <= orgs,
      "ninjs organisations")
check(all(p.get("rel") == "mentioned" for p in art.get("people", [])),
      "ninjs people are rel=mentioned")
srcs = [s["name"] for s in art.get("infoSources", [])]
check("dpa" in srcs and srcs.count("dpa") == 1,
      "dpa is an infoSource once: %s" % srcs)

quotes = a.get("quotes", [])
def speaker_of(fragment):
    for q in quotes:
        if fragment in q["text"]:
            return q.get("speaker")
    return "(no quote)"
check(speaker_of("בלתי ניתנת לשבירה") == "Xi Jinping", "quote 1 by Xi")
check(speaker_of("כדי לקדם התפתחות בריאה") == "Xi Jinping", "quote 2 by Xi")
check(speaker_of("אני מאמין בתוקף") == "Alexander Lukashenko",
      "quote 3 by Lukashenko (Xi is named inside it)")
check(speaker_of("תומך באופן מלא") == "Alexander Lukashenko",
      "quote 4 by Lukashenko (named in the sentence before)")
check(speaker_of("אנחנו כבר לומדים") == "Alexander Lukashenko",
      "quote 5 by Lukashenko")
check(speaker_of("שותפים אסטרטגיים מקיפים") is None,
      "the 'strategic partners' phrase has no speaker")

amounts = a.get("amounts", [])
check(any(x["value"] == 33 and x.get("unit") == "percent" for x in amounts),
      "33%% found: %s" % amounts)
check(any(x["value"] == 5e9 and x.get("unit") == "USD" for x in amounts),
      "5 billion US dollars found")
check(len(amounts) == 2, "exactly two amounts")

dates = a.get("dates", [])
check(any("1 במרץ" in d["text"] and d["date"] == "2023-03-01" and
          d["resolution"] == "day" for d in dates),
      "ביום רביעי (1 במרץ) is 2023-03-01")
check(any(d["text"].endswith("ספטמבר") and d["date"] == "2022-09" and
          d["resolution"] == "month" for d in dates), "בספטמבר is 2022-09")
check(any(d["text"] == "בשנה שעברה" and d["date"] == "2022" for d in dates),
      "בשנה שעברה is 2022")
check(any(d["text"] == "לפני שבועיים" and d["date"] == "2023-02-15"
          for d in dates), "לפני שבועיים is 2023-02-15")

finish()
