"""An emulated MPS2 board with its UART on a pty and a persistent flash image (a host file)."""
import os
import re
import subprocess
import sys
import time

from mgtool_run import ROOT

sys.path.insert(0, os.path.join(ROOT, "tests"))
from targets import BOARD_MACHINE  # noqa: E402  (firmware name -> QEMU machine)


class QemuBoard:
    def __init__(self, board, image, flash_size=None, firmware=None):
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
        self.port = re.search(rb"(/dev/pts/\d+)", line).group(1).decode()
        return self

    def power_cut(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

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
