# Hostile and broken input: every message type truncated at every length,
# oversized, wrong type, wrong index, bad MACs, bad tags, replays. All must be
# dropped and counted without an exception escaping or state changing.
from enginekit import pair, ipv4, udp_of, tun_of, no_errors
from wireguard.constants import (MSG_INITIATION, MSG_RESPONSE, MSG_COOKIE_REPLY,
                                 MSG_TRANSPORT, MAX_DATAGRAM_LEN)


def _capture_all():
    """A full exchange with every message type captured: returns the pair
    plus initiation, response, first transport packet and a cookie reply."""
    clock, a, b, net = pair()
    b.dev.load.forced = True
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"data"), clock.t), clock.t)
    cookie = [d[2] for d in net.sent if d[2][0] == MSG_COOKIE_REPLY][0]
    b.dev.load.forced = None
    clock.t += 6
    net.deliver(a, a.dev.tick(clock.t), clock.t)
    init = [d[2] for d in net.sent if d[2][0] == MSG_INITIATION][-1]
    resp = [d[2] for d in net.sent if d[2][0] == MSG_RESPONSE][0]
    data = [d[2] for d in net.sent if d[2][0] == MSG_TRANSPORT][0]
    assert net.tun["b"] == [ipv4("10.0.0.1", "10.0.0.2", b"data")]
    return clock, a, b, net, init, resp, data, cookie


def _total_drops(dev):
    n = 0
    for k in dev.drops:
        n += dev.drops[k]
    return n


def _state(node):
    kps = node.peer.keypairs
    return (kps.previous, kps.current, kps.next, node.peer.endpoint,
            node.peer.handshake.state, len(node.dev.indices))


def test_every_truncation_of_every_type():
    clock, a, b, net, init, resp, data, cookie = _capture_all()
    for node in (a, b):
        before = _state(node)
        drops = _total_drops(node.dev)
        count = 0
        for msg in (init, resp, data, cookie):
            for n in range(len(msg)):
                out = node.dev.receive_datagram(msg[:n], ("198.51.100.9", 9), clock.t)
                assert out == [], (msg[0], n, out)
                count += 1
        assert _total_drops(node.dev) - drops == count
        assert _state(node) == before
        assert node.peer.endpoint != ("198.51.100.9", 9)
    no_errors(a, b)


def test_oversized_and_extended_messages():
    clock, a, b, net, init, resp, data, cookie = _capture_all()
    for msg in (init, resp, cookie):
        assert b.dev.receive_datagram(msg + b"\x00", a.addr, clock.t) == []
    assert b.dev.drops["malformed"] == 3
    big = bytearray(MAX_DATAGRAM_LEN + 1)
    big[0] = MSG_TRANSPORT
    assert b.dev.receive_datagram(big, a.addr, clock.t) == []
    assert b.dev.drops["oversized"] == 1
    no_errors(a, b)


def test_wrong_type_and_reserved_bytes():
    clock, a, b, net, init, resp, data, cookie = _capture_all()
    for t in (0, 5, 6, 255):
        m = bytearray(data)
        m[0] = t
        assert b.dev.receive_datagram(m, a.addr, clock.t) == []
    for i in (1, 2, 3):
        m = bytearray(data)
        m[i] = 1
        assert b.dev.receive_datagram(m, a.addr, clock.t) == []
    assert b.dev.drops["bad_type"] == 7
    assert b.dev.receive_datagram(b"", a.addr, clock.t) == []
    no_errors(a, b)


def test_unknown_receiver_index():
    clock, a, b, net, init, resp, data, cookie = _capture_all()
    for msg, off in ((data, 4), (cookie, 4)):
        m = bytearray(msg)
        m[off] ^= 0x5A
        assert b.dev.receive_datagram(m, a.addr, clock.t) == []
        assert a.dev.receive_datagram(m, b.addr, clock.t) == []
    assert b.dev.drops["unknown_index"] == 2 and a.dev.drops["unknown_index"] == 2
    # A response to an initiation A never sent (valid MAC1, unknown index).
    from wireguard.cookie import mac1_key
    from wireguard.crypto import mac
    m = bytearray(resp)
    m[8] ^= 0x5A
    m[60:76] = mac(mac1_key(a.public), bytes(m[:60]))
    assert a.dev.receive_datagram(m, b.addr, clock.t) == []
    assert a.dev.drops["unknown_index"] == 3
    no_errors(a, b)


