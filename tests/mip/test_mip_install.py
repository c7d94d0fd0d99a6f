"""MicroGuard installed with MicroPython's own `mip` (micropython-lib's, from the MicroPython
source) into an empty folder of a stock unix port (no wgcrypto built in), from package.json files
served by a local HTTP server on 127.0.0.1; then the board application runs from that install
over UDP sockets (mgboard's UdpLink, the Wi-Fi boards' path) against wireguard-go."""
import json
import os
import subprocess
import time

import pytest

import httpdir
import lab as lablib
import wgdaemon

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MP = os.path.join(ROOT, "build", "unix-x64-stock", "micropython")
MPLIB = os.path.join(ROOT, "build", "micropython", "lib", "micropython-lib")
MIP_PATH = [os.path.join(MPLIB, "python-ecosys", "mip"), os.path.join(MPLIB, "micropython", "requests")]

pytestmark = pytest.mark.skipif(not os.access(MP, os.X_OK), reason="stock unix port not built")


def micropython(code, path, timeout=120, node=None):
    argv = [MP, "-X", "heapsize=8M", "-c", "import sys\nsys.path[:0] = %r\n" % (path,) + code]
    if node is not None:
        return node.run(argv, timeout=timeout, check=False)
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The mip packages, built from the manifests for this server's address, on 127.0.0.1."""
    from mgtool import mippkg
    out = str(tmp_path_factory.mktemp("mip"))
    with httpdir.serve(out) as base:
        mippkg.build(ROOT, out, base)
        yield base, out


@pytest.fixture(scope="module")
def installed(served, tmp_path_factory):
    base, _ = served
    target = str(tmp_path_factory.mktemp("lib"))
    assert os.listdir(target) == []
    r = micropython("import mip\nmip.install(%r, target=%r)\n" % (base + "microguard/package.json", target),
                    MIP_PATH)
    assert r.returncode == 0 and "Done" in r.stdout, r.stdout + r.stderr
    return target


def test_mip_installs_microguard_into_an_empty_folder(served, installed):
    _, out = served
    with open(os.path.join(out, "microguard", "package.json")) as f:
        pkg = json.load(f)
    assert set(pkg) == {"urls", "deps", "version"} and pkg["version"]
    for dest, url in pkg["urls"]:
        assert os.path.isfile(os.path.join(installed, dest)), dest
    assert os.path.isfile(os.path.join(installed, "wireguard", "device.mpy"))
    assert os.path.isfile(os.path.join(installed, "mgboard", "udplink.mpy"))
    # The board picks its native module by itself: x64 here, from sys.implementation._mpy.
    r = micropython("import wgcrypto\nprint(wgcrypto.backend, wgcrypto.__name__)", [installed])
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0].startswith("c64"), r.stdout


def test_a_package_url_that_does_not_answer(tmp_path):
    # A port nobody listens on (bound, then closed).
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = micropython("import mip\nmip.install('http://127.0.0.1:%d/microguard/package.json', target=%r)\n"
                    % (port, str(tmp_path)), MIP_PATH)
    lines = [l for l in (r.stdout + r.stderr).strip().splitlines() if l.strip()]
    assert r.returncode != 0, lines
    assert "ECONNREFUSED" in lines[-1] or "Errno 111" in lines[-1], lines
    assert os.listdir(tmp_path) == []


# The bring-up a Wi-Fi board's boardnet.py does, minus joining the access point.
APP = """
import mgboard.app
from mgboard.udplink import UdpLink
from mgboard.clock import PersistedClock, FileSlots
def up():
    return UdpLink(), {"wall_clock": PersistedClock(FileSlots(%r)).wall}
mgboard.app.main(up, report_every=5, config_path=%r)
"""


def test_tunnel_from_the_mip_install_against_wireguard_go(installed, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespaces)")
    lablib.sweep_stale()
    lab = lablib.Lab()
    try:
        peer, board = lab.node("peer"), lab.node("board")
        lab.link(peer, board, ["192.0.2.1/24"], ["192.0.2.2/24"])
        pk, bk = lab.keypair("peer"), lab.keypair("board")
        wg = wgdaemon.Daemon(peer, "wireguard-go")
        wg.setconf("[Interface]\nPrivateKey = %s\nListenPort = 51820\n\n[Peer]\nPublicKey = %s\n"
                   "AllowedIPs = 10.0.0.2/32\n" % (pk.private, bk.public))
        wg.up("10.0.0.1/24")
        cfg = str(tmp_path / "wireguard.json")
        with open(cfg, "w") as f:
            json.dump({"private_key": bk.private, "peer_public_key": pk.public, "endpoint": "192.0.2.1:51820",
                       "address": "10.0.0.2/32", "allowed_ips": ["10.0.0.0/24"], "keepalive": 25}, f)
        log = open(lab.path("app.log"), "wb")
        app = board.popen([MP, "-X", "heapsize=8M", "-c",
                           "import sys\nsys.path[:0] = %r\n" % ([installed],) + APP % (str(tmp_path / "clock"), cfg)],
                          stdout=log, stderr=subprocess.STDOUT)
        lab.on_close(lambda: lablib.kill_proc(app))
        wg.wait_handshake(bk.public, timeout=60)
        r = peer.ping("10.0.0.2", count=3, interval=0.3, wait=5)
        assert r.returncode == 0, r.stdout + open(lab.path("app.log")).read()
    finally:
        lab.close()
