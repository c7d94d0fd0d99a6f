"""The emulated RISC-V board (qemu-virt-rv32, the ESP32-C3 stand-in) provisioned by
`mgtool provision` as a user does, in the AN386 stock board's lab (stockboard.StockBoard):
wireguard-go, the SLIP bridge, the site file, the power cycles and the peer's
reconfiguration are that lab's.

As an ESP32-C3 has its console and its network apart, the board's console UART is a pty
(mgtool's serial port) and the tunnel's SLIP link goes over a second UART (QEMU's
pci-serial, virt.UART(1)) to the bridge.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import boardlab  # noqa: E402
import rv32board  # noqa: E402
from stockboard import PtyBoardVM, StockBoard  # noqa: E402


class RV32PtyVM(PtyBoardVM):
    def command(self):
        return rv32board.qemu_command(self.flash, console="pty") + [
            "-chardev", "socket,id=link,path=" + self.serial_socket, "-device", "pci-serial,chardev=link"]


class RV32StockBoard(StockBoard):
    BOARD = rv32board.BOARD

    def __init__(self):
        boardlab.lablib.sweep_stale()
        self.bl = boardlab.BoardLab(board=None)     # peer and bridge; the board is powered here
        try:
            # A blank flash image: the board as it comes, nothing of MicroGuard on it.
            self.vm = RV32PtyVM(self.bl.lab.path("flash.img"), self.bl.serial, board=self.BOARD)
            self.bl.lab.on_close(self.vm.close)
            self.vm.start()
        except BaseException:
            self.bl.close()
            raise
