# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# app.sh - sourced (after topo.sh) by the app_*.sh tests, which run
# unmodified programs over xstack through tools/xstack-run.
#
# Provides:
#   app_init CMD...      xs_init, skip unless CMD... and xstack-run exist,
#                        load the module, make $APP_TMP (deleted on exit)
#   XS_RUN               the xstack-run wrapper of the repository
#   app_snap NS NAME     remember NS's xstack and native counters as NAME
#   app_carried DESC NS NAME PROTO MIN_IN MIN_OUT
#                        since app_snap NS NAME, xstack's PROTO (tcp: Tcp
#                        InSegs/OutSegs, udp: Udp In/OutDatagrams, icmp:
#                        Icmp In/OutMsgs) counters of NS grew by at least
#                        MIN_IN/MIN_OUT and the native stack's same
#                        counters of NS did not move: xstack carried the
#                        traffic, not a native fallback
#   app_grew DESC NS NAME GROUP FIELD MIN
#                        since app_snap NS NAME, xstack's counter GROUP
#                        FIELD of NS grew by at least MIN
#   app_delta NS NAME GROUP FIELD
#                        the growth of that counter since app_snap
#   app_wait_listen NS PORT tcp|udp xs|native
#                        wait (10 s at most) for a socket bound to PORT
#   app_kill PID         kill PID and its descendants
#   app_ping_range NS    let root open xstack ping sockets in NS
#   app_topo_down        topo_down, and forget the netns's /proc paths
#   app_done             check_dmesg_clean, log the test's time, xs_done
#
# Starting a process costs 0.1-0.3 s in the emulated guest: the counters
# and socket tables are read through /proc/PID/net of a process left in
# each netns (no "ip netns exec" per read).

if [ -z "${XS_RUN:-}" ]; then
	if [ -x "$XS_REPO/tools/xstack-run/xstack-run" ]; then
		XS_RUN="$XS_REPO/tools/xstack-run/xstack-run"
	else
		XS_RUN=$(command -v xstack-run || echo xstack-run)
	fi
fi
APP_TMP=""
declare -A APP_PN=()	# netns name -> /proc/PID/net of a process in it
declare -A APP_PID=()	# netns name -> that process

app_cleanup_tmp()
{
	[ -z "$APP_TMP" ] || rm -rf "$APP_TMP"
}

# app_init CMD...
app_init()
{
	xs_init
	xs_require "$@"
	command -v "$XS_RUN" >/dev/null ||
		skip "xstack-run not built (make -C tools)"
	xs_load
	APP_TMP=$(mktemp -d /tmp/app.XXXXXX)
	# xs_cleanup is the EXIT trap; chain the temporary directory to it.
	trap 'app_cleanup_tmp; xs_cleanup' EXIT
}

