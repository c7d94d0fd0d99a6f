# A bounded byte FIFO for TCP's send and receive buffers. Storage is one
# bytearray of the full capacity, taken on first use (so half-open connections
# cost none) and given back by release(); bytes are consumed by moving an
# offset, since MicroPython's bytearray cannot delete a slice.


class ByteQueue:
    def __init__(self, cap):
        self.cap = cap
        self._buf = None
        self._head = 0
        self._tail = 0

    def __len__(self):
        return self._tail - self._head

    def space(self):
        return self.cap - (self._tail - self._head)

    def push(self, data):
        """Appends what fits of data; returns how many bytes that was."""
        n = min(len(data), self.space())
        if n <= 0:
            return 0
        buf = self._buf
        if buf is None:
            buf = self._buf = bytearray(self.cap)
        if self._tail + n > self.cap:
            # Slide the live bytes to the front (the copy keeps overlapping moves safe).
            k = self._tail - self._head
            if k:
                buf[0:k] = buf[self._head:self._tail]
            self._head, self._tail = 0, k
        buf[self._tail:self._tail + n] = data[:n]
        self._tail += n
        return n

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
        if self._head == self._tail:
            self._head = self._tail = 0

    def release(self):
        self._buf = None
        self._head = self._tail = 0
