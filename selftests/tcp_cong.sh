#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcp_cong.sh - congestion control, ECN and pacing of TCP with the
# kernel's tcp_congestion_ops modules: bulk transfers from an xs_xfer
# client in xa to an xs_xfer server in nb (native Linux) through a
# bottleneck on xa's egress (veth0, TSO and GSO off there, so the qdiscs
# see wire segments). The client sets the algorithm with --cc
# (setsockopt(TCP_CONGESTION) before connect) and samples TCP_INFO every
# 20 ms (--info-file) until all it sent is acknowledged; the checks read
# those samples. Every transfer is checked end to end (byte count and
# SHA-256 of both ends agree) and the client reads the algorithm back
# with getsockopt(TCP_CONGESTION) at the end ("cc=NAME").
#
# Every subtest runs twice (DESIGN.md principle 7): first "native",
# with AF_INET sockets in xa (native address 10.0.0.3 on xa's veth0,
# beside xstack's), which validates the test itself; then "xstack", with
# AF_XSTACK on 10.0.0.1. nb's server is always native (10.0.0.2). When
# socket(AF_XSTACK, SOCK_STREAM, 0) fails with ESOCKTNOSUPPORT the
# xstack subtests are reported as SKIP; an algorithm whose module does
# not load is SKIP in both modes. Each subtest is one KTAP line:
#
#   1. bottleneck: netem delay 20ms as the root qdisc of xa's veth0, tbf
#      rate 20mbit burst 32kbit latency 100ms its child. For each of
#      reno cubic bbr dctcp vegas westwood htcp, 4 MiB xa -> nb: intact,
#      the algorithm is accepted and read back, some sample has
#      tcpi_snd_cwnd > 10 (the window grew past the initial one), the
#      cwnd is held during reductions (below: "held"), and
#      tcpi_total_retrans at the end is below half the 2896 segments of
#      the transfer (overflowing tbf's queue in slow start costs native
#      Linux about 200; far more is a sender that floods the bottleneck
#      and wastes it on retransmissions). For dctcp, nb's server uses
#      dctcp too (see 5.).
#   2. the same bottleneck with netem loss 0.5% too, reno and cubic:
#      intact, read back, tcpi_total_retrans > 0 at the end, and held.
#   3. the multiplicative decrease of those two lossy transfers: at each
#      entry into Recovery (a sample with tcpi_ca_state 3 after one not
#      in Recovery or Loss) the ratio of the new tcpi_snd_ssthresh to the
#      cwnd of the sample before; their median is within [0.35, 0.6] for
#      reno (beta 1/2) and [0.6, 0.85] for cubic (beta 717/1024). The
#      median and not the first entry: in slow start the cwnd can grow a
#      lot in the 20 ms between the samples.
#   4. bbr with sch_fq as the root qdisc of xa's veth0 (no bottleneck;
#      netem delay 20ms on nb's veth0 delays the ACKs) and
#      SO_MAX_PACING_RATE 10 Mbit/s on the client (so that fq has
#      segments to hold even on a slow kernel), 4 MiB: intact, read
#      back, every sample from the first
#      with a pacing rate on has tcpi_pacing_rate neither 0 nor ~0 (bbr
#      sets the rate itself), and fq's "throttled" counter (tc -s qdisc:
#      the times a flow waited for its departure time) is > 0: fq paced
#      the segments by the socket's rate or EDT timestamps.
#   5. dctcp and ECN: nb's net.ipv4.tcp_ecn=1 and nb's server on dctcp
#      too (xs_xfer --cc on the listener: dctcp's SYN is ECT, and Linux
#      grants ECN to an ECT SYN only when the listener's algorithm needs
#      ECN; with a cubic server dctcp falls back to "dctcp-reno");
#      xa's tcp_ecn (net.ipv4 or net.xstack) left at its default 2, as
#      dctcp's TCP_CONG_NEEDS_ECN must make the SYN ask for ECN anyway;
#      tbf rate 20mbit as the root,
#      fq_codel ce_threshold 1ms ecn its child, which marks CE on ECT
#      segments that queued for more than 1 ms. 4 MiB: intact, read
#      back, TCPI_OPT_ECN (8) in tcpi_options of the last sample,
#      tcpi_delivered_ce > 0 (nb echoed CE marks, dctcp counted them),
#      and held.
#   6. small queues: reno (no HyStart to end slow start early) through
#      tbf rate 20mbit with a 4 MB queue (limit 4mb: it never drops, so
#      slow start goes on; burst 96kb: tbf queues a 64 KiB GSO skb
#      whole, where a smaller burst has it segment the skb at enqueue,
#      which frees xstack's skb and with it the charge, see README) to a
#      receiver
#      with an 8 MiB receive buffer from the start (nb's tcp_rmem: its
#      window never limits the sender), 4 MiB; tbf's backlog, read
#      every 50 ms (tc -s -j), stays below 512 KiB: the sender keeps only
#      a few segments in the qdisc (Linux's TCP small queues: about 1 ms
#      at the pacing rate, two skbs at least, 64 KiB each on this path
#      of tiny RTT) and the rest in its own write queue. A sender without
#      that backpressure fills the qdisc with its window (megabytes).
#   7. classification: htb on xa's veth0 with classes 1:10, 1:20, 1:30
#      (20mbit each) and a default 1:40; a u32 filter sends DSCP AF11
#      (TOS 0x28) to 1:10, SO_PRIORITY 0x10020 names 1:20 itself (htb
#      takes skb->priority as a class id), an fw filter sends SO_MARK 7
#      to 1:30. A 1 MiB transfer with each of IP_TOS 0x28, SO_PRIORITY
#      0x10020 and SO_MARK 7: intact, and its class sent at least 1 MiB
#      more (tc -s class show) while the default class did not.
#   8. shares: htb with 1:10 at 15mbit and 1:20 at 5mbit (ceil = rate),
#      u32 filters on DSCP AF11 (0x28) and EF (0xb8); two 2 MiB cubic
#      transfers started together, one with each TOS: both intact, and
#      the goodput the 15mbit flow's client reports is 1.8 to 6 times
#      the 5mbit one's (configured: 3).
#   "held": while the sender is in CWR or Recovery (tcpi_ca_state 2 or
#   3), no sample has a cwnd above the larger of the cwnd of the first
#   sample in that state and the sample's ssthresh, plus 2 segments:
#   Linux's proportional rate reduction brings cwnd down to ssthresh,
#   growing it only from below ssthresh (an undo raises ssthresh too).
#   A cwnd that grows in a reduction floods the bottleneck: the losses,
#   retransmissions and (dctcp) CE marks go on.
#   and no kernel warning meanwhile.
#
# The TCP_INFO samples of every transfer are kept in the results
# directory (tcp_cong-MODE-TAG.info) when run.sh gives one.
#
# Switching TCP_CONGESTION in the middle of a connection is not tested.
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/subtests.sh"

