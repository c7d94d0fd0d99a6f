"""An emulated MPS2 board with its UART on a pty and a persistent flash image (a host file).

With `baud` (or MG_CONSOLE_BAUD) the UART is paced like a real one: mgtool gets a pty of a
pacing relay in front of QEMU's, and keeps it across power cuts, as a USB serial adapter would.
"""
import os
import re
import subprocess
import sys
import time
import tty

from mgtool_run import ROOT
from serial_pace import Relay, baud_from_env

sys.path.insert(0, os.path.join(ROOT, "tests"))
from targets import BOARD_MACHINE  # noqa: E402  (firmware name -> QEMU machine)


class QemuBoard:
    def __init__(self, board, image, flash_size=None, firmware=None, baud=None):
        self.baud = baud_from_env(baud)
        self.relay = None
        self._qemu_fd = None
        self._cable = None                    # (master, slave) of the pty mgtool sees when paced
        self.board = board
        self.firmware = firmware or board     # build/boards/<firmware>/firmware.elf
        self.image = image
        self.flash_size = flash_size
        self.proc = None
        self.port = None

    def start(self):
        elf = os.path.join(ROOT, "build", "boards", self.firmware, "firmware.elf")
        append = "flash=%s" % self.image + (" flash_size=%d" % self.flash_size if self.flash_size else "")
        self.proc = subprocess.Popen(["qemu-system-arm", "-machine", BOARD_MACHINE[self.board], "-nographic",
                                      "-monitor", "null", "-semihosting", "-serial", "pty", "-kernel", elf,
                                      "-append", append], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        line = b""
        while b"/dev/pts/" not in line:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("QEMU gave no pty: %r" % line)
            line = self.proc.stdout.readline()
        qemu_port = re.search(rb"(/dev/pts/\d+)", line).group(1).decode()
        if not self.baud:
            self.port = qemu_port
            return self
        if self._cable is None:
            master, slave = os.openpty()
            tty.setraw(slave)
            self._cable = (master, slave)     # the slave stays open: the port outlives sessions
            self.port = os.ttyname(slave)
        self._qemu_fd = os.open(qemu_port, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self._qemu_fd)
        self.relay = Relay(self._cable[0], self._qemu_fd, self.baud)
        return self

    def power_cut(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.relay:
            self.relay.stop()
            self.relay = None
        if self._qemu_fd is not None:
            os.close(self._qemu_fd)
            self._qemu_fd = None

    def close(self):
        """Power off and unplug the paced cable (if any)."""
        self.power_cut()
        for fd in self._cable or ():
            os.close(fd)
        self._cable = None

    def restart(self):
        self.power_cut()
        return self.start()

    def repl(self):
        """A raw REPL session on the board (the caller closes the returned link)."""
        sys.path.insert(0, os.path.join(ROOT, "host-tools"))
        from mgtool.link import Link
        from mgtool.rawrepl import RawRepl
        link = Link(self.port, timeout=20)
        return link, RawRepl(link).enter()
