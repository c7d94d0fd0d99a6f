"""Stock firmware, nothing of MicroGuard frozen in: `mgtool provision` installs the whole board
application, and after a power cycle the board's main.py brings the tunnel up with nobody typing
at its REPL. Then, with the tunnel running, the board is provisioned again with a new config:
the app stops on Ctrl-C, the update lands, and after the reset the new config runs, same key."""
import os

import pytest

from boardlab import BOARD_INNER, PEER_INNER
from stockboard import STOCK, StockBoard, mgtool, public_key

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                    "build", "boards", STOCK, "firmware.elf")), reason="stock firmware not built")


@pytest.fixture(scope="module")
def sb():
    if os.geteuid() != 0:
        pytest.skip("board tests need root (network namespaces)")
    b = StockBoard()
    yield b
    b.close()


def handshake_and_ping(sb, pub, address):
    sb.bl.wg.wait_handshake(pub, timeout=120)
    r = sb.bl.peer_node.ping(address, count=3, interval=0.3, wait=5)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_provision_then_tunnel_up_at_boot(sb):
    r = sb.provision(BOARD_INNER + "/32")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "wgcrypto.mpy for armv7emsp" in r.stdout
    assert "restarted the board (soft reset)" in r.stdout
    pub = public_key(r.stdout)
    sb.peer_accepts(pub, BOARD_INNER + "/32")
    sb.power_cycle()                      # nobody types anything at the REPL from here on
    handshake_and_ping(sb, pub, BOARD_INNER)
    sb.pub = pub


def test_status_shows_the_tunnel_main_py_runs(sb):
    before = sb.bl.wg.peer(sb.pub)["latest_handshake"]
    r = mgtool("status", "--port", sb.vm.port)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "tunnel:     running from main.py" in r.stdout and "connected:  yes" in r.stdout, r.stdout
    assert "public key: %s" % sb.pub in r.stdout
    # The app was started again after the status was read: a new handshake, and ping answered.
    sb.bl.wg.wait_handshake(sb.pub, after=before, timeout=120)
    r = sb.bl.peer_node.ping(BOARD_INNER, count=3, interval=0.3, wait=5)
    assert r.returncode == 0, r.stdout


def test_running_board_takes_a_new_config_and_keeps_its_key(sb):
    new = "10.0.0.3"
    assert new != BOARD_INNER and new.rsplit(".", 1)[0] == PEER_INNER.rsplit(".", 1)[0]
    r = sb.provision(new + "/32")         # the tunnel is running from main.py right now
    assert r.returncode == 0, r.stdout + r.stderr
    assert public_key(r.stdout) == sb.pub  # the key stayed on the board
    assert "1 written" in r.stdout and "unchanged" in r.stdout   # only the config changed
    sb.peer_accepts(sb.pub, new + "/32")
    sb.power_cycle()
    handshake_and_ping(sb, sb.pub, new)
