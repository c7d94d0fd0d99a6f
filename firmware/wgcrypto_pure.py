"""Pure-Python fallback for the ``wgcrypto`` native module.

Provides the same functions as the C module ``wgcrypto`` (ChaCha20-Poly1305,
XChaCha20-Poly1305, HChaCha20, ChaCha20, Poly1305, BLAKE2s, X25519,
HMAC-BLAKE2s, WireGuard's KDF, constant-time compare and all-zero check) for ports
where no native build is available, and serves as an independent second
implementation for differential testing.  Runs on MicroPython (ports with
arbitrary-precision integers) and on CPython 3.

Written from the specifications:
  RFC 8439 (ChaCha20, Poly1305, ChaCha20-Poly1305 AEAD),
  draft-irtf-cfrg-xchacha (HChaCha20, XChaCha20-Poly1305),
  RFC 7693 (BLAKE2s), RFC 7748 (X25519), RFC 2104 (HMAC), the WireGuard
  paper section 5.4 (KDF, i.e. RFC 5869 HKDF over HMAC-BLAKE2s).

SECURITY NOTE: this is a fallback.  Python-level code cannot be made
constant-time: integer operations, big-integer arithmetic and the interpreter
itself have data-dependent timing, so secret keys may leak through timing side
channels.  Prefer the native module wherever it exists.  It is also slow,
especially on 32-bit microcontrollers, where 32-bit words do not fit in a small
int and every ChaCha20/BLAKE2s word operation allocates a big int.

Inputs may be bytes, bytearray or memoryview; results are bytes.  The *_into
variants build the complete result before writing it, so ``out`` may alias the
input buffer.
"""

import struct

backend = "python"

_M = 0xFFFFFFFF
_pack16 = struct.pack
_unpack16 = struct.unpack

# ---------------------------------------------------------------- helpers


def _bytes(x, name, length=None):
    if isinstance(x, bytes):
        b = x
    elif isinstance(x, (bytearray, memoryview)):
        b = bytes(x)
    else:
        raise TypeError("%s must be bytes, bytearray or memoryview" % name)
    if length is not None and len(b) != length:
        raise ValueError("%s must be %d bytes" % (name, length))
    return b


def _check_out(out, n):
    if isinstance(out, (bytes, str)) or not isinstance(out, (bytearray, memoryview)):
        raise TypeError("out must be a writable buffer (bytearray or memoryview)")
    if len(out) < n:
        raise ValueError("out buffer too small: need %d bytes" % n)


def _eq(a, b):
    # Compare without an early exit (best effort; see the security note).
    if len(a) != len(b):
        return False
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")) == 0


def _xor(data, ks):
    n = len(data)
    if n == 0:
        return b""
    return (int.from_bytes(data, "little") ^ int.from_bytes(ks[:n], "little")).to_bytes(n, "little")


try:
    pow(2, 3, 5)

    def _powmod(b, e, m):
        return pow(b, e, m)

except Exception:  # port built without three-argument pow

    def _powmod(b, e, m):
        r = 1
        b %= m
        while e:
            if e & 1:
                r = (r * b) % m
            b = (b * b) % m
            e >>= 1
        return r


# ---------------------------------------------------------------- ChaCha20

_C0 = 0x61707865
_C1 = 0x3320646E
_C2 = 0x79622D32
_C3 = 0x6B206574


