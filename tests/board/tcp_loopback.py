# Two TCP stacks wired back to back through a seeded lossy, reordering wire;
# one sends `size` bytes to the other. Runs under CPython and MicroPython:
#   tcp_loopback.py FIRMWARE_DIR SIZE SEED LOSS_PERCENT
# prints "sha256 <hex> <bytes> <virtual seconds>" and, on MicroPython, the heap
# taken per open connection ("mem <bytes>").
import sys
import hashlib
import binascii

sys.path.insert(0, sys.argv[1])
from mgboard import tcp, tcpconn  # noqa: E402

SIZE = int(sys.argv[2])
seed = [int(sys.argv[3]) or 1]
LOSS = int(sys.argv[4])


def rnd(n):
    # xorshift32: deterministic and the same on both interpreters.
    x = seed[0]
    x ^= (x << 13) & 0xffffffff
    x ^= x >> 17
    x ^= (x << 5) & 0xffffffff
    seed[0] = x
    return x % n


def rng(n):
    return bytes(rnd(256) for _ in range(n))


A = b"\x0a\x00\x00\x01"
B = b"\x0a\x00\x00\x02"
wire = []                       # (deliver_at, stack, src, dst, seg)


def sender(to):
    def send(src, dst, seg):
        if rnd(100) < LOSS:
            return
        delay = 0.01 + (0.02 if rnd(100) < LOSS else 0)
        wire.append((now[0] + delay, to, src, dst, bytes(seg)))
        if rnd(100) < LOSS:
            wire.append((now[0] + delay + 0.005, to, src, dst, bytes(seg)))
    return send


now = [0.0]
holder = [None, None]
a = tcp.Stack(lambda s, d, g: holder[1](s, d, g), rng, rto_min=0.05)
b = tcp.Stack(lambda s, d, g: holder[0](s, d, g), rng, rto_min=0.05)
holder[0] = sender(a)
holder[1] = sender(b)
accepted = []
b.listen(80, accepted.append)

data = bytearray(SIZE)
for i in range(SIZE):
    data[i] = (i * 7 + (i >> 8)) & 0xff

try:
    import gc
    gc.collect()
    m0 = gc.mem_alloc()
except (ImportError, AttributeError):
    m0 = None
c = a.connect(A, B, 80, now[0])
sent = 0
got = hashlib.sha256()
received = 0
closed = False
measured = False
while now[0] < 600:
    a.tick(now[0])
    b.tick(now[0])
    if accepted:
        s = accepted[0]
        chunk = s.read(1000)
        while chunk:
            got.update(chunk)
            received += len(chunk)
            chunk = s.read(1000)
        if s.at_eof and not closed:
            s.close()
            closed = True
    if sent < SIZE and c.state == tcpconn.ESTABLISHED:
        if m0 is not None and sent >= SIZE // 2 and not measured:
            # Mid-transfer, buffers at their fullest; the wire's in-flight copies count too.
            gc.collect()
            print("mem", (gc.mem_alloc() - m0) // 2)
            measured = True
        sent += c.write(memoryview(data)[sent:sent + 2048])
        if sent == SIZE:
            c.close()
    if c.state == tcpconn.CLOSED or (c.state == tcpconn.TIME_WAIT and closed
                                         and accepted[0].state == tcpconn.CLOSED):
        break
    a.tick(now[0])
    b.tick(now[0])
    if wire:
        wire.sort(key=lambda w: w[0])
        t = wire[0][0]
        for d in (a.next_deadline(), b.next_deadline()):
            if d is not None and d < t:
                t = d
    else:
        t = None
        for d in (a.next_deadline(), b.next_deadline()):
            if d is not None and (t is None or d < t):
                t = d
        if t is None:
            break
    if t > now[0]:
        now[0] = t
    while wire and wire[0][0] <= now[0]:
        _, to, src, dst, seg = wire.pop(0)
        to.input(src, dst, seg, now[0])
print("sha256", binascii.hexlify(got.digest()).decode(), received, "%.2f" % now[0])
print("errors", a.internal_errors + b.internal_errors, "state", c.state_name(), c.error)
