"""What each router build gets from the kernel under qemu-user (the host kernel decides).

For x64 natively and mips, mipsel, armhf, aarch64 under qemu-user, in a network namespace of
its own: the daemon's own probes (microguard.tundev.TunDevice, microguard.udpbind.UdpBind):
the tun's TUN_F_* offloads, and whether UDP GSO and GRO passed the loopback self-test.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from targets import FIRMWARE, QEMU_USER, unix_binary  # noqa: E402

ARCHS = ("x64", "mips", "mipsel", "armhf", "aarch64")
PROBE = """
import json
from microguard.tundev import TunDevice
from microguard.udpbind import UdpBind
t = TunDevice("mgprobe0")
u = UdpBind()
u.bind(0)
print(json.dumps({"tun_vnet": t.vnet, "tun_csum": bool(t.offloads & 1), "tun_tso4": bool(t.offloads & 2),
                  "tun_tso6": bool(t.offloads & 4), "udp_gso": u.gso, "udp_gro": len(u.gro) > 0}))
u.close()
t.close()
"""

def probe(arch):
    binary = unix_binary(arch)
    if not os.path.exists(binary):
        return {"error": "not built: %s" % binary}
    run = [binary, "-c", PROBE] if arch == "x64" else [QEMU_USER[arch], binary, "-c", PROBE]
    # A namespace of its own, loopback up: the UDP self-test talks to itself there.
    r = subprocess.run(["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "probe"] + run,
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, MICROPYPATH=FIRMWARE))
    if r.returncode != 0:
        return {"error": (r.stdout + r.stderr)[-500:]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def measure():
    return {arch: probe(arch) for arch in ARCHS}


def report(doc):
    keys = ("tun_vnet", "tun_tso4", "tun_tso6", "tun_csum", "udp_gso", "udp_gro")
    lines = ["Offloads each router build gets (x64 native, the rest under qemu-user on this kernel):",
             "%-8s" % "arch" + "".join("%10s" % k for k in keys)]
    for arch, e in doc.items():
        if "error" in e:
            lines.append("%-8s not measured: %s" % (arch, e["error"][:200]))
        else:
            lines.append("%-8s" % arch + "".join("%10s" % ("yes" if e[k] else "no") for k in keys))
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure()))
