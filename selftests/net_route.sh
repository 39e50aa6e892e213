#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net_route.sh - xstack's routing table through xsctl route, topology a.
#
#   - connected routes appear with "addr add" and vanish with "addr del";
#   - overlapping prefixes 10.1.0.0/16 via gw1, 10.1.2.0/24 via gw2, a
#     host route and a default via gw3 (gateways on 10.0.0.0/24):
#     "route get" picks the longest prefix, prints gateway, device, source
#     and MTU; -j agrees; "route show" lists the table like ip route;
#   - the lowest metric wins; deleting routes changes the decision, down to
#     ENETUNREACH without any route;
#   - source selection: the address of the gateway's subnet, "src" of a
#     route, "from" of the lookup;
#   - errors with extack messages: EEXIST (same prefix and metric), ESRCH
#     (no such route), EINVAL (host bits set, bad source), ENETUNREACH
#     (gateway not on a connected network), ENODEV/ENOENT (device unknown/
#     not attached), EADDRNOTAVAIL (lookup from a foreign source);
#   - a gateway route resolves the gateway's MAC, not the destination's:
#     nb is the gateway of 10.2.0.0/24 (10.2.0.5 is nb's own address on a
#     dummy device); pings from xa to 10.2.0.5 are answered, the captured
#     frames go to nb's MAC with destination 10.2.0.5, xa never asks ARP
#     for 10.2.0.5, and xsctl neigh show (when present) has only the gateway.
set -eu
. "$(dirname "$0")/lib/topo.sh"

# route_get ADDR [ARGS...]: the text of "xsctl route get" in xa.
route_get()
{
	in_xa xsctl route get "$@" 2>&1 || true
}

# check_get DESC EXPECTED ADDR [ARGS...]
check_get()
{
	local desc=$1 want=$2
	shift 2
	check_eq "$desc" "$want" "$(route_get "$@")"
}

check_connected()
{
	local j
	check_eq "route show: the connected route of 10.0.0.1/24" \
		"10.0.0.0/24 dev veth0 proto kernel src 10.0.0.1" \
		"$(in_xa xsctl route show)"
	j=$(in_xa xsctl -j route show)
	check_eq "-j: connected, kernel, prefsrc 10.0.0.1" \
		"10.0.0.0/24 24 connected kernel 10.0.0.1 null veth0" \
		"$(echo "$j" | jq -r '.[] | "\(.dst) \(.dst_len) \(.type) \(.protocol) \(.prefsrc) \(.gateway) \(.dev)"')"
	check "addr add 10.7.0.1/16 dev veth0" \
		in_xa xsctl addr add 10.7.0.1/16 dev veth0
	check_match "its connected route appears" \
		"^10\\.7\\.0\\.0/16 dev veth0 proto kernel src 10\\.7\\.0\\.1$" \
		"$(in_xa xsctl route show)"
	check_get "on-link lookup in 10.7/16 uses source 10.7.0.1" \
		"10.7.3.3 dev veth0 src 10.7.0.1 mtu 1500" 10.7.3.3
	check_get "on-link lookup in 10.0.0/24 uses source 10.0.0.1" \
		"10.0.0.2 dev veth0 src 10.0.0.1 mtu 1500" 10.0.0.2
	check_match "own address: local" "^local 10\\.0\\.0\\.1 dev .* src 10\\.0\\.0\\.1" \
		"$(route_get 10.0.0.1)"
	check "addr del 10.7.0.1/16 dev veth0" \
		in_xa xsctl addr del 10.7.0.1/16 dev veth0
	check_nomatch "its connected route vanished" "^10\\.7\\." \
		"$(in_xa xsctl route show)"
	expect_kerr ENETUNREACH "lookup of 10.7.3.3 without a route" \
		in_xa xsctl route get 10.7.3.3
}

check_longest_prefix()
{
	check "add 10.1.0.0/16 via 10.0.0.11" \
		in_xa xsctl route add 10.1.0.0/16 via 10.0.0.11
	check "add 10.1.2.0/24 via 10.0.0.12" \
		in_xa xsctl route add 10.1.2.0/24 via 10.0.0.12
	check "add 10.1.2.7 (host route) via 10.0.0.14 dev veth0" \
		in_xa xsctl route add 10.1.2.7 via 10.0.0.14 dev veth0
	check "add default via 10.0.0.13" \
		in_xa xsctl route add default via 10.0.0.13
	check_get "10.1.2.5: the /24 wins" \
		"10.1.2.5 via 10.0.0.12 dev veth0 src 10.0.0.1 mtu 1500" 10.1.2.5
	check_get "10.1.2.7: the host route wins" \
		"10.1.2.7 via 10.0.0.14 dev veth0 src 10.0.0.1 mtu 1500" 10.1.2.7
	check_get "10.1.3.5: the /16" \
		"10.1.3.5 via 10.0.0.11 dev veth0 src 10.0.0.1 mtu 1500" 10.1.3.5
	check_get "198.51.100.7: the default" \
		"198.51.100.7 via 10.0.0.13 dev veth0 src 10.0.0.1 mtu 1500" \
		198.51.100.7
	check_get "10.0.0.77: connected beats default" \
		"10.0.0.77 dev veth0 src 10.0.0.1 mtu 1500" 10.0.0.77
	check_eq "-j route get 10.1.2.5" "10.1.2.5 10.0.0.12 veth0 10.0.0.1 1500" \
		"$(in_xa xsctl -j route get 10.1.2.5 |
			jq -r '"\(.dst) \(.gateway) \(.dev) \(.prefsrc) \(.mtu)"')"
	check_eq "route show, sorted as ip route" \
		"default via 10.0.0.13 dev veth0 metric 0
