"""Precision and recall of entities per language on tests/data/entities/:
short news texts written for this test, with the entities a reader finds
in them listed by hand in LANG.expected (canonical gazetteer names).
Counted per article over distinct entities; prints the figures and holds
them to a floor."""
import os

from ndtest import SOURCE_DIR, check, finish, process

DIR = os.path.join(SOURCE_DIR, "tests", "data", "entities")
# Floors set just below the measured figures (docs/entities.md) so that a
# regression fails. The text was written in three rounds, each after the
# matching rules of the previous round; see docs/entities.md.
FLOOR_P = 0.95
FLOOR_R = {"en": 0.9, "de": 0.9, "ru": 0.95, "ar": 0.95, "he": 0.95}

for lang in ["en", "de", "ru", "ar", "he"]:
    with open(os.path.join(DIR, lang + ".expected"), encoding="utf-8") as f:
        expected = {l.strip() for l in f if l.strip()}
    rc, ev, err = process(["--format", "text", "--published",
                           "2023-03-01T12:00:00Z",
                           os.path.join(DIR, lang + ".txt")], tag="prf")
    found = {x["name"] for x in ev[0]["analysis"]["entities"]} if ev else set()
    tp = len(found & expected)
    p = tp / len(found) if found else 0.0
    r = tp / len(expected)
    print("%s: precision %.2f recall %.2f (found %d, expected %d)" %
          (lang, p, r, len(found), len(expected)))
    print("    false positives: %s" % sorted(found - expected))
    print("    missed: %s" % sorted(expected - found))
    check(p >= FLOOR_P, "%s precision %.2f >= %.2f" % (lang, p, FLOOR_P))
    check(r >= FLOOR_R[lang], "%s recall %.2f >= %.2f" %
          (lang, r, FLOOR_R[lang]))

finish()
