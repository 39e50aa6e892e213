#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netns_delete.sh - deleting a network namespace with attached devices.
#
# xstack's state of the dying netns goes with it; the module stays
# loaded with its reference count at zero, other namespaces keep their
# attached devices and addresses, and rmmod works afterwards. Repeated
# several times to catch leaks (the guest's kmemleak/KASAN run sees them).
# An open xstack socket in a deleted netns pins the module until closed.
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

ROUNDS=10
NTUN=0		# rounds in which tun0 could be attached

# populate NS: veth to nb, dummy, tun, all attached with addresses.
populate()
{
	local ns=$1
	ip link add veth0 netns "$ns" type veth peer name "v$RANDOM" \
		netns "$NS_NB"
	ip -n "$ns" link set veth0 up
	ip -n "$ns" link add dummy0 type dummy
	tun_add "$ns" tun0
	in_ns "$ns" xsctl link attach veth0 &&
		in_ns "$ns" xsctl link attach dummy0 &&
		in_ns "$ns" xsctl addr add 10.0.0.1/24 dev veth0 &&
		in_ns "$ns" xsctl addr add 10.0.1.1/24 dev dummy0 || return 1
	# tun separately: its refusal must not hide the rest of the test.
	if in_ns "$ns" xsctl link attach tun0 &&
		in_ns "$ns" xsctl addr add 10.0.2.1/24 dev tun0; then
		NTUN=$((NTUN + 1))
	fi
}

# wait_peers_gone: the veth peers of the deleted netns vanish from nb (cleanup_net ran).
wait_peers_gone()
{
	local i
	for i in $(seq 1 100); do
		[ "$(ip -n "$NS_NB" -o link show type veth | wc -l)" = 0 ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# socket_in_dying_netns: an xstack socket (ping, the first type xstack
# has) keeps its netns alive after `ip netns del` and pins the module;
# closing it lets both go.
socket_in_dying_netns()
{
	local ns="xs-$XS_ID" fifo=/tmp/netns_delete.$XS_ID pid r i
	r=$("$XS_SOCKET" xstack dgram icmp || true)
	if [ "$r" != OK ]; then
		log "no xstack ping socket ($r): socket-in-dying-netns not tested"
		return
	fi
	ns_add "$ns"
	ip -n "$ns" link add dummy0 type dummy
	in_ns "$ns" xsctl link attach dummy0
	mkfifo "$fifo.in"
	in_ns "$ns" "$XS_SOCKET" xstack dgram icmp --hold <"$fifo.in" \
		>"$fifo.out" &
	pid=$!
	XS_PIDS="$XS_PIDS $pid"
	exec 9>"$fifo.in"
	for i in $(seq 1 50); do
		[ -s "$fifo.out" ] && break
		sleep 0.1
	done
	check_eq "ping socket open in netns $ns" OK "$(cat "$fifo.out")"
	ns_del "$ns"
	check_fails "rmmod refused while the socket lives" rmmod xstack
	exec 9>&-
	wait "$pid" || true
	rm -f "$fifo.in" "$fifo.out"
}

main()
{
	local i ns rc=0
	xs_init
	xs_load
	ns_add "$NS_NB"
	ns_add "$NS_XB"
	ip -n "$NS_XB" link add dummy0 type dummy
	in_xb xsctl link attach dummy0
	in_xb xsctl addr add 10.0.1.1/24 dev dummy0

	for i in $(seq 1 $ROUNDS); do
		ns="xa$i-$XS_ID"
		ns_add "$ns"
		populate "$ns" || { rc=1; nok "round $i: populate $ns"; break; }
		ns_del "$ns"
	done
	[ "$rc" != 0 ] || ok "$ROUNDS netns with attached veth0, dummy0 deleted"
	check_eq "tun0 attached too in every round" "$ROUNDS" "$NTUN"
	check "the veth peers in nb went away with the netns" wait_peers_gone
	check "xstack still loaded" xs_loaded
	check_eq "reference count 0" 0 "$(cat /sys/module/xstack/refcnt)"
	check_eq "xb keeps its attached device" dummy0 "$(xs_link_names "$NS_XB")"
	check_eq "xb keeps its address" "dummy0 10.0.1.1/24" \
		"$(xs_addrs "$NS_XB")"
	ns_add "$NS_XA"
	check_eq "a new netns starts empty" "" "$(xs_link_names "$NS_XA")"
	ns_del "$NS_XB"
	socket_in_dying_netns
	check "rmmod after the netns deletions" xs_unload
	check_dmesg_clean
	xs_done
}

main "$@"
