# The engine's seam: a WireGuard interface with no I/O. The driver feeds it
# UDP datagrams (receive_datagram), IP packets from the tunnel device
# (send_packet) and the passage of time (tick); each call returns a list of
# actions for the driver to perform:
#     ("udp", (host, port), datagram)   send datagram to that endpoint
#     ("tun", ip_packet)                write ip_packet to the tunnel device
# A "tun" payload is a memoryview into a buffer reused by the next call, so
# write it out (or copy it) before calling the engine again. "udp" payloads
# are fresh buffers the driver may keep.
# Time: `now` is seconds from a monotonic clock; wall_clock() -> (sec, nsec)
# feeds handshake timestamps and `last_handshake`. Randomness: rng(n) -> n bytes.
from .constants import (MSG_INITIATION, MSG_COOKIE_REPLY, MSG_TRANSPORT,
                        TRANSPORT_MIN_LEN, MAX_DATAGRAM_LEN, KEY_LEN, REKEY_TIMEOUT,
                        REKEY_AFTER_MESSAGES, REKEY_AFTER_TIME, REKEY_ON_RECEIVE_AGE,
                        KEEPALIVE_TIMEOUT, MAX_TIMER_HANDSHAKES, ZERO_KEYS_AFTER,
                        REKEY_TIMEOUT_JITTER_MAX, DEFAULT_MTU, DEFAULT_MAX_QUEUED,
                        ACTION_UDP, ACTION_TUN)
from .allowedips import AllowedIPs
from .cookie import CookieChecker
from .crypto import is_zero, public_key as derive_public, ZERO_KEY
from .handshake import (Handshake, initial_hash_for, create_initiation, consume_initiation,
                        create_response, consume_response, derive_transport_keys)
