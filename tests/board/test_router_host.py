"""mgboard.router on the host (CPython): the forwarding decisions of router
mode without a board. The same module runs frozen on the board
(test_board_router.py)."""
import random
import struct

from mgboard import ipv4, ipv6
from mgboard.inetsum import checksum
from mgboard.router import Router, TokenBucket, _hop
from wireguard.ipaddr import parse_ip

LAN_HOST = parse_ip("192.168.50.2")
FAR = parse_ip("172.16.9.2")
ME_LAN = parse_ip("192.168.50.1")
ME_TUNNEL = parse_ip("10.0.0.2")


def echo(src, dst, ttl=64):
    icmp = bytearray(b"\x08\0\0\0\0\1\0\1abcdefgh")
    struct.pack_into(">H", icmp, 2, ~checksum(icmp) & 0xffff)
    return bytes(ipv4.build(ipv4.PROTO_ICMP, src, dst, icmp, ttl=ttl))


def echo6(src, dst, hops=64):
    return bytes(ipv6.build(ipv6.PROTO_UDP, src, dst, b"12345678", hops=hops))


class Lab:
    def __init__(self, **kw):
        self.lan, self.tunnel, self.replies = [], [], []
        self.t = 0.0
        covered = (parse_ip("10.0.0.0"), parse_ip("172.16.9.0"))
        self.r = Router(kw.pop("prefix", "192.168.50.0/24"), kw.pop("address", "192.168.50.1"),
                        self.lan.append, self.tunnel.append,
                        lambda d: d[:3] in (c[:3] for c in covered) or d[:2] == b"\xfd\x01",
                        lambda: self.t, tunnel_reply=self.replies.append, local=[ME_TUNNEL], **kw)


def test_hop_updates_checksum_incrementally():
    rnd = random.Random(1)
    for _ in range(3000):
        ttl = rnd.randint(2, 255)
        p = ipv4.build(rnd.randrange(256), rnd.randbytes(4), rnd.randbytes(4), b"x" * 5, ttl=ttl)
        p[1] = rnd.randrange(256)
        p[4:6] = rnd.randbytes(2)
        p[10:12] = b"\0\0"
        struct.pack_into(">H", p, 10, ~checksum(p[:20]) & 0xffff)
        _hop(p)
        assert p[8] == ttl - 1 and checksum(p[:20]) == 0xffff


def test_lan_to_tunnel_and_back():
    lab = Lab()
    lab.r.from_lan(echo(LAN_HOST, FAR))
    assert len(lab.tunnel) == 1 and lab.tunnel[0][8] == 63 and checksum(lab.tunnel[0][:20]) == 0xffff
    lab.r.from_tunnel(echo(FAR, LAN_HOST))
    assert len(lab.lan) == 1 and lab.lan[0][8] == 63
    assert lab.r.counters == {"to_tunnel": 1, "to_lan": 1}


def test_source_checks():
    lab = Lab()
    lab.r.from_lan(echo(parse_ip("192.168.60.2"), FAR))
    lab.r.from_tunnel(echo(FAR, parse_ip("198.51.100.7")))
    lab.r.from_lan(echo(LAN_HOST, parse_ip("192.168.50.9")))
    assert not lab.lan and not lab.tunnel and not lab.replies
    assert lab.r.counters == {"lan_spoofed": 1, "tunnel_not_lan": 1, "lan_to_lan": 1}


def test_icmp_errors_and_echo():
    lab = Lab()
    lab.r.from_lan(echo(LAN_HOST, FAR, ttl=1))
    lab.r.from_lan(echo(LAN_HOST, parse_ip("203.0.113.5")))
    lab.r.from_lan(echo(LAN_HOST, ME_LAN))
    lab.r.from_lan(echo(LAN_HOST, ME_TUNNEL))
    kinds = [(p[12:16], p[16:20], p[20], p[21]) for p in lab.lan]
    assert kinds == [(ME_LAN, LAN_HOST, ipv4.ICMP_TIME_EXCEEDED, 0),
                     (ME_LAN, LAN_HOST, ipv4.ICMP_UNREACHABLE, ipv4.UNREACH_NET),
                     (ME_LAN, LAN_HOST, ipv4.ICMP_ECHO_REPLY, 0),
                     (ME_TUNNEL, LAN_HOST, ipv4.ICMP_ECHO_REPLY, 0)]
    # From the tunnel side errors come from the tunnel address, and go back in.
    lab.r.from_tunnel(echo(FAR, LAN_HOST, ttl=1))
    lab.r.from_tunnel(echo(FAR, ME_LAN))
    assert [(p[12:16], p[20]) for p in lab.replies] == [(ME_TUNNEL, ipv4.ICMP_TIME_EXCEEDED),
                                                        (ME_LAN, ipv4.ICMP_ECHO_REPLY)]
    assert not lab.tunnel


def test_icmp_errors_rate_limited():
    lab = Lab(icmp_rate=2, icmp_burst=3)
    for _ in range(10):
        lab.r.from_lan(echo(LAN_HOST, parse_ip("203.0.113.5")))
    assert len(lab.lan) == 3 and lab.r.counters["icmp_limited"] == 7
    lab.t += 1.0                        # two more tokens a second later
    for _ in range(10):
        lab.r.from_lan(echo(LAN_HOST, parse_ip("203.0.113.5")))
    assert len(lab.lan) == 5
    assert lab.r.counters["no_route"] == 20


def test_token_bucket():
    t = [0.0]
    b = TokenBucket(1, 2, lambda: t[0])
    assert [b.take() for _ in range(3)] == [True, True, False]
    t[0] = 10.0
    assert [b.take() for _ in range(3)] == [True, True, False]   # never more than the burst


def test_ipv6():
    lab = Lab(prefix=["192.168.50.0/24", "fd50::/64"], address=["192.168.50.1", "fd50::1"])
    host, far = parse_ip("fd50::2"), parse_ip("fd01::2")
    lab.r.from_lan(echo6(host, far))
    assert lab.tunnel[0][7] == 63
    lab.r.from_lan(echo6(host, far, hops=1))
    assert lab.lan[-1][40] == ipv6.ICMP_TIME_EXCEEDED and lab.lan[-1][8:24] == parse_ip("fd50::1")
    lab.r.from_lan(echo6(host, parse_ip("2001:db8::1")))
    assert lab.lan[-1][40] == ipv6.ICMP_UNREACHABLE
    lab.r.from_lan(echo6(parse_ip("fe80::2"), parse_ip("ff02::2")))    # a router solicitation: no spoof
    lab.r.from_tunnel(echo6(far, host))
    assert lab.lan[-1][7] == 63
    assert lab.r.counters.get("lan_spoofed") is None and lab.r.counters["lan_scoped"] == 1


def test_bad_input_never_raises():
    lab = Lab()
    rnd = random.Random(2)
    good = echo(LAN_HOST, FAR)
    cases = [b"", b"\x45", b"\x45" * 19, good[:30], b"\x60" + bytes(45), bytes(range(60))]
    cases += [bytes(rnd.randrange(256) for _ in range(rnd.randrange(80))) for _ in range(2000)]
    cases += [bytes(b ^ (rnd.randrange(256) if rnd.random() < 0.05 else 0) for b in good) for _ in range(500)]
    for c in cases:
        lab.r.from_lan(c)
        lab.r.from_tunnel(c)
        lab.r.from_lan(memoryview(bytearray(c)))
    assert lab.r.counters["lan_bad"] > 2000
