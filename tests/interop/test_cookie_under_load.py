"""Router A forced "under load" answers an initiation with a cookie reply (type 3); the peer
retries with MAC2 set from that cookie and the handshake completes."""
import pytest

from capture import Capture
from topology import two_sites

ZERO_MAC = "00" * 16


@pytest.mark.microguard_only
def test_cookie_reply_then_handshake(lab, impl_a):
    pair = two_sites(lab, impl_a, endpoint_on="b", env_a={"MICROGUARD_FORCE_LOAD": "1"})
    a, b = pair.a, pair.b
    cap = Capture(a.node, a.wan_if, bpf="udp").start()
    # wireguard-go retries its initiation after REKEY_TIMEOUT (5 s) plus jitter, now with MAC2.
    assert b.node.wait_ping(a.inner4, timeout=20), a.daemon.log()
    rows = cap.fields(["frame.number", "ip.src", "wg.type", "wg.mac2"], "wg.type != 4")
    seq = [(r[1], int(r[2]), r[3].replace(":", "")) for r in rows]

    cookie_at = next(i for i, (src, typ, _) in enumerate(seq) if src == a.outer4 and typ == 3)
    first_init = next(i for i, (src, typ, _) in enumerate(seq) if src == b.outer4 and typ == 1)
    assert first_init < cookie_at and seq[first_init][2] == ZERO_MAC
    # The initiation that got through carries a MAC2, and A's response follows it.
    response_at = next(i for i, (src, typ, _) in enumerate(seq) if src == a.outer4 and typ == 2)
    assert response_at > cookie_at
    accepted = [m for src, typ, m in seq[cookie_at:response_at] if src == b.outer4 and typ == 1]
    assert accepted and accepted[-1] != ZERO_MAC
    assert a.daemon.peer(b.key.public)["latest_handshake"] > 0
    assert b.node.ping(a.inner6).returncode == 0


def test_no_cookie_without_load(lab, impl_a):
    pair = two_sites(lab, impl_a, endpoint_on="b")
    cap = Capture(pair.a.node, pair.a.wan_if, bpf="udp").start()
    assert pair.b.node.wait_ping(pair.a.inner4, timeout=20)
    types = [int(r[0]) for r in cap.fields(["wg.type"], "wg")]
    assert 3 not in types and 2 in types
