"""`mgtool status`: what a device reports about its tunnel, over its serial console."""
import sys

from . import render
from .errors import MgError
from .link import Link

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


def run(args):
    if args.board and (args.board == "openwrt" or args.board.startswith("openwrt-")):
        return run_openwrt(args)
    import json
    from .rawrepl import RawRepl
    link = Link(args.port, args.baud, args.timeout)
    repl = RawRepl(link)
    try:
        repl.enter()
        r = json.loads(repl.exec(BOARD_STATUS % {"cfg": render.BOARD_CONFIG_FILE}).strip())
    finally:
        repl.exit()
        link.close()
    out = sys.stdout
    if not r.get("provisioned"):
        out.write("not provisioned (no %s on the board)\n" % render.BOARD_CONFIG_FILE)
        return
    out.write("public key: %s\npeer:       %s\nendpoint:   %s\naddress:    %s\n"
              % (r["public_key"], r["peer"], r["endpoint"], r["address"]))
    if "stats" in r:
        out.write("connected:  %s\n" % ("yes" if r["connected"] else "no"))
        for k, v in sorted(r["stats"].items()):
            out.write("%-11s %s\n" % (k + ":", v))
    else:
        out.write("tunnel:     not running in the REPL session (started by main.py?)\n")


def run_openwrt(args):
    from .shell import Shell
    link = Link(args.port, args.baud, args.timeout)
    try:
        sh = Shell(link)
        sh.login(args.user, args.password)
        code, out = sh.run("wg show all 2>/dev/null || ubus call network.interface dump", check=False)
        if code != 0:
            raise MgError("neither `wg show` nor `ubus` answered on the router")
        sys.stdout.write(out + "\n")
    finally:
        link.close()
