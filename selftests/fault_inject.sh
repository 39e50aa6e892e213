#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fault_inject.sh - allocations that fail under traffic, on the debug
# kernel (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC with the stack-trace
# filter; make check DEBUG=1). Elsewhere it skips.
#
# Topology xa/nb: xa is xstack (10.0.0.1), nb native Linux (10.0.0.2).
# For XS_FAULT_SECS seconds (default 20), XS_FAULT_PCT percent (default
# 2) of the slab and page allocations made with xstack's code on the
# stack fail, in process and softirq context alike, while SHA-256-checked
# transfers go both ways, short connections come and go, pings flood and
# addresses and routes change. Then:
#
#   - failslab injected failures (its budget went down)
#   - no transfer completed with wrong data: each one completes intact
#     or fails with an error
#   - once injection stops, transfers both ways complete intact and ping
#     works; the module unloads at the end (nothing left referenced) and
#     the guest's kmemleak scan after the suite finds nothing
#   - no kernel warning, oops or sanitizer report
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/xfer.sh"

FAULT_PCT=${XS_FAULT_PCT:-2}
FAULT_SECS=${XS_FAULT_SECS:-20}
# The injection budget; what is left of it tells how many failures were
# injected.
FAULT_TIMES=1000000

FAULT_DIRS="/sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc"

# fault_set PCT: fail PCT percent of the allocations with xstack's text
# on the stack (0: stop).
fault_set()
{
	local d start end
	start=$(cat /sys/module/xstack/sections/.text)
	end=$(text_end)
	for d in $FAULT_DIRS; do
		echo 0 >"$d/probability"
		[ "$1" != 0 ] || continue
		echo "$start" >"$d/require-start"
		echo "$end" >"$d/require-end"
		echo 32 >"$d/stacktrace-depth"
		echo N >"$d/task-filter"
		echo N >"$d/ignore-gfp-wait"
		echo 0 >"$d/verbose"
		echo "$FAULT_TIMES" >"$d/times"
		echo 1 >"$d/interval"
		echo "$1" >"$d/probability"
	done
	[ ! -e /sys/kernel/debug/fail_page_alloc/min-order ] ||
		echo 0 >/sys/kernel/debug/fail_page_alloc/min-order
}

# text_end: the end of xstack's text (.text and the .text.* sections the
# module loader puts beside it), from the sizes in the module file.
text_end()
{
	local ko=${XSTACK_KO:-$(modinfo -n xstack)} name size addr end="" e
	# Kernel addresses are negative in bash's arithmetic: compare them
	# among themselves only.
	while read -r name size; do
		[ -r "/sys/module/xstack/sections/$name" ] || continue
		addr=$(cat "/sys/module/xstack/sections/$name")
		e=$((addr + 0x$size))
		[ -n "$end" ] && [ "$e" -le "$end" ] || end=$e
	done < <(readelf -SW "$ko" |
		sed -n 's/^ *\[ *[0-9]*\] \(\.text[^ ]*\) *[A-Z]* *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\).*/\1 \2/p')
	printf '0x%x\n' "$end"
}

# fault_load: transfers, short connections, pings and configuration
# changes for FAULT_SECS seconds. A transfer that completes must be
# intact; one that fails must fail with an error.
fault_load()
{
	local t0 n=0 bad=0 ok_n=0 st
	t0=$(date +%s)
	in_nb "$XS_STRESS" server inet 10.0.0.2 9600 --close-after 64 \
		--timeout 600 >/dev/null 2>&1 &
	XS_PIDS="$XS_PIDS $!"
	while [ $(($(date +%s) - t0)) -lt "$FAULT_SECS" ]; do
		both_ways "fi$n" 2M --idle 10
		"$XS_STRESS" churn "$FAM" 10.0.0.2 9600 50 --netns "$NS_XA" \
			--threads 2 --timeout 120 >/dev/null 2>&1 || true
		in_nb ping -q -c 20 -i 0.01 -W 1 10.0.0.1 >/dev/null 2>&1 || true
		in_xa xsctl addr add 10.0.5.1/24 dev veth0 2>/dev/null || true
		in_xa xsctl route add 10.9.0.0/16 via 10.0.0.2 2>/dev/null || true
		in_xa xsctl route del 10.9.0.0/16 via 10.0.0.2 2>/dev/null || true
		in_xa xsctl addr del 10.0.5.1/24 dev veth0 2>/dev/null || true
		for st in out in; do
			xfer_intact_or_failed "fi$n-$st" || bad=$((bad + 1))
			[ "$XFER_ST" != "0 0" ] || ok_n=$((ok_n + 1))
		done
		n=$((n + 1))
	done
	log "$n rounds: $ok_n of $((2 * n)) transfers completed"
	check_eq "no transfer under fault injection completed with wrong data" 0 "$bad"
}

fault_injection()
{
	local d failed
	fault_set "$FAULT_PCT"
	log "failing $FAULT_PCT% of allocations under xstack's text" \
		"$(cat /sys/module/xstack/sections/.text)-$(text_end)"
	fault_load
	fault_set 0
	for d in $FAULT_DIRS; do
		failed=$((FAULT_TIMES - $(cat "$d/times")))
		if [ "$d" = /sys/kernel/debug/failslab ]; then
			check "failslab injected failures ($failed)" \
				test "$failed" -gt 0
		else
			log "fail_page_alloc injected $failed failures"
		fi
	done
	sleep 1
	both_ways after-fi 4M
	both_wait after-fi "after fault injection"
	check "ping after fault injection" in_nb ping -c 2 -W 5 10.0.0.1
	# Every socket of the test is closed: the orphans die within the
	# retry limits and tcp_fin_timeout (both shortened here).
	if xs_wait_refcnt 0 90; then
		ok "every socket went (use count 0)"
	else
		nok "use count still $(xs_refcnt) 90 s after the last close"
		in_xa xsctl sock show | head -n 20 | sed 's/^/#   /'
	fi
}

main()
{
	local d
	xs_init
	for d in $FAULT_DIRS; do
		[ -e "$d/require-start" ] ||
			skip "no $d with a stack-trace filter on this kernel (the debug kernel has it: make check DEBUG=1)"
	done
	xs_require readelf
	xfer_init
	# Orphans that injection left with unsent data retry 3 times, not
	# 8; FIN-WAIT-2 without a FIN from the peer lasts 5 s, not 60.
	in_xa sysctl -qw net.xstack.tcp_orphan_retries=3 \
		net.xstack.tcp_fin_timeout=5
	fault_injection
	rm -rf "$TMPD"
	check_dmesg_clean
	xs_done
}

main "$@"
