# The board's IP host: its own tunnel addresses (IPv4 and IPv6), and what
# becomes of each packet the tunnel delivers: echo answered, UDP and TCP
# handed to their layers, packets for other addresses to the forwarder
# (router mode) or dropped. Replies are queued, not sent at once: they are
# produced while the engine's output list is still being walked.
from . import ipv4, udp

MAX_PENDING = 64


def _ipv6():
    # Loaded on the first IPv6 packet: an IPv4-only board keeps its heap.
    from . import ipv6
    return ipv6


class IpHost:
    def __init__(self, addresses):
        self.addresses = [bytes(a) for a in addresses]
        self.pending = []               # packets to send once the current batch is done
        self.handlers = {}              # proto -> fn(src, dst, payload view), both IP versions
        self.on_udp = None              # fn(src, sport, dport, data view)
        self.forward = None             # fn(packet) for packets not addressed to us
        self.dropped = 0
        self.overflow = 0

    def source_for(self, dst):
        """Our address of dst's family."""
        for a in self.addresses:
            if len(a) == len(dst):
                return a
        raise ValueError("no tunnel address of this family")

    def output(self, pkt):
        if len(self.pending) >= MAX_PENDING:
            self.overflow += 1          # a burst beyond what the tunnel drains: like a full queue
            return
        self.pending.append(pkt)

    def send_transport(self, proto, src, dst, segment):
        ip = ipv4 if len(dst) == 4 else _ipv6()
        self.output(ip.build(proto, src, dst, segment))

    def send_udp(self, dst, sport, dport, data):
        src = self.source_for(dst)
        self.send_transport(udp.PROTO, src, dst, udp.segment(src, dst, sport, dport, data))

    def input(self, pkt):
        """One packet out of the tunnel."""
        v = pkt[0] >> 4 if len(pkt) else 0
        ip = ipv4 if v == 4 else _ipv6() if v == 6 else None
        parsed = ip.parse(pkt) if ip else None
        if parsed is None:
            self.dropped += 1
            return
        proto, src, dst, payload = parsed
        if dst not in self.addresses:
            if self.forward is not None:
                self.forward(pkt)
            else:
                self.dropped += 1
            return
        if proto == ip.PROTO_ICMP:
            reply = ip.echo_reply(src, dst, payload)
            if reply is not None:
                self.output(reply)
                return
        elif proto == udp.PROTO:
            u = udp.parse(src, dst, payload)
            if u is not None and self.on_udp is not None:
                self.on_udp(src, u[0], u[1], u[2])
                return
        else:
            handler = self.handlers.get(proto)
            if handler is not None:
                handler(src, dst, payload)
                return
        self.dropped += 1
