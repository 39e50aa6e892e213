#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcp_interop.sh - TCP bulk transfers between xstack and native Linux and
# between two xstack hosts, driven by xs_xfer: every transfer is checked
# end to end, the byte count and the SHA-256 of what the client sent
# against what the server received (and back, for half-close).
#
# Every transfer runs twice (DESIGN.md principle 7): first "native",
# with AF_INET sockets in the xstack host netns (native addresses
# 10.0.0.3 on xa, 10.0.0.4 on xb, beside xstack's), which validates the
# test itself; then "xstack", with AF_XSTACK sockets on 10.0.0.1 (and
# 10.0.0.2 in xb). When socket(AF_XSTACK, SOCK_STREAM, 0) fails with
# ESOCKTNOSUPPORT (xstack without TCP) the xstack subtests are reported
# as SKIP. Each subtest is one KTAP line; the first checks xs_xfer's
# SHA-256 against sha256sum, the last the kernel log.
#
#   topology a (xa <-> nb over veth):
#   - xa client -> nb server and nb client -> xa server, 0, 1, 1460,
#     100000 bytes, 4 MiB and 64 MiB (the 64 MiB once per direction);
#   - 1 MiB both ways with nb's net.ipv4.tcp_sack, tcp_timestamps and
#     tcp_window_scaling set to 0, one at a time;
#   - half-close both ways: the client sends 1 MiB and shuts down its
#     sending side, the server reads to end of file, waits 200 ms, sends
#     it all back on the half-closed connection, closes; the client reads
#     it back to end of file;
#   - under netem on both ends of the path (TSO/GSO off there, so the
#     impairments hit wire segments): loss 1%, loss 5%, reorder 25%,
#     duplicate 5%, corrupt 1%, delay 20ms 10ms, and all of them
#     together; 1 MiB, both ways;
#   - a 1 MiB transfer xa -> nb captured in nb (checksum offload, TSO,
#     GSO and GRO off, so tcpdump sees wire frames with final checksums;
#     both ends on CPU 0, as a veth pair can reorder frames sent from two
#     CPUs), read by tshark with TCP and IP checksum verification: on
#     this clean path no frame is malformed or has an expert error or a
#     bad checksum, no segment is lost or out of order, and of the frames
#     with a TCP analysis flag (tcp.analysis.flags &&
#     !tcp.analysis.window_update) only flow control and, up to 1% of
#     the frames, timing (retransmission, duplicate ACK) are allowed: see
#     TSHARK_AWK. The transfers of both modes go into one capture, read
#     by one tshark (slow to start under TCG), and are reported after
#     the xstack subtests of topology a;
#   topology b (xa <-> xb, both xstack hosts):
#   - xa client -> xb server with the same sizes, and half-close;
#   and no kernel warning meanwhile.
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/subtests.sh"

XS_XFER="$XS_TESTDIR/xs_xfer"
SIZES="0 1 1460 100000 4194304 67108864"
MIB=1048576
SYSCTLS="tcp_sack tcp_timestamps tcp_window_scaling"
# name:netem options (":" separates, "_" stands for a space).
NETEMS="loss-1%:loss_1%
loss-5%:loss_5%
reorder-25%:delay_10ms_reorder_25%_50%
duplicate-5%:duplicate_5%
corrupt-1%:corrupt_1%
delay-20ms-10ms:delay_20ms_10ms
all-together:loss_1%_delay_20ms_10ms_reorder_25%_50%_duplicate_5%_corrupt_1%"
NNETEM=7
# The frames tshark lists from a capture: those with a TCP analysis flag
# but a window update, malformed ones, expert errors, bad checksums.
TSHARK_Y="(tcp.analysis.flags && !tcp.analysis.window_update) ||"
TSHARK_Y="$TSHARK_Y _ws.malformed || _ws.expert.severity == error ||"
TSHARK_Y="$TSHARK_Y tcp.checksum.status == 0 || ip.checksum.status == 0"
# Their fields, classified by tshark_verdict (awk -F'|': $1 is the first).
TSHARK_E="frame.number ip.src ip.dst _ws.expert.severity _ws.malformed
tcp.checksum.status ip.checksum.status tcp.analysis.out_of_order
tcp.analysis.lost_segment tcp.analysis.ack_lost_segment
tcp.analysis.retransmission tcp.analysis.fast_retransmission
tcp.analysis.spurious_retransmission tcp.analysis.duplicate_ack
tcp.analysis.window_full tcp.analysis.zero_window
tcp.analysis.zero_window_probe tcp.analysis.zero_window_probe_ack
_ws.expert.message"
# A listed frame of a clean path is
#   - flow control, fine: a full or zero window and its probes (native
#     Linux under TCG fills the window of a receiver the emulation slows
#     down);
#   - timing, tolerated up to 1% of the sender's frames: a retransmission
#     or duplicate ACK with nothing else wrong (under a loaded TCG host
#     native Linux sends a tail loss probe or a PAWS duplicate ACK when
#     the peer's ACK comes late);
#   - bad, otherwise: malformed, an expert error (bad checksum...), a
#     lost (never captured: the path is in order, the capture complete)
#     or out-of-order segment, an ACK of unseen data, or any other flag.
# shellcheck disable=SC2016 # awk's $N
TSHARK_AWK='
{ sev = $4 "," ; timing = ($11 $12 $13 $14 != "")
  flow = ($15 $16 $17 $18 != "") }
