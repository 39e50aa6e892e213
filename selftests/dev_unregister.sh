#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dev_unregister.sh - attached devices that go away.
#
# Deleting an attached device (ip link del; the veth peer's deletion;
# moving it to another netns) detaches it: `xsctl link show` and
# /proc/net/xstack/dev no longer list it, its addresses are gone (and can
# be added elsewhere again), no kernel warning. A new device with the same
# name is not attached. The module unloads afterwards.
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

setup()
{
	ns_add "$NS_XA"
	ns_add "$NS_NB"
	ns_add "$NS_XB"
	veth_pair "$NS_XA" "$NS_NB"
	in_xa ip link add dummy0 type dummy
	in_xa ip link add dummy1 type dummy
	tun_add "$NS_XA" tun0 tun
	in_xa ip link set dummy0 up
	local d i=1
	for d in veth0 dummy0 dummy1 tun0; do
		check "attach $d" in_xa xsctl link attach "$d"
		check "addr add 10.0.$i.1/24 dev $d" \
			in_xa xsctl addr add "10.0.$i.1/24" dev "$d"
		i=$((i + 1))
	done
}

# gone DEV DESC: DEV no longer attached nor listed anywhere.
gone()
{
	local dev=$1 desc=$2
	check_nomatch "$desc: link show does not list $dev" "^$dev\$" \
		"$(xs_link_names "$NS_XA" | tr ' ' '\n')"
	check_nomatch "$desc: no address on $dev" "^$dev " \
		"$(xs_addrs "$NS_XA")"
	check_nomatch "$desc: /proc/net/xstack/dev does not list $dev" \
		"^$dev " "$(in_xa cat /proc/net/xstack/dev)"
}

# minus WORD LIST...: LIST without WORD, space separated.
minus()
{
	local w=$1
	shift
	echo "$@" | tr ' ' '\n' | grep -vx "$w" | xargs
}

main()
{
	local names
	xs_init
	xs_load
	setup

	names=$(xs_link_names "$NS_XA")
	in_xa ip link del dummy0
	gone dummy0 "ip link del dummy0"
	names=$(minus dummy0 $names)
	check_eq "the other devices stay attached" "$names" \
		"$(xs_link_names "$NS_XA")"
	check "dummy0's address is free again (on dummy1)" \
		in_xa xsctl addr add 10.0.2.1/24 dev dummy1

	in_xa ip link add dummy0 type dummy
	check_eq "a new dummy0 is not attached" "$names" \
		"$(xs_link_names "$NS_XA")"
	expect_errno ENOENT "addr add to the new dummy0" \
		in_xa xsctl addr add 10.0.9.1/24 dev dummy0
	check "the new dummy0 can be attached" in_xa xsctl link attach dummy0

	in_nb ip link del veth0
	gone veth0 "deleting the veth peer in nb"

	in_xa ip tuntap del mode tun dev tun0
	gone tun0 "ip tuntap del tun0"

	in_xa ip link set dummy1 netns "$NS_XB"
	gone dummy1 "moving dummy1 to netns xb"
	check_eq "dummy1 is not attached in xb" "" "$(xs_link_names "$NS_XB")"
	check "xb can attach dummy1" in_xb xsctl link attach dummy1
	check "xb can use dummy1's former address" \
		in_xb xsctl addr add 10.0.3.1/24 dev dummy1

	check_eq "only the new dummy0 remains attached in xa" dummy0 \
		"$(xs_link_names "$NS_XA")"
	check "rmmod with the survivors attached" xs_unload
	check_dmesg_clean
	xs_done
}

main "$@"
