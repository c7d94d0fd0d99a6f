# Endpoint names from a .conf (e.g. "vpn.example.org:51820") become
# addresses at load time, as wg(8) does before it talks to the daemon. The
# names are kept (EndpointNames): a name that does not resolve at start
# leaves only its own peer without an endpoint, and a name is looked up
# again while its peer has no endpoint or its handshakes have stopped, the
# way wireguard-tools' reresolve-dns.sh does it from cron.
import socket

from wireguard.ipaddr import parse_ip, format_ip


def resolve_endpoint(endpoint):
    """(host, port) with host an address text or a DNS name -> (address text, port).
    Raises OSError when the name does not resolve."""
    host, port = endpoint
    try:
        return format_ip(parse_ip(host)), port
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port)
    if not infos:
        raise OSError("cannot resolve " + host)
    sa = socket.sockaddr(infos[0][4])
    return format_ip(sa[1]), sa[2]


def is_name(host):
    try:
        parse_ip(host)
        return False
    except ValueError:
        return True


# Engine seconds. A peer whose last handshake is older than STALE_AFTER (or
# that never had one since start) gets its name looked up again, at most
# every RETRY_STALE; a peer whose name never resolved, every RETRY_UNRESOLVED.
# A lookup blocks the event loop for as long as the system resolver takes
# (on OpenWrt the local dnsmasq answers at once, even with the WAN down).
STALE_AFTER = 135
RETRY_STALE = 30
RETRY_UNRESOLVED = 15


class _Name:
    def __init__(self, public_key, host, port, now):
        self.public_key = public_key
        self.host = host
        self.port = port
        self.last_handshake = None
        self.handshake_at = now         # start counts as a fresh handshake
        self.next_try = now


class EndpointNames:
    """Peers configured with an endpoint name, and when to look each up again."""

    def __init__(self, dev, log):
        self.dev = dev
        self.log = log
        self.names = []

    def add(self, public_key, host, port, now, resolved):
        n = _Name(public_key, host, port, now)
        n.next_try = now + (RETRY_STALE if resolved else RETRY_UNRESOLVED)
        self.names.append(n)

    def check(self, now):
        """Look up the names that are due; returns how many endpoints changed."""
        changed = 0
        for n in self.names:
            peer = self.dev.get_peer(n.public_key)
            if peer is None:            # removed over UAPI
                continue
            if peer.last_handshake != n.last_handshake:
                n.last_handshake = peer.last_handshake
                n.handshake_at = now
            if now < n.next_try:
                continue
            if peer.endpoint is not None and now - n.handshake_at < STALE_AFTER:
                continue
            n.next_try = now + (RETRY_UNRESOLVED if peer.endpoint is None else RETRY_STALE)
            try:
                addr = resolve_endpoint((n.host, n.port))
            except OSError as e:
                self.log.debug("endpoint %s still does not resolve: %s" % (n.host, e))
                continue
            if peer.endpoint is None or tuple(peer.endpoint) != addr:
                self.log.info("endpoint %s now resolves to %s port %d" % (n.host, addr[0], addr[1]))
                self.dev.set_endpoint(peer, addr)
                changed += 1
        return changed
