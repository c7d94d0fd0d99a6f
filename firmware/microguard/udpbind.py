# The UDP side: one socket per address family sharing one port, like
# wireguard-go. Port 0 picks a random port that must be free for both
# families, so a clash on the IPv6 side retries with a new one. A host
# without IPv6 (or IPv4) runs with the other family alone. Each socket is
# probed for UDP GSO (many datagrams in one send) and GRO (many in one
# receive); either may be missing, and the sockets work without them.
import linuxio
from array import array

EADDRINUSE = 98
EAFNOSUPPORT = 97
EADDRNOTAVAIL = 99
_UNSUPPORTED = (EAFNOSUPPORT, EADDRNOTAVAIL)
_RANDOM_PORT_TRIES = 100


def _try_bind(family, port):
    try:
        return linuxio.udp_bind(family, port)
    except OSError as e:
        if e.errno in _UNSUPPORTED:
            return -1
        raise


def _close(fd):
    if fd >= 0:
        linuxio.close(fd)


def open_pair(port):
    """(fd4, fd6, port) bound to port (0 = random); -1 for a missing family.
    Raises OSError (e.g. EADDRINUSE) when the port cannot be had."""
    tries = _RANDOM_PORT_TRIES if port == 0 else 1
    err = None
    for _ in range(tries):
        fd4 = _try_bind(4, port)
        actual = linuxio.udp_port(fd4) if fd4 >= 0 else port
        try:
            fd6 = _try_bind(6, actual)
        except OSError as e:
            _close(fd4)
            if e.errno == EADDRINUSE and port == 0:
                err = e
                continue
            raise
        if fd4 < 0 and fd6 < 0:
            raise OSError(EAFNOSUPPORT)
        if fd4 < 0:
            actual = linuxio.udp_port(fd6)
        return fd4, fd6, actual
    raise err


_GSO = 1
_GRO = 2
_CHECKED = 2        # offload wanted, and the loopback self-test passed


def _offloads_work():
    """Two 8-byte segments sent as one GSO datagram over loopback must arrive
    as two, with and without GRO. Under qemu-user on a big-endian CPU the
    control messages carrying the segment size pass unswapped, and a kernel
    that seems to offer GSO sends one 16-byte datagram."""
    rx = tx = -1
    try:
        rx = linuxio.udp_bind(4, 0)
        tx = linuxio.udp_bind(4, 0)
        dst = ("127.0.0.1", linuxio.udp_port(rx))
        buf = bytearray(b"segment1segment2")
        offs = array("I", [0, 8])
        lens = array("I", [8, 8])
        got = bytearray(65536)
        roffs = array("I", bytes(4 * 128))
        rlens = array("I", bytes(4 * 128))
        addrs = [None] * 128
        for gro in (False, True):
            if gro and not linuxio.udp_offloads(rx) & _GRO:
                return False
            if linuxio.udp_send_batch(tx, -1, dst, buf, offs, lens, 0, 2, {}, True) != (2, True):
                return False
            seen = b""
            for _ in range(2):
                n = linuxio.udp_recv_batch(rx, got, 65536 if gro else 2048, roffs, rlens, addrs,
                                           [None, None, None], {})
                for k in range(max(n, 0)):
                    seen += b"|" + got[roffs[k]:roffs[k] + rlens[k]]
            if seen != b"|segment1|segment2":
                return False
        return True
    except (OSError, ValueError):
        return False
    finally:
        for fd in (rx, tx):
            if fd >= 0:
                linuxio.close(fd)


class UdpBind:
    def __init__(self, offload=True):
        self.fd4 = -1
        self.fd6 = -1
        self.port = 0
        self.mark = 0
        self.offload = offload
        self.gso = False            # every socket can send with UDP_SEGMENT
        self.gro = ()               # the fds that receive coalesced datagrams

    def bind(self, port):
        """Move to port; the old sockets stay in use if the new ones fail."""
        fd4, fd6, actual = open_pair(port)
        try:
            for fd in (fd4, fd6):
                if fd >= 0 and self.mark:
                    linuxio.udp_set_mark(fd, self.mark)
        except OSError:
            _close(fd4)
            _close(fd6)
            raise
        self.close()
        self.fd4, self.fd6, self.port = fd4, fd6, actual
        if self.offload and self.offload is not _CHECKED:
            self.offload = _CHECKED if _offloads_work() else False
        bits = [linuxio.udp_offloads(fd) if self.offload else 0 for fd in self.fds()]
        self.gso = all(b & _GSO for b in bits)
        self.gro = tuple(fd for fd, b in zip(self.fds(), bits) if b & _GRO)

    def set_mark(self, mark):
        """SO_MARK on both sockets (0 clears it)."""
        for fd in self.fds():
            linuxio.udp_set_mark(fd, mark)
        self.mark = mark

    def fds(self):
        return [fd for fd in (self.fd4, self.fd6) if fd >= 0]

    def close(self):
        _close(self.fd4)
        _close(self.fd6)
        self.fd4 = self.fd6 = -1
