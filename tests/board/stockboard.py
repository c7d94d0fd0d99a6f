"""A board with stock firmware in the tunnel lab, provisioned by `mgtool provision` as a user does.

The lab (boardlab.BoardLab) brings up wireguard-go and the SLIP bridge; its board is then
powered again with the console on a pty (what mgtool opens), on the same flash image and data
link. The site file describes the lab: the peer (wireguard-go, endpoint peer.lab) and the board.
"""
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import boardlab  # noqa: E402
from boardlab import BOARD_INNER, BRIDGE_OUTER, PEER_INNER, PORT  # noqa: E402
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


def site_text(lab, address, keepalive=25, board="qemu-mps2-an386", console=None):
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
%s
[[link]]
a = "peer"
b = "sensor"
keepalive = %d
""" % (lab.peer_key.private, PORT, board, address, lab.board_key.public,
       "console = %d\n" % console if console else "", keepalive)


def mgtool(*args, timeout=300):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host-tools"))
    return subprocess.run([sys.executable, "-m", "mgtool", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def public_key(out):
    return [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("public key: ")][-1]


class StockBoard:
    """A BoardLab whose board runs the stock firmware on a pty console."""
    BOARD = "qemu-mps2-an386"       # mgtool --board and the site file's board
    CONSOLE = None                  # the site file's console port for the board, if any

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
            f.write(site_text(self.bl, address, keepalive, self.BOARD, self.CONSOLE))
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


# The stock-board story, told the same way for every board (test_board_stock, test_rv32_stock).

def handshake_and_ping(sb, pub, address):
    sb.bl.wg.wait_handshake(pub, timeout=120)
    r = sb.bl.peer_node.ping(address, count=3, interval=0.3, wait=5)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def provision_then_tunnel_up_at_boot(sb, natmod_arch):
    """Provision a blank board, power cycle it, and see its main.py bring the tunnel up."""
    r = sb.provision(BOARD_INNER + "/32")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "wgcrypto.mpy for %s" % natmod_arch in r.stdout
    assert "restarted the board (soft reset)" in r.stdout
    pub = public_key(r.stdout)
    sb.peer_accepts(pub, BOARD_INNER + "/32")
    sb.power_cycle()                      # nobody types anything at the REPL from here on
    handshake_and_ping(sb, pub, BOARD_INNER)
    sb.pub = pub


def status_shows_the_tunnel_main_py_runs(sb):
    before = sb.bl.wg.peer(sb.pub)["latest_handshake"]
    r = mgtool("status", "--port", sb.vm.port)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "tunnel:     running from main.py" in r.stdout and "connected:  yes" in r.stdout, r.stdout
    assert "public key: %s" % sb.pub in r.stdout
    # The app was started again after the status was read: a new handshake, and ping answered.
    sb.bl.wg.wait_handshake(sb.pub, after=before, timeout=120)
    r = sb.bl.peer_node.ping(BOARD_INNER, count=3, interval=0.3, wait=5)
    assert r.returncode == 0, r.stdout


def running_board_takes_a_new_config_and_keeps_its_key(sb):
    new = "10.0.0.3"
    assert new != BOARD_INNER and new.rsplit(".", 1)[0] == PEER_INNER.rsplit(".", 1)[0]
    r = sb.provision(new + "/32")         # the tunnel is running from main.py right now
    assert r.returncode == 0, r.stdout + r.stderr
    assert public_key(r.stdout) == sb.pub  # the key stayed on the board
    assert "1 written" in r.stdout and "unchanged" in r.stdout   # only the config changed
    sb.peer_accepts(sb.pub, new + "/32")
    sb.power_cycle()
    handshake_and_ping(sb, sb.pub, new)


def hub_runs_code_on_the_board_through_the_tunnel(sb, address):
    """The site file gave the board a console: from the hub, `mgtool remote` runs code on the
    board through the tunnel (TCP on the board's modules as installed, not frozen)."""
    r = sb.bl.peer_node.run(
        [os.path.join(ROOT, ".venv", "bin", "mgtool"), "remote", "--host", address, "--exec",
         "import sys\nprint(sys.implementation.name, 6 * 7)"], timeout=60, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == "micropython 42\n"
    r = sb.bl.peer_node.run([os.path.join(ROOT, ".venv", "bin", "mgtool"), "remote", "--host", address,
                             "--stats"], timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["connected"] is True
