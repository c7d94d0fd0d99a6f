# Receiving: every UDP datagram, checked and dispatched by type; handshakes
# behind the cookie and rate-limit gates, transport data opened, replay-checked
# and routed back by source (wireguard-go's receive.go, the kernel's receive.c).
from .constants import (MSG_INITIATION, MSG_COOKIE_REPLY, MSG_TRANSPORT, TRANSPORT_MIN_LEN,
                        MAX_DATAGRAM_LEN)
from .outcomes import (ACTION_UDP, ACTION_TUN, COUNT_COOKIE_REPLY_RECEIVED,
                       COUNT_COOKIE_REPLY_SENT, COUNT_KEEPALIVE_RECEIVED, DROP_BAD_COOKIE_REPLY,
                       DROP_BAD_HANDSHAKE, DROP_BAD_INNER_PACKET, DROP_BAD_MAC1, DROP_BAD_TAG,
                       DROP_BAD_TYPE, DROP_EXPIRED_KEYPAIR, DROP_INTERNAL_ERROR, DROP_MALFORMED,
                       DROP_NO_PRIVATE_KEY, DROP_OVERSIZED, DROP_RATE_LIMITED, DROP_REPLAY,
                       DROP_SPOOFED_SOURCE, DROP_UNKNOWN_INDEX)
from .handshake import Handshake, consume_initiation, consume_response
from .ipaddr import endpoint_key
from .keypair import Keypair
from .send import send_response, send_keepalive, send_queued
from .session import begin_session, handshake_complete, drop_keypairs, roam, authenticated_received
from .timers_expired import keep_key_fresh_on_receive
from . import ippacket
from . import messages as m


def receive_datagram(dev, data, addr, now, out=None):
    """A UDP payload arrived from addr = (host, port)."""
    if out is None:
        out = []
    try:
        n = len(data)
        t = m.message_type(data)
        if n > MAX_DATAGRAM_LEN:
            dev._drop(DROP_OVERSIZED)
        elif t == MSG_TRANSPORT:
            if n < TRANSPORT_MIN_LEN:
                dev._drop(DROP_MALFORMED)
            else:
                receive_transport(dev, data, addr, now, out)
        elif t in m.EXPECTED_LEN:
            if n != m.EXPECTED_LEN[t]:
                dev._drop(DROP_MALFORMED)
            else:
                # Handshake code concatenates and keeps message bytes;
                # drivers may pass a view into a reused receive buffer.
                data = bytes(data)
                if t == MSG_COOKIE_REPLY:
                    receive_cookie_reply(dev, data, now)
                else:
                    receive_handshake(dev, t, data, addr, now, out)
        else:
            dev._drop(DROP_BAD_TYPE)
    except Exception as e:      # malformed input must never escape
        dev.last_error = e
        dev._drop(DROP_INTERNAL_ERROR)
    return out


def receive_handshake(dev, msg_type, data, addr, now, out):
    if dev.private_key is None:
        dev._drop(DROP_NO_PRIVATE_KEY)
        return
    if not dev.cookie_checker.check_mac1(data):
        dev._drop(DROP_BAD_MAC1)
        return
    dev.load.note_handshake(now)
    if dev.load.under_load(now):
        ip, source = endpoint_key(addr)
        if not dev.cookie_checker.check_mac2(data, source, now):
            # Make the sender prove its address before we spend DH on it.
            reply = dev.cookie_checker.make_reply(data, source, now)
            out.append((ACTION_UDP, (addr[0], addr[1]), reply))
            dev._count(COUNT_COOKIE_REPLY_SENT)
            return
        if not dev.ratelimiter.allow(ip, now):
            dev._drop(DROP_RATE_LIMITED)
            return
    if msg_type == MSG_INITIATION:
        receive_initiation(dev, data, addr, now, out)
    else:
        receive_response(dev, data, addr, now, out)


def receive_initiation(dev, data, addr, now, out):
    peer, reason = consume_initiation(data, dev.private_key, dev._initial_hash,
                                      dev._peers.get, now)
    if peer is None:
        dev._drop(reason)
        return
    peer.rx_bytes += len(data)
    roam(peer, addr)
    send_response(dev, peer, now, out)
    authenticated_received(peer, now)


def receive_response(dev, data, addr, now, out):
    hs = dev.indices.get(m.u32(data, m.RESP_RECEIVER))
    if not isinstance(hs, Handshake):
        dev._drop(DROP_UNKNOWN_INDEX)
        return
    peer = hs.peer
    if not consume_response(hs, data, dev.private_key):
        dev._drop(DROP_BAD_HANDSHAKE)
        return
    peer.rx_bytes += len(data)
    roam(peer, addr)
    begin_session(dev, peer, now)
    handshake_complete(dev, peer)
    # Confirms the session to the responder: queued data if any, else a keepalive.
    send_keepalive(dev, peer, now, out)
    authenticated_received(peer, now)


def receive_cookie_reply(dev, data, now):
    owner = dev.indices.get(m.u32(data, m.COOKIE_RECEIVER))
    if owner is None:
        dev._drop(DROP_UNKNOWN_INDEX)
        return
    if not owner.peer.cookies.consume_reply(data, now):
        dev._drop(DROP_BAD_COOKIE_REPLY)
        return
    dev._count(COUNT_COOKIE_REPLY_RECEIVED)


def receive_transport(dev, data, addr, now, out):
    receiver, counter = m.transport_header(data)
    kp = dev.indices.get(receiver)
    if not isinstance(kp, Keypair):
        dev._drop(DROP_UNKNOWN_INDEX)
        return
    if not kp.can_receive(now):
        dev._drop(DROP_EXPIRED_KEYPAIR)
        return
    if not kp.replay.check(counter):
        dev._drop(DROP_REPLAY)
        return
    plain = dev._opener.open(kp, data, counter)
    if plain is None:
        dev._drop(DROP_BAD_TAG)
        return
    if not kp.replay.accept(counter):
        dev._drop(DROP_REPLAY)
        return
    peer = kp.peer
    peer.rx_bytes += len(data)
    transport_authenticated(dev, peer, kp, addr, now, out)
    if len(plain) == 0:
        dev._count(COUNT_KEEPALIVE_RECEIVED)
        return
    peer.timers.data_received(now)
    length = ippacket.inner_length(plain)
    if length < 0:
        dev._drop(DROP_BAD_INNER_PACKET)
        return
    plain = plain[:length]
    # Cryptokey routing, incoming half: the source must be one of the
    # sending peer's allowed IPs.
    if dev.allowed_ips.lookup(ippacket.source(plain)) is not peer:
        dev._drop(DROP_SPOOFED_SOURCE)
        return
    out.append((ACTION_TUN, plain))


def transport_authenticated(dev, peer, kp, addr, now, out):
    """What authenticated transport data from addr on kp does to its peer
    (once per packet, or once per run of them: the same `now` makes repeats
    no-ops)."""
    roam(peer, addr)
    promoted, dropped = peer.keypairs.received_with(kp)
    if promoted:
        # The initiator used the keypair we offered: it is now current.
        drop_keypairs(dev, dropped)
        handshake_complete(dev, peer)
        send_queued(dev, peer, now, out)
    keep_key_fresh_on_receive(dev, peer, now, out)
    authenticated_received(peer, now)
