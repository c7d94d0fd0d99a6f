"""`mgtool flash`: put firmware on a board, by the board's own method."""
import os
import shlex
import subprocess
import sys

from . import boards, uf2
from .errors import MgError
from .secretio import Password

RP2040_FLASH_BASE = 0x10000000


def say(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def run(args):
    if not os.path.isfile(args.image):
        raise MgError("no such file %s" % args.image)
    if args.board == "openwrt" or args.board.startswith("openwrt-"):
        return flash_openwrt(args)
    board = boards.lookup(args.board)
    if board.flash == "uf2":
        if not args.drive:
            raise MgError("%s is flashed by copying a UF2 to its BOOTSEL drive: give --drive "
                          "(hold BOOTSEL while plugging it in; it mounts as RPI-RP2)" % board.name)
        return flash_uf2(args.image, args.drive, board.chip)
    if board.flash == "esptool":
        if not args.port:
            raise MgError("%s is flashed over its serial port: give --port" % board.name)
        from .link import resolve_port
        return flash_esp(args.image, resolve_port(args.port), board.chip, args.address, args.baud)
    raise MgError("%s is not flashed by mgtool (method %r); see board/%s" % (board.name, board.flash, board.name))


# --- RP2040: UF2 onto the BOOTSEL mass-storage drive ----------------------------------------------

def _crc32_mpeg2(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def check_rp2040_bin(blob, name):
    """A flash image for the RP2040 starts with the 256-byte second-stage bootloader, whose last
    4 bytes are its CRC-32 (the boot ROM refuses to run it otherwise), then the vector table:
    the initial stack pointer in SRAM and a Thumb reset address in flash (XIP)."""
    import struct
    if len(blob) < 0x108:
        raise MgError("%s is %d bytes: too small for an RP2040 flash image (boot2 and a vector table); "
                      "nothing was written" % (name, len(blob)))
    if _crc32_mpeg2(blob[:252]) != struct.unpack_from("<I", blob, 252)[0]:
        raise MgError("%s does not start with an RP2040 second-stage bootloader (its CRC-32 does not "
                      "match): not an RP2040 firmware image; nothing was written" % name)
    sp, reset = struct.unpack_from("<II", blob, 0x100)
    if not 0x20000000 <= sp <= 0x20042000 or not (0x10000000 <= reset < 0x11000000 and reset & 1):
        raise MgError("%s has no RP2040 vector table after its bootloader (stack 0x%08x, reset 0x%08x); "
                      "nothing was written" % (name, sp, reset))


def flash_uf2(image, drive, family):
    info = os.path.join(drive, "INFO_UF2.TXT")
    if not os.path.isfile(info):
        raise MgError("%s has no INFO_UF2.TXT: not a UF2 bootloader drive (is the board in BOOTSEL mode?)" % drive)
    with open(image, "rb") as f:
        blob = f.read()
    want = uf2.FAMILIES[family]
    if image.lower().endswith(".uf2"):
        img = uf2.read(blob, image)
        if img.family_id is not None and img.family_id != want:
            raise MgError("%s is for family %s, not %s; wrong firmware for this board"
                          % (image, uf2.FAMILY_NAMES.get(img.family_id, "0x%08x" % img.family_id), family))
        data = blob
    else:
        check_rp2040_bin(blob, image)
        data = uf2.write(blob, RP2040_FLASH_BASE, family)
        uf2.read(data)              # what we write must pass our own reader
    dest = os.path.join(drive, "MICROGUARD.UF2" if not image.lower().endswith(".uf2") else os.path.basename(image))
    try:
        with open(dest, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        raise MgError("writing %s failed: %s" % (dest, e.strerror)) from None
    say("wrote %s (%d UF2 blocks, family %s); the board reboots into the new firmware"
        % (dest, len(data) // uf2.BLOCK_SIZE, family))


# --- ESP32 family: esptool's Python API -----------------------------------------------------------

def flash_esp(image, port, chip, address, baud):
    if not os.path.exists(port):
        raise MgError("no such serial port %s" % port)
    try:
        from esptool.cmds import attach_flash, detect_chip, reset_chip, run_stub, write_flash
        from esptool.util import FatalError
    except ImportError:
        raise MgError("esptool is not installed (pip install esptool)") from None
    offset = boards.ESP_FIRMWARE_OFFSET.get(chip, 0) if address is None else address
    try:
        with detect_chip(port, baud=baud if baud != 115200 else 460800) as esp:
            found = esp.CHIP_NAME.lower().replace("-", "")
            if found != chip:
                raise MgError("the chip on %s is %s, not %s; wrong --board?" % (port, esp.CHIP_NAME, chip))
            esp = run_stub(esp)
            attach_flash(esp)
            write_flash(esp, [(offset, image)])
            reset_chip(esp, "hard-reset")
    except FatalError as e:
        raise MgError("esptool: %s" % str(e).splitlines()[0]) from None
    except OSError as e:
        raise MgError("esptool: %s" % e) from None
    say("flashed %s at 0x%x on %s" % (os.path.basename(image), offset, port))


# --- OpenWrt: our package (opkg), or a sysupgrade image after `sysupgrade -T` ----------------------

def _openwrt_shell(args):
    from .link import Link
    from .shell import Shell
    if args.ssh:
        from .pipelink import PipeLink
        link = PipeLink(["ssh", "-T", "-o", "BatchMode=yes", args.ssh, "sh"], args.ssh, args.timeout)
        sh = Shell(link)
        sh.start_plain()
    else:
        if not args.port:
            raise MgError("give --port (serial console) or --ssh USER@HOST")
        link = Link(args.port, args.baud, args.timeout)
        sh = Shell(link)
        sh.login(args.user, Password.from_args(args))
    return link, sh


def flash_openwrt(args):
    from . import openwrt
    from .progress import Progress
    from .shell import quote
    is_package = args.image.endswith(".ipk")
    link, sh = _openwrt_shell(args)
    try:
        openwrt.check_openwrt(sh)
        if is_package:
            openwrt.install_package(sh, args.image, say=say)
            return
        with open(args.image, "rb") as f:
            data = f.read()
        dest = "/tmp/" + os.path.basename(args.image)
        with Progress(len(data), os.path.basename(args.image)) as bar:
            sh.push(data, dest, 0o644, progress=bar)
        code, out = sh.run("sysupgrade -T %s" % quote(dest), check=False, timeout=120)
        if code != 0:
            sh.run("rm -f %s" % quote(dest), check=False)
            last = out.strip().splitlines()[-1] if out.strip() else "no reason given"
            raise MgError("sysupgrade -T rejected %s (%s); nothing was written" % (args.image, last))
        say("sysupgrade -T: image accepted")
        # The router reboots into the new image; the console goes quiet at once.
        link.write(("sysupgrade %s%s\r" % ("-n " if args.no_keep else "", shlex.quote(dest))).encode())
        say("sysupgrade started (%s the configuration); the router reboots"
            % ("not keeping" if args.no_keep else "keeping"))
    finally:
        link.close()
