"""A serial cable between two file descriptors, optionally at a UART's pace.

At `baud` (8N1: ten bit times a byte) each direction carries at most baud/10 bytes a second,
as a 115200-baud router or board console does (about 11.5 KB/s). Without `baud` bytes pass as
fast as they come. A sender that outruns the line is held back (its pty fills and its write
blocks), as a real UART driver holds back a writer; nothing is dropped.

    relay = Relay(fd_a, fd_b, baud=115200)    # starts a thread
    relay.stop()                              # the cable is pulled

The fds are the relay's to read and write but not to close.
"""
import os
import select
import threading
import time

PENDING_MAX = 4096      # bytes held per direction before the relay stops reading its source
BURST = 16              # bytes a UART may send back to back (its FIFO), so pacing is smooth


def baud_from_env(baud=None):
    """`baud` if given, else MG_CONSOLE_BAUD from the environment (unset or 0: no pacing)."""
    if baud is not None:
        return baud or None
    value = os.environ.get("MG_CONSOLE_BAUD", "").strip()
    return int(value) or None if value else None


class _Direction:
    def __init__(self, src, dst, rate):
        self.src, self.dst, self.rate = src, dst, rate
        self.pending = b""
        self.credit = float(BURST)
        self.stamp = time.monotonic()

    def allowance(self, now):
        """Bytes that may go out now."""
        if self.rate is None:
            return len(self.pending)
        self.credit = min(BURST + self.rate * 0.02, self.credit + (now - self.stamp) * self.rate)
        self.stamp = now
        return int(self.credit)

    def wait(self):
        """Seconds until the next byte may go (None: nothing waiting on the clock)."""
        if not self.pending or self.rate is None or self.credit >= 1:
            return None
        return (1 - self.credit) / self.rate


class Relay:
    def __init__(self, fd_a, fd_b, baud=None):
        rate = baud / 10.0 if baud else None
        self.baud = baud
        self.dirs = [_Direction(fd_a, fd_b, rate), _Direction(fd_b, fd_a, rate)]
        for fd in (fd_a, fd_b):
            os.set_blocking(fd, False)
        self._stop = threading.Event()
        self.closed = threading.Event()       # set when a side hung up or stop() was called
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def stop(self, wait=30.0):
        # Wait for the thread to end before the caller closes the fds: a relay still running
        # after its fds are closed would pump whatever pty reuses those fd numbers.
        self._stop.set()
        self.thread.join(wait)
        if self.thread.is_alive():
            raise RuntimeError("the serial relay did not stop within %ss" % wait)

    def _run(self):
        try:
            while not self._stop.is_set():
                if not self._step():
                    return
        finally:
            self.closed.set()

    def _step(self):
        now = time.monotonic()
        readers = [d.src for d in self.dirs if len(d.pending) < PENDING_MAX]
        writers = [d.dst for d in self.dirs if d.pending and d.allowance(now) >= 1]
        waits = [w for w in (d.wait() for d in self.dirs) if w is not None]
        try:
            r, w, _ = select.select(readers, writers, [], min([0.05] + waits))
        except (OSError, ValueError):
            return False
        for d in self.dirs:
            if d.src in r:
                try:
                    data = os.read(d.src, PENDING_MAX)
                except BlockingIOError:
                    continue
                except OSError:          # EIO: the other end of a pty hung up
                    return False
                if not data:
                    return False
                d.pending += data
        now = time.monotonic()
        for d in self.dirs:
            n = min(len(d.pending), d.allowance(now)) if d.pending else 0
            if n < 1:
                continue
            try:
                sent = os.write(d.dst, d.pending[:n])
            except BlockingIOError:
                continue
            except OSError:
                return False
            d.pending = d.pending[sent:]
            if d.rate is not None:
                d.credit -= sent
        return True
