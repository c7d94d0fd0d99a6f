"""Site files: every problem in one run (file:line:col each, then a count), "did you mean", the
subnet and resolve checks, and docs/site-file.md's example loads with the real parser."""
import os
import re

from mgtool_run import ROOT, assert_one_site_problem, mgtool, site_problems

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SITE = os.path.join(DATA, "site.toml")


def site_text():
    with open(SITE) as f:
        return f.read()


def write(tmp_path, text, name="site.toml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def pos(text, fragment, nth=1):
    """(line, column) of `fragment` (1-based), its nth occurrence."""
    hits = [(n, line.index(fragment) + 1) for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return hits[nth - 1]


def five_mistakes():
    text = site_text()
    text = text.replace('interface = "wg0"', "interface = wg0")                       # 1: unquoted text
    text = text.replace('kind = "phone"', 'kind = "phnoe"')                           # 2: a kind misspelt
    text = text.replace('address = "10.8.0.3/24"', 'address = "10.9.0.3/24"\nroutes = ["192.168.50.0/24"]')
    text = text.replace('public_key = "fSIK9yFyySKhHBZV4jprcSsiRqZ5OqXoHz8JMNJqzUI="',   # 4: overlap
                        'public_key = "fSIK9yFyySKhHBZV4jprcSsiRqZ5OqXoHz8JMNJqzUI="\nroutes = ["192.168.50.128/25"]')
    text += ('\n[[device]]\nname = "tv"\nadress = "10.8.0.20/24"\n'                 # 5: a field misspelt
             'public_key = "eFWdxIy0Rii+emRVq0c5C88qX4+DmYTxqpEJhG8u7Wg="\n')
    return text


def test_a_file_with_five_mistakes_reports_all_five(tmp_path):
    text = five_mistakes()
    path = write(tmp_path, text)
    r = mgtool("config", path, "--check")
    problems = site_problems(r)
    assert r.stderr.strip().splitlines()[-1] == "mgtool: error: 5 problems in %s" % path
    assert len(problems) == 5, r.stderr
    want = [
        (pos(text, "wg0"), ["invalid value", "quotes"]),
        (pos(text, '"phnoe"'), ["kind 'phnoe'", "did you mean 'phone'?"]),
        (pos(text, '"10.9.0.3/24"'), ["'laptop'", "10.9.0.3 is outside the site's subnet 10.8.0.0/24",
                                       "hub 'router'"]),
        (pos(text, '["192.168.50.128/25"]'), ["overlapping allowed IPs on 'router'", "192.168.50.128/25",
                                               "192.168.50.0/24 (peer 'laptop'"]),
        (pos(text, "adress"), ["unknown device field 'adress'", "did you mean 'address'?"]),
    ]
    for ((line, col), fragments), got in zip(want, problems):
        assert got.startswith("%s:%d:%d: " % (path, line, col)), (got, line, col)
        for f in fragments:
            assert f in got, (f, got)


def test_did_you_mean_for_links_and_site_fields(tmp_path):
    text = site_text().replace("mtu = 1420", "mtus = 1420").replace('b = "laptop"', 'b = "lapton"')
    problems = site_problems(mgtool("config", write(tmp_path, text), "--check"))
    assert len(problems) == 2
    assert "unknown [site] field 'mtus' (did you mean 'mtu'?)" in problems[0]
    assert "link b = 'lapton' names no device (did you mean 'laptop'?)" in problems[1]


def test_laptop_outside_the_subnet_is_refused(tmp_path):
    text = site_text().replace('address = "10.8.0.3/24"', 'address = "10.9.0.3/24"')
    line = assert_one_site_problem(mgtool("config", write(tmp_path, text), "--check"),
                                   "'laptop'", "outside the site's subnet 10.8.0.0/24")
    assert ":%d:%d:" % pos(text, '"10.9.0.3/24"') in line


def test_resolve_checks_endpoint_host_names(tmp_path):
    text = site_text().replace("vpn.example.net:51820", "no-such-host.invalid:51820")
    path = write(tmp_path, text)
    assert "no problems found" in mgtool("config", path, "--check", check=0).stdout   # not asked to
    line = assert_one_site_problem(mgtool("config", path, "--check", "--resolve"),
                                   "endpoint host 'no-such-host.invalid' does not resolve")
    assert ":%d:" % pos(text, "no-such-host.invalid")[0] in line
    ok = write(tmp_path, site_text().replace("vpn.example.net:51820", "localhost:51820"), "ok.toml")
    assert "no problems found" in mgtool("config", ok, "--check", "--resolve", check=0).stdout


def test_the_documented_example_loads_with_the_real_parser(tmp_path):
    import sys
    sys.path.insert(0, os.path.join(ROOT, "host-tools"))
    from mgtool import site as sitemod
    with open(os.path.join(ROOT, "docs", "site-file.md")) as f:
        doc = f.read()
    blocks = re.findall(r"```toml\n(.*?)```", doc, re.S)
    assert len(blocks) == 1, "docs/site-file.md has one full example"
    site = sitemod.loads(blocks[0], "site-file.md")
    assert list(site.devices) == ["router", "phone", "laptop", "sensor"]
    assert site.devices["sensor"].console == 23
    # Every field the parser knows is documented in a table of the page.
    documented = set(re.findall(r"^\| `([a-z_]+)`", doc, re.M)) | \
        {f for row in re.findall(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)+)", doc, re.M) for f in re.findall(r"`([a-z_]+)`", row)}
    assert sitemod.DEVICE_FIELDS | sitemod.LINK_FIELDS | sitemod.SITE_FIELDS <= documented, \
        (sitemod.DEVICE_FIELDS | sitemod.LINK_FIELDS | sitemod.SITE_FIELDS) - documented
    # And the sample error lines are what mgtool prints for such a file.
    path = write(tmp_path, blocks[0])
    assert "4 devices, 3 peerings, no problems found" in mgtool("config", path, "--check", check=0).stdout
