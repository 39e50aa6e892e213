# SPDX-License-Identifier: GPL-2.0
#
# topo.sh - sourced by every xstack shell selftest.
#
# Provides: module load/unload (XSTACK_KO, set by run.sh; modprobe
# otherwise), an xsctl wrapper (XSCTL, default tools/xsctl/xsctl of the
# repository, else xsctl from PATH), network namespaces with unique names
# that are deleted on exit, the two standard topologies, and assertion
# helpers that record failures and let a test run all its checks:
#
#   topo_xa_nb  xstack host xa (10.0.0.1 owned by xstack on veth0) and
#               native host nb (10.0.0.2/24 on veth0) over a veth pair
#   topo_xa_xb  two xstack hosts xa (10.0.0.1) and xb (10.0.0.2)
#
# The netns names are in $NS_XA, $NS_NB, $NS_XB; run commands there with
# in_xa / in_nb / in_xb (`in_xa xsctl link show` runs the real xsctl).
#
# Exit codes follow kselftest: 0 pass, 1 fail, 4 skip (KSFT_SKIP).
# Tests run as root in the QEMU guest, never on the build host.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

XS_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XS_TESTDIR=$(dirname "$XS_LIBDIR")
XS_REPO=$(dirname "$XS_TESTDIR")
XS_TEST=$(basename "$0" .sh)
# Short and unique: netns names, device names and dmesg marks use it.
XS_ID="$(echo "$XS_TEST" | tr -cd 'a-z0-9' | cut -c1-6)$$"

XS_NETNS=""		# netns created by this test (deleted on exit)
XS_PIDS=""		# background processes (killed on exit)
XS_LOADED=0		# 1 when this test loaded the module
XS_NCHECK=0		# checks run
XS_NFAIL=0		# checks failed
XS_MARK=""		# dmesg mark written at start

if [ -z "${XSCTL:-}" ]; then
	if [ -x "$XS_REPO/tools/xsctl/xsctl" ]; then
		XSCTL="$XS_REPO/tools/xsctl/xsctl"
	elif [ -x "$XS_TESTDIR/xsctl" ]; then	# kselftest install
		XSCTL="$XS_TESTDIR/xsctl"
	else
		XSCTL=$(command -v xsctl || echo xsctl)
	fi
fi
# Helper programs built from selftests/*.c (next to the tests).
XS_SOCKET="$XS_TESTDIR/xs_socket"

# ---------------------------------------------------------------- output

log()
{
	echo "# $*"
}

# fail MSG: stop the test now (cleanup runs from the EXIT trap).
fail()
{
	echo "# FAIL: $*"
	XS_NFAIL=$((XS_NFAIL + 1))
	exit "$KSFT_FAIL"
}

# skip MSG: the test cannot run here; say why.
skip()
{
	echo "# SKIP: $*"
	exit "$KSFT_SKIP"
}

# ok DESC / nok DESC: record one check (the test goes on).
ok()
{
	XS_NCHECK=$((XS_NCHECK + 1))
	echo "# ok $XS_NCHECK - $*"
}

nok()
{
	XS_NCHECK=$((XS_NCHECK + 1))
	XS_NFAIL=$((XS_NFAIL + 1))
	echo "# not ok $XS_NCHECK - $*"
}

# check DESC CMD...: CMD must succeed. Its output is shown on failure.
check()
{
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		nok "$desc (exit $?: $*)"
		[ -z "$out" ] || echo "$out" | sed 's/^/#   /'
	fi
}

# check_fails DESC CMD...: CMD must fail (any error).
check_fails()
{
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		nok "$desc (unexpectedly succeeded: $*)"
		[ -z "$out" ] || echo "$out" | sed 's/^/#   /'
	else
		ok "$desc"
	fi
}

# check_eq DESC EXPECTED GOT
check_eq()
{
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		nok "$1 (expected '$2', got '$3')"
	fi
}

# check_match DESC REGEX TEXT (extended regex, grep -E)
check_match()
{
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		nok "$1 (no match for /$2/ in: $(printf '%s' "$3" | head -c 300))"
	fi
}

