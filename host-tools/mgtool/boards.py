"""What mgtool needs to know about each board: natmod arch, how to recognise it, how to flash it.

`board/<name>/board.json` (written with the board's port) is read when it exists; the table
below covers the boards MicroGuard targets when it does not.
"""
import json
import os
from dataclasses import dataclass

from .errors import MgError

PURE = "pure"          # no native build: the pure-Python wgcrypto fallback is uploaded
BUILTIN = "builtin"    # wgcrypto is part of the firmware

# name: (natmod arch, text found in sys.implementation._machine, flash method, UF2 family / esptool chip)
TABLE = {
    "qemu-mps2-an385": ("armv7m", "mps2-an385", "qemu", None),
    "qemu-mps2-an386": ("armv7emsp", "mps2-an386", "qemu", None),
    "rp2-pico-w": ("armv6m", "Pico W", "uf2", "RP2040"),
    "stm32-nucleo-f429zi": ("armv7emsp", "F429", "dfu", None),
    "esp32-c3": ("rv32imc", "ESP32C3", "esptool", "esp32c3"),
    "esp32": ("xtensawin", "ESP32", "esptool", "esp32"),        # no toolchain yet: pure fallback
}
ESP_FIRMWARE_OFFSET = {"esp32": 0x1000, "esp32c3": 0x0}
NATMOD_ARCHS = ("x64", "x86", "armv6m", "armv7m", "armv7emsp", "armv7emdp", "xtensa", "xtensawin", "rv32imc")
BUILT_ARCHS = ("x64", "armv6m", "armv7m", "armv7emsp")     # what `make build` produces today


@dataclass
class Board:
    name: str
    arch: str              # natmod arch, PURE or BUILTIN
    machine: str           # substring of sys.implementation._machine
    flash: str             # qemu | uf2 | esptool | dfu
    chip: str | None       # UF2 family name or esptool chip
    fs_root: str | None = None    # where files go on the device (None: find out on the device)

    @property
    def pure_fallback(self):
        return self.arch == PURE


def project_root():
    """The MicroGuard checkout: $MICROGUARD_ROOT, else the one this package lives in, else cwd."""
    env = os.environ.get("MICROGUARD_ROOT")
    if env:
        return env
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for cand in (here, os.getcwd()):
        if os.path.isdir(os.path.join(cand, "firmware", "wireguard")):
            return cand
    raise MgError("cannot find the MicroGuard checkout (firmware/wireguard); set MICROGUARD_ROOT")


def lookup(name, root=None):
    root = root or project_root()
    path = os.path.join(root, "board", name, "board.json")
    data = {}
    if os.path.exists(path):
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise MgError("%s: %s" % (path, e)) from None
    if name not in TABLE and not data:
        raise MgError("unknown board %r (known: %s, openwrt)" % (name, ", ".join(sorted(TABLE))))
    arch, machine, flash, chip = TABLE.get(name, (PURE, name, "none", None))
    # board.json fields are written for people ("armv7m (armv6m also loads)"): take the first word.
    text = str(data.get("natmod_arch", data.get("natmod", arch)) or PURE).split()
    if text and text[0] in NATMOD_ARCHS + (BUILTIN,):
        arch = text[0]
    elif text and text[0] in ("none", "python", "pure", "pure-python"):
        arch = PURE
    machine = data.get("machine", machine)
    method = str(data.get("flash_method", "")).split(":")[0].strip()
    if method in ("qemu", "uf2", "esptool", "dfu", "none"):
        flash = method
    return Board(name=name, arch=arch, machine=machine, flash=flash, chip=data.get("chip", chip),
                 fs_root=data.get("fs_root"))


def crypto_path(board, root=None):
    """How a board gets its WireGuard crypto, in words."""
    if board.arch == BUILTIN:
        return "built into the firmware"
    if board.arch == PURE:
        return "pure-Python fallback (slow, not constant-time)"
    built = os.path.isfile(os.path.join(root or project_root(), "build", "natmods", board.arch, "wgcrypto.mpy"))
    return "wgcrypto.mpy for %s%s" % (board.arch, "" if built else " (not built here: pure-Python fallback)")


def table(root=None):
    """[(name, arch, crypto path, flash method)] of every board under board/ and in TABLE."""
    root = root or project_root()
    names = set(TABLE)
    bdir = os.path.join(root, "board")
    if os.path.isdir(bdir):
        names |= {n for n in os.listdir(bdir) if os.path.isfile(os.path.join(bdir, n, "board.json"))}
    rows = []
    for name in sorted(names):
        data = {}
        try:
            with open(os.path.join(bdir, name, "board.json")) as f:
                data = json.load(f)
        except (OSError, ValueError):
            pass
        if data.get("kind") == "openwrt":
            rows.append((name, data.get("package_arch", "?"), "built into the microguard binary",
                         "opkg (.ipk): mgtool provision/flash --board openwrt"))
            continue
        b = lookup(name, root)
        method = {"qemu": "emulated (QEMU): files over the raw REPL", "uf2": "UF2 onto the BOOTSEL drive",
                  "esptool": "esptool over the serial port", "dfu": "DFU (dfu-util)",
                  "none": "none (files over the raw REPL)"}.get(b.flash, b.flash)
        rows.append((name, b.arch, crypto_path(b, root), method))
    return rows
