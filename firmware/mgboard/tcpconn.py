# One TCP connection's state machine (RFC 9293 §3.10) with its retransmission
# timer (RFC 6298) and RST/SYN/ACK hardening (RFC 5961). I/O-free: segments go
# out through the owning stack's emit(), and time is whatever `now` the caller
# passes in (seconds, monotonic).
from mgboard import tcpseg
from mgboard.tcpseg import FIN, SYN, RST, PSH, ACK
from mgboard.tcpbuf import ByteQueue

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

CLOSED = const(0)
LISTEN = const(1)
SYN_SENT = const(2)
SYN_RECEIVED = const(3)
ESTABLISHED = const(4)
FIN_WAIT_1 = const(5)
FIN_WAIT_2 = const(6)
CLOSE_WAIT = const(7)
CLOSING = const(8)
LAST_ACK = const(9)
TIME_WAIT = const(10)

STATE_NAMES = ("CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
               "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT")

_MASK = const(0xffffffff)
_HALF = const(0x80000000)
_DEFAULT_MSS = const(536)          # RFC 9293 §3.7.1 when the peer sends none
_DUPACK_THRESHOLD = const(3)


def seq_lt(a, b):
    return 0 < ((b - a) & _MASK) < _HALF


def seq_le(a, b):
    return ((b - a) & _MASK) < _HALF


def seq_diff(a, b):
    """a - b for sequence numbers known to be within 2^31 of each other."""
    d = (a - b) & _MASK
    return d - 0x100000000 if d >= _HALF else d


class Config:
    """Per-stack tunables; one instance is shared by every connection."""

    def __init__(self, mtu=1420, rcv_buf=4096, snd_buf=2048, rto_initial=1.0, rto_min=0.2,
                 rto_max=60.0, max_retries=8, connect_timeout=20.0, idle_timeout=None,
                 msl=5.0, fin_wait_2_timeout=30.0, challenge_acks_per_s=10):
        self.mtu = mtu
        self.rcv_buf = rcv_buf
        self.snd_buf = snd_buf
        self.rto_initial = rto_initial
        self.rto_min = rto_min
        self.rto_max = rto_max
        self.max_retries = max_retries
        self.connect_timeout = connect_timeout
        self.idle_timeout = idle_timeout
        self.msl = msl
        self.fin_wait_2_timeout = fin_wait_2_timeout
        self.challenge_acks_per_s = challenge_acks_per_s


