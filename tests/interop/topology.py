"""Standard lab shapes built from lab.Lab: two WireGuard sites joined by a WAN link.

    [lan host a] -- A ==wg0== (WAN veth) ==wg0== B -- [lan host b]

Addresses (the LAN hosts only with lans=True):
    WAN       A 192.168.50.1/24 fd00:50::1/64     B 192.168.50.2/24 fd00:50::2/64
    tunnel    A 10.0.0.1/24     fd10::1/64        B 10.0.0.2/24     fd10::2/64
    LANs      A side 10.1.0.0/24 fd01::/64        B side 10.2.0.0/24 fd02::/64  (router .1, host .2)
"""
from wgdaemon import Daemon

WG_PORT = 51820


class Site:
    """One router: its node, daemon, keys and addresses (plain, without prefix lengths)."""

    def __init__(self, side, node, daemon, key):
        self.side = side
        self.node = node
        self.daemon = daemon
        self.key = key
        n = 1 if side == "a" else 2
        self.inner4 = "10.0.0.%d" % n
        self.inner6 = "fd10::%d" % n
        self.outer4 = "192.168.50.%d" % n
        self.outer6 = "fd00:50::%d" % n
        self.lan_net4 = "10.%d.0.0/24" % n
        self.lan_net6 = "fd0%d::/64" % n
        self.host = None          # LAN host node, with lans=True
        self.host4 = "10.%d.0.2" % n
        self.host6 = "fd0%d::2" % n
        self.wan_if = None
        self.port = WG_PORT

    def inner(self, family):
        return self.inner4 if family == 4 else self.inner6

    def outer(self, family):
        return self.outer4 if family == 4 else self.outer6

    def endpoint(self, family):
        return ("%s:%d" if family == 4 else "[%s]:%d") % (self.outer(family), self.port)


class Pair:
    def __init__(self, lab, a, b, outer):
        self.lab = lab
        self.a = a
        self.b = b
        self.outer = outer

    def other(self, site):
        return self.b if site is self.a else self.a


def two_sites(lab, impl_a, impl_b="wireguard-go", outer=4, psk=False, endpoint_on="ab",
              env_a=None, env_b=None, lans=False, keepalive_a=0):
    """Build and configure the two sites; returns a Pair.  Nothing is sent yet.

    endpoint_on: which sides are told the other's endpoint ("ab", "a" or "b"); a
    side without one can only answer, so this picks the handshake initiator.
    """
    na, nb = lab.node("a"), lab.node("b")
    wan_a, wan_b = lab.link(na, nb, ["192.168.50.1/24", "fd00:50::1/64"], ["192.168.50.2/24", "fd00:50::2/64"])
    ka, kb = lab.keypair("a"), lab.keypair("b")
    a = Site("a", na, Daemon(na, impl_a, env=env_a), ka)
    b = Site("b", nb, Daemon(nb, impl_b, env=env_b), kb)
    a.wan_if, b.wan_if = wan_a, wan_b
    pair = Pair(lab, a, b, outer)
    if lans:
        for site in (a, b):
            add_lan(lab, site)
    shared = lab.psk("ab")[1] if psk else None
    for me, peer in ((a, b), (b, a)):
        args = ["private-key", me.key.path, "listen-port", str(me.port),
                "peer", peer.key.public, "allowed-ips", ",".join(allowed_ips(peer, lans))]
        if me.side in endpoint_on:
            args += ["endpoint", peer.endpoint(outer)]
        if shared:
            args += ["preshared-key", shared]
        if me is a and keepalive_a:
            args += ["persistent-keepalive", str(keepalive_a)]
        me.daemon.set(*args)
        me.daemon.up("%s/24" % me.inner4, "%s/64" % me.inner6)
        if lans:
            me.node.route(peer.lan_net4, "dev", "wg0")
            me.node.route(peer.lan_net6, "dev", "wg0")
    return pair


def allowed_ips(site, lans):
    ips = ["%s/32" % site.inner4, "%s/128" % site.inner6]
    if lans:
        ips += [site.lan_net4, site.lan_net6]
    return ips


def add_lan(lab, site):
    """A LAN host behind the router, default route through it."""
    host = lab.node("h" + site.side)
    router_if, host_if = lab.link(site.node, host, [site.lan_net4.replace("0/24", "1/24"),
                                                    site.lan_net6.replace("/64", "1/64")],
                                  ["%s/24" % site.host4, "%s/64" % site.host6])
    host.ip("route", "add", "default", "via", site.lan_net4.replace("0/24", "1"))
    host.ip("-6", "route", "add", "default", "via", site.lan_net6.replace("/64", "1"))
    site.node.forwarding(True)
    site.host = host
    return host
