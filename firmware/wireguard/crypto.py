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
# KDF counters 0x01..0x03 as ready-made bytes.
_COUNTERS = (b"", b"\x01", b"\x02", b"\x03")


def _xor_pad(key, pad):
    out = bytearray(bytes((pad,)) * BLAKE2S_BLOCK)
    for i in range(len(key)):
        out[i] ^= key[i]
    return out


try:
    # Native-code byte loops (viper) where the board has a native emitter.
    from mgboard.fastbytes import is_zero, equal, make_kdf
except (ImportError, SyntaxError):
    make_kdf = None

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


def digest(a, b=b""):
    """HASH(a || b): unkeyed BLAKE2s-256 (the protocol only ever hashes two parts)."""
    return _blake2s(a + b, HASH_LEN)


def mac(key, data):
    """MAC: keyed BLAKE2s with a 16-byte digest."""
    return _blake2s(data, MAC_LEN, key)


def hmac(key, data):
    """HMAC-BLAKE2s (RFC 2104 with a 64-byte block); keys here are <= 32 bytes."""
    inner = _blake2s(_xor_pad(key, 0x36) + data, HASH_LEN)
    return _blake2s(_xor_pad(key, 0x5c) + inner, HASH_LEN)


def kdf(key, data, n):
    """KDF_n of the paper: list of n 32-byte outputs."""
    t0 = hmac(key, data)
    # Every output is an HMAC keyed with t0: build its two pad blocks once.
    ipad = _xor_pad(t0, 0x36)
    opad = _xor_pad(t0, 0x5c)
    out = []
    prev = b""
    for i in range(1, n + 1):
        prev = _blake2s(opad + _blake2s(ipad + prev + _COUNTERS[i], HASH_LEN), HASH_LEN)
        out.append(prev)
    return out


if make_kdf is not None:
    kdf = make_kdf(_blake2s)      # the same KDF with its HMAC blocks built natively


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
