# The UDP side: one socket per address family sharing one port, like
# wireguard-go. Port 0 picks a random port that must be free for both
# families, so a clash on the IPv6 side retries with a new one. A host
# without IPv6 (or IPv4) runs with the other family alone.
import linuxio

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


class UdpBind:
    def __init__(self):
        self.fd4 = -1
        self.fd6 = -1
        self.port = 0
        self.mark = 0

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
