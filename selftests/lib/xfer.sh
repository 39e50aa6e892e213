# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# xfer.sh - sourced (after topo.sh) by the tests that run SHA-256-checked
# TCP transfers (xs_xfer) in the background while they do something to
# the stack: faults.sh, fault_inject.sh, stress.sh. Needs TMPD (a scratch
# directory) and FAM (xstack's family number): xfer_init sets them.
#
# Provides:
#   xfer_init       after xs_init: skip unless xs_xfer and xs_stress are
#                   built, load xstack, set FAM and TMPD, build topology
#                   xa/nb (topo_xa_nb) and check that nb pings xa
#   xfer_start NAME CLI_NS CLI_FAM SRV_NS SRV_FAM ADDR BYTES [ARGS]
#                   start a transfer (ARGS go to both ends: --idle ...)
#   xfer_status NAME
#                   wait for it; XFER_ST is "CLIENT_EXIT SERVER_EXIT"
#   xfer_wait NAME DESC
#                   wait for it and check it: both ends exited 0 and
#                   agree on the byte count and SHA-256
#   xfer_intact_or_failed NAME
#                   wait for it; false only when both ends reported a
#                   transfer and they disagree (wrong data)
#   both_ways TAG BYTES [ARGS], both_wait TAG DESC
#                   a transfer each way between xa (10.0.0.1, xstack)
#                   and nb (10.0.0.2, native), and their checks
#   xfer_running NAME
#                   the transfer's client still runs

XS_XFER="$XS_TESTDIR/xs_xfer"
XS_STRESS="$XS_TESTDIR/xs_stress"
XFER_PORT=9000
XFER_ST=""

# xfer_start NAME CLI_NS CLI_FAM SRV_NS SRV_FAM ADDR BYTES [ARGS]: start a
# transfer in the background; xfer_wait NAME checks it.
xfer_start()
{
	local name=$1 cns=$2 cfam=$3 sns=$4 sfam=$5 addr=$6 bytes=$7 i
	local f=$TMPD/$name
	shift 7
	XFER_PORT=$((XFER_PORT + 1))
	"$XS_XFER" server "$sfam" "$addr" "$XFER_PORT" --netns "$sns" \
		--timeout 240 "$@" >"$f.srv" 2>&1 &
	echo $! >"$f.spid"
	for ((i = 0; i < 100; i++)); do
		grep -q '^listening' "$f.srv" && break
		sleep 0.1
	done
	"$XS_XFER" client "$cfam" "$addr" "$XFER_PORT" "$bytes" --netns "$cns" \
		--seed "$XFER_PORT" --timeout 240 "$@" >"$f.cli" 2>&1 &
	echo $! >"$f.cpid"
}

# xfer_status NAME: wait for the transfer; XFER_ST is "CLIENT_EXIT
# SERVER_EXIT" (not through $(...): a subshell cannot wait for them).
xfer_status()
{
	local f=$TMPD/$1 c=0 s=0
	wait "$(cat "$f.cpid")" || c=$?
	wait "$(cat "$f.spid")" || s=$?
	XFER_ST="$c $s"
}

# xfer_wait NAME DESC: the transfer completed and both ends agree.
xfer_wait()
{
	local f=$TMPD/$1 st sent recv
	xfer_status "$1"
	st=$XFER_ST
	sent=$(sed -n 's/^sent //p' "$f.cli")
	recv=$(sed -n 's/^recv //p' "$f.srv")
	if [ "$st" = "0 0" ] && [ -n "$sent" ] && [ "$sent" = "$recv" ]; then
		ok "$2: intact (${sent%% *} bytes)"
	else
		nok "$2: exit $st: $(tr '\n' ' ' <"$f.cli") / $(tr '\n' ' ' <"$f.srv")"
	fi
}

# both_ways TAG BYTES [ARGS]: a transfer each way between xa and nb.
both_ways()
{
	local tag=$1 bytes=$2
	shift 2
	xfer_start "$tag-out" "$NS_XA" "$FAM" "$NS_NB" inet 10.0.0.2 \
		"$bytes" "$@"
	xfer_start "$tag-in" "$NS_NB" inet "$NS_XA" "$FAM" 10.0.0.1 \
		"$bytes" "$@"
}

both_wait()
{
	xfer_wait "$1-out" "$2, xa -> nb"
	xfer_wait "$1-in" "$2, nb -> xa"
}

# xfer_running NAME: the transfer's client is still running.
xfer_running()
{
	kill -0 "$(cat "$TMPD/$1.cpid")" 2>/dev/null
}

# xfer_intact_or_failed NAME: wait for the transfer; false only when both
# ends reported a transfer and they disagree.
xfer_intact_or_failed()
{
	local sent recv
	xfer_status "$1"
	sent=$(sed -n 's/^sent //p' "$TMPD/$1.cli")
	recv=$(sed -n 's/^recv //p' "$TMPD/$1.srv")
	[ -n "$sent" ] && [ -n "$recv" ] && [ "$sent" != "$recv" ] || return 0
	log "transfer $1: sent $sent, received $recv"
	return 1
}

xfer_init()
{
	xs_require ping
	[ -x "$XS_XFER" ] || skip "$XS_XFER not built (make -C selftests)"
	[ -x "$XS_STRESS" ] || skip "$XS_STRESS not built (make -C selftests)"
	xs_load
	FAM=$(xs_family)
	TMPD=$(mktemp -d)
	topo_xa_nb
	in_nb ping -c 1 -W 5 10.0.0.1 >/dev/null || fail "nb cannot ping xa"
}
