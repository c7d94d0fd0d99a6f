"""Where MicroPython code runs in the tests: host build, qemu-user router builds, QEMU boards.

Every target answers `run(script) -> stdout` and raises TargetError when the
script raised on the target.  The name `wgcrypto` is made to mean the
implementation under test (built in, a loaded .mpy, or the pure fallback).
"""
import os
import select
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
FIRMWARE = os.path.join(ROOT, "firmware")

QEMU_USER = {"mips": "qemu-mips-static", "mipsel": "qemu-mipsel-static",
             "armhf": "qemu-arm-static", "aarch64": "qemu-aarch64-static"}
# Dynamic qemu-user binaries accept -plugin (the static ones do not).
QEMU_USER_DYNAMIC = {"mips": "qemu-mips", "mipsel": "qemu-mipsel",
                     "armhf": "qemu-arm", "aarch64": "qemu-aarch64"}
BOARD_MACHINE = {"qemu-mps2-an385": "mps2-an385", "qemu-mps2-an386": "mps2-an386",
                 "qemu-mps2-an386-builtin": "mps2-an386", "qemu-mps2-an386-stock": "mps2-an386",
                 "qemu-virt-rv32": "virt"}
# The QEMU system emulator per firmware (qemu-system-arm unless named here).
BOARD_QEMU = {"qemu-virt-rv32": ["qemu-system-riscv32", "-bios", "none"]}


class TargetError(Exception):
    """The script raised on the target; the message holds the target's traceback."""


class UnixTarget:
    """A unix-port interpreter, run natively or under qemu-user, one process per script."""

    def __init__(self, name, binary, prefix=(), prelude="", mpy_dir=None):
        self.name = name
        self.binary = binary
        self.prefix = list(prefix)
        self.prelude = prelude
        self.path = FIRMWARE + (":" + mpy_dir if mpy_dir else "")

    def command(self, script_path):
        return self.prefix + [self.binary, "-X", "heapsize=64M", script_path]

    def run(self, script, timeout=600):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(self.prelude + "\n" + script)
            path = f.name
        try:
            env = dict(os.environ, MICROPYPATH=self.path)
            r = subprocess.run(self.command(path), capture_output=True, timeout=timeout, env=env)
        finally:
            os.unlink(path)
        out = r.stdout.decode("utf-8", "replace")
        if r.returncode != 0:
            raise TargetError("%s exited %d\n%s%s" % (self.name, r.returncode, out[-2000:],
                                                      r.stderr.decode("utf-8", "replace")[-4000:]))
        return out

    def close(self):
        pass


RAMFS_CODE = """
import sys, io, vfs
from binascii import a2b_base64
class _RamFile(io.IOBase):
    def __init__(self, data):
        self.data = memoryview(data)
        self.pos = 0
    def readinto(self, buf):
        n = min(len(buf), len(self.data) - self.pos)
        buf[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n
    def ioctl(self, req, arg):
        return 0
class _RamFS:
    # Read-only files (and the folders above them) held in RAM: enough for `import` to load
    # modules and .mpy files on a board without a filesystem.
    def __init__(self):
        self.files = {}
        self.dirs = {''}
    def mount(self, readonly, mkfs):
        pass
    def umount(self):
        pass
    def chdir(self, path):
        pass
    def stat(self, path):
        path = path.rstrip('/')
        if path in self.dirs:
            return (0x4000, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        if path in self.files:
            return (0x8000, 0, 0, 0, 0, 0, len(self.files[path]), 0, 0, 0)
        raise OSError(2)
    def open(self, path, mode):
        if path not in self.files:
            raise OSError(2)
        return _RamFile(self.files[path])
_ramfs = _RamFS()
vfs.mount(_ramfs, '/ram')
sys.path.insert(0, '/ram')
"""


