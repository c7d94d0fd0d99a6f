"""Router mode on the emulated Cortex-M4F board (qemu-mps2-an386): site to
site through a microcontroller.

    LAN host 192.168.50.2 (lan0, a TUN in its own namespace)
       | lanbridge.py, plain SLIP = the board's UART2
    board: router, LAN address 192.168.50.1, tunnel address 10.0.0.2
       | slipbridge.py, the board's UART1: WireGuard's UDP
    wireguard-go router (wg0 10.0.0.1/24, forwarding, 192.168.50.0/24 over wg0)
       | veth 172.16.9.0/24
    far host 172.16.9.2

One lab for the module; the tests run in order (handshake first). The board
runs only while a test drives it: serve_until() returns once the router has
counted what the test waits for (at worst after its time limit).
"""
import contextlib
import json
import socket
import struct
import time

import pytest

import boardlab
from boardlab import BOARD_INNER, LAN, LAN_HOST

LAN_ADDRESS = LAN["address"]
FAR_ROUTER = "172.16.9.1"
FAR_HOST = "172.16.9.2"
SPOOFED = "192.168.60.2"
UNCOVERED = "203.0.113.5"
END_MARK = "203.0.113.9"        # no peer covers it either: board_running's end mark
# wireguard-go sends this prefix to the board too, which must not forward it.
NOT_LAN = "198.51.100.0/24"
TCP_PORT = 5001
TCP_BYTES = 200 * 1024          # LAN -> far site
TCP_BACK = 64 * 1024            # and back

ROUTER_SETUP = boardlab.PRELUDE + """
from mgboard import routed
lan = boardnet.lan()
router = routed.start(wg, lan, **config.lan())
async def _until(seconds, key, n):
    base = router.counters.get(key, 0)
    for _ in range(seconds * 20):
        if router.counters.get(key, 0) >= base + n:
            return True
        await asyncio.sleep_ms(50)
    return False
def serve_until(seconds, key, n):
    print(asyncio.run(_until(seconds, key, n)))
def rstats():
    gc.collect()
    print(json.dumps({'router': router.counters, 'lan_bad_frames': lan.rx_bad, 'mem_alloc': gc.mem_alloc()}))
"""


@pytest.fixture(scope="module")
def rl():
    """The lab: a BoardLab in router mode plus the far site behind wireguard-go."""
    import os
    if os.geteuid() != 0:
        pytest.skip("board tests need root (network namespaces)")
    boardlab.lablib.sweep_stale()
    b = boardlab.BoardLab(lan=LAN, allowed_ips=("10.0.0.0/24", "172.16.9.0/24"), board_routes=(NOT_LAN,))
    try:
        b.far_node = b.lab.node("far")
        b.lab.link(b.peer_node, b.far_node, [FAR_ROUTER + "/24"], [FAR_HOST + "/24"])
        b.peer_node.forwarding()
        b.far_node.route("default", "via", FAR_ROUTER)
        b.vm.run(ROUTER_SETUP)
        yield b
    finally:
        b.close()


def rstats(rl):
    return json.loads(rl.vm.run("rstats()").strip().splitlines()[-1])


def counters(rl):
    return rstats(rl)["router"]


@contextlib.contextmanager
def board_running(rl, key=None, n=1, limit=40):
    """The board routes while the body runs, until the router has counted n
    more `key`. Without a key the body's end is marked by one ping of the LAN
    host to END_MARK, which no peer covers: the router counts it as no_route,
    which no body's own traffic is."""
    rl.vm.submit("serve_until(%d, %r, %d)" % (limit, key or "no_route", n))
    yield
    if key is None:
        r = rl.lan_node.run(["ping", "-n", "-c", "1", "-W", "5", END_MARK], check=False)
        assert "Unreachable" in r.stdout, r.stdout
    out = rl.vm.result(timeout=limit + 30)
    assert out.strip().splitlines()[-1] == "True", out


def far_echo_requests(rl):
    """ICMP echo requests the far host has received (its namespace's counter)."""
    snmp = rl.far_node.run(["cat", "/proc/net/snmp"]).stdout.splitlines()
    head, values = [line.split() for line in snmp if line.startswith("Icmp:")][:2]
    return int(values[head.index("InEchos")])


def test_handshake(rl):
    out = rl.vm.run("print(asyncio.run(wg.start()))")
    assert out.strip() == "True", out


def test_lan_pings_board(rl):
    with board_running(rl):
        r1 = rl.lan_node.ping(LAN_ADDRESS, count=2, interval=0.2)
        r2 = rl.lan_node.ping(BOARD_INNER, count=2, interval=0.2)
    assert r1.returncode == 0, r1.stdout
    assert r2.returncode == 0, r2.stdout


def test_lan_host_pings_far_host(rl):
    before = far_echo_requests(rl)
    with board_running(rl):
        r = rl.lan_node.ping(FAR_HOST, count=3, interval=0.2, wait=5)
    assert r.returncode == 0, r.stdout
    assert far_echo_requests(rl) - before >= 3          # more when ping had to retry
    c = counters(rl)
    assert c["to_tunnel"] >= 3 and c["to_lan"] >= 3, c


def test_far_host_pings_lan(rl):
    with board_running(rl):
        r1 = rl.far_node.ping(LAN_HOST, count=2, interval=0.2, wait=5)
        r2 = rl.far_node.ping(LAN_ADDRESS, count=2, interval=0.2, wait=5)      # answered from the tunnel side
    assert r1.returncode == 0, r1.stdout
    assert r2.returncode == 0, r2.stdout


def test_far_ttl_exceeded_at_board(rl):
    # TTL 2: the wireguard-go router takes one, the board would take the last.
    with board_running(rl, key="ttl_exceeded", n=2, limit=15):
        r = rl.far_node.run(["ping", "-n", "-c", "2", "-i", "0.2", "-W", "3", "-t", "2", LAN_HOST], check=False)
    assert "From %s" % BOARD_INNER in r.stdout and "Time to live exceeded" in r.stdout, r.stdout


def test_tunnel_packet_outside_lan_dropped(rl):
    before = counters(rl).get("tunnel_not_lan", 0)
    with board_running(rl, key="tunnel_not_lan", n=2, limit=15):
        r = rl.far_node.run(["ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", NOT_LAN.replace("0/24", "7")],
                            check=False)
    assert r.returncode != 0
    assert counters(rl)["tunnel_not_lan"] - before == 2


SERVER = """
import hashlib, random, socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", %d))
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
h = hashlib.sha256()
n = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    h.update(d)
    n += len(d)
back = random.Random(8).randbytes(%d)
c.sendall(("%%d %%s %%s\\n" %% (n, h.hexdigest(), hashlib.sha256(back).hexdigest())).encode() + back)
c.close()
""" % (TCP_PORT, TCP_BACK)

CLIENT = """
import hashlib, random, socket, time
data = random.Random(7).randbytes(%d)
t = time.time()
s = socket.create_connection((%r, %d), timeout=60)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
reply = bytearray()
while True:
    d = s.recv(65536)
    if not d:
        break
    reply += d
head, _, back = bytes(reply).partition(b"\\n")
print(head.decode(), len(data), hashlib.sha256(data).hexdigest(), len(back), hashlib.sha256(back).hexdigest(),
      "%%.2f" %% (time.time() - t))
""" % (TCP_BYTES, FAR_HOST, TCP_PORT)


