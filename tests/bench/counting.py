"""Deterministic instruction counts: qemu-user with a counting plugin, and MPS2 boards under -icount.

qemu-user: run a case twice with n1 and n2 iterations; start-up cancels in
(I(n2) - I(n1)) / (n2 - n1).  Boards: the FPGAIO counter read around 1 and
around n + 1 iterations inside one interpreter; the difference is n
iterations without the case's set-up, 40 instructions per tick.

The tick rate was checked against an exact count: a qemu-system-arm plugin
counting every executed instruction between two marker instructions placed
next to the counter reads agreed with ticks x 40 to within the marker code
(600,967 vs 600,640 for 20 AEAD-1420 calls on the AN386).  The board's
higher per-call figures came from dividing one reading by n: the set-up of
each op (allocating and zeroing the message buffers, ~51,000 instructions
for AEAD-1420) was charged to the n calls, e.g. +2,500 per call at n = 20.
"""
import os
import subprocess

from targets import BUILD, ROOT, BoardTarget, UnixTarget, natmod
import workload

BENCH = os.path.join(BUILD, "bench")
PLUGIN_SRC = os.path.join(ROOT, "scripts", "qemu-insn-count.c")
PLUGIN = os.path.join(BENCH, "libinsncount.so")
INSNS_PER_TICK = 40  # FPGAIO counter is 25 MHz; -icount shift=0 runs 1 insn per ns (checked, see above)


def build_plugin():
    if not os.path.exists(PLUGIN) or os.path.getmtime(PLUGIN) < os.path.getmtime(PLUGIN_SRC):
        os.makedirs(BENCH, exist_ok=True)
        # Built beside and renamed into place: parallel test workers may build it at once.
        tmp = "%s.%d.tmp" % (PLUGIN, os.getpid())
        subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-o", tmp, PLUGIN_SRC],
                       check=True)
        os.replace(tmp, PLUGIN)
    return PLUGIN


def user_count(qemu, binary, op, size, n, tag, run, portable=None):
    """Instructions for one whole interpreter run of `op` n times under qemu-user."""
    # The guest sees the same argv ("bench.py", run from its own directory) for
    # every case and repeat: the script's name is interned by the interpreter and
    # sits on the guest stack, so a different name would shift the counts a little.
    work = os.path.join(BENCH, "work", "%s-%d" % (tag, run))
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "bench.py"), "w") as f:
        f.write(workload.plain_script(op, size, n, portable))
    count = os.path.join(work, "count.txt")
    prefix = ["env", "-i", qemu, "-plugin", "%s,outfile=%s" % (PLUGIN, count)]
    cmd = UnixTarget(tag, binary, prefix=prefix).command("bench.py")
    r = subprocess.run(cmd, capture_output=True, timeout=600, cwd=work)
    if r.returncode != 0:
        raise RuntimeError("%s: %s failed: %s" % (tag, op, r.stderr.decode()[-2000:]))
    backend, _ = workload.parse(r.stdout.decode())
    with open(count) as f:
        return backend, int(f.read())


def user_counts(tag, qemu, binary, cases, iters, run=1, portable=None):
    """{rid: (n1, I(n1), n2, I(n2))} for each (rid, op, size) and the backend name."""
    backend, raw = None, {}
    for rid, op, size in cases:
        n1, n2 = iters[op]
        backend, i1 = user_count(qemu, binary, op, size, n1, tag, run, portable)
        _, i2 = user_count(qemu, binary, op, size, n2, tag, run, portable)
        raw[rid] = (n1, i1, n2, i2)
    return backend, raw


def board_counts(tag, board, mpy_arch, cases_n, portable=None):
    """{rid: (n, ticks)} and the backend name, all cases in one board session."""
    t = BoardTarget(tag, board, [("wgcrypto_mod", natmod(mpy_arch))],
                    alias="wgcrypto_mod", icount=True)
    try:
        return workload.parse(t.run(workload.board_script(cases_n, portable), timeout=900))
    finally:
        t.close()
