"""A board reboot (QEMU restarted on the same flash image, like a power cycle)
followed by a handshake wireguard-go accepts, thanks to the flash-persisted
clock; the same reboot with a naive clock (restarting from the same point
every boot, as a board without RTC or persistence would) is rejected."""
import os

import pytest

import boardlab
from boardlab import BoardLab, TUNNEL_SETUP, PRELUDE, MAKE_TUNNEL

NAIVE_CLOCK = """
import time
def naive():
    ms = time.ticks_ms()
    return (1700000000 + ms // 1000, (ms % 1000) * 1000000)
extra['wall_clock'] = naive
"""


def test_reboot_then_handshake_persisted_clock_vs_naive():
    if os.geteuid() != 0:
        pytest.skip("board tests need root (network namespaces)")
    boardlab.lablib.sweep_stale()
    bl = BoardLab()
    try:
        vm = bl.vm
        vm.run(TUNNEL_SETUP)
        assert vm.run("print(asyncio.run(wg.start()))").strip() == "True"
        first = bl.peer_handshake()

        vm.reboot()                                   # power cut + restart, same flash image
        assert "clock.0" in vm.run("import os\nprint(os.listdir('/flash'))")
        vm.run(TUNNEL_SETUP)
        assert vm.run("print(asyncio.run(wg.start()))").strip() == "True"
        assert bl.peer_handshake() >= first

        vm.reboot()
        second = bl.peer_handshake()
        vm.run(PRELUDE + NAIVE_CLOCK + MAKE_TUNNEL)
        # wireguard-go drops an initiation whose timestamp is not newer: no session.
        assert vm.run("print(asyncio.run(wg.start(timeout=8)))").strip() == "False"
        assert bl.peer_handshake() == second
    finally:
        bl.close()
