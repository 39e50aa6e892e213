// SPDX-License-Identifier: GPL-2.0
/*
 * ARP for IPv4 over Ethernet (RFC 826): packet validation, replies for
 * xstack's addresses, requests on behalf of the neighbour cache
 * (neigh.c), gratuitous announcements of new addresses (RFC 5227 2.3)
 * and /proc/net/xstack/arp.
 *
 * Coexistence (DESIGN.md principle 3): an attached device carries both
 * stacks, so xstack consumes only the ARP frames that are its own, a
 * request or a reply whose target protocol address is one of xstack's
 * addresses on the receiving device. Every other frame goes on to the
 * native stack untouched; xstack reads it through skb_header_pointer()
 * (the skb may be shared with taps) and may refresh an entry it already
 * has from it, but never creates one (RFC 826's merge without add, and
 * protection against cache poisoning by unsolicited packets).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/netdevice.h>
#include <linux/proc_fs.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include <linux/xstack.h>
#include "arp.h"
#include "neigh.h"
#include "route.h"
#include "stats.h"
#include "xstack.h"

static_assert(sizeof(struct xs_arp_eth) == 28);

/**
 * xs_arp_check - validate a received ARP packet
 * @arp: the packet (28 bytes present)
 * @dev_addr: the receiving device's hardware address
 *
 * RFC 826 "Packet Reception": hardware type Ethernet, protocol IPv4,
 * address lengths 6 and 4. RFC 1122 2.3.2.2 and Linux's arp_process()
 * sanity: the sender must be a possible neighbour (a unicast hardware
 * address, a unicast protocol address or 0.0.0.0 for an RFC 5227 probe,
 * which is a request), and the target address cannot be multicast or
 * loopback.
 *
 * Return: see enum xs_arp_verdict.
 */
enum xs_arp_verdict xs_arp_check(const struct xs_arp_eth *arp,
				 const u8 *dev_addr)
{
	u16 op = ntohs(arp->op);

	if (arp->hrd != htons(ARPHRD_ETHER) || arp->pro != htons(ETH_P_IP) ||
	    arp->hln != ETH_ALEN || arp->pln != sizeof(__be32))
		return XS_ARP_MALFORMED;
	if (op != ARPOP_REQUEST && op != ARPOP_REPLY)
		return XS_ARP_OTHER_OP;
	if (!is_valid_ether_addr(arp->sha))
		return XS_ARP_MALFORMED;
	if (ether_addr_equal(arp->sha, dev_addr))
		return XS_ARP_OWN_MAC;
	if (arp->sip ? !xs_addr_is_host_unicast(arp->sip) : op == ARPOP_REPLY)
		return XS_ARP_MALFORMED;
	if (ipv4_is_multicast(arp->tip) || ipv4_is_loopback(arp->tip))
		return XS_ARP_MALFORMED;
	return XS_ARP_OK;
}

/**
 * xs_arp_send - build and transmit an ARP packet
 * @xn: namespace state
 * @dev: output device
 * @op: ARPOP_REQUEST or ARPOP_REPLY
 * @sip: sender protocol address
 * @tip: target protocol address
 * @dst_hw: Ethernet destination, NULL for broadcast
 * @tha: target hardware address, NULL for zero (requests: RFC 5227
 *	section 2.1.1 "SHOULD be set to all zeroes")
 *
 * The sender hardware address is the device's.
 *
 * Context: any.
 * Return: 0 when handed to the device, else a negative errno.
 */
int xs_arp_send(struct xs_net *xn, struct net_device *dev, u16 op,
		__be32 sip, __be32 tip, const u8 *dst_hw, const u8 *tha)
{
	int hlen = LL_RESERVED_SPACE(dev);
	struct xs_arp_eth *arp;
	struct sk_buff *skb;
	int rc;

	skb = alloc_skb(hlen + sizeof(*arp) + dev->needed_tailroom,
			GFP_ATOMIC);
	if (unlikely(!skb))
		return -ENOMEM;
	skb_reserve(skb, hlen);
	skb_reset_network_header(skb);
	arp = skb_put(skb, sizeof(*arp));
	skb->dev = dev;
	skb->protocol = htons(ETH_P_ARP);

	arp->hrd = htons(ARPHRD_ETHER);
	arp->pro = htons(ETH_P_IP);
	arp->hln = ETH_ALEN;
	arp->pln = sizeof(__be32);
	arp->op = htons(op);
	ether_addr_copy(arp->sha, dev->dev_addr);
	arp->sip = sip;
	if (tha)
		ether_addr_copy(arp->tha, tha);
	else
		eth_zero_addr(arp->tha);
	arp->tip = tip;

	if (unlikely(dev_hard_header(skb, dev, ETH_P_ARP,
				     dst_hw ?: dev->broadcast, dev->dev_addr,
				     skb->len) < 0)) {
		kfree_skb(skb);
		return -EINVAL;
	}
	rc = dev_queue_xmit(skb);
	return rc > 0 ? net_xmit_errno(rc) : rc;
}

