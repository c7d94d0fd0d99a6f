# Session indices: the random 32-bit "sender index" each side picks for a
# handshake and then for the keypair it becomes. Incoming responses, cookie
# replies and transport packets name their target by this index.
import struct


class IndexTable:
    __slots__ = ("entries", "rng")

    def __init__(self, rng):
        self.entries = {}     # index -> Handshake or Keypair (both have .peer)
        self.rng = rng

    def allocate(self, owner):
        while True:
            index = struct.unpack("<I", self.rng(4))[0]
            if index not in self.entries:
                self.entries[index] = owner
                return index

    def replace(self, index, owner):
        """Hand an index over from a finished handshake to its keypair."""
        self.entries[index] = owner

    def get(self, index):
        return self.entries.get(index)

    def remove(self, index, owner=None):
        """Free index, but only while it still belongs to owner (when given)."""
        if index is None:
            return
        cur = self.entries.get(index)
        if cur is not None and (owner is None or cur is owner):
            del self.entries[index]

    def __len__(self):
        return len(self.entries)
