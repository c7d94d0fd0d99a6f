"""mgtool on an emulated OpenWrt console paced like a 115200-baud UART, run twice in a row.

A real router console is slow, and users run mgtool again on the same console: the second
session meets a shell that is already logged in, possibly with stale output or a half-typed line.
"""
import os

import pytest

from test_openwrt import SITE, Router, provision

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the emulated console runs in a chroot (root only)")


@pytest.fixture
def slow_router():
    r = Router()
    r.console = None
    from openwrt_console import Console
    r.console = Console(r.root, baud=115200)
    yield r
    r.close()


def test_provision_twice_at_115200_baud(slow_router):
    assert slow_router.console.relay.baud == 115200
    first = provision(slow_router.console)
    assert first.returncode == 0, first.stderr
    assert "logged in: OpenWrt 23.05.5" in first.stdout
    # The second session finds a logged-in shell; someone left a half-typed line on it.
    fd = os.open(slow_router.console.port, os.O_RDWR | os.O_NOCTTY)
    try:
        os.write(fd, b"echo half-typed")
    finally:
        os.close(fd)
    second = provision(slow_router.console)
    assert second.returncode == 0, second.stderr
    assert "applied UCI: interface wg0 with 3 peers" in second.stdout
    calls = slow_router.calls()
    assert calls.count("uci commit network") == 2
    assert not any("half-typed" in c for c in calls)
