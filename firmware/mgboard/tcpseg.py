# TCP segments on the wire (RFC 9293 §3.1): header parse and build, and the
# checksum over the IPv4 or IPv6 pseudo-header (mgboard.inetsum).
# Addresses are bytes: 4 long for IPv4, 16 for IPv6.
import struct

from mgboard.inetsum import checksum, pseudo, finish

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

FIN = const(0x01)
SYN = const(0x02)
RST = const(0x04)
PSH = const(0x08)
ACK = const(0x10)
URG = const(0x20)

PROTO_TCP = const(6)
HEADER_LEN = const(20)
OPT_END = const(0)
OPT_NOP = const(1)
OPT_MSS = const(2)

def build(src, dst, sport, dport, seq, ack, flags, wnd, payload=b"", mss=0):
    """One segment with its checksum; an MSS option is added when mss is non-zero."""
    hlen = HEADER_LEN + (4 if mss else 0)
    seg = bytearray(hlen)
    struct.pack_into(">HHIIBBHHH", seg, 0, sport, dport, seq & 0xffffffff,
                     ack & 0xffffffff, (hlen >> 2) << 4, flags, wnd, 0, 0)
    if mss:
        struct.pack_into(">BBH", seg, HEADER_LEN, OPT_MSS, 4, mss)
    if payload:
        seg.extend(payload)
    c = finish(checksum(seg, pseudo(src, dst, PROTO_TCP, len(seg))))
    struct.pack_into(">H", seg, 16, c)
    return seg


class Segment:
    """A parsed segment; data is a memoryview into the caller's buffer."""
    __slots__ = ("sport", "dport", "seq", "ack", "flags", "wnd", "mss", "data")

    def seg_len(self):
        """Sequence space taken: the data plus one each for SYN and FIN."""
        n = len(self.data)
        if self.flags & SYN:
            n += 1
        if self.flags & FIN:
            n += 1
        return n


def parse(src, dst, seg):
    """A Segment, or None when seg is truncated, its data offset is out of
    range, an option is malformed, or the checksum does not verify."""
    n = len(seg)
    if n < HEADER_LEN:
        return None
    hlen = (seg[12] >> 4) * 4
    if hlen < HEADER_LEN or hlen > n:
        return None
    if checksum(seg, pseudo(src, dst, PROTO_TCP, n)) != 0xffff:
        return None
    s = Segment()
    s.sport, s.dport, s.seq, s.ack, _, s.flags, s.wnd = struct.unpack_from(">HHIIBBH", seg, 0)
    s.mss = 0
    i = HEADER_LEN
    while i < hlen:
        kind = seg[i]
        if kind == OPT_END:
            break
        if kind == OPT_NOP:
            i += 1
            continue
        if i + 1 >= hlen:
            return None
        olen = seg[i + 1]
        if olen < 2 or i + olen > hlen:
            return None
        if kind == OPT_MSS and olen == 4:
            s.mss = (seg[i + 2] << 8) | seg[i + 3]
        i += olen
    s.data = memoryview(seg)[hlen:]
    return s
