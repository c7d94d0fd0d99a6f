"""A board against wireguard-go: the lab the board tests, demo and bench share.

    peer node  (wireguard-go, wg0 10.0.0.1/24, UDP 192.0.2.1:51820)
       | veth 192.0.2.0/24
    bridge node (slipbridge.py, UDP 192.0.2.2:51820)
       | unix socket = the board's UART1 (SLIP)
    QEMU MPS2 board (tunnel address 10.0.0.2, flash image in the lab dir)

The board reaches the peer by the name `peer.lab`, resolved by the bridge
from a hosts file the test may rewrite (DNS re-resolution).

With ipv6=True both tunnel ends also get IPv6 addresses (fd00::1, fd00::2).
With second_peer=True a second wireguard-go (peer2 node, wg0 10.1.0.1/24,
UDP 192.0.3.1:51820, linked to the bridge node) is the board's second peer,
allowed 10.1.0.0/24 only.

With lan=... (router mode) the board also gets a LAN on its UART2:

    QEMU MPS2 board (LAN address 192.168.50.1)
       | unix socket = the board's UART2 (plain SLIP)
    lan node (lanbridge.py, TUN lan0 192.168.50.2/24, default route via the board)

and wireguard-go's peer entry for the board covers the LAN prefix too, with
a route to it over wg0.
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
import lab as lablib  # noqa: E402
import wgdaemon  # noqa: E402
from boardvm import BoardVM  # noqa: E402

PEER_OUTER = "192.0.2.1"
BRIDGE_OUTER = "192.0.2.2"
PEER_INNER = "10.0.0.1"
BOARD_INNER = "10.0.0.2"
PORT = 51820
PEER_INNER6 = "fd00::1"
BOARD_INNER6 = "fd00::2"
PEER2_OUTER = "192.0.3.1"
BRIDGE2_OUTER = "192.0.3.2"
PEER2_INNER = "10.1.0.1"
LAN = {"prefix": "192.168.50.0/24", "address": "192.168.50.1"}
LAN_HOST = "192.168.50.2"


class BoardLab:
    def __init__(self, board="qemu-mps2-an386", keepalive=25, peer_knows_endpoint=True, icount=False,
                 ipv6=False, second_peer=False, lan=None, allowed_ips=("10.0.0.0/24",), board_routes=()):
        """lan: the board config's "lan" (e.g. LAN): router mode, with a LAN
        host node on the board's UART2. allowed_ips: the board's, for its peer.
        board_routes: more prefixes wireguard-go sends to the board."""
        self.lab = lablib.Lab()
        self.ipv6 = ipv6
        self.second_peer = second_peer
        self.lan = lan
        self.allowed_ips = list(allowed_ips)
        self.board_routes = list(board_routes)
        try:
            self._build(board, keepalive, peer_knows_endpoint, icount)
        except BaseException:
            self.close()
            raise

    def _build(self, board, keepalive, peer_knows_endpoint, icount):
        lab = self.lab
        self.peer_node = lab.node("peer")
        self.bridge_node = lab.node("bridge")
        lab.link(self.peer_node, self.bridge_node, [PEER_OUTER + "/24"], [BRIDGE_OUTER + "/24"])
        self.peer_key = lab.keypair("peer")
        self.board_key = lab.keypair("board")
        self.peer_knows_endpoint = peer_knows_endpoint
        self.start_peer()
        if self.second_peer:
            self._start_peer2()
        self.hosts_file = lab.path("hosts")
        self.set_dns(PEER_OUTER)
        self.serial = lab.path("slip.sock")
        self.bridge_log = open(lab.path("bridge.log"), "wb")
        self.bridge = self.bridge_node.popen(
            ["python3", os.path.join(HERE, "slipbridge.py"), "--serial", self.serial,
             "--bind", "%s:%d" % (BRIDGE_OUTER, PORT), "--hosts-file", self.hosts_file,
             "--impair-file", lab.path("impair")],
            stdout=self.bridge_log, stderr=self.bridge_log)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.serial):
            if time.monotonic() > deadline or self.bridge.poll() is not None:
                raise lablib.LabError("bridge did not start")
            time.sleep(0.05)
        if board is None:       # the caller powers its own board on this lab's data link
            return
        self.lan_serial = self._start_lan() if self.lan else None
        self.console_log = open(lab.path("console.log"), "ab")
        self.vm = BoardVM(lab.path("flash.img"), self.serial, board=board, icount=icount,
                          log=self.console_log, lan_socket=self.lan_serial)
        lab.on_close(self.vm.close)
        self.vm.start()
        self.vm.install_wgcrypto()
        self.config = {
            "private_key": self.board_key.private, "peer_public_key": self.peer_key.public,
            "endpoint": "peer.lab:%d" % PORT, "address": BOARD_INNER + "/32",
            "allowed_ips": self.allowed_ips, "keepalive": keepalive, "echo_port": 7,
        }
        if self.ipv6:
            self.config["address"] = [BOARD_INNER + "/32", BOARD_INNER6 + "/128"]
            self.config["allowed_ips"].append("fd00::/64")
        if self.second_peer:
            self.config["peers"] = [{"public_key": self.peer2_key.public, "endpoint": "%s:%d" % (PEER2_OUTER, PORT),
                                     "allowed_ips": ["10.1.0.0/24"], "keepalive": keepalive}]
        if self.lan:
            self.config["lan"] = self.lan
        self.vm.put("/flash/wireguard.json", json.dumps(self.config).encode())

    def _start_lan(self):
        """The LAN host node and its bridge to the board's UART2; returns the socket path."""
        self.lan_node = self.lab.node("lan")
        path = self.lab.path("lan.sock")
        self.lan_inject = self.lab.path("lan-inject.sock")     # raw bytes onto the LAN line
        self.lan_bridge_log = open(self.lab.path("lanbridge.log"), "wb")
        self.lan_bridge = self.lan_node.popen(
            ["python3", os.path.join(HERE, "lanbridge.py"), "--serial", path, "--tun", "lan0",
             "--inject", self.lan_inject],
            stdout=self.lan_bridge_log, stderr=self.lan_bridge_log)
        deadline = time.monotonic() + 10
        while not os.path.exists(path):
            if time.monotonic() > deadline or self.lan_bridge.poll() is not None:
                raise lablib.LabError("LAN bridge did not start")
            time.sleep(0.05)
        prefix_len = self.lan["prefix"].split("/")[1]
        # No IPv6 on the LAN: its router solicitations would only be noise to the board.
        self.lan_node.run(["sysctl", "-q", "-w", "net.ipv6.conf.lan0.disable_ipv6=1"])
        self.lan_node.add_address("lan0", "%s/%s" % (LAN_HOST, prefix_len))
        self.lan_node.ip("link", "set", "lan0", "mtu", "1420", "up")
        self.lan_node.route("default", "via", self.lan["address"])
        return path

    def start_peer(self):
        self.wg = wgdaemon.Daemon(self.peer_node, "wireguard-go")
        routes = ([self.lan["prefix"]] if self.lan else []) + self.board_routes
        own = [BOARD_INNER + "/32"] + (["%s/128" % BOARD_INNER6] if self.ipv6 else [])
        conf = "[Interface]\nPrivateKey = %s\nListenPort = %d\n\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\n" % (
            self.peer_key.private, PORT, self.board_key.public, ", ".join(own + routes))
        if self.peer_knows_endpoint:
            conf += "Endpoint = %s:%d\n" % (BRIDGE_OUTER, PORT)
        self.wg.setconf(conf)
        self.wg.up(PEER_INNER + "/24", *((PEER_INNER6 + "/64",) if self.ipv6 else ()))
        for prefix in routes:
            self.peer_node.route(prefix, "dev", "wg0")

    def _start_peer2(self):
        """A second site: its own namespace on its own link to the bridge, its
        tunnel network 10.1.0.0/24 routed to the board's address."""
        lab = self.lab
        self.peer2_node = lab.node("peer2")
        lab.link(self.peer2_node, self.bridge_node, [PEER2_OUTER + "/24"], [BRIDGE2_OUTER + "/24"])
        self.peer2_node.route("192.0.2.0/24", "via", BRIDGE2_OUTER)
        self.peer2_key = lab.keypair("peer2")
        self.start_peer2_daemon()

    def start_peer2_daemon(self):
        self.wg2 = wgdaemon.Daemon(self.peer2_node, "wireguard-go")
        self.wg2.setconf("[Interface]\nPrivateKey = %s\nListenPort = %d\n\n[Peer]\nPublicKey = %s\n"
                         "AllowedIPs = %s/32\nEndpoint = %s:%d\n" % (
                             self.peer2_key.private, PORT, self.board_key.public, BOARD_INNER, BRIDGE_OUTER, PORT))
        self.wg2.up(PEER2_INNER + "/24")
        self.peer2_node.route(BOARD_INNER + "/32", "dev", "wg0")

    def restart_peer2(self):
        self.wg2.stop()
        self.peer2_node.ip("link", "del", "wg0", check=False)
        self.start_peer2_daemon()

    def restart_peer(self):
        self.wg.stop()
        self.peer_node.ip("link", "del", "wg0", check=False)
        self.start_peer()

    def set_dns(self, ip):
        with open(self.hosts_file, "w") as f:
            f.write("peer.lab %s\n" % ip)

    def impair(self, loss=0.0, dup=0.0, reorder=0.0, seed=1):
        """Seeded loss, duplication and reordering on the outer link, both
        directions (the bridge re-reads this file); all zero = a clean link."""
        tmp = self.lab.path("impair.tmp")
        with open(tmp, "w") as f:
            f.write("%f %f %f %d\n" % (loss, dup, reorder, seed))
        os.replace(tmp, self.lab.path("impair"))

    def peer_handshake(self):
        return self.wg.peer(self.board_key.public)["latest_handshake"]

    def close(self):
        self.lab.close()
        for f in ("bridge_log", "console_log", "lan_bridge_log"):
            if hasattr(self, f):
                getattr(self, f).close()


