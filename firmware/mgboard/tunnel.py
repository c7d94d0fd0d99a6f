# mgboard.Tunnel: the microcontroller API. One or several peers routed by
# their allowed IPs, IPv4 and IPv6 tunnel addresses, UDP datagrams in and out,
# TCP streams, ICMP echo answered, each peer reconnecting by itself; driven by
# asyncio on top of the engine's I/O-free Device. The outer transport ("link")
# is pluggable: send(data, (host, port)), async recv() -> (data, (host, port)),
# async resolve(name) -> IPv4 text or None (mgboard.udplink for sockets,
# mgboard.seriallink for SLIP over a UART).
import asyncio

from wireguard.device import Device
from wireguard.constants import REJECT_AFTER_TIME, REKEY_TIMEOUT
from wireguard.outcomes import ACTION_UDP
from wireguard.ipaddr import parse_ip, parse_prefix, format_ip
from wireguard.keys import from_base64, to_base64

from .clock import Monotonic
from .iphost import IpHost
from .remote import Remote

# Without a session, try a fresh handshake (re-resolving the endpoint) this
# often once the engine's own retries have given up.
RETRY_INTERVAL = 10
# Tick at least this often so reconnect checks run even when the engine is idle.
MAX_IDLE = 1.0


def _key(k):
    if k is None:
        return None
    if isinstance(k, str):
        return from_base64(k)
    if len(k) != 32:
        raise ValueError("keys are 32 bytes or base64 text")
    return bytes(k)


def _default_link():
    # Imported here: boards without a network stack have no socket module.
    from .udplink import UdpLink
    return UdpLink()


def _default_clock():
    # No RTC assumed: the flash-persisted clock.
    from .clock import PersistedClock, FileSlots
    return PersistedClock(FileSlots()).wall


def _list(v):
    return [v] if isinstance(v, str) else list(v)


