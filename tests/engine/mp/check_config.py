# wg-quick .conf parsing: the fields, and errors that name the line.
from wireguard import config
from wireguard.config import ConfigError
from wireguard.keys import to_base64, from_base64
from wireguard.ipaddr import parse_prefix, parse_ip
from enginekit import Rng, keypair, WallClock
from wireguard import Device

_rng = Rng(99)
PRIV, PUB = keypair(_rng)
PEER1 = keypair(_rng)[1]
PEER2 = keypair(_rng)[1]
PSK = bytes(range(1, 33))

GOOD = """
# a comment
[Interface]
PrivateKey = %s
ListenPort = 51820
Address = 10.0.0.1/24, fd00::1/64
Address = 10.0.1.1/32
DNS = 1.1.1.1, example.lan
MTU = 1380
FwMark = 0x10
PostUp = iptables -A FORWARD -i %%i -j ACCEPT

[Peer]  # first
publickey = %s
PresharedKey = %s
AllowedIPs = 10.0.0.2/32, fd00::2/128
Endpoint = vpn.example.org:51820
PersistentKeepalive = 25

[peer]
PublicKey = %s
AllowedIPs = 0.0.0.0/0
Endpoint = [2001:db8::1]:4500
PersistentKeepalive = off
""" % (to_base64(PRIV), to_base64(PEER1), to_base64(PSK), to_base64(PEER2))


def test_parse_good_config():
    cfg = config.parse(GOOD)
    i = cfg.interface
    assert i.private_key == PRIV and i.listen_port == 51820 and i.mtu == 1380 and i.fwmark == 16
    assert i.addresses == [parse_prefix("10.0.0.1/24"), parse_prefix("fd00::1/64"),
                           parse_prefix("10.0.1.1/32")]
    assert i.dns == ["1.1.1.1", "example.lan"]
    assert i.post_up == ["iptables -A FORWARD -i %i -j ACCEPT"]
    p1, p2 = cfg.peers
    assert p1.public_key == PEER1 and p1.preshared_key == PSK
    assert p1.endpoint == ("vpn.example.org", 51820) and p1.persistent_keepalive == 25
    assert p1.allowed_ips == [(parse_ip("10.0.0.2"), 32), (parse_ip("fd00::2"), 128)]
    assert p2.endpoint == ("2001:db8::1", 4500) and p2.persistent_keepalive == 0
    assert p2.preshared_key is None


def test_apply_to_device():
    cfg = config.parse(GOOD)
    dev = Device(None, rng=Rng(1), wall_clock=WallClock())
    assert config.apply_to(cfg, dev) == 0
    assert dev.public_key == PUB and dev.listen_port == 51820 and dev.mtu == 1380
    assert [p.public_key for p in dev.peers()] == [PEER1, PEER2]
    assert dev.allowed_ips.lookup(parse_ip("10.0.0.2")).public_key == PEER1
    assert dev.allowed_ips.lookup(parse_ip("8.8.8.8")).public_key == PEER2


def _error_line(text):
    try:
        config.parse(text)
    except ConfigError as e:
        assert str(e).startswith("line %d:" % e.line_no), str(e)
        return e.line_no, str(e)
    raise AssertionError("no error for:\n" + text)


def test_errors_name_the_line():
    key = to_base64(PEER1)
    cases = [
        ("[Interface]\nPrivateKey = abc\n", 2, "PrivateKey"),
        ("[Interface]\nListenPort = 99999\n", 2, "ListenPort"),
        ("[Interface]\nListenPort = port\n", 2, "ListenPort"),
        ("PrivateKey = %s\n" % key, 1, "outside"),
        ("[Interface]\nFoo = bar\n", 2, "unknown key Foo"),
        ("[Interface]\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/33\n" % key, 5, "AllowedIPs"),
        ("[Peer]\nPublicKey = %s\nEndpoint = nohostport\n" % key, 3, "Endpoint"),
        ("[Peer]\nPublicKey = %s\nPersistentKeepalive = 70000\n" % key, 3, "PersistentKeepalive"),
        ("[Peer]\nAllowedIPs = 10.0.0.0/8\n", 1, "without PublicKey"),
        ("[Peer]\nPublicKey = %s\n[Peer]\nPublicKey = %s\n" % (key, key), 3, "duplicate"),
        ("[Interface]\n[Interface]\n", 2, "more than one"),
        ("[Wat]\n", 1, "unknown section"),
        ("[Interface\n", 1, "malformed"),
        ("[Interface]\njust words\n", 2, "Key = Value"),
        ("[Peer]\nPublicKey = %s\n" % key[:-2], 2, "PublicKey"),
    ]
    for text, line, words in cases:
        got_line, msg = _error_line(text)
        assert got_line == line, (text, got_line, msg)
        assert words in msg, (words, msg)


def test_keys_text_forms():
    assert from_base64(to_base64(PUB)) == PUB
    for bad in ("", "A" * 44, "A" * 43 + "!", to_base64(PUB)[:-1]):
        try:
            from_base64(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
