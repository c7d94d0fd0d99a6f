# Network bring-up for a Wi-Fi board (uploaded to /lib/boardnet.py): join the
# access point named in /wifi.json, take NTP time when reachable, and hand the
# tunnel a UDP socket link plus the flash-persisted handshake clock.
import json
import time
import network
from mgboard.udplink import UdpLink
from mgboard.clock import PersistedClock, FileSlots


def _rtc_after_ntp():
    """A Unix-seconds reader of the RTC once NTP has set it, else None."""
    try:
        import ntptime
        ntptime.settime()           # one query at boot; the RTC keeps time afterwards
    except Exception:
        return None                 # no NTP: the persisted clock alone keeps stamps increasing
    # Ports whose epoch is 2000 are 946684800 s behind Unix time.
    shift = 946684800 if time.gmtime(0)[0] == 2000 else 0
    return lambda: time.time() + shift


def up(timeout=30):
    with open("/wifi.json") as f:
        cfg = json.load(f)
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    wlan.connect(cfg["ssid"], cfg["password"])
    for _ in range(timeout * 10):
        if wlan.isconnected():
            break
        time.sleep_ms(100)
    if not wlan.isconnected():
        raise OSError("Wi-Fi: no connection to %s" % cfg["ssid"])
    clock = PersistedClock(FileSlots("/clock"), rtc=_rtc_after_ntp())
    return UdpLink(), {"wall_clock": clock.wall}
