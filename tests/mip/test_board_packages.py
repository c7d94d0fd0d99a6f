"""Each board's mip package (build from the manifests) installs with MicroPython's own mip and
holds exactly what `mgtool provision` uploads to that board's lib folder (one list: the
manifests); a board whose architecture has no native build gets the fallback, said plainly."""
import hashlib
import os

import pytest

from test_mip_install import MIP_PATH, installed, micropython, served  # noqa: F401  (fixtures)

from mgtool import boardprov, boards

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tree(d):
    out = {}
    for dirpath, _, files in os.walk(d):
        for f in files:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, d)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


@pytest.mark.parametrize("board", ["esp32", "esp32-c3", "rp2-pico-w"])
def test_board_package_is_what_provision_uploads(served, tmp_path, board):
    base, _ = served
    r = micropython("import mip\nmip.install(%r, target=%r)\n" % (base + board + "/package.json", str(tmp_path)),
                    MIP_PATH)
    assert r.returncode == 0 and "Done" in r.stdout, r.stdout + r.stderr
    plan = boardprov.make_plan(boards.lookup(board), ROOT, "/flash")
    want = {dest[len("/flash/lib/"):]: hashlib.sha256(data).hexdigest()
            for dest, data in plan.files if dest.startswith("/flash/lib/")}
    assert tree(str(tmp_path)) == want


def test_no_native_build_says_the_fallback_plainly():
    plan = boardprov.make_plan(boards.lookup("esp32"), ROOT, "/flash")
    note = [n for n in plan.notes if "wgcrypto" in n][0]
    assert note.startswith("no native wgcrypto for esp32 (xtensawin is not built): uploading the fallback")
    assert "/flash/lib/wgcrypto.mpy" in dict(plan.files)          # the selector, as bytecode
    assert any(d.endswith("wgcrypto_viper.mpy") for d, _ in plan.files)
    native = boardprov.make_plan(boards.lookup("rp2-pico-w"), ROOT, "/flash")
    assert "wgcrypto.mpy for armv6m" in native.notes
    assert dict(native.files)["/flash/lib/wgcrypto.mpy"] == open(
        os.path.join(ROOT, "build/natmods/armv6m/wgcrypto.mpy"), "rb").read()
