"""The offsets messages.py derives from field sizes land where the paper (section 5.4) puts them."""

from mpcases import engine_file


def _messages():
    return engine_file('messages')


def test_offsets_and_lengths_match_the_paper():
    m = _messages()
    assert (m.INIT_SENDER, m.INIT_EPHEMERAL, m.INIT_STATIC, m.INIT_TIMESTAMP, m.INIT_MAC1,
            m.INITIATION_LEN) == (4, 8, 40, 88, 116, 148)
    assert (m.RESP_SENDER, m.RESP_RECEIVER, m.RESP_EPHEMERAL, m.RESP_EMPTY, m.RESP_MAC1,
            m.RESPONSE_LEN) == (4, 8, 12, 44, 60, 92)
    assert (m.COOKIE_RECEIVER, m.COOKIE_NONCE, m.COOKIE_SEALED, m.COOKIE_REPLY_LEN) == (4, 8, 32, 64)
    assert (m.DATA_RECEIVER, m.DATA_COUNTER, m.DATA_PAYLOAD, m.TRANSPORT_HEADER_LEN,
            m.TRANSPORT_MIN_LEN) == (4, 8, 16, 16, 32)
    for length in (m.INITIATION_LEN, m.RESPONSE_LEN):
        assert m.mac2_offset(length) == m.mac1_offset(length) + m.MAC_LEN == length - m.MAC_LEN
