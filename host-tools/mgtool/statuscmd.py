"""`mgtool status`: what a device reports about its tunnel, over its serial console."""
import re
import sys
import time

from . import render
from .errors import MgError
from .link import Link
from .secretio import Password

BOARD_STATUS = """
import os, json, binascii
r = {}
for root in ('/flash', ''):
    try:
        os.stat(root + '/' + %(cfg)r)
        break
    except OSError:
        root = None
if root is None:
    r['provisioned'] = False
else:
    r['provisioned'] = True
    c = json.load(open(root + '/' + %(cfg)r))
    r['peer'] = c['peer_public_key']; r['endpoint'] = c['endpoint']; r['address'] = c['address']
    try:
        import wgcrypto
        k = binascii.a2b_base64(open(root + '/' + c['private_key_file']).read())
        r['public_key'] = binascii.b2a_base64(wgcrypto.x25519_base(k)).decode().strip()
    except Exception as e:
        r['public_key'] = 'unavailable (%%s)' %% e
g = globals()
for name in ('wg', 'tunnel'):
    t = g.get(name)
    if t is not None and hasattr(t, 'stats'):
        r['connected'] = t.is_connected()
        r['stats'] = t.stats()
        break
print(json.dumps(r))
"""


# The line main.py's app prints on the console every few seconds (mgboard.app.report),
# parsed strictly: fields are checked, nothing the board sends is evaluated.
APP_REPORT = re.compile(rb"wg: connected=(True|False) handshake_age=(None|[0-9]+(?:\.[0-9]+)?) "
                        rb"tx=([0-9]+) rx=([0-9]+) endpoint=([^\r\n]{1,80}?) error=([^\r\n]{0,120})\r?\n")
LISTEN = 12.0     # seconds: the app reports every 10 s


def listen_for_app(link, seconds=LISTEN):
    """The app's latest report seen on the console within `seconds`, or None (no app running)."""
    deadline = time.monotonic() + seconds
    data = b""
    while time.monotonic() < deadline:
        data = (data + link.read_available())[-4096:]
        m = APP_REPORT.search(data)
        if m:
            return {"connected": m.group(1) == b"True",
                    "handshake_age": None if m.group(2) == b"None" else float(m.group(2)),
                    "tx_bytes": int(m.group(3)), "rx_bytes": int(m.group(4)),
                    "endpoint": m.group(5).decode("ascii", "replace"),
                    "last_error": m.group(6).decode("ascii", "replace")}
        time.sleep(0.1)
    return None


SHELL_SIGNS = re.compile(rb"(login: ?$|Password: ?$|activate this console|[#$] ?$|BusyBox|OpenWrt)")


def probe(link, quiet=0.6):
    """One Enter, and what comes back within `quiet` seconds: "repl" (MicroPython's prompt, idle),
    "shell" (a login or shell prompt: a router's console), or None (nothing telling)."""
    link.write(b"\r")
    end = time.monotonic() + quiet
    seen = b""
    while time.monotonic() < end:
        seen = (seen + link.read_available())[-2048:]
        if seen.rstrip(b" ").endswith(b">>>"):
            return "repl", seen
        time.sleep(0.05)
    text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen).rstrip()
    if SHELL_SIGNS.search(text) and b">>>" not in text:
        return "shell", seen
    return None, seen


def run(args):
    if args.board and (args.board == "openwrt" or args.board.startswith("openwrt-")):
        return run_openwrt(args)
    import json
    from .rawrepl import RawRepl
    link = Link(args.port, args.baud, args.timeout)
    repl = RawRepl(link)
    try:
        kind, seen = probe(link)
        if kind == "shell":
            raise MgError("%s answers with a shell prompt, not MicroPython's: for an OpenWrt router use "
                          "`mgtool status --board openwrt --port %s`" % (link.port, link.port))
        link.buf = seen + link.buf            # an app's report in it still counts
        # An idle REPL prompt: no app is running, nothing to wait for.
        app = None if kind == "repl" else listen_for_app(link)
        repl.enter()                # Ctrl-C: stops a running app to reach the REPL
        r = json.loads(repl.exec(BOARD_STATUS % {"cfg": render.BOARD_CONFIG_FILE}).strip())
        repl.exit()
        if app is not None:
            link.write(b"\x04")    # soft reset: main.py starts the app again
    except BaseException:
        repl.exit()
        raise
    finally:
        link.close()
    out = sys.stdout
    if not r.get("provisioned"):
        out.write("not provisioned (no %s on the board)\n" % render.BOARD_CONFIG_FILE)
        return
    out.write("public key: %s\npeer:       %s\nendpoint:   %s\naddress:    %s\n"
              % (r["public_key"], r["peer"], r["endpoint"], r["address"]))
    if app is not None:
        age = "never" if app["handshake_age"] is None else "%gs ago" % app["handshake_age"]
        out.write("tunnel:     running from main.py (restarted after reading this)\n"
                  "connected:  %s\nhandshake:  %s\ntx_bytes:   %d\nrx_bytes:   %d\npeer addr:  %s\n"
                  % ("yes" if app["connected"] else "no", age, app["tx_bytes"], app["rx_bytes"], app["endpoint"]))
    elif "stats" in r:
        out.write("connected:  %s\n" % ("yes" if r["connected"] else "no"))
        for k, v in sorted(r["stats"].items()):
            out.write("%-11s %s\n" % (k + ":", v))
    else:
        out.write("tunnel:     not running in the REPL session (started by main.py?)\n")


def run_openwrt(args):
    from .shell import Shell
    password = Password.from_args(args)
    link = Link(args.port, args.baud, args.timeout)
    try:
        sh = Shell(link)
        sh.login(args.user, password)
        code, out = sh.run("wg show all 2>/dev/null || ubus call network.interface dump", check=False)
        if code != 0:
            raise MgError("neither `wg show` nor `ubus` answered on the router")
        sys.stdout.write(out + "\n")
    finally:
        link.close()
