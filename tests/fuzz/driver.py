"""Runs the fuzz targets and prints their figures: `make fuzz` and tests/fuzz/test_fuzz.py.

    python3 tests/fuzz/driver.py [--cases N] [--seed S] [--targets a,b] [--allow-known]

Engine targets (datagram, uapi, wgquick) run on MicroPython
(build/unix-x64/micropython, what routers run), host-side ones (site, uci)
on CPython. A target runs in batches of BATCH cases per process; a batch
that makes no progress for HANG_SECONDS is a hang. Memory: the heap in use
after gc.collect() (MicroPython) or the RSS (CPython), sampled every 500
cases, must not grow by more than MEM_SLACK between the first quarter of
the run and its end. A failure prints its target, seed and index; replay
it alone with: fuzzmain.py <target> <seed> <index> 1 (the datagram target
replays its round: from index - index % 200).
"""
import argparse
import os
import select
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from known import KNOWN  # noqa: E402

MICROPYTHON = os.path.join(REPO, "build", "unix-x64", "micropython")
FIRMWARE = os.environ.get("FUZZ_FIRMWARE", os.path.join(REPO, "firmware"))
ENGINE_TARGETS = ("datagram", "uapi", "wgquick")
HOST_TARGETS = ("site", "uci")
TARGETS = ENGINE_TARGETS + HOST_TARGETS
BATCH = 25000
HANG_SECONDS = 120
MEM_SLACK = {"mp": 256 * 1024, "cpython": 16 * 1024 * 1024}
MP_HEAP = "8M"


def command(target, seed, first, count):
    main = os.path.join(HERE, "mp", "fuzzmain.py")
    args = [target, str(seed), str(first), str(count), "--keep-going"]
    env = dict(os.environ)
    if target in ENGINE_TARGETS:
        env["MICROPYPATH"] = ":".join([FIRMWARE, os.path.join(REPO, "tests", "engine", "mp"), HERE,
                                       os.path.join(HERE, "mp")])
        return [MICROPYTHON, "-X", "heapsize=" + MP_HEAP, main] + args, env
    env["PYTHONPATH"] = ":".join([HERE, os.path.join(HERE, "py"), os.path.join(REPO, "host-tools"),
                                  FIRMWARE])
    return [sys.executable, main] + args, env


class Result:
    def __init__(self, target):
        self.target = target
        self.cases = 0
        self.seconds = 0.0
        self.mem = []           # (cases, bytes)
        self.failures = []      # (signature, text)
        self.counts = {}        # signature -> count
        self.outcomes = {}
        self.slowest_ms = 0


def run_batch(res, seed, first, count):
    argv, env = command(res.target, seed, first, count)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    pending = []        # [signature or None, lines] of the failure being read
    last = time.monotonic()

    def flush():
        if pending:
            sig, lines = pending.pop()
            res.failures.append((sig or "interpreter crash", "\n".join(lines)))
            if sig is None:
                res.counts["interpreter crash"] = 1

    try:
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 5)
            if not ready:
                if time.monotonic() - last > HANG_SECONDS:
                    done = res.mem[-1][0] if res.mem else first
                    res.failures.append(("hang", "no progress for %ds after about index %d (seed %d)"
                                         % (HANG_SECONDS, done, seed)))
                    res.counts["hang"] = 1
                    return
                continue
            line = proc.stdout.readline()
            if not line:
                break
            last = time.monotonic()
            line = line.rstrip("\n")
            tag, _, rest = line.partition(" ")
            if tag in ("P", "F", "K", "S", "D"):
                flush()
            if tag == "P":
                n, b = rest.split()
                res.mem.append((first + int(n), int(b)))
            elif tag == "F":
                pending.append([None, ["%s seed=%d index=%s" % (res.target, seed, rest)]])
            elif tag == "G" and pending:
                pending[0][0] = rest
            elif tag == "K":
                n, sig = rest.split(" ", 1)
                res.counts[sig] = res.counts.get(sig, 0) + int(n)
            elif tag == "S":
                for kv in rest.split():
                    k, v = kv.rsplit("=", 1)
                    res.outcomes[k] = res.outcomes.get(k, 0) + int(v)
            elif tag == "D":
                f = rest.split()
                res.cases += int(f[0])
                res.slowest_ms = max(res.slowest_ms, int(f[3]))
            elif pending:
                pending[0][1].append(line)
            else:
                pending.append([None, [line]])
        flush()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def check_memory(res):
    kind = "mp" if res.target in ENGINE_TARGETS else "cpython"
    samples = [b for _, b in res.mem]
    if len(samples) < 8:
        return None
    base = max(samples[len(samples) // 4 - 1:len(samples) // 4 + 1])
    late = max(samples[-len(samples) // 4:])
    if late - base > MEM_SLACK[kind]:
        return "memory grew from %d to %d bytes (limit +%d)" % (base, late, MEM_SLACK[kind])
    return None


def run_target(target, cases, seed):
    res = Result(target)
    t0 = time.monotonic()
    first = 0
    while first < cases:
        n = min(BATCH, cases - first)
        run_batch(res, seed, first, n)
        first += n
        if "hang" in res.counts or "interpreter crash" in res.counts:
            break
    res.seconds = time.monotonic() - t0
    mem_err = check_memory(res)
    if mem_err:
        res.failures.append(("memory", mem_err))
        res.counts["memory"] = 1
    return res


def report(res, out):
    kind = "MicroPython heap" if res.target in ENGINE_TARGETS else "RSS"
    peak = max([b for _, b in res.mem] or [0])
    out.write("fuzz %-8s %7d cases %7.1f s %8.0f cases/s  peak %s %d KiB  slowest case %d ms\n"
              % (res.target, res.cases, res.seconds, res.cases / max(res.seconds, 1e-9), kind,
                 peak // 1024, res.slowest_ms))
    if res.outcomes:
        out.write("    outcomes: %s\n" % " ".join("%s=%d" % kv for kv in sorted(res.outcomes.items())))
    shown = set()
    for sig, text in res.failures:
        if sig in shown:        # each batch shows its first case of a kind; one is enough
            continue
        shown.add(sig)
        note = KNOWN.get(sig)
        out.write("    FAILURE%s (%d cases): %s\n" % (" [known: %s]" % note if note else "",
                                                        res.counts.get(sig, 1), sig))
        out.write("      " + text.replace("\n", "\n      ")[:4000] + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "1")))
    ap.add_argument("--targets", default=",".join(TARGETS))
    ap.add_argument("--allow-known", action="store_true",
                    help="exit 0 when every failure is listed in known.py")
    args = ap.parse_args(argv)
    bad = []
    for target in args.targets.split(","):
        res = run_target(target, args.cases, args.seed)
        report(res, sys.stdout)
        sys.stdout.flush()
        for sig, _ in res.failures:
            if not (args.allow_known and sig in KNOWN):
                bad.append("%s: %s" % (target, sig))
        if res.cases < args.cases and not res.failures:
            bad.append("%s: only %d of %d cases ran" % (target, res.cases, args.cases))
    if bad:
        print("fuzz: %d failure kinds: %s" % (len(bad), "; ".join(bad)))
        return 1
    print("fuzz: no failures (seed %d)" % args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
