"""The site description: one TOML file describing every device of a WireGuard network.

    [site]
    name = "home"
    mtu = 1420                 # optional, every device
    keepalive = 25             # optional, used by devices without an endpoint towards those with one

    [[device]]
    name = "hub"
    kind = "openwrt"           # openwrt | linux | board | phone
    address = "10.8.0.1/24"    # tunnel address with the VPN's prefix
    private_key = "..."        # or public_key = "..." when the key is kept on the device
    endpoint = "203.0.113.5:51820"   # how the others reach it (makes it a hub)
    routes = ["192.168.1.0/24"]      # networks behind it
    interface = "wg0"          # optional (openwrt, linux)
    listen_port = 51820        # optional, defaults to the endpoint's port
    dns = ["10.8.0.1"]         # optional (phone, linux)
    board = "qemu-mps2-an386"  # kind = "board" only
    console = 23               # kind = "board" only, optional: its command console on this TCP
                               # port of its tunnel address, for its first peer (`mgtool remote`)

    [[link]]                   # optional; without links every device peers with every device
    a = "hub"                  # that has an endpoint
    b = "phone"
    preshared_key = "..."      # optional
    keepalive = 25             # optional

Every problem of a file is found in one run: SiteErrors (an MgError) carries one
"<file>:<line>:<column>: <what>" line per problem. The format is described in docs/site-file.md.
"""
import difflib
import ipaddress
import re
import socket
import tomllib
from dataclasses import dataclass, field

from . import keys
from .errors import MgError

KINDS = ("openwrt", "linux", "board", "phone")
DEVICE_FIELDS = {"name", "kind", "address", "private_key", "public_key", "endpoint", "routes",
                 "interface", "listen_port", "dns", "board", "mtu", "keepalive", "description", "console"}
LINK_FIELDS = {"a", "b", "preshared_key", "keepalive"}
SITE_FIELDS = {"name", "mtu", "keepalive"}
HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
IFNAME = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")


@dataclass
class Device:
    name: str
    kind: str
    address: ipaddress.IPv4Interface | ipaddress.IPv6Interface
    public_key: str
    private_key: str | None = None
    endpoint: tuple | None = None          # (host, port)
    routes: list = field(default_factory=list)
    interface: str = "wg0"
    listen_port: int | None = None
    dns: list = field(default_factory=list)
    board: str | None = None
    mtu: int | None = None
    keepalive: int | None = None
    description: str = ""
    console: int | None = None             # boards: the command console's TCP port


@dataclass
class Peering:
    device: Device       # the peer as seen from the device whose config is written
    allowed_ips: list
    preshared_key: str | None
    keepalive: int | None


@dataclass
class Site:
    name: str
    path: str
    devices: dict        # name -> Device, in file order
    links: list          # (a, b, preshared_key, keepalive)
    mtu: int | None = None
    keepalive: int = 25

    def device(self, name):
        if name not in self.devices:
            raise MgError("%s: no device named %r (devices: %s)" % (self.path, name, ", ".join(self.devices)))
        return self.devices[name]

    def peers_of(self, dev):
        """The Peering list for `dev`, in file order of the peers."""
        out = []
        for a, b, psk, keepalive in self.links:
            if dev.name not in (a, b):
                continue
            other = self.devices[b if a == dev.name else a]
            if keepalive is None and dev.endpoint is None and other.endpoint is not None:
                keepalive = dev.keepalive if dev.keepalive is not None else self.keepalive
            out.append(Peering(other, allowed_ips(dev, other), psk, keepalive or None))
        order = list(self.devices)
        out.sort(key=lambda p: order.index(p.device.name))
        return out


def allowed_ips(viewer, peer):
    """What `viewer` routes to `peer`: its host address and the networks behind it.

    A device without an endpoint sends the whole VPN prefix to a hub (a device with one),
    so spokes reach each other through the hub.
    """
    if peer.endpoint is not None and viewer.endpoint is None:
        first = peer.address.network
    else:
        first = ipaddress.ip_network(peer.address.ip)
    nets = [first]
    for r in peer.routes:
        if not any(r.subnet_of(n) for n in nets if n.version == r.version):
            nets.append(r)
    return nets


