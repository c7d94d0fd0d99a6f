"""linuxio's batched UDP calls (udp_offloads, udp_recv_batch, udp_send_batch) on loopback.

Each case runs a MicroPython script on the host build inside a fresh network namespace
(the lab's, removed whatever the outcome) and reads its result back as JSON. The scripts
check contents, order, senders and tuple identity themselves; the speed case prints
datagrams/s for the batched calls against the sendto/recvfrom_into loop.

About 2 s.
"""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import targets  # noqa: E402

BINARY = targets.unix_binary("x64")

# Helpers every script gets: deterministic payloads, a receiver and a sender around the
# batched calls.
PRELUDE = r"""
import linuxio, array, json, time

PATTERN = bytes(range(256)) * 240

def payload(i, size):
    start = (i * 7) % 256
    return PATTERN[start:start + size]

def u32(n):
    return array.array('I', bytes(4 * n))

class Rx:
    def __init__(self, fd, slot=65536, slots=8, cap=1024):
        self.fd = fd
        self.slot = slot
        self.buf = bytearray(slot * slots)
        self.mv = memoryview(self.buf)
        self.offs = u32(cap)
        self.lens = u32(cap)
        self.addrs = [None] * cap
        self.src = [None, None, None]
        self.cache = {}
        self.calls = []

    def batch(self):
        return linuxio.udp_recv_batch(self.fd, self.buf, self.slot, self.offs, self.lens,
                                      self.addrs, self.src, self.cache)

    def take(self, want, timeout_ms=3000):
        # [(data, addr)] of `want` datagrams; self.calls records each call's count.
        out = []
        end = time.ticks_add(time.ticks_ms(), timeout_ms)
        while len(out) < want and time.ticks_diff(end, time.ticks_ms()) > 0:
            n = self.batch()
            if n < 0:
                time.sleep_ms(1)
                continue
            self.calls.append(n)
            for k in range(n):
                o = self.offs[k]
                out.append((bytes(self.mv[o:o + self.lens[k]]), self.addrs[k]))
        return out

class Tx:
    # Datagrams packed into one buffer with gaps between them: GSO runs are one
    # iovec per datagram, they need not be contiguous.
    def __init__(self, datagrams):
        self.offs = u32(len(datagrams))
        self.lens = u32(len(datagrams))
        self.buf = bytearray(sum(len(d) + 3 for d in datagrams))
        at = 0
        for k, d in enumerate(datagrams):
            self.buf[at:at + len(d)] = d
            self.offs[k] = at
            self.lens[k] = len(d)
            at += len(d) + 3
        self.n = len(datagrams)

    def send(self, fd4, fd6, addr, gso, cache=None, first=0, count=None):
        count = self.n - first if count is None else count
        return linuxio.udp_send_batch(fd4, fd6, addr, self.buf, self.offs, self.lens,
                                      first, count, cache, gso)

def family_of(host):
    return 6 if ':' in host else 4

def pair(host):
    # (receiver fd, sender fd, receiver's address)
    fam = family_of(host)
    r = linuxio.udp_bind(fam, 0)
    s = linuxio.udp_bind(fam, 0)
    return r, s, (host, linuxio.udp_port(r))

def fds(fam, fd):
    return (fd, -1) if fam == 4 else (-1, fd)
"""

MIXED_SIZES = ([1, 2, 3, 64, 100, 555, 1000, 1280, 1400, 1451, 1452, 60000]
               + [1452] * 20 + [900] + [1452] * 5 + [700] * 3 + [1] * 4
               + list(range(1, 1453, 29)) + [60000, 60000] + [1452] * 70 + [1200] * 64 + [5])


@pytest.fixture
def target(lab):
    """A MicroPython runner inside a fresh namespace (lo up, 127.0.0.2 on lo)."""
    if not os.path.exists(BINARY):
        pytest.skip("no %s (make build/unix-x64/micropython)" % BINARY)
    node = lab.node("udp")
    node.ip("addr", "add", "127.0.0.2/8", "dev", "lo")
    target = targets.UnixTarget("x64-netns", BINARY, prefix=node.cmd([]), prelude=PRELUDE)
    target.node = node
    return target


