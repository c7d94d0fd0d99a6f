"""linuxio's vnet tun offloads (tun_open_vnet, tun_read_batch, tun_write_batch) on a userspace wire.

A MicroPython relay opens two tuns in its own namespace, moves one into node A and one into
node B (the fds follow), and carries batches between them: TSO super-packets the kernel sends
are cut into segments by tun_read_batch, and tun_write_batch merges them back into GSO
super-packets. TCP both ways (SHA-256 compared), ping and UDP must cross with offload, without
merging, and over plain tuns. A short transfer's segments are dumped and their checksums checked
here, also from the big-endian mips build under qemu-user. About 15 s.
"""
import functools
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MICROPYTHON = os.path.join(ROOT, "build", "unix-x64", "micropython")
MICROPYTHON_MIPS = os.path.join(ROOT, "build", "unix-mips", "micropython")

pytestmark = pytest.mark.skipif(not os.path.exists(MICROPYTHON), reason="build/unix-x64/micropython not built")

A_ADDR, B_ADDR = "10.77.0.1", "10.77.0.2"
A_ADDR6, B_ADDR6 = "fd77::1", "fd77::2"
BIG = 64 * 1024 * 1024

# argv: vnet coalesce name_a name_b slots [dump_path]. Prints "names offloads" once the tuns
# exist, then relays until a line arrives on stdin, then prints its counters as JSON.
RELAY = r"""
import sys, select, array, linuxio, time, json
vnet = sys.argv[1] == "1"
coalesce = sys.argv[2] == "1"
SLOTS = int(sys.argv[5])
dump = open(sys.argv[6], "wb") if len(sys.argv) > 6 else None
if vnet:
    fa, na, oa = linuxio.tun_open_vnet(sys.argv[3])
    fb, nb, ob = linuxio.tun_open_vnet(sys.argv[4])
else:
    fa, na = linuxio.tun_open(sys.argv[3])
    fb, nb = linuxio.tun_open(sys.argv[4])
    oa = ob = 0
print(na, nb, oa, ob)
STRIDE, HEAD = 2048, 64
buf = bytearray(SLOTS * STRIDE)
offs = array.array("I", [0] * SLOTS)
lens = array.array("I", [0] * SLOTS)
woffs = array.array("I", [k * STRIDE + HEAD for k in range(SLOTS)])
other = {fa: fb, fb: fa}
packets = {fa: 0, fb: 0}
failed = {fa: 0, fb: 0}
batches = 0
p = select.poll()
p.register(fa, select.POLLIN)
p.register(fb, select.POLLIN)
p.register(0, select.POLLIN)
read, write = linuxio.tun_read_batch, linuxio.tun_write_batch
running = True
while running:
    for fd, ev in p.poll(1000):
        if fd == 0:
            running = False
            break
        dst = other[fd]
        while True:
            n = read(fd, buf, offs, lens, STRIDE, HEAD, vnet)
            if n < 0:
                break
            batches += 1
            if dump:
                for k in range(n):
                    o = offs[k] + HEAD
                    dump.write(lens[k].to_bytes(2, "big"))
                    dump.write(buf[o:o + lens[k]])
            w, f, e = write(dst, buf, woffs, lens, 0, n, vnet, coalesce)
            packets[dst] += w
            failed[dst] += f
            # A full batch may leave segments pending: finish them before the other fd.
            if n < SLOTS:
                break
if dump:
    dump.close()
print(json.dumps({"to_a": packets[fa], "to_b": packets[fb], "failed": failed[fa] + failed[fb],
                  "batches": batches, "stats": list(linuxio.tun_offload_stats())}))
"""

# argv: role(server|client) addr port nbytes send_seed. Sends nbytes of seeded random data while
# receiving until EOF; prints "received sha256 seconds".
PEER = r"""
import hashlib, random, socket, sys, threading, time
role, addr, port, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
data = random.Random(seed).randbytes(n)
if role == "server":
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    print("ready", flush=True)
    c, _ = s.accept()
else:
    c = socket.create_connection((addr, port), timeout=20)
c.settimeout(30)
start = time.monotonic()
def send():
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send)
t.start()
h, got = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 20)
    if not b:
        break
    h.update(b)
    got += len(b)
t.join()
print(got, h.hexdigest(), time.monotonic() - start, flush=True)
"""

