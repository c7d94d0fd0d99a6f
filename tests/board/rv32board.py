"""The emulated RISC-V board (build/boards/qemu-virt-rv32, QEMU `virt`), which
stands in for an ESP32-C3/C6 on stock MicroPython.

It has one UART (ns16550), on a pipe here. It serves the raw REPL, and, while
a script has taken the UART over (boardnet: SLIP on virt.UART()), the data link:
link() then pumps whole SLIP frames between the pipe and tests/board/slipbridge.py.
The board ends a link by sending the frame b"Z" (after the host's quit
datagram from 0.0.0.0:0); what follows is the raw REPL's again.
Without a flash image, the board has no filesystem: upload() puts files into a
VFS held in RAM (a Python object, as MicroPython's tests/run-natmodtests.py does).
With one (flash=<path>, a host file reached through semihosting), the firmware
mounts it at /flash and runs its main.py at boot, as a stock ESP32-C3 does
(tests/board/rv32stock.py).
"""
import binascii
import os
import select
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "firmware"))
from targets import BOARD_MACHINE, BOARD_QEMU, BUILD, RAMFS_CODE  # noqa: E402
from rawrepl_pipe import BoardError, RawReplPipe  # noqa: E402,F401  (BoardError: raised by both)
from mgboard import slip  # noqa: E402  (the framing the board runs)

BOARD = "qemu-virt-rv32"
MPY_CROSS = os.path.join(BUILD, "micropython", "mpy-cross", "build", "mpy-cross")
QUIT = slip.encode(b"D" + bytes(6) + b"quit")     # a datagram from 0.0.0.0:0
BYE = slip.encode(b"Z")



def compile_mpy(src, out):
    """src compiled for the board's CPU (viper code becomes rv32imc machine code)."""
    subprocess.run([MPY_CROSS, "-march=rv32imc", "-o", out, src], check=True, capture_output=True)


def application_files(work):
    """[(board path, bytes)]: wgcrypto.mpy, the engine, the board package and boardnet, as .mpy."""
    files = [("/wgcrypto.mpy", open(os.path.join(BUILD, "natmods", "rv32imc", "wgcrypto.mpy"), "rb").read())]
    sources = [("/boardnet", os.path.join(ROOT, "board", BOARD, "boardnet.py"))]
    for pkg in ("wireguard", "mgboard"):
        d = os.path.join(ROOT, "firmware", pkg)
        sources += [("/%s/%s" % (pkg, f[:-3]), os.path.join(d, f)) for f in sorted(os.listdir(d))
                    if f.endswith(".py") and f != "manifest.py"]
    os.makedirs(work, exist_ok=True)
    for name, src in sources:
        out = os.path.join(work, name.strip("/").replace("/", "_") + ".mpy")
        compile_mpy(src, out)
        with open(out, "rb") as f:
            files.append((name + ".mpy", f.read()))
    return files


def qemu_command(flash=None, console="stdio"):
    """QEMU for the board: its UART on `console` (stdio or pty), its flash image if given."""
    elf = os.path.join(BUILD, "boards", BOARD, "firmware.elf")
    cmd = BOARD_QEMU[BOARD] + ["-machine", BOARD_MACHINE[BOARD], "-nographic", "-monitor", "null",
                               "-semihosting", "-serial", console, "-kernel", elf]
    return cmd + (["-append", "flash=" + os.path.abspath(flash)] if flash else [])


class RV32Board(RawReplPipe):
    SUBMIT_TIMEOUT = 120

    def __init__(self, log=None):
        self.log = log
        self.buf = b""
        self.noise = b""
        self.proc = subprocess.Popen(qemu_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self._write(b"\r\x03\x03\x01")
        self.read_until(b"raw REPL; CTRL-B to exit\r\n>", 60)
        self.run(RAMFS_CODE)

    def _write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def _read(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return b""
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk and self.proc.poll() is not None:
            raise BoardError("QEMU exited %s" % self.proc.returncode)
        if self.log:
            self.log.write(chunk)
            self.log.flush()
        return chunk

    def read_until(self, marker, timeout):
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BoardError("no %r within %ss; got %r" % (marker, timeout, self.buf[-800:]))
            self.buf += self._read(min(left, 0.5))
        i = self.buf.index(marker) + len(marker)
        data, self.buf = self.buf[:i], self.buf[i:]
        return data

    def upload(self, files, chunk=6000):
        """Put (path, bytes) files into the in-RAM VFS mounted at /ram (directories made as needed)."""
        for path, data in files:
            parts = path.strip("/").split("/")[:-1]
            dirs = ["/" + "/".join(parts[:i + 1]) for i in range(len(parts))]
            self.run("_ramfs.dirs.update(%r)\n_b = []" % dirs)
            for i in range(0, len(data), chunk):
                self.run("_b.append(a2b_base64(%r))" % binascii.b2a_base64(data[i:i + chunk], newline=False))
            self.run("_ramfs.files[%r] = b''.join(_b)\ndel _b" % path)

    def link(self, bridge_socket):
        return Link(self, bridge_socket)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for s in (self.proc.stdin, self.proc.stdout):
            try:
                s.close()
            except OSError:
                pass


def take_frame(buf):
    """(frame or None, rest, noise): the first whole END..END frame of buf and what precedes it."""
    noise = b""
    while True:
        i = buf.find(b"\xc0")
        if i < 0:
            return None, b"", noise + buf
        noise, buf = noise + buf[:i], buf[i:]
        j = buf.find(b"\xc0", 1)
        if j < 0:
            return None, buf, noise
        if j == 1:                      # END END: an empty frame between two
            buf = buf[1:]
            continue
        return buf[:j + 1], buf[j + 1:], noise


class Link:
    """While the board's script runs its SLIP link: whole frames both ways between
    the board's UART and the bridge's unix socket, until the board says b"Z"."""

    def __init__(self, board, bridge_socket):
        self.board = board
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(bridge_socket)
        self.to_board = True
        self.done = threading.Event()
        self.error = None
        self.frames = {"to_board": 0, "to_bridge": 0}
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self):
        b = self.board
        from_bridge = b""
        try:
            while not self.done.is_set():
                r, _, _ = select.select([b.proc.stdout, self.sock], [], [], 0.5)
                if self.sock in r:
                    data = self.sock.recv(65536)
                    if not data:
                        raise BoardError("the bridge closed the link")
                    from_bridge += data
                    while True:
                        frame, from_bridge, _ = take_frame(from_bridge)
                        if frame is None:
                            break
                        if self.to_board:
                            b._write(frame)
                            self.frames["to_board"] += 1
                if b.proc.stdout in r:
                    b.buf += b._read(0)
                    while True:
                        frame, rest, noise = take_frame(b.buf)
                        if frame is None:
                            break
                        b.noise += noise
                        b.buf = rest
                        if frame == BYE:
                            self.done.set()
                            break
                        self.sock.sendall(frame)
                        self.frames["to_bridge"] += 1
        except Exception as e:          # reported by close()
            self.error = e
            self.done.set()

    def close(self, timeout=60):
        """Ask the board to end its link; afterwards the board's UART is the REPL's again."""
        self.to_board = False
        if not self.done.is_set():
            self.board._write(QUIT)
        ended = self.done.wait(timeout)
        self.done.set()
        self.thread.join(5)
        self.sock.close()
        if self.error:
            raise BoardError("link failed: %s" % self.error)
        if not ended:
            raise BoardError("the board did not end its link within %ss; its other output: %r"
                             % (timeout, (self.board.noise + self.board.buf)[-1500:]))
