# The cross-platform userspace API (`wg` <-> /var/run/wireguard/<if>.sock),
# protocol logic only: apply a set=1 request to a Device and render get=1.
# A set request is fully parsed and validated before anything changes, so a
# bad line leaves the device as it was. Errors are negative errno values.
from .crypto import is_zero
from .ipaddr import (parse_prefix, parse_endpoint, parse_ip, format_endpoint, format_prefix,
                     mask_ip)
from . import keys

EINVAL = 22
EPROTO = 71


class UapiError(Exception):
    def __init__(self, errno, message):
        super().__init__(message)
        self.errno = errno


def _invalid(message):
    return UapiError(EINVAL, message)


def _parse_bool_true(key, value):
    if value != "true":
        raise _invalid("%s must be true" % key)
    return True


def _parse_uint(key, value, bits):
    if not value.isdigit() or len(value) > 10:
        raise _invalid("invalid %s: %s" % (key, value))
    v = int(value)
    if v >= 1 << bits:
        raise _invalid("%s out of range: %s" % (key, value))
    return v


def _parse_key(key, value):
    try:
        return keys.from_hex(value)
    except ValueError:
        raise _invalid("invalid %s" % key)


def _parse_endpoint(value):
    try:
        host, port = parse_endpoint(value)
        parse_ip(host)          # names are resolved by `wg` before it gets here
    except ValueError:
        raise _invalid("invalid endpoint: " + value)
    return host, port


class _PeerChange:
    __slots__ = ("public_key", "remove", "update_only", "preshared_key", "endpoint",
                 "keepalive", "replace_allowed_ips", "allowed_ips")

    def __init__(self, public_key):
        self.public_key = public_key
        self.remove = False
        self.update_only = False
        self.preshared_key = None
        self.endpoint = None
        self.keepalive = None
        self.replace_allowed_ips = False
        self.allowed_ips = []       # (add?, ip, cidr)


class _SetRequest:
    def __init__(self):
        self.private_key = None     # None = unchanged, b"" = remove
        self.listen_port = None
        self.fwmark = None
        self.replace_peers = False
        self.peers = []


def parse_set(lines):
    """Parse the key=value lines of a set=1 request (without the header and
    the terminating blank line). Raises UapiError."""
    req = _SetRequest()
    peer = None
    for line in lines:
        if not line:
            continue
        eq = line.find("=")
        if eq <= 0:
            raise _invalid("malformed line: " + line)
        key, value = line[:eq], line[eq + 1:]
        if key == "public_key":
            peer = _PeerChange(_parse_key(key, value))
            req.peers.append(peer)
        elif peer is None:
            if key == "private_key":
                k = _parse_key(key, value)
                req.private_key = b"" if is_zero(k) else k
            elif key == "listen_port":
                req.listen_port = _parse_uint(key, value, 16)
            elif key == "fwmark":
                req.fwmark = 0 if value == "" else _parse_uint(key, value, 32)
            elif key == "replace_peers":
                req.replace_peers = _parse_bool_true(key, value)
            else:
                raise _invalid("invalid device key: " + key)
        elif key == "remove":
            peer.remove = _parse_bool_true(key, value)
        elif key == "update_only":
            peer.update_only = _parse_bool_true(key, value)
        elif key == "preshared_key":
            peer.preshared_key = _parse_key(key, value)
        elif key == "endpoint":
            peer.endpoint = _parse_endpoint(value)
        elif key == "persistent_keepalive_interval":
            peer.keepalive = _parse_uint(key, value, 16)
        elif key == "replace_allowed_ips":
            peer.replace_allowed_ips = _parse_bool_true(key, value)
        elif key == "allowed_ip":
            add = True
            if value.startswith("-"):
                add, value = False, value[1:]
            try:
                ip, cidr = parse_prefix(value)
            except ValueError:
                raise _invalid("invalid allowed_ip: " + value)
            peer.allowed_ips.append((add, ip, cidr))
        elif key == "protocol_version":
            if value != "1":
                raise _invalid("unsupported protocol_version: " + value)
        else:
            raise _invalid("invalid peer key: " + key)
    return req


def apply_set(device, lines):
    """Apply a set=1 request; returns 0 or a negative errno."""
    try:
        req = parse_set(lines)
    except UapiError as e:
        return -e.errno
    if req.listen_port is not None and req.listen_port != device.listen_port:
        # The driver owns the socket: let it rebind first, and stop here if
        # it cannot, before anything else has changed.
        if device.on_listen_port is not None:
            err = device.on_listen_port(req.listen_port)
            if err:
                return -abs(err)
        device.listen_port = req.listen_port
    if req.private_key is not None:
        device.set_private_key(req.private_key or None)
    if req.fwmark is not None:
        device.fwmark = req.fwmark
    if req.replace_peers:
        device.remove_all_peers()
    for change in req.peers:
        _apply_peer(device, change)
    return 0


def _apply_peer(device, change):
    if change.public_key == device.public_key:
        return      # our own key: ignored, as wireguard-go does
    peer = device.get_peer(change.public_key)
    if change.remove:
        if peer is not None:
            device.remove_peer(peer)
        return
    if peer is None:
        if change.update_only:
            return
        peer = device.add_peer(change.public_key)
    if change.preshared_key is not None:
        device.set_preshared_key(peer, change.preshared_key)
    if change.endpoint is not None:
        device.set_endpoint(peer, change.endpoint)
    if change.keepalive is not None:
        device.set_persistent_keepalive(peer, change.keepalive)
    if change.replace_allowed_ips:
        device.clear_allowed_ips(peer)
    for add, ip, cidr in change.allowed_ips:
        if add:
            device.add_allowed_ip(peer, ip, cidr)
        elif (mask_ip(ip, cidr), cidr) in device.allowed_ips_of(peer):
            device.allowed_ips.remove(ip, cidr)


def render_get(device):
    """get=1 response in wireguard-go's order, ending with errno=0 and a blank line."""
    out = []
    if device.private_key is not None:
        out.append("private_key=" + keys.to_hex(device.private_key))
    if device.listen_port:
        out.append("listen_port=%d" % device.listen_port)
    if device.fwmark:
        out.append("fwmark=%d" % device.fwmark)
    for peer in device.peers():
        out.append("public_key=" + keys.to_hex(peer.public_key))
        out.append("preshared_key=" + keys.to_hex(peer.preshared_key))
        out.append("protocol_version=1")
        if peer.endpoint is not None:
            out.append("endpoint=" + format_endpoint(peer.endpoint))
        sec, nsec = peer.last_handshake or (0, 0)
        out.append("last_handshake_time_sec=%d" % sec)
        out.append("last_handshake_time_nsec=%d" % nsec)
        out.append("tx_bytes=%d" % peer.tx_bytes)
        out.append("rx_bytes=%d" % peer.rx_bytes)
        out.append("persistent_keepalive_interval=%d" % peer.persistent_keepalive)
        for ip, cidr in device.allowed_ips_of(peer):
            out.append("allowed_ip=" + format_prefix(ip, cidr))
    out.append("errno=0")
    return "\n".join(out) + "\n\n"


def handle(device, request):
    """One whole request ("get=1\\n\\n" or "set=1\\n...\\n\\n") -> response text."""
    lines = request.split("\n")
    op = lines[0]
    if op == "get=1":
        return render_get(device)
    if op == "set=1":
        body = []
        for line in lines[1:]:
            if not line:
                break
            body.append(line)
        return "errno=%d\n\n" % apply_set(device, body)
    return "errno=%d\n\n" % -EINVAL
