#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# link_attach.sh - attach and detach veth, dummy, tun, tap and ipip devices.
#
# `xsctl link show` (text and -j) lists exactly the attached devices with
# the right ifindex, type (ether; none for tun), MTU, MAC and up/running/
# noarp flags, and follows down/up, MTU and name changes; /proc/net/xstack/
# dev agrees. Detach releases the device: it can be enslaved to a bridge
# afterwards (the rx_handler is free) and re-attached. Attachments are per
# network namespace.
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

DEVS="veth0 dummy0 tun0 tap0 ipip0"

# json_field DEV FIELD
jf()
{
	xs_link_get "$NS_XA" "$1" "$2"
}

make_devices()
{
	ns_add "$NS_XA"
	ns_add "$NS_NB"
	veth_pair "$NS_XA" "$NS_NB"
	in_xa ip link add dummy0 type dummy
	in_xa ip link set dummy0 up
	tun_add "$NS_XA" tun0 tun
	tun_add "$NS_XA" tap0 tap
	in_xa ip link set tun0 up
	in_xa ip link add ipip0 type ipip local 192.0.2.1 remote 192.0.2.2
}

# check_link DEV TYPE: JSON fields of DEV against `ip -j link`; noarp is
# true for L3 devices only (uapi: XSTACK_LINK_F_NOARP "L3 device: no ARP").
check_link()
{
	local dev=$1 type=$2 noarp ipj mac
	if [ -z "$(jf "$dev" ifindex)" ]; then
		nok "$dev: not listed by link show -j"
		return
	fi
	ipj=$(in_xa ip -j link show "$dev")
	noarp=true
	[ "$type" != ether ] || noarp=false
	check_eq "$dev: ifindex" "$(echo "$ipj" | jq -r '.[0].ifindex')" \
		"$(jf "$dev" ifindex)"
	check_eq "$dev: type" "$type" "$(jf "$dev" type)"
	check_eq "$dev: mtu" "$(echo "$ipj" | jq -r '.[0].mtu')" \
		"$(jf "$dev" mtu)"
	check_eq "$dev: noarp" "$noarp" "$(jf "$dev" noarp)"
	case "$type" in
	ether) mac=$(echo "$ipj" | jq -r '.[0].address') ;;
	none) mac=null ;;
	*) return 0 ;;	# tunnels: their "address" is an IPv4 endpoint
	esac
	check_eq "$dev: address" "$mac" "$(jf "$dev" address)"
}

check_show()
{
	local text
	check_eq "link show -j lists the five devices" \
		"dummy0 ipip0 tap0 tun0 veth0" "$(xs_link_names "$NS_XA")"
	check_link veth0 ether
	check_link dummy0 ether
	check_link tap0 ether
	check_link tun0 none
	check_link ipip0 ipip
	check_eq "veth0 up and running" "true true" \
		"$(jf veth0 up) $(jf veth0 running)"
	check_eq "tap0 (down) neither up nor running" "false false" \
		"$(jf tap0 up) $(jf tap0 running)"
	text=$(in_xa xsctl link show)
	check_match "text link show names every device" \
		"veth0" "$text"
	check_eq "text link show: one line per device" 5 \
		"$(echo "$text" | grep -Ec 'veth0|dummy0|tun0|tap0|ipip0')"
	check_eq "link show veth0 -j: only veth0" veth0 \
		"$(in_xa xsctl -j link show veth0 | jq -r '[.[].ifname] | join(" ")')"
	check_eq "/proc/net/xstack/dev lists the five devices" \
		"dummy0 ipip0 tap0 tun0 veth0" \
		"$(in_xa awk 'NR > 1 { print $1 }' /proc/net/xstack/dev | sort | xargs)"
}

check_changes()
{
	in_xa ip link set dummy0 down
	check_eq "dummy0 down: up=false" false "$(jf dummy0 up)"
	in_xa ip link set dummy0 up
	check_eq "dummy0 up again: up=true" true "$(jf dummy0 up)"
	in_nb ip link set veth0 down
	check_eq "peer down: veth0 not running" false "$(jf veth0 running)"
	in_nb ip link set veth0 up
	in_xa ip link set veth0 mtu 1400
	check_eq "MTU change seen" 1400 "$(jf veth0 mtu)"
	in_xa ip link set veth0 mtu 1500
	in_xa ip link set dummy0 down
	in_xa ip link set dummy0 name dummy9
	check_eq "renamed device listed under its new name" \
		"dummy9 ipip0 tap0 tun0 veth0" "$(xs_link_names "$NS_XA")"
	in_xa ip link set dummy9 name dummy0
	in_xa ip link set dummy0 up
}

check_detach()
{
	local d
	for d in $DEVS; do
		check "detach $d" in_xa xsctl link detach "$d"
	done
	check_eq "link show -j after detaching all: []" "[]" \
		"$(in_xa xsctl -j link show | jq -c .)"
	check_eq "/proc/net/xstack/dev: header only" 1 \
		"$(in_xa wc -l </proc/net/xstack/dev)"
	for d in $DEVS; do
		check "$d still exists after detach" in_xa ip link show "$d"
	done
	in_xa ip link add br0 type bridge
	check "detached veth0 can join a bridge (rx_handler free)" \
		in_xa ip link set veth0 master br0
	in_xa ip link set veth0 nomaster
	in_xa ip link del br0
	check "re-attach veth0" in_xa xsctl link attach veth0
	check_eq "veth0 listed again" veth0 "$(xs_link_names "$NS_XA")"
}

main()
{
	local d
	xs_init
	xs_require jq
	xs_load
	make_devices
	check_eq "nothing attached at first" "[]" \
		"$(in_xa xsctl -j link show | jq -c .)"
	for d in $DEVS; do
		check "attach $d" in_xa xsctl link attach "$d"
	done
	check_show
	check_changes
	check_eq "per netns: nb sees no attached device" "" \
		"$(xs_link_names "$NS_NB")"
	check_eq "per netns: init netns sees no attached device" "" \
		"$(xsctl -j link show | jq -r '[.[].ifname] | join(" ")')"
	check_detach
	check_dmesg_clean
	xs_done
}

main "$@"
