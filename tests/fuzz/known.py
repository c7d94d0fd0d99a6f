# Failures the fuzzers found that are not fixed yet, by signature (see
# fuzzmain.signature). `make fuzz` reports them as failures; the small share
# in `make test` prints them and fails only on anything not listed here.
# Remove an entry when its fix lands.
KNOWN = {}
