# The board application started by main.py: bring the network up (the
# board's bring-up function, passed in by main.py: this package never imports
# the board's own modules), load the tunnel config, run the tunnel and a UDP
# echo service on the tunnel address, and report the link state.
# With a "lan" in the config the board also routes (mgboard.routed) between
# that LAN, on the link the board's lan() gives, and the tunnel. With a
# "console", the command console (mgboard.console) listens on the tunnel address.
#   main.py:  import boardnet, mgboard.app
#             mgboard.app.main(boardnet.up, lan=getattr(boardnet, "lan", None))
import asyncio

from . import config


async def echo(wg, port):
    while True:
        data, src, dport = await wg.recv()
        if dport == port:
            wg.send(data, dst=src, sport=port)


async def report(wg, every, router=None):
    while True:
        await asyncio.sleep(every)
        s = wg.stats()
        print("wg: connected=%s handshake_age=%s tx=%d rx=%d endpoint=%s error=%s" % (
            s["connected"], s["handshake_age"], s["tx_bytes"], s["rx_bytes"], s["endpoint"], s["last_error"]))
        if router is not None:
            print("wg: router %r" % (router.counters,))


async def serve(up, report_every=30, config_path=config.PATH, lan=None):
    """up() -> (link, extra Tunnel keyword arguments): the board's network
    bring-up; lan() -> the LAN link, for router mode."""
    from .tunnel import Tunnel
    cfg = config.read(config_path)
    params, echo_port = config.load(config_path, cfg)
    lan_cfg = config.lan(config_path, cfg)
    link, extra = up()
    wg = Tunnel(link=link, **params, **extra)
    router = None
    if lan_cfg:
        if lan is None:
            raise ValueError("a lan in the config, but this board has no LAN link")
        from . import routed
        router = routed.start(wg, lan(), **lan_cfg)
        print("wg: routing %s" % (lan_cfg["prefix"],))
    console_cfg = config.console(config_path, cfg)
    if console_cfg:
        from . import console
        await console.start(wg, **console_cfg)
        print("wg: console on tcp port %d" % console_cfg["port"])
    print("wg: starting, endpoint %s:%d" % params["endpoint"])
    ok = await wg.start()
    print("wg: handshake", "done" if ok else "pending (retrying)")
    asyncio.create_task(report(wg, report_every, router))
    await echo(wg, echo_port)


def main(up, **kw):
    asyncio.run(serve(up, **kw))
