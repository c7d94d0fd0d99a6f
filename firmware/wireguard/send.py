# Sending: IP packets from the tunnel sealed for their peer, the handshake
# messages we originate, keepalives, and the queue of packets that wait for a
# session (wireguard-go's send.go, the kernel's send.c).
from .constants import KEY_LEN, REKEY_TIMEOUT, REKEY_AFTER_MESSAGES, REKEY_AFTER_TIME
from .outcomes import (ACTION_UDP, DROP_BAD_HANDSHAKE, DROP_BAD_OUTGOING_PACKET,
                       DROP_INTERNAL_ERROR, DROP_NO_ENDPOINT, DROP_NO_ROUTE, DROP_NO_USABLE_KEYS,
                       DROP_QUEUE_FULL, EVENT_HANDSHAKE_INITIATION_SENT,
                       EVENT_HANDSHAKE_RESPONSE_SENT)
from .handshake import create_initiation, create_response
from .session import begin_session, clear_handshake
from . import ippacket


def send_packet(dev, packet, now, out=None):
    """An IP packet from the tunnel device, to be routed to its peer."""
    if out is None:
        out = []
    try:
        dst = ippacket.destination(packet)
        if dst is None:
            dev._drop(DROP_BAD_OUTGOING_PACKET)
            return out
        peer = dev.allowed_ips.lookup(dst)
        if peer is None:
            dev._drop(DROP_NO_ROUTE)
            return out
        if peer.endpoint is None:
            dev._drop(DROP_NO_ENDPOINT)
            return out
        kp = peer.keypairs.current
        if not peer.queue and kp is not None and kp.can_send(now):
            if transmit(dev, peer, kp, (packet,), now, out):
                return out
        enqueue(dev, peer, bytes(packet))
        send_queued(dev, peer, now, out)
    except Exception as e:
        dev.last_error = e
        dev._drop(DROP_INTERNAL_ERROR)
    return out


def send_initiation(dev, peer, now, out, is_retry):
    t = peer.timers
    if not is_retry:
        t.handshake_attempts = 0
    if peer.last_sent_handshake is not None and now - peer.last_sent_handshake < REKEY_TIMEOUT:
        return
    if dev.private_key is None or peer.static_static is None:
        dev._drop(DROP_NO_USABLE_KEYS)
        return
    if peer.endpoint is None:
        dev._drop(DROP_NO_ENDPOINT)
        return
    peer.last_sent_handshake = now
    hs = peer.handshake
    clear_handshake(dev, peer)
    hs.local_index = dev.indices.allocate(hs)
    ephemeral = dev.rng(KEY_LEN)
    msg = create_initiation(hs, dev.private_key, dev.public_key, ephemeral,
                            dev.timestamps.next(), hs.local_index)
    if msg is None:
        clear_handshake(dev, peer)
        dev._drop(DROP_NO_USABLE_KEYS)
        return
    peer.cookies.stamp(msg, now)
    dev._keylog(peer, ephemeral)
    t.any_authenticated_packet_traversal(now, peer.persistent_keepalive)
    t.any_authenticated_packet_sent()
    emit(peer, msg, out)
    t.handshake_initiated(now, dev._jitter)
    dev._event(EVENT_HANDSHAKE_INITIATION_SENT, peer)


def send_response(dev, peer, now, out):
    peer.last_sent_handshake = now
    hs = peer.handshake
    dev.indices.remove(hs.local_index, hs)
    hs.local_index = dev.indices.allocate(hs)
    ephemeral = dev.rng(KEY_LEN)
    msg = create_response(hs, ephemeral, hs.local_index)
    if msg is None:
        clear_handshake(dev, peer)
        dev._drop(DROP_BAD_HANDSHAKE)
        return
    peer.cookies.stamp(msg, now)
    dev._keylog(peer, ephemeral)
    begin_session(dev, peer, now)
    t = peer.timers
    t.any_authenticated_packet_traversal(now, peer.persistent_keepalive)
    t.any_authenticated_packet_sent()
    emit(peer, msg, out)
    dev._event(EVENT_HANDSHAKE_RESPONSE_SENT, peer)


def send_keepalive(dev, peer, now, out):
    if not peer.queue:
        peer.queue.append(b"")
    send_queued(dev, peer, now, out)


def send_queued(dev, peer, now, out):
    if not peer.queue:
        return
    kp = peer.keypairs.current
    if kp is None or not kp.can_send(now):
        send_initiation(dev, peer, now, out, False)
        return
    sent = transmit(dev, peer, kp, peer.queue, now, out)
    del peer.queue[:sent]


def transmit(dev, peer, kp, packets, now, out):
    """Seal and emit packets in order; returns how many went out."""
    sent = 0
    carried_data = False
    for pkt in packets:
        msg = dev._sealer.seal(kp, pkt, dev.mtu)
        if msg is None:
            break
        emit(peer, msg, out)
        sent += 1
        if len(pkt):
            carried_data = True
    if sent:
        t = peer.timers
        t.any_authenticated_packet_traversal(now, peer.persistent_keepalive)
        t.any_authenticated_packet_sent()
        if carried_data:
            t.data_sent(now, dev._jitter)
    if sent < len(packets):
        # Counter exhausted: the rest waits for a new session.
        send_initiation(dev, peer, now, out, False)
    elif kp.send_counter > REKEY_AFTER_MESSAGES or (
            kp.is_initiator and now - kp.created >= REKEY_AFTER_TIME):
        send_initiation(dev, peer, now, out, False)
    return sent


def enqueue(dev, peer, packet):
    q = peer.queue
    if len(q) >= dev.max_queued:
        q.pop(0)
        dev._drop(DROP_QUEUE_FULL)
    q.append(packet)


def emit(peer, data, out):
    peer.tx_bytes += len(data)
    out.append((ACTION_UDP, peer.endpoint, data))
