#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# app_iperf3.sh - unmodified iperf3 over xstack through xstack-run.
#
# Each run starts `iperf3 -s -1` (one test, then exit) and an iperf3
# client with -J; the client must exit 0 with no "error" in its JSON,
# having moved data (TCP: bytes sent and received > 0; UDP: datagrams
# received, at most 10% lost), and the counters must show that xstack
# carried it on every xstack host: Tcp OutSegs of the sending host grew
# by at least bytes/1500 and its InSegs by at least bytes/65536 on the
# receiving one (UDP: Udp OutDatagrams by the datagrams sent, InDatagrams
# by those received), while the native stack's counters of the same
# netns did not move.
#
#   topology a (xstack xa <-> native nb):
#   - xa client (xstack) -> nb server: TCP, TCP -R -P 4, UDP, UDP -R;
#   - nb client -> xa server (xstack): TCP, UDP -R;
#   topology b (xstack xa <-> xstack xb): TCP -P 4, TCP -R, UDP.
# Runs last 1 s each (-t 1); UDP at 1 Mbit/s, which a receiver the loaded
# emulated guest stalls for a moment still takes in its socket buffer.
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/app.sh"

PORT=5201

# run_iperf DESC SRV_NS SRV_STACK CLI_NS CLI_STACK SRV_ADDR ARGS...
# *_STACK: xs (through xstack-run) or native.
run_iperf()
{
	local desc=$1 sns=$2 sst=$3 cns=$4 cst=$5 saddr=$6 json udp=0 rev=0 spid
	local -a swrap=() cwrap=()
	local sent recv pk lost err snd_ns rc=0 a t0=$SECONDS
	shift 6
	for a in "$@"; do
		[ "$a" != -u ] || udp=1
		[ "$a" != -R ] || rev=1
	done
	[ "$sst" = native ] || swrap=("$XS_RUN")
	[ "$cst" = native ] || cwrap=("$XS_RUN")
	PORT=$((PORT + 1))
	json=$APP_TMP/iperf.$PORT.json

	[ "$sst" = native ] || app_snap "$sns" srv
	[ "$cst" = native ] || app_snap "$cns" cli
	bg in_ns "$sns" "${swrap[@]}" iperf3 -s -1 -B "$saddr" -p "$PORT" \
		>"$APP_TMP/iperf-s.$PORT.log" 2>&1
	spid=${XS_PIDS##* }
	app_wait_listen "$sns" "$PORT" tcp "$sst"
	in_ns "$cns" timeout 60 "${cwrap[@]}" iperf3 -c "$saddr" -p "$PORT" \
		-t 1 -J "$@" >"$json" 2>"$json.err" || rc=$?
	# One jq (slow to start): "error sent received datagrams lost".
	# shellcheck disable=SC2046 # five words, split on purpose
	set -- $(jq -r '[(.error // "-" | gsub(" "; "_")),
		(.end.sum_sent.bytes // 0), (.end.sum_received.bytes // 0),
		(.end.sum.packets // 0), (.end.sum.lost_packets // 0)] |
		map(tostring) | join(" ")' "$json" 2>/dev/null ||
		echo "bad_JSON 0 0 0 0")
	err=$1 sent=$2 recv=$3 pk=$4 lost=$5
	if [ "$rc" != 0 ] || [ "$err" != - ]; then
		nok "$desc: iperf3 client exit $rc: $err $(head -c 300 "$json.err")"
		return
	fi
	# Which host sends the data: the client, or the server with -R.
	snd_ns=$cns
	[ "$rev" = 0 ] || snd_ns=$sns
	if [ "$udp" = 1 ]; then
		if [ "$pk" -gt 0 ] && [ $((lost * 10)) -le "$pk" ]; then
			ok "$desc: $pk datagrams, $lost lost"
		else
			nok "$desc: $pk datagrams, $lost lost (want > 0, <= 10% lost)"
		fi
		recv=$((pk - lost))
		check_carried "$desc" "$sns" "$sst" "$cns" "$cst" "$snd_ns" \
			udp "$recv" "$pk"
	else
		if [ "$sent" -gt 0 ] && [ "$recv" -gt 0 ]; then
			ok "$desc: $sent bytes sent, $recv received"
		else
			nok "$desc: $sent bytes sent, $recv received"
		fi
		check_carried "$desc" "$sns" "$sst" "$cns" "$cst" "$snd_ns" \
			tcp $((recv / 65536)) $((recv / 1500))
	fi
	wait_server "$spid"
	log "$desc: $((SECONDS - t0)) s"
}

# check_carried DESC SNS SST CNS CST SENDER_NS PROTO MIN_IN MIN_OUT: on
# each xstack side, the sender's Out and the receiver's In counters.
check_carried()
{
	local desc=$1 sns=$2 sst=$3 cns=$4 cst=$5 snd=$6 proto=$7
	local min_in=$8 min_out=$9
	if [ "$sst" = xs ]; then
		if [ "$snd" = "$sns" ]; then
			app_carried "$desc: server sent" "$sns" srv "$proto" 0 "$min_out"
		else
			app_carried "$desc: server received" "$sns" srv "$proto" "$min_in" 0
		fi
	fi
	if [ "$cst" = xs ]; then
		if [ "$snd" = "$cns" ]; then
			app_carried "$desc: client sent" "$cns" cli "$proto" 0 "$min_out"
		else
			app_carried "$desc: client received" "$cns" cli "$proto" "$min_in" 0
		fi
	fi
}

# wait_server PID: the one-test server exits by itself.
wait_server()
{
	local i
	for i in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	log "iperf3 server $1 did not exit"
}

app_init iperf3 jq

topo_xa_nb
run_iperf "xa -> nb TCP" "$NS_NB" native "$NS_XA" xs 10.0.0.2
run_iperf "xa <- nb TCP -R -P 4" "$NS_NB" native "$NS_XA" xs 10.0.0.2 -R -P 4
run_iperf "xa -> nb UDP" "$NS_NB" native "$NS_XA" xs 10.0.0.2 -u -b 1M
run_iperf "xa <- nb UDP -R" "$NS_NB" native "$NS_XA" xs 10.0.0.2 -u -b 1M -R
run_iperf "nb -> xa server TCP" "$NS_XA" xs "$NS_NB" native 10.0.0.1
run_iperf "nb <- xa server UDP -R" "$NS_XA" xs "$NS_NB" native 10.0.0.1 \
	-u -b 1M -R
app_topo_down

topo_xa_xb
run_iperf "xa -> xb TCP -P 4" "$NS_XB" xs "$NS_XA" xs 10.0.0.2 -P 4
run_iperf "xa <- xb TCP -R" "$NS_XB" xs "$NS_XA" xs 10.0.0.2 -R
run_iperf "xa -> xb UDP" "$NS_XB" xs "$NS_XA" xs 10.0.0.2 -u -b 1M

app_done
