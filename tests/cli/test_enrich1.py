"""newsd process on the Hebrew sample: language, script and direction,
counts, keywords, simhash; the same article with one paragraph changed,
processed in the same run, is flagged as its near-duplicate."""
import math
import os
import re
import tempfile

from ndtest import SAMPLES, check, finish, process

SAMPLE = os.path.join(SAMPLES, "he-belarus-china.txt")
with open(SAMPLE, encoding="utf-8") as f:
    original = f.read()

# One whole paragraph (about a twelfth of the body) replaced by another of
# similar length on a different subject.
OLD = ("בתחילת שיחותיו, לוקשנקו נפגש ביום רביעי עם ראש ממשלת סין לי קצ'יאנג. "
       "במהלך ביקורו הוא קיווה להרחיב את שיתוף הפעולה הכלכלי עם הכלכלה השנייה "
       "בגודלה ולמשוך השקעות מסין.")
NEW = ("בערב השתתפה המשלחת הבלארוסית בארוחה חגיגית בארמון העם, שבה הוגשו "
       "מנות מסורתיות מכל רחבי המדינה. אחר כך צפו האורחים במופע של תזמורת "
       "צבאית ובמופע זיקוקים מרשים מעל הכיכר המרכזית.")
check(OLD in original, "the paragraph to replace is in the sample")
edited = original.replace(OLD, NEW)

OTHER = ("Council approves budget\n\n"
         "The city council approved the new budget on Tuesday after a long "
         "debate about public transport, schools and the renovation of the "
         "central library. The mayor said the plan would create hundreds of "
         "jobs and improve bus services in the northern districts.\n")

with tempfile.TemporaryDirectory() as tmp:
    paths = [SAMPLE, os.path.join(tmp, "edited.txt"),
             os.path.join(tmp, "other.txt")]
    with open(paths[1], "w", encoding="utf-8") as f:
        f.write(edited)
    with open(paths[2], "w", encoding="utf-8") as f:
        f.write(OTHER)
    rc, events, err = process(paths, tag="enrich1")

check(rc == 0 and len(events) == 3, "three articles, three events: " + err)
if len(events) != 3:
    finish()
first, second, third = events
a = first["analysis"]
lang = a.get("language", {})
check(lang.get("code") == "he", "language he: %s" % lang.get("code"))
check(lang.get("script") == "Hebr", "script Hebr: %s" % lang.get("script"))
check(lang.get("direction") == "rtl", "direction rtl")
check(lang.get("reliable") is True and lang.get("confidence", 0) >= 0.9,
      "reliable, confidence %s" % lang.get("confidence"))
check(first["article"].get("language") == "he", "article.language he")

body = first["article"]["bodies"][0]
stats = a.get("stats", {})
check(stats.get("characters") == len(body["value"]),
      "characters are the body's code points (%s)" % stats.get("characters"))
check(body.get("charCount") == stats.get("characters") and
      body.get("wordCount") == stats.get("words"),
      "ninjs charCount/wordCount agree with analysis.stats")
# An independent rough count: blank-separated runs holding a letter or
# digit. ICU splits "ב-33%" and "סין-רוסיה" in two and keeps "ג'ינפינג"
# whole, so the two counts differ by a few words only.
rough = len([t for t in body["value"].split() if re.search(r"\w", t)])
check(abs(stats.get("words", 0) - rough) <= rough * 0.05,
      "words %s near the rough count %d" % (stats.get("words"), rough))
# About thirty sentences: the sample's full stops, question and
# exclamation marks, plus the headings and bullets that end without one.
ends = len(re.findall(r"[.!?](?=\s|$|\")", body["value"]))
check(ends <= stats.get("sentences", 0) <= ends + 15,
      "sentences %s (%d sentence ends in the text)"
      % (stats.get("sentences"), ends))
s = a.get("structure", {})
check(stats.get("paragraphs") == len(s.get("paragraphs", [])) +
      len(s.get("key_points", [])) + (1 if s.get("lead") else 0),
      "paragraphs = blocks + key points + lead")
check(stats.get("words_per_minute") == 200 and
      stats.get("reading_time_seconds") ==
      math.ceil(stats.get("words", 0) * 60 / 200),
      "reading time at 200 words per minute")

terms = [k["term"] for k in a.get("keywords", [])]
print("keywords: " + ", ".join(terms))
for want in ("סין", "בלארוס", "לוקשנקו"):
    check(want in terms[:5], "keyword %s in the top five" % want)
for stop in ("של", "את", "הוא", "עם", "אמר", "ביום"):
    check(stop not in terms, "no stop word %s" % stop)
check(all(re.fullmatch(r"[\u05d0-\u05ea'\"]+", t) for t in terms),
      "keywords are Hebrew words")
check(not any(t.startswith("ו") and t[1:] in terms for t in terms),
      "no keyword repeated with the prefix ו")

fp = a.get("fingerprints", {})
check(re.fullmatch(r"[0-9a-f]{16}", fp.get("simhash", "")) is not None,
      "simhash of 16 hex digits: %s" % fp.get("simhash"))
check("duplicate_of" not in a, "the first article is no duplicate")

dup = second["analysis"].get("duplicate_of")
check(dup is not None and dup.get("uri") == first["article"]["uri"],
      "the edited article is a near-duplicate of the first: %s" % dup)
check(dup is not None and 0 < dup.get("distance", 0) <= 16,
      "at a distance within the default 16 bits per 64: %s" % dup)
check(second["analysis"]["fingerprints"]["simhash"] != fp.get("simhash"),
      "the edited article has its own simhash")

check("duplicate_of" not in third["analysis"],
      "an unrelated English article is nobody's duplicate")
check(third["analysis"]["language"]["code"] == "en" and
      third["analysis"]["language"]["direction"] == "ltr",
      "the English article is en, ltr")
finish()
