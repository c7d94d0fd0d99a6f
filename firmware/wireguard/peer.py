# Everything the engine knows about one peer: its keys and the values
# precomputed from them, endpoint, handshake and keypairs, timers, the queue
# of packets waiting for a session, and the counters `wg show` reports.
from .constants import KEY_LEN
from .cookie import CookieJar
from .crypto import dh, ZERO_KEY
from .handshake import Handshake, initial_hash_for
from .keypair import KeypairSlots
from .timers import PeerTimers


class Peer:
    def __init__(self, public_key):
        if len(public_key) != KEY_LEN:
            raise ValueError("public key must be 32 bytes")
        self.public_key = bytes(public_key)
        self.preshared_key = ZERO_KEY
        self.endpoint = None               # (host, port)
        self.persistent_keepalive = 0      # seconds, 0 = off
        self.initial_hash = initial_hash_for(self.public_key)
        self.cookies = CookieJar(self.public_key)
        self.static_static = None          # DH(our private, their public)
        self.handshake = Handshake(self)
        self.keypairs = KeypairSlots()
        self.timers = PeerTimers()
        self.queue = []                    # IP packets waiting for a session
        self.last_sent_handshake = None    # monotonic time
        self.last_handshake = None         # (sec, nsec) wall clock, for `wg show`
        self.tx_bytes = 0
        self.rx_bytes = 0

    def precompute(self, local_private):
        """Redo the static-static DH after our private key changed."""
        self.static_static = None if local_private is None else dh(local_private, self.public_key)

    def has_psk(self):
        return self.preshared_key != ZERO_KEY
