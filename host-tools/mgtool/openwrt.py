"""Provisioning an OpenWrt router through its shell console (serial, or SSH via `ssh ... sh`)."""
import os

from . import render
from .errors import MgError
from .progress import Progress
from .shell import Shell, quote

PACKAGE_TMP = "/tmp/microguard.ipk"
SERVICE = "/etc/init.d/microguard"


def check_openwrt(sh):
    code, out = sh.run("cat /etc/openwrt_release", check=False)
    if code != 0 or "OpenWrt" not in out:
        raise MgError("the console on %s is not an OpenWrt system (no /etc/openwrt_release); wrong --board?"
                      % sh.link.port)
    for line in out.splitlines():
        if line.startswith("DISTRIB_DESCRIPTION="):
            return line.split("=", 1)[1].strip("'\"")
    return "OpenWrt"


def install_package(sh, package_path, quiet=False, say=print):
    with open(package_path, "rb") as f:
        data = f.read()
    with Progress(len(data), os.path.basename(package_path), quiet) as bar:
        status = sh.push(data, PACKAGE_TMP, 0o644, progress=bar)
    say("package %s: %s, sha256 verified on the device" % (os.path.basename(package_path), status))
    sh.run("opkg install --force-reinstall %s" % PACKAGE_TMP, timeout=120)
    sh.run("rm -f %s" % PACKAGE_TMP)
    say("installed %s with opkg" % os.path.basename(package_path))


def apply_uci(sh, site, dev, quiet=False, say=print):
    batch = render.uci(site, dev)
    iface = dev.interface
    # Keep the batch (it holds the private key) readable by root only.
    dest = "/etc/microguard/%s.uci" % iface
    sh.push(batch.encode(), dest, 0o600)
    # Peer sections of an earlier provisioning go first, then the new config in one batch.
    sh.run("for s in $(uci -q show network | sed -n %s); do uci delete network.$s; done"
           % quote("s/^network\\.\\([^.=]*\\)=wireguard_%s$/\\1/p" % iface))
    sh.run("uci batch < %s" % quote(dest))
    sh.run("uci commit network")
    say("applied UCI: interface %s with %d peers" % (iface, len(site.peers_of(dev))))


def start_service(sh, dev, new_handler=False, say=print):
    code, _ = sh.run("[ -x %s ]" % SERVICE, check=False)
    if code == 0:
        sh.run("%s enable" % SERVICE)
        sh.run("%s restart" % SERVICE, timeout=60)
        say("service microguard enabled and started")
    # netifd brings up a new or changed interface on reload (auto defaults to on),
    # but reads protocol handlers only when it starts: a fresh install needs a restart.
    action = "restart" if new_handler else "reload"
    sh.run("/etc/init.d/network %s" % action, timeout=60)
    say("network %s: interface %s configured" % ("restarted" if new_handler else "reloaded", dev.interface))


def provision(link, site, dev, package=None, user="root", password=None, quiet=False, say=print):
    sh = Shell(link)
    sh.login(user, password)
    desc = check_openwrt(sh)
    say("logged in: %s" % desc)
    if package:
        install_package(sh, package, quiet, say)
    if dev is not None:
        apply_uci(sh, site, dev, quiet, say)
        start_service(sh, dev, new_handler=bool(package), say=say)
    return sh
