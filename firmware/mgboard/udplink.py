# The outer UDP of boards with a network interface (Wi-Fi, Ethernet): a
# MicroPython UDP socket, waited on through asyncio's poller.
import asyncio
import socket


def _sockaddr(host, port):
    # The port's own address form: a (host, port) tuple on most boards, a packed
    # sockaddr on the unix port, which refuses tuples.
    return socket.getaddrinfo(host, port, socket.AF_INET)[0][-1]


class UdpLink:
    def __init__(self, port=0, max_datagram=2048):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(_sockaddr("0.0.0.0", port))
        self.sock.setblocking(False)
        self.max_datagram = max_datagram
        self._addrs = {}                    # (host, port) -> sockaddr: one peer, a few entries

    def send(self, data, addr):
        try:
            sa = self._addrs.get(addr)
            if sa is None:
                if len(self._addrs) > 8:
                    self._addrs.clear()
                sa = self._addrs[addr] = _sockaddr(addr[0], addr[1])
            self.sock.sendto(data, sa)
        except (OSError, IndexError):
            pass                            # no route yet (link down): like a lost datagram

    async def recv(self):
        while True:
            # asyncio's own way to wait for a readable stream (no public API for sockets).
            yield asyncio.core._io_queue.queue_read(self.sock)
            try:
                data, addr = self.sock.recvfrom(self.max_datagram)
            except OSError:
                continue
            host = socket.inet_ntop(socket.AF_INET, addr[4:8]) if isinstance(addr, bytes) else addr[0]
            port = (addr[2] << 8) | addr[3] if isinstance(addr, bytes) else addr[1]
            return data, (host, port)

    async def resolve(self, name, timeout=5):
        try:
            return socket.getaddrinfo(name, 0, socket.AF_INET)[0][-1][0]
        except (OSError, IndexError):
            return None
