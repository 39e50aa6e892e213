#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# addr.sh - xstack addresses: add/show/del round trip and every refusal.
#
#   device not attached ENOENT; unknown device ENODEV
#   prefix > 32 refused (kernel EINVAL: netlink_policy.c)
#   not unicast: 0/8, 127/8, 224/4, 240/4, 255.255.255.255  EINVAL
#   duplicate (same device, other prefix, other device)     EEXIST
#   deleting an address not present                         EADDRNOTAVAIL
#   more than net.xstack.addrs_per_dev                      ENOSPC
#
# Addresses are per netns, invisible to the native stack (ip addr), shown
# by `xsctl addr show` (text, -j, dev filter) and /proc/net/xstack/dev,
# and flushed by detach.
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

setup()
{
	ns_add "$NS_XA"
	ns_add "$NS_XB"
	in_xa ip link add dummy0 type dummy
	in_xa ip link add dummy1 type dummy
	in_xa ip link add dummy2 type dummy
	in_xb ip link add dummy0 type dummy
	in_xa xsctl link attach dummy0
	in_xa xsctl link attach dummy1
	in_xb xsctl link attach dummy0
}

check_refusals()
{
	local a
	expect_errno ENOENT "add to a device not attached" \
		in_xa xsctl addr add 10.0.0.1/24 dev dummy2
	expect_errno ENODEV "add to an unknown device" \
		in_xa xsctl addr add 10.0.0.1/24 dev nosuchdev0
	# xsctl refuses /33 itself; the kernel's EINVAL for a prefix
	# length > 32 is checked by netlink_policy (raw netlink).
	check_fails "prefix /33 refused" \
		in_xa xsctl addr add 10.0.0.1/33 dev dummy0
	for a in 0.0.0.0/8 0.1.2.3/24 127.0.0.1/8 224.0.0.1/24 \
		239.1.2.3/32 240.0.0.1/24 255.255.255.255/32; do
		expect_errno EINVAL "not unicast: $a" \
			in_xa xsctl addr add "$a" dev dummy0
	done
	check_eq "nothing added by the refusals" "" "$(xs_addrs "$NS_XA")"
}

check_round_trip()
{
	local j
	check "add 10.0.0.1/24 dev dummy0" \
		in_xa xsctl addr add 10.0.0.1/24 dev dummy0
	check "add 192.168.5.9/30 dev dummy0" \
		in_xa xsctl addr add 192.168.5.9/30 dev dummy0
	check "add 172.16.1.1/16 dev dummy1" \
		in_xa xsctl addr add 172.16.1.1/16 dev dummy1
	check "add 10.9.9.9/32 dev dummy1" \
		in_xa xsctl addr add 10.9.9.9/32 dev dummy1
	check "add 198.51.100.7/0 dev dummy1 (prefix 0 is valid)" \
		in_xa xsctl addr add 198.51.100.7/0 dev dummy1
	check_eq "addr show -j lists the five" \
		"dummy0 10.0.0.1/24
dummy0 192.168.5.9/30
dummy1 10.9.9.9/32
dummy1 172.16.1.1/16
dummy1 198.51.100.7/0" "$(xs_addrs "$NS_XA")"
	j=$(in_xa xsctl -j addr show)
	check_eq "broadcast of 10.0.0.1/24" 10.0.0.255 \
		"$(echo "$j" | jq -r '.[] | select(.local == "10.0.0.1") | .broadcast')"
	check_eq "broadcast of 192.168.5.9/30" 192.168.5.11 \
		"$(echo "$j" | jq -r '.[] | select(.local == "192.168.5.9") | .broadcast')"
	check_eq "ifindex of dummy1's addresses" \
		"$(in_xa cat /sys/class/net/dummy1/ifindex)" \
		"$(echo "$j" | jq -r '[.[] | select(.ifname == "dummy1") | .ifindex] | unique | join(" ")')"
	check_eq "addr show dev dummy0: only dummy0's" \
		"dummy0 10.0.0.1/24
dummy0 192.168.5.9/30" "$(xs_addrs "$NS_XA" dummy0)"
	check_match "text addr show has 172.16.1.1/16" "172\\.16\\.1\\.1/16" \
		"$(in_xa xsctl addr show)"
	check_match "/proc/net/xstack/dev: dummy0 with its addresses" \
		"^dummy0 .* 10\\.0\\.0\\.1/24 192\\.168\\.5\\.9/30" \
		"$(in_xa cat /proc/net/xstack/dev)"
	check_nomatch "native stack does not have 10.0.0.1" "10\\.0\\.0\\.1" \
		"$(in_xa ip -4 addr show)"
	check "same address in another netns is fine" \
		in_xb xsctl addr add 10.0.0.1/24 dev dummy0
}

