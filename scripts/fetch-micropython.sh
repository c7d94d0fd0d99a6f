#!/bin/sh
# Fetch MicroPython's Debian source package into a project-local apt state dir and unpack it
# under build/. The system's apt configuration is never modified.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
PIN_VERSION=${MP_DEB_VERSION:-1.25.0+ds-1}
PIN_DSC_SHA256=${MP_DSC_SHA256:-8c7c406be88a6f3bc19e694eb0bbc5841112243fdf2b5a296e000d8fdc5f3c34}
PIN_ORIG_SHA256=7b25be99a502f070b2de81dafc08da7051d992325d6e67daa9045a918fffdbea
state=$root/.state/apt-src
dest=${1:-$root/build/micropython}
[ -f "$dest/.unpacked" ] && exit 0
mkdir -p "$state/sources.list.d" "$state/lists/partial" "$state/dl"
uris=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [ -z "$uris" ]; then
    uris=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
[ -n "$uris" ] || { echo "fetch-micropython: cannot find the system's Debian mirror" >&2; exit 1; }
cat > "$state/sources.list.d/trixie-src.sources" <<SRC
Types: deb-src
URIs: $uris
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$state/sources.list.d -o Dir::State::Lists=$state/lists -o Dir::Cache=$state/cache -o Debug::NoLocking=1"
mkdir -p "$state/cache/archives/partial"
apt-get $opts update -qq
cd "$state/dl"
version=$PIN_VERSION
if ! apt-get $opts source --download-only "micropython=$version" >/dev/null 2>&1; then
    current=$(apt-cache $opts showsrc micropython | awk '/^Version:/{print $2; exit}')
    echo "fetch-micropython: pinned micropython $PIN_VERSION is gone from Debian's archive;" \
         "falling back to trixie's current $current (the tests decide whether it works)" >&2
    version=$current
    PIN_DSC_SHA256=""
    PIN_ORIG_SHA256=""
    apt-get $opts source --download-only "micropython=$version"
fi
upstream=${version#*:}
dsc=$(ls micropython_"$upstream".dsc)
if [ -n "$PIN_DSC_SHA256" ]; then
    echo "$PIN_DSC_SHA256  $dsc" | sha256sum -c --quiet - || {
        echo "fetch-micropython: checksum mismatch for $dsc" >&2; exit 1; }
    echo "$PIN_ORIG_SHA256  micropython_${upstream%-*}.orig.tar.xz" | sha256sum -c --quiet - || {
        echo "fetch-micropython: checksum mismatch for the orig tarball" >&2; exit 1; }
fi
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.tmp"
# the pinned checksums above stand in for the signature check
dpkg-source --no-check -x "$dsc" "$dest.tmp" >/dev/null
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "$version" > "$dest/.unpacked"
echo "fetch-micropython: micropython $version unpacked in $dest"
