# Configuring a Device: its private key and its peers with their preshared
# keys, endpoints, keepalive intervals and allowed IPs (what `wg set` and the
# UAPI change; wireguard-go's device.go/peer.go setters, the kernel's
# netlink.c set path).
from .constants import KEY_LEN
from .crypto import is_zero, public_key as derive_public, ZERO_KEY
from .handshake import initial_hash_for
from .peer import Peer
from .session import clear_handshake, zero_keys
from .timers import DUE_NOW


def set_private_key(dev, private_key):
    if private_key is not None:
        if len(private_key) != KEY_LEN:
            raise ValueError("private key must be 32 bytes")
        private_key = bytes(private_key)
        if is_zero(private_key):
            private_key = None
    if private_key == dev.private_key:
        return
    public = derive_public(private_key) if private_key is not None else None
    if public is not None and public in dev._peers:
        # A peer with our own key could never handshake with us.
        remove_peer(dev, public)
    dev.private_key = private_key
    dev.public_key = public
    dev._initial_hash = initial_hash_for(public) if public is not None else None
    dev.cookie_checker.set_public_key(public)
    for peer in dev._peer_order:
        peer.precompute(private_key)
        clear_handshake(dev, peer)
        peer.keypairs.expire_sending()


def add_peer(dev, public_key, preshared_key=None, endpoint=None,
             persistent_keepalive=0, allowed_ips=()):
    """allowed_ips: iterable of (ip bytes, cidr)."""
    public_key = bytes(public_key)
    if public_key in dev._peers:
        raise ValueError("peer already exists")
    if public_key == dev.public_key:
        raise ValueError("peer key is this interface's own public key")
    peer = Peer(public_key)
    peer.precompute(dev.private_key)
    dev._peers[public_key] = peer
    dev._peer_order.append(peer)
    set_preshared_key(dev, peer, preshared_key)
    if endpoint is not None:
        set_endpoint(dev, peer, endpoint)
    set_persistent_keepalive(dev, peer, persistent_keepalive)
    for ip, cidr in allowed_ips:
        dev.allowed_ips.insert(ip, cidr, peer)
    return peer


def get_peer(dev, public_key):
    return dev._peers.get(bytes(public_key))


def peers(dev):
    return list(dev._peer_order)


def remove_peer(dev, peer):
    if not isinstance(peer, Peer):
        peer = dev._peers.get(bytes(peer))
        if peer is None:
            return False
    zero_keys(dev, peer)
    peer.timers.stop_all()
    peer.queue = []
    dev.allowed_ips.remove_peer(peer)
    del dev._peers[peer.public_key]
    dev._peer_order.remove(peer)
    return True


def remove_all_peers(dev):
    for peer in list(dev._peer_order):
        remove_peer(dev, peer)


def set_preshared_key(dev, peer, psk):
    if psk is None:
        psk = ZERO_KEY
    if len(psk) != KEY_LEN:
        raise ValueError("preshared key must be 32 bytes")
    peer.preshared_key = bytes(psk)


def set_endpoint(dev, peer, endpoint):
    peer.endpoint = None if endpoint is None else (endpoint[0], endpoint[1])


def set_persistent_keepalive(dev, peer, interval):
    interval = int(interval or 0)
    if not 0 <= interval <= 65535:
        raise ValueError("persistent keepalive must be 0..65535")
    was = peer.persistent_keepalive
    peer.persistent_keepalive = interval
    if not interval:
        peer.timers.persistent_keepalive = None
    elif not was:
        # Turning it on sends a keepalive at once (and so a handshake),
        # which opens the NAT mapping the option exists for.
        peer.timers.persistent_keepalive = DUE_NOW


def add_allowed_ip(dev, peer, ip, cidr):
    dev.allowed_ips.insert(ip, cidr, peer)


def clear_allowed_ips(dev, peer):
    dev.allowed_ips.remove_peer(peer)


def allowed_ips_of(dev, peer):
    return dev.allowed_ips.entries(peer)
