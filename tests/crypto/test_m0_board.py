"""The crypto vectors on a Cortex-M0 CPU: QEMU -M microbit (nRF51, ARMv6-M).

The microbit's 16 KiB of RAM cannot hold MicroPython plus the .mpy, so a
bare-metal harness (tests/crypto/m0harness, built as build/m0harness/
m0harness.elf) links the same wgcrypto C sources and ARMv6-M assembly and
answers the cases of cases.py through semihosting files.  Every call runs on
the optimized path and, with the harness's "portable 1", on the portable C
path.  The counting plugin gives exact instruction counts: a call's count
is the difference between a run doing it three times and a run doing it
once (the harness's "rep"), which cancels start-up and argument decoding.
"""
import pytest

import cases
from m0target import call_count, mode_line, run_harness

MODES = {False: "armv6m-asm", True: "c32"}
SUITES = {
    "chacha20poly1305": cases.chacha20poly1305_cases,
    "xchacha20poly1305": cases.xchacha20poly1305_cases,
    "x25519": cases.x25519_cases,
}
# The harness calls the primitives directly; the *_into forms test the module's buffer handling.
SUPPORTED = {"x25519", "chacha20poly1305_encrypt", "chacha20poly1305_decrypt",
             "xchacha20poly1305_encrypt", "xchacha20poly1305_decrypt"}
X25519_MAX = 4000000       # issue 4: Cortex-M0 X25519 budget
SPEEDUP_MIN = 1.3          # and at least this much fewer instructions than portable C
AEAD_LEN = 1420


@pytest.mark.parametrize("portable", [False, True], ids=["armv6m-optimized", "armv6m-portable"])
def test_m0_backend(portable):
    answers, _ = run_harness([mode_line(portable), "b backend"])
    assert answers["b"] == "s" + MODES[portable]


@pytest.mark.parametrize("align", [0, 1], ids=["aligned", "unaligned"])
@pytest.mark.parametrize("portable", [False, True], ids=["armv6m-optimized", "armv6m-portable"])
@pytest.mark.parametrize("suite", list(SUITES))
def test_m0_vectors(suite, portable, align):
    """align 1: message and output one byte off word alignment (M0 has no unaligned word access)."""
    if align and suite == "x25519":
        pytest.skip("X25519 takes fixed 32-byte arrays")
    all_cases = [c for c in SUITES[suite]() if c[1].split(" ", 1)[0] in SUPPORTED]
    assert len(all_cases) > 30
    answers, _ = run_harness([mode_line(portable), "a align %d" % align] +
                             ["%d %s" % (i, c[1]) for i, c in enumerate(all_cases)])
    failures = []
    for i, (name, call, expected) in enumerate(all_cases):
        got = answers.get(str(i), "<no answer>")
        ok = got in expected if isinstance(expected, tuple) else got == expected
        if not ok:
            failures.append("%s: expected %.80s, got %.80s" % (name, expected, got))
    assert not failures, "%d of %d failed:\n%s" % (len(failures), len(all_cases), "\n".join(failures[:25]))


def test_m0_armv6m_x25519_instruction_budget():
    k = "h" + "a5" * 32
    u = "h" + "09" + "00" * 31
    opt = call_count("x25519 %s %s" % (k, u), False)
    port = call_count("x25519 %s %s" % (k, u), True)
    print("Cortex-M0 X25519: optimized %d, portable %d instructions (%.2fx)" % (opt, port, port / opt))
    assert opt <= X25519_MAX
    assert port >= SPEEDUP_MIN * opt


def test_m0_armv6m_aead_instructions_per_byte():
    msg = bytes(i & 0xFF for i in range(AEAD_LEN))
    call = "chacha20poly1305_encrypt h%s h%s h%s h" % ("42" * 32, "00" * 12, msg.hex())
    opt = call_count(call, False)
    port = call_count(call, True)
    print("Cortex-M0 ChaCha20-Poly1305 encrypt %d B: optimized %.1f, portable %.1f instructions/byte"
          % (AEAD_LEN, opt / AEAD_LEN, port / AEAD_LEN))
    assert port >= SPEEDUP_MIN * opt


def secret_calls(op):
    import random
    rnd = random.Random(4)
    out = []
    for _ in range(4):
        s = bytes(rnd.getrandbits(8) for _ in range(32 + 256))
        if op == "x25519":
            out.append("x25519 h%s h%s" % (s[:32].hex(), s[32:64].hex()))
        else:
            out.append("poly1305 h%s h%s" % (s[:32].hex(), s[32:].hex()))
    return out


@pytest.mark.parametrize("portable", [False, True], ids=["armv6m-optimized", "armv6m-portable"])
@pytest.mark.parametrize("op", ["x25519", "poly1305"])
def test_m0_count_is_secret_independent(op, portable):
    counts = [call_count(c, portable) for c in secret_calls(op)]
    assert len(set(counts)) == 1, "%s: instruction counts differ with the secret: %s" % (op, counts)
