// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 receive (RFC 791, RFC 1122 3.2.1): which frames are xstack's,
 * header validation, option skipping, reassembly, and delivery to the
 * transport protocols, plus ICMP error dispatch to the transport that
 * sent the offending datagram.
 *
 * An xstack host owns its unicast addresses: datagrams to them are
 * consumed. Broadcasts are copied (the native stack gets the original);
 * everything else passes to the native stack untouched (DESIGN.md
 * principle 3). This host does not forward.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "icmp.h"
#include "igmp.h"
#include "ip.h"
#include "route.h"
#include "stats.h"
#include "tcp.h"
#include "udp.h"
#include "xstack.h"

/* Transport protocols by IPPROTO_* number; later issues add theirs. */
static const struct xs_l4_proto *const xs_l4_protos[IPPROTO_MAX] = {
	[IPPROTO_ICMP] = &xs_icmp_l4,
	[IPPROTO_IGMP] = &xs_igmp_l4,
	[IPPROTO_UDP] = &xs_udp_l4,
	[IPPROTO_TCP] = &xs_tcp_l4,
};

/* RFC 1122 3.2.1.3: sources that can never be valid. */
static bool xs_bad_source(__be32 saddr)
{
	u32 a = ntohl(saddr);

	return (a >> 24) == 127 || (a >> 28) >= 0xe || saddr == 0;
}

