"""`cmake --install` into a staging root (DESTDIR) puts the binary, the
systemd units, the example configuration, the pipeline data and the man
pages where they belong, and the installed units pass systemd-analyze
verify with their man pages found in the installed tree."""
import filecmp
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ["NEWSD_SOURCE_DIR"], "tests", "cli"))
from ndtest import SOURCE_DIR, check, finish  # noqa: E402

BUILD = os.environ["NEWSD_BUILD_DIR"]
SYSCONFDIR = os.environ["NEWSD_INSTALL_SYSCONFDIR"]   # e.g. /etc/newsd
UNITDIR = os.environ["NEWSD_INSTALL_UNITDIR"]         # e.g. /lib/systemd/system
PREFIX = "/usr"

root = tempfile.mkdtemp(prefix="newsd-install-")


def staged(path):
    return os.path.join(root, path.lstrip("/"))


def same_file(installed, source, what):
    check(os.path.isfile(installed) and filecmp.cmp(installed, source, False),
          "%s installed as %s" % (what, installed[len(root):]))


try:
    p = subprocess.run(["cmake", "--install", BUILD, "--prefix", PREFIX],
                       env=dict(os.environ, DESTDIR=root),
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, "cmake --install succeeds (%s)"
          % (p.stdout + p.stderr).strip()[-600:])

    binary = staged(PREFIX + "/bin/newsd")
    check(os.path.isfile(binary) and os.stat(binary).st_mode & stat.S_IXUSR,
          "binary installed as %s/bin/newsd" % PREFIX)
    if os.path.isfile(binary):
        v = subprocess.run([binary, "version"], capture_output=True,
                           text=True, timeout=60)
        check(v.returncode == 0 and v.stdout.startswith("newsd "),
              "the installed binary runs (%s)" % v.stdout.split("\n")[0])

    same_file(staged(SYSCONFDIR + "/newsd.conf"),
              os.path.join(SOURCE_DIR, "config", "newsd.conf"),
              "example configuration")

    data = os.path.join(SOURCE_DIR, "data")
    n = 0
    for dirpath, _, files in os.walk(data):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), data)
            same_file(staged(PREFIX + "/share/newsd/" + rel),
                      os.path.join(dirpath, name), "data/" + rel)
            n += 1
    print("     %d data file(s)" % n)

    pages = [p for p in os.listdir(os.path.join(SOURCE_DIR, "man"))
             if p[-2:] in (".5", ".8")]
    check("newsd.8" in pages, "man/newsd.8 is among the pages")
    for page in pages:
        same_file(staged("%s/share/man/man%s/%s" % (PREFIX, page[-1], page)),
                  os.path.join(SOURCE_DIR, "man", page), "man page " + page)

    units = {"newsd.service": "newsd.conf", "newsd@.service": "%i.conf"}
    for unit, conf in units.items():
        path = staged(UNITDIR + "/" + unit)
        check(os.path.isfile(path), "%s installed in %s" % (unit, UNITDIR))
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        want = "ExecStart=%s/bin/newsd run -c %s/%s\n" % (PREFIX, SYSCONFDIR,
                                                         conf)
        check(want in text, "%s: %s" % (unit, want.strip()))
        # verify needs ExecStart= to exist on this machine: point it at the
        # staged binary; the man pages come from the staged tree.
        copy = os.path.join(root, unit)
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text.replace("=%s/bin/newsd " % PREFIX, "=%s " % binary))
        v = subprocess.run(["systemd-analyze", "verify", "--man=yes", copy],
                           cwd=root, capture_output=True, text=True,
                           timeout=60,
                           env=dict(os.environ,
                                    MANPATH=staged(PREFIX + "/share/man")))
        out = (v.stdout + v.stderr).strip()
        check(v.returncode == 0 and out == "",
              "installed %s verifies, man pages found (rc %d: %s)"
              % (unit, v.returncode, out))
finally:
    shutil.rmtree(root)
finish()
