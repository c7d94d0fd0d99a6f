"""The board application as Xtensa .mpy (ESP32, ESP32-S3), which every `make build` produces.

ESP32/ESP32-S3 have no C toolchain here, so no wgcrypto.mpy: their fast crypto is
wgcrypto_viper, whose machine code mpy-cross generates.  These checks read the files make
built (build/mpy/xtensawin) and make sure the viper functions really became Xtensa code.
About one second.
"""
import glob
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MP = os.path.join(ROOT, "build", "micropython")
MPY_CROSS = os.path.join(MP, "mpy-cross", "build", "mpy-cross")
MPY_TOOL = os.path.join(MP, "tools", "mpy-tool.py")
XTENSA = os.path.join(ROOT, "build", "mpy", "xtensawin")
VIPER_SRC = os.path.join(ROOT, "firmware", "wgcrypto_viper.py")
# py/persistentcode.h: MP_NATIVE_ARCH_XTENSAWIN; the arch sits in bits 2..7 of header byte 2.
ARCH_XTENSAWIN = 10


def app_sources():
    srcs = [p for pkg in ("wireguard", "mgboard") for p in glob.glob(os.path.join(ROOT, "firmware", pkg, "*.py"))
            if not p.endswith("manifest.py")]
    return sorted(srcs) + [os.path.join(ROOT, "firmware", m) for m in ("wgcrypto_pure.py", "wgcrypto_viper.py")]


def test_whole_application_built_for_xtensa():
    missing, stale = [], []
    for src in app_sources():
        mpy = os.path.join(XTENSA, os.path.relpath(src, os.path.join(ROOT, "firmware")))[:-3] + ".mpy"
        if not os.path.exists(mpy):
            missing.append(mpy)
        elif os.path.getmtime(mpy) < os.path.getmtime(src):
            stale.append(mpy)
        else:
            with open(mpy, "rb") as f:
                assert f.read(2) == b"M\x06", mpy
    assert not missing and not stale, "missing %s, older than the source %s" % (missing, stale)


def test_viper_functions_are_xtensa_code():
    mpy = os.path.join(XTENSA, "wgcrypto_viper.mpy")
    with open(mpy, "rb") as f:
        header = f.read(4)
    assert header[2] >> 2 == ARCH_XTENSAWIN
    with open(VIPER_SRC) as f:
        n_viper = len(re.findall(r"^@micropython\.viper$", f.read(), re.M))
    assert n_viper >= 8
    dump = subprocess.run([sys.executable, MPY_TOOL, "-d", mpy], capture_output=True, text=True, check=True).stdout
    # mpy-tool prints native code objects as "raw data" and bytecode as "raw bytecode".
    assert len(re.findall(r"^  raw data: \d+ ", dump, re.M)) == n_viper


@pytest.mark.parametrize("arch", ["xtensawin", "xtensa"])
def test_mpy_cross_reports_nothing(arch, tmp_path):
    # mpy-cross prints native-code errors (an Xtensa branch out of range) and still exits 0.
    r = subprocess.run([MPY_CROSS, "-march=" + arch, "-o", str(tmp_path / "v.mpy"), VIPER_SRC],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stdout + r.stderr
