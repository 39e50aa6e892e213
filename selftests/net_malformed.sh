#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net_malformed.sh - malformed packets from the native netns nb to the
# xstack host xa (badpkt.py malformed), topology a.
#
#   bad IP header checksum, IHL 4, IHL beyond the packet, a header cut
#   short, total length larger than the frame or smaller than the header,
#   version 6 in an ETH_P_IP frame, martian sources, a bad ICMP checksum,
#   a broken IP option, ARP with wrong hardware/protocol lengths and a
#   truncated ARP packet: each is dropped without an answer and counted
#   (Ip InHdrErrors, IpExt InCsumErrors, IpExt InTruncatedPkts, XsExt
#   IpInBadSource, Icmp InCsumErrors, XsExt ArpInMalformed, ...); an echo
#   with valid options is answered. Afterwards xa still answers pings and
#   ARP, and the frames it sent pass tshark.
set -eu
. "$(dirname "$0")/lib/topo.sh"

main()
{
	local xa_mac n
	xs_init
	xs_require ping arping tcpdump tshark
	xs_require_scapy
	xs_load
	topo_xa_nb
	xa_mac=$(mac_of "$NS_XA" veth0)
	in_nb ping -n -c 1 -W 5 10.0.0.1 >/dev/null || fail "nb cannot ping xa"
	ns_proc_net "$NS_XA"
	cap_start "$NS_NB" veth0 malformed
	relay in_nb "$XS_PYTHON" "$XS_TESTDIR/badpkt.py" --dmac "$xa_mac" \
		--snmp "$XS_PROC_NET/xstack/snmp" malformed
	check "xa still answers pings" \
		in_nb ping -n -c 3 -i 0.2 -W 3 10.0.0.1
	check "xa still answers fragmented pings" \
		in_nb ping -n -c 1 -W 3 -s 3000 10.0.0.1
	n=$(in_nb arping -c 1 -w 5 -I veth0 10.0.0.1 2>&1 |
		grep -ci "from $xa_mac" || true)
	check_eq "xa still answers ARP" 1 "$n"
	cap_stop
	cap_check "capture of xa's answers" "$XS_CAP_FILE" "$xa_mac" 5
	check_match "xsctl stats IpExt shows InCsumErrors" \
		"^IpExt +InCsumErrors +[1-9]" "$(in_xa xsctl stats IpExt)"
	check_dmesg_clean
	xs_done
}

main "$@"
