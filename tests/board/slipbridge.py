#!/usr/bin/env python3
"""Host side of an emulated board's network link.

The board has no network hardware: its outer UDP datagrams come SLIP-framed
over a serial port (QEMU `-serial unix:<path>`, the board's UART1). This bridge
listens on that unix socket, sends each datagram from its own UDP socket to
the address in the frame, and frames every datagram it receives back to the
board with the sender's address. It also answers name lookups (with --host
overrides first), which is how the board re-resolves a DNS endpoint.
Frames: b"D" ip4 port16 payload | b"Q" name | b"A" ip4 name (see mgboard.seriallink).

    slipbridge.py --serial /tmp/x.sock --bind 192.0.2.2:51820 [--host peer.lab=192.0.2.1]
                  [--impair-file PATH]

The kernel here has no netem: with --impair-file, the bridge itself loses,
duplicates and reorders datagrams in both directions, as the file says
("loss dup reorder seed", fractions; re-read when it changes; absent or
empty = a clean link).
"""
import argparse
import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "firmware"))
from mgboard import slip  # noqa: E402  (the same framing code the board runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serial", required=True, help="unix socket path QEMU connects its -serial to")
    ap.add_argument("--bind", required=True, help="ip:port of the UDP socket")
    ap.add_argument("--host", action="append", default=[], help="name=ip answers for lookups")
    ap.add_argument("--hosts-file", help="file of 'name ip' lines, re-read on every lookup")
    ap.add_argument("--impair-file", help="file of 'loss dup reorder seed', re-read when it changes")
    a = ap.parse_args()
    hosts = dict(h.split("=", 1) for h in a.host)
    ip, port = a.bind.rsplit(":", 1)

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((ip, int(port)))
    if os.path.exists(a.serial):
        os.unlink(a.serial)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(a.serial)
    server.listen(1)
    print("bridge ready", flush=True)

    board = BoardSide()
    counts = {"to_net": 0, "to_board": 0}
    impair = Impairment(a.impair_file)

    def to_net(payload, dst):
        try:
            udp.sendto(payload, dst)
            counts["to_net"] += 1
        except OSError as e:
            print("send to %s failed: %s" % (dst, e), flush=True)

    def to_board(frame):
        if board.queue(frame):
            counts["to_board"] += 1

    while True:
        rlist = [udp, server] + ([board.conn] if board.conn else [])
        wlist = [board.conn] if board.conn and board.out else []
        r, w, _ = select.select(rlist, wlist, [], impair.wait())
        impair.release_overdue()
        if server in r:
            board.attach(server.accept()[0])    # a rebooted board replaces the old link
        if w:
            board.flush()
        if board.conn and board.conn in r:
            for f in board.receive():
                kind = f[:1]
                if kind == b"D" and len(f) >= 7:
                    dst = ("%d.%d.%d.%d" % tuple(f[1:5]), struct.unpack(">H", f[5:7])[0])
                    impair.carry("to_net", to_net, f[7:], dst)
                elif kind == b"Q":
                    name = f[1:].decode(errors="replace")
                    board.queue(slip.encode(b"A" + lookup(name, hosts, a.hosts_file) + f[1:]))
        if udp in r:
            data, (src, sport) = udp.recvfrom(65536)
            impair.carry("to_board", to_board, slip.encode(b"D" + socket.inet_aton(src) + struct.pack(">H", sport) + data))


class BoardSide:
    """The board's end of the serial link. Never blocks on the board: a board
    busy writing its own UART does not read, and a bridge blocked on sending to
    it would stop reading in turn (a deadlock a real UART never has). Frames
    beyond QUEUE bytes are dropped, as a saturated link loses them."""
    QUEUE = 64 * 1024

    def __init__(self):
        self.conn = None
        self.out = bytearray()
        self.decoder = slip.Decoder()
        self.dropped = 0

    def attach(self, conn):
        self.detach()
        conn.setblocking(False)
        self.conn = conn

    def detach(self):
        if self.conn:
            self.conn.close()
        self.conn = None
        self.out = bytearray()
        self.decoder = slip.Decoder()

    def queue(self, frame):
        if not self.conn or len(self.out) + len(frame) > self.QUEUE:
            self.dropped += 1
            return False
        self.out += frame
        self.flush()
        return True

    def flush(self):
        try:
            n = self.conn.send(self.out)
        except BlockingIOError:
            return
        except OSError:
            self.detach()               # the board went away (powered off, rebooted)
            return
        del self.out[:n]

    def receive(self):
        try:
            data = self.conn.recv(65536)
        except BlockingIOError:
            return []
        except OSError:
            data = b""
        if not data:
            self.detach()
            return []
        return self.decoder.feed(data, [])


class Impairment:
    """Seeded loss, duplication and reordering, per direction. A reordered
    datagram is held back until the next one in its direction has gone, or
    for at most HOLD seconds."""
    HOLD = 0.05

    def __init__(self, path):
        self.path = path
        self.stamp = None
        self.loss = self.dup = self.reorder = 0.0
        self.rng = random.Random(0)
        self.held = {}                  # direction -> (deadline, send, args)

    def _reload(self):
        if not self.path:
            return
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp == self.stamp:
            return
        self.stamp = stamp
        words = open(self.path).read().split() if stamp else []
        if len(words) == 4:
            self.loss, self.dup, self.reorder = float(words[0]), float(words[1]), float(words[2])
            self.rng = random.Random(int(words[3]))
        else:
            self.loss = self.dup = self.reorder = 0.0

    def wait(self):
        return self.HOLD if self.held else None

    def release_overdue(self):
        now = time.monotonic()
        for d, (deadline, send, args) in list(self.held.items()):
            if now >= deadline:
                del self.held[d]
                send(*args)

    def carry(self, direction, send, *args):
        self._reload()
        rng = self.rng
        if self.loss and rng.random() < self.loss:
            return
        if self.reorder and direction not in self.held and rng.random() < self.reorder:
            self.held[direction] = (time.monotonic() + self.HOLD, send, args)
            return
        send(*args)
        if self.dup and rng.random() < self.dup:
            send(*args)
        held = self.held.pop(direction, None)
        if held:
            held[1](*held[2])


def lookup(name, hosts, hosts_file):
    table = dict(hosts)
    if hosts_file and os.path.exists(hosts_file):
        with open(hosts_file) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    table[parts[0]] = parts[1]
    if name in table:
        return socket.inet_aton(table[name])
    try:
        return socket.inet_aton(socket.getaddrinfo(name, 0, socket.AF_INET)[0][4][0])
    except (OSError, IndexError):
        return b"\0\0\0\0"


if __name__ == "__main__":
    main()
