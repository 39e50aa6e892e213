#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# app_tools.sh - socat, ncat and iputils ping, unmodified, over xstack
# through xstack-run.
#
#   - socat TCP pipe: TCP-LISTEN -> file on one host, file -> TCP on the
#     other, 1 MiB, SHA-256 of what arrived checked; the listener on the
#     xstack host, then the connecting side on it;
#   - socat UDP: a 1000-byte datagram with UDP-SENDTO to a UDP-RECV
#     receiver, both ways, compared byte for byte;
#   - ncat TCP (--send-only / -l --recv-only, 1 MiB, SHA-256) both ways,
#     ncat UDP (-u) from the xstack host;
#   - ping -c 3 over an xstack ping socket (-a, then -u: udp and ping
#     sockets; iputils opens a UDP socket too, to find its source
#     address): 3 replies, nothing on stderr (no refused socket option);
#     with -t (TCP only) the ping socket stays native, and ping fails as
#     the native stack of xa has no address;
#   - each time, xstack's counters on every xstack host grew by what was
#     moved (Tcp segments, Udp datagrams, Icmp messages) and the native
#     stack's of that netns did not.
#   topology a (xstack xa <-> native nb): all of the above;
#   topology b (xstack xa <-> xstack xb): socat TCP, ping.
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/app.sh"

PORT=7000
MIB1=1048576

# run_in NS STACK CMD...: CMD in NS, through xstack-run for STACK xs.
run_in()
{
	local ns=$1 stack=$2
	shift 2
	if [ "$stack" = xs ]; then
		in_ns "$ns" timeout 60 "$XS_RUN" "$@"
	else
		in_ns "$ns" timeout 60 "$@"
	fi
}

