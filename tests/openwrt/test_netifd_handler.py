"""The netifd protocol handler (/lib/netifd/proto/microguard.sh) under busybox sh
and dash, with netifd's and UCI's shell functions replaced by recording stubs
(netifd_stubs.sh): for several /etc/config/network files, the daemon config it
writes, the command netifd is asked to run, addresses, routes, host
dependencies and errors."""
import base64
import os
import shutil
import subprocess

import pytest

import owrt

SHELLS = {"busybox-sh": ["busybox", "sh"], "dash": ["dash"]}
pytestmark = pytest.mark.skipif(not (shutil.which("busybox") and shutil.which("dash")),
                                reason="needs busybox and dash")


def key(n):
    return base64.b64encode(bytes([n]) * 32).decode()


PRIV, PUB1, PUB2, PUB3, PUB4, PSK = key(1), key(2), key(3), key(4), key(5), key(6)


@pytest.fixture(params=sorted(SHELLS))
def shell(request):
    return SHELLS[request.param]


def run(shell, tmp_path, uci, **kw):
    return owrt.run_handler(shell, str(tmp_path / "h"), uci, **kw)


CLIENT = """
config interface 'wg0'
	option proto 'microguard'
	option private_key '%(PRIV)s'
	option listen_port '51820'
	list addresses '10.8.0.2/24'
	list addresses 'fd08::2/64'
	option mtu '1380'
	option fwmark '0x51820'

config wireguard_wg0 'vpn'
	option description 'home'
	option public_key '%(PUB1)s'
	option preshared_key '%(PSK)s'
	list allowed_ips '0.0.0.0/0'
	list allowed_ips '::/0'
	option route_allowed_ips '1'
	option endpoint_host '203.0.113.5'
	option endpoint_port '51000'
	option persistent_keepalive '25'
""" % globals()


def test_client_config(shell, tmp_path):
    r = run(shell, tmp_path, CLIENT)
    assert r.returncode == 0, r.proc.stderr
    assert r.conf_sections() == [
        ("Interface", [("PrivateKey", PRIV), ("ListenPort", "51820"), ("FwMark", "0x51820"),
                       ("MTU", "1380"), ("Table", "off")]),
        ("Peer", [("PublicKey", PUB1), ("PresharedKey", PSK), ("AllowedIPs", "0.0.0.0/0"),
                  ("AllowedIPs", "::/0"), ("Endpoint", "203.0.113.5:51000"),
                  ("PersistentKeepalive", "25")]),
    ]
    assert r.conf_mode == "600", "the file holds the private key"
    conf_path = os.path.join(r.workdir, "run", "wg0.conf")
    assert r.named("proto_run_command") == [("wg0", "/usr/sbin/microguard", "-f", "--config",
                                             conf_path, "wg0")]
    assert not os.path.exists(conf_path), "removed once the daemon has read it"
    assert r.named("proto_init_update") == [("wg0", "1")]
    assert r.named("proto_add_ipv4_address") == [("10.8.0.2", "24")]
    assert r.named("proto_add_ipv6_address") == [("fd08::2", "64")]
    assert r.named("proto_add_ipv4_route") == [("0.0.0.0", "0")]
    assert r.named("proto_add_ipv6_route") == [("::", "0")]
    assert r.named("proto_add_host_dependency") == [("wg0", "203.0.113.5", "")]
    assert r.named("proto_send_update") == [("wg0",)]
    names = [c[0] for c in r.calls]
    # netifd learns the device only after the daemon created it.
    assert names.index("proto_run_command") < names.index("proto_init_update") \
        < names.index("proto_add_ipv4_address") < names.index("proto_send_update")
    assert [c[1] for c in r.named("uci")] == ["get"], "an existing key is only read"
    assert not r.named("proto_notify_error")


SITE = """
config interface 'wg1'
	option proto 'microguard'
	option private_key '%(PRIV)s'
	list addresses '10.9.0.1/24'
	option nohostroute '0'
	option tunlink 'wan'

config wireguard_wg1
	option public_key '%(PUB1)s'
	list allowed_ips '10.9.0.2/32'
	list allowed_ips '192.168.2.0/24'
	option route_allowed_ips '1'
	option endpoint_host 'nosuch-peer.invalid'

config microguard_wg1 'laptop'
	option public_key '%(PUB2)s'
	list allowed_ips '10.9.0.3'
	list allowed_ips 'fd09::3'
	option route_allowed_ips '1'
	option endpoint_host 'fd00:50::9'

config wireguard_wg1 'off'
	option public_key '%(PUB3)s'
	list allowed_ips '10.9.0.4/32'
	option route_allowed_ips '1'
	option disabled '1'

config wireguard_wg1 'nokey'
	list allowed_ips '10.9.0.5/32'

config wireguard_wg1 'phone'
	option public_key '%(PUB4)s'
	list allowed_ips '10.9.0.6/32'
	option endpoint_host 'phone.example.test'
	option endpoint_port '4500'
	option route_allowed_ips '0'

config wireguard_wg0 'other'
	option public_key '%(PUB3)s'
	list allowed_ips '10.7.0.0/24'
""" % globals()


