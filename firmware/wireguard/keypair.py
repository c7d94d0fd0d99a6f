# Transport keypairs and the previous/current/next slots of a peer (paper
# section 6.1 and the kernel's key rotation): a responder's fresh keypair
# waits in "next" until the initiator proves it has it by sending data.
from .constants import REJECT_AFTER_TIME, REJECT_AFTER_MESSAGES
from .replay import ReplayWindow


class Keypair:
    __slots__ = ("peer", "send_key", "recv_key", "send_counter", "replay", "created",
                 "is_initiator", "local_index", "remote_index", "send_valid")

    def __init__(self, peer, send_key, recv_key, is_initiator, local_index, remote_index, now):
        self.peer = peer
        # bytearrays so wipe() can overwrite them in place
        self.send_key = bytearray(send_key)
        self.recv_key = bytearray(recv_key)
        self.send_counter = 0
        self.replay = ReplayWindow()
        self.created = now
        self.is_initiator = is_initiator
        self.local_index = local_index
        self.remote_index = remote_index
        self.send_valid = True

    def can_send(self, now):
        return (self.send_valid and self.send_counter < REJECT_AFTER_MESSAGES
                and now - self.created < REJECT_AFTER_TIME)

    def can_receive(self, now):
        return self.recv_key is not None and now - self.created < REJECT_AFTER_TIME

    def wipe(self):
        for key in (self.send_key, self.recv_key):
            if key is not None:
                key[:] = bytes(len(key))
        self.send_key = None
        self.recv_key = None
        self.send_valid = False


class KeypairSlots:
    __slots__ = ("previous", "current", "next")

    def __init__(self):
        self.previous = None
        self.current = None
        self.next = None

    def install(self, kp):
        """Slot a freshly derived keypair; returns the keypairs it displaced."""
        dropped = []
        if kp.is_initiator:
            # Confirmed by the response: usable at once.
            if self.next is not None:
                dropped.append(self.previous)
                dropped.append(self.current)
                self.previous = self.next
                self.next = None
            else:
                dropped.append(self.previous)
                self.previous = self.current
            self.current = kp
        else:
            # Unconfirmed until the initiator's first data packet arrives.
            dropped.append(self.next)
            dropped.append(self.previous)
            self.next = kp
            self.previous = None
        return [d for d in dropped if d is not None]

    def received_with(self, kp):
        """Data arrived on kp. Returns (promoted, dropped keypairs): when kp was
        "next" it becomes current, the old current becomes previous."""
        if kp is not self.next:
            return False, ()
        dropped = self.previous
        self.previous = self.current
        self.current = kp
        self.next = None
        return True, (dropped,) if dropped is not None else ()

    def all(self):
        return [k for k in (self.previous, self.current, self.next) if k is not None]

    def clear(self):
        dropped = self.all()
        self.previous = self.current = self.next = None
        return dropped

    def expire_sending(self):
        """Stop sending on current keys (e.g. our private key changed)."""
        for k in (self.current, self.next):
            if k is not None:
                k.send_valid = False