# wait_gone PID [TENTHS]: wait for a background process to end.
wait_gone()
{
	local i
	for i in $(seq 1 "${2:-100}"); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# snap_xs NS STACK NAME / carried_xs DESC NS STACK NAME PROTO IN OUT:
# app_snap/app_carried when STACK is xs.
snap_xs()
{
	[ "$2" != xs ] || app_snap "$1" "$3"
}

carried_xs()
{
	[ "$3" != xs ] || app_carried "$1" "$2" "$4" "$5" "$6" "$7"
}

# tcp_pipe DESC TOOL LNS LST LADDR CNS CST: TOOL (socat|ncat) listens
# on LNS and writes to a file; TOOL on CNS sends $APP_TMP/in.bin.
tcp_pipe()
{
	local desc=$1 tool=$2 lns=$3 lst=$4 laddr=$5 cns=$6 cst=$7 lpid sha
	local out=$APP_TMP/out.bin rc=0 t0=$SECONDS
	PORT=$((PORT + 1))
	rm -f "$out"
	snap_xs "$lns" "$lst" l
	snap_xs "$cns" "$cst" c
	if [ "$tool" = socat ]; then
		bg run_in "$lns" "$lst" socat -u \
			"TCP-LISTEN:$PORT,bind=$laddr,reuseaddr" "CREATE:$out"
	else
		bg run_in "$lns" "$lst" ncat -l "$laddr" "$PORT" --recv-only \
			>"$out"
	fi
	lpid=${XS_PIDS##* }
	app_wait_listen "$lns" "$PORT" tcp "$lst"
	if [ "$tool" = socat ]; then
		run_in "$cns" "$cst" socat -u "OPEN:$APP_TMP/in.bin" \
			"TCP:$laddr:$PORT" || rc=$?
	else
		run_in "$cns" "$cst" ncat --send-only "$laddr" "$PORT" \
			<"$APP_TMP/in.bin" || rc=$?
	fi
	wait_gone "$lpid" || log "$tool listener did not exit"
	sha=$(sha256sum "$out" 2>/dev/null | cut -d' ' -f1)
	if [ "$rc" = 0 ] && [ "$sha" = "$IN_SHA" ]; then
		ok "$desc: 1 MiB, SHA-256 matches"
	else
		nok "$desc: sender exit $rc, SHA-256 ${sha:-none} (want $IN_SHA)"
	fi
	carried_xs "$desc: listener received" "$lns" "$lst" l tcp \
		$((MIB1 / 65536)) 0
	carried_xs "$desc: sender sent" "$cns" "$cst" c tcp 0 $((MIB1 / 1500))
	log "$desc: $((SECONDS - t0)) s"
}

# udp_dgram DESC TOOL RNS RST RADDR SNS SST: one datagram of
# $APP_TMP/dg.bin from SNS to a receiver on RNS.
udp_dgram()
{
	local desc=$1 tool=$2 rns=$3 rst=$4 raddr=$5 sns=$6 sst=$7 rpid i
	local out=$APP_TMP/dg.out rc=0 t0=$SECONDS
	PORT=$((PORT + 1))
	rm -f "$out"
	: >"$out"
	snap_xs "$rns" "$rst" r
	snap_xs "$sns" "$sst" s
	if [ "$tool" = socat ]; then
		bg run_in "$rns" "$rst" socat -u \
			"UDP-RECV:$PORT,bind=$raddr" "OPEN:$out,append"
	else
		bg run_in "$rns" "$rst" ncat -u -l "$raddr" "$PORT" \
			--recv-only >"$out"
	fi
	rpid=${XS_PIDS##* }
	app_wait_listen "$rns" "$PORT" udp "$rst"
	if [ "$tool" = socat ]; then
		run_in "$sns" "$sst" socat -u "OPEN:$APP_TMP/dg.bin" \
			"UDP-SENDTO:$raddr:$PORT" || rc=$?
	else
		run_in "$sns" "$sst" ncat -u --send-only "$raddr" "$PORT" \
			<"$APP_TMP/dg.bin" || rc=$?
	fi
	for i in $(seq 1 50); do
		[ "$(stat -c %s "$out")" -lt 1000 ] || break
		sleep 0.1
	done
	app_kill "$rpid"
	if [ "$rc" = 0 ] && cmp -s "$APP_TMP/dg.bin" "$out"; then
		ok "$desc: the 1000-byte datagram arrived intact"
	else
		nok "$desc: sender exit $rc, received $(stat -c %s "$out") bytes"
	fi
	carried_xs "$desc: receiver" "$rns" "$rst" r udp 1 0
	carried_xs "$desc: sender" "$sns" "$sst" s udp 0 1
	log "$desc: $((SECONDS - t0)) s"
}

# ping_ok DESC NS DST OPT: xstack-run OPT ping -c 3 from NS.
ping_ok()
{
	local desc=$1 ns=$2 dst=$3 opt=$4 out err rc=0
	app_snap "$ns" p
	out=$(in_ns "$ns" timeout 30 "$XS_RUN" "$opt" ping -c 3 -i 0.2 -W 2 \
		"$dst" 2>"$APP_TMP/ping.err") || rc=$?
	err=$(cat "$APP_TMP/ping.err")
	check_match "$desc: 3 replies (exit $rc)" \
		"3 packets transmitted, 3 received" "$out"
	check_eq "$desc: nothing on stderr" "" "$err"
	app_carried "$desc" "$ns" p icmp 3 3
}

app_init socat ncat ping sha256sum cmp
head -c "$MIB1" /dev/urandom >"$APP_TMP/in.bin"
head -c 1000 /dev/urandom >"$APP_TMP/dg.bin"
IN_SHA=$(sha256sum "$APP_TMP/in.bin" | cut -d' ' -f1)

topo_xa_nb
app_ping_range "$NS_XA"
tcp_pipe "socat TCP nb -> xa" socat "$NS_XA" xs 10.0.0.1 "$NS_NB" native
tcp_pipe "socat TCP xa -> nb" socat "$NS_NB" native 10.0.0.2 "$NS_XA" xs
udp_dgram "socat UDP nb -> xa" socat "$NS_XA" xs 10.0.0.1 "$NS_NB" native
udp_dgram "socat UDP xa -> nb" socat "$NS_NB" native 10.0.0.2 "$NS_XA" xs
tcp_pipe "ncat TCP nb -> xa" ncat "$NS_XA" xs 10.0.0.1 "$NS_NB" native
tcp_pipe "ncat TCP xa -> nb" ncat "$NS_NB" native 10.0.0.2 "$NS_XA" xs
udp_dgram "ncat UDP xa -> nb" ncat "$NS_NB" native 10.0.0.2 "$NS_XA" xs
ping_ok "ping xa -> nb (-a)" "$NS_XA" 10.0.0.2 -a
ping_ok "ping xa -> nb (-u)" "$NS_XA" 10.0.0.2 -u
app_snap "$NS_XA" p
check_fails "ping -t: the ping socket stays native, which has no route" \
	in_xa timeout 30 "$XS_RUN" -t ping -c 1 -W 1 10.0.0.2
check_eq "ping -t: xstack sent no echo" 0 "$(app_delta "$NS_XA" p Icmp OutEchos)"
app_topo_down

topo_xa_xb
app_ping_range "$NS_XA"
tcp_pipe "socat TCP xa -> xb" socat "$NS_XB" xs 10.0.0.2 "$NS_XA" xs
ping_ok "ping xa -> xb" "$NS_XA" 10.0.0.2 -a

app_done