XS_XFER="$XS_TESTDIR/xs_xfer"
CCS="reno cubic bbr dctcp vegas westwood htcp"
LOSS_CCS="reno cubic"
MODS="tcp_bbr tcp_dctcp tcp_vegas tcp_westwood tcp_htcp sch_fq sch_tbf sch_netem sch_fq_codel sch_htb cls_u32 cls_fw"
BYTES=4194304
TBF="rate 20mbit burst 32kbit latency 100ms"
# Bounds of the median ssthresh / cwnd ratio at the entry into Recovery.
declare -A RATIO=([reno]="0.35 0.6" [cubic]="0.6 0.85")
U64_MAX=18446744073709551615

TMPD=""
PORT=21000
MODE=""			# native | xstack
SKIP_WHY=""		# set: the subtests of this mode are skipped
declare -A CC_WHY=()	# algorithm -> why it is unavailable
X_OPTS=()		# more options for xfer's client

# ---------------------------------------------------------------- transfers

# xfer CC TAG: BYTES from xa (client, MODE's family and address) to nb's
# server with congestion control CC. 0 when both ends agree on count and
# SHA-256 and the client read CC back, else 1 with X_WHY set. The
# server uses dctcp too when CC is dctcp (see the header). X_INFO:
# the client's TCP_INFO samples (copied to the results as TAG).
xfer()
{
	local cc=$1 tag=$2 port srv_pid out crc=0 src=0 fam=xstack srv_cc=()
	# shellcheck disable=SC2034 # set by parse_out
	local s_recv s_sent s_listen s_cc c_recv c_sent c_listen c_cc
	PORT=$((PORT + 1))
	port=$PORT
	out=$TMPD/x$port
	X_INFO=$out.info
	X_WHY=""
	[ "$MODE" != native ] || fam=inet
	[ "$cc" != dctcp ] || srv_cc=(--cc dctcp)
	if ! srv_start "$out" inet 10.0.0.2 "$port" --netns "$NS_NB" \
		--timeout 90 --idle 20 "${srv_cc[@]}"; then
		X_WHY="server did not listen (exit $SRV_RC)"
		[ "$SRV_RC" != 5 ] ||
			X_WHY="server: setsockopt(TCP_CONGESTION, $cc) refused"
		return 1
	fi
	# shellcheck disable=SC2153 # set by srv_start
	srv_pid=$SRV_PID
	# Unbound: natively the source is 10.0.0.3, xa's only native
	# address; xstack's is 10.0.0.1.
	"$XS_XFER" client "$fam" 10.0.0.2 "$port" "$BYTES" --seed "$port" \
		--cc "$cc" --info-file "$X_INFO" --netns "$NS_XA" "${X_OPTS[@]}" \
		--timeout 90 --idle 20 \
		>"$out.cli" 2>"$out.cli.err" </dev/null || crc=$?
	parse_out "$out.cli" c
	if [ "$crc" != 0 ] && [ -z "$c_sent" ]; then
		kill "$srv_pid" 2>/dev/null || true
	fi
	wait "$srv_pid" || src=$?
	forget_pid "$srv_pid"
	parse_out "$out.srv" s
	xfer_log "$out.srv.err" "$out.cli.err"
	[ -z "${XS_RESULTS:-}" ] || [ ! -r "$X_INFO" ] ||
		cp "$X_INFO" "$XS_RESULTS/$XS_TEST-$MODE-$tag.info" || true
	if [ "$crc" = 5 ]; then
		X_WHY="setsockopt(TCP_CONGESTION, $cc) refused"
	elif [ "$crc" != 0 ] || [ "$src" != 0 ]; then
		X_WHY="client exit $crc, server exit $src"
	elif [ "${c_sent%% *}" != "$BYTES" ]; then
		X_WHY="client sent '${c_sent%% *}' bytes, not $BYTES"
	elif [ "$s_recv" != "$c_sent" ]; then
		X_WHY="server received '$s_recv', client sent '$c_sent'"
	elif [ "$c_cc" != "$cc" ]; then
		X_WHY="getsockopt(TCP_CONGESTION) reads back '$c_cc', not $cc"
	fi
	[ -z "$X_WHY" ]
}

