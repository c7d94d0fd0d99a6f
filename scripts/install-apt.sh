#!/bin/sh
# Install the Debian packages listed in apt-packages.txt that are not present yet.
# A stamp keyed on the list's hash keeps re-runs instant.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
list="$here/apt-packages.txt"
stamp_dir=${STATE_DIR:-$here/../.state}
mkdir -p "$stamp_dir"
sum=$(sha256sum "$list" | cut -c1-16)
stamp="$stamp_dir/apt-$sum.done"
[ -f "$stamp" ] && exit 0
pkgs=$(grep -v '^\s*#' "$list" | grep -v '^\s*$' | tr '\n' ' ')
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "apt: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # tshark asks whether non-root users may capture; the answer does not matter here
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get install -y -qq --no-install-recommends $missing
fi
touch "$stamp"
