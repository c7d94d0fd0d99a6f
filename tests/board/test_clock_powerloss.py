"""The persisted handshake clock under power loss at every flash write step.

Flash is simulated like NOR: a record write erases its slot (to 0xff) and then
programs it byte by byte; power can fail before any of those steps. After
each cut the board boots again from what the flash holds, and its first
timestamp must be later than every timestamp issued before the cut.
"""
import pytest

from mgboard import clock as clk


class PowerLoss(Exception):
    pass


class SimSlots:
    def __init__(self, cut_at=None):
        self.mem = [bytearray(b"\xff" * clk.RECORD_LEN) for _ in range(2)]
        self.steps = 0
        self.cut_at = cut_at

    def _step(self):
        if self.cut_at is not None and self.steps == self.cut_at:
            raise PowerLoss()
        self.steps += 1

    def read(self, i):
        return bytes(self.mem[i])

    def write(self, i, data):
        self._step()
        self.mem[i][:] = b"\xff" * clk.RECORD_LEN        # erase
        for j, b in enumerate(data):
            self._step()
            self.mem[i][j] = b


class Ticks:
    """A driven millisecond counter (the board's ticks_ms)."""

    def __init__(self):
        self.ms = 0

    def __call__(self):
        return self.ms


def lifetime(slots, issued, boots=4, steps_per_boot=12, step_s=700):
    """Several boots, each running for a while and issuing stamps; raises PowerLoss at the cut."""
    for _ in range(boots):
        ticks = Ticks()
        c = clk.PersistedClock(slots, ahead=3600, ticks=ticks)
        for _ in range(steps_per_boot):
            stamp = c.wall()
            assert not issued or stamp > issued[-1]
            issued.append(stamp)
            ticks.ms += step_s * 1000


def total_steps():
    slots = SimSlots()
    lifetime(slots, [])
    return slots.steps


def test_writes_are_rare():
    slots = SimSlots()
    issued = []
    lifetime(slots, issued, boots=1, steps_per_boot=100, step_s=60)     # 100 minutes of uptime
    writes = slots.steps // (clk.RECORD_LEN + 1)
    assert writes <= 5, writes
    assert issued == sorted(issued)


@pytest.mark.parametrize("cut", range(total_steps()))
def test_power_loss_at_every_step(cut):
    slots = SimSlots(cut_at=cut)
    issued = []
    with pytest.raises(PowerLoss):
        lifetime(slots, issued)
    slots.cut_at = None
    after = clk.PersistedClock(slots, ahead=3600, ticks=Ticks()).wall()
    assert not issued or after > max(issued), (cut, after, max(issued))


def test_corrupt_slots_fall_back_to_the_other():
    slots = SimSlots()
    issued = []
    lifetime(slots, issued, boots=2)
    newest = max(range(2), key=lambda i: (clk.decode(slots.read(i)) or (-1,))[0])
    slots.mem[newest][5] ^= 0x40                              # a flipped bit: CRC fails
    assert clk.PersistedClock(slots, ticks=Ticks()).wall() > max(issued)


def test_blank_flash_starts_at_the_floor():
    c = clk.PersistedClock(SimSlots(), ticks=Ticks())
    assert c.wall() == (clk.DEFAULT_FLOOR, 0)


def test_rtc_ahead_is_followed_and_never_steps_back():
    slots = SimSlots()
    ticks = Ticks()
    real = [clk.DEFAULT_FLOOR + 10 ** 6]
    c = clk.PersistedClock(slots, ticks=ticks, rtc=lambda: real[0])
    a = c.wall()
    assert a[0] == real[0]
    real[0] -= 5000                                           # RTC stepped back: ignored
    ticks.ms += 1000
    assert c.wall() > a
    # The reboot after it never goes below what was issued with the RTC's help.
    assert clk.PersistedClock(slots, ticks=Ticks()).wall() > a
