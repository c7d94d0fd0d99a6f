# The batch AEAD in Python, for builds whose wgcrypto has none (boards, the
# pure-Python fallback): the same contract as the native
# wgcrypto.transport_seal_batch / transport_open_batch, one packet at a time.
import struct

from .constants import TRANSPORT_HEADER_LEN, TAG_LEN, MSG_TRANSPORT
from .crypto import aead_encrypt_into, aead_decrypt_into
from .transport import padded_length


def seal_batch(buf, offs, lens, first, count, key, receiver, counter, mtu):
    """Messages first..first+count-1: plaintext at offs[k] + 16, lens[k]
    bytes; padded, sealed under consecutive counters, framed in place."""
    mv = memoryview(buf)
    for k in range(first, first + count):
        p = offs[k]
        n = lens[k]
        m = padded_length(n, mtu)
        if p + TRANSPORT_HEADER_LEN + m + TAG_LEN > len(buf):
            raise ValueError("message does not fit the buffer")
        start = p + TRANSPORT_HEADER_LEN
        mv[start + n:start + m] = bytes(m - n)
        struct.pack_into("<IIQ", buf, p, MSG_TRANSPORT, receiver, counter)
        plain = bytes(mv[start:start + m])
        aead_encrypt_into(mv[start:start + m + TAG_LEN], key, counter, plain, b"")
        lens[k] = TRANSPORT_HEADER_LEN + m + TAG_LEN
        counter += 1


def open_batch(buf, offs, lens, first, count, key, results):
    """Open messages in place; results[k]: plaintext length, -1 for a bad tag,
    -2 (set by the caller) to skip."""
    mv = memoryview(buf)
    for k in range(first, first + count):
        if results[k] == -2:
            continue
        p = offs[k]
        n = lens[k]
        if n < TRANSPORT_HEADER_LEN + TAG_LEN:
            results[k] = -1
            continue
        counter = struct.unpack_from("<Q", buf, p + 8)[0]
        sealed = bytes(mv[p + TRANSPORT_HEADER_LEN:p + n])
        plain = n - TRANSPORT_HEADER_LEN - TAG_LEN
        if aead_decrypt_into(mv[p + TRANSPORT_HEADER_LEN:p + TRANSPORT_HEADER_LEN + plain],
                             key, counter, sealed, b"") < 0:
            results[k] = -1
        else:
            results[k] = plain
