# The Internet checksum (RFC 1071) and the pseudo-header sums of UDP, TCP and
# ICMPv6 over IPv4 (RFC 768/9293) and IPv6 (RFC 8200 8.1). Shared by every
# protocol of the board's IP layer.
import struct

_CHUNK = 32
_CHUNK_FMT = ">16H"


def checksum(data, start=0):
    """The one's-complement sum of data (16-bit big-endian words), folded into
    16 bits and added to `start`. struct sums 16 words per call in C: a byte
    loop costs a board ~10x more per segment, and one call for the whole
    packet would allocate a tuple as long as it."""
    s = start
    n = len(data)
    end = n - n % _CHUNK
    unpack = struct.unpack_from
    for off in range(0, end, _CHUNK):
        s += sum(unpack(_CHUNK_FMT, data, off))
    while end + 1 < n:
        s += (data[end] << 8) | data[end + 1]
        end += 2
    if end < n:
        s += data[end] << 8
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def pseudo(src, dst, proto, length):
    """The pseudo-header sum for a segment of `length` bytes of `proto`
    between src and dst (4-byte or 16-byte addresses)."""
    if len(src) == 4:
        return checksum(src + dst, proto + length)
    return checksum(src + dst, proto + (length & 0xffff) + (length >> 16))


def finish(s):
    """The value written into a header: the complement of the sum."""
    return ~s & 0xffff
