"""wgcrypto against CPython's cryptography (OpenSSL) and hashlib on random inputs.

Every message length 0..1100 plus block and 64 KiB boundaries; a fresh seed per
run is printed so a failure can be replayed with WGC_SEED.
"""
import os
import random

import pytest

import cases
from runner import run_cases
from targets import crypto_target

SEED = int(os.environ.get("WGC_SEED", random.SystemRandom().getrandbits(32)))
# Emulated CPUs run a thinner set: every length through two ChaCha blocks (all Poly1305
# residues and block tails), then the boundaries of bigger blocks; boards compile each
# batch in a small heap, so they stop at 4 KiB.  Past 8 KiB the time goes into moving
# hex through the emulated interpreter, not into new code paths: the host builds run those.
EDGES = [b + d for b in (192, 256, 512, 1024, 2048, 4096) for d in (-1, 0, 1)]
BOARD_LENGTHS = list(range(0, 140)) + EDGES
EMULATED_LENGTHS = BOARD_LENGTHS + [8191, 8192, 8193]
TARGETS = {"x64-builtin": None, "x64-mpy": None, "mips": EMULATED_LENGTHS, "mipsel": EMULATED_LENGTHS, "x64-pure": None,
           "an386-armv7emsp": BOARD_LENGTHS, "an385-armv7m": BOARD_LENGTHS, "armhf": EMULATED_LENGTHS}
BOARDS = {"an386-armv7emsp", "an385-armv7m"}
# Targets with an optimized path run once as built and once with portable(True).
OPTIMIZED = {"an386-armv7emsp", "an385-armv7m", "armhf", "mips", "mipsel"}
# Cortex-M0 (ChaCha20 and X25519 assembly).
TARGETS["an385-armv6m"] = BOARD_LENGTHS
BOARDS.add("an385-armv6m")
OPTIMIZED.add("an385-armv6m")
# RISC-V rv32imc (portable C, 32-bit limbs).
TARGETS["virt-rv32imc"] = BOARD_LENGTHS
BOARDS.add("virt-rv32imc")
# The viper fallback: the host build, Cortex-M3, Cortex-M4 and RV32 (Thumb-2 and RV32 code from the
# ports' own emitters).
TARGETS["x64-viper"] = EMULATED_LENGTHS + [65535, 65536, 65537]
for _t in ("an385-viper", "an386-viper", "virt-rv32-viper"):
    TARGETS[_t] = BOARD_LENGTHS
    BOARDS.add(_t)
RUNS = [(t, None) for t in TARGETS if t not in OPTIMIZED] + \
       [(t, p) for t in TARGETS if t in OPTIMIZED for p in (False, True)]


@pytest.mark.parametrize("target,portable", RUNS,
                         ids=["%s%s" % (t, {None: "", False: "-optimized", True: "-portable"}[p]) for t, p in RUNS])
def test_matches_openssl(target, portable):
    print("differential seed", SEED)
    lengths = TARGETS[target] or cases.DIFF_LENGTHS
    all_cases = cases.differential_cases(SEED, lengths, x25519_count=32 if target in BOARDS else 64)
    failures = run_cases(crypto_target(target), all_cases, portable=portable)
    assert not failures, "seed %d: %d of %d failed:\n%s" % (SEED, len(failures), len(all_cases), "\n".join(failures[:25]))
