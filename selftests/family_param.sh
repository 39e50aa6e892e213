#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# family_param.sh - the "family" module parameter.
#
# A family number that is taken (16, AF_NETLINK; 2, AF_INET) or out of
# range (0, 46 = AF_MAX, -1) fails the load with a clear kernel log
# message and leaves nothing behind (no sysfs, procfs, genetlink); the
# stack that owns the number keeps working. A free number (18, AF_ASH)
# loads and is the one in force: sysfs shows it, socket() answers on it
# and not on the default any more.
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

# refused FAMILY WHY: loading with family=FAMILY fails, logs a message
# naming the number, and leaves no trace.
refused()
{
	local fam=$1 why=$2 out rc=0 klog saved=$XS_MARK
	dmesg_mark
	out=$(xs_insmod "family=$fam" 2>&1) || rc=$?
	klog=$(dmesg_since | grep 'xstack' || true)
	XS_MARK=$saved
	if [ "$rc" = 0 ]; then
		XS_LOADED=1
		nok "family=$fam ($why): load succeeded"
		xs_unload
		return
	fi
	ok "family=$fam ($why): load fails: $out"
	check_match "family=$fam: kernel log explains it" \
		"xstack: .*(family|socket family).*$fam|xstack: .*$fam.*(family|taken|range)" \
		"$klog"
	check "family=$fam: no module, /proc/net/xstack or genetlink left" \
		sh -c "[ ! -d /sys/module/xstack ] && [ ! -e /proc/net/xstack ] &&
		       ! $XSCTL link show >/dev/null 2>&1"
}

main()
{
	local r
	xs_init

	refused 16 "AF_NETLINK, taken"
	check "netlink still works (ip link show)" ip link show lo
	refused 2 "AF_INET, taken"
	check "AF_INET still works (ping 127.0.0.1)" ping -c 1 -W 2 127.0.0.1
	refused 46 "AF_MAX, out of range"
	refused 0 "AF_UNSPEC"
	refused -1 "negative"
	check_fails "family=abc is refused" xs_insmod family=abc
	xs_loaded && xs_unload

	xs_load family=18
	check_eq "family=18 loads and sysfs shows it" 18 "$(xs_family)"
	r=$("$XS_SOCKET" 18 seqpacket 0 || true)
	check_eq "socket(18, SOCK_SEQPACKET) answered by xstack" \
		ESOCKTNOSUPPORT "$r"
	r=$("$XS_SOCKET" 19 seqpacket 0 || true)
	check_eq "socket(19, ...) is not xstack's any more" EAFNOSUPPORT "$r"
	check "xsctl works with family=18" xsctl link show
	xs_unload || fail "rmmod after family=18"

	xs_load
	check_eq "the default load is back at 19" 19 "$(xs_family)"
	r=$("$XS_SOCKET" 18 seqpacket 0 || true)
	check_eq "socket(18) freed after the unload" EAFNOSUPPORT "$r"
	check_dmesg_clean
	xs_done
}

main "$@"
