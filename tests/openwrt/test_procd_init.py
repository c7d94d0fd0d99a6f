"""The procd init script (/etc/init.d/microguard) under busybox sh and dash with
procd's instance functions as recording stubs: one supervised daemon per
/etc/microguard/<ifname>.conf, bad names skipped, .env files applied."""
import os
import shutil
import subprocess

import pytest

import owrt

INIT = os.path.join(owrt.ROOT, "packaging", "openwrt", "files", "microguard.init")
STUBS = r"""
_rec() { local IFS='	'; echo "$*" >> "$LOG"; }
logger() { _rec logger "$@"; }
procd_open_instance() { _rec open "$@"; }
procd_close_instance() { _rec close; }
procd_set_param() { _rec set "$@"; }
procd_append_param() { _rec append "$@"; }
procd_add_reload_trigger() { _rec trigger "$@"; }
"""


@pytest.mark.parametrize("shell", [["busybox", "sh"], ["dash"]], ids=["busybox-sh", "dash"])
def test_one_instance_per_conf(tmp_path, shell):
    if not shutil.which(shell[0]):
        pytest.skip("no " + shell[0])
    confs = tmp_path / "etc"
    confs.mkdir()
    for name in ("wg0", "home.vpn", "bad name", "much-too-long-name"):
        (confs / (name + ".conf")).write_text("[Interface]\n")
    (confs / "wg0.env").write_text("MICROGUARD_HEAP=2M\nLOG_LEVEL=info\nPATH=/evil\n")
    (confs / "notes.txt").write_text("not a tunnel\n")
    log = tmp_path / "calls"
    # rc.common sources the script and calls start_service.
    script = STUBS + ". %s\nstart_service\n" % INIT
    r = subprocess.run(shell + ["-c", script], capture_output=True, text=True, timeout=30,
                       env={"PATH": os.environ["PATH"], "LOG": str(log),
                            "MICROGUARD_CONF_DIR": str(confs)})
    assert r.returncode == 0, r.stderr
    calls = [tuple(l.split("\t")) for l in log.read_text().splitlines()]
    instances, cur = {}, None
    for c in calls:
        if c[0] == "open":
            cur = instances.setdefault(c[1], [])
        elif c[0] in ("set", "append"):
            cur.append(c[1:])
    assert sorted(instances) == ["home.vpn", "wg0"]
    assert ("command", "/usr/sbin/microguard", "-f", "--config", str(confs / "wg0.conf"), "wg0") \
        in instances["wg0"]
    assert ("env", "MICROGUARD_HEAP=2M") in instances["wg0"]
    assert ("env", "LOG_LEVEL=info") in instances["wg0"]
    assert not [p for p in instances["wg0"] if p[0] == "env" and "PATH" in p[1]]
    assert ("file", str(confs / "wg0.conf")) in instances["wg0"]
    assert ("respawn", "3600", "5", "0") in instances["home.vpn"]
    assert not [p for p in instances["home.vpn"] if p[0] == "env"]
    skipped = " ".join(c[-1] for c in calls if c[0] == "logger")
    assert "bad name" in skipped and "much-too-long-name" in skipped
