# Runs one batch of one fuzz target (MicroPython or CPython):
#     fuzzmain.py <target> <seed> <first index> <count> [max case ms]
# Lines on stdout, read by tests/fuzz/driver.py:
#     P <cases done> <heap bytes in use after gc.collect()>   every PROGRESS cases
#       (CPython: the process's RSS)
#     F <index> <what failed>  then  I <the input>  then traceback lines "T ..."
#     S <outcome>=<count> ...   how far the cases got (optional)
#     D <cases> <ms> <peak heap bytes> <slowest case ms> <index of slowest>
#     G <signature> of the failure just shown (with --keep-going)
#     K <count> <signature>   with --keep-going: failures grouped by where they come from
# A batch stops at its first failure (--keep-going: the first of each kind is shown).
import sys
import gc
import time

try:
    from time import ticks_ms, ticks_diff
except ImportError:        # CPython
    def ticks_ms():
        return int(time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b

PROGRESS = 500


def heap_in_use():
    gc.collect()
    try:
        return gc.mem_alloc()
    except AttributeError:      # CPython: resident set size instead
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0


def traceback_lines(e):
    try:
        import io
        s = io.StringIO()
        sys.print_exception(e, s)
        return s.getvalue().splitlines()
    except AttributeError:
        import traceback
        return "".join(traceback.format_exception(type(e), e, e.__traceback__)).splitlines()


def signature(err, tb):
    """Where a failure comes from, stable across edits of the code: the
    exception type and the innermost file and function ("TypeError in
    site.py:_device"), or the oracle's message up to its first colon."""
    if not tb:
        return err.split(":")[0]
    where = "?"
    for line in tb:
        line = line.strip()
        if line.startswith("File "):
            path = line.split('"')[1] if '"' in line else "?"
            where = "%s:%s" % (path.split("/")[-1], line.rsplit(" in ", 1)[-1])
    return "%s in %s" % (tb[-1].strip().split(":")[0], where)


def main(argv):
    keep_going = "--keep-going" in argv
    argv = [a for a in argv if a != "--keep-going"]
    name, seed, first, count = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    max_ms = int(argv[4]) if len(argv) > 4 else 5000
    seen = {}
    target = __import__("t_" + name).Target(seed)
    peak = heap_in_use()
    print("P 0 %d" % peak)
    slowest, slowest_at = 0, first
    t0 = ticks_ms()
    done = 0
    for i in range(first, first + count):
        c0 = ticks_ms()
        try:
            err = target.case(i)
            tb = None
        except Exception as e:
            err = "exception escaped: %r" % (e,)
            tb = traceback_lines(e)
        dt = ticks_diff(ticks_ms(), c0)
        if dt > slowest:
            slowest, slowest_at = dt, i
        if err is None and dt > max_ms and not getattr(target, "batched", False):
            err = "case took %d ms (limit %d ms)" % (dt, max_ms)
        if err is not None and keep_going:
            sig = signature(err, tb)
            seen[sig] = seen.get(sig, 0) + 1
            if seen[sig] > 1:
                done += 1
                continue
        if err is not None:
            print("F %d %s" % (i, err))
            if keep_going:
                print("G " + signature(err, tb))
            try:
                print("I " + target.describe())
            except Exception as e:
                print("I (cannot describe the input: %r)" % (e,))
            for line in tb or ():
                print("T " + line)
            if keep_going:
                done += 1
                continue
            return 1
        done += 1
        if done % PROGRESS == 0:
            use = heap_in_use()
            if use > peak:
                peak = use
            print("P %d %d" % (done, use))
    stats = getattr(target, "stats", None)
    if stats is not None:
        outcomes = stats()
        print("S " + " ".join("%s=%d" % (k, outcomes[k]) for k in sorted(outcomes)))
    for sig in seen:
        print("K %d %s" % (seen[sig], sig))
    print("D %d %d %d %d %d" % (done, ticks_diff(ticks_ms(), t0), peak, slowest, slowest_at))
    return 1 if seen else 0


sys.exit(main(sys.argv[1:]))
