# Cookie reply path under load, MAC2, secret rotation, and the rate limiter.
from enginekit import pair, ipv4, udp_of, no_errors
from wireguard.constants import (MSG_INITIATION, MSG_RESPONSE, MSG_COOKIE_REPLY,
                                 MSG_TRANSPORT, COOKIE_REPLY_LEN)
from wireguard.ratelimit import RateLimiter
from wireguard.load import LoadMonitor


def test_cookie_round_trip_under_forced_load():
    clock, a, b, net = pair()
    b.dev.load.forced = True
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"hi"), clock.t), clock.t)
    kinds = [(d[0].name, d[2][0]) for d in net.sent]
    assert kinds == [("a", MSG_INITIATION), ("b", MSG_COOKIE_REPLY)], kinds
    assert len(net.sent[1][2]) == COOKIE_REPLY_LEN
    assert net.sent[0][2][132:148] == bytes(16)          # no MAC2 yet
    assert a.dev.counters["cookie_reply_received"] == 1
    assert b.peer.keypairs.all() == []
    # The retry after REKEY_TIMEOUT carries MAC2 and completes.
    net.run_until(clock, clock.t + 5.5, step=0.1)
    inits = [d[2] for d in net.sent if d[2][0] == MSG_INITIATION]
    assert len(inits) == 2 and inits[1][132:148] != bytes(16)
    assert net.tun["b"] == [ipv4("10.0.0.1", "10.0.0.2", b"hi")]
    assert b.dev.counters["cookie_reply_sent"] == 1
    no_errors(a, b)


def test_mac2_bound_to_source_address():
    clock, a, b, net = pair()
    b.dev.load.forced = True
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t), clock.t)
    clock.t += 5.5
    out = a.dev.tick(clock.t)
    init = udp_of(out)[0][2]
    # The same message from another address does not pass: another cookie reply.
    other = b.dev.receive_datagram(init, ("198.51.100.7", 4000), clock.t)
    assert len(other) == 1 and other[0][2][0] == MSG_COOKIE_REPLY and other[0][1] == ("198.51.100.7", 4000)
    assert b.peer.keypairs.all() == []
    out = b.dev.receive_datagram(init, a.addr, clock.t)
    assert [x[2][0] for x in udp_of(out)] == [MSG_RESPONSE]
    no_errors(a, b)


def test_cookie_reply_replay_and_forgery_ignored():
    clock, a, b, net = pair()
    b.dev.load.forced = True
    out = a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t)
    reply = udp_of(b.dev.receive_datagram(udp_of(out)[0][2], a.addr, clock.t))[0][2]
    forged = bytearray(reply)
    forged[40] ^= 1
    assert a.dev.receive_datagram(forged, b.addr, clock.t) == []
    assert a.dev.drops["bad_cookie_reply"] == 1
    assert a.dev.receive_datagram(reply, b.addr, clock.t) == []
    assert a.dev.counters["cookie_reply_received"] == 1
    assert a.dev.receive_datagram(reply, b.addr, clock.t) == []    # only one per message
    assert a.dev.drops["bad_cookie_reply"] == 2
    no_errors(a, b)


def test_cookie_secret_rotation_and_expiry():
    clock, a, b, net = pair()
    b.dev.load.forced = True
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t), clock.t)
    secret = b.dev.cookie_checker.secret
    # After COOKIE_REFRESH the responder's secret changes, and the initiator
    # stops using its cookie (age >= 115 s): it gets a new cookie first.
    clock.t += 121
    a.peer.last_sent_handshake = None
    out = a.dev.initiate_handshake(a.peer, clock.t)
    init = udp_of(out)[0][2]
    assert init[132:148] == bytes(16)
    reply = b.dev.receive_datagram(init, a.addr, clock.t)
    assert reply[0][2][0] == MSG_COOKIE_REPLY
    assert b.dev.cookie_checker.secret != secret
    no_errors(a, b)


def test_not_under_load_needs_no_mac2():
    clock, a, b, net = pair()
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t), clock.t)
    assert [d[2][0] for d in net.sent] == [MSG_INITIATION, MSG_RESPONSE, MSG_TRANSPORT]
    assert "cookie_reply_sent" not in b.dev.counters


def test_load_monitor_threshold_and_linger():
    lm = LoadMonitor(threshold=3)
    for i in range(3):
        lm.note_handshake(10.0 + i * 0.01)
    assert not lm.under_load(10.1)
    lm.note_handshake(10.2)
    assert lm.under_load(10.2)
    assert lm.under_load(11.1)
    assert not lm.under_load(11.3)
    lm.forced = True
    assert lm.under_load(100)
    lm.forced = False
    lm.note_handshake(11.3); lm.note_handshake(11.3); lm.note_handshake(11.3); lm.note_handshake(11.3)
    assert not lm.under_load(11.3)


def test_rate_limiter_bucket():
    rl = RateLimiter(rate=20, burst=5, max_entries=2)
    ip = b"\x0a\x00\x00\x01"
    assert [rl.allow(ip, 0.0) for _ in range(6)] == [True] * 5 + [False]
    assert not rl.allow(ip, 0.04)
    assert rl.allow(ip, 0.1)               # 0.1 s refills two tokens
    assert rl.allow(ip, 0.1)
    assert not rl.allow(ip, 0.1)
    assert rl.allow(b"\x0a\x00\x00\x02", 0.1)
    assert not rl.allow(b"\x0a\x00\x00\x03", 0.1)      # table full of busy sources
    assert rl.allow(b"\x0a\x00\x00\x03", 10.0)         # idle entries forgotten


def test_rate_limited_under_load():
    clock, a, b, net = pair()
    b.dev.load.forced = True
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2"), clock.t), clock.t)
    b.dev.ratelimiter.burst = 1
    clock.t += 5.5
    init = udp_of(a.dev.tick(clock.t))[0][2]
    # First passes the limiter; the same source again at once is refused.
    b.dev.receive_datagram(init, a.addr, clock.t)
    b.dev.receive_datagram(init, a.addr, clock.t)
    assert b.dev.drops["rate_limited"] == 1
