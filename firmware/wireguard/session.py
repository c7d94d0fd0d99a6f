# Sessions: turning a finished handshake into a keypair, retiring keypairs and
# handshake state, and what every authenticated packet does to a peer (the
# kernel's noise.c bookkeeping and wireguard-go's keypair rotation).
from .handshake import derive_transport_keys
from .outcomes import EVENT_HANDSHAKE_COMPLETE
from .keypair import Keypair


def begin_session(dev, peer, now):
    hs = peer.handshake
    send, recv, initiator = derive_transport_keys(hs)
    kp = Keypair(peer, send, recv, initiator, hs.local_index, hs.remote_index, now)
    dev.indices.replace(hs.local_index, kp)
    hs.local_index = None
    hs.clear()
    drop_keypairs(dev, peer.keypairs.install(kp))
    peer.timers.session_derived(now)


def handshake_complete(dev, peer):
    peer.timers.handshake_complete()
    peer.last_handshake = dev.wall_clock()
    dev._event(EVENT_HANDSHAKE_COMPLETE, peer)


def drop_keypairs(dev, keypairs):
    for kp in keypairs:
        dev.indices.remove(kp.local_index, kp)
        kp.wipe()


def clear_handshake(dev, peer):
    hs = peer.handshake
    dev.indices.remove(hs.local_index, hs)
    hs.local_index = None
    hs.clear()


def zero_keys(dev, peer):
    drop_keypairs(dev, peer.keypairs.clear())
    clear_handshake(dev, peer)


def roam(peer, addr):
    # Any authenticated packet moves the peer to where it came from.
    if peer.endpoint is None or peer.endpoint[0] != addr[0] or peer.endpoint[1] != addr[1]:
        peer.endpoint = (addr[0], addr[1])


def authenticated_received(peer, now):
    t = peer.timers
    t.any_authenticated_packet_received()
    t.any_authenticated_packet_traversal(now, peer.persistent_keepalive)
