"""Traffic in lab nodes: iperf3 runs and single UDP datagrams from a node's namespace."""
import json
import time

from lab import LabError

# A tiny sender run with the system python inside a node: sends hex payloads to (host, port).
_UDP_SEND = r"""
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
if len(sys.argv) > 4:
    s.bind((sys.argv[4], 0))
for h in sys.argv[3].split(","):
    s.sendto(bytes.fromhex(h), (host, port))
"""


def udp_send(node, host, port, payloads, src=None):
    """Send raw UDP payloads (bytes) from `node` to host:port."""
    argv = ["python3", "-c", _UDP_SEND, host, str(port), ",".join(p.hex() for p in payloads)]
    if src:
        argv.append(src)
    node.run(argv)


def iperf3_server(node, port=5201):
    """Start an iperf3 server in `node`; returns once it listens."""
    proc = node.popen(["iperf3", "-s", "-p", str(port)], stdout=open(node.lab.path("iperf3-s-%d.log" % port), "w"),
                      stderr=open(node.lab.path("iperf3-s-%d.err" % port), "w"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        out = node.run(["ss", "-Hltn", "sport = :%d" % port], check=False).stdout
        if out.strip():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise LabError("iperf3 server on %s did not start" % node.label)


def iperf3(node, dst, seconds=10, port=5201, udp=False, length=None, bitrate=None, reverse=False, omit=1):
    """Run an iperf3 client; returns the parsed JSON result."""
    argv = ["iperf3", "-J", "-c", dst, "-p", str(port), "-t", str(seconds), "-O", str(omit)]
    if udp:
        argv += ["-u", "-b", bitrate or "0"]
    if length:
        argv += ["-l", str(length)]
    if reverse:
        argv.append("-R")
    r = node.run(argv, check=False, timeout=seconds + omit + 60)
    try:
        result = json.loads(r.stdout)
    except ValueError as e:
        raise LabError("iperf3 gave no JSON: %s %s" % (r.stdout[-2000:], r.stderr[-2000:])) from e
    if "error" in result:
        raise LabError("iperf3: %s" % result["error"])
    return result


def tcp_mbps(result):
    return result["end"]["sum_received"]["bits_per_second"] / 1e6


def udp_pps(result, length):
    """Datagrams of `length` bytes per second that arrived at the receiver.

    From received bytes: iperf3's packet and loss counts disagree when the first second is omitted.
    """
    s = result["end"]["sum_received"]
    return s["bytes"] / length / s["seconds"]

