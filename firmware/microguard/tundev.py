# The tun device: bare IP packets in and out (IFF_TUN | IFF_NO_PI). Created
# with wireguard-go's default MTU; the interface disappears when the fd is
# closed, or earlier when someone deletes it (wg-quick down).
import linuxio

DEFAULT_MTU = 1420


class TunDevice:
    def __init__(self, name):
        self.fd, self.name = linuxio.tun_open(name)
        try:
            linuxio.set_mtu(self.name, DEFAULT_MTU)
        except OSError:
            linuxio.close(self.fd)
            raise

    def exists(self):
        return linuxio.if_index(self.name) != 0

    def mtu(self):
        return linuxio.get_mtu(self.name)

    def close(self):
        if self.fd >= 0:
            linuxio.close(self.fd)
            self.fd = -1
