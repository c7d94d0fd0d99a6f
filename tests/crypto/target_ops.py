# Runs ON the MicroPython target: executes encoded wgcrypto calls and prints one result per line
# (h<hex> bytes, t<h..>,<h..> a tuple of bytes, bT/bF a bool, i<n> an int, N None, E<name> an exception).
# Argument codes: h<hex> bytes, m<hex> memoryview, a<hex> bytearray, i<int>, s<text> str,
# z<n> a writable bytearray of n bytes filled with 0xAA (to catch writes past the result).
import wgcrypto as W
from binascii import hexlify, unhexlify


def _arg(a):
    c = a[0]
    if c == "h":
        return unhexlify(a[1:])
    if c == "m":
        return memoryview(unhexlify(a[1:]))
    if c == "a":
        return bytearray(unhexlify(a[1:]))
    if c == "i":
        return int(a[1:])
    if c == "s":
        return a[1:]
    if c == "z":
        return bytearray(b"\xaa" * int(a[1:]))
    raise ValueError("bad op argument " + a)


def _hex(b):
    return hexlify(b).decode()


def _result(name, args):
    r = getattr(W, name)(*args)
    if name.endswith("_into"):
        return "i%d:%s" % (r, _hex(args[0]))
    if r is None:
        return "N"
    if r is True or r is False:
        return "bT" if r else "bF"
    if isinstance(r, tuple):
        return "t" + ",".join("h" + _hex(x) for x in r)
    if isinstance(r, int):
        return "i%d" % r
    return "h" + _hex(r)


def run_ops(text):
    for line in text.split("\n"):
        if not line:
            continue
        f = line.split(" ")
        try:
            r = _result(f[1], [_arg(a) for a in f[2:]])
        except Exception as e:
            r = "E" + type(e).__name__
        print(f[0], r)
