# microguard: the Linux router daemon, a drop-in for wireguard-go. It owns
# the tun device, the UDP sockets, the UAPI socket and the clocks; the
# WireGuard protocol itself is the `wireguard` engine's.
VERSION = "0.1.0"
