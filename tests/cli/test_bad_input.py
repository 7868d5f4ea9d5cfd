"""newsd process on hostile input: a clear error and a non-zero exit, or an
event when the text is usable; never a crash or a hang."""
import json

from ndtest import check, finish, process


def crashed(rc):
    return rc < 0 or rc > 2


# Empty input: nothing to publish.
rc, ev, err = process([], stdin=b"")
check(rc == 1 and not ev, "empty input exits 1 with no event")
check("empty-body" in err, "empty input names empty-body: " + err.strip())

# Whitespace only.
rc, ev, err = process([], stdin=b" \n\t\n ")
check(rc == 1 and "empty-body" in err, "blank input is empty-body")

# Invalid UTF-8 in plain text: repaired, so the text is usable.
rc, ev, err = process(["--format", "text"],
                      stdin=b"Title \xff\xfe here\n\nBody \xc3\x28 text \xe2\x82 end.")
check(rc == 0 and len(ev) == 1, "invalid UTF-8 text still gives an event")
if ev:
    body = ev[0]["article"]["bodies"][0]["value"]
    check("\ufffd" in body, "invalid sequences became U+FFFD")
    check(ev[0]["analysis"]["normalization"].get("invalid_utf8", 0) >= 2,
          "repairs are counted in analysis.normalization")

# NUL bytes in plain text.
rc, ev, err = process(["--format", "text"], stdin=b"Tit\x00le\n\nBo\x00dy text.")
check(rc == 0 and len(ev) == 1, "NUL bytes in text give an event")
if ev:
    check("\x00" not in json.dumps(ev[0]["article"]) and
          "\\u0000" not in json.dumps(ev[0]["article"]),
          "NUL bytes are removed")

# NUL bytes inside JSON: not valid JSON.
rc, ev, err = process(["--format", "json"], stdin=b'{"title":"a\x00","text":"b"}\n')
check(rc == 1 and not ev and "invalid-json" in err, "raw NUL in JSON is invalid-json")

# A 10 MB single line: over the default 4 MiB limit.
big = b"word " * (2 * 1024 * 1024)
rc, ev, err = process(["--format", "text"], stdin=big, timeout=300)
check(rc == 1 and not ev and "too-large" in err,
      "10 MB single line is too-large: " + err.strip()[:120])

# The same line with the limit raised: processed.
rc, ev, err = process(["--format", "text", "-X", "pipeline.max-article-bytes=16777216"],
                      stdin=big, timeout=300)
check(not crashed(rc), "10 MB single line with a raised limit does not crash")

# JSON that is not an object.
for doc in [b"[1,2,3]", b'"just a string"', b"42", b"null"]:
    rc, ev, err = process(["--format", "json"], stdin=doc + b"\n")
    check(rc == 1 and not ev and "invalid-json" in err,
          "JSON %r is rejected as invalid-json" % doc[:20])

# Truncated JSON.
rc, ev, err = process(["--format", "json"], stdin=b'{"title": "x", "text": "y"\n')
check(rc == 1 and "invalid-json" in err and "line" in err,
      "truncated JSON says where")

# Deeply nested JSON: over the depth limit, and far over jansson's own.
for depth in (100, 100000):
    doc = b'{"text":"x","extra":' + b"[" * depth + b"]" * depth + b"}"
    rc, ev, err = process(["--format", "json"], stdin=doc + b"\n")
    check(rc == 1 and not ev and "invalid-json" in err,
          "JSON nested %d deep is invalid-json" % depth)

# HTML is not supported yet.
rc, ev, err = process([], stdin=b"<!DOCTYPE html><html><body><p>x</p></body></html>")
check(rc == 1 and "unsupported-format" in err, "HTML is unsupported-format")

# One bad line among good ones: the good ones still come out.
lines = b'{"title":"A","text":"Alpha text."}\n{bad\n{"title":"C","text":"Gamma text."}\n'
rc, ev, err = process(["--format", "json"], stdin=lines)
check(rc == 1 and len(ev) == 2, "bad JSON line does not stop the others")
check("-:2:" in err, "the error names the line: " + err.strip())

# Random bytes: no crash.
import random
rnd = random.Random(1234)
for i in range(30):
    blob = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 4000)))
    rc, ev, err = process([], stdin=blob)
    check(not crashed(rc), "random blob %d: exit %d" % (i, rc))

finish()
