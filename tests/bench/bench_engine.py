"""Instructions per 1420-byte packet through the engine, counted as bench-crypto counts.

    python3 tests/bench/bench_engine.py [--lookups] [arch ...]      (default: x64)

ENGINE_FIRMWARE=<dir> measures another checkout's firmware/ with the same script.

Two Devices finish a handshake, then the initiator seals packets
(send_packet, or send_batch 64 at a time) and the responder opens them
(receive_datagram, receive_batch); the AEAD alone on the same packet gives
the crypto share, so what is left is the interpreter's (and framing's). Each case runs
under qemu-user with the counting plugin twice, with n1 and n2 packets; the
set-up is the same in both runs (every datagram the receive case opens is
sealed beforehand), so (I(n2) - I(n1)) / (n2 - n1) is one packet's cost,
interpreter and crypto together, plus one loop iteration.

`--lookups` also counts what one name lookup costs in a loop body, by kind
(a local, a module global, an attribute of an imported module), over a
const() the compiler inlines: the price of each global or module attribute
the packet path reads.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from counting import BENCH, build_plugin  # noqa: E402
from targets import FIRMWARE, QEMU_USER_DYNAMIC, unix_binary  # noqa: E402

QEMU = dict(QEMU_USER_DYNAMIC, x64="qemu-x86_64")
N1, N2 = 64, 384        # whole batches of 64 for the batch modes
# Bytes allocated before the engine is imported, one run each: different code addresses.
LAYOUT_PADS = (0, 48, 400, 1000, 3000, 7000)
PACKET_LEN = 1420

# The MicroPython side: deterministic keys and randomness, a fixed clock, and
# only the engine's public seam (actions read by position).
SCRIPT = """
import gc
_pad = bytearray(%d)
from wireguard import Device
from wireguard.crypto import clamp, x25519_base

class Rng:
    def __init__(self, s):
        self.s = s
    def __call__(self, n):
        out = bytearray(n)
        s = self.s
        for i in range(n):
            s ^= (s << 13) & 0xFFFFFFFF
            s ^= s >> 17
            s ^= (s << 5) & 0xFFFFFFFF
            out[i] = s & 0xFF
        self.s = s
        return bytes(out)

def node(seed):
    rng = Rng(seed)
    priv = clamp(rng(32))
    return Device(priv, rng=rng, wall_clock=lambda: (1700000000, 0)), x25519_base(priv)

A_ADDR = ("192.0.2.1", 51820)
B_ADDR = ("192.0.2.2", 51820)
a, pub_a = node(11)
b, pub_b = node(22)
pa = a.add_peer(pub_b, endpoint=B_ADDR, allowed_ips=[(bytes([10, 0, 0, 2]), 32)])
b.add_peer(pub_a, endpoint=A_ADDR, allowed_ips=[(bytes([10, 0, 0, 1]), 32)])
now = 1000.0

def carry(actions, to, frm):
    # Hands UDP actions (3-tuples: kind, addr, datagram) to the other side until quiet.
    while actions:
        nxt = []
        for act in actions:
            if len(act) == 3:
                nxt.extend((frm, x) for x in to.receive_datagram(bytes(act[2]), A_ADDR if to is b else B_ADDR, now))
        actions = [x for _, x in nxt]
        to, frm = frm, to

carry(a.initiate_handshake(pa, now), b, a)
n = %d
pkt = bytearray(%d)
pkt[0] = 0x45
pkt[2] = len(pkt) >> 8
pkt[3] = len(pkt) & 0xFF
pkt[8] = 64
pkt[9] = 17
pkt[12:16] = bytes([10, 0, 0, 1])
pkt[16:20] = bytes([10, 0, 0, 2])
pkt = bytes(pkt)
# Warm-up: the first data packet confirms the session on B.
out = a.send_packet(pkt, now)
assert len(b.receive_datagram(out[0][2], A_ADDR, now)) == 1
out = []
MODE = %r
TOTAL = %d
BATCH = 64
STRIDE = 1472           # microguard.datapath.slot_size(1420)
def slots(count):
    from array import array
    buf = bytearray(STRIDE * count)
    offs = array("I", [k * STRIDE for k in range(count)])
    lens = array("I", [len(pkt)] * count)
    for k in range(count):
        buf[k * STRIDE + 16:k * STRIDE + 16 + len(pkt)] = pkt
    return buf, offs, lens
