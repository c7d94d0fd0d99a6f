"""A Link over a child process's pipes, e.g. `ssh -T root@router sh` (no tty, no echo)."""
import os
import select
import subprocess
import time

from .errors import MgError


class PipeLink:
    def __init__(self, argv, name, timeout=10.0):
        self.port = name
        self.timeout = timeout
        self.buf = b""
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT)
        except OSError as e:
            raise MgError("cannot run %s: %s" % (argv[0], e.strerror)) from None

    def write(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise MgError("the connection to %s closed" % self.port) from None

    def _fill(self, wait):
        r, _, _ = select.select([self.proc.stdout], [], [], 0.05 if wait else 0)
        if r:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise MgError("the connection to %s closed (%s)" % (self.port, self.buf[-200:].decode(
                    "utf-8", "replace").strip() or "no message"))
            self.buf += chunk
            return chunk
        return b""

    def read_until(self, markers, timeout=None, what=None):
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
                raise MgError("%s stopped answering (waited for %s)" % (self.port, what or markers))
            self._fill(True)

    def drain(self, quiet=0.2, limit=2.0):
        end = time.monotonic() + limit
        while time.monotonic() < end and self._fill(True):
            pass
        self.buf = b""

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(3)
            except Exception:
                self.proc.kill()
                self.proc.wait()
