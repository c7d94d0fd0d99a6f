# wg-quick configuration files (.conf): [Interface] and [Peer] sections of
# "Key = Value" lines, keys case-insensitive, '#' comments, list values
# comma-separated and repeatable. Errors name the offending line.
from .ipaddr import parse_prefix, parse_endpoint
from . import keys


_SECTION_NAMES = {"interface": "Interface", "peer": "Peer"}


class ConfigError(ValueError):
    def __init__(self, line_no, message):
        super().__init__("line %d: %s" % (line_no, message))
        self.line_no = line_no


class InterfaceConfig:
    def __init__(self):
        self.private_key = None
        self.listen_port = None
        self.fwmark = None
        self.addresses = []         # (ip bytes, cidr) of the tunnel interface
        self.dns = []               # servers and search domains, as text
        self.mtu = None
        self.table = None
        self.pre_up = []
        self.post_up = []
        self.pre_down = []
        self.post_down = []
        self.save_config = False


class PeerConfig:
    def __init__(self, line_no):
        self.line_no = line_no      # where the [Peer] section starts
        self.public_key = None
        self.preshared_key = None
        self.allowed_ips = []       # (ip bytes, cidr)
        self.endpoint = None        # (host, port); host may be a name to resolve
        self.persistent_keepalive = 0


class Config:
    def __init__(self):
        self.interface = InterfaceConfig()
        self.peers = []


def _int(line_no, key, value, lo, hi):
    v = value.strip()
    base = 10
    if v.lower().startswith("0x"):
        v, base = v[2:], 16
    try:
        n = int(v, base)
    except ValueError:
        raise ConfigError(line_no, "%s must be a number, got %r" % (key, value))
    if not lo <= n <= hi:
        raise ConfigError(line_no, "%s must be %d..%d, got %s" % (key, lo, hi, value))
    return n


def _key(line_no, key, value):
    try:
        return keys.from_base64(value)
    except ValueError as e:
        raise ConfigError(line_no, "%s: %s" % (key, e))


def _prefixes(line_no, key, value):
    out = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            out.append(parse_prefix(item))
        except ValueError as e:
            raise ConfigError(line_no, "%s: %s" % (key, e))
    return out


def _interface_line(cfg, line_no, key, value):
    i = cfg.interface
    if key == "privatekey":
        i.private_key = _key(line_no, "PrivateKey", value)
    elif key == "listenport":
        i.listen_port = _int(line_no, "ListenPort", value, 0, 65535)
    elif key == "fwmark":
        i.fwmark = 0 if value.lower() == "off" else _int(line_no, "FwMark", value, 0, 0xFFFFFFFF)
    elif key == "address":
        i.addresses.extend(_prefixes(line_no, "Address", value))
    elif key == "dns":
        i.dns.extend([d.strip() for d in value.split(",") if d.strip()])
    elif key == "mtu":
        i.mtu = _int(line_no, "MTU", value, 576, 65535)
    elif key == "table":
        i.table = value
    elif key == "preup":
        i.pre_up.append(value)
    elif key == "postup":
        i.post_up.append(value)
    elif key == "predown":
        i.pre_down.append(value)
    elif key == "postdown":
        i.post_down.append(value)
    elif key == "saveconfig":
        if value.lower() not in ("true", "false"):
            raise ConfigError(line_no, "SaveConfig must be true or false")
        i.save_config = value.lower() == "true"
    else:
        return False
    return True


def _peer_line(peer, line_no, key, value):
    if key == "publickey":
        peer.public_key = _key(line_no, "PublicKey", value)
    elif key == "presharedkey":
        peer.preshared_key = _key(line_no, "PresharedKey", value)
    elif key == "allowedips":
        peer.allowed_ips.extend(_prefixes(line_no, "AllowedIPs", value))
    elif key == "endpoint":
        try:
            peer.endpoint = parse_endpoint(value)
        except ValueError as e:
            raise ConfigError(line_no, "Endpoint: %s" % e)
    elif key == "persistentkeepalive":
        if value.lower() == "off":
            peer.persistent_keepalive = 0
        else:
            peer.persistent_keepalive = _int(line_no, "PersistentKeepalive", value, 0, 65535)
    else:
        return False
    return True


def parse(text):
    """Parse a wg-quick .conf; raises ConfigError naming the line."""
    cfg = Config()
    section = None
    peer = None
    seen_interface = False
    line_no = 0
    for raw in text.split("\n"):
        line_no += 1
        line = raw
        hash_at = line.find("#")
        if hash_at >= 0:
            line = line[:hash_at]
        line = line.strip()
        if not line:
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise ConfigError(line_no, "malformed section header: " + raw.strip())
            name = line[1:-1].strip().lower()
            if name == "interface":
                if seen_interface:
                    raise ConfigError(line_no, "more than one [Interface] section")
                seen_interface = True
                section = "interface"
            elif name == "peer":
                section = "peer"
                peer = PeerConfig(line_no)
                cfg.peers.append(peer)
            else:
                raise ConfigError(line_no, "unknown section [%s]" % line[1:-1].strip())
            continue
        eq = line.find("=")
        if eq <= 0:
            raise ConfigError(line_no, "expected Key = Value, got: " + raw.strip())
        key = line[:eq].strip()
        value = line[eq + 1:].strip()
        lkey = key.lower()
        if section is None:
            raise ConfigError(line_no, "%s outside of any section" % key)
        if section == "interface":
            known = _interface_line(cfg, line_no, lkey, value)
        else:
            known = _peer_line(peer, line_no, lkey, value)
        if not known:
            raise ConfigError(line_no, "unknown key %s in [%s]" % (key, _SECTION_NAMES[section]))
    seen = {}
    for p in cfg.peers:
        if p.public_key is None:
            raise ConfigError(p.line_no, "[Peer] without PublicKey")
        if p.public_key in seen:
            raise ConfigError(p.line_no, "duplicate peer (same PublicKey as the peer at line %d)"
                              % seen[p.public_key])
        seen[p.public_key] = p.line_no
    return cfg


def apply_to(cfg, device):
    """Make device match cfg: key, port, fwmark and exactly cfg's peers.
    Endpoints given as names stay names; the driver resolves them."""
    i = cfg.interface
    if i.listen_port is not None and i.listen_port != device.listen_port:
        if device.on_listen_port is not None:
            err = device.on_listen_port(i.listen_port)
            if err:
                return -abs(err)
        device.listen_port = i.listen_port
    device.set_private_key(i.private_key)
    if i.fwmark is not None:
        device.fwmark = i.fwmark
    device.remove_all_peers()
    for p in cfg.peers:
        if p.public_key == device.public_key:
            continue
        device.add_peer(p.public_key, p.preshared_key, p.endpoint, p.persistent_keepalive,
                        p.allowed_ips)
    if i.mtu is not None:
        device.mtu = i.mtu
    return 0
