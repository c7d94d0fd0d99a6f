"""A captured transport packet sent again is dropped: no bytes counted, nothing on the tun, no roaming."""
import time

from capture import Capture
from topology import two_sites
from traffic import udp_send


def test_replayed_transport_packet_is_dropped(lab, impl_a):
    pair = two_sites(lab, impl_a)
    a, b = pair.a, pair.b
    assert b.node.wait_ping(a.inner4, timeout=20), a.daemon.log()

    wan = Capture(a.node, a.wan_if, name="wan", bpf="udp").start()
    assert b.node.ping(a.inner4, count=2, size=200).returncode == 0
    wan.stop()
    rows = wan.fields(["udp.payload"], "wg.type == 4 && ip.src == %s && udp.length > 200" % b.outer4)
    assert rows, "no data message from B captured"
    packets = [bytes.fromhex(r[0].replace(":", "")) for r in rows]

    time.sleep(1.2)  # let counters settle (and any keepalive go out) before the baseline
    before = a.daemon.peer(b.key.public)
    tun = Capture(a.node, "wg0", name="tun").start()
    # From a different source port of B: had the replay been accepted it would also roam the endpoint.
    udp_send(b.node, a.outer4, a.port, packets * 3, src=b.outer4)
    time.sleep(1.0)
    tun.stop()
    after = a.daemon.peer(b.key.public)
    assert after["rx_bytes"] == before["rx_bytes"]
    assert after["endpoint"] == before["endpoint"] == b.endpoint(4)
    assert tun.fields(["ip.src"], "icmp") == []

    # The session itself is untouched: fresh packets still count and arrive.
    assert b.node.ping(a.inner4, count=1).returncode == 0
    assert a.daemon.peer(b.key.public)["rx_bytes"] > after["rx_bytes"]
