"""`mgtool console`: a plain serial terminal (pyserial's miniterm), Ctrl-] to leave."""
import os
import sys

from .errors import MgError


def run(port, baud):
    from .link import resolve_port
    port = resolve_port(port)
    if not os.path.exists(port):
        raise MgError("no such serial port %s" % port)
    if not sys.stdin.isatty():
        raise MgError("the console needs a terminal on standard input (it is redirected); "
                      "to run code on a board use `mgtool fs` or `mgtool status`")
    from serial.tools import miniterm
    from .link import open_serial
    ser = open_serial(port, baud)          # locked: a provision started meanwhile is refused
    term = miniterm.Miniterm(ser, echo=False, eol="crlf")
    term.exit_character = chr(0x1D)       # Ctrl-]
    term.set_rx_encoding("utf-8")
    term.set_tx_encoding("utf-8")
    sys.stderr.write("--- %s at %d baud; Ctrl-] leaves ---\n" % (port, baud))
    term.start()
    try:
        term.join(True)
    except KeyboardInterrupt:
        pass
    term.join()
    term.close()
