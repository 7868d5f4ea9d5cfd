"""The observability documents hold together: docs/prometheus-alerts.yml is
valid YAML in the shape of Prometheus rule files, docs/grafana-dashboard.json
is a well-formed dashboard, and every metric either one queries is listed in
docs/metrics.md."""
import json
import os
import re

import yaml

import ndtest
from ndtest import check

DOCS = os.path.join(ndtest.SOURCE_DIR, "docs")
METRIC_RE = re.compile(r"\b((?:newsd|process)_[a-z_]+)\b")
DURATION_RE = re.compile(r"^[0-9]+[smhdw]$")


def documented_metrics():
    """Metric names in the first column of docs/metrics.md's tables."""
    names = set()
    with open(os.path.join(DOCS, "metrics.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\| `((?:newsd|process)_[a-z_]+)` \|", line)
            if m:
                names.add(m.group(1))
    return names


def family(name):
    """The family a series name belongs to (histogram suffixes dropped)."""
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and name.startswith("newsd_") and \
                name[: -len(suffix)].endswith("_seconds"):
            return name[: -len(suffix)]
    return name


def balanced(expr):
    depth = {"(": 0, "{": 0, "[": 0}
    pairs = {")": "(", "}": "{", "]": "["}
    for c in expr:
        if c in depth:
            depth[c] += 1
        elif c in pairs:
            depth[pairs[c]] -= 1
            if depth[pairs[c]] < 0:
                return False
    return all(v == 0 for v in depth.values())


docs = documented_metrics()
for must in ("newsd_records_consumed_total", "newsd_events_produced_total",
             "newsd_dead_letter_total", "newsd_delivery_failures_total",
             "newsd_delivery_retries_total", "newsd_commits_total",
             "newsd_rebalances_total", "newsd_paused",
             "newsd_in_flight_records", "newsd_stage_duration_seconds",
             "newsd_end_to_end_latency_seconds", "newsd_consumer_lag",
             "process_resident_memory_bytes", "process_cpu_seconds_total",
             "process_open_fds", "process_start_time_seconds"):
    check(must in docs, "docs/metrics.md lists %s" % must)

# ---- alert rules ----
with open(os.path.join(DOCS, "prometheus-alerts.yml"), encoding="utf-8") as f:
    rules_doc = yaml.safe_load(f)
check(isinstance(rules_doc, dict) and isinstance(rules_doc.get("groups"), list),
      "alerts: a mapping with a list of groups")
alerts = {}
for g in rules_doc.get("groups", []):
    check(isinstance(g.get("name"), str), "alerts: group has a name")
    for r in g.get("rules", []):
        name = r.get("alert")
        alerts[name] = r
        check(isinstance(name, str) and re.match(r"^[A-Za-z][A-Za-z0-9]*$", name),
              "alerts: %r has an alert name" % name)
        expr = r.get("expr")
        check(isinstance(expr, str) and expr.strip() and balanced(expr),
              "alerts: %s has a balanced expr" % name)
        check("for" not in r or DURATION_RE.match(str(r["for"])),
              "alerts: %s 'for' is a duration" % name)
        check(r.get("labels", {}).get("severity") in ("warning", "critical"),
              "alerts: %s has a severity" % name)
        check(bool(r.get("annotations", {}).get("summary")),
              "alerts: %s has a summary" % name)
        for m in METRIC_RE.findall(expr or ""):
            check(family(m) in docs,
                  "alerts: %s queries %s, which docs/metrics.md lists" % (name, m))
# The issue asks for these three kinds at least.
check(any("newsd_consumer_lag" in r["expr"] and "deriv" in r["expr"]
          for r in alerts.values()), "alerts: a rule on growing lag")
check(any("newsd_dead_letter_total" in r["expr"] for r in alerts.values()),
      "alerts: a rule on the dead-letter rate")
check(any("newsd_ready" in r["expr"] for r in alerts.values()),
      "alerts: a rule on readiness")

# ---- dashboard ----
with open(os.path.join(DOCS, "grafana-dashboard.json"), encoding="utf-8") as f:
    dash = json.load(f)
check(dash.get("title") and dash.get("uid") and
      isinstance(dash.get("schemaVersion"), int), "dashboard: title, uid, schemaVersion")
variables = {v["name"] for v in dash.get("templating", {}).get("list", [])}
ids = [p.get("id") for p in dash.get("panels", [])]
check(len(ids) == len(set(ids)) and all(isinstance(i, int) for i in ids),
      "dashboard: unique integer panel ids")
queried = set()
for p in dash.get("panels", []):
    gp = p.get("gridPos", {})
    check(0 <= gp.get("x", -1) and gp.get("x", 0) + gp.get("w", 0) <= 24 and
          gp.get("h", 0) > 0, "dashboard: panel %r fits the grid" % p.get("title"))
    if p.get("type") == "row":
        continue
    targets = p.get("targets", [])
    check(len(targets) > 0, "dashboard: panel %r has queries" % p.get("title"))
    for t in targets:
        expr = t.get("expr", "")
        check(expr and balanced(expr),
              "dashboard: %r query is balanced" % p.get("title"))
        for var in re.findall(r"\$([a-z_]+)", expr):
            check(var.startswith("__") or var in variables,
                  "dashboard: $%s is a defined variable" % var)
        for m in METRIC_RE.findall(expr):
            queried.add(family(m))
            check(family(m) in docs,
                  "dashboard: %s is listed in docs/metrics.md" % m)
for must in ("newsd_records_consumed_total", "newsd_dead_letter_total",
             "newsd_consumer_lag", "newsd_end_to_end_latency_seconds",
             "newsd_in_flight_records", "newsd_paused"):
    check(must in queried, "dashboard: shows %s" % must)
check(any("histogram_quantile" in t.get("expr", "")
          for p in dash["panels"] for t in p.get("targets", [])),
      "dashboard: latency quantiles from the histogram")

ndtest.finish()
