"""Board tests: the emulated MPS2 board against wireguard-go (root, namespaces),
plus host-only tests of the board-side modules."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "firmware"))


@pytest.fixture(scope="module")
def bl(request):
    """One BoardLab per test module, its board set up for a tunnel (TUNNEL_SETUP).

    The firmware is the module's BOARD (build/boards/<BOARD>), the .mpy AN386 by default."""
    if os.geteuid() != 0:
        pytest.skip("board tests need root (network namespaces)")
    import boardlab
    boardlab.lablib.sweep_stale()
    b = boardlab.BoardLab(board=getattr(request.module, "BOARD", "qemu-mps2-an386"), keepalive=25)
    try:
        b.vm.run(boardlab.TUNNEL_SETUP)
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def sb(request):
    """One stock-firmware board per test module: the module's STOCK_BOARD class
    (stockboard.StockBoard, the AN386, by default), blank flash, console on a pty."""
    if os.geteuid() != 0:
        pytest.skip("board tests need root (network namespaces)")
    import stockboard
    b = getattr(request.module, "STOCK_BOARD", stockboard.StockBoard)()
    try:
        yield b
    finally:
        b.close()
