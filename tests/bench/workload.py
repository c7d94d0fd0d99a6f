"""The MicroPython side of the benchmark: one script text, three ways to read a clock.

Every target runs the same loop bodies, so wall time, board counter ticks and
qemu-user instruction counts all measure the same thing: one call from
MicroPython into wgcrypto, as the daemon makes it.
"""
import hashlib

# (row id, op, size in bytes); size 0 where it does not apply.
CASES = [
    ("aead-64", "aead", 64),
    ("aead-1420", "aead", 1420),
    ("aead-8192", "aead", 8192),
    ("blake2s-64", "blake2s", 64),
    ("blake2s-1420", "blake2s", 1420),
    ("x25519", "x25519", 0),
]
# An empty loop of the same shape, measured to subtract loop overhead from counts.
EMPTY = ("empty", "empty", 0)

# Fixed "random" inputs, so instruction counts are repeatable run to run.
SCALAR = hashlib.sha256(b"microguard bench scalar").digest()
POINT = hashlib.sha256(b"microguard bench point").digest()
KEY = hashlib.sha256(b"microguard bench key").digest()

# AEAD uses the _into variant with an integer nonce: no allocation per call,
# so the numbers are the cipher, not the garbage collector.
OPS = """
import gc, wgcrypto
KEY = %r
SCALAR = %r
POINT = %r
def op_aead(n, size):
    f = wgcrypto.chacha20poly1305_encrypt_into
    out = bytearray(size + 16)
    pt = bytes(size)
    key = KEY
    ad = b""
    for i in range(n):
        f(out, key, 0, pt, ad)
def op_blake2s(n, size):
    f = wgcrypto.blake2s
    d = bytes(size)
    for i in range(n):
        f(d)
def op_x25519(n, size):
    f = wgcrypto.x25519
    s = SCALAR
    p = POINT
    for i in range(n):
        f(s, p)
def op_empty(n, size):
    for i in range(n):
        pass
OPS = {"aead": op_aead, "blake2s": op_blake2s, "x25519": op_x25519, "empty": op_empty}
print("B", wgcrypto.backend)
""" % (KEY, SCALAR, POINT)

# Wall clock: double n until one run takes target_us, then keep the best of 5
# (the minimum is the run least disturbed by whatever else the machine does).
TIMED = """
import time
def timed(rid, op, size, target_us):
    fn = OPS[op]
    n = 1
    while True:
        gc.collect()
        t = time.ticks_us()
        fn(n, size)
        dt = time.ticks_diff(time.ticks_us(), t)
        if dt >= target_us or n >= 1 << 22:
            break
        n *= 2
    for _ in range(4):
        gc.collect()
        t = time.ticks_us()
        fn(n, size)
        dt = min(dt, time.ticks_diff(time.ticks_us(), t))
    print("R", rid, n, dt)
"""

# MPS2 FPGAIO counter: 25 MHz, i.e. one tick per 40 instructions at -icount shift=0.
# Each op_* function allocates and zeroes its buffers before its loop (about
# 51,000 instructions for the two 1420-byte AEAD buffers with the port's
# byte-wise memset), so one reading around n calls charges that set-up to
# the calls.  The case is run with 1 and with n + 1 calls and the readings
# are subtracted, as the qemu-user counts do: what is left is n calls.
BOARD = """
import machine
def ticks(fn, k, size):
    gc.collect()
    t = machine.mem32[0x40028018]
    fn(k, size)
    return (machine.mem32[0x40028018] - t) & 0xFFFFFFFF
def counted(rid, op, size, n):
    fn = OPS[op]
    t1 = ticks(fn, 1, size)
    print("R", rid, n, ticks(fn, n + 1, size) - t1)
"""


def mode_prefix(portable):
    """Script lines forcing the portable path (True) or the optimized one (False); None: as built."""
    return "" if portable is None else "import wgcrypto\nwgcrypto.portable(%r)\n" % bool(portable)


def timed_script(cases, target_us):
    calls = "".join("timed(%r, %r, %d, %d)\n" % (rid, op, size, target_us) for rid, op, size in cases)
    return OPS + TIMED + calls


def board_script(cases_n, portable=None):
    """cases_n: [(rid, op, size, n)]."""
    calls = "".join("counted(%r, %r, %d, %d)\n" % c for c in cases_n)
    return mode_prefix(portable) + OPS + BOARD + calls


def plain_script(op, size, n, portable=None):
    """One case and nothing else: the whole process is what the plugin counts."""
    return mode_prefix(portable) + OPS + "gc.collect()\nOPS[%r](%d, %d)\n" % (op, n, size)


def parse(out):
    """-> (backend, {rid: (n, value)})."""
    backend, rows = None, {}
    for line in out.splitlines():
        f = line.split()
        if f[:1] == ["B"]:
            backend = f[1]
        elif f[:1] == ["R"]:
            rows[f[1]] = (int(f[2]), int(f[3]))
    return backend, rows