def run_json(target, script):
    out = target.run(script, timeout=60)
    return json.loads(out.strip().splitlines()[-1])


TRANSFER = r"""
host, gso, gro, sizes = %r, %r, %r, %r
r, s, addr = pair(host)
fam = family_of(host)
bits = linuxio.udp_offloads(s) if gso else 0
if gro:
    linuxio.udp_offloads(r)
rx = Rx(r)
datagrams = [payload(i, n) for i, n in enumerate(sizes)]
tx = Tx(datagrams)
sent, gso_ok = tx.send(*fds(fam, s), addr, gso=gso)
got = rx.take(len(datagrams))
me = ('127.0.0.1' if fam == 4 else '::1', linuxio.udp_port(s))
print(json.dumps({"sent": sent, "gso_ok": gso_ok, "bits": bits, "count": len(got),
                  "same": [d for d, a in got] == datagrams,
                  "sizes": [len(d) for d, a in got][:5],
                  "senders": sorted(set(a for d, a in got)) == [me],
                  "calls": rx.calls, "again": rx.batch()}))
"""


@pytest.mark.parametrize("gso,gro", [(True, True), (True, False), (False, True), (False, False)],
                         ids=["gso-gro", "gso", "gro", "plain"])
@pytest.mark.parametrize("host", ["127.0.0.1", "::1"], ids=["v4", "v6"])
def test_mixed_sizes_in_order(target, host, gso, gro):
    r = run_json(target, TRANSFER % (host, gso, gro, MIXED_SIZES))
    assert r["sent"] == len(MIXED_SIZES) and r["gso_ok"], r
    if gso:
        assert r["bits"] & 1, r
    assert r["count"] == len(MIXED_SIZES), r
    assert r["same"], r
    assert r["senders"], r
    assert r["again"] == -1, r


def test_gso_and_gro_on_loopback(target):
    r = run_json(target, r"""
r, s, addr = pair('127.0.0.1')
bits = (linuxio.udp_offloads(s), linuxio.udp_offloads(r))
out = {"bits": bits}
# 64 x 1000 bytes fit one GSO run: one slot takes them all.
rx = Rx(r, slots=1, cap=128)
one = [payload(i, 1000) for i in range(64)]
out["one"] = Tx(one).send(s, -1, addr, gso=True)
got = rx.take(64)
out["one_same"] = [d for d, a in got] == one
out["one_calls"] = rx.calls
# 64 x 1452 bytes: two runs (65000 bytes at most each); two slots take them all.
rx = Rx(r, slots=2, cap=256)
big = [payload(i + 1, 1452) for i in range(64)]
out["big"] = Tx(big).send(s, -1, addr, gso=True)
got = rx.take(64)
out["big_same"] = [d for d, a in got] == big
out["big_calls"] = rx.calls
# With GRO on, offs must describe a whole coalesced slot.
try:
    Rx(r, slots=1, cap=100).batch()
    out["short"] = "no error"
except ValueError:
    out["short"] = "ValueError"
print(json.dumps(out))
""")
    assert r["bits"] == [3, 3], r
    assert r["one"] == [64, True] and r["one_same"], r
    assert r["one_calls"] == [64], r        # one call, one slot, 64 datagrams: GRO kept the run whole
    assert r["big"] == [64, True] and r["big_same"], r
    assert r["big_calls"] == [64], r        # more datagrams than slots in one call
    assert r["short"] == "ValueError", r


