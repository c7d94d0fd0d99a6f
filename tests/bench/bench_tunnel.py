"""Tunnel benchmark: LAN to LAN through router A <-> router B (wireguard-go), in namespaces.

Router A is, in turn, MicroGuard and wireguard-go on the host; then MicroGuard's static mipsel
build and Debian's mipsel wireguard-go, both under qemu-user.  For each: iperf3 TCP (3 x 10 s,
median), UDP packets/s with 1420-byte IP packets (the tunnel MTU), handshake latency (first
ping after the session was dropped, A initiating and A responding), and router A's daemon peak
RSS (VmHWM).  Printed as ratios MicroGuard / wireguard-go; written to build/bench/tunnel.json.
Then the big configurations of bigconfig.py (setconf/show times, RSS, bytes per allowed IP).
"""
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))

import lab as lablib  # noqa: E402
from topology import two_sites  # noqa: E402
from traffic import iperf3, iperf3_server, tcp_mbps, udp_pps  # noqa: E402
from wgdaemon import IMPLS, Impl  # noqa: E402

sys.path.insert(0, HERE)
import bigconfig  # noqa: E402

TCP_RUNS = 3
TCP_SECONDS = 10
UDP_SECONDS = 5
UDP_IP_PACKET = 1420            # bytes per inner IP packet: the tunnel MTU
UDP_PAYLOAD = UDP_IP_PACKET - 28
HANDSHAKES = 5
OUT = os.path.join(ROOT, "build", "bench", "tunnel.json")
TCP_TARGET_RATIO = 0.25          # issue goal: MicroGuard TCP >= 0.25x wireguard-go, same machine and run

METRICS = [  # key, label, format
    ("tcp_mbps", "TCP Mbit/s (median of %d x %d s)" % (TCP_RUNS, TCP_SECONDS), "%.0f"),
    ("udp_pps", "UDP packets/s (%d B IP packets)" % UDP_IP_PACKET, "%.0f"),
    ("handshake_ms_initiator", "handshake + 1st ping, A initiates (ms)", "%.2f"),
    ("handshake_ms_responder", "handshake + 1st ping, A responds (ms)", "%.2f"),
    ("rss_kb", "router A daemon peak RSS (kB)", "%.0f"),
]


def log(msg):
    print(msg, flush=True)


def first_ping_ms(node, dst):
    r = node.run(["ping", "-n", "-c", "1", "-W", "10", dst], check=False, timeout=30)
    m = re.search(r"time=([\d.]+) ms", r.stdout)
    if not m:
        raise lablib.LabError("no reply from %s: %s" % (dst, r.stdout))
    return float(m.group(1))


def handshake_ms(pair, initiator, responder):
    """Median time of a ping that has to start with a new handshake (the initiator forgets the peer)."""
    times = []
    for _ in range(HANDSHAKES):
        d = initiator.daemon
        d.set("peer", responder.key.public, "remove")
        d.set("peer", responder.key.public, "endpoint", responder.endpoint(4),
              "allowed-ips", "%s/32,%s/128,%s,%s" % (responder.inner4, responder.inner6,
                                                     responder.lan_net4, responder.lan_net6))
        times.append(first_ping_ms(initiator.node, responder.inner4))
        time.sleep(0.2)
    return statistics.median(times)


def measure(impl_a):
    """All metrics with `impl_a` as router A; router B is always wireguard-go on the host."""
    with lablib.Lab() as lab:
        pair = two_sites(lab, impl_a, lans=True)
        a, b = pair.a, pair.b
        if not a.host.wait_ping(b.host4, timeout=60):
            raise lablib.LabError("no LAN-to-LAN ping through %s:\n%s" % (impl_a.name, a.daemon.log()))
        iperf3_server(b.host)
        runs = []
        for i in range(TCP_RUNS):
            runs.append(tcp_mbps(iperf3(a.host, b.host4, seconds=TCP_SECONDS)))
            log("    TCP run %d: %.0f Mbit/s" % (i + 1, runs[-1]))
        udp = udp_pps(iperf3(a.host, b.host4, seconds=UDP_SECONDS, udp=True, length=UDP_PAYLOAD), UDP_PAYLOAD)
        log("    UDP: %.0f packets/s" % udp)
        hs_i = handshake_ms(pair, a, b)
        hs_r = handshake_ms(pair, b, a)
        log("    handshake: %.2f ms initiating, %.2f ms responding" % (hs_i, hs_r))
        rss = a.daemon.vmhwm_kb()
        log("    peak RSS: %d kB" % rss)
        return {"tcp_mbps": statistics.median(runs), "tcp_runs_mbps": runs, "udp_pps": udp,
                "handshake_ms_initiator": hs_i, "handshake_ms_responder": hs_r, "rss_kb": rss}


