# The one place the package touches crypto primitives: the native module
# when it is built in, the pure-Python fallback otherwise. Every byte loop
# (HMAC pads, the KDF, MAC comparison, the all-zero check) lives in wgcrypto,
# so every target runs the code the crypto tests run.
try:
    import wgcrypto
except ImportError:
    import wgcrypto_pure as wgcrypto

from .constants import HASH_LEN, MAC_LEN, KEY_LEN

backend = wgcrypto.backend
x25519 = wgcrypto.x25519
x25519_base = wgcrypto.x25519_base
aead_encrypt = wgcrypto.chacha20poly1305_encrypt
aead_decrypt = wgcrypto.chacha20poly1305_decrypt
aead_encrypt_into = wgcrypto.chacha20poly1305_encrypt_into
aead_decrypt_into = wgcrypto.chacha20poly1305_decrypt_into
xaead_encrypt = wgcrypto.xchacha20poly1305_encrypt
xaead_decrypt = wgcrypto.xchacha20poly1305_decrypt
hmac = wgcrypto.hmac_blake2s          # HMAC-BLAKE2s (RFC 2104, 64-byte block)
equal = wgcrypto.equal                # constant-time compare (MACs)
is_zero = wgcrypto.is_zero            # constant-time all-zero check (DH results, keys)
_blake2s = wgcrypto.blake2s
_kdf = wgcrypto.kdf
# Batch AEAD of transport messages (batch.py); None where wgcrypto has none.
seal_batch = getattr(wgcrypto, "transport_seal_batch", None)
open_batch = getattr(wgcrypto, "transport_open_batch", None)

ZERO_KEY = bytes(KEY_LEN)


def digest(a, b=b""):
    """HASH(a || b): unkeyed BLAKE2s-256 (the protocol only ever hashes two parts)."""
    return _blake2s(a + b, HASH_LEN)


def mac(key, data):
    """MAC: keyed BLAKE2s with a 16-byte digest."""
    return _blake2s(data, MAC_LEN, key)


def kdf(key, data, n):
    """KDF_n of the paper (section 5.4): tuple of n 32-byte outputs."""
    return _kdf(n, key, data)


def dh(private, public):
    """X25519 that reports an all-zero shared secret (low-order point) as None."""
    shared = x25519(private, public)
    if is_zero(shared):
        return None
    return shared


def clamp(private):
    """Curve25519 scalar clamping, so stored private keys print like `wg genkey`."""
    k = bytearray(private)
    k[0] &= 248
    k[31] = (k[31] & 127) | 64
    return bytes(k)


def public_key(private):
    return x25519_base(private)
