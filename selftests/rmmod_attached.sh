#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod_attached.sh - unloading xstack with devices attached and
# configured leaves the devices as they were: present, same state, MTU
# and MAC, native addresses intact, native traffic working, rx_handler
# free (a bridge can take the device). A new load starts with nothing
# attached.
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

# link_state DEV: what a user sees of xa's DEV (flags, mtu, MAC, addrs).
link_state()
{
	in_xa ip -j addr show "$1" |
		jq -c '.[0] | {flags, mtu, address, operstate,
			       addr: [.addr_info[]? | "\(.local)/\(.prefixlen)"]}'
}

main()
{
	local before_veth before_dummy before_tun
	xs_init
	xs_require ping jq
	xs_load
	topo_xa_nb
	in_xa ip addr add 10.0.0.3/24 dev veth0
	in_xa ip link add dummy0 type dummy
	in_xa ip link set dummy0 up
	tun_add "$NS_XA" tun0 tun
	in_xa xsctl link attach dummy0
	in_xa xsctl addr add 10.0.1.1/24 dev dummy0
	check "attach tun0" in_xa xsctl link attach tun0
	check "native ping over the attached veth0 before rmmod" \
		in_nb ping -c 1 -W 2 10.0.0.3
	before_veth=$(link_state veth0)
	before_dummy=$(link_state dummy0)
	before_tun=$(link_state tun0)

	check "rmmod xstack with three devices attached" xs_unload
	check "xstack is gone" sh -c '! [ -d /sys/module/xstack ]'
	check_eq "veth0 unchanged" "$before_veth" "$(link_state veth0)"
	check_eq "dummy0 unchanged" "$before_dummy" "$(link_state dummy0)"
	check_eq "tun0 unchanged" "$before_tun" "$(link_state tun0)"
	check "native ping over veth0 after rmmod" \
		in_nb ping -c 2 -i 0.2 -W 2 10.0.0.3
	in_xa ip link add br0 type bridge
	check "veth0's rx_handler is free: it joins a bridge" \
		in_xa ip link set veth0 master br0
	check "so does dummy0" in_xa ip link set dummy0 master br0

	xs_load
	check_eq "a new load has nothing attached" "" \
		"$(xs_link_names "$NS_XA")"
	check_dmesg_clean
	xs_done
}

main "$@"
