"""wireguard-tools unchanged against router A: `wg show/set/setconf/syncconf` give the same
configuration as the same commands given to wireguard-go, and `wg-quick up/down` works with
WG_QUICK_USERSPACE_IMPLEMENTATION, leaving no process and no socket after `down`."""
import os
import subprocess
import time

from wgdaemon import Daemon

SHOW_FIELDS = ["public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys",
               "endpoints", "allowed-ips", "persistent-keepalive"]


def showconf(daemon):
    """`wg showconf` as {"Interface": {...}, peers by public key: {...}}, order-free."""
    out, section = {}, None
    for line in daemon.wg("showconf", daemon.ifname).splitlines():
        line = line.strip()
        if not line:
            continue
        if line in ("[Interface]", "[Peer]"):
            section = {}
            out.setdefault("peers", [])
            if line == "[Interface]":
                out["Interface"] = section
            else:
                out["peers"].append(section)
            continue
        k, v = [x.strip() for x in line.split("=", 1)]
        section[k] = ",".join(sorted(x.strip() for x in v.split(","))) if k == "AllowedIPs" else v
    out["peers"] = {p["PublicKey"]: p for p in out.get("peers", [])}
    return out


def show_fields(daemon):
    """Each `wg show <if> <field>` as sorted lines; the allowed IPs inside a line sorted too
    (their order is the implementation's table walk, not part of the configuration)."""
    out = {}
    for f in SHOW_FIELDS:
        lines = daemon.wg("show", daemon.ifname, f).splitlines()
        if f == "allowed-ips":
            lines = [l.split("\t")[0] + "\t" + " ".join(sorted(l.split("\t")[1].split())) for l in lines]
        out[f] = sorted(lines)
    return out


def both(daemons, fn):
    for d in daemons:
        fn(d)


def assert_same(mg, ref):
    assert showconf(mg) == showconf(ref)
    assert show_fields(mg) == show_fields(ref)


