#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Enforce DESIGN.md principle 1 on a built module: xstack implements the
# protocols itself, so xstack.ko must not import any native protocol
# function. Reads the module's undefined symbols (nm -u) and fails, naming
# each offender, when one matches the deny-list below.
#
# usage: scripts/check-imports.sh [module/xstack.ko]
set -eu

ko=${1:-module/xstack.ko}
[ -f "$ko" ] || { echo "check-imports: $ko not found (run make)" >&2; exit 2; }

# Deny-list: one extended regex per family of native protocol symbols.
deny=(
	'^(__)?tcp_'		# native TCP (CC modules are reached via ops tables only)
	'^inet6?_'		# AF_INET/AF_INET6 socket layer and helpers
	'^ip6?_'		# IPv4/IPv6 input, output, routing, options
	'^ip4_|^ipv4_|^ipv6_'	# IPv4/IPv6 address and datagram helpers
	'^udp(v6)?_|^__udp'	# native UDP
	'^icmp(v6)?_|^__icmp'	# native ICMP
	'^ping_'		# native ping sockets
	'^arp_'			# native ARP
	'^neigh_|^__neigh'	# native neighbour tables
	'^fib6?_'		# native FIB and routing rules
	'^raw(v6)?_'		# native raw sockets
	'^cookie_|^__cookie'	# SYN cookies
	'^secure_tcp|^secure_ipv'	# native ISN and port hashing
	'^nf_|^nft_'		# netfilter hooks are not ours to call either
)

# Pure checksum and constant helpers that principle 1 allows.
allow='^(ip_send_check|ip_compute_csum|inet_proto_csum_replace[0-9a-z_]*|ip_tos2prio|icmp_err_convert)$'

# Ways to reach hidden functions.
hidden='^(__symbol_get|symbol_get|kallsyms_[a-z_]+|register_k(ret)?probe[s]?|register_ftrace_function)$'

syms=$(nm -u "$ko" | awk '{print $2}')
bad=0
for s in $syms; do
	[[ $s =~ $allow ]] && continue
	if [[ $s =~ $hidden ]]; then
		echo "check-imports: $ko imports $s (reaching hidden functions is forbidden)"
		bad=1
		continue
	fi
	for re in "${deny[@]}"; do
		if [[ $s =~ $re ]]; then
			echo "check-imports: $ko imports native protocol symbol $s (matches $re)"
			bad=1
		fi
	done
done
if [ "$bad" -ne 0 ]; then
	echo "check-imports: FAIL (DESIGN.md principle 1)"
	exit 1
fi
echo "check-imports: $ko: $(echo "$syms" | wc -w) imported symbols, none forbidden"
