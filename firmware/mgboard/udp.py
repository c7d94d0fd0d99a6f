# UDP segments (RFC 768) for either IP version: the checksum covers the IP
# pseudo-header, which is all that differs between IPv4 and IPv6.
import struct

from .inetsum import checksum, pseudo, finish

PROTO = 17
HEADER = 8


def segment(src, dst, sport, dport, payload):
    n = HEADER + len(payload)
    seg = bytearray(struct.pack(">HHHH", sport, dport, n, 0))
    seg.extend(payload)
    # Zero means "no checksum" (IPv4) and is forbidden over IPv6: send all ones.
    struct.pack_into(">H", seg, 6, finish(checksum(seg, pseudo(src, dst, PROTO, n))) or 0xffff)
    return seg


def parse(src, dst, seg):
    """(sport, dport, data view) of a UDP segment, or None when it is short or
    its checksum is wrong (zero: none sent, accepted over IPv4 only)."""
    if len(seg) < HEADER:
        return None
    sport, dport, n, c = struct.unpack_from(">HHHH", seg, 0)
    if n < HEADER or n > len(seg):
        return None
    if c == 0:
        if len(src) != 4:
            return None
    elif checksum(memoryview(seg)[:n], pseudo(src, dst, PROTO, n)) != 0xffff:
        return None
    return sport, dport, memoryview(seg)[HEADER:n]
