"""TCP through the tunnel on the emulated board, for bench-board: throughput
both ways and the heap one open connection costs.

The board (QEMU mps2-an386 in real time, no -icount: the figures are this
machine's QEMU, not a Cortex-M4's) talks TCP through the tunnel to a Python
socket on the wireguard-go side (peer node, 10.0.0.1):

1. board -> peer: the board writes N bytes (1 KiB blocks, each numbered);
   the peer times its first received byte to its last and checks the SHA-256
   of all N against the pattern it builds itself;
2. peer -> board: the peer sends N random bytes and times from its first byte
   sent until the board's reply "<count> <sha256>" is in (so every byte was
   received and hashed on the board); the digest must match;
3. two connections held open, one after the other: the board writes 1500
   bytes (the peer reads them), the peer writes 3000 bytes, the board reads
   1000 of them and leaves the rest unread in its receive buffer; both the
   send and the receive buffer have been used (each is one bytearray of its
   full size, kept while the connection is open). The heap is read after each.

Heap (gc.collect(); gc.mem_alloc()) on a board with the tunnel up and idle:
without the TCP layer, with it loaded (wg.tcp(), no connection yet), after
the transfers (both connections fully closed by the peer first, so none
lingers in TIME_WAIT), with one and with two connections of step 3 open, and
after they too have closed. The per-connection figure held against the 8 KB
target is what the second open connection adds; the first also pays for the
stack's tables growing once, printed beside it, as is the TCP layer's own.
"""
import hashlib
import json
import os
import subprocess
import time

import boardlab
from boardlab import BoardLab, PRELUDE, MAKE_TUNNEL, PEER_INNER

IMPORTS = PRELUDE.replace(MAKE_TUNNEL.lstrip("\n"), "")
N = 256 * 1024
PORT = 9000
CONN_TARGET = 8192          # bytes of heap per open connection on top of the idle tunnel

PEER_SCRIPT = r"""
import hashlib, json, os, socket, struct, sys, time
N, HOST, PORT = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def pattern(n):
    blk = bytearray((i * 7 + 13) & 255 for i in range(1024))
    out = []
    for i in range(n // 1024):
        struct.pack_into('<I', blk, 0, i)
        out.append(bytes(blk))
    return b''.join(out)
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((HOST, PORT))
ls.listen(4)
ls.settimeout(120)
print('ready', flush=True)
res = {}
# 1: board -> peer
c, _ = ls.accept()
c.settimeout(120)
h = hashlib.sha256(); n = first = 0; t0 = t1 = None
while n < N:
    d = c.recv(65536)
    if not d:
        break
    t1 = time.monotonic()
    if t0 is None:
        t0, first = t1, len(d)          # the clock starts once the first bytes are in
    n += len(d); h.update(d)
c.close()
res['board_to_peer'] = {'bytes': n, 'timed_bytes': n - first, 'seconds': t1 - t0 if t0 else None,
                        'sha256_ok': n == N and h.hexdigest() == hashlib.sha256(pattern(N)).hexdigest()}
# 2: peer -> board
c, _ = ls.accept()
c.settimeout(120)
data = os.urandom(N)
t0 = time.monotonic()
c.sendall(data)
reply = b''
while not reply.endswith(b'\n'):
    d = c.recv(200)
    if not d:
        break
    reply += d
t1 = time.monotonic()
c.close()
got = reply.split()
res['peer_to_board'] = {'bytes': int(got[0]) if got else 0, 'timed_bytes': N, 'seconds': t1 - t0,
                        'sha256_ok': got == [str(N).encode(), hashlib.sha256(data).hexdigest().encode()]}
print(json.dumps(res), flush=True)
# 3: two connections held open while the board's heap is read after each
held = []
for k in range(2):
    c, _ = ls.accept()
    c.settimeout(60)
    n = 0
    while n < 1500:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
    c.sendall(b'p' * 3000)
    held.append(c)
    print(json.dumps({'held_rx': n}), flush=True)
sys.stdin.readline()
for c in held:
    c.close()
"""

