"""mgboard.tcp, the board's TCP engine, against the Linux TCP stack over a TUN device
(tcplinux.py), under seeded loss, reordering and duplication; plus crafted segments
(RST and SYN floods, out-of-window and malformed segments), the RTO's backoff, and the
engine against itself on CPython and, when built, the MicroPython unix port."""
import os
import random
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MICROPYTHON = os.environ.get("MICROPYTHON", os.path.join(ROOT, "build", "unix-x64", "micropython"))
LOOPBACK = os.path.join(HERE, "tcp_loopback.py")

KIB = 1024


@pytest.fixture(scope="module")
def tl():
    if os.geteuid() != 0:
        pytest.skip("TCP-over-TUN tests need root (network namespaces, TUN)")
    import tcplinux
    tcplinux.lablib.sweep_stale()
    t = tcplinux.TunLab()
    try:
        yield t
    finally:
        t.close()


@pytest.fixture
def peers(tl):
    """Linux peer processes of one test, killed at its end whatever the outcome."""
    started = []
    yield started
    for p in started:
        p.kill()


def _tcplinux():
    import tcplinux
    return tcplinux


def _transfer(tl, peers, port, send_n, recv_n, seed, engine_listens, v6=False, **stack):
    L = _tcplinux()
    st = tl.new_stack(seed=seed, **stack)
    mine = L.seeded(send_n, seed + 7)
    if engine_listens:
        accepted = []
        st.listen(port, accepted.append)
        peer = tl.peer("connect", port, send_n=recv_n, seed=seed, host=L.ENGINE6 if v6 else None)
        peers.append(peer)
        assert tl.pump(lambda: accepted, timeout=10), "no connection accepted"
        conn = accepted[0]
    else:
        peer = tl.peer("listen", port, send_n=recv_n, seed=seed, host=L.LINUX6 if v6 else None)
        peers.append(peer)
        peer.wait_ready()
        conn = tl.connect(L.LINUX6_B if v6 else L.LINUX_B, port)
    s = L.Session(conn, mine)
    ok = tl.pump(lambda: conn.state_name() in ("TIME-WAIT", "CLOSED") and peer.result(),
                 timeout=40, step=s.step)
    assert ok, "transfer stalled: state %s, got %d of %d, sent %d" % (conn.state_name(), s.n, recv_n, s.off)
    assert conn.error is None
    assert s.n == recv_n and s.digest() == L.sha(L.seeded(recv_n, seed))
    assert conn.at_eof
    assert peer.result() == (L.sha(mine), send_n)
    assert st.internal_errors == 0 and st.malformed == 0
    return conn


@pytest.mark.parametrize("impaired", [False, True], ids=["clean", "lossy"])
def test_download_from_linux_server(tl, peers, impaired):
    imp = dict(loss=0.05, reorder=0.05, dup=0.05) if impaired else {}
    conn = _transfer(tl, peers, 5001, 0, 256 * KIB, 11, False, **imp)
    # Having nothing to send, we closed first: TIME-WAIT is ours.
    assert conn.state_name() == "TIME-WAIT"


def test_linux_client_both_directions(tl, peers):
    conn = _transfer(tl, peers, 5002, 96 * KIB, 96 * KIB, 21, True, loss=0.03, reorder=0.03, dup=0.03)
    assert conn.state_name() in ("CLOSED", "TIME-WAIT")
    assert conn.passive


@pytest.mark.parametrize("engine_listens", [False, True], ids=["connect", "listen"])
def test_ipv6_both_directions(tl, peers, engine_listens):
    conn = _transfer(tl, peers, 5010 + engine_listens, 48 * KIB, 48 * KIB, 23, engine_listens, v6=True,
                     loss=0.03, reorder=0.03, dup=0.03)
    assert len(conn.remote) == 16
    assert conn.mss == 1500 - 60            # ours from the MTU; Linux offers the same


def test_engine_zero_window_linux_probes(tl, peers):
    L = _tcplinux()
    st = tl.new_stack(seed=31, rcv_buf=4096)
    peer = tl.peer("listen", 5003, send_n=32 * KIB, seed=31)
    peers.append(peer)
    peer.wait_ready()
    conn = tl.connect(L.LINUX_B, 5003)
    s = L.Session(conn, b"")
    s.paused = True
    assert tl.pump(lambda: conn.readable() == 4096, timeout=10, step=s.step)
    assert conn._window() == 0
    before = tl.received
    tl.pump(timeout=1.5, step=s.step)
    assert tl.received - before >= 1, "Linux sent no zero-window probe"
    assert conn.readable() == 4096     # probes were not taken into the full buffer
    s.paused = False
    assert tl.pump(lambda: conn.state_name() == "CLOSED" and peer.result(), timeout=20, step=s.step)
    assert s.n == 32 * KIB and s.digest() == L.sha(L.seeded(32 * KIB, 31))


