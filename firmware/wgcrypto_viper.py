"""``wgcrypto`` for MicroPython ports with no native build, in viper code.

Same functions as the C module ``wgcrypto`` and ``wgcrypto_pure``; ChaCha20,
Poly1305, BLAKE2s and X25519 run as ``@micropython.viper`` machine code
(32-bit words in preallocated buffers, no allocation per block), which the
port's own native emitter (or ``mpy-cross -march=...``, e.g. ``xtensawin``
for ESP32 and ESP32-S3) produces, so no C toolchain is needed.

Written from the specifications: RFC 8439 (ChaCha20, Poly1305, AEAD),
draft-irtf-cfrg-xchacha (HChaCha20, XChaCha20-Poly1305), RFC 7693 (BLAKE2s),
RFC 7748 (X25519).

Constant time: the viper code (ChaCha20, Poly1305 with the tag compare,
BLAKE2s, X25519's whole ladder, inversion and encoding) has no branch and no
memory index that depends on secret data; loop bounds and alignment checks
depend on lengths and addresses only, and X25519's swaps are masks.  The
Python glue only copies keys into the buffers.

The same code runs on 32-bit ports (``uint`` is 32 bits) and on 64-bit ones
(the unix port on x64, where ``uint`` is 64 bits): every sum and left shift
that can pass 32 bits is masked with M, and 32-bit stores drop the rest;
X25519's limbs are sized so that no value reaches 2^31.

Not re-entrant: the state buffers are shared (MicroPython runs one thread
here; the engine makes one call at a time).
"""
import micropython
import struct

import wgcrypto_pure as _pure

backend = "viper"

_bytes = _pure._bytes


def _check_out(out, n):
    _pure._check_out(out, n)
    # viper writes through the buffer's address: a read-only memoryview (of bytes) must
    # fail here, as a slice assignment fails in the pure module
    out[0:0] = b""
_pack_into = struct.pack_into

# ---------------------------------------------------------------- ChaCha20

# Words 0..15: the input block (constants, key, counter, nonce); 16..31: the
# keystream block.  The constants do not fit a small int on 32-bit ports, so
# they are written here once instead of appearing in the viper code.
_CH = bytearray(128)
_pack_into("<4I", _CH, 0, 0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)
_ZERO64 = bytes(64)


@micropython.viper
def _chacha(st: ptr32, src: ptr8, dst: ptr8, n: int):
    # n >= 0: dst[0:n] = src[0:n] XOR keystream from block st[12] on; st[12]
    # is left at the next block.  n < 0: HChaCha20, the 20 rounds without
    # the feed-forward, into st[16..31].
    M = uint(0xFFFF) | (uint(0xFFFF) << 16)
    ks = ptr8(st)
    off = 0
    while True:
        x0 = uint(st[0]); x1 = uint(st[1]); x2 = uint(st[2]); x3 = uint(st[3])
        x4 = uint(st[4]); x5 = uint(st[5]); x6 = uint(st[6]); x7 = uint(st[7])
        x8 = uint(st[8]); x9 = uint(st[9]); x10 = uint(st[10]); x11 = uint(st[11])
        x12 = uint(st[12]); x13 = uint(st[13]); x14 = uint(st[14]); x15 = uint(st[15])
        # Loops with a big body end in `if ...: break` and an unconditional
        # jump back: Xtensa's conditional branches reach only +-2 KB.
        i = 0
        while True:
            # column round
            x0 = (x0 + x4) & M; x12 ^= x0; x12 = ((x12 << 16) | (x12 >> 16)) & M
            x8 = (x8 + x12) & M; x4 ^= x8; x4 = ((x4 << 12) | (x4 >> 20)) & M
            x0 = (x0 + x4) & M; x12 ^= x0; x12 = ((x12 << 8) | (x12 >> 24)) & M
            x8 = (x8 + x12) & M; x4 ^= x8; x4 = ((x4 << 7) | (x4 >> 25)) & M
            x1 = (x1 + x5) & M; x13 ^= x1; x13 = ((x13 << 16) | (x13 >> 16)) & M
            x9 = (x9 + x13) & M; x5 ^= x9; x5 = ((x5 << 12) | (x5 >> 20)) & M
            x1 = (x1 + x5) & M; x13 ^= x1; x13 = ((x13 << 8) | (x13 >> 24)) & M
            x9 = (x9 + x13) & M; x5 ^= x9; x5 = ((x5 << 7) | (x5 >> 25)) & M
            x2 = (x2 + x6) & M; x14 ^= x2; x14 = ((x14 << 16) | (x14 >> 16)) & M
            x10 = (x10 + x14) & M; x6 ^= x10; x6 = ((x6 << 12) | (x6 >> 20)) & M
            x2 = (x2 + x6) & M; x14 ^= x2; x14 = ((x14 << 8) | (x14 >> 24)) & M
            x10 = (x10 + x14) & M; x6 ^= x10; x6 = ((x6 << 7) | (x6 >> 25)) & M
            x3 = (x3 + x7) & M; x15 ^= x3; x15 = ((x15 << 16) | (x15 >> 16)) & M
            x11 = (x11 + x15) & M; x7 ^= x11; x7 = ((x7 << 12) | (x7 >> 20)) & M
            x3 = (x3 + x7) & M; x15 ^= x3; x15 = ((x15 << 8) | (x15 >> 24)) & M
            x11 = (x11 + x15) & M; x7 ^= x11; x7 = ((x7 << 7) | (x7 >> 25)) & M
            # diagonal round
            x0 = (x0 + x5) & M; x15 ^= x0; x15 = ((x15 << 16) | (x15 >> 16)) & M
            x10 = (x10 + x15) & M; x5 ^= x10; x5 = ((x5 << 12) | (x5 >> 20)) & M
            x0 = (x0 + x5) & M; x15 ^= x0; x15 = ((x15 << 8) | (x15 >> 24)) & M
            x10 = (x10 + x15) & M; x5 ^= x10; x5 = ((x5 << 7) | (x5 >> 25)) & M
            x1 = (x1 + x6) & M; x12 ^= x1; x12 = ((x12 << 16) | (x12 >> 16)) & M
            x11 = (x11 + x12) & M; x6 ^= x11; x6 = ((x6 << 12) | (x6 >> 20)) & M
            x1 = (x1 + x6) & M; x12 ^= x1; x12 = ((x12 << 8) | (x12 >> 24)) & M
            x11 = (x11 + x12) & M; x6 ^= x11; x6 = ((x6 << 7) | (x6 >> 25)) & M
            x2 = (x2 + x7) & M; x13 ^= x2; x13 = ((x13 << 16) | (x13 >> 16)) & M
            x8 = (x8 + x13) & M; x7 ^= x8; x7 = ((x7 << 12) | (x7 >> 20)) & M
            x2 = (x2 + x7) & M; x13 ^= x2; x13 = ((x13 << 8) | (x13 >> 24)) & M
            x8 = (x8 + x13) & M; x7 ^= x8; x7 = ((x7 << 7) | (x7 >> 25)) & M
            x3 = (x3 + x4) & M; x14 ^= x3; x14 = ((x14 << 16) | (x14 >> 16)) & M
            x9 = (x9 + x14) & M; x4 ^= x9; x4 = ((x4 << 12) | (x4 >> 20)) & M
            x3 = (x3 + x4) & M; x14 ^= x3; x14 = ((x14 << 8) | (x14 >> 24)) & M
            x9 = (x9 + x14) & M; x4 ^= x9; x4 = ((x4 << 7) | (x4 >> 25)) & M
            i += 1
            if i >= 10:
                break
        if n < 0:
            st[16] = x0; st[17] = x1; st[18] = x2; st[19] = x3
            st[20] = x12; st[21] = x13; st[22] = x14; st[23] = x15
            return
        # 32-bit stores drop the carry out of each sum.
        st[16] = x0 + uint(st[0]); st[17] = x1 + uint(st[1])
        st[18] = x2 + uint(st[2]); st[19] = x3 + uint(st[3])
        st[20] = x4 + uint(st[4]); st[21] = x5 + uint(st[5])
        st[22] = x6 + uint(st[6]); st[23] = x7 + uint(st[7])
        st[24] = x8 + uint(st[8]); st[25] = x9 + uint(st[9])
        st[26] = x10 + uint(st[10]); st[27] = x11 + uint(st[11])
        st[28] = x12 + uint(st[12]); st[29] = x13 + uint(st[13])
        st[30] = x14 + uint(st[14]); st[31] = x15 + uint(st[15])
        st[12] = uint(st[12]) + 1
        m = n - off
        if m >= 64 and ((uint(src) | uint(dst)) & 3) == uint(0):
            # Whole block, both sides word-aligned (addresses are public):
            # word-wise (Xtensa faults on unaligned word access).
            s32 = ptr32(uint(src) + uint(off))
            d32 = ptr32(uint(dst) + uint(off))
            j = 0
            while j < 16:
                d32[j] = s32[j] ^ st[16 + j]
                j += 1
        else:
            if m > 64:
                m = 64
            j = 0
            while j < m:
                dst[off + j] = src[off + j] ^ ks[64 + j]
                j += 1
        off += 64
        if off >= n:
            return


