#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - what `make bench` runs: the same workloads (tools/xsperf) over
# the native stack and over xstack, in one QEMU guest, and a table of
# xstack's figures against native Linux's.
#
#   scripts/bench.sh [--rounds N] [--duration SEC] [--cpus N]
#                    [--idle-conns N] [--offloads-off] [--out DIR]
#                    [--workloads "NAME..."]
#
# The host side boots the guest once (scripts/vm) and runs this script
# there with --guest. The guest loads xstack and builds three pairs of
# hosts, each pair two network namespaces over a veth pair:
#
#   nn   n1 10.0.1.1 <-> n2 10.0.1.2   native Linux on both ends
#   xx   x1 10.0.2.1 <-> x2 10.0.2.2   xstack on both ends (veth0 attached,
#                                      the addresses owned by xstack)
#   xn   xa 10.0.3.1 <-> nb 10.0.3.2   xstack client, native Linux server
#
# One xsperf server per server host (n2, x2, nb). Every workload runs on
# the three pairs in turn (nn xx xn nn xx xn ...), the whole list --rounds
# times (default 3), each run --duration seconds (default 3). Workloads:
#
#   stream_send  1 flow, client -> server      Mbit/s
#   stream_recv  1 flow, server -> client      Mbit/s
#   stream_p4    4 flows, client -> server     Mbit/s
#   rr1, rr1k    1-byte / 1 KiB request/response: transactions/s, p50, p99
#   crr          connect, 1-byte request/response, close: connections/s
#   udp64, udp1400  datagrams/s sent and received
#   idle         memory per idle connection, 1000 connections (Slab and
#                MemTotal - MemAvailable growth; both ends in one kernel)
#
# --idle-conns N: before the rounds, N idle connections are opened on each
# pair and held until the end (the guest then gets 4 GiB); the idle
# workload itself is left out. --offloads-off: after the rounds, the
# stream and rr workloads again, --rounds times, with GSO, TSO and GRO
# off on every veth (ethtool -K), as figures of their own ("/nooffload").
# --cpus: guest vCPUs (default 2).
#
# Output in DIR (default build/bench): raw.jsonl (every xsperf JSON line
# with pair, workload and round), bench.json (medians, spreads, ratios),
# bench.md (the table, also printed), bench.png (the ratios, gnuplot),
# guest.log, and the guest's kernel log under vm/.
set -eu

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$SCRIPTS")
XSPERF=$REPO/tools/xsperf/xsperf
XSCTL=$REPO/tools/xsctl/xsctl
KO=$REPO/module/xstack.ko

ROUNDS=3
DURATION=3
CPUS=2
IDLE_CONNS=0
OFFLOADS_OFF=0
OUT=$REPO/build/bench
GUEST=0
WORKLOADS="stream_send stream_recv stream_p4 rr1 rr1k crr udp64 udp1400 idle"
PAIRS="nn xx xn"
PORT=5301

usage()
{
	sed -n '2,/^set -eu/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) ROUNDS=${2:?}; shift ;;
	--duration) DURATION=${2:?}; shift ;;
	--cpus) CPUS=${2:?}; shift ;;
	--idle-conns) IDLE_CONNS=${2:?}; shift ;;
	--offloads-off) OFFLOADS_OFF=1 ;;
	--out) OUT=${2:?}; shift ;;
	--workloads) WORKLOADS=${2:?}; shift ;;
	--guest) GUEST=1 ;;
	-h|--help) usage ;;
	*) echo "bench: unknown argument $1" >&2; usage ;;
	esac
	shift
done
case "$ROUNDS$CPUS$IDLE_CONNS" in
*[!0-9]*) echo "bench: --rounds, --cpus and --idle-conns take numbers" >&2
	exit 2 ;;
esac

# ---------------------------------------------------------------- guest

# Per pair: client netns, server netns, client family, server family,
# server address.
pair()
{
	case "$1" in
	nn) P_CNS=bench-n1 P_SNS=bench-n2 P_CF=inet P_SF=inet P_ADDR=10.0.1.2 ;;
	xx) P_CNS=bench-x1 P_SNS=bench-x2 P_CF=xstack P_SF=xstack
	    P_ADDR=10.0.2.2 ;;
	xn) P_CNS=bench-xa P_SNS=bench-nb P_CF=xstack P_SF=inet
	    P_ADDR=10.0.3.2 ;;
	esac
}