@pytest.mark.parametrize("gro", [True, False], ids=["gro", "plain"])
def test_two_senders_interleaved(target, gro):
    r = run_json(target, r"""
gro = %r
r, a, addr = pair('127.0.0.1')
b = linuxio.udp_bind(4, 0)
if gro:
    linuxio.udp_offloads(r)
for fd in (a, b):
    linuxio.udp_offloads(fd)
pattern = ['a', 'b', 'a', 'a', 'a', 'b', 'b', 'a', 'b', 'b', 'b', 'b', 'a']
sent = []
for i, who in enumerate(pattern):
    # Runs of 2 equal datagrams from one sender: GSO where they go out together.
    pair_ = [bytes(who, 'ascii') + payload(i * 2 + j, 499) for j in range(2)]
    res = Tx(pair_).send(a if who == 'a' else b, -1, addr, gso=True)
    assert res == (2, True), res
    sent += pair_
rx = Rx(r, slots=32)
got = rx.take(len(sent))
ports = {'a': linuxio.udp_port(a), 'b': linuxio.udp_port(b)}
right = all(addr_ == ('127.0.0.1', ports[chr(d[0])]) for d, addr_ in got)
# Within each call: one tuple object per sender.
same_obj = True
at = 0
for n in rx.calls:
    first_of = {}
    for d, addr_ in got[at:at + n]:
        who = chr(d[0])
        if who in first_of:
            same_obj = same_obj and addr_ is first_of[who]
        else:
            first_of[who] = addr_
    at += n
# Across calls: a steady stream from the last sender reuses its tuple.
last = got[-1][1]
last_fd = a if chr(got[-1][0][0]) == 'a' else b
Tx([b'x' * 10] * 3).send(last_fd, -1, addr, gso=False)
more = rx.take(3)
print(json.dumps({"count": len(got), "data": [d for d, _ in got] == sent, "right": right,
                  "same_obj": same_obj, "calls": rx.calls,
                  "reused": all(addr_ is last for _, addr_ in more) and len(more) == 3}))
""" % gro)
    assert r["count"] == 26 and r["data"], r
    assert r["right"], r
    assert r["same_obj"], r
    assert r["reused"], r


def test_sticky_source(target):
    r = run_json(target, r"""
router = linuxio.udp_bind(4, 0)
peer = linuxio.udp_bind(4, 0)
rport = linuxio.udp_port(router)
linuxio.udp_offloads(router)
rx = Rx(router)
prx = Rx(peer)
# The peer contacts the router at its second address.
for i in range(3):
    linuxio.sendto(peer, -1, b'hello', ('127.0.0.2', rport))
got = rx.take(3)
them = got[0][1]
out = {"them": them, "cached": rx.cache.get(them, b'')[:4] == bytes([127, 0, 0, 2])}
replies = [payload(i, 800) for i in range(10)] + [payload(99, 300)]
# Replies with the cache leave from 127.0.0.2 (GSO runs and single sends alike).
out["sticky"] = Tx(replies).send(router, -1, them, gso=True, cache=rx.cache)
back = prx.take(len(replies))
out["sticky_from"] = sorted(set(a[0] for d, a in back))
out["sticky_data"] = [d for d, a in back] == replies
out["sticky_plain"] = Tx(replies).send(router, -1, them, gso=False, cache=rx.cache)
out["sticky_plain_from"] = sorted(set(a[0] for d, a in prx.take(len(replies))))
# Control: without the cache the routes pick 127.0.0.1.
Tx(replies).send(router, -1, them, gso=True)
out["plain_from"] = sorted(set(a[0] for d, a in prx.take(len(replies))))
# A cached address the host no longer has: dropped, and the batch still goes out.
rx.cache[them] = bytes([10, 99, 0, 1, 1, 0, 0, 0])
out["gone"] = Tx(replies).send(router, -1, them, gso=True, cache=rx.cache)
out["gone_dropped"] = them not in rx.cache
back = prx.take(len(replies))
out["gone_from"] = sorted(set(a[0] for d, a in back))
out["gone_data"] = [d for d, a in back] == replies
print(json.dumps(out))
""")
    assert r["cached"], r
    assert r["sticky"] == [11, True] and r["sticky_data"], r
    assert r["sticky_from"] == ["127.0.0.2"], r
    assert r["sticky_plain"] == [11, True] and r["sticky_plain_from"] == ["127.0.0.2"], r
    assert r["plain_from"] == ["127.0.0.1"], r
    assert r["gone"] == [11, True] and r["gone_dropped"], r
    assert r["gone_from"] == ["127.0.0.1"] and r["gone_data"], r