def _chacha_block(s, ff):
    # 20 rounds over the 16-word state s; with ff the input is added back
    # (ChaCha20 block function), without it the raw words are returned
    # (HChaCha20).
    j0, j1, j2, j3, j4, j5, j6, j7, j8, j9, j10, j11, j12, j13, j14, j15 = s
    x0, x1, x2, x3, x4, x5, x6, x7 = j0, j1, j2, j3, j4, j5, j6, j7
    x8, x9, x10, x11, x12, x13, x14, x15 = j8, j9, j10, j11, j12, j13, j14, j15
    for _ in range(10):
        x0 = (x0 + x4) & _M; x12 ^= x0; x12 = ((x12 << 16) & _M) | (x12 >> 16)
        x8 = (x8 + x12) & _M; x4 ^= x8; x4 = ((x4 << 12) & _M) | (x4 >> 20)
        x0 = (x0 + x4) & _M; x12 ^= x0; x12 = ((x12 << 8) & _M) | (x12 >> 24)
        x8 = (x8 + x12) & _M; x4 ^= x8; x4 = ((x4 << 7) & _M) | (x4 >> 25)
        x1 = (x1 + x5) & _M; x13 ^= x1; x13 = ((x13 << 16) & _M) | (x13 >> 16)
        x9 = (x9 + x13) & _M; x5 ^= x9; x5 = ((x5 << 12) & _M) | (x5 >> 20)
        x1 = (x1 + x5) & _M; x13 ^= x1; x13 = ((x13 << 8) & _M) | (x13 >> 24)
        x9 = (x9 + x13) & _M; x5 ^= x9; x5 = ((x5 << 7) & _M) | (x5 >> 25)
        x2 = (x2 + x6) & _M; x14 ^= x2; x14 = ((x14 << 16) & _M) | (x14 >> 16)
        x10 = (x10 + x14) & _M; x6 ^= x10; x6 = ((x6 << 12) & _M) | (x6 >> 20)
        x2 = (x2 + x6) & _M; x14 ^= x2; x14 = ((x14 << 8) & _M) | (x14 >> 24)
        x10 = (x10 + x14) & _M; x6 ^= x10; x6 = ((x6 << 7) & _M) | (x6 >> 25)
        x3 = (x3 + x7) & _M; x15 ^= x3; x15 = ((x15 << 16) & _M) | (x15 >> 16)
        x11 = (x11 + x15) & _M; x7 ^= x11; x7 = ((x7 << 12) & _M) | (x7 >> 20)
        x3 = (x3 + x7) & _M; x15 ^= x3; x15 = ((x15 << 8) & _M) | (x15 >> 24)
        x11 = (x11 + x15) & _M; x7 ^= x11; x7 = ((x7 << 7) & _M) | (x7 >> 25)
        x0 = (x0 + x5) & _M; x15 ^= x0; x15 = ((x15 << 16) & _M) | (x15 >> 16)
        x10 = (x10 + x15) & _M; x5 ^= x10; x5 = ((x5 << 12) & _M) | (x5 >> 20)
        x0 = (x0 + x5) & _M; x15 ^= x0; x15 = ((x15 << 8) & _M) | (x15 >> 24)
        x10 = (x10 + x15) & _M; x5 ^= x10; x5 = ((x5 << 7) & _M) | (x5 >> 25)
        x1 = (x1 + x6) & _M; x12 ^= x1; x12 = ((x12 << 16) & _M) | (x12 >> 16)
        x11 = (x11 + x12) & _M; x6 ^= x11; x6 = ((x6 << 12) & _M) | (x6 >> 20)
        x1 = (x1 + x6) & _M; x12 ^= x1; x12 = ((x12 << 8) & _M) | (x12 >> 24)
        x11 = (x11 + x12) & _M; x6 ^= x11; x6 = ((x6 << 7) & _M) | (x6 >> 25)
        x2 = (x2 + x7) & _M; x13 ^= x2; x13 = ((x13 << 16) & _M) | (x13 >> 16)
        x8 = (x8 + x13) & _M; x7 ^= x8; x7 = ((x7 << 12) & _M) | (x7 >> 20)
        x2 = (x2 + x7) & _M; x13 ^= x2; x13 = ((x13 << 8) & _M) | (x13 >> 24)
        x8 = (x8 + x13) & _M; x7 ^= x8; x7 = ((x7 << 7) & _M) | (x7 >> 25)
        x3 = (x3 + x4) & _M; x14 ^= x3; x14 = ((x14 << 16) & _M) | (x14 >> 16)
        x9 = (x9 + x14) & _M; x4 ^= x9; x4 = ((x4 << 12) & _M) | (x4 >> 20)
        x3 = (x3 + x4) & _M; x14 ^= x3; x14 = ((x14 << 8) & _M) | (x14 >> 24)
        x9 = (x9 + x14) & _M; x4 ^= x9; x4 = ((x4 << 7) & _M) | (x4 >> 25)
    if ff:
        return _pack16(
            "<16I",
            (x0 + j0) & _M, (x1 + j1) & _M, (x2 + j2) & _M, (x3 + j3) & _M,
            (x4 + j4) & _M, (x5 + j5) & _M, (x6 + j6) & _M, (x7 + j7) & _M,
            (x8 + j8) & _M, (x9 + j9) & _M, (x10 + j10) & _M, (x11 + j11) & _M,
            (x12 + j12) & _M, (x13 + j13) & _M, (x14 + j14) & _M, (x15 + j15) & _M,
        )
    return x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15


