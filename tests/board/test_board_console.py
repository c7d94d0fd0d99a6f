"""The command console through the tunnel on the emulated Cortex-M4 board:
`mgtool remote` on the hub (the board's first peer, wireguard-go) runs code on
the board and gets its output; a second WireGuard peer is refused; a plaintext
packet for the console sent to the board's outer address never reaches it;
bad requests get an error line, not a crash.
"""
import json
import os
import socket
import struct

import pytest

import boardlab
from boardlab import BOARD_INNER, BRIDGE_OUTER, PEER_INNER, PEER2_INNER, PORT

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MGTOOL = os.path.join(ROOT, ".venv", "bin", "mgtool")


@pytest.fixture(scope="module")
def cl():
    if os.geteuid() != 0:
        pytest.skip("board tests need root (network namespaces)")
    boardlab.lablib.sweep_stale()
    b = boardlab.BoardLab(second_peer=True)
    try:
        b.vm.run(boardlab.TUNNEL_SETUP)
        assert b.vm.run("print(asyncio.run(wg.start(timeout=30)))", timeout=60).strip() == "True"
        b.vm.run("from mgboard import console\ncon = asyncio.run(console.start(wg))")
        yield b
    finally:
        b.close()


def counters(cl):
    return json.loads(cl.vm.run("st = wg.tcp().stack\nprint(json.dumps({'sessions': con.sessions, "
                                "'refused': con.refused, 'conns': len(st.conns), 'drops': wg.dev.drops}))"))


def on_board(cl, node, argv, until):
    """Run argv on a node while the board serves until `until` (board-side
    expression) holds."""
    cl.vm.submit("serve_until(lambda: %s, 30)" % until)
    try:
        return node.run(argv, timeout=60, check=False)
    finally:
        cl.vm.result(timeout=60)


def test_hub_runs_a_command_and_gets_its_output(cl):
    r = on_board(cl, cl.peer_node, [MGTOOL, "remote", "--host", BOARD_INNER, "--exec",
                                    "x = 6 * 7\nprint('answer', x)\nprint(wg.stats()['connected'])"],
                 "con.ended >= 1")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "answer 42\nTrue\n"


def test_hub_reads_the_stats(cl):
    r = on_board(cl, cl.peer_node, [MGTOOL, "remote", "--host", BOARD_INNER, "--stats"], "con.ended >= 2")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["connected"] is True and len(s["peers"]) == 2


def test_an_error_on_the_board_is_one_line_and_exit_1(cl):
    r = on_board(cl, cl.peer_node, [MGTOOL, "remote", "--host", BOARD_INNER, "--exec", "print('before')\n1/0"],
                 "con.ended >= 3")
    assert r.returncode == 1
    assert r.stdout == "before\n"
    assert r.stderr.strip().startswith("mgtool: error:") and "ZeroDivisionError" in r.stderr


def test_another_wireguard_peer_is_refused(cl):
    r = on_board(cl, cl.peer2_node, [MGTOOL, "remote", "--host", BOARD_INNER, "--exec", "print('in')"],
                 "con.refused >= 1")
    assert r.returncode == 1
    assert "may not use the console" in r.stderr
    assert counters(cl)["refused"] == 1


def test_bad_requests_get_an_error_line(cl):
    code = ("import socket,json\ns=socket.create_connection((%r,23),20)\nf=s.makefile('rwb')\n"
            "f.write(b'not json\\n');f.flush();print(f.readline().decode().strip())\n"
            "f.write(b'[1,2]\\n');f.flush();print(f.readline().decode().strip())\n"
            "f.write(b'x'*9000+b'\\n');f.flush();print(f.readline().decode().strip())\n"
            "print(repr(f.readline()))\n" % BOARD_INNER)
    r = on_board(cl, cl.peer_node, ["python3", "-c", code], "con.ended >= 4")
    lines = [json.loads(x) if x.startswith("{") else x for x in r.stdout.splitlines()]
    assert lines[0] == {"ok": False, "error": "not a JSON object"}
    assert lines[1] == {"ok": False, "error": "not a JSON object"}
    assert lines[2]["ok"] is False and "longer than" in lines[2]["error"]
    assert lines[3] == "b''"                            # and then the board hung up


def test_nothing_outside_the_tunnel_reaches_the_console(cl):
    """A plaintext TCP SYN for the console, sent to the board's outer UDP
    address from its outer network: the engine drops it as no WireGuard
    message, and the TCP layer never sees it."""
    before = counters(cl)
    syn = struct.pack("!HHIIBBHHH", 40000, 23, 1, 0, 0x50, 2, 8192, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(syn), 0, 0, 64, 6, 0,
                     socket.inet_aton(PEER_INNER), socket.inet_aton(BOARD_INNER)) + syn
    code = ("import socket\ns=socket.socket(2,2)\nfor i in range(5):\n s.sendto(%r,(%r,%d))\n"
            % (ip, BRIDGE_OUTER, PORT))
    cl.vm.submit("serve(3)")
    cl.peer_node.run(["python3", "-c", code])
    cl.vm.result(timeout=30)
    after = counters(cl)
    assert after["sessions"] == before["sessions"] and after["conns"] == before["conns"]
    dropped = sum(after["drops"].values()) - sum(before["drops"].values())
    assert dropped >= 5, (before, after)