def mipsel_wireguard_go():
    """Debian's mipsel wireguard-go under qemu-user, fetched with a private apt state dir."""
    r = subprocess.run([os.path.join(ROOT, "scripts", "fetch-wireguard-go-mipsel.sh")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("fetching mipsel wireguard-go failed: " + r.stderr.strip()[-500:])
    path = r.stdout.strip().splitlines()[-1]
    if not os.path.isdir("/usr/mipsel-linux-gnu"):
        raise RuntimeError("/usr/mipsel-linux-gnu missing: install libc6-mipsel-cross")
    return Impl("wireguard-go-mipsel", ["qemu-mipsel-static", "-L", "/usr/mipsel-linux-gnu", path],
                start_timeout=60)


def compare(name, mg_impl, wg_impl_fn):
    """Measure both sides of one comparison; a side that fails is reported, not fatal."""
    entry = {}
    for key, fn in (("microguard", lambda: mg_impl), ("wireguard-go", wg_impl_fn)):
        try:
            impl = fn()
            log("  %s: router A = %s" % (name, " ".join(impl.argv)))
            entry[key] = measure(impl)
        except Exception as e:  # keep going: the other measurements are still worth having
            entry[key] = {"error": str(e)[-1000:]}
            log("    failed: %s" % str(e)[-500:])
    if all("error" not in entry[k] for k in ("microguard", "wireguard-go")):
        entry["ratio"] = {k: entry["microguard"][k] / entry["wireguard-go"][k] for k, _, _ in METRICS}
    return entry


def report(results):
    cols = list(results)
    width = max(len(label) for _, label, _ in METRICS) + 2
    group = 14 + 14 + 8
    lines = ["".ljust(width) + "".join(("  router A on " + c).ljust(group) for c in cols),
             "".ljust(width) + "".join("MicroGuard".rjust(14) + "wireguard-go".rjust(14) + "ratio".rjust(8)
                                       for c in cols)]
    lines.append("-" * len(lines[-1]))
    for key, label, fmt in METRICS:
        row = label.ljust(width)
        for c in cols:
            e = results[c]
            mg = e["microguard"].get(key)
            wg = e["wireguard-go"].get(key)
            row += (fmt % mg if mg is not None else "n/a").rjust(14)
            row += (fmt % wg if wg is not None else "n/a").rjust(14)
            row += ("%.2fx" % e["ratio"][key] if "ratio" in e else "-").rjust(8)
        lines.append(row)
    return "\n".join(lines)


def main():
    if os.geteuid() != 0:
        sys.exit("bench-tunnel: needs root (network namespaces)")
    lablib.sweep_stale()
    started = time.time()
    results = {}
    log("Tunnel benchmark: host A -- router A == WireGuard == router B (wireguard-go, x64) -- host B")
    results["x64"] = compare("x64", IMPLS["microguard"], lambda: IMPLS["wireguard-go"])
    results["mipsel-qemu"] = compare("mipsel under qemu-user", IMPLS["microguard-mipsel"], mipsel_wireguard_go)
    log("Big configurations: wg setconf and wg show allowed-ips on a fresh daemon, x64")
    big = bigconfig.measure_all()

    log("")
    log(report(results))
    log("")
    log(bigconfig.report(big))
    ratio = results["x64"].get("ratio", {}).get("tcp_mbps")
    if ratio is not None:
        log("\nTCP throughput, MicroGuard / wireguard-go on x64: %.2fx (target >= %.2fx: %s)"
            % (ratio, TCP_TARGET_RATIO, "met" if ratio >= TCP_TARGET_RATIO else "MISSED"))
    for col, e in results.items():
        for side in ("microguard", "wireguard-go"):
            if "error" in e[side]:
                log("%s %s: not measured: %s" % (col, side, e[side]["error"][:300]))

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    doc = {
        "description": "LAN-to-LAN through router A <-> router B (wireguard-go x64) in network namespaces; "
                       "ratio = MicroGuard / wireguard-go as router A",
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()},
        "settings": {"tcp_runs": TCP_RUNS, "tcp_seconds": TCP_SECONDS, "udp_seconds": UDP_SECONDS,
                     "udp_ip_packet_bytes": UDP_IP_PACKET, "handshakes": HANDSHAKES},
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
        "results": results,
        "big_configs": big,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=2)
    log("\nwritten: %s" % os.path.relpath(OUT, ROOT))
    failed = any("error" in e[s] for e in results.values() for s in ("microguard", "wireguard-go"))
    failed = failed or bigconfig.failed(big)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
