"""microguard as a drop-in for wireguard-go, with the real binaries.

- wg(8) show/set/setconf/syncconf/showconf against a running microguard;
- `WG_QUICK_USERSPACE_IMPLEMENTATION=microguard wg-quick up`, then `down`
  leaves no process and no socket;
- SIGTERM removes the socket and the interface;
- handshake and ping with wireguard-go, each side initiating, over IPv4 and
  IPv6 outer endpoints, with IPv4 and IPv6 inner addresses;
- `microguard --config FILE.conf` (no wg-quick) up to a ping;
- the static mipsel router build under qemu-user, handshake and ping.

Two namespaces joined by a veth pair per test (names carry this pid), each
with a "holder" process whose private mount of /run/wireguard keeps the two
daemons' UAPI sockets apart. Every process started here is killed by its
own pid and the namespaces are deleted, whatever the outcome.
"""
import itertools
import os
import signal
import subprocess
import time

import pytest

from lab import kill_pid, pid_alive

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# MICROGUARD_BIN: another launcher (e.g. a differently built daemon).
MICROGUARD = os.environ.get("MICROGUARD_BIN") or os.path.join(REPO, "build", "bin", "microguard")
PREFIX = "mgd"          # namespace names: mgd<pid>-<n><a|b>
IFNAME = "wg0"
SOCKET = "/run/wireguard/%s.sock" % IFNAME
OUTER = {4: ("192.168.91.1", "192.168.91.2"), 6: ("fd91::1", "fd91::2")}
INNER = {4: ("10.91.0.1", "10.91.0.2"), 6: ("fd00:91::1", "fd00:91::2")}
PORT_A, PORT_B = 51820, 51821


def _missing_tools():
    need = ["ip", "wg", "wg-quick", "wireguard-go", "nsenter", "ping"]
    return [t for t in need if subprocess.run(["sh", "-c", "command -v " + t],
                                              capture_output=True).returncode]


pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not os.path.exists(MICROGUARD), reason="build/bin/microguard not built"),
    pytest.mark.skipif(bool(_missing_tools()), reason="missing tools: %s" % _missing_tools()),
]

_ids = itertools.count()