sev ~ /8388608,/ || $5 != "" || $6 == "0" || $7 == "0" ||
    $8 $9 $10 != "" || (!timing && !flow) { print "bad", $0; next }
timing { print "timing", $0; next }
{ print "flow", $0 }'

TMPD=""
PORT=20000
MODE=""			# native | xstack
SKIP_WHY=""		# set: the subtests of this mode are skipped
NETEM_WHY=""		# set: netem unavailable

# pretty BYTES: 4 MiB, 1460 bytes...
pretty()
{
	if [ "$1" -ge "$MIB" ] && [ $(($1 % MIB)) = 0 ]; then
		echo "$(($1 / MIB)) MiB"
	else
		echo "$1 bytes"
	fi
}

# ---------------------------------------------------------------- endpoints
#
# An endpoint is xa, nb or xb; its netns, family and address depend on
# MODE: xstack's address with AF_XSTACK, or a native one with AF_INET.

# ep NAME: EP_NS, EP_FAM and EP_ADDR of endpoint NAME.
ep()
{
	case "$1" in
	xa) EP_NS=$NS_XA ;;
	xb) EP_NS=$NS_XB ;;
	nb) EP_NS=$NS_NB ;;
	esac
	EP_FAM=xstack
	[ "$1" != nb ] && [ "$MODE" != native ] || EP_FAM=inet
	case "$MODE:$1" in
	*:nb) EP_ADDR=10.0.0.2 ;;
	xstack:xa) EP_ADDR=10.0.0.1 ;;
	xstack:xb) EP_ADDR=10.0.0.2 ;;
	native:xa) EP_ADDR=10.0.0.3 ;;
	native:xb) EP_ADDR=10.0.0.4 ;;
	esac
}

# ---------------------------------------------------------------- transfers

# The transfers avoid processes: under TCG each exec costs 0.1 to 1 s.
# xs_xfer enters the netns itself (--netns), its output is parsed with
# bash builtins, and nap (lib/subtests.sh) sleeps on a pipe nobody
# writes to.

