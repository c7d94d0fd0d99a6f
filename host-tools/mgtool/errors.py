"""The one exception type the command line turns into a single error line."""


class MgError(Exception):
    """A problem the user can act on; the message is one complete sentence-like line."""
