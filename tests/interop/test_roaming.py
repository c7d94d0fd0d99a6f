"""Roaming: one side's outer address changes in the middle of a flow and traffic carries on,
the other side following the new endpoint it sees authenticated packets come from."""
import re
import time

import pytest

from topology import two_sites


def _move(site, family):
    """Give the site's WAN interface a new outer address in place of the old one; returns it."""
    old, new = (site.outer4, site.outer4[:-1] + "3") if family == 4 else (site.outer6, site.outer6[:-1] + "3")
    plen = 24 if family == 4 else 64
    site.node.del_address(site.wan_if, "%s/%d" % (old, plen))
    site.node.add_address(site.wan_if, "%s/%d" % (new, plen))
    if not site.daemon.impl.is_microguard:
        # wireguard-go keeps sending from the deleted address (its cached "sticky" source) until
        # its socket is rebound; setting the same port again rebinds and clears that cache.
        site.daemon.set("listen-port", str(site.port))
    return new


@pytest.mark.parametrize("mover,outer", [("b", 4), ("b", 6), ("a", 4)],
                         ids=["peer-roams-outer4", "peer-roams-outer6", "router-a-roams-outer4"])
def test_roaming_mid_flow(lab, impl_a, mover, outer):
    pair = two_sites(lab, impl_a, outer=outer)
    roamer = pair.a if mover == "a" else pair.b
    fixed = pair.other(roamer)
    assert roamer.node.wait_ping(fixed.inner4, timeout=20), pair.a.daemon.log()

    # A steady flow from the roaming side: its packets are what reveal its new address.
    flow = roamer.node.popen(["ping", "-n", "-c", "60", "-i", "0.1", "-W", "1", fixed.inner4],
                             stdout=open(lab.path("flow.txt"), "w"), stderr=open(lab.path("flow.err"), "w"))
    time.sleep(1.5)
    new = _move(roamer, outer)
    flow.wait(timeout=30)
    out = open(lab.path("flow.txt")).read()
    received = int(re.search(r"(\d+) received", out).group(1))
    assert received >= 45, out

    fmt = "%s:%d" if outer == 4 else "[%s]:%d"
    assert fixed.daemon.peer(roamer.key.public)["endpoint"] == fmt % (new, roamer.port)
    # And the fixed side reaches the roamer at its new address on its own.
    assert fixed.node.ping(roamer.inner4, count=3).returncode == 0
    assert fixed.node.ping(roamer.inner6, count=3).returncode == 0