# info_stats FILE: from the TCP_INFO samples of FILE,
#   I_N        samples
#   I_CWND     largest cwnd
#   I_RETRANS  total_retrans of the last sample
#   I_PACE_OK  samples with a pacing rate neither 0 nor ~0
#   I_PACE_BAD samples at 0 or ~0 after the first with a rate
#   I_OPTS     options of the last sample
#   I_CE       delivered_ce of the last sample
#   I_NREC     entries into Recovery (ca_state 3 after neither 3 nor 4)
#   I_RATIO    median of ssthresh / cwnd-of-the-sample-before at them
#   I_RATIOS   the first ten ratios, for the log
#   I_GROW     samples in CWR or Recovery (ca_state 2, 3) with a cwnd
#              above max(the cwnd of the first sample of that state,
#              the sample's ssthresh) + 2: the reduction let it grow
#   I_GROW_EX  the first of them, "ms=MS:cwnd=C>FIRST:ssthresh=S"
info_stats()
{
	local res
	res=$(awk -v max="$U64_MAX" '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	{ n++
	  if (v["cwnd"] + 0 > cwnd) cwnd = v["cwnd"] + 0
	  ok = (v["pacing"] != "0" && v["pacing"] != max)
	  if (ok) { pok++; seen = 1 } else if (seen) pbad++
	  st = v["ca_state"] + 0
	  if (n > 1 && st == 3 && pst != 3 && pst != 4 && pcwnd > 0) {
		r[++nr] = v["ssthresh"] / pcwnd
		if (nr <= 10) rs = rs sprintf(" %d/%d", v["ssthresh"], pcwnd)
	  }
	  c = v["cwnd"] + 0
	  if ((st == 2 || st == 3) && st != pst) first = c
	  else if (st == 2 || st == 3) {
		lim = first; if (v["ssthresh"] + 0 > lim) lim = v["ssthresh"] + 0
		if (c > lim + 2 && !grow++)
			gx = sprintf("ms=%s:cwnd=%d>%d:ssthresh=%d", v["ms"], c, first, v["ssthresh"])
	  }
	  pst = st; pcwnd = c
	  retrans = v["retrans"]; opts = v["options"]; ce = v["delivered_ce"] }
	END {
		# insertion sort: few entries
		for (i = 2; i <= nr; i++) {
			x = r[i]
			for (j = i - 1; j >= 1 && r[j] > x; j--) r[j + 1] = r[j]
			r[j + 1] = x
		}
		med = 0
		if (nr) med = (nr % 2) ? r[(nr + 1) / 2] : (r[nr / 2] + r[nr / 2 + 1]) / 2
		printf "%d %d %d %d %d %d %d %d %d %s %.3f%s\n", n, cwnd, retrans,
			pok, pbad, opts, ce, nr, grow, gx == "" ? "-" : gx, med, rs
	}' "$1")
	read -r I_N I_CWND I_RETRANS I_PACE_OK I_PACE_BAD I_OPTS I_CE I_NREC \
		I_GROW I_GROW_EX I_RATIO I_RATIOS <<<"$res"
	log "samples $I_N: max cwnd $I_CWND, retrans $I_RETRANS, pacing set in $I_PACE_OK (0/~0 after: $I_PACE_BAD), options $I_OPTS, delivered_ce $I_CE, cwnd grew in CWR/Recovery in $I_GROW (first: $I_GROW_EX), $I_NREC Recovery entries, median ssthresh/cwnd $I_RATIO${I_RATIOS:+ (first: $I_RATIOS)}"
}

