#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# topologies.sh - the two topologies of lib/topo.sh are what later tests
# rely on:
#
#   (a) topo_xa_nb: xa's veth0 attached to xstack with 10.0.0.1/24 (xstack
#       only: the native stack of xa has no IPv4 address there, veth0 is
#       up); nb native with 10.0.0.2/24; the two ends are peers.
#   (b) topo_xa_xb: xa 10.0.0.1/24 and xb 10.0.0.2/24, both xstack.
#
# and cleanup removes them (netns gone, module unloaded).
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

# peers NS1 NS2: veth0 of NS1 and veth0 of NS2 are the two ends of a pair.
peers()
{
	local i1 i2
	i1=$(ip -n "$1" -j link show veth0 | jq -r '.[0].link_index')
	i2=$(ip -n "$2" -j link show veth0 | jq -r '.[0].ifindex')
	[ "$i1" = "$i2" ]
}

check_a()
{
	topo_xa_nb
	check_eq "(a) xa: veth0 attached" veth0 "$(xs_link_names "$NS_XA")"
	check_eq "(a) xa: xstack owns 10.0.0.1/24" "veth0 10.0.0.1/24" \
		"$(xs_addrs "$NS_XA")"
	check_eq "(a) xa: no native IPv4 address on veth0" "" \
		"$(in_xa ip -4 -o addr show dev veth0)"
	check_eq "(a) xa: veth0 up" true "$(xs_link_get "$NS_XA" veth0 up)"
	check_match "(a) nb: native 10.0.0.2/24" "10\\.0\\.0\\.2/24" \
		"$(in_nb ip -4 -o addr show dev veth0)"
	check_eq "(a) nb: nothing attached to xstack" "" \
		"$(xs_link_names "$NS_NB")"
	check "(a) xa and nb are veth peers" peers "$NS_XA" "$NS_NB"
	topo_down
	check_eq "(a) torn down" "" "$(ip netns list | grep -E "$XS_ID" || true)"
}

check_b()
{
	topo_xa_xb
	check_eq "(b) xa owns 10.0.0.1/24" "veth0 10.0.0.1/24" \
		"$(xs_addrs "$NS_XA")"
	check_eq "(b) xb owns 10.0.0.2/24" "veth0 10.0.0.2/24" \
		"$(xs_addrs "$NS_XB")"
	check_eq "(b) no native IPv4 address in xa or xb" "" \
		"$(in_xa ip -4 -o addr show dev veth0; in_xb ip -4 -o addr show dev veth0)"
	check "(b) xa and xb are veth peers" peers "$NS_XA" "$NS_XB"
}

main()
{
	xs_init
	xs_load
	check_a
	check_b
	check_dmesg_clean
	xs_done
}

main "$@"
