# The batched seam, for drivers that move packets in batches (the Linux
# daemon: tun super-packets cut into slots, recvmmsg/GRO, sendmmsg/GSO).
# Same protocol as send.py and receive.py, decided once per run of packets
# that share a peer and keypair; the per-byte work of a whole run is one
# native call (wgcrypto.transport_seal_batch / transport_open_batch).
#
# Buffers: `buf` holds the batch; packet or message k starts at offs[k]
# (array('I')) and is lens[k] bytes. For sending, the IP packet sits at
# offs[k] + TRANSPORT_HEADER_LEN with room after it for padding and the tag,
# and is sealed in place (lens[k] becomes the message length). For
# receiving, the datagram is opened in place and the IP packets for the
# tunnel device are reported as tun_offs/tun_lens.
#
# Exactness: a run's packets are handled as the per-packet path would, in
# order; the timer hooks run once per run (the same `now` makes repeats
# no-ops), except data_received, whose second call within a run is not one.
import struct

from .constants import (TRANSPORT_HEADER_LEN, TRANSPORT_MIN_LEN, MAX_DATAGRAM_LEN, MSG_TRANSPORT,
                        REJECT_AFTER_MESSAGES, REKEY_AFTER_MESSAGES, REKEY_AFTER_TIME, REKEY_TIMEOUT)
from .outcomes import (ACTION_UDP_BATCH, COUNT_KEEPALIVE_RECEIVED, DROP_BAD_INNER_PACKET,
                       DROP_BAD_OUTGOING_PACKET, DROP_BAD_TAG, DROP_EXPIRED_KEYPAIR,
                       DROP_INTERNAL_ERROR, DROP_NO_ENDPOINT, DROP_NO_ROUTE, DROP_REPLAY,
                       DROP_SPOOFED_SOURCE, DROP_UNKNOWN_INDEX)
from .keypair import Keypair
from .receive import receive_datagram, transport_authenticated
from .send import send_packet, send_initiation
from . import crypto

_SKIP = -2          # open_batch: leave this message alone
_BAD_TAG = -1

if crypto.seal_batch is None:
    from .batchcrypto import seal_batch, open_batch
else:
    seal_batch = crypto.seal_batch
    open_batch = crypto.open_batch


def _destination(buf, start, n):
    """Destination address bytes of the IP packet at buf[start:start+n], or None."""
    v = buf[start] >> 4 if n else 0
    if v == 4 and n >= 20:
        return bytes(buf[start + 16:start + 20])
    if v == 6 and n >= 40:
        return bytes(buf[start + 24:start + 40])
    return None


def send_batch(dev, buf, offs, lens, count, now, out):
    """Seal packets 0..count-1 for their peers. Each run of packets for one
    peer that can be sent at once becomes one (ACTION_UDP_BATCH, endpoint,
    first, n) action: messages first..first+n-1 of buf/offs/lens go to
    endpoint. Other packets take the per-packet path (queued behind a
    handshake), whose actions are the usual ones."""
    lookup = dev.allowed_ips.lookup
    mv = memoryview(buf)
    k = 0
    last_dst = None
    peer = None
    while k < count:
        start = offs[k] + TRANSPORT_HEADER_LEN
        dst = _destination(buf, start, lens[k])
        if dst is None:
            dev._drop(DROP_BAD_OUTGOING_PACKET)
            k += 1
            continue
        if dst != last_dst:
            peer = lookup(dst)
            last_dst = dst
        # The run: following packets to the same destination.
        j = k + 1
        while j < count and _destination(buf, offs[j] + TRANSPORT_HEADER_LEN, lens[j]) == dst:
            j += 1
        try:
            _send_run(dev, peer, buf, mv, offs, lens, k, j, now, out)
        except Exception as e:
            dev.last_error = e
            for _ in range(j - k):
                dev._drop(DROP_INTERNAL_ERROR)
        k = j


def _send_run(dev, peer, buf, mv, offs, lens, k, j, now, out):
    if peer is None:
        for _ in range(j - k):
            dev._drop(DROP_NO_ROUTE)
        return
    if peer.endpoint is None:
        for _ in range(j - k):
            dev._drop(DROP_NO_ENDPOINT)
        return
    kp = peer.keypairs.current
    if peer.queue or kp is None or not kp.can_send(now):
        # Behind a handshake or a queue: the per-packet path keeps the order.
        for i in range(k, j):
            start = offs[i] + TRANSPORT_HEADER_LEN
            send_packet(dev, mv[start:start + lens[i]], now, out)
        return
    while k < j:
        counter = kp.send_counter
        n = j - k
        if n > REJECT_AFTER_MESSAGES - counter:
            n = REJECT_AFTER_MESSAGES - counter
        # Where the per-packet path would start a rekey, the run is cut so
        # the initiation goes out between the same two packets.
        # Within REKEY_TIMEOUT of the last initiation there is nothing to cut for.
        last = peer.last_sent_handshake
        if last is None or now - last >= REKEY_TIMEOUT:
            if kp.is_initiator and now - kp.created >= REKEY_AFTER_TIME:
                n = 1
            elif counter + n > REKEY_AFTER_MESSAGES + 1:
                n = max(1, REKEY_AFTER_MESSAGES + 1 - counter)
        seal_batch(buf, offs, lens, k, n, kp.send_key, kp.remote_index, counter, dev.mtu)
        kp.send_counter = counter + n
        sent_bytes = 0
        for i in range(k, k + n):
            sent_bytes += lens[i]
        peer.tx_bytes += sent_bytes
        out.append((ACTION_UDP_BATCH, peer.endpoint, k, n))
        t = peer.timers
        t.any_authenticated_packet_traversal(now, peer.persistent_keepalive)
        t.any_authenticated_packet_sent()
        t.data_sent(now, dev._jitter)
        k += n
        if kp.send_counter >= REJECT_AFTER_MESSAGES and k < j:
            # Counter exhausted: the rest waits for a new session.
            kp.send_valid = False
            for i in range(k, j):
                start = offs[i] + TRANSPORT_HEADER_LEN
                send_packet(dev, mv[start:start + lens[i]], now, out)
            return
        if kp.send_counter > REKEY_AFTER_MESSAGES or (
                kp.is_initiator and now - kp.created >= REKEY_AFTER_TIME):
            send_initiation(dev, peer, now, out, False)

