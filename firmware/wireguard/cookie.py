# MAC1/MAC2 and cookie replies (paper section 5.4.4, 5.4.7).
# CookieChecker is the responder's side: verify MACs on incoming handshake
# messages and hand out cookies under load. CookieJar is the initiator's side
# per peer: stamp MACs on outgoing handshake messages and accept a cookie
# reply for the last message sent.
from .constants import (LABEL_MAC1, LABEL_COOKIE, COOKIE_REFRESH, COOKIE_REFRESH_LATENCY,
                        MSG_COOKIE_REPLY, COOKIE_REPLY_LEN, COOKIE_NONCE_LEN, MAC_LEN,
                        KEY_LEN, COOKIE_LEN)
from .crypto import digest, mac, equal, xaead_encrypt, xaead_decrypt
from . import messages as m

_ZERO_MAC = bytes(MAC_LEN)


def mac1_key(public_key):
    return digest(LABEL_MAC1, public_key)


def cookie_key(public_key):
    return digest(LABEL_COOKIE, public_key)


class CookieChecker:
    def __init__(self, rng):
        self.rng = rng
        self.mac1_key = None
        self.cookie_key = None
        self.secret = None
        self.secret_born = None

    def set_public_key(self, public_key):
        if public_key is None:
            self.mac1_key = self.cookie_key = None
        else:
            self.mac1_key = mac1_key(public_key)
            self.cookie_key = cookie_key(public_key)

    def check_mac1(self, msg):
        if self.mac1_key is None:
            return False
        n = len(msg)
        off = m.mac1_offset(n)
        return equal(mac(self.mac1_key, msg[:off]), msg[off:off + MAC_LEN])

    def _cookie_for(self, source, now):
        # The secret rotates every COOKIE_REFRESH, so a cookie ties a source
        # address to a two-minute window.
        if self.secret is None or now - self.secret_born >= COOKIE_REFRESH:
            self.secret = self.rng(KEY_LEN)
            self.secret_born = now
        return mac(self.secret, source)

    def check_mac2(self, msg, source, now):
        """source: address bytes (IP + port) the message came from."""
        n = len(msg)
        off = m.mac2_offset(n)
        cookie = self._cookie_for(source, now)
        return equal(mac(cookie, msg[:off]), msg[off:])

    def make_reply(self, msg, source, now):
        """Cookie reply (type 3) answering handshake message msg."""
        reply = m.new_message(MSG_COOKIE_REPLY, COOKIE_REPLY_LEN)
        reply[m.COOKIE_RECEIVER:m.COOKIE_NONCE] = msg[4:8]     # their sender index
        nonce = self.rng(COOKIE_NONCE_LEN)
        reply[m.COOKIE_NONCE:m.COOKIE_SEALED] = nonce
        off = m.mac1_offset(len(msg))
        sealed = xaead_encrypt(self.cookie_key, nonce, self._cookie_for(source, now),
                               bytes(msg[off:off + MAC_LEN]))
        reply[m.COOKIE_SEALED:] = sealed
        return reply


class CookieJar:
    __slots__ = ("mac1_key", "cookie_key", "cookie", "cookie_born", "last_mac1")

    def __init__(self, peer_public_key):
        self.mac1_key = mac1_key(peer_public_key)
        self.cookie_key = cookie_key(peer_public_key)
        self.cookie = None
        self.cookie_born = None
        self.last_mac1 = None       # MAC1 a cookie reply must be bound to

    def stamp(self, msg, now):
        """Write MAC1, and MAC2 when we hold a fresh cookie, into msg."""
        n = len(msg)
        off1 = m.mac1_offset(n)
        off2 = m.mac2_offset(n)
        mac1 = mac(self.mac1_key, msg[:off1])
        msg[off1:off2] = mac1
        self.last_mac1 = mac1
        if self.cookie is not None and now - self.cookie_born < COOKIE_REFRESH - COOKIE_REFRESH_LATENCY:
            msg[off2:] = mac(self.cookie, msg[:off2])
        else:
            msg[off2:] = _ZERO_MAC

    def consume_reply(self, reply, now):
        if self.last_mac1 is None:
            return False
        nonce = bytes(reply[m.COOKIE_NONCE:m.COOKIE_SEALED])
        cookie = xaead_decrypt(self.cookie_key, nonce, bytes(reply[m.COOKIE_SEALED:]), self.last_mac1)
        if cookie is None or len(cookie) != COOKIE_LEN:
            return False
        self.cookie = bytes(cookie)
        self.cookie_born = now
        # One reply per message sent: a second, replayed reply is ignored.
        self.last_mac1 = None
        return True
