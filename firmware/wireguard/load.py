# "Under load" decision (paper section 5.3): when handshake messages arrive
# faster than we want to spend Curve25519 on, demand cookies (MAC2). Counted
# per one-second slot, and sticky for UNDER_LOAD_LINGER afterwards. The
# driver or a test may force the answer.
from .constants import UNDER_LOAD_HANDSHAKES_PER_SECOND, UNDER_LOAD_LINGER


class LoadMonitor:
    def __init__(self, threshold=UNDER_LOAD_HANDSHAKES_PER_SECOND):
        self.threshold = threshold
        self.forced = None      # None = measure, True/False = fixed answer
        self.slot_start = None
        self.count = 0
        self.loaded_until = None

    def note_handshake(self, now):
        if self.slot_start is None or now - self.slot_start >= 1.0:
            self.slot_start = now
            self.count = 0
        self.count += 1
        if self.count > self.threshold:
            self.loaded_until = now + UNDER_LOAD_LINGER

    def under_load(self, now):
        if self.forced is not None:
            return self.forced
        return self.loaded_until is not None and now < self.loaded_until
