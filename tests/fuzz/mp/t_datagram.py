# Fuzz target: UDP datagrams into Device.receive_datagram. Each round builds
# two engine Devices that really handshake (with and without a PSK, with and
# without the responder under load), keeps every datagram they exchanged,
# and then feeds mutations of those to either side: byte edits, field edits
# with MACs recomputed (so mutated handshakes pass MAC1/MAC2 and reach the
# Noise code), transport messages resealed under the real session keys
# around mutated inner packets (so the inner-packet checks are reached),
# random sources and clock jumps with timer ticks in between.
# Oracle per case: no exception, dev.last_error stays None and no
# "internal_error" drop on either side; every datagram is accounted for
# (an action, a drop or a counter); actions are well-formed; a "tun" packet
# is something the peer really sealed, from one of the peer's allowed IPs;
# the two Devices never storm each other.
from enginekit import pair, ipv4, ipv6
from mutate import Rng, case_seed, mutate_bytes
from wireguard.constants import (MSG_INITIATION, MSG_RESPONSE, MSG_COOKIE_REPLY, MSG_TRANSPORT,
                                 INITIATION_LEN, RESPONSE_LEN, COOKIE_REPLY_LEN,
                                 MAX_DATAGRAM_LEN)
from wireguard.ipaddr import parse_prefix
from wireguard.outcomes import ACTION_UDP, ACTION_TUN, ACTION_NAMES
from wireguard.transport import Sealer, padded_length
from wireguard import ippacket
from wireguard import messages as m

ROUND = 200
V6_A = parse_prefix("fd10::1/128")
V6_B = parse_prefix("fd10::2/128")
A6 = V6_A[0]
B6 = V6_B[0]
SOURCES = (("198.51.100.7", 9), ("192.0.2.1", 51820), ("192.0.2.2", 51821), ("fd00::9", 51820),
           ("0.0.0.0", 0), ("255.255.255.255", 65535))
HS_LEN = {MSG_INITIATION: INITIATION_LEN, MSG_RESPONSE: RESPONSE_LEN}


def _total(d):
    n = 0
    for k in d:
        n += d[k]
    return n


