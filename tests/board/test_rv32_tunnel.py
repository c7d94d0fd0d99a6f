"""The emulated RISC-V board (qemu-virt-rv32: an ESP32-C3/C6 stand-in on stock
MicroPython with nothing of MicroGuard frozen in) against wireguard-go.

    peer node  (wireguard-go, wg0 10.0.0.1/24, UDP 192.0.2.1:51820)
       | veth 192.0.2.0/24
    bridge node (slipbridge.py, UDP 192.0.2.2:51820)
       | unix socket <- the test pumps SLIP frames -> the board's one UART
    QEMU virt board (tunnel address 10.0.0.2)

The application (wgcrypto.mpy for rv32imc, the engine, mgboard and the
board's boardnet, compiled with mpy-cross -march=rv32imc) goes into an in-RAM
VFS over the raw REPL; a script then takes the UART over for the SLIP link.
One boot, one link session: handshake, ping and UDP echo on the tunnel
address, then the board's own account of it and its REPL back.
"""
import json
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
import lab as lablib  # noqa: E402
import wgdaemon  # noqa: E402
import rv32board  # noqa: E402
from targets import BUILD  # noqa: E402

PEER_OUTER, BRIDGE_OUTER = "192.0.2.1", "192.0.2.2"
PEER_INNER, BOARD_INNER = "10.0.0.1", "10.0.0.2"
PORT = 51820

BOARD_SCRIPT = """
import asyncio, json, micropython, boardnet
try:
    from mgboard import Tunnel
except ImportError:
    from wireguard import Tunnel

class _HostLink:
    # The board's serial link, plus the host's quit datagram (from 0.0.0.0:0)
    # that ends this run and gives the UART back to the REPL.
    def __init__(self, link):
        self.link = link
        self.quit = asyncio.Event()
    def send(self, data, addr):
        self.link.send(data, addr)
    async def recv(self):
        while True:
            data, addr = await self.link.recv()
            if addr != ('0.0.0.0', 0):
                return data, addr
            self.quit.set()
    async def resolve(self, name, timeout=5):
        return await self.link.resolve(name, timeout)

link, extra = boardnet.up()
host = _HostLink(link)

async def _echo(wg):
    while True:
        data, src, dport = await wg.recv()
        if dport == 7:
            wg.send(data, dst=src, sport=7)

async def _main():
    wg = Tunnel(link=host, private_key=%(private)r, peer_public_key=%(peer)r, endpoint=('peer.lab', %(port)d),
                address=%(address)r, allowed_ips=('10.0.0.0/24',), keepalive=25, **extra)
    asyncio.create_task(_echo(wg))
    ok = await wg.start()
    await host.quit.wait()
    return ok, wg.stats()

micropython.kbd_intr(-1)
ok, s = asyncio.run(_main())
link.stream.write(b'\\xc0Z\\xc0')
micropython.kbd_intr(3)
s['endpoint'] = list(s['endpoint']) if s['endpoint'] else None
print(json.dumps({'started': ok, 'stats': s}))
"""


def udp_exchange(node, dst, port, payload, timeout=10):
    """One datagram from the peer's tunnel address; the reply text ('' when none came)."""
    code = ("import socket\ns=socket.socket(2,2)\ns.settimeout(%d)\ns.bind((%r,0))\n"
            "s.sendto(%r.encode(),(%r,%d))\ntry:\n print(s.recvfrom(2000)[0].decode())\n"
            "except OSError:\n print('')\n" % (timeout, PEER_INNER, payload, dst, port))
    return node.run(["python3", "-c", code], timeout=timeout + 10).stdout.strip()


@pytest.fixture(scope="module")
def rig():
    if os.geteuid() != 0:
        pytest.skip("board tests need root (network namespaces)")
    lablib.sweep_stale()
    lab = lablib.Lab()
    logs = []
    try:
        peer_node, bridge_node = lab.node("peer"), lab.node("bridge")
        lab.link(peer_node, bridge_node, [PEER_OUTER + "/24"], [BRIDGE_OUTER + "/24"])
        peer_key, board_key = lab.keypair("peer"), lab.keypair("board")
        wg = wgdaemon.Daemon(peer_node, "wireguard-go")
        wg.setconf("[Interface]\nPrivateKey = %s\nListenPort = %d\n\n[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\n"
                   "Endpoint = %s:%d\n" % (peer_key.private, PORT, board_key.public, BOARD_INNER, BRIDGE_OUTER, PORT))
        wg.up(PEER_INNER + "/24")
        with open(lab.path("hosts"), "w") as f:
            f.write("peer.lab %s\n" % PEER_OUTER)
        serial = lab.path("slip.sock")
        bridge_log = open(lab.path("bridge.log"), "wb")
        logs.append(bridge_log)
        bridge = bridge_node.popen(["python3", os.path.join(HERE, "slipbridge.py"), "--serial", serial,
                                    "--bind", "%s:%d" % (BRIDGE_OUTER, PORT), "--hosts-file", lab.path("hosts")],
                                   stdout=bridge_log, stderr=bridge_log)
        deadline = time.monotonic() + 10
        while not os.path.exists(serial):
            if time.monotonic() > deadline or bridge.poll() is not None:
                raise lablib.LabError("bridge did not start")
            time.sleep(0.05)
        console = open(lab.path("console.log"), "wb")
        logs.append(console)
        board = rv32board.RV32Board(log=console)
        lab.on_close(board.close)
        board.upload(rv32board.application_files(os.path.join(BUILD, "rv32-app")))
        yield {"lab": lab, "peer_node": peer_node, "wg": wg, "board": board, "serial": serial,
               "peer_key": peer_key, "board_key": board_key}
    finally:
        lab.close()
        for f in logs:
            f.close()


def test_handshake_ping_and_udp_echo_with_wireguard_go(rig):
    board, wg = rig["board"], rig["wg"]
    board.submit(BOARD_SCRIPT % {"private": rig["board_key"].private, "peer": rig["peer_key"].public,
                                 "port": PORT, "address": BOARD_INNER + "/32"})
    link = board.link(rig["serial"])
    try:
        # X25519 on the emulated rv32imc takes a moment; a loaded machine makes it longer.
        wg.wait_handshake(rig["board_key"].public, timeout=90)
        # Every echo request answered; generous waits for a loaded machine.
        ping = rig["peer_node"].ping(BOARD_INNER, count=3, interval=0.5, wait=15)
        reply = udp_exchange(rig["peer_node"], BOARD_INNER, 7, "hello rv32")
    finally:
        link.close()
    report = json.loads(board.result(60).strip().splitlines()[-1])
    assert ping.returncode == 0, ping.stdout
    assert reply == "hello rv32"
    s = report["stats"]
    assert report["started"] is True and s["connected"] and s["handshakes"] >= 1, report
    assert s["endpoint"] == [PEER_OUTER, PORT], report             # peer.lab, resolved through the bridge
    assert link.frames["to_board"] >= 5 and link.frames["to_bridge"] >= 5, link.frames
    # The UART is the REPL's again.
    assert board.run("print(6 * 7)").strip() == "42"