def receive_batch(dev, buf, offs, lens, addrs, count, now, out, tun_offs, tun_lens, results):
    """Datagrams 0..count-1 (from addrs[k] = (host, port)). Transport data is
    opened in place; the IP packets for the tunnel device are written to
    tun_offs/tun_lens (array('I'), at least count long); returns how many.
    Everything else takes the per-packet path and leaves its actions in out.
    results: array('i') scratch of at least count entries."""
    mv = memoryview(buf)
    unpack_from = struct.unpack_from
    ntun = 0
    k = 0
    while k < count:
        p = offs[k]
        n = lens[k]
        if n < TRANSPORT_MIN_LEN or n > MAX_DATAGRAM_LEN or unpack_from("<I", buf, p)[0] != MSG_TRANSPORT:
            receive_datagram(dev, mv[p:p + n], addrs[k], now, out)
            k += 1
            continue
        receiver = unpack_from("<I", buf, p + 4)[0]
        addr = addrs[k]
        j = k + 1
        while j < count:
            q = offs[j]
            m = lens[j]
            if (m < TRANSPORT_MIN_LEN or m > MAX_DATAGRAM_LEN or addrs[j] is not addr
                    or unpack_from("<II", buf, q) != (MSG_TRANSPORT, receiver)):
                break
            j += 1
        try:
            ntun = _receive_run(dev, buf, offs, lens, addr, receiver, k, j, now, out,
                                tun_offs, tun_lens, ntun, results)
        except Exception as e:
            dev.last_error = e
            for _ in range(j - k):
                dev._drop(DROP_INTERNAL_ERROR)
        k = j
    return ntun


def _receive_run(dev, buf, offs, lens, addr, receiver, k, j, now, out, tun_offs, tun_lens, ntun,
                 results):
    kp = dev.indices.get(receiver)
    if not isinstance(kp, Keypair):
        for _ in range(j - k):
            dev._drop(DROP_UNKNOWN_INDEX)
        return ntun
    if not kp.can_receive(now):
        for _ in range(j - k):
            dev._drop(DROP_EXPIRED_KEYPAIR)
        return ntun
    unpack_from = struct.unpack_from
    replay = kp.replay
    check = replay.check
    for i in range(k, j):
        if check(unpack_from("<Q", buf, offs[i] + 8)[0]):
            results[i] = 0
        else:
            results[i] = _SKIP
            dev._drop(DROP_REPLAY)
    open_batch(buf, offs, lens, k, j - k, kp.recv_key, results)
    accept = replay.accept
    peer = kp.peer
    lookup = dev.allowed_ips.lookup
    accepted = 0
    data = 0
    keepalives = 0
    rx = 0
    last_src = None
    for i in range(k, j):
        r = results[i]
        if r < 0:
            if r == _BAD_TAG:
                dev._drop(DROP_BAD_TAG)
            continue
        p = offs[i]
        if not accept(unpack_from("<Q", buf, p + 8)[0]):
            dev._drop(DROP_REPLAY)
            continue
        accepted += 1
        rx += lens[i]
        if r == 0:
            keepalives += 1
            continue
        data += 1
        s = p + TRANSPORT_HEADER_LEN
        # The inner packet: its real length (padding dropped) and source.
        v = buf[s] >> 4
        if v == 4 and r >= 20:
            length = (buf[s + 2] << 8) | buf[s + 3]
            if length < 20 or length > r:
                dev._drop(DROP_BAD_INNER_PACKET)
                continue
            src = bytes(buf[s + 12:s + 16])
        elif v == 6 and r >= 40:
            length = 40 + ((buf[s + 4] << 8) | buf[s + 5])
            if length > r:
                dev._drop(DROP_BAD_INNER_PACKET)
                continue
            src = bytes(buf[s + 8:s + 24])
        else:
            dev._drop(DROP_BAD_INNER_PACKET)
            continue
        # Cryptokey routing, incoming half, looked up once per source.
        if src != last_src:
            if lookup(src) is not peer:
                dev._drop(DROP_SPOOFED_SOURCE)
                continue
            last_src = src
        tun_offs[ntun] = s
        tun_lens[ntun] = length
        ntun += 1
    if not accepted:
        return ntun
    peer.rx_bytes += rx
    transport_authenticated(dev, peer, kp, addr, now, out)
    if keepalives:
        dev._count(COUNT_KEEPALIVE_RECEIVED, keepalives)
    if data:
        t = peer.timers
        t.data_received(now)
        if data > 1:
            t.data_received(now)
    return ntun