def test_engine_probes_linux_zero_window(tl, peers):
    L = _tcplinux()
    st = tl.new_stack(seed=41)
    peer = tl.peer("listen", 5004, send_n=0, seed=41, read_delay=2.0, rcvbuf=2048)
    peers.append(peer)
    peer.wait_ready()
    conn = tl.connect(L.LINUX_B, 5004)
    data = L.seeded(192 * KIB, 42)
    s = L.Session(conn, data)
    saw_zero = []

    def step():
        s.step()
        if conn.snd_wnd == 0 and conn.state_name() == "ESTABLISHED":
            saw_zero.append(tl.now)

    assert tl.pump(lambda: conn.state_name() in ("TIME-WAIT", "CLOSED") and peer.result(),
                   timeout=30, step=step)
    assert saw_zero, "Linux never closed its window"
    assert conn.probes >= 1
    assert conn.error is None
    assert peer.result() == (L.sha(data), len(data))


def test_connect_refused(tl):
    L = _tcplinux()
    st = tl.new_stack(seed=51)
    conn = tl.connect(L.LINUX_B, 5999)
    assert tl.pump(lambda: conn.state_name() == "CLOSED", timeout=5)
    assert conn.error == "refused"
    assert not st.conns


def test_connect_timeout(tl):
    L = _tcplinux()
    st = tl.new_stack(seed=52, connect_timeout=1.5)
    t0 = time.monotonic()
    conn = st.connect(L.ENGINE_B, bytes([10, 9, 0, 77]), 80, tl.now)
    assert tl.pump(lambda: conn.state_name() == "CLOSED", timeout=5)
    assert conn.error == "timeout"
    assert 1.4 <= time.monotonic() - t0 < 3.5
    assert not st.conns


def test_idle_timeout_resets(tl, peers):
    L = _tcplinux()
    st, conn, peer, _ = _established_pair(tl, peers, 5009, 101, idle_timeout=0.6)
    t0 = time.monotonic()
    assert tl.pump(lambda: conn.state_name() == "CLOSED", timeout=3)
    assert conn.error == "idle"
    assert 0.4 <= time.monotonic() - t0 < 1.5
    sent = L.tcpseg.parse(L.ENGINE_B, L.LINUX_B, tl.sent[-1])
    assert sent.flags & L.tcpseg.RST
    # Linux got the RST: its blocked recv() fails and the peer dies.
    end = time.monotonic() + 5
    while peer.proc.poll() is None and time.monotonic() < end:
        time.sleep(0.02)
    assert peer.proc.returncode not in (None, 0)


def test_fin_wait_2_bounded(tl, peers):
    L = _tcplinux()
    st = tl.new_stack(seed=111, fin_wait_2_timeout=0.5)
    peer = tl.peer("listen", 5012, seed=111, hold=10.0)
    peers.append(peer)
    peer.wait_ready()
    conn = tl.connect(L.LINUX_B, 5012)
    assert tl.pump(lambda: conn.state_name() == "ESTABLISHED", timeout=5)
    conn.close()
    assert tl.pump(lambda: conn.state_name() == "FIN-WAIT-2", timeout=5)
    # Linux holds its side open: the entry does not stay for ever.
    assert tl.pump(lambda: conn.state_name() == "CLOSED", timeout=3)
    assert conn.error == "timeout" and not st.conns


def _established_pair(tl, peers, port, seed, hold=10.0, **stack):
    """An engine listener, and one Linux client connected to it that reads until EOF
    and sends its FIN after `hold` seconds."""
    L = _tcplinux()
    st = tl.new_stack(seed=seed, **stack)
    accepted = []
    st.listen(port, accepted.append)
    peer = tl.peer("connect", port, seed=seed, hold=hold)
    peers.append(peer)
    assert tl.pump(lambda: accepted and peer.has("ready"), timeout=10)
    return st, accepted[0], peer, accepted


def _acks_to(tl, conn, since):
    L = _tcplinux()
    out = []
    for seg in tl.sent[since:]:
        p = L.tcpseg.parse(L.ENGINE_B, L.LINUX_B, seg)
        if p and p.sport == conn.lport and p.dport == conn.rport and p.flags & L.tcpseg.ACK \
                and not p.flags & L.tcpseg.RST:
            out.append(p)
    return out