def _chacha_state(key, counter, nonce12):
    s = [_C0, _C1, _C2, _C3]
    s.extend(_unpack16("<8I", key))
    s.append(counter)
    s.extend(_unpack16("<3I", nonce12))
    return s


def _keystream(s, nbytes):
    # s[12] holds the starting block counter; s is modified.
    blocks = []
    ctr = s[12]
    for i in range((nbytes + 63) >> 6):
        s[12] = ctr + i
        blocks.append(_chacha_block(s, True))
    return b"".join(blocks)


def chacha20(key32, nonce12, counter, data):
    """RFC 8439 ChaCha20: XOR data with the keystream starting at block `counter`.

    The block counter is 32 bits; data that would run past block 2**32-1
    raises ValueError instead of wrapping."""
    key = _bytes(key32, "key", 32)
    nonce = _bytes(nonce12, "nonce", 12)
    data = _bytes(data, "data")
    if not isinstance(counter, int):
        raise TypeError("counter must be an int")
    nblocks = (len(data) + 63) >> 6
    if counter < 0 or counter > _M:
        raise ValueError("counter must be in 0..2**32-1")
    if counter + nblocks > _M + 1:
        raise ValueError("32-bit block counter would overflow")
    if not data:
        return b""
    return _xor(data, _keystream(_chacha_state(key, counter, nonce), len(data)))


def hchacha20(key32, nonce16):
    """HChaCha20 (draft-irtf-cfrg-xchacha section 2.2): 32-byte subkey."""
    key = _bytes(key32, "key", 32)
    nonce = _bytes(nonce16, "nonce", 16)
    s = [_C0, _C1, _C2, _C3]
    s.extend(_unpack16("<8I", key))
    s.extend(_unpack16("<4I", nonce))
    x = _chacha_block(s, False)
    return _pack16("<8I", x[0], x[1], x[2], x[3], x[12], x[13], x[14], x[15])


# ---------------------------------------------------------------- Poly1305

_P1305 = (1 << 130) - 5
_M130 = (1 << 130) - 1
_M128 = (1 << 128) - 1
_HIBIT = 1 << 128
_RCLAMP = 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF


def _poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & _RCLAMP
    acc = 0
    n = len(msg)
    full = n & ~15
    mv = memoryview(msg)
    for i in range(0, full, 16):
        acc = (acc + int.from_bytes(mv[i:i + 16], "little") + _HIBIT) * r
        # Partial reduction mod 2**130-5; acc stays below 2**131.
        acc = (acc & _M130) + 5 * (acc >> 130)
    if n > full:
        acc = (acc + int.from_bytes(bytes(mv[full:]) + b"\x01", "little")) * r
        acc = (acc & _M130) + 5 * (acc >> 130)
    acc %= _P1305
    acc = (acc + int.from_bytes(key[16:32], "little")) & _M128
    return acc.to_bytes(16, "little")


