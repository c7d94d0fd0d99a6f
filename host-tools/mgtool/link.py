"""A byte link to a device's serial console, with clear errors and a read-until-marker primitive."""
import errno
import os
import time

import serial

from .errors import MgError


class Link:
    """A serial port (pyserial) with deadlines; every failure becomes one MgError line."""

    def __init__(self, port, baud=115200, timeout=10.0):
        self.port = port
        self.timeout = timeout
        self.buf = b""
        if not os.path.exists(port):
            raise MgError("no such serial port %s" % port)
        try:
            self.ser = serial.Serial(port, baud, timeout=0.05, write_timeout=timeout, exclusive=True)
        except serial.SerialException as e:
            err = getattr(e, "errno", None)
            if err == errno.EACCES:
                raise MgError("no permission to open %s (add your user to the dialout group)" % port) from None
            if err == errno.EBUSY or "lock" in str(e).lower():
                raise MgError("%s is in use by another program" % port) from None
            raise MgError("cannot open %s: %s" % (port, getattr(e, "strerror", None) or e)) from None

    def write(self, data):
        try:
            self.ser.write(data)
            self.ser.flush()
        except (serial.SerialException, OSError) as e:
            raise MgError("lost the connection to %s while sending (%s)" % (self.port, e)) from None

    def _fill(self, wait):
        try:
            n = self.ser.in_waiting
            chunk = self.ser.read(max(1, n)) if n or wait else b""
        except (serial.SerialException, OSError, TypeError):
            raise MgError("lost the connection to %s (the device went away)" % self.port) from None
        self.buf += chunk
        return chunk

    def read_available(self):
        self._fill(False)
        data, self.buf = self.buf, b""
        return data

    def read_until(self, markers, timeout=None, what=None):
        """Bytes up to and including the first of `markers` (bytes or tuple); returns (data, marker)."""
        if isinstance(markers, bytes):
            markers = (markers,)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            hits = [(self.buf.find(m), m) for m in markers if m in self.buf]
            if hits:
                i, m = min(hits)
                data, self.buf = self.buf[:i + len(m)], self.buf[i + len(m):]
                return data, m
            if time.monotonic() > deadline:
                raise MgError("the device on %s stopped answering (waited %gs for %s)"
                              % (self.port, self.timeout if timeout is None else timeout,
                                 what or " or ".join(repr(m) for m in markers)))
            self._fill(True)

    def read_exactly(self, n, timeout=None, what="data"):
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self.buf) < n:
            if time.monotonic() > deadline:
                raise MgError("the device on %s stopped answering (waited for %s)" % (self.port, what))
            self._fill(True)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def drain(self, quiet=0.2, limit=2.0):
        """Discard input until the line has been quiet for `quiet` seconds."""
        end = time.monotonic() + limit
        last = time.monotonic()
        while time.monotonic() < end and time.monotonic() - last < quiet:
            if self._fill(True):
                last = time.monotonic()
        self.buf = b""

    def close(self):
        try:
            self.ser.close()
        except Exception:
            pass
