"""A board with stock firmware in the tunnel lab, provisioned by `mgtool provision` as a user does.

The lab (boardlab.BoardLab) brings up wireguard-go and the SLIP bridge; its board is then
powered again with the console on a pty (what mgtool opens), on the same flash image and data
link. The site file describes the lab: the peer (wireguard-go, endpoint peer.lab) and the board.
"""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import boardlab  # noqa: E402
from boardlab import BRIDGE_OUTER, PORT  # noqa: E402
from boardvm import BoardVM  # noqa: E402

STOCK = "qemu-mps2-an386-stock"


class PtyBoardVM(BoardVM):
    """The board with its REPL console on a pty (a serial port for mgtool)."""

    def command(self):
        cmd = super().command()
        i = cmd.index("stdio")
        cmd[i] = "pty"
        return cmd

    def start(self, repl=False):
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        line = b""
        while b"/dev/pts/" not in line:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("QEMU gave no pty: %r" % line)
            line = self.proc.stdout.readline()
        self.port = re.search(rb"(/dev/pts/\d+)", line).group(1).decode()
        return self


def site_text(lab, address, keepalive=25, board="qemu-mps2-an386"):
    return """[site]
name = "lab"

[[device]]
name = "peer"
kind = "linux"
address = "10.0.0.1/24"
private_key = "%s"
endpoint = "peer.lab:%d"

[[device]]
name = "sensor"
kind = "board"
board = "%s"
address = "%s"
public_key = "%s"

[[link]]
a = "peer"
b = "sensor"
keepalive = %d
""" % (lab.peer_key.private, PORT, board, address, lab.board_key.public, keepalive)


def mgtool(*args, timeout=300):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host-tools"))
    return subprocess.run([sys.executable, "-m", "mgtool", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def public_key(out):
    return [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("public key: ")][-1]


class StockBoard:
    """A BoardLab whose board runs the stock firmware on a pty console."""
    BOARD = "qemu-mps2-an386"       # mgtool --board and the site file's board

    def __init__(self):
        boardlab.lablib.sweep_stale()
        self.bl = boardlab.BoardLab(board=STOCK)
        try:
            self.bl.vm.kill()
            # A blank flash: the stock board as it comes, nothing of MicroGuard on it.
            os.remove(self.bl.vm.flash)
            self.vm = PtyBoardVM(self.bl.vm.flash, self.bl.serial, board=STOCK)
            self.bl.lab.on_close(self.vm.close)
            self.vm.start()
        except BaseException:
            self.bl.close()
            raise

    def provision(self, address, keepalive=25):
        path = self.bl.lab.path("site.toml")
        with open(path, "w") as f:
            f.write(site_text(self.bl, address, keepalive, self.BOARD))
        return mgtool("provision", "--port", self.vm.port, "--board", self.BOARD, "-q",
                      "--site", path, "--device", "sensor")

    def peer_accepts(self, pub, address):
        """wireguard-go gets the board's new key (made on the board) and tunnel address."""
        wg = self.bl.wg
        for line in wg.wg("show", "wg0", "peers").split():
            if line != pub:
                wg.set("peer", line, "remove")
        wg.set("peer", pub, "allowed-ips", address, "endpoint", "%s:%d" % (BRIDGE_OUTER, PORT))

    def power_cycle(self):
        self.vm.kill()
        self.vm.start()

    def close(self):
        self.bl.close()
