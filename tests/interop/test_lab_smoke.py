"""The lab itself: wireguard-go on both sides, so failures here are the lab's, not the daemon's."""
import os

import lab as lablib
from topology import two_sites


def test_wireguard_go_pair_pings_and_cleans_up():
    the_lab = lablib.Lab()
    try:
        pair = two_sites(the_lab, "wireguard-go")
        assert pair.a.node.wait_ping(pair.b.inner4, timeout=10)
        assert pair.b.node.ping(pair.a.inner6).returncode == 0
        peer = pair.a.daemon.peer(pair.b.key.public)
        assert peer["latest_handshake"] > 0 and peer["rx_bytes"] > 0
        pids = [pair.a.daemon.pid, pair.b.daemon.pid]
        names = list(the_lab.namespaces)
    finally:
        the_lab.close()
    assert all(not lablib.pid_alive(p) for p in pids)
    listed = lablib.run(["ip", "netns", "list"]).stdout
    assert not any(n in listed for n in names)
    assert not os.path.exists(the_lab.dir)
