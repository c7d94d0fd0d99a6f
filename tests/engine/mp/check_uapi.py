# Userspace API: set/get round trips, validation without partial changes,
# and the output format `wg` expects.
from enginekit import pair, ipv4, Rng, WallClock, keypair
from wireguard import Device
from wireguard import uapi
from wireguard.keys import to_hex
from wireguard.ipaddr import parse_ip


def _dev(seed=1):
    rng = Rng(seed)
    priv, pub = keypair(rng)
    return Device(None, rng=rng, wall_clock=WallClock()), priv, pub, rng


def test_set_get_round_trip():
    dev, priv, pub, rng = _dev()
    ports = []
    dev.on_listen_port = lambda p: ports.append(p) or 0
    p1 = keypair(rng)[1]
    p2 = keypair(rng)[1]
    psk = bytes(range(32))
    req = ("set=1\nprivate_key=%s\nlisten_port=51820\nfwmark=42\nreplace_peers=true\n"
           "public_key=%s\npreshared_key=%s\nendpoint=[FD00::1]:51821\n"
           "persistent_keepalive_interval=25\nreplace_allowed_ips=true\n"
           "allowed_ip=10.0.0.0/24\nallowed_ip=fd00:1::7/64\nprotocol_version=1\n"
           "public_key=%s\nendpoint=192.0.2.9:4\nallowed_ip=10.0.1.1/32\n\n"
           % (to_hex(priv), to_hex(p1), to_hex(psk), to_hex(p2)))
    assert uapi.handle(dev, req) == "errno=0\n\n"
    assert ports == [51820] and dev.listen_port == 51820
    got = uapi.handle(dev, "get=1\n\n")
    want = "\n".join([
        "private_key=" + to_hex(priv),
        "listen_port=51820",
        "fwmark=42",
        "public_key=" + to_hex(p1),
        "preshared_key=" + to_hex(psk),
        "protocol_version=1",
        "endpoint=[fd00::1]:51821",
        "last_handshake_time_sec=0",
        "last_handshake_time_nsec=0",
        "tx_bytes=0",
        "rx_bytes=0",
        "persistent_keepalive_interval=25",
        "allowed_ip=10.0.0.0/24",
        "allowed_ip=fd00:1::/64",
        "public_key=" + to_hex(p2),
        "preshared_key=" + "00" * 32,
        "protocol_version=1",
        "endpoint=192.0.2.9:4",
        "last_handshake_time_sec=0",
        "last_handshake_time_nsec=0",
        "tx_bytes=0",
        "rx_bytes=0",
        "persistent_keepalive_interval=0",
        "allowed_ip=10.0.1.1/32",
        "errno=0",
    ]) + "\n\n"
    assert got == want, got
    # Same port again: the driver is not asked to rebind.
    assert uapi.handle(dev, "set=1\nlisten_port=51820\n\n") == "errno=0\n\n"
    assert ports == [51820]


def test_invalid_input_changes_nothing():
    dev, priv, pub, rng = _dev()
    p1 = keypair(rng)[1]
    assert uapi.apply_set(dev, ["private_key=" + to_hex(priv), "public_key=" + to_hex(p1),
                                "allowed_ip=10.0.0.0/8"]) == 0
    before = uapi.render_get(dev)
    p2 = keypair(rng)[1]
    bad = [
        ["private_key=zz"],
        ["listen_port=70000"],
        ["listen_port=-1"],
        ["fwmark=x"],
        ["replace_peers=yes"],
        ["bogus=1"],
        ["public_key=" + to_hex(p2), "endpoint=example.com:1"],
        ["public_key=" + to_hex(p2), "endpoint=1.2.3.4"],
        ["public_key=" + to_hex(p2), "allowed_ip=10.0.0.0/33"],
        ["public_key=" + to_hex(p2), "persistent_keepalive_interval=65536"],
        ["public_key=" + to_hex(p2), "protocol_version=2"],
        ["public_key=" + to_hex(p2), "private_key=" + to_hex(priv)],
        ["public_key=" + to_hex(p2), "remove=false"],
        ["replace_peers=true", "public_key=" + to_hex(p2), "allowed_ip=bad"],
        ["noequals"],
        ["public_key=abc"],
    ]
    for lines in bad:
        assert uapi.apply_set(dev, lines) == -22, lines
        assert uapi.render_get(dev) == before, lines
    assert uapi.handle(dev, "frobnicate=1\n\n") == "errno=-22\n\n"


def test_listen_port_failure_reported_first():
    dev, priv, pub, rng = _dev()
    dev.on_listen_port = lambda p: -98      # EADDRINUSE from the driver
    p1 = keypair(rng)[1]
    assert uapi.apply_set(dev, ["listen_port=1", "public_key=" + to_hex(p1)]) == -98
    assert dev.peers() == [] and dev.listen_port == 0