/* xstack's address @ip if it is on @xd. Context: rcu_read_lock(). */
static struct xs_ifaddr *xs_arp_local_rcu(struct xs_dev *xd, __be32 ip)
{
	struct xs_ifaddr *ifa;

	if (!ip)
		return NULL;
	ifa = xs_addr_lookup_rcu(xd->xn, ip);
	return ifa && ifa->xd == xd ? ifa : NULL;
}

/**
 * xs_arp_select_src_rcu - sender address of a request
 * @xd: output device
 * @hint: source address of the packet that needs the resolution, or 0
 * @target: address being resolved
 *
 * As Linux with arp_announce=0 prefers: the waiting packet's source if
 * it is ours on @xd, else an address of @xd on @target's subnet, else
 * @xd's first address. 0.0.0.0 (an RFC 5227 probe) if @xd has none.
 *
 * Context: rcu_read_lock().
 * Return: the address.
 */
__be32 xs_arp_select_src_rcu(const struct xs_dev *xd, __be32 hint,
			     __be32 target)
{
	const struct xs_ifaddr *ifa;
	__be32 first = 0;

	list_for_each_entry_rcu(ifa, &xd->addrs, list) {
		if (hint && ifa->local == hint)
			return hint;
		if (!first)
			first = ifa->local;
	}
	list_for_each_entry_rcu(ifa, &xd->addrs, list)
		if (!((ifa->local ^ target) & ifa->mask))
			return ifa->local;
	return first;
}

static void xs_arp_conflict(struct xs_dev *xd, const struct xs_arp_eth *arp)
{
	__be32 sip = arp->sip;

	XS_INC(xd->xn, XsExt_ArpInAddrConflicts);
	/* RFC 5227 2.4: a conflict must be reported to the administrator. */
	if (net_ratelimit())
		netdev_warn(xd->dev, "xstack: address %pI4 is also used by %pM\n",
			    &sip, arp->sha);
}

/**
 * xs_arp_rx - an ARP frame received on an attached Ethernet device
 * @xd: the device
 * @skb: the frame, data at the ARP header; possibly shared
 *
 * RFC 826 "Packet Reception" for requests and replies whose target is
 * one of xstack's addresses on @xd: a request is answered (and its
 * sender merged into the cache, created if needed, unless it is an RFC
 * 5227 probe from 0.0.0.0); a reply updates the entry of its sender if
 * there is one, as REACHABLE when unicast to us (RFC 4861 7.3.3: a
 * solicited confirmation). Both are consumed. Anything else, including
 * gratuitous ARP, only refreshes existing entries, as STALE, and is
 * passed on. Malformed frames, frames with our own sender hardware
 * address and other operations are counted and passed on.
 *
 * Context: softirq, rcu_read_lock() held (rx handler).
 * Return: RX_HANDLER_CONSUMED (@skb freed) or RX_HANDLER_PASS (@skb
 * untouched).
 */
