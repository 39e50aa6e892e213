#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xsctl_sock.sh - "xsctl sock show", xstack's "ss -tai", on topology b
# (xa 10.0.0.1 and xb 10.0.0.2, both xstack). xsctl_sock_helper.py
# listens on 10.0.0.1:5001 in xa (backlog 5), connects from xb, sends
# 64 KiB each way, then opens EXTRA more connections, so that xa's dump
# (a listener and 1 + EXTRA connections, ~360 bytes each) takes several
# batches of the kernel's walk and more than one ~32 KiB netlink part.
#
#   - the text: the header, "LISTEN 0 5 10.0.0.1:5001 0.0.0.0:*", the
#     connection's ESTAB line on each side with the right addresses and
#     ports, on its info line ts, sack, the namespace's default
#     congestion control, cwnd, rtt:srtt/rttvar (3 decimals) and mss
#     with sane values and the 64 KiB received; the listener's info line;
#   - -j: parses with jq, the same sockets as the text, as many as
#     /proc/net/xstack/tcp lists, none twice (the parts resume where the
#     last one stopped); numbers are numbers;
#   - "state STATE" (filtered by the kernel): listening; established
#     and listening ORed; time-wait; bad words are usage errors;
#   - an active close by xa's end (its socket closed: an orphan): first
#     FIN-WAIT-2 in xa (a TIME-WAIT object in its substate) and CLOSE-WAIT
#     in xb; once xb closes, a TIME-WAIT entry in xa, without an info line
#     or inode, and nothing left of the connection in xb;
#   - namespaces: xb lists its own ends only, not xa's listener nor any
#     socket with xa's address.
#
# Under TCG a process costs much: the outputs are taken once and checked
# with shell pattern matching, one awk or jq pass per output.
set -eu
. "$(dirname "$0")/lib/topo.sh"

PORT=5001
BACKLOG=5
EXTRA=100
HELPER_PY="$XS_TESTDIR/xsctl_sock_helper.py"
HEADER="State Recv-Q Send-Q Local-Address:Port Peer-Address:Port"
NL=$'\n'
CPORT=""		# the client port of the first connection
declare -A F T		# fields(), tally()
T_ALL=0 T_XA=0 T_LIST="" INFO=""

# The helper, a coprocess: helper_start sets CPORT from its "ready".
helper_start()
{
	local ans
	coproc SOCKS { "$XS_PYTHON" "$HELPER_PY" --server-ns "$NS_XA" \
		--client-ns "$NS_XB" --addr 10.0.0.1 --port "$PORT" \
		--backlog "$BACKLOG" --extra "$EXTRA" 2>&1; }
	XS_PIDS="$XS_PIDS $SOCKS_PID"
	# python3 may take seconds to start under TCG.
	ans=$(helper_read 120)
	case "$ans" in
	"ready "[0-9]*) CPORT=${ans#ready } ;;
	*) fail "helper did not start: '$ans'" ;;
	esac
}

helper_read()
{
	local line=""
	read -r -t "$1" line <&"${SOCKS[0]}" || true
	echo "$line"
}

# helper_cmd CMD: send a command, print the answer.
helper_cmd()
{
	echo "$1" >&"${SOCKS[1]}"
	helper_read 20
}

helper_exit()
{
	local pid=$SOCKS_PID
	echo exit >&"${SOCKS[1]}"
	wait "$pid" 2>/dev/null || true
}

# status CMD...: the exit status of CMD, its output dropped.
status()
{
	local rc=0
	"$@" >/dev/null 2>&1 || rc=$?
	echo "$rc"
}

# show NS [ARGS...]: "xsctl sock show ARGS" in NS, blanks squeezed.
show()
{
	local ns=$1
	shift
	in_ns "$ns" xsctl sock show "$@" | tr -s ' '
}

# has_line TEXT LINE: TEXT has the line LINE.
has_line()
{
	[[ "$NL$1$NL" == *"$NL$2$NL"* ]]
}

# check_line DESC TEXT LINE: TEXT has the line LINE (a check).
check_line()
{
	if has_line "$2" "$3"; then
		ok "$1"
	else
		nok "$1 (no line '$3' in: $(printf '%s' "$2" | head -c 300))"
	fi
}