BOARD_SCRIPT = """
import hashlib, binascii, struct
held = []                             # the held connections' global, made before the baseline
async def _tcp_send(n):
    r, w = await wg.open_connection(%(peer)r, %(port)d)
    blk = bytearray((i * 7 + 13) & 255 for i in range(1024))
    for i in range(n // 1024):
        struct.pack_into('<I', blk, 0, i)
        w.write(blk)
        await w.drain()
    while await r.read(512):          # the peer closes once it has all n
        pass
    w.close()
    await w.wait_closed()
async def _tcp_recv(n):
    r, w = await wg.open_connection(%(peer)r, %(port)d)
    h = hashlib.sha256()
    got = 0
    while got < n:
        b = await r.read(2048)
        if not b:
            break
        got += len(b)
        h.update(b)
    w.write(('%%d %%s\\n' %% (got, binascii.hexlify(h.digest()).decode())).encode())
    await w.drain()
    while await r.read(512):
        pass
    w.close()
    await w.wait_closed()
async def _tcp_both(n):
    await _tcp_send(n)
    await _tcp_recv(n)
    for _ in range(50):               # until the stack holds no connection
        if not wg.tcp().stack.conns:
            break
        await asyncio.sleep_ms(100)
asyncio.run(_tcp_both(%(n)d))
print(len(wg.tcp().stack.conns))
del _tcp_send, _tcp_recv, _tcp_both     # the bench's own code is not the heap being measured
"""

HOLD_SCRIPT = """
async def _tcp_hold():
    global held
    r, w = await wg.open_connection(%(peer)r, %(port)d)
    w.write(b'b' * 1500)
    await w.drain()
    for _ in range(300):
        if r.conn.readable() >= min(3000, r.conn.cfg.rcv_buf):
            break
        await wg.tcp().changed(0.1)
    first = await r.read(1000)
    held.append((r, w))
    return len(first), r.conn.readable(), len(r.conn._sbuf), r.conn._sbuf._buf is not None, \\
        r.conn._rbuf._buf is not None, r.conn.state_name(), r.conn.cfg.rcv_buf, r.conn.cfg.snd_buf
print(json.dumps(asyncio.run(_tcp_hold())))
del _tcp_hold
"""


RELEASE_SCRIPT = """
async def _tcp_release():
    for r, w in held:
        while await r.read(4096):     # the peer closes first: no TIME_WAIT here
            pass
        w.close()
        await w.wait_closed()
    for _ in range(50):
        if not wg.tcp().stack.conns:
            break
        await asyncio.sleep_ms(100)
asyncio.run(_tcp_release())
held = []
del _tcp_release
print(len(wg.tcp().stack.conns))
"""


def heap(vm):
    return int(vm.run("gc.collect()\nprint(gc.mem_alloc())").strip())


