# Board-side drivers for MicroGuard: the outer datagram links (SLIP over a
# UART, MicroPython sockets), the persisted handshake clock, the tiny IPv4
# layer the tunnel endpoint needs, and boot-time configuration loading.
# No WireGuard protocol logic lives here; that is the `wireguard` engine.
