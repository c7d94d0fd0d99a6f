# The cross-platform userspace API (`wg` <-> /var/run/wireguard/<if>.sock),
# protocol logic only: apply a set=1 request to a Device and render get=1.
#
# Requests of any size (a setconf with 100,000+ allowed IPs) are taken line
# by line: a Conversation is fed the lines of one connection and answers
# each complete request. A set request is validated and staged into compact
# per-peer records as its lines arrive, and only applied when its blank line
# ends it, so a bad line anywhere leaves the device as it was. A get answer
# is a generator of text chunks, for the driver to write out as the socket
# takes them. Errors are negative errno values.
from .crypto import is_zero
from .ipaddr import parse_prefix, parse_endpoint, parse_ip, format_endpoint, format_prefix
from . import keys

EINVAL = 22
EPROTO = 71
# No valid line comes near this; a longer one is an error, not a buffer.
MAX_LINE = 4096
GET_CHUNK = 8192        # characters per chunk of a get answer

_V6 = 1                 # record flag: a 16-byte address (else 4)
_REMOVE = 2             # record flag: allowed_ip=-prefix
_RECORDS_CHUNK = 4096   # bytes per staging buffer


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


class _Records:
    """Staged allowed_ip lines, packed: flags byte, cidr byte, 4 or 16 address
    bytes. Fixed-size buffers, filled in place: growing one big bytearray
    would copy it over and over."""
    __slots__ = ("chunks", "used", "count")

    def __init__(self):
        self.chunks = []
        self.used = []
        self.count = 0

    def add(self, flags, cidr, ip):
        n = 2 + len(ip)
        if not self.chunks or self.used[-1] + n > _RECORDS_CHUNK:
            self.chunks.append(bytearray(_RECORDS_CHUNK))
            self.used.append(0)
        c = self.chunks[-1]
        p = self.used[-1]
        c[p] = flags
        c[p + 1] = cidr
        c[p + 2:p + n] = ip
        self.used[-1] = p + n
        self.count += 1

    def __iter__(self):
        """(flags, cidr, address) in the order added."""
        for c, used in zip(self.chunks, self.used):
            mv = memoryview(c)
            p = 0
            while p < used:
                flags = c[p]
                n = 16 if flags & _V6 else 4
                yield flags, c[p + 1], mv[p + 2:p + 2 + n]
                p += 2 + n


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
        self.allowed_ips = _Records()


class SetRequest:
    """A set=1 request being received: feed it the lines after the header
    (line() for each), then apply() it once. Nothing touches the device
    before apply(), and apply() does nothing when any line was bad."""

    def __init__(self):
        self.private_key = None     # None = unchanged, b"" = remove
        self.listen_port = None
        self.fwmark = None
        self.replace_peers = False
        self.peers = []
        self.error = None           # the first UapiError; later lines are skipped
        self._peer = None

    def line(self, line):
        if self.error is not None:
            return
        try:
            self._line(line)
        except UapiError as e:
            self.error = e
            self.peers = []         # free what was staged: it will never apply
            self._peer = None

    def _line(self, line):
        if not line:
            return
        if len(line) > MAX_LINE:
            raise _invalid("line too long")
        eq = line.find("=")
        if eq <= 0:
            raise _invalid("malformed line: " + line[:64])
        key, value = line[:eq], line[eq + 1:]
        peer = self._peer
        if key == "allowed_ip" and peer is not None:    # the bulk of big requests
            flags = 0
            if value.startswith("-"):
                flags, value = _REMOVE, value[1:]
            try:
                ip, cidr = parse_prefix(value)
            except ValueError:
                raise _invalid("invalid allowed_ip: " + value[:64])
            if len(ip) == 16:
                flags |= _V6
            peer.allowed_ips.add(flags, cidr, ip)
        elif key == "public_key":
            self._peer = _PeerChange(_parse_key(key, value))
            self.peers.append(self._peer)
        elif peer is None:
            if key == "private_key":
                k = _parse_key(key, value)
                self.private_key = b"" if is_zero(k) else k
            elif key == "listen_port":
                self.listen_port = _parse_uint(key, value, 16)
            elif key == "fwmark":
                self.fwmark = 0 if value == "" else _parse_uint(key, value, 32)
            elif key == "replace_peers":
                self.replace_peers = _parse_bool_true(key, value)
            else:
                raise _invalid("invalid device key: " + key[:64])
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
        elif key == "protocol_version":
            if value != "1":
                raise _invalid("unsupported protocol_version: " + value[:64])
        else:
            raise _invalid("invalid peer key: " + key[:64])

    def apply(self, device):
        """Apply the staged request; returns 0 or a negative errno."""
        if self.error is not None:
            return -self.error.errno
        if self.listen_port is not None and self.listen_port != device.listen_port:
            # The driver owns the socket: let it rebind first, and stop here if
            # it cannot, before anything else has changed.
            if device.on_listen_port is not None:
                err = device.on_listen_port(self.listen_port)
                if err:
                    return -abs(err)
            device.listen_port = self.listen_port
        if self.private_key is not None:
            device.set_private_key(self.private_key or None)
        if self.fwmark is not None:
            device.fwmark = self.fwmark
        if self.replace_peers:
            device.remove_all_peers()
        peers = self.peers
        self.peers = []
        for change in peers:
            _apply_peer(device, change)
        return 0


