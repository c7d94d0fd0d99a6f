# The tunnel configuration a board boots with: /flash/wireguard.json (written
# by `mgtool provision`, or by hand). Keys are base64 text as in wg(8):
# {"private_key": "...", "peer_public_key": "...", "endpoint": "host:51820",
#  "address": "10.0.0.2/32", "allowed_ips": ["10.0.0.0/24"],
#  "preshared_key": null, "keepalive": 25, "echo_port": 7}
import json

PATH = "/flash/wireguard.json"


def load(path=PATH):
    with open(path) as f:
        cfg = json.load(f)
    for k in ("private_key", "peer_public_key", "endpoint"):
        if not cfg.get(k):
            raise ValueError("%s: %s missing" % (path, k))
    host, _, port = cfg["endpoint"].rpartition(":")
    return {
        "private_key": cfg["private_key"],
        "peer_public_key": cfg["peer_public_key"],
        "endpoint": (host.strip("[]"), int(port)),
        "address": cfg.get("address", "10.0.0.2/32"),
        "allowed_ips": tuple(cfg.get("allowed_ips", ("10.0.0.0/24",))),
        "preshared_key": cfg.get("preshared_key"),
        "keepalive": cfg.get("keepalive", 25),
    }, cfg.get("echo_port", 7)
