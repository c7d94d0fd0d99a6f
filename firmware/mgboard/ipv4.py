# The minimum of IPv4 a tunnel endpoint needs: UDP datagrams in and out, and
# answers to ICMP echo. Packets are parsed in place (memoryviews) and built
# into fresh bytearrays.
import struct

PROTO_ICMP = 1
PROTO_UDP = 17
ICMP_ECHO_REPLY = 0
ICMP_ECHO_REQUEST = 8


def checksum(data, start=0):
    """The Internet checksum (RFC 1071) of data, folded into 16 bits."""
    s = start
    n = len(data)
    for i in range(0, n - 1, 2):
        s += (data[i] << 8) | data[i + 1]
    if n & 1:
        s += data[n - 1] << 8
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def _header(total_len, proto, src, dst, ident=0):
    h = bytearray(20)
    struct.pack_into(">BBHHHBBH4s4s", h, 0, 0x45, 0, total_len, ident, 0x4000, 64, proto, 0, src, dst)
    struct.pack_into(">H", h, 10, ~checksum(h) & 0xffff)
    return h


def build_udp(src, dst, sport, dport, payload):
    """An IPv4/UDP packet; src and dst are 4-byte addresses."""
    n = 8 + len(payload)
    pkt = _header(20 + n, PROTO_UDP, src, dst)
    pkt.extend(struct.pack(">HHHH", sport, dport, n, 0))
    pkt.extend(payload)
    # UDP checksum over the pseudo-header, header and payload.
    pseudo = checksum(src + dst + struct.pack(">BBH", 0, PROTO_UDP, n))
    c = ~checksum(memoryview(pkt)[20:], pseudo) & 0xffff
    struct.pack_into(">H", pkt, 26, c or 0xffff)
    return pkt


def parse(pkt):
    """(proto, src, dst, payload view) of an IPv4 packet, or None when it is
    not one we handle (not IPv4, fragmented, truncated, bad header checksum)."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return None
    ihl = (pkt[0] & 15) * 4
    total = (pkt[2] << 8) | pkt[3]
    if ihl < 20 or total < ihl or total > len(pkt) or checksum(memoryview(pkt)[:ihl]) != 0xffff:
        return None
    if (pkt[6] & 0x3f) or pkt[7]:
        return None                     # a fragment: not reassembled here
    mv = memoryview(pkt)
    return pkt[9], bytes(mv[12:16]), bytes(mv[16:20]), mv[ihl:total]


def parse_udp(payload):
    """(sport, dport, data view) of a UDP segment, or None."""
    if len(payload) < 8:
        return None
    sport, dport, n = struct.unpack_from(">HHH", payload, 0)
    if n < 8 or n > len(payload):
        return None
    return sport, dport, payload[8:n]


def echo_reply(src, dst, icmp):
    """The ICMP echo reply to an echo request `icmp` (the ICMP message) that
    `src` sent to `dst`, or None when it is not a well-formed echo request."""
    if len(icmp) < 8 or icmp[0] != ICMP_ECHO_REQUEST or checksum(icmp) != 0xffff:
        return None
    reply = bytearray(icmp)
    reply[0] = ICMP_ECHO_REPLY
    reply[2] = reply[3] = 0
    struct.pack_into(">H", reply, 2, ~checksum(reply) & 0xffff)
    pkt = _header(20 + len(reply), PROTO_ICMP, dst, src)
    pkt.extend(reply)
    return pkt
