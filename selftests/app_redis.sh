#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# app_redis.sh - redis-server and redis-benchmark, unmodified, over
# xstack through xstack-run.
#
# redis-benchmark -n 1000 -c 10 -t set,get,incr,lpush (-P 8 pipelining
# once) must exit 0 and report a rate for every test; then redis-cli
# INFO stats of the server must show every request processed
# (total_commands_processed grew by at least 4 x 1000) with
# total_error_replies 0, and the Tcp counters of every xstack host that
# xstack carried the connections (segments both ways >= one per 16
# requests, PassiveOpens +10 on an xstack server,
# ActiveOpens +10 on an xstack client) while the native stack of that
# netns saw no segment.
#
#   topology a: redis-server on xa (xstack) <- redis-benchmark on nb
#               (native); redis-server on nb (native) <- redis-benchmark
#               on xa (xstack), -P 8;
#   topology b: redis-server on xb <- redis-benchmark on xa, both xstack.
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/app.sh"

N=1000
CONNS=10
TESTS=set,get,incr,lpush
NTESTS=4
# Segments each way at least: one per 16 requests (-P 8 batches them).
MINSEG=$((N * NTESTS / 16))
PORT=6378

# in_stack NS STACK [--] CMD...: CMD in NS, through xstack-run for
# STACK xs, under a timeout of 120 s unless "--" (a server).
in_stack()
{
	local ns=$1 stack=$2
	local -a pre=(timeout 120)
	shift 2
	[ "$1" != -- ] || { pre=(); shift; }
	[ "$stack" = native ] || pre+=("$XS_RUN")
	in_ns "$ns" "${pre[@]}" "$@"
}

# info_field TEXT NAME: a field of redis-cli INFO output.
info_field()
{
	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		[[ "$line" != "$2:"* ]] || { echo "${line#*:}"; return; }
	done <<<"$1"
	echo -1
}

# bench DESC SNS SST CNS CST ADDR [ARGS...]
bench()
{
	local desc=$1 sns=$2 sst=$3 cns=$4 cst=$5 addr=$6 out rc=0 i
	local before after cmds errs rates spid t0=$SECONDS
	shift 6
	PORT=$((PORT + 1))
	bg in_stack "$sns" "$sst" -- redis-server --bind "$addr" --port "$PORT" \
		--save '' --appendonly no --dir "$APP_TMP" --protected-mode no \
		--daemonize no >"$APP_TMP/redis.$PORT.log" 2>&1
	spid=${XS_PIDS##* }
	app_wait_listen "$sns" "$PORT" tcp "$sst"
	# INFO from the client host, through the client's stack.
	before=$(in_stack "$cns" "$cst" redis-cli -h "$addr" -p "$PORT" \
		INFO stats) || true
	[ "$sst" = native ] || app_snap "$sns" srv
	[ "$cst" = native ] || app_snap "$cns" cli
	out=$(in_stack "$cns" "$cst" redis-benchmark -h "$addr" -p "$PORT" \
		-n "$N" -c "$CONNS" -t "$TESTS" --csv "$@" 2>&1) || rc=$?
	after=$(in_stack "$cns" "$cst" redis-cli -h "$addr" -p "$PORT" \
		INFO stats) || true
	rates=0
	while IFS= read -r i; do
		[[ ! "$i" =~ ^\"[A-Z]+\",\"[0-9.]+\" ]] || rates=$((rates + 1))
	done <<<"$out"
	if [ "$rc" = 0 ] && [ "$rates" = "$NTESTS" ]; then
		ok "$desc: redis-benchmark ran $NTESTS tests of $N requests"
	else
		nok "$desc: redis-benchmark exit $rc, $rates rates of $NTESTS: $(printf '%s' "$out" | head -c 300)"
	fi
	cmds=$(($(info_field "$after" total_commands_processed) -
		$(info_field "$before" total_commands_processed)))
	errs=$(info_field "$after" total_error_replies)
	if [ "$cmds" -ge $((N * NTESTS)) ] && [ "$errs" = 0 ]; then
		ok "$desc: the server processed $cmds commands, 0 error replies"
	else
		nok "$desc: the server processed $cmds commands (want >= $((N * NTESTS))), $errs error replies"
	fi
	[ "$sst" = native ] ||
		app_carried "$desc: server" "$sns" srv tcp "$MINSEG" "$MINSEG"
	[ "$sst" = native ] ||
		app_grew "$desc: server accepted" "$sns" srv Tcp PassiveOpens \
			"$CONNS"
	[ "$cst" = native ] ||
		app_carried "$desc: client" "$cns" cli tcp "$MINSEG" "$MINSEG"
	[ "$cst" = native ] ||
		app_grew "$desc: client connected" "$cns" cli Tcp ActiveOpens \
			"$CONNS"
	app_kill "$spid"
	log "$desc: $((SECONDS - t0)) s"
}

app_init redis-server redis-benchmark redis-cli

topo_xa_nb
bench "xa server, nb client" "$NS_XA" xs "$NS_NB" native 10.0.0.1
bench "nb server, xa client, -P 8" "$NS_NB" native "$NS_XA" xs 10.0.0.2 -P 8
app_topo_down

topo_xa_xb
bench "xb server, xa client" "$NS_XB" xs "$NS_XA" xs 10.0.0.2

app_done