def _chacha_setup(key, counter, nonce):
    # key: 32-byte buffer; nonce: int (WireGuard counter) or 12-byte buffer.
    st = _CH
    st[16:48] = key
    if isinstance(nonce, int):
        _pack_into("<IIQ", st, 48, counter, 0, nonce)
    else:
        _pack_into("<I", st, 48, counter)
        st[52:64] = nonce


def chacha20(key32, nonce12, counter, data):
    """RFC 8439 ChaCha20: XOR data with the keystream starting at block `counter`.

    The block counter is 32 bits; data that would run past block 2**32-1
    raises ValueError instead of wrapping."""
    key = _bytes(key32, "key", 32)
    nonce = _bytes(nonce12, "nonce", 12)
    data = _bytes(data, "data")
    if not isinstance(counter, int):
        raise TypeError("counter must be an int")
    if counter < 0 or counter > 0xFFFFFFFF:
        raise ValueError("counter must be in 0..2**32-1")
    if counter + ((len(data) + 63) >> 6) > 0x100000000:
        raise ValueError("32-bit block counter would overflow")
    if not data:
        return b""
    out = bytearray(len(data))
    _chacha_setup(key, counter, nonce)
    _chacha(_CH, data, out, len(data))
    return bytes(out)


def hchacha20(key32, nonce16):
    """HChaCha20 (draft-irtf-cfrg-xchacha section 2.2): 32-byte subkey."""
    key = _bytes(key32, "key", 32)
    nonce = _bytes(nonce16, "nonce", 16)
    st = _CH
    st[16:48] = key
    st[48:64] = nonce
    _chacha(st, _ZERO64, _ZERO64, -1)
    return bytes(memoryview(st)[64:96])


# ---------------------------------------------------------------- Poly1305
#
# Radix 2^13: ten 13-bit limbs hold 130 bits, and every limb product fits
# 26 bits, so a whole row of the schoolbook product sums inside 32 bits with
# no high-half multiply (viper has none).  The part of a column that wraps
# past 2^130 (times 5, since 2^130 = 5 mod p) is split at 13 bits before the
# multiplication by 5, so that stays inside 32 bits as well.
#
# _PS words: 0..9 accumulator h, 10..19 r, 20..29 s (the pad; only 128 bits),
# 30..39 the message block's limbs.  _PB: a 17-byte block with its pad byte.

_PS = bytearray(160)
_PB = bytearray(24)


@micropython.viper
def _limbs13(dst: ptr32, src: ptr8, n: int):
    # dst[0..n-1] = the low 13n bits of the little-endian bytes at src, 13 bits a limb (Poly1305
    # and X25519 both count in these limbs; each sets its top limb itself). Reads src[0..(13n+15)/8].
    i = 0
    while i < n:
        p = i * 13
        q = p >> 3
        w = uint(src[q]) | (uint(src[q + 1]) << 8) | (uint(src[q + 2]) << 16)
        dst[i] = (w >> (p & 7)) & 0x1FFF
        i += 1


@micropython.viper
def _bytes13(dst: ptr8, src: ptr32, n: int):
    # dst[0..n-1] = the little-endian bytes of the 13-bit limbs at src (the inverse of _limbs13).
    acc = uint(0)
    bits = 0
    k = 0
    j = 0
    while j < n:
        while bits < 8:
            acc |= uint(src[k]) << bits
            bits += 13
            k += 1
        dst[j] = acc
        acc >>= 8
        bits -= 8
        j += 1


@micropython.viper
def _limbs(dst: ptr32, src: ptr8, top: int):
    # dst[0..9] = the 13-bit limbs of the 16 little-endian bytes src[0..15],
    # with `top` as bit 128 (the block's pad bit).
    _limbs13(dst, src, 9)
    # limb 9: bits 117..129
    dst[9] = ((uint(src[14]) | (uint(src[15]) << 8)) >> 5) | (uint(top) << 11)


@micropython.viper
def _poly_init(ps: ptr32, key: ptr8):
    # h = 0, r = clamp(key[0:16]), s = key[16:32].
    kb = ptr8(uint(ps) + 120)  # the block limbs' place, as 16 bytes of scratch
    i = 0
    while i < 16:
        kb[i] = key[i]
        i += 1
    kb[3] &= 15; kb[7] &= 15; kb[11] &= 15; kb[15] &= 15
    kb[4] &= 252; kb[8] &= 252; kb[12] &= 252
    _limbs(ptr32(uint(ps) + 40), kb, 0)
    _limbs(ptr32(uint(ps) + 80), ptr8(uint(key) + 16), 0)
    i = 0
    while i < 10:
        ps[i] = 0
        i += 1


@micropython.viper
def _poly_blocks(ps: ptr32, data: ptr8, n: int, top: int):
    # Absorb the n // 16 whole blocks of data, each with pad bit `top`.
    m = ptr32(uint(ps) + 120)
    off = 0
    while off + 16 <= n:
        # h += the block's 13-bit limbs, with `top` as bit 128
        i = 0
        while i < 9:
            p = i * 13
            q = off + (p >> 3)
            w = uint(data[q]) | (uint(data[q + 1]) << 8) | (uint(data[q + 2]) << 16)
            ps[i] = uint(ps[i]) + ((w >> (p & 7)) & 0x1FFF)
            i += 1
        ps[9] = uint(ps[9]) + (((uint(data[off + 14]) | (uint(data[off + 15]) << 8)) >> 5) | (uint(top) << 11))
        # d[k] = sum over i+j=k of h[i]r[j] + 5 * sum over i+j=k+10 of h[i]r[j]
        carry = uint(0)
        k = 0
        while k < 10:
            a = carry
            i = 0
            while i <= k:
                a += uint(ps[i]) * uint(ps[10 + k - i])
                i += 1
            b = uint(0)
            while i < 10:
                b += uint(ps[i]) * uint(ps[20 + k - i])
                i += 1
            a += (b & 0x1FFF) * 5
            m[k] = a
            carry = (b >> 13) * 5
            k += 1
        # carry chain: limbs back to 13 bits (limb 0 a little over)
        c = uint(0)
        k = 0
        while k < 10:
            a = uint(m[k]) + c
            ps[k] = a & 0x1FFF
            c = a >> 13
            k += 1
        a = uint(ps[0]) + c * 5
        ps[0] = a & 0x1FFF
        ps[1] = uint(ps[1]) + (a >> 13)
        off += 16


