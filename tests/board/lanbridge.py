#!/usr/bin/env python3
"""Host side of a board's LAN link (router mode): a TUN device in the LAN
host's namespace, its packets SLIP-framed (plain RFC 1055, no kind byte, as
mgboard.lanlink speaks) over the unix socket the board's UART2 connects to
(QEMU `-serial unix:<path>` connects as a client, so this listens).

The board drains its UART only as fast as it runs: what waits for it is
queued here up to --queue bytes and further packets are dropped, as a full
router queue would. This process never blocks on the board, so the board
never blocks on us (QEMU stalls a UART whose socket is not read).

With --inject PATH, every datagram sent to that unix socket goes to the
board as it is, unframed: how the tests put noise on the line.

    lanbridge.py --serial /tmp/lan.sock --tun lan0 [--inject /tmp/inject.sock]
"""
import argparse
import fcntl
import os
import select
import signal
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "firmware"))
from mgboard import slip  # noqa: E402  (the same framing code the board runs)

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serial", required=True, help="unix socket path QEMU connects its -serial to")
    ap.add_argument("--tun", default="lan0", help="TUN device to create")
    ap.add_argument("--queue", type=int, default=32768, help="bytes queued toward the board at most")
    ap.add_argument("--inject", help="unix datagram socket whose datagrams go to the board raw")
    a = ap.parse_args()

    tun = open_tun(a.tun)
    inject = None                   # bound first: the serial socket's existence means ready
    if a.inject:
        if os.path.exists(a.inject):
            os.unlink(a.inject)
        inject = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        inject.bind(a.inject)
    if os.path.exists(a.serial):
        os.unlink(a.serial)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(a.serial)
    server.listen(1)
    print("lan bridge ready", flush=True)

    conn = None
    decoder = slip.Decoder()
    out = bytearray()
    counts = {"to_board": 0, "to_lan": 0, "dropped": 0}

    def report(*_):
        print("lan bridge: %r" % counts, flush=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, report)
    while True:
        rlist = [tun, server] + ([conn] if conn else []) + ([inject] if inject else [])
        wlist = [conn] if conn and out else []
        r, w, _ = select.select(rlist, wlist, [])
        if server in r:
            if conn:
                conn.close()            # a rebooted board replaces the old link
            conn, _ = server.accept()
            conn.setblocking(False)
            decoder = slip.Decoder()
            out = bytearray()
        if conn and conn in w:
            try:
                out = out[conn.send(out):]
            except BlockingIOError:
                pass
            except OSError:             # the board went away (killed, rebooting): wait for the next one
                conn.close()
                conn = None
                continue
        if tun in r:
            try:
                pkt = os.read(tun, 65536)
            except BlockingIOError:
                pkt = b""
            if pkt and conn and len(out) < a.queue:
                out += slip.encode(pkt)
                counts["to_board"] += 1
            elif pkt:
                counts["dropped"] += 1
        if inject and inject in r:
            raw = inject.recv(65536)
            if conn:
                out += raw
        if conn and conn in r:
            try:
                data = conn.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                conn.close()
                conn = None
                continue
            for f in decoder.feed(data, []):
                try:
                    os.write(tun, f)
                    counts["to_lan"] += 1
                except OSError as e:    # not an IP packet, or the tun is full: the board sent noise
                    print("tun write failed (%d bytes): %s" % (len(f), e), flush=True)


if __name__ == "__main__":
    main()
