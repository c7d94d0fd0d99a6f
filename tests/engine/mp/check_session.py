# Handshake and data transcripts between two engines on an injected clock.
from enginekit import pair, ipv4, udp_of, tun_of, no_errors
from wireguard.constants import (INITIATION_LEN, RESPONSE_LEN, TRANSPORT_MIN_LEN,
                                 MSG_INITIATION, MSG_RESPONSE, MSG_TRANSPORT)


def _handshake(clock, a, b, net):
    pkt = ipv4("10.0.0.1", "10.0.0.2", b"hello")
    acts = a.dev.send_packet(pkt, clock.t)
    udp = udp_of(acts)
    assert len(udp) == 1 and len(udp[0][2]) == INITIATION_LEN and udp[0][2][0] == MSG_INITIATION
    assert udp[0][1] == b.addr
    net.deliver(a, acts, clock.t)
    return pkt


def test_handshake_then_queued_packet_delivered():
    clock, a, b, net = pair()
    pkt = _handshake(clock, a, b, net)
    kinds = [d[2][0] for d in net.sent]
    assert kinds == [MSG_INITIATION, MSG_RESPONSE, MSG_TRANSPORT], kinds
    assert len(net.sent[1][2]) == RESPONSE_LEN
    assert net.tun["b"] == [pkt]
    assert a.dev.peers()[0].keypairs.current is not None
    assert b.peer.keypairs.current is not None and b.peer.keypairs.next is None
    assert "handshake_complete" in a.events and "handshake_complete" in b.events
    assert a.peer.last_handshake == a.wall()
    no_errors(a, b)


def test_data_both_ways_and_padding():
    clock, a, b, net = pair()
    _handshake(clock, a, b, net)
    for size in (0, 1, 15, 16, 17, 100, 1379):
        p = ipv4("10.0.0.2", "10.0.0.1", bytes([size & 0xFF]) * size)
        acts = b.dev.send_packet(p, clock.t)
        udp = udp_of(acts)
        assert len(udp) == 1
        body = len(udp[0][2]) - TRANSPORT_MIN_LEN
        assert body % 16 == 0 and body >= len(p), (size, body)
        net.deliver(b, acts, clock.t)
        assert net.tun["a"][-1] == p
    p = ipv4("10.0.0.1", "10.0.0.2", b"x" * 500)
    net.deliver(a, a.dev.send_packet(p, clock.t), clock.t)
    assert net.tun["b"][-1] == p
    assert a.peer.tx_bytes > 0 and a.peer.rx_bytes > 0
    assert a.peer.tx_bytes == b.peer.rx_bytes and b.peer.tx_bytes == a.peer.rx_bytes
    no_errors(a, b)


def test_responder_cannot_send_before_confirmation():
    clock, a, b, net = pair()
    # Carry only the initiation: B holds an unconfirmed "next" keypair.
    acts = a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t)
    resp = b.dev.receive_datagram(udp_of(acts)[0][2], a.addr, clock.t)
    assert b.peer.keypairs.next is not None and b.peer.keypairs.current is None
    out = b.dev.send_packet(ipv4("10.0.0.2", "10.0.0.1", b"early"), clock.t)
    assert udp_of(out) == []         # queued, and no initiation within REKEY_TIMEOUT
    assert len(b.peer.queue) == 1
    # The response reaches A, A's first data confirms; B flushes its queue.
    net.deliver(b, resp, clock.t)
    assert b.peer.keypairs.current is not None and b.peer.queue == []
    assert net.tun["a"][-1] == ipv4("10.0.0.2", "10.0.0.1", b"early")
    no_errors(a, b)


def test_keepalive_sent_after_receiving_data_only():
    clock, a, b, net = pair()
    _handshake(clock, a, b, net)
    n_before = len(net.sent)
    # A sent data; B received it and has nothing to say: after 10 s B sends a keepalive.
    net.run_until(clock, clock.t + 9.5)
    assert len(net.sent) == n_before
    net.run_until(clock, clock.t + 1.0)
    new = net.sent[n_before:]
    assert len(new) == 1 and new[0][0] is b and len(new[0][2]) == TRANSPORT_MIN_LEN, new
    assert a.dev.counters.get("keepalive_received") == 1
    # A received only a keepalive: it must not answer with another one.
    net.run_until(clock, clock.t + 30)
    assert len(net.sent) == n_before + 1
    no_errors(a, b)


def test_no_reply_triggers_new_handshake():
    clock, a, b, net = pair()
    _handshake(clock, a, b, net)
    start = clock.t
    # From now on B hears A but A hears nothing back.
    net.filter = lambda src, dst, data: src is a
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"ping"), clock.t), clock.t)
    before = len(net.sent)
    net.run_until(clock, start + 14.95, step=0.05)
    inits = [d for d in net.sent[before:] if d[0] is a and d[2][0] == MSG_INITIATION]
    assert inits == [], "too early"
    net.run_until(clock, start + 15.4, step=0.05)   # 10 + 5 + jitter (< 1/3 s)
    inits = [d for d in net.sent[before:] if d[0] is a and d[2][0] == MSG_INITIATION]
    assert len(inits) == 1
    no_errors(a, b)


