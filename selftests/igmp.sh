#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# igmp.sh - multicast membership and IGMPv2 (RFC 2236) against a native
# Linux neighbour. Topology topo_xa_nb: xstack host xa (10.0.0.1) and
# native host nb (10.0.0.2) over veth0; nb captures IGMP with tcpdump
# (which also verifies the checksums) and sends queries and reports from
# a raw socket (igmp_helper.py).
#
#   - a UDP socket on xa joins 239.1.2.3: two unsolicited v2 reports
#     (robustness 2), TTL 1, Router Alert, valid checksums; the group in
#     "xsctl maddr show", /proc/net/xstack/igmp and the veth's multicast
#     filter (01:00:5e:01:02:03);
#   - general and group-specific queries are answered within Max Resp
#     Time; a report by nb right after a query suppresses xa's;
#   - a datagram nb sends to 239.1.2.3 reaches the socket;
#   - the group is reported again when the device comes back up;
#   - leaving sends a Leave to 224.0.0.2, the group and its MAC go away;
#     closing a joined socket leaves too;
#   - IGMPv1 querier: reports become v1, no leave (RFC 2236 4);
#   - malformed IGMP is counted (Igmp InCsumErrors, InErrors);
#   - setsockopt errnos equal to AF_INET's (nb runs the same sequence);
#   - net.xstack.igmp_* defaults and bounds;
#   - detaching the device with a joined socket is clean.

# awk and jq programs are single-quoted on purpose.
# shellcheck disable=SC2016,SC2119
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

GROUP=239.1.2.3
PORT=5000
HELPER="$XS_TESTDIR/igmp_helper.py"
CAP=""
MEMBER_ANS=""

# IGMP packets from xa so far, from tcpdump -tt -v (two lines a packet):
# "TIME SRC DST TTL RA CSUM TYPE GROUP", RA 1 with the Router Alert
# option, CSUM "bad" when tcpdump found an IP or IGMP checksum wrong.
xa_igmp()
{
	awk '
	/^[0-9]+\.[0-9]+ IP / {
		t = $1; ttl = "?"; ra = 0; ok = "ok"; hdr = 1
		if (match($0, /ttl [0-9]+/))
			ttl = substr($0, RSTART + 4, RLENGTH - 4)
		if (index($0, "options (RA)"))
			ra = 1
		if (index($0, "bad cksum"))
			ok = "bad"
		next
	}
	hdr && $4 == "igmp" {
		hdr = 0
		if ($1 != "10.0.0.1")
			next
		dst = $3
		sub(/:$/, "", dst)
		if (index($0, "bad igmp cksum"))
			ok = "bad"
		if ($5 == "v2" && $6 == "report")
			type = "0x16 " $7
		else if ($5 == "v1" && $6 == "report")
			type = "0x12 " $7
		else if ($5 == "leave")
			type = "0x17 " $6
		else
			type = "other -"
		print t, $1, dst, ttl, ra, ok, type
	}' "$CAP"
}

