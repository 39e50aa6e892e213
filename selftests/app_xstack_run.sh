#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# app_xstack_run.sh - the xstack-run wrapper and its LD_PRELOAD library
# (tools/xstack-run), seen from a program (xs_run_probe creates one
# socket of each kind and prints the kernel's SO_DOMAIN, SO_TYPE,
# SO_PROTOCOL, O_NONBLOCK and FD_CLOEXEC):
#   - without the module: xstack-run exits 1 with "not loaded" on stderr
#     and runs nothing; the library alone fails AF_INET TCP/UDP/ping
#     sockets with EAFNOSUPPORT (saying why, once), others are native;
#   - default (-a): AF_INET TCP (protocol 0 or IPPROTO_TCP), UDP and
#     ping sockets are in the xstack family (SO_DOMAIN is the number in
#     /sys/module/xstack/parameters/family), with their SO_TYPE and
#     SO_PROTOCOL, SOCK_NONBLOCK and SOCK_CLOEXEC kept; raw, AF_INET6 and AF_UNIX sockets
#     stay native; a bound socket's getsockname() gives AF_INET;
#   - -t: only TCP; -u: UDP and ping; XSTACK_RUN=ping: only ping;
#     XSTACK_RUN from the environment when no option is given;
#   - a bad XSTACK_RUN stops the program (exit 127) with a message;
#   - a child process (sh -c) inherits the setting;
#   - xstack refusing a socket (ping outside net.xstack.ping_group_range)
#     gives xstack's errno (EACCES), no native fallback.
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/app.sh"

PROBE="$XS_TESTDIR/xs_run_probe"
LIB=$(dirname "$XS_RUN")/libxstack-run.so

# probe [ENV=VAL...] [XSTACK-RUN OPTIONS] -- [PROBE ARGS]: the output of
# the probe run in xa through xstack-run.
probe()
{
	local -a env=() opts=()
	while [ "$1" != -- ]; do
		case "$1" in
		*=*) env+=("$1") ;;
		*) opts+=("$1") ;;
		esac
		shift
	done
	shift
	in_xa env "${env[@]}" "$XS_RUN" "${opts[@]}" "$PROBE" "$@" 2>&1
}

# want DESC OUTPUT KIND EXPECTED: the probe's line for KIND (no grep:
# every process costs in the emulated guest).
want()
{
	local line got=""
	while IFS= read -r line; do
		[[ "$line" != "$3 "* ]] || got=$line
	done <<<"$2"
	check_eq "$1: $3" "$3 $4" "$got"
}

xs_init
[ -x "$PROBE" ] || skip "$PROBE not built (make -C selftests)"
command -v "$XS_RUN" >/dev/null || skip "xstack-run not built (make -C tools)"
[ -e "$LIB" ] || skip "$LIB not built (make -C tools)"

# ---------------------------------------------------------------- no module
rc=0
out=$("$XS_RUN" echo ran 2>&1) || rc=$?
check_eq "no module: xstack-run exits 1" 1 "$rc"
check_match "no module: says so" "xstack module is not loaded" "$out"
check_nomatch "no module: runs nothing" "^ran$" "$out"
out=$(LD_PRELOAD=$LIB "$PROBE" 2>&1) || true
for k in tcp udp ping; do
	want "no module, library" "$out" $k "error EAFNOSUPPORT"
done
want "no module, library" "$out" tcp6 "10 1 6 0 0"
n=0
while IFS= read -r line; do
	[[ "$line" != *"xstack module is not loaded"* ]] || n=$((n + 1))
done <<<"$out"
check_eq "no module: the message once" 1 "$n"

# ---------------------------------------------------------------- switches
xs_load
topo_xa_nb
fam=$(xs_family)
in_xa sysctl -qw net.xstack.ping_group_range="0 0"

out=$(probe -- --bind 10.0.0.1)
want "all" "$out" tcp "$fam 1 6 0 0"
want "all" "$out" tcp-proto "$fam 1 6 0 0"
want "all" "$out" tcp-flags "$fam 1 6 1 1"
want "all" "$out" udp "$fam 2 17 0 0"
want "all" "$out" udp-flags "$fam 2 17 1 0"
want "all" "$out" ping "$fam 2 1 0 0"
want "all" "$out" raw "2 3 1 0 0"
want "all" "$out" tcp6 "10 1 6 0 0"
want "all" "$out" udp6 "10 2 17 0 0"
want "all" "$out" unix "1 1 0 0 0"
want "all" "$out" getsockname 2

out=$(probe -t --)
want "-t" "$out" tcp "$fam 1 6 0 0"
want "-t" "$out" udp "2 2 17 0 0"
want "-t" "$out" raw "2 3 1 0 0"
out=$(probe -u --)
want "-u" "$out" tcp "2 1 6 0 0"
want "-u" "$out" udp "$fam 2 17 0 0"
want "-u" "$out" ping "$fam 2 1 0 0"
out=$(probe XSTACK_RUN=ping --)
want "XSTACK_RUN=ping" "$out" tcp "2 1 6 0 0"
want "XSTACK_RUN=ping" "$out" udp "2 2 17 0 0"
want "XSTACK_RUN=ping" "$out" ping "$fam 2 1 0 0"
out=$(probe XSTACK_RUN=udp,tcp --)
want "XSTACK_RUN=udp,tcp" "$out" tcp "$fam 1 6 0 0"
want "XSTACK_RUN=udp,tcp" "$out" udp "$fam 2 17 0 0"

rc=0
out=$(in_xa env XSTACK_RUN=bogus "$XS_RUN" echo ran 2>&1) || rc=$?
check_eq "XSTACK_RUN=bogus: exit 127" 127 "$rc"
check_match "XSTACK_RUN=bogus: says so" "XSTACK_RUN=bogus: want" "$out"

out=$(in_xa "$XS_RUN" -t sh -c "'$PROBE'" 2>&1)
want "child of sh -c" "$out" tcp "$fam 1 6 0 0"
want "child of sh -c" "$out" udp "2 2 17 0 0"

# xstack's own answer, no native fallback.
in_xa sysctl -qw net.xstack.ping_group_range="1 0"
out=$(probe --)
want "ping_group_range 1 0" "$out" ping "error EACCES"

app_done
