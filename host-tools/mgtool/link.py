"""A byte link to a device's serial console, with clear errors and a read-until-marker primitive."""
import errno
import os
import sys
import time

import serial

from .errors import MgError


def port_holders(port):
    """[(pid, command line)] of other processes that have `port` open (from /proc)."""
    try:
        want = os.stat(port).st_rdev
    except OSError:
        return []
    me = os.getpid()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == me:
            continue
        fd_dir = "/proc/%s/fd" % pid
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                st = os.stat(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if st.st_rdev == want and (st.st_mode & 0o170000) == 0o020000:
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
                except OSError:
                    cmd = "?"
                found.append((int(pid), cmd))
                break
    return found


def _describe_holder(cmd):
    """"mgtool console" from "/usr/bin/python3 -m mgtool console --port /dev/pts/3"."""
    words = cmd.split()
    for i, w in enumerate(words):
        if os.path.basename(w) == "mgtool" and i + 1 < len(words):
            return "another mgtool (mgtool %s)" % words[i + 1]
    return os.path.basename(words[0]) if words else "another program"


def in_use_message(port):
    """One line saying what holds `port`, e.g. "... in use by another mgtool (mgtool console, pid 42)"."""
    holders = port_holders(port)
    ours = [(p, c) for p, c in holders if "mgtool" in c.split(" ", 3)[:3] or " -m mgtool " in c + " "
            or c.split(" ")[0].endswith("/mgtool")]
    if ours or holders:
        pid, cmd = (ours or holders)[0]
        what = _describe_holder(cmd)
        if what.startswith("another mgtool ("):
            what = what[:-1] + ", pid %d)" % pid
        else:
            what = "%s (pid %d)" % (what, pid)
        return "%s is in use by %s; stop it first" % (port, what)
    return "%s is in use by another program (it holds the port's lock)" % port


DEBUG = False          # -v/--debug: a timestamped transcript of the serial exchange on stderr
_T0 = time.monotonic()


def debug(direction, data):
    if DEBUG and data:
        sys.stderr.write("[%9.3f] %s %r\n" % (time.monotonic() - _T0, direction, data))
        sys.stderr.flush()


# USB serial devices MicroPython boards show up as: (VID, PID) -> what it is
USB_IDS = {
    (0x2E8A, 0x0005): "Raspberry Pi RP2 (MicroPython)",
    (0x2E8A, 0x000A): "Raspberry Pi RP2 (USB CDC)",
    (0x303A, 0x1001): "Espressif USB serial/JTAG (ESP32-C3/S3)",
    (0x303A, 0x4001): "Espressif native USB (MicroPython)",
    (0x10C4, 0xEA60): "Silicon Labs CP210x USB-UART",
    (0x1A86, 0x7523): "WCH CH340 USB-UART",
    (0x1A86, 0x55D4): "WCH CH9102 USB-UART",
    (0x0403, 0x6001): "FTDI FT232R USB-UART",
    (0x0403, 0x6015): "FTDI FT231X USB-UART",
    (0x0483, 0x5740): "STM32 virtual COM port (MicroPython)",
    (0x0483, 0x374B): "ST-LINK/V2-1 virtual COM port",
    (0x0483, 0x374E): "ST-LINK/V3 virtual COM port",
    (0xF055, 0x9800): "MicroPython pyboard",
}


def auto_port(say=None):
    """`--port auto`: the one USB serial device with a known VID/PID (pyserial's list_ports);
    says which it took, or why none fits."""
    from serial.tools import list_ports
    say = say or (lambda m: (sys.stderr.write("mgtool: " + m + "\n"), sys.stderr.flush()))
    ports = list(list_ports.comports())
    known = [(p, USB_IDS[(p.vid, p.pid)]) for p in ports if (p.vid, p.pid) in USB_IDS]
    if len(known) == 1:
        p, what = known[0]
        say("--port auto: took %s (%04x:%04x %s)" % (p.device, p.vid, p.pid, what))
        return p.device
    if known:
        raise MgError("--port auto: %d boards fit (%s); give --port with one of them"
                      % (len(known), ", ".join("%s %s" % (p.device, w) for p, w in known)))
    seen = ", ".join("%s (%s)" % (p.device, "%04x:%04x" % (p.vid, p.pid) if p.vid is not None else "no USB ids")
                     for p in ports)
    raise MgError("--port auto: no serial device with a known board's USB ids (%s); an emulated board's "
                  "pty has none: give --port" % ("seen: " + seen if seen else "no serial devices at all"))


def resolve_port(port):
    return auto_port() if port == "auto" else port


def open_serial(port, baud, **kw):
    """A pyserial Serial on `port`, locked (exclusive) so two mgtool commands never share it."""
    if not os.path.exists(port):
        raise MgError("no such serial port %s" % port)
    try:
        return serial.Serial(port, baud, exclusive=True, **kw)
    except serial.SerialException as e:
        err = getattr(e, "errno", None)
        if err == errno.EACCES:
            raise MgError("no permission to open %s (add your user to the dialout group)" % port) from None
        if err in (errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK) or "lock" in str(e).lower():
            raise MgError(in_use_message(port)) from None
        raise MgError("cannot open %s: %s" % (port, getattr(e, "strerror", None) or e)) from None


class Link:
    """A serial port (pyserial) with deadlines; every failure becomes one MgError line."""

    def __init__(self, port, baud=115200, timeout=10.0):
        port = resolve_port(port)
        self.port = port
        self.timeout = timeout
        self.buf = b""
        self.ser = open_serial(port, baud, timeout=0.05, write_timeout=timeout)

    def write(self, data):
        debug(">", data)
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
        debug("<", chunk)
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
