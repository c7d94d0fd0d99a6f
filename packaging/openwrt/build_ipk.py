#!/usr/bin/env python3
"""Build OpenWrt .ipk packages of MicroGuard without the OpenWrt SDK.

One package per OpenWrt package architecture named in board/openwrt-*/board.json,
each holding that target's static MicroPython build, the firmware packages
(`wireguard`, `microguard`) precompiled to .mpy, the launcher, the procd init
script and the netifd protocol handler.

The .ipk layout is the one OpenWrt's own builds produce and opkg installs: a
gzip-compressed tar holding ./debian-binary ("2.0"), ./data.tar.gz and
./control.tar.gz; the inner archives are gzip-compressed GNU tars with
numeric owner root:root, sorted names and one fixed timestamp, so a rebuild
from the same inputs gives the same bytes. A `Packages` index (and
Packages.gz) next to the packages makes the directory an opkg feed.

    build_ipk.py [--out DIR] [--arch ARCH ...] [--mpy-cross PATH]
"""
import argparse
import glob
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FILES = os.path.join(HERE, "files")
NAME = "microguard"
RELEASE = "1"
# The daemon's package; its manifest (firmware/microguard/manifest.py) and the
# ones it requires name every module the package carries. The crypto fallbacks
# stay out (wgcrypto is built into the interpreter).
FIRMWARE_PACKAGES = ("microguard",)
sys.path.insert(0, os.path.join(ROOT, "host-tools"))
from mgtool import manifestfile  # noqa: E402  (the manifest reader mgtool provision uses)
LIB = "usr/lib/microguard"
DESCRIPTION = """\
 Userspace WireGuard written in MicroPython: a drop-in for wireguard-go
 (wg, wg-quick and /var/run/wireguard/<if>.sock work unchanged) that also
 runs without wireguard-tools. Adds the netifd protocol 'microguard' with
 the UCI options of proto 'wireguard', and a procd service for
 /etc/microguard/<ifname>.conf files. For routers whose kernel lacks the
 WireGuard module. Static build: no library dependencies."""


def version():
    text = open(os.path.join(ROOT, "firmware", "microguard", "__init__.py")).read()
    m = re.search(r'VERSION\s*=\s*"([^"]+)"', text)
    if not m:
        raise SystemExit("no VERSION in firmware/microguard/__init__.py")
    return "%s-r%s" % (m.group(1), RELEASE)


def source_epoch():
    """SOURCE_DATE_EPOCH, else the last commit's time, else 0: one timestamp for every entry."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, check=True).stdout.strip()
        return int(out)
    except (subprocess.CalledProcessError, ValueError, OSError):
        return 0


def targets():
    """{package arch: {"binary": path, "boards": [...], "cpu": ..., "qemu_user": ...}} from board/openwrt-*."""
    out = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "board", "openwrt-*", "board.json"))):
        with open(path) as f:
            b = json.load(f)
        t = out.setdefault(b["package_arch"], {"binary": os.path.join(ROOT, b["build"]),
                                               "router_arch": b["router_arch"],
                                               "qemu_user": b["qemu_user"], "boards": []})
        t["boards"].append(b["name"])
    return out


def compile_firmware(mpy_cross, workdir):
    """[(path inside the package, bytes)] for the firmware, as .mpy (or .py without mpy-cross)."""
    out = []
    for target, src in manifestfile.require(ROOT, *FIRMWARE_PACKAGES).files:
        out.append(_module(mpy_cross, workdir, src, target[:-3]))
    out.append(_module(mpy_cross, workdir, os.path.join(FILES, "mgkeys.py"), "mgkeys"))
    return out


def _module(mpy_cross, workdir, src, dotted):
    if not mpy_cross:
        with open(src, "rb") as f:
            return ("%s/%s.py" % (LIB, dotted), f.read())
    dst = os.path.join(workdir, dotted.replace("/", "_") + ".mpy")
    subprocess.run([mpy_cross, "-o", dst, "-s", dotted + ".py", src], check=True)
    with open(dst, "rb") as f:
        return ("%s/%s.mpy" % (LIB, dotted), f.read())


def _read(name):
    with open(os.path.join(FILES, name), "rb") as f:
        return f.read()


def data_entries(binary, modules):
    """{path: (mode, bytes or None for a directory)} of everything installed."""
    with open(binary, "rb") as f:
        interp = f.read()
    files = {
        "usr/sbin/microguard": (0o755, _read("microguard")),
        LIB + "/micropython": (0o755, interp),
        "etc/init.d/microguard": (0o755, _read("microguard.init")),
        "lib/netifd/proto/microguard.sh": (0o755, _read("microguard.proto")),
        "etc/microguard": (0o700, None),
    }
    for path, data in modules:
        files[path] = (0o644, data)
    # Parent directories, 0755 like OpenWrt's.
    for path in list(files):
        parts = path.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            files.setdefault(d, (0o755, None))
    return files


def _tar_gz(entries, mtime):
    """A gzip'd GNU tar of {name: (mode, bytes|None)}, "./"-prefixed, sorted, root:root."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        root = tarfile.TarInfo("./")
        root.type, root.mode, root.mtime = tarfile.DIRTYPE, 0o755, mtime
        tar.addfile(root)
        for name in sorted(entries):
            mode, data = entries[name]
            info = tarfile.TarInfo("./" + name + ("/" if data is None else ""))
            info.mode, info.mtime, info.uid, info.gid, info.uname, info.gname = mode, mtime, 0, 0, "", ""
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return _gzip(raw.getvalue(), mtime), len(raw.getvalue())


