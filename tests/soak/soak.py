"""Soak: iperf3 both ways through two MicroGuard daemons for SOAK_SECONDS.

    [A: microguard] --veth-- [R: relay.py, 2% loss/dup/reorder] --veth-- [B: microguard]

Both daemons run with MICROGUARD_TIME_SCALE (default 10: REKEY_AFTER_TIME's 120 s is 12 s, so
a new handshake every 12 s; REJECT_AFTER_TIME's 180 s is 18 s, so a handshake that fails for
long loses the session). `--arch mipsel` runs both daemons' static mipsel build under
qemu-user. Every 10 s: each daemon's RSS and latest handshake. Passes when: both daemons run
to the end; iperf3 (--bidir) moved data in both directions in every 10-s interval; the
latest handshake never got older than 3 rekey intervals + 10 s; and no daemon's RSS at any
later sample exceeds its RSS at 60 s by more than RSS_TOLERANCE (max of 1 MiB and 5%).
Run as root: python3 tests/soak/soak.py --seconds 60 [--arch mipsel] [--seed N]
"""
import argparse
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
from lab import Lab, LabError, sweep_stale  # noqa: E402
from wgdaemon import Daemon, IMPLS, Impl  # noqa: E402

PORT = 51820
SAMPLE = 10
WARMUP = 60


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def rss_tolerance_kb(base):
    return max(1024, base * 5 // 100)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", "600")))
    ap.add_argument("--arch", default="x64", choices=("x64", "mipsel"))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", "1")))
    ap.add_argument("--scale", type=float, default=float(os.environ.get("SOAK_TIME_SCALE", "10")))
    ap.add_argument("--loss", type=float, default=0.02)
    ap.add_argument("--firmware", default=os.environ.get("SOAK_FIRMWARE"),
                    help="run this firmware/ folder instead of the checkout's (e.g. an older tree "
                         "that matches the interpreter builds at hand)")
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("soak: needs root (network namespaces)")
        return 2
    sweep_stale()
    impl = IMPLS["microguard" if args.arch == "x64" else "microguard-mipsel"]
    if args.firmware:
        root = os.path.dirname(os.path.dirname(HERE))
        binary = os.path.join(root, "build", "unix-%s" % args.arch, "micropython")
        runner = [] if args.arch == "x64" else ["qemu-mipsel-static"]
        impl = Impl(impl.name, runner + [binary, "-X", "heapsize=16M", "-m", "microguard"],
                    {"MICROPYPATH": os.path.abspath(args.firmware)}, start_timeout=impl.start_timeout)
    rekey = 120 / args.scale
    env = {"MICROGUARD_TIME_SCALE": "%g" % args.scale}
    failures = []
    with Lab() as lab:
        na, nr, nb = lab.node("a"), lab.node("r"), lab.node("b")
        lab.link(na, nr, ["192.168.61.1/24"], ["192.168.61.254/24"])
        lab.link(nr, nb, ["192.168.62.254/24"], ["192.168.62.2/24"])
        relay_log = open(lab.path("relay.log"), "w")
        relay = nr.popen(["python3", os.path.join(HERE, "relay.py"), str(args.seed), "192.168.61.254",
                          "192.168.61.1", "192.168.62.254", "192.168.62.2", str(PORT),
                          str(args.loss), str(args.loss), str(args.loss)], stdout=relay_log,
                         stderr=relay_log)
        ka, kb = lab.keypair("a"), lab.keypair("b")
        da = Daemon(na, impl, env=env)
        db = Daemon(nb, impl, env=env)
        da.set("private-key", ka.path, "listen-port", str(PORT), "peer", kb.public,
               "allowed-ips", "10.0.0.2/32", "endpoint", "192.168.61.254:%d" % PORT)
        db.set("private-key", kb.path, "listen-port", str(PORT), "peer", ka.public,
               "allowed-ips", "10.0.0.1/32", "endpoint", "192.168.62.254:%d" % PORT)
        da.up("10.0.0.1/24")
        db.up("10.0.0.2/24")
        if not na.wait_ping("10.0.0.2", timeout=60):
            raise LabError("no tunnel at start\n%s\n%s" % (da.log(), db.log()))
        server = nb.popen(["iperf3", "-s", "-p", "5201"], stdout=open(lab.path("iperf3-s.log"), "w"),
                          stderr=open(lab.path("iperf3-s.err"), "w"))
        time.sleep(1)
        result = {}

        def client():
            r = na.run(["iperf3", "-J", "-c", "10.0.0.2", "-p", "5201", "--bidir", "-t", str(args.seconds),
                        "-i", str(SAMPLE)], check=False, timeout=args.seconds + 120)
            result["out"], result["err"] = r.stdout, r.stderr

        t = threading.Thread(target=client)
        start = time.monotonic()
        t.start()
        samples = []    # (t, rss a, rss b, handshake age a, handshake age b)
        handshakes = {"a": set(), "b": set()}
        print("soak %s: %d s, time scale %g (rekey every %.0f s), %.0f%% loss/dup/reorder, seed %d"
              % (args.arch, args.seconds, args.scale, rekey, args.loss * 100, args.seed), flush=True)
        while t.is_alive():
            t.join(timeout=SAMPLE)
            now = time.monotonic() - start
            row = [now]
            for d, peer_pub, side in ((da, kb.public, "a"), (db, ka.public, "b")):
                if not d.alive():
                    failures.append("%s: daemon %s exited" % (args.arch, side))
                    row += [0, -1]
                    continue
                row.append(rss_kb(d.pid))
                try:
                    hs = d.peer(peer_pub)["latest_handshake"]
                except LabError:
                    hs = 0
                handshakes[side].add(hs)
                row.append(int(time.time()) - hs if hs else -1)
            samples.append(row)
            print("  t=%4.0fs  rss a %6d kB  b %6d kB  handshake age a %4ds b %4ds"
                  % (row[0], row[1], row[3], row[2], row[4]), flush=True)
            if failures:
                break
        t.join(timeout=args.seconds + 120)
        kill = [relay, server]
        for p in kill:
            p.terminate()
        relay.wait(timeout=10)
        relay_log.close()
        with open(lab.path("relay.log")) as f:
            relay_counts = [l for l in f.read().splitlines() if l.startswith("relay ")][-1:]

        # ---- verdicts
        try:
            res = json.loads(result.get("out") or "{}")
        except ValueError:
            res = {}
        if "end" not in res:
            failures.append("iperf3 gave no result: %s %s" % ((result.get("out") or "")[-500:],
                                                             (result.get("err") or "")[-500:]))
        else:
            fwd = res["end"]["sum_received"]["bits_per_second"] / 1e6
            rev = res["end"]["sum_received_bidir_reverse"]["bits_per_second"] / 1e6
            print("  iperf3: A->B %.1f Mbit/s, B->A %.1f Mbit/s" % (fwd, rev))
            for i, iv in enumerate(res["intervals"]):
                for key, name in (("sum", "A->B"), ("sum_bidir_reverse", "B->A")):
                    if iv[key]["bytes"] <= 0:
                        failures.append("%s: no data %s in interval %d (%.0f-%.0f s)"
                                        % (args.arch, name, i, iv[key]["start"], iv[key]["end"]))
        limit = 3 * rekey + 10
        for row in samples:
            for side, age in (("a", row[2]), ("b", row[4])):
                if age < 0 or age > limit:
                    failures.append("%s: at %.0f s daemon %s's latest handshake is %s s old (limit %.0f)"
                                    % (args.arch, row[0], side, age, limit))
        base = [r for r in samples if r[0] >= WARMUP]
        if base:
            for col, side in ((1, "a"), (3, "b")):
                b0 = base[0][col]
                top = max(r[col] for r in base)
                tol = rss_tolerance_kb(b0)
                print("  rss %s: %d kB at %.0f s, max %d kB after (tolerance +%d kB)"
                      % (side, b0, base[0][0], top, tol))
                if top - b0 > tol:
                    failures.append("%s: daemon %s RSS grew %d -> %d kB after the first minute"
                                    % (args.arch, side, b0, top))
        print("  handshakes seen: a %d, b %d; %s" % (len(handshakes["a"] - {0}), len(handshakes["b"] - {0}),
                                                     relay_counts[0] if relay_counts else "no relay counts"))
        for d, side in ((da, "a"), (db, "b")):
            if not d.alive():
                failures.append("%s: daemon %s is not running at the end\n%s" % (args.arch, side, d.log()))
    if failures:
        print("soak %s FAILED:\n  %s" % (args.arch, "\n  ".join(failures[:20])))
        return 1
    print("soak %s: passed" % args.arch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
