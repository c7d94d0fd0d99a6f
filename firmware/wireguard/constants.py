# Every protocol constant of the WireGuard paper (section 6 and the message
# formats of section 5.4) lives here, so timers, limits and sizes have one
# source of truth.

# --- Timers and limits (seconds / message counts) ---
REKEY_AFTER_MESSAGES = 1 << 60
REJECT_AFTER_MESSAGES = (1 << 64) - (1 << 13) - 1
REKEY_AFTER_TIME = 120
REJECT_AFTER_TIME = 180
REKEY_ATTEMPT_TIME = 90
REKEY_TIMEOUT = 5
KEEPALIVE_TIMEOUT = 10
COOKIE_REFRESH = 120            # responder rotates its cookie secret this often
COOKIE_REFRESH_LATENCY = 5      # initiator stops using a cookie this much earlier
REKEY_TIMEOUT_JITTER_MAX = 1.0 / 3
ZERO_KEYS_AFTER = REJECT_AFTER_TIME * 3
# Retransmissions before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT.
MAX_TIMER_HANDSHAKES = REKEY_ATTEMPT_TIME // REKEY_TIMEOUT
# Initiations from one peer closer together than this are treated as a flood.
INITIATIONS_PER_SECOND = 50
# Receiving a packet on a keypair this old makes the initiator rekey once
# ("last minute" handshake) before the keypair is rejected.
REKEY_ON_RECEIVE_AGE = REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT

# --- Noise protocol identity strings ---
CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"
LABEL_COOKIE = b"cookie--"

# --- Sizes, message types and message lengths: the wire layout, kept with
# its offsets in messages.py ---
from .messages import (KEY_LEN, HASH_LEN, TAG_LEN, MAC_LEN, COOKIE_LEN,  # noqa: F401
                       COOKIE_NONCE_LEN, TIMESTAMP_LEN, MSG_INITIATION, MSG_RESPONSE,
                       MSG_COOKIE_REPLY, MSG_TRANSPORT, INITIATION_LEN, RESPONSE_LEN,
                       COOKIE_REPLY_LEN, TRANSPORT_HEADER_LEN, TRANSPORT_MIN_LEN)
BLAKE2S_BLOCK = 64
PADDING_MULTIPLE = 16
# Largest UDP payload accepted; anything bigger cannot come from a tunnel
# whose MTU fits in one IP packet.
MAX_DATAGRAM_LEN = 65535

# --- Replay window ---
REPLAY_WINDOW = 2048            # counters behind the greatest still accepted

# --- Engine defaults (tunable per Device) ---
DEFAULT_MTU = 1420
DEFAULT_MAX_QUEUED = 8          # packets per peer waiting for a handshake
RATELIMIT_PACKETS_PER_SECOND = 20
RATELIMIT_BURST = 5
RATELIMIT_MAX_ENTRIES = 1024
UNDER_LOAD_HANDSHAKES_PER_SECOND = 64
UNDER_LOAD_LINGER = 1.0         # stay "under load" this long after the rate drops

# --- TAI64N ---
TAI64_EPOCH = 0x400000000000000a   # 2^62 + 10 s TAI-UTC offset at 1970
# Timestamps are rounded down to this many nanoseconds so they leak less
# about the local clock (the largest power of two below 1e9 / 50).
TAI64N_WHITEN_NS = 1 << 24

# --- Actions returned by the engine (integers: see outcomes.py) ---
from .outcomes import ACTION_UDP, ACTION_TUN  # noqa: E402,F401
