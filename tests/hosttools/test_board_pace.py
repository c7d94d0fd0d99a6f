"""mgtool on an emulated MicroPython board whose UART is paced like a 115200-baud one, twice in a row."""
import os

import pytest

from mgtool_run import ROOT, mgtool
from qemu_board import QemuBoard

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "site.toml")
pytestmark = pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, "build/boards/qemu-mps2-an386-builtin/firmware.elf")),
                                reason="AN386 firmware with wgcrypto built in not built")


# Firmware with wgcrypto built in, so only the config crosses the slow line (seconds, not a minute).
@pytest.fixture
def slow_board(tmp_path):
    b = QemuBoard("qemu-mps2-an386", str(tmp_path / "flash.img"), firmware="qemu-mps2-an386-builtin",
                  baud=115200).start()
    yield b
    b.close()


def test_provision_twice_then_status_at_115200_baud(slow_board):
    assert slow_board.relay.baud == 115200
    args = ("provision", "--port", slow_board.port, "--board", slow_board.board, "-q",
            "--site", SITE, "--device", "sensor", "--no-firmware")
    first = mgtool(*args, timeout=180)
    assert first.returncode == 0, first.stderr
    pub = [l.split(": ")[1] for l in first.stdout.splitlines() if l.startswith("public key: ")][0]
    second = mgtool(*args, timeout=180)
    assert second.returncode == 0, second.stderr
    assert "unchanged" in second.stdout and "public key: " + pub in second.stdout
    # A third session on the same line (status listens 12 s for a running app first).
    st = mgtool("status", "--port", slow_board.port, check=0).stdout
    assert "public key: %s" % pub in st and "endpoint:   vpn.example.net:51820" in st
