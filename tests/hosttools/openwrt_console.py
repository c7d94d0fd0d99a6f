"""An emulated OpenWrt serial console: busybox ash in a chroot, on a real pty, behind a login prompt.

    host side (mgtool)  <->  /dev/pts/A  <->  relay  <->  /dev/pts/B  <->  login, then ash

The relay can pace the line like a UART (`baud`, or MG_CONSOLE_BAUD=115200 for every console).

The chroot is a small OpenWrt-like root: busybox applets, /etc/openwrt_release, and recording
stand-ins for the things only a router has (`uci`, `opkg`, `sysupgrade`, `/etc/init.d/*`), each
appending its command line to /var/log/calls.log. `uci` keeps a flat key=value store in
/etc/config/.uci-state so `uci show` reflects earlier `set`/`delete`/`batch`.
"""
import fcntl
import os
import select
import shutil
import signal
import subprocess
import termios
import time
import tty

from serial_pace import Relay, baud_from_env

BUSYBOX = shutil.which("busybox") or "/bin/busybox"
PASSWORD = "secret"

LOGIN = r"""#!/bin/sh
trap '' INT
printf '\r\nBusyBox v1.35.0 () built-in shell (ash)\r\n\r\n'
while true; do
  printf 'OpenWrt login: '
  read -r user
  printf 'Password: '
  stty -echo; read -r pw; stty echo; printf '\r\n'
  if [ "$user" = root ] && [ "$pw" = "%s" ]; then
    cd /root
    trap - INT
    HOME=/root PS1='root@OpenWrt:~# ' exec /bin/sh -i
  fi
  printf 'Login incorrect\r\n'
done
""" % PASSWORD

RECORD = '#!/bin/sh\necho "%s $*" >> /var/log/calls.log\n'

UCI = r"""#!/bin/sh
# Recording uci: a flat store of network.section[.option]=value lines.
S=/etc/config/.uci-state
touch $S
log() { echo "uci $*" >> /var/log/calls.log; }
unq() { v="$1"; v="${v#\'}"; v="${v%\'}"; printf '%s' "$v"; }
apply() {
  cmd="$1"; shift; arg="$*"
  case "$cmd" in
    set) k="${arg%%=*}"; v=$(unq "${arg#*=}")
         grep -v "^$k=" $S > $S.n; mv $S.n $S; echo "$k=$v" >> $S ;;
    add_list) k="${arg%%=*}"; v=$(unq "${arg#*=}"); echo "$k=$v" >> $S ;;
    delete) grep -v "^$arg[.=]" $S > $S.n; mv $S.n $S ;;
    *) echo "uci: unknown command $cmd" >&2; return 1 ;;
  esac
}
[ "$1" = "-q" ] && shift
case "$1" in
  show) log "$@"; if [ -n "$2" ]; then grep "^$2" $S; else cat $S; fi ;;
  batch) log batch; while read -r c rest; do [ -z "$c" ] && continue; echo "uci-batch $c $rest" >> /var/log/calls.log; apply "$c" "$rest" || exit 1; done ;;
  commit) log "$@"; cp $S /etc/config/network.committed ;;
  set|add_list|delete) log "$@"; c="$1"; shift; apply "$c" "$*" ;;
  *) log "$@"; exit 1 ;;
esac
"""

OPKG = r"""#!/bin/sh
echo "opkg $*" >> /var/log/calls.log
for last; do :; done
[ -f "$last" ] || { echo "opkg: $last: no such file" >&2; exit 255; }
mkdir -p /usr/lib/opkg/installed && cp "$last" /usr/lib/opkg/installed/
"""

SYSUPGRADE = r"""#!/bin/sh
echo "sysupgrade $*" >> /var/log/calls.log
for last; do :; done
if [ "$1" = "-T" ]; then
  head -c 8 "$last" | grep -q '^OWRTIMG' && { echo "Image check passed"; exit 0; }
  echo "Image metadata not present"; echo "Image check failed."; exit 1
fi
echo "Commencing upgrade. Closing all shell sessions."
cp "$last" /tmp/flashed.img
"""


def mount_rootfs(root, tmp_kib=8192):
    """The root as a mount point of its own, /proc (for df) and a tmpfs /tmp of `tmp_kib` KiB
    (like a router's RAM-backed /tmp)."""
    subprocess.run(["mount", "--bind", root, root], check=True)
    subprocess.run(["mount", "-t", "proc", "proc", os.path.join(root, "proc")], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk,mode=1777" % tmp_kib, "tmpfs",
                    os.path.join(root, "tmp")], check=True)


