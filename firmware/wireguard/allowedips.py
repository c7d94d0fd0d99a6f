# Cryptokey routing table: longest-prefix match from an address to a peer,
# for IPv4 and IPv6. Per prefix length, {network bits: peer} (split over
# several dicts once big); a lookup probes the lengths in use from longest
# to shortest, one C-speed dict probe each.
#
# Memory: lists of 100,000+ prefixes are real (country and split-tunnel
# lists), so keys are kept off the heap where the port allows. A prefix of
# up to SMALL_BITS network bits is keyed by those bits as a small int
# (tagged in the pointer, no heap object): all of IPv4 and IPv6 up to /62 on
# 64-bit ports, up to /30 on 32-bit ones. Longer prefixes are keyed by their
# masked leading bytes (a short bytes object, never a bignum). A dict entry
# is then two words plus hash-table slack.
import sys

# Unsigned bits a small int holds: 62 on 64-bit ports, 30 on 32-bit ones
# (MicroPython tags small ints in the pointer; CPython ints are all objects,
# where the choice only matters for speed).
SMALL_BITS = 62 if sys.maxsize > (1 << 40) else 30


def _top_bits(ip, n):
    """The first n (<= SMALL_BITS) bits of ip as an int, with no bignum on the way."""
    if n == 32:
        return int.from_bytes(ip, "big")
    if n == 62:
        return (int.from_bytes(ip[0:4], "big") << 30) | (int.from_bytes(ip[4:8], "big") >> 2)
    v = 0
    i = 0
    while n >= 8:
        v = (v << 8) | ip[i]
        i += 1
        n -= 8
    if n:
        v = (v << n) | (ip[i] >> (8 - n))
    return v


def _long_key(ip, cidr):
    """Key of a prefix longer than SMALL_BITS: its masked leading bytes."""
    n = (cidr + 7) >> 3
    rem = cidr & 7
    if not rem:
        return bytes(ip[:n])
    b = bytearray(ip[:n])
    b[n - 1] &= (0xFF << (8 - rem)) & 0xFF
    return bytes(b)


def _bytes_of_top(v, n, size):
    """size address bytes whose first n bits are the int v, the rest zero."""
    out = bytearray(size)
    i = 0
    while n >= 8:
        n -= 8
        out[i] = (v >> n) & 0xFF
        i += 1
    if n:
        out[i] = ((v & ((1 << n) - 1)) << (8 - n)) & 0xFF
    return bytes(out)


# Entries per dict before a prefix length's table is split further: big
# dicts need big contiguous blocks, which a long-running heap (MicroPython's
# never moves objects) may no longer have even with megabytes free.
SHARD_MAX = 1024


def _shard(key, mask):
    """Which of a length's dicts holds key: the prefix's last bits (spread
    well in real lists), or the hash of a long key."""
    if type(key) is int:
        return key & mask
    return hash(key) & mask


