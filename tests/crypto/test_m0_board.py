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
import os
import subprocess
import sys
import tempfile

import pytest

import cases
from targets import BUILD

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "bench"))
import counting  # noqa: E402

HARNESS = os.path.join(BUILD, "m0harness", "m0harness.elf")
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


def run_harness(lines, count=False, timeout=600):
    """({id: answer}, instruction count or None) for one harness run over `lines`."""
    assert os.path.exists(HARNESS), "build the harness first: make build"
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "m0_in.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        cmd = ["qemu-system-arm", "-machine", "microbit", "-nographic", "-monitor", "null",
               "-serial", "null", "-semihosting", "-kernel", HARNESS]
        if count:
            cmd[1:1] = ["-plugin", "%s,outfile=%s" % (counting.build_plugin(), os.path.join(d, "count.txt"))]
        r = subprocess.run(cmd, cwd=d, capture_output=True, timeout=timeout)
        assert r.returncode == 0, "harness exited %d: %s" % (r.returncode, r.stderr.decode()[-500:])
        answers = {}
        with open(os.path.join(d, "m0_out.txt")) as f:
            for line in f:
                i, _, a = line.rstrip("\n").partition(" ")
                answers[i] = a
        n = None
        if count:
            with open(os.path.join(d, "count.txt")) as f:
                n = int(f.read())
        return answers, n


def mode_line(portable):
    return "m portable %d" % int(portable)


def call_count(call, portable):
    """Exact instructions of one call on the M0: I(3 calls) - I(1 call), halved."""
    totals = []
    for n in (1, 3):
        answers, total = run_harness([mode_line(portable), "r rep %d %s" % (n, call)], count=True)
        assert not answers["r"].startswith("E"), answers["r"]
        totals.append(total)
    return (totals[1] - totals[0]) // 2


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
    assert opt < port


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
