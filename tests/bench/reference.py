"""The yardstick: OpenSSL (via CPython `cryptography`) and hashlib, timed in this process.

Same inputs and calling pattern as the MicroPython loops, so a ratio compares
one interpreter call into C against another.
"""
import hashlib
import time

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from workload import KEY, POINT, SCALAR


def _op(op, size):
    if op == "aead":
        # No _into in `cryptography`: the output allocation is part of OpenSSL's number.
        enc = ChaCha20Poly1305(KEY).encrypt
        nonce, pt = bytes(12), bytes(size)
        return lambda: enc(nonce, pt, None)
    if op == "blake2s":
        d = bytes(size)
        return lambda: hashlib.blake2s(d).digest()
    if op == "x25519":
        priv, pub = X25519PrivateKey.from_private_bytes(SCALAR), X25519PublicKey.from_public_bytes(POINT)
        return lambda: priv.exchange(pub)
    raise ValueError(op)


def time_us(op, size, target_s=0.2):
    """Microseconds per call: grow n until a run takes target_s, best of 5."""
    fn = _op(op, size)

    def run(n):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        return time.perf_counter() - t

    n = 1
    while True:
        dt = run(n)
        if dt >= target_s:
            break
        n *= 2
    dt = min([dt] + [run(n) for _ in range(4)])
    return dt * 1e6 / n, n
