#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# link_errors.sh - every refusal of `xsctl link` with its errno and
# extack message:
#
#   unknown device                         ENODEV
#   loopback, nlmon, sit (not Ethernet/L3) EOPNOTSUPP
#   already attached                       EEXIST
#   rx_handler taken: bridge port, macvlan lower, bond slave   EBUSY
#   detach / show of a device not attached ENOENT
#
# and the converse: a device attached to xstack cannot be enslaved to a
# bridge (its rx_handler is xstack's). A refused attach leaves nothing
# behind (link show stays empty, the device keeps working for its owner).
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

setup()
{
	ns_add "$NS_XA"
	in_xa ip link add dummy0 type dummy
	in_xa ip link add dummy1 type dummy
	in_xa ip link add dummy2 type dummy
	in_xa ip link add dummy3 type dummy
	in_xa ip link add br0 type bridge
	in_xa ip link set dummy1 master br0
	in_xa ip link add mv0 link dummy2 type macvlan mode bridge
	in_xa ip link add bond0 type bond
	in_xa ip link set dummy3 master bond0
}

check_unsupported()
{
	expect_errno ENODEV "attach unknown device" \
		in_xa xsctl link attach nosuchdev0
	expect_errno EOPNOTSUPP "attach lo" in_xa xsctl link attach lo
	if in_xa ip link add nlmon0 type nlmon 2>/dev/null; then
		expect_errno EOPNOTSUPP "attach nlmon0 (ARPHRD_NETLINK)" \
			in_xa xsctl link attach nlmon0
	else
		log "nlmon not available: not tested"
	fi
	if in_xa ip link add sit1 type sit local 192.0.2.1 remote 192.0.2.2 \
		2>/dev/null; then
		expect_errno EOPNOTSUPP "attach sit1 (IPv6-in-IPv4)" \
			in_xa xsctl link attach sit1
	else
		log "sit not available: not tested"
	fi
}

check_busy()
{
	expect_errno EBUSY "attach a bridge port" \
		in_xa xsctl link attach dummy1
	expect_errno EBUSY "attach a macvlan lower device" \
		in_xa xsctl link attach dummy2
	expect_errno EBUSY "attach a bond slave" \
		in_xa xsctl link attach dummy3
	check "the bridge port still forwards for the bridge (still a port)" \
		sh -c "ip -n $NS_XA -d link show dummy1 | grep -q bridge_slave"
	check "attach dummy0" in_xa xsctl link attach dummy0
	expect_errno EEXIST "attach dummy0 again" \
		in_xa xsctl link attach dummy0
	check_fails "attached dummy0 cannot join a bridge" \
		in_xa ip link set dummy0 master br0
	check_eq "only dummy0 attached after the refusals" dummy0 \
		"$(xs_link_names "$NS_XA")"
}

check_not_attached()
{
	expect_errno ENOENT "detach a device not attached" \
		in_xa xsctl link detach dummy1
	expect_errno ENODEV "detach unknown device" \
		in_xa xsctl link detach nosuchdev0
	expect_errno ENOENT "link show of a device not attached" \
		in_xa xsctl link show dummy1
	expect_errno ENODEV "link show of an unknown device" \
		in_xa xsctl link show nosuchdev0
	check "detach dummy0" in_xa xsctl link detach dummy0
	expect_errno ENOENT "detach dummy0 twice" \
		in_xa xsctl link detach dummy0
	expect_errno ENODEV "attach a device of another netns" \
		xsctl link attach dummy0
}

main()
{
	xs_init
	xs_load
	setup
	check_unsupported
	check_busy
	check_not_attached
	check_dmesg_clean
	xs_done
}

main "$@"
