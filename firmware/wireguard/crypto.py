# The one place the package touches crypto primitives: the native module
# when it is built in, the pure-Python fallback otherwise. HMAC and the HKDF
# of the WireGuard paper (section 5.4) are built on BLAKE2s here.
try:
    import wgcrypto
except ImportError:
    import wgcrypto_pure as wgcrypto

from .constants import BLAKE2S_BLOCK, HASH_LEN, MAC_LEN, KEY_LEN

backend = wgcrypto.backend
x25519 = wgcrypto.x25519
x25519_base = wgcrypto.x25519_base
aead_encrypt = wgcrypto.chacha20poly1305_encrypt
aead_decrypt = wgcrypto.chacha20poly1305_decrypt
aead_encrypt_into = wgcrypto.chacha20poly1305_encrypt_into
aead_decrypt_into = wgcrypto.chacha20poly1305_decrypt_into
xaead_encrypt = wgcrypto.xchacha20poly1305_encrypt
xaead_decrypt = wgcrypto.xchacha20poly1305_decrypt
_blake2s = wgcrypto.blake2s

ZERO_KEY = bytes(KEY_LEN)
_IPAD = bytes([0x36]) * BLAKE2S_BLOCK
_OPAD = bytes([0x5c]) * BLAKE2S_BLOCK


def digest(*parts):
    """HASH(a || b || ...): unkeyed BLAKE2s-256."""
    return _blake2s(b"".join(parts), HASH_LEN)


def mac(key, data):
    """MAC: keyed BLAKE2s with a 16-byte digest."""
    return _blake2s(data, MAC_LEN, key)


def _xor_pad(key, pad):
    out = bytearray(pad)
    for i in range(len(key)):
        out[i] ^= key[i]
    return out


def hmac(key, data):
    """HMAC-BLAKE2s (RFC 2104 with a 64-byte block); keys here are <= 32 bytes."""
    inner = _blake2s(_xor_pad(key, _IPAD) + data, HASH_LEN)
    return _blake2s(_xor_pad(key, _OPAD) + inner, HASH_LEN)


def kdf(key, data, n):
    """KDF_n of the paper: tuple of n 32-byte outputs."""
    t0 = hmac(key, data)
    out = []
    prev = b""
    for i in range(1, n + 1):
        prev = hmac(t0, prev + bytes([i]))
        out.append(prev)
    return out


def dh(private, public):
    """X25519 that reports an all-zero shared secret (low-order point) as None."""
    shared = x25519(private, public)
    if is_zero(shared):
        return None
    return shared


def is_zero(buf):
    acc = 0
    for b in buf:
        acc |= b
    return acc == 0


def equal(a, b):
    """Compare MACs without stopping at the first difference."""
    if len(a) != len(b):
        return False
    acc = 0
    for i in range(len(a)):
        acc |= a[i] ^ b[i]
    return acc == 0


def clamp(private):
    """Curve25519 scalar clamping, so stored private keys print like `wg genkey`."""
    k = bytearray(private)
    k[0] &= 248
    k[31] = (k[31] & 127) | 64
    return bytes(k)


def public_key(private):
    return x25519_base(private)
