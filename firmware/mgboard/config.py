# The tunnel configuration a board boots with: /flash/wireguard.json (written
# by `mgtool provision`, or by hand). Keys are base64 text as in wg(8):
# {"private_key": "...", "peer_public_key": "...", "endpoint": "host:51820",
#  "address": "10.0.0.2/32" (or a list: one IPv4, one IPv6), "allowed_ips": ["10.0.0.0/24"],
#  "preshared_key": null, "keepalive": 25, "echo_port": 7,
#  "peers": [{"public_key": "...", "endpoint": "host:port", "allowed_ips": [...],
#             "preshared_key": null, "keepalive": 25}, ...]    (more peers, optional)
#  "console_port": 23 (optional: the command console on the tunnel address),
#  "lan": {"prefix": "192.168.50.0/24", "address": "192.168.50.1"}
#         (optional: router mode, the board forwards between this LAN on its
#          LAN link and the tunnel; either may be a list, one per family)}
import json

PATH = "/flash/wireguard.json"


def _endpoint(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def _peer(path, p):
    if not p.get("public_key"):
        raise ValueError("%s: a peer without public_key" % path)
    return {
        "public_key": p["public_key"],
        "endpoint": _endpoint(p["endpoint"]) if p.get("endpoint") else None,
        "allowed_ips": tuple(p.get("allowed_ips", ())),
        "preshared_key": p.get("preshared_key"),
        "keepalive": p.get("keepalive", 25),
    }


def read(path=PATH):
    """The file as a dict: read once, handed to load(), lan() and console()."""
    with open(path) as f:
        return json.load(f)


def load(path=PATH, cfg=None):
    """(Tunnel keyword arguments, echo port); `path` names the file in errors."""
    if cfg is None:
        cfg = read(path)
    for k in ("private_key", "peer_public_key", "endpoint"):
        if not cfg.get(k):
            raise ValueError("%s: %s missing" % (path, k))
    return {
        "private_key": cfg["private_key"],
        "peer_public_key": cfg["peer_public_key"],
        "endpoint": _endpoint(cfg["endpoint"]),
        "address": cfg.get("address", "10.0.0.2/32"),
        "allowed_ips": tuple(cfg.get("allowed_ips", ("10.0.0.0/24",))),
        "preshared_key": cfg.get("preshared_key"),
        "keepalive": cfg.get("keepalive", 25),
        "peers": [_peer(path, p) for p in cfg.get("peers", ())],
        "mtu": cfg.get("mtu", 1420),
    }, cfg.get("echo_port", 7)


def lan(path=PATH, cfg=None):
    """Router mode's {"prefix": ..., "address": ...}, or None when the config
    has no "lan" (the board is then only a tunnel endpoint)."""
    cfg = (read(path) if cfg is None else cfg).get("lan")
    if not cfg:
        return None
    if not cfg.get("prefix") or not cfg.get("address"):
        raise ValueError("%s: lan needs prefix and address" % path)
    return {"prefix": cfg["prefix"], "address": cfg["address"]}


def console(path=PATH, cfg=None):
    """The console's {"port": ..., "peers": [...] or None}, or None when the
    config has none (no console: the default)."""
    cfg = (read(path) if cfg is None else cfg).get("console")
    if not cfg:
        return None
    port = cfg.get("port", 23)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError("%s: console port must be 1..65535" % path)
    return {"port": port, "peers": cfg.get("peers")}
