"""Regenerates data/gazetteer and data/dates from the installed Debian
packages into a temporary directory and diffs against the committed
files: they must be what scripts/gen-gazetteer makes of those packages."""
import filecmp
import os
import subprocess
import sys
import tempfile

from ndtest import SOURCE_DIR, check, finish

tmp = tempfile.mkdtemp()
p = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "scripts",
                                                 "gen-gazetteer"), tmp],
                   capture_output=True, text=True)
check(p.returncode == 0, "gen-gazetteer runs: " + p.stderr.strip())
for rel in ["gazetteer/countries.tsv", "gazetteer/cities.tsv",
            "dates/months.tsv", "dates/weekdays.tsv"]:
    check(filecmp.cmp(os.path.join(tmp, rel),
                      os.path.join(SOURCE_DIR, "data", rel), shallow=False),
          rel + " matches a fresh generation")
finish()