# ---------------------------------------------------------------- qdiscs

# qd ARGS...: a tc qdisc command on xa's veth0, or the test fails.
qd()
{
	tc -n "$NS_XA" qdisc "$@" || fail "tc qdisc $* in xa"
}

qd_clear()
{
	tc -n "$NS_XA" qdisc del dev veth0 root 2>/dev/null || true
}

# bottleneck [NETEM-EXTRA...]: netem delay 20ms (and more) at the root,
# tbf below it.
bottleneck()
{
	qd_clear
	qd add dev veth0 root handle 1: netem delay 20ms "$@"
	# shellcheck disable=SC2086
	qd add dev veth0 parent 1:1 handle 10: tbf $TBF
}

# ---------------------------------------------------------------- subtests

# cc_skip NAME CC: subtest NAME reported as skipped, returning 1, when
# SKIP_WHY or CC_WHY[CC] is set.
cc_skip()
{
	local why=${SKIP_WHY:-${CC_WHY[$2]:-}}
	[ -n "$why" ] || return 0
	t_skip "$1" "$why"
	return 1
}

# grow: each algorithm through the bottleneck; the window grew past 10,
# the retransmissions stayed below half the segments.
grow()
{
	local cc name why segs=$((BYTES / 1448))
	bottleneck
	for cc in $CCS; do
		name="$MODE: $cc, 4 MiB xa -> nb via netem 20ms + tbf 20mbit: intact, cwnd > 10, held in reductions, retrans < $((segs / 2))"
		cc_skip "$name" "$cc" || continue
		t_start
		why=""
		if xfer "$cc" "$cc"; then
			info_stats "$X_INFO"
			if [ "$I_CWND" -le 10 ]; then
				why="cwnd never above 10 in $I_N samples (max $I_CWND)"
			elif [ "$I_GROW" != 0 ]; then
				why="cwnd grew in CWR/Recovery in $I_GROW samples (first: $I_GROW_EX)"
			elif [ "$I_RETRANS" -ge $((segs / 2)) ]; then
				why="total_retrans $I_RETRANS for $segs segments (max cwnd $I_CWND)"
			fi
		else
			why=$X_WHY
		fi
		t_result "$name" "$why"
	done
}

