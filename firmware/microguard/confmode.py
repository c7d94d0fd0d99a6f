# `microguard --config FILE.conf IFNAME`: for systems without wg(8) and
# wg-quick. The daemon applies PrivateKey, ListenPort, FwMark and the peers
# itself; Address, MTU, link up and routes to the peers' AllowedIPs go
# through `ip` (iproute2 or busybox) when it exists; `Table = off` leaves the
# routes out (as with wg-quick), for callers that route themselves (netifd).
# Default routes (/0), DNS, other Table values and Pre/PostUp/Down hooks are
# wg-quick policy and are left to the caller. An endpoint name that does not
# resolve leaves that peer without an endpoint until it does (resolve.py).
import os

from wireguard.config import parse as parse_config, apply_to as apply_config
from wireguard.ipaddr import format_prefix
from .resolve import resolve_endpoint, is_name


class ConfigModeError(Exception):
    pass


def load(path, dev, log, names=None, now=0.0):
    """Parse path and make dev match it; returns the parsed Config.
    names: an EndpointNames that learns the peers configured by name."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise ConfigModeError("cannot read %s: %s" % (path, e))
    try:
        cfg = parse_config(text)
    except ValueError as e:
        raise ConfigModeError("%s: %s" % (path, e))
    named = []
    for p in cfg.peers:
        if p.endpoint is None:
            continue
        host, port = p.endpoint
        try:
            p.endpoint = resolve_endpoint(p.endpoint)
        except OSError as e:
            # Only this peer waits for its name; the others come up now.
            log.error("cannot resolve endpoint %s: %s (peer set up without an endpoint, retrying)"
                      % (host, e))
            p.endpoint = None
        if is_name(host):
            named.append((p.public_key, host, port, p.endpoint is not None))
    err = apply_config(cfg, dev)
    if err:
        raise ConfigModeError("cannot apply %s: errno %d" % (path, -err))
    for name in ("dns", "pre_up", "post_up", "pre_down", "post_down"):
        if getattr(cfg.interface, name):
            log.info("ignoring %s from %s (wg-quick policy, not applied)" % (name, path))
    if names is not None:
        for key, host, port, resolved in named:
            names.add(key, host, port, now, resolved)
    return cfg


def _ip(args, log):
    cmd = "ip " + args
    log.debug("running: " + cmd)
    rc = os.system(cmd)
    if rc:
        log.error("`%s` failed (status %d)" % (cmd, rc))
    return rc == 0


def have_ip():
    for d in ("/sbin", "/usr/sbin", "/bin", "/usr/bin"):
        try:
            os.stat(d + "/ip")
            return True
        except OSError:
            pass
    return False


def configure_interface(cfg, ifname, tun, log):
    """Addresses, MTU, up, routes via `ip`; the MTU alone without it."""
    mtu = cfg.interface.mtu
    if not have_ip():
        if mtu:
            tun_mtu(tun, mtu, log)
        log.info("no `ip` command: addresses and routes are left to the caller")
        return
    for ip, cidr in cfg.interface.addresses:
        _ip("address add %s dev %s" % (format_prefix(ip, cidr), ifname), log)
    _ip("link set dev %s mtu %d up" % (ifname, mtu or tun.mtu()), log)
    if (cfg.interface.table or "").lower() == "off":
        log.info("Table = off: no routes added")
        return
    for p in cfg.peers:
        for ip, cidr in p.allowed_ips:
            if cidr == 0:
                log.info("default route %s not added: left to the caller"
                         % format_prefix(ip, cidr))
                continue
            _ip("%s route replace %s dev %s" % ("-6" if len(ip) == 16 else "-4",
                                            format_prefix(ip, cidr), ifname), log)


def tun_mtu(tun, mtu, log):
    import linuxio
    try:
        linuxio.set_mtu(tun.name, mtu)
    except OSError as e:
        log.error("cannot set MTU %d: %s" % (mtu, e))
