# Helpers for engine checks: a reproducible RNG, injected clocks, and a
# "network" that carries the actions of one Device to another.
from wireguard import Device
from wireguard.crypto import x25519_base, clamp
from wireguard.outcomes import ACTION_UDP, ACTION_TUN, EVENT_NAMES


class Rng:
    """xorshift32 stream: reproducible randomness for keys, indices, jitter."""

    def __init__(self, seed):
        self.state = (seed * 2654435761 + 1) & 0xFFFFFFFF or 1

    def __call__(self, n):
        out = bytearray(n)
        s = self.state
        for i in range(n):
            s ^= (s << 13) & 0xFFFFFFFF
            s ^= s >> 17
            s ^= (s << 5) & 0xFFFFFFFF
            out[i] = s & 0xFF
        self.state = s
        return bytes(out)


class WallClock:
    """Injected wall clock; tests move it (and may move it backwards)."""

    def __init__(self, sec=1700000000, nsec=0):
        self.sec = sec
        self.nsec = nsec

    def __call__(self):
        return self.sec, self.nsec

    def advance(self, seconds):
        total = self.nsec + int(seconds * 1000000000)
        self.sec += total // 1000000000
        self.nsec = total % 1000000000


def keypair(rng):
    private = clamp(rng(32))
    return private, x25519_base(private)


def ipv4(src, dst, payload=b"", proto=17):
    """Minimal IPv4 packet (checksum left zero: the engine does not check it)."""
    s = [int(x) for x in src.split(".")]
    d = [int(x) for x in dst.split(".")]
    total = 20 + len(payload)
    hdr = bytes([0x45, 0, total >> 8, total & 0xFF, 0, 0, 0, 0, 64, proto, 0, 0]) + bytes(s) + bytes(d)
    return hdr + payload


def ipv6(src16, dst16, payload=b"", nxt=17):
    n = len(payload)
    return bytes([0x60, 0, 0, 0, n >> 8, n & 0xFF, nxt, 64]) + src16 + dst16 + payload


def udp_of(actions):
    return [a for a in actions if a[0] == ACTION_UDP]


def tun_of(actions):
    return [bytes(a[1]) for a in actions if a[0] == ACTION_TUN]


class Node:
    """A Device with its own clock, address and key material."""

    def __init__(self, name, seed, addr, clock):
        self.name = name
        self.rng = Rng(seed)
        self.private, self.public = keypair(self.rng)
        self.addr = addr
        self.wall = WallClock(1700000000 + seed)
        self.dev = Device(self.private, rng=self.rng, wall_clock=self.wall)
        self.clock = clock
        self.keylog = []
        self.events = []
        self.dev.on_keylog = lambda *a: self.keylog.append(a)
        self.dev.on_event = lambda event, peer: self.events.append(EVENT_NAMES[event])


class Clock:
    def __init__(self, t=1000.0):
        self.t = t


class Net:
    """Delivers UDP actions between nodes by address; tun output is
    collected per node. Datagrams to unknown addresses are recorded."""

    def __init__(self, *nodes):
        self.nodes = {}
        for n in nodes:
            self.nodes[n.addr] = n
        self.tun = {}
        self.lost = []
        self.sent = []          # (from node, to addr, bytes) for inspection
        self.filter = None      # filter(src node, dst addr, data) -> False drops it

    def deliver(self, src, actions, now, limit=100):
        """Carry actions (and everything they trigger) until quiet."""
        pending = [(src, a) for a in actions]
        steps = 0
        while pending:
            steps += 1
            assert steps < limit, "packet storm"
            node, a = pending.pop(0)
            if a[0] == ACTION_TUN:
                self.tun.setdefault(node.name, []).append(bytes(a[1]))
                continue
            dst_addr, data = a[1], bytes(a[2])
            self.sent.append((node, dst_addr, data))
            if self.filter is not None and not self.filter(node, dst_addr, data):
                continue
            dst = self.nodes.get(dst_addr)
            if dst is None:
                self.lost.append((node, dst_addr, data))
                continue
            for b in dst.dev.receive_datagram(data, node.addr, now):
                if b[0] == ACTION_TUN:
                    # A tun payload is only valid until the engine's next call.
                    self.tun.setdefault(dst.name, []).append(bytes(b[1]))
                else:
                    pending.append((dst, b))

    def tick_all(self, now):
        for n in list(self.nodes.values()):
            self.deliver(n, n.dev.tick(now), now)

    def run_until(self, clock, end, step=0.5):
        while clock.t < end:
            clock.t = min(end, clock.t + step)
            for n in list(self.nodes.values()):
                n.wall.advance(step)
            self.tick_all(clock.t)


def pair(psk=None, seed_a=1, seed_b=2, keepalive_a=0):
    """Two nodes A (10.0.0.1) and B (10.0.0.2) that know each other."""
    from wireguard.ipaddr import parse_prefix
    clock = Clock()
    a = Node("a", seed_a, ("192.0.2.1", 51820), clock)
    b = Node("b", seed_b, ("192.0.2.2", 51821), clock)
    a.peer = a.dev.add_peer(b.public, psk, b.addr, keepalive_a, [parse_prefix("10.0.0.2/32")])
    b.peer = b.dev.add_peer(a.public, psk, a.addr, 0, [parse_prefix("10.0.0.1/32")])
    return clock, a, b, Net(a, b)


def no_errors(*nodes):
    for n in nodes:
        assert n.dev.last_error is None, repr(n.dev.last_error)
        assert "internal_error" not in n.dev.drops, n.dev.drops