from .index_table import IndexTable
from .ipaddr import endpoint_key
from .keypair import Keypair
from .load import LoadMonitor
from .peer import Peer
from .ratelimit import RateLimiter
from .tai64n import TimestampSource
from .timers import DUE_NOW
from .transport import Sealer, Opener
from . import ippacket
from . import messages as m


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
        #   on_event(name, peer)     names: see _event() callers
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
        self.drops = {}           # reason -> packets dropped
        self.counters = {}        # notable non-drop events -> count
        self.last_error = None    # last exception swallowed at the seam
        self.private_key = None
        self.public_key = None
        self._initial_hash = None
        self.set_private_key(private_key)

    # ------------------------------------------------------------ config

    def set_private_key(self, private_key):
        if private_key is not None:
            if len(private_key) != KEY_LEN:
                raise ValueError("private key must be 32 bytes")
            private_key = bytes(private_key)
            if is_zero(private_key):
                private_key = None
        if private_key == self.private_key:
            return
        public = derive_public(private_key) if private_key is not None else None
        if public is not None and public in self._peers:
            # A peer with our own key could never handshake with us.
            self.remove_peer(public)
        self.private_key = private_key
        self.public_key = public
        self._initial_hash = initial_hash_for(public) if public is not None else None
        self.cookie_checker.set_public_key(public)
        for peer in self._peer_order:
            peer.precompute(private_key)
            self._clear_handshake(peer)
            peer.keypairs.expire_sending()

    def add_peer(self, public_key, preshared_key=None, endpoint=None,
                 persistent_keepalive=0, allowed_ips=()):
        """allowed_ips: iterable of (ip bytes, cidr)."""
        public_key = bytes(public_key)
        if public_key in self._peers:
            raise ValueError("peer already exists")
        if public_key == self.public_key:
            raise ValueError("peer key is this interface's own public key")
        peer = Peer(public_key)
        peer.precompute(self.private_key)
        self._peers[public_key] = peer
        self._peer_order.append(peer)
        self.set_preshared_key(peer, preshared_key)
        if endpoint is not None:
            self.set_endpoint(peer, endpoint)
        self.set_persistent_keepalive(peer, persistent_keepalive)
        for ip, cidr in allowed_ips:
            self.allowed_ips.insert(ip, cidr, peer)
        return peer

    def get_peer(self, public_key):
        return self._peers.get(bytes(public_key))

    def peers(self):
        return list(self._peer_order)

    def remove_peer(self, peer):
        if not isinstance(peer, Peer):
            peer = self._peers.get(bytes(peer))
            if peer is None:
                return False
        self._zero_keys(peer)
        peer.timers.stop_all()
        peer.queue = []
        self.allowed_ips.remove_peer(peer)
        del self._peers[peer.public_key]
        self._peer_order.remove(peer)
        return True

    def remove_all_peers(self):
        for peer in list(self._peer_order):
            self.remove_peer(peer)

    def set_preshared_key(self, peer, psk):
        if psk is None:
            psk = ZERO_KEY
        if len(psk) != KEY_LEN:
            raise ValueError("preshared key must be 32 bytes")
        peer.preshared_key = bytes(psk)

    def set_endpoint(self, peer, endpoint):
        peer.endpoint = None if endpoint is None else (endpoint[0], endpoint[1])

    def set_persistent_keepalive(self, peer, interval):
        interval = int(interval or 0)
        if not 0 <= interval <= 65535:
            raise ValueError("persistent keepalive must be 0..65535")
        was = peer.persistent_keepalive
        peer.persistent_keepalive = interval
        if not interval:
            peer.timers.persistent_keepalive = None
        elif not was:
            # Turning it on sends a keepalive at once (and so a handshake),
            # which opens the NAT mapping the option exists for.
            peer.timers.persistent_keepalive = DUE_NOW

    def add_allowed_ip(self, peer, ip, cidr):
        self.allowed_ips.insert(ip, cidr, peer)

    def clear_allowed_ips(self, peer):
        self.allowed_ips.remove_peer(peer)

    def allowed_ips_of(self, peer):
        return self.allowed_ips.entries(peer)

    # ------------------------------------------------------------ the seam

    def receive_datagram(self, data, addr, now, out=None):
        """A UDP payload arrived from addr = (host, port)."""
        if out is None:
            out = []
        try:
            n = len(data)
            t = m.message_type(data)
            if n > MAX_DATAGRAM_LEN:
                self._drop("oversized")
            elif t == MSG_TRANSPORT:
                if n < TRANSPORT_MIN_LEN:
                    self._drop("malformed")
                else:
                    self._receive_transport(data, addr, now, out)
            elif t in m.EXPECTED_LEN:
                if n != m.EXPECTED_LEN[t]:
                    self._drop("malformed")
                else:
                    # Handshake code concatenates and keeps message bytes;
                    # drivers may pass a view into a reused receive buffer.
                    data = bytes(data)
                    if t == MSG_COOKIE_REPLY:
                        self._receive_cookie_reply(data, now)
                    else:
                        self._receive_handshake(t, data, addr, now, out)
            else:
                self._drop("bad_type")
        except Exception as e:      # malformed input must never escape
            self.last_error = e
            self._drop("internal_error")
        return out

    def send_packet(self, packet, now, out=None):
        """An IP packet from the tunnel device, to be routed to its peer."""
        if out is None:
            out = []
        try:
            dst = ippacket.destination(packet)
            if dst is None:
                self._drop("bad_outgoing_packet")
                return out
            peer = self.allowed_ips.lookup(dst)
            if peer is None:
                self._drop("no_route")
                return out
            if peer.endpoint is None:
                self._drop("no_endpoint")
                return out
            kp = peer.keypairs.current
            if not peer.queue and kp is not None and kp.can_send(now):
                if self._transmit(peer, kp, (packet,), now, out):
                    return out
            self._enqueue(peer, bytes(packet))
            self._send_queued(peer, now, out)
        except Exception as e:
            self.last_error = e
            self._drop("internal_error")
        return out

    def tick(self, now, out=None):
        """Fire every timer that is due."""
        if out is None:
            out = []
        try:
            for peer in list(self._peer_order):
                self._tick_peer(peer, now, out)
        except Exception as e:
            self.last_error = e
            self._drop("internal_error")
        return out

    def next_deadline(self):
        """Earliest time tick() has work to do, or None."""
        best = None
        for peer in self._peer_order:
            t = peer.timers.next_deadline()
            if t is not None and (best is None or t < best):
                best = t
        return best

    def initiate_handshake(self, peer, now, out=None):
        """Start a handshake now (e.g. a board bringing its tunnel up)."""
        if out is None:
            out = []
        self._send_initiation(peer, now, out, False)
        return out

    def send_keepalive(self, peer, now, out=None):
        if out is None:
            out = []
        self._send_keepalive(peer, now, out)
        return out

    # ------------------------------------------------------------ receiving

    def _receive_handshake(self, msg_type, data, addr, now, out):
        if self.private_key is None:
            self._drop("no_private_key")
            return
        if not self.cookie_checker.check_mac1(data):
            self._drop("bad_mac1")
            return
        self.load.note_handshake(now)
        if self.load.under_load(now):
            ip, source = endpoint_key(addr)
            if not self.cookie_checker.check_mac2(data, source, now):
                # Make the sender prove its address before we spend DH on it.
                reply = self.cookie_checker.make_reply(data, source, now)
                out.append((ACTION_UDP, (addr[0], addr[1]), reply))
                self._count("cookie_reply_sent")
                return
            if not self.ratelimiter.allow(ip, now):
                self._drop("rate_limited")
                return
        if msg_type == MSG_INITIATION:
            self._receive_initiation(data, addr, now, out)
        else:
            self._receive_response(data, addr, now, out)

    def _receive_initiation(self, data, addr, now, out):
        peer, reason = consume_initiation(data, self.private_key, self._initial_hash,
                                          self._peers.get, now)
        if peer is None:
            self._drop(reason)
            return
        peer.rx_bytes += len(data)
        self._roam(peer, addr)
        self._send_response(peer, now, out)
        self._authenticated_received(peer, now)

    def _receive_response(self, data, addr, now, out):
        hs = self.indices.get(m.u32(data, m.RESP_RECEIVER))
        if not isinstance(hs, Handshake):
            self._drop("unknown_index")
            return
        peer = hs.peer
        if not consume_response(hs, data, self.private_key):
            self._drop("bad_handshake")
            return
        peer.rx_bytes += len(data)
        self._roam(peer, addr)
        self._begin_session(peer, now)
        self._handshake_complete(peer)
        # Confirms the session to the responder: queued data if any, else a keepalive.
        self._send_keepalive(peer, now, out)
        self._authenticated_received(peer, now)

    def _receive_cookie_reply(self, data, now):
        owner = self.indices.get(m.u32(data, m.COOKIE_RECEIVER))
        if owner is None:
            self._drop("unknown_index")
            return
        if not owner.peer.cookies.consume_reply(data, now):
            self._drop("bad_cookie_reply")
            return
        self._count("cookie_reply_received")

    def _receive_transport(self, data, addr, now, out):
        kp = self.indices.get(m.u32(data, m.DATA_RECEIVER))
        if not isinstance(kp, Keypair):
            self._drop("unknown_index")
            return
        if not kp.can_receive(now):
            self._drop("expired_keypair")
            return
        counter = m.u64(data, m.DATA_COUNTER)
        if not kp.replay.check(counter):
            self._drop("replay")
            return
        plain = self._opener.open(kp, data, counter)
        if plain is None:
            self._drop("bad_tag")
            return
        if not kp.replay.accept(counter):
            self._drop("replay")
            return
        peer = kp.peer
        peer.rx_bytes += len(data)
        self._roam(peer, addr)
        promoted, dropped = peer.keypairs.received_with(kp)
        if promoted:
            # The initiator used the keypair we offered: it is now current.
            self._drop_keypairs(dropped)
            self._handshake_complete(peer)
            self._send_queued(peer, now, out)
        self._keep_key_fresh_on_receive(peer, now, out)
        self._authenticated_received(peer, now)
        if len(plain) == 0:
            self._count("keepalive_received")
            return
        peer.timers.data_received(now)
        length = ippacket.inner_length(plain)
        if length < 0:
            self._drop("bad_inner_packet")
            return
        plain = plain[:length]
        # Cryptokey routing, incoming half: the source must be one of the
        # sending peer's allowed IPs.
        if self.allowed_ips.lookup(ippacket.source(plain)) is not peer:
            self._drop("spoofed_source")
            return
        out.append((ACTION_TUN, plain))

    # ------------------------------------------------------------ sending

    def _send_initiation(self, peer, now, out, is_retry):
        t = peer.timers
        if not is_retry:
            t.handshake_attempts = 0
        if peer.last_sent_handshake is not None and now - peer.last_sent_handshake < REKEY_TIMEOUT:
            return
        if self.private_key is None or peer.static_static is None:
            self._drop("no_usable_keys")
            return
        if peer.endpoint is None:
            self._drop("no_endpoint")
            return
        peer.last_sent_handshake = now
        hs = peer.handshake
        self._clear_handshake(peer)
        hs.local_index = self.indices.allocate(hs)
        ephemeral = self.rng(KEY_LEN)
        msg = create_initiation(hs, self.private_key, self.public_key, ephemeral,
                                self.timestamps.next(), hs.local_index)
        if msg is None:
            self._clear_handshake(peer)
            self._drop("no_usable_keys")
            return
        peer.cookies.stamp(msg, now)
        self._keylog(peer, ephemeral)
        t.any_authenticated_packet_traversal(now, peer.persistent_keepalive)
        t.any_authenticated_packet_sent()
        self._emit(peer, msg, out)
        t.handshake_initiated(now, self._jitter)
        self._event("handshake_initiation_sent", peer)

    def _send_response(self, peer, now, out):
        peer.last_sent_handshake = now
        hs = peer.handshake
        self.indices.remove(hs.local_index, hs)
        hs.local_index = self.indices.allocate(hs)
        ephemeral = self.rng(KEY_LEN)
        msg = create_response(hs, ephemeral, hs.local_index)
        if msg is None:
            self._clear_handshake(peer)
            self._drop("bad_handshake")
            return
        peer.cookies.stamp(msg, now)
        self._keylog(peer, ephemeral)
        self._begin_session(peer, now)
        t = peer.timers
        t.any_authenticated_packet_traversal(now, peer.persistent_keepalive)
        t.any_authenticated_packet_sent()
        self._emit(peer, msg, out)
        self._event("handshake_response_sent", peer)

    def _send_keepalive(self, peer, now, out):
        if not peer.queue:
            peer.queue.append(b"")
        self._send_queued(peer, now, out)

    def _send_queued(self, peer, now, out):
        if not peer.queue:
            return
        kp = peer.keypairs.current
        if kp is None or not kp.can_send(now):
            self._send_initiation(peer, now, out, False)
            return
        sent = self._transmit(peer, kp, peer.queue, now, out)
        del peer.queue[:sent]

    def _transmit(self, peer, kp, packets, now, out):
        """Seal and emit packets in order; returns how many went out."""
        sent = 0
        carried_data = False
        for pkt in packets:
            msg = self._sealer.seal(kp, pkt, self.mtu)
            if msg is None:
                break
            self._emit(peer, msg, out)
            sent += 1
            if len(pkt):
                carried_data = True
        if sent:
            t = peer.timers
            t.any_authenticated_packet_traversal(now, peer.persistent_keepalive)
            t.any_authenticated_packet_sent()
            if carried_data:
                t.data_sent(now, self._jitter)
        if sent < len(packets):
            # Counter exhausted: the rest waits for a new session.
            self._send_initiation(peer, now, out, False)
        elif kp.send_counter > REKEY_AFTER_MESSAGES or (
                kp.is_initiator and now - kp.created >= REKEY_AFTER_TIME):
            self._send_initiation(peer, now, out, False)
        return sent

    def _enqueue(self, peer, packet):
        q = peer.queue
        if len(q) >= self.max_queued:
            q.pop(0)
            self._drop("queue_full")
        q.append(packet)

    def _emit(self, peer, data, out):
        peer.tx_bytes += len(data)
        out.append((ACTION_UDP, peer.endpoint, data))

    # ------------------------------------------------------------ timers

    def _tick_peer(self, peer, now, out):
        t = peer.timers
        if t.retransmit_handshake is not None and now >= t.retransmit_handshake:
            t.retransmit_handshake = None
            self._retransmit_expired(peer, now, out)
        if t.send_keepalive is not None and now >= t.send_keepalive:
            t.send_keepalive = None
            kp = peer.keypairs.current
            if kp is not None and kp.can_send(now):
                self._send_keepalive(peer, now, out)
            if t.need_another_keepalive:
                t.need_another_keepalive = False
                t.send_keepalive = now + KEEPALIVE_TIMEOUT
        if t.new_handshake is not None and now >= t.new_handshake:
            # We sent data and heard nothing for KEEPALIVE + REKEY_TIMEOUT.
            t.new_handshake = None
            self._event("no_reply_rekey", peer)
            self._send_initiation(peer, now, out, False)
        if t.zero_key_material is not None and now >= t.zero_key_material:
            t.zero_key_material = None
            self._zero_keys(peer)
            self._event("keys_zeroed", peer)
        if t.persistent_keepalive is not None and now >= t.persistent_keepalive:
            t.persistent_keepalive = None
            if peer.persistent_keepalive:
                self._send_keepalive(peer, now, out)

    def _retransmit_expired(self, peer, now, out):
        t = peer.timers
        if t.handshake_attempts > MAX_TIMER_HANDSHAKES:
            # Tried for REKEY_ATTEMPT_TIME: give up and drop what waited.
            t.send_keepalive = None
            if peer.queue:
                self._count("queued_dropped", len(peer.queue))
                peer.queue = []
            if t.zero_key_material is None:
                t.zero_key_material = now + ZERO_KEYS_AFTER
            self._event("handshake_gave_up", peer)
        else:
            t.handshake_attempts += 1
            self._send_initiation(peer, now, out, True)

    def _keep_key_fresh_on_receive(self, peer, now, out):
        # An initiator whose keypair is about to be rejected rekeys once more,
        # even if it has nothing to send.
        kp = peer.keypairs.current
        t = peer.timers
        if (kp is not None and kp.send_valid and kp.is_initiator
                and now - kp.created >= REKEY_ON_RECEIVE_AGE
                and not t.sent_lastminute_handshake):
            t.sent_lastminute_handshake = True
            self._send_initiation(peer, now, out, False)

    # ------------------------------------------------------------ sessions

    def _begin_session(self, peer, now):
        hs = peer.handshake
        send, recv, initiator = derive_transport_keys(hs)
        kp = Keypair(peer, send, recv, initiator, hs.local_index, hs.remote_index, now)
        self.indices.replace(hs.local_index, kp)
        hs.local_index = None
        hs.clear()
        self._drop_keypairs(peer.keypairs.install(kp))
        peer.timers.session_derived(now)

    def _handshake_complete(self, peer):
        peer.timers.handshake_complete()
        peer.last_handshake = self.wall_clock()
        self._event("handshake_complete", peer)

    def _drop_keypairs(self, keypairs):
        for kp in keypairs:
            self.indices.remove(kp.local_index, kp)
            kp.wipe()

    def _clear_handshake(self, peer):
        hs = peer.handshake
        self.indices.remove(hs.local_index, hs)
        hs.local_index = None
        hs.clear()

    def _zero_keys(self, peer):
        self._drop_keypairs(peer.keypairs.clear())
        self._clear_handshake(peer)

    def _roam(self, peer, addr):
        # Any authenticated packet moves the peer to where it came from.
        if peer.endpoint is None or peer.endpoint[0] != addr[0] or peer.endpoint[1] != addr[1]:
            peer.endpoint = (addr[0], addr[1])

    def _authenticated_received(self, peer, now):
        t = peer.timers
        t.any_authenticated_packet_received()
        t.any_authenticated_packet_traversal(now, peer.persistent_keepalive)

    # ------------------------------------------------------------ helpers

    def _jitter(self):
        r = self.rng(2)
        return ((r[0] << 8) | r[1]) * REKEY_TIMEOUT_JITTER_MAX / 65536

    def _keylog(self, peer, ephemeral_private):
        if self.on_keylog is not None:
            self.on_keylog(self.private_key, peer.public_key, ephemeral_private,
                           peer.preshared_key)

    def _event(self, name, peer):
        if self.on_event is not None:
            self.on_event(name, peer)

    def _drop(self, reason):
        self.drops[reason] = self.drops.get(reason, 0) + 1

    def _count(self, name, n=1):
        self.counters[name] = self.counters.get(name, 0) + n
