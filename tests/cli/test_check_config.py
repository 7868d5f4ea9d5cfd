"""newsd check-config on good and broken configurations: exit codes, every
error with its line, secrets never printed, librdkafka's own checks, the
example config, the generated docs; and newsd process honouring the config.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ndtest import NEWSD, SOURCE_DIR, check, finish, process  # noqa: E402

SECRET = "hunter2-secret"


def check_config(args, env=None):
    e = dict(os.environ)
    e.pop("CREDENTIALS_DIRECTORY", None)
    e.update(env or {})
    p = subprocess.run([NEWSD, "check-config"] + list(args),
                       capture_output=True, text=True, env=e, timeout=60)
    return p.returncode, p.stdout, p.stderr


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


tmp = tempfile.mkdtemp(prefix="newsd-check-config-")

# A good file, a secret in it.
good = write(tmp, "good.conf", """\
[kafka]
bootstrap.servers = localhost:9092
sasl.password = %s
[producer]
compression.type = zstd
[topics]
input = news.raw, ^wire\\..*
[pipeline]
max-article-bytes = 1M
stage.stats = off
[log]
level = debug
""" % SECRET)
rc, out, err = check_config(["-c", good])
check(rc == 0, "a good config exits 0 (rc %d, %s)" % (rc, err.strip()))
check(err == "", "nothing on stderr for a good config")
check("\ninput = news.raw, ^wire\\..*\n" in out, "effective input printed")
check("\nmax-article-bytes = 1M\n" in out, "sizes printed with their unit")
check("\nstage.stats = off\n" in out, "stage switches printed")
check("\nlevel = debug\n" in out, "log level printed")
check("\nsasl.password = [redacted]\n" in out, "the secret is redacted")
check(SECRET not in out + err, "the secret value is never printed")
check("\n[consumer]\ngroup.id = newsd\n" in out, "group.id defaults to newsd")

# The printout is itself a valid configuration.
again = write(tmp, "again.conf", out.replace("[redacted]", "x"))
rc, out2, err2 = check_config(["-c", again])
check(rc == 0 and out2.split("\n", 1)[1] == out.split("\n", 1)[1],
      "the printed configuration loads back to the same one")

# A broken file: every error, each with its line, in one run.
bad = write(tmp, "bad.conf", """\
[kafka]
sasl.password = %s
bootstrap.servers = localhost:9092
[producer]
compression.type = zzz
[pipeline]
max-in-flight = 0
max-inflight = 5
event-format = json
[nope]
key = 1
this is not ini
[log]
level = loud
level = debug
[topics]
output = news.raw
""" % SECRET)
rc, out, err = check_config(["-c", bad])
lines = err.splitlines()
check(rc == 2, "a broken config exits 2 (rc %d)" % rc)
check(out == "", "nothing on stdout for a broken config")
expected = [
    "%s:7: pipeline.max-in-flight: 0 is out of range (1 to 1000000)" % bad,
    "%s:8: pipeline.max-inflight: unknown key; did you mean max-in-flight?"
    % bad,
    '%s:9: pipeline.event-format: "json" is not one of: binary, structured'
    % bad,
    "%s:10: unknown section [nope]; the sections are [topics] [pipeline] "
    "[data] [log] [metrics] [kafka] [consumer] [producer] [route.NAME]" % bad,
    '%s:12: expected "key = value", "[section]" or a comment' % bad,
    '%s:14: log.level: "loud" is not one of: emerg, alert, crit, err, '
    "warning, notice, info, debug" % bad,
    "%s:15: log.level: duplicate key (first set on line 14)" % bad,
    '%s:17: topics.output: "news.raw" is also an input topic: newsd would '
    "consume its own output" % bad,
    # librdkafka's own message (2.0.2 names the property's canonical name).
    '%s:5: Invalid value "zzz" for configuration property '
    '"compression.codec"' % bad,
]
for want in expected:
    check(want in lines, "error listed: " + want)
check(len(lines) == len(expected),
      "exactly %d errors, got %d" % (len(expected), len(lines)))
check(SECRET not in out + err, "the secret never appears in errors")

# -X overrides and their errors.
rc, out, err = check_config(["-c", good, "-X", "pipeline.max-in-flight=42",
                             "-X", "producer.linger.ms=7"])
check(rc == 0 and "\nmax-in-flight = 42\n" in out and
      "\nlinger.ms = 7\n" in out, "-X overrides the file")
rc, out, err = check_config(["-c", good, "-X", "pipeline.max-in-flight=x",
                             "-X", "producer.linger.ms=never", "-X", "oops"])
lines = err.splitlines()
check(rc == 2, "bad -X exits 2")
for want in ['-X pipeline.max-in-flight: "x" is not a whole number',
             "-X oops: expected section.key=value",
             '-X producer.linger.ms: Invalid value for configuration '
             'property "queue.buffering.max.ms"']:
    check(want in lines, "error listed: " + want)

# Missing files.
rc, out, err = check_config(["-c", os.path.join(tmp, "absent.conf")])
check(rc == 2 and "absent.conf: cannot read: No such file or directory" in err,
      "a missing explicit file is an error")

# Credentials.
creds = os.path.join(tmp, "creds")
os.mkdir(creds)
write(creds, "kafka-password", SECRET + "\n")
cred_conf = write(tmp, "cred.conf",
                  "[kafka]\nsasl.password = @credential:kafka-password\n")
rc, out, err = check_config(["-c", cred_conf],
                            {"CREDENTIALS_DIRECTORY": creds})
check(rc == 0 and "sasl.password = [redacted]" in out and SECRET not in out,
      "a credential is read and redacted")
rc, out, err = check_config(["-c", cred_conf])
check(rc == 2 and "%s:2: kafka.sasl.password: @credential:kafka-password: "
      "CREDENTIALS_DIRECTORY is not set" % cred_conf in err,
      "a credential without CREDENTIALS_DIRECTORY is an error")
rc, out, err = check_config(["-c", cred_conf],
                            {"CREDENTIALS_DIRECTORY": tmp})
check(rc == 2 and "cannot read %s/kafka-password" % tmp in err,
      "a missing credential names its path")

# The example configuration is valid.
example = os.path.join(SOURCE_DIR, "config", "newsd.conf")
rc, out, err = check_config(["-c", example])
check(rc == 0, "config/newsd.conf is accepted (%s)" % err.strip())

# The committed docs are what the table generates.
BEGIN = "<!-- BEGIN GENERATED REFERENCE -->\n"
END = "<!-- END GENERATED REFERENCE -->\n"
rc, md, err = check_config(["--reference=markdown"])
with open(os.path.join(SOURCE_DIR, "docs", "configuration.md"),
          encoding="utf-8") as f:
    doc = f.read()
committed = doc.partition(BEGIN)[2].partition(END)[0]
check(rc == 0 and md and committed == md,
      "docs/configuration.md matches the settings table "
      "(run scripts/update-config-docs)")
rc, man, err = check_config(["--reference=man"])
with open(os.path.join(SOURCE_DIR, "man", "newsd.conf.5"),
          encoding="utf-8") as f:
    check(rc == 0 and man and f.read() == man,
          "man/newsd.conf.5 matches the settings table "
          "(run scripts/update-config-docs)")
rc, out, err = check_config(["--reference=html"])
check(rc == 2, "an unknown reference format is a usage error")

# newsd process honours the configuration.
article = b"A title\n\n" + b"Some body text of the article. " * 80
rc, events, err = process(["-X", "pipeline.max-article-bytes=1k"],
                          stdin=article, tag="check-config")
check(rc == 1 and not events and "too-large" in err,
      "process applies pipeline.max-article-bytes")
rc, events, err = process(["-X", "pipeline.stage.stats=off"], stdin=article,
                          tag="check-config")
check(rc == 0 and len(events) == 1 and "stats" not in events[0]["analysis"],
      "process applies pipeline.stage.stats = off")
rc, events, err = process(["-c", bad], stdin=article, tag="check-config")
check(rc == 2 and "%s:7:" % bad in err, "process rejects a broken config")

subprocess.run(["rm", "-rf", tmp], check=False)
finish()