class Tunnel:
    def __init__(self, private_key, peer_public_key=None, endpoint=("host", 51820), address="10.0.0.2/32",
                 allowed_ips=("10.0.0.0/24",), preshared_key=None, keepalive=25,
                 link=None, wall_clock=None, rng=None, port=5000, monotonic=None, queue_len=8,
                 peers=(), mtu=1420, tcp_limits=None):
        """address: one prefix or a list (one IPv4 and/or one IPv6). peers: more
        peers as dicts with public_key, endpoint, allowed_ips, and optionally
        preshared_key and keepalive; peer_public_key and its arguments are the
        first peer."""
        self.ip = IpHost(parse_prefix(a)[0] for a in _list(address))
        self.address = self.ip.addresses[0]
        self.port = port
        self.mtu = mtu
        # Two full segments of receive window: the board's CPU, not the window,
        # bounds what it takes in, and a connection then stays within 8 KB of heap.
        self.tcp_limits = {"rcv_buf": 2 * (mtu - 40)}
        self.tcp_limits.update(tcp_limits or {})
        self._tcp = None
        self.link = link
        self.now = monotonic or Monotonic()
        self.dev = Device(_key(private_key), rng=rng, wall_clock=wall_clock or _default_clock())
        self.dev.on_event = self._on_event
        specs = list(peers)
        if peer_public_key is not None:
            specs.insert(0, {"public_key": peer_public_key, "endpoint": endpoint, "allowed_ips": allowed_ips,
                             "preshared_key": preshared_key, "keepalive": keepalive})
        if not specs:
            raise ValueError("a tunnel needs at least one peer")
        self.remotes = []               # in configuration order: the first is "the" peer
        self._remote_of = {}            # engine peer -> Remote
        for s in specs:
            self.add_peer(**s)
        self.peer = self.remotes[0].peer
        self.ip.on_udp = self._on_udp
        self._inbox = []
        self._inbox_len = queue_len
        self._inbox_event = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks = []
        self._out = []
        self.dropped = 0                # tunnelled datagrams we had no use for

    def add_peer(self, public_key, endpoint=None, allowed_ips=(), preshared_key=None, keepalive=25):
        peer = self.dev.add_peer(_key(public_key), preshared_key=_key(preshared_key),
                                 persistent_keepalive=keepalive,
                                 allowed_ips=[parse_prefix(p) for p in _list(allowed_ips)])
        r = Remote(peer, endpoint and (endpoint[0], int(endpoint[1])))
        self.remotes.append(r)
        self._remote_of[peer] = r
        if endpoint:
            try:
                self.dev.set_endpoint(peer, (format_ip(parse_ip(r.endpoint_name)), r.endpoint_port))
            except ValueError:
                pass                    # a name: resolved by start()
        return peer

    # ------------------------------------------------------------ public API

    async def start(self, timeout=15):
        """Bring the tunnel up; returns is_connected() once every peer with an
        endpoint has completed a handshake or `timeout` seconds pass (it keeps
        trying afterwards)."""
        if self.link is None:
            self.link = _default_link()
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._rx_loop()), asyncio.create_task(self._timer_loop())]
        for r in self.remotes:
            if r.endpoint_name is not None:
                await self._connect(r)
        for _ in range(int(timeout * 10)):
            if self._all_connected():
                break
            await asyncio.sleep_ms(100)
        return self.is_connected()

    def stop(self):
        for t in self._tasks:
            t.cancel()
        self._tasks = []

    def is_connected(self, peer=None):
        """The first peer's session (or the given peer's) is up."""
        return self._remote_of[peer or self.peer].connected(self.now(), REJECT_AFTER_TIME)

    @property
    def handshakes(self):
        return sum(r.handshakes for r in self.remotes)

    def send(self, data, dst=("10.0.0.1", 5000), sport=None):
        """Send a UDP datagram to a tunnel address (queued by the engine until
        a session exists)."""
        self.ip.send_udp(parse_ip(dst[0]), sport or self.port, dst[1], data)
        self._flush()

    def send_packet(self, pkt):
        """An IP packet into the tunnel, routed to a peer by its allowed IPs."""
        self._perform(self.dev.send_packet(pkt, self.now(), self._fresh()))

    def tcp(self):
        """The TCP layer, made on first use: a tunnel that never opens a stream
        pays nothing for it."""
        if self._tcp is None:
            from .tcpstream import TcpLayer
            self._tcp = TcpLayer(self.ip, self.now, self.dev.rng, self._kick, mtu=self.mtu, **self.tcp_limits)
        return self._tcp

    async def open_connection(self, host, port, timeout=None):
        """(reader, writer) of a TCP connection to a tunnel address."""
        s = await self.tcp().connect(parse_ip(host), port, timeout)
        return s, s

    async def start_server(self, callback, port, backlog=None):
        """callback(reader, writer) is run as a task for each connection to port
        on our tunnel addresses."""
        return self.tcp().listen(port, callback, backlog)

    def socket_module(self):
        """A stand-in for the socket module whose sockets are TCP through the
        tunnel, for blocking clients (e.g. umqtt.simple)."""
        from .tcpsocket import SocketModule
        return SocketModule(self.tcp())

    async def recv(self):
        """The next UDP datagram addressed to us: (data, (src, sport), dport)."""
        while not self._inbox:
            self._inbox_event.clear()
            await self._inbox_event.wait()
        return self._inbox.pop(0)

    def stats(self):
        """The first peer's figures at the top level, every peer's in "peers"."""
        now = self.now()
        peers = [self._peer_stats(r, now) for r in self.remotes]
        s = dict(peers[0])
        s.update({"peers": peers, "drops": dict(self.dev.drops), "dropped": self.dropped + self.ip.dropped})
        return s

    # ------------------------------------------------------------ internals

    def _peer_stats(self, r, now):
        p = r.peer
        return {
            "public_key": to_base64(p.public_key),
            "connected": r.connected(now, REJECT_AFTER_TIME),
            "handshake_age": None if r.handshake_at is None else now - r.handshake_at,
            "handshakes": r.handshakes,
            "tx_bytes": p.tx_bytes,
            "rx_bytes": p.rx_bytes,
            "endpoint": p.endpoint,
            "last_error": r.last_error,
        }

    def _all_connected(self):
        now = self.now()
        return all(r.connected(now, REJECT_AFTER_TIME) for r in self.remotes if r.endpoint_name)

    def _fresh(self):
        out = self._out
        out.clear()
        return out

    def _on_event(self, event, peer):
        r = self._remote_of.get(peer)
        if r is not None:
            r.on_event(event, self.now())

    def _on_udp(self, src, sport, dport, data):
        if len(self._inbox) >= self._inbox_len:
            self._inbox.pop(0)          # the reader is slow: keep the newest
            self.dropped += 1
        self._inbox.append((bytes(data), (format_ip(src), sport), dport))
        self._inbox_event.set()

    async def _resolve(self, r):
        name = r.endpoint_name
        r.last_resolve = self.now()
        try:
            parse_ip(name)
            host = name
        except ValueError:
            host = await self.link.resolve(name)
            if host is None:
                r.last_error = "cannot resolve " + name
                return False
        ep = (host, r.endpoint_port)
        if r.peer.endpoint != ep:
            self.dev.set_endpoint(r.peer, ep)
        return True

    async def _connect(self, r):
        r.last_attempt = self.now()
        if await self._resolve(r):
            r.gave_up = False
            self._perform(self.dev.initiate_handshake(r.peer, self.now(), self._fresh()))

    def _perform(self, actions):
        for a in actions:
            if a[0] == ACTION_UDP:
                try:
                    self.link.send(a[2], a[1])
                except Exception as e:      # a link error must not kill the tunnel
                    self.remotes[0].last_error = "link: %r" % (e,)
            else:
                self.ip.input(a[1])
        self._wake.set()

    def _kick(self):
        """Send what TCP and the IP layer have queued, now."""
        if self._tcp is not None:
            self._tcp.tick()
        self._flush()

    def _flush(self):
        """Send what the IP layer queued (echo replies, TCP segments, datagrams)."""
        pending = self.ip.pending
        while pending:
            self._perform(self.dev.send_packet(pending.pop(0), self.now(), self._fresh()))

    async def _rx_loop(self):
        while True:
            data, addr = await self.link.recv()
            try:
                self._perform(self.dev.receive_datagram(data, addr, self.now(), self._fresh()))
                self._kick()
            except Exception as e:
                self.remotes[0].last_error = repr(e)

    async def _timer_loop(self):
        while True:
            deadline = self.dev.next_deadline()
            if self._tcp is not None:
                t = self._tcp.next_deadline()
                if t is not None and (deadline is None or t < deadline):
                    deadline = t
            now = self.now()
            wait = MAX_IDLE if deadline is None else min(MAX_IDLE, max(0, deadline - now))
            self._wake.clear()
            if wait > 0:
                try:
                    await asyncio.wait_for_ms(self._wake.wait(), int(wait * 1000) + 1)
                except asyncio.TimeoutError:
                    pass
            try:
                self._perform(self.dev.tick(self.now(), self._fresh()))
                self._kick()
                if self._tcp is not None:
                    self._tcp.notify()
                for r in self.remotes:
                    if r.endpoint_name is not None:
                        await self._reconnect_if_needed(r)
            except Exception as e:
                self.remotes[0].last_error = repr(e)

    async def _reconnect_if_needed(self, r):
        now = self.now()
        if not r.needs_attempt(now, RETRY_INTERVAL):
            return
        r.last_attempt = now
        # A DNS endpoint may have moved (dynamic DNS): look it up again.
        old = r.peer.endpoint
        if not await self._resolve(r):
            return
        # While a handshake is in flight the engine retries every REKEY_TIMEOUT
        # itself; start one here when it gave up, none is running, or the
        # endpoint changed under it.
        sent = r.peer.last_sent_handshake
        in_flight = sent is not None and now - sent < REKEY_TIMEOUT + 1
        if r.gave_up or not in_flight or r.peer.endpoint != old:
            r.gave_up = False
            self._perform(self.dev.initiate_handshake(r.peer, self.now(), self._fresh()))

