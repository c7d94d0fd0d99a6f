"""The raw REPL spoken over an emulated board's console pipe, shared by the
board classes: each supplies _write(bytes) and read_until(marker, timeout)
for its own console, and gets submit/result/run."""


class BoardError(Exception):
    pass


class RawReplPipe:
    SUBMIT_TIMEOUT = 60

    def submit(self, script):
        """Start a script; collect its output with result()."""
        self._write(script.encode() + b"\x04")
        head = self.read_until(b"OK", self.SUBMIT_TIMEOUT)
        if not head.endswith(b"OK"):
            raise BoardError("raw REPL refused the script: %r" % head[-300:])

    def result(self, timeout=120):
        out = self.read_until(b"\x04", timeout)[:-1]
        err = self.read_until(b"\x04", 30)[:-1]
        self.read_until(b">", 30)
        if err:
            raise BoardError("board raised:\n%s\noutput:\n%s" % (err.decode("utf-8", "replace"),
                                                                out.decode("utf-8", "replace")))
        return out.decode("utf-8", "replace").replace("\r\n", "\n")

    def run(self, script, timeout=120):
        self.submit(script)
        return self.result(timeout)
