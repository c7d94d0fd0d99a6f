# The packet path: tun -> engine -> UDP and UDP -> engine -> tun, in
# batches. Each round is one read of the tun device (up to a 64 KB TCP
# super-packet, cut into MTU-sized packets by linuxio) or one recvmmsg of
# the UDP socket (with GRO, many datagrams per slot); the engine seals or
# opens each run of packets for one peer in one native call; the results
# leave in one GSO send (or sendmmsg) and one coalesced tun write per TCP
# flow. Buffers are allocated once; "would block" is a return value.
import linuxio
from array import array

from wireguard.batch import send_batch, receive_batch
from wireguard.constants import TRANSPORT_HEADER_LEN, TAG_LEN
from wireguard.outcomes import ACTION_TUN, ACTION_UDP, ACTION_UDP_BATCH

# Rounds per fd before the loop polls again, so one busy direction cannot
# starve the other or the timers.
ROUNDS = 8
# Packets per tun round: a 64 KB super-packet is at most ~48 full segments.
# (The buffers are sized so the daemon's peak RSS stays where the per-packet
# path had it.)
TUN_SLOTS = 64
# UDP receive buffer; with GRO each slot holds one coalesced run (at most
# 64 KB), without it one datagram.
UDP_BUFFER = 2 * 65536
GRO_SLOT = 65536
# Datagrams per UDP round: enough for every GRO slot split to the kernel's
# limit of segments per coalesced datagram (128).
UDP_DATAGRAMS = 256
TUN_FRAME = 10 + 65535 + 1


def slot_size(mtu):
    """Room for one packet sealed in place: header, packet, padding, tag."""
    return (TRANSPORT_HEADER_LEN + mtu + 15 + TAG_LEN + 15) & ~15


class DataPath:
    def __init__(self, dev, tun, udp, clock, log):
        self.dev = dev
        self.tun = tun
        self.udp = udp
        self.clock = clock
        self.log = log
        self.udp_buf = bytearray(UDP_BUFFER)
        self.udp_offs = array("I", bytes(4 * UDP_DATAGRAMS))
        self.udp_lens = array("I", bytes(4 * UDP_DATAGRAMS))
        self.udp_addrs = [None] * UDP_DATAGRAMS
        self.tun_offs_out = array("I", bytes(4 * UDP_DATAGRAMS))
        self.tun_lens_out = array("I", bytes(4 * UDP_DATAGRAMS))
        self.results = array("i", bytes(4 * UDP_DATAGRAMS))
        self.tun_offs = array("I", bytes(4 * TUN_SLOTS))
        # Where linuxio reads a TCP super-packet before cutting it (header + 64 KB).
        self.frame = bytearray(TUN_FRAME)
        self.tun_lens = array("I", bytes(4 * TUN_SLOTS))
        self.resize(dev.mtu)
        # Last sender per socket family, updated by the receive call in place:
        # [raw sockaddr, (host, port), local address].
        self.src4 = [None, None, None]
        self.src6 = [None, None, None]
        # Sticky sources, {(host, port): local address}: replies to an
        # endpoint leave from the address its datagrams came to. Learned
        # and used in C; bounded there.
        self.sources = {}
        self.out = []
        self.send_errors = 0
        self.tun_write_errors = 0

    def resize(self, mtu):
        """Slots for the tunnel's MTU (the daemon calls this when it changes)."""
        self.stride = slot_size(mtu)
        self.tun_buf = bytearray(self.stride * TUN_SLOTS)

    def from_tun(self):
        """Seal and send what the kernel routed into the tunnel. OSError
        from the read (EBADFD: interface deleted) goes to the caller."""
        read_batch = linuxio.tun_read_batch
        fd = self.tun.fd
        vnet = self.tun.vnet
        buf = self.tun_buf
        stride = self.stride
        offs = self.tun_offs
        lens = self.tun_lens
        dev = self.dev
        frame = self.frame
        out = self.out
        now = self.clock.now()
        for _ in range(ROUNDS):
            n = read_batch(fd, buf, offs, lens, stride, TRANSPORT_HEADER_LEN, vnet, frame)
            if n < 0:
                return
            send_batch(dev, buf, offs, lens, n, now, out)
            self.flush(out, buf, offs, lens)

    def from_udp(self, fd, src):
        """Hand received datagrams to the engine; src is src4 or src6."""
        recv_batch = linuxio.udp_recv_batch
        write_batch = linuxio.tun_write_batch
        buf = self.udp_buf
        slot = GRO_SLOT if fd in self.udp.gro else self.stride
        offs = self.udp_offs
        lens = self.udp_lens
        addrs = self.udp_addrs
        toffs = self.tun_offs_out
        tlens = self.tun_lens_out
        results = self.results
        tun_fd = self.tun.fd
        vnet = self.tun.vnet
        dev = self.dev
        out = self.out
        sources = self.sources
        now = self.clock.now()
        for _ in range(ROUNDS):
            try:
                n = recv_batch(fd, buf, slot, offs, lens, addrs, src, sources)
            except OSError as e:
                self.log.debug("UDP receive: %s" % e)
                return
            if n < 0:
                return
            m = receive_batch(dev, buf, offs, lens, addrs, n, now, out, toffs, tlens, results)
            if m:
                failed = write_batch(tun_fd, buf, toffs, tlens, 0, m, vnet, vnet)[1]
                if failed:
                    self.tun_write_errors += failed
            if out:
                self.flush(out)

    def tick(self):
        out = self.out
        self.dev.tick(self.clock.now(), out)
        if out:
            self.flush(out)

    def flush(self, out, buf=None, offs=None, lens=None):
        """Perform the engine's actions; buf/offs/lens hold the messages of
        ACTION_UDP_BATCH. A tun payload is only valid until the next engine
        call, so this runs after every call."""
        udp = self.udp
        for action in out:
            kind = action[0]
            try:
                if kind == ACTION_UDP_BATCH:
                    ok = linuxio.udp_send_batch(udp.fd4, udp.fd6, action[1], buf, offs, lens,
                                                action[2], action[3], self.sources, udp.gso)[1]
                    if not ok:
                        udp.gso = False
                        self.log.info("UDP GSO refused by the kernel: sending datagrams one by one")
                elif kind == ACTION_UDP:
                    linuxio.sendto(udp.fd4, udp.fd6, action[2], action[1], self.sources)
                elif kind == ACTION_TUN:
                    self._to_tun(action[1])
            except (OSError, ValueError) as e:
                self._send_failed(action[1], e)
        out.clear()

    def _to_tun(self, packet):
        try:
            if self.tun.vnet:
                # One packet, and the header that says it is a plain one.
                mv = memoryview(packet)
                linuxio.tun_write_batch(self.tun.fd, mv, array("I", [0]), array("I", [len(mv)]),
                                        0, 1, True, False)
            else:
                linuxio.write(self.tun.fd, packet)
        except OSError as e:
            self._tun_write_failed(e)

    def _tun_write_failed(self, e):
        self.tun_write_errors += 1
        self.log.debug("tun write: %s" % e)

    def _send_failed(self, addr, e):
        self.send_errors += 1
        self.log.debug("UDP send to %s:%d: %s" % (addr[0], addr[1], e))