# wait_igmp SECS AWK-COND: wait until a packet from xa matches, print it.
wait_igmp()
{
	local secs=$1 cond=$2 n line
	for ((n = 0; n < secs * 5; n++)); do
		line=$(xa_igmp | awk "$cond" | head -n 1)
		if [ -n "$line" ]; then
			echo "$line"
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# The member process: a coprocess in xa speaking igmp_helper's protocol
# (see its "member" command). member_start sets MEMBER_ANS to its first
# answer ("joined" or an errno name).
member_start()
{
	coproc MEMBER { in_xa python3 "$HELPER" member xstack "$GROUP" \
		--ifaddr 10.0.0.1 --port "$PORT" 2>&1; }
	XS_PIDS="$XS_PIDS $MEMBER_PID"
	# python3 may take many seconds to start under TCG (debug kernel).
	MEMBER_ANS=$(member_read 120)
}

# member_cmd CMD [TIMEOUT]: send a command, print the answer.
member_cmd()
{
	echo "$1" >&"${MEMBER[1]}"
	member_read "${2:-10}"
}

member_read()
{
	local line=""
	read -r -t "$1" line <&"${MEMBER[0]}" || true
	echo "$line"
}

# member_exit: close the socket (without leaving) and wait for the exit.
member_exit()
{
	local pid=$MEMBER_PID
	echo exit >&"${MEMBER[1]}"
	wait "$pid" 2>/dev/null || true
}

igmp_stat()
{
	in_xa awk -v f="$1" '
		/^Igmp:/ && !h { split($0, k); h = 1; next }
		/^Igmp:/ { split($0, v); for (i in k) if (k[i] == f) print v[i] }
	' /proc/net/xstack/snmp
}

maddr_field()
{
	in_xa xsctl -j maddr show dev veth0 |
		jq_run --arg g "$1" --arg f "$2" \
			'.[] | select(.group == $g) | .[$f] | tostring'
}

check_sysctls()
{
	check_eq "net.xstack.igmp_max_memberships default (Linux's)" 20 \
		"$(in_xa sysctl -n net.xstack.igmp_max_memberships)"
	check_eq "net.xstack.igmp_qrv default (RFC 2236 8.1)" 2 \
		"$(in_xa sysctl -n net.xstack.igmp_qrv)"
	check_eq "net.xstack.igmp_unsolicited_report_interval (RFC 2236 8.10)" \
		10000 "$(in_xa sysctl -n \
			net.xstack.igmp_unsolicited_report_interval)"
	check_fails "igmp_qrv 0 refused" \
		in_xa sysctl -qw net.xstack.igmp_qrv=0
	check_fails "igmp_unsolicited_report_interval 0 refused" \
		in_xa sysctl -qw net.xstack.igmp_unsolicited_report_interval=0
}

check_joined_state()
{
	local text
	check_eq "xsctl maddr: $GROUP users 1" 1 "$(maddr_field "$GROUP" users)"
	check_eq "xsctl maddr: 224.0.0.1 implicit" 1 \
		"$(maddr_field 224.0.0.1 users)"
	text=$(in_xa xsctl maddr show)
	check_match "xsctl maddr show text" \
		"^veth0 +inet $GROUP +users 1" "$text"
	check_match "veth0 filter has 01:00:5e:01:02:03" \
		"01:00:5e:01:02:03" "$(in_xa ip maddr show dev veth0)"
	check_match "/proc/net/xstack/igmp lists the group" \
		"030201EF +1 " "$(in_xa cat /proc/net/xstack/igmp)"
}

check_unsolicited()
{
	local first n
	first=$(wait_igmp 3 '$3 == "'$GROUP'" && $7 == "0x16"') ||
		{ nok "no unsolicited report after join"; return; }
	ok "unsolicited v2 report on join"
	# shellcheck disable=SC2086
	set -- $first
	check_eq "report TTL 1" 1 "$4"
	check_eq "report has Router Alert" 1 "$5"
	check_eq "report checksums" ok "$6"
	check_eq "report group" "$GROUP" "$8"
	# RFC 2236 3: repeated after up to 10 s (robustness 2: two in all).
	wait_igmp 12 '$3 == "'$GROUP'" && $7 == "0x16" && $1 > '"$1" \
		>/dev/null ||
		{ nok "no repeated unsolicited report within 12 s"; return; }
	ok "unsolicited report repeated"
	sleep 1
	n=$(xa_igmp | awk '$7 == "0x16"' | wc -l)
	check_eq "exactly two unsolicited reports" 2 "$n"
}

# query_answered DESC ARGS: a query (helper query ARGS) is answered by a
# report for $GROUP within its Max Resp Time (CODE tenths) plus slack.
query_answered()
{
	local desc=$1 code=$2 t r
	shift 2
	t=$(in_nb python3 "$HELPER" query --ifindex "$NB_IF" --code "$code" "$@")
	if r=$(wait_igmp $((code / 10 + 3)) \
		'$3 == "'$GROUP'" && $7 == "0x16" && $1 > '"$t"); then
		# shellcheck disable=SC2086
		set -- $r
		if awk -v a="$1" -v b="$t" -v m="$code" \
			'BEGIN { exit !(a - b <= m / 10 + 0.5) }'; then
			ok "$desc answered after $(awk -v a="$1" -v b="$t" \
				'BEGIN { printf "%.2f", a - b }') s"
		else
			nok "$desc answered too late ($1 - $t)"
		fi
	else
		nok "$desc: no report"
	fi
}

# RFC 2236 3: a report heard while a timer runs cancels ours. A short
# race (our delay below the gap between query and report) is retried.
check_suppression()
{
	local try t n before after
	for try in 1 2 3; do
		before=$(igmp_stat ReportsSuppressed)
		t=$(in_nb python3 "$HELPER" report --ifindex "$NB_IF" \
			--group "$GROUP" --query-first 40)
		sleep 0.5
		after=$(igmp_stat ReportsSuppressed)
		log "state after nb's report: $(maddr_field "$GROUP" state)"
		sleep 4
		n=$(xa_igmp | awk '$7 == "0x16" && $1 > '"$t" | wc -l)
		if [ "$n" = 0 ] && [ "$after" -gt "$before" ]; then
			ok "report suppressed by nb's report (try $try)"
			return
		fi
		log "suppression try $try: $n reports, counter $before -> $after"
	done
	nok "report never suppressed"
}

check_udp_delivery()
{
	local got
	echo "recv 120" >&"${MEMBER[1]}"
	in_nb python3 "$HELPER" send --ifaddr 10.0.0.2 --group "$GROUP" \
		--port "$PORT" --data hello-mcast
	got=$(member_read 125)
	check_eq "datagram to $GROUP reached the xstack socket" \
		"recv hello-mcast" "$got"
	[ "$got" = "recv hello-mcast" ] ||
		log "$(in_xa grep -E '^(IpExt|Udp):' /proc/net/xstack/snmp)"
}

# RFC 2236 3: the groups are announced again when the device comes up.
check_down_up()
{
	local t
	t=$(date +%s.%N)
	in_xa ip link set veth0 down
	sleep 0.5
	in_xa ip link set veth0 up
	if wait_igmp 5 '$3 == "'$GROUP'" && $7 == "0x16" && $1 > '"$t" \
		>/dev/null; then
		ok "report after the device came up again"
	else
		nok "no report after the device came up again"
	fi
	check_eq "still joined after down/up" 1 "$(maddr_field "$GROUP" users)"
}

check_leave()
{
	local t l
	# Be the last reporter again, then leave.
	query_answered "group query before leave" 10 --group "$GROUP"
	t=$(date +%s.%N)
	check_eq "IP_DROP_MEMBERSHIP" left "$(member_cmd leave)"
	if l=$(wait_igmp 3 '$7 == "0x17" && $1 > '"$t"); then
		# shellcheck disable=SC2086
		set -- $l
		check_eq "leave to 224.0.0.2" 224.0.0.2 "$3"
		check_eq "leave group" "$GROUP" "$8"
		check_eq "leave TTL 1, Router Alert, checksums" "1 1 ok" \
			"$4 $5 $6"
	else
		nok "no Leave Group after the last leave"
	fi
	check_eq "group gone from xsctl maddr" "" "$(maddr_field "$GROUP" users)"
	check_nomatch "MAC gone from veth0's filter" "01:00:5e:01:02:03" \
		"$(in_xa ip maddr show dev veth0)"
}

check_close_leaves()
{
	local t
	check_eq "join again" joined "$(member_cmd join)"
	sleep 0.5
	t=$(date +%s.%N)
	member_exit
	if wait_igmp 3 '$7 == "0x17" && $1 > '"$t" >/dev/null; then
		ok "closing a joined socket leaves the group"
	else
		nok "no Leave Group when the socket closed"
	fi
	check_eq "no group after close" "" "$(maddr_field "$GROUP" users)"
}

# RFC 2236 4: with an IGMPv1 querier, v1 reports and no leaves.
check_v1()
{
	local t r n
	member_start
	check_eq "join for the v1 test" joined "$MEMBER_ANS"
	sleep 1
	t=$(in_nb python3 "$HELPER" query --ifindex "$NB_IF" --code 0)
	if r=$(wait_igmp 13 '$7 == "0x12" && $1 > '"$t"); then
		ok "IGMPv1 query answered with a v1 report within 10 s"
	else
		nok "no v1 report after an IGMPv1 query"
	fi
	check_match "/proc/net/xstack/igmp: querier V1" "veth0 +: +[0-9]+ +V1" \
		"$(in_xa cat /proc/net/xstack/igmp)"
	t=$(date +%s.%N)
	check_eq "leave with a v1 querier" left "$(member_cmd leave)"
	sleep 1.5
	n=$(xa_igmp | awk '$7 == "0x17" && $1 > '"$t" | wc -l)
	check_eq "no Leave Group with a v1 querier" 0 "$n"
	member_exit
}

check_malformed()
{
	local c0 e0
	c0=$(igmp_stat InCsumErrors)
	e0=$(igmp_stat InErrors)
	in_nb python3 "$HELPER" query --ifindex "$NB_IF" --csum bad >/dev/null
	in_nb python3 "$HELPER" query --ifindex "$NB_IF" --len 9 >/dev/null
	sleep 0.5
	check_eq "bad checksum counted" $((c0 + 1)) "$(igmp_stat InCsumErrors)"
	check_eq "bad messages counted" $((e0 + 2)) "$(igmp_stat InErrors)"
}

check_errnos()
{
	local xa nb xa_if
	xa_if=$(in_xa cat /sys/class/net/veth0/ifindex)
	nb=$(in_nb python3 "$HELPER" errnos inet --ifaddr 10.0.0.2 \
		--ifindex "$NB_IF")
	xa=$(in_xa python3 "$HELPER" errnos xstack --ifaddr 10.0.0.1 \
		--ifindex "$xa_if")
	check_match "AF_INET errno sequence ran" "^fill 19 ENOBUFS$" "$nb"
	if [ "$xa" = "$nb" ]; then
		ok "membership errnos equal AF_INET's ($(echo "$nb" | wc -l) steps)"
	else
		nok "membership errnos differ from AF_INET"
		diff <(echo "$nb") <(echo "$xa") | sed 's/^/#   /'
	fi
}

check_detach_joined()
{
	member_start
	check_eq "join for the detach test" joined "$MEMBER_ANS"
	check "detach veth0 with a joined socket" \
		in_xa xsctl link detach veth0
	check_eq "leave after detach" left "$(member_cmd leave)"
	member_exit
	check_dmesg_clean "no kernel warnings"
}

main()
{
	xs_init
	xs_require python3 tcpdump
	xs_load
	topo_xa_nb
	[ "$(in_xa "$XS_SOCKET" xstack dgram udp 2>/dev/null)" = OK ] ||
		skip "no AF_XSTACK UDP sockets in this build"
	in_xa xsctl maddr show >/dev/null 2>&1 ||
		skip "no XSTACK_CMD_MADDR_GET in this build"
	NB_IF=$(in_nb cat /sys/class/net/veth0/ifindex)
	check_sysctls
	CAP=/tmp/igmp.$XS_ID.txt
	bg in_nb tcpdump -i veth0 -n -tt -v -l igmp >"$CAP" 2>/dev/null
	sleep 2

	member_start
	[ "$MEMBER_ANS" = joined ] ||
		fail "IP_ADD_MEMBERSHIP $GROUP failed: $MEMBER_ANS"
	check_joined_state
	check_unsolicited
	query_answered "general query (max 2 s)" 20
	query_answered "group-specific query (max 1 s)" 10 --group "$GROUP"
	query_answered "IGMPv3 query (max 1.5 s)" 15 --len 12
	check_suppression
	check_udp_delivery
	check_down_up
	check_leave
	check_close_leaves
	check_malformed
	check_errnos
	check_v1
	check_detach_joined
	rm -f "$CAP"
	xs_done
}

main "$@"