class BoardTarget:
    """A QEMU MPS2 board running the MicroPython firmware, driven through the raw REPL on its UART."""

    def __init__(self, name, board, mpy_files=(), alias=None, icount=False):
        self.name = name
        elf = os.path.join(BUILD, "boards", board, "firmware.elf")
        cmd = BOARD_QEMU.get(board, ["qemu-system-arm"]) + [
            "-machine", BOARD_MACHINE[board], "-nographic", "-monitor", "null",
            "-semihosting", "-serial", "stdio", "-kernel", elf]
        if icount:
            # One instruction per virtual ns: counters then advance identically run after run.
            cmd += ["-icount", "shift=0,align=off,sleep=off"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.buf = b""
        self._write(b"\r\x03\x03\x01")
        self._read_until(b"raw REPL; CTRL-B to exit\r\n>", 30)
        setup = RAMFS_CODE
        for module, path in mpy_files:
            with open(path, "rb") as f:
                setup += "_ramfs.files['/%s.mpy'] = %r\n" % (module, f.read())
        if alias:
            setup += "import %s\nsys.modules['wgcrypto'] = %s\n" % (alias, alias)
        self.run(setup)

    # The qemu port's REPL waits for input by polling its UART, so an idle board spins a host
    # CPU. Boards stay open for a whole test module, so each one is stopped between scripts.
    def _pause(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGSTOP)

    def _resume(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)

    def _write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def _read_until(self, marker, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while marker not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise TargetError("%s: no %r within %ss; got %r" % (self.name, marker, timeout, self.buf[-500:]))
            r, _, _ = select.select([fd], [], [], min(left, 1.0))
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    continue
                self.buf += chunk
        i = self.buf.index(marker) + len(marker)
        data, self.buf = self.buf[:i], self.buf[i:]
        return data

    def run(self, script, timeout=600):
        self._resume()
        try:
            return self._run(script, timeout)
        finally:
            self._pause()

    def _run(self, script, timeout):
        self._write(script.encode() + b"\x04")
        # A loaded machine can take minutes to paste a large script into the emulated UART.
        head = self._read_until(b"OK", 300)
        if not head.endswith(b"OK"):
            raise TargetError("%s: raw REPL refused the script: %r" % (self.name, head[-300:]))
        out = self._read_until(b"\x04", timeout)[:-1]
        err = self._read_until(b"\x04", 30)[:-1]
        self._read_until(b">", 30)
        if err:
            raise TargetError("%s raised:\n%s" % (self.name, err.decode("utf-8", "replace")))
        return out.decode("utf-8", "replace").replace("\r\n", "\n")

    def close(self):
        if self.proc.poll() is None:
            self._resume()
            try:
                self._write(b"\x03\x01import machine\nmachine.reset()\n\x04")
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
                self.proc.wait()


def unix_binary(arch):
    return os.path.join(BUILD, "unix-%s" % arch, "micropython")


def natmod(arch):
    return os.path.join(BUILD, "natmods", arch, "wgcrypto.mpy")


def mpy_as(arch, module):
    """A directory holding the .mpy for `arch` renamed to `module`.

    A built-in module shadows a same-named .mpy, so the loaded native module is
    imported under another name and bound to `wgcrypto` by the prelude.
    """
    d = os.path.join(BUILD, "test-mpy", arch)
    os.makedirs(d, exist_ok=True)
    dst = os.path.join(d, module + ".mpy")
    # Written beside and renamed into place: parallel test workers may read it meanwhile.
    tmp = "%s.%d.tmp" % (dst, os.getpid())
    with open(natmod(arch), "rb") as src, open(tmp, "wb") as out:
        out.write(src.read())
    os.replace(tmp, dst)
    return d


ALIAS_PRELUDE = "import sys\nimport %s\nsys.modules['wgcrypto'] = %s\n"


def fallback_mpy(arch):
    """(module, path) of the viper fallback and the pure module it builds on, as make compiles
    them for `arch` (build/mpy/<arch>)."""
    return [(m, os.path.join(BUILD, "mpy", arch, m + ".mpy")) for m in ("wgcrypto_pure", "wgcrypto_viper")]

# name -> factory; the order is the order reports list them.
CRYPTO_TARGETS = {
    "x64-builtin": lambda: UnixTarget("x64-builtin", unix_binary("x64")),
    "x64-mpy": lambda: UnixTarget("x64-mpy", unix_binary("x64"), mpy_dir=mpy_as("x64", "wgcrypto_x64"),
                                  prelude=ALIAS_PRELUDE % ("wgcrypto_x64", "wgcrypto_x64")),
    "mips": lambda: UnixTarget("mips", unix_binary("mips"), prefix=[QEMU_USER["mips"]]),
    "mipsel": lambda: UnixTarget("mipsel", unix_binary("mipsel"), prefix=[QEMU_USER["mipsel"]]),
    "armhf": lambda: UnixTarget("armhf", unix_binary("armhf"), prefix=[QEMU_USER["armhf"]]),
    "aarch64": lambda: UnixTarget("aarch64", unix_binary("aarch64"), prefix=[QEMU_USER["aarch64"]]),
    "an385-armv6m": lambda: BoardTarget("an385-armv6m", "qemu-mps2-an385",
                                        [("wgcrypto_mod", natmod("armv6m"))], alias="wgcrypto_mod"),
    "an385-armv7m": lambda: BoardTarget("an385-armv7m", "qemu-mps2-an385",
                                        [("wgcrypto_mod", natmod("armv7m"))], alias="wgcrypto_mod"),
    "an386-armv7emsp": lambda: BoardTarget("an386-armv7emsp", "qemu-mps2-an386",
                                           [("wgcrypto_mod", natmod("armv7emsp"))], alias="wgcrypto_mod"),
    # The same board with wgcrypto linked into the firmware (built-in user C module).
    "an386-builtin": lambda: BoardTarget("an386-builtin", "qemu-mps2-an386-builtin"),
    # RISC-V rv32imc (ESP32-C3/C6 class) on QEMU virt.
    "virt-rv32imc": lambda: BoardTarget("virt-rv32imc", "qemu-virt-rv32",
                                        [("wgcrypto_mod", natmod("rv32imc"))], alias="wgcrypto_mod"),
    "x64-pure": lambda: UnixTarget("x64-pure", unix_binary("x64"),
                                   prelude=ALIAS_PRELUDE % ("wgcrypto_pure", "wgcrypto_pure")),
    # The viper fallback (ESP32/ESP32-S3's fast path): compiled by the host build's own emitter,
    # and loaded as the .mpy files make builds for the emulated boards' CPUs.
    "x64-viper": lambda: UnixTarget("x64-viper", unix_binary("x64"),
                                    prelude=ALIAS_PRELUDE % ("wgcrypto_viper", "wgcrypto_viper")),
    "an385-viper": lambda: BoardTarget("an385-viper", "qemu-mps2-an385", fallback_mpy("armv7m"),
                                       alias="wgcrypto_viper"),
    "an386-viper": lambda: BoardTarget("an386-viper", "qemu-mps2-an386", fallback_mpy("armv7emsp"),
                                       alias="wgcrypto_viper"),
    "virt-rv32-viper": lambda: BoardTarget("virt-rv32-viper", "qemu-virt-rv32", fallback_mpy("rv32imc"),
                                           alias="wgcrypto_viper"),
}

_open = {}


def crypto_target(name):
    """The started target `name`, shared by every test of the session."""
    if name not in _open:
        _open[name] = CRYPTO_TARGETS[name]()
    return _open[name]


def close_all():
    for t in _open.values():
        t.close()
    _open.clear()