def _seg(conn, seq, flags, data=b"", ack=None):
    L = _tcplinux()
    return bytes(L.tcpseg.build(L.LINUX_B, L.ENGINE_B, conn.rport, conn.lport, seq,
                                conn.snd_nxt if ack is None else ack, flags, 65535, data))


def test_rst_flood_and_out_of_window(tl, peers):
    L = _tcplinux()
    T = L.tcpseg
    st, conn, peer, _ = _established_pair(tl, peers, 5005, 61)
    rnd = random.Random(61)
    mark = len(tl.sent)
    for _ in range(2000):
        seq = rnd.getrandbits(32)
        if seq == conn.rcv_nxt:
            continue
        tl.inject(_seg(conn, seq, T.RST | rnd.choice([0, T.ACK])))
    assert conn.state_name() == "ESTABLISHED" and conn.error is None
    # In the window but not exact: challenge ACKs, no more than the rate limit
    # (the loop may straddle one second boundary).
    mark = len(tl.sent)
    for _ in range(500):
        tl.inject(_seg(conn, conn.rcv_nxt + rnd.randrange(1, 4000), T.RST))
    assert conn.state_name() == "ESTABLISHED" and conn.error is None
    assert 0 < len(_acks_to(tl, conn, mark)) <= 2 * st.cfg.challenge_acks_per_s
    # Out-of-window data: dropped, answered by an ACK for what we really expect.
    mark = len(tl.sent)
    tl.inject(_seg(conn, conn.rcv_nxt + 100000, T.ACK | T.PSH, b"evil"))
    tl.inject(_seg(conn, conn.rcv_nxt - 100000, T.ACK | T.PSH, b"evil"))
    assert conn.readable() == 0
    acks = _acks_to(tl, conn, mark)
    assert len(acks) == 2 and all(a.ack == conn.rcv_nxt for a in acks)
    # The connection still carries data after all that.
    s = L.Session(conn, L.seeded(20 * KIB, 62), close_after=False)
    assert tl.pump(lambda: s.off == 20 * KIB and conn.snd_una == conn.snd_nxt, timeout=10, step=s.step)
    # Only the exact sequence number resets it.
    tl.inject(_seg(conn, conn.rcv_nxt, T.RST))
    assert conn.state_name() == "CLOSED" and conn.error == "reset"
    assert st.internal_errors == 0


def test_syn_flood_bounded(tl, peers):
    L = _tcplinux()
    T = L.tcpseg
    st, conn, peer, accepted = _established_pair(tl, peers, 5006, 71, hold=1.0, max_conns=8, backlog=4)
    rnd = random.Random(71)
    lst = st.listeners[5006]
    most = 0
    for i in range(3000):
        src = bytes([10, 9, 0, rnd.randrange(100, 250)])
        syn = bytes(T.build(src, L.ENGINE_B, rnd.randrange(1024, 65535), 5006,
                            rnd.getrandbits(32), 0, T.SYN, 65535, b"", 1400))
        tl.inject(syn, src=src)
        most = max(most, len(lst.half_open), len(st.conns))
        if i % 500 == 0:
            tl.pump(timeout=0.01)
    assert len(lst.half_open) <= 4 and len(st.conns) <= 8 and most <= 8
    assert conn.state_name() == "ESTABLISHED"
    # The established connection still works...
    s = L.Session(conn, L.seeded(16 * KIB, 72))
    # ...and a legitimate client still gets in.
    peer2 = tl.peer("connect", 5006, send_n=8 * KIB, seed=73)
    peers.append(peer2)
    sessions = [s]

    def step():
        for c in accepted[1:]:
            if all(x.conn is not c for x in sessions):
                sessions.append(L.Session(c, b"ok"))
        for x in sessions:
            x.step()

    assert tl.pump(lambda: peer.result() and peer2.result(), timeout=20, step=step)
    assert peer.result() == (L.sha(L.seeded(16 * KIB, 72)), 16 * KIB)
    assert peer2.result() == (L.sha(b"ok"), 2)
    assert any(x.n == 8 * KIB and x.digest() == L.sha(L.seeded(8 * KIB, 73)) for x in sessions)
    assert st.internal_errors == 0


