"""A small network lab: namespaces, veth links, processes, and their teardown.

Each Node is a network namespace plus a mount namespace held open by a sleeping
process; the mount namespace carries its own tmpfs on /run/wireguard, so every
node has its own UAPI socket directory.  Commands run in a node through
`nsenter -t <holder> -m -n`.

A Lab records everything it creates.  Lab.close() kills every process it
started (by PID, then any process left inside its namespaces, e.g. a daemon
that forked) and deletes its namespaces; it never raises, so it is safe in a
finally block or a fixture teardown after any failure.
"""
import base64
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Namespace names: PREFIX + owning pid + "-" + counter, so stale ones can be told apart.
PREFIX = "mgl"


class LabError(Exception):
    """A lab command failed; the message carries its output."""


def run(argv, check=True, timeout=60, env=None, input=None):
    """Run a command, return the CompletedProcess (text); raise LabError on failure."""
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, input=input)
    except subprocess.TimeoutExpired as e:
        raise LabError("timed out after %ss: %s" % (timeout, " ".join(argv))) from e
    if check and r.returncode != 0:
        raise LabError("%s exited %d\nstdout: %s\nstderr: %s"
                       % (" ".join(argv), r.returncode, r.stdout[-3000:], r.stderr[-3000:]))
    return r


def kill_pid(pid, grace=3.0):
    """SIGTERM, then SIGKILL after `grace` seconds; quiet when the process is already gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def kill_proc(proc, grace=3.0):
    """kill_pid for a child we started, only while it runs: once it has been reaped its PID may
    already belong to another process (PIDs wrap quickly while tests spawn shells)."""
    if proc.poll() is None:
        kill_pid(proc.pid, grace)


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


class Keypair:
    """A WireGuard key pair in base64 text form, with the private key also written to a file."""

    def __init__(self, directory, name):
        key = X25519PrivateKey.generate()
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.private = base64.b64encode(raw).decode()
        self.public = base64.b64encode(pub).decode()
        # An absolute path: nsenter -m changes the working directory.
        self.path = os.path.join(directory, name + ".key")
        with open(self.path, "w") as f:
            f.write(self.private + "\n")
        os.chmod(self.path, 0o600)


def new_psk(directory, name):
    """A preshared key: (base64 text, absolute path of a file holding it)."""
    text = base64.b64encode(os.urandom(32)).decode()
    path = os.path.join(directory, name + ".psk")
    with open(path, "w") as f:
        f.write(text + "\n")
    os.chmod(path, 0o600)
    return text, path


class Node:
    """A network namespace with its own /run/wireguard; runs commands inside both."""

    def __init__(self, lab, name, label):
        self.lab = lab
        self.name = name
        self.label = label
        self._ifcount = itertools.count()
        run(["ip", "netns", "add", name])
        lab.namespaces.append(name)
        os.makedirs("/run/wireguard", exist_ok=True)
        # `ip netns exec` gives the shell a private mount namespace; the tmpfs stays in it.
        self.holder = lab.popen(
            ["ip", "netns", "exec", name, "sh", "-c",
             "mount -t tmpfs -o mode=0700 tmpfs /run/wireguard && echo ready && exec sleep 1000000"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.holder.stdout.readline()
        if line.strip() != "ready":
            raise LabError("namespace %s: holder failed: %s" % (name, self.holder.stderr.read()))
        self.holder_pid = self.holder.pid
        self.run(["ip", "link", "set", "lo", "up"])

    def cmd(self, argv):
        """The argv that runs `argv` inside this node's network and mount namespaces."""
        return ["nsenter", "-t", str(self.holder_pid), "-m", "-n"] + list(argv)

    def run(self, argv, **kw):
        return run(self.cmd(argv), **kw)

    def sh(self, script, **kw):
        return self.run(["sh", "-c", script], **kw)

    def popen(self, argv, **kw):
        """Start a process inside the node; the lab kills it on close."""
        return self.lab.popen(self.cmd(argv), **kw)

    def ip(self, *args, check=True):
        return self.run(["ip"] + list(args), check=check)

    def file(self, path):
        """Where this node's mount namespace shows `path` (e.g. its /run/wireguard) from outside."""
        return "/proc/%d/root%s" % (self.holder_pid, path)

    def forwarding(self, on=True):
        v = "1" if on else "0"
        self.run(["sysctl", "-q", "-w", "net.ipv4.ip_forward=" + v, "net.ipv6.conf.all.forwarding=" + v])

    def add_address(self, ifname, cidr):
        extra = ["nodad"] if ":" in cidr else []
        self.ip("addr", "add", cidr, "dev", ifname, *extra)

    def del_address(self, ifname, cidr):
        self.ip("addr", "del", cidr, "dev", ifname)

    def route(self, prefix, *via):
        self.ip("-6" if ":" in prefix else "-4", "route", "add", prefix, *via)

    def new_ifname(self, stem="veth"):
        return "%s%d" % (stem, next(self._ifcount))

    def pids(self):
        """PIDs of every process in this node's network namespace (the holder included)."""
        r = run(["ip", "netns", "pids", self.name], check=False)
        return [int(p) for p in r.stdout.split()]

    def ping(self, dst, count=3, interval=0.2, wait=2, src=None, size=None, check=False):
        """Run ping; returns the CompletedProcess (returncode 0 = every reply received)."""
        argv = ["ping", "-n", "-q", "-c", str(count), "-i", str(interval), "-W", str(wait)]
        if src:
            argv += ["-I", src]
        if size:
            argv += ["-s", str(size)]
        deadline = int(count * interval + wait + 1)
        return self.run(argv + ["-w", str(deadline), dst], check=check, timeout=deadline + 10)

    def wait_ping(self, dst, timeout=20, src=None):
        """Ping until one reply comes back; True when it did within `timeout` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.ping(dst, count=1, wait=1, src=src).returncode == 0:
                return True
        return False

    def __repr__(self):
        return "Node(%s %s)" % (self.label, self.name)


class Lab:
    """Everything one test (or one demo/bench run) creates; close() removes it all."""

    _ids = itertools.count()

    def __init__(self, keep_dir=False):
        self.namespaces = []
        self.procs = []
        self.closers = []
        self.tag = "%s%d-%d" % (PREFIX, os.getpid(), next(Lab._ids))
        self.dir = tempfile.mkdtemp(prefix=self.tag + "-")
        self.keep_dir = keep_dir
        self._nodes = itertools.count()
        self._keys = itertools.count()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def node(self, label="n"):
        # Names stay short: an interface-style limit keeps `ip netns` listings readable.
        return Node(self, "%s-%d" % (self.tag, next(self._nodes)), label)

    def popen(self, argv, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def keypair(self, name=None):
        return Keypair(self.dir, name or "key%d" % next(self._keys))

    def psk(self, name=None):
        return new_psk(self.dir, name or "psk%d" % next(self._keys))

    def path(self, name):
        return os.path.join(self.dir, name)

    def link(self, a, b, a_addrs=(), b_addrs=(), mtu=None):
        """A veth pair between nodes a and b with the given CIDR addresses; returns (ifname_a, ifname_b)."""
        ia, ib = a.new_ifname(), b.new_ifname()
        a.ip("link", "add", ia, "type", "veth", "peer", "name", ib, "netns", b.name)
        for node, ifname, addrs in ((a, ia, a_addrs), (b, ib, b_addrs)):
            for cidr in addrs:
                node.add_address(ifname, cidr)
            if mtu:
                node.ip("link", "set", ifname, "mtu", str(mtu))
            node.ip("link", "set", ifname, "up")
        return ia, ib

    def on_close(self, fn):
        """Run fn() at close, before processes are killed (e.g. stopping a capture cleanly)."""
        self.closers.append(fn)

    def close(self):
        for fn in reversed(self.closers):
            try:
                fn()
            except Exception:
                pass
        self.closers = []
        for p in reversed(self.procs):
            kill_proc(p)
            try:
                p.wait(timeout=5)
            except Exception:
                pass
            for stream in (p.stdout, p.stderr):
                if stream:
                    stream.close()
        self.procs = []
        for name in reversed(self.namespaces):
            remove_namespace(name)
        self.namespaces = []
        if not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def remove_namespace(name):
    """Kill what still runs in the namespace (by PID), then delete it."""
    for _ in range(3):
        r = run(["ip", "netns", "pids", name], check=False)
        pids = [int(p) for p in r.stdout.split()]
        if not pids:
            break
        for pid in pids:
            kill_pid(pid, grace=1.0)
    run(["ip", "netns", "del", name], check=False)


def sweep_stale():
    """Delete namespaces left by earlier lab runs whose owning process is gone."""
    r = run(["ip", "netns", "list"], check=False)
    for line in r.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX):
            continue
        owner = name[len(PREFIX):].split("-")[0]
        if owner.isdigit() and not pid_alive(int(owner)):
            remove_namespace(name)
