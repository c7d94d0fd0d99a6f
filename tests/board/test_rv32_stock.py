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
from boardlab import BOARD_INNER, PEER_INNER  # noqa: E402
from stockboard import mgtool, public_key  # noqa: E402
from targets import BUILD  # noqa: E402
from test_board_stock import handshake_and_ping  # noqa: E402
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


def test_provision_then_tunnel_up_at_boot(rb):
    r = rb.provision(BOARD_INNER + "/32")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "wgcrypto.mpy for rv32imc" in r.stdout
    assert "restarted the board (soft reset)" in r.stdout
    pub = public_key(r.stdout)
    rb.peer_accepts(pub, BOARD_INNER + "/32")
    rb.power_cycle()                      # nobody types anything at the REPL from here on
    handshake_and_ping(rb, pub, BOARD_INNER)
    assert udp_exchange(rb.bl.peer_node, BOARD_INNER, 7, "hello esp32-c3") == "hello esp32-c3"
    rb.pub = pub


def test_status_shows_the_tunnel_main_py_runs(rb):
    before = rb.bl.wg.peer(rb.pub)["latest_handshake"]
    r = mgtool("status", "--port", rb.vm.port)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "tunnel:     running from main.py" in r.stdout and "connected:  yes" in r.stdout, r.stdout
    assert "public key: %s" % rb.pub in r.stdout
    # The app was started again after the status was read: a new handshake, and ping answered.
    rb.bl.wg.wait_handshake(rb.pub, after=before, timeout=120)
    r = rb.bl.peer_node.ping(BOARD_INNER, count=3, interval=0.3, wait=5)
    assert r.returncode == 0, r.stdout


def test_running_board_takes_a_new_config_and_keeps_its_key(rb):
    new = "10.0.0.3"
    assert new != BOARD_INNER and new.rsplit(".", 1)[0] == PEER_INNER.rsplit(".", 1)[0]
    r = rb.provision(new + "/32")         # the tunnel is running from main.py right now
    assert r.returncode == 0, r.stdout + r.stderr
    assert public_key(r.stdout) == rb.pub  # the key stayed on the board
    assert "1 written" in r.stdout and "unchanged" in r.stdout   # only the config changed
    rb.peer_accepts(rb.pub, new + "/32")
    rb.power_cycle()
    handshake_and_ping(rb, rb.pub, new)