# xfer CLI SRV BYTES [--half-close] [TIMEOUT]: one transfer from
# endpoint CLI (the client) to endpoint SRV (the server). Returns 0 when
# both ends agree on count and SHA-256, else 1 with X_WHY set.
# X_OPTS: more options for both ends.
X_OPTS=()
xfer()
{
	local cli=$1 srv=$2 bytes=$3 half=${4:-} tmo=${5:-} port srv_pid out
	local crc=0 src=0 srv_opts=() cli_opts=() srv_addr
	# shellcheck disable=SC2034 # set by parse_out
	local s_recv s_sent s_listen c_recv c_sent c_listen
	PORT=$((PORT + 1))
	port=$PORT
	out=$TMPD/x$port
	X_WHY=""
	# Generous under TCG: xs_xfer's idle timeout catches a stall sooner.
	[ -n "$tmo" ] || tmo=$((40 + bytes / 524288))
	if [ -n "$half" ]; then
		srv_opts=(--echo --reply-delay 200)
		cli_opts=(--half-close)
	fi
	ep "$srv"
	srv_addr=$EP_ADDR
	if ! srv_start "$out" "$EP_FAM" "$EP_ADDR" "$port" "${srv_opts[@]}" \
		--netns "$EP_NS" --timeout "$tmo" --idle 20 "${X_OPTS[@]}"; then
		X_WHY="server did not listen (exit $SRV_RC)"
		[ "$SRV_RC" != 4 ] ||
			X_WHY="server: no TCP in this family (exit 4)"
		return 1
	fi
	# shellcheck disable=SC2153 # set by srv_start
	srv_pid=$SRV_PID
	ep "$cli"
	"$XS_XFER" client "$EP_FAM" "$srv_addr" "$port" "$bytes" \
		--seed "$port" "${cli_opts[@]}" --netns "$EP_NS" \
		--timeout "$tmo" --idle 20 "${X_OPTS[@]}" \
		>"$out.cli" 2>"$out.cli.err" </dev/null || crc=$?
	parse_out "$out.cli" c
	# A client that never connected leaves the server waiting: stop it.
	if [ "$crc" != 0 ] && [ -z "$c_sent" ]; then
		kill "$srv_pid" 2>/dev/null || true
	fi
	wait "$srv_pid" || src=$?
	forget_pid "$srv_pid"
	parse_out "$out.srv" s
	xfer_log "$out.srv.err" "$out.cli.err"
	if [ "$crc" != 0 ] || [ "$src" != 0 ]; then
		X_WHY="client exit $crc, server exit $src"
	elif [ "${c_sent%% *}" != "$bytes" ]; then
		X_WHY="client sent '${c_sent%% *}' bytes, not $bytes"
	elif [ "$s_recv" != "$c_sent" ]; then
		X_WHY="server received '$s_recv', client sent '$c_sent'"
	elif [ -n "$half" ] && [ "$s_sent" != "$s_recv" ]; then
		X_WHY="server echoed '$s_sent' of '$s_recv'"
	elif [ -n "$half" ] && [ "$c_recv" != "$s_sent" ]; then
		X_WHY="after shutdown(SHUT_WR) the client read '$c_recv', the server sent '$s_sent'"
	fi
	[ -z "$X_WHY" ]
}

# run_xfer NAME CLI SRV BYTES [--half-close] [TIMEOUT]: one subtest.
run_xfer()
{
	local name="$MODE: $1"
	shift
	t_start
	if [ -n "$SKIP_WHY" ]; then
		t_skip "$name" "$SKIP_WHY"
	elif xfer "$@"; then
		t_ok "$name"
	else
		t_fail "$name" "$X_WHY"
	fi
}

# ---------------------------------------------------------------- set-up

# offload_off NS FEATURE...: ethtool -K veth0 FEATURE off in NS (tx,
# tso, gso, gro), remembering the state before for offload_restore.
OFFLOAD_SAVED=""
offload_off()
{
	local ns=$1 f long state saved="" args=() k v
	local -A cur=()
	shift
	while read -r k v; do
		cur[${k%:}]=${v%% *}
	done < <(in_ns "$ns" ethtool -k veth0)
	for f in "$@"; do
		case "$f" in
		tx) long=tx-checksumming ;;
		tso) long=tcp-segmentation-offload ;;
		gso) long=generic-segmentation-offload ;;
		gro) long=generic-receive-offload ;;
		esac
		state=${cur[$long]:-on}
		saved="$saved,$f,$state"
		args+=("$f" off)
	done
	OFFLOAD_SAVED="$OFFLOAD_SAVED $ns$saved"
	in_ns "$ns" ethtool -K veth0 "${args[@]}" >/dev/null 2>&1 ||
		log "ethtool -K veth0 ${args[*]} in $ns failed"
}

# offload_restore: veth0 of every netns of offload_off as it was.
offload_restore()
{
	local e args
	for e in $OFFLOAD_SAVED; do
		IFS=, read -r -a args <<<"$e"
		in_ns "${args[0]}" ethtool -K veth0 "${args[@]:1}" \
			>/dev/null 2>&1 ||
			log "ethtool -K veth0 ${args[*]:1} in ${args[0]} failed"
	done
	OFFLOAD_SAVED=""
}

# netem_probe: NETEM_WHY set when tc cannot attach netem here.
netem_probe()
{
	NETEM_WHY=""
	if ! tc -n "$NS_XA" qdisc replace dev veth0 root netem delay 1ms \
		>/dev/null 2>&1; then
		NETEM_WHY="tc netem not available (sch_netem)"
		return
	fi
	tc -n "$NS_XA" qdisc del dev veth0 root
}

topo_a()
{
	topo_xa_nb
	ip -n "$NS_XA" addr add 10.0.0.3/24 dev veth0
}

