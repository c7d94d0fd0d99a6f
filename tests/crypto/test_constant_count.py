"""X25519 and Poly1305 execute the same number of instructions whatever the secret.

Every target, optimized and (with wgcrypto.portable(True)) portable path:
- qemu-user builds: the counting plugin (scripts/qemu-insn-count.c) counts a
  whole interpreter run that reads the secret inputs from a file, so the
  runs differ only in the file's contents; the totals must be identical.
- MPS2 boards under -icount: the FPGAIO counter (one tick per 40
  instructions) around N calls per secret in one session; the readings may
  differ by one tick because a reading's phase within the 40-instruction
  tick is not fixed, which bounds any difference to 80/N instructions a call.
- The RISC-V virt board under -icount: the instret CSR (read with the inline
  assembler), which QEMU then keeps as the exact instruction count.
"""
import os
import random
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "bench"))
import counting  # noqa: E402
from targets import BUILD, QEMU_USER_DYNAMIC, BoardTarget, natmod, unix_binary  # noqa: E402

SECRETS = 5
POLY_LEN = 256

SCRIPT = """
import wgcrypto
%s
f = open("secret.bin", "rb")
k = f.read()
f.close()
if %r == "x25519":
    wgcrypto.x25519(k[:32], k[32:64])
else:
    wgcrypto.poly1305(k[:32], k[32:])
"""

# (target, qemu-user binary, micropython build, modes: None = no switch)
USER = [
    ("x64", "qemu-x86_64", unix_binary("x64"), [None]),
    ("mips", QEMU_USER_DYNAMIC["mips"], unix_binary("mips"), [False, True]),
    ("mipsel", QEMU_USER_DYNAMIC["mipsel"], unix_binary("mipsel"), [False, True]),
    ("armhf", QEMU_USER_DYNAMIC["armhf"], unix_binary("armhf"), [False, True]),
    ("aarch64", QEMU_USER_DYNAMIC["aarch64"], unix_binary("aarch64"), [None]),
]
BOARDS = [
    ("an385-armv6m", "qemu-mps2-an385", "armv6m", [False, True]),
    ("an385-armv7m", "qemu-mps2-an385", "armv7m", [False, True]),
    ("an386-armv7emsp", "qemu-mps2-an386", "armv7emsp", [False, True]),
    ("virt-rv32imc", "qemu-virt-rv32", "rv32imc", [None]),
]
# How a board script reads its instruction counter (default: the MPS2 FPGAIO
# counter), and by how many readings may differ (one 40-instruction tick there).
COUNTER = {"qemu-virt-rv32": ("@micropython.asm_rv32\ndef count():\n    csrrs(a0, zero, 0xC02)\n", 0)}
MPS2_COUNTER = ("def count():\n    return machine.mem32[0x40028018]\n", 1)


def secrets(op, seed):
    rnd = random.Random(seed)
    n = 64 if op == "x25519" else 32 + POLY_LEN
    return [bytes(rnd.getrandbits(8) for _ in range(n)) for _ in range(SECRETS)]


def mode_line(portable):
    return "" if portable is None else "wgcrypto.portable(%r)" % portable


def user_count(qemu, binary, op, portable, secret, work):
    with open(os.path.join(work, "bench.py"), "w") as f:
        f.write(SCRIPT % (mode_line(portable), op))
    with open(os.path.join(work, "secret.bin"), "wb") as f:
        f.write(secret)
    out = os.path.join(work, "count.txt")
    r = subprocess.run(["env", "-i", qemu, "-plugin", "%s,outfile=%s" % (counting.PLUGIN, out),
                        binary, "bench.py"], cwd=work, capture_output=True, timeout=600)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    with open(out) as f:
        return int(f.read())


USER_RUNS = [(t, q, b, m) for t, q, b, modes in USER for m in modes]


@pytest.mark.parametrize("op", ["x25519", "poly1305"])
@pytest.mark.parametrize("target,qemu,binary,portable", USER_RUNS,
                         ids=["%s%s" % (t, {None: "", False: "-optimized", True: "-portable"}[m])
                              for t, _, _, m in USER_RUNS])
def test_user_target_count_is_secret_independent(target, qemu, binary, portable, op):
    counting.build_plugin()
    work = os.path.join(BUILD, "ct-count", "%s-%s-%s" % (target, portable, op))
    os.makedirs(work, exist_ok=True)
    # Least of three runs per secret: rarely a whole run counts a few dozen more
    # instructions whatever the secret (seen once in hundreds of runs, e.g. from the
    # random bytes the kernel hands each process); a secret-dependent path shows in every run.
    counts = [min(user_count(qemu, binary, op, portable, s, work) for _ in range(3)) for s in secrets(op, 1)]
    assert len(set(counts)) == 1, "%s %s: instruction counts differ with the secret: %s" % (target, op, counts)


BOARD_SCRIPT = """
import wgcrypto, machine, gc, micropython
from binascii import unhexlify
%s
%s
ks = [unhexlify(h) for h in %r]
f = wgcrypto.%s
def run(k, n):
    if %r == "x25519":
        a, b = k[:32], k[32:64]
    else:
        a, b = k[:32], k[32:]
    gc.collect()
    t = count()
    for i in range(n):
        f(a, b)
    return (count() - t) & 0xFFFFFFFF
# the first pass warms up (first-call allocations and collections differ)
print([[run(k, %d) for k in ks] for _ in range(2)][1])
"""

BOARD_RUNS = [(t, b, a, m) for t, b, a, modes in BOARDS for m in modes]


@pytest.fixture(scope="module")
def boards():
    started = {}

    def get(name, board, arch):
        # One emulated board per target for the module; an idle board under -icount still spins a CPU.
        if name not in started:
            started[name] = BoardTarget(name + "-icount", board, [("wgcrypto_mod", natmod(arch))],
                                        alias="wgcrypto_mod", icount=True)
        return started[name]
    yield get
    for t in started.values():
        t.close()


@pytest.mark.parametrize("op", ["x25519", "poly1305"])
@pytest.mark.parametrize("target,board,arch,portable", BOARD_RUNS,
                         ids=["%s%s" % (t, {None: "", False: "-optimized", True: "-portable"}[m])
                              for t, _, _, m in BOARD_RUNS])
def test_board_count_is_secret_independent(boards, target, board, arch, portable, op):
    t = boards(target, board, arch)
    n = 4 if op == "x25519" else 40
    hexes = [s.hex() for s in secrets(op, 2)]
    counter, slack = COUNTER.get(board, MPS2_COUNTER)
    script = BOARD_SCRIPT % (mode_line(portable) if portable is not None else "", counter, hexes,
                             op, op, n)
    try:
        ticks = eval(t.run(script).strip())
    finally:
        if portable:
            t.run("import wgcrypto\nwgcrypto.portable(False)\n")
    assert max(ticks) - min(ticks) <= slack, "%s %s: counter ticks differ with the secret: %s" % (target, op, ticks)
