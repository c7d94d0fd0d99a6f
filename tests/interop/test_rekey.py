"""Rekey and reject-after with router A's clock running fast (MICROGUARD_TIME_SCALE):
REKEY_AFTER_TIME 120 s and REJECT_AFTER_TIME 180 s become 4 s and 6 s at scale 30."""
import re
import time

import pytest

from capture import Capture
from topology import two_sites

SCALE = 30
REKEY_AFTER = 120 / SCALE
REJECT_AFTER = 180 / SCALE


@pytest.mark.microguard_only
def test_rekey_keeps_traffic_flowing_then_expired_keys_are_not_used(lab, impl_a):
    pair = two_sites(lab, impl_a, endpoint_on="a", env_a={"MICROGUARD_TIME_SCALE": str(SCALE)})
    a, b = pair.a, pair.b
    assert a.node.wait_ping(b.inner4, timeout=20), a.daemon.log()

    # A steady flow for well past several rekey intervals and a reject-after.
    cap = Capture(a.node, a.wan_if, name="flow", bpf="udp").start()
    seconds = 4 * REKEY_AFTER
    count = int(seconds / 0.1)
    r = a.node.run(["ping", "-n", "-q", "-c", str(count), "-i", "0.1", "-W", "1", b.inner4],
                   check=False, timeout=seconds + 30)
    msgs = cap.wg_messages(src=a.outer4)
    received = int(re.search(r"(\d+) received", r.stdout).group(1))
    assert received >= count - 3, r.stdout
    initiations = [t for t, _, _, typ, _ in msgs if typ == 1]
    # At least one new handshake per REKEY_AFTER_TIME, none needed in between.
    assert len(initiations) >= 3, msgs
    gaps = [y - x for x, y in zip(initiations, initiations[1:])]
    assert all(g >= REKEY_AFTER * 0.8 for g in gaps), gaps

    # Idle past REJECT_AFTER_TIME: the old session is dead, the next packet must start a handshake
    # instead of going out under expired keys.
    time.sleep(REJECT_AFTER * 1.5)
    cap = Capture(a.node, a.wan_if, name="after-idle", bpf="udp").start()
    assert a.node.ping(b.inner4, count=2, wait=3).returncode == 0
    msgs = cap.wg_messages(src=a.outer4)
    assert msgs and msgs[0][3] == 1, msgs