class LineFinder:
    """Line and column numbers of keys in the TOML source (tomllib does not keep them).

    Knows `[table]`, `[[array]]` headers and `key = value` lines; a key it cannot
    place falls back to its table's header line.
    """

    HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"']+)\s*\]\]?")
    KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*")

    def __init__(self, text):
        self.lines = {}      # (table, index, key) -> (line, key column, value column)
        self.entry = {}      # line -> (table, index) it belongs to
        counts = {}
        table, index = "", 0
        for n, line in enumerate(text.splitlines(), 1):
            m = self.HEADER.match(line)
            if m:
                table = m.group(2)
                if m.group(1) == "[[":
                    index = counts.get(table, -1) + 1
                    counts[table] = index
                else:
                    index = 0
                self.lines.setdefault((table, index, None), (n, m.start(1) + 1, m.start(1) + 1))
                self.entry[n] = (table, index)
                continue
            self.entry[n] = (table, index)
            m = self.KEY.match(line)
            if m:
                self.lines.setdefault((table, index, m.group(1)), (n, m.start(1) + 1, m.end() + 1))

    def pos(self, table, index=0, key=None, at="value"):
        """(line, column) of a key's value (at="value") or of the key itself (at="key")."""
        hit = self.lines.get((table, index, key))
        if hit:
            return hit[0], hit[2] if at == "value" else hit[1]
        hit = self.lines.get((table, index, None))
        return (hit[0], hit[1]) if hit else (1, 1)

    def line(self, table, index=0, key=None):
        return self.pos(table, index, key)[0]


class SiteErrors(MgError):
    """Every problem found in a site file; `details` holds one "file:line:col: message" line each."""

    def __init__(self, path, problems):
        self.path = path
        self.problems = problems
        self.details = ["%s:%d:%d: %s" % (path, line, col, msg) for line, col, msg in problems]
        n = len(problems)
        super().__init__("%d problem%s in %s" % (n, "" if n == 1 else "s", path))


class _Stop(Exception):
    """Abandon the entry being read (its problem is noted) and go on with the next one."""


def did_you_mean(word, choices):
    if not isinstance(word, str):
        return ""
    hit = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return " (did you mean %r?)" % hit[0] if hit else ""


class _Ctx:
    def __init__(self, path, finder, broken=()):
        self.path = path
        self.finder = finder
        self.problems = []           # (line, col, message)
        self.broken = set(broken)    # (table, index) entries holding a line TOML could not read

    def note(self, table, index, key, message, at="value"):
        if (table, index) in self.broken:
            return                   # a line of it could not be read: its other problems may be echoes
        line, col = self.finder.pos(table, index, key, at)
        if (line, col, message) not in self.problems:
            self.problems.append((line, col, message))

    def fail(self, table, index, key, message, at="value"):
        self.note(table, index, key, message, at)
        raise _Stop()

    def done(self):
        if self.problems:
            raise SiteErrors(self.path, sorted(self.problems))


def parse_endpoint(text):
    """(host, port) from "host:port", "1.2.3.4:port" or "[v6]:port"; ValueError with the reason."""
    if not isinstance(text, str):
        raise ValueError("must be a string \"host:port\"")
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
        if not sep:
            raise ValueError("IPv6 endpoints are written [address]:port")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError("%r is not an IPv6 address" % host) from None
    else:
        host, sep, port = text.rpartition(":")
        if not sep or not host:
            raise ValueError("has no port (want host:port)")
        if ":" in host:
            raise ValueError("IPv6 endpoints are written [address]:port")
        if re.fullmatch(r"[0-9.]+", host):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                raise ValueError("%r is not an IPv4 address" % host) from None
        else:
            name = host[:-1] if host.endswith(".") else host
            if len(name) > 253 or not all(HOST_LABEL.match(lbl) for lbl in name.split(".")):
                raise ValueError("%r is not a valid host name" % host)
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError("port %r is not a number from 1 to 65535" % port)
    return host, int(port)


