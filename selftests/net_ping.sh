#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net_ping.sh - native Linux (nb) pings xstack (xa), topology a.
#
#   - iputils ping with payloads 0, 1, 56, 1472, 1473, 4000 and 65507
#     bytes: each gets its reply (above 1472 the request is fragmented by
#     nb and reassembled by xstack, the reply fragmented by xstack);
#   - 1000 pings at 10 ms intervals without loss;
#   - arping from nb: 3 replies from xa's MAC, and nb's neighbour table
#     learns xa's MAC for 10.0.0.1;
#   - everything xa sent meanwhile, captured in nb, passes tshark: no
#     malformed frame, no bad IP or ICMP checksum;
#   - counters move: Ip InReceives/InDelivers/OutRequests, Icmp
#     InEchos/OutEchoReps, IcmpMsg InType8/OutType0, Ip ReasmOKs/FragOKs/
#     FragCreates; "xsctl stats" agrees with /proc/net/xstack/snmp line
#     for line, and its -j form with the text form.
set -eu
. "$(dirname "$0")/lib/topo.sh"

SIZES="0 1 56 1472 1473 4000 65507"
XA_MAC=""

# ping_size N: one echo of N payload bytes from nb to 10.0.0.1.
ping_size()
{
	local out
	if out=$(in_nb ping -n -c 1 -W 5 -s "$1" 10.0.0.1 2>&1) &&
		printf '%s\n' "$out" | grep -q '1 received'; then
		ok "nb pings xa with $1 payload bytes"
	else
		nok "nb pings xa with $1 payload bytes"
		printf '%s\n' "$out" | tail -n 3 | sed 's/^/#   /'
	fi
}

check_sizes()
{
	local n before_reasm before_frag before_echo before_rep s
	before_reasm=$(xs_stat "$NS_XA" Ip ReasmOKs)
	before_frag=$(xs_stat "$NS_XA" Ip FragOKs)
	before_echo=$(xs_stat "$NS_XA" Icmp InEchos)
	before_rep=$(xs_stat "$NS_XA" Icmp OutEchoReps)
	n=0
	for s in $SIZES; do
		ping_size "$s"
		n=$((n + 1))
	done
	check_stat_grew "Icmp InEchos counts the echoes" "$NS_XA" Icmp \
		InEchos "$before_echo" "$n"
	check_stat_grew "Icmp OutEchoReps counts the replies" "$NS_XA" Icmp \
		OutEchoReps "$before_rep" "$n"
	# 1473, 4000 and 65507 arrive fragmented and leave fragmented.
	check_stat_grew "Ip ReasmOKs: fragmented echoes reassembled" \
		"$NS_XA" Ip ReasmOKs "$before_reasm" 3
	check_stat_grew "Ip FragOKs: large replies fragmented" \
		"$NS_XA" Ip FragOKs "$before_frag" 3
}

check_arping()
{
	local out n
	out=$(in_nb arping -c 3 -w 10 -I veth0 10.0.0.1 2>&1) || true
	n=$(printf '%s\n' "$out" | grep -ci "from $XA_MAC" || true)
	check_eq "arping -c 3 from nb: 3 replies from xa's MAC $XA_MAC" 3 "$n"
	[ "$n" = 3 ] || printf '%s\n' "$out" | tail -n 5 | sed 's/^/#   /'
	check_match "nb's neighbour table has xa's MAC for 10.0.0.1" \
		"^10\\.0\\.0\\.1 dev veth0 lladdr $XA_MAC" \
		"$(in_nb ip neigh show 10.0.0.1)"
}

check_flood()
{
	local out before
	before=$(xs_stat "$NS_XA" Icmp OutEchoReps)
	out=$(in_nb ping -n -q -c 1000 -i 0.01 -W 2 -w 120 10.0.0.1 2>&1) ||
		true
	check_match "1000 pings at 10 ms: 0% loss" \
		"1000 packets transmitted, 1000 received, 0% packet loss" "$out"
	check_stat_grew "xa sent 1000 echo replies" "$NS_XA" Icmp \
		OutEchoReps "$before" 1000
}

# Counters of both sources as "GROUP NAME VALUE" lines, sorted.
proc_counters()
{
	in_xa cat /proc/net/xstack/snmp | awk '
		{ g = $1; sub(":", "", g) }
		!(g in seen) { seen[g] = 1; for (i = 2; i <= NF; i++) k[i] = $i
			       next }
		{ for (i = 2; i <= NF; i++) print g, k[i], $i }' | sort
}

check_counters()
{
	local proc cli j
	check_match "Ip InReceives counted" "^[1-9]" \
		"$(xs_stat "$NS_XA" Ip InReceives)"
	check_match "Ip InDelivers counted" "^[1-9]" \
		"$(xs_stat "$NS_XA" Ip InDelivers)"
	check_match "Ip OutRequests counted" "^[1-9]" \
		"$(xs_stat "$NS_XA" Ip OutRequests)"
	check_match "IcmpMsg InType8 counted" "^[1-9]" \
		"$(xs_stat "$NS_XA" IcmpMsg InType8)"
	check_match "IcmpMsg OutType0 counted" "^[1-9]" \
		"$(xs_stat "$NS_XA" IcmpMsg OutType0)"
	# Quiet now: both views must agree exactly.
	sleep 0.5
	proc=$(proc_counters)
	cli=$(in_xa xsctl stats | awk '{ print $1, $2, $3 }' | sort)
	check_eq "xsctl stats == /proc/net/xstack/snmp" "$proc" "$cli"
	j=$(in_xa xsctl -j stats | jq -r 'to_entries[] | .key as $g |
		.value | to_entries[] | "\($g) \(.key) \(.value)"' | sort)
	check_eq "xsctl -j stats == xsctl stats" "$cli" "$j"
	check_eq "xsctl stats Icmp: only the Icmp group" "Icmp" \
		"$(in_xa xsctl stats Icmp | awk '{ print $1 }' | sort -u)"
	check_eq "xsctl stats show icmpmsg (any case)" "IcmpMsg" \
		"$(in_xa xsctl stats show icmpmsg | awk '{ print $1 }' | sort -u)"
	check_fails "xsctl stats show NoSuchGroup fails" \
		in_xa xsctl stats show NoSuchGroup
}

main()
{
	xs_init
	xs_require ping arping tcpdump tshark
	xs_load
	topo_xa_nb
	XA_MAC=$(mac_of "$NS_XA" veth0)
	cap_start "$NS_NB" veth0 ping
	check_sizes
	check_arping
	cap_stop
	cap_check "capture of the sizes and arping in nb" "$XS_CAP_FILE" \
		"$XA_MAC" 12
	check_flood
	check_counters
	check_dmesg_clean
	xs_done
}

main "$@"