def test_wg_set_setconf_syncconf_match_wireguard_go(lab, impl_a):
    # Two unconnected nodes: only configuration is compared, nothing is sent.
    mg = Daemon(lab.node("a"), impl_a)
    ref = Daemon(lab.node("ref"), "wireguard-go")
    k = lab.keypair("iface")
    p = [lab.keypair("p%d" % i) for i in range(4)]
    _, psk = lab.psk("p1")

    both((mg, ref), lambda d: d.set(
        "private-key", k.path, "listen-port", "51999", "fwmark", "0x1234",
        "peer", p[0].public, "allowed-ips", "10.9.0.0/24,fd09::/64", "endpoint", "192.0.2.7:1234",
        "persistent-keepalive", "25",
        "peer", p[1].public, "preshared-key", psk, "allowed-ips", "10.8.0.1/32",
        "endpoint", "[2001:db8::1]:51820"))
    assert showconf(mg)["Interface"]["ListenPort"] == "51999"
    assert set(showconf(mg)["peers"]) == {p[0].public, p[1].public}
    assert_same(mg, ref)

    # Replace one peer's allowed IPs, turn keepalive off, remove the other peer, move an address
    # between peers (an allowed IP belongs to one peer only).
    both((mg, ref), lambda d: d.set("peer", p[0].public, "allowed-ips", "10.7.0.0/16,10.8.0.1/32",
                                    "persistent-keepalive", "off"))
    assert showconf(mg)["peers"][p[1].public].get("AllowedIPs") is None
    both((mg, ref), lambda d: d.set("peer", p[1].public, "remove"))
    assert_same(mg, ref)

    conf = """[Interface]
PrivateKey = %s
ListenPort = 52000

[Peer]
PublicKey = %s
AllowedIPs = 10.1.0.0/16, fd01::/48
Endpoint = 198.51.100.1:4000

[Peer]
PublicKey = %s
PresharedKey = %s
AllowedIPs = 10.2.2.2/32
PersistentKeepalive = 7
""" % (k.private, p[2].public, p[3].public, open(psk).read().strip())
    both((mg, ref), lambda d: d.setconf(conf))
    got = showconf(mg)
    assert set(got["peers"]) == {p[2].public, p[3].public}      # setconf replaced p[0]
    assert "FwMark" not in got["Interface"]
    assert_same(mg, ref)

    # syncconf: p[2] dropped, p[0] back, p[3] changed in place.
    conf2 = """[Interface]
PrivateKey = %s
ListenPort = 52000

[Peer]
PublicKey = %s
AllowedIPs = 10.0.0.0/8

[Peer]
PublicKey = %s
AllowedIPs = 10.3.3.3/32
""" % (k.private, p[0].public, p[3].public)
    both((mg, ref), lambda d: d.setconf(conf2, sync=True))
    assert set(showconf(mg)["peers"]) == {p[0].public, p[3].public}
    assert_same(mg, ref)

    # A daemon-side error (listen port taken) reaches `wg` as a failing exit status, as with
    # wireguard-go.
    for d in (mg, ref):
        holder = d.node.popen(["python3", "-c", "import socket,time\n"
                               "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(('0.0.0.0',40000))\n"
                               "print('bound',flush=True);time.sleep(60)"], stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "bound"
        r = d.node.run(["wg", "set", d.ifname, "listen-port", "40000"], check=False)
        assert r.returncode != 0, d.impl.name
        holder.kill()
    # wireguard-go is left with no port at all after this; MicroGuard keeps the one it had.
    if mg.impl.is_microguard:
        assert showconf(mg)["Interface"]["ListenPort"] == "52000"
    mine, theirs = showconf(mg), showconf(ref)
    for conf in (mine, theirs):
        conf["Interface"].pop("ListenPort", None)
    assert mine == theirs


def test_wg_show_reports_live_session(lab, impl_a):
    from topology import two_sites
    pair = two_sites(lab, impl_a)
    assert pair.a.node.wait_ping(pair.b.inner4, timeout=20)
    text = pair.a.daemon.wg("show", "wg0")
    assert "peer: %s" % pair.b.key.public in text
    assert "latest handshake:" in text and "transfer:" in text
    assert "endpoint: %s" % pair.b.endpoint(4) in text
    hs = int(pair.a.daemon.wg("show", "wg0", "latest-handshakes").split()[1])
    assert abs(hs - time.time()) < 30
    rx, tx = [int(x) for x in pair.a.daemon.wg("show", "wg0", "transfer").split()[1:3]]
    b_rx, b_tx = [int(x) for x in pair.b.daemon.wg("show", "wg0", "transfer").split()[1:3]]
    assert rx > 0 and tx > 0
    # Both ends count the same datagrams (at most a keepalive in flight apart).
    assert abs(rx - b_tx) <= 32 and abs(tx - b_rx) <= 32


def test_wg_quick_up_down(lab, impl_a):
    a, b = lab.node("a"), lab.node("b")
    wan_a, wan_b = lab.link(a, b, ["192.168.50.1/24"], ["192.168.50.2/24"])
    ka, kb = lab.keypair("a"), lab.keypair("b")
    db = Daemon(b, "wireguard-go")
    db.set("private-key", kb.path, "listen-port", "51820", "peer", ka.public, "allowed-ips", "10.0.0.1/32,fd10::1/128")
    db.up("10.0.0.2/24", "fd10::2/64")
    conf = lab.path("mgq0.conf")
    with open(conf, "w") as f:
        f.write("""[Interface]
PrivateKey = %s
ListenPort = 51820
Address = 10.0.0.1/24, fd10::1/64

[Peer]
PublicKey = %s
Endpoint = 192.168.50.2:51820
AllowedIPs = 10.0.0.2/32, fd10::2/128, 10.20.0.0/16
""" % (ka.private, kb.public))
    os.chmod(conf, 0o600)
    env = dict(os.environ, WG_QUICK_USERSPACE_IMPLEMENTATION=impl_a.argv[0], **impl_a.env)

    up = a.run(["wg-quick", "up", conf], env=env, timeout=120)
    assert "wg setconf mgq0" in up.stderr
    link = a.ip("-d", "link", "show", "mgq0").stdout
    assert "mtu 1420" in link and "UP" in link
    assert "10.0.0.1/24" in a.ip("addr", "show", "mgq0").stdout
    assert "10.20.0.0/16 dev mgq0" in a.ip("route").stdout
    assert a.wait_ping("10.0.0.2", timeout=20)
    assert a.ping("fd10::2").returncode == 0
    assert kb.public in a.run(["wg", "show", "mgq0", "peers"]).stdout
    workers = [p for p in a.pids() if p != a.holder_pid]
    assert workers, "no daemon left running by wg-quick up"

    a.run(["wg-quick", "down", conf], env=env, timeout=60)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and [p for p in a.pids() if p != a.holder_pid]:
        time.sleep(0.1)
    assert [p for p in a.pids() if p != a.holder_pid] == []
    assert not os.path.exists(a.file("/run/wireguard/mgq0.sock"))
    assert a.ip("link", "show", "mgq0", check=False).returncode != 0
