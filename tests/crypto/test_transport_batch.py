"""wgcrypto.transport_seal_batch / transport_open_batch on the Linux builds.

Sealing must give, byte for byte, what the engine's own Sealer
(firmware/wireguard/transport.py) gives for the same packet, key, counter and
MTU; opening must accept exactly what verifies and leave everything else as
it was.  Wycheproof vectors check the AEAD itself: the XChaCha20-Poly1305
ones with empty associated data are ChaCha20-Poly1305 messages under the
HChaCha20 subkey with nonce 0^4 || nonce[16:24], which is WireGuard's nonce
form.  A fresh seed per run is printed; WGC_SEED replays it.
"""
import json
import os
import random
import struct

import pytest

from cases import VECTORS
from targets import crypto_target

SEED = int(os.environ.get("WGC_SEED", random.SystemRandom().getrandbits(32)))
# The host build and the router builds (mips is big-endian; mips, mipsel and
# armhf run their assembly ChaCha20 and Poly1305).
TARGETS = ["x64-builtin", "mips", "mipsel", "armhf", "aarch64"]
LENGTHS = [0, 1, 15, 16, 17, 100, 1403, 1404, 1419, 1420, 1421]
REJECT_AFTER = (1 << 64) - (1 << 13) - 1

# Runs on the target, before each test's own code.
HELPERS = r"""
import struct
from array import array
import wgcrypto
from wireguard.transport import Sealer, padded_length

KEY = bytes(range(1, 33))
RECEIVER = 0xA1B2C3D4
FILL = 0xA5
REJECT_AFTER = %d


class KP:
    def __init__(self, key, receiver, counter):
        self.send_key = key
        self.remote_index = receiver
        self.send_counter = counter
        self.send_valid = True


def plaintext(n, salt):
    return bytes(((i * 31 + salt * 17 + 5) & 255) for i in range(n))


def reference(key, receiver, counter, pt, mtu):
    # The message layout written out by hand, and the engine's Sealer where
    # it still seals (it stops REJECT_AFTER_MESSAGES short of 2**64).
    m = padded_length(len(pt), mtu)
    raw = struct.pack("<IIQ", 4, receiver, counter) + wgcrypto.chacha20poly1305_encrypt(
        key, counter, pt + bytes(m - len(pt)))
    if counter < REJECT_AFTER:
        sealed = Sealer().seal(KP(key, receiver, counter), pt, mtu)
        assert bytes(sealed) == raw, (len(pt), mtu, counter)
    return raw


def lay_out(pts, mtu, gap=5):
    # One buffer: each plaintext at offs[k] + 16, in a slot just big enough
    # for its message, slots apart by `gap` FILL bytes (padding starts as FILL too).
    offs, lens = array('I'), array('I')
    pos = gap
    for pt in pts:
        offs.append(pos)
        lens.append(len(pt))
        pos += 32 + padded_length(len(pt), mtu) + gap
    buf = bytearray(bytes([FILL]) * pos)
    for k, pt in enumerate(pts):
        buf[offs[k] + 16:offs[k] + 16 + len(pt)] = pt
    return buf, offs, lens


def seal_and_check(lengths, mtu, counter, salt):
    pts = [plaintext(n, salt + i) for i, n in enumerate(lengths)]
    buf, offs, lens = lay_out(pts, mtu)
    expected = bytearray(bytes([FILL]) * len(buf))
    wgcrypto.transport_seal_batch(buf, offs, lens, 0, len(pts), KEY, RECEIVER, counter, mtu)
    for k, pt in enumerate(pts):
        ref = reference(KEY, RECEIVER, counter + k, pt, mtu)
        assert lens[k] == len(ref), (k, lens[k], len(ref))
        expected[offs[k]:offs[k] + len(ref)] = ref
    assert buf == expected, (lengths, mtu, counter)
    return len(pts)
""" % REJECT_AFTER


def run(target, code, timeout=600):
    return crypto_target(target).run(HELPERS + code, timeout=timeout)


def ok_count(out):
    lines = [l for l in out.splitlines() if l.startswith("ok ")]
    assert lines, out
    return int(lines[-1].split()[1])


