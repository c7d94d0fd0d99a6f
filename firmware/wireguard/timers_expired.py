# What each timer of timers.py does when it fires (the kernel's wg_expired_*
# in timers.c, wireguard-go's expired* in timers.go). timers.py decides when;
# this file decides what, and drives them all from tick().
from .constants import KEEPALIVE_TIMEOUT, MAX_TIMER_HANDSHAKES, ZERO_KEYS_AFTER, REKEY_ON_RECEIVE_AGE
from .outcomes import (COUNT_QUEUED_DROPPED, DROP_INTERNAL_ERROR, EVENT_HANDSHAKE_GAVE_UP,
                       EVENT_KEYS_ZEROED, EVENT_NO_REPLY_REKEY)
from .send import send_initiation, send_keepalive
from .session import zero_keys


def tick(dev, now, out=None):
    """Fire every timer that is due."""
    if out is None:
        out = []
    try:
        for peer in list(dev._peer_order):
            tick_peer(dev, peer, now, out)
    except Exception as e:
        dev.last_error = e
        dev._drop(DROP_INTERNAL_ERROR)
    return out


def next_deadline(dev):
    """Earliest time tick() has work to do, or None."""
    best = None
    for peer in dev._peer_order:
        t = peer.timers.next_deadline()
        if t is not None and (best is None or t < best):
            best = t
    return best


def tick_peer(dev, peer, now, out):
    t = peer.timers
    if t.retransmit_handshake is not None and now >= t.retransmit_handshake:
        t.retransmit_handshake = None
        retransmit_expired(dev, peer, now, out)
    if t.send_keepalive is not None and now >= t.send_keepalive:
        t.send_keepalive = None
        kp = peer.keypairs.current
        if kp is not None and kp.can_send(now):
            send_keepalive(dev, peer, now, out)
        if t.need_another_keepalive:
            t.need_another_keepalive = False
            t.send_keepalive = now + KEEPALIVE_TIMEOUT
    if t.new_handshake is not None and now >= t.new_handshake:
        # We sent data and heard nothing for KEEPALIVE + REKEY_TIMEOUT.
        t.new_handshake = None
        dev._event(EVENT_NO_REPLY_REKEY, peer)
        send_initiation(dev, peer, now, out, False)
    if t.zero_key_material is not None and now >= t.zero_key_material:
        t.zero_key_material = None
        zero_keys(dev, peer)
        dev._event(EVENT_KEYS_ZEROED, peer)
    if t.persistent_keepalive is not None and now >= t.persistent_keepalive:
        t.persistent_keepalive = None
        if peer.persistent_keepalive:
            send_keepalive(dev, peer, now, out)


def retransmit_expired(dev, peer, now, out):
    t = peer.timers
    if t.handshake_attempts > MAX_TIMER_HANDSHAKES:
        # Tried for REKEY_ATTEMPT_TIME: give up and drop what waited.
        t.send_keepalive = None
        if peer.queue:
            dev._count(COUNT_QUEUED_DROPPED, len(peer.queue))
            peer.queue = []
        if t.zero_key_material is None:
            t.zero_key_material = now + ZERO_KEYS_AFTER
        dev._event(EVENT_HANDSHAKE_GAVE_UP, peer)
    else:
        t.handshake_attempts += 1
        send_initiation(dev, peer, now, out, True)


def keep_key_fresh_on_receive(dev, peer, now, out):
    # An initiator whose keypair is about to be rejected rekeys once more,
    # even if it has nothing to send.
    kp = peer.keypairs.current
    t = peer.timers
    if (kp is not None and kp.send_valid and kp.is_initiator
            and now - kp.created >= REKEY_ON_RECEIVE_AGE
            and not t.sent_lastminute_handshake):
        t.sent_lastminute_handshake = True
        send_initiation(dev, peer, now, out, False)
