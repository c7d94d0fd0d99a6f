# Router mode: the forwarding decisions between a LAN (a host or small
# network behind the board's serial link) and the tunnel, as RFC 1812 asks
# of a router: only the LAN prefix is forwarded (source check both ways),
# TTL / hop limit decremented, ICMP time exceeded and destination
# unreachable sent (rate-limited), the board's own addresses answer ping.
# I/O-free: it only calls the send functions it is given, so the host tests
# drive it directly. Counters are a dict of named drops and forwards.
from wireguard.ipaddr import parse_prefix, parse_ip

from . import ipv4, ipv6
from .inetsum import checksum


class TokenBucket:
    """At most `burst` at once, refilled at `rate` per second: bounds the ICMP
    errors a flood of bad packets can make us send (RFC 1812 4.3.2.8)."""

    def __init__(self, rate, burst, now):
        self.rate = rate
        self.burst = burst
        self.now = now
        self.tokens = burst
        self.at = now()

    def take(self):
        t = self.now()
        self.tokens = min(self.burst, self.tokens + (t - self.at) * self.rate)
        self.at = t
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def _header(pkt):
    """(ip module, version-checked packet trimmed to its length) or (None, None)
    for anything that is not a whole IPv4/IPv6 packet. Fragments pass: a
    router forwards them untouched (ipv4.parse, for local delivery, does not)."""
    n = len(pkt)
    if n < 20:
        return None, None
    v = pkt[0] >> 4
    if v == 4:
        ihl = (pkt[0] & 15) * 4
        total = (pkt[2] << 8) | pkt[3]
        if ihl < 20 or total < ihl or total > n or checksum(memoryview(pkt)[:ihl]) != 0xffff:
            return None, None
        return ipv4, pkt[:total] if total < n else pkt
    if v == 6 and n >= 40:
        total = 40 + ((pkt[4] << 8) | pkt[5])
        if total > n:
            return None, None
        return ipv6, pkt[:total] if total < n else pkt
    return None, None


def _addrs(ip, pkt):
    if ip is ipv4:
        return bytes(pkt[12:16]), bytes(pkt[16:20])
    return bytes(pkt[8:24]), bytes(pkt[24:40])


def _scoped(ip, src, dst):
    """Link-scoped or multicast/broadcast traffic: never forwarded, and not a
    spoof either (a LAN host's IPv6 stack sends router solicitations, say)."""
    if ip is ipv4:
        return dst[0] >= 224 or src[0] == 169 and src[1] == 254
    return dst[0] == 0xff or src[0] == 0xfe and src[1] & 0xc0 == 0x80 or src == bytes(16)


def _hop(pkt):
    """Decrement TTL / hop limit in place; IPv4's header checksum is updated
    incrementally (RFC 1624: HC' = ~(~HC + ~m + m')) over the TTL/proto word."""
    if pkt[0] >> 4 == 6:
        pkt[7] -= 1
        return
    m = (pkt[8] << 8) | pkt[9]
    s = (~((pkt[10] << 8) | pkt[11]) & 0xffff) + (~m & 0xffff) + (m - 0x100)
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    c = ~s & 0xffff
    pkt[8] -= 1
    pkt[10] = c >> 8
    pkt[11] = c & 0xff


def _ttl(pkt):
    return pkt[7] if pkt[0] >> 4 == 6 else pkt[8]


