# Heap held by one open TCP connection with both its buffers full: two stacks
# wired back to back, each side writes more than the other reads (nothing).
# Run by test_tcp_linux.py under the MicroPython unix port.
#   tcp_memory.py FIRMWARE_DIR   (MicroPython: prints "conn_bytes <n>")
import sys
import gc

sys.path.insert(0, sys.argv[1])
from mgboard import tcp  # noqa: E402

A = b"\x0a\x00\x00\x01"
B = b"\x0a\x00\x00\x02"


def run():
    wire = []
    stacks = []
    n = [0]

    def rng(k):
        n[0] += 1
        return bytes((n[0] * 37 + i * 11) & 0xff for i in range(k))

    a = tcp.Stack(lambda s, d, g: wire.append((1, s, d, bytes(g))), rng)
    b = tcp.Stack(lambda s, d, g: wire.append((0, s, d, bytes(g))), rng)
    stacks.extend((a, b))
    got = []
    b.listen(80, got.append)
    c = a.connect(A, B, 80, 0.0)
    now = 0.0
    block = b"m" * 1024
    for _ in range(200):
        now += 0.001
        while wire:
            to, s, d, g = wire.pop(0)
            stacks[to].input(s, d, g, now)
        for conn in [c] + got:
            conn.write(block)
        a.tick(now)
        b.tick(now)
    return stacks, c, got[0], wire


gc.collect()
m0 = gc.mem_alloc()
empty = (tcp.Stack(None, bytes), tcp.Stack(None, bytes))
gc.collect()
stacks_alone = gc.mem_alloc() - m0
empty = None
gc.collect()
m0 = gc.mem_alloc()
keep = run()
gc.collect()
m1 = gc.mem_alloc()
c, d = keep[1], keep[2]
print("buffers", len(c._sbuf), len(c._rbuf), len(d._sbuf), len(d._rbuf), "wire", len(keep[3]))
# The stacks' own objects are not the connections': taken out.
print("conn_bytes", (m1 - m0 - stacks_alone) // 2)
