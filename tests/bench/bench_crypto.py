"""make bench-crypto: wgcrypto speed against OpenSSL on x64, and exact instruction
counts on the router (qemu-user) and microcontroller (QEMU MPS2) targets.

Prints the tables and writes build/bench/crypto.json.  The lists in
bench_targets.py decide what is measured.
"""
import concurrent.futures
import datetime
import json
import os
import platform
import subprocess
import sys
import time

import cryptography

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/, for targets.py

sys.path.insert(0, os.path.join(os.path.dirname(HERE), "crypto"))  # m0target.py
import bench_targets as cfg  # noqa: E402
import m0target  # noqa: E402
import counting  # noqa: E402
import reference  # noqa: E402
import report  # noqa: E402
import workload  # noqa: E402

RIDS = [rid for rid, _, _ in workload.CASES]
SIZES = {rid: size for rid, _, size in workload.CASES}


def wall_clock():
    """(a) and (b): MicroPython targets and OpenSSL timed one after another, nothing else running."""
    openssl = {}
    for rid, op, size in workload.CASES:
        us, n = reference.time_us(op, size, cfg.TIME_TARGET_US / 1e6)
        openssl[rid] = {"us": us, "n": n}
    timed = {}
    for col, factory in cfg.TIME_TARGETS:
        t = factory()
        try:
            backend, rows = workload.parse(t.run(workload.timed_script(workload.CASES, cfg.TIME_TARGET_US)))
        finally:
            t.close()
        timed[col] = {"backend": backend,
                      "rows": {rid: {"us": dt / n, "n": n, "ratio_to_openssl": dt / n / openssl[rid]["us"]}
                               for rid, (n, dt) in rows.items()}}
    return openssl, timed


def user_job(col, qemu, binary, portable=None, run=1):
    backend, raw = counting.user_counts(col, qemu, binary, workload.CASES + [workload.EMPTY], cfg.USER_N, run,
                                        portable)
    per_iter = {rid: (i2 - i1) / (n2 - n1) for rid, (n1, i1, n2, i2) in raw.items()}
    return {"kind": "qemu-user " + qemu, "backend": backend, "raw": raw, "per_iter": per_iter}


def board_job(col, board, arch, portable=None):
    cases_n = [(rid, op, size, cfg.BOARD_N[rid]) for rid, op, size in workload.CASES + [workload.EMPTY]]
    backend, raw = counting.board_counts(col, board, arch, cases_n, portable)
    per_iter = {rid: ticks * counting.INSNS_PER_TICK / n for rid, (n, ticks) in raw.items()}
    return {"kind": "%s %s.mpy -icount shift=0" % (board, arch), "backend": backend, "raw": raw,
            "per_iter": per_iter}


def instruction_counts():
    """(c): every count target, plus a second run of cfg.REPEAT, two at a time (counts don't care)."""
    counting.build_plugin()
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        # Boards first: they are the longest jobs.
        for col, board, arch, portable in cfg.BOARD_TARGETS:
            jobs[col] = pool.submit(board_job, col, board, arch, portable)
        for col, qemu, binary, portable in cfg.USER_TARGETS:
            jobs[col] = pool.submit(user_job, col, qemu, binary, portable)
        for col, board, arch, portable in cfg.BOARD_TARGETS:
            if col in cfg.REPEAT:
                jobs[col + " repeat"] = pool.submit(board_job, col, board, arch, portable)
        for col, qemu, binary, portable in cfg.USER_TARGETS:
            if col in cfg.REPEAT:
                jobs[col + " repeat"] = pool.submit(user_job, col, qemu, binary, portable, 2)
        res = {k: f.result() for k, f in jobs.items()}
    counts = {}
    for k, r in res.items():
        if k.endswith(" repeat"):
            continue
        loop = r["per_iter"]["empty"]
        r["loop_overhead_per_iter"] = loop
        r["per_op"] = {rid: r["per_iter"][rid] - loop for rid in RIDS}
        r["insns_per_byte"] = {rid: r["per_op"][rid] / SIZES[rid] for rid in RIDS if SIZES[rid]}
        counts[k] = r
    repeats = {}
    for k in res:
        if k.endswith(" repeat"):
            a, b = res[k[:-7]]["raw"], res[k]["raw"]
            # Largest difference between the two runs in any single reading
            # (instructions for qemu-user, counter ticks for boards).
            diff = max(abs(x - y) for rid in a for x, y in zip(a[rid], b[rid]))
            repeats[k[:-7]] = {"identical": a == b, "max_diff": diff, "kind": res[k]["kind"]}
    return counts, repeats