class Target:
    name = "datagram"

    def __init__(self, seed):
        self.seed = seed
        self.round = -1
        self.sealer = Sealer()
        self.last = None
        self.outcomes = {}      # drop reasons, counters, actions by name: how deep cases got

    # ---------------------------------------------------------- a round

    def _tally(self):
        if self.round < 0:
            return
        o = self.outcomes
        for n in (self.a, self.b):
            for d in (n.dev.drops, n.dev.counters):
                for k in d:
                    o[k] = o.get(k, 0) + d[k]

    def stats(self):
        self._tally()
        self.round = -1
        return self.outcomes

    def _setup(self, rnd):
        self._tally()
        r = Rng(case_seed(self.seed, 0x40000000 + rnd))
        psk = r.bytes(32) if r.chance(50) else None
        clock, a, b, net = pair(psk=psk, seed_a=r.u32(), seed_b=r.u32())
        a.dev.add_allowed_ip(a.peer, V6_B[0], V6_B[1])
        b.dev.add_allowed_ip(b.peer, V6_A[0], V6_A[1])
        self.clock, self.a, self.b, self.net = clock, a, b, net
        self.authentic = []
        self.mtu = a.dev.mtu
        self.under_load = r.chance(33)
        if self.under_load:
            b.dev.load.forced = True
        self._send(a, ipv4("10.0.0.1", "10.0.0.2", b"hello" + r.bytes(r.below(64))))
        if self.under_load:
            # The first initiation got a cookie reply; the retry carries MAC2.
            clock.t += 6
            net.deliver(a, a.dev.tick(clock.t), clock.t)
        self._send(b, ipv4("10.0.0.2", "10.0.0.1", b"back" + r.bytes(r.below(600))))
        self._send(a, ipv6(A6, B6, r.bytes(r.below(100))))
        self._send(b, ipv6(B6, A6, r.bytes(r.below(1400))))
        if r.chance(50):
            # B initiates too: A gets an initiation, B a response.
            clock.t += 6
            net.deliver(b, b.dev.initiate_handshake(b.peer, clock.t), clock.t)
            self._send(b, ipv4("10.0.0.2", "10.0.0.1", b"rekeyed"))
            self._send(a, ipv4("10.0.0.1", "10.0.0.2", b"rekeyed too"))
        net.deliver(a, a.dev.send_keepalive(a.peer, clock.t), clock.t)
        self.to = {a.addr: [], b.addr: []}
        for node, dst, data in net.sent:
            if dst in self.to:
                self.to[dst].append(bytes(data))
        self.all_msgs = self.to[a.addr] + self.to[b.addr]
        self.round = rnd
        err = self._errors()
        if err:
            raise AssertionError("round setup: " + err)

    def _send(self, node, pkt):
        self.authentic.append(bytes(pkt))
        self.net.deliver(node, node.dev.send_packet(pkt, self.clock.t), self.clock.t)

    def _errors(self):
        for n in (self.a, self.b):
            if n.dev.last_error is not None or "internal_error" in n.dev.drops:
                return "%s: last_error=%r drops=%r" % (n.name, n.dev.last_error, n.dev.drops)
        return None

    # ---------------------------------------------------------- inputs

    def _inner_packet(self, r, src, dst):
        """A plausible inner packet from src to dst, often with a broken header."""
        if r.chance(50):
            s4 = "10.0.0.%d" % (1 if src is self.a else 2)
            d4 = "10.0.0.%d" % (2 if src is self.a else 1)
            if r.chance(15):
                s4 = "10.0.%d.%d" % (r.below(3), r.below(256))
            pkt = bytearray(ipv4(s4, d4, r.bytes(r.below(200))))
            if r.chance(30):
                total = r.choice((0, 19, 20, len(pkt) - 1, len(pkt) + 1, 0xFFFF, r.below(0x10000)))
                pkt[2], pkt[3] = total >> 8, total & 0xFF
        else:
            s6, d6 = (A6, B6) if src is self.a else (B6, A6)
            if r.chance(15):
                s6 = r.bytes(16)
            pkt = bytearray(ipv6(s6, d6, r.bytes(r.below(200))))
            if r.chance(30):
                plen = r.choice((0, 1, len(pkt) - 40, len(pkt) - 39, 0xFFFF, r.below(0x10000)))
                pkt[4], pkt[5] = plen >> 8, plen & 0xFF
        if r.chance(20):
            pkt = bytearray(mutate_bytes(r, pkt))
        return bytes(pkt)

    def _reseal(self, r, src, dst):
        kps = src.peer.keypairs
        kp = r.choice((kps.current, kps.current, kps.previous, kps.next))
        if kp is None or kp.send_key is None:
            return None
        pkt = self._inner_packet(r, src, dst) if r.chance(90) else b""
        msg = self.sealer.seal(kp, pkt, src.dev.mtu)
        if msg is None:
            return None
        self.authentic.append(pkt)
        if r.chance(10):
            m.put_u64(msg, m.DATA_COUNTER, r.choice((0, 1, kp.send_counter + 3000, (1 << 64) - 1)))
        return bytes(msg)

    def _field_edit(self, r, msg, src):
        b = bytearray(msg)
        t = m.message_type(b)
        if t == MSG_INITIATION:
            off = r.choice((m.INIT_SENDER, m.INIT_EPHEMERAL, m.INIT_STATIC, m.INIT_TIMESTAMP))
        elif t == MSG_RESPONSE:
            off = r.choice((m.RESP_SENDER, m.RESP_RECEIVER, m.RESP_EPHEMERAL, m.RESP_EMPTY))
        elif t == MSG_COOKIE_REPLY:
            off = r.choice((m.COOKIE_RECEIVER, m.COOKIE_NONCE, m.COOKIE_SEALED))
        elif t == MSG_TRANSPORT and len(b) >= 16:
            off = r.choice((m.DATA_RECEIVER, m.DATA_COUNTER))
        else:
            return mutate_bytes(r, msg)
        how = r.below(4)
        if how == 0:
            b[off:off + 4] = r.bytes(4)
        elif how == 1 and off + 32 <= len(b):
            b[off:off + 32] = r.choice((bytes(32), b"\xff" * 32, r.bytes(32)))
        elif how == 2:
            v = r.choice((0, 1, 0xFFFFFFFF, r.u32()))
            m.put_u32(b, off, v)
        else:
            # Another message's value for this field (a valid index of the wrong kind).
            o = r.choice(self.all_msgs)
            if len(o) >= off + 4:
                b[off:off + 4] = o[off:off + 4]
        return bytes(b)

    def _fix_macs(self, data, src):
        t = m.message_type(data)
        if HS_LEN.get(t) != len(data):
            return data
        b = bytearray(data)
        src.peer.cookies.stamp(b, self.clock.t)
        return bytes(b)

    def make_input(self, r):
        """(destination node, data, source address) for one case."""
        if r.chance(50):
            src, dst = self.a, self.b
        else:
            src, dst = self.b, self.a
        pool = self.to[dst.addr] or self.all_msgs
        msg = r.choice(pool)
        kind = r.below(20)
        data = None
        if kind < 8:
            data = mutate_bytes(r, msg, self.all_msgs)
            if r.chance(40):
                data = self._fix_macs(data, src)
        elif kind < 12:
            data = self._field_edit(r, msg, src)
            if r.chance(70):
                data = self._fix_macs(data, src)
        elif kind < 16:
            data = self._reseal(r, src, dst)
        elif kind < 18:
            data = msg          # a plain replay
        elif kind == 18:
            t = r.choice((0, 1, 2, 3, 4, 5, 255))
            n = r.choice((0, 3, 4, 31, 32, 64, 92, 148, r.below(300)))
            data = bytes([t, 0, 0, 0]) + r.bytes(n)
            data = data[:n] if n < 4 else data
        else:
            data = bytes([MSG_TRANSPORT, 0, 0, 0]) + r.bytes(MAX_DATAGRAM_LEN - 3) \
                if r.chance(10) else msg + r.bytes(1 + r.below(3))
        if data is None:
            data = mutate_bytes(r, msg)
        addr = src.addr if r.chance(85) else r.choice(SOURCES)
        return dst, data, addr

    # ---------------------------------------------------------- one case

    def case(self, index):
        rnd = index // ROUND
        if rnd != self.round:
            self._setup(rnd)
        r = Rng(case_seed(self.seed, index))
        clock = self.clock
        if r.chance(3):
            # Time passes: timers fire (retransmits, keepalives, rekeys, key expiry).
            step = r.choice((0.5, 5.5, 11, 26, 125, 185, 600))
            clock.t += step
            for n in (self.a, self.b):
                n.wall.advance(step)
            self.net.tick_all(clock.t)
            err = self._errors()
            if err:
                return "after a tick: " + err
        dst, data, addr = self.make_input(r)
        self.last = (dst.name, addr, data)
        dev = dst.dev
        before = _total(dev.drops) + _total(dev.counters)
        out = dev.receive_datagram(bytearray(data) if r.chance(30) else data, addr, clock.t)
        if not isinstance(out, list):
            return "receive_datagram returned %r" % (out,)
        after = _total(dev.drops) + _total(dev.counters)
        if not out and after == before:
            return "datagram neither answered nor counted (drops %r)" % (dev.drops,)
        err = self._errors()
        if err:
            return err
        for a in out:
            if a[0] not in (ACTION_UDP, ACTION_TUN):
                return "unknown action %r" % (a,)
            kind = ACTION_NAMES[a[0]]
            self.outcomes[kind] = self.outcomes.get(kind, 0) + 1
            if a[0] == ACTION_UDP:
                if not (isinstance(a[1], tuple) and len(a[1]) == 2 and len(a[2]) >= 32):
                    return "malformed udp action %r" % (a,)
            else:
                pkt = bytes(a[1])
                if not self._is_authentic(pkt):
                    return "tun packet that the peer never sealed: %r" % (pkt,)
                if dev.allowed_ips.lookup(ippacket.source(pkt)) is not dst.peer:
                    return "tun packet from outside the peer's allowed IPs"
        try:
            self.net.deliver(dst, out, clock.t)
        except AssertionError as e:
            return "the two devices stormed: %s" % e
        return self._errors()

    def _is_authentic(self, pkt):
        # A sealed packet, or one whose IP header claims some of the zero
        # padding too (the receiver can't tell; the kernel accepts it too).
        n = len(pkt)
        for p in self.authentic:
            k = len(p)
            if n <= k:
                if p[:n] == pkt:
                    return True
            elif n <= padded_length(k, self.mtu) and pkt[:k] == p and pkt[k:] == bytes(n - k):
                return True
        return False

    def describe(self):
        if self.last is None:
            return "(no input)"
        name, addr, data = self.last
        import binascii
        return "to %s from %r: %s" % (name, addr, binascii.hexlify(data).decode())