UDP_ECHO = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7777))
print("ready", flush=True)
while True:
    d, a = s.recvfrom(65535)
    s.sendto(d, a)
"""

UDP_CLIENT = r"""
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
ok = 0
for size in (1, 100, 1400, 1472, 4000, 8000):
    d = os.urandom(size)
    s.sendto(d, (sys.argv[1], 7777))
    ok += s.recvfrom(65535)[0] == d
print(ok)
"""


@functools.lru_cache()
def expected_sha(seed, n):
    return hashlib.sha256(random.Random(seed).randbytes(n)).hexdigest()


class Wire:
    """Nodes A and B joined by a relay process in a third node."""

    def __init__(self, lab, vnet, coalesce, slots=64, dump=None, interpreter=(MICROPYTHON,)):
        self.lab = lab
        self.relay_node = lab.node("relay")
        self.a = lab.node("a")
        self.b = lab.node("b")
        script = lab.path("relay.py")
        with open(script, "w") as f:
            f.write(RELAY)
        suffix = "%d%d" % (os.getpid() % 100000, random.randrange(100))
        argv = list(interpreter) + [script, "1" if vnet else "0", "1" if coalesce else "0",
                "to" + suffix + "a", "to" + suffix + "b", str(slots)] + ([dump] if dump else [])
        self.proc = self.relay_node.popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 4:
            raise AssertionError("relay did not start: %s" % self.proc.stderr.read())
        na, nb, self.offloads_a, self.offloads_b = line[0], line[1], int(line[2]), int(line[3])
        self.ifname = {self.a: na, self.b: nb}
        for node, addr, addr6 in ((self.a, A_ADDR, A_ADDR6), (self.b, B_ADDR, B_ADDR6)):
            name = self.ifname[node]
            self.relay_node.ip("link", "set", name, "netns", node.name)
            node.add_address(name, addr + "/24")
            node.add_address(name, addr6 + "/64")
            # ECN marks segments (CWR on the first of a burst, ECT in the IP header).
            node.run(["sysctl", "-q", "-w", "net.ipv4.tcp_ecn=1"])
            node.ip("link", "set", name, "up")

    def stop(self):
        """Stop the relay; its counters."""
        out, err = self.proc.communicate("stop\n", timeout=20)
        assert self.proc.returncode == 0, err
        return json.loads(out.strip().splitlines()[-1])

    def writes(self, node):
        """Frames the relay wrote into node's tun (one per write: the tun's rx counter)."""
        info = json.loads(node.ip("-j", "-s", "link", "show", "dev", self.ifname[node]).stdout)
        return info[0]["stats64"]["rx"]["packets"]

    def transfer(self, nbytes, server_addr=B_ADDR):
        """TCP both ways at once; returns seconds taken by the slower side."""
        script = self.lab.path("peer.py")
        with open(script, "w") as f:
            f.write(PEER)
        server = self.b.popen([sys.executable, script, "server", server_addr, "5201", str(nbytes), "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert server.stdout.readline().strip() == "ready", server.stderr.read()
        client = self.a.run([sys.executable, script, "client", server_addr, "5201", str(nbytes), "1"],
                            timeout=60)
        got_b, sha_b, secs_b = server.stdout.readline().split()
        server.wait(timeout=10)
        got_a, sha_a, secs_a = client.stdout.split()
        assert int(got_a) == nbytes and sha_a == expected_sha(2, nbytes), client.stderr
        assert int(got_b) == nbytes and sha_b == expected_sha(1, nbytes), server.stderr.read()
        return max(float(secs_a), float(secs_b))

    def ping_and_udp(self):
        assert self.a.ping(B_ADDR, count=3, interval=0.1).returncode == 0
        assert self.b.ping(A_ADDR, count=2, interval=0.1, size=3000).returncode == 0
        assert self.a.ping(B_ADDR6, count=2, interval=0.1).returncode == 0
        echo = self.b.popen([sys.executable, "-c", UDP_ECHO, B_ADDR], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
        assert echo.stdout.readline().strip() == "ready", echo.stderr.read()
        r = self.a.run([sys.executable, "-c", UDP_CLIENT, B_ADDR], timeout=30)
        assert r.stdout.strip() == "6", r.stderr


def report(capsys, text):
    with capsys.disabled():
        print("\n" + text)


def test_offload_wire_carries_tcp_ping_and_udp_and_merges_writes(lab, capsys):
    wire = Wire(lab, vnet=True, coalesce=True)
    # The kernel must have accepted checksum and TSO offload, or nothing here is exercised.
    assert wire.offloads_a == wire.offloads_b == 7
    wire.ping_and_udp()
    secs = wire.transfer(BIG)
    wire.transfer(BIG // 4, server_addr=B_ADDR6)
    writes = wire.writes(wire.a) + wire.writes(wire.b)
    c = wire.stop()
    super_packets, segments, dropped = c["stats"]
    packets = c["to_a"] + c["to_b"]
    report(capsys, "offload relay: %.0f Mbit/s each way, %d packets in %d writes, %d super-packets "
           "read as %d segments" % (BIG * 8 / secs / 1e6, packets, writes, super_packets, segments))
    assert super_packets > 100 and segments > 4 * super_packets
    # A write fails only while the other tun is still down (set-up chatter such as IPv6 MLD).
    assert dropped == 0 and c["failed"] <= 4
    # Merged writes: far fewer frames entered the tuns than packets crossed.
    assert writes * 3 < packets


def test_wire_without_merging_and_with_small_batches(lab, capsys):
    # Seven slots: most super-packets span several calls (their segments wait in between).
    wire = Wire(lab, vnet=True, coalesce=False, slots=7)
    wire.ping_and_udp()
    secs = wire.transfer(BIG)
    writes = wire.writes(wire.a) + wire.writes(wire.b)
    c = wire.stop()
    super_packets, segments, dropped = c["stats"]
    report(capsys, "offload relay, no merging, 7 slots: %.0f Mbit/s each way" % (BIG * 8 / secs / 1e6))
    assert super_packets > 100 and dropped == 0
    assert writes == c["to_a"] + c["to_b"]


def test_wire_over_plain_tuns(lab, capsys):
    wire = Wire(lab, vnet=False, coalesce=True)
    assert wire.offloads_a == 0
    wire.ping_and_udp()
    secs = wire.transfer(BIG)
    c = wire.stop()
    report(capsys, "plain tun relay: %.0f Mbit/s each way" % (BIG * 8 / secs / 1e6))
    assert c["stats"][0] == 0 and c["failed"] <= 4


def internet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def check_dump(dump):
    """Every IP header checksum and TCP checksum in the relay's dump is right."""
    with open(dump, "rb") as f:
        data = f.read()
    pos, tcp_segments, full = 0, {4: 0, 6: 0}, 0
    while pos < len(data):
        n = struct.unpack_from("!H", data, pos)[0]
        pkt = data[pos + 2:pos + 2 + n]
        pos += 2 + n
        version = pkt[0] >> 4
        if version == 4:
            ihl = (pkt[0] & 15) * 4
            assert struct.unpack_from("!H", pkt, 2)[0] == n
            assert internet_checksum(pkt[:ihl]) == 0xFFFF, pkt[:ihl].hex()
            proto, pseudo = pkt[9], pkt[12:20] + struct.pack("!BBH", 0, 6, n - ihl)
        else:
            ihl = 40
            assert struct.unpack_from("!H", pkt, 4)[0] == n - 40
            proto, pseudo = pkt[6], pkt[8:40] + struct.pack("!IxxxB", n - 40, 6)
        if proto != 6:
            continue
        assert internet_checksum(pseudo + pkt[ihl:]) == 0xFFFF, pkt[:80].hex()
        tcp_segments[version] += 1
        full += n >= 1400
    assert tcp_segments[4] > 500 and tcp_segments[6] > 500 and full > 800


