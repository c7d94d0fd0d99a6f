"""The board application on real sockets: mgboard.app over mgboard.udplink.UdpLink (the path
Wi-Fi and Ethernet boards take), run by the unix port in a network namespace against
wireguard-go in another.

    peer node   (wireguard-go, wg0 10.0.0.1/24, UDP 192.0.2.1:51820)
       | veth 192.0.2.0/24
    board node  (build/unix-x64/micropython running main.py: boardnet.up -> UdpLink on
                 192.0.2.2:51820; tunnel address 10.0.0.2, UDP echo on port 7)

The tests share one lab and run in order: the board's own handshake at start, ping and UDP
both ways, then wireguard-go killed and started again with the same key.
"""
import json
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
import lab as lablib  # noqa: E402
import wgdaemon  # noqa: E402

MICROPYTHON = os.path.join(ROOT, "build", "unix-x64", "micropython")
# The host build freezes no asyncio, where board firmwares carry it: MicroPython's own package.
ASYNCIO_DIR = os.path.join(ROOT, "build", "micropython", "extmod")
PEER_OUTER, BOARD_OUTER = "192.0.2.1", "192.0.2.2"
PEER_INNER, BOARD_INNER = "10.0.0.1", "10.0.0.2"
PORT = 51820
# Generous: other suites load the machine at the same time.
WAIT = 60

# The unix port's bring-up: the network is already there, so only the link and the
# flash-persisted handshake clock (no RTC assumed), as a Wi-Fi board's boardnet.py hands over.
BOARDNET = """
from mgboard.udplink import UdpLink
from mgboard.clock import PersistedClock, FileSlots


def up():
    clock = PersistedClock(FileSlots(%r))
    return UdpLink(port=%d), {"wall_clock": clock.wall}
"""
# The two-line main.py a board boots with, plus where this "flash" keeps its config.
MAIN = "import boardnet, mgboard.app\nmgboard.app.main(boardnet.up, config_path=%r, report_every=2)\n"


class UnixBoard:
    def __init__(self):
        self.lab = lablib.Lab()
        try:
            self._build()
        except BaseException:
            self.lab.close()
            raise

    def _build(self):
        lab = self.lab
        self.peer_node = lab.node("peer")
        self.board_node = lab.node("board")
        lab.link(self.peer_node, self.board_node, [PEER_OUTER + "/24"], [BOARD_OUTER + "/24"])
        self.peer_key = lab.keypair("peer")
        self.board_key = lab.keypair("board")
        self.start_peer()
        flash = lab.path("flash")
        os.makedirs(flash)
        with open(os.path.join(flash, "boardnet.py"), "w") as f:
            f.write(BOARDNET % (os.path.join(flash, "clock"), PORT))
        config = os.path.join(flash, "wireguard.json")
        with open(config, "w") as f:
            json.dump({"private_key": self.board_key.private, "peer_public_key": self.peer_key.public,
                       "endpoint": "%s:%d" % (PEER_OUTER, PORT), "address": BOARD_INNER + "/32",
                       "allowed_ips": ["10.0.0.0/24"], "keepalive": 25, "echo_port": 7}, f)
        with open(os.path.join(flash, "main.py"), "w") as f:
            f.write(MAIN % config)
        self.log_path = lab.path("board.log")
        env = dict(os.environ, MICROPYPATH=":".join((os.path.join(ROOT, "firmware"), flash, ASYNCIO_DIR)))
        with open(self.log_path, "wb") as log:
            self.proc = self.board_node.popen([MICROPYTHON, os.path.join(flash, "main.py")], env=env,
                                              stdout=log, stderr=subprocess.STDOUT)

    def start_peer(self):
        # The peer knows the board's endpoint, as a server knows a board with a fixed address:
        # after its restart it is the peer that starts the handshake, to the board's socket.
        self.wg = wgdaemon.Daemon(self.peer_node, "wireguard-go")
        self.wg.setconf("[Interface]\nPrivateKey = %s\nListenPort = %d\n\n[Peer]\nPublicKey = %s\n"
                        "AllowedIPs = %s/32\nEndpoint = %s:%d\n" % (
                            self.peer_key.private, PORT, self.board_key.public, BOARD_INNER, BOARD_OUTER, PORT))
        self.wg.up(PEER_INNER + "/24")

    def restart_peer(self):
        self.wg.stop()
        self.peer_node.ip("link", "del", "wg0", check=False)
        self.start_peer()

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def handshake(self):
        return self.wg.peer(self.board_key.public)["latest_handshake"]

    def close(self):
        self.lab.close()


def udp_echo(node, payload, timeout=WAIT):
    """Send datagrams from the peer's tunnel address to the board's echo port until one comes
    back (the first ones may wait on a handshake); returns (reply, source) or (None, None)."""
    code = ("import socket,sys,time\ns=socket.socket(2,2)\ns.settimeout(1)\ns.bind((%r,0))\n"
            "end=time.time()+%d\nwhile time.time()<end:\n s.sendto(%r.encode(),(%r,7))\n try:\n"
            "  d,a=s.recvfrom(2000)\n  print(d.decode(),a[0],a[1])\n  break\n except OSError:\n  pass\n"
            % (PEER_INNER, timeout, payload, BOARD_INNER))
    out = node.run(["python3", "-c", code], timeout=timeout + 30).stdout.split()
    return (out[0], (out[1], int(out[2]))) if out else (None, None)


@pytest.fixture(scope="module")
def ub():
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespaces)")
    if not os.path.exists(MICROPYTHON):
        pytest.skip("no unix-port build")
    lablib.sweep_stale()
    b = UnixBoard()
    try:
        yield b
    finally:
        b.close()


def test_board_app_completes_handshake(ub):
    # The peer waits: the board initiates from its own socket at start (wg.start()).
    deadline = time.monotonic() + WAIT
    while ub.handshake() == 0 and time.monotonic() < deadline and ub.proc.poll() is None:
        time.sleep(0.2)
    assert ub.handshake() > 0, ub.log()
    assert ub.wg.peer(ub.board_key.public)["endpoint"] == "%s:%d" % (BOARD_OUTER, PORT)
    deadline = time.monotonic() + WAIT
    while "wg: handshake done" not in ub.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "wg: handshake done" in ub.log(), ub.log()


def test_ping_board_tunnel_address(ub):
    assert ub.peer_node.wait_ping(BOARD_INNER, timeout=WAIT), ub.log()


def test_udp_both_ways(ub):
    before = ub.wg.peer(ub.board_key.public)
    reply, src = udp_echo(ub.peer_node, "hello-unix-board")
    assert reply == "hello-unix-board", ub.log()
    assert src == (BOARD_INNER, 7)
    after = ub.wg.peer(ub.board_key.public)
    assert after["rx_bytes"] > before["rx_bytes"] and after["tx_bytes"] > before["tx_bytes"]


def test_reconnect_after_peer_restart(ub):
    first = ub.handshake()
    ub.restart_peer()                        # a new wireguard-go, the same key, no session
    assert ub.handshake() == 0
    reply, src = udp_echo(ub.peer_node, "after-restart")
    assert reply == "after-restart", ub.log()
    assert ub.handshake() >= first
    assert ub.peer_node.wait_ping(BOARD_INNER, timeout=WAIT)
    # The board application kept running throughout and reports the tunnel up.
    assert ub.proc.poll() is None, ub.log()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        last = [l for l in ub.log().splitlines() if l.startswith("wg: connected=")]
        if last and last[-1].startswith("wg: connected=True"):
            break
        time.sleep(0.5)
    assert last and last[-1].startswith("wg: connected=True"), ub.log()
