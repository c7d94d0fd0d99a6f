"""Provisioning a MicroPython board through its raw REPL.

Plan on the host (files, sizes, hashes) -> check the board (right board, space, entropy) ->
upload each changed file as hashed chunks into `<file>.part`, resuming a partial one ->
hash the whole file on the board, rename it into place -> make the key on the board and read
back its public key -> verify every file once more.
"""
import base64
import binascii
import hashlib
import os
import re

from . import appfiles, boards, render, site as sitemod
from .errors import MgError
from .link import Link
from .progress import Progress
from .rawrepl import BoardError, RawRepl

CHUNK = 2048            # raw bytes per exec: 2732 base64 characters
HELPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "device", "helpers.py")


def fnv1a32(data):
    v = 0x811C9DC5
    for b in data:
        v = ((v ^ b) * 0x01000193) & 0xFFFFFFFF
    return "%08x" % v


_HASH = re.compile(r"\A(?:[0-9a-f]{64}|[0-9a-f]{8})\Z")


def parse_state(reply, n):
    """The helper's one line "STATE <hash|-> <size> ..." for n files -> [(hash|None, size)].

    Anything else (a tampered board, a noisy line) is refused with one line; nothing of it runs."""
    words = reply.split()
    if len(words) != 1 + 2 * n or words[0] != "STATE":
        raise MgError("the board sent a malformed file-state reply (%d bytes, starting %r); stopped there"
                      % (len(reply), reply[:40]))
    out = []
    for h, size in zip(words[1::2], words[2::2]):
        if not (h == "-" or _HASH.match(h)) or not re.fullmatch(r"-1|0|[1-9][0-9]{0,9}", size):
            raise MgError("the board sent a malformed file-state entry %r %r; stopped there"
                          % (h[:70], size[:20]))
        out.append((None if h == "-" else h, int(size)))
    return out


class Plan:
    """Files to put on the board: [(device path, bytes)], plus notes for the user."""

    def __init__(self):
        self.files = []
        self.notes = []
        self.remove = []        # device paths to delete (stale files of an earlier install)

    def add(self, dest, data):
        self.files.append((dest, data))


def make_plan(board, root, fs_root, site=None, dev=None, firmware=True, crypto_in_firmware=False):
    """The whole board application: what board/<board>/manifest.py names (the board package, the
    engine it requires, boardnet.py), its crypto, main.py, and the config.

    crypto_in_firmware: the board's firmware was found to have wgcrypto linked in."""
    plan = Plan()
    root_dir = fs_root.rstrip("/")
    lib = root_dir + "/lib"
    if firmware:
        compiler = appfiles.mpy_cross(root)
        march = board.arch if board.arch in boards.NATMOD_ARCHS else None
        if compiler:
            plan.notes.append("firmware compiled with mpy-cross")
        else:
            plan.notes.append("mpy-cross not built (build/micropython/mpy-cross): uploading .py sources")
        for target, data in appfiles.compile_all(compiler, appfiles.board_manifest(root, board), march):
            plan.add("%s/%s" % (lib, target), data)
        choice, note = appfiles.crypto_choice(root, board, crypto_in_firmware)
        plan.notes.append(note)
        crypto = appfiles.crypto_files(root, board, choice, compiler)
        for target, data in crypto:
            plan.add("%s/%s" % (lib, target), data)
        # A wgcrypto of another kind left by an earlier install would shadow this one.
        names = [t for t, _ in crypto]
        plan.remove += ["%s/%s" % (lib, n) for n in ("wgcrypto.py", "wgcrypto.mpy") if n not in names]
        plan.add(root_dir + "/main.py", appfiles.main_py(root, board))
    if dev is not None:
        plan.add(root_dir + "/" + render.BOARD_CONFIG_FILE, render.board_config(site, dev).encode())
    return plan


