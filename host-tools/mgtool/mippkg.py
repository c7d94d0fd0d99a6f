"""Build MicroGuard's `mip` packages from the manifests: `package.json` files and the files they name.

    python -m mgtool.mippkg --out build/mip [--base-url http://HOST:PORT/]

Layout of the output folder (serve it with any static HTTP server):
    microguard/package.json     engine, board package and crypto for any board: a `wgcrypto.py`
                                selector plus every native build as wgcrypto_<arch>.mpy and the
                                viper and pure-Python fallbacks (the board picks at import, from
                                sys.implementation._mpy)
    <board>/package.json        one board's whole application but main.py: the same library, its
                                boardnet.py, and only the crypto that board needs (its native
                                wgcrypto.mpy, or the fallbacks where none is built)
    natmods/<arch>/wgcrypto.mpy the native module of each architecture built
Every package.json has "urls" ([[path on the board, URL]]), "deps" and "version". mip as shipped
with MicroPython 1.25 fetches "urls" as they are written (absolute, github: or gitlab:), so the
URLs are made absolute from --base-url; without it they are relative to the package.json
(what newer mip and mpremote resolve).
"""
import argparse
import json
import os
import shutil
import sys

from . import appfiles, boards, manifestfile
from .errors import MgError

# MicroPython boards that get a package of their own (the OpenWrt ones use the .ipk).
BOARDS = ("qemu-mps2-an385", "qemu-mps2-an386", "rp2-pico-w", "esp32", "esp32-c3", "stm32-nucleo-f429zi")


def library_files(root, compiler, march=None):
    """[(board path, bytes)] of the engine and the board package, and their metadata."""
    m = manifestfile.require(root, "mgboard")
    return appfiles.compile_all(compiler, m, march), m.metadata


def fallback_files(root, compiler, march=None):
    return appfiles.compile_all(compiler, manifestfile.require(root, "wgcrypto_fallback"), march)


def write_package(out_dir, files, version, base_url, rel):
    """Write the files and package.json into out_dir; `rel` is out_dir relative to the root served."""
    urls = []
    for target, data in files:
        path = os.path.join(out_dir, target)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        urls.append([target, (base_url.rstrip("/") + "/" + rel + "/" + target) if base_url else target])
    with open(os.path.join(out_dir, "package.json"), "w") as f:
        json.dump({"urls": urls, "deps": [], "version": version}, f, indent=1)
        f.write("\n")


def build(root, out, base_url=None):
    compiler = appfiles.mpy_cross(root)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    lib, meta = library_files(root, compiler)
    version = meta.get("mgboard", {}).get("version", "0.0.0")
    archs = appfiles.built_archs(root)
    natmods = []
    for a in archs:
        with open(appfiles.natmod_path(root, a), "rb") as f:
            data = f.read()
        natmods.append((a, data))
        os.makedirs(os.path.join(out, "natmods", a))
        with open(os.path.join(out, "natmods", a, "wgcrypto.mpy"), "wb") as f:
            f.write(data)
    generic = lib + fallback_files(root, compiler) + [("wgcrypto_%s.mpy" % a, d) for a, d in natmods]
    write_package(os.path.join(out, "microguard"), generic, version, base_url, "microguard")
    made = ["microguard"]
    for name in BOARDS:
        board = boards.lookup(name, root)
        native = board.arch in archs
        march = board.arch if board.arch in boards.NATMOD_ARCHS else None
        files = appfiles.compile_all(compiler, appfiles.board_manifest(root, board), march)
        if native:
            files.append(("wgcrypto.mpy", dict(natmods)[board.arch]))
        else:
            files += fallback_files(root, compiler, march)
        write_package(os.path.join(out, name), files, version, base_url, name)
        made.append(name)
    return made, archs


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m mgtool.mippkg", description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="output folder, e.g. build/mip")
    p.add_argument("--base-url", help="where the folder will be served, e.g. http://192.168.1.10:8000/")
    args = p.parse_args(argv)
    try:
        made, archs = build(boards.project_root(), args.out, args.base_url)
    except MgError as e:
        sys.exit("mippkg: error: %s" % e)
    print("mip packages in %s: %s; native wgcrypto for %s" % (args.out, ", ".join(made), ", ".join(archs)))


if __name__ == "__main__":
    main()
