#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what `make run` shows, inside the QEMU guest (as root).
#
# Loads xstack, builds topology (a) of the selftests: netns "xa" is the
# xstack host (veth0 attached to xstack, 10.0.0.1/24 owned by xstack, no
# native IPv4 address) and netns "nb" is a native Linux host (10.0.0.2/24),
# then prints, with a word on each, what xstack reports: xsctl link/addr
# show, /proc/net/xstack/*, net.xstack.* sysctls and its kernel log lines,
# and shows the network layer at work: pings both ways (ARP, fragments),
# the routing table and a route decision, the neighbour cache, counters.
# It grows with every capability of xstack.
#
#   scripts/demo.sh [--shell] [--module PATH/xstack.ko]
#
# --shell: leave the topology up and start an interactive bash.
set -eu

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$SCRIPTS")
KO=$REPO/module/xstack.ko
XSCTL=$REPO/tools/xsctl/xsctl
SHELL_AFTER=0
XA=xa
NB=nb

usage()
{
	sed -n '2,/^set -eu/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
	exit 2
}

# say TEXT: narration.
say()
{
	printf '\n\033[1m== %s\033[0m\n' "$*"
}

# show CMD...: print the command line as typed, then run it.
show()
{
	printf '$ %s\n' "$*"
	"$@" 2>&1 | sed 's/^/  /' || true
}

die()
{
	echo "demo: $*" >&2
	exit 1
}

xsctl()
{
	"$XSCTL" "$@"
}

parse_args()
{
	while [ $# -gt 0 ]; do
		case "$1" in
		--shell) SHELL_AFTER=1 ;;
		--module) KO=$(realpath "$2"); shift ;;
		-h|--help) usage ;;
		*) usage ;;
		esac
		shift
	done
}

load_module()
{
	say "Loading xstack ($KO)"
	[ -r "$KO" ] || die "$KO not built: run make"
	if [ -d /sys/module/xstack ]; then
		rmmod xstack || die "cannot unload the xstack already loaded"
	fi
	show insmod "$KO"
	[ -d /sys/module/xstack ] || die "xstack did not load"
	printf 'AF_XSTACK is socket family %s (%s)\n' \
		"$(cat /sys/module/xstack/parameters/family)" \
		/sys/module/xstack/parameters/family
}

make_topology()
{
	local ns
	say "Topology: xstack host xa <-- veth --> native Linux host nb"
	for ns in $XA $NB; do
		ip netns del $ns 2>/dev/null || true
		ip netns add $ns
		ip -n $ns link set lo up
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	show ip link add veth0 netns $XA type veth peer name veth0 netns $NB
	show ip -n $XA link set veth0 up
	show ip -n $NB link set veth0 up
	show ip -n $NB addr add 10.0.0.2/24 dev veth0

	say "xa: attach veth0 to xstack and give xstack the address 10.0.0.1/24"
	show ip netns exec $XA "$XSCTL" link attach veth0
	show ip netns exec $XA "$XSCTL" addr add 10.0.0.1/24 dev veth0
	echo "(the native stack of xa has no IPv4 address on veth0: 10.0.0.1 is xstack's alone)"
	show ip -n $XA -4 addr show dev veth0
}

report()
{
	local f
	say "xsctl link show (devices attached to xstack in xa)"
	show ip netns exec $XA "$XSCTL" link show
	show ip netns exec $XA "$XSCTL" -j link show
	say "xsctl addr show (xstack's addresses in xa)"
	show ip netns exec $XA "$XSCTL" addr show
	show ip netns exec $XA "$XSCTL" -j addr show
	say "/proc/net/xstack/ in xa"
	for f in $(ip netns exec $XA sh -c 'ls /proc/net/xstack/'); do
		show ip netns exec $XA cat "/proc/net/xstack/$f"
	done
	say "net.xstack.* sysctls in xa"
	show ip netns exec $XA sysctl net.xstack
	say "The native host nb sees xa's veth0 as a normal neighbour"
	show ip -n $NB link show veth0
	say "Kernel log of xstack"
	dmesg | grep -E 'xstack|veth0: .*xstack' | tail -n 20 | sed 's/^/  /'
}

# xs_ping_bin: the ping-socket client of the selftests, built on the fly
# into /tmp when "make selftests" has not built it.
xs_ping_bin()
{
	local bin=$REPO/selftests/xs_ping
	if [ ! -x "$bin" ]; then
		bin=/tmp/xs_ping
		[ -x "$bin" ] || cc -O2 -D_GNU_SOURCE -I"$REPO/uapi" -o "$bin" \
			"$REPO/selftests/xs_ping.c" 2>/dev/null || return 1
	fi
	echo "$bin"
}

