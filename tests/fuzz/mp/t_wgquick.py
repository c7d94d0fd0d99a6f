# Fuzz target: wg-quick .conf files, through wireguard.config (parse, then
# apply_to a Device) and through the daemon's --config path
# (microguard.confmode.load, which reads the file, resolves endpoints and
# applies it). Inputs are mutations of valid configs with every key:
# dropped/repeated/swapped/generated lines, edited keys (case, typos) and
# values, section headers, comments, character edits of the whole text.
# Oracle: parse raises nothing but ConfigError, whose message names a line
# of the file; a parsed config applies to a fresh Device with no exception
# and an answer of 0, and the device then renders a UAPI get; confmode.load
# raises nothing but ConfigModeError. (confmode runs only on texts whose
# endpoints are all literal addresses: names would query DNS.)
import os

from mutate import Rng, case_seed, mutate_text, mutate_lines
from enginekit import WallClock
from wireguard import Device
from wireguard import config
from wireguard.config import ConfigError
from wireguard.keys import to_base64
from wireguard.ipaddr import parse_endpoint, parse_ip
from wireguard import uapi
from microguard import confmode
from microguard.log import Logger

INTERFACE_KEYS = ("PrivateKey", "ListenPort", "FwMark", "Address", "DNS", "MTU", "Table", "PreUp",
                  "PostUp", "PreDown", "PostDown", "SaveConfig")
PEER_KEYS = ("PublicKey", "PresharedKey", "AllowedIPs", "Endpoint", "PersistentKeepalive")
VALUES = {
    "ListenPort": ("51820", "0", "65535", "0x10"),
    "FwMark": ("0x1234", "off", "0", "4294967295"),
    "Address": ("10.0.0.1/24", "10.0.0.1/24, fd00::1/64", "192.168.1.1/32"),
    "DNS": ("1.1.1.1", "1.1.1.1, example.lan"),
    "MTU": ("1420", "576", "65535"),
    "Table": ("off", "auto", "1234"),
    "PreUp": ("true",), "PostUp": ("iptables -A FORWARD -i %i -j ACCEPT",),
    "PreDown": ("true",), "PostDown": ("logger down",),
    "SaveConfig": ("true", "false"),
    "AllowedIPs": ("10.0.0.2/32", "0.0.0.0/0, ::/0", "10.0.0.0/24, fd00::2/128", "192.168.0.0/16"),
    "Endpoint": ("192.0.2.1:51820", "[2001:db8::1]:4500", "127.0.0.1:1", "vpn.example.org:51820"),
    "PersistentKeepalive": ("25", "off", "0", "65535"),
}
CONF_PATH = "/tmp/mgfuzz-wgquick-%d.conf"


def _value(r, key):
    if key in ("PrivateKey", "PublicKey", "PresharedKey"):
        return to_base64(r.bytes(32))
    return r.choice(VALUES[key])


def _fresh_line(r):
    k = r.below(6)
    if k == 0:
        return r.choice(("[Interface]", "[Peer]", "[peer]", "[ Peer ]", "[Other]", "[", "]"))
    if k == 1:
        return "# " + r.choice(("comment", "[Peer]", "Key = Value"))
    key = r.choice(INTERFACE_KEYS + PEER_KEYS)
    return "%s = %s" % (key, _value(r, key))


class Target:
    name = "wgquick"

    def __init__(self, seed):
        self.seed = seed
        self.last = None
        self.outcomes = {}
        self.log = Logger("fuzz0", 0)
        self.path = CONF_PATH % os.getpid() if hasattr(os, "getpid") else CONF_PATH % seed

    def valid_lines(self, r):
        lines = ["[Interface]"]
        for key in INTERFACE_KEYS:
            if key == "PrivateKey" or r.chance(35):
                lines.append("%s = %s" % (key, _value(r, key)))
        for _ in range(r.below(4)):
            lines.append("")
            lines.append("[Peer]")
            for key in PEER_KEYS:
                if key == "PublicKey" or r.chance(60):
                    lines.append("%s = %s" % (key, _value(r, key)))
        return lines

    def make_input(self, r):
        lines = self.valid_lines(r)
        how = r.below(10)
        if how < 3:
            lines = mutate_lines(r, lines, _fresh_line)
        elif how < 7:
            i = r.below(len(lines))
            k, eq, v = lines[i].partition(" = ")
            if eq and r.chance(75):
                lines[i] = k + eq + mutate_text(r, v)
            else:
                lines[i] = mutate_text(r, lines[i])
        elif how == 7:
            i = r.below(len(lines))
            lines[i] = lines[i].upper() if r.chance(50) else lines[i].replace(" = ", "=")
        text = "\n".join(lines) + "\n"
        if how == 8:
            text = mutate_text(r, text)
        elif how == 9:
            text = text[:r.below(len(text) + 1)]
        return text

    def case(self, index):
        r = Rng(case_seed(self.seed, index))
        text = self.make_input(r)
        self.last = text
        nlines = text.count("\n") + 1
        try:
            cfg = config.parse(text)
        except ConfigError as e:
            if not 1 <= e.line_no <= nlines or not str(e).startswith("line %d: " % e.line_no):
                return "ConfigError names no line of the file: %r" % (str(e),)
            self._tally("refused")
            cfg = None
        if cfg is not None:
            self._tally("parsed")
            dev = Device(r.bytes(32) if r.chance(50) else None, rng=Rng(r.u32()),
                         wall_clock=WallClock())
            dev.on_listen_port = lambda port: 0
            err = config.apply_to(cfg, dev)
            if err != 0:
                return "apply_to answered %r" % (err,)
            if dev.last_error is not None:
                return "last_error set: %r" % (dev.last_error,)
            uapi.render_get(dev)
        if r.chance(25) and self._literal_endpoints(text):
            return self._confmode(r, text, cfg is not None)
        return None

    def _literal_endpoints(self, text):
        for line in text.split("\n"):
            k, eq, v = line.partition("=")
            if eq and k.strip().lower() == "endpoint":
                v = v.split("#")[0].strip()
                try:
                    parse_ip(parse_endpoint(v)[0])
                except ValueError:
                    return False
        return True

    def _confmode(self, r, text, parsed):
        with open(self.path, "w") as f:
            f.write(text)
        dev = Device(None, rng=Rng(r.u32()), wall_clock=WallClock())
        dev.on_listen_port = lambda port: 0
        try:
            confmode.load(self.path, dev, self.log)
            self._tally("confmode_loaded")
            if not parsed:
                return "confmode.load accepted a file config.parse refuses"
        except confmode.ConfigModeError:
            self._tally("confmode_refused")
            if parsed:
                return "confmode.load refused a file config.parse accepts"
        return None

    def _tally(self, k):
        self.outcomes[k] = self.outcomes.get(k, 0) + 1

    def stats(self):
        try:
            os.remove(self.path)
        except OSError:
            pass
        return self.outcomes

    def describe(self):
        return repr(self.last)
