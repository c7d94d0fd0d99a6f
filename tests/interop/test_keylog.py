"""tshark, given router A's key log (WG_KEYLOG), decrypts the inner ICMP of a captured session."""
import pytest

from capture import Capture
from topology import two_sites


@pytest.mark.microguard_only
def test_tshark_decrypts_with_keylog(lab, impl_a):
    keylog = lab.path("keylog.txt")
    pair = two_sites(lab, impl_a, env_a={"WG_KEYLOG": keylog})
    cap = Capture(pair.a.node, pair.a.wan_if, bpf="udp").start()
    assert pair.a.node.wait_ping(pair.b.inner4, timeout=20), pair.a.daemon.log()
    assert pair.a.node.ping(pair.b.inner4, count=3).returncode == 0
    cap.stop()

    text = open(keylog).read()
    for label in ("LOCAL_STATIC_PRIVATE_KEY", "REMOTE_STATIC_PUBLIC_KEY", "LOCAL_EPHEMERAL_PRIVATE_KEY"):
        assert label in text, text

    # Without the key log nothing inside the tunnel is visible ...
    assert cap.fields(["icmp.type"], "icmp") == []
    # ... with it, every echo request and reply of the session is.
    rows = cap.fields(["ip.src", "ip.dst", "icmp.type"], "icmp", prefs=["wg.keylog_file:" + keylog],
                      occurrence="l")
    inner = [tuple(r) for r in rows]
    requests = [r for r in inner if r == (pair.a.inner4, pair.b.inner4, "8")]
    replies = [r for r in inner if r == (pair.b.inner4, pair.a.inner4, "0")]
    assert len(requests) >= 4 and len(replies) >= 4, rows
    ok = cap.fields(["wg.handshake_ok"], "wg.type == 2", prefs=["wg.keylog_file:" + keylog])
    assert ok and ok[0][0] in ("1", "True"), ok