# info_of TEXT LINE: INFO, the info line after LINE ("" if none).
info_of()
{
	INFO=""
	has_line "$1" "$2" || return 0
	INFO="$NL$1$NL"
	INFO=${INFO#*"$NL$2$NL"}
	INFO=${INFO%%"$NL"*}
	[[ "$INFO" == $'\t'* ]] || INFO=""
}

# fields INFO: F[NAME]=VALUE for every NAME:VALUE of an info line.
fields()
{
	local w
	F=()
	for w in $1; do
		[[ "$w" != *:* ]] || F[${w%%:*}]=${w#*:}
	done
}

# tally TEXT: T_ALL socket lines in TEXT (not the header, not the info
# lines), T[STATE] of each state, T_XA with the local address 10.0.0.1,
# T_LIST "STATE LOCAL PEER" of each, a line each.
tally()
{
	local l st r lo
	T_ALL=0 T_XA=0 T_LIST=""
	T=()
	while IFS= read -r l; do
		[[ -n "$l" && "$l" != $'\t'* && "$l" != "State "* ]] || continue
		st=${l%% *}
		r=${l#* }
		r=${r#* }
		r=${r#* }
		lo=${r%% *}
		T_ALL=$((T_ALL + 1))
		T[$st]=$((${T[$st]:-0} + 1))
		[[ "$lo" != 10.0.0.1:* ]] || T_XA=$((T_XA + 1))
		T_LIST+="$st $r$NL"
	done <<<"$1"
}

check_text()
{
	local t=$1 xb=$2 est info cc cwnd rtt mss
	check_eq "header" "$HEADER" "${t%%"$NL"*}"
	check_line "xa: LISTEN 0 $BACKLOG 10.0.0.1:$PORT 0.0.0.0:*" "$t" \
		"LISTEN 0 $BACKLOG 10.0.0.1:$PORT 0.0.0.0:*"
	est="ESTAB 0 0 10.0.0.1:$PORT 10.0.0.2:$CPORT"
	check_line "xa: $est" "$t" "$est"
	tally "$t"
	check_eq "xa: 1 LISTEN and $((EXTRA + 1)) ESTAB lines, all from 10.0.0.1" \
		"$((EXTRA + 2)) 1 $((EXTRA + 1)) $((EXTRA + 2))" \
		"$T_ALL ${T[LISTEN]:-0} ${T[ESTAB]:-0} $T_XA"

	info_of "$t" "$est"
	info=$INFO
	cc=$(in_xa sysctl -n net.xstack.tcp_congestion_control)
	if [[ "$info" == $'\t'" ts sack $cc wscale:"* ]]; then
		ok "xa: info line: ts sack $cc wscale:..."
	else
		nok "xa: info line does not start with ts sack $cc: '$info'"
	fi
	fields "$info"
	cwnd=${F[cwnd]:-}
	rtt=${F[rtt]:-}
	mss=${F[mss]:-}
	if [[ "$cwnd" =~ ^[0-9]+$ ]] && [ "$cwnd" -ge 2 ] &&
	   [ "$cwnd" -le 100000 ]; then
		ok "xa: cwnd:$cwnd"
	else
		nok "xa: cwnd '$cwnd' on: $info"
	fi
	if [[ "$rtt" =~ ^[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}$ ]] &&
	   [[ "$rtt" != 0.000/* ]] && [ "${rtt%%.*}" -lt 5000 ]; then
		ok "xa: rtt:$rtt (ms, 3 decimals)"
	else
		nok "xa: rtt '$rtt' on: $info"
	fi
	if [[ "$mss" =~ ^[0-9]+$ ]] && [ "$mss" -ge 536 ] && [ "$mss" -le 1460 ]; then
		ok "xa: mss:$mss"
	else
		nok "xa: mss '$mss' on: $info"
	fi
	check_eq "xa: bytes_received:65536; segs_out, rcv_space, snd_wnd" \
		"65536 1 1 1" \
		"${F[bytes_received]:-} ${F[segs_out]:+1} ${F[rcv_space]:+1} ${F[snd_wnd]:+1}"
	info_of "$t" "LISTEN 0 $BACKLOG 10.0.0.1:$PORT 0.0.0.0:*"
	info=$INFO
	if [[ "$info" == $'\t'" $cc cwnd:"[0-9]* ]]; then
		ok "xa: listener's info line: $cc cwnd"
	else
		nok "xa: listener's info line: '$info'"
	fi

	check_line "xb: ESTAB 10.0.0.2:$CPORT 10.0.0.1:$PORT" "$xb" \
		"ESTAB 0 0 10.0.0.2:$CPORT 10.0.0.1:$PORT"
	tally "$xb"
	check_eq "xb: $((EXTRA + 1)) ESTAB lines only, none from 10.0.0.1 (xa's)" \
		"$((EXTRA + 1)) $((EXTRA + 1)) 0 0" \
		"$T_ALL ${T[ESTAB]:-0} ${T[LISTEN]:-0} $T_XA"
}

check_json()
{
	local t=$1 j=$2 procn out n uniq set conn lsn text
	if ! out=$(printf '%s\n' "$j" | jq -r --argjson p "$CPORT" \
		--argjson lp "$PORT" '
		length,
		([.[] | "\(.local_port) \(.peer_addr) \(.peer_port)"] |
			unique | length),
		([.[] | "\(.state) \(.local_addr):\(.local_port) \(.peer_addr):\(if .peer_port == 0 then "*" else .peer_port end)"] |
			sort | join(";")),
		([.[] | select(.state == "ESTAB" and .peer_port == $p) |
			(.cwnd | type == "number" and . >= 2) and
			(.rtt | type == "number" and . > 0) and
			(.rttvar | type == "number") and
			(.mss >= 536 and .mss <= 1460) and
			(.inode | type == "number" and . > 0) and .uid == 0 and
			.bytes_received == 65536 and (.cc | type == "string") and
			(.app_limited | type == "boolean") and
			.recv_q == 0 and .local_port == $lp] | tostring),
		(.[] | select(.state == "LISTEN") |
			"\(.recv_q) \(.send_q) \(.local_addr) \(.local_port) \(.peer_addr) \(.peer_port)")' 2>&1); then
		nok "xa: -j does not parse: $(printf '%s' "$out" | head -c 300)"
		return
	fi
	ok "xa: -j parses"
	{ read -r n; read -r uniq; read -r set; read -r conn; read -r lsn; } <<<"$out"
	tally "$t"
	mapfile -t text < <(printf '%s' "$T_LIST" | LC_ALL=C sort)
	check_eq "xa: -j lists the sockets of the text" \
		"$(IFS=';'; echo "${text[*]}")" "$set"
	mapfile -t procn < <(in_xa cat /proc/net/xstack/tcp)
	check_eq "xa: -j: as many as /proc/net/xstack/tcp" \
		"$((${#procn[@]} - 1))" "$n"
	check_eq "xa: -j: none twice" "$n" "$uniq"
	check_eq "xa: -j: numbers of the connection" "[true]" "$conn"
	check_eq "xa: -j: listener recv_q 0, send_q $BACKLOG, peer port 0" \
		"0 $BACKLOG 10.0.0.1 $PORT 0.0.0.0 0" "$lsn"
}

check_filter()
{
	tally "$(show "$NS_XA" state listening)"
	check_eq "state listening: the listener only" \
		"LISTEN 10.0.0.1:$PORT 0.0.0.0:*$NL" "$T_LIST"
	tally "$(show "$NS_XA" state established state listen)"
	check_eq "state established state listen: ORed" \
		"$((EXTRA + 2)) $((EXTRA + 1)) 1" \
		"$T_ALL ${T[ESTAB]:-0} ${T[LISTEN]:-0}"
	check_eq "state bogus: usage error" 2 \
		"$(status "$XSCTL" sock show state bogus)"
	check_eq "unexpected argument: usage error" 2 \
		"$(status "$XSCTL" sock show foo)"
}

check_time_wait()
{
	local ans t j i tw fw2 cw
	fw2="FIN-WAIT-2 0 0 10.0.0.1:$PORT 10.0.0.2:$CPORT"
	cw="0 10.0.0.2:$CPORT 10.0.0.1:$PORT"
	tw="TIME-WAIT 0 0 10.0.0.1:$PORT 10.0.0.2:$CPORT"
	ans=$(helper_cmd shut)
	check_eq "xa's end closed (an orphan)" shut "$ans"
	for ((i = 0; i < 50; i++)); do
		t=$(show "$NS_XA" state fin-wait-2)
		! has_line "$t" "$fw2" || break
		sleep 0.1
	done
	check_line "xa: $fw2 (state fin-wait-2)" "$t" "$fw2"
	t=$(show "$NS_XB" state close-wait)
	if has_line "$t" "CLOSE-WAIT 0 $cw" || has_line "$t" "CLOSE-WAIT 1 $cw"; then
		ok "xb: CLOSE-WAIT 10.0.0.2:$CPORT 10.0.0.1:$PORT (state close-wait)"
	else
		nok "xb: no CLOSE-WAIT 10.0.0.2:$CPORT in: $t"
	fi
	ans=$(helper_cmd close)
	check_eq "xb's end closed" closed "$ans"
	for ((i = 0; i < 50; i++)); do
		t=$(show "$NS_XA")
		! has_line "$t" "$tw" || break
		sleep 0.1
	done
	check_line "xa: $tw" "$t" "$tw"
	info_of "$t" "$tw"
	check_eq "xa: no info line for TIME-WAIT" "" "$INFO"
	if [[ "$t" == *" 10.0.0.2:$CPORT$NL"* ]] &&
	   ! has_line "$t" "ESTAB 0 0 10.0.0.1:$PORT 10.0.0.2:$CPORT"; then
		ok "xa: the connection is no longer ESTAB"
	else
		nok "xa: the connection is still ESTAB"
	fi
	j=$(in_xa xsctl -j sock show state time-wait | jq -r \
		'.[] | "\(.state) \(.peer_port) \(.inode) \(has("cwnd"))"')
	check_eq "xa: -j state time-wait: only the entry, no tcp_info, inode 0" \
		"TIME-WAIT $CPORT 0 false" "$j"
	for ((i = 0; i < 50; i++)); do
		t=$(show "$NS_XB")
		[[ "$t" == *" 10.0.0.2:$CPORT "* ]] || break
		sleep 0.1
	done
	if [[ "$t" == *" 10.0.0.2:$CPORT "* ]]; then
		nok "xb: the connection is still listed (passive close)"
	else
		ok "xb: nothing left of the connection (passive close)"
	fi
}

main()
{
	local t xb j
	xs_init
	[ -r "$HELPER_PY" ] || skip "$HELPER_PY missing"
	xs_load
	topo_xa_xb
	helper_start
	t=$(show "$NS_XA")
	xb=$(show "$NS_XB")
	check_text "$t" "$xb"
	j=$(in_xa xsctl -j sock show)
	check_json "$t" "$j"
	check_filter
	check_time_wait
	helper_exit
	check_dmesg_clean
	xs_done
}

main "$@"