def test_rekey_after_time_initiator_only():
    clock, a, b, net = pair()
    _handshake(clock, a, b, net)
    first = a.peer.keypairs.current
    start = clock.t
    clock.t = start + 119
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"a"), clock.t), clock.t)
    assert a.peer.keypairs.current is first
    # The responder never rekeys on age alone.
    clock.t = start + 121
    out = b.dev.send_packet(ipv4("10.0.0.2", "10.0.0.1", b"b"), clock.t)
    assert [d[2][0] for d in udp_of(out)] == [MSG_TRANSPORT]
    net.deliver(b, out, clock.t)
    out = a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"c"), clock.t)
    assert [d[2][0] for d in udp_of(out)] == [MSG_TRANSPORT, MSG_INITIATION]
    net.deliver(a, out, clock.t)
    assert a.peer.keypairs.current is not first
    assert a.peer.keypairs.previous is first
    # Old keypair still decrypts in-flight packets from B for a while.
    no_errors(a, b)


def test_rekey_after_messages():
    from wireguard.constants import REKEY_AFTER_MESSAGES
    clock, a, b, net = pair()
    _handshake(clock, a, b, net)
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t), clock.t)
    clock.t += 6
    kp = b.peer.keypairs.current
    kp.send_counter = REKEY_AFTER_MESSAGES + 1
    out = b.dev.send_packet(ipv4("10.0.0.2", "10.0.0.1", b"x"), clock.t)
    assert [d[2][0] for d in udp_of(out)] == [MSG_TRANSPORT, MSG_INITIATION]


def test_reject_after_time_and_messages():
    from wireguard.constants import REJECT_AFTER_MESSAGES
    clock, a, b, net = pair()
    _handshake(clock, a, b, net)
    start = clock.t
    # A packet sealed at 179.9 s is fine, one received at 180 s is not.
    clock.t = start + 179.9
    sealed = udp_of(b.dev.send_packet(ipv4("10.0.0.2", "10.0.0.1", b"late"), clock.t))[0][2]
    clock.t = start + 180
    assert tun_of(a.dev.receive_datagram(sealed, b.addr, clock.t)) == []
    assert a.dev.drops.get("expired_keypair") == 1
    # Sending on an expired keypair queues and starts a handshake instead.
    out = b.dev.send_packet(ipv4("10.0.0.2", "10.0.0.1"), clock.t)
    assert [d[2][0] for d in udp_of(out)] == [MSG_INITIATION]
    # Counter exhausted: the keypair stops sending.
    clock2, c, d, net2 = pair(seed_a=5, seed_b=6)
    _handshake(clock2, c, d, net2)
    c.peer.keypairs.current.send_counter = REJECT_AFTER_MESSAGES
    clock2.t += 6
    out = c.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock2.t)
    assert [x[2][0] for x in udp_of(out)] == [MSG_INITIATION]
    no_errors(a, b, c, d)


def test_keys_zeroed_after_540s():
    clock, a, b, net = pair()
    _handshake(clock, a, b, net)
    start = clock.t
    kp = a.peer.keypairs.current
    index = kp.local_index
    assert a.dev.indices.get(index) is kp
    net.run_until(clock, start + 539.5, step=5)
    assert a.peer.keypairs.current is kp
    net.run_until(clock, start + 540.5, step=0.5)
    assert a.peer.keypairs.all() == [] and b.peer.keypairs.all() == []
    assert a.dev.indices.get(index) is None and len(a.dev.indices) == 0
    assert kp.send_key is None
    assert "keys_zeroed" in a.events
    # A new packet starts a fresh handshake and gets through.
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"again"), clock.t), clock.t)
    assert net.tun["b"][-1] == ipv4("10.0.0.1", "10.0.0.2", b"again")
    no_errors(a, b)


def test_retry_timing_and_give_up():
    clock, a, b, net = pair()
    net.filter = lambda src, dst, data: False       # B is unreachable
    start = clock.t
    a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"lost"), clock.t)
    net.sent.append((a, b.addr, b"\x01"))            # count the first initiation
    times = [start]
    last = len(net.sent)
    while clock.t < start + 130:
        clock.t += 0.05
        net.deliver(a, a.dev.tick(clock.t), clock.t)
        if len(net.sent) != last:
            times.append(clock.t)
            last = len(net.sent)
    gaps = [times[i + 1] - times[i] for i in range(len(times) - 1)]
    for g in gaps:
        assert 5.0 <= g <= 5.0 + 1.0 / 3 + 0.06, gaps
    # One initiation plus MAX_TIMER_HANDSHAKES + 1 retries, then silence.
    assert len(times) == 20, len(times)
    assert times[-1] - start < 110
    assert a.peer.queue == []
    assert a.dev.counters.get("queued_dropped") == 1
    assert "handshake_gave_up" in a.events
    assert a.peer.timers.zero_key_material is not None


