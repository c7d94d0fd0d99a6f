"""The emulated Cortex-M4 board with two wireguard-go peers at once and an IPv6
tunnel address: each peer reaches the board only from inside its own allowed
IPs, the board routes its own datagrams to the peer whose allowed IPs cover
the destination, and ping6 and UDP over IPv6 reach its IPv6 tunnel address.

    peer  (wireguard-go, wg0 10.0.0.1/24 + fd00::1/64)   peer2 (wireguard-go, wg0 10.1.0.1/24)
             \\ 192.0.2.0/24                                  / 192.0.3.0/24
              bridge (slipbridge.py) == SLIP on UART1 == board (10.0.0.2, fd00::2)
"""
import json
import threading

import pytest

import boardlab
from boardlab import BOARD_INNER, BOARD_INNER6, PEER_INNER, PEER_INNER6, PEER2_INNER
from test_board_tunnel import udp_listen


@pytest.fixture(scope="module")
def bl2():
    import os
    if os.geteuid() != 0:
        pytest.skip("board tests need root (network namespaces)")
    boardlab.lablib.sweep_stale()
    b = boardlab.BoardLab(ipv6=True, second_peer=True)
    try:
        b.vm.run(boardlab.TUNNEL_SETUP)
        yield b
    finally:
        b.close()


def stats(bl):
    return json.loads(bl.vm.run("show()").strip().splitlines()[-1])


def echo(node, src, dst, payload, family=2, timeout=8):
    """One datagram to the board's echo port (7) from `src`; the reply text or ''."""
    code = ("import socket\ns=socket.socket(%d,2)\ns.settimeout(%d)\ns.bind((%r,0))\n"
            "s.sendto(%r.encode(),(%r,7))\ntry:\n print(s.recvfrom(2000)[0].decode())\n"
            "except OSError:\n print('')\n" % (family, timeout, src, payload, dst))
    return node.run(["python3", "-c", code], timeout=timeout + 10).stdout.strip()


def test_both_peers_handshake(bl2):
    out = bl2.vm.run("print(asyncio.run(wg.start(timeout=30)))", timeout=60)
    assert out.strip() == "True", out
    s = stats(bl2)
    assert [p["connected"] for p in s["peers"]] == [True, True], s
    assert s["peers"][1]["public_key"] == bl2.peer2_key.public
    assert bl2.wg.peer(bl2.board_key.public)["latest_handshake"] > 0
    assert bl2.wg2.peer(bl2.board_key.public)["latest_handshake"] > 0


