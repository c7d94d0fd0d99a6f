"""Stock firmware, nothing of MicroGuard frozen in: `mgtool provision` installs the whole board
application, and after a power cycle the board's main.py brings the tunnel up with nobody typing
at its REPL. Then, with the tunnel running, the board is provisioned again with a new config:
the app stops on Ctrl-C, the update lands, and after the reset the new config runs, same key.
The site file gives the board a console: the hub runs code on it through the tunnel."""
import os

import pytest

import stockboard
from stockboard import STOCK

class STOCK_BOARD(stockboard.StockBoard):
    CONSOLE = 23


pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(stockboard.ROOT, "build", "boards", STOCK, "firmware.elf")),
    reason="stock firmware not built")


def test_provision_then_tunnel_up_at_boot(sb):
    stockboard.provision_then_tunnel_up_at_boot(sb, "armv7emsp")


def test_status_shows_the_tunnel_main_py_runs(sb):
    stockboard.status_shows_the_tunnel_main_py_runs(sb)


def test_running_board_takes_a_new_config_and_keeps_its_key(sb):
    stockboard.running_board_takes_a_new_config_and_keeps_its_key(sb)


def test_hub_runs_code_on_the_board_through_the_tunnel(sb):
    stockboard.hub_runs_code_on_the_board_through_the_tunnel(sb, "10.0.0.3")
