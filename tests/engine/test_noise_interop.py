"""The engine's handshake against an independent Noise implementation.

Runs under CPython: the engine (firmware/wireguard) with the pure-Python
wgcrypto fallback on one side, the `noiseprotocol` package's
Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s on the other. WireGuard's framing
(type, indices, MAC1) is built here with hashlib, independently of the
engine's own code.
"""
import hashlib
import struct
import sys
import time

import pytest

from mpcases import FIRMWARE_DIR

noise_connection = pytest.importorskip("noise.connection")
if FIRMWARE_DIR not in sys.path:
    sys.path.insert(0, FIRMWARE_DIR)

wireguard = pytest.importorskip("wireguard")
from wireguard import Device  # noqa: E402
from wireguard.crypto import x25519_base, clamp  # noqa: E402
from wireguard.ipaddr import parse_prefix  # noqa: E402
from wireguard.outcomes import ACTION_UDP, ACTION_TUN  # noqa: E402

PROTOCOL = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
WALL = (1700000000, 123456789)


def mac1(receiver_public, msg_without_macs):
    key = hashlib.blake2s(b"mac1----" + receiver_public).digest()
    return hashlib.blake2s(msg_without_macs, digest_size=16, key=key).digest()


def ipv4(src, dst, payload):
    total = 20 + len(payload)
    return (bytes([0x45, 0, total >> 8, total & 0xFF, 0, 0, 0, 0, 64, 17, 0, 0])
            + bytes(int(x) for x in src.split(".")) + bytes(int(x) for x in dst.split("."))
            + payload)


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, size):
        self.n += 1
        return hashlib.blake2s(struct.pack("<I", self.n), digest_size=32).digest()[:size].ljust(size, b"\x00")


def noise_party(initiator, local_private, remote_public, psk):
    conn = noise_connection.NoiseConnection.from_name(PROTOCOL)
    if initiator:
        conn.set_as_initiator()
    else:
        conn.set_as_responder()
    conn.set_prologue(IDENTIFIER)
    conn.set_keypair_from_private_bytes(noise_connection.Keypair.STATIC, local_private)
    if remote_public is not None:
        conn.set_keypair_from_public_bytes(noise_connection.Keypair.REMOTE_STATIC, remote_public)
    conn.set_psks(psk)
    conn.start_handshake()
    return conn


@pytest.fixture
def keys():
    rng = Counter()
    a_priv, b_priv = clamp(rng(32)), clamp(rng(32))
    return a_priv, x25519_base(a_priv), b_priv, x25519_base(b_priv), bytes(range(100, 132))


def test_noise_initiator_engine_responder(keys):
    a_priv, a_pub, b_priv, b_pub, psk = keys
    dev = Device(b_priv, rng=Counter(), wall_clock=lambda: WALL)
    dev.add_peer(a_pub, psk, None, 0, [parse_prefix("10.0.0.1/32")])
    conn = noise_party(True, a_priv, b_pub, psk)
    tai64n = struct.pack(">QI", 0x400000000000000A + int(time.time()), 0)
    body = b"\x01\x00\x00\x00" + struct.pack("<I", 0x11223344) + conn.write_message(tai64n)
    init = body + mac1(b_pub, body) + bytes(16)
    assert len(init) == 148
    out = dev.receive_datagram(init, ("192.0.2.1", 1), 10.0)
    assert dev.last_error is None and len(out) == 1, dev.drops
    resp = out[0][2]
    assert resp[:4] == b"\x02\x00\x00\x00" and len(resp) == 92
    assert resp[8:12] == struct.pack("<I", 0x11223344)
    assert resp[60:76] == mac1(a_pub, bytes(resp[:60]))
    assert conn.read_message(bytes(resp[12:60])) == b""
    assert conn.handshake_finished
    # Data from the Noise side, sealed with its split() keys.
    pkt = ipv4("10.0.0.1", "10.0.0.2", b"noise says hi")
    data = b"\x04\x00\x00\x00" + bytes(resp[4:8]) + struct.pack("<Q", 0) + conn.encrypt(pkt)
    got = dev.receive_datagram(data, ("192.0.2.1", 1), 10.1)
    assert [bytes(a[1]) for a in got if a[0] == ACTION_TUN] == [pkt]
    # And back.
    reply = ipv4("10.0.0.2", "10.0.0.1", b"engine answers")
    sent = dev.send_packet(reply, 10.2)[0][2]
    assert sent[4:8] == struct.pack("<I", 0x11223344)
    plain = conn.decrypt(bytes(sent[16:]))
    assert plain[:len(reply)] == reply and len(plain) % 16 == 0


def test_engine_initiator_noise_responder(keys):
    a_priv, a_pub, b_priv, b_pub, psk = keys
    dev = Device(a_priv, rng=Counter(), wall_clock=lambda: WALL)
    dev.add_peer(b_pub, psk, ("192.0.2.2", 2), 0, [parse_prefix("10.0.0.2/32")])
    pkt = ipv4("10.0.0.1", "10.0.0.2", b"engine first")
    out = dev.send_packet(pkt, 10.0)
    init = out[0][2]
    assert len(init) == 148 and init[116:132] == mac1(b_pub, bytes(init[:116]))
    conn = noise_party(False, b_priv, None, psk)
    stamp = conn.read_message(bytes(init[8:116]))
    sec, nsec = struct.unpack(">QI", stamp)
    assert sec - 0x400000000000000A == WALL[0] and nsec <= WALL[1]
    assert conn.noise_protocol.handshake_state.rs.public_bytes == a_pub
    body = (b"\x02\x00\x00\x00" + struct.pack("<I", 0x55667788) + bytes(init[4:8])
            + conn.write_message(b""))
    resp = body + mac1(a_pub, body) + bytes(16)
    out = dev.receive_datagram(resp, ("192.0.2.2", 2), 10.1)
    assert dev.last_error is None, dev.drops
    data = [a[2] for a in out if a[0] == ACTION_UDP]
    assert len(data) == 1 and data[0][4:8] == struct.pack("<I", 0x55667788)
    plain = conn.decrypt(bytes(data[0][16:]))
    assert plain[:len(pkt)] == pkt
    back = ipv4("10.0.0.2", "10.0.0.1", b"noise replies")
    msg = b"\x04\x00\x00\x00" + bytes(init[4:8]) + struct.pack("<Q", 0) + conn.encrypt(back)
    got = dev.receive_datagram(msg, ("192.0.2.2", 2), 10.2)
    assert [bytes(a[1]) for a in got if a[0] == ACTION_TUN] == [back]
