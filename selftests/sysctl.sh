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

# in_ns_each NS CODE FILE...: run the shell CODE for each FILE ($f) in
# one shell inside NS (ip netns exec costs a tenth of a second under
# TCG); it prints "ok FILE", "skip FILE" (CODE returned 2) or "fail FILE:
# why".
in_ns_each()
{
	local ns=$1 code=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner shell
	in_ns "$ns" bash -c 'code=$1; shift
		for f; do
			rc=0
			why=$(eval "$code" 2>&1) || rc=$?
			case $rc in
			0) echo "ok $f" ;;
			2) echo "skip $f" ;;
			*) echo "fail $f: $why" ;;
			esac
		done' - "$code" "$@"
}

# report WHAT PREFIX: turn in_ns_each's lines (standard input) into
# checks; not in a pipeline, so that the counts stay in this shell.
report()
{
	local what=$1 prefix=$2 st rest n=0
	while read -r st rest; do
		n=$((n + 1))
		case "$st" in
		ok) ok "$what ${rest#"$prefix"/}" ;;
		skip) ;;
		*) nok "$what ${rest#"$prefix"/}" ;;
		esac
	done
	[ "$n" -gt 0 ] || nok "$what: no files under $prefix"
}

# readable NS DIR WHAT: every regular file of DIR reads in NS.
readable()
{
	# shellcheck disable=SC2016,SC2046 # inner shell; one path per word
	report "$3: read" "$2" < <(in_ns_each "$1" 'cat "$f" >/dev/null' \
		$(in_ns "$1" find "$2" -type f | sort))
}

# rewrite: write every readable, writable sysctl of xa back with its
# own value.
rewrite()
{
	# shellcheck disable=SC2016,SC2046 # inner shell; one path per word
	report "write back its own value:" /proc/sys/net/xstack < <(
		in_ns_each "$NS_XA" \
			'v=$(cat "$f" 2>/dev/null) || exit 2; printf "%s\n" "$v" >"$f"' \
			$(in_xa find /proc/sys/net/xstack -type f -perm -200 | sort))
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
