"""The TCP engine (mgboard.tcp) against the Linux TCP stack through a TUN device.

    namespace node:  tun 10.9.0.1/24, Linux sockets (peer.py processes)
        | TUN fd, opened here in the test process, then moved into the namespace
    this process:    mgboard.tcp.Stack as 10.9.0.2, fed raw IPv4 read from the fd

Packets both ways go through a seeded impairment (loss, reordering, duplication).
The IPv4 wrapping here is a stand-in for the board's IP layer.
"""
import fcntl
import hashlib
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
sys.path.insert(0, os.path.join(ROOT, "firmware"))
import lab as lablib  # noqa: E402
from mgboard import ipv4, tcp, tcpseg  # noqa: E402

LINUX, ENGINE = "10.9.0.1", "10.9.0.2"
LINUX_B, ENGINE_B = bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])
LINUX6, ENGINE6 = "fd00:9::1", "fd00:9::2"
LINUX6_B, ENGINE6_B = socket.inet_pton(socket.AF_INET6, LINUX6), socket.inet_pton(socket.AF_INET6, ENGINE6)
TUNSETIFF = 0x400454ca
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
MTU = 1500

# The Linux side: one TCP socket that sends `send_n` seeded bytes then shuts down its
# write side, while it reads to EOF (after `read_delay` seconds) and reports what it got.
PEER = r"""
import hashlib, random, socket, sys, threading, time
role, host, port, send_n, seed, read_delay, rcvbuf, hold = sys.argv[1:9]
port, send_n, read_delay, rcvbuf = int(port), int(send_n), float(read_delay), int(rcvbuf)
def mk():
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    return s
if role == "listen":
    ls = mk()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(8)
    print("ready", flush=True)
    s, _ = ls.accept()
else:
    s = mk()
    s.settimeout(20)
    s.connect((host, port))
    s.settimeout(None)
    print("ready", flush=True)
data = random.Random(int(seed)).randbytes(send_n)
def sender():
    time.sleep(float(hold))
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=sender, daemon=True)
t.start()
time.sleep(read_delay)
h = hashlib.sha256()
n = 0
while True:
    b = s.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
t.join()
s.close()
print("done", h.hexdigest(), n, flush=True)
"""


def seeded(n, seed):
    return random.Random(seed).randbytes(n)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def ip_packet(src, dst, payload):
    """payload (a TCP segment) in an IPv4 or, for 16-byte addresses, IPv6 header."""
    if len(src) == 16:
        return struct.pack(">IHBB16s16s", 0x60000000, len(payload), tcpseg.PROTO_TCP, 64,
                           src, dst) + bytes(payload)
    return ipv4_packet(src, dst, payload)


def parse_tcp(pkt):
    """(src, dst, segment) of an IPv4 or IPv6 packet carrying TCP, else None."""
    if len(pkt) >= 40 and pkt[0] >> 4 == 6:
        n = struct.unpack_from(">H", pkt, 4)[0]
        if pkt[6] != tcpseg.PROTO_TCP or 40 + n > len(pkt):
            return None
        return bytes(pkt[8:24]), bytes(pkt[24:40]), bytes(pkt[40:40 + n])
    p = ipv4.parse(pkt)
    if p is None or p[0] != tcpseg.PROTO_TCP:
        return None
    return p[1], p[2], bytes(p[3])


def ipv4_packet(src, dst, payload, ident=0):
    h = bytearray(20)
    struct.pack_into(">BBHHHBBH4s4s", h, 0, 0x45, 0, 20 + len(payload), ident, 0x4000, 64,
                     tcpseg.PROTO_TCP, 0, src, dst)
    struct.pack_into(">H", h, 10, ~ipv4.checksum(h) & 0xffff)
    return bytes(h) + bytes(payload)


class Impair:
    """Seeded loss, reordering (a packet held back a few ms) and duplication."""

    def __init__(self, seed=1, loss=0.0, reorder=0.0, dup=0.0):
        self.rnd = random.Random(seed)
        self.loss, self.reorder, self.dup = loss, reorder, dup
        self.drop_all = False

    def schedule(self, now):
        """Delivery times for one packet: [] lost, two entries when duplicated."""
        r = self.rnd
        if self.drop_all or r.random() < self.loss:
            return []
        t = now + (0.004 + r.random() * 0.004 if r.random() < self.reorder else 0.0)
        out = [t]
        if r.random() < self.dup:
            out.append(t + 0.001)
        return out