def poly1305(key32, data):
    """RFC 8439 Poly1305 one-time authenticator: 16-byte tag."""
    key = _bytes(key32, "key", 32)
    return _poly1305(key, _bytes(data, "data"))


# ---------------------------------------------------------------- AEAD

_ZERO16 = bytes(16)


def _nonce12(nonce):
    if isinstance(nonce, int) and not isinstance(nonce, bool):
        if nonce < 0 or nonce > 0xFFFFFFFFFFFFFFFF:
            raise ValueError("nonce counter must be in 0..2**64-1")
        return b"\x00\x00\x00\x00" + nonce.to_bytes(8, "little")
    if isinstance(nonce, (bytes, bytearray, memoryview)):
        return _bytes(nonce, "nonce", 12)
    raise TypeError("nonce must be an int or a 12-byte buffer")


def _mac_data(ad, ct):
    return b"".join((
        ad, _ZERO16[:(-len(ad)) & 15],
        ct, _ZERO16[:(-len(ct)) & 15],
        struct.pack("<QQ", len(ad), len(ct)),
    ))


def _seal(key, nonce, pt, ad):
    s = _chacha_state(key, 0, nonce)
    ks = _keystream(s, 64 + len(pt))
    ct = _xor(pt, ks[64:])
    return ct + _poly1305(ks[:32], _mac_data(ad, ct))


def _open(key, nonce, data, ad):
    # Returns the plaintext, or None when the tag does not verify.
    n = len(data) - 16
    ct = data[:n]
    s = _chacha_state(key, 0, nonce)
    polykey = _chacha_block(s, True)[:32]
    if not _eq(_poly1305(polykey, _mac_data(ad, ct)), data[n:]):
        return None
    if n == 0:
        return b""
    s[12] = 1
    return _xor(ct, _keystream(s, n))


def _ct_arg(ciphertext):
    data = _bytes(ciphertext, "ciphertext")
    if len(data) < 16:
        raise ValueError("ciphertext must be at least 16 bytes (tag)")
    return data


def chacha20poly1305_encrypt(key32, nonce, plaintext, ad=b""):
    """RFC 8439 AEAD encrypt; returns ciphertext || 16-byte tag.

    nonce is either an int (WireGuard 64-bit counter: 4 zero bytes followed by
    the little-endian u64) or a 12-byte buffer."""
    key = _bytes(key32, "key", 32)
    n = _nonce12(nonce)
    return _seal(key, n, _bytes(plaintext, "plaintext"), _bytes(ad, "ad"))


def chacha20poly1305_decrypt(key32, nonce, ciphertext, ad=b""):
    """RFC 8439 AEAD decrypt; returns the plaintext, or None if the tag fails."""
    key = _bytes(key32, "key", 32)
    n = _nonce12(nonce)
    return _open(key, n, _ct_arg(ciphertext), _bytes(ad, "ad"))


def chacha20poly1305_encrypt_into(out, key32, nonce, plaintext, ad):
    """Encrypt into the writable buffer out; returns len(plaintext) + 16."""
    key = _bytes(key32, "key", 32)
    n = _nonce12(nonce)
    pt = _bytes(plaintext, "plaintext")
    a = _bytes(ad, "ad")
    _check_out(out, len(pt) + 16)
    res = _seal(key, n, pt, a)
    out[:len(res)] = res
    return len(res)


def chacha20poly1305_decrypt_into(out, key32, nonce, ciphertext, ad):
    """Decrypt into out; returns len(ciphertext) - 16, or -1 if the tag fails
    (out is not written in that case)."""
    key = _bytes(key32, "key", 32)
    n = _nonce12(nonce)
    data = _ct_arg(ciphertext)
    a = _bytes(ad, "ad")
    _check_out(out, len(data) - 16)
    res = _open(key, n, data, a)
    if res is None:
        return -1
    out[:len(res)] = res
    return len(res)


