#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# permissions.sh - configuration changes need CAP_NET_ADMIN in the user
# namespace that owns the network namespace; showing does not.
#
#   nobody, no capabilities: link attach/detach, addr add/del -> EPERM;
#                            link show, addr show work
#   root of a new user namespace, in the init netns -> EPERM
#   root of a new user namespace with its own netns -> allowed
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

# as_nobody CMD...: in xa, without any capability (xsctl means $XSCTL).
as_nobody()
{
	[ "$1" != xsctl ] || { shift; set -- "$XSCTL" "$@"; }
	in_xa setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=-all --bounding-set=-all -- "$@"
}

check_nobody()
{
	in_xa ip link add dummy0 type dummy
	in_xa ip link add dummy1 type dummy
	in_xa xsctl link attach dummy1
	in_xa xsctl addr add 192.0.2.1/24 dev dummy1

	expect_errno_noext EPERM "nobody: link attach" \
		as_nobody xsctl link attach dummy0
	expect_errno_noext EPERM "nobody: link detach" \
		as_nobody xsctl link detach dummy1
	expect_errno_noext EPERM "nobody: addr add" \
		as_nobody xsctl addr add 192.0.2.2/24 dev dummy1
	expect_errno_noext EPERM "nobody: addr del" \
		as_nobody xsctl addr del 192.0.2.1/24 dev dummy1
	check "nobody: link show works" as_nobody xsctl link show
	check "nobody: addr show works" as_nobody xsctl addr show
	check_eq "nobody's attempts changed nothing" "dummy1 192.0.2.1/24" \
		"$(xs_addrs "$NS_XA")"
}

check_userns()
{
	local r
	expect_errno_noext EPERM "root of a new userns, netns of init's: attach" \
		in_xa unshare --user --map-root-user -- "$XSCTL" link attach dummy0
	check_eq "and nothing was attached" dummy1 "$(xs_link_names "$NS_XA")"
	# Own netns: create a dummy there, attach it, add an address.
	r=$(unshare --user --map-root-user --net -- sh -c "
		ip link add dummy0 type dummy &&
		$XSCTL link attach dummy0 &&
		$XSCTL addr add 192.0.2.1/24 dev dummy0 &&
		$XSCTL -j addr show" 2>&1) || true
	check_match "root of a new userns with its own netns: attach, addr add" \
		'"local": ?"192.0.2.1"' "$r"
}

main()
{
	xs_init
	xs_require setpriv unshare
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	xs_load
	modprobe -q dummy 2>/dev/null || true
	ns_add "$NS_XA"
	check_nobody
	check_userns
	check_dmesg_clean
	xs_done
}

main "$@"
