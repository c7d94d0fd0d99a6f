#!/bin/sh
# Fetch Debian's mipsel build of wireguard-go into .state/ and print the path of its binary.
# A private apt state dir with its own sources list (the system's Debian URIs, read now) and
# APT::Architecture=mipsel: the system's apt configuration and architectures are never changed.
# The binary is dynamically linked: run it as `qemu-mipsel-static -L /usr/mipsel-linux-gnu <path>`
# (libc6-mipsel-cross provides that root).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
state=$root/.state/apt-mipsel
dest=$state/wireguard-go
bin=$dest/usr/bin/wireguard-go
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/dl"
: > "$state/status"
# Debian stanzas of the system's deb822 sources (URIs, Suites, Components, Signed-By).
awk '
    /^[[:space:]]*$/ { flush(); next }
    /^URIs:/ { uris = $2 } /^Suites:/ { $1 = ""; suites = $0 } /^Components:/ { $1 = ""; comps = $0 }
    /^Signed-By:/ { key = $2 } /^Types:/ { types = $0 }
    function flush() {
        if (uris ~ /debian/ && types ~ /deb( |$)/)
            printf "Types: deb\nURIs: %s\nSuites:%s\nComponents:%s\nSigned-By: %s\n\n", uris, suites, comps, key
        uris = suites = comps = key = types = ""
    }
    END { flush() }
' /etc/apt/sources.list.d/*.sources > "$state/debian.sources" 2>/dev/null || true
if [ ! -s "$state/debian.sources" ] && [ -f /etc/apt/sources.list ]; then
    # one-line format: deb [opts] URI suite components...
    awk '$1 == "deb" && $0 ~ /debian/ { sub(/\[[^]]*\] */, ""); printf "Types: deb\nURIs: %s\nSuites: %s\nComponents:", $2, $3;
         for (i = 4; i <= NF; i++) printf " %s", $i; printf "\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n" }' \
        /etc/apt/sources.list > "$state/debian.sources"
fi
[ -s "$state/debian.sources" ] || { echo "fetch-wireguard-go-mipsel: no Debian apt source found" >&2; exit 1; }
mkdir -p "$state/sources.list.d"
mv "$state/debian.sources" "$state/sources.list.d/debian.sources"

opts="-o APT::Architecture=mipsel -o APT::Architectures=mipsel
      -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$state/sources.list.d
      -o Dir::State=$state -o Dir::State::Lists=$state/lists -o Dir::State::status=$state/status
      -o Dir::Cache=$state/cache -o Debug::NoLocking=1"
apt-get $opts update -qq >&2
cd "$state/dl"
rm -f wireguard-go_*.deb
apt-get $opts download wireguard-go >&2
rm -rf "$dest.tmp"
dpkg -x wireguard-go_*_mipsel.deb "$dest.tmp"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
[ -x "$bin" ] || { echo "fetch-wireguard-go-mipsel: no usr/bin/wireguard-go in the package" >&2; exit 1; }
echo "$bin"