# app_pn NS: set APP_NET to /proc/PID/net of NS (a sleeper started once
# per netns).
app_pn()
{
	if [ -z "${APP_PN[$1]:-}" ]; then
		ns_proc_net "$1"
		APP_PN[$1]=$XS_PROC_NET
		APP_PID[$1]=${XS_PROC_NET//[!0-9]/}
	fi
	APP_NET=${APP_PN[$1]}
}

# app_topo_down: delete the netns of the test, and their sleepers.
app_topo_down()
{
	local ns
	for ns in "${!APP_PID[@]}"; do
		kill "${APP_PID[$ns]}" 2>/dev/null || true
	done
	APP_PN=()
	APP_PID=()
	topo_down
}

# app_counters NS: "xs.Group.Name value" and "nat.Group.Name value"
# lines for NS's xstack and native counters.
app_counters()
{
	app_pn "$1"
	awk '
		FNR == 1 { pre = (FILENAME ~ /xstack/) ? "xs." : "nat." }
		(pre $1) in hdr { for (i = 2; i <= NF; i++)
				print hdr[pre $1] "." k[pre $1, i], $i
			    delete hdr[pre $1]; next }
		{ hdr[pre $1] = pre substr($1, 1, length($1) - 1)
		  for (i = 2; i <= NF; i++) k[pre $1, i] = $i }
	' "$APP_NET/xstack/snmp" "$APP_NET/snmp"
}

# app_snap NS NAME
app_snap()
{
	app_counters "$1" >"$APP_TMP/snap.$2"
}

# app_carried DESC NS NAME PROTO MIN_IN MIN_OUT
app_carried()
{
	local desc=$1 ns=$2 name=$3 proto=$4 min_in=$5 min_out=$6
	local grp in out res
	case "$proto" in
	tcp) grp=Tcp in=InSegs out=OutSegs ;;
	udp) grp=Udp in=InDatagrams out=OutDatagrams ;;
	icmp) grp=Icmp in=InMsgs out=OutMsgs ;;
	*) fail "app_carried: unknown protocol $proto" ;;
	esac
	# "d_in d_out n_in n_out": xstack's and the native growth.
	res=$(app_counters "$ns" | awk -v g="$grp" -v i="$in" -v o="$out" '
		FNR == NR { old[$1] = $2; next }
		{ d[$1] = $2 - old[$1] }
		END { print d["xs." g "." i] + 0, d["xs." g "." o] + 0,
			    d["nat." g "." i] + 0, d["nat." g "." o] + 0 }
	' "$APP_TMP/snap.$name" -)
	# shellcheck disable=SC2086 # four numbers, split on purpose
	set -- $res
	if [ "$1" -ge "$min_in" ] && [ "$2" -ge "$min_out" ] &&
	   [ "$3" = 0 ] && [ "$4" = 0 ]; then
		ok "$desc: xstack $grp $in +$1, $out +$2; native +0"
	else
		nok "$desc: xstack $grp $in +$1 (want >= $min_in), $out +$2 (want >= $min_out); native $in +$3, $out +$4 (want 0)"
	fi
}

# app_delta NS NAME GROUP FIELD: how much xstack's GROUP FIELD of NS
# grew since app_snap NS NAME.
app_delta()
{
	app_counters "$1" | awk -v k="xs.$3.$4" '
		FNR == NR { if ($1 == k) old = $2; next }
		$1 == k { d = $2 - old } END { print d + 0 }' "$APP_TMP/snap.$2" -
}

# app_grew DESC NS NAME GROUP FIELD MIN
app_grew()
{
	local d
	d=$(app_delta "$2" "$3" "$4" "$5")
	if [ "$d" -ge "$6" ]; then
		ok "$1: xstack $4 $5 +$d"
	else
		nok "$1: xstack $4 $5 +$d (want >= $6)"
	fi
}

# app_wait_listen NS PORT tcp|udp xs|native
app_wait_listen()
{
	local ns=$1 port=$2 proto=$3 stack=$4 hex file i
	printf -v hex ':%04X ' "$port"
	app_pn "$ns"
	if [ "$stack" = xs ]; then
		file=$APP_NET/xstack/$proto
	else
		file=$APP_NET/$proto
	fi
	for i in $(seq 1 100); do
		# TCP: state 0A (LISTEN); UDP: any socket bound to the port.
		awk -v h="$hex" -v p="$proto" '
			index($2 " ", h) && (p == "udp" || $4 == "0A") { f = 1 }
			END { exit !f }' "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "nothing listens on $proto port $port in $ns ($stack)"
}

# app_kill PID: PID and every process below it (a server started with
# bg runs under ip netns exec, xstack-run, timeout...).
app_kill()
{
	local c
	for c in $(pgrep -P "$1" || true); do
		app_kill "$c"
	done
	kill "$1" 2>/dev/null || true
}

# app_ping_range NS
app_ping_range()
{
	in_ns "$1" sysctl -qw net.xstack.ping_group_range="0 0" ||
		fail "$1: cannot set net.xstack.ping_group_range"
}

# app_done
app_done()
{
	check_dmesg_clean
	log "$XS_TEST took $SECONDS s"
	xs_done
}