rx_handler_result_t xs_arp_rx(struct xs_dev *xd, struct sk_buff *skb)
{
	struct net_device *dev = xd->dev;
	struct xs_net *xn = xd->xn;
	const struct xs_arp_eth *arp;
	struct xs_arp_eth buf;
	unsigned int flags;
	bool garp;
	u8 state;

	/* As Linux's arp_rcv(): IFF_NOARP devices ignore ARP. */
	if (READ_ONCE(xd->noarp) || (dev->flags & IFF_NOARP) ||
	    skb->pkt_type == PACKET_OTHERHOST ||
	    skb->pkt_type == PACKET_LOOPBACK || skb_vlan_tag_present(skb))
		return RX_HANDLER_PASS;

	arp = skb_header_pointer(skb, 0, sizeof(buf), &buf);
	if (unlikely(!arp)) {
		XS_INC(xn, XsExt_ArpInMalformed);
		return RX_HANDLER_PASS;
	}
	switch (xs_arp_check(arp, dev->dev_addr)) {
	case XS_ARP_OK:
		break;
	case XS_ARP_MALFORMED:
		XS_INC(xn, XsExt_ArpInMalformed);
		return RX_HANDLER_PASS;
	case XS_ARP_OWN_MAC:
		XS_INC(xn, XsExt_ArpInOwnMac);
		return RX_HANDLER_PASS;
	case XS_ARP_OTHER_OP:
		XS_INC(xn, XsExt_ArpInIgnored);
		return RX_HANDLER_PASS;
	}
	/* A directed broadcast cannot be a sender either. */
	if (unlikely(arp->sip && xs_addr_is_broadcast_rcu(xd, arp->sip))) {
		XS_INC(xn, XsExt_ArpInMalformed);
		return RX_HANDLER_PASS;
	}
	if (unlikely(xs_arp_local_rcu(xd, arp->sip))) {
		xs_arp_conflict(xd, arp);
		return RX_HANDLER_PASS;
	}

	if (!xs_arp_local_rcu(xd, arp->tip)) {
		/* Not ours: refresh, never create (RFC 826 merge only). */
		XS_INC(xn, XsExt_ArpInIgnored);
		garp = arp->sip == arp->tip;
		if (arp->sip)
			xs_neigh_learn(xd, arp->sip, arp->sha, XSTACK_NUD_STALE,
				       garp ? XS_NEIGH_F_OVERRIDE :
				       XS_NEIGH_F_LOCKTIME, false);
		return RX_HANDLER_PASS;
	}

	if (arp->op == htons(ARPOP_REQUEST)) {
		XS_INC(xn, XsExt_ArpInRequests);
		/* RFC 826: "Am I the target? Yes: add the triplet." */
		if (arp->sip)
			xs_neigh_learn(xd, arp->sip, arp->sha, XSTACK_NUD_STALE,
				       XS_NEIGH_F_OVERRIDE, true);
		/* "Swap hardware and protocol fields ... send it". */
		if (!xs_arp_send(xn, dev, ARPOP_REPLY, arp->tip, arp->sip,
				 arp->sha, arp->sha))
			XS_INC(xn, XsExt_ArpOutReplies);
	} else {
		XS_INC(xn, XsExt_ArpInReplies);
		/* Broadcast replies do not prove reachability (as Linux). */
		state = skb->pkt_type == PACKET_HOST ? XSTACK_NUD_REACHABLE :
						       XSTACK_NUD_STALE;
		flags = XS_NEIGH_F_LOCKTIME;
		xs_neigh_learn(xd, arp->sip, arp->sha, state, flags, false);
	}
	consume_skb(skb);
	return RX_HANDLER_CONSUMED;
}

/* ------------------------------------------------------------------ */
/* RFC 5227 announcements                                              */
/* ------------------------------------------------------------------ */

/**
 * struct xs_arp_ann - announcements of one address still to be sent
 * @list: entry in tbl->announces (tbl->lock); empty once
 *	xs_arp_announce_flush() took it, which then owns it
 * @timer: fires every ANNOUNCE_INTERVAL
 * @tbl: table of the namespace
 * @ifindex: device of the address (looked up again at each send)
 * @addr: the address
 * @left: announcements still to send
 */
struct xs_arp_ann {
	struct list_head list;
	struct timer_list timer;
	struct xs_neigh_table *tbl;
	int ifindex;
	__be32 addr;
	unsigned int left;
};

/*
 * RFC 5227 2.3: an ARP Announcement is a broadcast request whose sender
 * and target protocol addresses are both the announced address.
 */
static void xs_arp_announce_send(struct xs_net *xn, struct xs_dev *xd,
				 __be32 addr)
{
	if (!netif_running(xd->dev) || READ_ONCE(xd->noarp) ||
	    (xd->dev->flags & IFF_NOARP))
		return;
	if (!xs_arp_send(xn, xd->dev, ARPOP_REQUEST, addr, addr, NULL, NULL))
		XS_INC(xn, XsExt_ArpOutAnnounces);
}

