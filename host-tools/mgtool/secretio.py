"""Secrets on the host: key files only the owner can read, and passwords kept off the command line."""
import os
import stat
import sys

from .errors import MgError

PASSWORD_ENV = "MGTOOL_PASSWORD"


def write_secret(path, text):
    """Write `text` (a key) to `path` with mode 600, whatever the umask or an earlier file's mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as e:
        raise MgError("cannot write %s: %s" % (path, e.strerror)) from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def warn_if_world_accessible(stream=None, err=None):
    """Like `wg genkey`: a private key going to a regular file others may read gets a warning."""
    stream = stream or sys.stdout
    err = err or sys.stderr
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return
    if stat.S_ISREG(st.st_mode) and st.st_mode & 0o007:
        err.write("Warning: writing to world accessible file.\n"
                  "Consider setting the umask to 077 and trying again, or use -o FILE.\n")


def emit_secret(text, out_path=None):
    if out_path:
        write_secret(out_path, text + "\n")
    else:
        warn_if_world_accessible()
        sys.stdout.write(text + "\n")


class Password:
    """Where a console password comes from, asked for only when the console wants one.

    In order: --password (discouraged: it shows in `ps` and shell history), --password-file,
    $MGTOOL_PASSWORD, a prompt when standard input is a terminal. None of them: None."""

    def __init__(self, value=None, file=None, env=None, interactive=None):
        self.value = value
        if self.value is None and file:
            try:
                with open(file) as f:
                    self.value = f.readline().rstrip("\r\n")
            except OSError as e:
                raise MgError("cannot read the password file %s: %s" % (file, e.strerror)) from None
        if self.value is None:
            self.value = (os.environ if env is None else env).get(PASSWORD_ENV) or None
        self.interactive = sys.stdin.isatty() if interactive is None else interactive

    @classmethod
    def from_args(cls, args):
        return cls(getattr(args, "password", None), getattr(args, "password_file", None))

    def get(self, prompt="Password: "):
        if self.value is None and self.interactive:
            import getpass
            try:
                self.value = getpass.getpass(prompt)
            except (EOFError, OSError):
                self.value = None
        return self.value