def m0_counts():
    """(c) on a real Cortex-M0 CPU: the bare-metal harness on QEMU -M microbit, exact plugin counts."""
    msg = bytes(i & 0xFF for i in range(1420))
    calls = {"aead-1420": "chacha20poly1305_encrypt h%s h%s h%s h" % ("42" * 32, "00" * 12, msg.hex()),
             "x25519": "x25519 h%s h09%s" % ("a5" * 32, "00" * 31)}
    out = {}
    for portable in (False, True):
        col = "m0-armv6m" + ("-portable" if portable else "")
        per_op = {rid: m0target.call_count(call, portable) for rid, call in calls.items()}
        out[col] = {"per_op": per_op, "aead_1420_insns_per_byte": per_op["aead-1420"] / 1420}
    return out


def qemu_version():
    out = subprocess.run(["qemu-system-arm", "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else "?"


def main():
    start = time.monotonic()
    openssl, timed = wall_clock()
    counts, repeats = instruction_counts()
    m0 = m0_counts()
    elapsed = time.monotonic() - start

    print("== Wall time on %s, microseconds per call (lower is better) ==" % platform.machine())
    print("MicroPython: time.ticks_us around n calls, best of 5; AEAD via chacha20poly1305_encrypt_into"
          " (no allocation per call).")
    print("OpenSSL: CPython %s, cryptography %s ChaCha20Poly1305.encrypt / X25519 exchange,"
          " hashlib.blake2s; same process, same run." % (platform.python_version(), cryptography.__version__))
    print("ratio = our time / OpenSSL time.")
    print(report.timing_table(RIDS, {r: v["us"] for r, v in openssl.items()},
                              [(c, v["backend"], {r: x["us"] for r, x in v["rows"].items()})
                               for c, v in timed.items()]))
    print()
    print("== Instructions (deterministic), loop overhead subtracted ==")
    print("qemu-user %s: (I(n2)-I(n1))/(n2-n1) with a counting plugin, n=%s;"
          % ("/".join(c for c, _, _, _ in cfg.USER_TARGETS), cfg.USER_N))
    print("boards (%s): FPGAIO counter x 40 around n calls, n=%s."
          % (qemu_version(), cfg.BOARD_N))
    print(report.count_table(RIDS, [(c, r["backend"], dict(r["per_op"], empty=r["loop_overhead_per_iter"]))
                                    for c, r in counts.items()], SIZES))
    print()
    print("Cortex-M0 (QEMU -M microbit, bare-metal harness linking the same sources; exact plugin count"
          " of one call = (I(3 calls) - I(1 call)) / 2):")
    for col, r in m0.items():
        print("  %-18s ChaCha20-Poly1305 1420 B: %6.1f instructions/byte   X25519: %10d instructions"
              % (col, r["aead_1420_insns_per_byte"], r["per_op"]["x25519"]))
    print()
    for col, r in repeats.items():
        if r["kind"].startswith("qemu-user"):
            print("deterministic: %s (%s counted twice, raw instruction counts identical)"
                  % ("yes" if r["identical"] else "no, max diff %d" % r["max_diff"], col))
        else:
            # Where the raw REPL's input lands relative to the 40-instruction tick depends on
            # host timing, so each board reading is exact only to +-1 tick.
            print("deterministic: %s (%s counted twice; board readings agree to %d counter tick(s),"
                  " resolution 40 instructions per reading)"
                  % ("yes" if r["max_diff"] <= 1 else "no", col, r["max_diff"]))
    print("total %.0f s" % elapsed)

    out = os.path.join(counting.BENCH, "crypto.json")
    os.makedirs(counting.BENCH, exist_ok=True)
    with open(out, "w") as f:
        json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"),
                   "host": platform.platform(), "qemu": qemu_version(),
                   "cryptography": cryptography.__version__,
                   "wall_clock": {"openssl": openssl, "targets": timed,
                                  "note": "us per call; AEAD uses chacha20poly1305_encrypt_into"},
                   "instructions": counts, "cortex_m0_harness": m0, "iterations": {"qemu_user": cfg.USER_N, "board": cfg.BOARD_N},
                   "deterministic": repeats, "elapsed_s": round(elapsed, 1)}, f, indent=1, sort_keys=True)
    print("wrote %s" % os.path.relpath(out, os.getcwd()))


if __name__ == "__main__":
    main()