def _fake_handshake(tl, src, sport, dport):
    """Completes a handshake with the engine from a made-up client; True when it got in."""
    L = _tcplinux()
    T = L.tcpseg
    mark = len(tl.sent)
    tl.inject(bytes(T.build(src, L.ENGINE_B, sport, dport, 1000, 0, T.SYN, 65535, b"", 1400)), src=src)
    for seg in tl.sent[mark:]:
        p = T.parse(L.ENGINE_B, src, seg)
        if p and p.dport == sport and p.flags & T.SYN and p.flags & T.ACK:
            tl.inject(bytes(T.build(src, L.ENGINE_B, sport, dport, 1001, p.seq + 1, T.ACK, 65535)), src=src)
            return True
    return False


def test_one_peer_cannot_fill_the_table(tl, peers):
    L = _tcplinux()
    st = tl.new_stack(seed=121, max_conns=6)
    accepted = []
    st.listen(5013, accepted.append)
    hog = bytes([10, 9, 0, 99])
    for sport in range(20000, 20020):
        _fake_handshake(tl, hog, sport, 5013)
    assert len(accepted) == st.per_peer == 3
    assert len(st.conns) == 3 and st.dropped_syns > 0
    # Another address still gets in: a real Linux client.
    peer = tl.peer("connect", 5013, send_n=4 * KIB, seed=122)
    peers.append(peer)
    assert tl.pump(lambda: len(accepted) == 4, timeout=10)
    s = L.Session(accepted[3], b"hi")
    assert tl.pump(lambda: peer.result(), timeout=10, step=s.step)
    assert peer.result() == (L.sha(b"hi"), 2) and s.n == 4 * KIB


def test_closed_port_refuses_linux(tl, peers):
    L = _tcplinux()
    st = tl.new_stack(seed=131)
    peer = tl.peer("connect", 5998)
    peers.append(peer)
    assert tl.pump(lambda: peer.proc.poll() is not None, timeout=10)
    assert "ConnectionRefusedError" in peer.proc.stderr.read()
    assert st.no_conn >= 1
    assert any(L.tcpseg.parse(L.ENGINE_B, L.LINUX_B, g).flags & L.tcpseg.RST for g in tl.sent)


def test_malformed_segments_counted(tl, peers):
    L = _tcplinux()
    T = L.tcpseg
    st, conn, peer, _ = _established_pair(tl, peers, 5007, 81)
    good = bytearray(_seg(conn, conn.rcv_nxt, T.ACK | T.PSH, b"hello"))
    bad_offset = bytearray(good)
    bad_offset[12] = 0x30               # 12-byte header: below the minimum
    big_offset = bytearray(good)
    big_offset[12] = 0xf0               # 60-byte header in a 25-byte segment
    bad_sum = bytearray(good)
    bad_sum[-1] ^= 0xff
    bad_opt = bytearray(T.build(L.LINUX_B, L.ENGINE_B, conn.rport, conn.lport, conn.rcv_nxt,
                                conn.snd_nxt, T.ACK, 100, b"", 1400))
    bad_opt[21] = 9                     # MSS option longer than the header
    bad_opt[16:18] = b"\0\0"
    c = T.finish(T.checksum(bad_opt, T.pseudo(L.LINUX_B, L.ENGINE_B, T.PROTO_TCP, len(bad_opt))))
    bad_opt[16:18] = bytes([c >> 8, c & 0xff])
    cases = [b"", b"\x00" * 7, bytes(good[:19]), bytes(bad_offset), bytes(big_offset),
             bytes(bad_sum), bytes(bad_opt)]
    rnd = random.Random(81)
    cases += [rnd.randbytes(rnd.randrange(0, 80)) for _ in range(200)]
    for seg in cases:
        tl.inject(seg)
    assert st.malformed >= 7
    assert st.internal_errors == 0
    assert conn.readable() == 0 and conn.state_name() == "ESTABLISHED"
    tl.inject(bytes(good))
    assert conn.read() == b"hello"
    # Well-formed but random headers for this connection: whatever they do to it,
    # nothing raises and nothing grows past its bound.
    for _ in range(3000):
        flags = rnd.getrandbits(6)
        seq = rnd.choice([conn.rcv_nxt, conn.rcv_nxt + rnd.randrange(-70000, 70000), rnd.getrandbits(32)])
        ack = rnd.choice([conn.snd_nxt, conn.snd_una - 1, rnd.getrandbits(32)])
        tl.inject(_seg(conn, seq & 0xffffffff, flags, rnd.randbytes(rnd.randrange(0, 1500)), ack=ack & 0xffffffff))
        assert conn.readable() <= st.cfg.rcv_buf
    assert st.internal_errors == 0
    assert len(st.conns) <= st.max_conns


