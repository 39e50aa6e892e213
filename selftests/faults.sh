#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# faults.sh - faults under traffic. Topology xa/nb: xa is xstack
# (10.0.0.1), nb native Linux (10.0.0.2); the transfers are SHA-256
# checked (xs_xfer), in both directions at once.
#
#   - rmmod under load: refused while sockets are open, the transfers
#     complete intact, the module stays usable
#   - MTU changes under traffic (1500, 1280, 1400, 576, 9000, 1500 on
#     both ends of the veth): the transfers complete intact
#   - link down and up under traffic, on xa's side and on nb's side: the
#     transfers complete intact
#   - a device deleted under traffic (a second veth pair): both ends see
#     an error or a timeout within their bounds (no hang), xa forgets the
#     device and its address, the first link still carries a transfer,
#     and the sockets left behind die (the module's use count comes back)
#   - two namespaces deleted while 1000 xstack-xstack connections and a
#     transfer are live in them, then their processes killed: every socket
#     goes, the module's use count comes back to what it was
#
# fault_inject.sh makes allocations fail under traffic (debug kernel).
# Any kernel warning, oops or sanitizer report fails the test.
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/xfer.sh"

NS_GONE1="da-$XS_ID"
NS_GONE2="db-$XS_ID"

rmmod_under_load()
{
	local out rc=0
	both_ways rmmod 24M
	sleep 1
	out=$(rmmod xstack 2>&1) || rc=$?
	if [ "$rc" != 0 ] && xs_loaded; then
		ok "rmmod under load refused: $out"
	else
		nok "rmmod under load: exit $rc, loaded: $(xs_loaded && echo yes || echo no)"
		xs_loaded || return 0
	fi
	both_wait rmmod "transfers during the rmmod attempt"
}

mtu_changes()
{
	local m
	both_ways mtu 24M
	for m in 1280 1400 576 9000 1500 1280 1500; do
		xfer_running mtu-out || xfer_running mtu-in || break
		ip -n "$NS_XA" link set veth0 mtu "$m"
		ip -n "$NS_NB" link set veth0 mtu "$m"
		sleep 0.7
	done
	ip -n "$NS_XA" link set veth0 mtu 1500
	ip -n "$NS_NB" link set veth0 mtu 1500
	check_eq "xa's veth0 MTU as set" 1500 \
		"$(xs_link_get "$NS_XA" veth0 mtu)"
	both_wait mtu "transfers across MTU changes"
}

# link_flap NS: veth0 of NS down for a second, twice, under traffic.
link_flap()
{
	local ns=$1 tag=flap-${1%%-*} i
	both_ways "$tag" 16M
	for i in 1 2; do
		sleep 0.5
		ip -n "$ns" link set veth0 down
		sleep 1
		ip -n "$ns" link set veth0 up
	done
	both_wait "$tag" "transfers across link down/up on ${ns%%-*}"
	check "xa still has 10.0.0.1 on veth0" \
		test "$(xs_addrs "$NS_XA" veth0)" = "veth0 10.0.0.1/24"
}

