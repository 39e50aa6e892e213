#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net_tun.sh - ping xstack over a tun device (an L3 device: no link-layer
# header, no ARP).
#
# First the same pings to a native tun0 in nb (validates the test). Then
# xa has tun0 (ip tuntap add mode tun), attached to xstack with
# 10.9.0.1/24. tun_ping.py opens /dev/net/tun with the same name
# (TUNSETIFF, IFF_TUN | IFF_NO_PI), writes ICMP echo requests from
# 10.9.0.2 and reads the echo replies back from the fd: 0, 56 and 1400
# payload bytes, and 3000 (the reply fragmented for the 1500-byte MTU).
# xsctl link show reports tun0 as noarp; the connected route is on tun0;
# no ARP entry is created for the peer.
set -eu
. "$(dirname "$0")/lib/topo.sh"

# The same pings to native Linux first: validates tun_ping.py.
check_native()
{
	ns_add "$NS_NB"
	tun_add "$NS_NB" tun0 tun
	in_nb ip link set tun0 up
	in_nb ip addr add 10.9.0.1/24 dev tun0
	relay in_nb "$XS_PYTHON" "$XS_TESTDIR/tun_ping.py" --dev tun0 \
		--label native 56 3000
}

main()
{
	local before
	xs_init
	xs_require_scapy
	xs_load
	check_native
	ns_add "$NS_XA"
	tun_add "$NS_XA" tun0 tun
	in_xa ip link set tun0 up
	# Nothing below means anything without it.
	in_xa xsctl link attach tun0 || fail "xsctl link attach tun0 refused"
	ok "attach tun0"
	check "addr add 10.9.0.1/24 dev tun0" \
		in_xa xsctl addr add 10.9.0.1/24 dev tun0
	check_eq "tun0 is a noarp link" true \
		"$(xs_link_get "$NS_XA" tun0 noarp)"
	check_match "connected route on tun0" \
		"^10\\.9\\.0\\.0/24 dev tun0 proto kernel src 10\\.9\\.0\\.1" \
		"$(in_xa xsctl route show)"
	before=$(xs_stat "$NS_XA" Icmp OutEchoReps)
	relay in_xa "$XS_PYTHON" "$XS_TESTDIR/tun_ping.py" --dev tun0 \
		--label xstack 0 56 1400 3000
	check_stat_grew "Icmp OutEchoReps: 4 replies" "$NS_XA" Icmp \
		OutEchoReps "$before" 4
	check_eq "no ARP request went out" 0 \
		"$(xs_stat "$NS_XA" XsExt ArpOutRequests)"
	if in_xa xsctl neigh help >/dev/null 2>&1; then
		check_nomatch "no neighbour entry for 10.9.0.2" "10\\.9\\.0\\.2" \
			"$(in_xa xsctl neigh show 2>&1)"
	fi
	check_dmesg_clean
	xs_done
}

main "$@"
