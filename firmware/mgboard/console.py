# A command console on the tunnel address, for a board behind NAT managed from
# its hub. One JSON object per line each way:
#   {"exec": "<python>"}  ->  {"ok": true, "out": "<what it printed>"}
#                             {"ok": false, "out": "...", "error": "<exception>"}
#   {"stats": true}       ->  {"ok": true, "stats": {...}}   (Tunnel.stats())
# What protects it: it listens only on the tunnel address, which nothing but
# the WireGuard engine delivers to, after authenticating the packet; and it
# answers only peers named in `peers` (public keys; the first peer, the hub,
# by default): the engine already bound each source address to the peer
# whose allowed IPs hold it, so an address means a key. Each connection has
# its own namespace (`wg` is the tunnel), requests and output are capped, and
# code runs in the asyncio loop: the tunnel waits while it runs.
import asyncio
import json

from wireguard.keys import from_base64

PORT = 23
MAX_REQUEST = 4096
MAX_OUTPUT = 8192


class Console:
    def __init__(self, tunnel, peers=None):
        self.tunnel = tunnel
        keys = [from_base64(k) for k in peers] if peers else [tunnel.peer.public_key]
        self.keys = keys
        self.refused = 0
        self.sessions = 0
        self.ended = 0

    def _allowed(self, writer):
        from wireguard.ipaddr import parse_ip
        peer = self.tunnel.dev.allowed_ips.lookup(parse_ip(writer.get_extra_info("peername")[0]))
        return peer is not None and peer.public_key in self.keys

    async def session(self, reader, writer):
        if not self._allowed(writer):
            self.refused += 1
            writer.write(b'{"ok": false, "error": "this peer may not use the console"}\n')
            await writer.drain()
            writer.close()
            return
        self.sessions += 1
        env = {"wg": self.tunnel}
        try:
            while True:
                line = await _bounded_line(reader, MAX_REQUEST)
                if line is None:
                    writer.write(_reply({"ok": False, "error": "request longer than %d bytes" % MAX_REQUEST}))
                    break
                if not line:
                    break
                writer.write(_reply(self.handle(line, env)))
                await writer.drain()
        except OSError:
            pass                        # the hub went away
        writer.close()
        self.ended += 1

    def handle(self, line, env):
        try:
            req = json.loads(line)
        except ValueError:
            return {"ok": False, "error": "not a JSON object"}
        if not isinstance(req, dict):
            return {"ok": False, "error": "not a JSON object"}
        if req.get("stats"):
            return {"ok": True, "stats": _jsonable(self.tunnel.stats())}
        code = req.get("exec")
        if not isinstance(code, str):
            return {"ok": False, "error": "expected {\"exec\": code} or {\"stats\": true}"}
        out = []

        def capture(*args, sep=" ", end="\n"):
            if sum(len(s) for s in out) < MAX_OUTPUT:
                out.append(sep.join(str(a) for a in args) + end)
        env["print"] = capture
        try:
            exec(code, env)
        except Exception as e:
            return {"ok": False, "out": "".join(out)[:MAX_OUTPUT], "error": "%s: %s" % (type(e).__name__, e)}
        return {"ok": True, "out": "".join(out)[:MAX_OUTPUT]}


async def _bounded_line(reader, limit):
    """A line without its newline; b"" at EOF; None when it runs past limit."""
    line = await reader.readline(limit + 1)
    if len(line) > limit:
        return None
    return line.rstrip(b"\r\n")


def _reply(obj):
    return (json.dumps(obj) + "\n").encode()


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return None
    return v


async def start(tunnel, port=PORT, peers=None):
    """Listen on the tunnel address; returns the Console (its counters)."""
    c = Console(tunnel, peers)
    await tunnel.start_server(c.session, port)
    return c
