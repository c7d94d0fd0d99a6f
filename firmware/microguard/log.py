# Levelled logging to stderr in wireguard-go's shape:
#   "DEBUG: (wg0) 2022/03/16 12:00:00 message"
import sys
import time

from .options import LEVELS

ERROR = LEVELS["error"]
INFO = LEVELS["info"]
DEBUG = LEVELS["debug"]


class Logger:
    def __init__(self, ifname, level):
        self.ifname = ifname
        self.level = level

    def _write(self, tag, msg):
        t = time.localtime()
        line = "%s: (%s) %04d/%02d/%02d %02d:%02d:%02d %s\n" % (
            tag, self.ifname, t[0], t[1], t[2], t[3], t[4], t[5], msg)
        try:
            sys.stderr.write(line)
        except OSError:
            pass        # stderr gone (closed terminal): keep running

    def error(self, msg):
        if self.level >= ERROR:
            self._write("ERROR", msg)

    def info(self, msg):
        if self.level >= INFO:
            self._write("INFO", msg)

    def debug(self, msg):
        if self.level >= DEBUG:
            self._write("DEBUG", msg)
