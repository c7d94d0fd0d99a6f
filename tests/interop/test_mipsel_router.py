"""The router firmware on an emulated MIPS CPU: MicroGuard's static mipsel build under qemu-user
against wireguard-go, both roles, IPv4 and IPv6 inner addresses."""
import pytest

from topology import two_sites
from wgdaemon import IMPLS


@pytest.mark.microguard_only
@pytest.mark.parametrize("role", ["initiator", "responder"])
def test_mipsel_build_interoperates(lab, impl_a, role):
    pair = two_sites(lab, IMPLS["microguard-mipsel"], endpoint_on="a" if role == "initiator" else "b")
    first, second = (pair.a, pair.b) if role == "initiator" else (pair.b, pair.a)
    assert first.node.wait_ping(second.inner4, timeout=30), pair.a.daemon.log()
    for src, dst in ((pair.a, pair.b), (pair.b, pair.a)):
        assert src.node.ping(dst.inner6, count=3).returncode == 0
    # Pings that need several datagrams each still arrive whole.
    r = pair.b.node.ping(pair.a.inner4, count=3, size=4000)
    assert r.returncode == 0, r.stdout
    assert pair.a.daemon.peer(pair.b.key.public)["latest_handshake"] > 0