class Connection:
    """Read with read()/readable()/at_eof, write with write()/writable_space(),
    end with close() (FIN after buffered data) or abort() (RST). Buffered work
    goes out on the next tick(now); next_deadline() says when that is due."""

    def __init__(self, stack, local, lport, remote, rport, iss, now):
        self.stack = stack
        self.cfg = cfg = stack.cfg
        self.local = local
        self.lport = lport
        self.remote = remote
        self.rport = rport
        self.state = CLOSED
        self.error = None
        self.at_eof = False
        self.passive = False
        self.mss = cfg.mtu - (40 if len(local) == 4 else 60)
        self._my_mss = self.mss
        self.iss = iss
        self.snd_una = iss
        self.snd_nxt = iss
        self.snd_wnd = 0
        self.snd_wl1 = 0
        self.snd_wl2 = 0
        self.rcv_nxt = 0
        self._buf_seq = (iss + 1) & _MASK   # sequence number of _sbuf[0]
        self._sbuf = ByteQueue(cfg.snd_buf)
        self._rbuf = ByteQueue(cfg.rcv_buf)
        self._fin_queued = False
        self._need_ack = False
        self._pending = False
        self._probe = False
        self._dupacks = 0
        self._snd_max = iss             # highest sequence number sent: only new data is timed
        self._cwnd = 4 * self.mss       # a minimal congestion window: slow start after losses
        # RFC 6298 state; _rtt_seq/_rtt_at time one segment at a time (Karn's rule).
        self.srtt = None
        self.rttvar = 0.0
        self.rto = cfg.rto_initial
        self.retries = 0
        self._rtx_at = None
        self._rtt_seq = None
        self._rtt_at = 0.0
        self._born = now
        self._last_rx = now
        self._tw_at = None
        self.rx_dropped = 0
        self.ooo_held = 0
        self.probes = 0

    # ---- application side

    def state_name(self):
        return STATE_NAMES[self.state]

    def readable(self):
        return len(self._rbuf)

    def read(self, n=-1):
        """Up to n bytes of in-order data; b"" when none (see at_eof)."""
        buf = self._rbuf
        if not len(buf):
            return b""
        if n < 0 or n > len(buf):
            n = len(buf)
        before = self._window()
        out = buf.pop(n)
        # Announce a reopened window once it is worth a full segment (receiver-side SWS).
        if before < self.mss <= self._window() or before == 0:
            self._need_ack = True
            self._pending = True
        return out

    def writable_space(self):
        if self._fin_queued or self.state not in (ESTABLISHED, CLOSE_WAIT, SYN_SENT, SYN_RECEIVED):
            return 0
        return self._sbuf.space()

    def write(self, data):
        """Buffers what fits of data; returns how many bytes were taken."""
        n = min(len(data), self.writable_space())
        if n > 0:
            self._sbuf.push(memoryview(data)[:n])
            self._pending = True
        return n

    def close(self):
        """Graceful close: a FIN follows the data already written."""
        if self.state in (SYN_SENT, LISTEN):
            self._terminate(None)
        elif self.state in (ESTABLISHED, SYN_RECEIVED, CLOSE_WAIT) and not self._fin_queued:
            self._fin_queued = True
            self._pending = True

    def abort(self):
        if self.state in (SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT):
            self._emit(self.snd_nxt, 0, RST)
        self._terminate("aborted")

    # ---- timers

    def next_deadline(self):
        if self.state == CLOSED:
            return None
        if self._pending:
            return 0.0
        d = self._rtx_at
        for t in (self._tw_at, self._conn_deadline(), self._idle_deadline(), self._fw2_deadline()):
            if t is not None and (d is None or t < d):
                d = t
        return d

    def _conn_deadline(self):
        if self.state in (SYN_SENT, SYN_RECEIVED) and self.cfg.connect_timeout is not None:
            return self._born + self.cfg.connect_timeout
        return None

    def _idle_deadline(self):
        if self.cfg.idle_timeout is not None and self.state not in (SYN_SENT, SYN_RECEIVED, TIME_WAIT):
            return self._last_rx + self.cfg.idle_timeout
        return None

    def _fw2_deadline(self):
        # We are done sending and wait on the peer's FIN: without a bound, a peer that
        # never closes would hold the entry forever.
        if self.state == FIN_WAIT_2 and self.cfg.fin_wait_2_timeout is not None:
            return self._last_rx + self.cfg.fin_wait_2_timeout
        return None

    def tick(self, now):
        if self.state == CLOSED:
            return
        if self._tw_at is not None and now >= self._tw_at:
            self._terminate(None)
            return
        t = self._fw2_deadline()
        if t is not None and now >= t:
            self._terminate("timeout")
            return
        t = self._conn_deadline()
        if t is not None and now >= t:
            self._fail("timeout")
            return
        t = self._idle_deadline()
        if t is not None and now >= t:
            self._fail("idle")
            return
        if self._rtx_at is not None and now >= self._rtx_at:
            self._on_rto(now)
            if self.state == CLOSED:
                return
        self._output(now)

    def _on_rto(self, now):
        self.retries += 1
        if self.retries > self.cfg.max_retries:
            self._fail("timeout")
            return
        # RFC 6298 §5.5-5.6: back off, and go back to the oldest unacknowledged byte.
        self.rto = min(self.rto * 2, self.cfg.rto_max)
        self._rtt_seq = None
        self._rtx_at = None
        self.snd_nxt = self.snd_una
        self._dupacks = 0
        self._cwnd = self.mss
        self._probe = True

    def _fail(self, why):
        if self.state not in (SYN_SENT, TIME_WAIT, CLOSED):
            self._emit(self.snd_nxt, 0, RST)
        self._terminate(why)

    def _terminate(self, why):
        if self.error is None:
            self.error = why
        self.state = CLOSED
        self._rtx_at = self._tw_at = None
        self._pending = False
        self._sbuf.release()
        if why is not None:
            self._rbuf.release()        # a reset or failure flushes what was not read yet

    # ---- output

    def _window(self):
        return min(self.cfg.rcv_buf - len(self._rbuf), 0xffff)

    def _emit(self, seq, ack_flag, flags, payload=b"", mss=0):
        wnd = self._window()
        self.stack.emit(self.local, self.remote, tcpseg.build(
            self.local, self.remote, self.lport, self.rport, seq,
            self.rcv_nxt if ack_flag else 0, flags | (ACK if ack_flag else 0), wnd, payload, mss))

    def _arm(self, now):
        if self._rtx_at is None:
            self._rtx_at = now + self.rto

    def _output(self, now):
        self._pending = False
        st = self.state
        if st == SYN_SENT or st == SYN_RECEIVED:
            if self.snd_nxt == self.iss:
                self._emit(self.iss, st == SYN_RECEIVED, SYN, b"", self._my_mss)
                self._start_rtt(self.iss, now)
                self.snd_nxt = self._snd_max = (self.iss + 1) & _MASK
                self._arm(now)
                self._need_ack = False
            if st == SYN_RECEIVED and self._need_ack:
                self._emit(self.snd_nxt, 1, 0)
            self._need_ack = False
            return
        if st in (CLOSED, LISTEN, TIME_WAIT, FIN_WAIT_2):
            if self._need_ack and st != CLOSED:
                self._emit(self.snd_nxt, 1, 0)
            self._need_ack = False
            return
        sent = False
        sbuf = self._sbuf
        wnd = self.snd_wnd
        if wnd == 0 and self._probe:
            wnd = 1                     # zero-window probe (RFC 9293 §3.8.6.1)
            self.probes += 1
        self._probe = False
        end = (self._buf_seq + len(sbuf)) & _MASK
        while True:
            off = seq_diff(self.snd_nxt, self._buf_seq)
            usable = min(wnd, self._cwnd) - seq_diff(self.snd_nxt, self.snd_una)
            n = min(self.mss, len(sbuf) - off, usable)
            if n <= 0:
                break
            flags = PSH if off + n == len(sbuf) else 0
            self._emit(self.snd_nxt, 1, flags, sbuf.view(off, n))
            self._start_rtt(self.snd_nxt, now)
            self.snd_nxt = (self.snd_nxt + n) & _MASK
            if seq_lt(self._snd_max, self.snd_nxt):
                self._snd_max = self.snd_nxt
            sent = True
        if self._fin_queued and self.snd_nxt == end and st in (ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1,
                                                               CLOSING, LAST_ACK):
            self._emit(end, 1, FIN)
            self.snd_nxt = self._snd_max = (end + 1) & _MASK
            sent = True
            if st == ESTABLISHED:
                self.state = FIN_WAIT_1
            elif st == CLOSE_WAIT:
                self.state = LAST_ACK
        if sent:
            self._arm(now)
        elif self._need_ack:
            self._emit(self.snd_nxt, 1, 0)
        elif self.snd_nxt == self.snd_una and len(sbuf) > 0 and self.snd_wnd == 0:
            self._arm(now)              # persist timer: probe the closed window later
        self._need_ack = False

    def _start_rtt(self, seq, now):
        if self._rtt_seq is None and seq_le(self._snd_max, seq):
            self._rtt_seq = seq
            self._rtt_at = now

    def _sample_rtt(self, r):
        # RFC 6298 §2.2-2.3.
        if self.srtt is None:
            self.srtt = r
            self.rttvar = r / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - r)
            self.srtt = 0.875 * self.srtt + 0.125 * r
        self.rto = min(max(self.srtt + max(0.01, 4 * self.rttvar), self.cfg.rto_min), self.cfg.rto_max)

    # ---- opening

    def open_active(self, now):
        self.state = SYN_SENT
        self._pending = True

    def open_passive(self, seg, now):
        self.passive = True
        self.state = SYN_RECEIVED
        self.rcv_nxt = (seg.seq + 1) & _MASK
        self._peer_mss(seg)
        self.snd_wnd = seg.wnd
        self.snd_wl1 = seg.seq
        self.snd_wl2 = self.iss
        self._pending = True

    def _peer_mss(self, seg):
        self.mss = min(self._my_mss, seg.mss or _DEFAULT_MSS)

    # ---- input (RFC 9293 §3.10.7)

    def input(self, seg, now):
        st = self.state
        if st == CLOSED:
            return
        if st == SYN_SENT:
            self._input_syn_sent(seg, now)
        else:
            self._input_sync(seg, now)
        if self.state != CLOSED:
            self._output(now)

    def _input_syn_sent(self, seg, now):
        f = seg.flags
        if f & ACK:
            if not (seq_lt(self.iss, seg.ack) and seq_le(seg.ack, self.snd_nxt)):
                if not f & RST:
                    self._emit(seg.ack, 0, RST)
                return
        if f & RST:
            if f & ACK:
                self._terminate("refused")
            return
        if not f & SYN:
            return
        self.rcv_nxt = (seg.seq + 1) & _MASK
        self._peer_mss(seg)
        self._last_rx = now
        self.snd_wnd = seg.wnd
        self.snd_wl1 = seg.seq
        self.snd_wl2 = seg.ack
        if f & ACK:
            self._ack_advance(seg.ack, now)
            self.state = ESTABLISHED
        else:
            self.state = SYN_RECEIVED       # simultaneous open: SYN-ACK with our ISS
            self.snd_nxt = self.iss
            self._rtx_at = None
        self._need_ack = True

    def _acceptable(self, seq, seg_len):
        wnd = self._window()
        if seg_len == 0:
            if wnd == 0:
                return seq == self.rcv_nxt
            return seq_le(self.rcv_nxt, seq) and seq_lt(seq, self.rcv_nxt + wnd)
        if wnd == 0:
            return False
        last = (seq + seg_len - 1) & _MASK
        right = (self.rcv_nxt + wnd) & _MASK
        return ((seq_le(self.rcv_nxt, seq) and seq_lt(seq, right)) or
                (seq_le(self.rcv_nxt, last) and seq_lt(last, right)))

    def _challenge_ack(self, now):
        # RFC 5961 §3.2/§4.2, rate-limited per stack (§7).
        if self.stack.challenge_ok(now):
            self._emit(self.snd_nxt, 1, 0)

    def _input_sync(self, seg, now):
        f = seg.flags
        st = self.state
        seq = seg.seq
        data = seg.data
        seg_len = seg.seg_len()
        if not self._acceptable(seq, seg_len):
            # A zero-window probe, an old duplicate or a blind injection: re-state where we are.
            self.rx_dropped += 1
            if not f & RST:
                self._need_ack = True
            return
        if f & RST:
            if seq == self.rcv_nxt:
                self._terminate("reset")
            else:
                self._challenge_ack(now)
            return
        if f & SYN:
            self._challenge_ack(now)
            return
        if not f & ACK:
            return
        ack = seg.ack
        if st == SYN_RECEIVED:
            if seq_lt(self.snd_una, ack) and seq_le(ack, self._snd_max):
                self.state = st = ESTABLISHED
                self.snd_wnd = seg.wnd
                self.snd_wl1 = seq
                self.snd_wl2 = ack
                self.stack.accepted(self)
            else:
                self._emit(ack, 0, RST)
                return
        if seq_lt(self._snd_max, ack):
            self._need_ack = True       # acks what we never sent
            return
        if seq_lt(ack, self.snd_una - 0xffff):
            self._need_ack = True       # too old to be real (RFC 5961 §5.2)
            return
        self._last_rx = now
        # Trim what we already have off the front; what lies past the window off the back.
        fin = f & FIN
        skip = seq_diff(self.rcv_nxt, seq)
        if skip > 0:
            data = data[skip:]
            seq = self.rcv_nxt
        ahead = seq_diff(seq, self.rcv_nxt)
        room = self._window() - ahead
        if len(data) > room:
            data = data[:max(room, 0)]
            fin = 0
        if seq_lt(self.snd_una, ack):
            self._ack_advance(ack, now)
        elif ack == self.snd_una and not len(data) and not fin and seg.wnd == self.snd_wnd \
                and self.snd_nxt != self.snd_una and self.snd_wnd:
            self._dupacks += 1
            if self._dupacks == _DUPACK_THRESHOLD:
                self._fast_retransmit(now)
        if seq_lt(self.snd_wl1, seq) or (self.snd_wl1 == seq and seq_le(self.snd_wl2, ack)):
            if self.snd_wnd == 0 and seg.wnd:
                self._rtx_at = None if self.snd_nxt == self.snd_una else self._rtx_at
            self.snd_wnd = seg.wnd
            self.snd_wl1 = seq
            self.snd_wl2 = ack
        if self.snd_wnd == 0:
            self.retries = 0            # the peer answers: keep probing its window
        if self.state == CLOSED:
            return
        self._after_ack()
        if self.state in (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2):
            if len(data):
                if ahead == 0:
                    # Counts any held data this one joined up with.
                    self.rcv_nxt = (self.rcv_nxt + self._rbuf.deliver(data)) & _MASK
                else:
                    self._rbuf.put_at(ahead, data)  # held; the dup ACK asks for the gap
                    self.ooo_held += 1
                    fin = 0
                self._need_ack = True
        elif len(data):
            self._need_ack = True
        if fin and seq_diff((seq + len(data)) & _MASK, self.rcv_nxt) == 0 and \
                self.state in (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING,
                               LAST_ACK, TIME_WAIT):
            self._on_fin(now)

    def _fin_acked(self):
        return self._fin_queued and self.snd_una == ((self._buf_seq + len(self._sbuf) + 1) & _MASK)

    def _after_ack(self):
        st = self.state
        if st == FIN_WAIT_1 and self._fin_acked():
            self.state = FIN_WAIT_2
        elif st == CLOSING and self._fin_acked():
            self._enter_time_wait()
        elif st == LAST_ACK and self._fin_acked():
            self._terminate(None)

    def _on_fin(self, now):
        st = self.state
        if st in (CLOSE_WAIT, CLOSING, LAST_ACK):
            self._need_ack = True       # a retransmitted FIN: ack it again
            return
        if st == TIME_WAIT:
            self._need_ack = True
            self._enter_time_wait()
            return
        self.rcv_nxt = (self.rcv_nxt + 1) & _MASK
        self.at_eof = True
        self._need_ack = True
        if st == ESTABLISHED:
            self.state = CLOSE_WAIT
        elif st == FIN_WAIT_1:
            if self._fin_acked():
                self._enter_time_wait()
            else:
                self.state = CLOSING
        elif st == FIN_WAIT_2:
            self._enter_time_wait()

    def _enter_time_wait(self):
        self.state = TIME_WAIT
        self._rtx_at = None
        self._tw_at = self._last_rx + 2 * self.cfg.msl

    def _fast_retransmit(self, now):
        # Resend the oldest segment now (RFC 5681 §3.2, minus window inflation).
        nxt = self.snd_nxt
        self.snd_nxt = self.snd_una
        self._rtt_seq = None
        self._cwnd = self.mss           # one segment: the oldest, nothing after it
        self._output(now)
        if seq_lt(self.snd_nxt, nxt):
            self.snd_nxt = nxt

    def _ack_advance(self, ack, now):
        una = self.snd_una
        acked = seq_diff(ack, una)
        if self._rtt_seq is not None and seq_lt(self._rtt_seq, ack):
            self._sample_rtt(now - self._rtt_at)
            self._rtt_seq = None
        # Bytes of the buffer acked: not the SYN before it, not the FIN after it.
        start = una if seq_le(self._buf_seq, una) else self._buf_seq
        nbytes = min(seq_diff(ack, start), len(self._sbuf))
        if nbytes > 0:
            self._sbuf.drop(nbytes)
            self._buf_seq = (self._buf_seq + nbytes) & _MASK
        self.snd_una = ack
        if seq_lt(self.snd_nxt, ack):
            self.snd_nxt = ack
        self._dupacks = 0
        if acked > 0 and self.retries and self.srtt is not None:
            # New data got through: drop the backoff (a lossy link must not keep RTO at its cap).
            self.rto = min(max(self.srtt + max(0.01, 4 * self.rttvar), self.cfg.rto_min),
                           self.cfg.rto_max)
        self.retries = 0
        if acked > 0:
            self._cwnd = min(self._cwnd + self.mss, 0xffff)
            self._rtx_at = None if self.snd_nxt == ack else now + self.rto