def load(path, resolve=False):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise MgError("cannot read site description %s: %s" % (path, e.strerror)) from None
    return loads(data.decode("utf-8", "replace"), path, resolve=resolve)


def _syntax_message(msg, line_text, col):
    msg = msg[0].lower() + msg[1:]
    if msg.startswith("invalid value"):
        rest = line_text[col - 1:] if 0 < col <= len(line_text) + 1 else ""
        if re.match(r"[A-Za-z_][^\s,\]]*", rest) and not re.match(r"(true|false|inf|nan)\b", rest):
            msg += " (text is written in quotes, e.g. kind = \"phone\")"
    return msg


def _parse(text, path):
    """(document, [(line, col, message)] of TOML syntax errors, set of broken entries, finder).

    A line TOML cannot read is reported and left out, and the rest is read again, so one run
    shows every broken line; what the left-out lines held is not checked further."""
    finder = LineFinder(text)
    lines = text.split("\n")
    problems, broken = [], set()
    for _ in range(len(lines) + 1):
        try:
            return tomllib.loads("\n".join(lines)), problems, broken, finder
        except tomllib.TOMLDecodeError as e:
            msg = str(e)
            m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
            if not m:
                problems.append((1, 1, msg[0].lower() + msg[1:]))
                return None, problems, broken, finder
            line, col = int(m.group(1)), int(m.group(2))
            problems.append((line, col, _syntax_message(msg[:m.start()].strip(), lines[line - 1]
                                                        if line <= len(lines) else "", col)))
            broken.add(finder.entry.get(line, ("", 0)))
            if line > len(lines) or not lines[line - 1].strip():
                return None, problems, broken, finder     # nothing left to leave out
            # A multi-line string left open would swallow the rest: stop at it.
            if '"""' in lines[line - 1] or "'''" in lines[line - 1]:
                return None, problems, broken, finder
            lines[line - 1] = ""
    return None, problems, broken, finder


def loads(text, path="<site>", resolve=False):
    doc, syntax, broken, finder = _parse(text, path)
    ctx = _Ctx(path, finder, broken)
    ctx.problems.extend(syntax)
    site = None
    if doc is not None:
        try:
            site = _build(doc, ctx, resolve)
        except _Stop:
            pass
    ctx.done()
    return site


def _int(ctx, table, index, key, value, lo, hi):
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        ctx.fail(table, index, key, "%s must be a whole number from %d to %d" % (key, lo, hi))
    return value


def _try(fn, *args):
    """fn(*args), or None when it noted a problem and gave up on its entry."""
    try:
        return fn(*args)
    except _Stop:
        return None


