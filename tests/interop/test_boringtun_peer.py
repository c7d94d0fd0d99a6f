"""A second independent peer: mitmproxy_wireguard (boringtun) as the server side; router A
completes a handshake with it and moves UDP and TCP data through the tunnel."""
import os
import subprocess
import sys

from lab import LabError
from wgdaemon import Daemon

HERE = os.path.dirname(os.path.abspath(__file__))

# Run in router A's node: a UDP exchange (retried while the handshake happens), then a TCP echo.
CLIENT = r"""
import socket, sys, time, os
dst = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(1.0)
deadline = time.monotonic() + 20
while True:
    u.sendto(b"ping-over-boringtun", (dst, 7))
    try:
        data, src = u.recvfrom(2048)
        break
    except socket.timeout:
        if time.monotonic() > deadline:
            sys.exit("no UDP echo")
print("udp", data.decode(), src[0])
blob = os.urandom(256 * 1024)
t = socket.create_connection((dst, 7), timeout=20)
t.sendall(blob)
# Read back exactly what was sent: this peer ends streams with a reset rather than a FIN.
got = b""
while len(got) < len(blob):
    chunk = t.recv(65536)
    if not chunk:
        break
    got += chunk
t.close()
print("tcp", len(got), got == blob)
"""


def test_handshake_and_data_with_boringtun(lab, impl_a):
    a, s = lab.node("a"), lab.node("boringtun")
    lab.link(a, s, ["192.168.50.1/24"], ["192.168.50.2/24"])
    ka, ks = lab.keypair("a"), lab.keypair("boringtun")
    server = s.popen([sys.executable, os.path.join(HERE, "boringtun_echo_peer.py"),
                      "192.168.50.2", "51820", ks.private, ka.public],
                     stdout=subprocess.PIPE, stderr=open(lab.path("boringtun.log"), "w"), text=True)
    if server.stdout.readline().strip() != "ready":
        raise LabError("boringtun peer did not start: " + open(lab.path("boringtun.log")).read())

    da = Daemon(a, impl_a)
    da.set("private-key", ka.path, "listen-port", "51820",
           "peer", ks.public, "endpoint", "192.168.50.2:51820", "allowed-ips", "10.0.0.0/24")
    da.up("10.0.0.1/24")

    out = a.run([sys.executable, "-c", CLIENT, "10.0.0.2"], timeout=60).stdout.split("\n")
    assert out[0] == "udp echo:ping-over-boringtun 10.0.0.2", out
    assert out[1] == "tcp %d True" % (256 * 1024), out
    peer = da.peer(ks.public)
    assert peer["latest_handshake"] > 0
    assert peer["tx_bytes"] > 256 * 1024 and peer["rx_bytes"] > 256 * 1024