def _xnonce(key32, nonce24):
    key = _bytes(key32, "key", 32)
    nonce = _bytes(nonce24, "nonce", 24)
    return hchacha20(key, nonce[:16]), b"\x00\x00\x00\x00" + nonce[16:]


def xchacha20poly1305_encrypt(key32, nonce24, plaintext, ad=b""):
    """XChaCha20-Poly1305 encrypt (24-byte nonce); returns ciphertext || tag."""
    subkey, n = _xnonce(key32, nonce24)
    return _seal(subkey, n, _bytes(plaintext, "plaintext"), _bytes(ad, "ad"))


def xchacha20poly1305_decrypt(key32, nonce24, ciphertext, ad=b""):
    """XChaCha20-Poly1305 decrypt; returns the plaintext or None."""
    subkey, n = _xnonce(key32, nonce24)
    return _open(subkey, n, _ct_arg(ciphertext), _bytes(ad, "ad"))


# ---------------------------------------------------------------- BLAKE2s

_IV = (
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
    0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
)

_SIGMA = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)


def _blake2s_compress(h, block, t, last):
    m = _unpack16("<16I", block)
    v0, v1, v2, v3, v4, v5, v6, v7 = h
    v8, v9, v10, v11 = 0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A
    v12 = 0x510E527F ^ (t & _M)
    v13 = 0x9B05688C ^ (t >> 32)
    v14 = 0x1F83D9AB ^ _M if last else 0x1F83D9AB
    v15 = 0x5BE0CD19
    for s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15 in _SIGMA:
        v0 = (v0 + v4 + m[s0]) & _M; v12 ^= v0; v12 = (v12 >> 16) | ((v12 << 16) & _M)
        v8 = (v8 + v12) & _M; v4 ^= v8; v4 = (v4 >> 12) | ((v4 << 20) & _M)
        v0 = (v0 + v4 + m[s1]) & _M; v12 ^= v0; v12 = (v12 >> 8) | ((v12 << 24) & _M)
        v8 = (v8 + v12) & _M; v4 ^= v8; v4 = (v4 >> 7) | ((v4 << 25) & _M)
        v1 = (v1 + v5 + m[s2]) & _M; v13 ^= v1; v13 = (v13 >> 16) | ((v13 << 16) & _M)
        v9 = (v9 + v13) & _M; v5 ^= v9; v5 = (v5 >> 12) | ((v5 << 20) & _M)
        v1 = (v1 + v5 + m[s3]) & _M; v13 ^= v1; v13 = (v13 >> 8) | ((v13 << 24) & _M)
        v9 = (v9 + v13) & _M; v5 ^= v9; v5 = (v5 >> 7) | ((v5 << 25) & _M)
        v2 = (v2 + v6 + m[s4]) & _M; v14 ^= v2; v14 = (v14 >> 16) | ((v14 << 16) & _M)
        v10 = (v10 + v14) & _M; v6 ^= v10; v6 = (v6 >> 12) | ((v6 << 20) & _M)
        v2 = (v2 + v6 + m[s5]) & _M; v14 ^= v2; v14 = (v14 >> 8) | ((v14 << 24) & _M)
        v10 = (v10 + v14) & _M; v6 ^= v10; v6 = (v6 >> 7) | ((v6 << 25) & _M)
        v3 = (v3 + v7 + m[s6]) & _M; v15 ^= v3; v15 = (v15 >> 16) | ((v15 << 16) & _M)
        v11 = (v11 + v15) & _M; v7 ^= v11; v7 = (v7 >> 12) | ((v7 << 20) & _M)
        v3 = (v3 + v7 + m[s7]) & _M; v15 ^= v3; v15 = (v15 >> 8) | ((v15 << 24) & _M)
        v11 = (v11 + v15) & _M; v7 ^= v11; v7 = (v7 >> 7) | ((v7 << 25) & _M)
        v0 = (v0 + v5 + m[s8]) & _M; v15 ^= v0; v15 = (v15 >> 16) | ((v15 << 16) & _M)
        v10 = (v10 + v15) & _M; v5 ^= v10; v5 = (v5 >> 12) | ((v5 << 20) & _M)
        v0 = (v0 + v5 + m[s9]) & _M; v15 ^= v0; v15 = (v15 >> 8) | ((v15 << 24) & _M)
        v10 = (v10 + v15) & _M; v5 ^= v10; v5 = (v5 >> 7) | ((v5 << 25) & _M)
        v1 = (v1 + v6 + m[s10]) & _M; v12 ^= v1; v12 = (v12 >> 16) | ((v12 << 16) & _M)
        v11 = (v11 + v12) & _M; v6 ^= v11; v6 = (v6 >> 12) | ((v6 << 20) & _M)
        v1 = (v1 + v6 + m[s11]) & _M; v12 ^= v1; v12 = (v12 >> 8) | ((v12 << 24) & _M)
        v11 = (v11 + v12) & _M; v6 ^= v11; v6 = (v6 >> 7) | ((v6 << 25) & _M)
        v2 = (v2 + v7 + m[s12]) & _M; v13 ^= v2; v13 = (v13 >> 16) | ((v13 << 16) & _M)
        v8 = (v8 + v13) & _M; v7 ^= v8; v7 = (v7 >> 12) | ((v7 << 20) & _M)
        v2 = (v2 + v7 + m[s13]) & _M; v13 ^= v2; v13 = (v13 >> 8) | ((v13 << 24) & _M)
        v8 = (v8 + v13) & _M; v7 ^= v8; v7 = (v7 >> 7) | ((v7 << 25) & _M)
        v3 = (v3 + v4 + m[s14]) & _M; v14 ^= v3; v14 = (v14 >> 16) | ((v14 << 16) & _M)
        v9 = (v9 + v14) & _M; v4 ^= v9; v4 = (v4 >> 12) | ((v4 << 20) & _M)
        v3 = (v3 + v4 + m[s15]) & _M; v14 ^= v3; v14 = (v14 >> 8) | ((v14 << 24) & _M)
        v9 = (v9 + v14) & _M; v4 ^= v9; v4 = (v4 >> 7) | ((v4 << 25) & _M)
    return [
        h[0] ^ v0 ^ v8, h[1] ^ v1 ^ v9, h[2] ^ v2 ^ v10, h[3] ^ v3 ^ v11,
        h[4] ^ v4 ^ v12, h[5] ^ v5 ^ v13, h[6] ^ v6 ^ v14, h[7] ^ v7 ^ v15,
    ]


