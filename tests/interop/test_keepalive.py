"""Persistent keepalive set on router A shows on the wire as 32-byte transport messages every interval."""
import time

from capture import Capture
from topology import two_sites

KEEPALIVE_UDP_LENGTH = 8 + 32   # UDP header + header/counter/empty tag


def test_persistent_keepalive_on_the_wire(lab, impl_a):
    pair = two_sites(lab, impl_a, keepalive_a=1)
    # No traffic at all: persistent keepalive alone brings the session up.
    pair.b.daemon.wait_handshake(pair.a.key.public, timeout=20)
    time.sleep(0.5)
    cap = Capture(pair.b.node, pair.b.wan_if, bpf="udp").start()
    time.sleep(4.6)
    msgs = cap.wg_messages(src=pair.a.outer4)
    keepalives = [t for t, _, _, typ, length in msgs if typ == 4 and length == KEEPALIVE_UDP_LENGTH]
    assert len(keepalives) >= 4, msgs
    gaps = [b - a for a, b in zip(keepalives, keepalives[1:])]
    assert all(0.6 <= g <= 1.6 for g in gaps), gaps
    # Nothing but keepalives from A in an idle tunnel.
    assert all(typ == 4 and length == KEEPALIVE_UDP_LENGTH for _, _, _, typ, length in msgs), msgs


def test_no_keepalive_when_disabled(lab, impl_a):
    pair = two_sites(lab, impl_a)
    assert pair.a.node.wait_ping(pair.b.inner4, timeout=20)
    # Passive keepalive (10 s after received data) must not fire in this short window either.
    time.sleep(0.5)
    cap = Capture(pair.b.node, pair.b.wan_if, bpf="udp").start()
    time.sleep(3)
    assert cap.wg_messages(src=pair.a.outer4) == []
