# Transport data messages (paper section 5.4.6): seal an IP packet under a
# keypair's send key and counter, open one with the receive key. Padding to
# a multiple of 16 hides exact lengths; an empty payload is a keepalive.
from .constants import (TRANSPORT_HEADER_LEN, TAG_LEN, PADDING_MULTIPLE,
                        REJECT_AFTER_MESSAGES)
from .crypto import aead_encrypt_into, aead_decrypt_into
from . import messages as m


def padded_length(n, mtu):
    p = (n + PADDING_MULTIPLE - 1) & ~(PADDING_MULTIPLE - 1)
    # Never pad past the MTU (a full-size packet stays full-size).
    if p > mtu:
        p = n if n > mtu else mtu
    return p


class Sealer:
    """Reuses one scratch buffer for padding so sending allocates only the
    outgoing datagram."""

    def __init__(self):
        self.scratch = bytearray(0)

    def seal(self, kp, packet, mtu):
        """Transport message for packet, or None when the counter is spent."""
        counter = kp.send_counter
        if counter >= REJECT_AFTER_MESSAGES:
            kp.send_valid = False
            return None
        kp.send_counter = counter + 1
        n = len(packet)
        p = padded_length(n, mtu)
        out = bytearray(TRANSPORT_HEADER_LEN + p + TAG_LEN)
        m.put_transport_header(out, kp.remote_index, counter)
        if p == n:
            plain = packet
        else:
            if len(self.scratch) < p:
                self.scratch = bytearray(p)
            mv = memoryview(self.scratch)
            mv[:n] = packet
            mv[n:p] = bytes(p - n)
            plain = mv[:p]
        aead_encrypt_into(memoryview(out)[TRANSPORT_HEADER_LEN:], kp.send_key, counter, plain, b"")
        return out


class Opener:
    """Decrypts into one reused buffer: the plaintext it returns is only valid
    until the next call."""

    def __init__(self):
        self.buf = bytearray(0)

    def open(self, kp, data, counter):
        """Plaintext memoryview, or None when the tag does not verify."""
        n = len(data) - TRANSPORT_HEADER_LEN - TAG_LEN
        if len(self.buf) < n:
            self.buf = bytearray(n)
        out = memoryview(self.buf)[:n]
        r = aead_decrypt_into(out, kp.recv_key, counter,
                              memoryview(data)[TRANSPORT_HEADER_LEN:], b"")
        if r < 0:
            return None
        return out
