"""The man pages render without a warning: groff -man -ww -z prints
nothing, for every page under man/ (newsd(8) at least)."""
import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["NEWSD_SOURCE_DIR"], "tests", "cli"))
from ndtest import SOURCE_DIR, check, finish  # noqa: E402

pages = sorted(glob.glob(os.path.join(SOURCE_DIR, "man", "*.[1-8]")))
names = [os.path.basename(p) for p in pages]
check("newsd.8" in names, "man/newsd.8 exists (pages: %s)" % ", ".join(names))
for page in pages:
    p = subprocess.run(["groff", "-man", "-ww", "-z", page],
                       capture_output=True, text=True, timeout=60)
    out = (p.stdout + p.stderr).strip()
    check(p.returncode == 0 and out == "",
          "%s renders without warnings (%s)" % (os.path.basename(page), out))

# The check can fail: a request groff does not know is a warning.
p = subprocess.run(["groff", "-man", "-ww", "-z"], input=".TH X 8\n.XYZZY\n",
                   capture_output=True, text=True, timeout=60)
check(p.stderr.strip() != "", "groff -ww reports an unknown request")

# The synopsis names every command of `newsd --help`.
with open(os.path.join(SOURCE_DIR, "man", "newsd.8"), encoding="utf-8") as f:
    text = f.read().replace("\\-", "-")
for cmd in ("run", "process", "check-config", "dev-broker", "version"):
    check(".B %s\n" % cmd in text, "newsd(8) describes '%s'" % cmd)
for sig in ("SIGTERM", "SIGINT", "SIGHUP"):
    check(sig in text, "newsd(8) describes %s" % sig)
for env in ("NOTIFY_SOCKET", "CREDENTIALS_DIRECTORY", "JOURNAL_STREAM",
            "NEWSD_DATA_DIR", "WATCHDOG_USEC"):
    check(".B %s\n" % env in text or ".BR %s " % env in text,
          "newsd(8) describes $%s" % env)
finish()
