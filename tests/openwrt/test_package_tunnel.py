"""The packaged daemon, per architecture under qemu-user, brought up the way
OpenWrt does it: the netifd handler from the package reads a UCI config and
starts the daemon as its proto task; a stub netifd applies the addresses and
routes with `ip`. The far end is wireguard-go. Lab namespaces (tests/interop/
lab.py) are removed whatever the outcome.

Also: a peer whose endpoint name does not resolve leaves the other peers
working, and endpoint names are looked up again until they resolve and when
handshakes stop (the peer moved to another address)."""
import base64
import os
import shutil
import time

import pytest

import owrt
from lab import Lab, sweep_stale
from wgdaemon import Daemon

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not shutil.which("wireguard-go"), reason="needs wireguard-go"),
]

TUNNEL_ARCHS = ["mips_24kc", "mipsel_24kc", "arm_cortex-a7_neon-vfpv4", "aarch64_cortex-a53"]
A_WAN, B_WAN, B_WAN_MOVED = "192.168.50.1", "192.168.50.2", "192.168.50.3"
A_IN, B_IN = "10.0.0.1", "10.0.0.2"
NOKEY = base64.b64encode(b"\x07" * 32).decode()


@pytest.fixture(scope="module", autouse=True)
def _sweep():
    sweep_stale()


@pytest.fixture
def lab():
    with Lab() as the_lab:
        yield the_lab


