"""The AN386 board's second firmware, with wgcrypto linked in rather than
uploaded as a .mpy (build/boards/qemu-mps2-an386-builtin): the same tunnel
against wireguard-go, crypto on the same optimized path, nothing uploaded.
Its heap figures are in make bench-board."""
from boardlab import BOARD_INNER

BOARD = "qemu-mps2-an386-builtin"      # the module's firmware, for the bl fixture (conftest.py)


def test_wgcrypto_is_built_in(bl):
    out = bl.vm.run("import os, wgcrypto\nprint(wgcrypto.backend, hasattr(wgcrypto, '__file__'))\n"
                    "print('wgcrypto.mpy' in os.listdir('/flash/lib') if 'lib' in os.listdir('/flash') else False)")
    backend, has_file = out.split()[:2]
    assert backend == "armv7em-asm"
    assert has_file == "False"                      # a module loaded from a file has __file__
    assert out.split()[2] == "False"                 # and nothing was uploaded


def test_handshake_and_ping(bl):
    assert bl.vm.run("print(asyncio.run(wg.start()))").strip() == "True"
    assert bl.peer_handshake() > 0
    bl.vm.submit("serve(6)")
    r = bl.peer_node.ping(BOARD_INNER, count=3, interval=0.2)
    bl.vm.result()
    assert r.returncode == 0, r.stdout
