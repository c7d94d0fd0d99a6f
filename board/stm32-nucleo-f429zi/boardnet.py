# Network bring-up for the NUCLEO-F429ZI (uploaded as /flash/boardnet.py): the
# on-board Ethernet with DHCP, then a UDP socket link and the flash-persisted
# handshake clock (the RTC only keeps time with a backup battery).
import time
import network
from mgboard.udplink import UdpLink
from mgboard.clock import PersistedClock, FileSlots


def up(timeout=20):
    lan = network.LAN()
    lan.active(True)
    for _ in range(timeout * 10):
        if lan.status() == 3 or lan.ipconfig("addr4")[0] != "0.0.0.0":
            break
        time.sleep_ms(100)
    clock = PersistedClock(FileSlots("/flash/clock"))
    return UdpLink(), {"wall_clock": clock.wall}
