"""mgtool provisioning an emulated OpenWrt console: busybox ash in a chroot on a real pty."""
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from mgtool_run import HOST_TOOLS, assert_one_error_line, assert_one_site_problem, mgtool
from openwrt_console import PASSWORD, Console, make_rootfs, mount_rootfs, unmount_rootfs

HERE = os.path.dirname(os.path.abspath(__file__))
SITE = os.path.join(HERE, "data", "site.toml")

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the emulated console runs in a chroot (root only)")


class Router:
    """A rootfs that outlives console sessions (a cable pulled and plugged back in)."""

    def __init__(self, tmp_kib=8192, release=True):
        self.root = tempfile.mkdtemp(prefix="owrt-")
        make_rootfs(self.root)
        if not release:
            os.unlink(os.path.join(self.root, "etc/openwrt_release"))
        mount_rootfs(self.root, tmp_kib)
        self.console = None

    def connect(self):
        if self.console:
            self.console.close()
        self.console = Console(self.root)
        return self.console

    def path(self, rel):
        return os.path.join(self.root, rel.lstrip("/"))

    def calls(self):
        return Console.calls(self)

    def close(self):
        if self.console:
            self.console.close()
        unmount_rootfs(self.root)
        subprocess.run(["rm", "-rf", self.root])


@pytest.fixture
def router():
    r = Router()
    r.connect()
    yield r
    r.close()


def package(tmp_path, size, name="microguard_0.1.0_mipsel_24kc.ipk"):
    p = tmp_path / name
    p.write_bytes(os.urandom(size))
    return str(p)


def provision(console, *extra, site=SITE, device="router"):
    return mgtool("provision", "--port", console.port, "--board", "openwrt", "--password", PASSWORD,
                  "--site", site, "--device", device, "-q", *extra, timeout=180)


def leftovers(router):
    found = []
    for d in ("/tmp", "/etc/microguard"):
        p = router.path(d)
        if os.path.isdir(p):
            found += [n for n in os.listdir(p) if ".mgpart" in n or ".mgchunk" in n]
    return found


def test_provision_installs_package_and_applies_uci(router, tmp_path):
    pkg = package(tmp_path, 50000)
    r = provision(router.console, "--package", pkg)
    assert r.returncode == 0, r.stderr
    assert "logged in: OpenWrt 23.05.5" in r.stdout
    calls = router.calls()
    # The package arrived byte for byte and was installed with opkg, then removed from /tmp.
    installed = router.path("/usr/lib/opkg/installed/microguard.ipk")
    assert open(installed, "rb").read() == open(pkg, "rb").read()
    assert "opkg install --force-reinstall /tmp/microguard.ipk" in calls
    assert not os.path.exists(router.path("/tmp/microguard.ipk"))
    # The UCI batch is the one `mgtool config` renders, kept root-only on the router.
    batch = router.path("/etc/microguard/wg0.uci")
    assert open(batch).read() == mgtool("config", SITE, "-d", "router", "-f", "uci", check=0).stdout
    assert os.stat(batch).st_mode & 0o777 == 0o600
    batch_lines = [c[len("uci-batch "):] for c in calls if c.startswith("uci-batch ")]
    assert batch_lines == open(batch).read().splitlines()
    # Order: install, config, commit, then the service and the network.
    order = [c for c in calls if not c.startswith("uci-batch")]
    assert order == ["opkg install --force-reinstall /tmp/microguard.ipk", "uci show network", "uci batch",
                     "uci commit network", "/etc/init.d/microguard enable", "/etc/init.d/microguard restart",
                     "/etc/init.d/network restart"]
    state = open(router.path("/etc/config/network.committed")).read().splitlines()
    assert "network.wg0.proto=microguard" in state
    assert "network.wg0_sensor.public_key=fSIK9yFyySKhHBZV4jprcSsiRqZ5OqXoHz8JMNJqzUI=" in state
    assert leftovers(router) == []


def test_reprovision_removes_old_peers(router, tmp_path):
    assert provision(router.console).returncode == 0
    text = open(SITE).read().replace('[[link]]\na = "router"\nb = "laptop"\n', "")
    site2 = tmp_path / "site2.toml"
    site2.write_text(text)
    r = provision(router.console, site=str(site2))
    assert r.returncode == 0, r.stderr
    assert "2 peers" in r.stdout
    state = open(router.path("/etc/config/network.committed")).read()
    assert "wg0_laptop" not in state and "wg0_phone.public_key" in state
    assert "uci delete network.wg0_laptop" in router.calls()


