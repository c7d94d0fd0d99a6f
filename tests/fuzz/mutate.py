# Seeded, structure-aware mutators shared by every fuzz target. Runs on
# MicroPython (engine targets) and CPython (host-side targets) and gives the
# same stream on both: a case is fully named by (target, seed, index).


def case_seed(seed, index):
    """One 32-bit seed per case, so any case can be replayed on its own."""
    x = (seed * 0x9E3779B1 + index * 0x85EBCA77 + 0x165667B1) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    return x or 1


class Rng:
    """xorshift32: small, fast on MicroPython (no bignums), reproducible."""

    def __init__(self, seed):
        self.s = (seed & 0xFFFFFFFF) or 1

    def u32(self):
        s = self.s
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        self.s = s
        return s

    def below(self, n):
        return self.u32() % n if n > 0 else 0

    def chance(self, num, den=100):
        return self.below(den) < num

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def bytes(self, n):
        out = bytearray(n)
        for i in range(n):
            out[i] = self.u32() & 0xFF
        return bytes(out)

    def __call__(self, n):      # usable as an engine rng
        return self.bytes(n)


# Values that sit on the edges parsers check.
INTERESTING_U32 = (0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
                   0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF)
INTERESTING_BYTES = (0, 1, 2, 3, 4, 5, 0x7F, 0x80, 0xFE, 0xFF, 0x40, 0x45, 0x60)


def mutate_bytes(rng, data, others=()):
    """One to four byte-level edits of data: bit flips, byte sets, truncations,
    extensions, chunk deletes/duplicates, splices with another input.
    (Size changes by concatenation: MicroPython's bytearray cannot del slices.)"""
    b = bytes(data)
    for _ in range(1 + rng.below(4)):
        op = rng.below(10)
        n = len(b)
        if op == 0 and n:
            i = rng.below(n)
            b = b[:i] + bytes([b[i] ^ (1 << rng.below(8))]) + b[i + 1:]
        elif op == 1 and n:
            i = rng.below(n)
            b = b[:i] + bytes([rng.choice(INTERESTING_BYTES)]) + b[i + 1:]
        elif op == 2 and n:
            i = rng.below(n)
            b = b[:i] + bytes([rng.u32() & 0xFF]) + b[i + 1:]
        elif op == 3:
            b = b[:rng.below(n + 1)]
        elif op == 4:
            b = b + rng.bytes(1 + rng.below(40))
        elif op == 5 and n:
            i = rng.below(n)
            b = b[:i] + b[i + 1 + rng.below(16):]
        elif op == 6 and n:
            i = rng.below(n)
            b = b[:i] + b[i:i + 1 + rng.below(16)] + b[i:]
        elif op == 7 and others:
            o = rng.choice(others)
            if o:
                b = b[:rng.below(n + 1)] + bytes(o[rng.below(len(o)):])
        elif op == 8 and n >= 4:
            i = rng.below(n - 3)
            v = rng.choice(INTERESTING_U32)
            b = b[:i] + bytes([v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24]) + b[i + 4:]
        elif op == 9 and n:
            i = rng.below(n)
            j = i + rng.below(n - i)
            b = b[:i] + rng.bytes(j - i) + b[j:]
    return b


def mutate_lines(rng, lines, fresh_line=None):
    """Line-level edits: drop, repeat, swap, splice in a generated line."""
    out = list(lines)
    for _ in range(1 + rng.below(3)):
        op = rng.below(5)
        n = len(out)
        if op == 0 and n:
            del out[rng.below(n)]
        elif op == 1 and n:
            i = rng.below(n)
            for _ in range(1 + rng.below(3)):
                out.insert(i, out[i])
        elif op == 2 and n >= 2:
            i, j = rng.below(n), rng.below(n)
            out[i], out[j] = out[j], out[i]
        elif op == 3 and fresh_line is not None:
            out.insert(rng.below(n + 1), fresh_line(rng))
        elif op == 4 and n:
            i = rng.below(n)
            out = out[:i] + out[rng.below(n):]
    return out


# Text pieces a config value or key may be replaced with.
TEXT_PIECES = ("", " ", "=", "==", "#", "[", "]", "[Peer]", "[Interface]", ",", ":", "/", "-",
               "0", "-1", "65535", "65536", "4294967295", "4294967296", "99999999999999999999",
               "0x", "0xffffffff", "0x100000000", "true", "false", "off", "1", "/0", "/32",
               "/33", "/128", "/129", "::", "::/0", "0.0.0.0/0", "1.2.3.4", "1.2.3.4:0",
               "1.2.3.4:65535", "[::1]:51820", "[::1", "::1]:1", "256.1.1.1", "1.2.3", "a.b.c.d",
               "fe80::1%eth0", "\t", "\r", "\x00", "\x7f", "\u00e9", "\u2028", "\ufeff",
               "AAAA", "A" * 43 + "=", "A" * 44, "=" * 44, "/" * 43 + "=", "+" * 43 + "=",
               "0" * 64, "f" * 64, "g" * 64, "0" * 63, "x" * 300)


def mutate_text(rng, text):
    """Character-level and piece-level edits of a short text value."""
    s = text
    for _ in range(1 + rng.below(3)):
        op = rng.below(8)
        n = len(s)
        if op == 0:
            s = rng.choice(TEXT_PIECES)
        elif op == 1:
            i = rng.below(n + 1)
            s = s[:i] + rng.choice(TEXT_PIECES) + s[i:]
        elif op == 2 and n:
            i = rng.below(n)
            s = s[:i] + s[i + 1 + rng.below(4):]
        elif op == 3 and n:
            i = rng.below(n)
            s = s[:i] + chr(32 + rng.below(95)) + s[i + 1:]
        elif op == 4:
            s = s[:rng.below(n + 1)]
        elif op == 5 and n:
            s = s + s[rng.below(n):] * (1 + rng.below(3))
        elif op == 6 and n:
            i = rng.below(n)
            s = s[:i] + chr(rng.choice((0, 9, 10, 13, 127, 0xA0, 0x2028, 0xFFFD))) + s[i + 1:]
        elif op == 7:
            s = s.upper() if rng.below(2) else s.lower()
    return s
