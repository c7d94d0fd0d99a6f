"""`mgtool provision`: check everything on the host first, then talk to the device."""
import os
import sys

from . import site as sitemod
from .errors import MgError
from .link import Link
from .secretio import Password


def say(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def _site_device(args, kinds):
    if not args.site:
        return None, None
    site = sitemod.load(args.site)
    if not args.device:
        raise MgError("--site needs --device naming the device to provision")
    dev = site.device(args.device)
    if dev.kind not in kinds:
        raise MgError("device %r is kind %r in %s; --board %s needs kind %s"
                      % (dev.name, dev.kind, args.site, args.board, " or ".join(repr(k) for k in kinds)))
    return site, dev


def run(args):
    if args.device and not args.site:
        raise MgError("--device %s needs --site, the site file that describes it" % args.device)
    if args.board == "openwrt" or args.board.startswith("openwrt-"):
        return run_openwrt(args)
    from . import boardprov
    return boardprov.run(args, say)


def run_openwrt(args):
    from . import openwrt, render
    site, dev = _site_device(args, ("openwrt",))
    if dev is not None:
        render.uci(site, dev)             # a device without a private key fails here, before any I/O
    if args.package and not os.path.isfile(args.package):
        raise MgError("no such package file %s" % args.package)
    if dev is None and not args.package:
        raise MgError("nothing to do: give --site/--device for the config and/or --package")
    password = Password.from_args(args)     # a password file that cannot be read fails before any I/O
    link = Link(args.port, args.baud, args.timeout)
    try:
        openwrt.provision(link, site, dev, package=args.package, user=args.user, password=password,
                          quiet=args.quiet, say=say)
    finally:
        link.close()
    say("done")