def test_refused_gso_falls_back(target):
    # Segments larger than the path MTU: the kernel refuses the GSO send (EINVAL).
    target.node.ip("link", "set", "lo", "mtu", "1500")
    r = run_json(target, r"""
r, s, addr = pair('127.0.0.1')
rx = Rx(r)
dg = [payload(i, 2000) for i in range(4)] + [payload(9, 100)] * 3
out = {"first": Tx(dg).send(s, -1, addr, gso=True)}
got = rx.take(len(dg))
out["data"] = [d for d, a in got] == dg
out["again"] = rx.batch()
print(json.dumps(out))
""")
    assert r["first"] == [7, False], r
    assert r["data"] and r["again"] == -1, r


def test_partial_ranges_and_eagain(target):
    r = run_json(target, r"""
r, s, addr = pair('127.0.0.1')
rx = Rx(r)
out = {"empty": rx.batch()}
dg = [payload(i, 100 + i) for i in range(10)]
tx = Tx(dg)
out["middle"] = tx.send(s, -1, addr, gso=True, first=3, count=4)
out["none"] = tx.send(s, -1, addr, gso=True, first=10, count=0)
got = rx.take(4)
out["data"] = [d for d, a in got] == dg[3:7]
out["after"] = rx.batch()
print(json.dumps(out))
""")
    assert r["empty"] == -1, r
    assert r["middle"] == [4, True] and r["none"] == [0, True], r
    assert r["data"] and r["after"] == -1, r


def test_bad_arguments_raise(target):
    r = run_json(target, r"""
r, s, addr = pair('127.0.0.1')
buf = bytearray(4096)
o, l, a = u32(16), u32(16), [None] * 16
src = [None, None, None]
def recv(*args):
    return lambda: linuxio.udp_recv_batch(*args)
good = (r, buf, 1024, o, l, a, src, {})
def with_(i, v, base=good):
    args = list(base)
    args[i] = v
    return recv(*args)
tb = bytearray(300)
to = array.array('I', [0, 100, 200])
tl = array.array('I', [100, 100, 100])
def send(*args):
    return lambda: linuxio.udp_send_batch(*args)
sgood = (s, -1, addr, tb, to, tl, 0, 3, None, True)
def swith(i, v):
    args = list(sgood)
    args[i] = v
    return send(*args)
cases = {
    "offs_i": with_(3, array.array('i', [0] * 16)),
    "offs_bytes": with_(3, bytearray(64)),
    "lens_H": with_(4, array.array('H', [0] * 16)),
    "lens_short": with_(4, u32(8)),
    "addrs_tuple": with_(5, (None,) * 16),
    "addrs_short": with_(5, [None] * 8),
    "src_short": with_(6, [None, None]),
    "src_tuple": with_(6, (None, None, None)),
    "cache_list": with_(7, []),
    "slot_zero": with_(2, 0),
    "slot_big": with_(2, 8192),
    "offs_empty": with_(3, u32(0)),
    "buf_readonly": with_(1, bytes(4096)),
    "fd_negative": with_(0, -1),
    "s_offs_i": swith(4, array.array('i', [0, 100, 200])),
    "s_lens_bytes": swith(5, b'abc'),
    "s_beyond_buf": swith(5, array.array('I', [100, 100, 101])),
    "s_offs_beyond": swith(4, array.array('I', [0, 100, 201])),
    "s_count_beyond": swith(7, 4),
    "s_first_beyond": swith(6, 1),
    "s_first_negative": swith(6, -1),
    "s_count_negative": swith(7, -1),
    "s_bad_host": swith(2, ('300.1.2.3', 9)),
    "s_bad_v6": swith(2, ('fe80::zz', 9)),
    "s_bad_port": swith(2, ('127.0.0.1', 70000)),
    "s_bad_shape": swith(2, ('127.0.0.1',)),
    "s_no_socket": swith(0, -1),
    "s_cache_list": swith(8, []),
    "offloads_bad_fd": lambda: linuxio.udp_offloads(9999),
}
out = {}
for name, fn in cases.items():
    try:
        fn()
        out[name] = "no error"
    except Exception as e:
        out[name] = type(e).__name__
# Nothing of a refused batch went out.
out["nothing_sent"] = Rx(r).batch()
print(json.dumps(out))
""")
    expect = {
        "offs_i": "TypeError", "offs_bytes": "TypeError", "lens_H": "TypeError",
        "lens_short": "ValueError", "addrs_tuple": "TypeError", "addrs_short": "ValueError",
        "src_short": "ValueError", "src_tuple": "TypeError", "cache_list": "TypeError",
        "slot_zero": "ValueError", "slot_big": "ValueError", "offs_empty": "ValueError",
        "buf_readonly": "TypeError", "fd_negative": "ValueError",
        "s_offs_i": "TypeError", "s_lens_bytes": "TypeError", "s_beyond_buf": "ValueError",
        "s_offs_beyond": "ValueError", "s_count_beyond": "ValueError",
        "s_first_beyond": "ValueError", "s_first_negative": "ValueError",
        "s_count_negative": "ValueError", "s_bad_host": "ValueError", "s_bad_v6": "ValueError",
        "s_bad_port": "ValueError", "s_bad_shape": "ValueError", "s_no_socket": "OSError",
        "s_cache_list": "TypeError", "offloads_bad_fd": "OSError",
    }
    assert {k: r[k] for k in expect} == expect
    assert r["nothing_sent"] == -1, r


