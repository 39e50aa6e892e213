#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net_icmp_errors.sh - ICMP errors xstack generates, and their rate
# limit, seen from the native netns nb (badpkt.py), topology a.
#
#   - IP protocol 253 to xa: an ICMP protocol unreachable back to nb that
#     quotes the datagram, Ip InUnknownProtos + 1; to the broadcast
#     address: no ICMP (RFC 1122 3.2.2);
#   - a burst of 200 such datagrams: far fewer unreachables (defaults
#     net.xstack.icmp_ratelimit=1000 ms, burst 6 per destination,
#     icmp_msgs_per_sec=1000, burst 50), Icmp OutRateLimitHost grows,
#     and a second later an unreachable comes again;
#   - the sysctls have the documented defaults;
#   - every ICMP error captured in nb passes tshark (checksums, quoted
#     header).
set -eu
. "$(dirname "$0")/lib/topo.sh"

check_defaults()
{
	local s want
	for s in icmp_ratelimit=1000 icmp_ratemask=6168 icmp_msgs_per_sec=1000 \
		icmp_msgs_burst=50; do
		want=${s#*=}
		check_eq "net.xstack.${s%=*} defaults to $want" "$want" \
			"$(in_xa sysctl -n "net.xstack.${s%=*}")"
	done
}

main()
{
	local xa_mac before
	xs_init
	xs_require ping tcpdump tshark
	xs_require_scapy
	xs_load
	topo_xa_nb
	xa_mac=$(mac_of "$NS_XA" veth0)
	check_defaults
	in_nb ping -n -c 1 -W 5 10.0.0.1 >/dev/null || fail "nb cannot ping xa"
	ns_proc_net "$NS_XA"
	before=$(xs_stat "$NS_XA" Icmp OutDestUnreachs)
	cap_start "$NS_NB" veth0 icmp_errors icmp
	relay in_nb "$XS_PYTHON" "$XS_TESTDIR/badpkt.py" --dmac "$xa_mac" \
		--snmp "$XS_PROC_NET/xstack/snmp" unknown-proto ratelimit
	cap_stop
	cap_check "capture of the unreachables" "$XS_CAP_FILE" "$xa_mac" 3
	check_stat_grew "Icmp OutDestUnreachs counts those sent" "$NS_XA" \
		Icmp OutDestUnreachs "$before" 3
	check_match "IcmpMsg OutType3 counted" "^[1-9]" \
		"$(xs_stat "$NS_XA" IcmpMsg OutType3)"
	check "xa still answers pings" in_nb ping -n -c 2 -i 0.2 -W 3 10.0.0.1
	check_dmesg_clean
	xs_done
}

main "$@"
