"""Three peers at once on router A, each with its own allowed IPs; packets go to the right one."""
from wgdaemon import Daemon


def test_three_peers_distinct_allowed_ips(lab, impl_a):
    a = lab.node("a")
    da = Daemon(a, impl_a)
    ka = lab.keypair("a")
    da.set("private-key", ka.path, "listen-port", "51820")
    da.up("10.0.0.1/24", "fd10::1/64")
    peers = []
    for i in (1, 2, 3):
        b = lab.node("b%d" % i)
        lab.link(a, b, ["192.168.%d.1/24" % i], ["192.168.%d.2/24" % i])
        kb = lab.keypair("b%d" % i)
        db = Daemon(b, "wireguard-go")
        # Each peer also owns a routed subnet 10.10.<i>.0/24, to check routing beyond /32s.
        db.set("private-key", kb.path, "listen-port", "51820",
               "peer", ka.public, "allowed-ips", "10.0.0.0/24,fd10::/64", "endpoint", "192.168.%d.1:51820" % i)
        db.up("10.0.0.%d/24" % (10 + i), "fd10::%d/64" % (10 + i))
        b.add_address("lo", "10.10.%d.1/32" % i)
        da.set("peer", kb.public, "endpoint", "192.168.%d.2:51820" % i,
               "allowed-ips", "10.0.0.%d/32,fd10::%d/128,10.10.%d.0/24" % (10 + i, 10 + i, i))
        peers.append((i, b, kb))
    a.route("10.10.0.0/16", "dev", "wg0")

    for i, b, kb in peers:
        assert a.wait_ping("10.0.0.%d" % (10 + i), timeout=20), da.log()
        assert a.ping("fd10::%d" % (10 + i)).returncode == 0
        assert b.ping("10.0.0.1").returncode == 0

    # Traffic to one peer's subnet moves only that peer's counters.
    for i, b, kb in peers:
        before = {k: p["tx_bytes"] for k, p in da.dump()["peers"].items()}
        r = a.ping("10.10.%d.1" % i, count=5, size=1000)
        assert r.returncode == 0, r.stdout
        after = {k: p["tx_bytes"] for k, p in da.dump()["peers"].items()}
        for j, _, other in peers:
            grew = after[other.public] - before[other.public]
            if j == i:
                assert grew >= 5 * 1000
            else:
                assert grew < 1000, "peer %d got %d bytes meant for peer %d" % (j, grew, i)

    # An address no peer owns is not sent anywhere.
    assert a.ping("10.10.9.1", count=1, wait=1).returncode != 0
    assert len(da.dump()["peers"]) == 3
