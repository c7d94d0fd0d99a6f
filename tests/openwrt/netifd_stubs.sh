# Stand-ins for the OpenWrt shell API a netifd protocol handler calls
# (/lib/functions.sh, /lib/netifd/netifd-proto.sh, uci, logger, resolveip),
# for running packaging/openwrt/files/microguard.proto under a plain shell.
#
# Every call is appended to $STUB_LOG as one line: the function name and its
# arguments separated by tabs. The UCI data comes from a file the test
# writes (STUB_UCI), defining CONFIG_SECTIONS, CONFIG_<section>_TYPE and
# CONFIG_<section>_<option> as OpenWrt's config_load does.
#
# STUB_MODE=record (default): proto_run_command records the command, keeps a
#   copy of the generated config (STUB_LOG.conf, with its mode in
#   STUB_LOG.mode) and fakes the daemon's socket and interface
#   (STUB_FAKE_UP=0: it never comes up).
# STUB_MODE=apply: proto_run_command starts the command in the background
#   (pid in STUB_LOG.pid, output in STUB_LOG.daemon) and the address and
#   route calls are applied with `ip`, a small netifd for lab tests.

STUB_MODE=${STUB_MODE:-record}

_stub() {
	local IFS='	'
	echo "$*" >> "$STUB_LOG"
}

. "$STUB_UCI"

config_load() { _stub config_load "$@"; }

config_get() {
	# config_get <var> <section> <option> [<default>]
	local _cg_v
	eval "_cg_v=\${CONFIG_${2}_${3}-}"
	[ -n "$_cg_v" ] || _cg_v="$4"
	eval "$1=\$_cg_v"
}

config_get_bool() {
	local _cgb_v
	config_get _cgb_v "$2" "$3" "$4"
	case "$_cgb_v" in
	1|on|true|yes|enabled) _cgb_v=1 ;;
	0|off|false|no|disabled) _cgb_v=0 ;;
	*) _cgb_v="$4" ;;
	esac
	eval "$1=\$_cgb_v"
}

config_foreach() {
	local _fn="$1" _type="$2" _s _t
	shift 2
	for _s in $CONFIG_SECTIONS; do
		eval "_t=\${CONFIG_${_s}_TYPE-}"
		[ "$_t" = "$_type" ] && "$_fn" "$_s" "$@"
	done
	return 0
}

uci() {
	_stub uci "$@"
	[ "$1" = "-q" ] && shift
	case "$1" in
	get)
		local _p="${2#network.}" _v
		eval "_v=\${CONFIG_${_p%%.*}_${_p#*.}-}"
		[ -n "$_v" ] && echo "$_v"
		;;
	set)
		local _p="${2#network.}"
		local _k="${_p%%=*}"
		eval "CONFIG_${_k%%.*}_${_k#*.}=\${_p#*=}"
		;;
	commit) ;;
	esac
}

logger() { _stub logger "$@"; }

resolveip() {
	# resolveip [-t timeout] name: from STUB_HOSTS lines "name address"
	[ "$1" = "-t" ] && shift 2
	_stub resolveip "$1"
	local _n _a
	while read -r _n _a; do
		[ "$_n" = "$1" ] && { echo "$_a"; return 0; }
	done < "${STUB_HOSTS:-/dev/null}"
	return 1
}

proto_config_add_string() { _stub proto_config_add_string "$@"; }
proto_config_add_int() { _stub proto_config_add_int "$@"; }
proto_config_add_boolean() { _stub proto_config_add_boolean "$@"; }
proto_init_update() { _stub proto_init_update "$@"; STUB_DEV="$1"; }
proto_send_update() { _stub proto_send_update "$@"; }
proto_notify_error() { _stub proto_notify_error "$@"; }
proto_block_restart() { _stub proto_block_restart "$@"; }
proto_setup_failed() { _stub proto_setup_failed "$@"; }
proto_add_ipv6_prefix() { _stub proto_add_ipv6_prefix "$@"; }
proto_add_host_dependency() { _stub proto_add_host_dependency "$@"; }

proto_add_ipv4_address() {
	_stub proto_add_ipv4_address "$@"
	[ "$STUB_MODE" = apply ] && ip -4 address add "$1/$2" dev "$STUB_DEV"
	return 0
}

proto_add_ipv6_address() {
	_stub proto_add_ipv6_address "$@"
	[ "$STUB_MODE" = apply ] && ip -6 address add "$1/$2" dev "$STUB_DEV" nodad
	return 0
}

proto_add_ipv4_route() {
	_stub proto_add_ipv4_route "$@"
	[ "$STUB_MODE" = apply ] && ip link set "$STUB_DEV" up && ip -4 route replace "$1/$2" dev "$STUB_DEV"
	return 0
}

proto_add_ipv6_route() {
	_stub proto_add_ipv6_route "$@"
	[ "$STUB_MODE" = apply ] && ip link set "$STUB_DEV" up && ip -6 route replace "$1/$2" dev "$STUB_DEV"
	return 0
}

proto_run_command() {
	_stub proto_run_command "$@"
	local _if="$1" _conf="" _a _prev=""
	shift
	for _a in "$@"; do
		[ "$_prev" = "--config" ] && _conf="$_a"
		_prev="$_a"
	done
	if [ -n "$_conf" ] && [ -f "$_conf" ]; then
		cp "$_conf" "$STUB_LOG.conf"
		stat -c %a "$_conf" > "$STUB_LOG.mode"
	fi
	if [ "$STUB_MODE" = apply ]; then
		"$@" > "$STUB_LOG.daemon" 2>&1 &
		echo $! > "$STUB_LOG.pid"
	elif [ "${STUB_FAKE_UP:-1}" = 1 ]; then
		mkdir -p "$MG_SOCK_DIR" "$MG_SYS_NET/$_if"
		python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
			"$MG_SOCK_DIR/$_if.sock"
	fi
}

proto_kill_command() {
	_stub proto_kill_command "$@"
	if [ "$STUB_MODE" = apply ] && [ -f "$STUB_LOG.pid" ]; then
		kill "$(cat "$STUB_LOG.pid")" 2>/dev/null
	fi
	return 0
}
