#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh - xstack's TCP under load (xs_stress, xs_xfer, xsperf):
#
#   - XS_STRESS_CONNS (default 10000; 2000 on the debug kernel)
#     concurrent connections, native clients on an xstack server and
#     xstack clients on a native server; each is checked by an echo,
#     /proc/net/xstack/snmp counts them in CurrEstab, and a SHA-256-
#     checked transfer runs while they are open; all of them go away when
#     closed
#   - XS_STRESS_SHORT (default 5000; 1000 on the debug kernel) short
#     connections each way (connect, 64-byte request, echo, the server
#     closes first and keeps TIME-WAIT, so the clients' ports come round
#     again into the server's TIME-WAIT entries), none may fail
#   - 8 writer and 8 reader threads on one socket, both ways: every byte
#     comes back exactly once
#   - a SO_REUSEPORT group of 4 xstack listeners: 400 connections all
#     served, every listener took some
#   - mixed load at once: a TCP transfer, short connections, a UDP flood
#     (xsperf) and a ping flood; everything completes, ping loses at most
#     5% of its echoes
#
# Topology xa/nb: xa is xstack (10.0.0.1), nb native Linux (10.0.0.2).
# make soak runs it with SOAK_CONNS and SOAK_SHORT (a million short
# connections each way by default).
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/xfer.sh"

# The debug kernel is several times slower: smaller numbers fit its
# per-test time there.
if xs_debug_kernel; then
	CONNS=${XS_STRESS_CONNS:-2000}
	SHORT=${XS_STRESS_SHORT:-1000}
else
	CONNS=${XS_STRESS_CONNS:-10000}
	SHORT=${XS_STRESS_SHORT:-5000}
fi
XSPERF=$XS_REPO/tools/xsperf/xsperf
[ -x "$XSPERF" ] || XSPERF=$XS_TESTDIR/xsperf	# kselftest install
# The bound of each xs_stress run: 50 short connections a second at least.
LIMIT=$((SHORT / 50 + CONNS / 20 + 600))
SRV_PID=""

# addr_of NS: the test address of NS (xa 10.0.0.1, nb 10.0.0.2).
addr_of()
{
	if [ "$1" = "$NS_XA" ]; then echo 10.0.0.1; else echo 10.0.0.2; fi
}

# server_start NAME NS FAMILY PORT ARGS...: an xs_stress server, up once
# it says so; its output goes to $TMPD/NAME.
server_start()
{
	local name=$1 ns=$2 fam=$3 port=$4 i
	shift 4
	"$XS_STRESS" server "$fam" "$(addr_of "$ns")" "$port" --netns "$ns" \
		--timeout "$LIMIT" "$@" >"$TMPD/$name" 2>&1 &
	SRV_PID=$!
	XS_PIDS="$XS_PIDS $SRV_PID"
	for ((i = 0; i < 100; i++)); do
		grep -q '^listening' "$TMPD/$name" && return 0
		sleep 0.1
	done
	fail "$name: the server did not start: $(cat "$TMPD/$name")"
}

# server_stop NAME: SIGTERM the server, wait for it: it exits 0.
server_stop()
{
	local rc=0
	kill -TERM "$SRV_PID"
	wait "$SRV_PID" || rc=$?
	check_eq "$1: the server exits cleanly" 0 "$rc"
}

# curr_estab: xa's Tcp CurrEstab.
curr_estab()
{
	xs_stat "$NS_XA" Tcp CurrEstab
}

