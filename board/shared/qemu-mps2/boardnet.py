# Network bring-up for the emulated MPS2 boards: no network hardware, so the
# outer UDP is SLIP over UART1 (QEMU's second -serial) to tests/board/slipbridge.py;
# router mode's LAN is plain SLIP over UART2 (the third -serial, tests/board/lanbridge.py).
# Entropy is the host's /dev/urandom (semihosting); the handshake clock is the
# flash-persisted one (no RTC on these boards).
import mps2
from mgboard.seriallink import SerialLink
from mgboard.lanlink import LanLink
from mgboard.clock import PersistedClock, FileSlots


def up():
    """(link, extra Tunnel keyword arguments)."""
    clock = PersistedClock(FileSlots("/flash/clock"))
    return SerialLink(mps2.UART(1)), {"rng": mps2.urandom, "wall_clock": clock.wall}


def lan():
    """The LAN link of router mode: raw IP packets over UART2."""
    return LanLink(mps2.UART(2))
