# `microguard genkey | pubkey | genpsk`: WireGuard keys on a router without
# wireguard-tools, in wg(8)'s text format (base64 of 32 bytes, one line).
#   genkey  a new private key (clamped, as wg does)
#   pubkey  the public key of the private key read from stdin
#   genpsk  a new preshared key
import sys
import os
from binascii import a2b_base64, b2a_base64

import wgcrypto


def _b64(raw):
    return b2a_base64(raw).decode().strip()


def genkey():
    k = bytearray(os.urandom(32))
    k[0] &= 248
    k[31] = (k[31] & 127) | 64
    return _b64(k)


def pubkey(text):
    try:
        raw = a2b_base64(text.strip())
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ValueError("a private key is 32 bytes in base64")
    return _b64(wgcrypto.x25519_base(raw))


def main(argv):
    cmd = argv[0] if argv else ""
    try:
        if cmd == "genkey":
            print(genkey())
        elif cmd == "genpsk":
            print(_b64(os.urandom(32)))
        elif cmd == "pubkey":
            print(pubkey(sys.stdin.read()))
        else:
            sys.stderr.write("usage: microguard genkey | pubkey < private | genpsk\n")
            return 2
    except ValueError as e:
        sys.stderr.write("microguard %s: %s\n" % (cmd, e))
        return 1
    return 0


sys.exit(main(sys.argv[1:]))
