"""The README's ESP32-C3 command on the emulated RISC-V board (qemu-virt-rv32: stock
MicroPython with a flash filesystem, nothing of MicroGuard frozen in):

    mgtool provision --port <the board's pty> --board qemu-virt-rv32 --site site.toml --device sensor

installs what `--board esp32-c3` installs (the same application and rv32imc wgcrypto.mpy;
only boardnet.py differs: SLIP over the console UART instead of Wi-Fi). After a power cycle,
with nobody typing at its REPL, main.py brings the tunnel up with the key made on the board
during provisioning: handshake with wireguard-go, ping and UDP echo on the tunnel address."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "host-tools"))
from boardlab import BOARD_INNER  # noqa: E402
from stockboard import public_key  # noqa: E402
from targets import BUILD  # noqa: E402
from test_rv32_tunnel import udp_exchange  # noqa: E402
from mgtool import boardprov, boards  # noqa: E402

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


@pytest.fixture(scope="module")
def rb():
    if os.geteuid() != 0:
        pytest.skip("board tests need root (network namespaces)")
    from rv32stock import RV32StockBoard
    b = RV32StockBoard()
    yield b
    b.close()


def test_provision_then_tunnel_up_at_boot_with_the_key_made_on_the_board(rb):
    r = rb.provision(BOARD_INNER + "/32")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "wgcrypto.mpy for rv32imc" in r.stdout
    assert "restarted the board (soft reset)" in r.stdout
    pub = public_key(r.stdout)
    rb.peer_accepts(pub, BOARD_INNER + "/32")
    rb.power_cycle()                      # nobody types anything at the REPL from here on
    # X25519 on the emulated rv32imc takes a moment; a loaded machine makes it longer.
    rb.bl.wg.wait_handshake(pub, timeout=120)
    ping = rb.bl.peer_node.ping(BOARD_INNER, count=3, interval=0.5, wait=15)
    assert ping.returncode == 0, ping.stdout + rb.console_text()
    assert udp_exchange(rb.bl.peer_node, BOARD_INNER, 7, "hello esp32-c3") == "hello esp32-c3"
    assert "wg: starting, endpoint peer.lab:51820" in rb.console_text()     # main.py's app, from the flash

