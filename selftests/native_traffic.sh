#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# native_traffic.sh - coexistence on an attached device (DESIGN.md
# principle 3): frames that are not xstack's reach the native stack.
#
# Topology (a): xa's veth0 is attached to xstack, which owns 10.0.0.1;
# the native stack of xa has 10.0.0.3/24 on the same veth0 (ip addr). nb
# is native Linux with 10.0.0.2/24.
#   - nb pings 10.0.0.3: ARP and ICMP reach xa's native stack, which
#     answers (its Icmp InEchos counter moves); large fragmented pings too;
#   - xa's native stack pings nb from 10.0.0.3 (replies pass through);
#   - a native TCP connection nb -> 10.0.0.3 carries data;
#   - pinging 10.0.0.1 (xstack's) never reaches the native stack: its
#     InEchos does not move, and the native stack has no 10.0.0.1.
set -eu
# shellcheck source=lib/topo.sh
. "$(dirname "$0")/lib/topo.sh"

# icmp_stat NS FIELD: a counter of the Icmp: lines of /proc/net/snmp.
icmp_stat()
{
	in_ns "$1" awk -v f="$2" '
		/^Icmp:/ && !h { split($0, k); h = 1; next }
		/^Icmp:/ { split($0, v); for (i in k) if (k[i] == f) print v[i] }
	' /proc/net/snmp
}

check_ping_native()
{
	local before after mac
	before=$(icmp_stat "$NS_XA" InEchos)
	check "nb pings xa's native 10.0.0.3" \
		in_nb ping -c 3 -i 0.2 -W 2 10.0.0.3
	after=$(icmp_stat "$NS_XA" InEchos)
	check "xa's native stack received the echoes ($before -> $after)" \
		[ "$after" -ge $((before + 3)) ]
	mac=$(in_xa cat /sys/class/net/veth0/address)
	check_match "nb resolved 10.0.0.3 to xa's veth0 MAC" "lladdr $mac" \
		"$(in_nb ip neigh show 10.0.0.3)"
	check "fragmented 4000-byte pings to 10.0.0.3" \
		in_nb ping -c 2 -i 0.2 -W 2 -s 4000 10.0.0.3
	check "xa's native stack pings nb from 10.0.0.3" \
		in_xa ping -c 2 -i 0.2 -W 2 -I 10.0.0.3 10.0.0.2
}

check_tcp_native()
{
	local got
	if ! command -v socat >/dev/null; then
		log "socat not installed: native TCP not tested"
		return
	fi
	bg in_xa socat -u TCP-LISTEN:7001,bind=10.0.0.3,reuseaddr \
		OPEN:/tmp/native_traffic.$XS_ID,creat,trunc
	sleep 1
	check "native TCP nb -> 10.0.0.3:7001" \
		in_nb sh -c "echo hello-native | socat -u - TCP:10.0.0.3:7001,connect-timeout=5"
	sleep 0.5
	got=$(cat "/tmp/native_traffic.$XS_ID" 2>/dev/null || true)
	rm -f "/tmp/native_traffic.$XS_ID"
	check_eq "data arrived over native TCP" hello-native "$got"
}

check_xstack_addr_not_native()
{
	local before after
	check_nomatch "native stack of xa has no 10.0.0.1" "10\\.0\\.0\\.1/" \
		"$(in_xa ip -4 addr show)"
	before=$(icmp_stat "$NS_XA" InEchos)
	in_nb ping -c 2 -i 0.2 -W 1 10.0.0.1 >/dev/null 2>&1 || true
	after=$(icmp_stat "$NS_XA" InEchos)
	check_eq "pings to 10.0.0.1 never reach xa's native stack" \
		"$before" "$after"
}

main()
{
	xs_init
	xs_require ping
	xs_load
	topo_xa_nb
	in_xa ip addr add 10.0.0.3/24 dev veth0
	check_eq "veth0 attached in xa" veth0 "$(xs_link_names "$NS_XA")"
	check_ping_native
	check_tcp_native
	check_xstack_addr_not_native
	check "detach veth0" in_xa xsctl link detach veth0
	check "native ping still works after detach" \
		in_nb ping -c 1 -W 2 10.0.0.3
	check_dmesg_clean
	xs_done
}

main "$@"
