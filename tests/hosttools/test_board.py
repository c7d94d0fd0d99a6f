"""mgtool provision against the emulated MPS2 boards (QEMU, UART on a pty, littlefs on a host file)."""
import base64
import glob
import hashlib
import json
import os
import subprocess

import pytest

from mgtool_run import ROOT, assert_one_error_line, mgtool
from qemu_board import QemuBoard

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "site.toml")
pytestmark = pytest.mark.skipif(not all(os.path.exists(os.path.join(ROOT, "build/boards/%s/firmware.elf" % b))
                                        for b in ("qemu-mps2-an385", "qemu-mps2-an386")),
                                reason="emulated board firmware not built")


@pytest.fixture
def an386(tmp_path):
    b = QemuBoard("qemu-mps2-an386", str(tmp_path / "flash.img")).start()
    yield b
    b.power_cut()


def provision(board, *extra):
    return mgtool("provision", "--port", board.port, "--board", board.board, "-q", *extra, timeout=180)


def expected_files(board_name, arch):
    """device path -> bytes, as the board must end up holding them (the plan mgtool made)."""
    import sys
    sys.path.insert(0, os.path.join(ROOT, "host-tools"))
    from mgtool import boardprov, boards, site as sitemod
    site = sitemod.load(SITE)
    plan = boardprov.make_plan(boards.lookup(board_name), ROOT, "/flash", site, site.device("sensor"))
    files = dict(plan.files)
    assert files["/flash/lib/wgcrypto.mpy"] == open(os.path.join(ROOT, "build/natmods/%s/wgcrypto.mpy" % arch),
                                                   "rb").read()
    return files


def board_state(board):
    """(sha256 of every file under /flash, stray .part names, public key of /flash/wg_key) read on the board."""
    link, repl = board.repl()
    try:
        out = repl.exec("""
import os, hashlib, binascii
def walk(d):
    for name, kind, *_ in os.ilistdir(d):
        p = d.rstrip('/') + '/' + name
        if kind == 0x4000:
            yield from walk(p)
        else:
            yield p
res = {}
for p in walk('/flash'):
    if p.startswith('/flash/clock'):
        continue    # the handshake clock main.py's app keeps
    h = hashlib.sha256(open(p, 'rb').read())
    res[p] = binascii.hexlify(h.digest()).decode()
import json
print(json.dumps(res))
try:
    import wgcrypto
    k = binascii.a2b_base64(open('/flash/wg_key').read())
    print(binascii.b2a_base64(wgcrypto.x25519_base(k)).decode().strip())
    print(binascii.b2a_base64(k).decode().strip())
except (OSError, ImportError):
    print('-'); print('-')
""", timeout=60).strip().splitlines()
    finally:
        repl.exit()
        link.close()
    hashes = json.loads(out[0])
    return hashes, [p for p in hashes if p.endswith(".part")], out[1], out[2]


def test_provision_an386_end_to_end(an386):
    r = provision(an386, "--site", SITE, "--device", "sensor")
    assert r.returncode == 0, r.stderr
    assert "board: mps2-an386 with Cortex-M4F" in r.stdout
    assert "wgcrypto.mpy for armv7emsp" in r.stdout
    assert "private key: made on the board and kept there" in r.stdout
    pub = [l.split(": ")[1] for l in r.stdout.splitlines() if l.startswith("public key: ")][0]
    want = expected_files("qemu-mps2-an386", "armv7emsp")
    assert "files: %d written" % len(want) in r.stdout
    hashes, parts, board_pub, priv = board_state(an386)
    for path, data in want.items():
        assert hashes.get(path) == hashlib.sha256(data).hexdigest(), path
    assert parts == []
    # The key was made on the board: the public key printed is the one of the key file there,
    # and wg (an independent X25519) agrees with the board's wgcrypto.
    assert board_pub == pub
    assert subprocess.run(["wg", "pubkey"], input=priv + "\n", capture_output=True, text=True).stdout.strip() == pub
    raw = base64.b64decode(priv)
    assert raw[0] & 7 == 0 and raw[31] & 0x80 == 0 and raw[31] & 0x40
    assert priv not in r.stdout + r.stderr
    # The board's app config (firmware/mgboard/config.py) was completed on the board with that key.
    link, repl = an386.repl()
    try:
        app_cfg = repl.exec("import json\nc=json.load(open('/flash/wireguard.json'))\n"
                            "print(c['private_key'] == open('/flash/wg_key').read().strip(), c['endpoint'])")
    finally:
        repl.exit()
        link.close()
    assert app_cfg.strip() == "True vpn.example.net:51820"
    # This firmware has the application frozen in too: what was uploaded is what runs.
    link, repl = an386.repl()
    try:
        files = repl.exec("import wireguard, mgboard, boardnet\n"
                          "print(wireguard.__file__, mgboard.__file__, boardnet.__file__)").split()
    finally:
        repl.exit()
        link.close()
    assert files == ["/flash/lib/wireguard/__init__.mpy", "/flash/lib/mgboard/__init__.mpy",
                     "/flash/lib/boardnet.mpy"], files

    # Again: nothing to upload, same key. With --new-key: a new key, files untouched.
    r2 = provision(an386, "--site", SITE, "--device", "sensor")
    assert r2.returncode == 0, r2.stderr
    assert "files: %d unchanged" % len(want) in r2.stdout and "public key: " + pub in r2.stdout
    assert "private key: the board's existing one, unchanged" in r2.stdout
    r3 = provision(an386, "--site", SITE, "--device", "sensor", "--new-key", "--no-firmware")
    assert r3.returncode == 0, r3.stderr
    assert "files: 1 unchanged" in r3.stdout and "public key: " in r3.stdout
    assert pub not in r3.stdout
    assert "private key: made anew (--new-key) on the board" in r3.stdout
    new_pub = [l.split(": ")[1] for l in r3.stdout.splitlines() if l.startswith("public key: ")][0]
    st = mgtool("status", "--port", an386.port, check=0).stdout
    assert "public key: %s" % new_pub in st and "endpoint:   vpn.example.net:51820" in st
    # The flash is persistent: after a reboot the files and the new key are still there.
    an386.restart()
    hashes2, _, board_pub2, _ = board_state(an386)
    assert board_pub2 in r3.stdout and hashes2 == {**hashes, "/flash/wg_key": hashes2["/flash/wg_key"],
                                                       "/flash/wireguard.json": hashes2["/flash/wireguard.json"]}


@pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, "build/boards/qemu-mps2-an386-builtin/firmware.elf")),
                    reason="AN386 firmware with wgcrypto built in not built")
def test_provision_skips_the_module_when_the_firmware_has_it(tmp_path):
    b = QemuBoard("qemu-mps2-an386", str(tmp_path / "flash.img"), firmware="qemu-mps2-an386-builtin").start()
    try:
        r = provision(b, "--site", SITE, "--device", "sensor")
        assert r.returncode == 0, r.stderr
        assert "wgcrypto is built into this board's firmware: nothing to upload for it" in r.stdout
        assert "wgcrypto.mpy for" not in r.stdout
        want = expected_files("qemu-mps2-an386", "armv7emsp")
        del want["/flash/lib/wgcrypto.mpy"]
        assert "files: %d written" % len(want) in r.stdout
        hashes, parts, board_pub, priv = board_state(b)
        assert "/flash/lib/wgcrypto.mpy" not in hashes and parts == []
        for path, data in want.items():
            assert hashes.get(path) == hashlib.sha256(data).hexdigest(), path
        # The key was made with the built-in module, and the probe left it importable.
        pub = [l.split(": ")[1] for l in r.stdout.splitlines() if l.startswith("public key: ")][0]
        assert board_pub == pub
        assert subprocess.run(["wg", "pubkey"], input=priv + "\n", capture_output=True, text=True).stdout.strip() == pub
        link, repl = b.repl()
        try:
            out = repl.exec("import wgcrypto\nprint(hasattr(wgcrypto, '__file__'), wgcrypto.backend)").strip()
        finally:
            repl.exit()
            link.close()
        assert out.startswith("False "), out
    finally:
        b.power_cut()


def test_provision_an385_uses_armv7m_module(tmp_path):
    b = QemuBoard("qemu-mps2-an385", str(tmp_path / "flash.img")).start()
    try:
        r = provision(b, "--site", SITE, "--device", "sensor")
        # The site says the sensor is an an386: mgtool refuses before touching the board...
        assert_one_error_line(r, "'sensor' is a qemu-mps2-an386", "wrong --board")
        # ...and without a site it installs the firmware and the armv7m module.
        r = provision(b)
        assert r.returncode == 0, r.stderr
        assert "wgcrypto.mpy for armv7m" in r.stdout
        hashes, parts, pub, _ = board_state(b)
        mpy = open(os.path.join(ROOT, "build/natmods/armv7m/wgcrypto.mpy"), "rb").read()
        assert hashes["/flash/lib/wgcrypto.mpy"] == hashlib.sha256(mpy).hexdigest()
        assert "public key: %s" % pub in r.stdout and parts == []
    finally:
        b.power_cut()


