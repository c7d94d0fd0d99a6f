"""The emulated RISC-V board (qemu-virt-rv32, the ESP32-C3 stand-in) provisioned by
`mgtool provision` as a user does, in the AN386 stock board's lab (stockboard.StockBoard):
wireguard-go, the SLIP bridge, the site file and the peer's reconfiguration are that lab's.

The board has one UART. While it is blank, that UART is a pty for mgtool. After a power cycle
the board runs its main.py, which takes the UART over for the tunnel's SLIP link: the console
is then a pipe, and rv32board.Link pumps whole frames between it and the bridge.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import boardlab  # noqa: E402
import rv32board  # noqa: E402
from stockboard import PtyBoardVM, StockBoard  # noqa: E402


class RV32PtyVM(PtyBoardVM):
    """The board with its one UART on a pty (a serial port for mgtool)."""

    def command(self):
        return rv32board.qemu_command(self.flash, console="pty")


class RV32StockBoard(StockBoard):
    BOARD = rv32board.BOARD

    def __init__(self):
        boardlab.lablib.sweep_stale()
        self.bl = boardlab.BoardLab(board=None)     # peer and bridge; the board is powered here
        self.board = self.link = None
        self.console = None
        try:
            # A blank flash image: the board as it comes, nothing of MicroGuard on it.
            self.vm = RV32PtyVM(self.bl.lab.path("flash.img"), board=self.BOARD)
            self.bl.lab.on_close(self.power_off)
            self.vm.start()
        except BaseException:
            self.bl.close()
            raise

    def power_off(self):
        if self.link:
            self.link.stop()
            self.link = None
        if self.board:
            self.board.close()
            self.board = None
        self.vm.kill()
        if self.console:
            self.console.close()
            self.console = None

    def power_cycle(self):
        """Power off, then on with the console on a pipe: main.py runs, its SLIP link goes to the bridge."""
        self.power_off()
        self.console = open(self.bl.lab.path("console.log"), "ab")
        self.board = rv32board.RV32Board(log=self.console, flash=self.vm.flash, repl=False)
        self.link = self.board.link(self.bl.serial)

    def console_text(self):
        """What the board printed besides its SLIP frames (main.py's report lines)."""
        return (self.board.noise + self.board.buf).decode("utf-8", "replace")