class Router:
    def __init__(self, lan_prefix, lan_address, to_lan, to_tunnel, covers, now,
                 tunnel_reply=None, local=(), icmp_rate=10, icmp_burst=10):
        """lan_prefix / lan_address: text, or lists of text (one per family).
        to_lan(pkt), to_tunnel(pkt): where forwarded packets go. covers(dst
        bytes): some peer's allowed IPs hold dst. now(): seconds. tunnel_reply:
        how packets answering the tunnel are sent (default to_tunnel; the glue
        queues them, as they are made while the engine's output is walked).
        local: further addresses of the board (its tunnel addresses)."""
        # (length, network, mask) as integers: one AND per packet, no allocation loop.
        self.prefixes = []
        for p in _list(lan_prefix):
            ip, cidr = parse_prefix(p)
            bits = len(ip) * 8
            mask = ((1 << cidr) - 1) << (bits - cidr)
            self.prefixes.append((len(ip), int.from_bytes(ip, "big") & mask, mask))
        self.lan_addresses = [parse_ip(a) for a in _list(lan_address)]
        self.tunnel_addresses = [bytes(a) for a in local]
        self.local = set(self.lan_addresses + self.tunnel_addresses)
        self.to_lan = to_lan
        self.to_tunnel = to_tunnel
        self.tunnel_reply = tunnel_reply or to_tunnel
        self.covers = covers
        self.icmp = TokenBucket(icmp_rate, icmp_burst, now)
        self.counters = {}
        self.last_error = None

    def count(self, name):
        self.counters[name] = self.counters.get(name, 0) + 1

    def in_lan(self, a):
        n = len(a)
        v = int.from_bytes(a, "big")
        for size, net, mask in self.prefixes:
            if size == n and v & mask == net:
                return True
        return False

    def _source(self, dst, toward_lan):
        """The address an ICMP message of ours toward dst comes from: that of
        the side it leaves by (RFC 1812 4.3.2.4), else any of its family."""
        side, other = self.lan_addresses, self.tunnel_addresses
        for a in (side + other if toward_lan else other + side):
            if len(a) == len(dst):
                return a
        return None

    def _error(self, ip, kind, code, pkt, send, toward_lan, src):
        if not self.icmp.take():
            self.count("icmp_limited")
            return
        me = self._source(src, toward_lan)
        msg = ip.icmp_error(kind, code, me, pkt) if me else None
        if msg is not None:
            self.count("icmp_sent")
            send(msg)

    def _local(self, ip, pkt, send):
        p = ip.parse(pkt)
        reply = ip.echo_reply(p[1], p[2], p[3]) if p and p[0] == ip.PROTO_ICMP else None
        if reply is None:
            self.count("local_dropped")
        else:
            self.count("echo")
            send(reply)

    def from_lan(self, pkt):
        """One packet off the LAN link."""
        ip, pkt = _header(pkt)
        if ip is None:
            self.count("lan_bad")
            return
        src, dst = _addrs(ip, pkt)
        if _scoped(ip, src, dst):
            self.count("lan_scoped")
            return
        if not self.in_lan(src):
            self.count("lan_spoofed")
            return
        if dst in self.local:
            self._local(ip, pkt, self.to_lan)
            return
        if self.in_lan(dst):
            self.count("lan_to_lan")     # the LAN reaches its own hosts without us
            return
        if not self.covers(dst):
            self.count("no_route")
            code = ipv4.UNREACH_NET if ip is ipv4 else ipv6.UNREACH_NO_ROUTE
            self._error(ip, ip.ICMP_UNREACHABLE, code, pkt, self.to_lan, True, src)
            return
        if _ttl(pkt) <= 1:
            self.count("ttl_exceeded")
            self._error(ip, ip.ICMP_TIME_EXCEEDED, 0, pkt, self.to_lan, True, src)
            return
        pkt = bytearray(pkt)
        _hop(pkt)
        self.count("to_tunnel")
        self.to_tunnel(pkt)

    def from_tunnel(self, pkt):
        """One packet out of the tunnel not addressed to the board's tunnel
        addresses (the engine has checked its source against the peer's
        allowed IPs)."""
        ip, pkt = _header(pkt)
        if ip is None:
            self.count("tunnel_bad")
            return
        src, dst = _addrs(ip, pkt)
        if dst in self.local:
            self._local(ip, pkt, self.tunnel_reply)
            return
        if not self.in_lan(dst) or _scoped(ip, src, dst):
            self.count("tunnel_not_lan")
            return
        if _ttl(pkt) <= 1:
            self.count("ttl_exceeded")
            self._error(ip, ip.ICMP_TIME_EXCEEDED, 0, pkt, self.tunnel_reply, False, src)
            return
        pkt = bytearray(pkt)
        _hop(pkt)
        self.count("to_lan")
        self.to_lan(pkt)


def _list(v):
    return [v] if isinstance(v, str) else list(v)