@micropython.viper
def _poly_finish(ps: ptr32, out: ptr8):
    # out[0:16] = (h mod p + s) mod 2^128.
    M = uint(0xFFFF) | (uint(0xFFFF) << 16)
    g = ptr32(uint(ps) + 120)
    # full carry, twice: h < 2^130 + small, then h < 2^130 in 13-bit limbs
    r = 0
    while r < 2:
        c = uint(0)
        k = 0
        while k < 10:
            a = uint(ps[k]) + c
            ps[k] = a & 0x1FFF
            c = a >> 13
            k += 1
        ps[0] = uint(ps[0]) + c * 5
        r += 1
    # g = h + 5 - 2^130; use g when that did not borrow (h >= p)
    c = uint(5)
    k = 0
    while k < 10:
        a = uint(ps[k]) + c
        g[k] = a & 0x1FFF
        c = a >> 13
        k += 1
    # c is 1 when h + 5 >= 2^130; mask all ones then
    mask = (uint(0) - c) & M
    k = 0
    while k < 10:
        ps[k] = (uint(ps[k]) & (mask ^ M)) | (uint(g[k]) & mask)
        k += 1
    # + s, then out the low 128 bits
    c = uint(0)
    k = 0
    while k < 10:
        a = uint(ps[k]) + uint(ps[20 + k]) + c
        ps[k] = a & 0x1FFF
        c = a >> 13
        k += 1
    _bytes13(out, ps, 16)


_LEN16 = bytearray(16)
_Z16 = bytes(16)


def _poly_pad(data, n):
    # Absorb data[0:n] as RFC 8439's AEAD does: zero-padded to whole blocks.
    full = n & ~15
    _poly_blocks(_PS, data, full, 1)
    if n > full:
        pb = _PB
        pb[:16] = _Z16
        pb[:n - full] = memoryview(data)[full:n]
        _poly_blocks(_PS, pb, 16, 1)


def poly1305(key32, data):
    """RFC 8439 Poly1305 one-time authenticator: 16-byte tag."""
    key = _bytes(key32, "key", 32)
    data = _bytes(data, "data")
    n = len(data)
    full = n & ~15
    _poly_init(_PS, key)
    _poly_blocks(_PS, data, full, 1)
    if n > full:
        pb = _PB
        pb[:16] = _Z16
        pb[:n - full] = memoryview(data)[full:]
        pb[n - full] = 1
        _poly_blocks(_PS, pb, 16, 0)
    tag = bytearray(16)
    _poly_finish(_PS, tag)
    return bytes(tag)


# ---------------------------------------------------------------- AEAD

_PK = bytearray(32)   # the one-time Poly1305 key
_TAG = bytearray(16)


@micropython.viper
def _differ(a: ptr8, b: ptr8, n: int) -> int:
    # 0 when a[0:n] == b[0:n]; no early exit.
    d = 0
    i = 0
    while i < n:
        d |= a[i] ^ b[i]
        i += 1
    return d


def _aead_mac(ad, ct, n):
    # Tag of (ad, ct[0:n]) into _TAG, with the one-time key of block 0.
    _chacha(_CH, _ZERO64, _PK, 32)  # keystream block 0; the counter moves to 1
    _poly_init(_PS, _PK)
    _poly_pad(ad, len(ad))
    _poly_pad(ct, n)
    _pack_into("<QQ", _LEN16, 0, len(ad), n)
    _poly_blocks(_PS, _LEN16, 16, 1)
    _poly_finish(_PS, _TAG)


def _seal_into(out, key, nonce, pt, ad):
    n = len(pt)
    _chacha_setup(key, 1, nonce)
    _chacha(_CH, pt, out, n)
    _pack_into("<I", _CH, 48, 0)
    _aead_mac(ad, out, n)
    out[n:n + 16] = _TAG
    return n + 16


def _open_into(out, key, nonce, data, ad):
    # Plaintext into out; -1 (out untouched) when the tag does not verify.
    n = len(data) - 16
    _chacha_setup(key, 0, nonce)
    _aead_mac(ad, data, n)
    if _differ(_TAG, memoryview(data)[n:], 16):
        return -1
    _chacha(_CH, data, out, n)  # the counter is at block 1
    return n


def _nonce(nonce):
    if isinstance(nonce, int) and not isinstance(nonce, bool):
        if nonce < 0 or nonce > 0xFFFFFFFFFFFFFFFF:
            raise ValueError("nonce counter must be in 0..2**64-1")
        return nonce
    if isinstance(nonce, (bytes, bytearray, memoryview)):
        return _bytes(nonce, "nonce", 12)
    raise TypeError("nonce must be an int or a 12-byte buffer")


def _ct_arg(ciphertext):
    data = _bytes(ciphertext, "ciphertext")
    if len(data) < 16:
        raise ValueError("ciphertext must be at least 16 bytes (tag)")
    return data


def _in(x, name):
    # Read-only inputs may stay as they are (any buffer); copies only for type errors.
    if isinstance(x, (bytes, bytearray, memoryview)):
        return x
    raise TypeError("%s must be bytes, bytearray or memoryview" % name)


def chacha20poly1305_encrypt(key32, nonce, plaintext, ad=b""):
    """RFC 8439 AEAD encrypt; returns ciphertext || 16-byte tag.

    nonce is either an int (WireGuard 64-bit counter: 4 zero bytes followed by
    the little-endian u64) or a 12-byte buffer."""
    key = _bytes(key32, "key", 32)
    n = _nonce(nonce)
    pt = _in(plaintext, "plaintext")
    a = _in(ad, "ad")
    out = bytearray(len(pt) + 16)
    _seal_into(out, key, n, pt, a)
    return bytes(out)


def chacha20poly1305_decrypt(key32, nonce, ciphertext, ad=b""):
    """RFC 8439 AEAD decrypt; returns the plaintext, or None if the tag fails."""
    key = _bytes(key32, "key", 32)
    n = _nonce(nonce)
    data = _ct_arg(ciphertext)
    a = _in(ad, "ad")
    out = bytearray(len(data) - 16)
    if _open_into(out, key, n, data, a) < 0:
        return None
    return bytes(out)


def chacha20poly1305_encrypt_into(out, key32, nonce, plaintext, ad):
    """Encrypt into the writable buffer out; returns len(plaintext) + 16."""
    key = _bytes(key32, "key", 32)
    n = _nonce(nonce)
    pt = _in(plaintext, "plaintext")
    a = _in(ad, "ad")
    _check_out(out, len(pt) + 16)
    return _seal_into(out, key, n, pt, a)


def chacha20poly1305_decrypt_into(out, key32, nonce, ciphertext, ad):
    """Decrypt into out; returns len(ciphertext) - 16, or -1 if the tag fails
    (out is not written in that case)."""
    key = _bytes(key32, "key", 32)
    n = _nonce(nonce)
    data = _in(ciphertext, "ciphertext")
    if len(data) < 16:
        raise ValueError("ciphertext must be at least 16 bytes (tag)")
    a = _in(ad, "ad")
    _check_out(out, len(data) - 16)
    return _open_into(out, key, n, data, a)


def _xkey(key32, nonce24):
    key = _bytes(key32, "key", 32)
    nonce = _bytes(nonce24, "nonce", 24)
    return hchacha20(key, nonce[:16]), b"\x00\x00\x00\x00" + nonce[16:]


def xchacha20poly1305_encrypt(key32, nonce24, plaintext, ad=b""):
    """XChaCha20-Poly1305 encrypt (24-byte nonce); returns ciphertext || tag."""
    subkey, n = _xkey(key32, nonce24)
    pt = _in(plaintext, "plaintext")
    a = _in(ad, "ad")
    out = bytearray(len(pt) + 16)
    _seal_into(out, subkey, n, pt, a)
    return bytes(out)


def xchacha20poly1305_decrypt(key32, nonce24, ciphertext, ad=b""):
    """XChaCha20-Poly1305 decrypt; returns the plaintext or None."""
    subkey, n = _xkey(key32, nonce24)
    data = _ct_arg(ciphertext)
    a = _in(ad, "ad")
    out = bytearray(len(data) - 16)
    if _open_into(out, subkey, n, data, a) < 0:
        return None
    return bytes(out)


# ---------------------------------------------------------------- BLAKE2s
#
# _B2 words: 0..7 h, 8..15 IV, 16/17 the byte counter t (low, high), 18 the
# last-block flag word f0, 19 the counter step per block, 20..35 the message
# block; bytes 144..303: SIGMA, one byte per index.