def _build(doc, ctx, resolve=False):
    for t in sorted(set(doc) - {"site", "device", "link"}):
        ctx.note(t, 0, None, "unknown table [%s] (want [site], [[device]], [[link]])%s"
                 % (t, did_you_mean(t, ("site", "device", "link"))), at="key")
    site_t = doc.get("site", {})
    if not isinstance(site_t, dict):
        ctx.fail("site", 0, None, "site must be a [site] table")
    for k in site_t:
        if k not in SITE_FIELDS:
            ctx.note("site", 0, k, "unknown [site] field %r%s" % (k, did_you_mean(k, SITE_FIELDS)), at="key")
    site_name = site_t.get("name", "site")
    # The name is written into rendered configs' comment lines: one printable line only.
    if not isinstance(site_name, str) or not site_name.isprintable():
        ctx.note("site", 0, "name", "the site name must be one line of printable text")
        site_name = "site"
    site = Site(name=site_name, path=ctx.path, devices={}, links=[])
    if "mtu" in site_t:
        site.mtu = _try(_int, ctx, "site", 0, "mtu", site_t["mtu"], 1280, 9000)
    if "keepalive" in site_t:
        site.keepalive = _try(_int, ctx, "site", 0, "keepalive", site_t["keepalive"], 0, 65535)
        if site.keepalive is None:
            site.keepalive = 25

    devices = doc.get("device", [])
    if not isinstance(devices, list) or not devices:
        if not ctx.problems:
            raise SiteErrors(ctx.path, [(1, 1, "no [[device]] tables")])
        raise _Stop()
    by_pub = {}
    lost = set()          # names of devices whose table has a problem: links to them are not checked
    for i, d in enumerate(devices):
        dev = _try(_device, ctx, i, d)
        if dev is None:
            if isinstance(d, dict) and isinstance(d.get("name"), str):
                lost.add(d["name"])
            continue
        if dev.name in site.devices:
            ctx.note("device", i, "name", "device name %r is used twice" % dev.name)
            continue
        if dev.public_key in by_pub:
            j, other = by_pub[dev.public_key]
            key = "private_key" if "private_key" in d else "public_key"
            ctx.note("device", i, key, "duplicate key: device %r has the same key as device %r (line %d)"
                     % (dev.name, other, ctx.finder.line("device", j, key)))
            lost.add(dev.name)
            continue
        by_pub[dev.public_key] = (i, dev.name)
        site.devices[dev.name] = dev
    if resolve:
        _resolve(ctx, site, devices)

    _links(ctx, doc.get("link", []), site, lost)
    flagged = set()       # devices with a problem of their links: the overlap check leaves them out
    for dev in site.devices.values():
        i = _device_index(devices, dev.name)
        if dev.kind == "board":
            peers = site.peers_of(dev)
            if not peers:
                flagged.add(dev.name)
                if not lost:
                    ctx.note("device", i, "name", "board %r has no peer: link it to a device with an endpoint"
                             % dev.name)
            elif peers[0].device.endpoint is None:
                flagged.add(dev.name)
                ctx.note("device", i, "name", "board %r: its peer %r has no endpoint to connect to"
                         % (dev.name, peers[0].device.name))
    _check_subnets(ctx, site, devices)
    _check_overlaps(ctx, site, devices, flagged)
    return site


def _device_index(devices, name):
    for i, d in enumerate(devices):
        if isinstance(d, dict) and d.get("name") == name:
            return i
    return 0