def run(cmd, check=True, timeout=30, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode:
        raise AssertionError("%s failed (%d):\n%s%s" % (" ".join(cmd), r.returncode,
                                                        r.stdout, r.stderr))
    return r


def wait_for(cond, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class Node:
    """A network namespace with its own /run/wireguard, and the daemons in it."""

    def __init__(self, name, logdir):
        self.name = name
        self.logdir = logdir
        self.procs = []         # Popen of everything started here
        self.extra_pids = []    # daemons started by others (wg-quick)
        run(["ip", "netns", "add", name])
        os.makedirs("/run/wireguard", exist_ok=True)     # the mount point (a fresh machine has none)
        # The holder's mount namespace is where this node's commands run.
        self.holder = subprocess.Popen(
            ["ip", "netns", "exec", name, "sh", "-c",
             "mount -t tmpfs -o mode=0700 tmpfs /run/wireguard && exec sleep 1000000"])
        wait_for(lambda: self.holder.poll() is not None or self._holder_ready(), what="namespace holder")
        assert self.holder.poll() is None, "namespace %s: its holder exited %d" % (name, self.holder.returncode)

    def _holder_ready(self):
        r = run(["nsenter", "-t", str(self.holder.pid), "-m", "sh", "-c",
                 "grep -q ' /run/wireguard tmpfs' /proc/mounts"], check=False)
        return r.returncode == 0

    def enter(self):
        return ["nsenter", "-t", str(self.holder.pid), "-m", "-n"]

    def sh(self, script, check=True, env=None, timeout=30):
        return run(self.enter() + ["sh", "-c", script], check=check, env=env, timeout=timeout)

    def ip(self, *args):
        return run(["ip", "-n", self.name] + list(args))

    def wg(self, *args, check=True):
        return run(self.enter() + ["wg"] + list(args), check=check)

    def start(self, cmd, env=None, tag="daemon"):
        """Start a foreground daemon here and wait for its UAPI socket."""
        log = open(os.path.join(self.logdir, "%s-%s.log" % (self.name, tag)), "w")
        full_env = dict(os.environ, LOG_LEVEL="debug")
        full_env.update(env or {})
        proc = subprocess.Popen(self.enter() + cmd + ["-f", IFNAME], stdout=log,
                                stderr=subprocess.STDOUT, env=full_env)
        self.procs.append(proc)
        wait_for(lambda: proc.poll() is not None or self.socket_exists(),
                 what="%s socket" % tag)
        assert proc.poll() is None, "%s exited: %s" % (tag, self.read_log(tag))
        return proc

    def read_log(self, tag):
        with open(os.path.join(self.logdir, "%s-%s.log" % (self.name, tag))) as f:
            return f.read()

    def socket_exists(self):
        return self.sh("test -S " + SOCKET, check=False).returncode == 0

    def pids(self):
        r = run(["ip", "netns", "pids", self.name], check=False)
        return {int(p) for p in r.stdout.split()}

    def close(self):
        for proc in self.procs:
            if proc.poll() is None:         # a reaped child's PID may belong to another process
                kill_pid(proc.pid)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for pid in self.extra_pids:
            kill_pid(pid)
        if self.holder.poll() is None:
            kill_pid(self.holder.pid)
        self.holder.wait(timeout=5)
        run(["ip", "netns", "del", self.name], check=False)


class Lab:
    def __init__(self, tmp_path):
        tag = "%s%d-%d" % (PREFIX, os.getpid(), next(_ids))
        self.dir = str(tmp_path)
        self.nodes = []
        self.a = self._node(tag + "a")
        self.b = self._node(tag + "b")
        run(["ip", "link", "add", "veth0", "netns", self.a.name, "type", "veth",
             "peer", "name", "veth0", "netns", self.b.name])
        for node, i in ((self.a, 0), (self.b, 1)):
            node.ip("link", "set", "lo", "up")
            node.ip("addr", "add", OUTER[4][i] + "/24", "dev", "veth0")
            node.ip("addr", "add", OUTER[6][i] + "/64", "dev", "veth0", "nodad")
            node.ip("link", "set", "veth0", "up")
        self.keys = {}
        for side in ("a", "b"):
            priv = os.path.join(self.dir, side + ".key")
            key = run(["wg", "genkey"]).stdout.strip()
            with open(priv, "w") as f:
                f.write(key + "\n")
            pub = run(["wg", "pubkey"], input=key).stdout.strip()
            self.keys[side] = (priv, key, pub)

    def _node(self, name):
        node = Node(name, self.dir)
        self.nodes.append(node)
        return node

    def close(self):
        for node in self.nodes:
            node.close()


@pytest.fixture
def lab(tmp_path):
    the_lab = Lab(tmp_path)
    try:
        yield the_lab
    finally:
        the_lab.close()


def dump(node):
    """`wg show wg0 dump` as (interface fields, {public key: peer fields})."""
    lines = node.wg("show", IFNAME, "dump").stdout.strip().split("\n")
    peers = {}
    for line in lines[1:]:
        f = line.split("\t")
        peers[f[0]] = f
    return lines[0].split("\t"), peers


def address_tunnel(node, i):
    node.ip("addr", "add", INNER[4][i] + "/24", "dev", IFNAME)
    node.ip("addr", "add", INNER[6][i] + "/64", "dev", IFNAME)
    node.ip("link", "set", IFNAME, "up")


# ---------------------------------------------------------------- wg(8)

def test_wg_show_set_setconf_syncconf(lab):
    a = lab.a
    a.start([MICROGUARD], tag="microguard")
    priv, key, pub = lab.keys["a"]
    _, _, peer1 = lab.keys["b"]
    peer2 = run(["wg", "pubkey"], input=run(["wg", "genkey"]).stdout).stdout.strip()
    psk = run(["wg", "genpsk"]).stdout.strip()
    psk_path = os.path.join(lab.dir, "psk")
    with open(psk_path, "w") as f:
        f.write(psk + "\n")

    out = a.wg("show", IFNAME).stdout
    assert "interface: %s" % IFNAME in out
    iface, peers = dump(a)
    assert int(iface[2]) > 0 and peers == {}        # a random port while unconfigured
    assert a.wg("show", "interfaces").stdout.split() == [IFNAME]

    a.wg("set", IFNAME, "private-key", priv, "listen-port", "0")
    iface, _ = dump(a)
    assert iface[0] == key and iface[1] == pub and int(iface[2]) > 0
    a.wg("set", IFNAME, "listen-port", str(PORT_A), "peer", peer1, "preshared-key", psk_path,
         "endpoint", "[fd91::2]:%d" % PORT_B, "persistent-keepalive", "25",
         "allowed-ips", "10.91.0.2/32,fd00:91::2/128")
    iface, peers = dump(a)
    assert iface[2] == str(PORT_A)
    f = peers[peer1]
    assert f[1] == psk and f[2] == "[fd91::2]:%d" % PORT_B
    assert set(f[3].split(",")) == {"10.91.0.2/32", "fd00:91::2/128"}
    assert f[4] == "0" and f[7] == "25"                 # no handshake yet, keepalive 25

    showconf = a.wg("showconf", IFNAME).stdout
    assert "PrivateKey = " + key in showconf and "PresharedKey = " + psk in showconf

    conf = os.path.join(lab.dir, "set.conf")
    with open(conf, "w") as fh:
        fh.write("[Interface]\nPrivateKey = %s\nListenPort = %d\n\n"
                 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.91.0.2/32\nEndpoint = 192.168.91.2:%d\n\n"
                 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.91.0.3/32, fd00:91::3/128\n"
                 % (key, PORT_A + 10, peer1, PORT_B, peer2))
    a.wg("setconf", IFNAME, conf)
    iface, peers = dump(a)
    assert iface[2] == str(PORT_A + 10)
    assert set(peers) == {peer1, peer2}
    assert peers[peer1][1] == "(none)" and peers[peer1][3] == "10.91.0.2/32"
    assert peers[peer1][2] == "192.168.91.2:%d" % PORT_B and peers[peer1][7] == "off"

    with open(conf, "w") as fh:
        fh.write("[Interface]\nPrivateKey = %s\nListenPort = %d\n\n"
                 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.91.0.0/24\n"
                 % (key, PORT_A + 10, peer2))
    a.wg("syncconf", IFNAME, conf)
    _, peers = dump(a)
    assert set(peers) == {peer2} and peers[peer2][3] == "10.91.0.0/24"

    a.wg("set", IFNAME, "peer", peer2, "remove")
    assert dump(a)[1] == {}
    # Raw UAPI: an empty probe connection, a bad key (-EINVAL), two requests
    # on one connection; the daemon keeps serving.
    assert uapi_exchange(a, [b""]) == [""]
    assert uapi_exchange(a, [b"set=1\nbogus=1\n\n"]) == ["errno=-22\n\n"]
    replies = uapi_exchange(a, [b"set=1\nlisten_port=%d\n\n" % (PORT_A + 11), b"get=1\n\n"])
    assert replies[0] == "errno=0\n\n"
    assert "listen_port=%d\n" % (PORT_A + 11) in replies[1]
    assert replies[1].endswith("errno=0\n\n")
    assert dump(a)[0][2] == str(PORT_A + 11)


_UAPI_CLIENT = r"""
import socket, sys
requests = sys.stdin.buffer.read().split(b"\0")
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
replies = []
for req in requests:
    s.sendall(req)
    data = b""
    while req and not data.endswith(b"\n\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    replies.append(data.decode())
s.close()
sys.stdout.write("\0".join(replies))
"""


def uapi_exchange(node, requests):
    """Send each request on one connection, read each reply to its blank line."""
    r = run(node.enter() + ["python3", "-c", _UAPI_CLIENT, SOCKET],
            input="\0".join(q.decode() for q in requests))
    return r.stdout.split("\0")


def test_sigterm_removes_socket_and_interface(lab):
    proc = lab.a.start([MICROGUARD], tag="microguard")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert not lab.a.socket_exists()
    assert run(["ip", "-n", lab.a.name, "link", "show", IFNAME], check=False).returncode != 0


# ---------------------------------------------------------------- wg-quick

def test_wg_quick_up_and_down(lab):
    a, b = lab.a, lab.b
    b.start(["wireguard-go"], tag="wireguard-go")
    b.wg("set", IFNAME, "private-key", lab.keys["b"][0], "listen-port", str(PORT_B),
         "peer", lab.keys["a"][2], "allowed-ips", "%s/32,%s/128" % (INNER[4][0], INNER[6][0]))
    address_tunnel(b, 1)

    conf = os.path.join(lab.dir, IFNAME + ".conf")
    with open(conf, "w") as f:
        f.write("[Interface]\nPrivateKey = %s\nListenPort = %d\nAddress = %s/24, %s/64\n\n"
                "[Peer]\nPublicKey = %s\nEndpoint = %s:%d\nAllowedIPs = %s/32, %s/128\n"
                % (lab.keys["a"][1], PORT_A, INNER[4][0], INNER[6][0], lab.keys["b"][2],
                   OUTER[4][1], PORT_B, INNER[4][1], INNER[6][1]))
    os.chmod(conf, 0o600)
    env = dict(os.environ, WG_QUICK_USERSPACE_IMPLEMENTATION=MICROGUARD)
    before = a.pids()
    up = a.sh("wg-quick up " + conf, env=env, check=False)
    daemons = a.pids() - before
    a.extra_pids.extend(daemons)
    assert up.returncode == 0, up.stderr
    assert len(daemons) == 1, "expected one daemon, found %s" % daemons
    assert a.socket_exists()
    iface, peers = dump(a)
    assert iface[2] == str(PORT_A) and lab.keys["b"][2] in peers
    assert "mtu 1420" in run(["ip", "-n", a.name, "link", "show", IFNAME]).stdout

    run(["ip", "netns", "exec", a.name, "ping", "-c", "2", "-W", "3", INNER[4][1]])
    run(["ip", "netns", "exec", a.name, "ping", "-c", "2", "-W", "3", INNER[6][1]])

    down = a.sh("wg-quick down " + conf, env=env, check=False)
    assert down.returncode == 0, down.stderr
    (pid,) = daemons
    wait_for(lambda: not pid_alive(pid), timeout=10, what="daemon exit after wg-quick down")
    assert not a.socket_exists()
    assert a.pids() == before


# ---------------------------------------------------------------- wireguard-go

def _configure(node, me, peer_pub, port, endpoint, peer_index):
    args = ["set", IFNAME, "private-key", me[0], "listen-port", str(port), "peer", peer_pub,
            "allowed-ips", "%s/32,%s/128" % (INNER[4][peer_index], INNER[6][peer_index])]
    if endpoint:
        args += ["endpoint", endpoint]
    node.wg(*args)
    address_tunnel(node, 1 - peer_index)


@pytest.mark.parametrize("outer", [4, 6], ids=["outer-v4", "outer-v6"])
@pytest.mark.parametrize("initiator", ["microguard", "wireguard-go"])
def test_handshake_and_ping_with_wireguard_go(lab, initiator, outer):
    a, b = lab.a, lab.b          # a runs microguard, b wireguard-go
    a.start([MICROGUARD], tag="microguard")
    b.start(["wireguard-go"], tag="wireguard-go")

    def endpoint(index, port):
        host = OUTER[outer][index]
        return ("[%s]:%d" if outer == 6 else "%s:%d") % (host, port)

    # Only the initiator knows where its peer is, so the other side cannot
    # start the handshake: it learns the endpoint from the initiation.
    _configure(a, lab.keys["a"], lab.keys["b"][2], PORT_A,
               endpoint(1, PORT_B) if initiator == "microguard" else None, 1)
    _configure(b, lab.keys["b"], lab.keys["a"][2], PORT_B,
               endpoint(0, PORT_A) if initiator == "wireguard-go" else None, 0)
    src, dst, dst_index = (a, b, 1) if initiator == "microguard" else (b, a, 0)

    for family in (4, 6):
        run(["ip", "netns", "exec", src.name, "ping", "-c", "3", "-i", "0.2", "-W", "3",
             INNER[family][dst_index]])

    for node, peer_key in ((a, lab.keys["b"][2]), (b, lab.keys["a"][2])):
        _, peers = dump(node)
        assert int(peers[peer_key][4]) > 0, "no handshake recorded on " + node.name
    # The responder roamed to the initiator's address, in the outer family used.
    _, peers = dump(dst)
    src_key = lab.keys["a" if src is a else "b"][2]
    expect = endpoint(0 if src is a else 1, PORT_A if src is a else PORT_B)
    assert peers[src_key][2] == expect
    log = a.read_log("microguard")
    assert ("handshake initiation sent" in log) == (initiator == "microguard")


def _wireguard_go_peer(lab):
    b = lab.b
    b.start(["wireguard-go"], tag="wireguard-go")
    b.wg("set", IFNAME, "private-key", lab.keys["b"][0], "listen-port", str(PORT_B),
         "peer", lab.keys["a"][2], "allowed-ips", "%s/32,%s/128" % (INNER[4][0], INNER[6][0]))
    address_tunnel(b, 1)


def test_config_mode_without_wg_quick(lab):
    """--config applies keys, peers, addresses, MTU and routes by itself."""
    a = lab.a
    _wireguard_go_peer(lab)
    conf = os.path.join(lab.dir, "router.conf")
    with open(conf, "w") as f:
        f.write("[Interface]\nPrivateKey = %s\nListenPort = %d\nAddress = %s/24, %s/64\n"
                "MTU = 1400\n\n[Peer]\nPublicKey = %s\nEndpoint = [%s]:%d\n"
                "AllowedIPs = %s/32, %s/128, 10.92.0.0/16\n"
                % (lab.keys["a"][1], PORT_A, INNER[4][0], INNER[6][0], lab.keys["b"][2],
                   OUTER[6][1], PORT_B, INNER[4][1], INNER[6][1]))
    before = a.pids()
    # Daemonized: the starter's exit status says the interface is configured.
    r = a.sh("%s --config %s %s" % (MICROGUARD, conf, IFNAME), check=False)
    daemons = a.pids() - before
    a.extra_pids.extend(daemons)
    assert r.returncode == 0, r.stderr
    link = run(["ip", "-n", a.name, "addr", "show", IFNAME]).stdout
    assert "mtu 1400" in link and INNER[4][0] + "/24" in link and "UP" in link
    assert "10.92.0.0/16" in run(["ip", "-n", a.name, "route", "show", "dev", IFNAME]).stdout
    run(["ip", "netns", "exec", a.name, "ping", "-c", "2", "-W", "3", INNER[4][1]])
    run(["ip", "netns", "exec", a.name, "ping", "-c", "2", "-W", "3", INNER[6][1]])
    a.ip("link", "del", IFNAME)
    (pid,) = daemons
    wait_for(lambda: not pid_alive(pid), timeout=10, what="daemon exit after link deletion")
    assert not a.socket_exists()


ROUTER_ARCH = "mipsel"


@pytest.mark.skipif(not os.path.exists(os.path.join(REPO, "build", "unix-" + ROUTER_ARCH,
                                                    "micropython")),
                    reason="router build missing")
@pytest.mark.skipif(subprocess.run(["sh", "-c", "command -v qemu-%s-static" % ROUTER_ARCH],
                                   capture_output=True).returncode != 0,
                    reason="qemu-user missing")
def test_router_build_under_qemu_with_wireguard_go(lab):
    a = lab.a
    _wireguard_go_peer(lab)
    a.start([MICROGUARD], env={"MICROGUARD_ARCH": ROUTER_ARCH}, tag="microguard")
    _configure(a, lab.keys["a"], lab.keys["b"][2], PORT_A, "%s:%d" % (OUTER[4][1], PORT_B), 1)
    for family in (4, 6):
        run(["ip", "netns", "exec", a.name, "ping", "-c", "2", "-W", "5", INNER[family][1]])
    _, peers = dump(lab.b)
    assert int(peers[lab.keys["a"][2]][4]) > 0


def test_fwmark_keeps_outer_packets_out_of_a_full_tunnel(lab):
    """wg-quick's full-tunnel setup: everything not carrying the fwmark is
    routed into wg0. The daemon must mark its own UDP sockets (SO_MARK)."""
    a = lab.a
    _wireguard_go_peer(lab)
    a.start([MICROGUARD], tag="microguard")
    _configure(a, lab.keys["a"], lab.keys["b"][2], PORT_A, "%s:%d" % (OUTER[4][1], PORT_B), 1)
    a.wg("set", IFNAME, "fwmark", "51820", "peer", lab.keys["b"][2], "allowed-ips", "0.0.0.0/0")
    assert a.wg("show", IFNAME, "fwmark").stdout.strip() == "0xca6c"
    a.ip("-4", "route", "add", "0.0.0.0/0", "dev", IFNAME, "table", "51820")
    a.ip("-4", "rule", "add", "not", "fwmark", "51820", "table", "51820")
    # (wg-quick would also let the main table win for non-default routes; left
    # out so that even the peer's own address routes into the tunnel unmarked.)
    assert "dev %s" % IFNAME in run(["ip", "netns", "exec", a.name, "ip", "-4", "route",
                                     "get", OUTER[4][1]]).stdout
    run(["ip", "netns", "exec", a.name, "ping", "-c", "2", "-W", "3", INNER[4][1]])
