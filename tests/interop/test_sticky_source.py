"""Sticky source addresses: replies leave from the local address the peer contacted.

Router A has a second address on its WAN link, one the routing table would never pick as
source (IPv4: a secondary address; IPv6: a deprecated one). The wireguard-go peer B is
told to reach A at that second address. Every packet A sends back must come from it.
Once it is removed from A, A's traffic goes out from the primary address instead, and the
tunnel carries on (B follows the new source, as it does for any authenticated packet).

One lab for the module (IPv4, then IPv6): about 10 s.
"""
import pytest

import lab as lablib
import wgdaemon
from capture import Capture
from conftest import IMPL_A
from topology import two_sites

SECOND = {4: ("192.168.50.11", 24), 6: ("fd00:50::11", 64)}


@pytest.fixture(scope="module")
def pair():
    with lablib.Lab() as the_lab:
        # Only B knows where A is: A learns B's endpoint, and its local address, from B.
        yield two_sites(the_lab, wgdaemon.impl(IMPL_A), endpoint_on="b")


def _sources(cap, family, pair):
    """Source addresses of the UDP packets A sent from its WireGuard port (B uses the same port)."""
    field = "ip.src" if family == 4 else "ipv6.src"
    flt = "udp.srcport == %d && %s != %s" % (pair.a.port, field, pair.b.outer(family))
    return [row[0] for row in cap.fields([field], flt)]


def _route_source(node, family, dst):
    out = node.ip("-%d" % family, "route", "get", dst).stdout.split()
    return out[out.index("src") + 1]


@pytest.mark.parametrize("family", [4, 6], ids=["outer-v4", "outer-v6"])
def test_replies_leave_from_the_contacted_address(pair, family):
    a, b = pair.a, pair.b
    second, plen = SECOND[family]
    extra = [] if family == 4 else ["preferred_lft", "0", "nodad"]
    a.node.ip("addr", "add", "%s/%d" % (second, plen), "dev", a.wan_if, *extra)
    # The routing table alone would answer from the primary address.
    assert _route_source(a.node, family, b.outer(family)) == a.outer(family)
    fmt = "%s:%d" if family == 4 else "[%s]:%d"
    b.daemon.set("peer", a.key.public, "endpoint", fmt % (second, a.port))

    cap = Capture(a.node, a.wan_if, name="sticky%d-before" % family).start()
    assert b.node.wait_ping(a.inner4, timeout=30), a.daemon.log()
    assert b.node.ping(a.inner6, count=3).returncode == 0
    sent = _sources(cap, family, pair)
    assert len(sent) >= 4, sent
    assert set(sent) == {second}, sent

    if not a.daemon.impl.is_microguard:
        pytest.skip("wireguard-go keeps sending from a removed address until its socket is rebound")
    # The contacted address goes away: A falls back to the routing table's choice.
    a.node.ip("addr", "del", "%s/%d" % (second, plen), "dev", a.wan_if)
    cap = Capture(a.node, a.wan_if, name="sticky%d-after" % family).start()
    assert a.node.wait_ping(b.inner4, timeout=30), a.daemon.log()
    assert a.node.ping(b.inner6, count=3).returncode == 0
    sent = _sources(cap, family, pair)
    assert len(sent) >= 4, sent
    assert set(sent) == {a.outer(family)}, sent
    assert b.daemon.peer(a.key.public)["endpoint"] == fmt % (a.outer(family), a.port)
    assert a.daemon.alive()