dev_delete()
{
	local st base t0
	base=$(xs_refcnt)
	ip link add veth1 netns "$NS_XA" type veth peer name veth1 \
		netns "$NS_NB"
	ip -n "$NS_XA" link set veth1 up
	ip -n "$NS_NB" link set veth1 up
	in_xa xsctl link attach veth1
	in_xa xsctl addr add 10.0.1.1/24 dev veth1
	ip -n "$NS_NB" addr add 10.0.1.2/24 dev veth1
	# The orphans left behind retry 3 times, not 8 (tcp_orphan_retries).
	in_xa sysctl -qw net.xstack.tcp_orphan_retries=3
	xfer_start del-out "$NS_XA" "$FAM" "$NS_NB" inet 10.0.1.2 1024M --idle 5
	xfer_start del-in "$NS_NB" inet "$NS_XA" "$FAM" 10.0.1.1 1024M --idle 5
	sleep 2
	ip -n "$NS_NB" link del veth1
	t0=$(date +%s)
	xfer_status del-out
	st=$XFER_ST
	xfer_status del-in
	st="$st $XFER_ST"
	t0=$(($(date +%s) - t0))
	# 5 s without progress ends each end (exit 3), or an error (exit 1).
	if [ "$t0" -le 30 ] && ! echo "$st" | grep -qw 0; then
		ok "device deleted: the transfers ended in $t0 s (exit $st)"
	else
		nok "device deleted: the transfers ended after $t0 s with exit $st"
	fi
	check_eq "xa forgot veth1" "veth0" "$(xs_link_names "$NS_XA")"
	check_eq "10.0.1.1 went with it" "veth0 10.0.0.1/24" \
		"$(xs_addrs "$NS_XA")"
	both_ways after-del 4M
	both_wait after-del "veth0 after veth1's deletion"
	if xs_wait_refcnt "$base" 120; then
		ok "the sockets of the deleted link are gone (use count $(xs_refcnt))"
	else
		nok "module use count $(xs_refcnt), was $base, 2 minutes after"
		in_xa xsctl sock show | head -n 20 | sed 's/^/#   /'
	fi
}

netns_delete()
{
	local base srv hold xs xc i
	base=$(xs_refcnt)
	ns_add "$NS_GONE1"
	ns_add "$NS_GONE2"
	veth_pair "$NS_GONE1" "$NS_GONE2"
	in_ns "$NS_GONE1" xsctl link attach veth0
	in_ns "$NS_GONE1" xsctl addr add 10.0.0.1/24 dev veth0
	in_ns "$NS_GONE2" xsctl link attach veth0
	in_ns "$NS_GONE2" xsctl addr add 10.0.0.2/24 dev veth0
	"$XS_STRESS" server "$FAM" 10.0.0.1 9500 --netns "$NS_GONE1" \
		>"$TMPD/da.srv" 2>&1 &
	srv=$!
	sleep 0.5
	"$XS_STRESS" hold "$FAM" 10.0.0.1 9500 1000 --netns "$NS_GONE2" \
		>"$TMPD/db.hold" 2>&1 &
	hold=$!
	for ((i = 0; i < 1200; i++)); do
		grep -q '^held' "$TMPD/db.hold" && break
		kill -0 "$hold" 2>/dev/null || break
		sleep 0.1
	done
	check_eq "1000 xstack-xstack connections held" "held 1000" \
		"$(cat "$TMPD/db.hold")"
	"$XS_XFER" server "$FAM" 10.0.0.1 9501 --netns "$NS_GONE1" \
		>/dev/null 2>&1 &
	xs=$!
	sleep 0.3
	"$XS_XFER" client "$FAM" 10.0.0.1 9501 1024M --netns "$NS_GONE2" \
		>/dev/null 2>&1 &
	xc=$!
	sleep 1
	log "sockets before the deletion: use count $(xs_refcnt), was $base"
	ns_del "$NS_GONE1"
	ns_del "$NS_GONE2"
	check "the namespaces' names are gone" \
		test -z "$(ip netns list | sed -n "/^$NS_GONE1\|^$NS_GONE2/p")"
	kill -KILL "$srv" "$hold" "$xs" "$xc"
	wait "$srv" "$hold" "$xs" "$xc" 2>/dev/null || true
	if xs_wait_refcnt "$base" 120; then
		ok "every socket of the deleted namespaces went (use count $(xs_refcnt))"
	else
		nok "module use count $(xs_refcnt), was $base, 2 minutes after the kill"
	fi
	check "xa and nb unaffected: ping" in_nb ping -c 1 -W 5 10.0.0.1
}

main()
{
	xs_init
	xfer_init

	rmmod_under_load
	mtu_changes
	link_flap "$NS_XA"
	link_flap "$NS_NB"
	dev_delete
	netns_delete
	rm -rf "$TMPD"
	check_dmesg_clean
	xs_done
}

main "$@"
