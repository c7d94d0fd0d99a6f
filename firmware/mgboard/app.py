# The board application started by main.py: bring the network up (the
# board's bring-up function, passed in by main.py: this package never imports
# the board's own modules), load the tunnel config, run the tunnel and a UDP
# echo service on the tunnel address, and report the link state.
#   main.py:  import boardnet, mgboard.app
#             mgboard.app.main(boardnet.up)
import asyncio

from . import config


async def echo(wg, port):
    while True:
        data, src, dport = await wg.recv()
        if dport == port:
            wg.send(data, dst=src, sport=port)


async def report(wg, every):
    while True:
        await asyncio.sleep(every)
        s = wg.stats()
        print("wg: connected=%s handshake_age=%s tx=%d rx=%d endpoint=%s error=%s" % (
            s["connected"], s["handshake_age"], s["tx_bytes"], s["rx_bytes"], s["endpoint"], s["last_error"]))


async def serve(up, report_every=30, config_path=config.PATH):
    """up() -> (link, extra Tunnel keyword arguments): the board's network bring-up."""
    from .tunnel import Tunnel
    params, echo_port = config.load(config_path)
    link, extra = up()
    wg = Tunnel(link=link, **params, **extra)
    print("wg: starting, endpoint %s:%d" % params["endpoint"])
    ok = await wg.start()
    print("wg: handshake", "done" if ok else "pending (retrying)")
    asyncio.create_task(report(wg, report_every))
    await echo(wg, echo_port)


def main(up, **kw):
    asyncio.run(serve(up, **kw))