def test_initiation_rate_limited_to_rekey_timeout():
    clock, a, b, net = pair()
    out = []
    for i in range(10):
        a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", bytes([i])), clock.t + i * 0.1, out)
    assert len(udp_of(out)) == 1
    assert len(a.peer.queue) == 8 and a.dev.drops.get("queue_full") == 2


def test_persistent_keepalive():
    clock, a, b, net = pair()
    a.dev.set_persistent_keepalive(a.peer, 25)
    # Turning it on sends a keepalive at once, which needs a handshake first.
    net.deliver(a, a.dev.tick(clock.t), clock.t)
    kinds = [(d[0].name, d[2][0]) for d in net.sent]
    assert kinds == [("a", 1), ("b", 2), ("a", 4)], kinds
    assert b.peer.keypairs.current is not None
    n = len(net.sent)
    start = clock.t
    net.run_until(clock, start + 24.5, step=0.5)
    assert len(net.sent) == n
    net.run_until(clock, start + 25.5, step=0.5)
    assert [(d[0].name, len(d[2])) for d in net.sent[n:]] == [("a", TRANSPORT_MIN_LEN)]


def test_both_sides_initiate_at_once():
    clock, a, b, net = pair()
    out_a = a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"from a"), clock.t)
    out_b = b.dev.send_packet(ipv4("10.0.0.2", "10.0.0.1", b"from b"), clock.t)
    net.deliver(a, out_a, clock.t)
    net.deliver(b, out_b, clock.t)
    net.run_until(clock, clock.t + 12, step=0.25)
    assert ipv4("10.0.0.1", "10.0.0.2", b"from a") in net.tun.get("b", [])
    assert ipv4("10.0.0.2", "10.0.0.1", b"from b") in net.tun.get("a", [])
    no_errors(a, b)


def test_keylog_hook():
    clock, a, b, net = pair()
    _handshake(clock, a, b, net)
    assert len(a.keylog) == 1 and len(b.keylog) == 1
    ls, rs, le, psk = a.keylog[0]
    assert ls == a.private and rs == b.public and psk == bytes(32) and len(le) == 32
    assert b.keylog[0][0] == b.private and b.keylog[0][1] == a.public
    # The logged ephemeral is the one in the initiation.
    from wireguard.crypto import x25519_base
    assert x25519_base(le) == net.sent[0][2][8:40]


def test_wall_clock_backwards_still_increasing_timestamps():
    from wireguard.tai64n import TimestampSource
    from enginekit import WallClock
    w = WallClock(1700000000, 0)
    ts = TimestampSource(w)
    s1 = ts.next()
    w.sec -= 100
    s2 = ts.next()
    s3 = ts.next()
    assert s1 < s2 < s3
    w.sec += 1000
    assert ts.next() > s3


def test_ten_minutes_of_traffic_through_rekeys():
    clock, a, b, net = pair()
    start = clock.t
    sent = 0
    inits = []
    delivered = {"a": 0, "b": 0}
    while clock.t < start + 600:
        clock.t += 1.0
        a.wall.advance(1.0)
        b.wall.advance(1.0)
        net.tick_all(clock.t)
        p = ipv4("10.0.0.1", "10.0.0.2", b"%d" % sent)
        q = ipv4("10.0.0.2", "10.0.0.1", b"%d" % sent)
        net.deliver(a, a.dev.send_packet(p, clock.t), clock.t)
        net.deliver(b, b.dev.send_packet(q, clock.t), clock.t)
        assert net.tun["b"][-1] == p and net.tun["a"][-1] == q, sent
        sent += 1
        # Keep the record small: the interpreter's heap is modest.
        inits.extend([d[0].name for d in net.sent if d[2][0] == 1])
        for k in delivered:
            delivered[k] += len(net.tun.get(k, []))
        net.sent = []
        net.tun = {}
    assert delivered["a"] == sent and delivered["b"] == sent
    # A rekeys every REKEY_AFTER_TIME (120 s) as initiator: 1 + 4 handshakes.
    assert 5 <= len(inits) <= 6, inits
    assert inits == ["a"] * len(inits)
    assert len(a.dev.indices) <= 3 and len(b.dev.indices) <= 3
    assert a.dev.drops == {} and b.dev.drops == {}, (a.dev.drops, b.dev.drops)
    no_errors(a, b)
