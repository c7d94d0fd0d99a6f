"""Render one device of a Site as a wg-quick .conf, OpenWrt UCI commands, or a board config.

UCI uses the options of OpenWrt's own WireGuard (`proto wireguard`), which MicroGuard's
`proto microguard` reads too: interface private_key, listen_port, addresses, mtu; peer sections
of type `wireguard_<iface>` with public_key, preshared_key, allowed_ips, route_allowed_ips,
endpoint_host, endpoint_port, persistent_keepalive, description.
"""
import json

from .errors import MgError

BOARD_KEY_FILE = "wg_key"        # on the device, next to the config; made there by `mgtool provision`
BOARD_CONFIG_FILE = "wg_config.json"  # uploaded; holds no private key
BOARD_RUN_CONFIG = "wireguard.json"   # what the board's app loads: the above plus the key, made on the board
FORMATS = ("wg-quick", "uci", "board")


def default_formats(dev):
    return {"openwrt": ("uci", "wg-quick"), "linux": ("wg-quick",), "phone": ("wg-quick",),
            "board": ("board",)}[dev.kind]


def render(site, dev, fmt):
    if fmt == "wg-quick":
        return wg_quick(site, dev)
    if fmt == "uci":
        return uci(site, dev)
    if fmt == "board":
        return board_config(site, dev)
    raise MgError("unknown format %r (want one of %s)" % (fmt, ", ".join(FORMATS)))


def file_name(dev, fmt):
    return dev.name + {"wg-quick": ".conf", "uci": ".uci", "board": ".json"}[fmt]


def _need_private(dev, what):
    if dev.private_key is None:
        raise MgError("device %r has only a public key, so its %s cannot be written "
                      "(add private_key, or let `mgtool provision` keep the key on the device)" % (dev.name, what))
    return dev.private_key


def _endpoint_text(ep):
    host, port = ep
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def wg_quick(site, dev):
    lines = ["# %s (site %s), written by mgtool config" % (dev.name, site.name), "[Interface]",
             "PrivateKey = %s" % _need_private(dev, "wg-quick config"),
             "Address = %s" % dev.address]
    if dev.listen_port:
        lines.append("ListenPort = %d" % dev.listen_port)
    mtu = dev.mtu or site.mtu
    if mtu:
        lines.append("MTU = %d" % mtu)
    if dev.dns:
        lines.append("DNS = %s" % ", ".join(dev.dns))
    for p in site.peers_of(dev):
        lines += ["", "[Peer]", "# %s" % p.device.name, "PublicKey = %s" % p.device.public_key]
        if p.preshared_key:
            lines.append("PresharedKey = %s" % p.preshared_key)
        lines.append("AllowedIPs = %s" % ", ".join(str(n) for n in p.allowed_ips))
        if p.device.endpoint:
            lines.append("Endpoint = %s" % _endpoint_text(p.device.endpoint))
        if p.keepalive:
            lines.append("PersistentKeepalive = %d" % p.keepalive)
    return "\n".join(lines) + "\n"


def _q(value):
    return "'" + str(value).replace("'", "'\\''") + "'"


def uci_peer_section(dev, peer_name):
    return "%s_%s" % (dev.interface, peer_name.replace("-", "_"))


def uci(site, dev, proto="microguard"):
    """`uci batch` input that (re)creates the interface and its peer sections.

    Peer sections of an earlier run are removed by the provisioner before this runs
    (their names are not known here).
    """
    iface = dev.interface
    out = ["set network.%s=interface" % iface,
           "set network.%s.proto=%s" % (iface, _q(proto)),
           "set network.%s.private_key=%s" % (iface, _q(_need_private(dev, "UCI config"))),
           "delete network.%s.addresses" % iface,
           "add_list network.%s.addresses=%s" % (iface, _q(dev.address))]
    if dev.listen_port:
        out.append("set network.%s.listen_port=%s" % (iface, _q(dev.listen_port)))
    mtu = dev.mtu or site.mtu
    if mtu:
        out.append("set network.%s.mtu=%s" % (iface, _q(mtu)))
    for p in site.peers_of(dev):
        s = "network." + uci_peer_section(dev, p.device.name)
        out.append("set %s=wireguard_%s" % (s, iface))
        out.append("set %s.description=%s" % (s, _q(p.device.name)))
        out.append("set %s.public_key=%s" % (s, _q(p.device.public_key)))
        if p.preshared_key:
            out.append("set %s.preshared_key=%s" % (s, _q(p.preshared_key)))
        for net in p.allowed_ips:
            out.append("add_list %s.allowed_ips=%s" % (s, _q(net)))
        out.append("set %s.route_allowed_ips=%s" % (s, _q(1)))
        if p.device.endpoint:
            out.append("set %s.endpoint_host=%s" % (s, _q(p.device.endpoint[0])))
            out.append("set %s.endpoint_port=%s" % (s, _q(p.device.endpoint[1])))
        if p.keepalive:
            out.append("set %s.persistent_keepalive=%s" % (s, _q(p.keepalive)))
    return "\n".join(out) + "\n"


def board_config_dict(site, dev):
    """Keyword arguments for mgboard.Tunnel, with the private key kept in a file on the device.
    The first peer is the board's main one (its console's user); more go to "peers"."""
    peers = site.peers_of(dev)
    if not peers:
        raise MgError("board %r has no peer to connect to: give another device an endpoint, or a [[link]]"
                      % dev.name)
    p = peers[0]
    cfg = {
        "private_key_file": BOARD_KEY_FILE,
        "peer_public_key": p.device.public_key,
        "endpoint": _endpoint_text(p.device.endpoint),
        "address": str(dev.address),
        "allowed_ips": [str(n) for n in p.allowed_ips],
        "preshared_key": p.preshared_key,
        "keepalive": p.keepalive if p.keepalive else 25,
        "mtu": dev.mtu or site.mtu or 1420,
        "name": dev.name,
    }
    if len(peers) > 1:
        cfg["peers"] = [{"public_key": q.device.public_key,
                         "endpoint": _endpoint_text(q.device.endpoint) if q.device.endpoint else None,
                         "allowed_ips": [str(n) for n in q.allowed_ips], "preshared_key": q.preshared_key,
                         "keepalive": q.keepalive if q.keepalive else 25} for q in peers[1:]]
    if dev.console:
        cfg["console"] = {"port": dev.console}
    return cfg


def board_config(site, dev):
    if dev.kind != "board":
        raise MgError("device %r is of kind %r, not a board; board config is for kind = \"board\"" % (dev.name, dev.kind))
    return json.dumps(board_config_dict(site, dev), indent=1, sort_keys=True) + "\n"