class BoardSession:
    def __init__(self, repl):
        self.repl = repl
        self.alg = None

    def setup(self):
        with open(HELPERS) as f:
            self.repl.exec(f.read())
        self.alg = self.repl.exec("print(_mg_alg)").strip()

    def hash(self, data):
        return hashlib.sha256(data).hexdigest() if self.alg == "sha256" else fnv1a32(data)

    def call(self, expr, timeout=60):
        try:
            return self.repl.exec(expr, timeout=timeout).strip()
        except BoardError as e:
            if "ENOSPC" in e.traceback or "28" in e.traceback.splitlines()[-1]:
                raise MgError("the board's filesystem is full") from None
            raise

    def state(self, plan):
        """[(hash of the file or None, size of its .part or -1)], parsed strictly: never evaluated."""
        items = [(dest, dest + ".part") for dest, _ in plan.files]
        return parse_state(self.call("_mg_state(%r)" % items), len(items))

    def upload(self, plan, progress, say):
        """Write every file of the plan that differs; returns {dest: status}."""
        state = self.state(plan)
        statuses = {}
        for (dest, data), (have_hash, part_size) in zip(plan.files, state):
            want = self.hash(data)
            if have_hash == want:
                statuses[dest] = "unchanged"
                progress(len(data))
                continue
            tmp = dest + ".part"
            pos = 0
            if 0 < part_size <= len(data) and self.call("print(_mg_hash(%r, %d))" % (tmp, part_size)) \
                    == self.hash(data[:part_size]):
                pos = part_size
            statuses[dest] = "resumed" if pos else "written"
            progress(pos)
            self.call("_mg_mkdirs(%r)" % dest)
            while pos < len(data):
                piece = data[pos:pos + CHUNK]
                b64 = base64.b64encode(piece).decode()
                for attempt in range(3):
                    reply = self.call("_mg_put(%r,%d,%r,%r)" % (tmp, pos, b64, self.hash(piece)))
                    if reply == "OK":
                        break
                    if reply.startswith("POS"):
                        pos = 0          # the partial file is not what we think: start it over
                        break
                else:
                    raise MgError("chunk at %d of %s kept arriving corrupted" % (pos, dest))
                if reply == "OK":
                    pos += len(piece)
                    progress(len(piece))
            reply = self.call("_mg_commit(%r,%r,%r)" % (tmp, dest, want))
            if reply != "DONE":
                raise MgError("%s did not verify on the board after writing (%s)" % (dest, reply))
        return statuses

    def verify(self, plan):
        state = self.state(plan)
        bad = [dest for (dest, data), (h, _) in zip(plan.files, state) if h != self.hash(data)]
        if bad:
            raise MgError("verification failed on the board for %s" % ", ".join(bad))
        return len(plan.files)


def identify(repl, board):
    info = repl.exec("import sys,os\nprint(sys.implementation._machine)\n"
                     "print(sys.implementation.name)").strip().splitlines()
    machine = info[0] if info else "?"
    if board.machine not in machine:
        raise MgError("the board on %s is %r, not %s (expected %r in its name); wrong --board?"
                      % (repl.link.port, machine, board.name, board.machine))
    return machine


# Only built-in modules are found with an empty sys.path; the board's import state is put back.
_BUILTIN_CRYPTO_PROBE = """import sys
_mg_m = sys.modules.pop('wgcrypto', None)
_mg_p = sys.path[:]
sys.path.clear()
try:
    import wgcrypto
    _mg_b = not hasattr(wgcrypto, '__file__')
except ImportError:
    _mg_b = False
sys.path.extend(_mg_p)
sys.modules.pop('wgcrypto', None)
if _mg_m is not None:
    sys.modules['wgcrypto'] = _mg_m
print(_mg_b)
"""


def crypto_in_firmware(repl):
    """Whether the running firmware has wgcrypto built in (then no .mpy is needed)."""
    return repl.exec(_BUILTIN_CRYPTO_PROBE).strip() == "True"


def find_fs_root(repl, board):
    if board.fs_root:
        return board.fs_root
    out = repl.exec("import os\nr=None\nfor p in ('/flash','/'):\n try:\n  os.statvfs(p);os.listdir(p);r=p;break\n"
                    " except OSError: pass\nprint(r)").strip()
    if out == "None":
        raise MgError("the board has no writable filesystem")
    return out


