"""`mgtool console`: a plain serial terminal (pyserial's miniterm), Ctrl-] to leave."""
import os
import sys

from .errors import MgError


def run(port, baud):
    if not os.path.exists(port):
        raise MgError("no such serial port %s" % port)
    from serial.tools import miniterm
    try:
        ser = miniterm.serial.serial_for_url(port, baud, do_not_open=True)
        ser.open()
    except (OSError, miniterm.serial.SerialException) as e:
        raise MgError("cannot open %s: %s" % (port, getattr(e, "strerror", None) or e)) from None
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
