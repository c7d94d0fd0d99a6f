# Text <-> bytes for IPv4/IPv6 addresses, prefixes and UDP endpoints
# (MicroPython has no ipaddress module). Formatting follows RFC 5952, the
# same canonical form `wg` and wireguard-go print.


def _parse_v4(s):
    parts = s.split(".")
    if len(parts) != 4:
        raise ValueError("bad IPv4 address: " + s)
    out = bytearray(4)
    for i in range(4):
        p = parts[i]
        # Leading zeros are rejected: "010" reads as octal in some parsers.
        if not p or len(p) > 3 or not p.isdigit() or (len(p) > 1 and p[0] == "0"):
            raise ValueError("bad IPv4 address: " + s)
        v = int(p)
        if v > 255:
            raise ValueError("bad IPv4 address: " + s)
        out[i] = v
    return bytes(out)


def _parse_groups(text, whole):
    if not text:
        return []
    groups = []
    for g in text.split(":"):
        if not g or len(g) > 4:
            raise ValueError("bad IPv6 address: " + whole)
        for ch in g:
            if ch not in "0123456789abcdefABCDEF":
                raise ValueError("bad IPv6 address: " + whole)
        groups.append(int(g, 16))
    return groups


def _parse_v6(s):
    text = s
    tail = b""
    # An embedded IPv4 address takes the last two groups.
    last_colon = text.rfind(":")
    if "." in text[last_colon + 1:]:
        tail = _parse_v4(text[last_colon + 1:])
        text = text[:last_colon + 1]
        if text.endswith("::"):
            pass
        elif text.endswith(":"):
            text = text[:-1]
    want = 8 - len(tail) // 2
    if "::" in text:
        if text.count("::") > 1:
            raise ValueError("bad IPv6 address: " + s)
        head, rest = text.split("::")
        hg = _parse_groups(head, s)
        tg = _parse_groups(rest, s)
        missing = want - len(hg) - len(tg)
        if missing < 1:
            raise ValueError("bad IPv6 address: " + s)
        groups = hg + [0] * missing + tg
    else:
        groups = _parse_groups(text, s)
        if len(groups) != want:
            raise ValueError("bad IPv6 address: " + s)
    out = bytearray(16)
    for i in range(len(groups)):
        out[2 * i] = groups[i] >> 8
        out[2 * i + 1] = groups[i] & 0xFF
    if tail:
        out[12:16] = tail
    return bytes(out)


def parse_ip(s):
    """'10.0.0.1' -> 4 bytes, 'fd00::1' (optionally with a %zone) -> 16 bytes."""
    if ":" in s:
        pct = s.find("%")
        if pct >= 0:
            s = s[:pct]
        return _parse_v6(s)
    return _parse_v4(s)


def format_ip(b):
    if len(b) == 4:
        return "%d.%d.%d.%d" % (b[0], b[1], b[2], b[3])
    if len(b) != 16:
        raise ValueError("address must be 4 or 16 bytes")
    groups = [(b[2 * i] << 8) | b[2 * i + 1] for i in range(8)]
    # IPv4-mapped addresses keep their dotted tail, as Go's netip prints them.
    if groups[:5] == [0, 0, 0, 0, 0] and groups[5] == 0xFFFF:
        return "::ffff:" + format_ip(b[12:16])
    # Longest run (>= 2) of zero groups is compressed; the first one on ties.
    best_start, best_len = -1, 0
    i = 0
    while i < 8:
        if groups[i] == 0:
            j = i
            while j < 8 and groups[j] == 0:
                j += 1
            if j - i > best_len:
                best_start, best_len = i, j - i
            i = j
        else:
            i += 1
    if best_len < 2:
        return ":".join("%x" % g for g in groups)
    head = ":".join("%x" % g for g in groups[:best_start])
    tail = ":".join("%x" % g for g in groups[best_start + best_len:])
    return head + "::" + tail


def mask_ip(b, cidr):
    """Zero the host bits of an address after the first cidr bits."""
    out = bytearray(b)
    for i in range(len(out)):
        keep = cidr - 8 * i
        if keep >= 8:
            continue
        if keep <= 0:
            out[i] = 0
        else:
            out[i] &= (0xFF << (8 - keep)) & 0xFF
    return bytes(out)


def parse_prefix(s):
    """'10.0.0.0/24' -> (bytes, 24); a bare address gets a host-length prefix."""
    s = s.strip()
    slash = s.find("/")
    if slash < 0:
        ip = parse_ip(s)
        return ip, len(ip) * 8
    ip = parse_ip(s[:slash])
    bits = s[slash + 1:]
    if not bits.isdigit() or len(bits) > 3 or (len(bits) > 1 and bits[0] == "0"):
        raise ValueError("bad prefix length: " + s)
    cidr = int(bits)
    if cidr > len(ip) * 8:
        raise ValueError("bad prefix length: " + s)
    return ip, cidr


def format_prefix(ip, cidr):
    return format_ip(ip) + "/" + str(cidr)


def parse_endpoint(s):
    """'1.2.3.4:51820', '[fd00::1]:51820' or 'host.name:51820' -> (host, port).
    IP literals come back in canonical text form; names are left for the
    driver to resolve."""
    s = s.strip()
    if s.startswith("["):
        end = s.find("]")
        if end < 0 or s[end + 1:end + 2] != ":":
            raise ValueError("bad endpoint: " + s)
        host = s[1:end]
        zone = ""
        pct = host.find("%")
        if pct >= 0:
            host, zone = host[:pct], host[pct:]
        host = format_ip(_parse_v6(host)) + zone
        port = s[end + 2:]
    else:
        colon = s.rfind(":")
        if colon <= 0 or ":" in s[:colon]:
            raise ValueError("bad endpoint: " + s)
        host, port = s[:colon], s[colon + 1:]
        try:
            host = format_ip(_parse_v4(host))
        except ValueError:
            if not _is_hostname(host):
                raise ValueError("bad endpoint: " + s)
    if not port.isdigit() or len(port) > 5 or int(port) > 65535:
        raise ValueError("bad endpoint port: " + s)
    return host, int(port)


def _is_hostname(h):
    if not h or len(h) > 253:
        return False
    for ch in h:
        if not (ch.isalpha() or ch.isdigit() or ch in "-._"):
            return False
    return True


def format_endpoint(ep):
    host, port = ep[0], ep[1]
    if ":" in host:
        return "[%s]:%d" % (host, port)
    return "%s:%d" % (host, port)


def endpoint_key(ep):
    """Bytes that identify an endpoint's address (IP + big-endian port) for
    cookies; the IP alone keys the rate limiter."""
    host, port = ep[0], ep[1]
    try:
        ip = parse_ip(host)
    except ValueError:
        ip = host.encode()
    return ip, ip + bytes([(port >> 8) & 0xFF, port & 0xFF])
