"""newsd process on the Hebrew sample article and on JSON Lines from stdin:
the structure it finds, checked against expectations worked out by reading
the sample (samples/he-belarus-china.txt) line by line."""
import json
import os
import shutil
import tempfile

from ndtest import SAMPLES, check, finish, process

SAMPLE = os.path.join(SAMPLES, "he-belarus-china.txt")

with open(SAMPLE, encoding="utf-8") as f:
    lines = f.read().split("\n")

# Line 1 is the title, line 3 the lead (the sample's own lines, as numbered
# by `cat -n`).
TITLE = lines[0]
LEAD = lines[2]
check(TITLE.startswith("בלארוס וסין משלבות כוחות"), "sample line 1 is the title")
check(LEAD.startswith("מנהיג בלארוס אלכסנדר לוקשנקו נפגש"),
      "sample line 3 is the lead")

# The three bullets after "הדבר הכי חשוב בקצרה" (lines 7, 9, 11), without
# their "  • ".
KEY_POINTS = [
    "מנהיג בלארוס לוקשנקו הוא בן ברית קרוב של נשיא רוסיה ולדימיר פוטין.",
    "כעת הוא מחפש סולידריות עם שי ג'ינפינג במהלך ביקורו בבייג'ינג.",
    "בין היתר הוא משבח את תוכנית השלום של סין.",
]
# Lines 17 and 25: short, no final stop, each followed by a paragraph.
SUBHEADINGS = [
    "נייר עמדה סיני מראה תמיכה בפוטין",
    'שני הצדדים רואים עצמם כ"שותפים אסטרטגיים מקיפים"',
]

rc, events, err = process([SAMPLE], tag="process-sample")
check(rc == 0, "exit 0 on the sample (stderr: %s)" % err.strip()[:200])
check(len(events) == 1, "exactly one event for the sample, got %d" % len(events))

if events:
    ev = events[0]
    article = ev.get("article", {})
    st = ev.get("analysis", {}).get("structure", {})
    bodies = article.get("bodies") or [{}]
    body = bodies[0].get("value", "")
    headlines = article.get("headlines") or [{}]

    check(st.get("title") == TITLE, "structure.title is line 1 exactly")
    check(headlines[0].get("value") == TITLE, "the main headline is line 1")
    check(st.get("lead") == LEAD, "structure.lead is the paragraph on line 3")
    check(st.get("key_points") == KEY_POINTS,
          "exactly the three key points, without bullets: %r"
          % st.get("key_points"))
    subs = [p["text"] for p in st.get("paragraphs", [])
            if p.get("kind") == "subheading"]
    check(subs == SUBHEADINGS, "exactly the two subheadings: %r" % subs)
    check(not any(p.get("kind") == "list-item"
                  for p in st.get("paragraphs", [])),
          "no list items left in the body (key points and sources took them)")
    check(len([p for p in st.get("paragraphs", [])
               if p.get("kind") == "paragraph"]) == 7,
          "the seven paragraphs between the key points and the sources")

    names = [s.get("name") for s in article.get("infoSources", [])]
    check("dpa" in names, "dpa is among article.infoSources: %r" % names)
    check(st.get("sources") == ["סוכנות הידיעות dpa"],
          "structure.sources is the one line after the sources heading")

    removed = st.get("removed", [])
    for furniture in ["Related Posts", "עוד חדשות וסרטונים"]:
        check(furniture in removed, "%r is in structure.removed" % furniture)
        check(furniture not in body, "%r is not in the body" % furniture)
    check("מקורות בשימוש" not in body, "the sources heading is not in the body")
    check("סוכנות הידיעות dpa" not in body, "the sources are not in the body")
    check("הדבר הכי חשוב בקצרה" not in body,
          "the key-points heading is not in the body")
    check("•" not in body, "no bullet glyph in the body")
    check(body.startswith(LEAD + "\n\n" + KEY_POINTS[0]),
          "the body starts with the lead, then the key points")

# JSON Lines on stdin: three articles, three events, in order.
articles = [
    {"title": "First", "text": "Alpha leads.\n\nAlpha continues."},
    {"title": "Second", "text": "Beta leads.\n\nKey points:\n\n- one\n- two\n\n"
                                "Beta continues.\n\nShare on Facebook"},
    {"title": "Third", "text": "Gamma leads.\n\nQuellen: dpa"},
]
stdin = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
rc, events, err = process(["--format", "json"], stdin=stdin.encode("utf-8"),
                          tag="process-jsonl")
check(rc == 0, "exit 0 on three JSON lines (stderr: %s)" % err.strip()[:200])
check(len(events) == 3, "three events for three JSON lines, got %d" % len(events))
if len(events) == 3:
    titles = [e["article"]["headlines"][0]["value"] for e in events]
    check(titles == ["First", "Second", "Third"], "events in input order: %r" % titles)
    leads = [e["analysis"]["structure"].get("lead") for e in events]
    check(leads == ["Alpha leads.", "Beta leads.", "Gamma leads."],
          "each JSON text's first paragraph is its lead: %r" % leads)
    st = events[1]["analysis"]["structure"]
    check(st["key_points"] == ["one", "two"], "JSON text gets key points too")
    check(st["removed"] == ["Share on Facebook"], "JSON text loses share lines")
    names = [s.get("name") for s in events[2]["article"].get("infoSources", [])]
    check(names == ["dpa"], "JSON text's inline sources name dpa: %r" % names)

# Extra phrases from the user data dir ([data] user-dir), same file names
# under boilerplate/.
tmp = tempfile.mkdtemp(prefix="nd-process-")
try:
    os.mkdir(os.path.join(tmp, "boilerplate"))
    with open(os.path.join(tmp, "boilerplate", "furniture-lines.txt"), "w",
              encoding="utf-8") as f:
        f.write("# this site's own prompt\nGet our morning briefing*\n")
    article = ("Local title\n\nThe lead of the article.\n\n"
               "Get our morning briefing by email\n\nThe second paragraph.\n")
    rc, events, err = process(["-X", "data.user-dir=" + tmp, "--format", "text"],
                              stdin=article.encode("utf-8"), tag="process-user")
    check(rc == 0 and len(events) == 1, "one event with a user data dir (%s)"
          % err.strip()[:200])
    if events:
        st = events[0]["analysis"]["structure"]
        check(st["removed"] == ["Get our morning briefing by email"],
              "a user phrase removes its line: %r" % st["removed"])
        check([p["text"] for p in st["paragraphs"]] == ["The second paragraph."],
              "the body keeps the rest")
    # Without it the line is article text.
    rc, events, err = process(["--format", "text"], stdin=article.encode("utf-8"),
                              tag="process-user")
    check(len(events) == 1 and events[0]["analysis"]["structure"]["removed"] == [],
          "without the user dir the line stays")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

finish()