# Board-side prelude: a tunnel from the flash config, kept in the REPL's
# globals so later scripts can drive it; asyncio tasks survive between
# asyncio.run() calls, so each script runs the tunnel for a while.
PRELUDE = """
import asyncio, gc, json
import boardnet
from mgboard import config, app, Tunnel
from mgboard.clock import Monotonic
params, echo_port = config.load()
link, extra = boardnet.up()
mono = Monotonic()
wg = Tunnel(link=link, monotonic=mono, **params, **extra)
asyncio.create_task(app.echo(wg, echo_port))
async def _idle(seconds):
    await asyncio.sleep(seconds)
def serve(seconds):
    asyncio.run(_idle(seconds))
async def _until(cond, seconds):
    for _ in range(int(seconds * 10)):
        if cond():
            return True
        await asyncio.sleep_ms(100)
    return False
def serve_until(cond, seconds):
    return asyncio.run(_until(cond, seconds))
def show():
    s = wg.stats()
    s['endpoint'] = list(s['endpoint']) if s['endpoint'] else None
    print(json.dumps(s))
"""
MAKE_TUNNEL = """
wg = Tunnel(link=link, monotonic=mono, **params, **extra)
asyncio.create_task(app.echo(wg, echo_port))
"""
TUNNEL_SETUP = PRELUDE + MAKE_TUNNEL