def measure_tcp(board):
    res = {"note": "QEMU %s on this machine in real time (no -icount): not a Cortex-M4's speed" % board}
    bl = BoardLab(board=board)
    peer = None
    try:
        vm = bl.vm
        vm.reboot()                     # as the footprint bench: no upload-sized REPL buffer
        vm.run(IMPORTS + MAKE_TUNNEL)
        assert vm.run("print(asyncio.run(wg.start()))").strip() == "True"
        vm.run("serve(1)")
        h_idle = heap(vm)
        if vm.run("print(hasattr(wg, 'tcp'))").strip() != "True":
            res["skipped"] = "this build of the firmware has no TCP layer (older than it; make rebuilds it)"
            return res
        vm.run("wg.tcp()")
        h_layer = heap(vm)
        path = bl.lab.path("tcp_peer.py")
        with open(path, "w") as f:
            f.write(PEER_SCRIPT)
        peer = bl.peer_node.popen(["python3", path, str(N), PEER_INNER, str(PORT)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if peer.stdout.readline().strip() != "ready":
            raise RuntimeError("peer TCP script did not start")
        left = vm.run(BOARD_SCRIPT % {"peer": PEER_INNER, "port": PORT, "n": N}, timeout=300).strip()
        res["throughput"] = json.loads(peer.stdout.readline())
        res["host_load_average_1min"] = os.getloadavg()[0]   # real time: other work on the host slows it
        for v in res["throughput"].values():
            v["kbytes_per_s"] = v["timed_bytes"] / 1024 / v["seconds"] if v["sha256_ok"] and v["seconds"] else None
        res["connections_left_after_transfers"] = int(left)
        h_used = heap(vm)
        # The first connection also pays one-time costs (the stack's tables grow);
        # the second one is what each further connection costs.
        h_conns = []
        for _ in range(2):
            hold = json.loads(vm.run(HOLD_SCRIPT % {"peer": PEER_INNER, "port": PORT}, timeout=120).strip())
            peer_held = json.loads(peer.stdout.readline())
            if not (hold[1] >= 1000 and hold[3] and hold[4] and peer_held["held_rx"] == 1500):
                raise RuntimeError("the held connection's buffers are not in use: %r %r" % (hold, peer_held))
            h_conns.append(heap(vm))
        h_conn = h_conns[0]
        res["held_connection"] = {"read_bytes": hold[0], "unread_bytes": hold[1], "send_buffered": hold[2],
                                  "send_buffer_allocated": hold[3], "receive_buffer_allocated": hold[4],
                                  "state": hold[5], "peer_received": peer_held["held_rx"],
                                  "receive_buffer_bytes": hold[6], "send_buffer_bytes": hold[7]}
        peer.stdin.write("done\n")
        peer.stdin.flush()
        peer.wait(30)
        left = int(vm.run(RELEASE_SCRIPT, timeout=60).strip())
        h_closed = heap(vm) if left == 0 else None
        res["heap_bytes"] = {"tunnel_idle_no_tcp": h_idle, "tcp_layer_loaded": h_layer,
                             "tcp_after_transfers_no_connection": h_used, "one_connection_open": h_conn,
                             "two_connections_open": h_conns[1],
                             "after_it_closed": h_closed}
        res["tcp_layer_bytes"] = h_layer - h_idle
        res["first_connection_bytes"] = h_conn - h_used
        res["per_connection_bytes"] = h_conns[1] - h_conns[0]
        res["connection_plus_layer_bytes"] = h_conn - h_idle
        res["freed_when_closed_bytes"] = h_conns[1] - h_closed if h_closed is not None else None
        res["per_connection_target_met"] = res["per_connection_bytes"] <= CONN_TARGET
    finally:
        if peer is not None:
            boardlab.lablib.kill_proc(peer)
        bl.close()
    return res


def transfers_ok(res, required=True):
    if "skipped" in res:
        return not required
    return all(v["kbytes_per_s"] for v in res["throughput"].values())


def _rate(v):
    if v["kbytes_per_s"]:
        return "%.1f KB/s (%d B, %.2f s, SHA-256 ok)" % (v["kbytes_per_s"], v["bytes"], v["seconds"])
    return "FAILED (%d B, SHA-256 %s)" % (v["bytes"], "ok" if v["sha256_ok"] else "mismatch")


def print_tcp(results):
    print("TCP through the tunnel (board <-> Python socket on the wireguard-go peer, %d KiB each way, KB = 1024 B;"
          " QEMU on this machine in real time, not a Cortex-M4's speed):" % (N // 1024))
    for board, r in results.items():
        if "skipped" in r:
            print("%s: skipped: %s" % (board, r["skipped"]))
            continue
        t = r["throughput"]
        print("%s (host load average %.1f on %d CPUs during the transfers):"
              % (board, r["host_load_average_1min"], os.cpu_count()))
        print("  throughput board -> peer: %s, timed at the peer from the first byte in to the last"
              % _rate(t["board_to_peer"]))
        print("  throughput peer -> board: %s, timed at the peer from the first byte out to the board's"
              " SHA-256 reply" % _rate(t["peer_to_board"]))
        h = r["heap_bytes"]
        hc = r["held_connection"]
        print("  heap in use: tunnel idle without TCP %d B, TCP layer loaded %d B (+%d), after the transfers"
              " (no connection open) %d B, one connection open %d B"
              % (h["tunnel_idle_no_tcp"], h["tcp_layer_loaded"], r["tcp_layer_bytes"],
                 h["tcp_after_transfers_no_connection"], h["one_connection_open"]))
        print("  the open connection: %s, %d B read and %d B left unread in its receive buffer, send buffer used"
              " (%d B sent and read by the peer)" % (hc["state"], hc["read_bytes"], hc["unread_bytes"],
                                                    hc["peer_received"]))
        print("  per open connection: %d B each (the second one open, %d B); the first one %d B, with the"
              " stack's tables growing once; %d B for the TCP layer and the first connection, against the"
              " idle tunnel; target <= %d B per open connection on top of the idle tunnel: %s"
              % (r["per_connection_bytes"], h["two_connections_open"], r["first_connection_bytes"],
                 r["connection_plus_layer_bytes"], CONN_TARGET, "yes" if r["per_connection_target_met"] else "no"))
        if r["freed_when_closed_bytes"] is not None:
            print("  after both connections closed (peer first) and left the stack: heap %d B, %d B freed"
                  " (each one's receive and send buffers are %d + %d B)"
                  % (r["heap_bytes"]["after_it_closed"], r["freed_when_closed_bytes"],
                     hc["receive_buffer_bytes"], hc["send_buffer_bytes"]))