def _device(ctx, i, d):
    if not isinstance(d, dict):
        ctx.fail("device", i, None, "[[device]] must be a table")
    suggested = set()
    for k in d:
        if k not in DEVICE_FIELDS:
            hint = did_you_mean(k, DEVICE_FIELDS)
            if hint:
                suggested.add(hint.split("'")[1])
            ctx.note("device", i, k, "unknown device field %r%s" % (k, hint), at="key")
    name = d.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", name):
        ctx.fail("device", i, "name", "device needs a name of letters, digits, '-' or '_'")
    kind = d.get("kind", "linux")
    if kind not in KINDS:
        ctx.note("device", i, "kind", "device %r: kind %r is not one of %s%s"
                 % (name, kind, ", ".join(KINDS), did_you_mean(kind, KINDS)))
    if "address" not in d:
        if "address" in suggested:
            raise _Stop()           # the misspelt field has been reported
        ctx.fail("device", i, None, "device %r has no address" % name)
    try:
        address = ipaddress.ip_interface(d["address"])
    except (ValueError, TypeError):
        ctx.fail("device", i, "address", "device %r: address %r is not an IP address with prefix"
                 % (name, d["address"]))
    if "/" not in str(d["address"]):
        ctx.fail("device", i, "address", "device %r: address %r needs a prefix length, e.g. /24"
                 % (name, d["address"]))
    private = public = None
    if "private_key" in d:
        private = _key(ctx, i, "private_key", d["private_key"], name)
        public = keys.pubkey(private)
        if "public_key" in d and _key(ctx, i, "public_key", d["public_key"], name) != public:
            ctx.fail("device", i, "public_key", "device %r: public_key does not belong to its private_key" % name)
    elif "public_key" in d:
        public = _key(ctx, i, "public_key", d["public_key"], name)
    else:
        if suggested & {"private_key", "public_key"}:
            raise _Stop()
        ctx.fail("device", i, None, "device %r has neither private_key nor public_key "
                 "(make one with `mgtool keygen`, or provision the device and use its public key)" % name)
    dev = Device(name=name, kind=kind, address=address, public_key=public, private_key=private)
    bad = False
    if "endpoint" in d:
        try:
            dev.endpoint = parse_endpoint(d["endpoint"])
        except ValueError as e:
            ctx.note("device", i, "endpoint", "device %r: bad endpoint %r: %s" % (name, d["endpoint"], e))
            bad = True
    routes = d.get("routes", [])
    if not isinstance(routes, list):
        ctx.note("device", i, "routes", "device %r: routes must be a list of networks" % name)
        routes, bad = [], True
    for r in routes:
        try:
            dev.routes.append(ipaddress.ip_network(r, strict=True))
        except (ValueError, TypeError):
            ctx.note("device", i, "routes", "device %r: route %r is not a network (host bits set?)" % (name, r))
            bad = True
    if "interface" in d:
        if not isinstance(d["interface"], str) or not IFNAME.match(d["interface"]):
            ctx.note("device", i, "interface", "device %r: interface name %r is not valid" % (name, d["interface"]))
            bad = True
        else:
            dev.interface = d["interface"]
    if "listen_port" in d:
        dev.listen_port = _try(_int, ctx, "device", i, "listen_port", d["listen_port"], 1, 65535)
        bad = bad or dev.listen_port is None
    elif dev.endpoint:
        dev.listen_port = dev.endpoint[1]
    for k in ("mtu", "keepalive"):
        if k in d:
            v = _try(_int, ctx, "device", i, k, d[k], *((1280, 9000) if k == "mtu" else (0, 65535)))
            bad = bad or v is None
            setattr(dev, k, v)
    if not isinstance(d.get("dns", []), list):
        ctx.note("device", i, "dns", "device %r: dns must be a list of IP addresses" % name)
        bad = True
    else:
        for s in d.get("dns", []):
            try:
                dev.dns.append(str(ipaddress.ip_address(s)))
            except (ValueError, TypeError):
                ctx.note("device", i, "dns", "device %r: DNS server %r is not an IP address" % (name, s))
                bad = True
    if kind == "board":
        if not isinstance(d.get("board"), str):
            ctx.note("device", i, "board", "board device %r needs board = \"<name>\" (e.g. qemu-mps2-an386)"
                     % name)
            bad = True
        else:
            dev.board = d["board"]
    if "console" in d:
        if kind != "board":
            ctx.note("device", i, "console", "device %r: console is for kind = \"board\"" % name)
            bad = True
        else:
            dev.console = _try(_int, ctx, "device", i, "console", d["console"], 1, 65535)
            bad = bad or dev.console is None
    dev.description = str(d.get("description", ""))
    if bad or kind not in KINDS:
        raise _Stop()
    return dev


def _key(ctx, i, key, value, name):
    if not isinstance(value, str):
        ctx.fail("device", i, key, "device %r: %s must be a string" % (name, key))
    try:
        return keys.encode(keys.decode(value, "%s of device %r" % (key, name)))
    except MgError as e:
        ctx.fail("device", i, key, str(e))


def _resolve(ctx, site, devices):
    """--resolve: every endpoint's host name must resolve here (as the peers will look it up)."""
    for i, dev in enumerate(site.devices.values()):
        if dev.endpoint is None:
            continue
        host, port = dev.endpoint
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        except (socket.gaierror, UnicodeError, OSError) as e:
            ctx.note("device", _device_index(devices, dev.name), "endpoint", "device %r: endpoint host %r does not resolve (%s)"
                     % (dev.name, host, getattr(e, "strerror", None) or e))


