"""An emulated MPS2 board for the board tests: QEMU with the REPL console on
a pipe, the SLIP data link on a unix socket (its second UART), and a
persistent flash image; optionally a third serial (UART2) on another unix
socket: router mode's LAN link (lanbridge.py). Scripts run through the raw
REPL; reboot() restarts QEMU on the same flash image, like a power cycle."""
import os
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from targets import BOARD_MACHINE, BUILD  # noqa: E402  (BOARD_MACHINE: firmware -> QEMU machine)
from rawrepl_pipe import BoardError, RawReplPipe  # noqa: E402,F401  (BoardError: raised by both)

# The -builtin firmware has wgcrypto linked in: nothing to upload.
NATMOD_ARCH = {"qemu-mps2-an386-stock": "armv7emsp", "qemu-mps2-an385": "armv7m", "qemu-mps2-an386": "armv7emsp",
               "qemu-mps2-an386-builtin": None}


class BoardVM(RawReplPipe):
    def __init__(self, flash, serial_socket=None, board="qemu-mps2-an386", icount=False, log=None,
                 lan_socket=None):
        self.board = board
        self.flash = os.path.abspath(flash)
        self.serial_socket = serial_socket
        self.lan_socket = lan_socket
        self.icount = icount
        self.log = log
        self.proc = None
        self.buf = b""

    def command(self):
        elf = os.path.join(BUILD, "boards", self.board, "firmware.elf")
        cmd = ["qemu-system-arm", "-machine", BOARD_MACHINE[self.board], "-nographic", "-monitor", "null",
               "-semihosting", "-serial", "stdio"]
        if self.serial_socket or self.lan_socket:
            cmd += ["-serial", "unix:" + self.serial_socket if self.serial_socket else "null"]
        cmd += ["-serial", "unix:" + self.lan_socket] if self.lan_socket else []
        if self.icount:
            cmd += ["-icount", "shift=0,align=off,sleep=off"]
        return cmd + ["-kernel", elf, "-append", "flash=" + self.flash]

    def start(self, repl=True):
        """Power on; with repl=False the board runs its boot.py/main.py undisturbed."""
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.buf = b""
        if not repl:
            return self
        self._write(b"\r\x03\x03\x01")
        self.read_until(b"raw REPL; CTRL-B to exit\r\n>", 60)
        return self

    def _write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def read_until(self, marker, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while marker not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise BoardError("no %r within %ss; got %r" % (marker, timeout, self.buf[-800:]))
            r, _, _ = select.select([fd], [], [], min(left, 0.5))
            if r:
                chunk = os.read(fd, 65536)
                if self.log:
                    self.log.write(chunk)
                    self.log.flush()
                self.buf += chunk
        i = self.buf.index(marker) + len(marker)
        data, self.buf = self.buf[:i], self.buf[i:]
        return data

    def put(self, path, data, chunk=2048):
        """Write a file on the board's flash (raw REPL, written then renamed)."""
        self.run("f = open(%r, 'wb')" % (path + ".tmp"))
        for i in range(0, len(data), chunk):
            self.run("f.write(%r)" % data[i:i + chunk])
        self.run("f.close()\nimport os\nos.rename(%r, %r)" % (path + ".tmp", path))

    def ensure_dir(self, path):
        self.run("import os\ntry:\n os.mkdir(%r)\nexcept OSError:\n pass" % path)

    def install_wgcrypto(self):
        if NATMOD_ARCH[self.board] is None:
            return
        with open(os.path.join(BUILD, "natmods", NATMOD_ARCH[self.board], "wgcrypto.mpy"), "rb") as f:
            data = f.read()
        self.ensure_dir("/flash/lib")
        self.put("/flash/lib/wgcrypto.mpy", data)

    def kill(self):
        """Power cut: no chance to flush anything."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def reboot(self, repl=True):
        self.kill()
        return self.start(repl)

    def close(self):
        self.kill()