def test_peer_remove_update_only_and_replace():
    dev, priv, pub, rng = _dev()
    keys = [keypair(rng)[1] for _ in range(3)]
    h = [to_hex(k) for k in keys]
    assert uapi.apply_set(dev, ["public_key=" + h[0], "allowed_ip=10.0.0.1/32",
                                "public_key=" + h[1], "allowed_ip=10.0.0.2/32"]) == 0
    assert len(dev.peers()) == 2
    # update_only does not create.
    assert uapi.apply_set(dev, ["public_key=" + h[2], "update_only=true", "allowed_ip=10.9.0.0/16"]) == 0
    assert len(dev.peers()) == 2
    # remove, and replace_allowed_ips vs. appending.
    assert uapi.apply_set(dev, ["public_key=" + h[0], "remove=true",
                                "public_key=" + h[1], "allowed_ip=10.0.0.3/32"]) == 0
    assert [p.public_key for p in dev.peers()] == [keys[1]]
    p = dev.get_peer(keys[1])
    assert len(dev.allowed_ips_of(p)) == 2
    assert uapi.apply_set(dev, ["public_key=" + h[1], "replace_allowed_ips=true",
                                "allowed_ip=10.0.0.4/32", "allowed_ip=-10.0.0.4/32",
                                "allowed_ip=10.0.0.5/32"]) == 0
    assert uapi.render_get(dev).count("allowed_ip=") == 1
    assert "allowed_ip=10.0.0.5/32" in uapi.render_get(dev)
    # replace_peers drops everyone not named again.
    assert uapi.apply_set(dev, ["replace_peers=true", "public_key=" + h[2]]) == 0
    assert [p.public_key for p in dev.peers()] == [keys[2]]
    # Our own public key as a peer is ignored, and a zero private key removes ours.
    assert uapi.apply_set(dev, ["private_key=" + to_hex(priv), "public_key=" + to_hex(pub)]) == 0
    assert len(dev.peers()) == 1
    assert uapi.apply_set(dev, ["private_key=" + "00" * 32]) == 0
    assert dev.private_key is None and not uapi.render_get(dev).startswith("private_key")


def test_stats_after_traffic():
    clock, a, b, net = pair()
    net.deliver(a, a.dev.send_packet(ipv4("10.0.0.1", "10.0.0.2", b"x" * 100), clock.t), clock.t)
    text = uapi.render_get(a.dev)
    lines = dict(l.split("=", 1) for l in text.split("\n") if "=" in l)
    assert int(lines["last_handshake_time_sec"]) == a.wall.sec
    assert int(lines["tx_bytes"]) == a.peer.tx_bytes == 148 + 160
    assert int(lines["rx_bytes"]) == 92
    assert lines["endpoint"] == "192.0.2.2:51821"
    assert text.endswith("errno=0\n\n")


def test_set_persistent_keepalive_sends_at_once():
    clock, a, b, net = pair()
    assert uapi.apply_set(a.dev, ["public_key=" + to_hex(b.public),
                                  "persistent_keepalive_interval=15"]) == 0
    assert a.dev.next_deadline() <= clock.t
    out = a.dev.tick(clock.t)
    assert len(out) == 1 and out[0][2][0] == 1       # handshake first


def _feed(conv, text):
    """Feed a request stream line by line; the answers, joined."""
    answers = []
    for line in text.split("\n")[:-1]:
        r = conv.line(line)
        if r is not None:
            answers.append((r[0], r[1], "".join(r[2])))
    return answers


def _big_set(dev_priv, peers, per_peer, bad=None, bad_at=None):
    out = ["set=1", "private_key=" + to_hex(dev_priv), "replace_peers=true"]
    n = 0
    for k, pub in enumerate(peers):
        out += ["public_key=" + to_hex(pub), "replace_allowed_ips=true"]
        for i in range(per_peer):
            if n == bad_at:
                out.append(bad)
            if i % 3 == 2:
                out.append("allowed_ip=fd%02x:%x:%x::/48" % (k, i >> 8, i & 255))
            else:
                out.append("allowed_ip=10.%d.%d.%d/32" % (k, i >> 8, i & 255))
            n += 1
    return "\n".join(out) + "\n\n"


