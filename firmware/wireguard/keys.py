# Text forms of 32-byte keys: base64 as in `wg genkey` / .conf files, and
# lowercase hex as in the userspace API.
import binascii

from .constants import KEY_LEN
from .crypto import clamp, public_key

_B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_HEX_CHARS = "0123456789abcdefABCDEF"


def from_base64(text):
    text = text.strip()
    # 32 bytes are exactly 44 characters with one '=' of padding.
    if len(text) != 44 or text[43] != "=":
        raise ValueError("key must be 44 base64 characters")
    for ch in text[:43]:
        if ch not in _B64_CHARS:
            raise ValueError("key is not valid base64")
    key = binascii.a2b_base64(text)
    if len(key) != KEY_LEN:
        raise ValueError("key must decode to 32 bytes")
    return bytes(key)


def to_base64(key):
    return binascii.b2a_base64(key).decode().strip()


def from_hex(text):
    if len(text) != 2 * KEY_LEN:
        raise ValueError("key must be 64 hex digits")
    for ch in text:
        if ch not in _HEX_CHARS:
            raise ValueError("key is not valid hex")
    return bytes(binascii.unhexlify(text))


def to_hex(key):
    return binascii.hexlify(key).decode()


def generate_private(rng):
    return clamp(rng(KEY_LEN))


def derive_public(private):
    return public_key(private)
