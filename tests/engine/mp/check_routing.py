# Cryptokey routing through the engine: several peers, spoofed sources,
# IPv6, roaming endpoints, preshared keys.
from enginekit import Node, Clock, Net, pair, ipv4, ipv6, udp_of, no_errors
from wireguard.ipaddr import parse_prefix, parse_ip
from wireguard.constants import MSG_INITIATION


def _hub():
    """Hub H with spokes S1..S3, each owning distinct allowed IPs at H."""
    clock = Clock()
    h = Node("h", 10, ("192.0.2.10", 51820), clock)
    spokes = []
    for i in (1, 2, 3):
        s = Node("s%d" % i, 10 + i, ("192.0.2.%d" % (10 + i), 51820), clock)
        s.peer = s.dev.add_peer(h.public, None, h.addr, 0, [parse_prefix("10.0.0.0/8"),
                                                           parse_prefix("fd00::/16")])
        s.hub_peer = h.dev.add_peer(s.public, None, None, 0, [
            parse_prefix("10.%d.0.0/16" % i), parse_prefix("fd00:%d::/32" % i)])
        spokes.append(s)
    # Spoke 3 additionally owns a more specific route inside spoke 1's /16.
    h.dev.add_allowed_ip(spokes[2].hub_peer, parse_ip("10.1.5.0"), 24)
    return clock, h, spokes, Net(h, *spokes)


def test_three_peers_distinct_allowed_ips():
    clock, h, (s1, s2, s3), net = _hub()
    # Spokes connect (H has no endpoints until they do).
    for s in (s1, s2, s3):
        n = s.name[1]
        net.deliver(s, s.dev.send_packet(ipv4("10.%s.0.1" % n, "10.0.0.1", b"up"), clock.t), clock.t)
    assert len(net.tun["h"]) == 3
    assert h.dev.get_peer(s2.public).endpoint == s2.addr
    for dst, who in (("10.1.0.9", s1), ("10.2.3.4", s2), ("10.3.255.1", s3), ("10.1.5.7", s3)):
        p = ipv4("10.0.0.1", dst, b"to " + dst.encode())
        out = h.dev.send_packet(p, clock.t)
        assert [x[1] for x in udp_of(out)] == [who.addr], dst
        net.deliver(h, out, clock.t)
        assert net.tun[who.name][-1] == p
    assert h.dev.send_packet(ipv4("10.0.0.1", "10.4.0.1"), clock.t) == []
    assert h.dev.drops["no_route"] == 1
    no_errors(h, s1, s2, s3)


def test_ipv6_routing():
    clock, h, (s1, s2, s3), net = _hub()
    a1 = parse_ip("fd00:1::1")
    hub = parse_ip("fd00::1")
    net.deliver(s1, s1.dev.send_packet(ipv6(a1, hub, b"v6 up"), clock.t), clock.t)
    assert net.tun["h"] == [ipv6(a1, hub, b"v6 up")]
    p = ipv6(hub, parse_ip("fd00:1:abcd::5"), b"back")
    net.deliver(h, h.dev.send_packet(p, clock.t), clock.t)
    assert net.tun["s1"] == [p]
    no_errors(h, s1)


def test_spoofed_inner_source_dropped():
    clock, h, (s1, s2, s3), net = _hub()
    net.deliver(s1, s1.dev.send_packet(ipv4("10.1.0.1", "10.0.0.1", b"ok"), clock.t), clock.t)
    assert len(net.tun["h"]) == 1
    # S1 claims an address that belongs to S2, to S3's more specific
    # route, and to nobody: all dropped by H.
    for src in ("10.2.0.1", "10.1.5.1", "172.16.0.1"):
        net.deliver(s1, s1.dev.send_packet(ipv4(src, "10.0.0.1", b"spoof"), clock.t), clock.t)
    net.deliver(s1, s1.dev.send_packet(ipv6(parse_ip("fd00:2::1"), parse_ip("fd00::1")), clock.t), clock.t)
    assert len(net.tun["h"]) == 1
    assert h.dev.drops["spoofed_source"] == 4
    no_errors(h, s1)


def test_remove_peer_frees_routes_and_indices():
    clock, h, (s1, s2, s3), net = _hub()
    net.deliver(s2, s2.dev.send_packet(ipv4("10.2.0.1", "10.0.0.1"), clock.t), clock.t)
    kp = h.dev.get_peer(s2.public).keypairs.current
    assert h.dev.indices.get(kp.local_index) is kp
    assert h.dev.remove_peer(s2.public)
    assert h.dev.indices.get(kp.local_index) is None
    assert h.dev.send_packet(ipv4("10.0.0.1", "10.2.0.1"), clock.t) == []
    assert h.dev.get_peer(s2.public) is None
    # S2's next packet is now undecryptable noise to H.
    out = s2.dev.send_packet(ipv4("10.2.0.1", "10.0.0.1"), clock.t)
    assert h.dev.receive_datagram(udp_of(out)[0][2], s2.addr, clock.t) == []
    assert h.dev.drops["unknown_index"] == 1
    no_errors(h, s1, s3)


def test_roaming_endpoint_follows_authenticated_packets():
    clock, a, b, net = pair()
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t), clock.t)
    assert b.peer.endpoint == a.addr
    # A moves to a new address (NAT rebinding): B answers there.
    old = a.addr
    del net.nodes[old]
    a.addr = ("198.51.100.20", 40000)
    net.nodes[a.addr] = a
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"moved"), clock.t), clock.t)
    assert b.peer.endpoint == a.addr
    out = b.dev.send_packet(ipv4("10.0.0.2", "10.0.0.1", b"reply"), clock.t)
    assert udp_of(out)[0][1] == a.addr
    # Unauthenticated junk from elsewhere does not move the endpoint.
    junk = bytearray(udp_of(out)[0][2])
    junk[-1] ^= 1
    b.dev.receive_datagram(junk, ("203.0.113.66", 1), clock.t)
    assert b.peer.endpoint == a.addr
    no_errors(a, b)


def test_preshared_key_both_sides():
    psk = bytes(range(32))
    clock, a, b, net = pair(psk=psk)
    p = ipv4("10.0.0.1", "10.0.0.2", b"psk")
    net.deliver(a, a.dev.send_packet(p, clock.t), clock.t)
    assert net.tun["b"] == [p]
    assert a.keylog[0][3] == psk and b.keylog[0][3] == psk
    no_errors(a, b)


def test_preshared_key_mismatch_fails():
    clock, a, b, net = pair(psk=bytes(range(32)))
    b.dev.set_preshared_key(b.peer, bytes(32))
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t), clock.t)
    # B answers (it cannot tell), but A cannot authenticate the response.
    assert a.dev.drops["bad_handshake"] == 1
    assert a.peer.keypairs.all() == [] and "b" not in net.tun


def test_unknown_peer_initiation_dropped():
    clock, a, b, net = pair()
    b.dev.remove_peer(a.public)
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t), clock.t)
    assert b.dev.drops["unknown_peer"] == 1
    assert len(b.dev.indices) == 0


def test_private_key_change_forces_new_handshake():
    clock, a, b, net = pair()
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t), clock.t)
    from enginekit import keypair
    priv, pub = keypair(a.rng)
    a.dev.set_private_key(priv)
    assert a.dev.public_key == pub
    clock.t += 6
    out = a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t)
    assert [x[2][0] for x in udp_of(out)] == [MSG_INITIATION]
    net.deliver(a, out, clock.t)
    assert b.dev.drops["unknown_peer"] == 1        # B does not know the new key