def blake2s(data, digest_size=32, key=b""):
    """RFC 7693 BLAKE2s; keyed (MAC mode) when key is non-empty."""
    data = _bytes(data, "data")
    key = _bytes(key, "key")
    if not isinstance(digest_size, int):
        raise TypeError("digest_size must be an int")
    if digest_size < 1 or digest_size > 32:
        raise ValueError("digest_size must be 1..32")
    kk = len(key)
    if kk > 32:
        raise ValueError("key must be at most 32 bytes")
    h = list(_IV)
    h[0] ^= 0x01010000 ^ (kk << 8) ^ digest_size
    if kk:
        data = key + bytes(64 - kk) + data
    n = len(data)
    mv = memoryview(data)
    off = 0
    # All blocks but the last; the last one (possibly empty when n == 0)
    # is zero-padded and flagged.
    while n - off > 64:
        off += 64
        h = _blake2s_compress(h, mv[off - 64:off], off, False)
    last = bytes(mv[off:])
    h = _blake2s_compress(h, last + bytes(64 - len(last)), n, True)
    return _pack16("<8I", *h)[:digest_size]


# ------------------------------------------- HMAC, WireGuard's KDF, compare

# The pad bytes as one 512-bit integer: key XOR pad is then one big-int XOR
# instead of a 64-step byte loop.
_IPAD = int.from_bytes(b"\x36" * 64, "little")
_OPAD = int.from_bytes(b"\x5c" * 64, "little")


