"""Bulk TCP through the batched packet path, LAN to LAN, both ways, SHA-256 compared.

Router A is MicroGuard; router B is wireguard-go or MicroGuard. With offloads (TSO
super-packets from the tun, UDP GSO/GRO, coalesced tun writes), without them
(MICROGUARD_OFFLOAD=0: one packet per read and per datagram), and with 2% of the
outer UDP packets dropped at random by nftables on router B (TCP recovers; the
engine sees gaps and reordered batches). About 40 s.
"""
import pytest

from topology import two_sites

MB = 1024 * 1024
SIZE = 24 * MB

# Sender and receiver in the LAN hosts: deterministic bytes, SHA-256 of what arrived.
SINK = r"""
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5300)); s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
h = hashlib.sha256(); n = 0
while True:
    b = c.recv(1 << 20)
    if not b:
        break
    h.update(b); n += len(b)
print(n, h.hexdigest(), flush=True)
"""
SOURCE = r"""
import hashlib, socket, sys
size = int(sys.argv[2])
block = hashlib.sha256(b"microguard").digest() * 8192
h = hashlib.sha256(); sent = 0
s = socket.create_connection((sys.argv[1], 5300), timeout=60)
while sent < size:
    b = block[:min(len(block), size - sent)]
    s.sendall(b); h.update(b); sent += len(b)
s.shutdown(socket.SHUT_WR)
s.recv(1)
print(sent, h.hexdigest(), flush=True)
"""


def transfer(src_node, dst_node, dst_addr, listen_addr):
    sink = dst_node.popen(["python3", "-c", SINK, listen_addr], stdout=-1, stderr=-1, text=True)
    try:
        assert sink.stdout.readline().strip() == "listening"
        r = src_node.run(["python3", "-c", SOURCE, dst_addr, str(SIZE)], timeout=120)
        got = sink.communicate(timeout=60)[0].split()
    finally:
        if sink.poll() is None:
            sink.kill()
            sink.wait()
    return r.stdout.split(), got


def drop_outer_udp(node, port, percent):
    """nftables on the router: drop `percent` % of arriving WireGuard datagrams."""
    rules = ("table inet impair {\n chain arriving {\n  type filter hook input priority 0;\n"
             "  udp dport %d numgen random mod 100 < %d counter drop\n }\n}\n" % (port, percent))
    node.run(["nft", "-f", "-"], input=rules)


@pytest.mark.parametrize("peer,offload,loss", [
    ("wireguard-go", True, 0),
    ("microguard", True, 0),
    ("microguard", False, 0),
    ("microguard", True, 2),
], ids=["vs-wireguard-go", "both-microguard", "no-offload", "2pct-loss"])
def test_bulk_tcp_both_ways(lab, peer, offload, loss):
    env = None if offload else {"MICROGUARD_OFFLOAD": "0"}
    pair = two_sites(lab, "microguard", peer, lans=True, env_a=env, env_b=env if peer == "microguard" else None)
    a, b = pair.a, pair.b
    assert a.host.wait_ping(b.host4, timeout=30), a.daemon.log()
    if loss:
        drop_outer_udp(b.node, b.port, loss)
        drop_outer_udp(a.node, a.port, loss)
    for src, dst, addr in ((a.host, b.host, b.host4), (b.host, a.host, a.host4), (a.host, b.host, b.host6)):
        sent, got = transfer(src, dst, addr, "::" if ":" in addr else "0.0.0.0")
        assert sent == got and int(got[0]) == SIZE, (sent, got, a.daemon.log())
    log = a.daemon.log()
    if offload:
        assert "TCP segmentation offload" in log and "(GSO)" in log and "(GRO)" in log, log
    else:
        assert "offload" not in log and "GSO" not in log, log
    if loss:
        for node in (a.node, b.node):
            dropped = node.run(["nft", "list", "table", "inet", "impair"]).stdout
            assert int(dropped.split("counter packets ")[1].split()[0]) > 0, dropped
    assert a.daemon.alive() and b.daemon.alive()
    stats = a.daemon.peer(b.key.public)
    assert stats["rx_bytes"] > SIZE and stats["tx_bytes"] > 2 * SIZE
