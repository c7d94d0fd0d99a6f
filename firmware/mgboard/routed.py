# Router mode on a running Tunnel: a Router between a LAN link (mgboard.lanlink)
# and the tunnel. Packets the tunnel delivers for other addresses reach the
# router through tunnel.ip.forward; a task feeds it what the LAN sends.
import asyncio

from .router import Router


async def _lan_loop(link, router):
    while True:
        pkt = await link.recv()
        try:
            router.from_lan(pkt)
        except Exception as e:          # one bad packet must not stop the LAN side
            router.count("lan_error")
            router.last_error = repr(e)


def start(tunnel, link, prefix, address, **kw):
    """Route between `link` and `tunnel`; returns the Router (its .counters)."""
    lookup = tunnel.dev.allowed_ips.lookup
    router = Router(prefix, address, link.send, tunnel.send_packet,
                    lambda dst: lookup(dst) is not None, tunnel.now,
                    # Answers to tunnel packets are made inside the tunnel's
                    # output walk: queue them for the tunnel to flush after it.
                    tunnel_reply=tunnel.ip.output, local=tunnel.ip.addresses, **kw)
    tunnel.ip.forward = router.from_tunnel
    router.task = asyncio.create_task(_lan_loop(link, router))
    return router
