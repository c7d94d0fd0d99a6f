# Noise_IKpsk2 handshake of the WireGuard paper (section 5.4.2, 5.4.3):
# building and consuming initiation and response messages and deriving the
# transport keys. State lives in a Handshake per peer; a failed consume
# leaves that state untouched. No MACs here (cookie.py) and no timers.
from .constants import (CONSTRUCTION, IDENTIFIER, MSG_INITIATION, MSG_RESPONSE,
                        INITIATION_LEN, RESPONSE_LEN, TAG_LEN, TIMESTAMP_LEN,
                        INITIATIONS_PER_SECOND)
from .outcomes import (DROP_BAD_HANDSHAKE, DROP_INITIATION_FLOOD, DROP_REPLAYED_INITIATION,
                       DROP_UNKNOWN_PEER)
from .crypto import digest, kdf, dh, aead_encrypt, aead_decrypt, x25519_base
from . import messages as m

# States of a Handshake
ZEROED = 0
CREATED_INITIATION = 1
CONSUMED_INITIATION = 2
CREATED_RESPONSE = 3
CONSUMED_RESPONSE = 4

INITIAL_CHAIN = digest(CONSTRUCTION)
INITIAL_HASH = digest(INITIAL_CHAIN, IDENTIFIER)


def initial_hash_for(responder_public):
    """H after mixing in the responder's static key; precomputed per key."""
    return digest(INITIAL_HASH, responder_public)


class Handshake:
    __slots__ = ("peer", "state", "local_index", "remote_index", "chain", "hash",
                 "ephemeral_private", "remote_ephemeral", "latest_timestamp",
                 "last_initiation_at")

    def __init__(self, peer):
        self.peer = peer
        self.latest_timestamp = None      # greatest TAI64N accepted from the peer
        self.last_initiation_at = None    # monotonic time of the last accepted initiation
        self.local_index = None
        self.clear()

    def clear(self):
        """Forget the in-progress exchange (index bookkeeping is the caller's)."""
        self.state = ZEROED
        self.remote_index = None
        self.chain = None
        self.hash = None
        self.ephemeral_private = None
        self.remote_ephemeral = None


def create_initiation(hs, local_private, local_public, ephemeral_private, timestamp, sender_index):
    """Initiation message without MACs, or None if a DH result is degenerate."""
    peer = hs.peer
    msg = m.new_message(MSG_INITIATION, INITIATION_LEN)
    m.put_u32(msg, m.INIT_SENDER, sender_index)
    ephemeral_public = x25519_base(ephemeral_private)
    chain = kdf(INITIAL_CHAIN, ephemeral_public, 1)[0]
    h = digest(peer.initial_hash, ephemeral_public)
    shared = dh(ephemeral_private, peer.public_key)
    if shared is None or peer.static_static is None:
        return None
    chain, key = kdf(chain, shared, 2)
    sealed_static = aead_encrypt(key, 0, local_public, h)
    h = digest(h, sealed_static)
    chain, key = kdf(chain, peer.static_static, 2)
    sealed_time = aead_encrypt(key, 0, timestamp, h)
    h = digest(h, sealed_time)
    msg[m.INIT_EPHEMERAL:m.INIT_STATIC] = ephemeral_public
    msg[m.INIT_STATIC:m.INIT_TIMESTAMP] = sealed_static
    msg[m.INIT_TIMESTAMP:m.INIT_TIMESTAMP + TIMESTAMP_LEN + TAG_LEN] = sealed_time
    hs.state = CREATED_INITIATION
    hs.chain = chain
    hs.hash = h
    hs.ephemeral_private = ephemeral_private
    hs.remote_ephemeral = None
    hs.remote_index = None
    return msg


