"""Big configurations for the UAPI: country-list-sized allowed IPs, written as `wg setconf` files,
read back from `wg show`, and raw requests sent straight to a UAPI socket (for what `wg` would
refuse to send).

one_peer(130000): one peer with 130,000 prefixes, IPv4 and IPv6 mixed, lengths as in real
country lists (mostly /12../24 and /19../48) plus some long ones (/56../128).
many_peers(40, 52): 40 peers with 52 prefixes each.
"""
import base64
import ipaddress
import random
import socket
import time


def key(rng):
    return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(32))).decode()


def _prefix(rng, v6):
    if v6:
        cidr = rng.choice([19, 20, 24, 28, 29, 32, 32, 32, 36, 40, 44, 48, 48, 48, 56, 64, 96, 128])
        addr = (0x2000 << 112) | rng.getrandbits(125)
        return ipaddress.IPv6Network((addr, cidr), strict=False)
    cidr = rng.choice([8, 10, 12, 13, 14, 15, 16, 16, 17, 18, 19, 20, 20, 21, 22, 22, 22,
                       23, 23, 24, 24, 24, 24, 24, 25, 26, 27, 28, 29, 30, 31, 32, 32])
    return ipaddress.IPv4Network((rng.getrandbits(32), cidr), strict=False)


def prefixes(rng, count, v6_share=0.3):
    """`count` distinct networks (host bits cleared), about v6_share of them IPv6."""
    out = set()
    while len(out) < count:
        out.add(_prefix(rng, rng.random() < v6_share))
    return sorted(out, key=lambda n: (n.version, n.network_address, n.prefixlen))


class Config:
    """Interface key, listen port and {peer public key: [networks]}."""

    def __init__(self, private_key, listen_port, peers):
        self.private_key = private_key
        self.listen_port = listen_port
        self.peers = peers

    @property
    def count(self):
        return sum(len(v) for v in self.peers.values())

    def text(self, per_line=200):
        out = ["[Interface]", "PrivateKey = " + self.private_key, "ListenPort = %d" % self.listen_port]
        for pub, nets in self.peers.items():
            out += ["", "[Peer]", "PublicKey = " + pub]
            for i in range(0, len(nets), per_line):
                out.append("AllowedIPs = " + ", ".join(str(n) for n in nets[i:i + per_line]))
        return "\n".join(out) + "\n"

    def write(self, path):
        with open(path, "w") as f:
            f.write(self.text())
        return path

    def expected(self):
        return {pub: set(nets) for pub, nets in self.peers.items()}


def one_peer(count=130000, seed=1):
    rng = random.Random(seed)
    return Config(key(rng), 51820, {key(rng): prefixes(rng, count)})


def many_peers(peers=40, each=52, seed=2):
    rng = random.Random(seed)
    nets = prefixes(rng, peers * each)
    rng.shuffle(nets)
    return Config(key(rng), 51821,
                  {key(rng): sorted(nets[i * each:(i + 1) * each], key=lambda n: (n.version, str(n)))
                   for i in range(peers)})


def shown_allowed_ips(text):
    """`wg show <if> allowed-ips` output -> {peer public key: set of networks}."""
    out = {}
    for line in text.splitlines():
        pub, _, rest = line.partition("\t")
        nets = rest.split()
        out[pub] = set() if nets == ["(none)"] else {ipaddress.ip_network(n) for n in nets}
    return out


def uapi_request(sock_path, request, timeout=120, answers=1):
    """Send raw requests to a UAPI socket; returns the text of the first `answers` answers
    (each ends with a blank line, the only one in it)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        s.sendall(request.encode())
        buf = b""
        deadline = time.monotonic() + timeout
        while buf.count(b"\n\n") < answers and time.monotonic() < deadline:
            data = s.recv(65536)
            if not data:
                break
            buf += data
        return buf.decode()
    finally:
        s.close()


def set_request(config, bad_line=None, at=None):
    """A set=1 request for config, with bad_line inserted after `at` allowed_ip lines."""
    def hexkey(b64):
        return base64.b64decode(b64).hex()
    out = ["set=1", "private_key=" + hexkey(config.private_key), "replace_peers=true"]
    n = 0
    for pub, nets in config.peers.items():
        out += ["public_key=" + hexkey(pub), "replace_allowed_ips=true"]
        for net in nets:
            if bad_line is not None and n == at:
                out.append(bad_line)
            out.append("allowed_ip=%s" % net)
            n += 1
    if bad_line is not None and at is not None and at >= n:
        out.append(bad_line)
    return "\n".join(out) + "\n\n"
