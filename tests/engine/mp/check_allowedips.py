# Cryptokey routing table against a naive longest-prefix reference, plus
# hand-picked cases and the text helpers it relies on.
import random

from wireguard.allowedips import AllowedIPs
from wireguard.ipaddr import (parse_ip, format_ip, parse_prefix, mask_ip,
                              parse_endpoint, format_endpoint, format_prefix)


def _rand_bytes(n):
    return bytes([random.getrandbits(8) for _ in range(n)])


def _contains(net, cidr, ip):
    return mask_ip(ip, cidr) == mask_ip(net, cidr)


class Naive:
    def __init__(self):
        self.routes = {}    # (masked ip, cidr) -> peer

    def insert(self, ip, cidr, peer):
        self.routes[(mask_ip(ip, cidr), cidr)] = peer

    def remove_peer(self, peer):
        for k in [k for k in self.routes if self.routes[k] is peer]:
            del self.routes[k]

    def lookup(self, ip):
        best, best_len = None, -1
        for (net, cidr) in self.routes:
            if len(net) == len(ip) and cidr > best_len and _contains(net, cidr, ip):
                best, best_len = self.routes[(net, cidr)], cidr
        return best


def _related(ip, size):
    # Addresses near the inserted prefixes so lookups actually hit them.
    b = bytearray(ip)
    i = random.randint(0, size - 1)
    b[i] ^= 1 << random.randint(0, 7)
    return bytes(b)


def _random_compare(size, seed):
    random.seed(seed)
    peers = [object() for _ in range(8)]
    table, naive = AllowedIPs(), Naive()
    inserted = []
    for _ in range(300):
        ip = _rand_bytes(size)
        # Bias towards shared leading bits so prefixes nest.
        if inserted and random.random() < 0.6:
            ip = _related(random.choice(inserted), size)
        cidr = random.randint(0, size * 8)
        peer = random.choice(peers)
        table.insert(ip, cidr, peer)
        naive.insert(ip, cidr, peer)
        inserted.append(ip)
    for _ in range(1500):
        if random.random() < 0.7:
            ip = _related(random.choice(inserted), size)
        else:
            ip = _rand_bytes(size)
        assert table.lookup(ip) is naive.lookup(ip), format_ip(ip)
    gone = peers[3]
    table.remove_peer(gone)
    naive.remove_peer(gone)
    assert table.entries(gone) == []
    for _ in range(500):
        ip = _related(random.choice(inserted), size)
        assert table.lookup(ip) is naive.lookup(ip)


def test_random_v4_against_naive():
    _random_compare(4, 1)


def test_random_v6_against_naive():
    _random_compare(16, 2)


def test_longest_prefix_wins_and_default_route():
    a, b, c = "a", "b", "c"
    t = AllowedIPs()
    ip, n = parse_prefix("0.0.0.0/0")
    t.insert(ip, n, a)
    ip, n = parse_prefix("10.0.0.0/8")
    t.insert(ip, n, b)
    ip, n = parse_prefix("10.1.2.3/32")
    t.insert(ip, n, c)
    assert t.lookup(parse_ip("10.1.2.3")) == c
    assert t.lookup(parse_ip("10.1.2.4")) == b
    assert t.lookup(parse_ip("11.0.0.1")) == a
    assert t.lookup(parse_ip("::1")) is None
    t.remove(parse_ip("10.1.2.3"), 32)
    assert t.lookup(parse_ip("10.1.2.3")) == b


def test_host_bits_masked_and_replaced_owner():
    t = AllowedIPs()
    ip, n = parse_prefix("192.168.7.77/24")
    t.insert(ip, n, "x")
    assert t.entries("x") == [(parse_ip("192.168.7.0"), 24)]
    t.insert(parse_ip("192.168.7.1"), 24, "y")       # same prefix, new owner
    assert t.entries("x") == []
    assert t.lookup(parse_ip("192.168.7.200")) == "y"


def test_v6_entries_and_format():
    t = AllowedIPs()
    ip, n = parse_prefix("fd00:1:2:3::99/64")
    t.insert(ip, n, "p")
    t.insert(parse_ip("::"), 0, "p")
    got = [format_prefix(i, c) for i, c in t.entries("p")]
    assert got == ["fd00:1:2:3::/64", "::/0"], got
    assert t.lookup(parse_ip("fd00:1:2:3:ffff::1")) == "p"


def test_bad_lengths_rejected():
    t = AllowedIPs()
    for fn in (lambda: t.insert(b"\x00" * 5, 8, "p"),
               lambda: t.insert(b"\x00" * 4, 33, "p"),
               lambda: parse_prefix("10.0.0.0/33"),
               lambda: parse_prefix("fd00::/129"),
               lambda: parse_prefix("10.0.0.0/x"),
               lambda: parse_ip("1.2.3.4.5"),
               lambda: parse_ip("1::2::3")):
        try:
            fn()
        except ValueError:
            continue
        raise AssertionError("accepted bad input")


def test_ip_text_round_trip():
    cases = {
        "2001:db8:0:0:1:0:0:1": "2001:db8::1:0:0:1",
        "2001:DB8::0:1": "2001:db8::1",
        "::ffff:10.0.0.1": "::ffff:10.0.0.1",
        "0:0:0:0:0:0:0:0": "::",
        "1:0:0:2:0:0:0:3": "1:0:0:2::3",
        "fe80::1": "fe80::1",
        "1.2.3.4": "1.2.3.4",
    }
    for text in cases:
        assert format_ip(parse_ip(text)) == cases[text], text


