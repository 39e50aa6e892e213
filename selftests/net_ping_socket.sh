#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net_ping_socket.sh - xstack ping sockets, socket(AF_XSTACK, SOCK_DGRAM,
# IPPROTO_ICMP), driven by xs_ping. Every case first runs with AF_INET in
# the native netns nb: what native Linux reports is the expectation
# (DESIGN.md principle 7).
#
#   - xa -> nb (topology a) and xa -> xb (topology b): replies for 1, 56,
#     4000 and 65507 payload bytes (fragmented both ways), 3 in a row, an
#     identifier chosen by the kernel (the one written by the user is
#     replaced) or bound with bind(sin_port); checksums, sequence numbers
#     and payloads of the replies are checked by xs_ping;
#   - xa -> 10.0.0.1, its own address: the internal loopback answers
#     (XsExt IpLoopbackPkts moves);
#   - an unresolvable neighbour 10.0.0.99 on the connected subnet: with
#     IP_RECVERR, ee_errno EHOSTUNREACH on the error queue, and in every
#     mode (unconnected or connected, with or without IP_RECVERR) the same
#     errno, channel and reply count as native Linux;
#   - no route (192.0.2.1, no default route): sendto() and connect() fail
#     with ENETUNREACH, as native Linux; Ip OutNoRoutes moves;
#   - what xa (and xb) sent, captured in nb (and xb), passes tshark: the
#     fragments of the 65507-byte echo requests included.
set -eu
. "$(dirname "$0")/lib/topo.sh"

UNRES_MODES="plain recverr connect connect-recverr"
OUT=/tmp/net_ping_socket.$$

# mode_opts MODE: xs_ping options of an unresolvable-neighbour mode.
mode_opts()
{
	case "$1" in
	plain) echo "" ;;
	recverr) echo "--recverr" ;;
	connect) echo "--connect" ;;
	connect-recverr) echo "--connect --recverr" ;;
	esac
}

# xs_ping_ok DESC NS ARGS...: xs_ping in NS must exit 0.
xs_ping_ok()
{
	local desc=$1 ns=$2 out
	shift 2
	if out=$(in_ns "$ns" "$XS_PING" "$@" 2>&1); then
		ok "$desc ($(printf '%s\n' "$out" | tail -n 1))"
	else
		nok "$desc: xs_ping $*"
		printf '%s\n' "$out" | tail -n 5 | sed 's/^/#   /'
	fi
}

# Both stacks to the same kind of peer, native first.
check_reach_nb()
{
	local s
	xs_ping_ok "native nb -> xa (validates xs_ping)" "$NS_NB" --inet \
		-c 3 10.0.0.1
	xs_ping_ok "native nb -> own address" "$NS_NB" --inet 10.0.0.2
	for s in 1 56 4000 65507; do
		xs_ping_ok "xa -> nb, $s bytes" "$NS_XA" -s "$s" -W 5000 10.0.0.2
	done
	xs_ping_ok "xa -> nb, 3 echoes, kernel-chosen identifier" "$NS_XA" \
		-c 3 -i 100 10.0.0.2
	xs_ping_ok "native: bound identifier 4242" "$NS_NB" --inet \
		--ident 4242 10.0.0.1
	xs_ping_ok "xa -> nb, bound identifier 4242" "$NS_XA" --ident 4242 \
		10.0.0.2
	xs_ping_ok "xa -> nb, connected socket" "$NS_XA" --connect -c 2 \
		10.0.0.2
	xs_ping_ok "xa -> nb, bound to 10.0.0.1" "$NS_XA" --bind 10.0.0.1 \
		10.0.0.2
}

check_loopback()
{
	local before
	before=$(xs_stat "$NS_XA" XsExt IpLoopbackPkts)
	xs_ping_ok "xa -> its own 10.0.0.1 (internal loopback)" "$NS_XA" \
		-c 2 10.0.0.1
	xs_ping_ok "xa -> its own 10.0.0.1, 4000 bytes" "$NS_XA" -s 4000 \
		10.0.0.1
	check_stat_grew "XsExt IpLoopbackPkts moved" "$NS_XA" XsExt \
		IpLoopbackPkts "$before"
}

# signature FILE: what a run reported, for comparing two stacks.
signature()
{
	sed -n 's/^\(errno [A-Z0-9]* via [a-z()_A-Z]*\).*/\1/p' "$1"
	sed -n 's/^sent \([0-9]*\) received \([0-9]*\).*/sent \1 received \2/p' "$1"
}