_B2 = bytearray(304)
_pack_into("<8I", _B2, 32, 0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
           0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
_B2[144:304] = bytes((
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
    11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
    7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
    9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
    2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
    12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
    13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
    6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
    10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
))
_B2BLK = bytearray(64)


@micropython.viper
def _b2_compress(s: ptr32, data: ptr8, nblocks: int):
    # Compress nblocks 64-byte blocks of data into h; t grows by s[19] per block.
    M = uint(0xFFFF) | (uint(0xFFFF) << 16)
    sg = ptr8(s)
    m = ptr32(uint(s) + 80)
    blk = 0
    while True:  # see _chacha on the loop shape
        if blk >= nblocks:
            break
        p = blk << 6
        i = 0
        while i < 16:
            q = p + (i << 2)
            m[i] = uint(data[q]) | (uint(data[q + 1]) << 8) | (uint(data[q + 2]) << 16) | (uint(data[q + 3]) << 24)
            i += 1
        t = uint(s[16]) + uint(s[19])
        s[16] = t
        if (t & M) < uint(s[19]):  # the counter is public (a length)
            s[17] = uint(s[17]) + 1
        v0 = uint(s[0]); v1 = uint(s[1]); v2 = uint(s[2]); v3 = uint(s[3])
        v4 = uint(s[4]); v5 = uint(s[5]); v6 = uint(s[6]); v7 = uint(s[7])
        v8 = uint(s[8]); v9 = uint(s[9]); v10 = uint(s[10]); v11 = uint(s[11])
        v12 = uint(s[12]) ^ uint(s[16]); v13 = uint(s[13]) ^ uint(s[17])
        v14 = uint(s[14]) ^ uint(s[18]); v15 = uint(s[15])
        r = 144
        while True:
            v0 = (v0 + v4 + uint(m[sg[r]])) & M; v12 ^= v0; v12 = ((v12 >> 16) | (v12 << 16)) & M
            v8 = (v8 + v12) & M; v4 ^= v8; v4 = ((v4 >> 12) | (v4 << 20)) & M
            v0 = (v0 + v4 + uint(m[sg[r + 1]])) & M; v12 ^= v0; v12 = ((v12 >> 8) | (v12 << 24)) & M
            v8 = (v8 + v12) & M; v4 ^= v8; v4 = ((v4 >> 7) | (v4 << 25)) & M
            v1 = (v1 + v5 + uint(m[sg[r + 2]])) & M; v13 ^= v1; v13 = ((v13 >> 16) | (v13 << 16)) & M
            v9 = (v9 + v13) & M; v5 ^= v9; v5 = ((v5 >> 12) | (v5 << 20)) & M
            v1 = (v1 + v5 + uint(m[sg[r + 3]])) & M; v13 ^= v1; v13 = ((v13 >> 8) | (v13 << 24)) & M
            v9 = (v9 + v13) & M; v5 ^= v9; v5 = ((v5 >> 7) | (v5 << 25)) & M
            v2 = (v2 + v6 + uint(m[sg[r + 4]])) & M; v14 ^= v2; v14 = ((v14 >> 16) | (v14 << 16)) & M
            v10 = (v10 + v14) & M; v6 ^= v10; v6 = ((v6 >> 12) | (v6 << 20)) & M
            v2 = (v2 + v6 + uint(m[sg[r + 5]])) & M; v14 ^= v2; v14 = ((v14 >> 8) | (v14 << 24)) & M
            v10 = (v10 + v14) & M; v6 ^= v10; v6 = ((v6 >> 7) | (v6 << 25)) & M
            v3 = (v3 + v7 + uint(m[sg[r + 6]])) & M; v15 ^= v3; v15 = ((v15 >> 16) | (v15 << 16)) & M
            v11 = (v11 + v15) & M; v7 ^= v11; v7 = ((v7 >> 12) | (v7 << 20)) & M
            v3 = (v3 + v7 + uint(m[sg[r + 7]])) & M; v15 ^= v3; v15 = ((v15 >> 8) | (v15 << 24)) & M
            v11 = (v11 + v15) & M; v7 ^= v11; v7 = ((v7 >> 7) | (v7 << 25)) & M
            v0 = (v0 + v5 + uint(m[sg[r + 8]])) & M; v15 ^= v0; v15 = ((v15 >> 16) | (v15 << 16)) & M
            v10 = (v10 + v15) & M; v5 ^= v10; v5 = ((v5 >> 12) | (v5 << 20)) & M
            v0 = (v0 + v5 + uint(m[sg[r + 9]])) & M; v15 ^= v0; v15 = ((v15 >> 8) | (v15 << 24)) & M
            v10 = (v10 + v15) & M; v5 ^= v10; v5 = ((v5 >> 7) | (v5 << 25)) & M
            v1 = (v1 + v6 + uint(m[sg[r + 10]])) & M; v12 ^= v1; v12 = ((v12 >> 16) | (v12 << 16)) & M
            v11 = (v11 + v12) & M; v6 ^= v11; v6 = ((v6 >> 12) | (v6 << 20)) & M
            v1 = (v1 + v6 + uint(m[sg[r + 11]])) & M; v12 ^= v1; v12 = ((v12 >> 8) | (v12 << 24)) & M
            v11 = (v11 + v12) & M; v6 ^= v11; v6 = ((v6 >> 7) | (v6 << 25)) & M
            v2 = (v2 + v7 + uint(m[sg[r + 12]])) & M; v13 ^= v2; v13 = ((v13 >> 16) | (v13 << 16)) & M
            v8 = (v8 + v13) & M; v7 ^= v8; v7 = ((v7 >> 12) | (v7 << 20)) & M
            v2 = (v2 + v7 + uint(m[sg[r + 13]])) & M; v13 ^= v2; v13 = ((v13 >> 8) | (v13 << 24)) & M
            v8 = (v8 + v13) & M; v7 ^= v8; v7 = ((v7 >> 7) | (v7 << 25)) & M
            v3 = (v3 + v4 + uint(m[sg[r + 14]])) & M; v14 ^= v3; v14 = ((v14 >> 16) | (v14 << 16)) & M
            v9 = (v9 + v14) & M; v4 ^= v9; v4 = ((v4 >> 12) | (v4 << 20)) & M
            v3 = (v3 + v4 + uint(m[sg[r + 15]])) & M; v14 ^= v3; v14 = ((v14 >> 8) | (v14 << 24)) & M
            v9 = (v9 + v14) & M; v4 ^= v9; v4 = ((v4 >> 7) | (v4 << 25)) & M
            r += 16
            if r >= 304:
                break
        s[0] = uint(s[0]) ^ v0 ^ v8; s[1] = uint(s[1]) ^ v1 ^ v9
        s[2] = uint(s[2]) ^ v2 ^ v10; s[3] = uint(s[3]) ^ v3 ^ v11
        s[4] = uint(s[4]) ^ v4 ^ v12; s[5] = uint(s[5]) ^ v5 ^ v13
        s[6] = uint(s[6]) ^ v6 ^ v14; s[7] = uint(s[7]) ^ v7 ^ v15
        blk += 1


def _b2_hash(out, data, digest_size, kk, head):
    # BLAKE2s into out[0:digest_size] of the 64-byte block `head` (the padded
    # key when kk, the key length, is not 0; HMAC's key block), if not None,
    # followed by data.
    s = _B2
    s[0:32] = s[32:64]
    s[0] ^= digest_size
    s[1] ^= kk
    s[2] ^= 1
    s[3] ^= 1
    _pack_into("<IIII", s, 64, 0, 0, 0, 64)
    n = len(data)
    blk = _B2BLK
    if head is not None:
        if n == 0:
            _pack_into("<II", s, 72, 0xFFFFFFFF, 64)
        _b2_compress(s, head, 1)
        if n == 0:
            out[:digest_size] = memoryview(s)[:digest_size]
            return
    # every block but the last, which may be empty only when the whole input is
    full = (n - 1) >> 6 if n else 0
    _b2_compress(s, data, full)
    rest = n - (full << 6)
    blk[:] = _ZERO64
    blk[:rest] = memoryview(data)[full << 6:]
    _pack_into("<II", s, 72, 0xFFFFFFFF, rest)
    _b2_compress(s, blk, 1)
    out[:digest_size] = memoryview(s)[:digest_size]


def blake2s(data, digest_size=32, key=b""):
    """RFC 7693 BLAKE2s; keyed (MAC mode) when key is non-empty."""
    data = _in(data, "data")
    key = _bytes(key, "key")
    if not isinstance(digest_size, int):
        raise TypeError("digest_size must be an int")
    if digest_size < 1 or digest_size > 32:
        raise ValueError("digest_size must be 1..32")
    if len(key) > 32:
        raise ValueError("key must be at most 32 bytes")
    out = bytearray(digest_size)
    kk = len(key)
    head = None
    if kk:
        head = _B2KEY
        head[:] = _ZERO64
        head[:kk] = key
    _b2_hash(out, data, digest_size, kk, head)
    return bytes(out)


# ------------------------------------------- HMAC, WireGuard's KDF, compare

_B2KEY = bytearray(64)   # a keyed hash's key block; HMAC's key XOR pad block
_HIN = bytearray(32)     # HMAC's inner hash
_HT0 = bytearray(32)     # the KDF's extracted key
_HMSG = bytearray(33)    # the KDF's T(i-1) || i


@micropython.viper
def _key_pad(dst: ptr8, key: ptr8, klen: int, pad: int):
    # dst[0:64] = key zero-padded to 64 bytes, XOR pad
    i = 0
    while i < 64:
        b = 0
        if i < klen:  # the key's length is public
            b = key[i]
        dst[i] = b ^ pad
        i += 1


def _hmac_into(out, key, data):
    # RFC 2104 HMAC-BLAKE2s of data into out[0:32]; key is at most 64 bytes.
    kb = _B2KEY
    _key_pad(kb, key, len(key), 0x36)
    _b2_hash(_HIN, data, 32, 0, kb)
    _key_pad(kb, key, len(key), 0x5C)
    _b2_hash(out, _HIN, 32, 0, kb)


def hmac_blake2s(key, data):
    """RFC 2104 HMAC with BLAKE2s-256 (64-byte block) -> 32 bytes."""
    key = _bytes(key, "key")
    data = _in(data, "data")
    if len(key) > 64:
        key = blake2s(key)  # RFC 2104: long keys are hashed first
    out = bytearray(32)
    _hmac_into(out, key, data)
    return bytes(out)


def kdf(n, key, data):
    """WireGuard's KDF_n (HKDF over HMAC-BLAKE2s): tuple of n (1..3) 32-byte outputs."""
    if not isinstance(n, int):
        raise TypeError("n must be an int")
    if n < 1 or n > 3:
        raise ValueError("kdf outputs must be 1..3")
    key = _bytes(key, "key", 32)
    data = _in(data, "data")
    t0 = _HT0
    _hmac_into(t0, key, data)
    msg = _HMSG
    out = []
    prev = None
    for i in range(1, n + 1):
        if prev is None:
            msg[0] = 1
            m = memoryview(msg)[:1]
        else:
            msg[:32] = prev
            msg[32] = i
            m = msg
        prev = bytearray(32)
        _hmac_into(prev, t0, m)
        out.append(bytes(prev))
    return tuple(out)


@micropython.viper
def _or_all(a: ptr8, n: int) -> int:
    d = 0
    i = 0
    while i < n:
        d |= a[i]
        i += 1
    return d


def equal(a, b):
    """Same length and same bytes, without an early exit."""
    a = _in(a, "a")
    b = _in(b, "b")
    if len(a) != len(b):
        return False
    return _differ(a, b, len(a)) == 0


def is_zero(data):
    """All bytes zero (an empty buffer is), without an early exit."""
    data = _in(data, "data")
    return _or_all(data, len(data)) == 0


# ---------------------------------------------------------------- X25519
#
# RFC 7748's Montgomery ladder, the whole of it (decoding, the 255 steps with their
# conditional swaps, the inversion z^(p-2), the encoding) in ONE viper call, _x25519_run:
# field operations are the steps of a small program (_STEP, _INVERT) that the call
# interprets, not Python calls.  An earlier ladder that called a viper function per field
# operation (~3K instructions per call, ~20 calls per bit) was slower than MicroPython's
# big integers (45.1M instructions per X25519 on the emulated Cortex-M4 against 40.5M);
# this one takes 19.6M.
#
# Radix 2^13: a field element is 20 limbs of 13 bits (260 bits; 2^260 = 608 mod p, as
# 2^255 = 19).  Every operation leaves its result "normal": each limb at most 2^13 + 2^6.
# A limb product is then below 2^26.1 and a column of the 20x20 schoolbook product (20
# products, plus a carry) below 2^30.4: no product needs a high half (viper has no
# 32x32->64 multiply) and no sum reaches 2^31, on 32-bit ports as on 64-bit ones (where
# nothing then needs masking).  After a product the 39 columns are carried to 13 bits, the
# upper twenty limbs folded onto the lower ones times 608 (below 2^23) and carried again;
# the carry out of the top (below 2^10) goes times 608 into limb 0, carried two limbs on.
# A sum is carried the same way; a difference adds 128p first, spread so that every limb is
# at least 2^14 (more than any normal limb), so no limb goes negative; a + 121665 * b stays
# below 2^30.  The chains are unrolled: a viper loop costs ~70 instructions per pass.
#
# Constant time: the swap is a mask (0 or all ones) made from the key bit, the key bit is
# read at a public position, the program (which operations on which elements, how many
# squarings) is the same for every key and point, and the final subtraction of p is a
# masked select.
#
# _XW, in 32-bit words: 0..19 the product's second factor (copied, so that the unrolled row
# reads it at fixed offsets from the buffer's address), 20..59 the product's columns, 61/62
# where the ladder step's program and the inversion's end (byte offsets), 64.. the field
# elements (slots of 20 words, _X1.._BIAS).  Bytes 1536..1567 the scalar, 1568..1599 u,
# 1600..1631 the result, 1632.. the programs.

_X1, _X2, _Z2, _X3, _Z3, _A, _B, _C, _D, _AA, _BB, _DA, _CB, _T1, _E, _BIAS = range(16)
_MUL, _ADD, _SUB, _A24, _SQN = range(5)   # _SQN: d = a^(2^b), b squarings

# One ladder step (RFC 7748 section 5; A24 is a + 121665 * b).
_STEP = (
    _ADD, _A, _X2, _Z2,
    _SUB, _B, _X2, _Z2,
    _ADD, _C, _X3, _Z3,
    _SUB, _D, _X3, _Z3,
    _MUL, _AA, _A, _A,
    _MUL, _BB, _B, _B,
    _MUL, _DA, _D, _A,
    _MUL, _CB, _C, _B,
    _ADD, _X3, _DA, _CB,
    _MUL, _X3, _X3, _X3,
    _SUB, _T1, _DA, _CB,
    _MUL, _T1, _T1, _T1,
    _MUL, _Z3, _X1, _T1,
    _MUL, _X2, _AA, _BB,
    _SUB, _E, _AA, _BB,
    _A24, _T1, _AA, _E,
    _MUL, _Z2, _E, _T1,
)
# The result x2 * z2^(p-2), p-2 = 2^255 - 21: z^(2^n - 1) for n = 5, 10, 20, 40, 50, 100,
# 200, 250, then 5 squarings and a product with z^11 (254 squarings, 11 products).
# Slots 5..8 (A, B, C, D) are free after the ladder; the result goes to slot 9 (AA).
_INVERT = (
    _SQN, _A, _Z2, 1,       # A = z^2
    _SQN, _B, _A, 2,        # B = z^8
    _MUL, _B, _Z2, _B,      # B = z^9
    _MUL, _A, _A, _B,       # A = z^11
    _SQN, _C, _A, 1,        # C = z^22
    _MUL, _B, _B, _C,       # B = z^(2^5 - 1)
    _SQN, _C, _B, 5,
    _MUL, _B, _C, _B,       # B = z^(2^10 - 1)
    _SQN, _C, _B, 10,
    _MUL, _C, _C, _B,       # C = z^(2^20 - 1)
    _SQN, _D, _C, 20,
    _MUL, _C, _D, _C,       # C = z^(2^40 - 1)
    _SQN, _C, _C, 10,
    _MUL, _B, _C, _B,       # B = z^(2^50 - 1)
    _SQN, _C, _B, 50,
    _MUL, _C, _C, _B,       # C = z^(2^100 - 1)
    _SQN, _D, _C, 100,
    _MUL, _C, _D, _C,       # C = z^(2^200 - 1)
    _SQN, _C, _C, 50,
    _MUL, _B, _C, _B,       # B = z^(2^250 - 1)
    _SQN, _B, _B, 5,
    _MUL, _B, _B, _A,       # B = z^(2^255 - 21) = 1/z
    _MUL, _AA, _X2, _B,
)
_XW = bytearray(1632 + len(_STEP) + len(_INVERT))
_XW[1632:] = bytes(_STEP + _INVERT)
_pack_into("<II", _XW, 244, 1632 + len(_STEP), 1632 + len(_STEP) + len(_INVERT))


def _x25519_bias():
    # 128p as 20 limbs of at least 2^14 each (and below 2^16): the limb i is 2^14 plus
    # digit i of 128p - 2^14 * (1 + 2^13 + ... + 2^247), the top limb taking the rest.
    lo = 0
    for i in range(20):
        lo += 1 << (14 + 13 * i)
    x = 128 * _pure._P - lo
    limbs = [(1 << 14) + ((x >> (13 * i)) & 0x1FFF) for i in range(19)]
    limbs.append((1 << 14) + (x >> 247))
    _pack_into("<20I", _XW, 256 + 80 * _BIAS, *limbs)


_x25519_bias()


@micropython.viper
def _x25519_run(w: ptr32):
    # _XW's scalar and u (bytes 1536..1599) -> X25519 in bytes 1600..1631.
    tt = ptr32(w)  # the first local after w: a register (the product's row pointer)
    M = uint(0x1FFF)
    w8 = ptr8(w)
    sc = ptr8(uint(w) + 1536)
    # decode (RFC 7748 section 5): clamp the scalar; u's low 255 bits into limbs.  u >= p
    # needs no reduction here: the arithmetic is mod p from the start.
    sc[0] = sc[0] & 248
    sc[31] = (sc[31] & 127) | 64
    ub = ptr8(uint(w) + 1568)
    x1 = ptr32(uint(w) + 256)
    _limbs13(x1, ub, 19)
    x1[19] = ((uint(ub[30]) | (uint(ub[31]) << 8)) >> 7) & 0xFF
    # x2 = 1, z2 = 0, x3 = u, z3 = 1
    i = 0
    while i < 20:
        x1[20 + i] = 0
        x1[40 + i] = 0
        x1[60 + i] = x1[i]
        x1[80 + i] = 0
        i += 1
    x1[20] = 1
    x1[80] = 1
    bias = ptr32(uint(w) + 1456)
    swap = uint(0)
    step = 255  # ladder steps left; 0: the last swap back and the inversion
    pc = 0
    end = 0
    rep = 0
    while True:
        if pc >= end:
            if step < 0:
                break
            kt = uint(0)
            if step > 0:
                t = step - 1
                kt = (uint(sc[t >> 3]) >> (t & 7)) & 1
            swap ^= kt
            mask = uint(0) - swap
            # (x2, z2) <-> (x3, z3) when mask is all ones
            i = 0
            while i < 40:
                a = uint(x1[20 + i])
                b = uint(x1[60 + i])
                d = mask & (a ^ b)
                x1[20 + i] = a ^ d
                x1[60 + i] = b ^ d
                i += 1
            swap = kt
            pc = 1632
            end = int(w[61])
            if step == 0:
                pc = end
                end = int(w[62])
            step -= 1
        kind = int(w8[pc])
        ds = int(w8[pc + 1])
        xs = int(w8[pc + 2])
        ys = int(w8[pc + 3])
        if kind == 4:
            # d = x^(2^y), one squaring per pass: pc stays on the op until the last
            if rep == 0:
                rep = ys
                ys = xs
            else:
                xs = ds
                ys = ds
            rep -= 1
            kind = 0
            if rep == 0:
                pc += 4
        else:
            pc += 4
        pd = ptr32(uint(w) + 256 + 80 * ds)
        pa = ptr32(uint(w) + 256 + 80 * xs)
        pb = ptr32(uint(w) + 256 + 80 * ys)
        c = uint(0)
        while True:  # the product; a block to leave with `break` (Xtensa's conditional
            # branches reach only +-2 KB)
            if kind != 0:
                break
            w[0] = pb[0]; w[1] = pb[1]; w[2] = pb[2]; w[3] = pb[3]; w[4] = pb[4]
            w[5] = pb[5]; w[6] = pb[6]; w[7] = pb[7]; w[8] = pb[8]; w[9] = pb[9]
            w[10] = pb[10]; w[11] = pb[11]; w[12] = pb[12]; w[13] = pb[13]; w[14] = pb[14]
            w[15] = pb[15]; w[16] = pb[16]; w[17] = pb[17]; w[18] = pb[18]; w[19] = pb[19]
            # row 0 writes its columns, row i adds to columns i..i+18 and writes column i+19
            ai = uint(pa[0])
            w[20] = ai * uint(w[0]); w[21] = ai * uint(w[1]); w[22] = ai * uint(w[2]); w[23] = ai * uint(w[3])
            w[24] = ai * uint(w[4]); w[25] = ai * uint(w[5]); w[26] = ai * uint(w[6]); w[27] = ai * uint(w[7])
            w[28] = ai * uint(w[8]); w[29] = ai * uint(w[9]); w[30] = ai * uint(w[10]); w[31] = ai * uint(w[11])
            w[32] = ai * uint(w[12]); w[33] = ai * uint(w[13]); w[34] = ai * uint(w[14]); w[35] = ai * uint(w[15])
            w[36] = ai * uint(w[16]); w[37] = ai * uint(w[17]); w[38] = ai * uint(w[18]); w[39] = ai * uint(w[19])
            i = 1
            while True:
                ai = uint(pa[i])
                tt = ptr32(uint(w) + 80 + (i << 2))
                tt[0] = ai * uint(w[0]) + uint(tt[0])
                tt[1] = ai * uint(w[1]) + uint(tt[1])
                tt[2] = ai * uint(w[2]) + uint(tt[2])
                tt[3] = ai * uint(w[3]) + uint(tt[3])
                tt[4] = ai * uint(w[4]) + uint(tt[4])
                tt[5] = ai * uint(w[5]) + uint(tt[5])
                tt[6] = ai * uint(w[6]) + uint(tt[6])
                tt[7] = ai * uint(w[7]) + uint(tt[7])
                tt[8] = ai * uint(w[8]) + uint(tt[8])
                tt[9] = ai * uint(w[9]) + uint(tt[9])
                tt[10] = ai * uint(w[10]) + uint(tt[10])
                tt[11] = ai * uint(w[11]) + uint(tt[11])
                tt[12] = ai * uint(w[12]) + uint(tt[12])
                tt[13] = ai * uint(w[13]) + uint(tt[13])
                tt[14] = ai * uint(w[14]) + uint(tt[14])
                tt[15] = ai * uint(w[15]) + uint(tt[15])
                tt[16] = ai * uint(w[16]) + uint(tt[16])
                tt[17] = ai * uint(w[17]) + uint(tt[17])
                tt[18] = ai * uint(w[18]) + uint(tt[18])
                tt[19] = ai * uint(w[19])
                i += 1
                if i >= 20:
                    break
            # columns to 13 bits, the carry out of column 38 as column 39
            c = uint(w[20])
            w[20] = c & 0x1FFF
            c = uint(w[21]) + (c >> 13); w[21] = c & 0x1FFF
            c = uint(w[22]) + (c >> 13); w[22] = c & 0x1FFF
            c = uint(w[23]) + (c >> 13); w[23] = c & 0x1FFF
            c = uint(w[24]) + (c >> 13); w[24] = c & 0x1FFF
            c = uint(w[25]) + (c >> 13); w[25] = c & 0x1FFF
            c = uint(w[26]) + (c >> 13); w[26] = c & 0x1FFF
            c = uint(w[27]) + (c >> 13); w[27] = c & 0x1FFF
            c = uint(w[28]) + (c >> 13); w[28] = c & 0x1FFF
            c = uint(w[29]) + (c >> 13); w[29] = c & 0x1FFF
            c = uint(w[30]) + (c >> 13); w[30] = c & 0x1FFF
            c = uint(w[31]) + (c >> 13); w[31] = c & 0x1FFF
            c = uint(w[32]) + (c >> 13); w[32] = c & 0x1FFF
            c = uint(w[33]) + (c >> 13); w[33] = c & 0x1FFF
            c = uint(w[34]) + (c >> 13); w[34] = c & 0x1FFF
            c = uint(w[35]) + (c >> 13); w[35] = c & 0x1FFF
            c = uint(w[36]) + (c >> 13); w[36] = c & 0x1FFF
            c = uint(w[37]) + (c >> 13); w[37] = c & 0x1FFF
            c = uint(w[38]) + (c >> 13); w[38] = c & 0x1FFF
            c = uint(w[39]) + (c >> 13); w[39] = c & 0x1FFF
            c = uint(w[40]) + (c >> 13); w[40] = c & 0x1FFF
            c = uint(w[41]) + (c >> 13); w[41] = c & 0x1FFF
            c = uint(w[42]) + (c >> 13); w[42] = c & 0x1FFF
            c = uint(w[43]) + (c >> 13); w[43] = c & 0x1FFF
            c = uint(w[44]) + (c >> 13); w[44] = c & 0x1FFF
            c = uint(w[45]) + (c >> 13); w[45] = c & 0x1FFF
            c = uint(w[46]) + (c >> 13); w[46] = c & 0x1FFF
            c = uint(w[47]) + (c >> 13); w[47] = c & 0x1FFF
            c = uint(w[48]) + (c >> 13); w[48] = c & 0x1FFF
            c = uint(w[49]) + (c >> 13); w[49] = c & 0x1FFF
            c = uint(w[50]) + (c >> 13); w[50] = c & 0x1FFF
            c = uint(w[51]) + (c >> 13); w[51] = c & 0x1FFF
            c = uint(w[52]) + (c >> 13); w[52] = c & 0x1FFF
            c = uint(w[53]) + (c >> 13); w[53] = c & 0x1FFF
            c = uint(w[54]) + (c >> 13); w[54] = c & 0x1FFF
            c = uint(w[55]) + (c >> 13); w[55] = c & 0x1FFF
            c = uint(w[56]) + (c >> 13); w[56] = c & 0x1FFF
            c = uint(w[57]) + (c >> 13); w[57] = c & 0x1FFF
            c = uint(w[58]) + (c >> 13); w[58] = c & 0x1FFF
            w[59] = c >> 13
            # d = low twenty limbs + 608 * high twenty, carried
            c = uint(w[20]) + 608 * uint(w[40]); pd[0] = c & 0x1FFF
            c = uint(w[21]) + 608 * uint(w[41]) + (c >> 13); pd[1] = c & 0x1FFF
            c = uint(w[22]) + 608 * uint(w[42]) + (c >> 13); pd[2] = c & 0x1FFF
            c = uint(w[23]) + 608 * uint(w[43]) + (c >> 13); pd[3] = c & 0x1FFF
            c = uint(w[24]) + 608 * uint(w[44]) + (c >> 13); pd[4] = c & 0x1FFF
            c = uint(w[25]) + 608 * uint(w[45]) + (c >> 13); pd[5] = c & 0x1FFF
            c = uint(w[26]) + 608 * uint(w[46]) + (c >> 13); pd[6] = c & 0x1FFF
            c = uint(w[27]) + 608 * uint(w[47]) + (c >> 13); pd[7] = c & 0x1FFF
            c = uint(w[28]) + 608 * uint(w[48]) + (c >> 13); pd[8] = c & 0x1FFF
            c = uint(w[29]) + 608 * uint(w[49]) + (c >> 13); pd[9] = c & 0x1FFF
            c = uint(w[30]) + 608 * uint(w[50]) + (c >> 13); pd[10] = c & 0x1FFF
            c = uint(w[31]) + 608 * uint(w[51]) + (c >> 13); pd[11] = c & 0x1FFF
            c = uint(w[32]) + 608 * uint(w[52]) + (c >> 13); pd[12] = c & 0x1FFF
            c = uint(w[33]) + 608 * uint(w[53]) + (c >> 13); pd[13] = c & 0x1FFF
            c = uint(w[34]) + 608 * uint(w[54]) + (c >> 13); pd[14] = c & 0x1FFF
            c = uint(w[35]) + 608 * uint(w[55]) + (c >> 13); pd[15] = c & 0x1FFF
            c = uint(w[36]) + 608 * uint(w[56]) + (c >> 13); pd[16] = c & 0x1FFF
            c = uint(w[37]) + 608 * uint(w[57]) + (c >> 13); pd[17] = c & 0x1FFF
            c = uint(w[38]) + 608 * uint(w[58]) + (c >> 13); pd[18] = c & 0x1FFF
            c = uint(w[39]) + 608 * uint(w[59]) + (c >> 13); pd[19] = c & 0x1FFF
            c = c >> 13
            break
        if kind == 1:
            c = uint(pa[0]) + uint(pb[0]); pd[0] = c & 0x1FFF
            c = uint(pa[1]) + uint(pb[1]) + (c >> 13); pd[1] = c & 0x1FFF
            c = uint(pa[2]) + uint(pb[2]) + (c >> 13); pd[2] = c & 0x1FFF
            c = uint(pa[3]) + uint(pb[3]) + (c >> 13); pd[3] = c & 0x1FFF
            c = uint(pa[4]) + uint(pb[4]) + (c >> 13); pd[4] = c & 0x1FFF
            c = uint(pa[5]) + uint(pb[5]) + (c >> 13); pd[5] = c & 0x1FFF
            c = uint(pa[6]) + uint(pb[6]) + (c >> 13); pd[6] = c & 0x1FFF
            c = uint(pa[7]) + uint(pb[7]) + (c >> 13); pd[7] = c & 0x1FFF
            c = uint(pa[8]) + uint(pb[8]) + (c >> 13); pd[8] = c & 0x1FFF
            c = uint(pa[9]) + uint(pb[9]) + (c >> 13); pd[9] = c & 0x1FFF
            c = uint(pa[10]) + uint(pb[10]) + (c >> 13); pd[10] = c & 0x1FFF
            c = uint(pa[11]) + uint(pb[11]) + (c >> 13); pd[11] = c & 0x1FFF
            c = uint(pa[12]) + uint(pb[12]) + (c >> 13); pd[12] = c & 0x1FFF
            c = uint(pa[13]) + uint(pb[13]) + (c >> 13); pd[13] = c & 0x1FFF
            c = uint(pa[14]) + uint(pb[14]) + (c >> 13); pd[14] = c & 0x1FFF
            c = uint(pa[15]) + uint(pb[15]) + (c >> 13); pd[15] = c & 0x1FFF
            c = uint(pa[16]) + uint(pb[16]) + (c >> 13); pd[16] = c & 0x1FFF
            c = uint(pa[17]) + uint(pb[17]) + (c >> 13); pd[17] = c & 0x1FFF
            c = uint(pa[18]) + uint(pb[18]) + (c >> 13); pd[18] = c & 0x1FFF
            c = uint(pa[19]) + uint(pb[19]) + (c >> 13); pd[19] = c & 0x1FFF
            c = c >> 13
        elif kind == 2:
            c = uint(pa[0]) + uint(bias[0]) - uint(pb[0]); pd[0] = c & 0x1FFF
            c = uint(pa[1]) + uint(bias[1]) - uint(pb[1]) + (c >> 13); pd[1] = c & 0x1FFF
            c = uint(pa[2]) + uint(bias[2]) - uint(pb[2]) + (c >> 13); pd[2] = c & 0x1FFF
            c = uint(pa[3]) + uint(bias[3]) - uint(pb[3]) + (c >> 13); pd[3] = c & 0x1FFF
            c = uint(pa[4]) + uint(bias[4]) - uint(pb[4]) + (c >> 13); pd[4] = c & 0x1FFF
            c = uint(pa[5]) + uint(bias[5]) - uint(pb[5]) + (c >> 13); pd[5] = c & 0x1FFF
            c = uint(pa[6]) + uint(bias[6]) - uint(pb[6]) + (c >> 13); pd[6] = c & 0x1FFF
            c = uint(pa[7]) + uint(bias[7]) - uint(pb[7]) + (c >> 13); pd[7] = c & 0x1FFF
            c = uint(pa[8]) + uint(bias[8]) - uint(pb[8]) + (c >> 13); pd[8] = c & 0x1FFF
            c = uint(pa[9]) + uint(bias[9]) - uint(pb[9]) + (c >> 13); pd[9] = c & 0x1FFF
            c = uint(pa[10]) + uint(bias[10]) - uint(pb[10]) + (c >> 13); pd[10] = c & 0x1FFF
            c = uint(pa[11]) + uint(bias[11]) - uint(pb[11]) + (c >> 13); pd[11] = c & 0x1FFF
            c = uint(pa[12]) + uint(bias[12]) - uint(pb[12]) + (c >> 13); pd[12] = c & 0x1FFF
            c = uint(pa[13]) + uint(bias[13]) - uint(pb[13]) + (c >> 13); pd[13] = c & 0x1FFF
            c = uint(pa[14]) + uint(bias[14]) - uint(pb[14]) + (c >> 13); pd[14] = c & 0x1FFF
            c = uint(pa[15]) + uint(bias[15]) - uint(pb[15]) + (c >> 13); pd[15] = c & 0x1FFF
            c = uint(pa[16]) + uint(bias[16]) - uint(pb[16]) + (c >> 13); pd[16] = c & 0x1FFF
            c = uint(pa[17]) + uint(bias[17]) - uint(pb[17]) + (c >> 13); pd[17] = c & 0x1FFF
            c = uint(pa[18]) + uint(bias[18]) - uint(pb[18]) + (c >> 13); pd[18] = c & 0x1FFF
            c = uint(pa[19]) + uint(bias[19]) - uint(pb[19]) + (c >> 13); pd[19] = c & 0x1FFF
            c = c >> 13
        elif kind == 3:
            c = uint(pa[0]) + 121665 * uint(pb[0]); pd[0] = c & 0x1FFF
            c = uint(pa[1]) + 121665 * uint(pb[1]) + (c >> 13); pd[1] = c & 0x1FFF
            c = uint(pa[2]) + 121665 * uint(pb[2]) + (c >> 13); pd[2] = c & 0x1FFF
            c = uint(pa[3]) + 121665 * uint(pb[3]) + (c >> 13); pd[3] = c & 0x1FFF
            c = uint(pa[4]) + 121665 * uint(pb[4]) + (c >> 13); pd[4] = c & 0x1FFF
            c = uint(pa[5]) + 121665 * uint(pb[5]) + (c >> 13); pd[5] = c & 0x1FFF
            c = uint(pa[6]) + 121665 * uint(pb[6]) + (c >> 13); pd[6] = c & 0x1FFF
            c = uint(pa[7]) + 121665 * uint(pb[7]) + (c >> 13); pd[7] = c & 0x1FFF
            c = uint(pa[8]) + 121665 * uint(pb[8]) + (c >> 13); pd[8] = c & 0x1FFF
            c = uint(pa[9]) + 121665 * uint(pb[9]) + (c >> 13); pd[9] = c & 0x1FFF
            c = uint(pa[10]) + 121665 * uint(pb[10]) + (c >> 13); pd[10] = c & 0x1FFF
            c = uint(pa[11]) + 121665 * uint(pb[11]) + (c >> 13); pd[11] = c & 0x1FFF
            c = uint(pa[12]) + 121665 * uint(pb[12]) + (c >> 13); pd[12] = c & 0x1FFF
            c = uint(pa[13]) + 121665 * uint(pb[13]) + (c >> 13); pd[13] = c & 0x1FFF
            c = uint(pa[14]) + 121665 * uint(pb[14]) + (c >> 13); pd[14] = c & 0x1FFF
            c = uint(pa[15]) + 121665 * uint(pb[15]) + (c >> 13); pd[15] = c & 0x1FFF
            c = uint(pa[16]) + 121665 * uint(pb[16]) + (c >> 13); pd[16] = c & 0x1FFF
            c = uint(pa[17]) + 121665 * uint(pb[17]) + (c >> 13); pd[17] = c & 0x1FFF
            c = uint(pa[18]) + 121665 * uint(pb[18]) + (c >> 13); pd[18] = c & 0x1FFF
            c = uint(pa[19]) + 121665 * uint(pb[19]) + (c >> 13); pd[19] = c & 0x1FFF
            c = c >> 13
        # the carry out of the top is at 2^260: times 608 into limb 0, carried two limbs on
        c = uint(pd[0]) + 608 * c
        pd[0] = c & 0x1FFF
        c = uint(pd[1]) + (c >> 13)
        pd[1] = c & 0x1FFF
        pd[2] = uint(pd[2]) + (c >> 13)
    # encode (RFC 7748 section 5): fully reduce mod p.  Carry; fold 2^260 (608) and 2^255
    # (19) into limb 0; three times, then r < 2^255 in canonical limbs.
    r = ptr32(uint(w) + 256 + 80 * 9)
    k = 0
    while True:
        c = uint(0)
        i = 0
        while i < 20:
            v = uint(r[i]) + c
            r[i] = v & M
            c = v >> 13
            i += 1
        if k >= 3:
            break
        h = uint(r[19]) >> 8
        r[19] = uint(r[19]) & 0xFF
        r[0] = uint(r[0]) + 608 * c + 19 * h
        k += 1
    # r - p when r + 19 reaches 2^255 (r >= p), selected with a mask
    g = ptr32(uint(w) + 256 + 80 * 10)
    c = uint(19)
    i = 0
    while i < 20:
        v = uint(r[i]) + c
        g[i] = v & M
        c = v >> 13
        i += 1
    mask = uint(0) - (uint(g[19]) >> 8)
    g[19] = uint(g[19]) & 0xFF
    i = 0
    while i < 20:
        a = uint(r[i])
        r[i] = a ^ (mask & (a ^ uint(g[i])))
        i += 1
    # 32 bytes, little-endian
    _bytes13(ptr8(uint(w) + 1600), r, 32)


_Z32 = bytes(32)
_BASE9 = b"\x09" + bytes(31)


def _x25519(k, u):
    w = _XW
    w[1536:1568] = k
    w[1568:1600] = u
    _x25519_run(w)
    w[1536:1568] = _Z32  # no copy of the scalar stays behind
    return bytes(memoryview(w)[1600:1632])


def x25519(scalar32, point32):
    """RFC 7748 X25519.  An all-zero result is returned as is; the caller
    must reject it."""
    return _x25519(_bytes(scalar32, "scalar", 32), _bytes(point32, "point", 32))


def x25519_base(scalar32):
    """X25519 with the base point u = 9 (public key from private key)."""
    return _x25519(_bytes(scalar32, "scalar", 32), _BASE9)