@pytest.mark.parametrize("target", TARGETS)
def test_seal_matches_engine_sealer(target):
    rng = random.Random(SEED)
    print("seed", SEED)
    lengths = LENGTHS + [rng.randrange(0, 1500) for _ in range(24)]
    cases = []
    for mtu in (1420, 1280, 1500, 576, 100, 17, 16, 0):
        cases.append((lengths, mtu, rng.randrange(0, 1 << 20)))
    # Counters crossing 2**32 within the batch, in the Sealer's last range,
    # and ending exactly on 2**64 - 1.
    cases.append((LENGTHS, 1420, (1 << 32) - 5))
    cases.append((LENGTHS, 1420, REJECT_AFTER - len(LENGTHS)))
    cases.append((LENGTHS, 1420, (1 << 64) - len(LENGTHS)))
    cases.append(([1420], 1420, (1 << 64) - 1))
    code = "n = 0\n"
    for i, (ls, mtu, counter) in enumerate(cases):
        code += "n += seal_and_check(%r, %d, %d, %d)\n" % (ls, mtu, counter, i)
    code += "print('ok', n)\n"
    assert ok_count(run(target, code)) == sum(len(c[0]) for c in cases)


@pytest.mark.parametrize("target", TARGETS)
def test_sub_range_leaves_the_rest(target):
    code = r"""
pts = [plaintext(n, 7 + n) for n in (0, 1, 15, 16, 17, 100, 1403, 1404, 1419, 1420, 1421, 33)]
mtu = 1420
buf, offs, lens = lay_out(pts, mtu)
expected = bytearray(buf)
lens0 = array('I', lens)
counter = (1 << 32) - 2
first, count = 3, 6
wgcrypto.transport_seal_batch(buf, offs, lens, first, count, KEY, RECEIVER, counter, mtu)
for k, pt in enumerate(pts):
    if first <= k < first + count:
        ref = reference(KEY, RECEIVER, counter + k - first, pt, mtu)
        assert lens[k] == len(ref), k
        expected[offs[k]:offs[k] + len(ref)] = ref
    else:
        assert lens[k] == lens0[k], k
assert buf == expected
# Opening a sub-range touches only those entries' results and bytes.
results = array('i', [7] * len(pts))
for k in range(first + 1, first + 3):
    expected[offs[k] + 16:offs[k] + 16 + len(pts[k])] = pts[k]
    expected[offs[k] + 16 + len(pts[k]):offs[k] + lens[k] - 16] = bytes(lens[k] - 32 - len(pts[k]))
wgcrypto.transport_open_batch(buf, offs, lens, first + 1, 2, KEY, results)
assert list(results) == [7] * (first + 1) + [lens[first + 1] - 32, lens[first + 2] - 32] + [7] * (len(pts) - first - 3), results
assert buf == expected
# count 0 is a no-op, even at the very end of the arrays.
wgcrypto.transport_seal_batch(buf, offs, lens, len(pts), 0, KEY, RECEIVER, counter, mtu)
wgcrypto.transport_open_batch(buf, offs, lens, len(pts), 0, KEY, results)
assert buf == expected
print('ok', 1)
"""
    assert ok_count(run(target, code)) == 1


@pytest.mark.parametrize("target", TARGETS)
def test_round_trip_and_skipped_entries(target):
    rng = random.Random(SEED + 1)
    lengths = LENGTHS + [rng.randrange(0, 1500) for _ in range(20)]
    code = r"""
lengths = %r
n_ok = 0
for mtu in (1420, 1280, 0):
    pts = [plaintext(n, 40 + n) for n in lengths]
    buf, offs, lens = lay_out(pts, mtu)
    wgcrypto.transport_seal_batch(buf, offs, lens, 0, len(pts), KEY, RECEIVER, 1 << 40, mtu)
    results = array('i', [0] * len(pts))
    skipped = range(1, len(pts), 4)
    for k in skipped:
        results[k] = -2
    # Opened: plaintext and zero padding between the header and the tag,
    # which stay; skipped: still the ciphertext.
    expected = bytearray(buf)
    wgcrypto.transport_open_batch(buf, offs, lens, 0, len(pts), KEY, results)
    for k, pt in enumerate(pts):
        if k in skipped:
            assert results[k] == -2, k
            continue
        m = padded_length(len(pt), mtu)
        assert results[k] == m, (k, results[k], m)
        expected[offs[k] + 16:offs[k] + 16 + m] = pt + bytes(m - len(pt))
        n_ok += 1
    assert buf == expected
# Skipped entries are not even looked at: their offsets may point anywhere.
buf = bytearray(64)
results = array('i', [-2, -2])
wgcrypto.transport_open_batch(buf, array('I', [1 << 31, 60]), array('I', [100, 1 << 30]), 0, 2, KEY, results)
assert list(results) == [-2, -2] and buf == bytearray(64)
# Shorter than header and tag: -1, nothing written.
buf = bytearray(range(40))
results = array('i', [0, 0, 0])
wgcrypto.transport_open_batch(buf, array('I', [0, 3, 8]), array('I', [0, 31, 32]), 0, 3, KEY, results)
assert list(results) == [-1, -1, -1] and buf == bytearray(range(40)), results
print('ok', n_ok)
""" % (lengths,)
    skipped = len(range(1, len(lengths), 4))
    assert ok_count(run(target, code)) == 3 * (len(lengths) - skipped)