def unmount_rootfs(root):
    for d in ("tmp", "proc", ""):
        subprocess.run(["umount", "-l", os.path.join(root, d)], check=False, capture_output=True)


def make_rootfs(root):
    """Populate `root` with the OpenWrt-like tree (call mount_rootfs before starting a Console)."""
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc/init.d", "etc/config", "tmp", "root", "dev", "proc",
              "var/log"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy(BUSYBOX, os.path.join(root, "bin", "busybox"))
    subprocess.run(["chroot", root, "/bin/busybox", "--install", "-s", "/bin"], check=True)
    for name in ("base64",):     # keep the base64 applet; tests may remove it to exercise the fallback
        assert os.path.lexists(os.path.join(root, "bin", name))
    files = {
        "etc/openwrt_release": "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='23.05.5'\n"
                               "DISTRIB_DESCRIPTION='OpenWrt 23.05.5 r24106'\nDISTRIB_ARCH='mipsel_24kc'\n",
        "bin/login-console": LOGIN,
        "sbin/uci": UCI,
        "bin/opkg": OPKG,
        "sbin/sysupgrade": SYSUPGRADE,
        "etc/init.d/microguard": RECORD % "/etc/init.d/microguard",
        "etc/init.d/network": RECORD % "/etc/init.d/network",
    }
    for rel, text in files.items():
        p = os.path.join(root, rel)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o755)
    os.chmod(os.path.join(root, "etc/openwrt_release"), 0o644)
    dev_null = os.path.join(root, "dev", "null")
    if not os.path.exists(dev_null):
        os.mknod(dev_null, 0o666 | 0o020000, os.makedev(1, 3))


class Console:
    """A running emulated console; `port` is the tty path to give mgtool.

    `baud` paces both directions like a UART at that rate (default: MG_CONSOLE_BAUD, else
    unpaced). The console is returned once its login prompt is out, as a router that has
    finished booting: before that, a Ctrl-C would stop the login script before its trap is set.
    """

    def __init__(self, root, baud=None, boot_timeout=60):
        self.root = root
        self.baud = baud_from_env(baud)
        self.host_master, host_slave = os.openpty()
        tty.setraw(host_slave)
        self.port = os.ttyname(host_slave)
        self._host_slave = host_slave          # kept open so the pty survives between mgtool runs
        self.dev_master, dev_slave = os.openpty()

        def child_setup():
            # A router's console starts its shell with every signal at its default. This
            # process may not have: a caller that ignores or blocks SIGINT (a background
            # job, a daemon that takes signals through a signalfd) would pass that on, and
            # then the shell dies on the Ctrl-C that mgtool sends to clear a half-typed line.
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP, signal.SIGTSTP,
                        signal.SIGTTIN, signal.SIGTTOU):
                signal.signal(sig, signal.SIG_DFL)
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            os.chroot(root)
            os.chdir("/")

        self.proc = subprocess.Popen(["/bin/login-console"], stdin=dev_slave, stdout=dev_slave, stderr=dev_slave,
                                     preexec_fn=child_setup, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                                                  "TERM": "vt100"})
        os.close(dev_slave)
        self._await_login_prompt(boot_timeout)
        self.relay = Relay(self.host_master, self.dev_master, self.baud)

    def _await_login_prompt(self, timeout):
        """Read the device side until the first login prompt (what it printed is kept for the host)."""
        got = b""
        deadline = time.monotonic() + timeout
        while not got.endswith(b"login: "):
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("the emulated console never showed its login prompt: %r" % got[-200:])
            r, _, _ = select.select([self.dev_master], [], [], min(left, 0.5))
            if r:
                got += os.read(self.dev_master, 4096)
        os.write(self.host_master, got)

    def cut(self):
        """The cable is pulled: nothing passes any more, and the device side hangs up."""
        relay = getattr(self, "relay", None)
        if relay:
            relay.stop()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGHUP)
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self):
        self.cut()
        for fd in (self.host_master, self._host_slave, self.dev_master):
            try:
                os.close(fd)
            except OSError:
                pass

    def path(self, rel):
        return os.path.join(self.root, rel.lstrip("/"))

    def calls(self):
        try:
            with open(self.path("/var/log/calls.log")) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []
