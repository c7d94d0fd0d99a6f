# Per-peer timer state of the paper's section 6, driven by named hooks that
# the device calls as packets flow. Each timer is an absolute deadline on the
# injected monotonic clock (None = not armed); Device.tick() fires the due
# ones. What a firing timer does lives beside this file, in timers_expired.py;
# this file only decides when.
from .constants import KEEPALIVE_TIMEOUT, REKEY_TIMEOUT, ZERO_KEYS_AFTER

# "Due at once": earlier than any time a driver will pass.
DUE_NOW = -1.0


class PeerTimers:
    __slots__ = ("retransmit_handshake", "send_keepalive", "new_handshake",
                 "zero_key_material", "persistent_keepalive", "handshake_attempts",
                 "need_another_keepalive", "sent_lastminute_handshake")

    def __init__(self):
        self.retransmit_handshake = None   # resend an unanswered initiation
        self.send_keepalive = None         # passive keepalive after receiving data
        self.new_handshake = None          # we sent data but heard nothing back
        self.zero_key_material = None      # wipe keys long after the last session
        self.persistent_keepalive = None   # user-requested keepalive interval
        self.handshake_attempts = 0
        self.need_another_keepalive = False
        self.sent_lastminute_handshake = False

    def stop_all(self):
        self.retransmit_handshake = None
        self.send_keepalive = None
        self.new_handshake = None
        self.zero_key_material = None
        self.persistent_keepalive = None

    def next_deadline(self):
        best = None
        for t in (self.retransmit_handshake, self.send_keepalive, self.new_handshake,
                  self.zero_key_material, self.persistent_keepalive):
            if t is not None and (best is None or t < best):
                best = t
        return best

    # --- hooks ---

    def data_sent(self, now, jitter):
        # Expect an answer within KEEPALIVE_TIMEOUT + REKEY_TIMEOUT, or rekey.
        # jitter() is only drawn when arming: this runs for every packet sent.
        if self.new_handshake is None:
            self.new_handshake = now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter()

    def data_received(self, now):
        # Answer with a keepalive if we have nothing to send back in time.
        if self.send_keepalive is None:
            self.send_keepalive = now + KEEPALIVE_TIMEOUT
        else:
            self.need_another_keepalive = True

    def any_authenticated_packet_sent(self):
        # Anything we send already serves as a keepalive.
        self.send_keepalive = None

    def any_authenticated_packet_received(self):
        # The peer is alive: no need to rekey for lack of answers.
        self.new_handshake = None

    def any_authenticated_packet_traversal(self, now, interval):
        if interval:
            self.persistent_keepalive = now + interval

    def handshake_initiated(self, now, jitter):
        self.retransmit_handshake = now + REKEY_TIMEOUT + jitter()

    def handshake_complete(self):
        self.retransmit_handshake = None
        self.handshake_attempts = 0
        self.sent_lastminute_handshake = False

    def session_derived(self, now):
        self.zero_key_material = now + ZERO_KEYS_AFTER
