#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net_reasm.sh - IPv4 reassembly in xstack, fragments crafted with scapy
# in the native netns nb (frag.py), topology a, net.xstack.ipfrag_time=2.
#
#   - random order with duplicates: exactly one echo reply, payload
#     intact (sizes 8 to 3000, fragments of 8 to 512 bytes);
#   - overlapping fragments: no reply, IpExt ReasmOverlaps (or Ip
#     ReasmFails) counts them;
#   - a missing fragment: ICMP time exceeded code 1 reaches nb after
#     ipfrag_time, Ip ReasmTimeout moves; none when fragment zero never
#     came;
#   - everything xa sent meanwhile passes tshark (no bad checksum);
#   - a flood of 3000 incomplete datagrams (1 KiB first fragments) with
#     ipfrag_high_thresh 1 MiB: XsExt ReasmMemEvictions moves, the
#     datagrams not evicted hold less than 1 MiB of data, and
#     complete fragmented pings (4000 and 20000 bytes) still work right
#     after.
set -eu
. "$(dirname "$0")/lib/topo.sh"

XA_MAC=""

check_scenarios()
{
	cap_start "$NS_NB" veth0 reasm
	relay in_nb "$XS_PYTHON" "$XS_TESTDIR/frag.py" --dmac "$XA_MAC" \
		--snmp "$XS_PROC_NET/xstack/snmp" --timeout 2 \
		order overlap missing
	cap_stop
	cap_check "capture of xa's replies and time exceeded" "$XS_CAP_FILE" \
		"$XA_MAC" 4
	check "a whole fragmented ping still works" \
		in_nb ping -n -c 1 -W 5 -s 4000 10.0.0.1
}

check_flood()
{
	local before_ok
	check "ipfrag_low_thresh=786432" \
		in_xa sysctl -qw net.xstack.ipfrag_low_thresh=786432
	check "ipfrag_high_thresh=1048576" \
		in_xa sysctl -qw net.xstack.ipfrag_high_thresh=1048576
	before_ok=$(xs_stat "$NS_XA" Ip ReasmOKs)
	relay in_nb "$XS_PYTHON" "$XS_TESTDIR/frag.py" --dmac "$XA_MAC" \
		--snmp "$XS_PROC_NET/xstack/snmp" --count 3000 \
		--high-thresh 1048576 flood
	check "fragmented ping (4000 bytes) right after the flood" \
		in_nb ping -n -c 1 -W 5 -s 4000 10.0.0.1
	check "fragmented ping (20000 bytes) right after the flood" \
		in_nb ping -n -c 1 -W 5 -s 20000 10.0.0.1
	check_stat_grew "Ip ReasmOKs: both reassembled" "$NS_XA" Ip ReasmOKs \
		"$before_ok" 2
}

main()
{
	xs_init
	xs_require ping tcpdump tshark
	xs_require_scapy
	xs_load
	topo_xa_nb
	XA_MAC=$(mac_of "$NS_XA" veth0)
	check "net.xstack.ipfrag_time=2" \
		in_xa sysctl -qw net.xstack.ipfrag_time=2
	# nb learns xa's MAC; scapy sends to it directly.
	in_nb ping -n -c 1 -W 5 10.0.0.1 >/dev/null || fail "nb cannot ping xa"
	ns_proc_net "$NS_XA"
	check_scenarios
	check_flood
	check_dmesg_clean
	xs_done
}

main "$@"