class _Family:
    __slots__ = ("bits", "size", "small", "by_len", "counts", "lens", "long_plan", "plan")

    def __init__(self, bits):
        self.bits = bits
        self.size = bits // 8
        self.small = min(SMALL_BITS, bits)
        self.by_len = {}      # cidr -> [dict {key: peer}], a power of two of them
        self.counts = {}      # cidr -> entries
        self.lens = []        # cidrs in use, longest first
        # What lookup() probes, longest first: all lengths over SMALL_BITS
        # come before all others, so two loops, the second a tight one.
        self.long_plan = []   # (cidr, shard mask, shards)
        self.plan = []        # (shift to the key, shard mask, shards)

    def _key(self, ip, cidr):
        if cidr <= self.small:
            return _top_bits(ip, self.small) >> (self.small - cidr)
        return _long_key(ip, cidr)

    def _refresh_lens(self):
        self.lens = sorted(self.by_len, reverse=True)
        small = self.small
        by_len = self.by_len
        self.long_plan = [(c, len(by_len[c]) - 1, by_len[c]) for c in self.lens if c > small]
        self.plan = [(small - c, len(by_len[c]) - 1, by_len[c]) for c in self.lens if c <= small]

    def _split(self, cidr):
        old = self.by_len[cidr]
        mask = 2 * len(old) - 1
        shards = [{} for _ in range(mask + 1)]
        for d in old:
            for k in list(d):
                shards[_shard(k, mask)][k] = d.pop(k)
        self.by_len[cidr] = shards
        self._refresh_lens()

    def insert(self, ip, cidr, peer):
        shards = self.by_len.get(cidr)
        if shards is None:
            shards = self.by_len[cidr] = [{}]
            self.counts[cidr] = 0
            self._refresh_lens()
        key = self._key(ip, cidr)
        d = shards[_shard(key, len(shards) - 1)]
        if key not in d:
            n = self.counts[cidr] = self.counts[cidr] + 1
            if n > SHARD_MAX * len(shards):
                self._split(cidr)
                shards = self.by_len[cidr]
                d = shards[_shard(key, len(shards) - 1)]
        d[key] = peer

    def get(self, ip, cidr):
        shards = self.by_len.get(cidr)
        if shards is None:
            return None
        key = self._key(ip, cidr)
        return shards[_shard(key, len(shards) - 1)].get(key)

    def remove(self, ip, cidr):
        shards = self.by_len.get(cidr)
        if shards is None:
            return None
        key = self._key(ip, cidr)
        peer = shards[_shard(key, len(shards) - 1)].pop(key, None)
        if peer is not None:
            self._removed(cidr, 1)
        return peer

    def _removed(self, cidr, n):
        left = self.counts[cidr] = self.counts[cidr] - n
        if not left:
            del self.by_len[cidr]
            del self.counts[cidr]
            self._refresh_lens()

    def lookup(self, ip):
        # The packet path: the common cases of _top_bits inline.
        small = self.small
        if small == 32:
            top = int.from_bytes(ip, "big")
        elif small == 62:
            top = (int.from_bytes(ip[0:4], "big") << 30) | (int.from_bytes(ip[4:8], "big") >> 2)
        else:
            top = _top_bits(ip, small)
        for cidr, mask, shards in self.long_plan:
            key = _long_key(ip, cidr)
            peer = shards[hash(key) & mask].get(key)
            if peer is not None:
                return peer
        for shift, mask, shards in self.plan:
            key = top >> shift
            peer = shards[key & mask].get(key)
            if peer is not None:
                return peer
        return None

    def remove_peer(self, peer):
        for cidr in list(self.by_len):
            n = 0
            for d in self.by_len[cidr]:
                for k in [k for k in d if d[k] is peer]:
                    del d[k]
                    n += 1
            if n:
                self._removed(cidr, n)

    def count(self, peer):
        n = 0
        for cidr in self.lens:
            for d in self.by_len[cidr]:
                for v in d.values():
                    if v is peer:
                        n += 1
        return n

    def iter_entries(self, peer):
        """(ip bytes, cidr) routed to peer, longest prefixes first; the table
        may change between steps."""
        size = self.size
        small = self.small
        for cidr in list(self.lens):
            shards = self.by_len.get(cidr)
            if shards is None:
                continue
            for d in list(shards):
                # A snapshot of the keys (one word each): a caller may stream
                # this out over many event-loop rounds while a set request
                # changes the table.
                for k in list(d):
                    if d.get(k) is peer:
                        if cidr <= small:
                            yield _bytes_of_top(k, cidr, size), cidr
                        else:
                            yield k + bytes(size - len(k)), cidr


class AllowedIPs:
    def __init__(self):
        self._v4 = _Family(32)
        self._v6 = _Family(128)

    def _family(self, ip, cidr=None):
        if len(ip) == 4:
            fam = self._v4
        elif len(ip) == 16:
            fam = self._v6
        else:
            raise ValueError("address must be 4 or 16 bytes")
        if cidr is not None and not 0 <= cidr <= fam.bits:
            raise ValueError("bad prefix length")
        return fam

    def insert(self, ip, cidr, peer):
        """Route ip/cidr (host bits ignored) to peer, replacing any owner."""
        self._family(ip, cidr).insert(ip, cidr, peer)

    def get(self, ip, cidr):
        """Owner of exactly ip/cidr (host bits ignored), or None."""
        return self._family(ip, cidr).get(ip, cidr)

    def remove(self, ip, cidr):
        return self._family(ip, cidr).remove(ip, cidr)

    def lookup(self, ip):
        """Peer owning the longest prefix containing ip (4 or 16 bytes), or None."""
        n = len(ip)
        if n == 4:
            return self._v4.lookup(ip)
        if n == 16:
            return self._v6.lookup(ip)
        raise ValueError("address must be 4 or 16 bytes")

    def remove_peer(self, peer):
        self._v4.remove_peer(peer)
        self._v6.remove_peer(peer)

    def count(self, peer):
        return self._v4.count(peer) + self._v6.count(peer)

    def iter_entries(self, peer):
        """Generator of entries(peer), for output too big to hold as a list."""
        for fam in (self._v4, self._v6):
            for entry in fam.iter_entries(peer):
                yield entry

    def entries(self, peer):
        """[(ip bytes, cidr)] routed to peer, IPv4 first, longest prefixes first."""
        return list(self.iter_entries(peer))
