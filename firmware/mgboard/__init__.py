# Board-side drivers for MicroGuard: the asyncio microcontroller API
# (mgboard.Tunnel), the outer datagram links (SLIP over a UART, MicroPython
# sockets), the handshake clocks, the tiny IPv4 layer the tunnel endpoint
# needs, and boot-time configuration loading. No WireGuard protocol logic
# lives here (that is the `wireguard` engine), and nothing here imports the
# board's bring-up (boardnet, main.py): those import this package.


def __getattr__(name):
    # Tunnel (and asyncio with it) is loaded only by those who use it.
    if name == "Tunnel":
        from .tunnel import Tunnel
        return Tunnel
    # MicroPython resolves `from . import x` through this hook as well, so an
    # unknown name may be a submodule not loaded yet: load it rather than fail.
    try:
        return __import__("mgboard." + name, None, None, (name,))
    except ImportError:
        raise AttributeError(name)