def test_endpoint_text():
    assert parse_endpoint("[FD00::1]:51820") == ("fd00::1", 51820)
    assert parse_endpoint("192.0.2.1:1") == ("192.0.2.1", 1)
    assert parse_endpoint("vpn.example.org:443") == ("vpn.example.org", 443)
    assert format_endpoint(("fd00::1", 5)) == "[fd00::1]:5"
    assert format_endpoint(("192.0.2.1", 5)) == "192.0.2.1:5"
    for bad in ("1.2.3.4", "1.2.3.4:70000", "[::1]51820", "fd00::1:51820", ":5"):
        try:
            parse_endpoint(bad)
        except ValueError:
            continue
        raise AssertionError("accepted " + bad)


def _split_shards_compare(size, seed, count):
    # Many prefixes of a few lengths, with SHARD_MAX lowered so the tables
    # split into many dicts: every split keeps every entry findable.
    from wireguard import allowedips
    saved = allowedips.SHARD_MAX
    allowedips.SHARD_MAX = 3
    try:
        random.seed(seed)
        peers = [object() for _ in range(5)]
        table, naive = AllowedIPs(), Naive()
        lens = [0, 1, 7, 8, 9, size * 4, size * 8 - 3, size * 8 - 1, size * 8]
        if size == 16:
            lens += [29, 30, 31, 61, 62, 63, 64, 65, 96, 120, 124, 125]
        inserted = []
        for i in range(count):
            ip = _rand_bytes(size)
            if inserted and random.random() < 0.5:
                ip = _related(random.choice(inserted), size)
            cidr = random.choice(lens)
            peer = random.choice(peers)
            table.insert(ip, cidr, peer)
            naive.insert(ip, cidr, peer)
            inserted.append(ip)
        for ip in inserted:
            assert table.lookup(ip) is naive.lookup(ip), format_ip(ip)
        for _ in range(400):
            ip = _related(random.choice(inserted), size)
            assert table.lookup(ip) is naive.lookup(ip), format_ip(ip)
        # Entries: exactly the reference's routes, each once, host bits clear.
        for peer in peers:
            got = table.entries(peer)
            want = sorted((k for k in naive.routes if naive.routes[k] is peer))
            assert sorted(got) == want
            assert len(got) == table.count(peer)
        # Removal by prefix, then of whole peers, keeps the rest intact.
        for ip in inserted[:count // 3]:
            cidr = random.choice(lens)
            key = (mask_ip(ip, cidr), cidr)
            assert table.remove(ip, cidr) is naive.routes.pop(key, None)
            assert table.get(ip, cidr) is None
        table.remove_peer(peers[0])
        naive.remove_peer(peers[0])
        for ip in inserted:
            assert table.lookup(ip) is naive.lookup(ip), format_ip(ip)
        for peer in peers[1:]:
            for ip, cidr in table.entries(peer):
                assert table.get(ip, cidr) is peer
    finally:
        allowedips.SHARD_MAX = saved


def test_split_tables_v4_against_naive():
    _split_shards_compare(4, 3, 300)


def test_split_tables_v6_against_naive():
    _split_shards_compare(16, 4, 300)


def test_every_prefix_length_round_trips():
    # Each length, on both sides of the small-int key limit (62 bits on
    # 64-bit ports, 30 on 32-bit ones), keyed and printed back exactly.
    random.seed(5)
    for size in (4, 16):
        t = AllowedIPs()
        want = set()
        for cidr in range(size * 8 + 1):
            ip = _rand_bytes(size)
            t.insert(ip, cidr, "p")
            want.add((mask_ip(ip, cidr), cidr))
            assert t.get(ip, cidr) == "p"
            assert t.lookup(ip) == "p"
        assert set(t.entries("p")) == want
        assert len(t.entries("p")) == len(want)
        got = list(t.iter_entries("p"))
        assert [c for _, c in got] == sorted([c for _, c in got], reverse=True)
        t.remove_peer("p")
        assert t.entries("p") == [] and t.lookup(_rand_bytes(size)) is None


def test_entries_stream_survives_changes():
    # get=1 streams entries over several event-loop turns; a set request in
    # between must not break the walk.
    t = AllowedIPs()
    for i in range(200):
        t.insert(bytes([10, 0, i, 0]), 24, "p")
    walk = t.iter_entries("p")
    first = [next(walk) for _ in range(10)]
    for i in range(200, 256):
        t.insert(bytes([10, 0, i, 0]), 24, "p")
    for i in range(100):
        t.remove(bytes([10, 0, i, 0]), 24)
    rest = list(walk)
    seen = set(first + rest)
    assert len(seen) == len(first) + len(rest)          # nothing twice
    for i in range(100, 200):                            # untouched ones all there
        assert (bytes([10, 0, i, 0]), 24) in seen


def test_memoryview_addresses():
    # The UAPI stages addresses in packed buffers and hands views of them.
    t = AllowedIPs()
    buf = bytearray(parse_ip("fd00::1") + parse_ip("10.9.8.7"))
    mv = memoryview(buf)
    t.insert(mv[0:16], 128, "a")
    t.insert(mv[16:20], 32, "b")
    buf[:] = bytes(20)          # the table kept no reference to the buffer
    assert t.lookup(parse_ip("fd00::1")) == "a"
    assert t.lookup(parse_ip("10.9.8.7")) == "b"
    assert t.entries("a") == [(parse_ip("fd00::1"), 128)]
