# Token bucket per source IP for handshake messages while under load
# (paper section 5.3): a burst of RATELIMIT_BURST, refilled at
# RATELIMIT_PACKETS_PER_SECOND. The table is bounded; idle buckets are full
# again and can be forgotten.
from .constants import RATELIMIT_PACKETS_PER_SECOND, RATELIMIT_BURST, RATELIMIT_MAX_ENTRIES


class RateLimiter:
    def __init__(self, rate=RATELIMIT_PACKETS_PER_SECOND, burst=RATELIMIT_BURST,
                 max_entries=RATELIMIT_MAX_ENTRIES):
        self.rate = rate
        self.burst = burst
        self.max_entries = max_entries
        self.buckets = {}     # ip bytes -> [tokens, last refill time]

    def _forget_idle(self, now):
        full_after = self.burst / self.rate
        for key in [k for k in self.buckets if now - self.buckets[k][1] >= full_after]:
            del self.buckets[key]

    def allow(self, ip, now):
        b = self.buckets.get(ip)
        if b is None:
            if len(self.buckets) >= self.max_entries:
                self._forget_idle(now)
                if len(self.buckets) >= self.max_entries:
                    return False
            self.buckets[ip] = [self.burst - 1, now]
            return True
        tokens = b[0] + (now - b[1]) * self.rate
        if tokens > self.burst:
            tokens = self.burst
        b[1] = now
        if tokens >= 1:
            b[0] = tokens - 1
            return True
        b[0] = tokens
        return False