class Router:
    """Node A as an OpenWrt router: resolver files of its own, the package unpacked."""

    def __init__(self, lab, root, arch, extra_env=None):
        self.lab = lab
        self.node = lab.node("a")
        self.root = root
        self.arch = arch
        self.hosts = lab.path("hosts")
        self.set_hosts({})
        resolv = lab.path("resolv.conf")
        with open(resolv, "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        # Only this node's mount namespace sees them: names resolve from our hosts file alone.
        self.node.run(["mount", "--bind", self.hosts, "/etc/hosts"])
        self.node.run(["mount", "--bind", resolv, "/etc/resolv.conf"])
        self.env = {"STUB_MODE": "apply", "MG_BIN": root + "/usr/sbin/microguard",
                    "MICROGUARD_LIB": root + "/usr/lib/microguard",
                    "MICROGUARD_RUNNER": owrt.ARCHS[arch][0],
                    "MG_RUN_DIR": lab.path("run"), "MG_SOCK_DIR": "/var/run/wireguard",
                    "MG_SYS_NET": "/sys/class/net", "MG_READY_TIMEOUT": "60",
                    "LOG_LEVEL": "info"}
        self.env.update(extra_env or {})
        self.workdir = lab.path("handler")

    def set_hosts(self, names):
        # Rewritten in place: the bind mount follows the inode.
        with open(self.hosts, "w") as f:
            f.write("127.0.0.1 localhost\n")
            for name, addr in names.items():
                f.write("%s %s\n" % (addr, name))

    def ifup(self, uci):
        r = owrt.run_handler(["busybox", "sh"], self.workdir, uci, env=self.env, node=self.node,
                             timeout=120)
        assert r.returncode == 0, "handler failed:\n%s\n%s\n%s" % (r.proc.stdout, r.proc.stderr,
                                                                    self.daemon_log())
        return r

    def ifdown(self):
        return owrt.run_handler(["busybox", "sh"], self.workdir, "", action="teardown",
                                env=self.env, node=self.node)

    def daemon_log(self, tail=3000):
        try:
            with open(os.path.join(self.workdir, "calls.log.daemon")) as f:
                text = f.read()
            return text if tail is None else text[-tail:]
        except OSError:
            return ""

    def wg(self, *args):
        return self.node.run(["wg"] + list(args)).stdout

    def endpoints(self):
        out = {}
        for line in self.wg("show", "wg0", "endpoints").splitlines():
            k, _, v = line.partition("\t")
            out[k] = v
        return out


def far_end(lab, router, psk=False):
    """Node B: wireguard-go answering A (it learns A's endpoint from A's handshake)."""
    nb = lab.node("b")
    lab.link(router.node, nb, [A_WAN + "/24"], [B_WAN + "/24"])
    ka, kb = lab.keypair("a"), lab.keypair("b")
    d = Daemon(nb, "wireguard-go")
    args = ["private-key", kb.path, "listen-port", "51820", "peer", ka.public,
            "allowed-ips", A_IN + "/32"]
    if psk:
        args += ["preshared-key", lab.psk("ab")[1]]
    d.set(*args)
    d.up(B_IN + "/24")
    return d, ka, kb, nb


def uci_for(ka, kb, endpoint_host, psk_text=None):
    psk = "\toption preshared_key '%s'\n" % psk_text if psk_text else ""
    return """
config interface 'wg0'
	option proto 'microguard'
	option private_key '%s'
	option listen_port '51820'
	list addresses '%s/24'
	option mtu '1400'

config wireguard_wg0 'gone'
	option public_key '%s'
	list allowed_ips '10.0.9.0/24'
	option route_allowed_ips '1'
	option endpoint_host 'nosuch-peer.mg.test'

config wireguard_wg0 'b'
	option public_key '%s'
%s	list allowed_ips '%s/32'
	list allowed_ips '10.2.0.0/24'
	option route_allowed_ips '1'
	option endpoint_host '%s'
	option persistent_keepalive '25'
""" % (ka.private, A_IN, NOKEY, kb.public, psk, B_IN, endpoint_host)


@pytest.mark.parametrize("arch", TUNNEL_ARCHS)
def test_tunnel_through_netifd_handler(lab, installed, arch):
    router = Router(lab, installed[arch], arch)
    b, ka, kb, nb = far_end(lab, router)
    router.ifup(uci_for(ka, kb, B_WAN))
    assert router.node.wait_ping(B_IN, timeout=30), router.daemon_log()
    # wg(8) talks to the packaged daemon: both peers there, the unresolvable one without endpoint.
    eps = router.endpoints()
    assert eps == {NOKEY: "(none)", kb.public: "%s:51820" % B_WAN}
    assert b.peer(ka.public)["latest_handshake"] > 0
    link = router.node.ip("-o", "link", "show", "wg0").stdout
    assert "mtu 1400" in link
    addrs = router.node.ip("-o", "-4", "addr", "show", "wg0").stdout
    assert "%s/24" % A_IN in addrs
    routes = router.node.ip("-4", "route", "show", "dev", "wg0").stdout
    assert "10.2.0.0/24" in routes and "10.0.9.0/24" in routes
    # Several datagrams per ping: fragments reassembled through the tunnel both ways.
    assert nb.ping(A_IN, count=2, size=3000).returncode == 0
    router.ifdown()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and router.node.ip("link", "show", "wg0", check=False).returncode == 0:
        time.sleep(0.2)
    assert router.node.ip("link", "show", "wg0", check=False).returncode != 0, "ifdown removes wg0"
    assert not os.path.exists(router.node.file("/run/wireguard/wg0.sock"))


def test_endpoint_name_resolved_later_and_after_peer_moves(lab, installed):
    # Protocol clock 10x: names are retried every 1.5 s while unresolved; a peer
    # with no handshake for 13.5 s gets its name looked up again (every 3 s).
    router = Router(lab, installed["mipsel_24kc"], "mipsel_24kc", {"MICROGUARD_TIME_SCALE": "10"})
    b, ka, kb, nb = far_end(lab, router)
    router.ifup(uci_for(ka, kb, "peer-b.mg.test"))
    assert router.endpoints()[kb.public] == "(none)"
    assert router.node.ping(B_IN, count=1, wait=1).returncode != 0
    # The name appears (DNS came up): the daemon picks it up by itself.
    router.set_hosts({"peer-b.mg.test": B_WAN})
    assert router.node.wait_ping(B_IN, timeout=20), router.daemon_log()
    assert router.endpoints()[kb.public] == "%s:51820" % B_WAN
    # The peer moves to another address and the name follows; handshakes stop
    # until the daemon looks the name up again.
    wan_b = [l.split(":")[1].strip().split("@")[0] for l in
             nb.ip("-o", "link").stdout.splitlines() if "veth" in l][0]
    nb.ip("addr", "del", B_WAN + "/24", "dev", wan_b)
    nb.ip("addr", "add", B_WAN_MOVED + "/24", "dev", wan_b)
    router.set_hosts({"peer-b.mg.test": B_WAN_MOVED})
    # B must not find A by itself (its own handshake would move A's endpoint by
    # roaming): B's idea of A's endpoint goes nowhere until A's handshake arrives.
    b.set("peer", ka.public, "endpoint", "192.0.2.1:9")
    deadline = time.monotonic() + 60
    moved = False
    while time.monotonic() < deadline:
        if router.endpoints()[kb.public] == "%s:51820" % B_WAN_MOVED and \
                router.node.ping(B_IN, count=1, wait=1).returncode == 0:
            moved = True
            break
        router.node.ping(B_IN, count=1, wait=1)     # traffic that wants a handshake
    assert moved, router.daemon_log()
    log = router.daemon_log(tail=None)
    assert "endpoint peer-b.mg.test now resolves to %s port 51820" % B_WAN in log
    assert "endpoint peer-b.mg.test now resolves to %s port 51820" % B_WAN_MOVED in log
    router.ifdown()