if MODE in ("send_batch", "recv_batch"):
    from array import array
    from wireguard.batch import send_batch, receive_batch
    # Every batch's buffers are made beforehand: the loop measured is the seam alone.
    batches = [slots(BATCH) for i in range(TOTAL // BATCH)]
    if MODE == "recv_batch":
        for buf, offs, lens in batches:
            out.clear()
            send_batch(a, buf, offs, lens, BATCH, now, out)
            assert len(out) == 1 and out[0][3] == BATCH, out
        addrs = [A_ADDR] * BATCH
        toffs = array("I", bytes(4 * BATCH))
        tlens = array("I", bytes(4 * BATCH))
        results = array("i", bytes(4 * BATCH))
        gc.collect()
        for i in range(n // BATCH):
            buf, offs, lens = batches[i]
            out.clear()
            m = receive_batch(b, buf, offs, lens, addrs, BATCH, now, out, toffs, tlens, results)
        assert m == BATCH and not out, (m, out, b.drops)
    else:
        gc.collect()
        for i in range(n // BATCH):
            buf, offs, lens = batches[i]
            out.clear()
            send_batch(a, buf, offs, lens, BATCH, now, out)
        assert len(out) == 1 and out[0][3] == BATCH, (out, a.drops)
elif MODE in ("seal", "open"):
    # The AEAD alone, one 1420-byte packet per call: the crypto share.
    from wireguard.crypto import aead_encrypt_into, aead_decrypt_into
    key = bytes(range(32))
    sealed = bytearray(len(pkt) + 16)
    aead_encrypt_into(sealed, key, 7, pkt, b"")
    plain = bytearray(len(pkt))
    gc.collect()
    if MODE == "seal":
        for i in range(n):
            aead_encrypt_into(sealed, key, i, pkt, b"")
    else:
        for i in range(n):
            assert aead_decrypt_into(plain, key, 7, sealed, b"") == len(pkt)
elif MODE == "recv":
    grams = []
    for i in range(TOTAL):
        out.clear()
        a.send_packet(pkt, now, out)
        grams.append(out[0][2])
    gc.collect()
    recv = b.receive_datagram
    for i in range(n):
        out.clear()
        recv(grams[i], A_ADDR, now, out)
    assert len(out) == 1 and len(out[0]) == 2, (out, b.drops)
else:
    gc.collect()
    send = a.send_packet
    for i in range(n):
        out.clear()
        send(pkt, now, out)
    assert len(out) == 1 and len(out[0]) == 3, (out, a.drops)
print("OK", len(a.drops), len(b.drops))
"""


# Ten reads of one name per iteration, each stored to a local.
LOOKUPS = """
from micropython import const
import struct
K = const(4)
G = 4
def run(kind, n):
    L = 4
    if kind == "const":
        for i in range(n):
            x = K; x = K; x = K; x = K; x = K; x = K; x = K; x = K; x = K; x = K
    elif kind == "local":
        for i in range(n):
            x = L; x = L; x = L; x = L; x = L; x = L; x = L; x = L; x = L; x = L
    elif kind == "global":
        for i in range(n):
            x = G; x = G; x = G; x = G; x = G; x = G; x = G; x = G; x = G; x = G
    elif kind == "module_attr":
        for i in range(n):
            x = struct.pack; x = struct.pack; x = struct.pack; x = struct.pack; x = struct.pack
            x = struct.pack; x = struct.pack; x = struct.pack; x = struct.pack; x = struct.pack
run(%r, %d)
print("OK")
"""
LOOKUP_KINDS = ("const", "local", "global", "module_attr")


def lookup_costs(arch):
    def total(kind, n):
        return run_counted(arch, "lookup", LOOKUPS % (kind, n))

    def per_iter(kind):
        return (total(kind, 2000) - total(kind, 1000)) / 1000
    # Every read is stored to the same local, so differences between kinds are the reads.
    const = per_iter("const")
    return {k: (per_iter(k) - const) / 10 for k in LOOKUP_KINDS if k != "const"}


def count(arch, mode, n, pad):
    return run_counted(arch, mode, SCRIPT % (pad, n, PACKET_LEN, mode, N2))


def run_counted(arch, mode, script):
    plugin = build_plugin()
    work = os.path.join(BENCH, "work", "engine-%s" % arch)
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "bench.py"), "w") as f:
        f.write(script)
    outfile = os.path.join(work, "count.txt")
    cmd = ["env", "-i", "MICROPYPATH=" + os.environ.get("ENGINE_FIRMWARE", FIRMWARE), QEMU[arch], "-plugin", "%s,outfile=%s" % (plugin, outfile),
           unix_binary(arch), "-X", "heapsize=16M", "bench.py"]
    r = subprocess.run(cmd, capture_output=True, timeout=900, cwd=work)
    if r.returncode != 0 or not r.stdout.startswith(b"OK"):
        raise RuntimeError("%s %s: %s" % (arch, mode, (r.stdout + r.stderr).decode()[-2000:]))
    with open(outfile) as f:
        return int(f.read())


def per_packet(arch, mode, pad=0):
    return (count(arch, mode, N2, pad) - count(arch, mode, N1, pad)) / (N2 - N1)


def per_packet_spread(arch, mode):
    """(mean, low, high) over heap layouts: where the code lands in the heap moves
    MicroPython's attribute-lookup cache hits by ~1-2%, so one layout is not
    enough to compare two versions of the engine."""
    runs = [per_packet(arch, mode, pad) for pad in LAYOUT_PADS]
    return sum(runs) / len(runs), min(runs), max(runs)


MODES = (("send", "send_packet"), ("recv", "receive_datagram"), ("send_batch", "send_batch"),
         ("recv_batch", "receive_batch"), ("seal", "AEAD seal alone"), ("open", "AEAD open alone"))


def measure(arch, modes=None):
    """{mode: (mean, low, high)} instructions per packet."""
    return {mode: per_packet_spread(arch, mode) for mode, _ in MODES if modes is None or mode in modes}


def shares(m):
    """Per direction: total and non-crypto instructions per packet, before
    (per-packet seam) and after (batched seam)."""
    out = {}
    for direction, single, batched, aead in (("send", "send", "send_batch", "seal"),
                                              ("receive", "recv", "recv_batch", "open")):
        crypto = m[aead][0]
        before, after = m[single][0], m[batched][0]
        out[direction] = {"crypto": crypto, "before_total": before, "after_total": after,
                          "before_noncrypto": before - crypto, "after_noncrypto": after - crypto,
                          "noncrypto_ratio": (after - crypto) / (before - crypto)}
    return out


def main(archs):
    lookups = "--lookups" in archs
    archs = [a for a in archs if a != "--lookups"] or ["x64"]
    for arch in archs:
        if lookups:
            for kind, cost in lookup_costs(arch).items():
                print("%-8s %-17s %9.1f instructions per read more than an inlined const" % (arch, kind, cost))
        m = measure(arch)
        for mode, name in MODES:
            mean, low, high = m[mode]
            print("%-8s %-17s %9.0f instructions per %d-byte packet (%d..%d over %d heap layouts)"
                  % (arch, name, mean, PACKET_LEN, low, high, len(LAYOUT_PADS)))
        for direction, v in shares(m).items():
            print("%-8s %-8s non-crypto share: %.0f before, %.0f after (%.2fx; crypto %.0f)"
                  % (arch, direction, v["before_noncrypto"], v["after_noncrypto"], v["noncrypto_ratio"],
                     v["crypto"]))


if __name__ == "__main__":
    main(sys.argv[1:])