static void xs_arp_ann_timer(struct timer_list *t)
{
	struct xs_arp_ann *a = from_timer(a, t, timer);
	struct xs_neigh_table *tbl = a->tbl;
	struct xs_net *xn = tbl->xn;
	struct xs_dev *xd;
	bool done;

	/* The device or the address may be gone: look both up again. */
	rcu_read_lock();
	list_for_each_entry_rcu(xd, &xn->devs, list) {
		if (xd->dev->ifindex != a->ifindex)
			continue;
		if (xs_arp_local_rcu(xd, a->addr))
			xs_arp_announce_send(xn, xd, a->addr);
		break;
	}
	rcu_read_unlock();

	spin_lock(&tbl->lock);
	if (list_empty(&a->list)) {
		/* xs_arp_announce_flush() owns it now. */
		spin_unlock(&tbl->lock);
		return;
	}
	done = --a->left == 0;
	if (done)
		list_del(&a->list);
	else
		mod_timer(&a->timer, jiffies + XS_ARP_ANNOUNCE_IVAL);
	spin_unlock(&tbl->lock);
	if (done)
		kfree(a);
}

/**
 * xs_arp_announce - announce a new address (gratuitous ARP)
 * @ifa: the address, just added to an attached device
 *
 * RFC 5227 2.3: ANNOUNCE_NUM (2) announcements, ANNOUNCE_INTERVAL (2 s)
 * apart, the first at once, so that neighbours update stale caches.
 * Skipped on devices without ARP and while the device is down.
 *
 * Context: process, RTNL held.
 */
void xs_arp_announce(struct xs_ifaddr *ifa)
{
	struct xs_dev *xd = ifa->xd;
	struct xs_net *xn = xd->xn;
	struct xs_neigh_table *tbl = xn->neigh;
	struct xs_arp_ann *a;

	ASSERT_RTNL();
	if (!tbl || xd->noarp || (xd->dev->flags & IFF_NOARP) ||
	    !netif_running(xd->dev))
		return;
	xs_arp_announce_send(xn, xd, ifa->local);
	if (XS_ARP_ANNOUNCE_NUM < 2)
		return;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (unlikely(!a))
		return;
	a->tbl = tbl;
	a->ifindex = xd->dev->ifindex;
	a->addr = ifa->local;
	a->left = XS_ARP_ANNOUNCE_NUM - 1;
	timer_setup(&a->timer, xs_arp_ann_timer, 0);
	spin_lock_bh(&tbl->lock);
	if (unlikely(tbl->dead)) {
		spin_unlock_bh(&tbl->lock);
		kfree(a);
		return;
	}
	list_add_tail(&a->list, &tbl->announces);
	mod_timer(&a->timer, jiffies + XS_ARP_ANNOUNCE_IVAL);
	spin_unlock_bh(&tbl->lock);
}

/**
 * xs_arp_announce_flush - cancel every pending announcement
 * @tbl: the namespace's table, already marked dead
 *
 * Context: process.
 */
void xs_arp_announce_flush(struct xs_neigh_table *tbl)
{
	struct xs_arp_ann *a, *tmp;
	LIST_HEAD(list);

	spin_lock_bh(&tbl->lock);
	list_for_each_entry_safe(a, tmp, &tbl->announces, list)
		list_move_tail(&a->list, &list);
	spin_unlock_bh(&tbl->lock);
	list_for_each_entry_safe(a, tmp, &list, list) {
		/* An empty a->list tells a running callback to let go. */
		spin_lock_bh(&tbl->lock);
		list_del_init(&a->list);
		spin_unlock_bh(&tbl->lock);
		timer_shutdown_sync(&a->timer);
		kfree(a);
	}
}

/* ------------------------------------------------------------------ */
/* /proc/net/xstack/arp                                                */
/* ------------------------------------------------------------------ */

/*
 * The layout of Linux's /proc/net/arp. A position is the bucket in the
 * high 32 bits and the index in its chain plus one in the low ones; 0 is
 * the header line.
 */
#define XS_ARP_POS(b, i)	((((loff_t)(b)) << 32) | ((i) + 1))