10.0.0.0/24 dev veth0 proto kernel src 10.0.0.1
10.1.0.0/16 via 10.0.0.11 dev veth0 metric 0
10.1.2.0/24 via 10.0.0.12 dev veth0 metric 0
10.1.2.7 via 10.0.0.14 dev veth0 metric 0" "$(in_xa xsctl route show)"
	check_eq "route show dev veth0: all five" 5 \
		"$(in_xa xsctl route show dev veth0 | wc -l)"
}

check_metric_and_delete()
{
	check "add 10.1.2.0/24 via 10.0.0.15 metric 5" \
		in_xa xsctl route add 10.1.2.0/24 via 10.0.0.15 metric 5
	check_get "metric 0 still wins" \
		"10.1.2.5 via 10.0.0.12 dev veth0 src 10.0.0.1 mtu 1500" 10.1.2.5
	check "add 10.1.2.0/24 via 10.0.0.16 metric 3" \
		in_xa xsctl route add 10.1.2.0/24 via 10.0.0.16 metric 3
	check "del 10.1.2.0/24 metric 0" \
		in_xa xsctl route del 10.1.2.0/24 metric 0
	check_get "then metric 3 wins" \
		"10.1.2.5 via 10.0.0.16 dev veth0 src 10.0.0.1 mtu 1500" 10.1.2.5
	check "del 10.1.2.0/24 via 10.0.0.16" \
		in_xa xsctl route del 10.1.2.0/24 via 10.0.0.16
	check_get "then metric 5" \
		"10.1.2.5 via 10.0.0.15 dev veth0 src 10.0.0.1 mtu 1500" 10.1.2.5
	check "del 10.1.2.0/24 (the last one)" \
		in_xa xsctl route del 10.1.2.0/24
	check_get "then the /16" \
		"10.1.2.5 via 10.0.0.11 dev veth0 src 10.0.0.1 mtu 1500" 10.1.2.5
	check "del 10.1.0.0/16" in_xa xsctl route del 10.1.0.0/16
	check_get "then the default" \
		"10.1.2.5 via 10.0.0.13 dev veth0 src 10.0.0.1 mtu 1500" 10.1.2.5
	check "del default" in_xa xsctl route del default
	expect_kerr ENETUNREACH "then no route" in_xa xsctl route get 10.1.2.5
	check "del 10.1.2.7/32" in_xa xsctl route del 10.1.2.7/32
	check_eq "only the connected route is left" \
		"10.0.0.0/24 dev veth0 proto kernel src 10.0.0.1" \
		"$(in_xa xsctl route show)"
}

check_source()
{
	check "addr add 10.7.0.1/16 dev veth0" \
		in_xa xsctl addr add 10.7.0.1/16 dev veth0
	check "add 10.3.0.0/16 via 10.0.0.11 src 10.7.0.1" \
		in_xa xsctl route add 10.3.0.0/16 via 10.0.0.11 src 10.7.0.1
	check "add 10.4.0.0/16 via 10.7.0.254" \
		in_xa xsctl route add 10.4.0.0/16 via 10.7.0.254
	check_get "route src is used" \
		"10.3.0.5 via 10.0.0.11 dev veth0 src 10.7.0.1 mtu 1500" 10.3.0.5
	check_get "gateway on 10.7/16: source 10.7.0.1" \
		"10.4.0.5 via 10.7.0.254 dev veth0 src 10.7.0.1 mtu 1500" 10.4.0.5
	check_get "lookup from 10.7.0.1" \
		"10.0.0.2 dev veth0 src 10.7.0.1 mtu 1500" 10.0.0.2 from 10.7.0.1
	expect_kerr EADDRNOTAVAIL "lookup from a foreign source" \
		in_xa xsctl route get 10.0.0.2 from 10.0.0.2
	expect_kerr EINVAL "route src that is not local" \
		in_xa xsctl route add 10.5.0.0/16 via 10.0.0.11 src 10.0.0.2
	check "del 10.3.0.0/16" in_xa xsctl route del 10.3.0.0/16
	check "del 10.4.0.0/16" in_xa xsctl route del 10.4.0.0/16
	check "addr del 10.7.0.1/16" in_xa xsctl addr del 10.7.0.1/16 dev veth0
}