# The xsperf arguments of a workload.
workload_args()
{
	case "$1" in
	stream_send) echo "-t stream -d $DURATION" ;;
	stream_recv) echo "-t stream -R -d $DURATION" ;;
	stream_p4) echo "-t stream -P 4 -d $DURATION" ;;
	rr1) echo "-t rr -l 1 -d $DURATION" ;;
	rr1k) echo "-t rr -l 1024 -d $DURATION" ;;
	crr) echo "-t crr -d $DURATION" ;;
	udp64) echo "-t udp -l 64 -d $DURATION" ;;
	udp1400) echo "-t udp -l 1400 -d $DURATION" ;;
	idle) echo "-t idle -n 1000" ;;
	*) return 1 ;;
	esac
}

ns_add()
{
	ip netns add "$1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
}

# link_pair NS1 ADDR1 FAM1 NS2 ADDR2 FAM2: veth0 in both, addresses owned
# by the stack named (inet: native, xstack: attached, xsctl addr).
link_pair()
{
	local ns addr fam
	ns_add "$1"
	ns_add "$4"
	ip link add veth0 netns "$1" type veth peer name veth0 netns "$4"
	for ns in "$1:$2:$3" "$4:$5:$6"; do
		IFS=: read -r ns addr fam <<<"$ns"
		ip -n "$ns" link set veth0 up
		if [ "$fam" = inet ]; then
			ip -n "$ns" addr add "$addr/24" dev veth0
		else
			ip netns exec "$ns" "$XSCTL" link attach veth0
			ip netns exec "$ns" "$XSCTL" addr add "$addr/24" dev veth0
		fi
	done
}

SERVER_PIDS=""
HOLD_PIDS=""

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup()
{
	local p
	for p in $HOLD_PIDS $SERVER_PIDS; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}

# run_one PAIR WORKLOAD ROUND [SUFFIX]: one xsperf client run, its JSON
# line (or a failure of our own) appended to raw.jsonl.
run_one()
{
	local p=$1 w=$2 r=$3 sfx=${4:-} args line rc=0 lim
	pair "$p"
	args=$(workload_args "$w")
	lim=$(echo "$DURATION" | awk '{ printf "%d", $1 + 60 }')
	# shellcheck disable=SC2086 # $args: several arguments
	line=$(timeout "$lim" "$XSPERF" -c "$P_ADDR" -f "$P_CF" -p "$PORT" \
		--netns "$P_CNS" --label "$p/$w$sfx/$r" $args \
		2>>"$OUT/xsperf.err") || rc=$?
	if [ -z "$line" ]; then
		line="{\"tool\": \"xsperf\", \"label\": \"$p/$w$sfx/$r\", \"ok\": false, \"error\": \"xsperf exit $rc (124: hung, killed after $lim s)\"}"
	fi
	echo "$line" >>"$OUT/raw.jsonl"
	echo "# [$((SECONDS - T0)) s] $p $w$sfx round $r: $(tail -n 1 "$OUT/xsperf.err" 2>/dev/null)"
	case "$line" in
	*'"ok": false'*) echo "# FAILED: $line" ;;
	esac
}

