"""Helpers shared by the Python test scripts: run newsd, keep its events."""
import json
import os
import subprocess
import sys
import uuid

NEWSD = os.environ.get("NEWSD_BIN", "newsd")
SAMPLES = os.environ.get("NEWSD_SAMPLES_DIR", "")
EVENTS_DIR = os.environ.get("NEWSD_EVENTS_DIR", "")
SOURCE_DIR = os.environ.get("NEWSD_SOURCE_DIR", "")

failures = []


def check(cond, what):
    """Record a failed expectation without stopping, so one run shows all."""
    if cond:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        failures.append(what)


def finish():
    if failures:
        print("%d expectation(s) failed" % len(failures))
        sys.exit(1)
    print("all expectations hold")
    sys.exit(0)


def save_events(events, tag):
    """Keep events for the schema test, which validates every one."""
    if not EVENTS_DIR or not events:
        return
    path = os.path.join(EVENTS_DIR, "%s-%s.jsonl" % (tag, uuid.uuid4().hex[:8]))
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")


def process(args, stdin=None, tag="process", timeout=120, save=True):
    """Runs `newsd process ARGS`; returns (exit code, events, stderr).
    With save, the events are kept for the schema test."""
    p = subprocess.run([NEWSD, "process"] + list(args), input=stdin,
                       capture_output=True, timeout=timeout)
    events = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()
              if l.strip()]
    if save:
        save_events(events, tag)
    return p.returncode, events, p.stderr.decode("utf-8", "replace")
