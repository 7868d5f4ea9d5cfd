"""newsd check-config on routing: [route.NAME] sections, topic templates and
the entity stream topic; every mistake reported with its FILE:LINE, and a
good routing configuration printed back as a valid one.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ndtest import NEWSD, check, finish  # noqa: E402


def check_config(args):
    p = subprocess.run([NEWSD, "check-config"] + list(args),
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


tmp = tempfile.mkdtemp(prefix="newsd-check-routes-")

good = write(tmp, "good.conf", """\
[topics]
output = news.enriched.{language|und}
entities = news.entities

[route.hebrew-desk]
topic = desk.{language}
language = he, ar
min-words = 50
duplicate = no

[route.watch]
topic = watch.belarus
entity = http://www.wikidata.org/entity/Q184
""")
rc, out, err = check_config(["-c", good])
check(rc == 0, "a good routing config exits 0 (rc %d, %s)" % (rc, err))
check("\noutput = news.enriched.{language|und}\n" in out,
      "the output template is printed as written")
check("\nentities = news.entities\n" in out, "the entity topic is printed")
check("\n[route.hebrew-desk]\ntopic = desk.{language}\nlanguage = he,ar\n"
      "duplicate = no\nmin-words = 50\n" in out, "a route is printed")
check("\n[route.watch]\ntopic = watch.belarus\n"
      "entity = http://www.wikidata.org/entity/Q184\n" in out,
      "a second route is printed")
again = write(tmp, "again.conf", out)
rc, out2, err = check_config(["-c", again])
check(rc == 0 and out2.split("\n", 1)[1] == out.split("\n", 1)[1],
      "the printout reads back to the same configuration (%s)" % err)

# -X reaches a route's keys too.
rc, out, err = check_config(["-c", good, "-X", "route.watch.min-words=7",
                             "-X", "route.extra.topic=extra.{source}"])
check(rc == 0, "-X route.NAME.key is accepted (%s)" % err)
check("\n[route.watch]\ntopic = watch.belarus\n"
      "entity = http://www.wikidata.org/entity/Q184\nmin-words = 7\n" in out,
      "-X sets a key of an existing route")
check("\n[route.extra]\ntopic = extra.{source}\n" in out,
      "-X can add a route")

# Every kind of mistake, each on its own line; all of them reported.
bad = write(tmp, "bad.conf", """\
[topics]
output = news.{langauge}
entities = bad topic

[route.a]
topic = desk.{language
colour = red
language = he,,ar

[route.b]
topic = b.x
duplicate = maybe
min-words = many
min-words = 3

[route.no topic]
language = he

[route.c]
language = en

[route.a]
topic = again

[route.loop]
topic = news.raw
""")
rc, out, err = check_config(["-c", bad])
check(rc == 2, "a broken routing config exits 2 (rc %d)" % rc)
lines = err.splitlines()
expected = [
    '%s:2: topics.output: "news.{langauge}": unknown placeholder '
    '{langauge}; the placeholders are {language} {script} {place.country} '
    '{source} {input.topic} {type}',
    '%s:3: topics.entities: "bad topic": a topic name holds only letters, '
    "digits, '.', '_' and '-'",
    "%s:6: route.a.topic: \"desk.{language\": unbalanced '{' at column 6",
    "%s:7: route.a.colour: unknown key colour; a route has topic, language, "
    "entity, duplicate and min-words",
    "%s:8: route.a.language: language: expected a comma list of language "
    "codes such as he,ar",
    '%s:12: route.b.duplicate: duplicate: "maybe" is not yes or no',
    '%s:13: route.b.min-words: min-words: "many" is not a whole number '
    "from 0 to 10000000",
    "%s:14: route.b.min-words: duplicate key (first set on line 13)",
    "%s:16: [route.no topic]: a route name has 1 to 64 letters, digits, "
    "'_' or '-'",
    "%s:22: duplicate section [route.a] (first at %s:5)",
    # Its keys still count as route a's.
    "%s:23: route.a.topic: duplicate key (first set on line 6)",
    "%s:19: [route.c]: missing topic (the topic its events go to)",
    '%s:25: [route.loop]: "news.raw" is also an input topic: newsd would '
    "consume its own output",
]
for want in expected:
    want = want.replace("%s", bad)
    check(want in lines, "error listed: " + want)
check(len(lines) == len(expected),
      "exactly %d errors (got %d: %s)" % (len(expected), len(lines), err))
check(out == "", "nothing printed for a broken config")

finish()
