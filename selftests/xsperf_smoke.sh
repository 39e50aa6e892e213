#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xsperf_smoke.sh - tools/xsperf works on both families: every workload
# for half a second, and its JSON line is sane (ok, the counts and rates
# above zero, as many datagrams received as sent or fewer). No figure is
# compared with any bound: this checks the tool, not the stacks' speed
# (that is make bench).
#
#   topology a (xa <-> nb), 10.0.0.3 native on xa beside xstack's 10.0.0.1:
#   - inet: AF_INET client on xa (10.0.0.3) -> native server on nb;
#   - xstack: AF_XSTACK client on xa (10.0.0.1) -> native server on nb;
#   - xstack server: AF_INET client on nb -> AF_XSTACK server on xa
#     (stream from the server, rr).
set -eu
. "$(dirname "$0")/lib/topo.sh"

XSPERF=$XS_REPO/tools/xsperf/xsperf
[ -x "$XSPERF" ] || XSPERF=$XS_TESTDIR/xsperf	# kselftest install
PORT=5301
ERR=/tmp/xsperf.$XS_ID.err

# The jq test of each workload's JSON.
sane()
{
	case "$1" in
	stream) echo '.bytes > 0 and .mbit_s > 0 and .duration > 0' ;;
	rr|crr) echo '(.transactions // .connections) > 0 and
		(.tps // .cps) > 0 and .lat_us.p50 > 0 and
		.lat_us.p50 <= .lat_us.p90 and .lat_us.p90 <= .lat_us.p99' ;;
	udp) echo '.sent > 0 and .received > 0 and .received <= .sent and
		.send_pps > 0 and .recv_pps > 0' ;;
	idle) echo '.connections == 50 and .server_held == 50 and
		.open_cps > 0' ;;
	esac
}

# run NAME NS FAMILY ADDR WORKLOAD ARGS...: one client run, checked.
run()
{
	local name=$1 ns=$2 fam=$3 addr=$4 w=$5 out rc=0
	shift 5
	out=$("$XSPERF" -c "$addr" -f "$fam" -p "$PORT" --netns "$ns" \
		-t "$w" "$@" 2>"$ERR") || rc=$?
	if [ "$rc" != 0 ]; then
		nok "$name: $w $*: exit $rc: $out $(cat "$ERR")"
	elif ! echo "$out" | jq -e ".ok == true and .workload == \"$w\" and
		($(sane "$w"))" >/dev/null; then
		nok "$name: $w $*: implausible JSON: $out"
	else
		ok "$name: $w $*: $(tail -n 1 "$ERR")"
	fi
}

# server NS FAMILY: an xsperf server in NS, up once it says so.
server()
{
	local f=/tmp/xsperf.$XS_ID.$1
	"$XSPERF" -s -f "$2" -p "$PORT" --netns "$1" >"$f" 2>&1 &
	XS_PIDS="$XS_PIDS $!"
	for _ in $(seq 1 100); do
		grep -q listening "$f" && return 0
		sleep 0.1
	done
	fail "xsperf server in $1 did not start: $(cat "$f")"
}

main()
{
	local fam addr
	xs_init
	[ -x "$XSPERF" ] || skip "xsperf not built (make tools)"
	xs_load
	topo_xa_nb
	ip -n "$NS_XA" addr add 10.0.0.3/24 dev veth0
	server "$NS_NB" inet
	server "$NS_XA" xstack
	for fam in inet xstack; do
		run "$fam" "$NS_XA" "$fam" 10.0.0.2 stream -d 0.5
		run "$fam" "$NS_XA" "$fam" 10.0.0.2 stream -d 0.5 -R -P 2
		run "$fam" "$NS_XA" "$fam" 10.0.0.2 rr -d 0.5
		run "$fam" "$NS_XA" "$fam" 10.0.0.2 crr -d 0.5
		run "$fam" "$NS_XA" "$fam" 10.0.0.2 udp -d 0.5 -l 64
		run "$fam" "$NS_XA" "$fam" 10.0.0.2 idle -n 50
	done
	addr=10.0.0.1
	run "xstack server" "$NS_NB" inet "$addr" stream -d 0.5 -R
	run "xstack server" "$NS_NB" inet "$addr" rr -d 0.5
	check_dmesg_clean
	xs_done
}

main "$@"
