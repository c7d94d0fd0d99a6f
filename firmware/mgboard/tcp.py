# The host's TCP layer: demultiplexing to connections, listeners with a
# bounded half-open backlog, RSTs for closed ports, ephemeral ports and
# initial sequence numbers. I/O-free: the IP layer hands segments to input()
# and receives ours through send(src, dst, segment).
from mgboard import tcpseg
from mgboard.tcpseg import SYN, RST, ACK
from mgboard.tcpconn import Config, Connection, CLOSED, SYN_RECEIVED, TIME_WAIT

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_EPHEMERAL_LO = const(49152)
_EPHEMERAL_N = const(16384)


class Listener:
    __slots__ = ("port", "on_accept", "backlog", "half_open")

    def __init__(self, port, on_accept, backlog):
        self.port = port
        self.on_accept = on_accept
        self.backlog = backlog
        self.half_open = []             # SYN-RECEIVED connections, oldest first


class Stack:
    """send(src, dst, segment) receives every segment we emit; rng(n) returns n
    random bytes (ISNs, ephemeral ports). Keyword arguments not taken here
    go to tcpconn.Config (mtu, rcv_buf, snd_buf, rto_min, ...)."""

    def __init__(self, send, rng, max_conns=8, backlog=4, **cfg):
        self.send = send
        self.rng = rng
        self.cfg = Config(**cfg)
        self.max_conns = max_conns
        self.backlog = backlog
        self.per_peer = max(1, max_conns // 2)
        self.conns = {}
        self.listeners = {}
        self.malformed = 0
        self.no_conn = 0
        self.dropped_syns = 0
        self.internal_errors = 0
        self.last_error = None
        self._ack_budget = 0
        self._ack_second = None
        self._next_port = _EPHEMERAL_LO + self._rand(2) % _EPHEMERAL_N

    def _rand(self, n):
        v = 0
        for b in self.rng(n):
            v = (v << 8) | b
        return v

    # ---- used by connections

    def emit(self, src, dst, seg):
        self.send(src, dst, seg)

    def challenge_ok(self, now):
        sec = int(now)
        if sec != self._ack_second:
            self._ack_second = sec
            self._ack_budget = self.cfg.challenge_acks_per_s
        if self._ack_budget > 0:
            self._ack_budget -= 1
            return True
        return False

    def accepted(self, conn):
        lst = self.listeners.get(conn.lport)
        if lst is not None and conn in lst.half_open:
            lst.half_open.remove(conn)
            lst.on_accept(conn)

    # ---- application side

    def listen(self, port, on_accept, backlog=None):
        """on_accept(conn) is called once a connection to port is established."""
        self.listeners[port] = Listener(port, on_accept, backlog or self.backlog)

    def unlisten(self, port):
        lst = self.listeners.pop(port, None)
        if lst is not None:
            for c in lst.half_open:
                c.abort()
            self._sweep()

    def connect(self, local, remote, rport, now, lport=None):
        """A connection in SYN-SENT; its SYN goes out on the next tick(now)."""
        if not self._make_room(None):
            raise OSError("too many connections")
        if lport is None:
            lport = self._ephemeral(local, remote, rport)
        conn = Connection(self, local, lport, remote, rport, self._rand(4), now)
        self.conns[(local, lport, remote, rport)] = conn
        conn.open_active(now)
        conn.tick(now)
        return conn

    def _ephemeral(self, local, remote, rport):
        for _ in range(_EPHEMERAL_N):
            p = self._next_port
            self._next_port = _EPHEMERAL_LO + (p - _EPHEMERAL_LO + 1) % _EPHEMERAL_N
            if (local, p, remote, rport) not in self.conns and p not in self.listeners:
                return p
        raise OSError("no free port")

    # ---- timers

    def tick(self, now):
        for c in list(self.conns.values()):
            c.tick(now)
        self._sweep()

    def next_deadline(self):
        d = None
        for c in self.conns.values():
            t = c.next_deadline()
            if t is not None and (d is None or t < d):
                d = t
        return d

    def _sweep(self):
        dead = [k for k, c in self.conns.items() if c.state == CLOSED]
        for k in dead:
            c = self.conns.pop(k)
            lst = self.listeners.get(c.lport)
            if lst is not None and c in lst.half_open:
                lst.half_open.remove(c)

    def _make_room(self, listener):
        """Free a slot when the table is full: a TIME-WAIT entry first, then the oldest
        half-open one, so neither lingering closes nor a SYN flood lock others out."""
        if len(self.conns) < self.max_conns:
            return True
        self._sweep()
        if len(self.conns) < self.max_conns:
            return True
        for k, c in self.conns.items():
            if c.state == TIME_WAIT:
                del self.conns[k]
                return True
        victim = None
        for lst in self.listeners.values():
            if lst.half_open and (victim is None or lst.half_open[0]._born < victim._born):
                victim = lst.half_open[0]
        if victim is None:
            return False
        victim._terminate("dropped")
        self._sweep()
        return True

    # ---- segments from the IP layer

    def input(self, src, dst, segment, now):
        """One TCP segment from src to dst (4- or 16-byte addresses). Never raises
        on what a peer sends: malformed segments are counted and dropped."""
        try:
            self._input(src, dst, segment, now)
        except Exception as e:
            # A bug must not turn one peer's packet into a crash of the whole tunnel.
            self.internal_errors += 1
            self.last_error = e

    def _input(self, src, dst, segment, now):
        seg = tcpseg.parse(src, dst, segment)
        if seg is None or len(src) != len(dst) or seg.sport == 0 or seg.dport == 0:
            self.malformed += 1
            return
        conn = self.conns.get((dst, seg.dport, src, seg.sport))
        if conn is not None:
            conn.input(seg, now)
            if conn.state == CLOSED:
                self._sweep()
            return
        lst = self.listeners.get(seg.dport)
        f = seg.flags
        if lst is not None and not f & (RST | ACK) and f & SYN:
            self._syn(lst, src, dst, seg, now)
            return
        self.no_conn += 1
        self._reset(src, dst, seg)

    def _syn(self, lst, src, dst, seg, now):
        # The oldest half-open gives way (SYN flood), silently: its source may be forged.
        if len(lst.half_open) >= lst.backlog:
            lst.half_open[0]._terminate("dropped")
            self._sweep()
        # One remote address may hold at most half the table, so it cannot starve others.
        mine = [c for c in self.conns.values() if c.remote == src]
        if len(mine) >= self.per_peer:
            half = [c for c in mine if c.state == SYN_RECEIVED]
            if not half:
                self.dropped_syns += 1
                return
            half[0]._terminate("dropped")
            self._sweep()
        if not self._make_room(lst):
            self.dropped_syns += 1
            return
        conn = Connection(self, dst, seg.dport, src, seg.sport, self._rand(4), now)
        self.conns[(dst, seg.dport, src, seg.sport)] = conn
        lst.half_open.append(conn)
        conn.open_passive(seg, now)
        conn.tick(now)

    def _reset(self, src, dst, seg):
        # RFC 9293 §3.10.7.1: never answer a RST; otherwise make the RST acceptable to the sender.
        if seg.flags & RST:
            return
        if seg.flags & ACK:
            out = tcpseg.build(dst, src, seg.dport, seg.sport, seg.ack, 0, RST, 0)
        else:
            out = tcpseg.build(dst, src, seg.dport, seg.sport, 0, seg.seq + seg.seg_len(),
                               RST | ACK, 0)
        self.send(dst, src, out)
