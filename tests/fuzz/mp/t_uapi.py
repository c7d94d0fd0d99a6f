# Fuzz target: UAPI requests (wireguard.uapi.handle, what the daemon's
# socket hands over). Inputs are mutations of valid set=1 requests (every
# device and peer key, v4/v6 endpoints and allowed IPs, removals) and get=1:
# dropped/repeated/swapped lines, generated lines, edited keys and values,
# character edits of the whole text.
# Oracle: handle() returns "errno=N\n\n" (set) or a get answer ending in
# errno=0; a refused set changes nothing (get before == get after), as the
# module promises; a get answer has only known key=value lines; the listen
# port hook only ever sees a port 0..65535.
from mutate import Rng, case_seed, mutate_text, mutate_lines
from enginekit import WallClock
from wireguard import Device
from wireguard import uapi
from wireguard.keys import to_hex

ROUND = 100
GET_KEYS = ("private_key", "listen_port", "fwmark", "public_key", "preshared_key",
            "protocol_version", "endpoint", "last_handshake_time_sec", "last_handshake_time_nsec",
            "tx_bytes", "rx_bytes", "persistent_keepalive_interval", "allowed_ip", "errno")
ENDPOINTS = ("192.0.2.1:51820", "[2001:db8::1]:4500", "127.0.0.1:1", "[::1]:65535",
             "10.0.0.1:0", "[fe80::1]:51820")
PREFIXES = ("10.0.0.0/24", "10.0.0.2/32", "0.0.0.0/0", "::/0", "fd00::/64", "fd00::2/128",
            "192.168.1.7/24", "2001:db8::/32", "1.2.3.4/32")


def _key(r):
    return to_hex(r.bytes(32))


def _peer_lines(r, pub):
    out = ["public_key=" + pub]
    for _ in range(r.below(8)):
        k = r.below(10)
        if k == 0:
            out.append("preshared_key=" + _key(r))
        elif k == 1:
            out.append("endpoint=" + r.choice(ENDPOINTS))
        elif k == 2:
            out.append("persistent_keepalive_interval=%d" % r.choice((0, 1, 25, 65535)))
        elif k == 3:
            out.append("replace_allowed_ips=true")
        elif k == 4:
            out.append("update_only=true")
        elif k == 5:
            out.append("protocol_version=1")
        elif k == 6 and r.chance(20):
            out.append("remove=true")
        else:
            out.append("allowed_ip=" + ("-" if r.chance(10) else "") + r.choice(PREFIXES))
    return out


def _fresh_line(r):
    key = r.choice(("private_key", "listen_port", "fwmark", "replace_peers", "public_key",
                    "remove", "update_only", "preshared_key", "endpoint",
                    "persistent_keepalive_interval", "replace_allowed_ips", "allowed_ip",
                    "protocol_version", "get", "set", "errno", "bogus"))
    value = r.choice(("", "true", "false", "1", "0", "65535", "65536", _key(r), r.choice(PREFIXES),
                      r.choice(ENDPOINTS)))
    return key + "=" + value


class Target:
    name = "uapi"

    def __init__(self, seed):
        self.seed = seed
        self.round = -1
        self.last = None
        self.outcomes = {}

    def _setup(self, rnd):
        r = Rng(case_seed(self.seed, 0x40000000 + rnd))
        self.dev = Device(r.bytes(32), rng=Rng(r.u32()), wall_clock=WallClock())
        self.ports = []
        self.dev.on_listen_port = self._on_port
        self.refuse_port = False
        self.keys = [_key(r) for _ in range(4)]
        self.round = rnd

    def _on_port(self, port):
        self.ports.append(port)
        return -98 if self.refuse_port else 0

    def valid_request(self, r):
        if r.chance(10):
            return ["get=1"]
        lines = ["set=1"]
        if r.chance(40):
            lines.append("private_key=" + (_key(r) if r.chance(90) else "0" * 64))
        if r.chance(30):
            lines.append("listen_port=%d" % r.choice((0, 51820, 65535, r.below(65536))))
        if r.chance(20):
            lines.append("fwmark=%s" % r.choice(("", "0", "1", "4294967295")))
        if r.chance(10):
            lines.append("replace_peers=true")
        for _ in range(r.below(4)):
            lines.extend(_peer_lines(r, r.choice(self.keys) if r.chance(70) else _key(r)))
        return lines

    def make_input(self, r):
        lines = self.valid_request(r)
        how = r.below(10)
        if how < 3:
            body = mutate_lines(r, lines[1:], _fresh_line)
            lines = [lines[0]] + body
        elif how < 7 and len(lines) > 1:
            i = 1 + r.below(len(lines) - 1)
            k, _, v = lines[i].partition("=")
            if r.chance(75):
                v = mutate_text(r, v)
            else:
                k = mutate_text(r, k)
            lines[i] = k + "=" + v
        elif how == 7:
            lines[0] = mutate_text(r, lines[0])
        text = "\n".join(lines) + "\n\n"
        if how == 8:
            text = mutate_text(r, text)
        elif how == 9:
            text = text[:r.below(len(text) + 1)]
        return text

    def case(self, index):
        rnd = index // ROUND
        if rnd != self.round:
            self._setup(rnd)
        r = Rng(case_seed(self.seed, index))
        text = self.make_input(r)
        self.last = text
        self.refuse_port = r.chance(5)
        dev = self.dev
        before = uapi.render_get(dev)
        port_before = dev.listen_port
        resp = uapi.handle(dev, text)
        if not isinstance(resp, str) or not resp.endswith("\n\n"):
            return "response is not an errno-terminated text: %r" % (resp,)
        for p in self.ports:
            if not 0 <= p <= 65535:
                return "listen port hook got %r" % (p,)
        self.ports = []
        if dev.last_error is not None:
            return "last_error set: %r" % (dev.last_error,)
        if text.split("\n")[0] == "get=1":
            self._tally("get")
            return self._check_get(resp)
        lines = resp.split("\n")
        if len(lines) != 3 or not lines[0].startswith("errno="):
            return "set answered %r" % (resp,)
        errno = int(lines[0][6:])
        self._tally("errno=%d" % errno)
        after = uapi.render_get(dev)
        if errno != 0 and (after != before or dev.listen_port != port_before):
            return "refused set (errno %d) changed the device" % errno
        return self._check_get(after)

    def _tally(self, k):
        self.outcomes[k] = self.outcomes.get(k, 0) + 1

    def _check_get(self, text):
        lines = text.split("\n")
        if lines[-2:] != ["", ""] or lines[-3] != "errno=0":
            return "get answer does not end in errno=0: %r" % (text[-40:],)
        for line in lines[:-3]:
            k, eq, v = line.partition("=")
            if not eq or k not in GET_KEYS:
                return "get answer has line %r" % (line,)
        return None

    def stats(self):
        return self.outcomes

    def describe(self):
        return repr(self.last)
