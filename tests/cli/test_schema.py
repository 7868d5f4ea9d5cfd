"""Validates every event the test suite produced: the article part against
IPTC ninjs 3.1 and the whole event against schema/newsd-event.schema.json."""
import glob
import json
import os
import sys

import jsonschema
from jsonschema import Draft202012Validator, RefResolver

from ndtest import SAMPLES, SOURCE_DIR, EVENTS_DIR, check, finish, process

SCHEMAS = os.environ["NEWSD_SCHEMAS_DIR"]
ninjs = json.load(open(os.path.join(SCHEMAS, "ninjs-schema_3.1.json")))
event_schema = json.load(open(os.path.join(SOURCE_DIR, "schema",
                                           "newsd-event.schema.json")))
# The event schema refers to ninjs by its $id; resolve it locally.
store = {ninjs["$id"]: ninjs, ninjs["$id"].rstrip("#"): ninjs,
         event_schema["$id"]: event_schema}
fmt = Draft202012Validator.FORMAT_CHECKER
v_ninjs = Draft202012Validator(ninjs, format_checker=fmt)
v_event = Draft202012Validator(
    event_schema, format_checker=fmt,
    resolver=RefResolver.from_schema(event_schema, store=store))

# Events of our own, so this test never passes on nothing.
process(sorted(glob.glob(os.path.join(SAMPLES, "*.txt"))), tag="schema")
process(["--format", "json"], tag="schema", stdin=(
    b'{"title":"T","text":"Body one.\\n\\nBody two.","url":"https://ex.com/a",'
    b'"date_publish":"2023-03-01 12:00:00","authors":["A B"],"id":7}\n'))

files = sorted(glob.glob(os.path.join(EVENTS_DIR, "*.jsonl")))
n = 0
for path in files:
    for line in open(path, encoding="utf-8"):
        ev = json.loads(line)
        n += 1
        name = "%s event %d" % (os.path.basename(path), n)
        errs = list(v_ninjs.iter_errors(ev["article"]))
        check(not errs, name + " article is ninjs 3.1" +
              ("" if not errs else ": " + errs[0].message[:200]))
        errs = list(v_event.iter_errors(ev))
        check(not errs, name + " matches the event schema" +
              ("" if not errs else ": " + errs[0].message[:200] + " at " +
               "/".join(str(p) for p in errs[0].absolute_path)))
check(n >= 2, "validated %d events" % n)
finish()
