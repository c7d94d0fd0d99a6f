# Cryptokey routing table: longest-prefix match from an address to a peer,
# for IPv4 and IPv6. One dict per prefix length, keyed by the prefix's
# network bits as an int; a lookup probes the lengths in use from longest to
# shortest. Compact (no trie nodes) and simple enough to be obviously right.


class _Family:
    __slots__ = ("bits", "by_len", "lens")

    def __init__(self, bits):
        self.bits = bits
        self.by_len = {}      # cidr -> {network int: peer}
        self.lens = []        # cidrs in use, longest first

    def _refresh_lens(self):
        self.lens = sorted([n for n in self.by_len if self.by_len[n]], reverse=True)

    def insert(self, value, cidr, peer):
        table = self.by_len.get(cidr)
        if table is None:
            table = self.by_len[cidr] = {}
        table[value >> (self.bits - cidr)] = peer
        self._refresh_lens()

    def remove(self, value, cidr):
        table = self.by_len.get(cidr)
        if table is None:
            return None
        peer = table.pop(value >> (self.bits - cidr), None)
        if not table:
            del self.by_len[cidr]
        self._refresh_lens()
        return peer

    def lookup(self, value):
        bits = self.bits
        by_len = self.by_len
        for cidr in self.lens:
            peer = by_len[cidr].get(value >> (bits - cidr))
            if peer is not None:
                return peer
        return None

    def remove_peer(self, peer):
        for cidr in list(self.by_len):
            table = self.by_len[cidr]
            for k in [k for k in table if table[k] is peer]:
                del table[k]
            if not table:
                del self.by_len[cidr]
        self._refresh_lens()

    def entries(self, peer):
        out = []
        bits = self.bits
        for cidr in self.lens:
            table = self.by_len[cidr]
            for k in table:
                if table[k] is peer:
                    out.append(((k << (bits - cidr)) if cidr else 0, cidr))
        return out


class AllowedIPs:
    def __init__(self):
        self._v4 = _Family(32)
        self._v6 = _Family(128)

    def _family(self, ip):
        if len(ip) == 4:
            return self._v4
        if len(ip) == 16:
            return self._v6
        raise ValueError("address must be 4 or 16 bytes")

    def insert(self, ip, cidr, peer):
        """Route ip/cidr (host bits ignored) to peer, replacing any owner."""
        fam = self._family(ip)
        if not 0 <= cidr <= fam.bits:
            raise ValueError("bad prefix length")
        fam.insert(int.from_bytes(ip, "big"), cidr, peer)

    def remove(self, ip, cidr):
        fam = self._family(ip)
        return fam.remove(int.from_bytes(ip, "big"), cidr)

    def lookup(self, ip):
        """Peer owning the longest prefix containing ip (4 or 16 bytes), or None."""
        return self._family(ip).lookup(int.from_bytes(ip, "big"))

    def remove_peer(self, peer):
        self._v4.remove_peer(peer)
        self._v6.remove_peer(peer)

    def entries(self, peer):
        """[(ip bytes, cidr)] routed to peer, IPv4 first, longest prefixes first."""
        out = []
        for fam, size in ((self._v4, 4), (self._v6, 16)):
            for value, cidr in fam.entries(peer):
                out.append((value.to_bytes(size, "big"), cidr))
        return out
