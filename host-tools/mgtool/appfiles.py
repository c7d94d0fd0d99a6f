"""The files of the board application, from the manifests: what `mgtool provision` uploads
and what the mip packages carry (one list: board/<board>/manifest.py and what it requires).

Modules are compiled with mpy-cross when it is built (bytecode is smaller and needs no
compiling on the board); modules with viper/native code are compiled for the board's
architecture, or left as .py where it is not known (the board's own emitter compiles them).
"""
import os
import subprocess
import tempfile

from . import boards, manifestfile
from .errors import MgError


def mpy_cross(root):
    path = os.path.join(root, "build", "micropython", "mpy-cross", "build", "mpy-cross")
    return path if os.access(path, os.X_OK) else None


def is_native_code(source):
    with open(source, encoding="utf-8", errors="replace") as f:
        text = f.read()
    return "@micropython.viper" in text or "@micropython.native" in text


def compile_module(compiler, source, target, march=None):
    """(path on the board, bytes) of one module: .mpy from mpy-cross, else the .py itself."""
    native = is_native_code(source)
    if not compiler or (native and not march):
        with open(source, "rb") as f:
            return target, f.read()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.mpy")
        cmd = [compiler, "-o", out, "-s", target] + (["-march=" + march] if native else []) + [source]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise MgError("mpy-cross failed on %s: %s" % (source, (r.stderr.strip().splitlines() or ["?"])[-1]))
        with open(out, "rb") as f:
            return target[:-3] + ".mpy", f.read()


def compile_all(compiler, manifest, march=None):
    return [compile_module(compiler, src, tgt, march) for tgt, src in manifest.files]


def natmod_path(root, arch):
    return os.path.join(root, "build", "natmods", arch, "wgcrypto.mpy")


def built_archs(root):
    return [a for a in boards.NATMOD_ARCHS if os.path.isfile(natmod_path(root, a))]


def board_manifest(root, board):
    path = os.path.join(root, "board", board.name, "manifest.py")
    if not os.path.isfile(path):
        raise MgError("board %s has no manifest.py (board/%s/manifest.py names its application)"
                      % (board.name, board.name))
    return manifestfile.read(root, path)


def main_py(root, board):
    """The board's main.py: board/<board>/main.py, else the shared one."""
    for path in (os.path.join(root, "board", board.name, "main.py"), os.path.join(root, "board", "shared", "main.py")):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                return f.read()
    raise MgError("no main.py for board %s" % board.name)


def crypto_choice(root, board, crypto_in_firmware=False):
    """("builtin"|"native"|"fallback", note for the user)."""
    if board.arch == boards.BUILTIN or crypto_in_firmware:
        return "builtin", "wgcrypto is built into this board's firmware: nothing to upload for it"
    if board.arch != boards.PURE and os.path.isfile(natmod_path(root, board.arch)):
        return "native", "wgcrypto.mpy for %s" % board.arch
    what = board.arch if board.arch != boards.PURE else "its architecture"
    return "fallback", ("no native wgcrypto for %s (%s is not built): uploading the fallback, viper code "
                        "where the port compiles it, else pure Python (slower; X25519 on big integers, "
                        "not constant-time)" % (board.name, what))


def crypto_files(root, board, choice, compiler):
    """[(path under lib, bytes)] for the crypto `choice` gave."""
    if choice == "native":
        with open(natmod_path(root, board.arch), "rb") as f:
            return [("wgcrypto.mpy", f.read())]
    if choice == "fallback":
        march = board.arch if board.arch in boards.NATMOD_ARCHS else None
        return compile_all(compiler, manifestfile.require(root, "wgcrypto_fallback"), march)
    return []