def test_peers_across_sections(shell, tmp_path):
    r = run(shell, tmp_path, SITE, ifname="wg1", hosts={"phone.example.test": "198.51.100.7"})
    assert r.returncode == 0, r.proc.stderr
    peers = r.peers()
    assert [p["PublicKey"] for p in peers] == [PUB1, PUB4, PUB2], \
        "wireguard_wg1 sections, then microguard_wg1; disabled and keyless ones left out"
    assert peers[0]["Endpoint"] == "nosuch-peer.invalid:51820", "default port, name kept for the daemon"
    assert peers[0]["AllowedIPs"] == ["10.9.0.2/32", "192.168.2.0/24"]
    assert peers[1]["Endpoint"] == "phone.example.test:4500"
    assert peers[2]["Endpoint"] == "[fd00:50::9]:51820"
    assert peers[2]["AllowedIPs"] == ["10.9.0.3", "fd09::3"]
    assert "PresharedKey" not in peers[0] and "PersistentKeepalive" not in peers[0]
    assert dict(r.conf_sections()[0][1]) == {"PrivateKey": PRIV, "Table": "off"}
    assert r.named("proto_add_ipv4_route") == [("10.9.0.2", "32"), ("192.168.2.0", "24"),
                                               ("10.9.0.3", "32")]
    assert r.named("proto_add_ipv6_route") == [("fd09::3", "128")]
    # The unresolvable name gets no host route and stops nothing; the others do get one.
    assert r.named("resolveip") == [("nosuch-peer.invalid",), ("phone.example.test",)]
    assert r.named("proto_add_host_dependency") == [("wg1", "198.51.100.7", "wan"),
                                                    ("wg1", "fd00:50::9", "wan")]
    assert r.named("proto_send_update") == [("wg1",)]
    logs = " ".join(c[-1] for c in r.named("logger"))
    assert "disabled" in logs and "public_key missing" in logs


def test_nohostroute_and_ip6prefix(shell, tmp_path):
    uci = SITE.replace("option nohostroute '0'", "option nohostroute '1'\n\tlist ip6prefix 'fd77::/48'")
    r = run(shell, tmp_path, uci, ifname="wg1", hosts={"phone.example.test": "198.51.100.7"})
    assert r.returncode == 0
    assert not r.named("proto_add_host_dependency") and not r.named("resolveip")
    assert r.named("proto_add_ipv6_prefix") == [("fd77::/48",)]


@pytest.mark.parametrize("value", ["generate", None])
def test_private_key_generated_and_saved(shell, tmp_path, installed, value):
    root = installed["mipsel_24kc"]
    line = "\toption private_key 'generate'\n" if value else ""
    uci = "config interface 'wg0'\n\toption proto 'microguard'\n%s" % line + \
        "config wireguard_wg0\n\toption public_key '%s'\n\tlist allowed_ips '10.0.0.1/32'\n" % PUB1
    r = run(shell, tmp_path, uci, env={"MG_BIN": root + "/usr/sbin/microguard",
                                       "MICROGUARD_LIB": root + "/usr/lib/microguard",
                                       "MICROGUARD_RUNNER": "qemu-mipsel-static"})
    assert r.returncode == 0, r.proc.stderr
    sets = [c for c in r.named("uci") if c[1] == "set"]
    assert len(sets) == 1 and sets[0][2].startswith("network.wg0.private_key=")
    new_key = sets[0][2].split("=", 1)[1]
    assert len(base64.b64decode(new_key)) == 32
    assert ("-q", "commit", "network") in r.named("uci")
    assert dict(r.conf_sections()[0][1])["PrivateKey"] == new_key
    pub = subprocess.run(["wg", "pubkey"], input=new_key, capture_output=True, text=True)
    assert pub.returncode == 0