@pytest.mark.parametrize("target", TARGETS)
def test_tampered_messages_are_rejected_untouched(target):
    code = r"""
def tamper_batch(n, mtu, positions):
    # One good copy of the message, then one copy per position with that
    # byte changed (a different bit each time), all opened in one call.
    pt = plaintext(n, 9)
    buf1, offs1, lens1 = lay_out([pt], mtu)
    wgcrypto.transport_seal_batch(buf1, offs1, lens1, 0, 1, KEY, RECEIVER, 0x1234567890, mtu)
    msg = bytes(buf1[offs1[0]:offs1[0] + lens1[0]])
    L = len(msg)
    count = 1 + len(positions)
    buf = bytearray(msg * count)
    for i, pos in enumerate(positions):
        buf[(i + 1) * L + pos] ^= 1 << (i % 8)
    offs = array('I', [i * L for i in range(count)])
    lens = array('I', [L] * count)
    results = array('i', [0] * count)
    before = bytes(buf)
    wgcrypto.transport_open_batch(buf, offs, lens, 0, count, KEY, results)
    assert results[0] == L - 32 and buf[16:16 + n] == pt
    for i, pos in enumerate(positions):
        a = (i + 1) * L
        if pos < 8:
            # Type and receiver index are not authenticated: the engine
            # routes on them before opening.
            assert results[i + 1] == L - 32, (n, pos)
        else:
            assert results[i + 1] == -1, (n, pos, results[i + 1])
            assert buf[a:a + L] == before[a:a + L], (n, pos)
    return len(positions)

n = 0
n += tamper_batch(0, 1420, list(range(32)))           # keepalive: header and tag only
n += tamper_batch(20, 1420, list(range(64)))          # every byte of a short message
n += tamper_batch(1420, 1420, list(range(0, 16)) + list(range(16, 1436, 97)) + list(range(1436, 1452)))
print('ok', n)
"""
    assert ok_count(run(target, code)) == 32 + 64 + 16 + len(range(16, 1436, 97)) + 16


