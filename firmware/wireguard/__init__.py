# MicroGuard's WireGuard protocol engine: no sockets, no files, no clocks.
# Drivers construct a Device and move bytes and time through it.
from .device import Device
from .peer import Peer
from . import constants


def __getattr__(name):
    # The asyncio-driven microcontroller API, loaded only by those who use it.
    if name == "Tunnel":
        from .tunnel import Tunnel
        return Tunnel
    raise AttributeError(name)