# lossy: reno and cubic with 0.5% loss; retransmissions, then the ratio
# of their reductions.
lossy()
{
	local cc name why lo hi
	local -A info=()
	bottleneck loss 0.5%
	for cc in $LOSS_CCS; do
		name="$MODE: $cc, 4 MiB via netem 20ms loss 0.5% + tbf: intact, retrans > 0, cwnd held in reductions"
		cc_skip "$name" "$cc" || continue
		t_start
		why=""
		if xfer "$cc" "$cc-loss"; then
			info_stats "$X_INFO"
			info[$cc]=$X_INFO
			if [ "$I_RETRANS" = 0 ]; then
				why="total_retrans $I_RETRANS with 0.5% loss"
			elif [ "$I_GROW" != 0 ]; then
				why="cwnd grew in CWR/Recovery in $I_GROW samples (first: $I_GROW_EX)"
			fi
		else
			why=$X_WHY
		fi
		t_result "$name" "$why"
	done
	for cc in $LOSS_CCS; do
		read -r lo hi <<<"${RATIO[$cc]}"
		name="$MODE: $cc, ssthresh / cwnd at entry into Recovery in [$lo, $hi]"
		cc_skip "$name" "$cc" || continue
		if [ -z "${info[$cc]:-}" ]; then
			t_fail "$name" "no samples: the lossy transfer failed"
			continue
		fi
		info_stats "${info[$cc]}"
		why=""
		if [ "$I_NREC" = 0 ]; then
			why="no entry into Recovery in $I_N samples"
		elif ! awk -v r="$I_RATIO" -v lo="$lo" -v hi="$hi" \
			'BEGIN { exit !(r >= lo && r <= hi) }'; then
			why="median ratio $I_RATIO of $I_NREC entries (ssthresh/cwnd:$I_RATIOS)"
		fi
		t_result "$name" "$why"
	done
}

# fq_throttled: fq's cumulative "throttled N" (after "highprio N").
fq_throttled()
{
	tc -n "$NS_XA" -s qdisc show dev veth0 |
		sed -n 's/.*highprio [0-9]* \(fastpath [0-9]* \)\{0,1\}throttled \([0-9]*\).*/\2/p' |
		head -n 1
}

# paced: bbr over fq; its pacing rate is set and fq throttled the flow.
paced()
{
	local name="$MODE: bbr over fq, 4 MiB: intact, pacing rate set, fq throttled > 0"
	local why thr
	cc_skip "$name" bbr || return 0
	[ -z "${CC_WHY[fq]:-}" ] || { t_skip "$name" "${CC_WHY[fq]}"; return 0; }
	qd_clear
	qd add dev veth0 root handle 1: fq
	# The ACKs 20 ms late: a path with a real RTT, where bbr paces at
	# about the delivery rate it measured.
	tc -n "$NS_NB" qdisc replace dev veth0 root netem delay 20ms ||
		fail "tc qdisc replace dev veth0 root netem delay 20ms in nb"
	t_start
	why=""
	# At most 10 Mbit/s: fq then holds segments even when the sender
	# is slow (the debug kernel), where bbr's own rate may not be.
	X_OPTS=(--max-pacing-rate 1250000)
	if xfer bbr bbr-fq; then
		info_stats "$X_INFO"
		thr=$(fq_throttled)
		log "fq: throttled ${thr:-?}"
		if [ "$I_PACE_OK" = 0 ]; then
			why="no sample with a pacing rate (0 or ~0 in all $I_N)"
		elif [ "$I_PACE_BAD" != 0 ]; then
			why="pacing rate back to 0 or ~0 in $I_PACE_BAD samples"
		elif [ -z "$thr" ]; then
			why="no throttled counter in: $(tc -n "$NS_XA" -s qdisc show dev veth0 | tr '\n' ' ')"
		elif [ "$thr" = 0 ]; then
			why="fq never throttled the flow (throttled 0)"
		fi
	else
		why=$X_WHY
	fi
	X_OPTS=()
	tc -n "$NS_NB" qdisc del dev veth0 root
	t_result "$name" "$why"
}

