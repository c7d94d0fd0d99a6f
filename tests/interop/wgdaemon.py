"""WireGuard userspace daemons in lab nodes, driven with the real `wg`.

An Impl says how to start one implementation as `<argv> -f <ifname>`; a Daemon
is one running instance.  Peer state is read back from `wg show <if> dump`.
"""
import os
import subprocess
import time

from lab import ROOT, LabError, kill_proc, pid_alive

# MICROGUARD_BIN: another launcher (e.g. a differently built daemon), as in test_daemon_basic.
MICROGUARD = os.environ.get("MICROGUARD_BIN") or os.path.join(ROOT, "build", "bin", "microguard")


class Impl:
    """How to run one WireGuard implementation: argv prefix and extra environment."""

    # Generous: only a failing start waits this long.  A loaded CI host once
    # kept a start beyond 20 s with nothing to show for it.
    def __init__(self, name, argv, env=None, start_timeout=60):
        self.name = name
        self.argv = list(argv)
        self.env = dict(env or {})
        self.start_timeout = start_timeout

    @property
    def is_microguard(self):
        return self.name.startswith("microguard")

    def __repr__(self):
        return "Impl(%s)" % self.name


IMPLS = {
    "wireguard-go": Impl("wireguard-go", ["wireguard-go"]),
    "microguard": Impl("microguard", [MICROGUARD]),
    # The static mipsel build under qemu-user: slower to start.
    "microguard-mipsel": Impl("microguard-mipsel", [MICROGUARD], {"MICROGUARD_ARCH": "mipsel"},
                              start_timeout=90),
}


def impl(spec):
    return spec if isinstance(spec, Impl) else IMPLS[spec]


def process_state(pid):
    """Where a stuck process waits: its state, kernel wait channel and kernel stack."""
    out = []
    for name in ("status", "wchan", "stack"):
        try:
            with open("/proc/%d/%s" % (pid, name)) as f:
                text = f.read()
        except OSError as e:
            text = "(%s)" % e
        if name == "status":
            text = "".join(l for l in text.splitlines(True) if l.startswith(("Name:", "State:")))
        out.append("%s: %s" % (name, text.strip()))
    return "\n".join(out)


class Daemon:
    """One daemon running in the foreground in a node, serving <ifname>'s UAPI socket."""

    def __init__(self, node, spec, ifname="wg0", env=None):
        self.node = node
        self.impl = impl(spec)
        self.ifname = ifname
        self.log_path = node.lab.path("%s-%s.log" % (node.label, ifname))
        environ = dict(os.environ, **self.impl.env)
        if self.impl.is_microguard:
            # A foreground daemon's log goes to a file: info level shows how far a failing start got.
            environ.setdefault("LOG_LEVEL", "info")
        environ.update(env or {})
        with open(self.log_path, "wb") as log:
            self.proc = node.popen(self.impl.argv + ["-f", ifname], env=environ,
                                   stdout=log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        self._wait_ready()

    def _wait_ready(self):
        sock = self.node.file("/run/wireguard/%s.sock" % self.ifname)
        deadline = time.monotonic() + self.impl.start_timeout
        shown = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise LabError("%s exited %s at start:\n%s" % (self.impl.name, self.proc.returncode, self.log()))
            if os.path.exists(sock):
                shown = self.node.run(["wg", "show", self.ifname], check=False)
                if shown.returncode == 0:
                    return
            time.sleep(0.05)
        raise LabError("%s: no UAPI socket within %ss (socket %s; last `wg show`: %s)\n%s\nlog:\n%s" % (
            self.impl.name, self.impl.start_timeout, "exists" if os.path.exists(sock) else "missing",
            "never run" if shown is None else "exit %d %s" % (shown.returncode, shown.stderr.strip()),
            process_state(self.pid), self.log()))

    def log(self, tail=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-tail:]
        except OSError:
            return ""

    def alive(self):
        return self.proc.poll() is None and pid_alive(self.pid)

    def wg(self, *args, check=True, input=None):
        """Run `wg <args>` in the node and return stdout."""
        return self.node.run(["wg"] + list(args), check=check, input=input).stdout

    def set(self, *args):
        return self.wg("set", self.ifname, *args)

    def setconf(self, text, sync=False):
        path = self.node.lab.path("%s-%s-%d.conf" % (self.node.label, self.ifname, int(time.monotonic() * 1e6)))
        with open(path, "w") as f:
            f.write(text)
        return self.wg("syncconf" if sync else "setconf", self.ifname, path)

    def up(self, *cidrs, mtu=1420):
        for cidr in cidrs:
            self.node.add_address(self.ifname, cidr)
        self.node.ip("link", "set", self.ifname, "mtu", str(mtu), "up")

    def dump(self):
        """`wg show <if> dump` parsed: {"public_key", "listen_port", "peers": {public: {...}}}."""
        lines = self.wg("show", self.ifname, "dump").splitlines()
        head = lines[0].split("\t")
        out = {"private_key": head[0], "public_key": head[1], "listen_port": int(head[2]),
               "fwmark": head[3], "peers": {}}
        for line in lines[1:]:
            f = line.split("\t")
            out["peers"][f[0]] = {
                "preshared_key": f[1], "endpoint": f[2],
                "allowed_ips": sorted(x for x in f[3].split(",") if x and x != "(none)"),
                "latest_handshake": int(f[4]), "rx_bytes": int(f[5]), "tx_bytes": int(f[6]),
                "persistent_keepalive": f[7],
            }
        return out

    def peer(self, public):
        return self.dump()["peers"][public]

    def wait_handshake(self, public, after=0, timeout=20):
        """Wait until the peer's latest handshake is newer than `after` (unix seconds); returns it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hs = self.peer(public)["latest_handshake"]
            if hs > after:
                return hs
            time.sleep(0.1)
        raise LabError("%s: no handshake with %s within %ss" % (self.impl.name, public, timeout))

    def vmhwm_kb(self):
        """Peak resident set size of the daemon process (VmHWM), in kB."""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise LabError("no VmHWM for pid %d" % self.pid)

    def stop(self):
        kill_proc(self.proc)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