def test_tcp_site_to_site(rl):
    import subprocess
    server = rl.far_node.popen(["python3", "-c", SERVER], stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"
    with board_running(rl, limit=60):
        out = rl.lan_node.run(["python3", "-c", CLIENT], timeout=90).stdout.split()
    got_n, got_sha, back_sha, sent_n, sent_sha, back_n, back_got_sha, seconds = out
    assert (int(got_n), got_sha) == (int(sent_n), sent_sha) == (TCP_BYTES, sent_sha)
    assert (int(back_n), back_got_sha) == (TCP_BACK, back_sha)
    print("tcp: %d bytes LAN -> far site and %d back in %s s" % (TCP_BYTES, TCP_BACK, seconds))


def test_spoofed_lan_source_dropped(rl):
    rl.lan_node.add_address("lan0", SPOOFED + "/32")
    far_before = far_echo_requests(rl)
    before = counters(rl).get("lan_spoofed", 0)
    with board_running(rl, key="lan_spoofed", n=3, limit=15):
        # Exactly three (no -w: with a deadline ping keeps sending until it has replies).
        r = rl.lan_node.run(["ping", "-n", "-c", "3", "-i", "0.2", "-W", "1", "-I", SPOOFED, FAR_HOST],
                            check=False)
    assert r.returncode != 0
    assert counters(rl)["lan_spoofed"] - before == 3
    assert far_echo_requests(rl) == far_before


def test_ttl_exceeded(rl):
    with board_running(rl, key="ttl_exceeded", n=2, limit=15):
        r = rl.lan_node.run(["ping", "-n", "-c", "2", "-i", "0.2", "-W", "3", "-t", "1", FAR_HOST], check=False)
    assert "From %s" % LAN_ADDRESS in r.stdout and "Time to live exceeded" in r.stdout, r.stdout


def test_no_route_unreachable(rl):
    with board_running(rl, key="no_route", n=2, limit=15):
        r = rl.lan_node.run(["ping", "-n", "-c", "2", "-i", "0.2", "-W", "3", UNCOVERED], check=False)
    assert "From %s" % LAN_ADDRESS in r.stdout and "Destination Net Unreachable" in r.stdout, r.stdout


def icmp_echo(src, dst, ttl=64):
    """An IPv4 ICMP echo request, checksums right."""
    def csum(b):
        s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        return ~s & 0xffff
    icmp = bytearray(b"\x08\0\0\0\x12\x34\0\x01" + b"microguard-router")
    icmp += b"\0" * (len(icmp) & 1)
    struct.pack_into(">H", icmp, 2, csum(icmp))
    hdr = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0x4000, ttl, 1, 0,
                                socket.inet_aton(src), socket.inet_aton(dst)))
    struct.pack_into(">H", hdr, 10, csum(hdr))
    return bytes(hdr + icmp)


def slip_frame(b):
    return b"\xc0" + b.replace(b"\xdb", b"\xdb\xdd").replace(b"\xc0", b"\xdb\xdc") + b"\xc0"


def test_bad_lan_input_counted_and_dropped(rl):
    good = icmp_echo(LAN_HOST, FAR_HOST)
    bad_sum = bytearray(icmp_echo(LAN_HOST, FAR_HOST))
    bad_sum[10] ^= 0xff
    noise = [
        b"\x55" * 5000,                                   # no END for longer than any frame
        slip_frame(b"\x45" * 3000),                       # oversized
        slip_frame(good[:30]),                            # truncated: shorter than its total length
        slip_frame(b"abc"),                               # a runt
        slip_frame(b"\xdb" + bytes(40)),                  # a bad escape
        slip_frame(bytes(bad_sum)),                       # a bad header checksum
        b"line noise" + slip_frame(good) + b"more noise",  # a good packet between garbage
        bytes(range(256)) * 40,                           # random-ish bytes with stray ENDs
        # The end mark, on the same line after the noise (a ping from the LAN
        # host could overtake it in the bridge): the board answers it once
        # it has read everything before it.
        slip_frame(icmp_echo(LAN_HOST, LAN_ADDRESS)),
    ]
    before = rstats(rl)
    far_before = far_echo_requests(rl)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.connect(rl.lan_inject)
        with board_running(rl, key="echo"):
            for chunk in noise:
                s.send(chunk)
    after = rstats(rl)
    bad = lambda st: st["lan_bad_frames"] + st["router"].get("lan_bad", 0)  # noqa: E731
    assert bad(after) - bad(before) >= 6, (before, after)
    # The good packet amid the garbage went through (the far host may count it a moment later).
    assert after["router"]["to_tunnel"] > before["router"]["to_tunnel"], (before, after)
    deadline = time.monotonic() + 3
    while far_echo_requests(rl) == far_before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert far_echo_requests(rl) == far_before + 1
    assert after["mem_alloc"] - before["mem_alloc"] < 4096, (before, after)
    # And the router still routes.
    with board_running(rl):
        r = rl.lan_node.ping(FAR_HOST, count=2, interval=0.2, wait=5)
    assert r.returncode == 0, r.stdout


def test_board_boots_into_router_mode(rl):
    """Last (the REPL is gone afterwards): main.py as `mgtool provision` puts it,
    the config's "lan" on flash, a power cycle: the board routes by itself."""
    import os
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "board", "shared", "main.py"), "rb") as f:
        rl.vm.put("/flash/main.py", f.read())
    rl.vm.reboot(repl=False)
    rl.vm.read_until(b"wg: routing 192.168.50.0/24", 30)
    assert rl.lan_node.wait_ping(FAR_HOST, timeout=30)
    r = rl.lan_node.ping(FAR_HOST, count=3, interval=0.2, wait=5)
    assert r.returncode == 0, r.stdout
