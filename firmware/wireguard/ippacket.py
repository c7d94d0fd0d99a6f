# The little the engine reads from tunnelled IP packets: version, source and
# destination (for cryptokey routing) and the real length (to strip padding).
_V4_HEADER = 20
_V6_HEADER = 40


def version(pkt):
    if len(pkt) < 1:
        return 0
    return pkt[0] >> 4


def destination(pkt):
    """Destination address bytes, or None when pkt is not a plausible IP packet."""
    v = version(pkt)
    if v == 4 and len(pkt) >= _V4_HEADER:
        return bytes(pkt[16:20])
    if v == 6 and len(pkt) >= _V6_HEADER:
        return bytes(pkt[24:40])
    return None


def source(pkt):
    v = version(pkt)
    if v == 4 and len(pkt) >= _V4_HEADER:
        return bytes(pkt[12:16])
    if v == 6 and len(pkt) >= _V6_HEADER:
        return bytes(pkt[8:24])
    return None


def inner_length(pkt):
    """Length the IP header claims (padding after it is dropped), or -1 when the
    header is malformed or claims more than was received."""
    n = len(pkt)
    v = version(pkt)
    if v == 4:
        if n < _V4_HEADER:
            return -1
        total = (pkt[2] << 8) | pkt[3]
        if total < _V4_HEADER or total > n:
            return -1
        return total
    if v == 6:
        if n < _V6_HEADER:
            return -1
        total = _V6_HEADER + ((pkt[4] << 8) | pkt[5])
        if total > n:
            return -1
        return total
    return -1