def consume_initiation(msg, local_private, local_initial_hash, find_peer, now):
    """Authenticate an initiation. Returns (peer, reason): peer is None on
    failure and reason is its DROP_* constant (outcomes.py). On success the
    peer's Handshake holds the state for create_response."""
    ephemeral = bytes(msg[m.INIT_EPHEMERAL:m.INIT_STATIC])
    chain = kdf(INITIAL_CHAIN, ephemeral, 1)[0]
    h = digest(local_initial_hash, ephemeral)
    shared = dh(local_private, ephemeral)
    if shared is None:
        return None, DROP_BAD_HANDSHAKE
    chain, key = kdf(chain, shared, 2)
    sealed_static = bytes(msg[m.INIT_STATIC:m.INIT_TIMESTAMP])
    peer_public = aead_decrypt(key, 0, sealed_static, h)
    if peer_public is None:
        return None, DROP_BAD_HANDSHAKE
    h = digest(h, sealed_static)
    peer = find_peer(bytes(peer_public))
    if peer is None:
        return None, DROP_UNKNOWN_PEER
    if peer.static_static is None:
        return None, DROP_BAD_HANDSHAKE
    chain, key = kdf(chain, peer.static_static, 2)
    sealed_time = bytes(msg[m.INIT_TIMESTAMP:m.INIT_TIMESTAMP + TIMESTAMP_LEN + TAG_LEN])
    timestamp = aead_decrypt(key, 0, sealed_time, h)
    if timestamp is None:
        return None, DROP_BAD_HANDSHAKE
    h = digest(h, sealed_time)
    hs = peer.handshake
    # Replayed initiation: the timestamp must grow.
    if hs.latest_timestamp is not None and bytes(timestamp) <= hs.latest_timestamp:
        return None, DROP_REPLAYED_INITIATION
    # Too many initiations from one peer: each costs us DH work.
    if hs.last_initiation_at is not None and now - hs.last_initiation_at < 1.0 / INITIATIONS_PER_SECOND:
        return None, DROP_INITIATION_FLOOD
    hs.latest_timestamp = bytes(timestamp)
    hs.last_initiation_at = now
    hs.state = CONSUMED_INITIATION
    hs.chain = chain
    hs.hash = h
    hs.remote_ephemeral = ephemeral
    hs.remote_index = m.u32(msg, m.INIT_SENDER)
    hs.ephemeral_private = None
    return peer, None


def create_response(hs, ephemeral_private, sender_index):
    """Response message without MACs (hs must be CONSUMED_INITIATION), or None."""
    if hs.state != CONSUMED_INITIATION:
        return None
    peer = hs.peer
    msg = m.new_message(MSG_RESPONSE, RESPONSE_LEN)
    m.put_u32(msg, m.RESP_SENDER, sender_index)
    m.put_u32(msg, m.RESP_RECEIVER, hs.remote_index)
    ephemeral_public = x25519_base(ephemeral_private)
    chain = kdf(hs.chain, ephemeral_public, 1)[0]
    h = digest(hs.hash, ephemeral_public)
    shared_ee = dh(ephemeral_private, hs.remote_ephemeral)
    shared_es = dh(ephemeral_private, peer.public_key)
    if shared_ee is None or shared_es is None:
        return None
    chain = kdf(chain, shared_ee, 1)[0]
    chain = kdf(chain, shared_es, 1)[0]
    chain, tau, key = kdf(chain, peer.preshared_key, 3)
    h = digest(h, tau)
    sealed_empty = aead_encrypt(key, 0, b"", h)
    h = digest(h, sealed_empty)
    msg[m.RESP_EPHEMERAL:m.RESP_EMPTY] = ephemeral_public
    msg[m.RESP_EMPTY:m.RESP_EMPTY + TAG_LEN] = sealed_empty
    hs.state = CREATED_RESPONSE
    hs.chain = chain
    hs.hash = h
    hs.ephemeral_private = ephemeral_private
    return msg


def consume_response(hs, msg, local_private):
    """Authenticate a response to our initiation; True and CONSUMED_RESPONSE
    state on success, False with the state untouched otherwise."""
    if hs.state != CREATED_INITIATION:
        return False
    peer = hs.peer
    ephemeral = bytes(msg[m.RESP_EPHEMERAL:m.RESP_EMPTY])
    chain = kdf(hs.chain, ephemeral, 1)[0]
    h = digest(hs.hash, ephemeral)
    shared_ee = dh(hs.ephemeral_private, ephemeral)
    shared_se = dh(local_private, ephemeral)
    if shared_ee is None or shared_se is None:
        return False
    chain = kdf(chain, shared_ee, 1)[0]
    chain = kdf(chain, shared_se, 1)[0]
    chain, tau, key = kdf(chain, peer.preshared_key, 3)
    h = digest(h, tau)
    sealed_empty = bytes(msg[m.RESP_EMPTY:m.RESP_EMPTY + TAG_LEN])
    if aead_decrypt(key, 0, sealed_empty, h) is None:
        return False
    h = digest(h, sealed_empty)
    hs.state = CONSUMED_RESPONSE
    hs.chain = chain
    hs.hash = h
    hs.remote_ephemeral = ephemeral
    hs.remote_index = m.u32(msg, m.RESP_SENDER)
    return True


def derive_transport_keys(hs):
    """(send key, receive key, i_am_initiator) once the exchange is complete."""
    first, second = kdf(hs.chain, b"", 2)
    if hs.state == CONSUMED_RESPONSE:
        return first, second, True
    if hs.state == CREATED_RESPONSE:
        return second, first, False
    return None
