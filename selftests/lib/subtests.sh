# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# subtests.sh - sourced (after topo.sh) by the tests that report each
# subtest as its own KTAP line and run each twice, natively (AF_INET)
# and on xstack (AF_XSTACK), with xs_xfer transfers: tcp_interop.sh,
# tcp_cong.sh. Uses T_NUM (the subtests so far) and T_BEGIN (seconds at
# the start), XSTACK_WHY (set by probe_xstack) and sets MODE and
# SKIP_WHY.
#
# Provides:
#   t_start, t_time         the time a subtest took, in the log
#   t_ok NAME, t_fail NAME [WHY], t_skip NAME WHY, t_result NAME WHY
#                           one KTAP line (t_result: ok when WHY is
#                           empty)
#   nap SEC                 sleep without a process
#   forget_pid PID          drop PID from the processes killed on exit
#   parse_out FILE PREFIX   xs_xfer's output into PREFIX_recv, _sent,
#                           _listen and _cc
#   xfer_log FILE...        xs_xfer's timings in one log line
#   srv_start OUT ARGS...   an xs_xfer server ($XS_XFER) in the
#                           background, once it listens
#   probe_xstack NS...      XSTACK_WHY set unless xstack has TCP in
#                           every NS
#   set_mode native|xstack [quiet]
#                           the family of the following subtests

T_NUM=0
XSTACK_WHY=""		# set by probe_xstack: no xstack TCP
T_BEGIN=$SECONDS

# t_start, t_time: microseconds from $EPOCHREALTIME (no process).
t_start()
{
	T_T0=${EPOCHREALTIME/./}
}

t_time()
{
	local us
	[ -n "${T_T0:-}" ] || return 0
	us=$((${EPOCHREALTIME/./} - T_T0))
	log "took $((us / 1000000)).$((us / 100000 % 10)) s"
	T_T0=""
}

t_ok()
{
	t_time
	T_NUM=$((T_NUM + 1))
	XS_NCHECK=$((XS_NCHECK + 1))
	echo "ok $T_NUM $1"
}

t_fail()
{
	t_time
	T_NUM=$((T_NUM + 1))
	XS_NCHECK=$((XS_NCHECK + 1))
	XS_NFAIL=$((XS_NFAIL + 1))
	echo "not ok $T_NUM $1${2:+ # $2}"
}

t_skip()
{
	T_T0=""
	T_NUM=$((T_NUM + 1))
	XS_NCHECK=$((XS_NCHECK + 1))
	echo "ok $T_NUM $1 # SKIP $2"
}

t_result()
{
	if [ -z "$2" ]; then
		t_ok "$1"
	else
		t_fail "$1" "$2"
	fi
}

# Under TCG each exec costs 0.1 to 1 s: nap sleeps on a pipe nobody
# writes to.
NAP_FD=""

nap()
{
	[ -n "$NAP_FD" ] || exec {NAP_FD}<> <(:)
	read -r -t "$1" -u "$NAP_FD" _ || true
}

forget_pid()
{
	local p l=""
	for p in $XS_PIDS; do
		[ "$p" = "$1" ] || l="$l $p"
	done
	XS_PIDS=$l
}

# parse_out FILE PREFIX: "recv N SHA" and "sent N SHA" into
# ${PREFIX}_recv and ${PREFIX}_sent ("N SHA"), "listening P" into
# ${PREFIX}_listen, "cc=NAME" into ${PREFIX}_cc.
parse_out()
{
	local what n h
	printf -v "$2_recv" ''
	printf -v "$2_sent" ''
	printf -v "$2_listen" ''
	printf -v "$2_cc" ''
	[ -r "$1" ] || return 0
	while read -r what n h; do
		case "$what" in
		recv|sent) printf -v "$2_$what" '%s %s' "$n" "$h" ;;
		listening) printf -v "$2_listen" '%s' "$n" ;;
		cc=*) printf -v "$2_cc" '%s' "${what#cc=}" ;;
		esac
	done <"$1"
}

# xfer_log FILE...: xs_xfer's timing lines, in one log line; the other
# lines of its standard error indented (errors).
xfer_log()
{
	local f l times=""
	for f in "$@"; do
		while IFS= read -r l; do
			case "$l" in
			"xs_xfer: "*" bytes in "*) times="$times; ${l#xs_xfer: }" ;;
			*) echo "#   $l" ;;
			esac
		done <"$f"
	done
	[ -z "$times" ] || log "${times#; }"
}

# srv_start OUT ARGS...: "$XS_XFER server ARGS" in the background, its
# output in OUT.srv and OUT.srv.err, SRV_PID its pid; returns once it
# listens. When it does not (within 10 s), it is stopped, its standard
# error logged, SRV_RC set to its exit code, and 1 returned.
srv_start()
{
	# shellcheck disable=SC2034 # set by parse_out
	local out=$1 i s_recv s_sent s_listen s_cc
	shift
	# shellcheck disable=SC2034 # for the caller
	SRV_RC=0
	"$XS_XFER" server "$@" >"$out.srv" 2>"$out.srv.err" </dev/null &
	SRV_PID=$!
	XS_PIDS="$XS_PIDS $SRV_PID"
	for ((i = 0; i < 200; i++)); do
		parse_out "$out.srv" s
		[ -z "$s_listen" ] || return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		nap 0.05
	done
	parse_out "$out.srv" s
	[ -z "$s_listen" ] || return 0
	kill "$SRV_PID" 2>/dev/null || true
	# shellcheck disable=SC2034 # for the caller
	wait "$SRV_PID" || SRV_RC=$?
	forget_pid "$SRV_PID"
	xfer_log "$out.srv.err"
	return 1
}

# probe_xstack NS...: XSTACK_WHY set unless xstack has TCP sockets in
# every NS.
probe_xstack()
{
	local ns res
	XSTACK_WHY=""
	for ns in "$@"; do
		res=$(in_ns "$ns" "$XS_SOCKET" xstack stream 0 2>&1) || true
		case "$res" in
		OK) ;;
		ESOCKTNOSUPPORT)
			XSTACK_WHY="no xstack TCP: socket(AF_XSTACK, SOCK_STREAM, 0) fails with ESOCKTNOSUPPORT"
			return ;;
		*)
			# Not "not written yet": the subtests run and fail.
			log "socket(AF_XSTACK, SOCK_STREAM, 0) in $ns: $res" ;;
		esac
	done
}

# set_mode native|xstack [quiet]: the sockets of the following subtests;
# SKIP_WHY set when they are to be skipped.
set_mode()
{
	MODE=$1
	SKIP_WHY=""
	[ "$MODE" != xstack ] || SKIP_WHY=$XSTACK_WHY
	[ -n "${2:-}" ] ||
		log "[$((SECONDS - T_BEGIN)) s] ---- $MODE${SKIP_WHY:+ (skipped: $SKIP_WHY)}"
}