# wait_estab_below N: xa's CurrEstab drops below N within 60 s.
wait_estab_below()
{
	local i
	for ((i = 0; i < 600; i++)); do
		[ "$(curr_estab)" -lt "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# many_conns NAME CLI_NS CLI_FAM SRV_NS SRV_FAM PORT: CONNS connections
# held open while a transfer runs, then closed.
many_conns()
{
	local name=$1 cns=$2 cfam=$3 sns=$4 sfam=$5 port=$6 hold i
	local base t0 rc
	base=$(curr_estab)
	server_start "$name" "$sns" "$sfam" "$port"
	t0=$(date +%s)
	"$XS_STRESS" hold "$cfam" "$(addr_of "$sns")" "$port" "$CONNS" \
		--netns "$cns" --timeout "$LIMIT" >"$TMPD/$name.hold" 2>&1 &
	hold=$!
	XS_PIDS="$XS_PIDS $hold"
	for ((i = 0; i < 6000; i++)); do
		grep -q '^held' "$TMPD/$name.hold" && break
		kill -0 "$hold" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q "^held $CONNS\$" "$TMPD/$name.hold"; then
		nok "$name: $CONNS connections: $(cat "$TMPD/$name.hold")"
		kill "$hold" 2>/dev/null
		server_stop "$name"
		return 0
	fi
	ok "$name: $CONNS connections established and echoing ($(($(date +%s) - t0)) s)"
	# Each connection has an xstack end; on xa both ends for xstack-xstack.
	if [ "$(curr_estab)" -ge $((base + CONNS)) ]; then
		ok "$name: xa's CurrEstab counts them ($(curr_estab))"
	else
		nok "$name: xa's CurrEstab is $(curr_estab), expected $((base + CONNS)) or more"
	fi
	xfer_start "$port" "$cns" "$cfam" "$sns" "$sfam" "$(addr_of "$sns")" 4M
	xfer_wait "$port" "$name: a 4 MiB transfer beside the $CONNS connections"
	check "$name: xsctl sock show lists them" \
		test "$(in_xa xsctl sock show state established | grep -c .)" \
		-ge "$CONNS"
	kill -TERM "$hold"
	rc=0
	wait "$hold" || rc=$?
	check_eq "$name: the client closed them all" 0 "$rc"
	if wait_estab_below $((base + 1)); then
		ok "$name: all of them closed on xa (CurrEstab $(curr_estab))"
	else
		nok "$name: CurrEstab still $(curr_estab) a minute after closing"
	fi
	server_stop "$name"
}

# client_run NAME CLI_NS CLI_FAM SRV_NS SRV_FAM PORT MODE COUNT SERVER_ARGS
# -- CLIENT_ARGS: an xs_stress server in SRV_NS and one client run of
# MODE against it; a check on the client's exit status and output.
client_run()
{
	local name=$1 cns=$2 cfam=$3 sns=$4 sfam=$5 port=$6 mode=$7 n=$8
	local sargs=() rc=0
	shift 8
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sargs+=("$1")
		shift
	done
	shift
	server_start "$name" "$sns" "$sfam" "$port" "${sargs[@]}"
	"$XS_STRESS" "$mode" "$cfam" "$(addr_of "$sns")" "$port" "$n" \
		--netns "$cns" --timeout "$LIMIT" "$@" >"$TMPD/$name.cli" \
		2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		ok "$name: $(head -n 1 "$TMPD/$name.cli")"
	else
		nok "$name: exit $rc: $(tr '\n' ' ' <"$TMPD/$name.cli")"
	fi
	server_stop "$name"
}

# churn NAME CLI_NS CLI_FAM SRV_NS SRV_FAM PORT N: N short connections,
# the server closing first.
churn()
{
	client_run "$@" churn "$SHORT" --close-after 64 -- --threads 4
}

# share NAME CLI_NS CLI_FAM SRV_NS SRV_FAM PORT: 8 writers and 8 readers
# on one socket.
share()
{
	client_run "$@" share 16M -- --threads 8
}

reuseport()
{
	local acc n bad=0 sum=0
	server_start reuseport "$NS_XA" "$FAM" 8400 --reuseport 4 \
		--close-after 64
	check "reuseport: 400 connections to the group" \
		"$XS_STRESS" churn inet 10.0.0.1 8400 400 --netns "$NS_NB" \
		--threads 4 --timeout 600
	server_stop reuseport
	acc=$(sed -n 's/^accepted //p' "$TMPD/reuseport")
	for n in $acc; do
		sum=$((sum + n))
		[ "$n" -gt 0 ] || bad=1
	done
	if [ "$bad" = 0 ] && [ "$sum" = 400 ] && [ "$(echo "$acc" | wc -w)" = 4 ]; then
		ok "reuseport: the 4 listeners accepted $acc"
	else
		nok "reuseport: the listeners accepted '$acc' (400 in all, each some)"
	fi
}

mixed()
{
	local ch=0 ud=0 pg=0 pids=() loss sent rcvd
	in_nb "$XSPERF" -s -f inet -p 5301 >"$TMPD/xsperf.srv" 2>&1 &
	XS_PIDS="$XS_PIDS $!"
	server_start mixed "$NS_XA" "$FAM" 8500 --close-after 64
	sleep 0.5
	xfer_start mixed "$NS_XA" "$FAM" "$NS_NB" inet 10.0.0.2 16M
	"$XS_STRESS" churn inet 10.0.0.1 8500 2000 --netns "$NS_NB" \
		--threads 4 --timeout 600 >"$TMPD/mixed.churn" 2>&1 & pids+=($!)
	"$XSPERF" -c 10.0.0.2 -f "$FAM" -p 5301 --netns "$NS_XA" -t udp \
		-d 5 >"$TMPD/mixed.udp" 2>&1 & pids+=($!)
	in_nb ping -q -f -c 2000 10.0.0.1 >"$TMPD/mixed.ping" 2>&1 & pids+=($!)
	wait "${pids[0]}" || ch=$?
	wait "${pids[1]}" || ud=$?
	wait "${pids[2]}" || pg=$?
	xfer_wait mixed "mixed: the 16 MiB transfer"
	check_eq "mixed: 2000 short connections ($(head -n 1 "$TMPD/mixed.churn"))" 0 "$ch"
	check_eq "mixed: the UDP flood ($(tail -n 1 "$TMPD/mixed.udp"))" 0 "$ud"
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$TMPD/mixed.ping")
	rcvd=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMPD/mixed.ping")
	loss=$(( (${sent:-0} - ${rcvd:-0}) * 100 / ${sent:-1} ))
	if [ "$pg" -le 1 ] && [ "${sent:-0}" = 2000 ] && [ "$loss" -le 5 ]; then
		ok "mixed: ping flood, $rcvd of $sent echoes back"
	else
		nok "mixed: ping flood: exit $pg: $(tr '\n' ' ' <"$TMPD/mixed.ping")"
	fi
	server_stop mixed
}

main()
{
	xs_init
	[ -x "$XSPERF" ] || skip "xsperf not built (make tools)"
	xfer_init
	in_nb sysctl -qw net.ipv4.ip_local_port_range="10000 65000" \
		net.ipv4.tcp_max_syn_backlog=8192 net.core.somaxconn=8192
	in_xa sysctl -qw net.xstack.ip_local_port_range="10000 65000" \
		net.xstack.tcp_max_syn_backlog=8192

	many_conns "native->xstack" "$NS_NB" inet "$NS_XA" "$FAM" 8000
	many_conns "xstack->native" "$NS_XA" "$FAM" "$NS_NB" inet 8010
	churn "short native->xstack" "$NS_NB" inet "$NS_XA" "$FAM" 8100
	churn "short xstack->native" "$NS_XA" "$FAM" "$NS_NB" inet 8110
	share "8 writers, 8 readers, one socket, xstack->native" \
		"$NS_XA" "$FAM" "$NS_NB" inet 8200
	share "8 writers, 8 readers, one socket, native->xstack" \
		"$NS_NB" inet "$NS_XA" "$FAM" 8210
	reuseport
	mixed
	check "xa's CurrEstab back to 0" wait_estab_below 1
	rm -rf "$TMPD"
	check_dmesg_clean
	xs_done
}

main "$@"
