# The engine's seam: a WireGuard interface with no I/O. The driver feeds it
# UDP datagrams (receive_datagram), IP packets from the tunnel device
# (send_packet) and the passage of time (tick); each call returns a list of
# actions for the driver to perform:
#     (ACTION_UDP, (host, port), datagram)   send datagram to that endpoint
#     (ACTION_TUN, ip_packet)                write ip_packet to the tunnel device
# (small integers from outcomes.py). A tun payload is a memoryview into a
# buffer reused by the next call, so write it out (or copy it) before calling
# the engine again. UDP payloads are fresh buffers the driver may keep.
# Time: `now` is seconds from a monotonic clock; wall_clock() -> (sec, nsec)
# feeds handshake timestamps and `last_handshake`. Randomness: rng(n) -> n bytes.
# Device holds the interface's state; what it does lives in one file per
# section, as wireguard-go splits device/ and the kernel drivers/net/wireguard:
#     configure.py       keys, peers, endpoints, allowed IPs
#     receive.py         receive_datagram and each message type
#     send.py            send_packet, handshake messages, keepalives, the queue
#     session.py         keypairs from handshakes, retiring keys, roaming
#     timers_expired.py  what each timer does when it fires (tick)
# Those functions take the Device first and are bound here as its methods, so
# the hot path costs no extra call.
from .constants import (REKEY_TIMEOUT_JITTER_MAX, DEFAULT_MTU, DEFAULT_MAX_QUEUED)
from .outcomes import DROP_NAMES, COUNTER_NAMES
from .allowedips import AllowedIPs
from .cookie import CookieChecker
from .index_table import IndexTable
from .load import LoadMonitor
from .ratelimit import RateLimiter
from .tai64n import TimestampSource
from .transport import Sealer, Opener
# Lower modules before the sections, each section before those that use it:
# every nested import costs C stack while it compiles, and the 32-bit router
# builds allow 40 KB of it.
from . import peer  # noqa: F401
from . import session, send, timers_expired, receive, configure


def _default_rng(n):
    import os
    return os.urandom(n)


class Device:
    def __init__(self, private_key=None, rng=None, wall_clock=None,
                 mtu=DEFAULT_MTU, max_queued=DEFAULT_MAX_QUEUED):
        if wall_clock is None:
            # Handshake timestamps must not go backwards across restarts, so
            # the driver has to decide where wall-clock time comes from.
            raise TypeError("wall_clock is required: a callable returning (sec, nsec)")
        self.rng = rng or _default_rng
        self.wall_clock = wall_clock
        self.timestamps = TimestampSource(wall_clock)
        self.mtu = mtu
        self.max_queued = max_queued
        self.listen_port = 0
        self.fwmark = 0
        # Hooks (all optional):
        #   on_keylog(local_static_private, remote_static_public,
        #             local_ephemeral_private, preshared_key)
        #   on_event(event, peer)    event: an EVENT_* of outcomes.py (EVENT_NAMES)
        #   on_listen_port(port) -> 0 or a negative errno (driver rebinds)
        self.on_keylog = None
        self.on_event = None
        self.on_listen_port = None
        self.indices = IndexTable(self.rng)
        self.allowed_ips = AllowedIPs()
        self.cookie_checker = CookieChecker(self.rng)
        self.load = LoadMonitor()
        self.ratelimiter = RateLimiter()
        self._sealer = Sealer()
        self._opener = Opener()
        self._peers = {}          # public key -> Peer
        self._peer_order = []     # insertion order, for stable `wg show` output
        # Keyed by readable name (DROP_NAMES, COUNTER_NAMES): stats and logs show them.
        self.drops = {}           # reason -> packets dropped
        self.counters = {}        # notable non-drop events -> count
        self.last_error = None    # last exception swallowed at the seam
        self.private_key = None
        self.public_key = None
        self._initial_hash = None
        self.set_private_key(private_key)

    # ------------------------------------------------------------ config

    set_private_key = configure.set_private_key
    add_peer = configure.add_peer
    get_peer = configure.get_peer
    peers = configure.peers
    remove_peer = configure.remove_peer
    remove_all_peers = configure.remove_all_peers
    set_preshared_key = configure.set_preshared_key
    set_endpoint = configure.set_endpoint
    set_persistent_keepalive = configure.set_persistent_keepalive
    add_allowed_ip = configure.add_allowed_ip
    clear_allowed_ips = configure.clear_allowed_ips
    allowed_ips_of = configure.allowed_ips_of

    # ------------------------------------------------------------ the seam

    receive_datagram = receive.receive_datagram
    send_packet = send.send_packet
    tick = timers_expired.tick
    next_deadline = timers_expired.next_deadline

    def initiate_handshake(self, peer, now, out=None):
        """Start a handshake now (e.g. a board bringing its tunnel up)."""
        if out is None:
            out = []
        send.send_initiation(self, peer, now, out, False)
        return out

    def send_keepalive(self, peer, now, out=None):
        if out is None:
            out = []
        send.send_keepalive(self, peer, now, out)
        return out

    # ------------------------------------------------------------ helpers

    def _jitter(self):
        r = self.rng(2)
        return ((r[0] << 8) | r[1]) * REKEY_TIMEOUT_JITTER_MAX / 65536

    def _keylog(self, peer, ephemeral_private):
        if self.on_keylog is not None:
            self.on_keylog(self.private_key, peer.public_key, ephemeral_private,
                           peer.preshared_key)

    def _event(self, event, peer):
        if self.on_event is not None:
            self.on_event(event, peer)

    def _drop(self, reason):
        name = DROP_NAMES[reason]
        self.drops[name] = self.drops.get(name, 0) + 1

    def _count(self, counter, n=1):
        name = COUNTER_NAMES[counter]
        self.counters[name] = self.counters.get(name, 0) + n
