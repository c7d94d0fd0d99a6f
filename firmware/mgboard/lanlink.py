# The LAN side of router mode: raw IP packets SLIP-framed (RFC 1055, plain
# SLIP: no kind byte, unlike seriallink's tunnel frames) over a byte stream,
# the board's UART to a host or small network. Frames that cannot be IP
# packets (too short, too long: noise, a mangled END) are counted and dropped
# here; the decoder's buffer is bounded, so garbage never grows memory.
import asyncio

from . import slip

MIN_PACKET = 20                     # an IPv4 header


class LanLink:
    def __init__(self, stream, mtu=1500):
        self.stream = stream
        self.reader = asyncio.StreamReader(stream)
        self.mtu = mtu
        self.decoder = slip.Decoder(mtu + 64)
        self.frames = []
        self.tx_frames = 0
        self.rx_frames = 0
        self.rx_bad = 0

    def send(self, pkt):
        self.stream.write(slip.encode(pkt))
        self.tx_frames += 1

    async def recv(self):
        """The next frame that may be an IP packet (bytes)."""
        while True:
            while not self.frames:
                data = await self.reader.read(2048)
                if data:
                    self.decoder.feed(data, self.frames)
            f = self.frames.pop(0)
            if MIN_PACKET <= len(f) <= self.mtu:
                self.rx_frames += 1
                return f
            self.rx_bad += 1
