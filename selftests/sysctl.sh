#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sysctl.sh - net.xstack.* sysctls and /proc/net/xstack/ files.
#
# Every file under /proc/sys/net/xstack/ and /proc/net/xstack/ can be
# read in a new network namespace (`sysctl net.xstack` lists
# them all without an error); writing a sysctl back with its own value
# works; the values are per network namespace.
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

# readable NS DIR WHAT: every regular file of DIR reads in NS.
readable()
{
	local ns=$1 dir=$2 what=$3 f out n=0
	for f in $(in_ns "$ns" find "$dir" -type f | sort); do
		n=$((n + 1))
		if out=$(in_ns "$ns" cat "$f" 2>&1); then
			ok "$what: read ${f#"$dir"/}"
		else
			nok "$what: read ${f#"$dir"/}: $out"
		fi
	done
	check "$what: $dir has files" [ "$n" -gt 0 ]
}

# rewrite: write every readable, writable sysctl of xa back with its
# own value.
rewrite()
{
	local f v out
	for f in $(in_xa find /proc/sys/net/xstack -type f -perm -200 | sort); do
		v=$(in_xa cat "$f" 2>/dev/null) || continue
		if out=$(in_xa sh -c 'printf "%s\n" "$2" >"$1"' - "$f" "$v" 2>&1); then
			ok "write back ${f#/proc/sys/net/xstack/} = '$v'"
		else
			nok "write back ${f#/proc/sys/net/xstack/} = '$v': $out"
		fi
	done
}

main()
{
	local v
	xs_init
	xs_require sysctl find
	xs_load
	ns_add "$NS_XA"
	ns_add "$NS_XB"
	readable "$NS_XA" /proc/sys/net/xstack "sysctl"
	readable "$NS_XA" /proc/net/xstack "/proc/net/xstack"
	check "sysctl net.xstack lists everything without an error" \
		in_xa sysctl net.xstack
	rewrite
	v=$(in_xb sysctl -n net.xstack.addrs_per_dev)
	in_xa sysctl -qw net.xstack.addrs_per_dev=7
	check_eq "net.xstack.addrs_per_dev set in xa" 7 \
		"$(in_xa sysctl -n net.xstack.addrs_per_dev)"
	check_eq "and unchanged in xb" "$v" \
		"$(in_xb sysctl -n net.xstack.addrs_per_dev)"
	check_dmesg_clean
	xs_done
}

main "$@"