def _links(ctx, links, site, lost=()):
    if not links:
        # Default topology: everyone peers with every device that has an endpoint.
        names = list(site.devices)
        for x, a in enumerate(names):
            for b in names[x + 1:]:
                if site.devices[a].endpoint or site.devices[b].endpoint:
                    site.links.append((a, b, None, None))
        return
    if not isinstance(links, list):
        ctx.fail("link", 0, None, "links are written as [[link]] tables")
    seen = {}
    for i, link in enumerate(links):
        _try(_link, ctx, i, link, site, lost, seen)


def _link(ctx, i, link, site, lost, seen):
    if not isinstance(link, dict):
        ctx.fail("link", i, None, "[[link]] must be a table")
    for k in link:
        if k not in LINK_FIELDS:
            ctx.note("link", i, k, "unknown link field %r%s" % (k, did_you_mean(k, LINK_FIELDS)), at="key")
    for end in ("a", "b"):
        v = link.get(end)
        if isinstance(v, str) and v in lost:
            raise _Stop()            # that device's own problem has been reported
        if not isinstance(v, str) or v not in site.devices:
            ctx.fail("link", i, end, "link %s = %r names no device%s" % (end, v, did_you_mean(v, site.devices)))
    a, b = link["a"], link["b"]
    if a == b:
        ctx.fail("link", i, "b", "link joins device %r to itself" % a)
    pair = frozenset((a, b))
    if pair in seen:
        ctx.fail("link", i, "a", "link %s-%s is listed twice (first at line %d)"
                 % (a, b, ctx.finder.line("link", seen[pair], None)))
    seen[pair] = i
    psk = None
    if "preshared_key" in link:
        if not isinstance(link["preshared_key"], str):
            ctx.fail("link", i, "preshared_key", "link %s-%s: preshared_key must be a base64 string" % (a, b))
        try:
            psk = keys.encode(keys.decode(link["preshared_key"], "preshared_key of link %s-%s" % (a, b)))
        except MgError as e:
            ctx.fail("link", i, "preshared_key", str(e))
        for dev in site.devices.values():
            if dev.private_key == psk or dev.public_key == psk:
                ctx.fail("link", i, "preshared_key", "duplicate key: the preshared key of link %s-%s is "
                         "also a key of device %r" % (a, b, dev.name))
    keepalive = None
    if "keepalive" in link:
        keepalive = _int(ctx, "link", i, "keepalive", link["keepalive"], 0, 65535)
    site.links.append((a, b, psk, keepalive))


def _check_subnets(ctx, site, devices):
    """A device without an endpoint lives in the subnet of a hub it links to (the hub's prefix):
    its peers route that prefix to the hub, so an address outside it is never reached."""
    for dev in site.devices.values():
        if dev.endpoint is not None:
            continue
        hubs = [p.device for p in site.peers_of(dev) if p.device.endpoint is not None]
        if not hubs or any(dev.address.ip in h.address.network for h in hubs
                           if h.address.version == dev.address.version):
            continue
        ctx.note("device", _device_index(devices, dev.name), "address",
                 "device %r: address %s is outside the site's subnet %s (the prefix of hub %r)"
                 % (dev.name, dev.address.ip, hubs[0].address.network, hubs[0].name))


def _check_overlaps(ctx, site, devices, flagged=()):
    for dev in site.devices.values():
        if dev.name in flagged:
            continue
        claimed = []      # (network, peer name)
        for p in site.peers_of(dev):
            if p.device.name in flagged:
                continue
            for net in p.allowed_ips:
                for other_net, other in claimed:
                    if net.version == other_net.version and net.overlaps(other_net):
                        key = "routes" if net in p.device.routes else "address"
                        ctx.note("device", _device_index(devices, p.device.name), key,
                                 "overlapping allowed IPs on %r: %s (peer %r) overlaps %s (peer %r, line %d)"
                                 % (dev.name, net, p.device.name, other_net, other,
                                    ctx.finder.line("device", _device_index(devices, other), "address")))
                        break
                claimed.append((net, p.device.name))
