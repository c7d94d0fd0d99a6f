"""The `mgtool` command line: argument parsing only; the work is done by the library modules."""
import argparse
import sys

from . import __version__
from .errors import MgError

DESCRIPTION = """\
MicroGuard host tools: WireGuard keys, site configs, flashing and provisioning of
MicroPython boards and OpenWrt routers over a serial console.

typical flow:
  mgtool keygen -o hub.key                     make keys (same format as `wg genkey`, mode 600)
  mgtool config site.toml --check              validate the site description
  mgtool config site.toml --out out/           write every device's config
  mgtool provision --port /dev/ttyACM0 --board rp2-pico-w --site site.toml --device sensor
  mgtool status --port /dev/ttyACM0
  mgtool boards                                the boards mgtool knows
  mgtool fs ls --port auto :/flash             a board's files (also cat, cp, rm); reset [--hard]
  mgtool remote --host 10.0.0.2 --stats        a board's console, through the tunnel
"""


def _keygen(args):
    from . import keys, secretio
    secretio.emit_secret(keys.genkey(), args.output)


def _psk(args):
    from . import keys, secretio
    secretio.emit_secret(keys.genpsk(), args.output)


def _pubkey(args):
    from . import keys
    print(keys.pubkey(sys.stdin.read(), "the private key on standard input"))


def _config(args):
    from . import configcmd
    configcmd.run(args.site, device=args.device, fmt=args.format, out_dir=args.out, show_qr=args.qr,
                  check=args.check, resolve=args.resolve)


def _provision(args):
    from . import provisioncmd
    provisioncmd.run(args)


def _flash(args):
    from . import flashcmd
    flashcmd.run(args)


def _console(args):
    from . import console
    console.run(args.port, args.baud)


def _status(args):
    from . import statuscmd
    statuscmd.run(args)


def _remote(args):
    from . import remotecmd
    remotecmd.run(args)


def _fs(args):
    from . import fscmd
    {"ls": fscmd.ls, "cat": fscmd.cat, "cp": fscmd.cp, "rm": fscmd.rm}[args.fs_command](args)


def _reset(args):
    from . import fscmd
    fscmd.reset(args)


def _boards(args):
    from . import boards
    rows = [("BOARD", "ARCH", "CRYPTO", "FLASH METHOD")] + boards.table()
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        sys.stdout.write("%-*s  %-*s  %-*s  %s\n" % (widths[0], r[0], widths[1], r[1], widths[2], r[2], r[3]))


def _add_debug(p, top=False):
    p.add_argument("-v", "--debug", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="print a timestamped transcript of the serial exchange on stderr")