class TunLab:
    """One namespace with a TUN whose other end is the engine in this process."""

    def __init__(self):
        self.lab = lablib.Lab()
        try:
            self.node = self.lab.node("linux")
            self.ifname = "mgt%d" % (os.getpid() % 100000)
            self.fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            self.lab.on_close(lambda: os.close(self.fd))
            fcntl.ioctl(self.fd, TUNSETIFF, struct.pack("16sH", self.ifname.encode(), IFF_TUN | IFF_NO_PI))
            lablib.run(["ip", "link", "set", self.ifname, "netns", self.node.name])
            self.node.ip("addr", "add", LINUX + "/24", "dev", self.ifname)
            self.node.add_address(self.ifname, LINUX6 + "/64")
            self.node.ip("link", "set", self.ifname, "mtu", str(MTU), "up")
        except BaseException:
            self.lab.close()
            raise
        self.new_stack()

    def close(self):
        self.lab.close()

    def new_stack(self, seed=1, loss=0.0, reorder=0.0, dup=0.0, **cfg):
        """A fresh engine (the old one's connections are forgotten) and impairment."""
        cfg.setdefault("mtu", MTU)
        cfg.setdefault("rto_min", 0.2)
        rng = random.Random(seed + 1000)
        self.stack = tcp.Stack(self._from_engine, lambda n: rng.randbytes(n), **cfg)
        self.to_engine = Impair(seed, loss, reorder, dup)
        self.to_linux = Impair(seed + 1, loss, reorder, dup)
        self.queue = []                 # (time, order, direction, bytes)
        self.order = 0
        self.sent = []                  # every segment the engine emitted (before impairment)
        self.received = 0               # TCP segments read from the tun
        self.now = time.monotonic()
        return self.stack

    # ---- packet paths

    def _from_engine(self, src, dst, seg):
        seg = bytes(seg)
        self.sent.append(seg)
        for t in self.to_linux.schedule(self.now):
            self._enqueue(t, "out", ip_packet(src, dst, seg))

    def _enqueue(self, t, direction, pkt):
        self.order += 1
        self.queue.append((t, self.order, direction, pkt))

    def _read_tun(self):
        while True:
            try:
                pkt = os.read(self.fd, 65536)
            except BlockingIOError:
                return
            p = parse_tcp(pkt)
            if p is None or p[1] not in (ENGINE_B, ENGINE6_B):
                continue
            self.received += 1
            for t in self.to_engine.schedule(self.now):
                self._enqueue(t, "in", pkt)

    def _deliver(self):
        self.queue.sort()
        while self.queue and self.queue[0][0] <= self.now:
            _, _, direction, pkt = self.queue.pop(0)
            if direction == "out":
                try:
                    os.write(self.fd, pkt)
                except OSError:
                    pass
            else:
                p = parse_tcp(pkt)
                self.stack.input(p[0], p[1], p[2], self.now)

    def inject(self, seg, src=LINUX_B, dst=ENGINE_B):
        """A crafted segment straight into the engine's input."""
        self.now = time.monotonic()
        self.stack.input(src, dst, seg, self.now)

    def pump(self, until=None, timeout=10.0, step=None):
        """Run the engine until until() is true (returns True) or timeout (returns False).
        step() runs every turn: the application's reads and writes."""
        end = time.monotonic() + timeout
        while True:
            self.now = time.monotonic()
            self._read_tun()
            self._deliver()
            if step is not None:
                step()
            self.stack.tick(self.now)
            self._deliver()
            if until is not None and until():
                return True
            if self.now >= end:
                return False
            wake = end
            d = self.stack.next_deadline()
            if d is not None:
                wake = min(wake, d)
            if self.queue:
                wake = min(wake, min(q[0] for q in self.queue))
            wait = max(0.0, min(wake - self.now, 0.02 if step else 0.05))
            select.select([self.fd], [], [], wait)

    # ---- Linux peers

    def connect(self, addr, port):
        self.now = time.monotonic()
        return self.stack.connect(ENGINE6_B if len(addr) == 16 else ENGINE_B, addr, port, self.now)

    def peer(self, role, port, send_n=0, seed=0, read_delay=0.0, rcvbuf=0, host=None, hold=0.0):
        """A Linux socket: role "listen" on 10.9.0.1 or "connect" to the engine. It sends
        send_n bytes after `hold` seconds, then its FIN."""
        host = host or (LINUX if role == "listen" else ENGINE)
        p = self.node.popen(["python3", "-c", PEER, role, host, str(port), str(send_n), str(seed),
                             str(read_delay), str(rcvbuf), str(hold)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return Peer(self, p)


class Peer:
    def __init__(self, tl, proc):
        self.tl = tl
        self.proc = proc
        self.lines = []
        os.set_blocking(proc.stdout.fileno(), False)
        self._buf = ""

    def poll_lines(self):
        try:
            chunk = self.proc.stdout.read()
        except (BlockingIOError, TypeError):
            chunk = None
        if chunk:
            self._buf += chunk
            *full, self._buf = self._buf.split("\n")
            self.lines.extend(full)
        return self.lines

    def has(self, word):
        return any(line.split()[:1] == [word] for line in self.poll_lines())

    def result(self):
        """(sha256 hex, byte count) the peer received, once it printed them."""
        for line in self.poll_lines():
            w = line.split()
            if w[:1] == ["done"]:
                return w[1], int(w[2])
        return None

    def wait_ready(self, timeout=5):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.has("ready"):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.01)
        raise AssertionError("peer not ready: %s" % self.proc.stderr.read())

    def kill(self):
        lablib.kill_proc(self.proc, grace=0.5)


class Session:
    """The engine-side application: writes `data`, closes after it when asked, and
    reads everything (unless paused) into a hash."""

    def __init__(self, conn, data=b"", close_after=True):
        self.conn = conn
        self.data = data
        self.off = 0
        self.close_after = close_after
        self.paused = False
        self.h = hashlib.sha256()
        self.n = 0
        self.closed = False

    def step(self):
        c = self.conn
        if self.off < len(self.data):
            self.off += c.write(memoryview(self.data)[self.off:self.off + 4096])
        if self.off >= len(self.data) and self.close_after and not self.closed and \
                c.state_name() in ("ESTABLISHED", "CLOSE-WAIT"):
            c.close()
            self.closed = True
        if not self.paused:
            while True:
                b = c.read(4096)
                if not b:
                    break
                self.h.update(b)
                self.n += len(b)

    def digest(self):
        return self.h.hexdigest()
