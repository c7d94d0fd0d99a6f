"""No branch depends on secret data, in both field widths.

The portable C library is built natively with a harness that marks keys,
plaintexts, scalars and points undefined for valgrind memcheck; memcheck then
reports every conditional jump or move computed from them.  (This memcheck
does not report secret-derived load addresses, so table indexes are not
covered here: the library has no secret-indexed tables by construction.)
"""
import os
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(ROOT, "natmods", "wgcrypto")
LIB = ["chacha20.c", "poly1305.c", "poly1305_c32.c", "poly1305_c64.c", "chacha20poly1305.c",
       "blake2s.c", "hkdf_blake2s.c", "curve25519.c", "curve25519_fe_c32.c", "curve25519_fe_c64.c", "curve25519_r32.c",
       "wgcrypto_arch.c"]


def build(width, tmp_path):
    exe = str(tmp_path / ("ct-" + width))
    flags = ["-DWGCRYPTO_CT_CHECK"] + (["-DWGCRYPTO_FORCE_C32"] if width == "c32" else [])
    subprocess.run(["gcc", "-O2", "-g", "-std=c99", "-I", SRC] + flags + [os.path.join(HERE, "ct_harness.c")]
                   + [os.path.join(SRC, f) for f in LIB] + ["-o", exe], check=True)
    return exe


def memcheck(exe, *args):
    return subprocess.run(["valgrind", "--error-exitcode=99", "--track-origins=yes", exe] + list(args),
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("width", ["c64", "c32"])
def test_no_secret_dependent_branches_or_indexes(width, tmp_path):
    r = memcheck(build(width, tmp_path))
    assert "constant-time harness done" in r.stdout
    assert r.returncode == 0, r.stderr[-6000:]
    assert "ERROR SUMMARY: 0 errors" in r.stderr


def test_checker_catches_a_secret_branch(tmp_path):
    r = memcheck(build("c64", tmp_path), "leak")
    assert r.returncode == 99
    assert "Conditional jump or move depends on uninitialised value" in r.stderr
