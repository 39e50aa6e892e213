// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 transmit (RFC 791, RFC 1122 3.3): routing, header construction,
 * fragmentation when DF is clear, neighbour resolution and
 * dev_queue_xmit(), and the internal loopback that carries datagrams to
 * this host's own addresses without touching a device.
 *
 * Datagrams leave through dev_queue_xmit(), so every qdisc applies; a
 * CHECKSUM_PARTIAL transport checksum is completed by the device or by
 * the core's software fallback.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/ip.h>
#include <linux/jhash.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/ip.h>

#include <linux/xstack.h>
#include "arp.h"
#include "igmp.h"
#include "ip.h"
#include "route.h"
#include "stats.h"
#include "xstack.h"

#define XS_LOOPBACK_QLEN	1024	/* datagrams waiting for the loopback */
#define XS_IP_RA_LEN		4	/* Router Alert option (RFC 2113) */

/**
 * struct xs_loopback - datagrams this host sends to itself
 * @queue: waiting datagrams (its own lock)
 * @work: drains @queue in softirq context (a BH work item, Linux's
 *	replacement for tasklets), as if the datagrams had arrived from a
 *	device: it runs as soon as the sender enables BHs again, as the
 *	native loopback's backlog does, so a sender cannot outrun it and
 *	overflow @queue; the sender's stack never holds the receiver's
 * @xn: namespace state
 * @id_base: random start of the IPv4 identification counter
 * @ids: identification counter (RFC 6864 4.1: unique per source,
 *	destination and protocol within the datagram lifetime)
 */
struct xs_loopback {
	struct sk_buff_head queue;
	struct work_struct work;
	struct xs_net *xn;
	u32 id_base;
	atomic_t ids;
};

static void xs_loopback_work(struct work_struct *work)
{
	struct xs_loopback *lo = container_of(work, struct xs_loopback, work);
	struct sk_buff *skb;
	unsigned int budget = 256;

	rcu_read_lock();
	while (budget-- && (skb = skb_dequeue(&lo->queue)))
		xs_ip_loopback_rcv(lo->xn, skb);
	rcu_read_unlock();
	if (!skb_queue_empty(&lo->queue))
		queue_work(system_bh_wq, &lo->work);
}

static int xs_loopback_xmit(struct xs_net *xn, struct sk_buff *skb,
			    const struct xs_rt *rt)
{
	struct xs_loopback *lo = xn->loopback;

	if (unlikely(skb_queue_len(&lo->queue) >= XS_LOOPBACK_QLEN)) {
		XS_INC(xn, Ip_OutDiscards);
		kfree_skb(skb);
		return -ENOBUFS;
	}
	skb_orphan(skb);
	skb_dst_drop(skb);
	skb->dev = NULL;
	skb->skb_iif = rt->xd->dev->ifindex;
	skb_queue_tail(&lo->queue, skb);
	queue_work(system_bh_wq, &lo->work);
	return 0;
}

/**
 * xs_loopback_net_init - set up the internal loopback of a namespace
 * @xn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int xs_loopback_net_init(struct xs_net *xn)
{
	struct xs_loopback *lo = kzalloc(sizeof(*lo), GFP_KERNEL);

	if (unlikely(!lo))
		return -ENOMEM;
	skb_queue_head_init(&lo->queue);
	INIT_WORK(&lo->work, xs_loopback_work);
	lo->xn = xn;
	lo->id_base = get_random_u32();
	xn->loopback = lo;
	return 0;
}

/**
 * xs_loopback_net_exit - stop the internal loopback and drop its queue
 * @xn: namespace state
 */
void xs_loopback_net_exit(struct xs_net *xn)
{
	struct xs_loopback *lo = xn->loopback;

	cancel_work_sync(&lo->work);
	skb_queue_purge(&lo->queue);
	kfree(lo);
	xn->loopback = NULL;
}

