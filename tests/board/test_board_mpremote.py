"""The README's mip route, run for real with `mpremote` on the emulated stock-firmware board
(Cortex-M4F AN386, blank flash, nothing of MicroGuard in its firmware), as a Pico W user does:
serve the mip packages (stamped with their base URL), `mpremote ... mip install
.../rp2-pico-w/package.json`, copy board/shared/main.py and the config made by `mgtool config -f
board`, power cycle; the board then completes a handshake with wireguard-go and answers ping.

The Pico W package fits this board: its wgcrypto.mpy is the armv6m build, and MicroPython loads
older ARM cores' native code on newer ones (armv6m on the M4). Its boardnet.py joins Wi-Fi
(`network.WLAN`), which the emulated board lacks, so the AN386's own boardnet.mpy (SLIP over UART1)
is installed over it from the same server. This board runs main.py after every soft reset, also
the one mpremote does when it connects, so everything after the install is one mpremote call with
main.py last (a real Pico runs main.py only from its normal REPL)."""
import json
import os
import socket
import subprocess
import sys

import pytest

import httpdir
from boardlab import BOARD_INNER
from stockboard import ROOT, STOCK, mgtool, site_text

MPREMOTE = os.path.join(os.path.dirname(sys.executable), "mpremote")

pytestmark = [
    pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, "build", "boards", STOCK, "firmware.elf")),
                       reason="stock firmware not built"),
    pytest.mark.skipif(not os.access(MPREMOTE, os.X_OK), reason="mpremote not installed (scripts/requirements.txt)"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`python -m mgtool.mippkg --out DIR --base-url http://127.0.0.1:PORT/`, served on that address."""
    out = str(tmp_path_factory.mktemp("mip"))
    with httpdir.serve(out) as base:
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host-tools"))
        r = subprocess.run([sys.executable, "-m", "mgtool.mippkg", "--out", out, "--base-url", base],
                           capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        yield base, out


def mpremote(sb, *args, timeout=300):
    return subprocess.run([MPREMOTE, "connect", sb.vm.port, *args], capture_output=True, text=True, timeout=timeout)


def board_files(sb):
    r = mpremote(sb, "exec", "import os\nprint(sorted(os.listdir('/flash')))")
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.strip()


def test_a_package_url_that_does_not_answer(sb):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))          # a port nobody listens on (bound, then closed)
    port = s.getsockname()[1]
    s.close()
    before = board_files(sb)
    r = mpremote(sb, "mip", "install", "http://127.0.0.1:%d/rp2-pico-w/package.json" % port)
    assert r.returncode != 0, r.stdout
    err = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(err) == 1 and "Connection refused requesting http://127.0.0.1:%d/" % port in err[0], r.stderr
    assert board_files(sb) == before == "[]"


def test_mpremote_mip_install_then_tunnel_up_at_boot(sb, served, tmp_path):
    base, out = served
    site = tmp_path / "site.toml"
    site.write_text(site_text(sb.bl, BOARD_INNER + "/32", board="rp2-pico-w"))
    r = mgtool("config", str(site), "-d", "sensor", "-f", "board")
    assert r.returncode == 0, r.stdout + r.stderr
    # That JSON names the key file `mgtool provision` makes on the board; without mgtool the
    # board's key goes into it as "private_key" (what mgboard.config.load reads).
    cfg = json.loads(r.stdout)
    assert "private_key" not in cfg
    cfg["private_key"] = sb.bl.board_key.private
    config = tmp_path / "wireguard.json"
    config.write_text(json.dumps(cfg))

    r = mpremote(sb, "mip", "install", base + "rp2-pico-w/package.json",
                 "+", "mip", "install", base + "qemu-mps2-an386/boardnet.mpy",
                 "+", "cp", str(config), ":wireguard.json",
                 "+", "cp", os.path.join(ROOT, "board", "shared", "main.py"), ":main.py")
    assert r.returncode == 0 and r.stdout.count("Done") == 2, r.stdout + r.stderr
    with open(os.path.join(out, "rp2-pico-w", "wgcrypto.mpy"), "rb") as a, \
            open(os.path.join(ROOT, "build", "natmods", "armv6m", "wgcrypto.mpy"), "rb") as b:
        assert a.read() == b.read()   # the Pico's (Cortex-M0+) native build is what runs on the M4
    with open(os.path.join(out, "rp2-pico-w", "package.json")) as f:
        for dest, _ in json.load(f)["urls"]:
            assert "Installing: /flash/lib/" + dest in r.stdout, dest

    sb.power_cycle()                  # nobody types anything at the REPL from here on
    sb.bl.wg.wait_handshake(sb.bl.board_key.public, timeout=120)
    r = sb.bl.peer_node.ping(BOARD_INNER, count=3, interval=0.3, wait=5)
    assert r.returncode == 0, r.stdout + r.stderr

