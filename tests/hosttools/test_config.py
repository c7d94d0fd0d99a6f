"""mgtool config: rendering a site description, and every validation error names its line."""
import json
import os
import shutil
import subprocess

import pytest

from mgtool_run import assert_one_error_line, assert_one_site_problem, mgtool, site_problems

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SITE = os.path.join(DATA, "site.toml")


def wg_pubkey(priv):
    return subprocess.run(["wg", "pubkey"], input=priv, capture_output=True, text=True, check=True).stdout.strip()


def site_text():
    with open(SITE) as f:
        return f.read()


def write_site(tmp_path, text):
    p = tmp_path / "site.toml"
    p.write_text(text)
    return str(p)


def line_of(text, fragment, nth=1):
    hits = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return hits[nth - 1]


def test_writes_every_device_config(tmp_path):
    r = mgtool("config", SITE, "--out", str(tmp_path), check=0)
    names = sorted(os.listdir(tmp_path))
    assert names == ["laptop.conf", "phone.conf", "router.conf", "router.uci", "sensor.json"]
    assert r.stdout.count("wrote ") == 5
    assert oct(os.stat(tmp_path / "router.conf").st_mode & 0o777) == "0o600"


def test_wg_quick_configs_agree_with_wg(tmp_path):
    mgtool("config", SITE, "--out", str(tmp_path), check=0)
    router = (tmp_path / "router.conf").read_text()
    phone = (tmp_path / "phone.conf").read_text()
    # wg-quick itself accepts the files (strip parses the whole [Interface]/[Peer] syntax).
    shutil.copy(tmp_path / "phone.conf", tmp_path / "wgp0.conf")
    r = subprocess.run(["wg-quick", "strip", str(tmp_path / "wgp0.conf")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Address" not in r.stdout and "Endpoint = vpn.example.net:51820" in r.stdout
    # The router lists the phone under the public key wg derives from the phone's private key.
    phone_priv = phone.split("PrivateKey = ")[1].split()[0]
    router_priv = router.split("PrivateKey = ")[1].split()[0]
    assert "PublicKey = %s" % wg_pubkey(phone_priv) in router
    assert "PublicKey = %s" % wg_pubkey(router_priv) in phone
    # Same preshared key on both ends; the phone (no endpoint) keeps its NAT mapping alive.
    psk = "siZWHjA4/mszIMDVdqoS3GKhOts5rj9cEhL4HqLyWa8="
    assert router.count("PresharedKey = " + psk) == 1 and phone.count("PresharedKey = " + psk) == 1
    assert "PersistentKeepalive = 25" in phone and "PersistentKeepalive" not in router
    # The phone routes the whole VPN and the router's LAN to the hub; the hub routes one host to it.
    assert "AllowedIPs = 10.8.0.0/24, 192.168.8.0/24" in phone
    assert "AllowedIPs = 10.8.0.2/32" in router


def test_uci_uses_openwrt_wireguard_options():
    out = mgtool("config", SITE, "-d", "router", "-f", "uci", check=0).stdout
    lines = out.splitlines()
    assert "set network.wg0=interface" in lines
    assert "set network.wg0.private_key='iAxJyHwjlR4oV9OBvIJJE3otgTUYA8flxtz005+up20='" in lines
    assert "add_list network.wg0.addresses='10.8.0.1/24'" in lines
    assert "set network.wg0.listen_port='51820'" in lines and "set network.wg0.mtu='1420'" in lines
    assert "set network.wg0_phone=wireguard_wg0" in lines
    assert "set network.wg0_phone.preshared_key='siZWHjA4/mszIMDVdqoS3GKhOts5rj9cEhL4HqLyWa8='" in lines
    assert "add_list network.wg0_sensor.allowed_ips='10.8.0.10/32'" in lines
    assert "set network.wg0_laptop.route_allowed_ips='1'" in lines
    assert "set network.wg0_sensor.public_key='fSIK9yFyySKhHBZV4jprcSsiRqZ5OqXoHz8JMNJqzUI='" in lines
    options = {line.split("=")[0].split(".")[-1] for line in lines if line.startswith(("set network.wg0_", "add_list network.wg0_"))}
    assert options <= {"wg0_phone", "wg0_laptop", "wg0_sensor", "description", "public_key", "preshared_key",
                       "allowed_ips", "route_allowed_ips", "endpoint_host", "endpoint_port", "persistent_keepalive"}


def test_board_config_holds_tunnel_arguments_and_no_private_key():
    cfg = json.loads(mgtool("config", SITE, "-d", "sensor", check=0).stdout)
    router_pub = wg_pubkey("iAxJyHwjlR4oV9OBvIJJE3otgTUYA8flxtz005+up20=")
    assert cfg["peer_public_key"] == router_pub
    assert cfg["endpoint"] == "vpn.example.net:51820"
    assert cfg["address"] == "10.8.0.10/24"
    assert cfg["allowed_ips"] == ["10.8.0.0/24", "192.168.8.0/24"]
    assert cfg["keepalive"] == 25 and cfg["preshared_key"] is None
    assert cfg["private_key_file"] == "wg_key" and "private_key" not in cfg


def qr_rows_to_matrix(rows):
    """Printed half-block rows back to a module matrix (True = dark); inverted print: space is dark."""
    top = {"█": 0, "▀": 0, "▄": 1, " ": 1, "\xa0": 1}
    bottom = {"█": 0, "▀": 1, "▄": 0, " ": 1, "\xa0": 1}
    matrix = []
    for r in rows:
        matrix.append([bool(top[c]) for c in r])
        matrix.append([bool(bottom[c]) for c in r])
    return matrix


def test_qr_code_for_the_phone_encodes_its_wg_quick_config():
    import qrcode
    out = mgtool("config", SITE, "-d", "phone", "--qr", check=0).stdout
    rows = [r for r in out.splitlines() if r and set(r) <= set("█▀▄ \xa0")]
    assert len(rows) > 20 and len({len(r) for r in rows}) == 1     # a square block of modules
    assert "WireGuard app" in out
    conf = mgtool("config", SITE, "-d", "phone", check=0).stdout
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=2)
    code.add_data(conf)
    code.make(fit=True)
    want = code.get_matrix()
    got = qr_rows_to_matrix(rows)[:len(want)]
    assert got == want


def test_check_reports_counts():
    out = mgtool("config", SITE, "--check", check=0).stdout
    assert "4 devices, 3 peerings, no problems found" in out


# --- errors: one line each, naming the file, line and column --------------------------------------------------

def test_overlapping_allowed_ips(tmp_path):
    text = site_text().replace('dns = ["10.8.0.1"]', 'dns = ["10.8.0.1"]\nroutes = ["192.168.50.128/25"]')
    text = text.replace('address = "10.8.0.3/24"', 'address = "10.8.0.3/24"\nroutes = ["192.168.50.0/24"]')
    path = write_site(tmp_path, text)
    line = assert_one_site_problem(mgtool("config", path, "--check"), "overlapping allowed IPs on 'router'",
                                 "192.168.50.0/24 (peer 'laptop')", "192.168.50.128/25 (peer 'phone'")
    assert line.startswith("%s:%d:" % (path, line_of(text, 'routes = ["192.168.50.0/24"]')))


def test_overlapping_allowed_ips_between_two_spokes(tmp_path):
    text = site_text().replace('address = "10.8.0.3/24"', 'address = "10.8.0.2/24"')
    path = write_site(tmp_path, text)
    line = assert_one_site_problem(mgtool("config", path, "--check"), "overlapping allowed IPs on 'router'",
                                 "10.8.0.2/32")
    assert line.startswith("%s:%d:" % (path, line_of(text, 'address = "10.8.0.2/24"', 2)))


def test_duplicate_private_key(tmp_path):
    text = site_text().replace("QJn5IP5WIF/AEnHboBBDwLGl8KLsDOLyZfANX3yBNXA=",
                               "8ApXLIVblMOUww26o5uKyu9VygFykcvSRHRyXt4u3kQ=")
    path = write_site(tmp_path, text)
    line = assert_one_site_problem(mgtool("config", path, "--check"), "duplicate key", "'laptop'", "'phone'")
    assert ":%d:" % line_of(text, "8ApXLIVblMOUww26o5uKyu9VygFykcvSRHRyXt4u3kQ=", 2) in line
    assert "line %d" % line_of(text, "8ApXLIVblMOUww26o5uKyu9VygFykcvSRHRyXt4u3kQ=", 1) in line


def test_duplicate_public_key_given_as_public_key(tmp_path):
    router_pub = wg_pubkey("iAxJyHwjlR4oV9OBvIJJE3otgTUYA8flxtz005+up20=")
    text = site_text().replace("fSIK9yFyySKhHBZV4jprcSsiRqZ5OqXoHz8JMNJqzUI=", router_pub)
    path = write_site(tmp_path, text)
    line = assert_one_site_problem(mgtool("config", path, "--check"), "duplicate key", "'sensor'", "'router'")
    assert ":%d:" % line_of(text, router_pub) in line


def test_preshared_key_that_is_a_device_key(tmp_path):
    text = site_text().replace('preshared_key = "siZWHjA4/mszIMDVdqoS3GKhOts5rj9cEhL4HqLyWa8="',
                               'preshared_key = "QJn5IP5WIF/AEnHboBBDwLGl8KLsDOLyZfANX3yBNXA="')
    path = write_site(tmp_path, text)
    line = assert_one_site_problem(mgtool("config", path, "--check"), "duplicate key", "'laptop'")
    assert ":%d:" % line_of(text, "preshared_key = ") in line


@pytest.mark.parametrize("endpoint,reason", [
    ("vpn.example.net", "has no port"),
    ("vpn.example.net:0", "port '0'"),
    ("vpn.example.net:70000", "port '70000'"),
    ("vpn.example.net:http", "port 'http'"),
    ("300.1.2.3:51820", "not an IPv4 address"),
    ("fe80::1:51820", "[address]:port"),
    ("[fe80::zz]:51820", "not an IPv6 address"),
    ("bad_host!.net:51820", "not a valid host name"),
    (":51820", "has no port"),
])
def test_bad_endpoints(tmp_path, endpoint, reason):
    text = site_text().replace('endpoint = "vpn.example.net:51820"', 'endpoint = "%s"' % endpoint)
    path = write_site(tmp_path, text)
    line = assert_one_site_problem(mgtool("config", path, "--check"), "bad endpoint", reason)
    assert line.startswith("%s:%d:" % (path, line_of(text, "endpoint = ")))


def test_good_endpoints_ipv6_and_ipv4(tmp_path):
    for ep, shown in (("[2001:db8::1]:51820", "Endpoint = [2001:db8::1]:51820"),
                      ("192.0.2.7:4500", "Endpoint = 192.0.2.7:4500")):
        text = site_text().replace('endpoint = "vpn.example.net:51820"', 'endpoint = "%s"' % ep)
        path = write_site(tmp_path, text)
        assert shown in mgtool("config", path, "-d", "phone", check=0).stdout


def test_config_that_does_not_parse(tmp_path):
    text = site_text().replace('kind = "phone"', 'kind = "phone\n')
    path = write_site(tmp_path, text)
    line = assert_one_site_problem(mgtool("config", path, "--check"))
    assert line.startswith("%s:%d:" % (path, line_of(text, 'kind = "phone')))


def test_toml_duplicate_key_names_the_line(tmp_path):
    text = site_text().replace('kind = "linux"', 'kind = "linux"\nkind = "phone"')
    path = write_site(tmp_path, text)
    line = assert_one_site_problem(mgtool("config", path, "--check"))
    assert ":%d:" % line_of(text, 'kind = "phone"', 2) in line


@pytest.mark.parametrize("old,new,fragments,at", [
    ('kind = "linux"', 'kind = "linux"\nmtu_size = 1400', ["unknown device field 'mtu_size'"], "mtu_size"),
    ('kind = "linux"', 'kind = "toaster"', ["kind 'toaster'"], 'kind = "toaster"'),
    ('address = "10.8.0.3/24"', 'address = "10.8.0.300/24"', ["not an IP address"], "10.8.0.300"),
    ('address = "10.8.0.3/24"', 'address = "10.8.0.3"', ["needs a prefix length"], 'address = "10.8.0.3"'),
    ('routes = ["192.168.8.0/24"]', 'routes = ["192.168.8.1/24"]', ["host bits"], "192.168.8.1/24"),
    ('private_key = "QJn5IP5WIF/AEnHboBBDwLGl8KLsDOLyZfANX3yBNXA="', 'private_key = "QJn5IP5WIF"',
     ["not a WireGuard key"], 'private_key = "QJn5IP5WIF"'),
    ('b = "laptop"', 'b = "lapto"', ["names no device"], 'b = "lapto"'),
    ('a = "router"\nb = "sensor"', 'a = "laptop"\nb = "sensor"', ["peer 'laptop' has no endpoint"],
     'name = "sensor"'),
])
def test_other_mistakes_name_their_line(tmp_path, old, new, fragments, at):
    text = site_text()
    assert old in text
    text = text.replace(old, new)
    path = write_site(tmp_path, text)
    line = assert_one_site_problem(mgtool("config", path, "--check"), *fragments)
    assert line.startswith("%s:%d:" % (path, line_of(text, at))), line


def test_missing_file_and_unknown_device(tmp_path):
    assert_one_error_line(mgtool("config", str(tmp_path / "nope.toml")), "cannot read", "nope.toml")
    assert_one_error_line(mgtool("config", SITE, "-d", "toaster"), "no device named 'toaster'")


def test_errors_leave_no_partial_output(tmp_path):
    # The sensor has only a public key: asking for its wg-quick file fails before anything is written.
    out = tmp_path / "out"
    r = mgtool("config", SITE, "-f", "wg-quick", "--out", str(out))
    assert_one_error_line(r, "'sensor'", "only a public key")
    assert not out.exists() or not os.listdir(out)


@pytest.mark.parametrize("old, new, fragment", [
    # A line break in the site name would turn the rest of it into wg-quick config lines.
    ('name = "travel"', 'name = "x\\n[Interface]\\nPostUp = touch /tmp/injected\\n#"',
     "one line of printable text"),
    ('dns = ["10.8.0.1"]', "dns = true", "dns must be a list"),
    ('preshared_key = "siZWHjA4/mszIMDVdqoS3GKhOts5rj9cEhL4HqLyWa8="', "preshared_key = [1]",
     "preshared_key must be a base64 string"),
])
def test_site_values_of_the_wrong_shape_are_refused(tmp_path, old, new, fragment):
    text = site_text()
    assert old in text
    out = tmp_path / "out"
    r = mgtool("config", write_site(tmp_path, text.replace(old, new, 1)), "--out", str(out))
    assert_one_site_problem(r, fragment)
    assert not out.exists() or not os.listdir(out)


def test_board_with_two_hubs_and_a_console(tmp_path):
    """A board linked to two hubs gets both (the first at the top, the other in "peers"),
    and `console = 23` turns its command console on."""
    text = site_text().replace('public_key = "fSIK9yFyySKhHBZV4jprcSsiRqZ5OqXoHz8JMNJqzUI="',
                               'public_key = "fSIK9yFyySKhHBZV4jprcSsiRqZ5OqXoHz8JMNJqzUI="\nconsole = 23')
    # The second hub runs a VPN of its own: its whole prefix goes to it.
    text = text.replace('name = "laptop"\nkind = "linux"\naddress = "10.8.0.3/24"',
                        'name = "laptop"\nkind = "linux"\naddress = "10.9.0.1/24"\nendpoint = "198.51.100.7:51821"')
    text += '\n[[link]]\na = "laptop"\nb = "sensor"\nkeepalive = 15\n'
    cfg = json.loads(mgtool("config", write_site(tmp_path, text), "-d", "sensor", check=0).stdout)
    assert cfg["console"] == {"port": 23}
    assert cfg["endpoint"] == "vpn.example.net:51820"
    laptop_pub = wg_pubkey("QJn5IP5WIF/AEnHboBBDwLGl8KLsDOLyZfANX3yBNXA=")
    assert cfg["peers"] == [{"public_key": laptop_pub, "endpoint": "198.51.100.7:51821",
                             "allowed_ips": ["10.9.0.0/24"], "preshared_key": None, "keepalive": 15}]


def test_console_is_for_boards_only(tmp_path):
    text = site_text().replace('interface = "wg0"', 'interface = "wg0"\nconsole = 23')
    r = mgtool("config", write_site(tmp_path, text), "--check")
    assert_one_site_problem(r, "console is for kind = \"board\"", ":%d:" % line_of(text, "console = 23"))