check_duplicates_and_delete()
{
	expect_errno EEXIST "duplicate 10.0.0.1/24 on dummy0" \
		in_xa xsctl addr add 10.0.0.1/24 dev dummy0
	expect_errno EEXIST "10.0.0.1/16 on dummy0 (same address)" \
		in_xa xsctl addr add 10.0.0.1/16 dev dummy0
	expect_errno EEXIST "10.0.0.1/24 on dummy1 (another device)" \
		in_xa xsctl addr add 10.0.0.1/24 dev dummy1
	expect_errno EADDRNOTAVAIL "delete an address not present" \
		in_xa xsctl addr del 10.0.0.2/24 dev dummy0
	expect_errno EADDRNOTAVAIL "delete dummy1's address via dummy0" \
		in_xa xsctl addr del 172.16.1.1/16 dev dummy0
	expect_errno ENOENT "delete on a device not attached" \
		in_xa xsctl addr del 10.0.0.1/24 dev dummy2
	check "delete 192.168.5.9 (no prefix)" \
		in_xa xsctl addr del 192.168.5.9 dev dummy0
	check "delete 10.0.0.1/24" in_xa xsctl addr del 10.0.0.1/24 dev dummy0
	expect_errno EADDRNOTAVAIL "delete 10.0.0.1/24 twice" \
		in_xa xsctl addr del 10.0.0.1/24 dev dummy0
	check_eq "dummy0 has no address left" "[]" \
		"$(in_xa xsctl -j addr show dev dummy0 | jq -c .)"
	check_eq "xb's 10.0.0.1 untouched" "dummy0 10.0.0.1/24" \
		"$(xs_addrs "$NS_XB")"
	check "detach dummy1 (with three addresses)" \
		in_xa xsctl link detach dummy1
	check "re-attach dummy1" in_xa xsctl link attach dummy1
	check_eq "detach flushed dummy1's addresses" "" "$(xs_addrs "$NS_XA")"
}

check_limit()
{
	local i max rc=0
	in_xa sysctl -qw net.xstack.addrs_per_dev=3 ||
		{ nok "sysctl net.xstack.addrs_per_dev=3"; return; }
	for i in 1 2 3; do
		in_xa xsctl addr add "10.1.0.$i/24" dev dummy0 || rc=1
	done
	check_eq "three addresses fit under addrs_per_dev=3" 0 "$rc"
	expect_errno ENOSPC "a fourth is refused" \
		in_xa xsctl addr add 10.1.0.4/24 dev dummy0
	check "the limit is per device" \
		in_xa xsctl addr add 10.1.0.4/24 dev dummy1
	max=$(in_xb sysctl -n net.xstack.addrs_per_dev)
	check "the sysctl is per netns (xb keeps $max)" [ "$max" != 3 ]
	check_fails "addrs_per_dev=0 refused" \
		in_xa sysctl -qw net.xstack.addrs_per_dev=0
}

main()
{
	xs_init
	xs_load
	setup
	check_refusals
	check_round_trip
	check_duplicates_and_delete
	check_limit
	check_dmesg_clean
	xs_done
}

main "$@"