# Each bad call raises before anything is written.  (label, exception, call text)
SEAL_ERRORS = [
    ("buf read-only", "TypeError", "seal(bytes(buf), offs, lens, 0, 3, KEY, 1, 0, 1420)"),
    ("offs array('i')", "TypeError", "seal(buf, array('i', offs), lens, 0, 3, KEY, 1, 0, 1420)"),
    ("lens array('H')", "TypeError", "seal(buf, offs, array('H', lens), 0, 3, KEY, 1, 0, 1420)"),
    ("offs bytearray", "TypeError", "seal(buf, bytearray(12), lens, 0, 3, KEY, 1, 0, 1420)"),
    ("lens list", "TypeError", "seal(buf, offs, [0, 0, 0], 0, 3, KEY, 1, 0, 1420)"),
    ("first float", "TypeError", "seal(buf, offs, lens, 0.0, 3, KEY, 1, 0, 1420)"),
    ("first < 0", "ValueError", "seal(buf, offs, lens, -1, 3, KEY, 1, 0, 1420)"),
    ("count < 0", "ValueError", "seal(buf, offs, lens, 0, -1, KEY, 1, 0, 1420)"),
    ("past offs", "ValueError", "seal(buf, offs[:2], lens, 0, 3, KEY, 1, 0, 1420)"),
    ("past lens", "ValueError", "seal(buf, offs, lens[:2], 0, 3, KEY, 1, 0, 1420)"),
    ("first past end", "ValueError", "seal(buf, offs, lens, 4, 0, KEY, 1, 0, 1420)"),
    ("huge first", "ValueError", "seal(buf, offs, lens, 1 << 70, 0, KEY, 1, 0, 1420)"),
    ("key 31", "ValueError", "seal(buf, offs, lens, 0, 3, KEY[:31], 1, 0, 1420)"),
    ("key str", "TypeError", "seal(buf, offs, lens, 0, 3, 'k' * 32, 1, 0, 1420)"),
    ("receiver < 0", "ValueError", "seal(buf, offs, lens, 0, 3, KEY, -1, 0, 1420)"),
    ("receiver 2**32", "ValueError", "seal(buf, offs, lens, 0, 3, KEY, 1 << 32, 0, 1420)"),
    ("receiver str", "TypeError", "seal(buf, offs, lens, 0, 3, KEY, '1', 0, 1420)"),
    ("counter < 0", "ValueError", "seal(buf, offs, lens, 0, 3, KEY, 1, -1, 1420)"),
    ("counter 2**64", "ValueError", "seal(buf, offs, lens, 0, 3, KEY, 1, 1 << 64, 1420)"),
    ("counter wraps", "ValueError", "seal(buf, offs, lens, 0, 3, KEY, 1, (1 << 64) - 2, 1420)"),
    ("counter big negative", "ValueError", "seal(buf, offs, lens, 0, 3, KEY, 1, -(1 << 70), 1420)"),
    ("mtu < 0", "ValueError", "seal(buf, offs, lens, 0, 3, KEY, 1, 0, -1)"),
    ("last does not fit", "ValueError", "seal(memoryview(buf)[:-1], offs, lens, 0, 3, KEY, 1, 0, 1420)"),
    ("padding does not fit", "ValueError", "seal(buf0, offs0, lens0, 0, 3, KEY, 1, 0, 1420)"),
    ("offset huge", "ValueError", "seal(buf, array('I', [0, 0xffffffff, 0]), lens, 0, 3, KEY, 1, 0, 1420)"),
    ("length huge", "ValueError", "seal(buf, offs, array('I', [0, 0xffffffff, 0]), 0, 3, KEY, 1, 0, 1420)"),
    ("lens is buf", "ValueError", "seal(lens, offs, lens, 0, 3, KEY, 1, 0, 1420)"),
    ("offs is lens", "ValueError", "seal(buf, lens, lens, 0, 3, KEY, 1, 0, 1420)"),
    ("too few args", "TypeError", "seal(buf, offs, lens, 0, 3, KEY, 1, 0)"),
]
OPEN_ERRORS = [
    ("buf read-only", "TypeError", "open_(bytes(buf), offs, lens, 0, 3, KEY, res)"),
    ("results array('I')", "TypeError", "open_(buf, offs, lens, 0, 3, KEY, array('I', [0] * 3))"),
    ("offs array('i')", "TypeError", "open_(buf, array('i', offs), lens, 0, 3, KEY, res)"),
    ("lens array('b')", "TypeError", "open_(buf, offs, array('b', [0] * 3), 0, 3, KEY, res)"),
    ("past results", "ValueError", "open_(buf, offs, lens, 0, 3, KEY, array('i', [0, 0]))"),
    ("past offs", "ValueError", "open_(buf, offs[:1], lens, 0, 3, KEY, res)"),
    ("first < 0", "ValueError", "open_(buf, offs, lens, -1, 1, KEY, res)"),
    ("count float", "TypeError", "open_(buf, offs, lens, 0, 3.0, KEY, res)"),
    ("key 33", "ValueError", "open_(buf, offs, lens, 0, 3, KEY + b'x', res)"),
    ("last past buf", "ValueError", "open_(memoryview(buf)[:-1], offs, lens, 0, 3, KEY, res)"),
    ("offset huge", "ValueError", "open_(buf, array('I', [0, 0xffffffff, 0]), lens, 0, 3, KEY, res)"),
    ("results is buf", "ValueError", "open_(res, offs, lens, 0, 3, KEY, res)"),
    ("too many args", "TypeError", "open_(buf, offs, lens, 0, 3, KEY, res, 0)"),
]


