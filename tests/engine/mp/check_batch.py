# The batched seam (batch.py) against the per-packet one: two identical pairs
# (same seeds, same clock) are fed the same traffic, one packet at a time and
# in batches; the bytes on the wire, what reaches the tunnel, the drop and
# counter tables, the byte counts and every timer must come out the same.
from array import array

from enginekit import pair, ipv4, udp_of, tun_of, no_errors
from wireguard.batch import send_batch, receive_batch
from wireguard.constants import REJECT_AFTER_MESSAGES, REKEY_AFTER_MESSAGES, REKEY_TIMEOUT
from wireguard.outcomes import ACTION_UDP, ACTION_TUN, ACTION_UDP_BATCH

STRIDE = 1600
TIMER_FIELDS = ("retransmit_handshake", "send_keepalive", "new_handshake", "zero_key_material",
                "persistent_keepalive", "handshake_attempts", "need_another_keepalive",
                "sent_lastminute_handshake")


def _slots(packets, stride=STRIDE, headroom=16):
    buf = bytearray(stride * max(1, len(packets)))
    offs = array("I", [0] * len(packets))
    lens = array("I", [0] * len(packets))
    for k, p in enumerate(packets):
        offs[k] = k * stride
        lens[k] = len(p)
        buf[k * stride + headroom:k * stride + headroom + len(p)] = p
    return buf, offs, lens


def batch_send(node, packets, now):
    """send_batch, with its actions turned into plain (ACTION_UDP, addr, bytes)."""
    buf, offs, lens = _slots(packets)
    out = []
    send_batch(node.dev, buf, offs, lens, len(packets), now, out)
    flat = []
    for a in out:
        if a[0] == ACTION_UDP_BATCH:
            for k in range(a[2], a[2] + a[3]):
                flat.append((ACTION_UDP, a[1], bytes(buf[offs[k]:offs[k] + lens[k]])))
        else:
            flat.append((a[0], a[1], bytes(a[2])) if a[0] == ACTION_UDP else a)
    return flat


def single_send(node, packets, now):
    flat = []
    for p in packets:
        for a in node.dev.send_packet(p, now):
            flat.append((ACTION_UDP, a[1], bytes(a[2])) if a[0] == ACTION_UDP else a)
    return flat


def batch_receive(node, datagrams, addrs, now):
    """receive_batch; returns (tun packets, other actions)."""
    buf, offs, lens = _slots(datagrams, headroom=0)
    n = len(datagrams)
    toffs = array("I", [0] * n)
    tlens = array("I", [0] * n)
    results = array("i", [0] * n)
    out = []
    m = receive_batch(node.dev, buf, offs, lens, addrs, n, now, out, toffs, tlens, results)
    tun = [bytes(buf[toffs[i]:toffs[i] + tlens[i]]) for i in range(m)]
    return tun, [(a[0], a[1], bytes(a[2])) if a[0] == ACTION_UDP else a for a in out]


def single_receive(node, datagrams, addrs, now):
    tun = []
    other = []
    for d, addr in zip(datagrams, addrs):
        for a in node.dev.receive_datagram(d, addr, now):
            if a[0] == ACTION_TUN:
                tun.append(bytes(a[1]))
            else:
                other.append((a[0], a[1], bytes(a[2])))
    return tun, other


def _state(node):
    p = node.dev.peers()[0]
    kps = p.keypairs
    return {
        "drops": sorted(node.dev.drops.items()),
        "counters": sorted(node.dev.counters.items()),
        "tx": p.tx_bytes, "rx": p.rx_bytes, "endpoint": p.endpoint,
        "timers": [getattr(p.timers, f) for f in TIMER_FIELDS],
        "slots": [(k.send_counter, k.local_index) if k else None for k in (kps.previous, kps.current, kps.next)],
        "queue": [bytes(q) for q in p.queue],
    }


def _twins():
    """Two identical pairs with a session up (B answered A's initiation)."""
    made = []
    for _ in range(2):
        clock, a, b, net = pair()
        net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"hi"), clock.t), clock.t)
        made.append((clock, a, b, net))
    return made


def _same(x, y):
    assert _state(x) == _state(y), (_state(x), _state(y))


def _data(n, size=1400, src="10.0.0.1", dst="10.0.0.2", seed=0):
    return [ipv4(src, dst, bytes([(seed + i + j) & 0xFF for j in range(size - 20 - (i % 3) * 17)]))
            for i in range(n)]


def test_send_batch_bytes_equal_single():
    (c1, a1, b1, n1), (c2, a2, b2, n2) = _twins()
    pkts = _data(40) + [ipv4("10.0.0.1", "10.0.0.2", b"")] + _data(5, size=60)
    one = single_send(a1, pkts, c1.t)
    two = batch_send(a2, pkts, c2.t)
    assert len(one) == len(pkts) and one == two
    _same(a1, a2)
    no_errors(a1, a2)


