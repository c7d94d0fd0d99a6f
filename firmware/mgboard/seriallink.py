# The outer UDP of a board with no network hardware (the emulated boards):
# datagrams travel SLIP-framed over a serial stream to a host bridge, which
# sends them from its own UDP socket. Frames (first byte = kind):
#   b"D" + ip(4) + port(2, big-endian) + payload    a datagram to / from ip:port
#   b"Q" + name                                      resolve name (to the bridge)
#   b"A" + ip(4) + name                              the answer (empty ip: failed)
import asyncio
import struct

from . import slip


def _ip_bytes(host):
    parts = host.split(".")
    if len(parts) != 4:
        raise ValueError("IPv4 address expected: %s" % host)
    return bytes(int(p) for p in parts)


def _ip_text(b):
    return "%d.%d.%d.%d" % (b[0], b[1], b[2], b[3])


class SerialLink:
    def __init__(self, stream, max_frame=2048):
        self.stream = stream
        self.reader = asyncio.StreamReader(stream)
        self.decoder = slip.Decoder(max_frame + 8)
        self.frames = []
        self.answers = {}
        self.answer_event = asyncio.Event()
        self.tx_frames = 0
        self.rx_frames = 0

    def send(self, data, addr):
        host, port = addr
        self.stream.write(slip.encode(b"D" + _ip_bytes(host) + struct.pack(">H", port) + data))
        self.tx_frames += 1

    async def _next_frame(self):
        while not self.frames:
            data = await self.reader.read(2048)
            if data:
                self.decoder.feed(data, self.frames)
        return self.frames.pop(0)

    async def recv(self):
        """The next datagram: (payload, (host, port))."""
        while True:
            f = await self._next_frame()
            self.rx_frames += 1
            if f[:1] == b"D" and len(f) >= 7:
                return memoryview(f)[7:], (_ip_text(f[1:5]), (f[5] << 8) | f[6])
            if f[:1] == b"A" and len(f) >= 5:
                self.answers[f[5:].decode()] = _ip_text(f[1:5]) if f[1:5] != b"\0\0\0\0" else None
                self.answer_event.set()

    async def resolve(self, name, timeout=5):
        """The IPv4 address of `name` as the bridge's resolver sees it, or None.
        Answers arrive through recv(), so that loop must be running."""
        if name.replace(".", "").isdigit():
            return name
        self.answers.pop(name, None)
        self.stream.write(slip.encode(b"Q" + name.encode()))
        for _ in range(int(timeout * 10)):
            if name in self.answers:
                return self.answers.pop(name)
            self.answer_event.clear()
            try:
                await asyncio.wait_for(self.answer_event.wait(), 0.1)
            except asyncio.TimeoutError:
                pass
        return None