def run(args, say):
    board = boards.lookup(args.board)
    root = boards.project_root()
    site = dev = None
    if args.site:
        site = sitemod.load(args.site)
        if not args.device:
            raise MgError("--site needs --device naming the board in the site description")
        dev = site.device(args.device)
        if dev.kind != "board":
            raise MgError("device %r is kind %r in %s; --board %s needs kind 'board'"
                          % (dev.name, dev.kind, args.site, args.board))
        if dev.board != board.name:
            raise MgError("device %r is a %s in %s, not a %s; wrong --board?" % (dev.name, dev.board, args.site, board.name))
    # Everything that can be checked on the host is checked before the port is opened.
    make_plan(board, root, "/flash", site, dev, firmware=not args.no_firmware)
    link = Link(args.port, args.baud, args.timeout)
    repl = RawRepl(link)
    try:
        repl.enter()
        machine = identify(repl, board)
        say("board: %s (%s)" % (machine, board.name))
        fs_root = find_fs_root(repl, board)
        plan = make_plan(board, root, fs_root, site, dev, firmware=not args.no_firmware,
                         crypto_in_firmware=crypto_in_firmware(repl))
        for n in plan.notes:
            say(n)
        session = BoardSession(repl)
        session.setup()
        if session.alg != "sha256":
            say("no hashlib.sha256 on the board: verifying with FNV-1a computed on the board")
        entropy = repl.exec("print(_mg_entropy() is not None)").strip()
        if entropy != "True":
            raise MgError("the board has no entropy source (os.urandom); a private key cannot be made on it")
        need = sum((len(d) + 4095) // 4096 * 4096 + 8192 for _, d in plan.files)
        free = session.call("_mg_free(%r)" % fs_root)
        if not re.fullmatch(r"[0-9]{1,12}", free):
            raise MgError("the board sent a malformed free-space reply %r; nothing was changed" % free[:40])
        free = int(free)
        if free < need:
            raise MgError("not enough space on the board: %d bytes free on %s, up to %d needed; nothing was changed"
                          % (free, fs_root, need))
        total = sum(len(d) for _, d in plan.files)
        with Progress(total, "upload", args.quiet) as bar:
            statuses = session.upload(plan, bar, say)
        counts = {}
        for s in statuses.values():
            counts[s] = counts.get(s, 0) + 1
        say("files: " + ", ".join("%d %s" % (n, s) for s, n in sorted(counts.items())))
        n = session.verify(plan)
        say("verified %d files on the board (%s)" % (n, session.alg))
        if plan.remove:
            reply = session.call("_mg_rm(%r)" % (plan.remove,))
            if not re.fullmatch(r"RM [0-9]+", reply):
                raise MgError("the board sent a malformed reply removing stale files: %r" % reply[:40])
            if reply != "RM 0":
                say("removed %s stale file(s) of an earlier install" % reply.split()[1])
        key_path = fs_root.rstrip("/") + "/" + render.BOARD_KEY_FILE
        cfg = run_cfg = None
        if dev is not None:
            cfg = fs_root.rstrip("/") + "/" + render.BOARD_CONFIG_FILE
            run_cfg = fs_root.rstrip("/") + "/" + render.BOARD_RUN_CONFIG
        reply = session.call("_mg_key(%r,%s,%r,%r)" % (key_path, bool(args.new_key), cfg, run_cfg), timeout=120)
        # The last line is the answer; a fallback wgcrypto may say which it is first.
        reply = (reply.splitlines() or [""])[-1].strip()
        if reply == "NOENTROPY":
            raise MgError("the board has no entropy source (os.urandom); a private key cannot be made on it")
        if not re.fullmatch(r"PUB [A-Za-z0-9+/]{43}= (NEW|KEPT)", reply):
            raise MgError("unexpected reply making the key: %r" % reply[-100:])
        pub, made = reply.split()[1:3]
        try:
            if len(binascii.a2b_base64(pub)) != 32:
                raise ValueError
        except (binascii.Error, ValueError):
            raise MgError("the board returned a malformed public key %r" % pub) from None
        if made == "NEW":
            say("private key: %s on the board and kept there (%s)"
                % ("made anew (--new-key)" if args.new_key else "made", key_path))
        else:
            say("private key: the board's existing one, unchanged (%s)" % key_path)
        if run_cfg:
            say("tunnel config: %s (written on the board, with its key)" % run_cfg)
        say("public key: %s" % pub)
        if dev is not None and dev.public_key != pub:
            say("note: %s lists another public key for %r; put this one in the site file"
                % (args.site, dev.name))
        restart = session.call("print(_mg_size(%r) >= 0)" % (fs_root.rstrip("/") + "/main.py")) == "True"
    except BaseException:
        repl.exit()
        link.close()
        raise
    repl.exit()
    if restart:
        # A soft reset runs boot.py and main.py again: the app starts with what was just installed.
        link.write(b"\x04")
        say("restarted the board (soft reset): main.py starts the tunnel")
    link.close()
    say("done")
    return pub