topo_b()
{
	topo_xa_xb
	ip -n "$NS_XA" addr add 10.0.0.3/24 dev veth0
	ip -n "$NS_XB" addr add 10.0.0.4/24 dev veth0
}

# ---------------------------------------------------------------- subtests

# xs_xfer's stream and SHA-256 against coreutils, at the padding edges.
check_sha256()
{
	local n a b bad=""
	t_start
	for n in 0 55 56 64 $((MIB + 3)); do
		read -r a _ < <("$XS_XFER" gen "$n" --seed 7 2>"$TMPD/gen" |
			sha256sum)
		read -r _ _ b <"$TMPD/gen"
		[ "$a" = "$b" ] || bad="$bad $n"
	done
	if [ -z "$bad" ]; then
		t_ok "xs_xfer: SHA-256 of its stream agrees with sha256sum"
	else
		t_fail "xs_xfer: SHA-256 of its stream agrees with sha256sum" \
			"differs for sizes$bad"
	fi
}

# sizes A B: A client -> B server, every size.
sizes()
{
	local s
	for s in $SIZES; do
		run_xfer "$1 -> $2, $(pretty "$s")" "$1" "$2" "$s"
	done
}

half_close()
{
	run_xfer "$1 -> $2, half-close, 1 MiB back after shutdown(SHUT_WR)" \
		"$1" "$2" "$MIB" --half-close
}

# sysctls: 1 MiB both ways, each of nb's SYSCTLS at 0 in turn.
sysctls()
{
	local s old
	for s in $SYSCTLS; do
		if [ -n "$SKIP_WHY" ]; then
			run_xfer "xa -> nb, 1 MiB, nb $s=0" xa nb "$MIB"
			run_xfer "nb -> xa, 1 MiB, nb $s=0" nb xa "$MIB"
			continue
		fi
		# Read and set in one process (each costs under TCG).
		# shellcheck disable=SC2016
		old=$(in_nb bash -c 'read -r v <"$1" && echo "$v" && echo 0 >"$1"' \
			bash "/proc/sys/net/ipv4/$s")
		run_xfer "xa -> nb, 1 MiB, nb $s=0" xa nb "$MIB"
		run_xfer "nb -> xa, 1 MiB, nb $s=0" nb xa "$MIB"
		in_nb sysctl -qw "net.ipv4.$s=$old"
		[ "$old" != 0 ] || log "nb's $s was 0 already"
	done
}

