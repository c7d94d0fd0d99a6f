# TCP through the tunnel, the asyncio way: the I/O-free tcp.Stack fed by the
# board's IP layer, and streams with asyncio's shape on top of it
# (open_connection, start_server, read/readexactly/readline, write/drain,
# close/wait_closed). One Stream is both reader and writer, as in
# MicroPython's own asyncio.
import asyncio

from . import tcp
from .tcpconn import CLOSED, ESTABLISHED, CLOSE_WAIT, SYN_SENT, SYN_RECEIVED

PROTO_TCP = 6


class TcpLayer:
    """Glue between the IP host, the TCP engine and asyncio waiters. kick() is
    the tunnel's: it sends what the engine queued, now."""

    def __init__(self, ip, now, rng, kick, mtu=1420, **limits):
        self.ip = ip
        self.now = now
        self.kick = kick
        self.stack = tcp.Stack(self._send, rng, mtu=mtu, **limits)
        ip.handlers[PROTO_TCP] = self._input
        self._changed = asyncio.Event()

    def _send(self, src, dst, seg):
        self.ip.send_transport(PROTO_TCP, src, dst, seg)

    def _input(self, src, dst, payload):
        self.stack.input(src, dst, payload, self.now())
        self.notify()

    def notify(self):
        # A fresh Event per change: every waiter wakes, none can miss a set()
        # by clearing it under another.
        ev, self._changed = self._changed, asyncio.Event()
        ev.set()

    async def changed(self, timeout=None):
        ev = self._changed
        if timeout is None:
            await ev.wait()
        else:
            try:
                await asyncio.wait_for(ev.wait(), timeout)
            except asyncio.TimeoutError:
                pass

    def tick(self):
        self.stack.tick(self.now())

    def next_deadline(self):
        return self.stack.next_deadline()

    async def connect(self, dst, port, timeout=None):
        conn = self.stack.connect(self.ip.source_for(dst), dst, port, self.now())
        self.kick()
        while conn.state in (SYN_SENT, SYN_RECEIVED):
            await self.changed(timeout)
        if conn.state not in (ESTABLISHED, CLOSE_WAIT):
            raise OSError("connect: %s" % (conn.error or "closed"))
        return Stream(self, conn)

    def listen(self, port, callback, backlog=None):
        def accepted(conn):
            s = Stream(self, conn)
            asyncio.create_task(callback(s, s))
        self.stack.listen(port, accepted, backlog)
        return Server(self, port)


class Server:
    def __init__(self, layer, port):
        self.layer = layer
        self.port = port

    def close(self):
        self.layer.stack.unlisten(self.port)

    async def wait_closed(self):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()


class Stream:
    def __init__(self, layer, conn):
        self.layer = layer
        self.conn = conn
        self._out = []                  # written but not yet taken by the connection
        self._in = b""                  # read past a line's end: served first

    def get_extra_info(self, name):
        from wireguard.ipaddr import format_ip
        c = self.conn
        if name == "peername":
            return format_ip(c.remote), c.rport
        if name == "sockname":
            return format_ip(c.local), c.lport
        return None

    def _check(self):
        e = self.conn.error
        if e is not None and e != "closed":
            raise OSError("connection %s" % e)

    def ready(self):
        """A read would not wait: data is there, or the end is."""
        c = self.conn
        return bool(self._in) or c.readable() > 0 or c.at_eof or c.state == CLOSED

    async def read(self, n=-1):
        """Up to n bytes as soon as some are there (all until EOF when n < 0);
        b"" at EOF."""
        if n < 0:
            parts = []
            while True:
                b = await self.read(4096)
                if not b:
                    return b"".join(parts)
                parts.append(b)
        if self._in:
            b, self._in = self._in[:n], self._in[n:]
            return b
        conn = self.conn
        while not conn.readable():
            if conn.at_eof or conn.state == CLOSED:
                self._check()
                return b""
            await self.layer.changed()
        data = conn.read(n)
        self.layer.kick()               # a reopened window is announced at once
        return data

    async def readexactly(self, n):
        parts = []
        while n > 0:
            b = await self.read(n)
            if not b:
                raise EOFError("connection closed with %d bytes missing" % n)
            parts.append(b)
            n -= len(b)
        return b"".join(parts)

    async def readline(self, limit=None):
        """Up to and including the next newline (what is left at EOF). With a
        limit, at most that many bytes: a line longer than that comes back
        without its newline."""
        line = b""
        while True:
            want = 512 if limit is None else min(512, limit - len(line))
            if want <= 0:
                return line
            b = await self.read(want)
            i = b.find(b"\n")
            if i >= 0:
                self._in = b[i + 1:] + self._in
                return line + b[:i + 1]
            line += b
            if not b:
                return line

    def write(self, buf):
        if buf:
            self._out.append(bytes(buf))
            self._push()

    def _push(self):
        conn = self.conn
        out = self._out
        while out:
            n = conn.write(out[0])
            if n == 0:
                break
            if n < len(out[0]):
                out[0] = out[0][n:]
            else:
                out.pop(0)
        self.layer.kick()

    async def drain(self):
        while self._out:
            self._check()
            if self.conn.state == CLOSED:
                raise OSError("connection closed")
            self._push()
            if self._out:
                await self.layer.changed()

    def close(self):
        self._push()
        if not self._out:
            self.conn.close()
            self.layer.kick()
        else:
            asyncio.create_task(self._close_after_drain())

    async def _close_after_drain(self):
        try:
            await self.drain()
        except OSError:
            pass
        self.conn.close()
        self.layer.kick()

    async def wait_closed(self):
        while self.conn.state != CLOSED and not self.conn.at_eof:
            await self.layer.changed()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()