def test_speed_batch_against_single_calls(target, capsys):
    r = run_json(target, r"""
N = 32000
SIZE = 1452
ROUND = 64

def single(host):
    fam = family_of(host)
    r, s, addr = pair(host)
    data = payload(0, SIZE)
    buf = bytearray(65536)
    src = [None, None, None]
    cache = {}
    f4, f6 = fds(fam, s)
    got = 0
    t0 = time.ticks_us()
    while got < N:
        for i in range(ROUND):
            linuxio.sendto(f4, f6, data, addr, cache)
        n = 0
        end = time.ticks_add(time.ticks_ms(), 2000)
        while n < ROUND and time.ticks_diff(end, time.ticks_ms()) > 0:
            if linuxio.recvfrom_into(r, buf, src, cache) >= 0:
                n += 1
        assert n == ROUND, n
        got += n
    return N * 1e6 / time.ticks_diff(time.ticks_us(), t0)

def batched(host, gso, gro):
    fam = family_of(host)
    r, s, addr = pair(host)
    if gro:
        linuxio.udp_offloads(r)
    rx = Rx(r, slots=8, cap=1024)
    tx = Tx([payload(0, SIZE)] * ROUND)
    f4, f6 = fds(fam, s)
    got = 0
    t0 = time.ticks_us()
    while got < N:
        sent, ok = tx.send(f4, f6, addr, gso=gso, cache=rx.cache)
        n = 0
        end = time.ticks_add(time.ticks_ms(), 2000)
        while n < sent and time.ticks_diff(end, time.ticks_ms()) > 0:
            k = rx.batch()
            if k > 0:
                n += k
        assert n == sent == ROUND, (n, sent)
        got += n
    return N * 1e6 / time.ticks_diff(time.ticks_us(), t0)

out = []
for host in ('127.0.0.1', '::1'):
    v = 'v%d' % family_of(host)
    out.append((v + ' sendto/recvfrom_into', single(host)))
    out.append((v + ' sendmmsg/recvmmsg', batched(host, False, False)))
    out.append((v + ' GSO/GRO', batched(host, True, True)))
print(json.dumps(out))
""")
    with capsys.disabled():
        print("\nUDP loopback, %d-byte datagrams, datagrams/s (send + receive, one process):" % 1452)
        for name, rate in r:
            print("  %-28s %9.0f" % (name, rate))
