"""What the crypto benchmark measures: edit these lists to add a backend.

An optimised backend (e.g. ARM/MIPS assembly) goes in as one more entry next
to the portable build of the same arch, and shows up as its own column.
"""
from targets import CRYPTO_TARGETS, QEMU_USER_DYNAMIC, unix_binary

# Wall-clock targets on this machine, compared with OpenSSL: (column, factory).
TIME_TARGETS = [
    ("x64-builtin", CRYPTO_TARGETS["x64-builtin"]),
    ("x64-pure", CRYPTO_TARGETS["x64-pure"]),
]

# Builds with an optimized (assembly) path are measured twice in the same run:
# as built, and with wgcrypto.portable(True) forcing the portable C code
# (column suffix "-portable").  portable None: a build without the switch.
OPTIMIZED = ("mips", "mipsel", "armhf", "m3-armv6m", "m3-armv7m", "m4-armv7emsp")

# Linux router builds under the dynamic qemu-user (the -static ones reject -plugin):
# (column, qemu binary, micropython binary, portable).
USER_TARGETS = []
for a in ("mips", "mipsel", "armhf", "aarch64"):
    USER_TARGETS.append((a, QEMU_USER_DYNAMIC[a], unix_binary(a), False if a in OPTIMIZED else None))
    if a in OPTIMIZED:
        USER_TARGETS.append((a + "-portable", QEMU_USER_DYNAMIC[a], unix_binary(a), True))

# MPS2 boards under -icount, loading a native module: (column, board, .mpy arch, portable).
BOARD_TARGETS = []
for col, board, arch in [("m3-armv6m", "qemu-mps2-an385", "armv6m"),
                         ("m3-armv7m", "qemu-mps2-an385", "armv7m"),
                         ("m4-armv7emsp", "qemu-mps2-an386", "armv7emsp")]:
    BOARD_TARGETS.append((col, board, arch, False if col in OPTIMIZED else None))
    if col in OPTIMIZED:
        BOARD_TARGETS.append((col + "-portable", board, arch, True))

# Targets counted a second time to check the counts repeat exactly.
REPEAT = ("mipsel", "m3-armv7m")

# Iterations.  qemu-user: (n1, n2) for the start-up-cancelling difference;
# boards: n per counter read (one tick = 40 instructions, so error <= 40/n per op).
USER_N = {"aead": (4, 24), "blake2s": (4, 24), "x25519": (1, 5), "empty": (100, 1100)}
BOARD_N = {"aead-64": 200, "aead-1420": 20, "aead-8192": 5, "blake2s-64": 200, "blake2s-1420": 20,
           "x25519": 3, "empty": 1000}
TIME_TARGET_US = 100000  # each wall-clock measurement runs at least this long
