# MicroGuard's WireGuard protocol engine: no sockets, no files, no clocks.
# Drivers construct a Device and move bytes and time through it.
from .device import Device
from .peer import Peer
from . import constants
