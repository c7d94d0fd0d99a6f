# The packet path: tun -> engine -> UDP and UDP -> engine -> tun. Everything
# here runs once per packet, so it reads into preallocated buffers, keeps
# "would block" as a return value rather than an exception, binds hot
# attributes to locals, and drains each fd in batches until it is empty.
import linuxio

from wireguard.constants import ACTION_TUN

# Packets handled per fd before the loop polls again, so one busy direction
# cannot starve the other or the timers.
BATCH = 64
# Largest IP packet a tun device can hand us (MTU up to 65535), and the
# largest UDP payload.
BUFFER_SIZE = 65536


class DataPath:
    def __init__(self, dev, tun, udp, clock, log):
        self.dev = dev
        self.tun = tun
        self.udp = udp
        self.clock = clock
        self.log = log
        self.tun_buf = bytearray(BUFFER_SIZE)
        self.tun_view = memoryview(self.tun_buf)
        self.udp_buf = bytearray(BUFFER_SIZE)
        self.udp_view = memoryview(self.udp_buf)
        # Last sender per socket family, updated by recvfrom_into in place:
        # [raw sockaddr, (host, port), local address].
        self.src4 = [None, None, None]
        self.src6 = [None, None, None]
        # Sticky sources, {(host, port): local address}: replies to an
        # endpoint leave from the address its datagrams came to. Learned
        # and used in C (recvfrom_into, sendto); bounded there.
        self.sources = {}
        self.out = []
        self.send_errors = 0
        self.tun_write_errors = 0

    def from_tun(self):
        """Encrypt and send what the kernel routed into the tunnel. OSError
        from the read (EBADFD: interface deleted) goes to the caller."""
        read_into = linuxio.read_into
        sendto = linuxio.sendto
        fd = self.tun.fd
        fd4 = self.udp.fd4
        fd6 = self.udp.fd6
        buf = self.tun_buf
        view = self.tun_view
        send_packet = self.dev.send_packet
        out = self.out
        sources = self.sources
        now = self.clock.now()
        for _ in range(BATCH):
            n = read_into(fd, buf)
            if n < 0:
                return
            send_packet(view[:n], now, out)
            # The flush inlined: this loop is most of the sending CPU time.
            for action in out:
                if action[0] == ACTION_TUN:
                    self._to_tun(action[1])
                else:
                    try:
                        sendto(fd4, fd6, action[2], action[1], sources)
                    except (OSError, ValueError) as e:
                        self._send_failed(action[1], e)
            out.clear()

    def from_udp(self, fd, src):
        """Hand received datagrams to the engine; src is src4 or src6."""
        recvfrom_into = linuxio.recvfrom_into
        write = linuxio.write
        tun_fd = self.tun.fd
        buf = self.udp_buf
        view = self.udp_view
        receive = self.dev.receive_datagram
        out = self.out
        flush = self.flush
        sources = self.sources
        now = self.clock.now()
        for _ in range(BATCH):
            try:
                n = recvfrom_into(fd, buf, src, sources)
            except OSError as e:
                self.log.debug("UDP receive: %s" % e)
                return
            if n < 0:
                return
            receive(view[:n], src[1], now, out)
            if not out:
                continue
            action = out[0]
            if len(out) == 1 and action[0] == ACTION_TUN:
                # The common case, inlined: one decrypted packet for the kernel.
                try:
                    write(tun_fd, action[1])
                except OSError as e:
                    self._tun_write_failed(e)
                out.clear()
            else:
                flush(out)

    def tick(self):
        out = self.out
        self.dev.tick(self.clock.now(), out)
        if out:
            self.flush(out)

    def flush(self, out):
        """Perform the engine's actions. A tun payload is only valid until
        the next engine call, so this runs after every call."""
        udp = self.udp
        for action in out:
            if action[0] == ACTION_TUN:
                self._to_tun(action[1])
            else:
                try:
                    linuxio.sendto(udp.fd4, udp.fd6, action[2], action[1], self.sources)
                except (OSError, ValueError) as e:
                    self._send_failed(action[1], e)
        out.clear()

    def _to_tun(self, packet):
        try:
            linuxio.write(self.tun.fd, packet)
        except OSError as e:
            self._tun_write_failed(e)

    def _tun_write_failed(self, e):
        self.tun_write_errors += 1
        self.log.debug("tun write: %s" % e)

    def _send_failed(self, addr, e):
        self.send_errors += 1
        self.log.debug("UDP send to %s:%d: %s" % (addr[0], addr[1], e))
