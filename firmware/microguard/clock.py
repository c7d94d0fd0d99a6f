# The engine's two clocks. `now` is monotonic seconds, optionally running
# faster than real time (MICROGUARD_TIME_SCALE) so tests can watch rekeys
# and key expiry in seconds; the wall clock stays real, so handshake
# timestamps and `wg show` ages are true.
import linuxio

monotonic = linuxio.monotonic
wall = linuxio.realtime


class Clock:
    def __init__(self, scale=1.0):
        self.scale = scale
        self.start = monotonic()

    def now(self):
        # Starts at 1.0: the engine treats times below zero as "due at once".
        return (monotonic() - self.start) * self.scale + 1.0

    def real_seconds(self, engine_seconds):
        """How long engine_seconds of `now` take in real time."""
        return engine_seconds / self.scale
