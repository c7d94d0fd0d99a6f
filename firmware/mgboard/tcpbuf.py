# A bounded byte FIFO for TCP's send and receive buffers. Storage is one
# bytearray of the full capacity, taken on first use (so half-open connections
# cost none) and given back by release(); bytes are consumed by moving an
# offset, since MicroPython's bytearray cannot delete a slice.
#
# The receive side may also hold segments that arrived ahead of a gap: they are
# written straight into the free space past the tail, where they will belong,
# so out-of-order data costs no memory beyond the buffer itself.

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_MAX_RANGES = const(4)             # ranges held past a gap; more are forgotten


class ByteQueue:
    def __init__(self, cap):
        self.cap = cap
        self._buf = None
        self._head = 0
        self._tail = 0
        self._ranges = []               # [start, end) past the tail, sorted, disjoint

    def __len__(self):
        return self._tail - self._head

    def space(self):
        return self.cap - (self._tail - self._head)

    def push(self, data):
        """Appends what fits of data; returns how many bytes that was."""
        n = min(len(data), self.space())
        if n <= 0:
            return 0
        buf = self._room(n)
        buf[self._tail:self._tail + n] = data[:n]
        self._tail += n
        if self._ranges:
            self._shift(n)
        return n

    def _room(self, end):
        """The storage, with `end` bytes past the tail made contiguous."""
        buf = self._buf
        if buf is None:
            buf = self._buf = bytearray(self.cap)
        if self._tail + end > self.cap:
            # Slide the live bytes (and any held past the tail) to the front; the
            # slice copy keeps the overlapping move safe.
            k = self._tail - self._head
            held = self._ranges[-1][1] if self._ranges else 0
            if k + held:
                buf[0:k + held] = buf[self._head:self._tail + held]
            self._head, self._tail = 0, k
        return buf

    def put_at(self, off, data):
        """Holds data that belongs off bytes past the tail (off > 0), within space()."""
        n = min(len(data), self.space() - off)
        if off <= 0 or n <= 0:
            return
        buf = self._room(off + n)
        start = self._tail + off
        buf[start:start + n] = data[:n]
        r = self._ranges
        r.append([off, off + n])
        r.sort()
        merged = [r[0]]
        for s, e in r[1:]:
            last = merged[-1]
            if s <= last[1]:
                last[1] = max(last[1], e)
            else:
                merged.append([s, e])
        self._ranges = merged[:_MAX_RANGES]

    def _shift(self, n):
        # The tail moved n bytes on: ranges it reached are now in order.
        out = []
        for s, e in self._ranges:
            s -= n
            e -= n
            if e > 0:
                out.append([s, e])
        self._ranges = out
        if out and out[0][0] <= 0:
            e = out[0][1]
            self._tail += e
            self._shift(e)

    def deliver(self, data):
        """Appends in-order data; returns how many bytes are now newly in order,
        which counts held ranges the data joined up with."""
        before = len(self)
        self.push(data)
        return len(self) - before

    def view(self, off, n):
        """n bytes starting off bytes after the head, without copying."""
        start = self._head + off
        return memoryview(self._buf)[start:start + n]

    def pop(self, n):
        n = min(n, len(self))
        if n <= 0:
            return b""
        out = bytes(self.view(0, n))
        self.drop(n)
        return out

    def drop(self, n):
        self._head += min(n, len(self))
        if self._head == self._tail and not self._ranges:
            self._head = self._tail = 0

    def release(self):
        self._buf = None
        self._head = self._tail = 0
        self._ranges = []
