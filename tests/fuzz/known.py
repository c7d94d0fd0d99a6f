# Failures the fuzzers found that are not fixed yet, by signature (see
# fuzzmain.signature). `make fuzz` reports them as failures; the small share
# in `make test` prints them and fails only on anything not listed here.
# Remove an entry when its fix lands.
KNOWN = {
    "TypeError in site.py:_device":
        "site.py: a device's dns that is not a list (dns = true / 5) is iterated",
    "AttributeError in keys.py:decode":
        "site.py _links: a link's preshared_key that is not a string reaches keys.decode",
    "TypeError in site.py:_links":
        "site.py _links: link a/b that is a table or array is looked up in a dict (unhashable)",
    "wg-quick output refused by the daemon's parser":
        "render.py: a [site] name with a line break is written into the config's first comment "
        "line, so the rest becomes config lines (name = \"x\\n[Interface]\\nPostUp = ...\" injects)",
}