# ecn: dctcp through tbf + fq_codel ce_threshold; ECN negotiated, CE
# marks delivered.
ecn()
{
	local name="$MODE: dctcp, 4 MiB via tbf 20mbit + fq_codel ce_threshold 1ms: intact, ECN on, delivered_ce > 0, cwnd held in CWR"
	local why old
	cc_skip "$name" dctcp || return 0
	[ -z "${CC_WHY[fq_codel]:-}" ] ||
		{ t_skip "$name" "${CC_WHY[fq_codel]}"; return 0; }
	qd_clear
	# shellcheck disable=SC2086
	qd add dev veth0 root handle 1: tbf $TBF
	qd add dev veth0 parent 1:1 handle 10: fq_codel ce_threshold 1ms ecn
	old=$(in_nb sysctl -n net.ipv4.tcp_ecn)
	in_nb sysctl -qw net.ipv4.tcp_ecn=1
	t_start
	why=""
	if xfer dctcp dctcp-ecn; then
		info_stats "$X_INFO"
		log "fq_codel: $(tc -n "$NS_XA" -s qdisc show dev veth0 |
			grep -o 'ce_mark [0-9]*' | head -n 1)"
		if [ $((I_OPTS & 8)) = 0 ]; then
			why="TCPI_OPT_ECN not in tcpi_options ($I_OPTS)"
		elif [ "$I_CE" = 0 ]; then
			why="delivered_ce 0"
		elif [ "$I_GROW" != 0 ]; then
			why="cwnd grew in CWR/Recovery in $I_GROW samples (first: $I_GROW_EX; max cwnd $I_CWND, delivered_ce $I_CE)"
		fi
	else
		why=$X_WHY
	fi
	in_nb sysctl -qw "net.ipv4.tcp_ecn=$old"
	t_result "$name" "$why"
}

# backlog_max FILE: the largest "backlog" of the samples in FILE.
backlog_max()
{
	grep -o '"backlog":[0-9]*' "$1" | cut -d: -f2 | sort -n | tail -n 1
}

# smallq: what a sender keeps in a qdisc that never drops is bounded.
smallq()
{
	local name="$MODE: reno, 4 MiB via tbf 20mbit with a 4 MB queue: tbf backlog < 512 KiB"
	local why max smp mon old
	cc_skip "$name" reno || return 0
	old=$(in_nb sysctl -n net.ipv4.tcp_rmem)
	in_nb sysctl -qw net.ipv4.tcp_rmem="4096 8388608 8388608"
	qd_clear
	qd add dev veth0 root handle 1: tbf rate 20mbit burst 96kb limit 4mb
	smp=$TMPD/backlog
	: >"$smp"
	(
		while :; do
			tc -n "$NS_XA" -s -j qdisc show dev veth0 >>"$smp" 2>&1
			echo >>"$smp"
			nap 0.05
		done
	) &
	mon=$!
	t_start
	why=""
	if xfer reno reno-smallq; then
		kill "$mon" 2>/dev/null || true
		wait "$mon" 2>/dev/null || true
		max=$(backlog_max "$smp")
		info_stats "$X_INFO"
		log "tbf backlog: at most ${max:-?} bytes in $(grep -c backlog "$smp") samples"
		if [ -z "$max" ]; then
			why="no backlog in tc's output: $(head -c 300 "$smp")"
		elif [ "$max" -ge $((512 * 1024)) ]; then
			why="tbf backlog reached $max bytes (max cwnd $I_CWND)"
		fi
	else
		kill "$mon" 2>/dev/null || true
		wait "$mon" 2>/dev/null || true
		why=$X_WHY
	fi
	in_nb sysctl -qw net.ipv4.tcp_rmem="$old"
	t_result "$name" "$why"
}

