# A small blocking socket over the tunnel's TCP, for clients written against
# MicroPython's socket (micropython-lib's umqtt.simple, simple HTTP clients).
# Each blocking call runs the asyncio loop (and with it the tunnel) until it
# is done, so these are for code that runs outside asyncio tasks; inside a
# task, use the streams (Tunnel.open_connection).
import asyncio

from wireguard.ipaddr import parse_ip

AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1


class TunnelSocket:
    def __init__(self, layer):
        self.layer = layer
        self.stream = None
        self.timeout = None             # None: block; 0: non-blocking; else seconds

    def settimeout(self, t):
        self.timeout = t

    def setblocking(self, flag):
        self.timeout = None if flag else 0

    def _run(self, coro):
        if self.timeout is None:
            return asyncio.run(coro)
        try:
            return asyncio.run(asyncio.wait_for(coro, self.timeout))
        except asyncio.TimeoutError:
            raise OSError(110)          # ETIMEDOUT, as a MicroPython socket reports it

    def connect(self, addr):
        host, port = addr[0], addr[1]
        self.stream = self._run(self.layer.connect(parse_ip(host), port))

    def _need(self):
        if self.stream is None:
            raise OSError(107)          # ENOTCONN
        return self.stream

    def write(self, buf, n=None):
        s = self._need()
        if isinstance(buf, str):
            buf = buf.encode()          # as MicroPython's own sockets take text
        data = bytes(buf if n is None else memoryview(buf)[:n])
        s.write(data)
        self._run(s.drain())
        return len(data)

    send = sendall = write

    def recv(self, n):
        """At least one byte (b"" at EOF); with a zero timeout, raises
        OSError(EAGAIN) when nothing is there."""
        s = self._need()
        if self.timeout == 0:
            if not s.ready():
                raise OSError(11)
            return asyncio.run(s.read(n))
        return self._run(s.read(n))

    def read(self, n=-1):
        """n bytes, fewer only at EOF (a blocking stream read); with a zero
        timeout, what is there (None when nothing)."""
        s = self._need()
        if self.timeout == 0:
            try:
                return self.recv(n if n > 0 else 4096)
            except OSError:
                return None
        if n < 0:
            return self._run(s.read(-1))
        parts = []
        while n > 0:
            b = self._run(s.read(n))
            if not b:
                break
            parts.append(b)
            n -= len(b)
        return b"".join(parts)

    def readline(self):
        return self._run(self._need().readline())

    def close(self):
        if self.stream is not None:
            self.stream.close()
            self.stream = None


class SocketModule:
    """What a client module expects of `socket`, over the tunnel: hand it to a
    client as its socket module (e.g. umqtt.simple.socket = wg.socket_module())."""
    AF_INET = AF_INET
    AF_INET6 = AF_INET6
    SOCK_STREAM = SOCK_STREAM

    def __init__(self, layer):
        self._layer = layer

    def socket(self, *args):
        return TunnelSocket(self._layer)

    def getaddrinfo(self, host, port, *args):
        # Tunnel addresses only: no DNS inside the tunnel.
        ip = parse_ip(host)
        return [(AF_INET if len(ip) == 4 else AF_INET6, SOCK_STREAM, 6, "", (host, port))]