def _add_port(p, required=True):
    p.add_argument("--port", "-p", required=required, metavar="TTY",
                   help="serial port of the device, e.g. /dev/ttyACM0, /dev/ttyUSB0, /dev/pts/3, or auto "
                        "(the one USB serial device with a known board's VID:PID)")
    _add_debug(p)
    p.add_argument("--baud", type=int, default=115200, help="baud rate (default 115200)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="how long to wait for the device to answer (default 10)")


def _add_password(p, what="OpenWrt: the console's password, when it asks for one"):
    p.add_argument("--password-file", metavar="FILE",
                   help="%s, read from the first line of FILE (or set MGTOOL_PASSWORD; in a terminal "
                        "you are asked)" % what)
    p.add_argument("--password", default=None,
                   help="the password on the command line (discouraged: it shows in `ps` and in "
                        "shell history)")


def _add_output(p, what):
    p.add_argument("--output", "-o", metavar="FILE",
                   help="write the %s to FILE, readable by you only (mode 600)" % what)


def build_parser():
    parser = argparse.ArgumentParser(prog="mgtool", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version="mgtool " + __version__)
    _add_debug(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="<command>", required=True)

    p = sub.add_parser("keygen", help="print a new private key (like `wg genkey`)",
                       description="Print a new random Curve25519 private key, base64, like `wg genkey`. "
                                   "Printed into a file others can read, it warns as `wg` does.")
    _add_output(p, "private key")
    p.set_defaults(func=_keygen)
    p = sub.add_parser("pubkey", help="read a private key on stdin, print its public key (like `wg pubkey`)",
                       description="Read a base64 private key on standard input and print its public key.\n"
                                   "example: mgtool keygen | tee hub.key | mgtool pubkey > hub.pub",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=_pubkey)
    p = sub.add_parser("psk", help="print a new preshared key (like `wg genpsk`)",
                       description="Print a new random 32-byte preshared key, base64, like `wg genpsk`.")
    _add_output(p, "preshared key")
    p.set_defaults(func=_psk)

    p = sub.add_parser("config", help="render a site description (TOML) into each device's config",
                       description="Render a site description (TOML) into wg-quick .conf files, OpenWrt UCI "
                                   "commands and board configs. Every problem of the file is reported in one run, each as "
                                   "file:line:column: message. The format: docs/site-file.md.\n\n"
                                   "formats: wg-quick (.conf), uci (`uci batch` input for /etc/config/network), "
                                   "board (JSON for mgboard.Tunnel on a MicroPython board)",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("site", help="the site description, e.g. site.toml")
    p.add_argument("--device", "-d", help="only this device")
    p.add_argument("--format", "-f", choices=("wg-quick", "uci", "board"),
                   help="only this format (default: what suits each device's kind)")
    p.add_argument("--out", "-o", metavar="DIR", help="write files here (default: one config to stdout)")
    p.add_argument("--qr", action="store_true", help="print the device's wg-quick config as a QR code (phones)")
    p.add_argument("--check", action="store_true", help="only validate the site description")
    p.add_argument("--resolve", action="store_true",
                   help="also check that every endpoint's host name resolves (DNS, /etc/hosts)")
    p.set_defaults(func=_config)

    p = sub.add_parser("provision", help="install MicroGuard and its config on a device over a serial console",
                       description="MicroPython boards (--board <name>): upload the firmware, the right "
                                   "wgcrypto module and the config over the raw REPL; generate the private key "
                                   "on the device and print its public key. Every file is hashed on the device "
                                   "and written atomically; an interrupted upload resumes.\n\n"
                                   "OpenWrt (--board openwrt): log in on the shell console, push the package and "
                                   "config, install, apply UCI, enable and start the service.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_port(p)
    p.add_argument("--board", "-b", required=True,
                   help="board name (see board/), e.g. qemu-mps2-an386, rp2-pico-w, or openwrt")
    p.add_argument("--site", "-s", help="site description to take the device's config from")
    p.add_argument("--device", "-d", help="the device's name in the site description")
    p.add_argument("--package", metavar="IPK", help="OpenWrt: our .ipk package to install")
    p.add_argument("--user", default="root", help="OpenWrt: login name at a login prompt (default root)")
    _add_password(p)
    p.add_argument("--new-key", action="store_true",
                   help="boards: make a new private key even if the device already has one")
    p.add_argument("--no-firmware", action="store_true", help="boards: upload only the config")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_provision)

    p = sub.add_parser("flash", help="write firmware or install the package (per board method)",
                       description="esp32, esp32-c3: write a firmware image with esptool (--port). "
                                   "rp2-pico-w: copy a UF2 (or a .bin, converted) to the board's mounted BOOTSEL "
                                   "drive (--drive). openwrt: install an .ipk over the serial console (--port) or "
                                   "SSH (--ssh); a sysupgrade image is checked with `sysupgrade -T` before "
                                   "anything is written.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("image", help="firmware image (.bin, .uf2) or OpenWrt package (.ipk) / sysupgrade image")
    p.add_argument("--board", "-b", required=True, help="board name, e.g. rp2-pico-w, esp32-c3, esp32, openwrt")
    _add_port(p, required=False)
    p.add_argument("--drive", metavar="DIR", help="rp2: the mounted BOOTSEL drive (e.g. /media/$USER/RPI-RP2)")
    p.add_argument("--ssh", metavar="USER@HOST", help="openwrt: use SSH instead of the serial console")
    p.add_argument("--address", type=lambda s: int(s, 0), default=None,
                   help="esp: flash offset (default: the board's firmware offset)")
    p.add_argument("--no-keep", action="store_true", help="openwrt sysupgrade: do not keep the configuration")
    p.add_argument("--user", default="root", help="openwrt console login name (default root)")
    _add_password(p)
    p.set_defaults(func=_flash)

    p = sub.add_parser("console", help="a serial terminal (Ctrl-] to leave)",
                       description="Connect the terminal to a serial port. Ctrl-] leaves.")
    _add_port(p)
    p.set_defaults(func=_console)

    p = sub.add_parser("status", help="show the tunnel status of a device over its serial port",
                       description="Ask the device for its tunnel state: public key, peer, handshake age, "
                                   "traffic (boards through the raw REPL; --board openwrt through the shell).")
    _add_port(p)
    p.add_argument("--board", "-b", default=None, help="board name; openwrt for a router console")
    p.add_argument("--user", default="root", help="openwrt: login name at a login prompt (default root)")
    _add_password(p, "openwrt: the console's password, when it asks for one")
    p.set_defaults(func=_status)

    p = sub.add_parser("fs", help="a board's files: ls, cat, cp, rm (through its raw REPL)",
                       description="A MicroPython board's files, as mpremote's fs: board paths may be "
                                   "written with a leading ':' (cp needs it on the board's side). Copies to the "
                                   "board are hashed on the board and renamed into place.\n\n"
                                   "examples:\n  mgtool fs ls --port auto :/flash\n"
                                   "  mgtool fs cp main.py :/flash/main.py --port /dev/ttyACM0\n"
                                   "  mgtool fs cat :/flash/wireguard.json -p /dev/ttyACM0\n"
                                   "  mgtool fs rm :/flash/main.py -p /dev/ttyACM0     (a stuck main.py)",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    fs = p.add_subparsers(dest="fs_command", metavar="<fs command>", required=True)
    q = fs.add_parser("ls", help="list a directory (default: the board's current one)")
    q.add_argument("path", nargs="?", default=":", help="board path, e.g. :/flash")
    _add_port(q)
    q = fs.add_parser("cat", help="print a file of the board")
    q.add_argument("path", help="board path, e.g. :/flash/main.py")
    _add_port(q)
    q = fs.add_parser("cp", help="copy a file between the host and the board (':' marks the board)")
    q.add_argument("src")
    q.add_argument("dst")
    _add_port(q)
    q = fs.add_parser("rm", help="remove files (or empty directories) of the board")
    q.add_argument("paths", nargs="+", metavar="path")
    _add_port(q)
    p.set_defaults(func=_fs)

    p = sub.add_parser("reset", help="reset a board: soft (Ctrl-D, main.py runs again) or --hard",
                       description="Soft reset: Ctrl-D at the board's REPL (boot.py and main.py run again). "
                                   "--hard: machine.reset(), as a power cycle.")
    _add_port(p)
    p.add_argument("--hard", action="store_true", help="machine.reset() instead of a soft reset")
    p.set_defaults(func=_reset)

    p = sub.add_parser("boards", help="list the known boards: arch, crypto, flash method",
                       description="The boards MicroGuard knows (board/*/board.json): natmod arch, how the "
                                   "board gets its crypto, and how it is flashed.")
    p.set_defaults(func=_boards)

    p = sub.add_parser("remote", help="run a command on a board through the tunnel (its command console)",
                       description="Talk to a board's command console on its tunnel address: run Python "
                                   "there and print what it printed, or show its tunnel stats. Only the "
                                   "peers the board's config names (the hub by default) are answered.")
    p.add_argument("--host", required=True, help="the board's tunnel address, e.g. 10.0.0.2")
    p.add_argument("--tcp-port", type=int, default=23, help="the console's TCP port (default 23)")
    p.add_argument("--exec", "-c", default=None, metavar="CODE", help="Python to run on the board")
    p.add_argument("--stats", action="store_true", help="print the board's tunnel stats as JSON")
    p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS", help="default 20")
    p.set_defaults(func=_remote)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if getattr(args, "debug", False):
        from . import link
        link.DEBUG = True
    try:
        args.func(args)
    except MgError as e:
        for line in getattr(e, "details", ()):       # e.g. every problem of a site file
            sys.stderr.write(line + "\n")
        sys.stderr.write("mgtool: error: %s\n" % e)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("mgtool: interrupted\n")
        return 130
    except BrokenPipeError:
        return 1
    return 0
