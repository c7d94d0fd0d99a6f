"""An inner packet whose source address is not in the sending peer's allowed IPs is dropped."""
import pytest

from capture import Capture
from topology import two_sites


@pytest.mark.parametrize("family", [4, 6])
def test_spoofed_inner_source_dropped(lab, impl_a, family):
    pair = two_sites(lab, impl_a)
    a, b = pair.a, pair.b
    assert b.node.wait_ping(a.inner4, timeout=20), a.daemon.log()
    spoofed = "10.0.0.99" if family == 4 else "fd10::99"
    b.node.add_address("wg0", spoofed + ("/32" if family == 4 else "/128"))

    tun = Capture(a.node, "wg0", name="tun").start()
    sent_before = b.daemon.peer(a.key.public)["tx_bytes"]
    # B's wireguard-go routes by destination only, so it does encrypt these and send them to A.
    r = b.node.ping(a.inner(family), count=3, src=spoofed, wait=1)
    assert r.returncode != 0, "spoofed pings were answered:\n" + r.stdout
    assert b.daemon.peer(a.key.public)["tx_bytes"] >= sent_before + 3 * 84
    # Control: the real address still works.
    assert b.node.ping(a.inner(family), count=1, src=b.inner(family)).returncode == 0
    tun.stop()
    ip = "ip" if family == 4 else "ipv6"
    assert tun.fields([ip + ".src"], "%s.src == %s" % (ip, spoofed)) == []
    assert tun.fields([ip + ".src"], "%s.src == %s" % (ip, b.inner(family)))
