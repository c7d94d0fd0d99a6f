"""Router A as initiator and as responder, IPv4 and IPv6 outer endpoints, pings both ways over
IPv4 and IPv6 inner addresses."""
import pytest

from topology import two_sites

HANDSHAKE_TIMEOUT = 20


@pytest.mark.parametrize("outer", [4, 6], ids=["outer4", "outer6"])
@pytest.mark.parametrize("role", ["initiator", "responder"])
def test_ping_both_ways(lab, impl_a, role, outer):
    # Only the initiator is told the other's endpoint, so the roles cannot swap.
    pair = two_sites(lab, impl_a, outer=outer, endpoint_on="a" if role == "initiator" else "b")
    first, second = (pair.a, pair.b) if role == "initiator" else (pair.b, pair.a)
    assert first.node.wait_ping(second.inner4, timeout=HANDSHAKE_TIMEOUT), pair.a.daemon.log()

    # The responder learnt the initiator's endpoint from the handshake, in the outer family used.
    learnt = second.daemon.peer(first.key.public)["endpoint"]
    assert learnt == first.endpoint(outer)

    for src, dst in ((pair.a, pair.b), (pair.b, pair.a)):
        for family in (4, 6):
            r = src.node.ping(dst.inner(family), count=3)
            assert r.returncode == 0, "ping %s -> %s failed:\n%s" % (src.side, dst.inner(family), r.stdout)

    a_view = pair.a.daemon.peer(pair.b.key.public)
    assert a_view["latest_handshake"] > 0
    # 12 echo requests/replies of 84/104 bytes each way at least, inside 32 bytes of overhead
    assert a_view["rx_bytes"] >= 12 * 84 and a_view["tx_bytes"] >= 12 * 84
