"""Configurations of country-list size through the real `wg` against router A's daemon: one peer
with 130,000 allowed IPs (IPv4 and IPv6) and 40 peers with 52 each apply with `wg setconf`,
`wg show` lists every entry, and a big request with one bad line changes nothing.

One daemon for the module (each test starts with its own `wg setconf`, which replaces
everything). About 25 s on an idle 2-core machine."""
import os

import pytest

import bigconf
import lab as lablib
import wgdaemon

IMPL_A = os.environ.get("INTEROP_IMPL_A", "microguard")


@pytest.fixture(scope="module")
def daemon():
    with lablib.Lab() as lab:
        yield wgdaemon.Daemon(lab.node("a"), wgdaemon.impl(IMPL_A))


@pytest.fixture(scope="module")
def big():
    return bigconf.one_peer(130000)


@pytest.fixture(scope="module")
def forty():
    return bigconf.many_peers(40, 52)


def setconf(daemon, config):
    path = config.write(daemon.node.lab.path("setconf-%d.conf" % config.count))
    r = daemon.node.run(["wg", "setconf", daemon.ifname, path], check=False, timeout=300)
    assert r.returncode == 0, "wg setconf: %s\n%s" % (r.stderr.strip(), daemon.log())


def shown(daemon):
    r = daemon.node.run(["wg", "show", daemon.ifname, "allowed-ips"], check=False, timeout=300)
    assert r.returncode == 0, r.stderr
    return bigconf.shown_allowed_ips(r.stdout)


def config_state(daemon):
    """Everything `wg show dump` says that a configuration sets (no counters or handshakes)."""
    lines = daemon.wg("show", daemon.ifname, "dump").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        f = line.split("\t")
        out.append("\t".join(f[:3] + [" ".join(sorted(f[3].split(",")))] + f[7:8]))
    return sorted(out)


def test_one_peer_with_130000_allowed_ips(daemon, big):
    setconf(daemon, big)
    got = shown(daemon)
    want = big.expected()
    assert set(got) == set(want)
    for pub in want:
        missing, extra = want[pub] - got[pub], got[pub] - want[pub]
        assert not missing and not extra, "%d missing (%s...), %d extra (%s...)" % (
            len(missing), sorted(missing, key=str)[:3], len(extra), sorted(extra, key=str)[:3])
    assert daemon.alive()


def test_forty_peers_with_52_allowed_ips_each(daemon, forty):
    setconf(daemon, forty)
    assert shown(daemon) == forty.expected()
    assert daemon.alive()


@pytest.mark.skipif(not wgdaemon.impl(IMPL_A).is_microguard,
                    reason="wireguard-go applies a set request line by line, up to a bad line")
def test_invalid_big_request_changes_nothing(daemon, big, forty):
    setconf(daemon, forty)
    before = config_state(daemon)
    sock = daemon.node.file("/run/wireguard/%s.sock" % daemon.ifname)
    # `wg` checks what it sends, so the bad requests go straight to the socket: 130,000 lines
    # that would replace every peer, with one bad line near the end (or at the start).
    for config, bad, at in ((big, "allowed_ip=10.1.2.3/33", big.count - 5), (forty, "listen_port=x", 0)):
        answer = bigconf.uapi_request(sock, bigconf.set_request(config, bad, at))
        assert answer == "errno=-22\n\n", answer[:200]
        assert config_state(daemon) == before
    assert shown(daemon) == forty.expected()
    assert daemon.alive()


def test_big_request_and_get_on_one_connection(daemon, big, forty):
    # A raw client that sends the whole request and a get before reading anything.
    setconf(daemon, forty)
    sock = daemon.node.file("/run/wireguard/%s.sock" % daemon.ifname)
    text = bigconf.uapi_request(sock, bigconf.set_request(big) + "get=1\n\n", answers=2)
    set_answer, get_answer, rest = text.split("\n\n")
    assert set_answer == "errno=0" and rest == "", text[:200]
    lines = get_answer.split("\n")
    assert lines[-1] == "errno=0"
    nets = {l[len("allowed_ip="):] for l in lines if l.startswith("allowed_ip=")}
    assert nets == {str(n) for n in next(iter(big.peers.values()))}
