#!/usr/bin/env python3
"""make demo-board: the emulated Cortex-M4F board runs MicroGuard's tunnel
against wireguard-go. Its flash gets wgcrypto.mpy, /flash/wireguard.json and a
main.py; after a power cycle main.py brings the tunnel up on its own. Then the
peer pings the board's tunnel address and gets a UDP echo through the tunnel."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boardlab  # noqa: E402
from boardlab import BoardLab, BOARD_INNER, PEER_INNER  # noqa: E402

ECHO = ("import socket\ns=socket.socket(2,2)\ns.settimeout(5)\ns.bind((%r,0))\n"
        "s.sendto(b'hello through the tunnel',(%r,7))\nd,a=s.recvfrom(2000)\n"
        "print('echo from %%s:%%d: %%s' %% (a[0],a[1],d.decode()))\n" % (PEER_INNER, BOARD_INNER))


def main():
    if os.geteuid() != 0:
        sys.exit("demo-board needs root (network namespaces)")
    boardlab.lablib.sweep_stale()
    bl = BoardLab(keepalive=25)
    try:
        print("== provisioning the board's flash (%s): wgcrypto.mpy, wireguard.json, main.py" % bl.vm.flash)
        bl.vm.put("/flash/main.py", b"import boardnet, mgboard.app\nmgboard.app.main(boardnet.up)\n")
        print(bl.vm.run("import os\nprint(os.listdir('/flash'), os.listdir('/flash/lib'))").strip())
        print("== power cycle: main.py starts the tunnel")
        bl.vm.reboot(repl=False)
        line = bl.vm.read_until(b"wg: handshake", 60) + bl.vm.read_until(b"\n", 30)
        print("board console:", line.decode(errors="replace").replace("\r", "").strip().replace("\n", "\n  "))
        print("== peer (wireguard-go) `wg show`:")
        print(bl.wg.wg("show"))
        print("== ping from the peer to the board's tunnel address %s" % BOARD_INNER)
        r = bl.peer_node.ping(BOARD_INNER, count=5, interval=0.3)
        print(r.stdout.strip())
        print("== UDP echo through the tunnel (board port 7)")
        print(bl.peer_node.run(["python3", "-c", ECHO], timeout=20).stdout.strip())
        ok = r.returncode == 0
        print("== demo-board:", "OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        bl.close()


if __name__ == "__main__":
    sys.exit(main())