def test_streamed_big_set_and_chunked_get():
    dev, priv, pub, rng = _dev()
    peers = [keypair(rng)[1] for _ in range(3)]
    conv = uapi.Conversation(dev)
    assert _feed(conv, _big_set(priv, peers, 600)) == [("set", 0, "errno=0\n\n")]
    assert not conv.busy
    for p in peers:
        assert dev.allowed_ips.count(dev.get_peer(p)) == 600
    r = conv.line("get=1")
    assert r is None and conv.busy
    op, err, chunks = conv.line("")
    assert (op, err) == ("get", 0)
    parts = list(chunks)
    assert len(parts) > 3
    assert max(len(c) for c in parts) < uapi.GET_CHUNK + 200
    # Chunks, never the whole answer at once: 32-bit ports run this in a 1 MB heap.
    assert list(uapi.get_chunks(dev)) == parts
    assert parts[-1].endswith("\nerrno=0\n\n")
    assert sum(c.count("allowed_ip=") for c in parts) == 1800
    assert any("allowed_ip=10.2.1.243/32\n" in c for c in parts)
    assert any("allowed_ip=fd01:1:f4::/48\n" in c for c in parts)


def test_invalid_big_request_changes_nothing():
    dev, priv, pub, rng = _dev()
    peers = [keypair(rng)[1] for _ in range(2)]
    assert _feed(uapi.Conversation(dev), _big_set(priv, peers, 300))[0][1] == 0
    before = uapi.render_get(dev)
    others = [keypair(rng)[1] for _ in range(2)]
    _, other_priv, _, _ = _dev(7)
    for bad, at in (("allowed_ip=10.0.0.0/33", 1999), ("bogus=1", 0),
                    ("endpoint=1.2.3.4", 1000), ("allowed_ip=" + "1" * 5000, 5)):
        conv = uapi.Conversation(dev)
        answers = _feed(conv, _big_set(other_priv, others, 1000, bad, at) + "get=1\n\n")
        assert answers[0] == ("set", -22, "errno=-22\n\n"), (bad, answers[0])
        assert answers[1][2] == before, bad       # the next request on the same stream works
        assert uapi.render_get(dev) == before


def test_remove_lines_only_remove_own_prefixes():
    dev, priv, pub, rng = _dev()
    a, b = keypair(rng)[1], keypair(rng)[1]
    assert uapi.apply_set(dev, ["public_key=" + to_hex(a), "allowed_ip=10.0.0.0/24",
                                "allowed_ip=fd00::/64", "public_key=" + to_hex(b),
                                "allowed_ip=10.0.1.0/24"]) == 0
    # -prefix of another peer's route, and one nobody has: nothing happens.
    assert uapi.apply_set(dev, ["public_key=" + to_hex(a), "allowed_ip=-10.0.1.0/24",
                                "allowed_ip=-10.9.9.0/24", "allowed_ip=-fd00::5/64"]) == 0
    pa, pb = dev.get_peer(a), dev.get_peer(b)
    assert dev.allowed_ips_of(pa) == [(parse_ip("10.0.0.0"), 24)]
    assert dev.allowed_ips_of(pb) == [(parse_ip("10.0.1.0"), 24)]


def test_unknown_requests_pipelining_and_abort():
    dev, priv, pub, rng = _dev()
    conv = uapi.Conversation(dev)
    p = to_hex(keypair(rng)[1])
    answers = _feed(conv, "frobnicate=1\nx=1\n\nget=1\nextra=1\n\nset=1\npublic_key=%s\n\n"
                          "get=1\n\n" % p)
    assert [a[:2] for a in answers] == [(None, -22), ("get", 0), ("set", 0), ("get", 0)]
    assert ("public_key=" + p) in answers[3][2]
    assert answers[1][2] == "errno=0\n\n"      # lines after get=1 are ignored
    # The driver fails a line mid-request: the answer waits for its end.
    assert conv.line("set=1") is None
    assert conv.line("public_key=" + to_hex(keypair(rng)[1])) is None
    assert conv.abort(5) is None and conv.busy
    assert conv.line("allowed_ip=10.0.0.0/8") is None
    r = conv.line("")
    assert r[1] == -5 and "".join(r[2]) == "errno=-5\n\n"
    assert len(dev.peers()) == 1
    # ... or comes at once when the failing line ended the request.
    assert "".join(conv.abort(12)) == "errno=-12\n\n" and not conv.busy


def test_staging_is_compact():
    # 20,000 staged IPv4 prefixes take packed records (6 bytes each), not
    # objects per line.
    req = uapi.SetRequest()
    req.line("public_key=" + "11" * 32)
    for i in range(20000):
        req.line("allowed_ip=10.%d.%d.0/24" % (i >> 8, i & 255))
    rec = req.peers[0].allowed_ips
    assert rec.count == 20000
    staged = sum(len(c) for c in rec.chunks)
    assert 20000 * 6 <= staged < 20000 * 6 + 2 * 4096, staged
    assert req.error is None
