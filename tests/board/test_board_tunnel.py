"""The emulated Cortex-M4F board (qemu-mps2-an386, wgcrypto armv7emsp .mpy,
frozen wireguard + mgboard) against wireguard-go in a network namespace, its
outer UDP over SLIP on UART1 through tests/board/slipbridge.py.

The tests of this module share one lab (the bl fixture, conftest.py) and run
in order: handshake first.
"""
import json
import subprocess
import time

import boardlab
from boardlab import BOARD_INNER, PEER_INNER


def stats(bl):
    return json.loads(bl.vm.run("show()").strip().splitlines()[-1])


def udp_exchange(node, dst, port, payload, timeout=5):
    """Send one datagram from the peer's tunnel address and return the reply text (or '')."""
    code = ("import socket,sys\ns=socket.socket(2,2)\ns.settimeout(%d)\ns.bind((%r,0))\n"
            "s.sendto(%r.encode(),(%r,%d))\ntry:\n print(s.recvfrom(2000)[0].decode())\n"
            "except OSError:\n print('')\n" % (timeout, PEER_INNER, payload, dst, port))
    return node.run(["python3", "-c", code], timeout=timeout + 10).stdout.strip()


def udp_listen(node, port, seconds, host=PEER_INNER):
    """Start a listener on a tunnel address of the node (the peer's by default);
    .communicate() returns its lines."""
    code = ("import socket,time\ns=socket.socket(%d,2)\ns.bind((%r,%d))\ns.settimeout(0.5)\n"
            "print('ready',flush=True)\nend=time.time()+%f\nwhile time.time()<end:\n try:\n"
            "  d,a=s.recvfrom(2000)\n  print(d.decode(),a[0],a[1],flush=True)\n except OSError:\n  pass\n"
            % (10 if ":" in host else 2, host, port, seconds))
    p = node.popen(["python3", "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    return p


def test_handshake(bl):
    out = bl.vm.run("print(asyncio.run(wg.start()))")
    assert out.strip() == "True", out
    s = stats(bl)
    assert s["connected"] and s["handshakes"] == 1
    assert s["endpoint"] == [boardlab.PEER_OUTER, boardlab.PORT]      # resolved through the bridge
    assert bl.peer_handshake() > 0


def test_ping_board_tunnel_address(bl):
    bl.vm.submit("serve(6)")
    r = bl.peer_node.ping(BOARD_INNER, count=5, interval=0.2)
    bl.vm.result()
    assert r.returncode == 0, r.stdout


def test_udp_peer_to_board_echo(bl):
    bl.vm.submit("serve(6)")
    reply = udp_exchange(bl.peer_node, BOARD_INNER, 7, "hello board")
    bl.vm.result()
    assert reply == "hello board"


def test_udp_board_to_peer(bl):
    listener = udp_listen(bl.peer_node, 5000, 4)
    bl.vm.run("for i in range(3):\n wg.send(b'from board %d' % i, dst=('10.0.0.1', 5000))\nserve(2)")
    got = [line.split(" ", 3) for line in listener.communicate(timeout=20)[0].splitlines()]
    assert [" ".join(g[:3]) for g in got] == ["from board 0", "from board 1", "from board 2"]
    assert all(g[3] == "%s 5000" % BOARD_INNER for g in got)


def test_rekey_with_driven_clock(bl):
    before = stats(bl)["handshakes"]
    hs_before = bl.peer_handshake()
    time.sleep(1.1)                                  # wg show reports whole seconds
    # 125 s later on the tunnel's clock: sending must start a new handshake (REKEY_AFTER_TIME).
    bl.vm.run("mono.advance(125)\nwg.send(b'x', dst=('10.0.0.1', 9))\nserve(3)")
    s = stats(bl)
    assert s["handshakes"] == before + 1 and s["connected"], s
    assert bl.peer_handshake() > hs_before


def test_reconnect_after_peer_restart(bl):
    before = stats(bl)["handshakes"]
    bl.restart_peer()
    # The board keeps sending; with no reply the engine starts a new handshake
    # (KEEPALIVE_TIMEOUT + REKEY_TIMEOUT = 15 s) and the new peer accepts it.
    out = bl.vm.run(
        "async def probe():\n"
        " for i in range(40):\n"
        "  wg.send(b'probe', dst=('10.0.0.1', 9))\n"
        "  await asyncio.sleep(1)\n"
        "  if wg.handshakes > %d:\n"
        "   return i\n"
        "print(asyncio.run(probe()))" % before, timeout=90)
    assert out.strip() != "None", out
    assert bl.peer_handshake() > 0
    bl.vm.submit("serve(4)")
    reply = udp_exchange(bl.peer_node, BOARD_INNER, 7, "after restart")
    bl.vm.result()
    assert reply == "after restart"


def test_endpoint_re_resolved(bl):
    # The peer moves to another address; DNS follows; the board finds it again.
    # (Deleting a primary address takes its secondaries along: delete first.)
    bl.peer_node.del_address("veth0", boardlab.PEER_OUTER + "/24")
    bl.peer_node.add_address("veth0", "192.0.2.77/24")
    bl.set_dns("192.0.2.77")
    out = bl.vm.run(
        "async def probe():\n"
        " n = wg.handshakes\n"
        " for i in range(60):\n"
        "  wg.send(b'probe', dst=('10.0.0.1', 9))\n"
        "  await asyncio.sleep(1)\n"
        "  if wg.handshakes > n and wg.peer.endpoint[0] == '192.0.2.77':\n"
        "   return i\n"
        "print(asyncio.run(probe()))", timeout=120)
    assert out.strip() != "None", (out, stats(bl))
