"""Preshared keys: a matching PSK gives a working tunnel, a mismatched one no handshake at all."""
from topology import two_sites


def test_psk_tunnel_works(lab, impl_a):
    pair = two_sites(lab, impl_a, psk=True)
    assert pair.a.node.wait_ping(pair.b.inner4, timeout=20), pair.a.daemon.log()
    assert pair.b.node.ping(pair.a.inner6).returncode == 0
    psk_a = pair.a.daemon.peer(pair.b.key.public)["preshared_key"]
    assert psk_a not in ("", "(none)") and psk_a == pair.b.daemon.peer(pair.a.key.public)["preshared_key"]


def test_mismatched_psk_never_completes(lab, impl_a):
    pair = two_sites(lab, impl_a, psk=True)
    _, other = lab.psk("other")
    pair.b.daemon.set("peer", pair.a.key.public, "preshared-key", other)
    assert not pair.a.node.wait_ping(pair.b.inner4, timeout=4)
    assert not pair.b.node.wait_ping(pair.a.inner4, timeout=2)
    assert pair.a.daemon.peer(pair.b.key.public)["latest_handshake"] == 0
    assert pair.b.daemon.peer(pair.a.key.public)["latest_handshake"] == 0