def test_bad_mac1_every_byte():
    clock, a, b, net, init, resp, data, cookie = _capture_all()
    # Flip one bit anywhere before MAC2: MAC1 no longer matches.
    for i in range(4, len(init) - 16):
        m = bytearray(init)
        m[i] ^= 0x01
        assert b.dev.receive_datagram(m, a.addr, clock.t + 1) == []
    assert b.dev.drops["bad_mac1"] == len(init) - 20
    no_errors(a, b)


def test_handshake_tampered_with_valid_mac1():
    clock, a, b, net, init, resp, data, cookie = _capture_all()
    from wireguard.cookie import mac1_key
    from wireguard.crypto import mac
    key = mac1_key(b.public)
    for off in (8, 40, 88, 100):
        m = bytearray(init)
        m[off] ^= 0x80
        m[116:132] = mac(key, bytes(m[:116]))
        assert b.dev.receive_datagram(m, a.addr, clock.t + 1) == []
    assert b.dev.drops.get("bad_handshake", 0) == 4, b.dev.drops
    no_errors(a, b)


def test_replayed_initiation_rejected():
    clock, a, b, net, init, resp, data, cookie = _capture_all()
    kp = b.peer.keypairs.current
    assert b.dev.receive_datagram(init, a.addr, clock.t + 30) == []
    assert b.dev.drops["replayed_initiation"] == 1
    assert b.peer.keypairs.current is kp
    no_errors(a, b)


def test_bad_tag_and_replayed_data():
    clock, a, b, net, init, resp, data, cookie = _capture_all()
    data = udp_of(a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"fresh"), clock.t))[0][2]
    m = bytearray(data)
    m[-1] ^= 1
    assert b.dev.receive_datagram(m, a.addr, clock.t) == []
    m = bytearray(data)
    m[20] ^= 1
    assert b.dev.receive_datagram(m, a.addr, clock.t) == []
    m = bytearray(data)
    m[9] ^= 1                                  # counter is authenticated as the nonce
    assert b.dev.receive_datagram(m, a.addr, clock.t) == []
    assert b.dev.drops["bad_tag"] == 3
    assert tun_of(b.dev.receive_datagram(data, a.addr, clock.t)) == [ipv4("10.0.0.1", "10.0.0.2", b"fresh")]
    assert b.dev.receive_datagram(data, a.addr, clock.t) == []
    assert b.dev.drops["replay"] == 1
    no_errors(a, b)


def test_random_garbage_never_raises():
    import random
    clock, a, b, net, init, resp, data, cookie = _capture_all()
    random.seed(3)
    samples = (init, resp, data, cookie)
    for i in range(1500):
        base = bytearray(samples[i % 4])
        for _ in range(random.randint(1, 4)):
            base[random.randint(0, len(base) - 1)] = random.getrandbits(8)
        if random.random() < 0.3:
            base = base[:random.randint(0, len(base))]
        b.dev.receive_datagram(base, ("203.0.113.5", 1000), clock.t + i * 0.001)
        a.dev.receive_datagram(base, ("203.0.113.5", 1000), clock.t + i * 0.001)
    assert b.peer.endpoint == a.addr and a.peer.endpoint == b.addr
    no_errors(a, b)


def test_malformed_outgoing_packets():
    clock, a, b, net = pair()
    for pkt in (b"", b"\x45" * 10, b"\x60" * 20, b"\x00" * 40, bytes([0x50]) + bytes(40)):
        assert a.dev.send_packet(pkt, clock.t) == []
    assert a.dev.drops["bad_outgoing_packet"] == 5
    assert a.dev.send_packet(ipv4("10.0.0.1", "10.9.9.9"), clock.t) == []
    assert a.dev.drops["no_route"] == 1
    no_errors(a, b)


def test_inner_packet_length_checks():
    clock, a, b, net = pair()
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"x"), clock.t), clock.t)
    # An inner header claiming more bytes than were sent is dropped at B.
    bogus = bytearray(ipv4("10.0.0.1", "10.0.0.2", b"abcd"))
    bogus[2:4] = b"\x01\x00"
    out = a.dev.send_packet(bogus, clock.t)
    assert tun_of(b.dev.receive_datagram(udp_of(out)[0][2], a.addr, clock.t)) == []
    assert b.dev.drops["bad_inner_packet"] == 1
    # Padding is stripped: B sees exactly the packet A sent.
    p = ipv4("10.0.0.1", "10.0.0.2", b"abc")
    out = a.dev.send_packet(p, clock.t)
    assert tun_of(b.dev.receive_datagram(udp_of(out)[0][2], a.addr, clock.t)) == [p]
    no_errors(a, b)
