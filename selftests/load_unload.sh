#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# load_unload.sh - load and unload xstack 50 times.
#
# Each load must register everything a user sees: the family number in
# sysfs (XSTACK_FAMILY_DEFAULT from uapi, 0444), the socket family
# (socket() no longer says EAFNOSUPPORT), the generic netlink family
# (xsctl works), /proc/net/xstack and /proc/sys/net/xstack. Each unload
# must remove all of them. Every fifth round also attaches a device and
# adds an address before unloading, so the unload tears down live state.
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

ROUNDS=50

# loaded_ok ROUND: everything a loaded module provides is there.
loaded_ok()
{
	local fam
	[ -d /sys/module/xstack ] || { echo "no /sys/module/xstack"; return 1; }
	fam=$(xs_family)
	[ "$fam" = "$DEFAULT" ] || { echo "family=$fam, want $DEFAULT"; return 1; }
	[ -d /proc/net/xstack ] || { echo "no /proc/net/xstack"; return 1; }
	[ -d /proc/sys/net/xstack ] || { echo "no /proc/sys/net/xstack"; return 1; }
	xsctl link show >/dev/null || { echo "xsctl link show failed"; return 1; }
	[ "$("$XS_SOCKET" "$fam" seqpacket 0)" != EAFNOSUPPORT ] ||
		{ echo "socket($fam) still EAFNOSUPPORT"; return 1; }
}

# unloaded_ok: nothing of the module remains visible.
unloaded_ok()
{
	local r
	[ ! -d /sys/module/xstack ] || { echo "/sys/module/xstack remains"; return 1; }
	[ ! -e /proc/net/xstack ] || { echo "/proc/net/xstack remains"; return 1; }
	[ ! -e /proc/sys/net/xstack ] || { echo "/proc/sys/net/xstack remains"; return 1; }
	! xsctl link show >/dev/null 2>&1 ||
		{ echo "xsctl link show works without the module"; return 1; }
	r=$("$XS_SOCKET" "$DEFAULT" seqpacket 0 || true)
	[ "$r" = EAFNOSUPPORT ] ||
		{ echo "socket($DEFAULT) after unload: $r"; return 1; }
}

# with_state: in netns xa, attach dummy0 and give it an address.
with_state()
{
	in_xa xsctl link attach dummy0 &&
		in_xa xsctl addr add 192.0.2.1/24 dev dummy0 &&
		in_xa grep -q 192.0.2.1/24 /proc/net/xstack/dev
}

main()
{
	local i why
	xs_init
	DEFAULT=$(xs_family_default)
	check_eq "XSTACK_FAMILY_DEFAULT from uapi is 19" 19 "$DEFAULT"
	check "without the module: nothing of it visible" unloaded_ok
	ns_add "$NS_XA"
	ip -n "$NS_XA" link add dummy0 type dummy

	for i in $(seq 1 $ROUNDS); do
		why=$(xs_insmod 2>&1) || { nok "round $i: insmod: $why"; break; }
		XS_LOADED=1
		why=$(loaded_ok 2>&1) || { nok "round $i: loaded: $why"; break; }
		if [ $((i % 5)) = 0 ]; then
			why=$(with_state 2>&1) ||
				{ nok "round $i: attach/addr: $why"; break; }
		fi
		why=$(rmmod xstack 2>&1) || { nok "round $i: rmmod: $why"; break; }
		XS_LOADED=0
		why=$(unloaded_ok 2>&1) || { nok "round $i: unloaded: $why"; break; }
	done
	[ "$i" != $ROUNDS ] || [ "$XS_NFAIL" != 0 ] ||
		ok "$ROUNDS load/unload rounds (every 5th with a device attached)"

	xs_load
	check_eq "sysfs family parameter is read-only (0444)" 444 \
		"$(stat -c %a /sys/module/xstack/parameters/family)"
	check_fails "writing the family parameter fails" \
		sh -c 'echo 18 >/sys/module/xstack/parameters/family'
	check_match "kernel log: loaded with family $DEFAULT" \
		"xstack: .*family $DEFAULT" "$(dmesg_since)"
	check "the dummy device outlived the unloads" in_xa ip link show dummy0
	check_eq "and is not attached after a new load" "" \
		"$(xs_link_names "$NS_XA")"
	check_dmesg_clean
	xs_done
}

main "$@"
