"""`mgtool config`: render a site description for one device or for all of them."""
import os
import sys

from . import qr, render, site as sitemod
from .errors import MgError


def run(path, device=None, fmt=None, out_dir=None, show_qr=False, check=False, stdout=sys.stdout, resolve=False):
    site = sitemod.load(path, resolve=resolve)
    if check:
        stdout.write("%s: %d devices, %d peerings, no problems found\n"
                     % (path, len(site.devices), len(site.links)))
        return site
    if show_qr:
        if out_dir is not None:
            raise MgError("--qr prints the code on the terminal and writes no file: leave out --out "
                          "(or run without --qr to write the .conf)")
        if device is None:
            raise MgError("--qr needs --device naming the phone")
        dev = site.device(device)
        stdout.write(qr.terminal_qr(render.wg_quick(site, dev)))
        stdout.write("Scan this with the WireGuard app (Add tunnel > Scan from QR code) for %r.\n" % dev.name)
        return site
    devices = [site.device(device)] if device else list(site.devices.values())
    jobs = [(d, f) for d in devices for f in ((fmt,) if fmt else render.default_formats(d))]
    if out_dir is None:
        if len(jobs) != 1:
            raise MgError("that is %d files; give --out DIR, or --device and --format for one file on stdout"
                          % len(jobs))
        d, f = jobs[0]
        stdout.write(render.render(site, d, f))
        return site
    # Render everything before writing anything, so a problem leaves no partial output.
    texts = [(render.file_name(d, f), render.render(site, d, f)) for d, f in jobs]
    os.makedirs(out_dir, exist_ok=True)
    for name, text in texts:
        dest = os.path.join(out_dir, name)
        tmp = dest + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # they hold private keys
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, dest)
        stdout.write("wrote %s\n" % dest)
    return site
