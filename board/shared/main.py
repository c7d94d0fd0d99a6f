# MicroGuard's main.py, put on the board by `mgtool provision`: runs at every
# boot and keeps the tunnel up (mgboard.app, configured by wireguard.json and
# the board's network bring-up, boardnet.py). An error restarts the app after
# a pause, so a board left alone comes back by itself. Ctrl-C on the console
# (KeyboardInterrupt is no Exception) stops it and gives the REPL back: that is
# how `mgtool status` and `mgtool provision` reach a running board, and a soft
# reset (Ctrl-D at the REPL) starts it again.
import os
import time

import boardnet
from mgboard import app


def config_path():
    for path in ("/flash/wireguard.json", "/wireguard.json"):
        try:
            os.stat(path)
            return path
        except OSError:
            pass
    return "/flash/wireguard.json"


while True:
    try:
        app.main(boardnet.up, report_every=10, config_path=config_path(), lan=getattr(boardnet, "lan", None))
    except Exception as e:
        print("wg: app stopped (%s: %s), restarting in 10 s" % (type(e).__name__, e))
        time.sleep(10)
