# MicroGuard's WireGuard protocol engine: no sockets, no files, no clocks.
# Drivers construct a Device and move bytes and time through it; the
# asyncio microcontroller API built on it is mgboard.Tunnel.
from .peer import Peer
from .device import Device
from . import constants


def __getattr__(name):
    # MicroPython resolves `from . import x` through this hook as well, so an
    # unknown name may be a submodule not loaded yet: load it rather than fail.
    try:
        return __import__("wireguard." + name, None, None, (name,))
    except ImportError:
        raise AttributeError(name)
