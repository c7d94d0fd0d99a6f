#!/bin/bash
# Site-to-site WireGuard demo in network namespaces:
#
#   host-a (10.1.0.2) -- router A: MicroGuard --WAN-- router B: wireguard-go -- host-b (10.2.0.2)
#
# Router A is brought up with wg-quick and WG_QUICK_USERSPACE_IMPLEMENTATION=microguard,
# router B with wg-quick and wireguard-go.  Host A pings host B and sends it data through
# the tunnel; both routers' `wg show` is printed.  Then the same again with router A running
# the static mipsel build under qemu-user.  Everything is removed on exit, even on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MICROGUARD="$ROOT/build/bin/microguard"
# Router A's implementation; DEMO_ROUTER_A=wireguard-go runs the same demo with wireguard-go on both sides.
ROUTER_A=${DEMO_ROUTER_A:-$MICROGUARD}
NAME_A=$( [ "$ROUTER_A" = "$MICROGUARD" ] && echo MicroGuard || basename "$ROUTER_A")
TAG="mgdemo$$"
WORK=$(mktemp -d "/tmp/$TAG.XXXXXX")
NAMESPACES=()
HOLDERS=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
    set +e
    for ns in "${NAMESPACES[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    sleep 0.3
    for ns in "${NAMESPACES[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    NAMESPACES=()
    HOLDERS=()
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }
[ -x "$MICROGUARD" ] || { echo "demo: $MICROGUARD missing; run make build" >&2; exit 1; }

# A node: a network namespace plus a mount namespace (its own /run/wireguard) held by `sleep`.
# `in_ns <name> cmd...` runs a command inside both.
declare -A HOLDER
new_node() {
    local ns="$TAG-$1"
    ip netns add "$ns"
    NAMESPACES+=("$ns")
    mkdir -p /run/wireguard
    ip netns exec "$ns" sh -c 'mount -t tmpfs -o mode=0700 tmpfs /run/wireguard && exec sleep 1000000' &
    HOLDER[$1]=$!
    HOLDERS+=($!)
    # wait for the tmpfs: the holder's view of /run/wireguard becomes a fresh, empty mount
    for _ in $(seq 100); do
        grep -q " /run/wireguard tmpfs" "/proc/${HOLDER[$1]}/mounts" 2>/dev/null && break
        sleep 0.05
    done
    in_ns "$1" ip link set lo up
}
in_ns() { local n=$1; shift; nsenter -t "${HOLDER[$n]}" -m -n "$@"; }

veth() {  # veth <node1> <if1> <node2> <if2>
    ip -n "$TAG-$1" link add "$2" type veth peer name "$4" netns "$TAG-$3"
    in_ns "$1" ip link set "$2" up
    in_ns "$3" ip link set "$4" up
}

build_topology() {
    for n in ha ra rb hb; do new_node "$n"; done
    veth ha eth0 ra lan0
    veth ra wan0 rb wan0
    veth rb lan0 hb eth0
    in_ns ha ip addr add 10.1.0.2/24 dev eth0
    in_ns ha ip route add default via 10.1.0.1
    in_ns ra ip addr add 10.1.0.1/24 dev lan0
    in_ns ra ip addr add 192.0.2.1/24 dev wan0
    in_ns rb ip addr add 192.0.2.2/24 dev wan0
    in_ns rb ip addr add 10.2.0.1/24 dev lan0
    in_ns hb ip addr add 10.2.0.2/24 dev eth0
    in_ns hb ip route add default via 10.2.0.1
    in_ns ra sysctl -q -w net.ipv4.ip_forward=1
    in_ns rb sysctl -q -w net.ipv4.ip_forward=1
}

