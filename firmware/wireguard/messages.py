# Wire layout of the four WireGuard messages (paper section 5.4): every
# message starts with a little-endian u32 whose low byte is the type and
# whose other three bytes are zero. Each offset is the previous field's
# offset plus its size, so the layout is written once, as sizes; const()
# lets MicroPython inline them within this file. constants.py re-exports
# the sizes, types and lengths for the rest of the engine.
import struct

try:
    from micropython import const
except ImportError:             # CPython: the same module, values not inlined
    def const(x):
        return x

# --- Field sizes ---
KEY_LEN = const(32)
HASH_LEN = const(32)
TAG_LEN = const(16)             # AEAD tag after every encrypted field
MAC_LEN = const(16)
COOKIE_LEN = const(16)
COOKIE_NONCE_LEN = const(24)
TIMESTAMP_LEN = const(12)
HEADER_LEN = const(4)           # type byte + 3 reserved zero bytes
INDEX_LEN = const(4)            # sender / receiver session index
COUNTER_LEN = const(8)          # transport nonce counter

# --- Message types (first byte) ---
MSG_INITIATION = const(1)
MSG_RESPONSE = const(2)
MSG_COOKIE_REPLY = const(3)
MSG_TRANSPORT = const(4)

# --- Initiation ---
INIT_SENDER = const(HEADER_LEN)
INIT_EPHEMERAL = const(INIT_SENDER + INDEX_LEN)
INIT_STATIC = const(INIT_EPHEMERAL + KEY_LEN)
INIT_TIMESTAMP = const(INIT_STATIC + KEY_LEN + TAG_LEN)
INIT_MAC1 = const(INIT_TIMESTAMP + TIMESTAMP_LEN + TAG_LEN)
INITIATION_LEN = const(INIT_MAC1 + 2 * MAC_LEN)                  # 148
# --- Response ---
RESP_SENDER = const(HEADER_LEN)
RESP_RECEIVER = const(RESP_SENDER + INDEX_LEN)
RESP_EPHEMERAL = const(RESP_RECEIVER + INDEX_LEN)
RESP_EMPTY = const(RESP_EPHEMERAL + KEY_LEN)                      # an empty payload's tag
RESP_MAC1 = const(RESP_EMPTY + TAG_LEN)
RESPONSE_LEN = const(RESP_MAC1 + 2 * MAC_LEN)                    # 92
# --- Cookie reply ---
COOKIE_RECEIVER = const(HEADER_LEN)
COOKIE_NONCE = const(COOKIE_RECEIVER + INDEX_LEN)
COOKIE_SEALED = const(COOKIE_NONCE + COOKIE_NONCE_LEN)
COOKIE_REPLY_LEN = const(COOKIE_SEALED + COOKIE_LEN + TAG_LEN)   # 64
# --- Transport data ---
DATA_RECEIVER = const(HEADER_LEN)
DATA_COUNTER = const(DATA_RECEIVER + INDEX_LEN)
DATA_PAYLOAD = const(DATA_COUNTER + COUNTER_LEN)
TRANSPORT_HEADER_LEN = const(DATA_PAYLOAD)                        # 16
TRANSPORT_MIN_LEN = const(TRANSPORT_HEADER_LEN + TAG_LEN)         # a keepalive

EXPECTED_LEN = {
    MSG_INITIATION: INITIATION_LEN,
    MSG_RESPONSE: RESPONSE_LEN,
    MSG_COOKIE_REPLY: COOKIE_REPLY_LEN,
}


def message_type(data):
    """Type byte, or 0 when the header is short or its reserved bytes are set."""
    if len(data) < 4 or data[1] or data[2] or data[3]:
        return 0
    return data[0]


def new_message(msg_type, length):
    buf = bytearray(length)
    buf[0] = msg_type
    return buf


def u32(data, offset):
    return struct.unpack_from("<I", data, offset)[0]


def put_u32(buf, offset, value):
    struct.pack_into("<I", buf, offset, value)


def u64(data, offset):
    return struct.unpack_from("<Q", data, offset)[0]


def put_u64(buf, offset, value):
    struct.pack_into("<Q", buf, offset, value)


# The transport header in one struct call each way: this runs for every
# packet, and one call with an inlined offset beats two with looked-up ones.
def transport_header(data):
    """(receiver index, counter) of a transport message."""
    return struct.unpack_from("<IQ", data, DATA_RECEIVER)


def put_transport_header(buf, receiver, counter):
    buf[0] = MSG_TRANSPORT
    struct.pack_into("<IQ", buf, DATA_RECEIVER, receiver, counter)


def mac1_offset(length):
    return length - 2 * MAC_LEN


def mac2_offset(length):
    return length - MAC_LEN