def test_bad_private_key_is_an_error(shell, tmp_path):
    uci = CLIENT.replace(PRIV, "not-a-key")
    r = run(shell, tmp_path, uci)
    assert r.returncode == 1
    assert r.named("proto_notify_error") == [("wg0", "INVALID_PRIVATE_KEY")]
    assert r.named("proto_block_restart") == [("wg0",)]
    assert not r.named("proto_run_command") and not r.named("proto_init_update")


def test_daemon_that_does_not_come_up(shell, tmp_path):
    r = run(shell, tmp_path, CLIENT, env={"STUB_FAKE_UP": "0", "MG_READY_TIMEOUT": "1"})
    assert r.returncode == 1
    assert r.named("proto_notify_error") == [("wg0", "DAEMON_START_FAILED")]
    assert r.named("proto_kill_command") == [("wg0",)]
    assert not r.named("proto_init_update") and not r.named("proto_send_update")
    assert not os.path.exists(os.path.join(r.workdir, "run", "wg0.conf"))


def test_heap_and_log_level(shell, tmp_path):
    uci = CLIENT.replace("option mtu '1380'", "option heap '2M'\n\toption log_level 'info'")
    r = run(shell, tmp_path, uci)
    assert r.returncode == 0
    cmd = r.named("proto_run_command")[0]
    assert cmd[1:5] == ("env", "LOG_LEVEL=info", "env", "MICROGUARD_HEAP=2M")
    assert cmd[5] == "/usr/sbin/microguard"
    assert "MTU" not in dict(r.conf_sections()[0][1]), "no mtu option: the daemon's default"


def test_malformed_values_never_reach_the_config(shell, tmp_path):
    uci = """
config interface 'wg0'
	option proto 'microguard'
	option private_key '%(PRIV)s'
	option listen_port '51820; reboot'
	option mtu 'big'
	option heap '$(reboot)'
	option fwmark '0xZZ'
	list addresses '10.0.0.2/24'
	list addresses '$(touch /tmp/x)'

config wireguard_wg0
	option public_key '%(PUB1)s'
	option preshared_key 'short'
	list allowed_ips '10.0.0.1/32'
	list allowed_ips '10.0.0.0/8 [Interface]'
	option endpoint_host 'evil.example PrivateKey=x'
	option persistent_keepalive 'often'
	option route_allowed_ips '1'
""" % globals()
    r = run(shell, tmp_path, uci)
    assert r.returncode == 0, r.proc.stderr
    assert r.conf_sections() == [
        ("Interface", [("PrivateKey", PRIV), ("Table", "off")]),
        ("Peer", [("PublicKey", PUB1), ("AllowedIPs", "10.0.0.1/32"), ("AllowedIPs", "10.0.0.0/8")]),
    ]
    assert r.named("proto_add_ipv4_address") == [("10.0.0.2", "24")]
    assert r.named("proto_run_command")[0][1] == "/usr/sbin/microguard"


def test_log_lines_keep_backslashes_in_values(shell, tmp_path):
    # dash's echo expanded a backslash in a logged value into a form feed, splitting the line.
    uci = r"""
config interface 'wg0'
	option proto 'microguard'
	option private_key '%(PRIV)s'

config wireguard_wg0
	option public_key '%(PUB1)s'
	list allowed_ips '\fd08::1'
	list allowed_ips '10.0.0.0/8\nX'
""" % globals()
    r = run(shell, tmp_path, uci)
    assert r.returncode == 0, r.proc.stderr
    lines = r.proc.stderr.splitlines()
    assert any(l.endswith("malformed allowed_ips entry '\\fd08::1' ignored") for l in lines), lines
    assert any(l.endswith("malformed allowed_ips entry '10.0.0.0/8\\nX' ignored") for l in lines), lines
    assert all(l.startswith("microguard: ") for l in lines), lines


def test_teardown_stops_the_daemon(shell, tmp_path):
    r = run(shell, tmp_path, CLIENT, action="teardown")
    assert r.returncode == 0
    assert r.named("proto_kill_command") == [("wg0",)]


def test_init_config_declares_wireguard_options(shell, tmp_path):
    r = run(shell, tmp_path, CLIENT, action="init_config")
    declared = {c[0] for c in r.calls if c[0].startswith("proto_config_add")}
    assert declared
    names = {c[1]: c[0] for c in r.calls if c[0].startswith("proto_config_add")}
    for opt in ("private_key", "listen_port", "mtu", "fwmark", "addresses", "ip6prefix",
                "nohostroute", "tunlink"):
        assert opt in names, opt
    assert names["listen_port"] == names["mtu"] == "proto_config_add_int"
    assert r.named("available") == [("1",)]
    assert r.named("no_proto_task") == [("",)], "the daemon is netifd's proto task"