# netem_all: 1 MiB both ways under each NETEMS line, netem on both ends
# of the path, TSO and GSO off there (the impairments then hit wire
# segments rather than 64 KiB super-packets).
netem_all()
{
	local line name opts ns why=${SKIP_WHY:-$NETEM_WHY}
	if [ -z "$why" ]; then
		for ns in "$NS_XA" "$NS_NB"; do
			offload_off "$ns" tso gso
		done
	fi
	while IFS= read -r line; do
		name=${line%%:*}
		opts=${line#*:}
		opts=${opts//_/ }
		if [ -n "$why" ]; then
			t_skip "$MODE: xa -> nb, 1 MiB, netem $name" "$why"
			t_skip "$MODE: nb -> xa, 1 MiB, netem $name" "$why"
			continue
		fi
		for ns in "$NS_XA" "$NS_NB"; do
			# shellcheck disable=SC2086
			tc -n "$ns" qdisc replace dev veth0 root netem $opts ||
				fail "tc qdisc replace dev veth0 root netem $opts in $ns"
		done
		log "netem $opts on both ends"
		run_xfer "xa -> nb, 1 MiB, netem $name" xa nb "$MIB" "" 120
		run_xfer "nb -> xa, 1 MiB, netem $name" nb xa "$MIB" "" 120
	done <<<"$NETEMS"
	if [ -z "$why" ]; then
		for ns in "$NS_XA" "$NS_NB"; do
			tc -n "$ns" qdisc del dev veth0 root
		done
		offload_restore
	fi
}

# file_has FILE TEXT: a line of FILE contains TEXT.
file_has()
{
	local l
	[ -r "$1" ] || return 1
	while IFS= read -r l; do
		case "$l" in *"$2"*) return 0 ;; esac
	done <"$1"
	return 1
}

# cap_begin FILE FILTER...: tcpdump in nb on veth0 into FILE (tmpfs:
# tcpdump writing to 9p under TCG falls behind), running once this
# returns.
cap_begin()
{
	local file=$1 i
	shift
	ip netns exec "$NS_NB" tcpdump -Z root -i veth0 -n -U -s 0 -B 16384 \
		--immediate-mode -w "$file" "$@" 2>"$file.err" </dev/null &
	CAP_PID=$!
	XS_PIDS="$XS_PIDS $CAP_PID"
	for ((i = 0; i < 200; i++)); do
		file_has "$file.err" "listening on" && return 0
		kill -0 "$CAP_PID" 2>/dev/null || break
		nap 0.05
	done
	fail "tcpdump did not start: $(cat "$file.err")"
}

# cap_end FILE: stop the capture once tcpdump has caught up (its file
# stops growing); CAP_DROPS: the frames it says it dropped. FILE is
# copied to the results directory.
cap_end()
{
	local file=$1 size prev=-1 i
	for ((i = 0; i < 30; i++)); do
		nap 0.5
		size=$(stat -c %s "$file")
		[ "$size" != "$prev" ] || break
		prev=$size
	done
	kill -INT "$CAP_PID" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$CAP_PID" 2>/dev/null || break
		nap 0.1
	done
	kill -KILL "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	forget_pid "$CAP_PID"
	CAP_DROPS=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' \
		"$file.err")
	[ -z "${XS_RESULTS:-}" ] || cp "$file" "$XS_RESULTS/$XS_TEST.pcap" ||
		true
}

# captures: a 1 MiB transfer xa -> nb of each mode, both in one capture
# in nb, read by one tshark (it takes 10 to 20 s to start under TCG),
# each mode's frames told apart by xa's address. One subtest per mode.
captures()
{
	local what="capture of xa -> nb, 1 MiB, checked by tshark"
	local m ns n nxa nbad ntiming why f file=$TMPD/capture.pcap fields
	local tshark_err=""
	local -A xwhy=() addr=() count=()
	if ! command -v tshark >/dev/null || ! command -v tcpdump >/dev/null; then
		t_skip "native: $what" "tshark or tcpdump not installed"
		t_skip "xstack: $what" "tshark or tcpdump not installed"
		return
	fi
	t_start
	# Checksums computed in software (final on the wire), no GSO/GRO:
	# tcpdump sees wire frames and its ring slots stay small.
	for ns in "$NS_XA" "$NS_NB"; do
		offload_off "$ns" tx tso gso gro
	done
	cap_begin "$file" tcp port $((PORT + 1)) or tcp port $((PORT + 2))
	for m in native xstack; do
		set_mode "$m" quiet
		ep xa
		addr[$m]=$EP_ADDR
		[ -z "$SKIP_WHY" ] || continue
		# Both ends on CPU 0: in order through veth (see xs_xfer.c).
		X_OPTS=(--cpu 0)
		xfer xa nb "$MIB" || xwhy[$m]="the transfer failed: $X_WHY"
		X_OPTS=()
	done
	cap_end "$file"
	offload_restore
	while read -r ns n; do
		count[$ns]=$n
	done < <(tcpdump -nr "$file" 2>/dev/null |
		awk '{ split($3, a, "."); n[a[1] "." a[2] "." a[3] "." a[4]]++ }
		     END { for (k in n) print k, n[k] }')
	# One pass for both: only the bad frames.
	# The payload is random: decoded as data, no application dissector
	# (port 20000 is DNP 3.0) reads it.
	fields=()
	for f in $TSHARK_E; do
		fields+=(-e "$f")
	done
	tshark -n -r "$file" -o tcp.check_checksum:TRUE \
		-o ip.check_checksum:TRUE -d "tcp.port==20000-29999,data" \
		-Y "$TSHARK_Y" -T fields -E separator='|' "${fields[@]}" \
		>"$TMPD/tshark.out" 2>"$TMPD/tshark.err" ||
		tshark_err=$(grep -v 'Running as user' "$TMPD/tshark.err" |
			head -n 3 | tr '\n' ' ')
	awk -F'|' "$TSHARK_AWK" "$TMPD/tshark.out" >"$TMPD/tshark.txt"
	t_time
	for m in native xstack; do
		set_mode "$m" quiet
		if [ -n "$SKIP_WHY" ]; then
			t_skip "$m: $what" "$SKIP_WHY"
			continue
		fi
		nxa=${count[${addr[$m]}]:-0}
		# This mode's listed frames, "CLASS N|SRC|DST|...|MESSAGE".
		awk -v a="${addr[$m]}" -F'|' '$2 == a || $3 == a' \
			"$TMPD/tshark.txt" >"$TMPD/tshark.$m"
		nbad=0
		ntiming=0
		while IFS='|' read -r f _; do
			case "$f" in
			bad*) nbad=$((nbad + 1)) ;;
			timing*) ntiming=$((ntiming + 1)) ;;
			esac
		done <"$TMPD/tshark.$m"
		[ ! -s "$TMPD/tshark.$m" ] ||
			sed -n 's/^\([a-z]*\) \([0-9]*\)|\([^|]*\)|\([^|]*\)|.*|\([^|]*\)$/#   \1: frame \2 \3 > \4: \5/p' \
				"$TMPD/tshark.$m" | head -n 20
		why=${xwhy[$m]:-}
		if [ -z "$why" ] && [ "${CAP_DROPS:-?}" != 0 ]; then
			why="tcpdump dropped ${CAP_DROPS:-an unknown number of} frames"
		elif [ -z "$why" ] && [ "$nxa" -lt $((MIB / 1500)) ]; then
			why="only $nxa frames from xa (${addr[$m]}) captured"
		elif [ -z "$why" ] && [ -n "$tshark_err" ]; then
			why="tshark failed: $tshark_err"
		elif [ -z "$why" ] && [ "$nbad" != 0 ]; then
			why="tshark flags $nbad bad frames"
		elif [ -z "$why" ] && [ "$ntiming" -gt $((nxa / 100)) ]; then
			why="$ntiming retransmissions or duplicate ACKs, more than 1% of $nxa frames"
		fi
		if [ -n "$why" ]; then
			t_fail "$m: $what" "$why"
		else
			log "$m: $nxa frames from ${addr[$m]}, $ntiming retransmissions or duplicate ACKs, none bad"
			t_ok "$m: $what"
		fi
	done
}