def test_every_segment_has_good_checksums(lab):
    dump = lab.path("segments.bin")
    wire = Wire(lab, vnet=True, coalesce=True, dump=dump)
    wire.transfer(1024 * 1024)
    wire.transfer(1024 * 1024, server_addr=B_ADDR6)
    c = wire.stop()
    assert c["stats"][0] > 5
    check_dump(dump)


@pytest.mark.skipif(not (os.path.exists(MICROPYTHON_MIPS) and shutil.which("qemu-mips-static")),
                    reason="needs build/unix-mips/micropython and qemu-mips-static")
def test_big_endian_relay(lab, capsys):
    # qemu-user passes the tun ioctls through: the mips build reads and writes the
    # little-endian header and computes checksums on a big-endian CPU.
    dump = lab.path("segments.bin")
    wire = Wire(lab, vnet=True, coalesce=True, dump=dump,
                interpreter=("qemu-mips-static", MICROPYTHON_MIPS))
    assert wire.offloads_a == 7
    secs = wire.transfer(4 * 1024 * 1024)
    wire.transfer(1024 * 1024, server_addr=B_ADDR6)
    writes = wire.writes(wire.a) + wire.writes(wire.b)
    c = wire.stop()
    report(capsys, "offload relay, mips under qemu: %.0f Mbit/s each way" % (4 * 8 * 1.048576 / secs))
    assert c["stats"][0] > 20 and c["stats"][2] == 0
    assert writes * 3 < c["to_a"] + c["to_b"]
    check_dump(dump)


