"""QR codes of wg-quick configs, for the WireGuard phone apps' "scan from QR code"."""
import io

import qrcode


def terminal_qr(text):
    """The QR code as text blocks for a terminal (dark modules on a light background)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=2)
    code.add_data(text)
    code.make(fit=True)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()
