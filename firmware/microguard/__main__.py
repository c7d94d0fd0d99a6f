# `micropython -m microguard [-f] <ifname>`
import sys

from microguard.main import main

sys.exit(main(sys.argv[1:]))
