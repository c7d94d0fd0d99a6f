# The UAPI socket /var/run/wireguard/<ifname>.sock: a listening unix socket
# and its clients. A client sends requests ("get=1\n\n", "set=1\n...\n\n")
# and reads each response; the connection may carry several requests, or
# none at all (wg's probe connection). Bytes only: the requests' meaning is
# the engine's (wireguard.uapi).
import os
import socket
import struct

import linuxio

SOCKET_DIR = "/var/run/wireguard"
# Requests are read line by line, so their size has no limit; a line has.
MAX_LINE = 4096
READ_SIZE = 16384
_EAGAIN = 11


def socket_path(ifname):
    return "%s/%s.sock" % (SOCKET_DIR, ifname)


def _sockaddr_un(path):
    # struct sockaddr_un: sa_family_t (native u16) then a NUL-terminated path.
    return struct.pack("H", socket.AF_UNIX) + path.encode() + b"\0"


def _mkdir_p(path):
    parts = path.strip("/").split("/")
    cur = ""
    for p in parts:
        cur += "/" + p
        try:
            os.mkdir(cur)
        except OSError:
            pass


def _in_use(path):
    """True when a live daemon answers on path (a stale file is not in use)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(_sockaddr_un(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


class SocketInUse(Exception):
    pass


def _remove_stale(path):
    try:
        os.stat(path)
    except OSError:
        return
    if _in_use(path):
        raise SocketInUse("%s is in use by a running daemon" % path)
    os.remove(path)


class UapiListener:
    def __init__(self, ifname):
        self.path = socket_path(ifname)
        _mkdir_p(SOCKET_DIR)
        _remove_stale(self.path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = linuxio.umask(0o077)      # the socket holds private keys: owner only
        try:
            self.sock.bind(_sockaddr_un(self.path))
        finally:
            linuxio.umask(old)
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.fd = self.sock.fileno()

    def accept(self):
        """A new UapiClient, or None when the connection went away already."""
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return None
        conn.setblocking(False)
        return UapiClient(conn)

    def close(self):
        self.sock.close()
        try:
            os.remove(self.path)
        except OSError:
            pass


class UapiClient:
    """One connection: reads lines as they arrive (a request of any size
    passes through in bounded memory) and writes answers, given as iterables
    of text chunks, as the socket accepts them."""

    def __init__(self, sock):
        self.sock = sock
        self.fd = sock.fileno()
        self.inbuf = bytearray()
        self.start = 0              # first unread byte of inbuf
        self.skipping = False       # discarding an over-long line up to its newline
        self.chunks = None          # iterator of the answer being written
        self.out = None             # memoryview of the chunk being written
        self.eof = False
        self.closed = False

    def fill(self, size=READ_SIZE):
        """Read once; the number of bytes read (0 when none were waiting)."""
        try:
            data = self.sock.recv(size)
        except OSError as e:
            if e.errno != _EAGAIN:
                self.eof = True
            return 0
        if not data:
            self.eof = True
            return 0
        if self.start:
            self.inbuf[:self.start] = b""
            self.start = 0
        self.inbuf.extend(data)
        return len(data)

    def next_line(self):
        """The next complete line (bytes, no newline), b"\xff" for a line
        longer than MAX_LINE, or None when no complete line is buffered."""
        buf = self.inbuf
        while True:
            end = buf.find(b"\n", self.start)
            if end < 0:
                if len(buf) - self.start > MAX_LINE:
                    # Drop it, and what follows up to its newline.
                    self.inbuf = bytearray()
                    self.start = 0
                    if not self.skipping:
                        self.skipping = True
                        return b"\xff"
                return None
            line = bytes(buf[self.start:end])
            self.start = end + 1
            if self.skipping:
                self.skipping = False
                continue
            if len(line) > MAX_LINE:
                return b"\xff"
            return line

    def send(self, chunks):
        self.chunks = iter(chunks)

    def sending(self):
        return self.chunks is not None or self.out is not None

    def flush(self):
        """Write what the socket takes; True when the whole answer went out."""
        while True:
            if self.out is None:
                if self.chunks is None:
                    return True
                try:
                    chunk = next(self.chunks)
                except StopIteration:
                    self.chunks = None
                    return True
                self.out = memoryview(chunk.encode())
                continue
            try:
                n = self.sock.send(self.out)
            except OSError as e:
                if e.errno != _EAGAIN:
                    self.closed = True
                    self.out = self.chunks = None
                return False
            if n >= len(self.out):
                self.out = None
            else:
                self.out = self.out[n:]

    def close(self):
        self.sock.close()
        self.closed = True
