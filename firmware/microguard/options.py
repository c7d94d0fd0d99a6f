# Command line and environment, the same surface as wireguard-go:
#   microguard [-f|--foreground] <ifname>
#   microguard [-f] --config <wg-quick .conf> <ifname>
#   microguard --version | --help
# Environment: WG_PROCESS_FOREGROUND=1, LOG_LEVEL=debug|verbose|info|error|silent,
# WG_KEYLOG=<file>, MICROGUARD_OFFLOAD=0 (plain tun and UDP, no
# TSO/GSO/GRO), and for tests MICROGUARD_TIME_SCALE=<factor>,
# MICROGUARD_FORCE_LOAD=1.
from . import VERSION

USAGE = """Usage: microguard [-f/--foreground] INTERFACE-NAME
       microguard [-f/--foreground] --config FILE.conf INTERFACE-NAME
       microguard genkey | pubkey | genpsk   (the OpenWrt package: keys, as wg writes them)
       microguard --version

Environment: WG_PROCESS_FOREGROUND=1, LOG_LEVEL=verbose|debug|info|error|silent,
WG_KEYLOG=FILE (tshark wg.keylog_file), MICROGUARD_TIME_SCALE=N (tests),
MICROGUARD_FORCE_LOAD=1 (tests: always demand cookies), MICROGUARD_OFFLOAD=0 (no
TSO/GSO/GRO: one packet per tun read and per datagram)."""

LEVELS = {"silent": 0, "error": 1, "info": 2, "debug": 3, "verbose": 3}


class UsageError(Exception):
    pass


class Options:
    def __init__(self):
        self.ifname = None
        self.foreground = False
        self.config_path = None
        self.log_level = LEVELS["error"]     # wireguard-go's default
        self.log_level_set = False      # LOG_LEVEL given: a daemon keeps stderr
        self.keylog_path = None
        self.time_scale = 1.0
        self.force_load = False
        self.offload = True             # TSO/checksum on the tun, UDP GSO/GRO, where the kernel has them
        self.show = None                # "version" or "help"


def _valid_ifname(name):
    if not 0 < len(name) < 16 or name in (".", ".."):
        return False
    for ch in name:
        if not (ch.isalpha() or ch.isdigit() or ch in "_-.%"):
            return False
    return True


def parse(argv, getenv):
    """argv without the program name; getenv(name) -> str or None."""
    o = Options()
    rest = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-f", "--foreground"):
            o.foreground = True
        elif a in ("-v", "--version"):
            o.show = "version"
        elif a in ("-h", "--help"):
            o.show = "help"
        elif a == "--config":
            i += 1
            if i >= len(argv):
                raise UsageError("--config needs a file")
            o.config_path = argv[i]
        elif a.startswith("--config="):
            o.config_path = a[len("--config="):]
        elif a.startswith("-") and a != "-":
            raise UsageError("unknown option " + a)
        else:
            rest.append(a)
        i += 1
    if o.show:
        return o
    if len(rest) != 1:
        raise UsageError("expected exactly one interface name")
    o.ifname = rest[0]
    if not _valid_ifname(o.ifname):
        raise UsageError("invalid interface name " + repr(o.ifname))
    if getenv("WG_PROCESS_FOREGROUND") == "1":
        o.foreground = True
    level = getenv("LOG_LEVEL")
    if level:
        if level.lower() not in LEVELS:
            raise UsageError("LOG_LEVEL must be one of debug, info, error, silent")
        o.log_level = LEVELS[level.lower()]
        o.log_level_set = True
    o.keylog_path = getenv("WG_KEYLOG") or None
    scale = getenv("MICROGUARD_TIME_SCALE")
    if scale:
        try:
            o.time_scale = float(scale)
        except ValueError:
            raise UsageError("MICROGUARD_TIME_SCALE must be a number")
        if o.time_scale <= 0:
            raise UsageError("MICROGUARD_TIME_SCALE must be positive")
    o.force_load = getenv("MICROGUARD_FORCE_LOAD") == "1"
    o.offload = getenv("MICROGUARD_OFFLOAD") != "0"
    return o


def version_text():
    return "microguard v%s (WireGuard userspace daemon in MicroPython)" % VERSION