# check_nomatch DESC REGEX TEXT
check_nomatch()
{
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		nok "$1 (unexpected /$2/ in: $(printf '%s' "$3" | grep -E -- "$2" | head -n 3))"
	else
		ok "$1"
	fi
}

# strerror ENAME: the glibc text of an errno name (what xsctl prints).
strerror()
{
	case "$1" in
	EPERM) echo "Operation not permitted" ;;
	ENOENT) echo "No such file or directory" ;;
	EBUSY) echo "Device or resource busy" ;;
	EEXIST) echo "File exists" ;;
	ENODEV) echo "No such device" ;;
	EINVAL) echo "Invalid argument" ;;
	EOPNOTSUPP) echo "Operation not supported" ;;
	EADDRNOTAVAIL) echo "Cannot assign requested address" ;;
	EAFNOSUPPORT) echo "Address family not supported by protocol" ;;
	ENOBUFS) echo "No buffer space available" ;;
	ENOSPC) echo "No space left on device" ;;
	*) echo "unknown errno name $1" >&2; return 1 ;;
	esac
}

# expect_errno ENAME DESC CMD...: CMD (an xsctl call) must exit 1 and print
# "xsctl: Error: <extack message> (<strerror>)" on stderr, with a
# non-empty extack message. Sets XS_ERR to that stderr.
expect_errno()
{
	local ename=$1 desc=$2 text rc=0
	shift 2
	text=$(strerror "$ename")
	XS_ERR=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 0 ]; then
		nok "$desc: expected $ename, command succeeded ($*)"
	elif ! printf '%s\n' "$XS_ERR" | grep -Fq "($text)"; then
		nok "$desc: expected $ename ($text), got exit $rc: $XS_ERR"
	elif ! printf '%s\n' "$XS_ERR" |
		grep -Eq "^xsctl: Error: [^ (].* \\($text\\)\$"; then
		nok "$desc: $ename but no extack message: $XS_ERR"
	else
		ok "$desc: $ename '$(printf '%s' "$XS_ERR" | head -n 1)'"
	fi
}

# expect_errno_noext ENAME DESC CMD...: like expect_errno, without
# requiring an extack message (errors raised before xstack's handlers
# run, e.g. the genetlink permission check).
expect_errno_noext()
{
	local ename=$1 desc=$2 text rc=0
	shift 2
	text=$(strerror "$ename")
	XS_ERR=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 0 ]; then
		nok "$desc: expected $ename, command succeeded ($*)"
	elif printf '%s\n' "$XS_ERR" | grep -Fq "$text"; then
		ok "$desc: $ename '$(printf '%s' "$XS_ERR" | head -n 1)'"
	else
		nok "$desc: expected $ename ($text), got exit $rc: $XS_ERR"
	fi
}

# ---------------------------------------------------------------- dmesg

# dmesg_mark: remember the current end of the kernel log.
dmesg_mark()
{
	XS_MARK="xstack-selftest: mark $XS_ID.$RANDOM"
	echo "$XS_MARK" >/dev/kmsg
}

# dmesg_since: kernel log lines after the last mark.
dmesg_since()
{
	dmesg | sed -n "/$XS_MARK\$/,\$p" | sed 1d
}

XS_KERNEL_BAD='BUG:|WARNING:|KASAN|KFENCE|UBSAN|kmemleak|Call Trace|general protection|refcount_t:|list_(add|del) corruption|possible recursive locking|circular locking|suspicious RCU|unreferenced object|Oops'

# check_dmesg_clean DESC: no kernel warning since the mark.
check_dmesg_clean()
{
	local bad
	bad=$(dmesg_since | grep -E "$XS_KERNEL_BAD" || true)
	if [ -z "$bad" ]; then
		ok "${1:-no kernel warnings}"
	else
		nok "${1:-no kernel warnings}: kernel log has:"
		echo "$bad" | head -n 20 | sed 's/^/#   /'
	fi
}

# ---------------------------------------------------------------- module

xs_loaded()
{
	[ -d /sys/module/xstack ]
}

# xs_insmod [PARAM=VAL...]: load the module, return insmod's status.
xs_insmod()
{
	if [ -n "${XSTACK_KO:-}" ]; then
		insmod "$XSTACK_KO" "$@"
	else
		modprobe xstack "$@"
	fi
}