check_errors()
{
	in_xa ip link add dummy0 type dummy
	in_xa ip link set dummy0 up
	check "add 10.1.0.0/16 via 10.0.0.11" \
		in_xa xsctl route add 10.1.0.0/16 via 10.0.0.11
	expect_kerr EEXIST "same prefix and metric" \
		in_xa xsctl route add 10.1.0.0/16 via 10.0.0.12
	expect_kerr EEXIST "same prefix and explicit metric 0" \
		in_xa xsctl route add 10.1.0.0/16 via 10.0.0.11 metric 0
	expect_kerr ESRCH "delete a route that does not exist" \
		in_xa xsctl route del 10.9.0.0/16
	expect_kerr ESRCH "delete with the wrong gateway" \
		in_xa xsctl route del 10.1.0.0/16 via 10.0.0.12
	expect_kerr ESRCH "delete with the wrong metric" \
		in_xa xsctl route del 10.1.0.0/16 metric 7
	expect_kerr EINVAL "host bits set: 10.1.2.1/24" \
		in_xa xsctl route add 10.1.2.1/24 via 10.0.0.11
	expect_kerr EINVAL "host bits set on delete" \
		in_xa xsctl route del 10.1.0.1/16
	expect_kerr ENETUNREACH "gateway not on a connected network" \
		in_xa xsctl route add 10.5.0.0/16 via 172.16.0.1
	expect_kerr ENODEV "unknown device" \
		in_xa xsctl route add 10.5.0.0/16 dev nosuchdev0
	expect_kerr ENOENT "device not attached" \
		in_xa xsctl route add 10.5.0.0/16 dev dummy0
	check_eq "the refusals added nothing" 2 \
		"$(in_xa xsctl route show | wc -l)"
	check "del 10.1.0.0/16 via 10.0.0.11 dev veth0 metric 0" \
		in_xa xsctl route del 10.1.0.0/16 via 10.0.0.11 dev veth0 metric 0
}

# xa -> 10.2.0.5 through the gateway nb (10.0.0.2).
check_gateway_mac()
{
	local nb_mac xa_mac f out
	nb_mac=$(mac_of "$NS_NB" veth0)
	xa_mac=$(mac_of "$NS_XA" veth0)
	in_nb ip link add rem0 type dummy
	in_nb ip link set rem0 up
	in_nb ip addr add 10.2.0.5/24 dev rem0
	check "add 10.2.0.0/24 via 10.0.0.2 (nb)" \
		in_xa xsctl route add 10.2.0.0/24 via 10.0.0.2
	check_get "route get 10.2.0.5" \
		"10.2.0.5 via 10.0.0.2 dev veth0 src 10.0.0.1 mtu 1500" 10.2.0.5
	cap_start "$NS_NB" veth0 gateway
	out=$(in_xa "$XS_PING" -c 3 -i 100 10.2.0.5 2>&1) &&
		ok "xa pings 10.2.0.5 through nb" ||
		nok "xa pings 10.2.0.5 through nb: $out"
	cap_stop
	f=$XS_CAP_FILE
	cap_check "capture through the gateway" "$f" "$xa_mac" 3
	check_eq "every frame xa sent to 10.2.0.5 went to nb's MAC" \
		"3 $nb_mac" \
		"$(awk -F'|' -v m="$xa_mac" '$2 == m && $5 == "10.2.0.5" { print $3 }' \
			"$f.txt" | sort | uniq -c | awk '{ print $1, $2 }')"
	check_eq "xa never asked ARP for 10.2.0.5" 0 \
		"$(awk -F'|' '$7 == "10.2.0.5"' "$f.txt" | wc -l)"
	if in_xa xsctl neigh help >/dev/null 2>&1; then
		out=$(in_xa xsctl neigh show 2>&1 || true)
		check_match "xsctl neigh show: the gateway with nb's MAC" \
			"10\\.0\\.0\\.2 .*$nb_mac" "$out"
		check_nomatch "xsctl neigh show: no entry for 10.2.0.5" \
			"10\\.2\\.0\\.5" "$out"
	else
		log "xsctl has no neigh object: neighbour table not checked"
	fi
}

main()
{
	xs_init
	xs_require tcpdump tshark
	[ -x "$XS_PING" ] || skip "$XS_PING not built (make -C selftests)"
	xs_load
	topo_xa_nb
	check_connected
	check_longest_prefix
	check_metric_and_delete
	check_source
	check_errors
	check_gateway_mac
	check_dmesg_clean
	xs_done
}

main "$@"
