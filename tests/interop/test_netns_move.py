"""An interface moved to another network namespace after start (wireguard.com/netns).

The daemon starts in node A and keeps its UDP socket and UAPI socket there; wg0 is
moved into node "moved" and configured there, and the tunnel to the wireguard-go
peer (node B) works from that namespace. Deleting wg0 in its new namespace stops
the daemon, which removes its UAPI socket and leaves no UDP socket behind.
About 10 s.
"""
import os
import time

import traffic
from topology import two_sites


def test_moved_interface_carries_traffic_and_its_deletion_stops_the_daemon(lab, impl_a):
    pair = two_sites(lab, impl_a)
    a, b = pair.a, pair.b
    moved = lab.node("moved")
    a.node.ip("link", "set", "wg0", "netns", moved.name)
    assert a.node.ip("link", "show", "wg0", check=False).returncode != 0
    # Moving drops the addresses and takes the link down: configure it where it is now.
    moved.add_address("wg0", "%s/24" % a.inner4)
    moved.add_address("wg0", "%s/64" % a.inner6)
    moved.ip("link", "set", "wg0", "mtu", "1420", "up")

    assert moved.wait_ping(b.inner4, timeout=30), a.daemon.log()
    assert moved.ping(b.inner6, count=3).returncode == 0, a.daemon.log()
    if impl_a.is_microguard:
        # The MTU is read through the tun fd, in the namespace the interface lives in now.
        moved.ip("link", "set", "wg0", "mtu", "1380")
        end = time.monotonic() + 30
        while "MTU changed to 1380" not in a.daemon.log() and time.monotonic() < end:
            time.sleep(0.1)
        assert "MTU changed to 1380" in a.daemon.log()
    traffic.iperf3_server(b.node)
    result = traffic.iperf3(moved, b.inner4, seconds=2, omit=0)
    assert traffic.tcp_mbps(result) > 1, result["end"]

    # Still served from the namespace it started in: UAPI, UDP port, handshake.
    assert a.daemon.alive(), a.daemon.log()
    assert a.daemon.peer(b.key.public)["latest_handshake"] > 0
    port = ":%d" % a.port
    assert port in a.node.run(["ss", "-Hlun"]).stdout
    assert port not in moved.run(["ss", "-Hlun"]).stdout

    moved.ip("link", "del", "wg0")
    a.daemon.proc.wait(timeout=30)
    assert a.daemon.proc.returncode == 0, a.daemon.log()
    if impl_a.is_microguard:
        assert "interface wg0 deleted" in a.daemon.log()
    assert not os.path.exists(a.node.file("/run/wireguard/wg0.sock"))
    assert port not in a.node.run(["ss", "-Hlun"]).stdout
    assert a.node.pids() == [a.node.holder_pid]
    assert moved.pids() == [moved.holder_pid]