def test_power_cut_mid_upload_then_resume(an386):
    import sys
    sys.path.insert(0, os.path.join(ROOT, "host-tools"))
    from mgtool import boardprov, boards, site as sitemod
    from mgtool.errors import MgError
    want = expected_files("qemu-mps2-an386", "armv7emsp")
    order = list(want)
    big = max(order, key=lambda p: len(want[p]))
    start = sum(len(want[p]) for p in order[:order.index(big)])
    cut_at = start + len(want[big]) // 2

    site = sitemod.load(SITE)
    plan = boardprov.make_plan(boards.lookup("qemu-mps2-an386"), ROOT, "/flash", site, site.device("sensor"))
    link, repl = an386.repl()
    session = boardprov.BoardSession(repl)
    session.setup()
    sent = [0]

    def progress(n):
        sent[0] += n
        if sent[0] >= cut_at:
            an386.power_cut()            # the power goes while `big` is half written

    with pytest.raises(MgError, match="lost the connection|stopped answering"):
        session.upload(plan, progress, print)
    link.close()

    an386.start()                        # power back: same flash image
    hashes, parts, _, _ = board_state(an386)
    assert parts == [big + ".part"]
    for path, data in want.items():      # nothing half-written in place
        assert path not in hashes or hashes[path] == hashlib.sha256(data).hexdigest()
    assert big not in hashes

    r = provision(an386, "--site", SITE, "--device", "sensor")
    assert r.returncode == 0, r.stderr
    assert "1 resumed" in r.stdout and "unchanged" in r.stdout
    hashes, parts, _, _ = board_state(an386)
    assert parts == []
    for path, data in want.items():
        assert hashes[path] == hashlib.sha256(data).hexdigest(), path


def test_raw_paste_and_plain_raw_repl_agree(an386):
    import sys
    sys.path.insert(0, os.path.join(ROOT, "host-tools"))
    from mgtool.rawrepl import RawRepl
    link, repl = an386.repl()
    try:
        code = "s = %r\nprint(len(s), sum(s.encode()))" % ("x" * 5000 + "y" * 3000)
        assert repl.raw_paste and repl.exec(code) == "8000 963000\n"
        plain = RawRepl(link, raw_paste=False)
        assert plain.exec(code) == "8000 963000\n"
    finally:
        link.close()


def test_disk_full_leaves_the_board_as_it_was(tmp_path):
    b = QemuBoard("qemu-mps2-an386", str(tmp_path / "small.img"), flash_size=64 * 1024).start()
    try:
        r = provision(b)
        assert_one_error_line(r, "not enough space on the board", "nothing was changed")
        hashes, _, _, _ = board_state(b)
        assert hashes == {}
    finally:
        b.power_cut()


def test_bad_ports_and_boards(tmp_path):
    assert_one_error_line(mgtool("provision", "--port", "/dev/ttyNOPE0", "--board", "qemu-mps2-an386"),
                          "no such serial port")
    assert_one_error_line(mgtool("provision", "--port", "/dev/null", "--board", "toaster-9000"),
                          "unknown board 'toaster-9000'")
    master, slave = os.openpty()
    try:
        r = mgtool("provision", "--port", os.ttyname(slave), "--board", "qemu-mps2-an386", "--timeout", "2")
        assert_one_error_line(r, "no MicroPython REPL answers")
    finally:
        os.close(master)
        os.close(slave)


def test_wrong_board_is_refused_before_writing(an386):
    r = mgtool("provision", "--port", an386.port, "--board", "qemu-mps2-an385", "-q")
    assert_one_error_line(r, "mps2-an386 with Cortex-M4F", "not qemu-mps2-an385", "wrong --board")
    hashes, _, _, _ = board_state(an386)
    assert hashes == {}


# A board that was tampered with: its main.py swaps `print` in the REPL's globals so the
# provisioning helper's file-state reply becomes a Python expression that would run a command.
TRAP = """
_mg_real_print = print
def print(*a, **k):
    s = ' '.join(str(x) for x in a)
    if s.startswith('[') or s.startswith('STATE'):
        s = "__import__('os').system('touch %s')"
    _mg_real_print(s, **k)
"""


def test_a_malicious_reply_runs_nothing_on_the_host(an386, tmp_path):
    pwned = str(tmp_path / "pwned")
    link, repl = an386.repl()
    try:
        repl.exec("f = open('/flash/main.py', 'w')\nf.write(%r)\nf.close()" % (TRAP % pwned))
    finally:
        repl.exit()
        link.close()
    an386.restart()                      # main.py runs at boot and leaves the trap in the REPL's globals
    r = provision(an386)
    assert_one_error_line(r, "malformed file-state reply", "__import__")
    assert not os.path.exists(pwned)
    hashes, _, _, _ = board_state(an386)
    assert list(hashes) == ["/flash/main.py"]          # nothing was written


def test_state_replies_are_parsed_strictly():
    from mgtool import boardprov
    from mgtool.errors import MgError
    h = "ab" * 32
    assert boardprov.parse_state("STATE %s -1 - 2048" % h, 2) == [(h, -1), (None, 2048)]
    for bad in ("[('x', 1)]", "STATE %s -1" % h, "STATE %s 1e3 - 0" % h, "STATE os.system 0 - 0",
                "STATE %s -1 - 0 extra" % h, ""):
        with pytest.raises(MgError):
            boardprov.parse_state(bad, 2)