def test_rto_backoff_and_give_up(tl, peers):
    L = _tcplinux()
    st = tl.new_stack(seed=91, max_retries=3, rto_min=0.2)
    peer = tl.peer("listen", 5008, seed=91)
    peers.append(peer)
    peer.wait_ready()
    conn = tl.connect(L.LINUX_B, 5008)
    s = L.Session(conn, L.seeded(8 * KIB, 92), close_after=False)
    assert tl.pump(lambda: s.off == 8 * KIB and conn.snd_una == conn.snd_nxt, timeout=10, step=s.step)
    # Estimated from samples: a LAN RTT is far below the floor, so RTO sits at the floor.
    assert conn.srtt is not None and conn.srtt < 0.1
    assert conn.rto == pytest.approx(0.2)
    tl.to_linux.drop_all = True
    assert conn.write(b"x" * 100) == 100
    rtos = []

    def step():
        if not rtos or rtos[-1] != (conn.retries, conn.rto):
            rtos.append((conn.retries, conn.rto))

    t0 = time.monotonic()
    assert tl.pump(lambda: conn.state_name() == "CLOSED", timeout=8, step=step)
    elapsed = time.monotonic() - t0
    assert conn.error == "timeout"
    backoff = [r for _, r in rtos]
    assert backoff[:4] == pytest.approx([0.2, 0.4, 0.8, 1.6])
    # Three retransmissions after 0.2 + 0.4 + 0.8 s, given up 1.6 s after the last one.
    assert 2.9 <= elapsed < 5.0
    tl.to_linux.drop_all = False


def _loopback(argv0, seed, loss, size=64 * KIB):
    r = subprocess.run(argv0 + [LOOPBACK, os.path.join(ROOT, "firmware"), str(size), str(seed), str(loss)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return dict((line.split()[0], line.split()[1:]) for line in r.stdout.splitlines())


def _expected_sha(size):
    import hashlib
    data = bytearray(size)
    for i in range(size):
        data[i] = (i * 7 + (i >> 8)) & 0xff
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("seed", [1, 2])
def test_loopback_cpython(seed):
    out = _loopback([sys.executable], seed, 10)
    assert out["sha256"][:2] == [_expected_sha(64 * KIB), str(64 * KIB)]
    assert out["errors"][0] == "0" and out["errors"][2] == "TIME-WAIT"


def test_loopback_micropython():
    if not os.path.exists(MICROPYTHON):
        pytest.skip("no MicroPython unix port at %s" % MICROPYTHON)
    out = _loopback([MICROPYTHON], 3, 5)
    assert out["sha256"][:2] == [_expected_sha(64 * KIB), str(64 * KIB)]
    assert out["errors"][0] == "0" and out["errors"][2] == "TIME-WAIT"


def test_memory_per_connection_micropython():
    if not os.path.exists(MICROPYTHON):
        pytest.skip("no MicroPython unix port at %s" % MICROPYTHON)
    r = subprocess.run([MICROPYTHON, os.path.join(HERE, "tcp_memory.py"), os.path.join(ROOT, "firmware")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = dict((line.split()[0], line.split()[1:]) for line in r.stdout.splitlines())
    # Both buffers full: 2 KiB to send and 4 KiB received, by default.
    assert out["buffers"][:4] == ["2048", "4096", "2048", "4096"]
    assert int(out["conn_bytes"][0]) < 8 * KIB


def test_receive_buffer_out_of_order_model():
    """Segments put anywhere in the window, in any order, with reads between: what comes
    out is the stream, and the in-order count always matches."""
    sys.path.insert(0, os.path.join(ROOT, "firmware"))
    from mgboard.tcpbuf import ByteQueue
    for trial in range(200):
        r = random.Random(trial)
        cap = r.choice([64, 100, 128])
        stream = r.randbytes(1500)
        q = ByteQueue(cap)
        nxt = 0
        out = bytearray()
        while len(out) < len(stream):
            wnd = q.space()
            if wnd > 0:
                off = r.randrange(0, wnd)
                seg = stream[nxt + off:nxt + off + r.randrange(1, 30)][:wnd - off]
                if seg and off == 0:
                    nxt += q.deliver(seg)
                elif seg:
                    q.put_at(off, seg)
            if r.random() < 0.3:
                out += q.pop(r.randrange(1, 40))
            assert bytes(out) == stream[:len(out)] and len(out) + len(q) == nxt
            assert len(q._ranges) <= 4
