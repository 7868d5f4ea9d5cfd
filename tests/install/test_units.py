"""The systemd units: `systemd-analyze verify` accepts both, and
`systemd-analyze security --offline=yes` rates them OK (exposure <= 2.0).

verify checks that ExecStart= names an executable, so it runs on copies
whose ExecStart= names the binary just built (/usr/bin/newsd is not
installed here). The man pages named by Documentation= are checked by
test_install.py, against the installed tree. Neither command needs a
running systemd."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ["NEWSD_SOURCE_DIR"], "tests", "cli"))
from ndtest import NEWSD, SOURCE_DIR, check, finish  # noqa: E402

UNITS = os.path.join(SOURCE_DIR, "systemd")
EXPOSURE = re.compile(r"Overall exposure level for (\S+): (\d+\.\d+) (\S+)")


def read_unit(name):
    with open(os.path.join(UNITS, name), encoding="utf-8") as f:
        return f.read()


def settings(text):
    """KEY -> [values] of a unit file (comments and sections ignored)."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[" or "=" not in line:
            continue
        key, value = line.split("=", 1)
        out.setdefault(key.strip(), []).append(value.strip())
    return out


def verify(tmp, name, text):
    """Runs systemd-analyze verify on TEXT saved as tmp/NAME."""
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", path],
                       cwd=tmp, capture_output=True, text=True, timeout=60)
    return p.returncode, (p.stdout + p.stderr).strip()


def with_binary(text):
    return text.replace("=/usr/bin/newsd ", "=%s " % os.path.abspath(NEWSD))


tmp = tempfile.mkdtemp(prefix="newsd-units-")
try:
    for name in ("newsd.service", "newsd@.service"):
        text = read_unit(name)
        s = settings(text)
        check(s.get("Type") == ["notify"], "%s: Type=notify" % name)
        check(s.get("NotifyAccess") == ["main"], "%s: NotifyAccess=main" % name)
        check(s.get("WatchdogSec") == ["30s"], "%s: WatchdogSec=30s" % name)
        check(s.get("ExecReload") == ["/bin/kill -HUP $MAINPID"],
              "%s: ExecReload sends SIGHUP" % name)
        check(s.get("Restart") == ["on-failure"], "%s: Restart=on-failure" % name)
        check(s.get("DynamicUser") == ["yes"], "%s: DynamicUser=yes" % name)
        conf = "newsd.conf" if name == "newsd.service" else "%i.conf"
        check(s.get("ExecStart") == ["/usr/bin/newsd run -c /etc/newsd/" + conf],
              "%s: ExecStart runs /etc/newsd/%s" % (name, conf))
        check("IPAddressDeny" not in s,
              "%s: no IPAddressDeny= (brokers may be anywhere)" % name)

        rc, out = verify(tmp, name, with_binary(text))
        check(rc == 0 and out == "",
              "systemd-analyze verify %s: clean (rc %d: %s)" % (name, rc, out))

        p = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                            os.path.join(UNITS, name)],
                           capture_output=True, text=True, timeout=60)
        m = EXPOSURE.search(p.stdout)
        if m is None:
            print((p.stdout + p.stderr).strip()[-400:])
        check(m is not None, "%s: security prints an exposure level" % name)
        if m:
            print("     %s exposure %s %s" % (name, m.group(2), m.group(3)))
            check(float(m.group(2)) <= 2.0,
                  "%s: exposure %s <= 2.0" % (name, m.group(2)))
            check(m.group(3) == "OK", "%s: rated OK (%s)" % (name, m.group(3)))

    # The checks above can fail: a missing binary and an unknown key are
    # both caught.
    text = read_unit("newsd.service")
    rc, out = verify(tmp, "newsd.service",
                     text.replace("=/usr/bin/newsd ", "=/nonexistent/newsd "))
    check(rc != 0 and "not executable" in out,
          "verify rejects a missing ExecStart binary (rc %d)" % rc)
    rc, out = verify(tmp, "newsd.service",
                     with_binary(text).replace("[Service]\n",
                                               "[Service]\nWatchdogSecs=1\n"))
    check(out != "", "verify reports an unknown key (%s)" % out)
finally:
    shutil.rmtree(tmp)
finish()
