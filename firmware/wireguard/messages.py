# Wire layout of the four WireGuard messages (paper section 5.4): every
# message starts with a little-endian u32 whose low byte is the type and
# whose other three bytes are zero.
import struct

from .constants import (MSG_INITIATION, MSG_RESPONSE, MSG_COOKIE_REPLY,
                        INITIATION_LEN, RESPONSE_LEN, COOKIE_REPLY_LEN, MAC_LEN)

# Initiation
INIT_SENDER = 4
INIT_EPHEMERAL = 8
INIT_STATIC = 40          # 32 + 16 tag
INIT_TIMESTAMP = 88       # 12 + 16 tag
# Response
RESP_SENDER = 4
RESP_RECEIVER = 8
RESP_EPHEMERAL = 12
RESP_EMPTY = 44           # 0 + 16 tag
# Cookie reply
COOKIE_RECEIVER = 4
COOKIE_NONCE = 8
COOKIE_SEALED = 32        # 16 + 16 tag
# Transport data
DATA_RECEIVER = 4
DATA_COUNTER = 8
DATA_PAYLOAD = 16

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


def mac1_offset(length):
    return length - 2 * MAC_LEN


def mac2_offset(length):
    return length - MAC_LEN
