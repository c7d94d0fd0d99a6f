"""The README's ESP32-C3 command on the emulated RISC-V board (qemu-virt-rv32: stock
MicroPython with a flash filesystem, a console UART with Ctrl-C and a second UART for the
link; nothing of MicroGuard frozen in):

    mgtool provision --port <the board's pty> --board qemu-virt-rv32 --site site.toml --device sensor

installs what `--board esp32-c3` installs (the same application and rv32imc wgcrypto.mpy;
only boardnet.py differs: SLIP over a UART instead of Wi-Fi). After a power cycle, with
nobody typing at its REPL, main.py brings the tunnel up with the key made on the board
during provisioning (handshake with wireguard-go, ping, UDP echo); `mgtool status` reaches the running board, and a new config
provisioned while it runs is running after the next power cycle, with the same key."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "host-tools"))
import stockboard  # noqa: E402
from boardlab import BOARD_INNER  # noqa: E402
from rv32stock import RV32StockBoard  # noqa: E402
from targets import BUILD  # noqa: E402
from test_rv32_tunnel import udp_exchange  # noqa: E402
from mgtool import boardprov, boards  # noqa: E402

STOCK_BOARD = RV32StockBoard          # the board the conftest's `sb` powers

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(BUILD, "boards", "qemu-virt-rv32", "firmware.elf")),
    reason="RV32 firmware not built")


def test_same_application_as_esp32_c3_but_boardnet():
    plans = {}
    for name in ("esp32-c3", "qemu-virt-rv32"):
        plan = boardprov.make_plan(boards.lookup(name, ROOT), ROOT, "/flash")
        plans[name] = dict(plan.files)
    c3, rv = plans["esp32-c3"], plans["qemu-virt-rv32"]
    assert set(c3) == set(rv)
    assert "/flash/lib/wgcrypto.mpy" in rv and "/flash/main.py" in rv
    differ = sorted(p for p in rv if rv[p] != c3[p])
    assert differ == ["/flash/lib/boardnet.mpy"], differ


def test_provision_then_tunnel_up_at_boot(sb):
    stockboard.provision_then_tunnel_up_at_boot(sb, "rv32imc")
    assert udp_exchange(sb.bl.peer_node, BOARD_INNER, 7, "hello esp32-c3") == "hello esp32-c3"


def test_status_shows_the_tunnel_main_py_runs(sb):
    stockboard.status_shows_the_tunnel_main_py_runs(sb)


def test_running_board_takes_a_new_config_and_keeps_its_key(sb):
    stockboard.running_board_takes_a_new_config_and_keeps_its_key(sb)
