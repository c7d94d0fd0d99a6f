"""Full tunnel with wg-quick: `AllowedIPs = 0.0.0.0/0, ::/0`, MicroGuard as the userspace
implementation, with the fwmark, policy rules and nft rules wg-quick installs.

Node A runs `wg-quick up`; its main table has default routes to B over the WAN. Node B
runs wireguard-go and holds "internet" addresses that are not its endpoint. A's traffic
to them goes through the tunnel (routing, counters, no plain ICMP on the WAN), the
daemon's own packets keep their fwmark and leave on the WAN, and `wg-quick down`
restores A's rules, routes and ruleset exactly. About 8 s.
"""
import json
import os
import time
import shutil

import pytest

from capture import Capture
from wgdaemon import Daemon, MICROGUARD

FAR4, FAR6 = "203.0.113.1", "2001:db8:99::1"

pytestmark = pytest.mark.skipif(not shutil.which("nft"), reason="nftables missing (scripts/apt-packages.txt)")


def _snapshot(node):
    return {what: node.run(argv).stdout for what, argv in (
        ("rules4", ["ip", "-4", "rule"]), ("rules6", ["ip", "-6", "rule"]),
        ("routes4", ["ip", "-4", "route", "show", "table", "all"]),
        ("routes6", ["ip", "-6", "route", "show", "table", "all"]),
        ("nft", ["nft", "list", "ruleset"]))}


def _wg0_counters(node):
    out = node.run(["ip", "-s", "-j", "link", "show", "wg0"]).stdout
    stats = json.loads(out)[0]["stats64"]
    return stats["rx"]["packets"], stats["tx"]["packets"]


def test_wg_quick_full_tunnel_up_and_down(lab, impl_a):
    if not impl_a.is_microguard:
        pytest.skip("wg-quick starts MicroGuard here")
    a, b = lab.node("a"), lab.node("b")
    wan_a, _ = lab.link(a, b, ["192.168.60.1/24", "fd00:60::1/64"], ["192.168.60.2/24", "fd00:60::2/64"])
    a.ip("-4", "route", "add", "default", "via", "192.168.60.2")
    a.ip("-6", "route", "add", "default", "via", "fd00:60::2")
    # B's far addresses live on its loopback: reachable in the clear too, were it not for the tunnel.
    b.ip("addr", "add", FAR4 + "/32", "dev", "lo")
    b.ip("addr", "add", FAR6 + "/128", "dev", "lo")
    ka, kb = lab.keypair("a"), lab.keypair("b")
    peer = Daemon(b, "wireguard-go")
    peer.set("private-key", kb.path, "listen-port", "51820",
             "peer", ka.public, "allowed-ips", "10.60.0.1/32,fd60::1/128")
    peer.up("10.60.0.2/24", "fd60::2/64")

    conf = lab.path("wg0.conf")
    with open(conf, "w") as f:
        f.write("[Interface]\nPrivateKey = %s\nAddress = 10.60.0.1/24, fd60::1/64\n\n"
                "[Peer]\nPublicKey = %s\nEndpoint = 192.168.60.2:51820\nAllowedIPs = 0.0.0.0/0, ::/0\n"
                % (ka.private, kb.public))
    os.chmod(conf, 0o600)
    env = dict(os.environ, WG_QUICK_USERSPACE_IMPLEMENTATION=MICROGUARD)
    # The WAN's own link-local address finishes DAD on its own time: wait, so the
    # snapshots differ only by what wg-quick does.
    end = time.monotonic() + 30
    while time.monotonic() < end:
        ll = a.run(["ip", "-6", "addr", "show", "dev", wan_a, "scope", "link"]).stdout
        if "inet6" in ll and "tentative" not in ll:
            break
        time.sleep(0.1)
    before = _snapshot(a)
    holders = a.pids()
    a.run(["wg-quick", "up", conf], env=env)
    (daemon_pid,) = set(a.pids()) - set(holders)

    # wg-quick's policy: the daemon's fwmark, the rules, the nft table.
    assert a.run(["wg", "show", "wg0", "fwmark"]).stdout.strip() == "0xca6c"
    assert "not from all fwmark 0xca6c lookup 51820" in a.run(["ip", "-4", "rule"]).stdout
    assert "wg-quick-wg0" in a.run(["nft", "list", "tables"]).stdout
    for far in (FAR4, FAR6):
        assert "dev wg0 table 51820" in a.ip("route", "get", far).stdout

    cap = Capture(a, wan_a, name="full-tunnel").start()
    rx0, tx0 = _wg0_counters(a)
    assert a.wait_ping(FAR4, timeout=30)
    assert a.ping(FAR6, count=3).returncode == 0
    assert a.ping("10.60.0.2", count=2).returncode == 0
    rx1, tx1 = _wg0_counters(a)
    assert rx1 - rx0 >= 5 and tx1 - tx0 >= 5, (rx0, tx0, rx1, tx1)
    assert peer.peer(ka.public)["rx_bytes"] > 0
    # On the WAN only WireGuard between the two endpoints; none of the pings in the clear.
    rows = cap.fields(["ip.src", "ip.dst", "ipv6.src", "ipv6.dst"], "icmp || icmpv6.type == 128")
    assert rows == [], rows
    wg = cap.fields(["ip.src", "ip.dst"], "udp.port == 51820")
    assert len(wg) >= 10 and {tuple(r) for r in wg} <= {("192.168.60.1", "192.168.60.2"),
                                                         ("192.168.60.2", "192.168.60.1")}, wg

    a.run(["wg-quick", "down", conf], env=env)
    end = time.monotonic() + 30
    while daemon_pid in a.pids() and time.monotonic() < end:
        time.sleep(0.1)
    assert daemon_pid not in a.pids()
    assert not os.path.exists(a.file("/run/wireguard/wg0.sock"))
    after = _snapshot(a)
    for what in before:
        assert after[what] == before[what], "%s differs after wg-quick down:\n%s\n---\n%s" % (
            what, before[what], after[what])
