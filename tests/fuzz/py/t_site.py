# Fuzz target (CPython): mgtool site files (mgtool.site.loads), then every
# device rendered in every format. Inputs are valid site descriptions built
# from parts (hubs, spokes, boards, links, PSKs, routes, v4/v6), mutated at
# the structure level (a field's value replaced by another TOML type or an
# edited string, fields dropped or added, devices and links duplicated) and
# at the text level (lines dropped/repeated/swapped, character edits).
# Oracle: only MgError leaves loads() and render(); a rendered wg-quick
# config parses with the daemon's own parser (wireguard.config); UCI output
# is one `set`/`delete`/`add_list` command of two shell words per line (no
# quoting escapes); board output is JSON.
import base64
import json
import shlex

from mutate import Rng, case_seed, mutate_text, mutate_lines
from mgtool import site as sitemod, render
from mgtool.errors import MgError
from wireguard import config as wgconfig

KINDS = ("openwrt", "linux", "board", "phone", "router", "")
TYPE_SWAPS = (0, -1, 1.5, True, [], ["x"], [1, 2], {}, {"a": 1}, "", "x", 65536, 2 ** 64)


def _key(r):
    return base64.b64encode(r.bytes(32)).decode()


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)        # a TOML basic string is JSON-compatible
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join("%s = %s" % (k, toml_value(x)) for k, x in v.items()) + "}"
    raise TypeError(v)


def to_toml(doc):
    lines = []
    if "site" in doc:
        lines.append("[site]")
        lines += ["%s = %s" % (k, toml_value(v)) for k, v in doc["site"].items()]
    for table in ("device", "link"):
        for t in doc.get(table, []):
            lines += ["", "[[%s]]" % table]
            lines += ["%s = %s" % (k, toml_value(v)) for k, v in t.items()]
    return lines


class Target:
    name = "site"

    def __init__(self, seed):
        self.seed = seed
        self.last = None
        self.outcomes = {}

    def valid_doc(self, r):
        v6 = r.chance(30)
        net = (lambda n: "fd08::%x/64" % n) if v6 else (lambda n: "10.8.0.%d/24" % n)
        doc = {"site": {"name": "s%d" % r.below(100)}}
        if r.chance(50):
            doc["site"]["mtu"] = r.choice((1280, 1420, 9000))
        if r.chance(50):
            doc["site"]["keepalive"] = r.choice((0, 25, 65535))
        hub = {"name": "hub", "kind": r.choice(("openwrt", "linux")), "address": net(1),
               "private_key": _key(r),
               "endpoint": r.choice(("vpn.example.net:51820", "203.0.113.5:51820", "[2001:db8::1]:4500"))}
        if r.chance(50):
            hub["routes"] = [r.choice(("192.168.8.0/24", "10.9.0.0/16", "fd99::/64"))]
        devices = [hub]
        for i in range(r.below(4)):
            d = {"name": "dev%d" % i, "kind": r.choice(("linux", "phone", "openwrt")), "address": net(10 + i)}
            if r.chance(80):
                d["private_key"] = _key(r)
            else:
                d["public_key"] = _key(r)
            if r.chance(30):
                d["dns"] = ["10.8.0.1"]
            if r.chance(20):
                d["keepalive"] = 25
            if r.chance(20):
                d["interface"] = "wg%d" % r.below(3)
            devices.append(d)
        if r.chance(30):
            devices.append({"name": "sensor", "kind": "board", "board": "qemu-mps2-an386",
                            "address": net(50), "public_key": _key(r)})
        doc["device"] = devices
        if r.chance(60):
            links = []
            for d in devices[1:]:
                link = {"a": "hub", "b": d["name"]}
                if r.chance(40):
                    link["preshared_key"] = _key(r)
                if r.chance(20):
                    link["keepalive"] = r.choice((0, 25))
                links.append(link)
            doc["link"] = links
        return doc

    def mutate_doc(self, r, doc):
        tables = [doc["site"]] + doc["device"] + doc.get("link", [])
        for _ in range(1 + r.below(3)):
            t = r.choice(tables)
            op = r.below(6)
            keys = list(t)
            if op == 0 and keys:
                t[r.choice(keys)] = r.choice(TYPE_SWAPS)
            elif op == 1 and keys:
                k = r.choice(keys)
                if isinstance(t[k], str):
                    t[k] = mutate_text(r, t[k])
                elif isinstance(t[k], list) and t[k] and isinstance(t[k][0], str):
                    t[k] = [mutate_text(r, t[k][0])] + t[k][1:]
            elif op == 2 and keys:
                del t[r.choice(keys)]
            elif op == 3:
                t[r.choice(("extra", "name", "kind", "address", "routes", "dns", "endpoint",
                            "listen_port", "mtu", "board", "a", "b", "preshared_key"))] = \
                    r.choice(TYPE_SWAPS + ("hub", "dev0", "10.8.0.1/24", _key(r)))
            elif op == 4:
                doc["device"].append(dict(r.choice(doc["device"])))
            elif op == 5:
                doc.setdefault("link", []).append({"a": r.choice(("hub", "dev0", "sensor", "x")),
                                                   "b": r.choice(("hub", "dev0", "dev1", "sensor"))})
        return doc

    def make_input(self, r):
        doc = self.valid_doc(r)
        how = r.below(10)
        if how < 5:
            doc = self.mutate_doc(r, doc)
        lines = to_toml(doc)
        if how in (5, 6):
            lines = mutate_lines(r, lines, lambda rr: rr.choice(to_toml(self.valid_doc(rr))))
        elif how == 7:
            i = r.below(len(lines))
            lines[i] = mutate_text(r, lines[i])
        text = "\n".join(lines) + "\n"
        if how == 8:
            text = mutate_text(r, text)
        return text

    def case(self, index):
        r = Rng(case_seed(self.seed, index))
        text = self.make_input(r)
        self.last = text
        try:
            site = sitemod.loads(text, "fuzz.toml")
        except MgError as e:
            if "\n" in str(e):
                return "MgError of several lines: %r" % (str(e),)
            self._tally("refused")
            return None
        self._tally("loaded")
        for dev in site.devices.values():
            for fmt in render.FORMATS:
                try:
                    out = render.render(site, dev, fmt)
                except MgError:
                    self._tally("render_refused")
                    continue
                err = self._check_output(fmt, out)
                if err:
                    return "%s output %s (device %r):\n%s" % (fmt, err, dev.name, out)
        return None

    def _check_output(self, fmt, out):
        self._tally("rendered_" + fmt)
        if fmt == "wg-quick":
            try:
                wgconfig.parse(out)
            except ValueError as e:
                return "refused by the daemon's parser: %s" % e
        elif fmt == "uci":
            for line in out.splitlines():
                words = shlex.split(line)
                if len(words) != 2 or words[0] not in ("set", "delete", "add_list"):
                    return "is not one command of two words a line: %r" % line
        else:
            json.loads(out)
        return None

    def _tally(self, k):
        self.outcomes[k] = self.outcomes.get(k, 0) + 1

    def stats(self):
        return self.outcomes

    def describe(self):
        return repr(self.last)