def test_receive_batch_equal_single_with_bad_input():
    (c1, a1, b1, n1), (c2, a2, b2, n2) = _twins()
    msgs = [a[2] for a in single_send(a1, _data(20), c1.t)]
    batch_send(a2, _data(20), c2.t)     # keeps the twins' counters equal
    keepalive = [a[2] for a in a1.dev.send_keepalive(a1.peer, c1.t)][0]
    a2.dev.send_keepalive(a2.peer, c2.t)
    spoofed = [a[2] for a in single_send(a1, [ipv4("10.9.9.9", "10.0.0.2", b"x" * 50)], c1.t)][0]
    batch_send(a2, [ipv4("10.9.9.9", "10.0.0.2", b"x" * 50)], c2.t)
    tampered = bytearray(msgs[3])
    tampered[40] ^= 1
    short = msgs[5][:20]
    unknown = bytearray(msgs[6])
    unknown[4] ^= 0xFF
    datagrams = (msgs[:3] + [bytes(tampered), msgs[4], msgs[2], short, keepalive] + msgs[5:12]
                 + [bytes(unknown), spoofed] + msgs[12:] + [msgs[7], b"\x09\x00\x00\x00" + bytes(40)])
    addr = a1.addr
    addrs = [addr] * len(datagrams)
    t1, o1 = single_receive(b1, datagrams, addrs, c1.t)
    t2, o2 = batch_receive(b2, datagrams, addrs, c2.t)
    assert t1 == t2 and len(t1) == 19, (len(t1), len(t2))
    assert o1 == o2
    _same(b1, b2)
    for name in ("bad_tag", "replay", "malformed", "unknown_index", "spoofed_source", "bad_type"):
        assert name in b2.dev.drops, (name, b2.dev.drops)
    assert b2.dev.counters.get("keepalive_received") == 1


def test_reordered_batch_and_roaming():
    (c1, a1, b1, n1), (c2, a2, b2, n2) = _twins()
    msgs = [a[2] for a in single_send(a1, _data(30), c1.t)]
    batch_send(a2, _data(30), c2.t)
    order = [2, 0, 1, 5, 4, 3] + list(range(6, 30))[::-1]
    datagrams = [msgs[i] for i in order]
    roamed = ("198.51.100.7", 4000)
    addrs = [a1.addr] * 10 + [roamed] * 20
    t1, o1 = single_receive(b1, datagrams, addrs, c1.t)
    t2, o2 = batch_receive(b2, datagrams, addrs, c2.t)
    assert t1 == t2 and len(t2) == 30 and o1 == o2
    _same(b1, b2)
    assert b2.peer.endpoint == roamed


def test_counter_exhaustion_mid_batch():
    (c1, a1, b1, n1), (c2, a2, b2, n2) = _twins()
    for node in (a1, a2):
        node.peer.keypairs.current.send_counter = REJECT_AFTER_MESSAGES - 3
    pkts = _data(8)
    one = single_send(a1, pkts, c1.t)
    two = batch_send(a2, pkts, c2.t)
    assert one == two
    assert sum(1 for a in two if len(a[2]) > 148) == 3
    _same(a1, a2)
    assert len(a2.peer.queue) == 5


def test_rekey_after_messages_in_batch():
    (c1, a1, b1, n1), (c2, a2, b2, n2) = _twins()
    for node, clock in ((a1, c1), (a2, c2)):
        node.peer.keypairs.current.send_counter = REKEY_AFTER_MESSAGES - 2
        clock.t += REKEY_TIMEOUT + 1     # past the initiation that made the session
    one = single_send(a1, _data(6), c1.t)
    two = batch_send(a2, _data(6), c2.t)
    assert one == two
    assert any(len(a[2]) == 148 for a in two), "no initiation after REKEY_AFTER_MESSAGES"
    _same(a1, a2)


def test_no_session_queues_then_flushes():
    made = []
    for _ in range(2):
        made.append(pair())
    (c1, a1, b1, n1), (c2, a2, b2, n2) = made
    pkts = _data(4)
    one = single_send(a1, pkts, c1.t)
    two = batch_send(a2, pkts, c2.t)
    assert one == two and len(two) == 1 and len(two[0][2]) == 148
    n1.deliver(a1, one, c1.t)
    n2.deliver(a2, two, c2.t)
    assert n1.tun["b"] == n2.tun["b"] == pkts
    _same(a1, a2)


def test_unroutable_and_malformed_outgoing():
    (c1, a1, b1, n1), (c2, a2, b2, n2) = _twins()
    pkts = [ipv4("10.0.0.1", "10.7.7.7", b"nobody"), b"\x00" * 30] + _data(3) + [b"\x45"]
    assert single_send(a1, pkts, c1.t) == batch_send(a2, pkts, c2.t)
    _same(a1, a2)
    assert a2.dev.drops.get("no_route") == 1 and a2.dev.drops.get("bad_outgoing_packet") == 2


def test_round_trip_through_batches_both_ways():
    (c1, a1, b1, n1), (c2, a2, b2, n2) = _twins()
    sent = batch_send(a2, _data(64, seed=3), c2.t)
    tun, other = batch_receive(b2, [a[2] for a in sent], [a2.addr] * len(sent), c2.t)
    assert tun == _data(64, seed=3) and other == []
    back = batch_send(b2, _data(64, src="10.0.0.2", dst="10.0.0.1", seed=5), c2.t)
    tun, other = batch_receive(a2, [a[2] for a in back], [b2.addr] * len(back), c2.t)
    assert tun == _data(64, src="10.0.0.2", dst="10.0.0.1", seed=5)
    no_errors(a2, b2)