static struct xs_neigh *xs_arp_seq_find(struct seq_file *seq, loff_t *pos)
{
	struct xs_neigh_table *tbl = xs_net(seq_file_net(seq))->neigh;
	struct xs_neigh_hash *h = rcu_dereference(tbl->hash);
	u32 b = (u64)(*pos - 1) >> 32, i = (*pos - 1) & 0xffffffff, k;
	struct xs_neigh *n;

	for (; b < (1U << h->shift); b++, i = 0) {
		n = rcu_dereference(h->buckets[b]);
		for (k = 0; n && k < i; k++)
			n = rcu_dereference(n->next);
		if (n) {
			*pos = XS_ARP_POS(b, k);
			return n;
		}
	}
	return NULL;
}

static void *xs_arp_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	rcu_read_lock();
	if (!*pos)
		return SEQ_START_TOKEN;
	return xs_arp_seq_find(seq, pos);
}

static void *xs_arp_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct xs_neigh *n;

	if (v == SEQ_START_TOKEN) {
		*pos = XS_ARP_POS(0, 0);
		n = xs_arp_seq_find(seq, pos);
	} else {
		(*pos)++;
		n = xs_arp_seq_find(seq, pos);
	}
	if (!n)
		*pos = LLONG_MAX;
	return n;
}

static void xs_arp_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int xs_arp_seq_show(struct seq_file *seq, void *v)
{
	struct xs_neigh *n = v;
	struct net_device *dev;
	unsigned int flags = 0;
	u8 ha[ETH_ALEN] __aligned(2);
	u8 state;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "IP address       HW type     Flags       HW address            Mask     Device\n");
		return 0;
	}
	dev = dev_get_by_index_rcu(seq_file_net(seq), n->ifindex);
	spin_lock_bh(&n->lock);
	state = n->state;
	ether_addr_copy(ha, n->ha);
	spin_unlock_bh(&n->lock);
	if (!dev || state == XS_NUD_NONE)
		return 0;
	/* ATF_COM: address known; ATF_PERM: static (Linux's flags). */
	if (state & XS_NUD_VALID)
		flags |= ATF_COM;
	else
		eth_zero_addr(ha);
	if (state & XSTACK_NUD_PERMANENT)
		flags |= ATF_PERM;
	seq_printf(seq, "%-16pI4 0x%-10x0x%-10x%pM     %-8s %s\n", &n->ip,
		   dev->type, flags, ha, "*", dev->name);
	return 0;
}

static const struct seq_operations xs_arp_seq_ops = {
	.start = xs_arp_seq_start,
	.next = xs_arp_seq_next,
	.stop = xs_arp_seq_stop,
	.show = xs_arp_seq_show,
};

/**
 * xs_arp_proc_init - create /proc/net/xstack/arp
 * @xn: namespace state (proc_dir and neigh already set up)
 *
 * Return: 0 or -ENOMEM.
 */
int xs_arp_proc_init(struct xs_net *xn)
{
	if (unlikely(!proc_create_net("arp", 0444, xn->proc_dir,
				      &xs_arp_seq_ops,
				      sizeof(struct seq_net_private))))
		return -ENOMEM;
	return 0;
}

/**
 * xs_arp_proc_exit - remove /proc/net/xstack/arp
 * @xn: namespace state
 */
void xs_arp_proc_exit(struct xs_net *xn)
{
	remove_proc_entry("arp", xn->proc_dir);
}

/**
 * xs_arp_net_init - ARP and the neighbour cache of a new namespace
 * @xn: namespace state; its counters and /proc/net/xstack must exist
 *
 * Context: process (pernet init).
 * Return: 0 or -ENOMEM.
 */
int xs_arp_net_init(struct xs_net *xn)
{
	int err;

	err = xs_neigh_table_init(xn);
	if (unlikely(err))
		return err;
	err = xs_arp_proc_init(xn);
	if (unlikely(err))
		goto err_proc;
	return 0;

err_proc:
	xs_neigh_table_exit(xn);
	return err;
}

/**
 * xs_arp_net_exit - release ARP state of a namespace
 * @xn: namespace state
 *
 * Removes /proc/net/xstack/arp and destroys the cache: timers, queued
 * packets, announcements and entries. Call it before the counters and
 * /proc/net/xstack go away.
 *
 * Context: process (pernet exit).
 */
void xs_arp_net_exit(struct xs_net *xn)
{
	if (!xn->neigh)
		return;
	xs_arp_proc_exit(xn);
	xs_neigh_table_exit(xn);
}
