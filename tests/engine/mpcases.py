"""Finds the MicroPython-side engine checks: every top-level `def test_*():` of
every tests/engine/mp/check_*.py, read with `ast` (the checks import the
engine, which CPython need not load to list them)."""
import ast
import os

ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))
MP_DIR = os.path.join(ENGINE_DIR, "mp")
REPO = os.path.dirname(os.path.dirname(ENGINE_DIR))
FIRMWARE_DIR = os.path.join(REPO, "firmware")


def cases(module):
    """Check functions of one module, in file order."""
    with open(os.path.join(MP_DIR, module + ".py")) as f:
        tree = ast.parse(f.read(), module + ".py")
    return [n.name for n in tree.body
            if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
            and not (n.args.args or n.args.vararg or n.args.kwarg or n.args.kwonlyargs)]


def check_modules():
    return sorted(f[:-3] for f in os.listdir(MP_DIR) if f.startswith("check_") and f.endswith(".py"))


def all_cases():
    """(module, function) for every check, module by module."""
    return [(m, c) for m in check_modules() for c in cases(m)]


def engine_file(name):
    """One engine module loaded on its own from its file (no package import), for
    modules that import nothing from the engine: what CPython sees of it."""
    import importlib.util
    path = os.path.join(FIRMWARE_DIR, "wireguard", name + ".py")
    spec = importlib.util.spec_from_file_location("wire_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