/* Last step for one (possibly fragment) datagram on a real device. */
static int xs_ip_finish(struct xs_net *xn, struct sk_buff *skb,
			const void *ctx)
{
	const struct xs_rt *rt = ctx;
	struct net_device *dev = rt->xd->dev;
	int err;

	if (unlikely(!netif_running(dev))) {
		XS_INC(xn, XsExt_IpOutDevDown);
		kfree_skb(skb);
		return -ENETDOWN;
	}
	if (unlikely(skb_cow_head(skb, LL_RESERVED_SPACE(dev)))) {
		XS_INC(xn, Ip_OutDiscards);
		kfree_skb(skb);
		return -ENOBUFS;
	}
	skb->dev = dev;
	skb->protocol = htons(ETH_P_IP);
	XS_INC(xn, Ip_OutTransmits);
	XS_ADD(xn, IpExt_OutOctets, skb->len);
	if (rt->type == XSTACK_RT_BROADCAST)
		XS_INC(xn, IpExt_OutBcastPkts);
	else if (rt->type == XSTACK_RT_MULTICAST)
		XS_INC(xn, IpExt_OutMcastPkts);

	if (READ_ONCE(rt->xd->noarp))
		err = dev_queue_xmit(skb);
	else
		err = xs_neigh_output(rt->xd, rt->nexthop, skb);
	if (unlikely(err < 0 || err == NET_XMIT_DROP)) {
		XS_INC(xn, XsExt_IpOutXmitErrors);
		return err < 0 ? err : -ENOBUFS;
	}
	/* Sent, but the qdisc says its queue is congested: TCP reduces. */
	return err == NET_XMIT_CN ? NET_XMIT_CN : 0;
}

/**
 * xs_ip_output - send a datagram whose IPv4 header is built
 * @xn: namespace state
 * @skb: datagram, data at its IPv4 header
 * @rt: route from xs_route_output()
 *
 * Context: rcu_read_lock held. Consumes @skb.
 * Return: 0, NET_XMIT_CN (sent; the qdisc's queue is congested),
 * -EMSGSIZE (too big with DF set), or a transmit error (< 0).
 */
int xs_ip_output(struct xs_net *xn, struct sk_buff *skb,
		 const struct xs_rt *rt)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (rt->type == XSTACK_RT_LOCAL)
		return xs_loopback_xmit(xn, skb, rt);
	if (skb->len <= rt->mtu || skb_is_gso(skb))
		return xs_ip_finish(xn, skb, rt);

	if (iph->frag_off & htons(IP_DF)) {
		XS_INC(xn, Ip_FragFails);
		kfree_skb(skb);
		return -EMSGSIZE;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		XS_INC(xn, Ip_FragFails);
		kfree_skb(skb);
		return -ENOBUFS;
	}
	return xs_ip_fragment(xn, skb, rt->mtu, xs_ip_finish, rt);
}

static __be16 xs_ip_select_id(struct xs_net *xn, const struct xs_ip_tx *tx)
{
	struct xs_loopback *lo = xn->loopback;
	u32 hash = jhash_3words((__force u32)tx->daddr,
				(__force u32)tx->saddr, tx->protocol,
				lo->id_base);

	return htons(hash + atomic_inc_return(&lo->ids));
}

/* The DF rule of Linux's __ip_make_skb() for each IP_MTU_DISCOVER mode. */
static bool xs_ip_want_df(u8 pmtudisc, unsigned int len, const struct xs_rt *rt)
{
	switch (pmtudisc) {
	case IP_PMTUDISC_DO:
	case IP_PMTUDISC_PROBE:
		return true;
	case IP_PMTUDISC_WANT:
		return len <= rt->mtu;
	default:
		return false;
	}
}