UNIT = r"""
import array, linuxio, os
fd, name, off = linuxio.tun_open_vnet("tu%s")
buf = bytearray(4096)
I = array.array("I", [0] * 4)
def raises(exc, f, *a):
    try:
        f(*a)
    except exc:
        return
    raise AssertionError("no %%s from %%r" %% (exc, a))
rb, wb = linuxio.tun_read_batch, linuxio.tun_write_batch
raises(TypeError, rb, fd, buf, array.array("i", [0] * 4), I, 2048, 64, True)
raises(TypeError, rb, fd, buf, I, array.array("B", [0] * 16), 2048, 64, True)
raises(TypeError, rb, fd, buf, I, bytearray(16), 2048, 64, True)
raises(ValueError, rb, fd, buf, I, I, 96, 64, True)
raises(ValueError, rb, fd, buf, I, I, 2048, -1, True)
raises(ValueError, rb, fd, bytearray(100), I, I, 2048, 64, True)
raises(ValueError, rb, fd, buf, array.array("I"), I, 2048, 64, True)
raises(TypeError, rb, fd, b"x" * 4096, I, I, 2048, 64, True)
assert rb(fd, buf, I, I, 2048, 64, True) == -1
assert rb(fd, buf, I, I, 2048, 64, False) == -1
offs = array.array("I", [0, 4000])
lens = array.array("I", [10, 200])
raises(ValueError, wb, fd, buf, offs, lens, 0, 2, True, True)
raises(ValueError, wb, fd, buf, offs, lens, 1, 2, True, True)
raises(ValueError, wb, fd, buf, offs, lens, -1, 1, True, True)
raises(ValueError, wb, fd, buf, offs, lens, 0, -1, True, True)
raises(TypeError, wb, fd, buf, array.array("i", [0, 0]), lens, 0, 1, True, True)
# The link is down: the write fails, is counted, and the batch goes on.
w, f, e = wb(fd, buf, offs, lens, 0, 1, True, True)
assert (w, f) == (0, 1) and e != 0, (w, f, e)
assert wb(fd, buf, offs, lens, 0, 0, True, True) == (0, 0, 0)
raises(ValueError, linuxio.tun_open_vnet, "x" * 16)
# A deleted interface is an error, not "nothing ready".
assert os.system("ip link del " + name) == 0
raises(OSError, rb, fd, buf, I, I, 2048, 64, True)
linuxio.close(fd)
raises(OSError, rb, fd, buf, I, I, 2048, 64, True)
print(len(linuxio.tun_offload_stats()))
"""


def test_bad_arguments_raise(lab):
    node = lab.node("unit")
    script = lab.path("unit.py")
    with open(script, "w") as f:
        f.write(UNIT % (os.getpid() % 100000))
    r = node.run([MICROPYTHON, script], check=False, timeout=30)
    assert r.returncode == 0 and r.stdout.strip() == "3", r.stdout + r.stderr