def _gzip(data, mtime):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=mtime, filename="") as g:
        g.write(data)
    return out.getvalue()


def control_text(arch, installed_size, ver):
    return ("Package: %s\nVersion: %s\nDepends: kmod-tun\nSource: microguard\nSourceName: %s\n"
            "Section: net\nCategory: Network\nTitle: MicroGuard userspace WireGuard\n"
            "Architecture: %s\nInstalled-Size: %d\nDescription: MicroGuard, a userspace WireGuard daemon in MicroPython\n%s\n"
            % (NAME, ver, NAME, arch, installed_size, DESCRIPTION))


def build_ipk(arch, binary, modules, mtime, ver):
    """The .ipk bytes and its control text."""
    data_gz, data_size = _tar_gz(data_entries(binary, modules), mtime)
    # Installed-Size as OpenWrt's ipkg-build counts it: the uncompressed data tar.
    control = control_text(arch, data_size, ver)
    ctl = {"control": (0o644, control.encode()),
           "postinst": (0o755, _read("postinst")),
           "prerm": (0o755, _read("prerm"))}
    control_gz, _ = _tar_gz(ctl, mtime)
    outer = io.BytesIO()
    with tarfile.open(fileobj=outer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in (("debian-binary", b"2.0\n"), ("data.tar.gz", data_gz),
                           ("control.tar.gz", control_gz)):
            info = tarfile.TarInfo("./" + name)
            info.size, info.mode, info.mtime, info.uname, info.gname = len(data), 0o644, mtime, "", ""
            tar.addfile(info, io.BytesIO(data))
    return _gzip(outer.getvalue(), mtime), control


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "packages", "openwrt"))
    ap.add_argument("--arch", action="append", help="package arch (default: every board/openwrt-* target)")
    ap.add_argument("--mpy-cross", default=os.path.join(ROOT, "build", "micropython", "mpy-cross",
                                                        "build", "mpy-cross"),
                    help="mpy-cross to precompile with; 'none' ships .py sources")
    args = ap.parse_args(argv)
    all_targets = targets()
    archs = args.arch or sorted(all_targets)
    for a in archs:
        if a not in all_targets:
            raise SystemExit("unknown package arch %s (known: %s)" % (a, ", ".join(sorted(all_targets))))
        if not os.path.exists(all_targets[a]["binary"]):
            raise SystemExit("%s: %s is not built (make build)" % (a, all_targets[a]["binary"]))
    mpy_cross = None if args.mpy_cross == "none" else args.mpy_cross
    if mpy_cross and not os.access(mpy_cross, os.X_OK):
        raise SystemExit("mpy-cross not found at %s (or pass --mpy-cross none)" % mpy_cross)
    os.makedirs(args.out, exist_ok=True)
    mtime = source_epoch()
    ver = version()
    with tempfile.TemporaryDirectory() as work:
        modules = compile_firmware(mpy_cross, work)
    index = []
    for a in archs:
        ipk, control = build_ipk(a, all_targets[a]["binary"], modules, mtime, ver)
        name = "%s_%s_%s.ipk" % (NAME, ver, a)
        path = os.path.join(args.out, name)
        with open(path + ".tmp", "wb") as f:
            f.write(ipk)
        os.replace(path + ".tmp", path)
        size = len(ipk)
        installed = int(re.search(r"^Installed-Size: (\d+)$", control, re.M).group(1))
        print("package: %-50s %7d bytes (installed %d)" % (name, size, installed))
        index.append(control.rstrip("\n") + "\nFilename: %s\nSize: %d\nSHA256sum: %s\n"
                     % (name, size, hashlib.sha256(ipk).hexdigest()))
    # Keep the feed index in step with what is in the directory.
    text = "\n".join(index) + "\n"
    with open(os.path.join(args.out, "Packages"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "Packages.gz"), "wb") as f:
        f.write(_gzip(text.encode(), mtime))
    return 0


if __name__ == "__main__":
    sys.exit(main())
