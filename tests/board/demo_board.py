#!/usr/bin/env python3
"""make demo-board: a board with stock MicroPython firmware (nothing of MicroGuard frozen in)
gets MicroGuard from `mgtool provision` (engine, board package, boardnet.py, wgcrypto.mpy,
main.py, config; the key is made on the board), is power-cycled, and with nobody typing at its
REPL brings the tunnel up at boot: handshake with wireguard-go, ping answered on its tunnel
address."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from boardlab import BOARD_INNER  # noqa: E402
from stockboard import StockBoard, public_key  # noqa: E402


def main():
    if os.geteuid() != 0:
        sys.exit("demo-board needs root (network namespaces)")
    sb = StockBoard()
    try:
        print("== stock firmware board on %s, blank flash %s" % (sb.vm.port, sb.vm.flash))
        print("== mgtool provision --port %s --board qemu-mps2-an386 --site site.toml --device sensor" % sb.vm.port)
        r = sb.provision(BOARD_INNER + "/32")
        print(r.stdout.strip())
        if r.returncode != 0:
            print(r.stderr.strip())
            return 1
        pub = public_key(r.stdout)
        sb.peer_accepts(pub, BOARD_INNER + "/32")
        print("== power cycle: main.py starts the tunnel (no REPL command typed)")
        sb.power_cycle()
        sb.bl.wg.wait_handshake(pub, timeout=120)
        print("== peer (wireguard-go) `wg show`:")
        print(sb.bl.wg.wg("show"))
        print("== ping from the peer to the board's tunnel address %s" % BOARD_INNER)
        p = sb.bl.peer_node.ping(BOARD_INNER, count=5, interval=0.3, wait=5)
        print(p.stdout.strip())
        ok = p.returncode == 0
        print("== demo-board:", "OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        sb.close()


if __name__ == "__main__":
    sys.exit(main())