@pytest.mark.parametrize("target", TARGETS)
def test_bad_calls_raise_and_change_nothing(target):
    code = r"""
seal = wgcrypto.transport_seal_batch
open_ = wgcrypto.transport_open_batch

def snapshot():
    return bytes(buf), bytes(offs), bytes(lens), bytes(res), bytes(buf0), bytes(lens0)

def expect(label, exc, call):
    s = snapshot()
    try:
        eval(call)
    except Exception as e:
        assert type(e).__name__ == exc, (label, repr(e))
    else:
        raise AssertionError(label + ": no exception")
    assert snapshot() == s, label

pts = [plaintext(n, 3) for n in (5, 40, 100)]
buf, offs, lens = lay_out(pts, 1420, gap=0)
res = array('i', [0] * 3)
# Laid out without padding: sealing with an MTU pads the last one past the end.
buf0, offs0, lens0 = lay_out(pts, 0, gap=0)
n = 0
for label, exc, call in %r:
    expect(label, exc, call)
    n += 1
# The same layout seals and opens fine, and after sealing the open errors
# leave the sealed messages alone too.
seal(buf, offs, lens, 0, 3, KEY, 1, (1 << 64) - 3, 1420)
for label, exc, call in %r:
    expect(label, exc, call)
    n += 1
open_(buf, offs, lens, 0, 3, KEY, res)
assert list(res) == [16, 48, 112], res
print('ok', n)
""" % (SEAL_ERRORS, OPEN_ERRORS)
    assert ok_count(run(target, code)) == len(SEAL_ERRORS) + len(OPEN_ERRORS)


def _rotl(v, c):
    return ((v << c) & 0xffffffff) | (v >> (32 - c))


