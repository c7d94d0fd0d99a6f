# The UAPI socket /var/run/wireguard/<ifname>.sock: a listening unix socket
# and its clients. A client sends requests ("get=1\n\n", "set=1\n...\n\n")
# and reads each response; the connection may carry several requests, or
# none at all (wg's probe connection).
import os
import socket
import struct

import linuxio

SOCKET_DIR = "/var/run/wireguard"
# A setconf of ~7000 peers; more would crowd the interpreter's heap.
MAX_REQUEST = 1 << 20
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
    def __init__(self, sock):
        self.sock = sock
        self.fd = sock.fileno()
        self.inbuf = bytearray()     # grows in place: big setconf requests
        self.outbuf = b""
        self.closed = False

    def read_requests(self):
        """Read what is available; returns the complete requests (text)."""
        requests = []
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError as e:
                if e.errno != _EAGAIN:
                    self.closed = True
                break
            if not data:
                self.closed = True
                break
            self.inbuf.extend(data)
            if len(self.inbuf) > MAX_REQUEST:
                self.closed = True
                break
        while True:
            end = self.inbuf.find(b"\n\n")
            if end < 0:
                break
            requests.append(self.inbuf[:end + 2].decode())
            self.inbuf[:end + 2] = b""
        return requests

    def queue(self, text):
        self.outbuf += text.encode()

    def flush(self):
        """Write what the socket takes; True when everything went out."""
        while self.outbuf:
            try:
                n = self.sock.send(self.outbuf)
            except OSError as e:
                if e.errno != _EAGAIN:
                    self.closed = True
                    self.outbuf = b""
                return False
            self.outbuf = self.outbuf[n:]
        return True

    def close(self):
        self.sock.close()
        self.closed = True
