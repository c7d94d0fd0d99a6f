# Endpoint names from a .conf (e.g. "vpn.example.org:51820") become
# addresses once, at load time, as wg(8) does before it talks to the daemon.
import socket

from wireguard.ipaddr import parse_ip, format_ip


def resolve_endpoint(endpoint):
    """(host, port) with host an address text or a DNS name -> (address text, port).
    Raises OSError when the name does not resolve."""
    host, port = endpoint
    try:
        return format_ip(parse_ip(host)), port
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port)
    if not infos:
        raise OSError("cannot resolve " + host)
    sa = socket.sockaddr(infos[0][4])
    return format_ip(sa[1]), sa[2]
