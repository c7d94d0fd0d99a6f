"""Which files mgtool plans for each board (board/<name>/board.json or its built-in table)."""
import pytest

from mgtool_run import ROOT
from mgtool import boardprov, boards
from mgtool.errors import MgError


@pytest.mark.parametrize("name,arch,last", [
    ("qemu-mps2-an385", "armv7m", "/flash/lib/wgcrypto.mpy"),
    ("qemu-mps2-an386", "armv7emsp", "/flash/lib/wgcrypto.mpy"),
    ("rp2-pico-w", "armv6m", "/flash/lib/wgcrypto.mpy"),
    ("esp32-c3", "rv32imc", "/flash/lib/wgcrypto.mpy"),
    ("esp32", "xtensawin", "/flash/lib/wgcrypto.py"),
])
def test_plan_per_board(name, arch, last):
    b = boards.lookup(name, ROOT)
    assert b.arch == arch
    plan = boardprov.make_plan(b, ROOT, "/flash")
    assert plan.files[-1][0] == last
    assert any(p.startswith("/flash/lib/wireguard/") for p, _ in plan.files)
    if last.endswith(".py"):
        assert any("pure-Python fallback" in n and "not constant-time" in n for n in plan.notes)
        assert plan.files[-1][1] == open(ROOT + "/firmware/wgcrypto_pure.py", "rb").read()


def test_unknown_board():
    with pytest.raises(MgError, match="unknown board 'toaster'"):
        boards.lookup("toaster", ROOT)
