#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz_syscalls.sh - the syscall fuzzer (xs_fuzz_sys) on AF_XSTACK
# sockets, then teardown with whatever it left behind.
#
# Topology xa/nb (xa xstack 10.0.0.1, nb native 10.0.0.2): xs_fuzz_sys
# runs in xa with XS_FUZZ_THREADS threads (default 4) sharing 32 socket
# slots for XS_FUZZ_SECS seconds (default 15), seed XS_FUZZ_SEED (default
# 1): random socket calls, options, flags, addresses and control
# messages, bad pointers, closes racing with calls on the same socket.
# It runs once on AF_INET in nb too, so that a fuzzer that hangs or
# crashes on the native stack shows as the fuzzer's fault. Then:
#
#   - the fuzzer exited by itself on both families (no hang, no signal)
#   - xa still works: ping and a TCP transfer from nb after the run
#   - deleting xa's netns frees everything the run left (orphans,
#     TIME-WAIT, listeners): xstack unloads afterwards
#   - the kernel log has no warning, oops or KASAN/UBSAN report
set -eu
. "$(dirname "$0")/lib/topo.sh"

SEED=${XS_FUZZ_SEED:-1}
SECS=${XS_FUZZ_SECS:-15}
THREADS=${XS_FUZZ_THREADS:-4}
XS_FUZZ="$XS_TESTDIR/xs_fuzz_sys"
XS_XFER="$XS_TESTDIR/xs_xfer"

# fuzz FAMILY NS: one run; its summary line is logged.
fuzz()
{
	local out rc=0
	out=$(timeout $((SECS + 60)) "$XS_FUZZ" "$1" --seed "$SEED" \
		--seconds "$SECS" --threads "$THREADS" --netns "$2" 2>&1) ||
		rc=$?
	log "$1: ${out:-no output}"
	return "$rc"
}

main()
{
	xs_init
	xs_require timeout
	[ -x "$XS_FUZZ" ] || skip "$XS_FUZZ not built (make -C selftests)"
	xs_load
	topo_xa_nb
	local fam
	for fam in inet xstack; do
		if fuzz "$fam" "$([ "$fam" = inet ] && echo "$NS_NB" || echo "$NS_XA")"; then
			ok "the fuzzer on $fam exits by itself"
		else
			nok "the fuzzer on $fam did not exit by itself (status $?)"
		fi
	done
	check "xa answers ping afterwards" in_nb ping -c 2 -W 5 10.0.0.1
	check "a TCP transfer from nb to xa afterwards" xfer
	log "xa sockstat: $(in_xa cat /proc/net/xstack/sockstat | tr '\n' ' ')"
	ns_del "$NS_XA"
	check "xstack unloads once xa's netns is gone" xs_unload_wait
	check_dmesg_clean
	xs_done
}

# xs_unload_wait: the netns teardown runs in a workqueue; retry rmmod.
xs_unload_wait()
{
	xs_unload 2>/dev/null || xs_unload 2>/dev/null || xs_unload
}

# xfer: 1 MiB from nb (native) to an xstack server in xa, SHA-256 checked.
xfer()
{
	local out srv cli pid
	out=$(mktemp)
	"$XS_XFER" server xstack 10.0.0.1 7100 --netns "$NS_XA" --timeout 60 \
		>"$out" 2>&1 &
	pid=$!
	sleep 0.5
	cli=$("$XS_XFER" client inet 10.0.0.1 7100 1M --netns "$NS_NB" \
		--timeout 60 2>/dev/null | sed -n 's/^sent //p')
	wait "$pid" || true
	srv=$(sed -n 's/^recv //p' "$out")
	rm -f "$out"
	[ -n "$cli" ] && [ "$cli" = "$srv" ]
}

main "$@"
