# Sliding anti-replay window over transport counters (RFC 6479 style: a ring
# of bit blocks, so advancing the window clears whole blocks instead of
# shifting a long bitmap). Counters may arrive reordered by up to
# REPLAY_WINDOW behind the greatest one accepted.
from .constants import REPLAY_WINDOW, REJECT_AFTER_MESSAGES

_BLOCK_BITS = 8                                   # one bytearray byte per block
_RING_BLOCKS = REPLAY_WINDOW // _BLOCK_BITS + 1   # one spare block keeps the oldest counter's bit alive


class ReplayWindow:
    __slots__ = ("greatest", "ring")

    def __init__(self):
        # greatest is counter + 1 of the highest accepted counter, 0 = none yet,
        # so counter 0 needs no special case.
        self.greatest = 0
        self.ring = bytearray(_RING_BLOCKS)

    def check(self, counter):
        """True when counter could still be accepted (no state change); cheap
        enough to run before spending time on decryption."""
        if counter >= REJECT_AFTER_MESSAGES:
            return False
        c = counter + 1
        if c > self.greatest:
            return True
        if self.greatest - c > REPLAY_WINDOW:
            return False
        block = (c >> 3) % _RING_BLOCKS
        return not (self.ring[block] >> (c & 7)) & 1

    def accept(self, counter):
        """Record counter after its packet authenticated; False for replays and
        counters that fell out of the window."""
        if counter >= REJECT_AFTER_MESSAGES:
            return False
        c = counter + 1
        ring = self.ring
        if c > self.greatest:
            first = (self.greatest >> 3) + 1
            last = c >> 3
            # Clear the blocks the window slides over (at most the whole ring).
            if last - first >= _RING_BLOCKS:
                first = last - _RING_BLOCKS + 1
            for i in range(first, last + 1):
                ring[i % _RING_BLOCKS] = 0
            self.greatest = c
        elif self.greatest - c > REPLAY_WINDOW:
            return False
        block = (c >> 3) % _RING_BLOCKS
        bit = 1 << (c & 7)
        if ring[block] & bit:
            return False
        ring[block] |= bit
        return True
