# A handshake clock for boards with no real-time clock. WireGuard responders
# reject an initiation whose TAI64N timestamp is not newer than the last one
# they accepted from us, so the stamp must never go backwards, reboots
# included. We keep a "reserved until" second in flash: every stamp issued is
# below the reservation on flash, and after a reboot the clock restarts at
# the reservation. The reservation is renewed `ahead` seconds in advance, so
# flash is written about once per `ahead / 2` seconds of uptime.
#
# Power loss at any moment: records go to two slots alternately, each with a
# sequence number and a CRC; a new record is written to the slot NOT holding
# the newest valid record (never in place), and only once it is complete does
# the clock rely on it. A torn write leaves the older record valid, and the
# older record's reservation is still above every stamp issued.
import struct

try:
    from time import ticks_ms, ticks_diff
except ImportError:                                   # CPython (tests)
    from time import monotonic as _mono

    def ticks_ms():
        return int(_mono() * 1000)

    def ticks_diff(a, b):
        return a - b



class Monotonic:
    """Seconds since start as a float, from wrapping ticks_ms: the protocol
    time a Tunnel feeds the engine. advance() lets tests drive protocol time
    (rekeying) forward."""

    def __init__(self):
        self.last = ticks_ms()
        self.ms = 0

    def __call__(self):
        t = ticks_ms()
        self.ms += ticks_diff(t, self.last)
        self.last = t
        return self.ms / 1000

    def advance(self, seconds):
        self.ms += int(seconds * 1000)


MAGIC = 0x4D47                  # "MG"
RECORD = ">HIQI"                # magic, sequence, reserved-until seconds, crc32
RECORD_LEN = 18
# A plausible start for a board that never had a clock (2023-11-14).
DEFAULT_FLOOR = 1700000000


def crc32(data):
    try:
        import binascii
        return binascii.crc32(data) & 0xffffffff
    except (ImportError, AttributeError):
        c = 0xffffffff
        for b in data:
            c ^= b
            for _ in range(8):
                c = (c >> 1) ^ (0xEDB88320 & -(c & 1))
        return c ^ 0xffffffff


def encode(seq, reserved):
    body = struct.pack(">HIQ", MAGIC, seq, reserved)
    return body + struct.pack(">I", crc32(body))


def decode(raw):
    """(seq, reserved) of a valid record, or None (blank, torn or corrupt)."""
    if raw is None or len(raw) < RECORD_LEN:
        return None
    magic, seq, reserved, crc = struct.unpack(RECORD, raw[:RECORD_LEN])
    if magic != MAGIC or crc != crc32(raw[:RECORD_LEN - 4]):
        return None
    return seq, reserved


class FileSlots:
    """Two slots as two files (e.g. on /flash)."""

    def __init__(self, prefix="/flash/clock"):
        self.names = (prefix + ".0", prefix + ".1")

    def read(self, i):
        try:
            with open(self.names[i], "rb") as f:
                return f.read(RECORD_LEN)
        except OSError:
            return None

    def write(self, i, data):
        with open(self.names[i], "wb") as f:
            f.write(data)


class PersistedClock:
    """wall() -> (sec, nsec): never below what any earlier boot issued."""

    def __init__(self, slots, ahead=3600, floor=DEFAULT_FLOOR, rtc=None, ticks=None):
        self.slots = slots
        self.ahead = ahead
        self.rtc = rtc                 # optional rtc() -> Unix seconds (NTP/RTC), or None
        self.ticks = ticks or ticks_ms
        self.writes = 0
        best = None
        for i in (0, 1):
            rec = decode(slots.read(i))
            if rec is not None and (best is None or rec[0] > best[0]):
                best = (rec[0], rec[1], i)
        if best is None:
            self.seq, self.reserved, self.slot = 0, floor, 1
        else:
            self.seq, self.reserved, self.slot = best
        # This boot starts at the reservation: nothing issued before reached it.
        self.base_ms = self.reserved * 1000
        self.last_tick = self.ticks()
        self.elapsed_ms = 0
        self._reserve(self.reserved)

    def _reserve(self, now_sec):
        new = now_sec + self.ahead
        nxt = self.slot ^ 1
        self.slots.write(nxt, encode(self.seq + 1, new))
        # Only now, with the record complete, may stamps go up to `new`.
        self.seq, self.reserved, self.slot = self.seq + 1, new, nxt
        self.writes += 1

    def _now_ms(self):
        t = self.ticks()
        self.elapsed_ms += ticks_diff(t, self.last_tick)
        self.last_tick = t
        return self.base_ms + self.elapsed_ms

    def advance(self, seconds):
        """Move the clock forward (tests drive time with this)."""
        self.elapsed_ms += int(seconds * 1000)

    def wall(self):
        ms = self._now_ms()
        if self.rtc is not None:
            real = self.rtc()
            if real is not None and real * 1000 > ms:
                # A real clock ahead of us: follow it from now on.
                self.base_ms += real * 1000 - ms
                ms = real * 1000
        sec = ms // 1000
        if sec + self.ahead // 2 >= self.reserved:
            try:
                self._reserve(sec)
            except OSError:
                pass                    # flash trouble: the cap below keeps us safe
        if sec >= self.reserved:
            # Renewal failed to keep up: never issue a stamp beyond the flash.
            sec, ms = self.reserved - 1, (self.reserved - 1) * 1000 + 999
        return sec, (ms % 1000) * 1000000
