#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcp_packets.sh - differential packet-level TCP tests: scapy in the
# native netns nb plays the peer (10.0.0.3, an address nb's kernel does
# not own, so it sends no RST of its own) against a TCP listener or
# connection of the stack under test at 10.0.0.1 (tcp_packets.py). Every
# case runs twice, each its own KTAP line:
#
#   inet    native Linux in netns ti (AF_INET sockets): validates the
#           expectations, which are Linux 6.12's behaviour
#   xstack  xa of topology a (AF_XSTACK sockets, the family number of
#           sysfs); reported as SKIP while xstack has no TCP (socket()
#           fails with ESOCKTNOSUPPORT)
#
# Cases (RFC 9293, 5961, 7323, 1122): the SYN-ACK's options with and
# without options in the SYN (MSS 1460, WS, SACK_PERM, TS; the 536-byte
# default MSS; nothing sent by an idle new connection); data beyond the
# window (duplicate ACK, not delivered); RST at RCV.NXT (ECONNRESET), in
# the window (challenge ACK) and outside it (ignored); SYN on an
# established connection (challenge ACK); an ACK of unsent data (dropped,
# no ACK: as Linux); PAWS (duplicate ACK echoing TS.Recent); zero window
# (probes at increasing intervals, data when it opens); SYN and accept
# queue overflow with backlog 1 (SYN-ACKs for 2, later SYNs dropped, no
# RST); ICMP port and host unreachable answering a connect's SYN
# (ECONNREFUSED, EHOSTUNREACH at once; a wrong quoted SEQ is ignored); a
# bad TCP checksum (no ACK, not delivered); out-of-order segments beyond
# the receive buffer's memory (the queue is pruned, OfoPruned; the stream
# sent again arrives intact); an RST in every state (SYN-SENT, LISTEN and
# SYN-RECEIVED, FIN-WAIT-1, FIN-WAIT-2, CLOSING, CLOSE-WAIT, LAST-ACK,
# FIN-WAIT-2 and TIME-WAIT of a closed socket: the errno of each state,
# nothing sent in answer, the 4-tuple freed); SYN cookies (RFC 4987: a
# full SYN queue answers every SYN, the cookie's ACK makes a connection
# with the SYN's options, a wrong one gets an RST) and a flood of
# spoofed SYNs during which native clients still connect.
#
# XS_TCP_CASES="ofo-prune paws" runs only those cases (names as in
# tcp_packets.py's CASES).
#
# Each variant's frames are captured in nb and every one the target sent
# is checked by tshark: none malformed, no bad IP or TCP checksum.
#
# The target reaches 10.0.0.3 through a static neighbour entry for nb's
# MAC. TSO/GSO and checksum offload are off on the target's veth0, so
# that the capture in nb sees segments as they are on the wire. Both
# targets run with tcp_syncookies=0 (net.ipv4, net.xstack), so that the
# SYN-queue case sees SYNs dropped; the syn-cookies case turns them on.
set -eu
. "$(dirname "$0")/lib/topo.sh"

NS_TI="ti-$XS_ID"	# the native target of the inet variant
PEER=10.0.0.3		# scapy's address in nb

# variant NAME FAMILY NS: the cases against the target in NS.
variant()
{
	local name=$1 fam=$2 ns=$3 mac
	mac=$(mac_of "$ns" veth0)
	in_ns "$ns" ethtool -K veth0 tso off gso off tx off >/dev/null 2>&1 ||
		log "$name: cannot turn TSO/GSO/checksum offload off on veth0"
	# Not syn-flood's spoofed SYNs: thousands, which the target's
	# answers to (unresolved) never follow onto the wire.
	cap_start "$NS_NB" veth0 "$name" tcp and not host 10.0.0.200
	# shellcheck disable=SC2086 # XS_TCP_CASES: a list of words
	relay in_nb "$XS_PYTHON" "$XS_TESTDIR/tcp_packets.py" \
		--variant "$name" --family "$fam" --netns "$ns" \
		--dmac "$mac" --src "$PEER" --dst 10.0.0.1 ${XS_TCP_CASES:-}
	cap_stop
	cap_check "$name: what the target sent, checked by tshark" \
		"$XS_CAP_FILE" "$mac"
}

# topo_inet: topology a with a native target: ti has 10.0.0.1/24.
topo_inet()
{
	ns_add "$NS_TI"
	ns_add "$NS_NB"
	veth_pair "$NS_TI" "$NS_NB"
	ip -n "$NS_TI" addr add 10.0.0.1/24 dev veth0
	ip -n "$NS_NB" addr add 10.0.0.2/24 dev veth0
	ip -n "$NS_TI" neigh replace "$PEER" lladdr "$(mac_of "$NS_NB" veth0)" \
		dev veth0 nud permanent || fail "ti: static neighbour $PEER"
	# A kernel without CONFIG_SYN_COOKIES (the debug one) has no such
	# sysctl and no cookies.
	if in_ns "$NS_TI" test -e /proc/sys/net/ipv4/tcp_syncookies; then
		in_ns "$NS_TI" sysctl -qw net.ipv4.tcp_syncookies=0 ||
			fail "ti: net.ipv4.tcp_syncookies=0"
	fi
}

main()
{
	xs_init
	xs_require ethtool tcpdump
	xs_require_scapy
	xs_load
	topo_inet
	variant inet 2 "$NS_TI"
	topo_down
	topo_xa_nb
	in_xa xsctl neigh add "$PEER" lladdr "$(mac_of "$NS_NB" veth0)" \
		dev veth0 permanent || fail "xa: static neighbour $PEER"
	in_xa sysctl -qw net.xstack.tcp_syncookies=0 ||
		fail "xa: net.xstack.tcp_syncookies=0"
	variant xstack "$(xs_family)" "$NS_XA"
	check_dmesg_clean
	xs_done
}

main "$@"
