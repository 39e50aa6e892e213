#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net_arp_flood.sh - ARP floods at an xstack host (arp_flood.py from the
# native netns nb, topology a; xa also owns 10.1.0.1/16 on veth0 so that
# the floods can come from 65,000 distinct on-link senders).
#
#   - XS_ARP_FLOOD (default 20000) unsolicited replies "10.1.x.y is-at
#     <random MAC>" unicast to xa, each from another sender: xa counts
#     them (XsExt ArpInReplies) and creates no entry (RFC 826 merges
#     without adding; cache poisoning)
#   - xa itself sends a UDP datagram to each of 5,000 unresolved on-link
#     addresses: no address gets more than mcast_solicit (3) requests,
#     and the table stays within gc_thresh3 (entries that failed make
#     room for the next addresses)
#   - as many requests for 10.1.0.1, each from another sender: xa answers
#     them (XsExt ArpOutReplies), and its neighbour table never holds
#     more than net.xstack.neigh.gc_thresh3 (set to 256 here) dynamic
#     entries: the forced GC evicts (XsExt ArpGcEvicted) or the entry is
#     refused (XsExt ArpTableFull)
#   - the kernel's slab memory after the floods is reported (the table is
#     bounded, so it does not grow with the number of frames)
#   - afterwards nb pings xa again within 10 s (its entry is resolved
#     again if the flood evicted it, once the forced GC may evict
#     entries older than 5 s), and no kernel warning
set -eu
. "$(dirname "$0")/lib/topo.sh"

COUNT=${XS_ARP_FLOOD:-20000}
THRESH3=256

neigh_count()
{
	in_xa xsctl neigh show | grep -c . || true
}

slab_kib()
{
	sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

flood()
{
	in_nb "$XS_PYTHON" "$XS_TESTDIR/arp_flood.py" --iface veth0 \
		--dmac "$(mac_of "$NS_XA" veth0)" --target 10.1.0.1 --net 10.1 \
		--count "$COUNT" --kind "$1" --seed "$2"
}

# unresolved: xa sends to 5,000 addresses nobody answers for.
unresolved()
{
	local req0 req out mcast
	mcast=$(in_xa sysctl -n net.xstack.neigh.mcast_solicit)
	req0=$(xs_stat "$NS_XA" XsExt ArpOutRequests)
	# shellcheck disable=SC2016 # Python code
	# Python cannot parse addresses of a family it does not know: the
	# sockaddr_in goes to sendto(2) through ctypes.
	out=$(in_xa "$XS_PYTHON" -c 'import ctypes, errno, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
s = socket.socket(int(sys.argv[1]), socket.SOCK_DGRAM)
errs = {}
for i in range(257, 5257):
    sa = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(9),
                     bytes((10, 1, i >> 8, i & 255)))
    if libc.sendto(s.fileno(), b"x", 1, 0, sa, len(sa)) < 0:
        e = errno.errorcode.get(ctypes.get_errno(), "?")
        errs[e] = errs.get(e, 0) + 1
print("%d of 5000 refused %s" % (sum(errs.values()), errs))' "$(xs_family)") ||
		fail "UDP to unresolved addresses: $out"
	log "UDP to 5000 unresolved addresses: $out"
	# An entry solicits mcast_solicit times, one per retrans_time, then
	# fails and the GC may collect it for the next address: no address
	# is asked for more than mcast_solicit times (give or take the few
	# requests for nb meanwhile).
	sleep 4
	req=$(($(xs_stat "$NS_XA" XsExt ArpOutRequests) - req0))
	if [ "$req" -gt 0 ] && [ "$req" -le $((5000 * mcast + 5)) ]; then
		ok "xa sent $req ARP requests for 5000 unresolved addresses (at most $mcast each)"
	else
		nok "xa sent $req ARP requests for 5000 unresolved addresses"
	fi
	check "the table still within gc_thresh3 ($(neigh_count))" \
		test "$(neigh_count)" -le "$THRESH3"
}

main()
{
	local n0 n before out slab0
	xs_init
	xs_require ping "$XS_PYTHON"
	xs_load
	topo_xa_nb
	in_xa xsctl addr add 10.1.0.1/16 dev veth0
	in_xa sysctl -qw net.xstack.neigh.gc_thresh1=32 \
		net.xstack.neigh.gc_thresh2=128 \
		net.xstack.neigh.gc_thresh3=$THRESH3
	in_nb ping -c 1 -W 5 10.0.0.1 >/dev/null || fail "nb cannot ping xa"
	n0=$(neigh_count)
	slab0=$(slab_kib)

	before=$(xs_stat "$NS_XA" XsExt ArpInReplies)
	out=$(flood reply 1) || fail "arp_flood.py reply: $out"
	log "$out"
	check_stat_grew "xa saw the unsolicited replies" "$NS_XA" XsExt \
		ArpInReplies "$before" "$COUNT"
	check_eq "no entry created from $COUNT unsolicited replies" "$n0" \
		"$(neigh_count)"

	unresolved

	before=$(xs_stat "$NS_XA" XsExt ArpOutReplies)
	n=$(($(xs_stat "$NS_XA" XsExt ArpGcEvicted) + \
		$(xs_stat "$NS_XA" XsExt ArpTableFull)))
	out=$(flood request 2) || fail "arp_flood.py request: $out"
	log "$out"
	# The requests come faster than xa answers under TCG: veth's
	# backlog may drop some; most must be answered.
	check_stat_grew "xa answered the requests" "$NS_XA" XsExt \
		ArpOutReplies "$before" $((COUNT / 2))
	if [ "$(neigh_count)" -le "$THRESH3" ]; then
		ok "after $COUNT requests from distinct senders the table holds $(neigh_count) entries (gc_thresh3 $THRESH3)"
	else
		nok "the table holds $(neigh_count) entries, gc_thresh3 is $THRESH3"
	fi
	if [ $(($(xs_stat "$NS_XA" XsExt ArpGcEvicted) + \
		$(xs_stat "$NS_XA" XsExt ArpTableFull))) -gt "$n" ]; then
		ok "the table shed entries (ArpGcEvicted $(xs_stat "$NS_XA" XsExt ArpGcEvicted), ArpTableFull $(xs_stat "$NS_XA" XsExt ArpTableFull))"
	else
		nok "neither ArpGcEvicted nor ArpTableFull grew"
	fi
	log "slab memory: $slab0 kB before the floods, $(slab_kib) kB after"
	# Within 10 s: right after the flood every entry is younger than
	# 5 s, which the forced GC does not evict (Linux's rule), so nb's
	# entry, if evicted, may be refused for a few seconds.
	check "nb pings xa again within 10 s" in_nb ping -c 1 -i 0.5 -w 10 10.0.0.1
	check_dmesg_clean
	xs_done
}

main "$@"