def test_two_peers_talk_to_the_board_at_the_same_time(bl2):
    bl2.vm.submit("serve(10)")
    replies = {}

    def ask(name, node, src):
        replies[name] = [echo(node, src, BOARD_INNER, "%s %d" % (name, i)) for i in range(3)]
    threads = [threading.Thread(target=ask, args=a) for a in
               (("peer", bl2.peer_node, PEER_INNER), ("peer2", bl2.peer2_node, PEER2_INNER))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bl2.vm.result()
    assert replies == {"peer": ["peer 0", "peer 1", "peer 2"], "peer2": ["peer2 0", "peer2 1", "peer2 2"]}


def test_board_routes_each_datagram_to_the_peer_that_owns_it(bl2):
    l1 = udp_listen(bl2.peer_node, 5000, 4)
    l2 = udp_listen(bl2.peer2_node, 5000, 4, host=PEER2_INNER)
    bl2.vm.run("wg.send(b'to one', dst=('10.0.0.1', 5000))\nwg.send(b'to two', dst=('10.1.0.1', 5000))\n"
               "wg.send(b'to nobody', dst=('10.2.0.1', 5000))\nserve(2)")
    got1 = l1.communicate(timeout=20)[0].split()
    got2 = l2.communicate(timeout=20)[0].split()
    assert got1[:2] == ["to", "one"] and "two" not in got1 and "nobody" not in got1
    assert got2[:2] == ["to", "two"] and "one" not in got2
    assert stats(bl2)["drops"].get("no_route", 0) >= 1


def test_a_peer_outside_its_allowed_ips_is_dropped(bl2):
    # peer2 borrows an address of peer one's range: the board's engine must drop it.
    bl2.peer2_node.add_address("wg0", "10.0.0.9/32")
    bl2.peer2_node.route("10.0.0.0/24", "dev", "wg0", "src", "10.0.0.9")
    before = stats(bl2)["drops"].get("spoofed_source", 0)
    bl2.vm.submit("serve(5)")
    reply = echo(bl2.peer2_node, "10.0.0.9", BOARD_INNER, "borrowed", timeout=3)
    bl2.vm.result()
    assert reply == ""
    assert stats(bl2)["drops"].get("spoofed_source", 0) > before


def test_ping6_to_the_board(bl2):
    bl2.vm.submit("serve(6)")
    r = bl2.peer_node.ping(BOARD_INNER6, count=4, interval=0.3, wait=3)
    bl2.vm.result()
    assert r.returncode == 0, r.stdout


def test_udp_over_ipv6_both_ways(bl2):
    bl2.vm.submit("serve(6)")
    reply = echo(bl2.peer_node, PEER_INNER6, BOARD_INNER6, "hello v6", family=10)
    bl2.vm.result()
    assert reply == "hello v6"
    listener = udp_listen(bl2.peer_node, 5006, 4, host=PEER_INNER6)
    bl2.vm.run("wg.send(b'from board v6', dst=('fd00::1', 5006))\nserve(2)")
    got = listener.communicate(timeout=20)[0]
    assert got.startswith("from board v6 " + BOARD_INNER6), got


def test_tcp_over_ipv6(bl2):
    # An echo server on the board; a client on the peer connects to [fd00::2].
    bl2.vm.run("""
done = []
async def echo_tcp(r, w):
    while True:
        line = await r.readline()
        if not line:
            break
        w.write(line.upper())
        await w.drain()
    w.close()
    done.append(w.get_extra_info('peername'))
srv6 = asyncio.run(wg.start_server(echo_tcp, 8006))
""")
    bl2.vm.submit("serve_until(lambda: done, 30)")
    code = ("import socket\ns=socket.create_connection((%r,8006),20)\ns.settimeout(20)\nf=s.makefile('rwb')\n"
            "for i in range(20):\n f.write(b'line %%d over six\\n' %% i); f.flush()\n print(f.readline().decode().strip())\n"
            "s.shutdown(socket.SHUT_WR)\nprint(repr(f.read()))\n" % BOARD_INNER6)
    r = bl2.peer_node.run(["python3", "-c", code], timeout=60, check=False)
    bl2.vm.result(timeout=60)
    assert r.stdout.splitlines() == ["LINE %d OVER SIX" % i for i in range(20)] + ["b''"], r.stderr
    peer = json.loads(bl2.vm.run("print(json.dumps(done[0]))").strip())
    assert peer[0] == PEER_INNER6


def test_each_peer_reconnects_on_its_own(bl2):
    """peer2's wireguard-go restarts (sessions gone); the board finds it again by
    itself while peer one's session carries on untouched."""
    before = stats(bl2)["peers"]
    bl2.restart_peer2()
    out = bl2.vm.run(
        "async def probe():\n"
        " for i in range(45):\n"
        "  wg.send(b'probe', dst=('10.1.0.1', 9))\n"
        "  await asyncio.sleep(1)\n"
        "  if wg.stats()['peers'][1]['handshakes'] > %d:\n"
        "   return i\n"
        "print(asyncio.run(probe()))" % before[1]["handshakes"], timeout=120)
    assert out.strip() != "None", (out, stats(bl2))
    after = stats(bl2)["peers"]
    assert after[0]["connected"] and after[0]["endpoint"] == before[0]["endpoint"]
    bl2.vm.submit("serve(6)")
    reply = echo(bl2.peer2_node, PEER2_INNER, BOARD_INNER, "back again")
    bl2.vm.result()
    assert reply == "back again"