# xs_load [PARAM=VAL...]: load the module or fail the test.
xs_load()
{
	local out
	if xs_loaded; then
		xs_unload || fail "xstack was loaded and cannot be unloaded"
	fi
	out=$(xs_insmod "$@" 2>&1) || fail "loading xstack $*: $out"
	XS_LOADED=1
}

# xs_unload: rmmod xstack, retrying briefly (netns cleanup is deferred).
xs_unload()
{
	local i
	for i in $(seq 1 50); do
		xs_loaded || { XS_LOADED=0; return 0; }
		rmmod xstack 2>/dev/null && { XS_LOADED=0; return 0; }
		sleep 0.1
	done
	rmmod xstack
}

# xs_refcnt: the module's use count (every xstack socket holds one).
xs_refcnt()
{
	local n
	read -r n </sys/module/xstack/refcnt
	echo "$n"
}

# xs_wait_refcnt N SECS: the module's use count comes down to N or less
# within SECS seconds (orphans and timers take a while).
xs_wait_refcnt()
{
	local n end=$((SECONDS + $2))
	while [ "$SECONDS" -le "$end" ]; do
		read -r n </sys/module/xstack/refcnt
		[ "$n" -le "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# xs_debug_kernel: true on the debug kernel (make check DEBUG=1; it has
# kmemleak), where TCG runs everything several times slower.
xs_debug_kernel()
{
	[ -e /sys/kernel/debug/kmemleak ]
}

# xs_family: the socket family number in force.
xs_family()
{
	cat /sys/module/xstack/parameters/family
}

# xs_family_default: XSTACK_FAMILY_DEFAULT as compiled from uapi.
xs_family_default()
{
	"$XS_SOCKET" --default-family
}

# ---------------------------------------------------------------- xsctl

xsctl()
{
	"$XSCTL" "$@"
}

# ---------------------------------------------------------------- netns

# ns_add NAME: create a netns with lo up and IPv6 off (quiet links).
ns_add()
{
	ip netns add "$1" || fail "ip netns add $1"
	XS_NETNS="$XS_NETNS $1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
}

# ns_del NAME: delete a netns now (and forget it).
ns_del()
{
	ip netns del "$1"
	XS_NETNS=$(echo "$XS_NETNS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

# in_ns NS CMD...: run CMD in NS; "xsctl" runs $XSCTL.
in_ns()
{
	local ns=$1
	shift
	if [ "$1" = xsctl ]; then
		shift
		set -- "$XSCTL" "$@"
	fi
	ip netns exec "$ns" "$@"
}

in_xa() { in_ns "$NS_XA" "$@"; }
in_xb() { in_ns "$NS_XB" "$@"; }
in_nb() { in_ns "$NS_NB" "$@"; }

NS_XA="xa-$XS_ID"
NS_XB="xb-$XS_ID"
NS_NB="nb-$XS_ID"

# tun_add NS NAME [tun|tap]: a persistent tun (IFF_TUN) or tap device.
# The guest has no udev: load tun and make /dev/net/tun if needed.
tun_add()
{
	if [ ! -c /dev/net/tun ]; then
		modprobe -q tun 2>/dev/null || true
		[ -c /dev/net/tun ] || {
			mkdir -p /dev/net && mknod /dev/net/tun c 10 200
		} || fail "no /dev/net/tun"
	fi
	ip -n "$1" tuntap add mode "${3:-tun}" dev "$2" ||
		fail "ip tuntap add mode ${3:-tun} dev $2 in $1"
}

# veth_pair NS1 NS2: veth0 in NS1 linked to veth0 in NS2, both up.
veth_pair()
{
	ip link add veth0 netns "$1" type veth peer name veth0 netns "$2" ||
		fail "cannot create veth pair ($1, $2)"
	ip -n "$1" link set veth0 up
	ip -n "$2" link set veth0 up
}

# topo_xa_nb: xstack host xa and native host nb over veth0.
# xa's veth0 is up natively but has no native IPv4 address: 10.0.0.1 is
# owned by xstack only. nb has 10.0.0.2/24 natively. The module must be
# loaded (xs_load) first.
topo_xa_nb()
{
	ns_add "$NS_XA"
	ns_add "$NS_NB"
	veth_pair "$NS_XA" "$NS_NB"
	in_xa xsctl link attach veth0 || fail "xa: xsctl link attach veth0"
	in_xa xsctl addr add 10.0.0.1/24 dev veth0 ||
		fail "xa: xsctl addr add 10.0.0.1/24 dev veth0"
	ip -n "$NS_NB" addr add 10.0.0.2/24 dev veth0
}

# topo_xa_xb: two xstack hosts, xa 10.0.0.1/24 and xb 10.0.0.2/24.
topo_xa_xb()
{
	local ns ip
	ns_add "$NS_XA"
	ns_add "$NS_XB"
	veth_pair "$NS_XA" "$NS_XB"
	for ns in "$NS_XA:10.0.0.1" "$NS_XB:10.0.0.2"; do
		ip=${ns#*:}
		ns=${ns%:*}
		in_ns "$ns" xsctl link attach veth0 ||
			fail "$ns: xsctl link attach veth0"
		in_ns "$ns" xsctl addr add "$ip/24" dev veth0 ||
			fail "$ns: xsctl addr add $ip/24 dev veth0"
	done
}

# ---------------------------------------------------------------- JSON

# jq_run FILTER [ARGS...]: jq on stdin (raw output); python3 fallback
# only for the simple filters used here is not attempted: jq is a
# dependency (scripts/deps.sh).
jq_run()
{
	command -v jq >/dev/null || skip "jq not installed"
	jq -r "$@"
}

# xs_link_get NS DEV FIELD: a field of `xsctl -j link show` for DEV
# ("" when DEV is not listed).
xs_link_get()
{
	in_ns "$1" xsctl -j link show |
		jq_run --arg d "$2" --arg f "$3" \
			'.[] | select(.ifname == $d) | .[$f] | tostring'
}

# xs_link_names NS: attached device names, sorted, space separated.
xs_link_names()
{
	in_ns "$1" xsctl -j link show |
		jq_run '[.[].ifname] | sort | join(" ")'
}

# xs_addrs NS [DEV]: "ifname local/prefixlen" per line, sorted.
xs_addrs()
{
	local ns=$1
	shift
	in_ns "$ns" xsctl -j addr show ${1:+dev "$1"} |
		jq_run '.[] | "\(.ifname) \(.local)/\(.prefixlen)"' | sort
}

# ---------------------------------------------------------------- lifecycle

# bg CMD...: start CMD in the background, killed on exit.
bg()
{
	"$@" &
	XS_PIDS="$XS_PIDS $!"
}

xs_cleanup()
{
	local rc=$? ns pid bad
	set +e
	trap - ERR
	for pid in $XS_PIDS; do
		pkill -P "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in $XS_NETNS; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$XS_LOADED" = 1 ] && xs_loaded; then
		if ! xs_unload 2>/dev/null; then
			echo "# FAIL: cleanup: rmmod xstack failed:" \
				"$(rmmod xstack 2>&1)"
			[ "$rc" != 0 ] || rc=$KSFT_FAIL
		fi
	fi
	if [ -n "$XS_MARK" ]; then
		bad=$(dmesg_since | grep -E "$XS_KERNEL_BAD")
		if [ -n "$bad" ]; then
			echo "# FAIL: kernel warnings during the test:"
			echo "$bad" | head -n 20 | sed 's/^/#   /'
			rc=$KSFT_FAIL
		fi
	fi
	if [ "$rc" = 0 ] && [ "$XS_NFAIL" != 0 ]; then
		rc=$KSFT_FAIL
	fi
	exit "$rc"
}

# xs_done: end of a test: summary line and exit status from the checks.
xs_done()
{
	if [ "$XS_NFAIL" = 0 ]; then
		log "$XS_TEST: all $XS_NCHECK checks passed"
		exit "$KSFT_PASS"
	fi
	log "$XS_TEST: $XS_NFAIL of $XS_NCHECK checks failed"
	exit "$KSFT_FAIL"
}

# xs_require CMD...: skip unless every CMD exists.
xs_require()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c not installed"
	done
}

# xs_init: common start of every test: root, tools, trap, dmesg mark.
xs_init()
{
	[ "$(id -u)" = 0 ] || skip "must run as root (in the QEMU guest)"
	xs_require ip jq insmod rmmod dmesg
	[ -x "$XSCTL" ] || command -v "$XSCTL" >/dev/null ||
		skip "xsctl not found (build it: make tools)"
	[ -x "$XS_SOCKET" ] || skip "$XS_SOCKET not built (make -C selftests)"
	if [ -n "${XSTACK_KO:-}" ]; then
		[ -r "$XSTACK_KO" ] || fail "XSTACK_KO=$XSTACK_KO not readable"
	fi
	set -E
	trap 'echo "# error: ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND (exit $?)" >&2' ERR
	trap xs_cleanup EXIT
	trap 'exit 1' INT TERM
	dmesg_mark
	if xs_loaded; then
		log "xstack already loaded at start: unloading it"
		xs_unload || fail "cannot unload a leftover xstack"
	fi
}

# ---------------------------------------------------------------- network layer
#
# Helpers of the network-layer tests (net_*.sh): counters, MAC addresses,
# the ping-socket helper, the scapy scripts, captures checked by tshark.

XS_PING="$XS_TESTDIR/xs_ping"
XS_PYTHON=${XS_PYTHON:-/usr/bin/python3}

# snmp_get FILE GROUP NAME: NAME's value in a /proc/net/snmp-style FILE
# (a header line and a value line per group); empty when absent.
snmp_get()
{
	awk -v g="$2:" -v f="$3" '
		$1 == g && !(g in hdr) { for (i = 2; i <= NF; i++) k[i] = $i
					hdr[g] = 1; next }
		$1 == g { for (i = 2; i <= NF; i++) if (k[i] == f) print $i
			  exit }
	' "$1"
}

# xs_stat NS GROUP NAME: an xstack counter of NS (/proc/net/xstack/snmp),
# 0 when the group lists no such counter (IcmpMsg lists only types seen).
xs_stat()
{
	local v
	v=$(in_ns "$1" cat /proc/net/xstack/snmp | snmp_get /dev/stdin "$2" "$3")
	echo "${v:-0}"
}

# native_stat NS GROUP NAME: a counter of the native stack of NS
# (/proc/net/snmp, then /proc/net/netstat).
native_stat()
{
	local v
	v=$(in_ns "$1" cat /proc/net/snmp | snmp_get /dev/stdin "$2" "$3")
	[ -n "$v" ] ||
		v=$(in_ns "$1" cat /proc/net/netstat | snmp_get /dev/stdin "$2" "$3")
	echo "${v:-0}"
}

# check_stat_grew DESC NS GROUP NAME BEFORE [MIN]: the xstack counter
# grew by at least MIN (default 1) since BEFORE.
check_stat_grew()
{
	local now
	now=$(xs_stat "$2" "$3" "$4")
	if [ "$now" -ge $(($5 + ${6:-1})) ]; then
		ok "$1 ($3 $4 $5 -> $now)"
	else
		nok "$1 ($3 $4 $5 -> $now, expected +${6:-1})"
	fi
}

# mac_of NS DEV: the link-layer address of DEV in NS.
mac_of()
{
	in_ns "$1" cat "/sys/class/net/$2/address"
}

# ns_proc_net NS: set XS_PROC_NET to /proc/PID/net of a process left
# sleeping in NS, so that a program in another netns (the scapy scripts
# in nb) can read xa's /proc/net/xstack/snmp directly. Killed on exit.
ns_proc_net()
{
	local pid i
	# Not through in_ns: $! must be the process that becomes sleep.
	ip netns exec "$1" sleep 3600 </dev/null >/dev/null 2>&1 &
	pid=$!
	XS_PIDS="$XS_PIDS $pid"
	# In NS once "ip netns exec" has exec'd sleep.
	for i in $(seq 1 50); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.1
	done
	XS_PROC_NET=/proc/$pid/net
}

# xs_py SCRIPT ARGS...: run selftests/SCRIPT with Debian's python3 (scapy).
xs_py()
{
	local script=$1
	shift
	"$XS_PYTHON" "$XS_TESTDIR/$script" "$@"
}

# xs_require_scapy: skip unless python3 can import scapy.
xs_require_scapy()
{
	"$XS_PYTHON" -c 'import scapy' 2>/dev/null ||
		skip "python3-scapy not installed"
}

# topo_down: delete every netns of the test (a new topology may follow).
topo_down()
{
	local ns
	for ns in $XS_NETNS; do
		ns_del "$ns"
	done
}

XS_CAP_PID=""
XS_CAP_FILE=""
XS_CAP_ERR=""
XS_CAP_DROPS=""

# cap_start NS DEV NAME [PCAP-FILTER...]: tcpdump on DEV in NS into
# $XS_RESULTS/<test>-NAME.pcap (kept for inspection), running once this
# returns.
cap_start()
{
	local ns=$1 dev=$2 name=$3 err i
	shift 3
	xs_require tcpdump
	XS_CAP_FILE=${XS_RESULTS:-/tmp}/$XS_TEST-$name.pcap
	err=/tmp/cap.$XS_ID.$name.err
	XS_CAP_ERR=$err
	XS_CAP_DROPS=""
	rm -f "$XS_CAP_FILE"
	# Not through in_ns: $! must be tcpdump itself, for cap_stop.
	# --immediate-mode: libpcap's TPACKET_V3 ring otherwise hands over
	# packets a block at a time, and the last block is lost on SIGINT.
	# -B: in immediate mode (TPACKET_V2) on a veth, which has offloads,
	# each ring slot takes 128 KiB: the default 2 MiB ring holds 16
	# frames, and the 90 frames of a 65507-byte echo and its reply
	# overflowed it while tcpdump wrote to 9p under TCG. 16 MiB: 128.
	ip netns exec "$ns" tcpdump -Z root -i "$dev" -n -U -s 0 -B 16384 \
		--immediate-mode -w "$XS_CAP_FILE" "$@" 2>"$err" &
	XS_CAP_PID=$!
	XS_PIDS="$XS_PIDS $!"
	for i in $(seq 1 100); do
		grep -q 'listening on' "$err" 2>/dev/null && return 0
		kill -0 "$XS_CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "tcpdump did not start: $(cat "$err")"
}

# cap_stop: stop the capture started last; the file is complete after.
# XS_CAP_DROPS: the frames tcpdump's ring lost ("N packets dropped by
# kernel"), empty when tcpdump did not say (killed).
cap_stop()
{
	local i
	[ -n "$XS_CAP_PID" ] || return 0
	sleep 1
	kill -INT "$XS_CAP_PID" 2>/dev/null || true
	for i in $(seq 1 50); do
		kill -0 "$XS_CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$XS_CAP_PID" 2>/dev/null || true
	wait "$XS_CAP_PID" 2>/dev/null || true
	XS_CAP_PID=""
	XS_CAP_DROPS=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' \
		"$XS_CAP_ERR" 2>/dev/null | head -n 1)
	[ -n "$XS_CAP_DROPS" ] ||
		log "tcpdump gave no statistics: $(tr '\n' ' ' <"$XS_CAP_ERR")"
}

# The fields of cap_dump, in this order (numbered for awk -F'|').
XS_CAP_FIELDS="frame.number eth.src eth.dst ip.src ip.dst arp.opcode
arp.dst.proto_ipv4 icmp.type ip.checksum.status icmp.checksum.status
_ws.expert.severity tcp.checksum.status"

# cap_dump FILE: one tshark pass over FILE into FILE.txt, a line per frame
# with XS_CAP_FIELDS separated by "|" (several values of one field, e.g.
# the IP header quoted by an ICMP error, separated by ","). IP header and
# TCP checksums are verified; ICMP checksums always are. tshark starts slowly
# under TCG: a test reads the dump rather than running tshark again.
cap_dump()
{
	local f args=()
	xs_require tshark
	for f in $XS_CAP_FIELDS; do
		args+=(-e "$f")
	done
	tshark -n -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-o ip.defragment:TRUE -r "$1" \
		-T fields -E separator='|' "${args[@]}" >"$1.txt" 2>/dev/null ||
		true
}

# cap_check DESC FILE MAC [MIN]: among the frames of FILE from MAC (what
# xstack sent), at least MIN (default 1), tshark finds none malformed or
# otherwise in error (expert severity error: 0x800000) and none with a
# bad IP, ICMP or TCP checksum (status 0; a bad ICMP checksum alone is
# only an expert warning). The capture of FILE (the last one stopped) must be
# complete: a frame tcpdump dropped is a frame nobody checked.
cap_check()
{
	local desc=$1 file=$2 mac=$3 min=${4:-1} res n bad
	if [ "$file" = "$XS_CAP_FILE" ] && [ "${XS_CAP_DROPS:-0}" != 0 ]; then
		nok "$desc: tcpdump dropped $XS_CAP_DROPS frames, the capture is incomplete"
		return
	fi
	cap_dump "$file"
	res=$(awk -F'|' -v mac="$mac" '
		$2 != mac { next }
		{ n++; why = "" }
		$9 ~ /(^|,)0(,|$)/ { why = why " bad IP checksum" }
		$10 ~ /(^|,)0(,|$)/ { why = why " bad ICMP checksum" }
		$12 ~ /(^|,)0(,|$)/ { why = why " bad TCP checksum" }
		{ k = split($11, sev, ",")
		  for (i = 1; i <= k; i++)
			if (sev[i] + 0 >= 8388608) { why = why " malformed/error"; break } }
		why != "" { bad++; if (bad <= 10) print "#   frame " $1 ":" why }
		END { print "N " n + 0 " " bad + 0 }' "$file.txt")
	n=$(echo "$res" | sed -n 's/^N \([0-9]*\) .*/\1/p')
	bad=$(echo "$res" | sed -n 's/^N [0-9]* \([0-9]*\)$/\1/p')
	if [ "${n:-0}" -lt "$min" ]; then
		nok "$desc: only ${n:-0} frames from $mac captured (want >= $min)"
	elif [ "$bad" != 0 ]; then
		nok "$desc: tshark finds $bad bad frames among $n from $mac:"
		echo "$res" | grep '^#' || true
	else
		ok "$desc: $n frames from $mac, none malformed or bad checksum"
	fi
}

# errno_text ENAME: the C library's text of any errno name.
errno_text()
{
	"$XS_PYTHON" -c 'import errno, os, sys
print(os.strerror(getattr(errno, sys.argv[1])))' "$1"
}

# expect_kerr ENAME DESC CMD...: as expect_errno, for any errno name: CMD
# (an xsctl call) fails with "xsctl: Error: <extack message> (<text>)".
expect_kerr()
{
	local ename=$1 desc=$2 text rc=0
	shift 2
	text=$(errno_text "$ename") || { nok "$desc: unknown errno $ename"; return; }
	XS_ERR=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 0 ]; then
		nok "$desc: expected $ename, command succeeded ($*)"
	elif ! printf '%s\n' "$XS_ERR" | grep -Fq "($text)"; then
		nok "$desc: expected $ename ($text), got exit $rc: $XS_ERR"
	elif ! printf '%s\n' "$XS_ERR" |
		grep -Eq "^xsctl: Error: [^ (].* \\($text\\)\$"; then
		nok "$desc: $ename but no extack message: $XS_ERR"
	else
		ok "$desc: $ename '$(printf '%s' "$XS_ERR" | head -n 1)'"
	fi
}

# relay CMD...: run a program that prints "ok - X" / "not ok - X" per
# check (the python scripts) and record each as a check of this test;
# "# " lines are shown, other output is shown indented. A failing exit
# without any "not ok" line is a failed check too.
relay()
{
	local out rc=0 line bad=0
	out=$("$@" 2>&1) || rc=$?
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) nok "${line#not ok - }"; bad=1 ;;
		"# "*) echo "$line" ;;
		"") ;;
		*) echo "#   $line" ;;
		esac
	done <<<"$out"
	if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
		nok "$(basename "$2" 2>/dev/null) exited $rc: $*"
	fi
}
