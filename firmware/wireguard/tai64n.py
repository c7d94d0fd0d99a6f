# TAI64N timestamps for handshake initiations (paper section 5.1): 8-byte
# big-endian TAI seconds + 4-byte big-endian nanoseconds. Responders reject
# an initiation whose timestamp is not greater than the last one they saw,
# so the stamp must never go backwards; TimestampSource enforces that even
# when the injected wall clock does.
import struct

from .constants import TAI64_EPOCH, TAI64N_WHITEN_NS


def encode(sec, nsec):
    return struct.pack(">QI", TAI64_EPOCH + sec, nsec)


class TimestampSource:
    __slots__ = ("wall_clock", "last")

    def __init__(self, wall_clock):
        # wall_clock() -> (seconds, nanoseconds) since the Unix epoch, ints.
        self.wall_clock = wall_clock
        self.last = None

    def next(self):
        sec, nsec = self.wall_clock()
        nsec -= nsec % TAI64N_WHITEN_NS
        stamp = encode(sec, nsec)
        if self.last is not None and stamp <= self.last:
            # Clock stepped back (or two initiations in one whitening slot):
            # step one nanosecond past the previous stamp instead.
            s, n = struct.unpack(">QI", self.last)
            n += 1
            if n >= 1000000000:
                s, n = s + 1, 0
            stamp = struct.pack(">QI", s, n)
        self.last = stamp
        return stamp
