# One peer as the board's tunnel sees it: where to find it (an address or a
# name re-resolved when it stops answering) and how its handshakes went, so
# that each peer reconnects on its own.
from wireguard.outcomes import EVENT_HANDSHAKE_INITIATION_SENT, EVENT_HANDSHAKE_COMPLETE, EVENT_HANDSHAKE_GAVE_UP


class Remote:
    def __init__(self, peer, endpoint):
        self.peer = peer
        self.endpoint_name = endpoint[0] if endpoint else None
        self.endpoint_port = endpoint[1] if endpoint else None
        self.handshake_at = None        # monotonic time of the last completed handshake
        self.last_attempt = None
        self.attempt_since = None       # first unanswered initiation of the current attempt
        self.last_resolve = None
        self.gave_up = False
        self.last_error = None
        self.handshakes = 0

    def on_event(self, event, now):
        if event == EVENT_HANDSHAKE_INITIATION_SENT:
            if self.attempt_since is None:
                self.attempt_since = now
        elif event == EVENT_HANDSHAKE_COMPLETE:
            self.attempt_since = None
            self.handshake_at = now
            self.handshakes += 1
            self.gave_up = False
        elif event == EVENT_HANDSHAKE_GAVE_UP:
            self.gave_up = True
            self.last_error = "handshake gave up"

    def connected(self, now, reject_after):
        return (self.peer.keypairs.current is not None and self.handshake_at is not None
                and now - self.handshake_at < reject_after)

    def needs_attempt(self, now, retry_interval):
        """Stuck (handshakes unanswered for a while: peer gone or moved), given
        up, or never tried; and the last attempt is old enough."""
        stuck = self.attempt_since is not None and now - self.attempt_since >= retry_interval
        if not (stuck or self.gave_up) and (self.handshake_at is not None or self.attempt_since is not None):
            return False
        return self.last_attempt is None or now - self.last_attempt >= retry_interval
