"""Big-configuration benchmark: one peer with 130,000 allowed IPs (IPv4 and IPv6 mixed) and 40 peers
with 52 each, applied with the real `wg setconf` to a fresh daemon (MicroGuard, then wireguard-go
for reference), then read back with `wg show <if> allowed-ips`.

Per configuration and daemon: seconds for `wg setconf` and for `wg show allowed-ips` (checked to
list every entry), the daemon's VmRSS before and after, VmHWM, and (VmRSS after - before) per
allowed IP. RSS counts touched pages, and MicroPython's heap is one block touched as it is used,
so for MicroGuard the exact figure is also measured inside MicroPython: GC heap bytes per allowed
IP of the engine's table after the same set request (gc.mem_alloc() before and after).

Run alone: `python3 tests/bench/bigconfig.py` (root); `bench_tunnel.py` calls measure_all().
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))

import bigconf  # noqa: E402
import lab as lablib  # noqa: E402
from wgdaemon import IMPLS, Daemon  # noqa: E402

MICROPYTHON = os.path.join(ROOT, "build", "unix-x64", "micropython")
CONFIGS = [  # key, label, builder
    ("one_peer_130000", "1 peer x 130,000 allowed IPs", lambda: bigconf.one_peer(130000)),
    ("peers_40x52", "40 peers x 52 allowed IPs", lambda: bigconf.many_peers(40, 52)),
]
METRICS = [  # key, label, format
    ("setconf_s", "wg setconf (s)", "%.2f"),
    ("show_s", "wg show allowed-ips (s)", "%.2f"),
    ("rss_before_kb", "daemon VmRSS before (kB)", "%.0f"),
    ("rss_after_kb", "daemon VmRSS after setconf (kB)", "%.0f"),
    ("hwm_kb", "daemon VmHWM after show (kB)", "%.0f"),
    ("rss_bytes_per_ip", "RSS growth per allowed IP (B)", "%.1f"),
    ("heap_bytes_per_ip", "engine GC heap per allowed IP (B)", "%.1f"),
]

# Runs under MicroPython: feeds a set request file to the engine line by line and prints
# the GC heap bytes its device holds afterwards, and the seconds it took.
_HEAP_SCRIPT = """
import gc, sys, time
from wireguard.device import Device
from wireguard import uapi
gc.threshold(1 << 20)       # as the daemon paces GC during a request
dev = Device(None, wall_clock=lambda: (0, 0))
gc.collect()
base = gc.mem_alloc()
t = time.ticks_ms()
conv = uapi.Conversation(dev)
with open(sys.argv[1]) as f:
    for line in f:
        r = conv.line(line[:-1])
        if r is not None:
            assert r[1] == 0, r
ms = time.ticks_diff(time.ticks_ms(), t)
gc.collect()
print(gc.mem_alloc() - base, ms)
"""


def log(msg):
    print(msg, flush=True)


def _status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise lablib.LabError("no %s for pid %d" % (field, pid))


def engine_heap(config, workdir):
    """(GC heap bytes held per allowed IP, seconds) for config's set request under MicroPython."""
    req = os.path.join(workdir, "request-%d.txt" % config.count)
    script = os.path.join(workdir, "heap.py")
    with open(req, "w") as f:
        f.write(bigconf.set_request(config))
    with open(script, "w") as f:
        f.write(_HEAP_SCRIPT)
    env = dict(os.environ, MICROPYPATH=os.path.join(ROOT, "firmware"))
    r = subprocess.run([MICROPYTHON, "-X", "heapsize=16M", script, req], env=env,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("engine heap measure failed: " + (r.stdout + r.stderr)[-500:])
    used, ms = r.stdout.split()
    return int(used) / config.count, int(ms) / 1000.0


def measure(impl, config):
    with lablib.Lab() as lab:
        d = Daemon(lab.node("a"), impl)
        path = config.write(lab.path("big.conf"))
        before = _status_kb(d.pid, "VmRSS")
        t = time.monotonic()
        r = d.node.run(["wg", "setconf", d.ifname, path], check=False, timeout=600)
        setconf_s = time.monotonic() - t
        if r.returncode != 0:
            raise lablib.LabError("wg setconf: %s\n%s" % (r.stderr.strip(), d.log()))
        after = _status_kb(d.pid, "VmRSS")
        t = time.monotonic()
        r = d.node.run(["wg", "show", d.ifname, "allowed-ips"], check=False, timeout=600)
        show_s = time.monotonic() - t
        if r.returncode != 0:
            raise lablib.LabError("wg show: %s" % r.stderr.strip())
        if bigconf.shown_allowed_ips(r.stdout) != config.expected():
            raise lablib.LabError("wg show allowed-ips does not list the configuration")
        return {"setconf_s": setconf_s, "show_s": show_s, "rss_before_kb": before, "rss_after_kb": after,
                "hwm_kb": _status_kb(d.pid, "VmHWM"),
                "rss_bytes_per_ip": (after - before) * 1024.0 / config.count}


def measure_all():
    """{config key: {"allowed_ips": n, "microguard": {...}, "wireguard-go": {...}}}."""
    results = {}
    for key, label, build in CONFIGS:
        config = build()
        entry = results[key] = {"label": label, "allowed_ips": config.count}
        for side in ("microguard", "wireguard-go"):
            try:
                entry[side] = measure(IMPLS[side], config)
                log("    %s, %s: setconf %.2f s, show %.2f s, VmRSS %d -> %d kB, VmHWM %d kB" % (
                    label, side, entry[side]["setconf_s"], entry[side]["show_s"],
                    entry[side]["rss_before_kb"], entry[side]["rss_after_kb"], entry[side]["hwm_kb"]))
            except Exception as e:  # the other figures are still worth having
                entry[side] = {"error": str(e)[-1000:]}
                log("    %s, %s: failed: %s" % (label, side, str(e)[-300:]))
        if "error" not in entry["microguard"]:
            try:
                with lablib.Lab() as lab:
                    per_ip, secs = engine_heap(config, lab.dir)
                entry["microguard"]["heap_bytes_per_ip"] = per_ip
                entry["microguard"]["engine_apply_s"] = secs
                log("    %s, engine under MicroPython: %.1f heap bytes per allowed IP (%.2f s)"
                    % (label, per_ip, secs))
            except Exception as e:
                log("    %s, engine heap: failed: %s" % (label, str(e)[-300:]))
    return results


def report(results):
    width = max(len(label) for _, label, _ in METRICS) + 2
    lines = []
    for key, entry in results.items():
        lines.append("%s (%d allowed IPs)" % (entry["label"], entry["allowed_ips"]))
        lines.append("".ljust(width) + "MicroGuard".rjust(14) + "wireguard-go".rjust(14))
        for mkey, label, fmt in METRICS:
            row = label.ljust(width)
            for side in ("microguard", "wireguard-go"):
                v = entry[side].get(mkey)
                row += (fmt % v if v is not None else "n/a").rjust(14)
            lines.append(row)
        lines.append("")
    return "\n".join(lines).rstrip()


def failed(results):
    return any("error" in e[s] for e in results.values() for s in ("microguard", "wireguard-go"))


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("bigconfig: needs root (network namespaces)")
    lablib.sweep_stale()
    res = measure_all()
    log("")
    log(report(res))
    sys.exit(1 if failed(res) else 0)