def _hmac(key, data):
    if len(key) > 64:
        key = blake2s(key)                    # RFC 2104: long keys are hashed first
    k = int.from_bytes(key, "little")
    inner = blake2s((k ^ _IPAD).to_bytes(64, "little") + data)
    return blake2s((k ^ _OPAD).to_bytes(64, "little") + inner)


def hmac_blake2s(key, data):
    """RFC 2104 HMAC with BLAKE2s-256 (64-byte block) -> 32 bytes."""
    return _hmac(_bytes(key, "key"), _bytes(data, "data"))


def kdf(n, key, data):
    """WireGuard's KDF_n (HKDF over HMAC-BLAKE2s): tuple of n (1..3) 32-byte outputs."""
    if not isinstance(n, int):
        raise TypeError("n must be an int")
    if n < 1 or n > 3:
        raise ValueError("kdf outputs must be 1..3")
    t0 = _hmac(_bytes(key, "key", 32), _bytes(data, "data"))
    out = []
    prev = b""
    for i in range(1, n + 1):
        prev = _hmac(t0, prev + bytes((i,)))
        out.append(prev)
    return tuple(out)


def equal(a, b):
    """Same length and same bytes, without an early exit (best effort)."""
    return _eq(_bytes(a, "a"), _bytes(b, "b"))


def is_zero(data):
    """All bytes zero (an empty buffer is)."""
    return int.from_bytes(_bytes(data, "data"), "little") == 0


# ---------------------------------------------------------------- X25519

_P = (1 << 255) - 19
_A24 = 121665
_PM2 = _P - 2
_MASK255 = (1 << 255) - 1
_SCALAR_MASK = (1 << 254) - 8  # clears bits 0..2, 254 and 255
_SCALAR_TOP = 1 << 254


def _x25519(k, u):
    # k: clamped scalar (int); u: decoded u-coordinate (int < p).
    P = _P
    x1 = u
    x2, z2, x3, z3 = 1, 0, u, 1
    swap = 0
    for t in range(254, -1, -1):
        kt = (k >> t) & 1
        swap ^= kt
        if swap:
            x2, x3 = x3, x2
            z2, z3 = z3, z2
        swap = kt
        a = x2 + z2
        aa = (a * a) % P
        b = x2 - z2
        bb = (b * b) % P
        e = aa - bb
        c = x3 + z3
        d = x3 - z3
        da = (d * a) % P
        cb = (c * b) % P
        x3 = da + cb
        x3 = (x3 * x3) % P
        z3 = da - cb
        z3 = (x1 * ((z3 * z3) % P)) % P
        x2 = (aa * bb) % P
        z2 = (e * (aa + _A24 * e)) % P
    if swap:
        x2, x3 = x3, x2
        z2, z3 = z3, z2
    return ((x2 * _powmod(z2, _PM2, P)) % P).to_bytes(32, "little")


def _decode_scalar(s):
    k = int.from_bytes(s, "little")
    return (k & _SCALAR_MASK) | _SCALAR_TOP


def x25519(scalar32, point32):
    """RFC 7748 X25519.  An all-zero result is returned as is; the caller
    must reject it."""
    k = _decode_scalar(_bytes(scalar32, "scalar", 32))
    u = (int.from_bytes(_bytes(point32, "point", 32), "little") & _MASK255) % _P
    return _x25519(k, u)


def x25519_base(scalar32):
    """X25519 with the base point u = 9 (public key from private key)."""
    return _x25519(_decode_scalar(_bytes(scalar32, "scalar", 32)), 9)
