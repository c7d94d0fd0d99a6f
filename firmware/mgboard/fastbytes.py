# Byte loops the engine's crypto glue runs on every handshake (HMAC key
# pads, all-zero and MAC comparisons), compiled to machine code by viper:
# ~10x fewer instructions than interpreted loops on a Cortex-M. Frozen with
# the board's -march, so the code stays in flash. wireguard.crypto falls back
# to plain Python where this does not import (CPython, no native emitter).
import micropython


@micropython.viper
def _or_all(buf: ptr8, n: int) -> int:
    acc = 0
    for i in range(n):
        acc |= buf[i]
    return acc


def is_zero(buf):
    return _or_all(buf, len(buf)) == 0


@micropython.viper
def _diff(a: ptr8, b: ptr8, n: int) -> int:
    acc = 0
    for i in range(n):
        acc |= a[i] ^ b[i]
    return acc


def equal(a, b):
    """Compare MACs without stopping at the first difference."""
    return len(a) == len(b) and _diff(a, b, len(a)) == 0


@micropython.viper
def _hmac(blake2s, blk, views, key, tail, ctr: int) -> object:
    # HMAC-BLAKE2s(key, tail || ctr byte when ctr > 0) for 32-byte keys and
    # tails of 0 or 32 bytes. blk: 97-byte scratch, views[n]: memoryview of
    # its first n bytes. Word at a time from word-aligned inputs (fresh bytes
    # objects always are), byte at a time otherwise.
    o = ptr32(blk)
    ob = ptr8(blk)
    # Computed at run time: 0x5c5c5c5c folded to a literal is not a small int.
    ipad = 0x36
    opad = 0x5c
    ipad *= 0x01010101
    opad *= 0x01010101
    kl = int(len(key))
    tl = int(len(tail))
    aligned = (uint(ptr8(key)) & uint(3)) == uint(0) and (uint(ptr8(tail)) & uint(3)) == uint(0)
    if aligned and kl == 32:
        k = ptr32(key)
        for i in range(8):
            o[i] = k[i] ^ ipad
    else:
        kb = ptr8(key)
        for i in range(kl):
            ob[i] = kb[i] ^ 0x36
    for i in range(kl, 64):
        ob[i] = 0x36
    if aligned and tl == 32:
        t = ptr32(tail)
        for i in range(8):
            o[16 + i] = t[i]
    else:
        tb = ptr8(tail)
        for i in range(tl):
            ob[64 + i] = tb[i]
    n = 64 + tl
    if ctr > 0:
        ob[n] = ctr
        n += 1
    inner = ptr32(blake2s(views[n], 32))
    if aligned and kl == 32:
        k = ptr32(key)
        for i in range(8):
            o[i] = k[i] ^ opad
    else:
        kb = ptr8(key)
        for i in range(kl):
            ob[i] = kb[i] ^ 0x5c
    for i in range(kl, 64):
        ob[i] = 0x5c
    for i in range(8):
        o[16 + i] = inner[i]
    return blake2s(views[96], 32)


def make_kdf(blake2s):
    """KDF_n of the WireGuard paper (HKDF over HMAC-BLAKE2s) as kdf(key,
    data, n) -> list of n 32-byte outputs; data is at most 32 bytes."""
    blk = bytearray(97)
    mv = memoryview(blk)
    views = {n: mv[:n] for n in (64, 65, 96, 97)}

    def kdf(key, data, n):
        if len(data) > 32:
            raise ValueError("kdf input longer than the scratch block")
        t0 = _hmac(blake2s, blk, views, key, data, 0)
        out = []
        prev = b""
        for i in range(1, n + 1):
            prev = _hmac(blake2s, blk, views, t0, prev, i)
            out.append(prev)
        return out
    return kdf