write_configs() {
    local ka kb
    ka=$(wg genkey); kb=$(wg genkey)
    cat > "$WORK/wga.conf" <<EOF
[Interface]
PrivateKey = $ka
ListenPort = 51820
Address = 10.0.0.1/24

[Peer]
# router B (wireguard-go)
PublicKey = $(echo "$kb" | wg pubkey)
Endpoint = 192.0.2.2:51820
AllowedIPs = 10.0.0.2/32, 10.2.0.0/24
EOF
    cat > "$WORK/wgb.conf" <<EOF
[Interface]
PrivateKey = $kb
ListenPort = 51820
Address = 10.0.0.2/24

[Peer]
# router A (MicroGuard)
PublicKey = $(echo "$ka" | wg pubkey)
Endpoint = 192.0.2.1:51820
AllowedIPs = 10.0.0.1/32, 10.1.0.0/24
EOF
    chmod 600 "$WORK"/*.conf
}

run_demo() {
    local arch=$1 label=$2
    say "Site-to-site: router A = $NAME_A ($label), router B = wireguard-go"
    cat <<EOF
  host-a 10.1.0.2 -- [router A 10.1.0.1 | wga 10.0.0.1 | WAN 192.0.2.1]
                         ==== WireGuard over the WAN veth ====
  host-b 10.2.0.2 -- [router B 10.2.0.1 | wgb 10.0.0.2 | WAN 192.0.2.2]
EOF
    build_topology
    write_configs

    echo "  (wg-quick tries the kernel module first; with none here it falls back to the userspace daemon)"
    say "router A: wg-quick up (WG_QUICK_USERSPACE_IMPLEMENTATION=$(basename "$ROUTER_A"), MICROGUARD_ARCH=$arch)"
    in_ns ra env MICROGUARD_ARCH="$arch" WG_QUICK_USERSPACE_IMPLEMENTATION="$ROUTER_A" \
        wg-quick up "$WORK/wga.conf" 2>&1 | grep -v '[│┌└]' | sed 's/^/  /'
    say "router B: wg-quick up (wireguard-go)"
    in_ns rb env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
        wg-quick up "$WORK/wgb.conf" 2>&1 | grep -v '[│┌└]' | sed 's/^/  /'

    say "ping host-a -> host-b (LAN A to LAN B through the tunnel)"
    # the first echo waits for the handshake; allow for the emulated CPU
    in_ns ha ping -n -c 5 -i 0.5 -W 5 10.2.0.2
    say "ping host-b -> host-a"
    in_ns hb ping -n -c 3 -i 0.5 -W 5 10.1.0.2

    say "data host-a -> host-b: iperf3 TCP, 5 seconds"
    in_ns hb iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
    for _ in $(seq 50); do
        in_ns hb ss -Hltn 'sport = :5201' | grep -q . && break
        sleep 0.1
    done
    in_ns ha iperf3 -c 10.2.0.2 -p 5201 -t 5 -f m | grep -E 'sender|receiver' | sed 's/^/  /'
    wait $! 2>/dev/null || true

    say "data host-b -> host-a: a 4 MiB file over nc, checksum compared"
    head -c 4194304 /dev/urandom > "$WORK/blob"
    in_ns ha sh -c "timeout 60 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"10.1.0.2\", 9000)); s.listen(1); c, _ = s.accept()
with open(\"$WORK/blob.recv\", \"wb\") as f:
    while True:
        d = c.recv(65536)
        if not d: break
        f.write(d)
'" &
    local rx=$!
    sleep 0.5
    in_ns hb python3 -c "
import socket
s = socket.create_connection(('10.1.0.2', 9000), timeout=30)
s.sendall(open('$WORK/blob', 'rb').read()); s.close()"
    wait $rx
    local sent recv
    sent=$(sha256sum < "$WORK/blob" | cut -c1-16)
    recv=$(sha256sum < "$WORK/blob.recv" | cut -c1-16)
    echo "  sent sha256 $sent..., received sha256 $recv..."
    [ "$sent" = "$recv" ] || { echo "  MISMATCH" >&2; exit 1; }

    say "wg show on router A ($NAME_A, $label)"
    in_ns ra wg show wga
    say "wg show on router B (wireguard-go)"
    in_ns rb wg show wgb

    say "wg-quick down on both routers"
    in_ns ra wg-quick down "$WORK/wga.conf" 2>&1 | grep -v '[│┌└]' | sed 's/^/  /'
    in_ns rb wg-quick down "$WORK/wgb.conf" 2>&1 | grep -v '[│┌└]' | sed 's/^/  /'
    sleep 0.5
    if [ -e "/proc/${HOLDER[ra]}/root/run/wireguard/wga.sock" ]; then
        echo "  router A: UAPI socket still present after wg-quick down" >&2; exit 1
    fi
    local left
    left=$(ip netns pids "$TAG-ra" | grep -vx "${HOLDER[ra]}" || true)
    [ -z "$left" ] || { echo "  router A: processes left after wg-quick down: $left" >&2; exit 1; }
    echo "  router A: no daemon and no UAPI socket left"

    cleanup
    WORK=$(mktemp -d "/tmp/$TAG.XXXXXX")
}

run_demo x64 "host build"
run_demo mipsel "mipsel static build under qemu-user"
say "demo finished: both runs passed"
