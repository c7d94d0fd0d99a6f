"""Which files mgtool plans for each board (board/<name>/board.json or its built-in table)."""
import pytest

from mgtool_run import ROOT
from mgtool import boardprov, boards
from mgtool.errors import MgError


@pytest.mark.parametrize("name,arch,native", [
    ("qemu-mps2-an385", "armv7m", True),
    ("qemu-mps2-an386", "armv7emsp", True),
    ("rp2-pico-w", "armv6m", True),
    ("esp32-c3", "rv32imc", True),
    ("esp32", "xtensawin", False),
])
def test_plan_per_board(name, arch, native):
    b = boards.lookup(name, ROOT)
    assert b.arch == arch
    plan = boardprov.make_plan(b, ROOT, "/flash")
    files = dict(plan.files)
    assert plan.files[-1][0] == "/flash/main.py"
    assert any(p.startswith("/flash/lib/wireguard/") for p in files)
    assert any(p.startswith("/flash/lib/mgboard/") for p in files) and "/flash/lib/boardnet.mpy" in files
    if native:
        assert files["/flash/lib/wgcrypto.mpy"] == open(ROOT + "/build/natmods/%s/wgcrypto.mpy" % arch, "rb").read()
        assert "/flash/lib/wgcrypto.py" in plan.remove
    else:
        assert any("fallback" in n and "not constant-time" in n for n in plan.notes)
        assert "/flash/lib/wgcrypto_pure.mpy" in files and "/flash/lib/wgcrypto_viper.mpy" in files
        assert "/flash/lib/wgcrypto.py" in plan.remove       # the selector is uploaded as wgcrypto.mpy


def test_unknown_board():
    with pytest.raises(MgError, match="unknown board 'toaster'"):
        boards.lookup("toaster", ROOT)
