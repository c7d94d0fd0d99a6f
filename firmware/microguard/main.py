# Entry point: parse the command line, set the interface up, become a
# daemon (unless in the foreground) only once the UAPI socket listens, and
# serve until the interface goes away.
import os
import sys

import linuxio

from . import options
from .log import Logger
from .daemon import Daemon
from .confmode import ConfigModeError
from .uapisock import SocketInUse


def main(argv):
    try:
        opts = options.parse(argv, os.getenv)
    except options.UsageError as e:
        sys.stderr.write("microguard: %s\n%s\n" % (e, options.USAGE))
        return 2
    if opts.show == "version":
        print(options.version_text())
        return 0
    if opts.show == "help":
        print(options.USAGE)
        return 0
    log = Logger(opts.ifname, opts.log_level)
    daemon = Daemon(opts, log)
    try:
        daemon.setup()
    except (OSError, ConfigModeError, SocketInUse) as e:
        log.error("failed to start: %s" % e)
        daemon.close()
        return 1
    if not opts.foreground:
        # Like wireguard-go: the daemon keeps stderr only when LOG_LEVEL asks for logs.
        linuxio.daemonize(opts.log_level_set)
    log.info("running (pid %d)" % linuxio.getpid())
    try:
        status = daemon.run()
    finally:
        daemon.close()
    return status