/* RFC 791 3.1: walk the options so a malformed list is refused. */
static bool xs_ip_options_ok(const struct iphdr *iph)
{
	const u8 *opt = (const u8 *)(iph + 1);
	unsigned int len = iph->ihl * 4 - sizeof(*iph);
	unsigned int i = 0, olen;

	while (i < len) {
		if (opt[i] == IPOPT_END)
			return true;
		if (opt[i] == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return false;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			return false;
		i += olen;
	}
	return true;
}

/*
 * Full validation of a datagram addressed to us (RFC 1122 3.2.1.1-2):
 * version, IHL, total length against the frame, checksum, options.
 * Trims link-layer padding. Returns 0 or the counter to blame.
 */
static int xs_ip_validate(struct xs_net *xn, struct sk_buff *skb)
{
	const struct iphdr *iph;
	unsigned int len, hlen;

	if (unlikely(!pskb_may_pull(skb, sizeof(*iph))))
		goto err_trunc;
	iph = ip_hdr(skb);
	hlen = iph->ihl * 4;
	if (unlikely(iph->version != 4 || hlen < sizeof(*iph)))
		goto err_hdr;
	if (unlikely(!pskb_may_pull(skb, hlen)))
		goto err_trunc;
	iph = ip_hdr(skb);
	if (unlikely(ip_fast_csum((const u8 *)iph, iph->ihl)))
		goto err_csum;
	len = ntohs(iph->tot_len);
	if (unlikely(len < hlen))
		goto err_hdr;
	if (unlikely(skb->len < len))
		goto err_trunc;
	if (unlikely(pskb_trim_rcsum(skb, len)))
		goto err_discard;
	if (hlen > sizeof(*iph) && unlikely(!xs_ip_options_ok(ip_hdr(skb)))) {
		XS_INC(xn, XsExt_IpInBadOptions);
		goto err_hdr;
	}
	return 0;

err_csum:
	XS_INC(xn, IpExt_InCsumErrors);
	goto err_hdr;
err_trunc:
	XS_INC(xn, IpExt_InTruncatedPkts);
err_hdr:
	XS_INC(xn, Ip_InHdrErrors);
	return -EINVAL;
err_discard:
	XS_INC(xn, Ip_InDiscards);
	return -ENOMEM;
}

static void xs_ip_unknown_proto(struct xs_net *xn, struct sk_buff *skb)
{
	XS_INC(xn, Ip_InUnknownProtos);
	/* RFC 1122 3.2.2.1: protocol unreachable, only for unicast. */
	if (skb->pkt_type == PACKET_HOST || skb->pkt_type == PACKET_LOOPBACK)
		xs_icmp_send(xn, skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
	kfree_skb(skb);
}

/**
 * xs_ip_local_deliver - hand a complete datagram to its transport
 * @xn: namespace state
 * @skb: datagram, data at the validated IPv4 header
 *
 * Context: softirq, rcu_read_lock held. Consumes @skb.
 */
void xs_ip_local_deliver(struct xs_net *xn, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct xs_l4_proto *l4 = xs_l4_protos[iph->protocol];

	if (!l4) {
		xs_ip_unknown_proto(xn, skb);
		return;
	}
	__skb_pull(skb, iph->ihl * 4);
	skb_reset_transport_header(skb);
	XS_INC(xn, Ip_InDelivers);
	l4->rcv(xn, skb);
}

/**
 * xs_ip_deliver_err - dispatch an ICMP error to the sending transport
 * @xn: namespace state
 * @skb: skb whose data is at the embedded IPv4 header (with its first 8
 *	transport bytes present)
 * @type: ICMP type
 * @code: ICMP code
 * @info: next-hop MTU for fragmentation needed, else 0
 *
 * Does not consume @skb.
 */
void xs_ip_deliver_err(struct xs_net *xn, struct sk_buff *skb, u8 type,
		       u8 code, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct xs_l4_proto *l4 = xs_l4_protos[iph->protocol];

	if (l4 && l4->err)
		l4->err(xn, skb, type, code, info);
}

/*
 * A datagram for this host: validate, reassemble, deliver. @looped: it
 * came through the internal loopback, so our own source is expected.
 * Consumes.
 */
static void xs_ip_input(struct xs_net *xn, struct sk_buff *skb, bool looped)
{
	const struct iphdr *iph;

	XS_INC(xn, Ip_InReceives);
	XS_ADD(xn, IpExt_InOctets, skb->len);
	/*
	 * The sender's socket lets go (as Linux's ip_rcv_core()): its
	 * small-queue accounting counts only what is below it.
	 */
	skb_orphan(skb);
	if (xs_ip_validate(xn, skb))
		goto drop;
	iph = ip_hdr(skb);
	if (unlikely(xs_bad_source(iph->saddr) ||
		     (!looped && xs_addr_lookup_rcu(xn, iph->saddr)))) {
		XS_INC(xn, XsExt_IpInBadSource);
		XS_INC(xn, Ip_InAddrErrors);
		goto drop;
	}
	if (ip_is_fragment(iph)) {
		skb = xs_ip_defrag(xn, skb);
		if (!skb)
			return;
	}
	xs_ip_local_deliver(xn, skb);
	return;

drop:
	kfree_skb(skb);
}

/**
 * xs_ip_loopback_rcv - receive a datagram this host sent to itself
 * @xn: namespace state
 * @skb: datagram, data at its IPv4 header
 *
 * Context: BH disabled, rcu_read_lock held. Consumes @skb.
 */
void xs_ip_loopback_rcv(struct xs_net *xn, struct sk_buff *skb)
{
	if (skb->pkt_type != PACKET_BROADCAST &&
	    skb->pkt_type != PACKET_MULTICAST)
		skb->pkt_type = PACKET_LOOPBACK;
	skb_reset_network_header(skb);
	/* Our own checksums are right; partial ones need no completion. */
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	XS_INC(xn, XsExt_IpLoopbackPkts);
	xs_ip_input(xn, skb, true);
}

/**
 * xs_ip_rx - decide whether an IPv4 frame is xstack's, and take it
 * @xd: receiving device
 * @skb: frame, data at the IPv4 header, not shared
 *
 * Context: softirq, rcu_read_lock held (rx_handler).
 * Return: RX_HANDLER_CONSUMED when xstack took the frame, or
 * RX_HANDLER_PASS to leave it (unchanged) to the native stack.
 */
rx_handler_result_t xs_ip_rx(struct xs_dev *xd, struct sk_buff *skb)
{
	struct xs_net *xn = xd->xn;
	const __be32 *pdaddr;
	struct sk_buff *copy;
	__be32 buf, daddr;

	if (skb->pkt_type == PACKET_OTHERHOST)
		return RX_HANDLER_PASS;
	pdaddr = skb_header_pointer(skb, offsetof(struct iphdr, daddr),
				    sizeof(buf), &buf);
	if (!pdaddr)
		return RX_HANDLER_PASS;
	daddr = *pdaddr;

	if (xs_addr_lookup_rcu(xn, daddr)) {
		xs_ip_input(xn, skb, false);
		return RX_HANDLER_CONSUMED;
	}
	/* Broadcast, and multicast we joined: a copy, the native stack
	 * keeps the original (DESIGN.md principle 3).
	 */
	if (ipv4_is_multicast(daddr)) {
		if (!xs_mc_dev_member_rcu(xd, daddr))
			return RX_HANDLER_PASS;
		XS_INC(xn, IpExt_InMcastPkts);
	} else if (xs_addr_is_broadcast_rcu(xd, daddr)) {
		XS_INC(xn, IpExt_InBcastPkts);
	} else {
		return RX_HANDLER_PASS;
	}
	copy = skb_clone(skb, GFP_ATOMIC);
	if (likely(copy)) {
		if (!ipv4_is_multicast(daddr))
			copy->pkt_type = PACKET_BROADCAST;
		xs_ip_input(xn, copy, false);
	} else {
		XS_INC(xn, Ip_InDiscards);
	}
	return RX_HANDLER_PASS;
}
