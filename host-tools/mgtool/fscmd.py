"""`mgtool fs ls|cat|cp|rm` and `mgtool reset`: a board's files and resets through its raw REPL,
in mpremote's shape (a board path may be written with a leading ':')."""
import base64
import binascii
import os
import posixpath
import re
import sys

from .errors import MgError
from .link import Link
from .rawrepl import RawRepl

# Every board-side command starts from the path's stat; NOENT when there is none.
_STAT = """import os
def _mg_stat(p):
    try:
        return os.stat(p)
    except OSError:
        print('NOENT')
"""

_LS = _STAT + """def _mg_ls(p):
    st = _mg_stat(p)
    if st is None:
        return
    if st[0] & 0x4000:
        for e in sorted(os.ilistdir(p)):
            print('D' if e[1] & 0x4000 else 'F', e[3] if len(e) > 3 and not e[1] & 0x4000 else 0, e[0])
    else:
        print('F', st[6], p.rsplit('/', 1)[-1])
_mg_ls(%r)
"""

_CAT = _STAT + """import binascii
def _mg_cat(p):
    st = _mg_stat(p)
    if st is None:
        return
    if st[0] & 0x4000:
        print('ISDIR'); return
    print('SIZE', st[6])
    with open(p, 'rb') as f:
        while True:
            d = f.read(384)
            if not d:
                break
            print(binascii.b2a_base64(d).decode().strip())
_mg_cat(%r)
"""

_RM = _STAT + """def _mg_rm(p):
    st = _mg_stat(p)
    if st is None:
        return
    try:
        if st[0] & 0x4000:
            os.rmdir(p)
        else:
            os.remove(p)
    except OSError as e:
        print('ERR', e); return
    print('OK')
_mg_rm(%r)
"""

_STAT = """import os
try:
    print('D' if os.stat(%r)[0] & 0x4000 else 'F')
except OSError:
    print('-')
"""


def board_path(p):
    """A board path from "p" or ":p" (mpremote's way); "" and ":" are the board's current directory."""
    p = p[1:] if p.startswith(":") else p
    return p or "."


class Session:
    def __init__(self, args):
        self.link = Link(args.port, args.baud, args.timeout)
        self.repl = RawRepl(self.link)
        try:
            self.repl.enter()
        except BaseException:
            self.link.close()
            raise

    def exec(self, code, timeout=60):
        return self.repl.exec(code, timeout=timeout)

    def close(self):
        self.repl.exit()
        self.link.close()


def _session(args, fn):
    s = Session(args)
    try:
        return fn(s)
    finally:
        s.close()


def ls(args, out=sys.stdout):
    path = board_path(args.path)

    def go(s):
        lines = s.exec(_LS % path).splitlines()
        if lines == ["NOENT"]:
            raise MgError("no such file or directory on the board: %s" % path)
        for line in lines:
            m = re.fullmatch(r"([DF]) (\d+) (.+)", line)
            if not m:
                raise MgError("the board sent a malformed listing line %r" % line[:60])
            if m.group(1) == "D":
                out.write("%10s  %s/\n" % ("", m.group(3)))
            else:
                out.write("%10d  %s\n" % (int(m.group(2)), m.group(3)))
    return _session(args, go)


def _read_file(s, path):
    lines = s.exec(_CAT % path, timeout=120).splitlines()
    if lines == ["NOENT"]:
        raise MgError("no such file on the board: %s" % path)
    if lines == ["ISDIR"]:
        raise MgError("%s is a directory on the board (fs ls lists it)" % path)
    if not lines or not re.fullmatch(r"SIZE \d+", lines[0]):
        raise MgError("the board sent a malformed reply reading %s" % path)
    try:
        data = b"".join(base64.b64decode(l, validate=True) for l in lines[1:])
    except (binascii.Error, ValueError):
        raise MgError("the board sent malformed data reading %s" % path) from None
    if len(data) != int(lines[0].split()[1]):
        raise MgError("reading %s: got %d bytes of %s" % (path, len(data), lines[0].split()[1]))
    return data


def cat(args):
    data = _session(args, lambda s: _read_file(s, board_path(args.path)))
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def cp(args, say=None):
    say = say or (lambda m: sys.stdout.write(m + "\n"))
    src, dst = args.src, args.dst
    if src.startswith(":") == dst.startswith(":"):
        raise MgError("fs cp copies between the host and the board: write the board's side with a leading "
                      "':' (e.g. mgtool fs cp main.py :main.py, or fs cp :main.py .)")
    if dst.startswith(":"):
        try:
            with open(src, "rb") as f:
                data = f.read()
        except OSError as e:
            raise MgError("cannot read %s: %s" % (src, e.strerror)) from None

        def up(s):
            from .boardprov import BoardSession, Plan
            dest = board_path(dst)
            if dest.endswith("/") or s.exec(_STAT % dest).strip() == "D":
                dest = posixpath.join(dest, os.path.basename(src))
            plan = Plan()
            plan.add(dest, data)
            session = BoardSession(s.repl)
            session.setup()
            from .progress import Progress
            with Progress(len(data), "upload") as bar:    # off when stderr is not a terminal
                session.upload(plan, bar, say)           # hashed chunks into .part, then renamed
            session.verify(plan)
            return dest
        dest = _session(args, up)
        say("copied %s to :%s (%d bytes, verified on the board)" % (src, dest, len(data)))
    else:
        path = board_path(src)
        data = _session(args, lambda s: _read_file(s, path))
        dest = dst
        if os.path.isdir(dest) or dest.endswith("/"):
            dest = os.path.join(dest, posixpath.basename(path))
        try:
            tmp = dest + ".part"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, dest)
        except OSError as e:
            raise MgError("cannot write %s: %s" % (dest, e.strerror)) from None
        say("copied :%s to %s (%d bytes)" % (path, dest, len(data)))


def rm(args):
    for p in args.paths:
        path = board_path(p)
        reply = _session(args, lambda s: s.exec(_RM % path).strip())
        if reply == "NOENT":
            raise MgError("no such file or directory on the board: %s" % path)
        if reply != "OK":
            raise MgError("could not remove %s on the board: %s" % (path, reply[4:] or reply))
        sys.stdout.write("removed :%s\n" % path)


def reset(args):
    """Soft reset (Ctrl-D at the REPL: boot.py and main.py run again), or --hard: machine.reset()."""
    link = Link(args.port, args.baud, args.timeout)
    repl = RawRepl(link)
    try:
        repl.enter()
        if args.hard:
            try:
                link.write(b"import machine\nmachine.reset()\n\x04")
                link.drain(quiet=0.3, limit=2)
                gone = ""
            except MgError:
                gone = " (its port went away as it reset)"
            sys.stdout.write("hard reset (machine.reset()): the board restarts%s\n" % gone)
        else:
            repl.exit()                      # back to the friendly REPL
            link.drain(quiet=0.2, limit=2)
            link.write(b"\x04")              # Ctrl-D there: a soft reset
            link.read_until(b"soft reboot", timeout=10, what="the board's soft reboot")
            sys.stdout.write("soft reset: boot.py and main.py run again\n")
    finally:
        link.close()