# class_bytes CLASSID: bytes htb's class CLASSID of xa's veth0 sent.
class_bytes()
{
	tc -n "$NS_XA" -s class show dev veth0 |
		awk -v c="$1" '$1 == "class" { f = ($3 == c); next }
			       f && $1 == "Sent" { print $2; exit }'
}

# classified NAME CLASS ARGS...: a 1 MiB transfer with xs_xfer client
# options ARGS went through htb class CLASS, not the default 1:40.
classified()
{
	local name=$1 cls=$2 why="" b0 d0 b1 d1 bytes=$BYTES
	shift 2
	cc_skip "$name" cubic || return 0
	b0=$(class_bytes "$cls")
	d0=$(class_bytes 1:40)
	t_start
	BYTES=1048576 X_OPTS=("$@")
	if xfer cubic "class-$cls"; then
		b1=$(class_bytes "$cls")
		d1=$(class_bytes 1:40)
		log "class $cls: $((b1 - b0)) bytes, default 1:40: $((d1 - d0)) bytes"
		if [ $((b1 - b0)) -lt "$BYTES" ]; then
			why="class $cls sent $((b1 - b0)) bytes, default 1:40 $((d1 - d0))"
		elif [ $((d1 - d0)) -ge $((BYTES / 2)) ]; then
			why="default class 1:40 sent $((d1 - d0)) bytes too"
		fi
	else
		why=$X_WHY
	fi
	BYTES=$bytes X_OPTS=()
	t_result "$name" "$why"
}

# htb_root: htb at the root of xa's veth0 (default class 1:40).
htb_root()
{
	qd_clear
	qd add dev veth0 root handle 1: htb default 40
	tc -n "$NS_XA" class add dev veth0 parent 1: classid 1:40 htb \
		rate 100mbit quantum 30000 || fail "tc class add 1:40"
}

# htb_class ID RATE: a leaf class of RATE (ceil RATE: no borrowing).
htb_class()
{
	tc -n "$NS_XA" class add dev veth0 parent 1: classid "$1" htb \
		rate "$2" ceil "$2" quantum 30000 || fail "tc class add $1"
}

# u32_tos TOS CLASS: TOS's DSCP (mask 0xfc) to CLASS.
u32_tos()
{
	tc -n "$NS_XA" filter add dev veth0 parent 1: protocol ip prio 1 \
		u32 match ip tos "$1" 0xfc flowid "$2" ||
		fail "tc filter u32 tos $1"
}

classify()
{
	htb_root
	htb_class 1:10 20mbit
	htb_class 1:20 20mbit
	htb_class 1:30 20mbit
	u32_tos 0x28 1:10
	# A kernel without cls_fw (the debug kernel's config): SKIP.
	[ -n "${CC_WHY[fw]:-}" ] ||
		tc -n "$NS_XA" filter add dev veth0 parent 1: protocol ip \
			prio 2 handle 7 fw flowid 1:30 ||
		CC_WHY[fw]="tc filter fw failed: no cls_fw"
	classified "$MODE: IP_TOS 0x28 (DSCP AF11), 1 MiB: intact, through the u32 class 1:10" \
		1:10 --tos 0x28
	classified "$MODE: SO_PRIORITY 0x10020, 1 MiB: intact, through htb class 1:20" \
		1:20 --priority 0x10020
	if [ -n "${CC_WHY[fw]:-}" ]; then
		t_skip "$MODE: SO_MARK 7, 1 MiB: intact, through the fw class 1:30" \
			"${CC_WHY[fw]}"
	else
		classified "$MODE: SO_MARK 7, 1 MiB: intact, through the fw class 1:30" \
			1:30 --mark 7
	fi
}

