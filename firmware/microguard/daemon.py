# One running interface: owns the tun device, the UDP sockets, the UAPI
# server and the engine's Device, and runs the event loop that connects
# them. setup() does everything a starter waits for (device created, socket
# listening, --config applied); run() is the loop, until the interface is
# deleted or a termination signal arrives.
import gc
import os
import select

import linuxio

# Submodules imported by their full names: the package may define a module
# __getattr__, which `from wireguard import <submodule>` would run into.
from wireguard.device import Device
from wireguard.keys import to_base64
from wireguard.outcomes import EVENT_NAMES
from .clock import Clock
from .datapath import DataPath
from .keylog import KeyLog
from .tundev import TunDevice
from .udpbind import UdpBind
from .uapiserver import UapiServer
from .resolve import EndpointNames
from . import confmode

SIGINT = 2
SIGTERM = 15
_POLL_BAD = select.POLLERR | select.POLLHUP
# How often (real seconds) to check that the interface still exists and
# whether its MTU changed; deletion is normally seen at once through the
# tun fd, this is the fallback.
HOUSEKEEPING_INTERVAL = 1.0
# Engine seconds between timer-deadline scans while packets flow. Timers
# armed by traffic lie seconds ahead (REKEY_TIMEOUT, KEEPALIVE_TIMEOUT), so
# noticing them this late costs nothing.
TIMER_RESCAN = 0.05
# Collect garbage after this many bytes were allocated, not when the heap is
# full: the packet path's small garbage would otherwise touch every page of
# the heap (-X heapsize) before the first collection, and a router pays for
# touched pages in RAM. It also keeps a big `wg setconf` from spreading its
# long-lived tables over the whole heap between megabytes of parsing garbage
# (MicroPython never moves objects), which left no contiguous block for the
# next table however much was free. Marking the live set once per megabyte
# costs little.
GC_STEADY = 1 << 20


