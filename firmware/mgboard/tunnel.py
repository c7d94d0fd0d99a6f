# mgboard.Tunnel: the microcontroller API. One peer, one tunnel address,
# UDP datagrams in and out, ICMP echo answered, reconnecting by itself; driven
# by asyncio on top of the engine's I/O-free Device. The outer transport
# ("link") is pluggable: send(data, (host, port)), async recv() -> (data,
# (host, port)), async resolve(name) -> IPv4 text or None (mgboard.udplink
# for sockets, mgboard.seriallink for SLIP over a UART).
import asyncio

from wireguard.device import Device
from wireguard.constants import REJECT_AFTER_TIME, REKEY_TIMEOUT
from wireguard.ipaddr import parse_ip, parse_prefix, format_ip
from wireguard.keys import from_base64

from . import ipv4
from .clock import Monotonic

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


class Tunnel:
    def __init__(self, private_key, peer_public_key, endpoint=("host", 51820), address="10.0.0.2/32",
                 allowed_ips=("10.0.0.0/24",), preshared_key=None, keepalive=25,
                 link=None, wall_clock=None, rng=None, port=5000, monotonic=None, queue_len=8):
        self._ip4 = ipv4
        self.address = parse_prefix(address)[0]
        if len(self.address) != 4:
            raise ValueError("the tunnel address must be IPv4")
        self.endpoint_name = endpoint[0]
        self.endpoint_port = endpoint[1]
        self.port = port
        self.link = link
        self.now = monotonic or Monotonic()
        self.dev = Device(_key(private_key), rng=rng, wall_clock=wall_clock or _default_clock())
        self.dev.on_event = self._on_event
        self.peer = self.dev.add_peer(_key(peer_public_key), preshared_key=_key(preshared_key),
                                      persistent_keepalive=keepalive,
                                      allowed_ips=[parse_prefix(p) for p in allowed_ips])
        try:
            self.dev.set_endpoint(self.peer, (format_ip(parse_ip(self.endpoint_name)), self.endpoint_port))
        except ValueError:
            pass                        # a name: resolved by start()
        self._inbox = []
        self._inbox_len = queue_len
        self._inbox_event = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks = []
        self._out = []
        self._pending_replies = []      # ICMP echo replies, sent after the receive call
        self.handshake_at = None        # monotonic time of the last completed handshake
        self.last_attempt = None
        self.attempt_since = None       # first unanswered initiation of the current attempt
        self.last_resolve = None
        self.gave_up = False
        self.last_error = None
        self.dropped = 0                # tunnelled packets we had no use for
        self.handshakes = 0

    # ------------------------------------------------------------ public API

    async def start(self, timeout=15):
        """Bring the tunnel up; returns is_connected() once the first handshake
        completes or `timeout` seconds pass (it keeps trying afterwards)."""
        if self.link is None:
            self.link = _default_link()
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._rx_loop()), asyncio.create_task(self._timer_loop())]
        await self._connect()
        for _ in range(int(timeout * 10)):
            if self.is_connected():
                break
            await asyncio.sleep_ms(100)
        return self.is_connected()

    def stop(self):
        for t in self._tasks:
            t.cancel()
        self._tasks = []

    def is_connected(self):
        kp = self.peer.keypairs.current
        return (kp is not None and self.handshake_at is not None
                and self.now() - self.handshake_at < REJECT_AFTER_TIME)

    def send(self, data, dst=("10.0.0.1", 5000), sport=None):
        """Send a UDP datagram to a tunnel address (queued by the engine until
        a session exists)."""
        pkt = self._ip4.build_udp(self.address, parse_ip(dst[0]), sport or self.port, dst[1], data)
        self._perform(self.dev.send_packet(pkt, self.now(), self._fresh()))

    async def recv(self):
        """The next UDP datagram addressed to us: (data, (src, sport), dport)."""
        while not self._inbox:
            self._inbox_event.clear()
            await self._inbox_event.wait()
        return self._inbox.pop(0)

    def stats(self):
        now = self.now()
        p = self.peer
        return {
            "connected": self.is_connected(),
            "handshake_age": None if self.handshake_at is None else now - self.handshake_at,
            "handshakes": self.handshakes,
            "tx_bytes": p.tx_bytes,
            "rx_bytes": p.rx_bytes,
            "endpoint": p.endpoint,
            "last_error": self.last_error,
            "drops": dict(self.dev.drops),
            "dropped": self.dropped,
        }

    # ------------------------------------------------------------ internals

    def _fresh(self):
        out = self._out
        out.clear()
        return out

    def _on_event(self, name, peer):
        if name == "handshake_initiation_sent":
            if self.attempt_since is None:
                self.attempt_since = self.now()
        elif name == "handshake_complete":
            self.attempt_since = None
            self.handshake_at = self.now()
            self.handshakes += 1
            self.gave_up = False
        elif name == "handshake_gave_up":
            self.gave_up = True
            self.last_error = "handshake gave up"

    async def _resolve(self):
        name = self.endpoint_name
        self.last_resolve = self.now()
        try:
            parse_ip(name)
            host = name
        except ValueError:
            host = await self.link.resolve(name)
            if host is None:
                self.last_error = "cannot resolve " + name
                return False
        ep = (host, self.endpoint_port)
        if self.peer.endpoint != ep:
            self.dev.set_endpoint(self.peer, ep)
        return True

    async def _connect(self):
        self.last_attempt = self.now()
        if await self._resolve():
            self.gave_up = False
            self._perform(self.dev.initiate_handshake(self.peer, self.now(), self._fresh()))

    def _perform(self, actions):
        for a in actions:
            if a[0] == "udp":
                try:
                    self.link.send(a[2], a[1])
                except Exception as e:      # a link error must not kill the tunnel
                    self.last_error = "link: %r" % (e,)
            else:
                self._deliver(a[1])
        self._wake.set()

    def _deliver(self, pkt):
        ip4 = self._ip4
        parsed = ip4.parse(pkt)
        if parsed is None or parsed[2] != self.address:
            self.dropped += 1
            return
        proto, src, dst, payload = parsed
        if proto == ip4.PROTO_ICMP:
            reply = ip4.echo_reply(src, dst, payload)
            if reply is not None:
                # Not performed here: the engine's "tun" buffer is still in use.
                self._pending_replies.append(reply)
                return
        elif proto == ip4.PROTO_UDP:
            udp = ip4.parse_udp(payload)
            if udp is not None:
                if len(self._inbox) >= self._inbox_len:
                    self._inbox.pop(0)          # the reader is slow: keep the newest
                    self.dropped += 1
                self._inbox.append((bytes(udp[2]), (format_ip(src), udp[0]), udp[1]))
                self._inbox_event.set()
                return
        self.dropped += 1

    def _flush_replies(self):
        while self._pending_replies:
            self._perform(self.dev.send_packet(self._pending_replies.pop(0), self.now(), self._fresh()))

    async def _rx_loop(self):
        while True:
            data, addr = await self.link.recv()
            try:
                self._perform(self.dev.receive_datagram(data, addr, self.now(), self._fresh()))
                self._flush_replies()
            except Exception as e:
                self.last_error = repr(e)

    async def _timer_loop(self):
        while True:
            deadline = self.dev.next_deadline()
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
                await self._reconnect_if_needed()
            except Exception as e:
                self.last_error = repr(e)

    async def _reconnect_if_needed(self):
        now = self.now()
        # Stuck: handshakes have gone unanswered for a while (peer gone, or
        # moved to another address).
        stuck = self.attempt_since is not None and now - self.attempt_since >= RETRY_INTERVAL
        if not (stuck or self.gave_up) and (self.handshake_at is not None or self.attempt_since is not None):
            return
        if self.last_attempt is not None and now - self.last_attempt < RETRY_INTERVAL:
            return
        self.last_attempt = now
        # A DNS endpoint may have moved (dynamic DNS): look it up again.
        old = self.peer.endpoint
        if not await self._resolve():
            return
        # While a handshake is in flight the engine retries every REKEY_TIMEOUT
        # itself; start one here when it gave up, none is running, or the
        # endpoint changed under it.
        sent = self.peer.last_sent_handshake
        in_flight = sent is not None and now - sent < REKEY_TIMEOUT + 1
        if self.gave_up or not in_flight or self.peer.endpoint != old:
            self.gave_up = False
            self._perform(self.dev.initiate_handshake(self.peer, self.now(), self._fresh()))
