"""docs/asyncapi.yaml: parsed by the npm AsyncAPI parser (@asyncapi/parser,
pinned by tests/asyncapi/package-lock.json and installed with `npm ci` into
the build tree on first use), its message payloads compared with the schema
files in schema/ (tests/asyncapi/check.mjs). Without node or npm on the
machine the test falls back to a YAML parse and a $ref check, and says so.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ndtest import NEWSD, SOURCE_DIR, check, finish  # noqa: E402

HERE = os.path.join(SOURCE_DIR, "tests", "asyncapi")
# The build tree of the newsd binary under test: build/src/newsd.
DEPS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(NEWSD))),
                    "asyncapi-deps")


def lock_digest():
    with open(os.path.join(HERE, "package-lock.json"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def install():
    """npm ci into DEPS unless the same lock file is installed there."""
    stamp = os.path.join(DEPS, "installed-lock.sha256")
    digest = lock_digest()
    if os.path.exists(stamp) and open(stamp).read() == digest:
        return True
    shutil.rmtree(DEPS, ignore_errors=True)
    os.makedirs(DEPS)
    for f in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(HERE, f), DEPS)
    p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund",
                        "--ignore-scripts"], cwd=DEPS, capture_output=True,
                       text=True, timeout=600)
    if p.returncode != 0:
        print("# npm ci failed:\n" + p.stderr[-2000:])
        return False
    with open(stamp, "w") as f:
        f.write(digest)
    return True


def fallback():
    """YAML parse and $ref check with python3-yaml."""
    import yaml
    doc_path = os.path.join(SOURCE_DIR, "docs", "asyncapi.yaml")
    with open(doc_path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    check(str(doc.get("asyncapi", "")).startswith("2.6"),
          "fallback: an AsyncAPI 2.6 document")
    refs = set()

    def walk(v):
        if isinstance(v, dict):
            r = v.get("$ref")
            if isinstance(r, str) and r.startswith("../schema/"):
                refs.add(r[len("../schema/"):])
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(doc)
    files = {f for f in os.listdir(os.path.join(SOURCE_DIR, "schema"))
             if f.endswith(".json")}
    check(refs == files, "fallback: the payloads reference every schema "
          "in schema/ (%s vs %s)" % (sorted(refs), sorted(files)))
    for f in files:
        with open(os.path.join(SOURCE_DIR, "schema", f)) as fh:
            json.load(fh)


if shutil.which("node") and shutil.which("npm"):
    check(install(), "@asyncapi/parser installed from the lock file")
    p = subprocess.run(["node", os.path.join(HERE, "check.mjs"),
                        os.path.join(DEPS, "node_modules")],
                       capture_output=True, text=True, timeout=300)
    for line in p.stdout.splitlines():
        if line.startswith(("ok", "FAIL", "#")):
            print(line)
    if p.stderr:
        print("# " + p.stderr[-2000:])
    check(p.returncode == 0, "docs/asyncapi.yaml passes the AsyncAPI parser "
          "checks")
else:
    print("# node or npm missing: the npm AsyncAPI parser cannot run; "
          "falling back to a YAML parse and $ref check")
    fallback()
finish()
