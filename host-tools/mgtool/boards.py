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
    "esp32-c3": (PURE, "ESP32C3", "esptool", "esp32c3"),      # rv32imc .mpy not built yet
    "esp32": (PURE, "ESP32", "esptool", "esp32"),             # xtensawin: no toolchain yet
}
ESP_FIRMWARE_OFFSET = {"esp32": 0x1000, "esp32c3": 0x0}


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
    arch = data.get("natmod_arch", data.get("natmod", data.get("arch", arch)))
    if arch in (None, "none", "python", "pure-python"):
        arch = PURE
    machine = data.get("machine", machine)
    flash = data.get("flash_method", data.get("flash", flash)) if isinstance(data.get("flash", flash), str) else flash
    return Board(name=name, arch=arch, machine=machine, flash=flash, chip=data.get("chip", chip),
                 fs_root=data.get("fs_root"))
