# Receiving: every UDP datagram, checked and dispatched by type; handshakes
# behind the cookie and rate-limit gates, transport data opened, replay-checked
# and routed back by source (wireguard-go's receive.go, the kernel's receive.c).
from .constants import (MSG_INITIATION, MSG_COOKIE_REPLY, MSG_TRANSPORT, TRANSPORT_MIN_LEN,
                        MAX_DATAGRAM_LEN, ACTION_UDP, ACTION_TUN)
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
            dev._drop("oversized")
        elif t == MSG_TRANSPORT:
            if n < TRANSPORT_MIN_LEN:
                dev._drop("malformed")
            else:
                receive_transport(dev, data, addr, now, out)
        elif t in m.EXPECTED_LEN:
            if n != m.EXPECTED_LEN[t]:
                dev._drop("malformed")
            else:
                # Handshake code concatenates and keeps message bytes;
                # drivers may pass a view into a reused receive buffer.
                data = bytes(data)
                if t == MSG_COOKIE_REPLY:
                    receive_cookie_reply(dev, data, now)
                else:
                    receive_handshake(dev, t, data, addr, now, out)
        else:
            dev._drop("bad_type")
    except Exception as e:      # malformed input must never escape
        dev.last_error = e
        dev._drop("internal_error")
    return out


def receive_handshake(dev, msg_type, data, addr, now, out):
    if dev.private_key is None:
        dev._drop("no_private_key")
        return
    if not dev.cookie_checker.check_mac1(data):
        dev._drop("bad_mac1")
        return
    dev.load.note_handshake(now)
    if dev.load.under_load(now):
        ip, source = endpoint_key(addr)
        if not dev.cookie_checker.check_mac2(data, source, now):
            # Make the sender prove its address before we spend DH on it.
            reply = dev.cookie_checker.make_reply(data, source, now)
            out.append((ACTION_UDP, (addr[0], addr[1]), reply))
            dev._count("cookie_reply_sent")
            return
        if not dev.ratelimiter.allow(ip, now):
            dev._drop("rate_limited")
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
        dev._drop("unknown_index")
        return
    peer = hs.peer
    if not consume_response(hs, data, dev.private_key):
        dev._drop("bad_handshake")
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
        dev._drop("unknown_index")
        return
    if not owner.peer.cookies.consume_reply(data, now):
        dev._drop("bad_cookie_reply")
        return
    dev._count("cookie_reply_received")


def receive_transport(dev, data, addr, now, out):
    receiver, counter = m.transport_header(data)
    kp = dev.indices.get(receiver)
    if not isinstance(kp, Keypair):
        dev._drop("unknown_index")
        return
    if not kp.can_receive(now):
        dev._drop("expired_keypair")
        return
    if not kp.replay.check(counter):
        dev._drop("replay")
        return
    plain = dev._opener.open(kp, data, counter)
    if plain is None:
        dev._drop("bad_tag")
        return
    if not kp.replay.accept(counter):
        dev._drop("replay")
        return
    peer = kp.peer
    peer.rx_bytes += len(data)
    roam(peer, addr)
    promoted, dropped = peer.keypairs.received_with(kp)
    if promoted:
        # The initiator used the keypair we offered: it is now current.
        drop_keypairs(dev, dropped)
        handshake_complete(dev, peer)
        send_queued(dev, peer, now, out)
    keep_key_fresh_on_receive(dev, peer, now, out)
    authenticated_received(peer, now)
    if len(plain) == 0:
        dev._count("keepalive_received")
        return
    peer.timers.data_received(now)
    length = ippacket.inner_length(plain)
    if length < 0:
        dev._drop("bad_inner_packet")
        return
    plain = plain[:length]
    # Cryptokey routing, incoming half: the source must be one of the
    # sending peer's allowed IPs.
    if dev.allowed_ips.lookup(ippacket.source(plain)) is not peer:
        dev._drop("spoofed_source")
        return
    out.append((ACTION_TUN, plain))
