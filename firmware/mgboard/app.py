# The board application started by main.py: bring the network up (the
# board's `boardnet` module), load the tunnel config, run the tunnel and a
# UDP echo service on the tunnel address, and report the link state.
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


async def serve(report_every=30):
    import boardnet
    import wireguard
    params, echo_port = config.load()
    link, extra = boardnet.up()
    wg = wireguard.Tunnel(link=link, **params, **extra)
    print("wg: starting, endpoint %s:%d" % params["endpoint"])
    ok = await wg.start()
    print("wg: handshake", "done" if ok else "pending (retrying)")
    asyncio.create_task(report(wg, report_every))
    await echo(wg, echo_port)


def main():
    asyncio.run(serve())
