"""MicroPython's raw REPL over a Link: run code on the board and get (stdout, stderr) back.

Raw-paste mode (Ctrl-E 'A' Ctrl-A inside the raw REPL) is used when the board offers it: the
board announces a window size and sends Ctrl-A each time another window of input may be sent,
so no byte is lost however slowly it compiles. Boards without it get the plain raw REPL with
the code sent in small paced chunks.
"""
import time

from .errors import MgError

RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n>"
CHUNK = 256


class BoardError(MgError):
    """Code run on the board raised; the message is the board's last traceback line."""

    def __init__(self, traceback_text):
        self.traceback = traceback_text
        lines = [l for l in traceback_text.strip().splitlines() if l.strip()]
        super().__init__("the board raised: %s" % (lines[-1] if lines else "an error"))


class RawRepl:
    def __init__(self, link, raw_paste=True):
        self.link = link
        self.raw_paste = raw_paste      # None after a board said it has no raw-paste mode

    def enter(self, timeout=None):
        link = self.link
        # Ctrl-C twice stops a running program; Ctrl-B leaves a raw REPL left over from before.
        link.write(b"\r\x03\x03\x02")
        link.drain(quiet=0.3, limit=3)
        for attempt in range(3):
            link.write(b"\x01")
            try:
                link.read_until(RAW_BANNER, timeout=timeout if attempt == 2 else 3,
                                what="MicroPython's raw REPL")
                return self
            except MgError:
                link.write(b"\r\x03\x03\x02")
                link.drain(quiet=0.3, limit=3)
        raise MgError("no MicroPython REPL answers on %s (a program running without Ctrl-C, "
                      "or not a MicroPython board?)" % link.port)

    def exit(self):
        try:
            self.link.write(b"\x02")
        except MgError:
            pass

    def exec_raw(self, code, timeout=60):
        """(stdout, stderr) bytes of running `code`."""
        if isinstance(code, str):
            code = code.encode()
        if self.raw_paste:
            if self._paste(code):
                return self._result(timeout)
            self.raw_paste = None
        return self._plain(code, timeout)

    def exec(self, code, timeout=60):
        """stdout text of running `code`; BoardError when it raised."""
        out, err = self.exec_raw(code, timeout)
        if err:
            raise BoardError(err.decode("utf-8", "replace"))
        return out.decode("utf-8", "replace").replace("\r\n", "\n")

    def _paste(self, code):
        link = self.link
        link.write(b"\x05A\x01")
        head = link.read_exactly(2, what="the raw-paste reply")
        if head == b"R\x00":
            return False            # understood, not supported
        if head != b"R\x01":
            # A board from before raw-paste took those bytes as code: clean up, fall back.
            link.write(b"\x03")
            link.drain(quiet=0.3)
            link.write(b"\x02\x01")
            link.read_until(RAW_BANNER, what="the raw REPL")
            return False
        w = link.read_exactly(2, what="the raw-paste window size")
        window = w[0] | w[1] << 8
        credit = window
        pos = 0
        while pos < len(code):
            # Take in every flow-control byte already here, and wait for one when out of credit.
            while credit == 0 or self._pending():
                b = link.read_exactly(1, what="raw-paste flow control")
                if b == b"\x01":
                    credit += window
                elif b == b"\x04":
                    # The board stopped reading early (a syntax error): it waits for our Ctrl-D.
                    link.write(b"\x04")
                    return True
                else:
                    raise MgError("unexpected byte %r from the board during raw-paste" % b)
            n = min(credit, len(code) - pos)
            link.write(code[pos:pos + n])
            pos += n
            credit -= n
        link.write(b"\x04")
        # The board acknowledges the end of the code with Ctrl-D (after any last Ctrl-A).
        while True:
            b = link.read_exactly(1, timeout=30, what="the end of raw-paste")
            if b == b"\x04":
                return True
            if b != b"\x01":
                raise MgError("unexpected byte %r from the board ending raw-paste" % b)

    def _pending(self):
        self.link._fill(False)
        return bool(self.link.buf)

    def _plain(self, code, timeout):
        link = self.link
        for i in range(0, len(code), CHUNK):
            link.write(code[i:i + CHUNK])
            time.sleep(0.01)
        link.write(b"\x04")
        data, _ = link.read_until(b"OK", timeout=10, what="the raw REPL's OK")
        if not data.endswith(b"OK") or len(data) > 2 + 64:
            raise MgError("the raw REPL did not accept the code: %r" % data[-80:])
        return self._result(timeout)

    def _result(self, timeout):
        link = self.link
        out, _ = link.read_until(b"\x04", timeout=timeout, what="the output of code run on the board")
        err, _ = link.read_until(b"\x04", timeout=timeout, what="the end of code run on the board")
        link.read_until(b">", timeout=10, what="the raw REPL prompt")
        return out[:-1], err[:-1]