class Daemon:
    def __init__(self, opts, log):
        self.opts = opts
        self.log = log
        self.clock = Clock(opts.time_scale)
        self.poller = select.poll()
        self.tun = None
        self.udp = UdpBind(opts.offload)
        self.dev = None
        self.datapath = None
        self.uapi = None
        self.keylog = None
        self.signal_fd = -1
        self.stopping = False
        self.exit_reason = None
        self.rescan_at = 0.0
        self.endpoint_names = None

    # ------------------------------------------------------------ setup

    def setup(self):
        opts, log = self.opts, self.log
        self.tun = TunDevice(opts.ifname, opts.offload)
        log.info("created tun device %s%s" % (self.tun.name, " (TCP segmentation offload)" if self.tun.offloads else ""))
        dev = self.dev = Device(None, rng=os.urandom, wall_clock=linuxio.realtime,
                                mtu=self.tun.mtu())
        dev.on_listen_port = self._change_port
        dev.on_event = self._on_event
        if opts.force_load:
            dev.load.forced = True
            log.info("MICROGUARD_FORCE_LOAD: always under load (cookies demanded)")
        if opts.keylog_path:
            self.keylog = KeyLog(opts.keylog_path)
            dev.on_keylog = self.keylog
            log.info("writing handshake secrets to %s" % opts.keylog_path)
        if opts.time_scale != 1.0:
            log.info("MICROGUARD_TIME_SCALE: protocol timers run %gx real time" % opts.time_scale)
        self.udp.bind(0)
        dev.listen_port = self.udp.port
        log.info("listening on UDP port %d%s%s" % (self.udp.port, " (GSO)" if self.udp.gso else "",
                                                 " (GRO)" if self.udp.gro else ""))
        self.datapath = DataPath(dev, self.tun, self.udp, self.clock, log)
        if opts.config_path:
            self.endpoint_names = EndpointNames(dev, log)
            cfg = confmode.load(opts.config_path, dev, log, self.endpoint_names, self.clock.now())
            dev.listen_port = self.udp.port
            self._apply_fwmark()
            confmode.configure_interface(cfg, self.tun.name, self.tun, log)
        self.uapi = UapiServer(self.tun.name, self.poller, dev, log, self._uapi_applied)
        log.info("UAPI listening on %s" % self.uapi.path)
        # After any `ip` commands: blocked signals are inherited by children.
        self.signal_fd = linuxio.signal_fd([SIGTERM, SIGINT])
        self.poller.register(self.signal_fd, select.POLLIN)
        self.poller.register(self.tun.fd, select.POLLIN)
        for fd in self.udp.fds():
            self.poller.register(fd, select.POLLIN)

    def _change_port(self, port):
        """Engine hook for listen_port: rebind, keeping the old sockets on failure."""
        old = self.udp.fds()
        try:
            self.udp.bind(port)
        except OSError as e:
            self.log.error("cannot listen on UDP port %d: %s" % (port, e))
            return -(e.errno or 5)
        for fd in old:
            self.poller.unregister(fd)
        for fd in self.udp.fds():
            self.poller.register(fd, select.POLLIN)
        # The new sockets' senders are unknown yet.
        self.datapath.src4[0] = self.datapath.src6[0] = None
        self.datapath.src4[2] = self.datapath.src6[2] = None
        self.log.info("listening on UDP port %d" % self.udp.port)
        return 0

    def _uapi_applied(self):
        """After each UAPI set request."""
        self.rescan_at = 0.0        # may have armed a timer due now
        # Port 0 means "any": report the port actually bound, as wireguard-go does.
        self.dev.listen_port = self.udp.port
        self._apply_fwmark()

    def _apply_fwmark(self):
        if self.dev.fwmark != self.udp.mark:
            try:
                self.udp.set_mark(self.dev.fwmark)
                self.log.info("fwmark set to 0x%x" % self.dev.fwmark)
            except OSError as e:
                self.log.error("cannot set fwmark 0x%x: %s" % (self.dev.fwmark, e))

    def _on_event(self, event, peer):
        self.log.debug("peer(%s) %s" % (to_base64(peer.public_key)[:8], EVENT_NAMES[event].replace("_", " ")))

    # ------------------------------------------------------------ loop

    def run(self):
        """Serve until stopped; returns the exit status."""
        poll = self.poller.poll
        dp = self.datapath
        dev = self.dev
        udp = self.udp
        tun_fd = self.tun.fd
        clock = self.clock
        rescan = TIMER_RESCAN * clock.scale
        threshold = getattr(gc, "threshold", None)
        if threshold is not None:
            gc.collect()
            threshold(GC_STEADY)
        next_check = clock.now()
        deadline = dev.next_deadline()
        while not self.stopping:
            now = clock.now()
            for fd, events in poll(self._timeout_ms(now, deadline)):
                if fd == tun_fd:
                    self._tun_ready(events)
                elif fd == udp.fd4:
                    dp.from_udp(fd, dp.src4)
                elif fd == udp.fd6:
                    dp.from_udp(fd, dp.src6)
                elif fd == self.uapi.fd:
                    self.uapi.accept()
                elif fd == self.signal_fd:
                    self._signal()
                elif self.uapi.owns(fd):
                    self._serve_uapi(fd, events)
                # else: an fd closed earlier in this round (rebind, client gone)
            now = clock.now()
            # next_deadline() visits every peer, so while packets flow it is
            # rescanned at most every TIMER_RESCAN; a UAPI request forces it.
            if now >= self.rescan_at:
                deadline = dev.next_deadline()
                self.rescan_at = now + rescan
            if deadline is not None and now >= deadline:
                dp.tick()
                deadline = dev.next_deadline()
                self.rescan_at = now + rescan
            if now >= next_check:
                next_check = now + HOUSEKEEPING_INTERVAL * clock.scale
                self._housekeeping()
        self.log.info("shutting down: %s" % self.exit_reason)
        return 0

    def _serve_uapi(self, fd, events):
        try:
            self.uapi.service(fd, events)
        except Exception as e:      # e.g. MemoryError: lose the client, not the tunnel
            self.log.error("UAPI client dropped: %r" % e)
            self.uapi.drop(fd)

    def _timeout_ms(self, now, deadline):
        wait = HOUSEKEEPING_INTERVAL
        if deadline is not None:
            wait = min(wait, self.clock.real_seconds(deadline - now))
        # At least 1 ms: a timer the engine leaves due must not spin the loop.
        if wait <= 0:
            return 1
        return int(wait * 1000) + 1

    def _tun_ready(self, events):
        # A deleted interface shows as POLLERR and EBADFD on the fd; a moved
        # one (another namespace) shows nothing and keeps working.
        try:
            self.datapath.from_tun()
        except OSError as e:
            if not self.tun.exists():
                self.stop("interface %s deleted" % self.tun.name)
                return
            self.log.error("tun read: %s" % e)
        if events & _POLL_BAD and not self.tun.exists():
            self.stop("interface %s deleted" % self.tun.name)

    def _signal(self):
        sig = linuxio.signal_read(self.signal_fd)
        if sig > 0:
            self.stop("received signal %d" % sig)

    def _housekeeping(self):
        if not self.tun.exists():
            self.stop("interface %s deleted" % self.tun.name)
            return
        try:
            mtu = self.tun.mtu()
        except OSError:
            mtu = self.dev.mtu
        if mtu != self.dev.mtu:
            self.log.info("MTU changed to %d" % mtu)
            self.dev.mtu = mtu
            self.datapath.resize(mtu)
        if self.endpoint_names is not None and self.endpoint_names.names:
            if self.endpoint_names.check(self.clock.now()):
                self.rescan_at = 0.0
        if self.dev.last_error is not None:
            self.log.error("engine error: %r" % self.dev.last_error)
            self.dev.last_error = None

    def stop(self, reason):
        self.stopping = True
        self.exit_reason = reason

    # ------------------------------------------------------------ teardown

    def close(self):
        """Remove the socket and release everything; safe after a partial setup."""
        if self.uapi is not None:
            self.uapi.close()
            self.uapi = None
        if self.signal_fd >= 0:
            linuxio.close(self.signal_fd)
            self.signal_fd = -1
        self.udp.close()
        if self.tun is not None:
            self.tun.close()
        if self.keylog is not None:
            self.keylog.close()
            self.keylog = None
