"""Packet capture on a lab interface with dumpcap, read back with tshark.

Capture(node, ifname).start() ... stop(); then fields(...) returns rows of the
requested tshark fields.  WireGuard is decoded on `wg_port` whatever the port.
"""
import os
import select
import signal
import subprocess
import time

from lab import LabError, run


class Capture:
    def __init__(self, node, ifname, name=None, bpf=None, wg_port=51820):
        self.node = node
        self.ifname = ifname
        self.bpf = bpf
        self.wg_port = wg_port
        self.path = node.lab.path("%s.pcapng" % (name or "%s-%s" % (node.label, ifname)))
        self.proc = None

    def start(self, timeout=15, settle=0.5):
        argv = ["dumpcap", "-q", "-i", self.ifname, "-w", self.path]
        if self.bpf:
            argv += ["-f", self.bpf]
        self.proc = self.node.popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.node.lab.on_close(self.stop)
        # dumpcap says "Capturing on ..." once the interface is open.
        seen = b""
        deadline = time.monotonic() + timeout
        fd = self.proc.stderr.fileno()
        while b"Capturing on" not in seen:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise LabError("dumpcap on %s did not start: %r" % (self.ifname, seen))
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    continue
                seen += chunk
        # The message comes slightly before packets are really delivered to dumpcap.
        time.sleep(settle)
        return self

    def stop(self, linger=0.6):
        """Stop capturing; the file is complete afterwards.  Idempotent."""
        if self.proc is None or self.proc.poll() is not None:
            return self
        # libpcap hands packets over in blocks on a timer; a block still open at SIGINT is lost.
        time.sleep(linger)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def fields(self, fields, display_filter=None, prefs=(), occurrence="f"):
        """Rows (lists of strings) of the given tshark fields for packets matching the filter.

        occurrence: which instance of a repeated field ("f" first, "l" last: the inner header
        of a decrypted tunnel packet).
        """
        self.stop()
        argv = ["tshark", "-n", "-r", self.path, "-d", "udp.port==%d,wg" % self.wg_port,
                "-T", "fields", "-E", "separator=\t", "-E", "occurrence=" + occurrence]
        for p in prefs:
            argv += ["-o", p]
        if display_filter:
            argv += ["-Y", display_filter]
        for f in fields:
            argv += ["-e", f]
        out = run(argv, timeout=120).stdout
        return [line.split("\t") for line in out.splitlines()]

    def wg_messages(self, src=None):
        """(time, src ip, src port, wg type, udp length) of every WireGuard message, optionally from one IP."""
        flt = "wg"
        if src:
            flt += " && %s.src==%s" % ("ipv6" if ":" in src else "ip", src)
        rows = self.fields(["frame.time_relative", "ip.src", "ipv6.src", "udp.srcport", "wg.type", "udp.length"],
                          flt)
        return [(float(t), s4 or s6, int(port), int(typ), int(length)) for t, s4, s6, port, typ, length in rows]