# Topology a: xa <-> nb.
suite_a()
{
	sizes xa nb
	sizes nb xa
	sysctls
	half_close xa nb
	half_close nb xa
	netem_all
}

# Topology b: xa <-> xb.
suite_b()
{
	sizes xa xb
	half_close xa xb
}

# cleanup: the temporary files, then lib/topo.sh's cleanup (which takes
# the exit status from $?).
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup()
{
	local rc=$?
	set +e
	trap - ERR
	rm -rf "$TMPD"
	(exit "$rc")
	xs_cleanup
}

kernel_log()
{
	local bad
	bad=$(dmesg_since | grep -E "$XS_KERNEL_BAD" || true)
	if [ -z "$bad" ]; then
		t_ok "no kernel warnings"
	else
		echo "$bad" | head -n 20 | sed 's/^/#   /'
		t_fail "no kernel warnings"
	fi
}

main()
{
	local nsz na nb plan m
	xs_init
	xs_require tc ethtool sha256sum
	[ -x "$XS_XFER" ] || skip "$XS_XFER not built (make -C selftests)"
	TMPD=$(mktemp -d /tmp/tcp_interop.XXXXXX)
	trap cleanup EXIT
	xs_load
	nsz=$(echo "$SIZES" | wc -w)
	na=$((2 * nsz + 6 + 2 + 2 * NNETEM + 1))	# + its capture
	nb=$((nsz + 1))
	plan=$((1 + 2 * (na + nb) + 1))
	echo "TAP version 13"
	echo "1..$plan"
	T_BEGIN=$SECONDS
	check_sha256

	topo_a
	netem_probe
	probe_xstack "$NS_XA"
	log "[$((SECONDS - T_BEGIN)) s] topology a (xa <-> nb) up"
	for m in native xstack; do
		set_mode "$m"
		suite_a
	done
	captures
	topo_down

	topo_b
	probe_xstack "$NS_XA" "$NS_XB"
	log "[$((SECONDS - T_BEGIN)) s] topology b (xa <-> xb) up"
	for m in native xstack; do
		set_mode "$m"
		suite_b
	done
	topo_down
	kernel_log
	log "$T_NUM subtests in $((SECONDS - T_BEGIN)) s"
	if [ "$T_NUM" != "$plan" ]; then
		log "planned $plan subtests, ran $T_NUM"
		XS_NFAIL=$((XS_NFAIL + 1))
	fi
	xs_done
}

main "$@"