def parse_set(lines):
    """Parse the key=value lines of a set=1 request (without the header and
    the terminating blank line). Raises UapiError."""
    req = SetRequest()
    for line in lines:
        req.line(line)
    if req.error is not None:
        raise req.error
    return req


def apply_set(device, lines):
    """Apply a set=1 request given as its lines; returns 0 or a negative errno."""
    req = SetRequest()
    for line in lines:
        req.line(line)
    return req.apply(device)


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
    table = device.allowed_ips
    for flags, cidr, ip in change.allowed_ips:
        if not flags & _REMOVE:
            device.add_allowed_ip(peer, ip, cidr)
        elif table.get(ip, cidr) is peer:
            table.remove(ip, cidr)
    change.allowed_ips = None


def get_lines(device):
    """The get=1 answer line by line (without newlines), in wireguard-go's
    order, ending with errno=0 and the blank line."""
    if device.private_key is not None:
        yield "private_key=" + keys.to_hex(device.private_key)
    if device.listen_port:
        yield "listen_port=%d" % device.listen_port
    if device.fwmark:
        yield "fwmark=%d" % device.fwmark
    for peer in device.peers():
        yield "public_key=" + keys.to_hex(peer.public_key)
        yield "preshared_key=" + keys.to_hex(peer.preshared_key)
        yield "protocol_version=1"
        if peer.endpoint is not None:
            yield "endpoint=" + format_endpoint(peer.endpoint)
        sec, nsec = peer.last_handshake or (0, 0)
        yield "last_handshake_time_sec=%d" % sec
        yield "last_handshake_time_nsec=%d" % nsec
        yield "tx_bytes=%d" % peer.tx_bytes
        yield "rx_bytes=%d" % peer.rx_bytes
        yield "persistent_keepalive_interval=%d" % peer.persistent_keepalive
        for ip, cidr in device.allowed_ips.iter_entries(peer):
            yield "allowed_ip=" + format_prefix(ip, cidr)
    yield "errno=0"
    yield ""


def get_chunks(device, size=GET_CHUNK):
    """The get=1 answer as text chunks of about `size` characters."""
    part = []
    n = 0
    for line in get_lines(device):
        part.append(line)
        n += len(line) + 1
        if n >= size:
            part.append("")
            yield "\n".join(part)
            part = []
            n = 0
    if part:
        part.append("")
        yield "\n".join(part)


def render_get(device):
    """The whole get=1 answer as one string (small devices, tests)."""
    return "".join(get_chunks(device))


class Conversation:
    """The requests of one UAPI connection, fed line by line (text without
    the newline). line() returns None while a request is incomplete, and
    (op, errno, chunks) when one ends: op is "get", "set" or None (not a
    known request), chunks an iterable of answer text."""

    def __init__(self, device):
        self.device = device
        self._op = None             # None: waiting for a header line
        self._set = None
        self._err = 0

    @property
    def busy(self):
        """True while a request is partly received."""
        return self._op is not None

    def line(self, line):
        op = self._op
        if op is None:
            if line == "set=1":
                self._op = "set"
                self._set = SetRequest()
            elif line == "get=1":
                self._op = "get"
            elif line == "":
                return None, -EINVAL, ("errno=%d\n\n" % -EINVAL,)
            else:
                self._op = "bad"
                self._err = -EINVAL
            return None
        if op == "set":
            if line:
                self._set.line(line)
                return None
            req = self._set
            self._op = self._set = None
            err = req.apply(self.device)
            return "set", err, ("errno=%d\n\n" % err,)
        if op == "get":
            if line:
                return None             # get=1 takes no arguments: ignored
            self._op = None
            return "get", 0, get_chunks(self.device)
        # Not a request we know, or one that failed: skip to its end, then say so.
        if line:
            return None
        self._op = None
        return None, self._err, ("errno=%d\n\n" % self._err,)

    def abort(self, errno):
        """The driver could not handle the last line (e.g. out of memory):
        the request fails with errno, answered at once when the line ended
        it, else at its end. Returns the answer, or None for later."""
        done = self._op is None
        self._op = None if done else "bad"
        self._set = None
        self._err = -abs(errno)
        return ("errno=%d\n\n" % self._err,) if done else None


def handle(device, request):
    """One whole request ("get=1\\n\\n" or "set=1\\n...\\n\\n") -> response text;
    the end of the text ends the request when its blank line is missing."""
    conv = Conversation(device)
    for line in request.split("\n") + [""]:
        result = conv.line(line)
        if result is not None:
            return "".join(result[2])
    return "errno=%d\n\n" % -EINVAL