def hchacha20(key, nonce16):
    """HChaCha20 (draft-irtf-cfrg-xchacha section 2.2), here so the derived
    vectors do not depend on the code under test."""
    s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))

    def qr(a, b, c, d):
        s[a] = (s[a] + s[b]) & 0xffffffff
        s[d] = _rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & 0xffffffff
        s[b] = _rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & 0xffffffff
        s[d] = _rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & 0xffffffff
        s[b] = _rotl(s[b] ^ s[c], 7)

    for _ in range(10):
        qr(0, 4, 8, 12), qr(1, 5, 9, 13), qr(2, 6, 10, 14), qr(3, 7, 11, 15)
        qr(0, 5, 10, 15), qr(1, 6, 11, 12), qr(2, 7, 8, 13), qr(3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def wireguard_shaped_vectors():
    """(source, key, counter, plaintext, ct, tag, valid) from the Wycheproof files: AEAD
    vectors with empty AAD and a nonce of 4 zero bytes, and XChaCha ones turned into such."""
    out = []
    with open(os.path.join(VECTORS, "wycheproof_chacha20_poly1305_test.json")) as f:
        for g in json.load(f)["testGroups"]:
            for t in g["tests"]:
                iv = bytes.fromhex(t["iv"])
                if len(iv) == 12 and iv[:4] == bytes(4) and t["aad"] == "" and g["tagSize"] == 128 \
                        and len(t["key"]) == 64:
                    out.append(("chacha#%d" % t["tcId"], bytes.fromhex(t["key"]),
                                struct.unpack("<Q", iv[4:])[0], t["msg"], t["ct"], t["tag"],
                                t["result"] == "valid"))
    with open(os.path.join(VECTORS, "wycheproof_xchacha20_poly1305_test.json")) as f:
        for g in json.load(f)["testGroups"]:
            for t in g["tests"]:
                iv = bytes.fromhex(t["iv"])
                if len(iv) == 24 and t["aad"] == "" and g["tagSize"] == 128 and len(t["key"]) == 64:
                    out.append(("xchacha#%d" % t["tcId"], hchacha20(bytes.fromhex(t["key"]), iv[:16]),
                                struct.unpack("<Q", iv[16:])[0], t["msg"], t["ct"], t["tag"],
                                t["result"] == "valid"))
    return out


@pytest.mark.parametrize("target", TARGETS)
def test_wycheproof_vectors(target):
    vectors = wireguard_shaped_vectors()
    assert len(vectors) >= 40, "too few usable vectors: %d" % len(vectors)
    # Each vector opened as a message in one batch, and each valid one sealed
    # (mtu 0: no padding, so the message is exactly header || ct || tag).
    code = r"""
from binascii import unhexlify as u
vecs = %r
bad = []
n = 0
for name, key, counter, msg, ct, tag, valid in vecs:
    msg, ct, tag = u(msg), u(ct), u(tag)
    wire = struct.pack("<IIQ", 4, RECEIVER, counter) + ct + tag
    buf = bytearray(b"\x5a" * 3 + wire + b"\x5a" * 3)
    offs, lens, res = array('I', [3]), array('I', [len(wire)]), array('i', [0])
    wgcrypto.transport_open_batch(buf, offs, lens, 0, 1, key, res)
    if valid:
        good = res[0] == len(msg) and buf == b"\x5a" * 3 + wire[:16] + msg + tag + b"\x5a" * 3
    else:
        good = res[0] == -1 and buf == b"\x5a" * 3 + wire + b"\x5a" * 3
    if valid:
        buf = bytearray(b"\x5a" * 3 + bytes(16) + msg + bytes(16) + b"\x5a" * 3)
        lens = array('I', [len(msg)])
        wgcrypto.transport_seal_batch(buf, offs, lens, 0, 1, key, RECEIVER, counter, 0)
        good = good and lens[0] == len(wire) and buf == b"\x5a" * 3 + wire + b"\x5a" * 3
    if not good:
        bad.append(name)
    n += 1
print('bad', bad)
print('ok', n)
""" % ([(s, k, c, m, ct, tag, v) for s, k, c, m, ct, tag, v in vectors],)
    out = run(target, code)
    assert "bad []" in out, out
    assert ok_count(out) == len(vectors)


def test_batch_speed_x64(capsys):
    """Per-packet time for 1420-byte packets: one batch call of 64 against 64 single calls."""
    code = r"""
import time
N, n, mtu, rounds = 64, 1420, 1420, 100
pts = [plaintext(n, k) for k in range(N)]
buf, offs, lens = lay_out(pts, mtu)
lens0 = array('I', lens)
results = array('i', [0] * N)
zero = array('i', [0] * N)
seal, open_ = wgcrypto.transport_seal_batch, wgcrypto.transport_open_batch
t = time.ticks_us()
for r in range(rounds):
    lens[:] = lens0
    seal(buf, offs, lens, 0, N, KEY, RECEIVER, r * N, mtu)
seal_us = time.ticks_diff(time.ticks_us(), t)
# Each round opens what the last seal wrote, then seals it again.
t = time.ticks_us()
for r in range(rounds):
    results[:] = zero
    open_(buf, offs, lens, 0, N, KEY, results)
    lens[:] = lens0
    seal(buf, offs, lens, 0, N, KEY, RECEIVER, 0, mtu)
both_us = time.ticks_diff(time.ticks_us(), t)
assert list(results) == [n] * N
out = bytearray(16 + n + 16)
dst = memoryview(out)[16:]
enc = wgcrypto.chacha20poly1305_encrypt_into
t = time.ticks_us()
for r in range(rounds):
    c = r * N
    for k in range(N):
        enc(dst, KEY, c + k, pts[k], b"")
single_us = time.ticks_diff(time.ticks_us(), t)
per = rounds * N
print("seal batch %.2f us/packet, open batch %.2f us/packet, 64 single encrypt_into %.2f us/packet" % (
    seal_us / per, (both_us - seal_us) / per, single_us / per))
"""
    out = run("x64-builtin", code)
    with capsys.disabled():
        print("\n1420-byte packets, x64 build, batch of 64: " + out.strip().splitlines()[-1])


def test_left_out_of_the_mpy_x64():
    """The .mpy (the boards' build) has no batch calls: it must not grow."""
    out = crypto_target("x64-mpy").run("import wgcrypto\nprint(hasattr(wgcrypto, 'transport_seal_batch'),"
                                       " hasattr(wgcrypto, 'transport_open_batch'), wgcrypto.backend)")
    assert out.split() == ["False", "False", "c64"]
