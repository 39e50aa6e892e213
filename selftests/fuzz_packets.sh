#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz_packets.sh - the packet fuzzer (fuzz_packets.py) against an xstack
# host while live TCP transfers run through it.
#
# Topology xa/nb: xa is xstack (10.0.0.1), nb native Linux (10.0.0.2).
# The fuzzer writes random and mutated frames from nb's veth0 to xa (ARP,
# IPv4 with options and fragments, ICMP errors quoting xa's datagrams,
# IGMP, UDP, TCP to the live ports with random flags, numbers and
# options, truncated anywhere, checksums right or wrong), seeded:
# XS_FUZZ_SEED (default 1) and XS_FUZZ_SECS (default 20) choose the run,
# and the same seed sends the same frames. Meanwhile SHA-256-checked
# transfers (xs_xfer) go back and forth between xa and nb, one after the
# other, both directions. Afterwards:
#
#   - every transfer completed with the bytes it sent (at least two ran)
#   - xa still answers: ping, and a new transfer
#   - xa's neighbour table stayed within net.xstack.neigh.gc_thresh3 (set
#     to 64 here): the fuzzer's ARP requests and the answers xa tries to
#     send to random sources create entries, the table sheds them
#   - xa counted what it dropped (IP, ICMP, UDP, TCP error counters)
#   - the kernel log has no warning, oops or KASAN/UBSAN report
#
# make soak runs it for longer (SOAK_SECS).
set -eu
. "$(dirname "$0")/lib/topo.sh"

SEED=${XS_FUZZ_SEED:-1}
SECS=${XS_FUZZ_SECS:-20}
XS_XFER="$XS_TESTDIR/xs_xfer"
XFER_BYTES=2M
NEIGH_MAX=64
PORT=7000
TMPD=""

# xfer_once SRV_FAM SRV_NS CLI_FAM CLI_NS: one transfer of XFER_BYTES from
# the client to the server at the server netns' address; 0 when both
# ends agree on count and SHA-256.
xfer_once()
{
	local sfam=$1 sns=$2 cfam=$3 cns=$4 addr=10.0.0.1 out pid i
	local srv="" cli="" rc=0
	[ "$sns" = "$NS_XA" ] || addr=10.0.0.2
	PORT=$((PORT + 1))
	out=$TMPD/x$PORT
	"$XS_XFER" server "$sfam" "$addr" "$PORT" --netns "$sns" \
		--timeout 120 --idle 30 >"$out.srv" 2>"$out.srv.err" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^listening' "$out.srv" 2>/dev/null && break
		sleep 0.1
	done
	"$XS_XFER" client "$cfam" "$addr" "$PORT" "$XFER_BYTES" --seed "$PORT" \
		--netns "$cns" --timeout 120 --idle 30 >"$out.cli" \
		2>"$out.cli.err" || rc=$?
	[ "$rc" = 0 ] || kill "$pid" 2>/dev/null || true
	wait "$pid" || rc=$?
	srv=$(sed -n 's/^recv //p' "$out.srv")
	cli=$(sed -n 's/^sent //p' "$out.cli")
	if [ "$rc" != 0 ] || [ -z "$cli" ] || [ "$srv" != "$cli" ]; then
		log "transfer on port $PORT: exit $rc, sent '$cli', received '$srv'"
		sed 's/^/#   /' "$out.srv.err" "$out.cli.err"
		return 1
	fi
}

# The sum of xa's counters of what it dropped as malformed or not its own.
drop_counters()
{
	local g n sum=0
	for g in "Ip InHdrErrors" "Ip InAddrErrors" "Ip InUnknownProtos" \
		"Ip ReasmFails" "Icmp InErrors" "Udp InErrors" "Udp NoPorts" \
		"Tcp InErrs" "Tcp InCsumErrors" "Udp InCsumErrors"; do
		# shellcheck disable=SC2086 # "GROUP NAME"
		n=$(xs_stat "$NS_XA" $g)
		sum=$((sum + n))
	done
	echo "$sum"
}

main()
{
	local mac fz_pid fz_rc=0 n_ok=0 n_bad=0 drops neigh fam
	xs_init
	xs_require ping "$XS_PYTHON"
	[ -x "$XS_XFER" ] || skip "$XS_XFER not built (make -C selftests)"
	xs_load
	fam=$(xs_family)
	TMPD=$(mktemp -d)
	topo_xa_nb
	mac=$(mac_of "$NS_XA" veth0)
	in_nb ping -c 1 -W 5 10.0.0.1 >/dev/null || fail "nb cannot ping xa"
	in_xa sysctl -qw net.xstack.neigh.gc_thresh2=32 \
		net.xstack.neigh.gc_thresh3=$NEIGH_MAX || fail "xa: neigh sysctls"
	drops=$(drop_counters)

	in_nb "$XS_PYTHON" "$XS_TESTDIR/fuzz_packets.py" --iface veth0 \
		--dmac "$mac" --src 10.0.0.2 --dst 10.0.0.1 --seed "$SEED" \
		--seconds "$SECS" --port 7001 --port 7002 --port 7003 \
		>"$TMPD/fuzz.out" 2>&1 &
	fz_pid=$!
	XS_PIDS="$XS_PIDS $fz_pid"
	while kill -0 "$fz_pid" 2>/dev/null; do
		if xfer_once "$fam" "$NS_XA" inet "$NS_NB"; then
			n_ok=$((n_ok + 1))
		else
			n_bad=$((n_bad + 1))
		fi
		if xfer_once inet "$NS_NB" "$fam" "$NS_XA"; then
			n_ok=$((n_ok + 1))
		else
			n_bad=$((n_bad + 1))
		fi
	done
	wait "$fz_pid" || fz_rc=$?
	log "$(cat "$TMPD/fuzz.out")"
	check_eq "the fuzzer ran (exit status)" 0 "$fz_rc"
	if [ "$n_bad" = 0 ] && [ "$n_ok" -ge 2 ]; then
		ok "$n_ok transfers of $XFER_BYTES during the fuzzing, all intact"
	else
		nok "transfers during the fuzzing: $n_ok intact, $n_bad failed"
	fi
	check "xa still answers ping" in_nb ping -c 2 -W 5 10.0.0.1
	check "a transfer after the fuzzing" \
		xfer_once "$fam" "$NS_XA" inet "$NS_NB"
	neigh=$(in_xa xsctl neigh show | grep -c . || true)
	if [ "$neigh" -le "$NEIGH_MAX" ]; then
		ok "xa's neighbour table holds $neigh entries, gc_thresh3 is $NEIGH_MAX"
	else
		nok "xa's neighbour table holds $neigh entries after the fuzzing"
		in_xa xsctl neigh show | head -20 | sed 's/^/#   /'
	fi
	if [ "$(drop_counters)" -gt "$drops" ]; then
		ok "xa counted the frames it dropped ($drops -> $(drop_counters))"
	else
		nok "xa's drop counters did not grow ($drops)"
	fi
	rm -rf "$TMPD"
	check_dmesg_clean
	xs_done
}

main "$@"
