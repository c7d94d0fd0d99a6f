# Network bring-up for the emulated RISC-V virt board (tests/board/rv32board.py),
# uploaded by `mgtool provision --board qemu-virt-rv32` in place of the ESP32-C3's
# Wi-Fi one. Its one UART is the REPL console, so the outer UDP goes SLIP-framed
# over that same UART while a script (or main.py) has taken it over
# (tests/board/slipbridge.py on the host side). Entropy is os.urandom; the wall clock is time.time_ns() (the
# host's clock, as an ESP32 sets its RTC over NTP).
import time
import virt
from mgboard.seriallink import SerialLink


def wall():
    return divmod(time.time_ns(), 1000000000)


def up():
    """(link, extra Tunnel keyword arguments)."""
    return SerialLink(virt.UART()), {"wall_clock": wall}