network_layer()
{
	local ping
	say "Network layer: nb (native Linux) pings xstack's 10.0.0.1: ARP, then ICMP echo"
	show ip netns exec $NB ping -c 3 -i 0.2 10.0.0.1
	echo "(nb's neighbour table learned xa's MAC from xstack's ARP reply)"
	show ip -n $NB neigh show dev veth0
	say "A 4000-byte ping: nb fragments it, xstack reassembles and fragments its reply"
	show ip netns exec $NB ping -c 1 -s 4000 10.0.0.1
	say "xstack pings nb: a ping socket, socket(AF_XSTACK, SOCK_DGRAM, IPPROTO_ICMP)"
	if ping=$(xs_ping_bin); then
		show ip netns exec $XA "$ping" -c 3 -i 200 10.0.0.2
		show ip netns exec $XA "$ping" -s 4000 10.0.0.2
	else
		echo "(no C compiler for selftests/xs_ping: run make selftests)"
	fi
	say "xstack's routing table: a connected route, and one through nb"
	show ip netns exec $XA "$XSCTL" route add 10.2.0.0/24 via 10.0.0.2
	show ip netns exec $XA "$XSCTL" route show
	show ip netns exec $XA "$XSCTL" route get 10.0.0.2
	show ip netns exec $XA "$XSCTL" route get 10.2.0.9
	if ip netns exec $XA "$XSCTL" neigh help >/dev/null 2>&1; then
		say "xstack's neighbour (ARP) cache"
		show ip netns exec $XA "$XSCTL" neigh show
	fi
	say "xstack's ICMP counters (xsctl stats; all of them: /proc/net/xstack/snmp)"
	show ip netns exec $XA "$XSCTL" stats Icmp
}

# xs_xfer_bin: the TCP transfer tool of the selftests, built on the fly
# into /tmp when "make selftests" has not built it.
xs_xfer_bin()
{
	local bin=$REPO/selftests/xs_xfer
	if [ ! -x "$bin" ]; then
		bin=/tmp/xs_xfer
		cc -O2 -D_GNU_SOURCE -I"$REPO/uapi" -o "$bin" \
			"$REPO/selftests/xs_xfer.c" 2>/dev/null || return 1
	fi
	echo "$bin"
}

# transfer XFER SRV_NS SRV_FAMILY ADDR PORT CLI_NS CLI_FAMILY: 8 MiB from
# the client to the server, both printing what they counted and hashed.
transfer()
{
	ip netns exec "$2" "$1" server "$3" "$4" "$5" >/tmp/xfer-srv.out 2>&1 &
	sleep 0.5
	show ip netns exec "$6" "$1" client "$7" "$4" "$5" 8M
	wait
	sed 's/^/  server: /' /tmp/xfer-srv.out
}

transport_layer()
{
	local xfer out
	if ! xfer=$(xs_xfer_bin); then
		echo "(no C compiler for selftests/xs_xfer: run make selftests)"
		return 0
	fi
	say "TCP: native Linux in nb serves, xstack's TCP in xa sends 8 MiB (SHA-256 on both ends)"
	transfer "$xfer" $NB inet 10.0.0.2 5001 $XA xstack
	say "TCP the other way: xstack in xa serves, native Linux in nb sends 8 MiB"
	transfer "$xfer" $XA xstack 10.0.0.1 5002 $NB inet
	say "A connection in progress, as xsctl sock show and /proc/net/xstack/tcp see it"
	ip netns exec $NB "$xfer" server inet 10.0.0.2 5003 >/dev/null 2>&1 &
	sleep 0.5
	ip netns exec $XA "$xfer" client xstack 10.0.0.2 5003 64M --chunk 4096 \
		>/dev/null 2>&1 &
	sleep 2
	if ip netns exec $XA "$XSCTL" sock help >/dev/null 2>&1; then
		show ip netns exec $XA "$XSCTL" sock show
	fi
	show ip netns exec $XA cat /proc/net/xstack/tcp
	wait
	say "xstack's TCP counters (xsctl stats Tcp; TcpExt too in /proc/net/xstack/snmp)"
	show ip netns exec $XA "$XSCTL" stats Tcp
}

interactive()
{
	say "Topology left up: try"
	cat <<EOF
  ip netns exec xa $XSCTL link show
  ip netns exec xa $XSCTL addr show
  ip netns exec xa cat /proc/net/xstack/dev
  ip netns exec nb ping 10.0.0.1
  ip netns exec xa bash     # a shell on the xstack host
  exit                      # powers the guest off
EOF
	export PATH="$REPO/tools/xsctl:$PATH"
	export PS1='\[\033[1m\]xstack-vm\[\033[0m\]:\w# '
	exec bash --norc -i
}

main()
{
	parse_args "$@"
	[ "$(id -u)" = 0 ] || die "run as root inside the QEMU guest (make run)"
	[ -x "$XSCTL" ] || die "$XSCTL not built: run make"
	load_module
	make_topology
	report
	network_layer
	transport_layer
	if [ "$SHELL_AFTER" = 1 ]; then
		interactive
	fi
	say "Done (make shell for an interactive guest with this topology)"
}

main "$@"
