# The tun device: IP packets in and out (IFF_TUN | IFF_NO_PI), with a
# virtio-net header in front when the kernel lets us take TCP super-packets
# (IFF_VNET_HDR + TUNSETOFFLOAD: one read brings up to 64 KB that linuxio
# cuts into MTU-sized packets; writes may carry coalesced ones). Created
# with wireguard-go's default MTU; the interface disappears when the fd is
# closed, or earlier when someone deletes it (wg-quick down). It may also
# be moved to another network namespace (ip link set netns) and keeps
# working there, so every question about it goes through the fd, never
# through its name in the daemon's namespace.
import linuxio

DEFAULT_MTU = 1420


class TunDevice:
    def __init__(self, name, offload=True):
        self.vnet = False
        self.offloads = 0           # TUN_F_* bits the kernel accepted
        if offload:
            try:
                self.fd, self.name, self.offloads = linuxio.tun_open_vnet(name)
                self.vnet = True
            except OSError:
                pass                # e.g. a big-endian CPU without TUNSETVNETLE
        if not self.vnet:
            self.fd, self.name = linuxio.tun_open(name)
        try:
            linuxio.set_mtu(self.name, DEFAULT_MTU)
        except OSError:
            linuxio.close(self.fd)
            raise

    def exists(self):
        """False once the interface is deleted, wherever it lives."""
        return linuxio.tun_alive(self.fd)

    def mtu(self):
        return linuxio.tun_mtu(self.fd)

    def close(self):
        if self.fd >= 0:
            linuxio.close(self.fd)
            self.fd = -1