# Every mode on both stacks at once (each waits for ARP to fail), each
# toward its own unused address.
run_unresolved()
{
	local m i=99 pids=""
	for m in $UNRES_MODES; do
		# shellcheck disable=SC2046
		in_nb "$XS_PING" --inet -W 8000 $(mode_opts "$m") \
			"10.0.0.$i" >"$OUT.native.$m" 2>&1 &
		pids="$pids $!"
		# shellcheck disable=SC2046
		in_xa "$XS_PING" -W 8000 $(mode_opts "$m") \
			"10.0.0.$i" >"$OUT.xstack.$m" 2>&1 &
		pids="$pids $!"
		i=$((i - 1))
	done
	for i in $pids; do
		wait "$i" || true
	done
}

check_unresolved()
{
	local m n x before
	before=$(xs_stat "$NS_XA" XsExt ArpResolveFailed)
	run_unresolved
	check_match "native, IP_RECVERR: EHOSTUNREACH on the error queue" \
		"^errno EHOSTUNREACH via errqueue" "$(cat "$OUT.native.recverr")"
	check_match "xstack, IP_RECVERR: EHOSTUNREACH on the error queue" \
		"^errno EHOSTUNREACH via errqueue" "$(cat "$OUT.xstack.recverr")"
	for m in $UNRES_MODES; do
		n=$(signature "$OUT.native.$m")
		x=$(signature "$OUT.xstack.$m")
		if [ "$n" = "$x" ]; then
			ok "unresolvable neighbour, $m: as native ($(echo $n))"
		else
			nok "unresolvable neighbour, $m: native '$(echo $n)', xstack '$(echo $x)'"
		fi
		log "$m: native: $(grep ^errno "$OUT.native.$m" || echo none);" \
			"xstack: $(grep ^errno "$OUT.xstack.$m" || echo none)"
	done
	check_stat_grew "XsExt ArpResolveFailed moved" "$NS_XA" XsExt \
		ArpResolveFailed "$before"
	rm -f "$OUT".*
}

check_no_route()
{
	local before
	before=$(xs_stat "$NS_XA" Ip OutNoRoutes)
	xs_ping_ok "native, no route: sendto ENETUNREACH" "$NS_NB" --inet \
		--expect ENETUNREACH 192.0.2.1
	xs_ping_ok "xstack, no route: sendto ENETUNREACH" "$NS_XA" \
		--expect ENETUNREACH 192.0.2.1
	xs_ping_ok "native, no route: connect ENETUNREACH" "$NS_NB" --inet \
		--connect --expect ENETUNREACH 192.0.2.1
	xs_ping_ok "xstack, no route: connect ENETUNREACH" "$NS_XA" \
		--connect --expect ENETUNREACH 192.0.2.1
	check_match "xstack says it via sendto" "^errno ENETUNREACH via sendto" \
		"$(in_xa "$XS_PING" 192.0.2.1 2>&1 || true)"
	check_stat_grew "Ip OutNoRoutes moved" "$NS_XA" Ip OutNoRoutes \
		"$before"
}

check_reach_xb()
{
	local s
	topo_down
	topo_xa_xb
	cap_start "$NS_XB" veth0 xa_xb
	for s in 56 4000 65507; do
		xs_ping_ok "xa -> xb, $s bytes" "$NS_XA" -s "$s" -W 5000 10.0.0.2
	done
	xs_ping_ok "xb -> xa, 3 echoes" "$NS_XB" -c 3 10.0.0.1
	cap_stop
	# Each way: 1 + 3 + 45 frames of the three sizes, 3 echoes, ARP.
	cap_check "capture xa -> xb: what xa sent" "$XS_CAP_FILE" \
		"$(mac_of "$NS_XA" veth0)" 52
	cap_check "capture xa -> xb: what xb sent" "$XS_CAP_FILE" \
		"$(mac_of "$NS_XB" veth0)" 52
}

main()
{
	xs_init
	xs_require tcpdump tshark
	[ -x "$XS_PING" ] || skip "$XS_PING not built (make -C selftests)"
	xs_load
	topo_xa_nb
	in_nb sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	cap_start "$NS_NB" veth0 xa_nb
	check_reach_nb
	check_loopback
	check_unresolved
	check_no_route
	cap_stop
	# The IPv4 frames of check_reach_nb alone: 1 + 1 + 3 + 45 for the
	# sizes, 3 + 3 + 1 + 1 + 2 + 1 echoes and replies; ARP besides.
	cap_check "capture xa -> nb: what xa sent" "$XS_CAP_FILE" \
		"$(mac_of "$NS_XA" veth0)" 61
	check_reach_xb
	check_dmesg_clean
	xs_done
}

main "$@"
