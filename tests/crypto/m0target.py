"""Drives the bare-metal Cortex-M0 harness (build/m0harness/m0harness.elf) on QEMU -M microbit.

Shared by the M0 vector tests and the crypto benchmark.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "bench"))
import counting  # noqa: E402
from targets import BUILD  # noqa: E402

HARNESS = os.path.join(BUILD, "m0harness", "m0harness.elf")


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
