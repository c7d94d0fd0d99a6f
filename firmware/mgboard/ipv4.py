# IPv4 for the tunnel endpoint: parse packets in place (memoryviews), build
# packets into fresh bytearrays, answer ICMP echo, and the ICMP errors a
# router sends (RFC 792, RFC 1812 4.3.2).
import struct

from .inetsum import checksum, pseudo, finish

VERSION = 4
HEADER = 20
PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17
ICMP_ECHO_REPLY = 0
ICMP_UNREACHABLE = 3
ICMP_ECHO_REQUEST = 8
ICMP_TIME_EXCEEDED = 11
UNREACH_NET = 0
UNREACH_HOST = 1
UNREACH_PORT = 3
DEFAULT_TTL = 64


def header(total_len, proto, src, dst, ttl=DEFAULT_TTL):
    h = bytearray(HEADER)
    struct.pack_into(">BBHHHBBH4s4s", h, 0, 0x45, 0, total_len, 0, 0x4000, ttl, proto, 0, src, dst)
    struct.pack_into(">H", h, 10, finish(checksum(h)))
    return h


def build(proto, src, dst, payload, ttl=DEFAULT_TTL):
    """An IPv4 packet around a finished transport payload."""
    pkt = header(HEADER + len(payload), proto, src, dst, ttl)
    pkt.extend(payload)
    return pkt


def parse(pkt):
    """(proto, src, dst, payload view) of an IPv4 packet, or None when it is
    not one we handle (not IPv4, fragmented, truncated, bad header checksum)."""
    if len(pkt) < HEADER or pkt[0] >> 4 != VERSION:
        return None
    ihl = (pkt[0] & 15) * 4
    total = (pkt[2] << 8) | pkt[3]
    mv = memoryview(pkt)
    if ihl < HEADER or total < ihl or total > len(pkt) or checksum(mv[:ihl]) != 0xffff:
        return None
    if (pkt[6] & 0x3f) or pkt[7]:
        return None                     # a fragment: not reassembled here
    return pkt[9], bytes(mv[12:16]), bytes(mv[16:20]), mv[ihl:total]


def echo_reply(src, dst, icmp):
    """The ICMP echo reply to an echo request `icmp` (the ICMP message) that
    `src` sent to `dst`, or None when it is not a well-formed echo request."""
    if len(icmp) < 8 or icmp[0] != ICMP_ECHO_REQUEST or checksum(icmp) != 0xffff:
        return None
    reply = bytearray(icmp)
    reply[0] = ICMP_ECHO_REPLY
    reply[2] = reply[3] = 0
    struct.pack_into(">H", reply, 2, finish(checksum(reply)))
    return build(PROTO_ICMP, dst, src, reply)


def icmp_error(kind, code, src, offending):
    """An ICMP error from `src` about the packet `offending`: its IP header and
    the first 8 bytes of its payload, as RFC 792 asks. None when the offending
    packet must not be answered (an ICMP error itself, a fragment)."""
    p = parse(offending)
    if p is None:
        return None
    proto, osrc, _, payload = p
    if proto == PROTO_ICMP and (len(payload) < 1 or payload[0] not in (ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY)):
        return None
    quoted = bytes(offending[:(offending[0] & 15) * 4 + 8])
    msg = bytearray(struct.pack(">BBHI", kind, code, 0, 0))
    msg.extend(quoted)
    struct.pack_into(">H", msg, 2, finish(checksum(msg)))
    return build(PROTO_ICMP, src, osrc, msg)
