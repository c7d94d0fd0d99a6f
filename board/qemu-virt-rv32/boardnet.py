# Network bring-up for the emulated RISC-V virt board (tests/board/rv32board.py),
# uploaded by `mgtool provision --board qemu-virt-rv32` in place of the ESP32-C3's
# Wi-Fi one. The outer UDP goes SLIP-framed (tests/board/slipbridge.py on the
# host side) over the board's second UART when QEMU gives it one; else over the
# console UART, taken over while a script runs the tunnel. Entropy is
# os.urandom; the wall clock is time.time_ns() (the host's clock, as an ESP32
# sets its RTC over NTP).
import time
import virt
from mgboard.seriallink import SerialLink


def wall():
    return divmod(time.time_ns(), 1000000000)


def uart():
    """The second UART when the board has one (the data link, as UART1 of an ESP32-C3),
    else the console UART, which the link then holds while it runs."""
    try:
        return virt.UART(1)
    except OSError:
        return virt.UART(0)


def up():
    """(link, extra Tunnel keyword arguments)."""
    return SerialLink(uart()), {"wall_clock": wall}