# shares: two flows into 15mbit and 5mbit classes by DSCP; their times.
shares()
{
	local name="$MODE: cubic, 2 MiB with DSCP AF11 (15mbit) and EF (5mbit) at once: intact, AF11's goodput 1.8 to 6 times EF's"
	local why="" tos t fast slow r
	cc_skip "$name" cubic || return 0
	htb_root
	htb_class 1:10 15mbit
	htb_class 1:20 5mbit
	u32_tos 0x28 1:10
	u32_tos 0xb8 1:20
	t_start
	for tos in 0x28 0xb8; do
		PORT=$((PORT + 10))
		(
			BYTES=2097152 X_OPTS=(--tos "$tos")
			if xfer cubic "share-$tos"; then
				# "xs_xfer: client: sent N bytes in T s (R Mbit/s)"
				t=$(sed -n 's/.*client: sent .*(\([0-9.]*\) Mbit\/s).*/\1/p' \
					"$TMPD/x$PORT.cli.err")
				t="ok ${t:-0}"
			else
				t="fail $X_WHY"
			fi
			echo "$t" >"$TMPD/share-$tos"
		) &
	done
	wait
	PORT=$((PORT + 10))	# past the ports the subshells took
	read -r fast t <"$TMPD/share-0x28" || fast="fail no result"
	read -r slow r <"$TMPD/share-0xb8" || slow="fail no result"
	log "AF11 (15mbit): $fast $t Mbit/s; EF (5mbit): $slow $r Mbit/s"
	if [ "$fast" != ok ]; then
		why="AF11 flow: $t"
	elif [ "$slow" != ok ]; then
		why="EF flow: $r"
	elif ! awk -v f="$t" -v s="$r" \
		'BEGIN { exit !(s > 0 && f / s >= 1.8 && f / s <= 6) }'; then
		why="AF11 $t Mbit/s, EF $r Mbit/s: ratio out of [1.8, 6]"
	fi
	t_result "$name" "$why"
}

suite()
{
	grow
	lossy
	paced
	ecn
	smallq
	classify
	shares
}

# ---------------------------------------------------------------- set-up

# load_mods: the algorithms' and qdiscs' modules; CC_WHY of those that
# do not load (the qdiscs under their tc names).
load_mods()
{
	local m k
	for m in $MODS; do
		modprobe -q "$m" 2>/dev/null && continue
		case "$m" in
		tcp_*) k=${m#tcp_} ;;
		sch_*) k=${m#sch_} ;;
		cls_*) k=${m#cls_} ;;
		esac
		# Built in, perhaps: the tc or setsockopt call will tell.
		[ -d "/sys/module/$m" ] && continue
		CC_WHY[$k]="modprobe $m failed"
		log "modprobe $m failed"
	done
	[ -z "${CC_WHY[tbf]:-}${CC_WHY[netem]:-}" ] ||
		skip "sch_tbf or sch_netem not available"
}

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

main()
{
	local m ncc nloss plan bad
	xs_init
	xs_require tc ethtool awk sysctl
	[ -x "$XS_XFER" ] || skip "$XS_XFER not built (make -C selftests)"
	TMPD=$(mktemp -d /tmp/tcp_cong.XXXXXX)
	trap cleanup EXIT
	load_mods
	# shellcheck disable=SC2119 # no module parameters
	xs_load
	ncc=$(echo "$CCS" | wc -w)
	nloss=$(echo "$LOSS_CCS" | wc -w)
	plan=$((2 * (ncc + 2 * nloss + 7) + 1))
	echo "TAP version 13"
	echo "1..$plan"
	T_BEGIN=$SECONDS
	topo_xa_nb
	ip -n "$NS_XA" addr add 10.0.0.3/24 dev veth0
	ip netns exec "$NS_XA" ethtool -K veth0 tso off gso off >/dev/null ||
		fail "ethtool -K veth0 tso off gso off in xa"
	probe_xstack "$NS_XA"
	for m in native xstack; do
		set_mode "$m"
		suite
	done
	qd_clear
	topo_down
	bad=$(dmesg_since | grep -E "$XS_KERNEL_BAD" || true)
	if [ -z "$bad" ]; then
		t_ok "no kernel warnings"
	else
		echo "$bad" | head -n 20 | sed 's/^/#   /'
		t_fail "no kernel warnings"
	fi
	log "$T_NUM subtests in $((SECONDS - T_BEGIN)) s"
	if [ "$T_NUM" != "$plan" ]; then
		log "planned $plan subtests, ran $T_NUM"
		XS_NFAIL=$((XS_NFAIL + 1))
	fi
	xs_done
}

main "$@"