static void xs_ip_build_header(struct xs_net *xn, struct sk_buff *skb,
			       const struct xs_ip_tx *tx, const struct xs_rt *rt)
{
	unsigned int hlen = sizeof(struct iphdr) +
			    (tx->router_alert ? XS_IP_RA_LEN : 0);
	struct iphdr *iph;
	u8 *opt;

	skb_push(skb, hlen);
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = hlen / 4;
	if (tx->router_alert) {
		/* RFC 2113 2.1: type 148, length 4, value 0. */
		opt = (u8 *)(iph + 1);
		opt[0] = IPOPT_RA;
		opt[1] = XS_IP_RA_LEN;
		opt[2] = 0;
		opt[3] = 0;
	}
	iph->tos = tx->tos;
	iph->tot_len = htons(skb->len);
	iph->frag_off = xs_ip_want_df(tx->pmtudisc, skb->len, rt) ?
			htons(IP_DF) : 0;
	iph->id = xs_ip_select_id(xn, tx);
	if (tx->ttl || tx->ttl_exact)
		iph->ttl = tx->ttl;
	else if (rt->type == XSTACK_RT_MULTICAST)
		iph->ttl = 1;	/* RFC 1112 6.1: default multicast TTL */
	else
		iph->ttl = READ_ONCE(xn->sysctl_ip_default_ttl);
	iph->protocol = tx->protocol;
	iph->saddr = tx->saddr ?: rt->src;
	iph->daddr = tx->daddr;
	ip_send_check(iph);
}

/*
 * Local members see our multicast (IP_MULTICAST_LOOP, RFC 1112 6.1) and
 * local sockets our broadcasts, through the internal loopback, as Linux.
 */
static void xs_ip_loop_copy(struct xs_net *xn, struct sk_buff *skb,
			    const struct xs_ip_tx *tx, const struct xs_rt *rt)
{
	struct sk_buff *copy;

	if (rt->type == XSTACK_RT_MULTICAST) {
		if (!tx->mc_loop || !xs_mc_dev_member_rcu(rt->xd, tx->daddr))
			return;
	} else if (rt->type != XSTACK_RT_BROADCAST) {
		return;
	}
	copy = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!copy))
		return;
	copy->pkt_type = rt->type == XSTACK_RT_BROADCAST ? PACKET_BROADCAST :
							   PACKET_MULTICAST;
	xs_loopback_xmit(xn, copy, rt);
}

/**
 * xs_ip_send_routed - prepend IPv4 to a transport datagram and send it
 * @xn: namespace state
 * @skb: datagram, data at the transport header
 * @tx: addresses and header fields
 * @rt: route the caller looked up for @tx
 *
 * Context: rcu_read_lock held (for @rt). Consumes @skb.
 * Return: as xs_ip_send().
 */
int xs_ip_send_routed(struct xs_net *xn, struct sk_buff *skb,
		      const struct xs_ip_tx *tx, const struct xs_rt *rt)
{
	if (unlikely(rt->type == XSTACK_RT_BROADCAST && !tx->broadcast_ok)) {
		kfree_skb(skb);
		return -EACCES;
	}
	if (unlikely(skb->len + sizeof(struct iphdr) > IP_MAX_MTU)) {
		kfree_skb(skb);
		return -EMSGSIZE;
	}
	if (unlikely(skb_cow_head(skb, sizeof(struct iphdr) + XS_IP_RA_LEN))) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	skb->priority = tx->priority;
	skb->mark = tx->mark;
	xs_ip_build_header(xn, skb, tx, rt);
	XS_INC(xn, Ip_OutRequests);
	xs_ip_loop_copy(xn, skb, tx, rt);
	return xs_ip_output(xn, skb, rt);
}

/**
 * xs_ip_send - route a transport datagram, prepend IPv4 and send it
 * @xn: namespace state
 * @skb: datagram, data at the transport header, headroom for IPv4 and
 *	the link layer
 * @tx: addresses and header fields
 *
 * Consumes @skb.
 * Return: 0, NET_XMIT_CN (sent; the qdisc's queue is congested),
 * -ENETUNREACH, -EADDRNOTAVAIL, -EACCES, -EMSGSIZE, -ENOBUFS, or an error
 * from the device or the neighbour.
 */
int xs_ip_send(struct xs_net *xn, struct sk_buff *skb,
	       const struct xs_ip_tx *tx)
{
	struct xs_rt rt;
	int err;

	rcu_read_lock();
	err = xs_route_output(xn, tx->daddr, tx->saddr, tx->oif, &rt);
	if (likely(!err))
		err = xs_ip_send_routed(xn, skb, tx, &rt);
	else
		kfree_skb(skb);
	rcu_read_unlock();
	return err;
}