def test_link_killed_mid_upload_then_resumed(router, tmp_path):
    pkg = package(tmp_path, 400000)
    part = router.path("/tmp/microguard.ipk.mgpart")
    env = dict(os.environ, PYTHONPATH=HOST_TOOLS)
    proc = subprocess.Popen([sys.executable, "-m", "mgtool", "provision", "--port", router.console.port,
                             "--board", "openwrt", "--password", PASSWORD, "--site", SITE, "--device", "router",
                             "--package", pkg, "-q", "--timeout", "3"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if os.path.exists(part) and os.path.getsize(part) > 120000:
            break
        time.sleep(0.02)
    router.console.cut()                     # the cable is pulled mid-upload
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert len(err.strip().splitlines()) == 1 and "stopped answering" in err, err
    partial = os.path.getsize(part)
    assert 120000 <= partial < 400000
    assert not os.path.exists(router.path("/tmp/microguard.ipk"))       # nothing half-written in place
    assert not any(c.startswith("opkg") for c in router.calls())

    router.connect()                          # plugged back in: a new console session
    r = provision(router.console, "--package", pkg)
    assert r.returncode == 0, r.stderr
    assert "package %s: resumed" % os.path.basename(pkg) in r.stdout
    installed = router.path("/usr/lib/opkg/installed/microguard.ipk")
    assert hashlib.sha256(open(installed, "rb").read()).digest() == hashlib.sha256(open(pkg, "rb").read()).digest()
    assert leftovers(router) == []
    assert [c for c in router.calls() if c.startswith("opkg")] == ["opkg install --force-reinstall /tmp/microguard.ipk"]


def test_corrupt_partial_file_is_not_resumed(router, tmp_path):
    pkg = package(tmp_path, 30000)
    with open(router.path("/tmp/microguard.ipk.mgpart"), "wb") as f:
        f.write(b"not the start of the package")
    r = provision(router.console, "--package", pkg)
    assert r.returncode == 0, r.stderr
    assert ": written" in r.stdout
    assert open(router.path("/usr/lib/opkg/installed/microguard.ipk"), "rb").read() == open(pkg, "rb").read()


def test_without_base64_on_the_router_printf_carries_the_bytes(router, tmp_path):
    fake = router.path("/usr/sbin/base64")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\necho 'base64: applet not found' >&2\nexit 127\n")
    os.chmod(fake, 0o755)
    pkg = tmp_path / "p.ipk"
    pkg.write_bytes(bytes(range(256)) * 20 + b"%s\\'\"\n")
    r = provision(router.console, "--package", str(pkg))
    assert r.returncode == 0, r.stderr
    assert open(router.path("/usr/lib/opkg/installed/microguard.ipk"), "rb").read() == pkg.read_bytes()


def test_disk_full_leaves_the_router_as_it_was(tmp_path):
    small = Router(tmp_kib=128)
    try:
        small.connect()
        pkg = package(tmp_path, 300000)
        r = provision(small.console, "--package", pkg)
        assert_one_error_line(r, "not enough space", "/tmp/microguard.ipk", "nothing was changed")
        assert os.listdir(small.path("/tmp")) == []
        assert small.calls() == []
    finally:
        small.close()


def test_not_an_openwrt_console(tmp_path):
    other = Router(release=False)
    try:
        other.connect()
        r = provision(other.console)
        assert_one_error_line(r, "not an OpenWrt system", "wrong --board")
        assert other.calls() == []
    finally:
        other.close()


def test_wrong_password(router):
    r = mgtool("provision", "--port", router.console.port, "--board", "openwrt", "--password", "nope",
               "--site", SITE, "--device", "router", "--timeout", "5")
    assert_one_error_line(r, "refused", "wrong password")
    assert router.calls() == []


def test_no_such_port_and_not_answering(tmp_path):
    assert_one_error_line(mgtool("provision", "--port", "/dev/ttyNOPE9", "--board", "openwrt",
                                 "--site", SITE, "--device", "router"), "no such serial port /dev/ttyNOPE9")
    master, slave = os.openpty()        # a port with nothing behind it
    try:
        r = mgtool("provision", "--port", os.ttyname(slave), "--board", "openwrt", "--site", SITE,
                   "--device", "router", "--timeout", "2")
        assert_one_error_line(r, "no shell prompt")
    finally:
        os.close(master)
        os.close(slave)


def test_config_problems_are_found_before_the_port_is_opened(router, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(open(SITE).read().replace("vpn.example.net:51820", "vpn.example.net:99999"))
    r = provision(router.console, site=str(bad))
    assert_one_site_problem(r, "bad endpoint")
    r = provision(router.console, device="phone")
    assert_one_error_line(r, "'phone' is kind 'phone'", "needs kind 'openwrt'")
    assert router.calls() == []


def test_flash_checks_a_sysupgrade_image_before_writing(router, tmp_path):
    bad = tmp_path / "openwrt-bad-sysupgrade.bin"
    bad.write_bytes(b"NOTANIMG" + os.urandom(5000))
    r = mgtool("flash", str(bad), "--board", "openwrt", "--port", router.console.port, "--password", PASSWORD)
    assert_one_error_line(r, "sysupgrade -T rejected", "nothing was written")
    calls = router.calls()
    assert calls == ["sysupgrade -T /tmp/openwrt-bad-sysupgrade.bin"]
    good = tmp_path / "openwrt-good-sysupgrade.bin"
    good.write_bytes(b"OWRTIMG\n" + os.urandom(5000))
    r = mgtool("flash", str(good), "--board", "openwrt", "--port", router.console.port, "--password", PASSWORD)
    assert r.returncode == 0, r.stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not os.path.exists(router.path("/tmp/flashed.img")):
        time.sleep(0.05)
    assert open(router.path("/tmp/flashed.img"), "rb").read() == good.read_bytes()
    assert router.calls()[1:] == ["sysupgrade -T /tmp/openwrt-good-sysupgrade.bin",
                                  "sysupgrade /tmp/openwrt-good-sysupgrade.bin"]


def test_second_session_on_a_console_started_with_sigint_ignored_and_blocked(tmp_path):
    # Whoever starts the console (a test run as a background job ignores SIGINT), its shell
    # starts as a router's does, with default signals: the Ctrl-C a second session sends to
    # clear the line must not end the shell.
    r = Router()
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            r.connect()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
            signal.signal(signal.SIGINT, old)
        bad = tmp_path / "openwrt-bad-sysupgrade.bin"
        bad.write_bytes(b"NOTANIMG" + os.urandom(500))
        for _ in range(2):
            res = mgtool("flash", str(bad), "--board", "openwrt", "--port", r.console.port,
                         "--password", PASSWORD, "--timeout", "10")
            assert_one_error_line(res, "sysupgrade -T rejected")
        assert r.calls() == ["sysupgrade -T /tmp/openwrt-bad-sysupgrade.bin"] * 2
        assert r.console.proc.poll() is None
    finally:
        r.close()


def test_flash_package_over_ssh(router, tmp_path):
    # A stand-in `ssh` client that opens a shell in the router's root, as sshd on the router would.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    ssh = bindir / "ssh"
    ssh.write_text("#!/bin/sh\nexec chroot %s /bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/sh\n"
                   % router.root)
    ssh.chmod(0o755)
    pkg = package(tmp_path, 20000)
    env = dict(os.environ, PYTHONPATH=HOST_TOOLS, PATH="%s:%s" % (bindir, os.environ["PATH"]))
    r = subprocess.run([sys.executable, "-m", "mgtool", "flash", pkg, "--board", "openwrt", "--ssh", "root@router"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert open(router.path("/usr/lib/opkg/installed/microguard.ipk"), "rb").read() == open(pkg, "rb").read()
    assert router.calls() == ["opkg install --force-reinstall /tmp/microguard.ipk"]


def _status_with(router, *extra, env=None):
    import subprocess as sp
    wg = router.path("usr/bin/wg")
    with open(wg, "w") as f:
        f.write("#!/bin/sh\necho 'interface: wg0'\necho '  listening port: 51820'\n")
    os.chmod(wg, 0o755)
    router.connect()                        # a fresh console: it asks for the login again
    e = dict(os.environ, PYTHONPATH=HOST_TOOLS)
    e.pop("MGTOOL_PASSWORD", None)
    e.update(env or {})
    return sp.run([sys.executable, "-m", "mgtool", "status", "--port", router.console.port, "--board",
                   "openwrt", "--timeout", "5", *extra], capture_output=True, text=True, timeout=60, env=e,
                  stdin=sp.DEVNULL)


def test_password_from_the_environment_and_from_a_file(router, tmp_path):
    r = _status_with(router, env={"MGTOOL_PASSWORD": PASSWORD})
    assert r.returncode == 0, r.stderr
    assert "interface: wg0" in r.stdout
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    os.chmod(pw, 0o600)
    r = _status_with(router, "--password-file", str(pw))
    assert r.returncode == 0, r.stderr
    assert "interface: wg0" in r.stdout
    # Neither, and no terminal to ask on: one line saying where a password may come from.
    r = _status_with(router)
    assert_one_error_line(r, "asks for a password", "--password-file", "MGTOOL_PASSWORD")


def test_status_without_board_openwrt_on_a_router_says_what_to_try(router):
    t = time.monotonic()
    r = mgtool("status", "--port", router.console.port, timeout=60)
    assert_one_error_line(r, "shell prompt", "--board openwrt")
    assert time.monotonic() - t < 8