guest_main()
{
	local p r w ns
	T0=$SECONDS
	mkdir -p "$OUT"
	: >"$OUT/raw.jsonl"
	: >"$OUT/xsperf.err"
	trap cleanup EXIT
	insmod "$KO"
	echo "# guest: $(nproc) CPU(s), $(uname -r), xstack family $(cat /sys/module/xstack/parameters/family)"
	link_pair bench-n1 10.0.1.1 inet bench-n2 10.0.1.2 inet
	link_pair bench-x1 10.0.2.1 xstack bench-x2 10.0.2.2 xstack
	link_pair bench-xa 10.0.3.1 xstack bench-nb 10.0.3.2 inet
	for p in $PAIRS; do
		pair "$p"
		"$XSPERF" -s -f "$P_SF" -p "$PORT" --netns "$P_SNS" \
			>/dev/null 2>>"$OUT/xsperf.err" &
		SERVER_PIDS="$SERVER_PIDS $!"
	done
	sleep 1
	if [ "$IDLE_CONNS" -gt 0 ]; then
		WORKLOADS=$(echo "$WORKLOADS" | tr ' ' '\n' | grep -vx idle |
			tr '\n' ' ')
		for p in $PAIRS; do
			pair "$p"
			"$XSPERF" -c "$P_ADDR" -f "$P_CF" -p "$PORT" \
				--netns "$P_CNS" -t idle -n "$IDLE_CONNS" \
				--hold 86400 --label "$p/background/0" \
				>>"$OUT/raw.jsonl" 2>>"$OUT/xsperf.err" &
			HOLD_PIDS="$HOLD_PIDS $!"
			# Until its JSON line is out: all connections held.
			while ! grep -q "\"$p/background/0\"" "$OUT/raw.jsonl"; do
				kill -0 "$!" 2>/dev/null || break
				sleep 1
			done
			echo "# $p: $IDLE_CONNS idle connections held: $(grep "\"$p/background/0\"" "$OUT/raw.jsonl")"
		done
	fi
	for r in $(seq 1 "$ROUNDS"); do
		for w in $WORKLOADS; do
			for p in $PAIRS; do
				run_one "$p" "$w" "$r"
			done
		done
	done
	if [ "$OFFLOADS_OFF" = 1 ]; then
		for ns in bench-n1 bench-n2 bench-x1 bench-x2 bench-xa bench-nb; do
			ip netns exec "$ns" ethtool -K veth0 gso off tso off \
				gro off >/dev/null 2>&1 ||
				echo "# ethtool -K veth0 gso/tso/gro off failed in $ns"
		done
		for r in $(seq 1 "$ROUNDS"); do
			for w in stream_send stream_recv stream_p4 rr1k; do
				for p in $PAIRS; do
					run_one "$p" "$w" "$r" /nooffload
				done
			done
		done
	fi
	for ns in bench-x1 bench-x2 bench-xa; do
		echo "# $ns: xstack Tcp/TcpExt counters:"
		ip netns exec "$ns" cat /proc/net/xstack/snmp |
			grep -E '^(Tcp|TcpExt|Udp):' | sed 's/^/#   /'
	done
	echo "# guest done in $((SECONDS - T0)) s"
}

if [ "$GUEST" = 1 ]; then
	guest_main
	exit 0
fi

# ---------------------------------------------------------------- host

mkdir -p "$OUT"
mem=2048
[ "$IDLE_CONNS" = 0 ] || mem=4096
# Guest time: per run the duration and about 5 s of start-up under TCG.
nwl=$(echo "$WORKLOADS" | wc -w)
tmo=$(echo "$ROUNDS $nwl $DURATION $OFFLOADS_OFF" |
	awk '{ printf "%d", 900 + $1 * ($2 + 4 * $4) * 3 * ($3 + 8) * 2 }')
start=$SECONDS
echo "bench: $ROUNDS rounds of ${DURATION}s runs, $CPUS vCPU(s), results in $OUT"
args=(--guest --rounds "$ROUNDS" --duration "$DURATION"
	--idle-conns "$IDLE_CONNS" --out "$OUT" --workloads "$WORKLOADS")
[ "$OFFLOADS_OFF" = 0 ] || args+=(--offloads-off)
rc=0
"$SCRIPTS/vm" --cpus "$CPUS" --mem "$mem" --timeout "$tmo" --out "$OUT/vm" \
	-- scripts/bench.sh "${args[@]}" 2>&1 | tee "$OUT/guest.log" ||
	rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || echo "bench: the guest run failed (exit $rc, see $OUT/vm)" >&2
cmd="make bench"
[ -z "${BENCH_CMD:-}" ] || cmd=$BENCH_CMD
python3 "$SCRIPTS/bench_report.py" --raw "$OUT/raw.jsonl" --out "$OUT" \
	--command "$cmd" --note "$ROUNDS rounds, ${DURATION} s per run, $CPUS vCPU(s)$([ "$IDLE_CONNS" = 0 ] || echo ", $IDLE_CONNS idle connections per pair held")$([ "$OFFLOADS_OFF" = 0 ] || echo ", offloads-off figures")" \
	--runtime $((SECONDS - start))
exit "$rc"
