# TCP segments on the wire (RFC 9293 §3.1): header parse and build, and the
# checksum over the IPv4 or IPv6 pseudo-header (RFC 1071, RFC 8200 §8.1).
# Addresses are bytes: 4 long for IPv4, 16 for IPv6.
import struct

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

# Summing 16 half-words per struct call keeps the hot path out of per-byte
# Python loops without building one large tuple per segment.
_CHUNK = const(32)
_CHUNK_FMT = ">16H"


def checksum(data, start=0):
    """The ones' complement sum of data (RFC 1071) added to start, folded to 16 bits."""
    s = start
    n = len(data)
    end = n - n % _CHUNK
    unpack = struct.unpack_from
    for off in range(0, end, _CHUNK):
        s += sum(unpack(_CHUNK_FMT, data, off))
    while end + 1 < n:
        s += (data[end] << 8) | data[end + 1]
        end += 2
    if end < n:
        s += data[end] << 8
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def pseudo_sum(src, dst, length):
    """The partial sum of the pseudo-header: IPv4 (RFC 9293 §3.1) for 4-byte
    addresses, IPv6 (RFC 8200 §8.1) for 16-byte ones."""
    if len(src) == 4:
        tail = struct.pack(">BBH", 0, PROTO_TCP, length)
    else:
        tail = struct.pack(">IHBB", length, 0, 0, PROTO_TCP)
    return checksum(tail, checksum(dst, checksum(src)))


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
    c = ~checksum(seg, pseudo_sum(src, dst, len(seg))) & 0xffff
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
    if checksum(seg, pseudo_sum(src, dst, n)) != 0xffff:
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
