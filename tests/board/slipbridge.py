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
"""
import argparse
import os
import select
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "firmware"))
from mgboard import slip  # noqa: E402  (the same framing code the board runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serial", required=True, help="unix socket path QEMU connects its -serial to")
    ap.add_argument("--bind", required=True, help="ip:port of the UDP socket")
    ap.add_argument("--host", action="append", default=[], help="name=ip answers for lookups")
    ap.add_argument("--hosts-file", help="file of 'name ip' lines, re-read on every lookup")
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

    conn = None
    decoder = slip.Decoder()
    counts = {"to_net": 0, "to_board": 0}
    while True:
        rlist = [udp, server] + ([conn] if conn else [])
        r, _, _ = select.select(rlist, [], [])
        if server in r:
            if conn:
                conn.close()            # a rebooted board replaces the old link
            conn, _ = server.accept()
            decoder = slip.Decoder()
        if conn and conn in r:
            data = conn.recv(65536)
            if not data:
                conn.close()
                conn = None
                continue
            for f in decoder.feed(data, []):
                kind = f[:1]
                if kind == b"D" and len(f) >= 7:
                    dst = ("%d.%d.%d.%d" % tuple(f[1:5]), struct.unpack(">H", f[5:7])[0])
                    try:
                        udp.sendto(f[7:], dst)
                        counts["to_net"] += 1
                    except OSError as e:
                        print("send to %s failed: %s" % (dst, e), flush=True)
                elif kind == b"Q":
                    name = f[1:].decode(errors="replace")
                    conn.sendall(slip.encode(b"A" + lookup(name, hosts, a.hosts_file) + f[1:]))
        if udp in r:
            data, (src, sport) = udp.recvfrom(65536)
            if conn:
                conn.sendall(slip.encode(b"D" + socket.inet_aton(src) + struct.pack(">H", sport) + data))
                counts["to_board"] += 1


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
