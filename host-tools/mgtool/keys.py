"""WireGuard key text forms, byte-compatible with `wg genkey`, `wg pubkey` and `wg genpsk`.

A key is 32 bytes written as standard base64 (44 characters ending in '=').
Private keys are clamped the way `wg genkey` clamps them.
"""
import base64
import binascii
import os

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization

from .errors import MgError

KEY_LEN = 32


def clamp(raw):
    k = bytearray(raw)
    k[0] &= 248
    k[31] = (k[31] & 127) | 64
    return bytes(k)


def encode(raw):
    return base64.b64encode(raw).decode("ascii")


def decode(text, what="key"):
    """The 32 bytes of a base64 key, or MgError naming `what`."""
    # Like wg: trailing whitespace (a newline) is fine, anything else around the key is not.
    t = (text if isinstance(text, str) else text.decode("ascii", "replace")).rstrip()
    if len(t) != 44 or t[43] != "=":
        raise MgError("%s is not a WireGuard key (want 44 base64 characters ending in '=')" % what)
    try:
        raw = base64.b64decode(t, validate=True)
    except (binascii.Error, ValueError):
        raise MgError("%s is not valid base64" % what) from None
    # The last character encodes only 4 bits; wg rejects keys whose unused bits are set.
    if len(raw) != KEY_LEN or encode(raw) != t:
        raise MgError("%s is not a WireGuard key (bad final character)" % what)
    return raw


def genkey():
    return encode(clamp(os.urandom(KEY_LEN)))


def genpsk():
    return encode(os.urandom(KEY_LEN))


def public_raw(private_raw):
    pub = X25519PrivateKey.from_private_bytes(private_raw).public_key()
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def pubkey(private_text, what="private key"):
    return encode(public_raw(decode(private_text, what)))
