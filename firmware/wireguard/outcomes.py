# What the engine reports, as small integers: the actions it returns, why it
# drops a packet, what else it counts, and the events it signals through
# Device.on_event. Integers compare in one step on the packet path; the
# *_NAMES tables give each its readable name wherever people see it
# (dev.drops and dev.counters are keyed by these names, logs print them).
try:
    from micropython import const
except ImportError:             # CPython: the same module, values not inlined
    def const(x):
        return x

# --- Actions: the first item of each tuple the seam returns ---
ACTION_UDP = const(0)           # (ACTION_UDP, (host, port), datagram)
ACTION_TUN = const(1)           # (ACTION_TUN, ip_packet)
ACTION_UDP_BATCH = const(2)     # (ACTION_UDP_BATCH, (host, port), first, count): batch.py
ACTION_NAMES = ("udp", "tun", "udp_batch")

# --- Drops: why a datagram or packet went no further ---
DROP_OVERSIZED = const(0)
DROP_MALFORMED = const(1)
DROP_BAD_TYPE = const(2)
DROP_INTERNAL_ERROR = const(3)
DROP_NO_PRIVATE_KEY = const(4)
DROP_BAD_MAC1 = const(5)
DROP_RATE_LIMITED = const(6)
DROP_UNKNOWN_INDEX = const(7)
DROP_BAD_HANDSHAKE = const(8)
DROP_UNKNOWN_PEER = const(9)
DROP_REPLAYED_INITIATION = const(10)
DROP_INITIATION_FLOOD = const(11)
DROP_BAD_COOKIE_REPLY = const(12)
DROP_EXPIRED_KEYPAIR = const(13)
DROP_REPLAY = const(14)
DROP_BAD_TAG = const(15)
DROP_BAD_INNER_PACKET = const(16)
DROP_SPOOFED_SOURCE = const(17)
DROP_BAD_OUTGOING_PACKET = const(18)
DROP_NO_ROUTE = const(19)
DROP_NO_ENDPOINT = const(20)
DROP_NO_USABLE_KEYS = const(21)
DROP_QUEUE_FULL = const(22)
DROP_NAMES = ("oversized", "malformed", "bad_type", "internal_error", "no_private_key", "bad_mac1",
              "rate_limited", "unknown_index", "bad_handshake", "unknown_peer", "replayed_initiation",
              "initiation_flood", "bad_cookie_reply", "expired_keypair", "replay", "bad_tag",
              "bad_inner_packet", "spoofed_source", "bad_outgoing_packet", "no_route", "no_endpoint",
              "no_usable_keys", "queue_full")

# --- Counters: notable things that are not drops ---
COUNT_COOKIE_REPLY_SENT = const(0)
COUNT_COOKIE_REPLY_RECEIVED = const(1)
COUNT_KEEPALIVE_RECEIVED = const(2)
COUNT_QUEUED_DROPPED = const(3)         # packets given up with a handshake that never came
COUNTER_NAMES = ("cookie_reply_sent", "cookie_reply_received", "keepalive_received", "queued_dropped")

# --- Events: Device.on_event(event, peer) ---
EVENT_HANDSHAKE_INITIATION_SENT = const(0)
EVENT_HANDSHAKE_RESPONSE_SENT = const(1)
EVENT_HANDSHAKE_COMPLETE = const(2)
EVENT_HANDSHAKE_GAVE_UP = const(3)
EVENT_NO_REPLY_REKEY = const(4)
EVENT_KEYS_ZEROED = const(5)
EVENT_NAMES = ("handshake_initiation_sent", "handshake_response_sent", "handshake_complete",
               "handshake_gave_up", "no_reply_rekey", "keys_zeroed")
