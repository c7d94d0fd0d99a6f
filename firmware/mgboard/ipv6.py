# IPv6 for the tunnel endpoint (RFC 8200): parse and build packets without
# extension headers, answer ICMPv6 echo (RFC 4443), and the ICMPv6 errors a
# router sends. UDP and TCP segments are the same as over IPv4 but for the
# pseudo-header (inetsum.pseudo).
import struct

from .inetsum import checksum, pseudo, finish

VERSION = 6
HEADER = 40
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_ICMP = 58
ICMP_UNREACHABLE = 1
ICMP_TIME_EXCEEDED = 3
ICMP_ECHO_REQUEST = 128
ICMP_ECHO_REPLY = 129
UNREACH_NO_ROUTE = 0
UNREACH_ADDRESS = 3
UNREACH_PORT = 4
DEFAULT_HOPS = 64
# An ICMPv6 error quotes as much of the offending packet as fits in the
# minimum MTU (RFC 4443 2.4 (c)).
MIN_MTU = 1280


def build(proto, src, dst, payload, hops=DEFAULT_HOPS):
    pkt = bytearray(struct.pack(">IHBB16s16s", 6 << 28, len(payload), proto, hops, src, dst))
    pkt.extend(payload)
    return pkt


def parse(pkt):
    """(next header, src, dst, payload view) of an IPv6 packet, or None when
    it is not one (truncated, wrong version)."""
    if len(pkt) < HEADER or pkt[0] >> 4 != VERSION:
        return None
    total = HEADER + ((pkt[4] << 8) | pkt[5])
    if total > len(pkt):
        return None
    mv = memoryview(pkt)
    return pkt[6], bytes(mv[8:24]), bytes(mv[24:40]), mv[HEADER:total]


def _icmp(kind, code, src, dst, body):
    msg = bytearray(struct.pack(">BBH", kind, code, 0))
    msg.extend(body)
    struct.pack_into(">H", msg, 2, finish(checksum(msg, pseudo(src, dst, PROTO_ICMP, len(msg)))))
    return build(PROTO_ICMP, src, dst, msg)


def echo_reply(src, dst, icmp):
    """The echo reply to an ICMPv6 echo request `icmp` that src sent to dst, or
    None when it is not a well-formed one."""
    if len(icmp) < 8 or icmp[0] != ICMP_ECHO_REQUEST or checksum(icmp, pseudo(src, dst, PROTO_ICMP, len(icmp))) != 0xffff:
        return None
    return _icmp(ICMP_ECHO_REPLY, 0, dst, src, memoryview(icmp)[4:])


def icmp_error(kind, code, src, offending):
    """An ICMPv6 error from src about `offending`, or None where RFC 4443 2.4
    (e) forbids one (the offending packet is an ICMPv6 error itself)."""
    p = parse(offending)
    if p is None:
        return None
    proto, osrc, _, payload = p
    if proto == PROTO_ICMP and (len(payload) < 1 or payload[0] < 128):
        return None
    quoted = memoryview(offending)[:MIN_MTU - HEADER - 8]
    return _icmp(kind, code, src, osrc, bytes(4) + bytes(quoted))
