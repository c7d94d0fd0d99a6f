"""Imports go one way: wgcrypto -> wireguard (the engine) -> drivers (microguard,
mgboard) -> the board's bring-up (boardnet.py, main.py).

Every import statement, anywhere in a module (inside functions and try blocks
too), and every __import__() call is read from the source with `ast`: an
import that only runs on some boards is still an import. Each layer may import
only itself, the layers below it and the MicroPython modules listed here.
"""
import ast
import glob
import os
import textwrap

import pytest

FIRMWARE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "firmware")

# MicroPython's own modules that do no I/O and read no clock: what the engine
# and the crypto layer may use. `os` is there for os.urandom, the default rng.
MP_PURE = {"array", "binascii", "collections", "errno", "gc", "micropython", "os", "struct", "sys"}
# What drivers may use on top: the event loop, clocks, sockets, files, hardware.
MP_IO = {"asyncio", "time", "socket", "select", "json", "io", "machine", "network", "vfs", "ntptime"}
# The crypto layer: the native module, its pure fallback, its viper fast path.
WGCRYPTO = {"wgcrypto", "wgcrypto_pure", "wgcrypto_viper"}

ALLOWED = {
    "wgcrypto": WGCRYPTO | MP_PURE,
    "wireguard": {"wireguard"} | WGCRYPTO | MP_PURE,
    "mgboard": {"mgboard", "wireguard"} | WGCRYPTO | MP_PURE | MP_IO,
    # linuxio: the daemon's C helper (natmods), the Linux counterpart of a board's hardware modules.
    "microguard": {"microguard", "wireguard", "linuxio"} | WGCRYPTO | MP_PURE | MP_IO,
}


def imported_names(source, package, filename="<source>"):
    """(line, top-level module name) of every import in `source`, a module of `package`."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append((node.lineno, node.module.split(".")[0]))
            elif node.level == 1:
                found.append((node.lineno, package))    # a sibling module of the same package
            else:
                found.append((node.lineno, "<relative import above %s>" % package))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
                arg = arg.left                          # "pkg." + name: the prefix names the package
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((node.lineno, arg.value.split(".")[0]))
            else:
                found.append((node.lineno, "<dynamic __import__>"))
    return found


def violations(source, layer, filename="<source>"):
    return ["%s:%d imports %s" % (filename, line, name) for line, name in imported_names(source, layer, filename)
            if name not in ALLOWED[layer]]


def layer_files(layer):
    if layer == "wgcrypto":
        files = [os.path.join(FIRMWARE, m + ".py") for m in sorted(WGCRYPTO)]
        return [f for f in files if os.path.exists(f)]
    return sorted(glob.glob(os.path.join(FIRMWARE, layer, "*.py")))


@pytest.mark.parametrize("layer", list(ALLOWED))
def test_layer_imports_only_downward(layer):
    files = layer_files(layer)
    assert files, "no modules found for %s" % layer
    bad = []
    for path in files:
        with open(path) as f:
            bad += violations(f.read(), layer, os.path.relpath(path, FIRMWARE))
    assert not bad, "imports against the layering (%s may import only %s):\n%s" % (
        layer, ", ".join(sorted(ALLOWED[layer])), "\n".join(bad))


def test_engine_is_walked_whole():
    # The walk sees the engine's own relative imports and its crypto import:
    # an AST change that hid them would make the layer test pass vacuously.
    names = set()
    for path in layer_files("wireguard"):
        with open(path) as f:
            names |= {n for _, n in imported_names(f.read(), "wireguard", path)}
    assert {"wireguard", "wgcrypto", "struct"} <= names


VIOLATING = textwrap.dedent('''
    import struct
    from .device import Device
    try:
        import asyncio
    except ImportError:
        pass

    def later():
        from mgboard.clock import Monotonic
        import time
        return __import__("boardnet")

    def dynamic(name):
        return __import__(name)
''')


def test_checker_reports_each_violation():
    bad = violations(VIOLATING, "wireguard")
    assert [b.split(" imports ")[1] for b in bad] == ["asyncio", "mgboard", "time", "boardnet", "<dynamic __import__>"]
    # A driver importing the board's bring-up, and a relative import out of its package.
    assert violations("import boardnet\nfrom .. import main\n", "mgboard") == [
        "<source>:1 imports boardnet", "<source>:2 imports <relative import above mgboard>"]
    assert violations("import main\n", "microguard") == ["<source>:1 imports main"]
    # The crypto layer sits below the engine.
    assert violations("from wireguard import constants\n", "wgcrypto") == ["<source>:1 imports wireguard"]
