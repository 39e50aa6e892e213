// SPDX-License-Identifier: GPL-2.0
/*
 * Multicast group membership, host side of IGMPv2 (RFC 2236, with the
 * IGMPv1 compatibility of its section 4 and the IGMPv3 query format of
 * RFC 3376 7.1):
 *
 *  - per-device group tables (struct xs_mc_dev, hung off struct xs_dev
 *    on the first join) whose entries count the sockets that joined, and
 *    the device's link-layer multicast filter (RFC 1112 6.4);
 *  - unsolicited reports on join, repeated after a random delay up to
 *    net.xstack.igmp_unsolicited_report_interval, net.xstack.igmp_qrv
 *    reports in all (RFC 2236 3); a Leave Group to all-routers when the
 *    last member leaves and we sent the last report (RFC 2236 3, 6);
 *  - answers to general and group-specific queries after a random delay
 *    up to Max Response Time, suppressed when another member's report
 *    is heard first (RFC 2236 3, 6);
 *  - per-socket membership lists for IP_ADD_MEMBERSHIP and friends,
 *    with Linux's errnos, bounded by net.xstack.igmp_max_memberships;
 *  - /proc/net/xstack/igmp (the layout of /proc/net/igmp) and the
 *    XSTACK_CMD_MADDR_GET dump behind "xsctl maddr show".
 *
 * All-systems (224.0.0.1) is joined implicitly on every attached device
 * and never reported (RFC 2236 6). Source-specific options (RFC 3678,
 * which need IGMPv3 reports) are not implemented: they return
 * -ENOPROTOOPT.
 *
 * Locking: group tables are written under RTNL and read under RCU; the
 * report state of a device's groups (timers, reporter flags, unsolicited
 * counts, querier version) is under the device's spinlock, taken from
 * process context, the receive path (softirq) and the report timers
 * (softirq). A socket's membership list is written under RTNL with the
 * socket locked (setsockopt) or released, and read under RCU.
 * xs_mc_setsockopt() takes RTNL with the socket lock held (lock order
 * sk_lock -> RTNL, as nothing takes an xstack socket lock under RTNL).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/compat.h>
#include <linux/etherdevice.h>
#include <linux/hashtable.h>
#include <linux/if_arp.h>
#include <linux/igmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/jiffies.h>
#include <linux/pkt_sched.h>
#include <linux/proc_fs.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/timer.h>
#include <net/checksum.h>
#include <net/compat.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/sock.h>

#include <linux/xstack.h>
#include "igmp.h"
#include "ip.h"
#include "route.h"
#include "stats.h"
#include "xstack.h"

#define XS_IGMP_HASH_BITS	4
#define XS_IGMP_MSG_LEN		8	/* struct igmphdr, RFC 2236 2 */
#define XS_IGMPV3_QUERY_MIN	12	/* RFC 3376 7.1 */
#define XS_IGMP_RA_LEN		4	/* Router Alert, RFC 2113 2.1 */
#define XS_IGMP_IPH_LEN		(sizeof(struct iphdr) + XS_IGMP_RA_LEN)
#define XS_IGMP_PKT_LEN		(XS_IGMP_IPH_LEN + XS_IGMP_MSG_LEN)
/* RFC 2236 4: the response time of an IGMPv1 query, 10 s in tenths. */
#define XS_IGMP_V1_MAX_RESP	100
/* RFC 2236 8.11: Version 1 Router Present Timeout. */
#define XS_IGMP_V1_ROUTER_PRESENT	(400 * HZ)
/* RFC 791: IGMP is network control traffic (Linux sends it so too). */
#define XS_IGMP_TOS		0xc0

#define XS_IGMP_MAX_MEMBERSHIPS	20	/* Linux's igmp_max_memberships */
#define XS_IGMP_QRV		2	/* RFC 2236 8.1 Robustness Variable */
#define XS_IGMP_QRV_MAX		255
#define XS_IGMP_UNSOL_MS	10000	/* RFC 2236 8.10 */
#define XS_IGMP_UNSOL_MS_MAX	3600000

/**
 * struct xs_igmp_net - IGMP state of a namespace
 * @sysctl_hdr: net.xstack.igmp_*
 * @seq: bumped on every membership change (RTNL); with xn->cfg_seq it
 *	flags XSTACK_CMD_MADDR_GET dumps that saw a change (NLM_F_DUMP_INTR)
 * @max_memberships: net.xstack.igmp_max_memberships, groups one socket
 *	may join (ENOBUFS beyond)
 * @qrv: net.xstack.igmp_qrv, Robustness Variable: unsolicited reports
 *	sent on a join (RFC 2236 8.1)
 * @unsolicited_report_interval: net.xstack.igmp_unsolicited_report_interval,
 *	milliseconds, upper bound of the delay between them (RFC 2236 8.10)
 */
struct xs_igmp_net {
	struct ctl_table_header *sysctl_hdr;
	unsigned int seq;
	int max_memberships;
	int qrv;
	int unsolicited_report_interval;
};

/**
 * struct xs_mc_dev - multicast groups joined on one attached device
 * @xd: the device
 * @hash: struct xs_mc_group by address; RCU, written under RTNL
 * @lock: report state of every group below, @up and the querier version
 * @gen: unique number of this table, recorded in socket memberships so
 *	that a socket never leaves a group of a later table of the same
 *	ifindex (detach, attach again)
 * @v1_until: jiffies until which an IGMPv1 querier is assumed present
 *	(RFC 2236 4), valid when @v1_seen
 * @v1_seen: an IGMPv1 query was received
 * @up: the device is up: reports may be scheduled
 * @allsys_mac: the all-systems MAC was added to the device's filter
 * @rcu: deferred free
 */
struct xs_mc_dev {
	struct xs_dev *xd;
	DECLARE_HASHTABLE(hash, XS_IGMP_HASH_BITS);
	spinlock_t lock;	/* group timers and flags, @up, @v1_* */
	u64 gen;
	unsigned long v1_until;
	bool v1_seen;
	bool up;
	bool allsys_mac;
	struct rcu_head rcu;
};

/**
 * struct xs_mc_group - a group joined on a device (RFC 2236 6 host state)
 * @node: entry in mc->hash (RCU, written under RTNL)
 * @mc: owning table
 * @addr: the group
 * @users: sockets joined (RTNL)
 * @timer: report timer: Delaying Member while it runs
 * @expires: when @timer fires (mc->lock)
 * @unsolicit: unsolicited reports still to send (mc->lock)
 * @delaying: @timer is armed (mc->lock)
 * @reporter: we sent the last report of the group (mc->lock)
 * @mac: the group's MAC was added to the device's filter
 * @rcu: deferred free
 */
struct xs_mc_group {
	struct hlist_node node;
	struct xs_mc_dev *mc;
	__be32 addr;
	unsigned int users;
	struct timer_list timer;
	unsigned long expires;
	unsigned int unsolicit;
	bool delaying;
	bool reporter;
	bool mac;
	struct rcu_head rcu;
};

/**
 * struct xs_mc_socklist - one membership of a socket
 * @next: next membership (RCU list, written under RTNL)
 * @group: the group
 * @ifindex: device it was joined on
 * @addr: interface address given with the join (to match leaves)
 * @gen: generation of the device table the join counted in
 * @rcu: deferred free
 */
struct xs_mc_socklist {
	struct xs_mc_socklist __rcu *next;
	__be32 group;
	int ifindex;
	__be32 addr;
	u64 gen;
	struct rcu_head rcu;
};

/**
 * struct xs_igmp_msg - what a received IGMP message says
 * @type: IGMP_HOST_MEMBERSHIP_QUERY, ..._REPORT, IGMPV2_..., ...
 * @version: of a query: 1, 2 or 3 (RFC 3376 7.1)
 * @group: group field (0 for general queries)
 * @max_resp: of a query: Max Response Time, tenths of a second
 */
struct xs_igmp_msg {
	u8 type;
	u8 version;
	__be32 group;
	unsigned int max_resp;
};

static atomic64_t xs_mc_gen = ATOMIC64_INIT(0);

/* ------------------------------------------------------------ pure logic */

/* RFC 1112 6.4: 01-00-5E-00-00-00 plus the group's low-order 23 bits. */
static void xs_mc_eth_addr(__be32 group, u8 *mac)
{
	u32 addr = ntohl(group);

	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = (addr >> 16) & 0x7f;
	mac[4] = (addr >> 8) & 0xff;
	mac[5] = addr & 0xff;
}

/*
 * RFC 3376 4.1.1: Max Resp Code below 128 is the time in tenths of a
 * second; from 128 on it is a floating-point value 1eeemmmm meaning
 * (mant | 0x10) << (exp + 3).
 */
static unsigned int xs_igmpv3_mrc(u8 code)
{
	if (code < 0x80)
		return code;
	return ((code & 0x0f) | 0x10) << (((code >> 4) & 0x07) + 3);
}

/*
 * Classify a message of @len bytes starting with @hdr (its first 8
 * bytes). Returns 0 or -EINVAL for messages to ignore as malformed.
 */
static int xs_igmp_parse(const struct igmphdr *hdr, unsigned int len,
			 struct xs_igmp_msg *m)
{
	if (len < XS_IGMP_MSG_LEN)
		return -EINVAL;
	m->type = hdr->type;
	m->group = hdr->group;
	m->version = 0;
	m->max_resp = 0;
	switch (hdr->type) {
	case IGMP_HOST_MEMBERSHIP_QUERY:
		if (len == XS_IGMP_MSG_LEN && !hdr->code) {
			/* RFC 2236 4: v1 queries are general, 10 s. */
			m->version = 1;
			m->group = 0;
			m->max_resp = XS_IGMP_V1_MAX_RESP;
		} else if (len == XS_IGMP_MSG_LEN) {
			m->version = 2;
			m->max_resp = hdr->code;
		} else if (len >= XS_IGMPV3_QUERY_MIN) {
			/* RFC 3376 7.1: answered as a v2 query. */
			m->version = 3;
			m->max_resp = xs_igmpv3_mrc(hdr->code);
		} else {
			return -EINVAL;	/* RFC 3376 7.1: 9 to 11 bytes */
		}
		if (m->group && !ipv4_is_multicast(m->group))
			return -EINVAL;
		return 0;
	case IGMP_HOST_MEMBERSHIP_REPORT:
	case IGMPV2_HOST_MEMBERSHIP_REPORT:
	case IGMP_HOST_LEAVE_MESSAGE:
		return ipv4_is_multicast(m->group) ? 0 : -EINVAL;
	}
	return 0;
}

/* Max Response Time (tenths of a second) in jiffies, at least one. */
static unsigned long xs_igmp_max_delay(unsigned int max_resp)
{
	return max_t(unsigned long, 1, (unsigned long)max_resp * HZ / 10);
}

/*
 * RFC 2236 3: a delay chosen from (0, @max] jiffies; @rnd is uniform
 * over u32.
 */
static unsigned long xs_igmp_delay(unsigned long max, u32 rnd)
{
	if (!max)
		max = 1;
	return 1 + (unsigned long)(((u64)rnd * max) >> 32);
}

/*
 * RFC 2236 3: a running timer is reset only if the requested Max
 * Response Time is less than its remaining value.
 */
static bool xs_igmp_keep_timer(bool running, unsigned long expires,
			       unsigned long now, unsigned long max_delay)
{
	return running && !time_after(expires, now + max_delay);
}

/*
 * An IPv4 header with the Router Alert option (RFC 2113; RFC 2236 2:
 * IGMP messages carry it and TTL 1) and an IGMP message, in @buf of
 * XS_IGMP_PKT_LEN bytes.
 */
static void xs_igmp_build(u8 *buf, __be32 saddr, __be32 daddr, u8 type,
			  __be32 group)
{
	struct iphdr *iph = (struct iphdr *)buf;
	u8 *opt = buf + sizeof(*iph);
	struct igmphdr *ih = (struct igmphdr *)(buf + XS_IGMP_IPH_LEN);

	iph->version = 4;
	iph->ihl = XS_IGMP_IPH_LEN / 4;
	iph->tos = XS_IGMP_TOS;
	iph->tot_len = htons(XS_IGMP_PKT_LEN);
	iph->id = 0;		/* RFC 6864 4.1: atomic datagram */
	iph->frag_off = htons(IP_DF);
	iph->ttl = 1;
	iph->protocol = IPPROTO_IGMP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	opt[0] = IPOPT_RA;
	opt[1] = XS_IGMP_RA_LEN;
	opt[2] = 0;		/* "every router examines the packet" */
	opt[3] = 0;
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);

	ih->type = type;
	ih->code = 0;		/* unused in reports and leaves */
	ih->group = group;
	ih->csum = 0;
	ih->csum = csum_fold(csum_partial(ih, XS_IGMP_MSG_LEN, 0));
}

/* ------------------------------------------------------------ output */

static struct xs_igmp_net *xs_igmp(const struct xs_mc_dev *mc)
{
	return mc->xd->xn->igmp;
}

/*
 * Source of our IGMP messages: an address of the device, else any of
 * the host, else 0.0.0.0 (RFC 3376 4.2.13 allows it for a host that has
 * none yet). Context: rcu_read_lock().
 */
static __be32 xs_igmp_saddr(const struct xs_dev *xd)
{
	const struct xs_ifaddr *ifa;
	const struct xs_dev *other;

	list_for_each_entry_rcu(ifa, &xd->addrs, list)
		return ifa->local;
	list_for_each_entry_rcu(other, &xd->xn->devs, list)
		list_for_each_entry_rcu(ifa, &other->addrs, list)
			return ifa->local;
	return 0;
}

/*
 * Send a report or a leave about @group on the table's device. Reports
 * go to the group, leaves to all-routers (RFC 2236 3), always on the
 * device itself whatever the routing table says. Context: process or
 * softirq, no lock held.
 */
static void xs_igmp_send(struct xs_mc_dev *mc, __be32 group, u8 type)
{
	struct xs_dev *xd = mc->xd;
	struct xs_net *xn = xd->xn;
	struct net_device *dev = xd->dev;
	struct sk_buff *skb;
	struct xs_rt rt;
	int err;

	/* Going down (timers stop at NETDEV_DOWN): nothing to tell. */
	if (unlikely(!netif_running(dev)))
		return;
	skb = alloc_skb(LL_RESERVED_SPACE(dev) + XS_IGMP_PKT_LEN +
			dev->needed_tailroom, GFP_ATOMIC);
	if (unlikely(!skb)) {
		XS_INC(xn, Igmp_OutErrors);
		return;
	}
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, XS_IGMP_IPH_LEN);
	skb->priority = TC_PRIO_CONTROL;

	rcu_read_lock();
	rt.xd = xd;
	rt.nexthop = type == IGMP_HOST_LEAVE_MESSAGE ? IGMP_ALL_ROUTER : group;
	rt.src = xs_igmp_saddr(xd);
	rt.mtu = READ_ONCE(xd->mtu);
	rt.type = XSTACK_RT_MULTICAST;
	xs_igmp_build(skb_put(skb, XS_IGMP_PKT_LEN), rt.src, rt.nexthop,
		      type, group);
	XS_INC(xn, Ip_OutRequests);
	err = xs_ip_output(xn, skb, &rt);
	rcu_read_unlock();

	if (unlikely(err < 0))
		XS_INC(xn, Igmp_OutErrors);
	else if (type == IGMP_HOST_LEAVE_MESSAGE)
		XS_INC(xn, Igmp_OutLeaves);
	else
		XS_INC(xn, Igmp_OutReports);
}

/* ------------------------------------------------------------ host state */

/* RFC 2236 4: while an IGMPv1 querier is present. mc->lock held. */
static bool xs_mc_v1_present(const struct xs_mc_dev *mc)
{
	return mc->v1_seen && time_before(jiffies, mc->v1_until);
}

/* Enter Delaying Member: fire after @delay jiffies. mc->lock held. */
static void xs_mc_arm(struct xs_mc_group *g, unsigned long delay)
{
	g->expires = jiffies + delay;
	g->delaying = true;
	mod_timer(&g->timer, g->expires);
}

/* Leave Delaying Member without sending. mc->lock held. */
static void xs_mc_disarm(struct xs_mc_group *g)
{
	g->delaying = false;
	g->unsolicit = 0;
	timer_delete(&g->timer);
}

/*
 * A freshly joined group, or every group when the device comes up:
 * report now and qrv - 1 more times (RFC 2236 3). mc->lock held.
 */
static void xs_mc_announce(struct xs_mc_dev *mc, struct xs_mc_group *g)
{
	if (!mc->up || g->addr == IGMP_ALL_HOSTS)
		return;
	g->unsolicit = clamp(READ_ONCE(xs_igmp(mc)->qrv), 1, XS_IGMP_QRV_MAX);
	xs_mc_arm(g, 0);
}

static void xs_mc_timer(struct timer_list *t)
{
	struct xs_mc_group *g = from_timer(g, t, timer);
	struct xs_mc_dev *mc = g->mc;
	unsigned long interval;
	int ms;
	u8 type;

	spin_lock(&mc->lock);
	/* Cancelled or re-armed while this run waited for the lock. */
	if (!g->delaying || !mc->up || time_before(jiffies, g->expires)) {
		spin_unlock(&mc->lock);
		return;
	}
	g->delaying = false;
	if (g->unsolicit && --g->unsolicit) {
		ms = READ_ONCE(xs_igmp(mc)->unsolicited_report_interval);
		interval = msecs_to_jiffies(ms);
		xs_mc_arm(g, xs_igmp_delay(interval, get_random_u32()));
	}
	g->reporter = true;
	type = xs_mc_v1_present(mc) ? IGMP_HOST_MEMBERSHIP_REPORT :
				      IGMPV2_HOST_MEMBERSHIP_REPORT;
	spin_unlock(&mc->lock);
	xs_igmp_send(mc, g->addr, type);
}

/* Context: rcu_read_lock() or RTNL. */
static struct xs_mc_group *xs_mc_lookup(struct xs_mc_dev *mc, __be32 group)
{
	struct xs_mc_group *g;

	hash_for_each_possible_rcu(mc->hash, g, node, (__force u32)group,
				   lockdep_rtnl_is_held())
		if (g->addr == group)
			return g;
	return NULL;
}

/* The device's table, created on the first join. RTNL held. */
static struct xs_mc_dev *xs_mc_dev_get(struct xs_dev *xd)
{
	struct xs_mc_dev *mc = rtnl_dereference(xd->mc);
	struct net_device *dev = xd->dev;
	u8 mac[ETH_ALEN];
	int err;

	if (mc)
		return mc;
	mc = kzalloc(sizeof(*mc), GFP_KERNEL);
	if (unlikely(!mc))
		return ERR_PTR(-ENOMEM);
	mc->xd = xd;
	hash_init(mc->hash);
	spin_lock_init(&mc->lock);
	mc->gen = atomic64_inc_return(&xs_mc_gen);
	mc->up = netif_running(dev);
	/* RFC 2236 6: all-systems is joined, so queries get through. */
	if (!xd->noarp && dev->type == ARPHRD_ETHER) {
		xs_mc_eth_addr(IGMP_ALL_HOSTS, mac);
		err = dev_mc_add(dev, mac);
		if (unlikely(err)) {
			kfree(mc);
			return ERR_PTR(err);
		}
		mc->allsys_mac = true;
	}
	rcu_assign_pointer(xd->mc, mc);
	return mc;
}

/* One more socket joined @group on @xd; *@gen receives the table's. */
static int xs_mc_dev_inc(struct xs_dev *xd, __be32 group, u64 *gen)
{
	struct net_device *dev = xd->dev;
	struct xs_mc_group *g;
	struct xs_mc_dev *mc;
	u8 mac[ETH_ALEN];
	int err;

	mc = xs_mc_dev_get(xd);
	if (IS_ERR(mc))
		return PTR_ERR(mc);
	*gen = mc->gen;
	g = xs_mc_lookup(mc, group);
	if (g) {
		g->users++;
		return 0;
	}

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (unlikely(!g))
		return -ENOMEM;
	g->mc = mc;
	g->addr = group;
	g->users = 1;
	timer_setup(&g->timer, xs_mc_timer, 0);
	if (mc->allsys_mac) {
		xs_mc_eth_addr(group, mac);
		err = dev_mc_add(dev, mac);
		if (unlikely(err)) {
			kfree(g);
			return err;
		}
		g->mac = true;
	}
	hash_add_rcu(mc->hash, &g->node, (__force u32)group);
	xd->xn->igmp->seq++;

	spin_lock_bh(&mc->lock);
	xs_mc_announce(mc, g);
	spin_unlock_bh(&mc->lock);
	return 0;
}

/* Unlink, stop and free a group (RTNL held); mc->hash updated. */
static void xs_mc_group_free(struct xs_mc_dev *mc, struct xs_mc_group *g)
{
	u8 mac[ETH_ALEN];

	hash_del_rcu(&g->node);
	/* Readers may still find it: a shut down timer cannot be armed. */
	timer_shutdown_sync(&g->timer);
	if (g->mac) {
		xs_mc_eth_addr(g->addr, mac);
		dev_mc_del(mc->xd->dev, mac);
	}
	kfree_rcu(g, rcu);
}

/* One socket less on @group of @xd's table number @gen. RTNL held. */
static void xs_mc_dev_dec(struct xs_dev *xd, __be32 group, u64 gen)
{
	struct xs_mc_dev *mc = rtnl_dereference(xd->mc);
	struct xs_mc_group *g;
	bool leave;

	if (!mc || mc->gen != gen)
		return;
	g = xs_mc_lookup(mc, group);
	if (!g || --g->users)
		return;
	xd->xn->igmp->seq++;
	spin_lock_bh(&mc->lock);
	/*
	 * RFC 2236 3: a leave when we sent the last report, skipped with
	 * an IGMPv1 querier (which does not know leaves).
	 */
	leave = g->reporter && mc->up && group != IGMP_ALL_HOSTS &&
		!xs_mc_v1_present(mc);
	xs_mc_disarm(g);
	spin_unlock_bh(&mc->lock);
	xs_mc_group_free(mc, g);
	if (leave)
		xs_igmp_send(mc, group, IGMP_HOST_LEAVE_MESSAGE);
}

/* Detached: free the table and restore the device's filter. RTNL. */
static void xs_mc_dev_destroy(struct xs_dev *xd, struct xs_mc_dev *mc)
{
	struct xs_mc_group *g;
	struct hlist_node *tmp;
	u8 mac[ETH_ALEN];
	int bkt;

	spin_lock_bh(&mc->lock);
	mc->up = false;
	spin_unlock_bh(&mc->lock);
	hash_for_each_safe(mc->hash, bkt, tmp, g, node)
		xs_mc_group_free(mc, g);
	if (mc->allsys_mac) {
		xs_mc_eth_addr(IGMP_ALL_HOSTS, mac);
		dev_mc_del(xd->dev, mac);
	}
	RCU_INIT_POINTER(xd->mc, NULL);
	xd->xn->igmp->seq++;
	kfree_rcu(mc, rcu);
}

/**
 * xs_mc_dev_down - a device went down or is being detached
 * @xd: the device
 *
 * While @xd is still attached (NETDEV_DOWN), its groups are kept for the
 * sockets that joined them and only their report timers stop. Once it
 * is detached (called after netdev_rx_handler_unregister() in the
 * release path), the table is freed, the MACs added to the device's
 * filter are removed, and later leaves of sockets are not counted.
 *
 * Context: RTNL held, process.
 */
void xs_mc_dev_down(struct xs_dev *xd)
{
	struct xs_mc_dev *mc = rtnl_dereference(xd->mc);
	struct xs_mc_group *g;
	int bkt;

	ASSERT_RTNL();
	if (!mc)
		return;
	if (xs_dev_get_rtnl(xd->dev) != xd ||
	    xd->dev->reg_state != NETREG_REGISTERED) {
		xs_mc_dev_destroy(xd, mc);
		return;
	}
	spin_lock_bh(&mc->lock);
	mc->up = false;
	hash_for_each(mc->hash, bkt, g, node)
		xs_mc_disarm(g);
	spin_unlock_bh(&mc->lock);
	/* A timer run that armed again before seeing !up. */
	hash_for_each(mc->hash, bkt, g, node)
		timer_delete_sync(&g->timer);
}

/**
 * xs_mc_dev_up - a device with groups came up: announce them again
 * @xd: the device
 *
 * Every group but all-systems is reported again, net.xstack.igmp_qrv
 * times, as on a join (RFC 2236 3).
 *
 * Context: RTNL held.
 */
void xs_mc_dev_up(struct xs_dev *xd)
{
	struct xs_mc_dev *mc = rtnl_dereference(xd->mc);
	struct xs_mc_group *g;
	int bkt;

	ASSERT_RTNL();
	if (!mc)
		return;
	spin_lock_bh(&mc->lock);
	mc->up = true;
	hash_for_each(mc->hash, bkt, g, node) {
		g->reporter = false;
		xs_mc_announce(mc, g);
	}
	spin_unlock_bh(&mc->lock);
}

/**
 * xs_mc_dev_member_rcu - whether this host joined @group on @xd
 * @xd: receiving device
 * @group: destination address of a datagram
 *
 * All-systems is always joined (RFC 2236 6).
 *
 * Context: rcu_read_lock().
 * Return: true when some socket joined @group on @xd.
 */
bool xs_mc_dev_member_rcu(const struct xs_dev *xd, __be32 group)
{
	struct xs_mc_dev *mc;

	if (group == IGMP_ALL_HOSTS)
		return true;
	mc = rcu_dereference(xd->mc);
	return mc && xs_mc_lookup(mc, group);
}

/* ------------------------------------------------------------ input */

/* The attached device of @dev. Context: rcu_read_lock(). */
static struct xs_dev *xs_mc_xdev_rcu(struct xs_net *xn,
				     const struct net_device *dev)
{
	struct xs_dev *xd;

	list_for_each_entry_rcu(xd, &xn->devs, list)
		if (xd->dev == dev)
			return xd;
	return NULL;
}

/*
 * RFC 2236 3: a general query sets a delay timer for every group but
 * all-systems, a group-specific one for that group; a running timer is
 * only ever shortened.
 */
static void xs_igmp_query(struct xs_mc_dev *mc, const struct xs_igmp_msg *m)
{
	unsigned long max_delay = xs_igmp_max_delay(m->max_resp);
	struct xs_mc_group *g;
	int bkt;

	spin_lock_bh(&mc->lock);
	if (m->version == 1) {
		mc->v1_seen = true;
		mc->v1_until = jiffies + XS_IGMP_V1_ROUTER_PRESENT;
	}
	if (!mc->up)
		goto out;
	hash_for_each_rcu(mc->hash, bkt, g, node) {
		if (g->addr == IGMP_ALL_HOSTS ||
		    (m->group && g->addr != m->group))
			continue;
		g->unsolicit = 0;
		if (xs_igmp_keep_timer(g->delaying, g->expires, jiffies,
				       max_delay))
			continue;
		xs_mc_arm(g, xs_igmp_delay(max_delay, get_random_u32()));
	}
out:
	spin_unlock_bh(&mc->lock);
}

/*
 * RFC 2236 3, 6: another member reported @group: our pending report is
 * suppressed and we are no longer the last reporter.
 */
static void xs_igmp_heard_report(struct xs_net *xn, struct xs_mc_dev *mc,
				 __be32 group)
{
	struct xs_mc_group *g;

	if (group == IGMP_ALL_HOSTS)
		return;
	g = xs_mc_lookup(mc, group);
	if (!g)
		return;
	spin_lock_bh(&mc->lock);
	if (g->delaying)
		XS_INC(xn, Igmp_ReportsSuppressed);
	xs_mc_disarm(g);
	g->reporter = false;
	spin_unlock_bh(&mc->lock);
}

static int xs_igmp_rcv(struct xs_net *xn, struct sk_buff *skb)
{
	struct xs_igmp_msg m;
	struct xs_mc_dev *mc = NULL;
	struct xs_dev *xd;

	XS_INC(xn, Igmp_InMsgs);
	if (unlikely(!pskb_may_pull(skb, XS_IGMP_MSG_LEN)))
		goto err;
	if (unlikely(skb_checksum_simple_validate(skb))) {
		XS_INC(xn, Igmp_InCsumErrors);
		goto err;
	}
	if (unlikely(xs_igmp_parse(igmp_hdr(skb), skb->len, &m)))
		goto err;
	if (skb->dev && skb->pkt_type != PACKET_LOOPBACK) {
		xd = xs_mc_xdev_rcu(xn, skb->dev);
		if (xd)
			mc = rcu_dereference(xd->mc);
	}

	switch (m.type) {
	case IGMP_HOST_MEMBERSHIP_QUERY:
		XS_INC(xn, Igmp_InQueries);
		if (mc)
			xs_igmp_query(mc, &m);
		break;
	case IGMP_HOST_MEMBERSHIP_REPORT:
	case IGMPV2_HOST_MEMBERSHIP_REPORT:
		XS_INC(xn, Igmp_InReports);
		if (mc)
			xs_igmp_heard_report(xn, mc, m.group);
		break;
	case IGMPV3_HOST_MEMBERSHIP_REPORT:
		/* RFC 3376 5.1: v3 reports suppress nothing. */
		XS_INC(xn, Igmp_InReports);
		break;
	case IGMP_HOST_LEAVE_MESSAGE:
		/* RFC 2236 6: for routers; hosts ignore them. */
		XS_INC(xn, Igmp_InLeaves);
		break;
	}
	consume_skb(skb);
	return 0;

err:
	XS_INC(xn, Igmp_InErrors);
	kfree_skb(skb);
	return 0;
}

const struct xs_l4_proto xs_igmp_l4 = {
	.rcv = xs_igmp_rcv,
};

/* ------------------------------------------------------------ sockets */

/*
 * The device of a join or leave, as Linux's ip_mc_find_dev(): by
 * ifindex, else by one of our addresses, else by routing the group.
 * Sets imr->imr_ifindex when found otherwise. RTNL held.
 */
static struct xs_dev *xs_mc_find_dev(struct xs_net *xn, struct ip_mreqn *imr)
{
	struct net_device *dev;
	struct xs_ifaddr *ifa;
	struct xs_dev *xd = NULL;
	struct xs_rt rt;

	if (imr->imr_ifindex) {
		dev = __dev_get_by_index(xn->net, imr->imr_ifindex);
		return dev ? xs_dev_get_rtnl(dev) : NULL;
	}
	rcu_read_lock();
	if (imr->imr_address.s_addr) {
		ifa = xs_addr_lookup_rcu(xn, imr->imr_address.s_addr);
		if (ifa)
			xd = ifa->xd;
	} else if (!xs_route_output(xn, imr->imr_multiaddr.s_addr, 0, 0,
				    &rt)) {
		xd = rt.xd;
	}
	rcu_read_unlock();
	if (xd)
		imr->imr_ifindex = xd->dev->ifindex;
	return xd;
}

/* The attached device of an ifindex. RTNL held. */
static struct xs_dev *xs_mc_dev_by_index(struct xs_net *xn, int ifindex)
{
	struct net_device *dev = __dev_get_by_index(xn->net, ifindex);

	return dev ? xs_dev_get_rtnl(dev) : NULL;
}

static void xs_mc_socklist_free(struct sock *sk, struct xs_mc_socklist *iml)
{
	/* As sock_kfree_s(), after a grace period for the readers. */
	atomic_sub(sizeof(*iml), &sk->sk_omem_alloc);
	kfree_rcu(iml, rcu);
}

/* Linux's ip_mc_join_group(), errno for errno. */
static int xs_mc_join(struct sock *sk, struct xs_mc_socklist __rcu **list,
		      struct ip_mreqn *imr)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	__be32 group = imr->imr_multiaddr.s_addr;
	struct xs_mc_socklist *iml;
	unsigned int count = 0;
	struct xs_dev *xd;
	int err;

	if (!ipv4_is_multicast(group))
		return -EINVAL;
	rtnl_lock();
	err = -ENODEV;
	xd = xs_mc_find_dev(xn, imr);
	if (!xd)
		goto out;
	err = -EADDRINUSE;
	for (iml = rtnl_dereference(*list); iml;
	     iml = rtnl_dereference(iml->next)) {
		if (iml->group == group && iml->ifindex == imr->imr_ifindex)
			goto out;
		count++;
	}
	err = -ENOBUFS;
	if (count >= READ_ONCE(xn->igmp->max_memberships))
		goto out;
	iml = sock_kmalloc(sk, sizeof(*iml), GFP_KERNEL);
	if (!iml)
		goto out;
	err = xs_mc_dev_inc(xd, group, &iml->gen);
	if (unlikely(err)) {
		sock_kfree_s(sk, iml, sizeof(*iml));
		goto out;
	}
	iml->group = group;
	iml->ifindex = imr->imr_ifindex;
	iml->addr = imr->imr_address.s_addr;
	RCU_INIT_POINTER(iml->next, rtnl_dereference(*list));
	rcu_assign_pointer(*list, iml);
out:
	rtnl_unlock();
	return err;
}

/* Linux's ip_mc_leave_group(), errno for errno. */
static int xs_mc_leave(struct sock *sk, struct xs_mc_socklist __rcu **list,
		       struct ip_mreqn *imr)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	__be32 group = imr->imr_multiaddr.s_addr;
	struct xs_mc_socklist __rcu **pp;
	struct xs_mc_socklist *iml;
	struct xs_dev *xd;
	int err = -EADDRNOTAVAIL;

	rtnl_lock();
	xd = xs_mc_find_dev(xn, imr);
	if (!imr->imr_ifindex && !imr->imr_address.s_addr && !xd) {
		err = -ENODEV;
		goto out;
	}
	for (pp = list; (iml = rtnl_dereference(*pp)); pp = &iml->next) {
		if (iml->group != group)
			continue;
		if (imr->imr_ifindex) {
			if (iml->ifindex != imr->imr_ifindex)
				continue;
		} else if (imr->imr_address.s_addr &&
			   imr->imr_address.s_addr != iml->addr) {
			continue;
		}
		rcu_assign_pointer(*pp, rtnl_dereference(iml->next));
		xd = xs_mc_dev_by_index(xn, iml->ifindex);
		if (xd)
			xs_mc_dev_dec(xd, group, iml->gen);
		xs_mc_socklist_free(sk, iml);
		err = 0;
		break;
	}
out:
	rtnl_unlock();
	return err;
}

/* MCAST_JOIN_GROUP, MCAST_LEAVE_GROUP: struct group_req (RFC 3678 5.1). */
static int xs_mc_group_req(sockptr_t optval, unsigned int optlen,
			   struct ip_mreqn *mreq)
{
	struct sockaddr_in *sin;
	struct compat_group_req cgreq;
	struct group_req greq;

	if (in_compat_syscall()) {
		if (optlen < sizeof(cgreq))
			return -EINVAL;
		if (copy_from_sockptr(&cgreq, optval, sizeof(cgreq)))
			return -EFAULT;
		mreq->imr_ifindex = cgreq.gr_interface;
		sin = (struct sockaddr_in *)&cgreq.gr_group;
	} else {
		if (optlen < sizeof(greq))
			return -EINVAL;
		if (copy_from_sockptr(&greq, optval, sizeof(greq)))
			return -EFAULT;
		mreq->imr_ifindex = greq.gr_interface;
		sin = (struct sockaddr_in *)&greq.gr_group;
	}
	if (sin->sin_family != AF_INET && sin->sin_family != xs_family)
		return -EINVAL;
	mreq->imr_multiaddr = sin->sin_addr;
	mreq->imr_address.s_addr = 0;
	return 0;
}

/**
 * xs_mc_setsockopt - multicast membership socket options
 * @sk: the socket (locked by the caller)
 * @list: the socket's membership list
 * @optname: IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP (struct ip_mreq or
 *	struct ip_mreqn), MCAST_JOIN_GROUP, MCAST_LEAVE_GROUP (struct
 *	group_req, AF_INET or AF_XSTACK group)
 * @optval: user value
 * @optlen: its length
 *
 * The device is the one of imr_ifindex, else the one holding
 * imr_address, else the one the group routes to. Source-specific
 * options (IP_ADD_SOURCE_MEMBERSHIP, IP_BLOCK_SOURCE, MCAST_*_SOURCE_*,
 * IP_MSFILTER, MCAST_MSFILTER) need IGMPv3 and are not implemented.
 *
 * Context: process, socket locked; takes RTNL.
 * Return: 0, -ENOPROTOOPT (not a membership option, or source-specific),
 * -EINVAL (short @optlen, group not multicast, group_req family not
 * AF_INET), -EFAULT, -ENODEV (no such attached device, or no route for
 * the group), -EADDRINUSE (already joined there), -EADDRNOTAVAIL (not
 * joined), -ENOBUFS (net.xstack.igmp_max_memberships reached, or no
 * option memory), -ENOMEM.
 */
int xs_mc_setsockopt(struct sock *sk, struct xs_mc_socklist __rcu **list,
		     int optname, sockptr_t optval, unsigned int optlen)
{
	struct ip_mreqn mreq = {};
	int err;

	switch (optname) {
	case IP_ADD_MEMBERSHIP:
	case IP_DROP_MEMBERSHIP:
		if (optlen < sizeof(struct ip_mreq))
			return -EINVAL;
		if (copy_from_sockptr(&mreq, optval,
				      optlen >= sizeof(struct ip_mreqn) ?
				      sizeof(struct ip_mreqn) :
				      sizeof(struct ip_mreq)))
			return -EFAULT;
		break;
	case MCAST_JOIN_GROUP:
	case MCAST_LEAVE_GROUP:
		err = xs_mc_group_req(optval, optlen, &mreq);
		if (err)
			return err;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (optname == IP_ADD_MEMBERSHIP || optname == MCAST_JOIN_GROUP)
		return xs_mc_join(sk, list, &mreq);
	return xs_mc_leave(sk, list, &mreq);
}

/**
 * xs_mc_sock_drop_all - leave every group of a closing socket
 * @sk: the socket
 * @list: its membership list, emptied
 *
 * Context: process; takes RTNL.
 */
void xs_mc_sock_drop_all(struct sock *sk, struct xs_mc_socklist __rcu **list)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct xs_mc_socklist *iml;
	struct xs_dev *xd;

	if (!rcu_access_pointer(*list))
		return;
	rtnl_lock();
	while ((iml = rtnl_dereference(*list))) {
		rcu_assign_pointer(*list, rtnl_dereference(iml->next));
		xd = xs_mc_dev_by_index(xn, iml->ifindex);
		if (xd)
			xs_mc_dev_dec(xd, iml->group, iml->gen);
		xs_mc_socklist_free(sk, iml);
	}
	rtnl_unlock();
}

/**
 * xs_mc_sock_member - whether a socket joined @group on a device
 * @list: the socket's membership list
 * @group: destination of the datagram
 * @ifindex: receiving device
 * @saddr: source of the datagram (no source filters: unused)
 *
 * Context: rcu_read_lock().
 * Return: true when the socket joined @group on @ifindex.
 */
bool xs_mc_sock_member(struct xs_mc_socklist __rcu **list, __be32 group,
		       int ifindex, __be32 saddr)
{
	const struct xs_mc_socklist *iml;

	for (iml = rcu_dereference(*list); iml; iml = rcu_dereference(iml->next))
		if (iml->group == group && iml->ifindex == ifindex)
			return true;
	return false;
}

/* ------------------------------------------------------------ reporting */

/*
 * Visit the memberships of @xd as the dump and /proc list them:
 * all-systems first (users: 1 for the host itself plus the sockets that
 * joined it), then the other groups. RTNL held. Stops at the first
 * non-zero return of @fn and returns it.
 */
static int xs_mc_dev_walk(const struct xs_dev *xd,
			  int (*fn)(void *arg, const struct xs_dev *xd,
				    __be32 group, u32 users, bool delaying,
				    bool reporter, unsigned long expires),
			  void *arg)
{
	struct xs_mc_dev *mc = rtnl_dereference(xd->mc);
	const struct xs_mc_group *g;
	unsigned long expires;
	bool delaying, reporter;
	u32 users = 1;
	int bkt, err;

	if (mc) {
		g = xs_mc_lookup(mc, IGMP_ALL_HOSTS);
		if (g)
			users += g->users;
	}
	err = fn(arg, xd, IGMP_ALL_HOSTS, users, false, false, 0);
	if (err || !mc)
		return err;
	hash_for_each(mc->hash, bkt, g, node) {
		if (g->addr == IGMP_ALL_HOSTS)
			continue;
		spin_lock_bh(&mc->lock);
		delaying = g->delaying;
		reporter = g->reporter;
		expires = g->expires;
		spin_unlock_bh(&mc->lock);
		err = fn(arg, xd, g->addr, g->users, delaying, reporter,
			 expires);
		if (err)
			return err;
	}
	return 0;
}

/**
 * struct xs_maddr_dump - state of one XSTACK_CMD_MADDR_GET dump part
 * @skb: reply being filled
 * @cb: dump state
 * @idx: memberships visited
 * @start: memberships dumped by earlier parts
 */
struct xs_maddr_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	long idx;
	long start;
};

static int xs_nl_fill_maddr(void *arg, const struct xs_dev *xd, __be32 group,
			    u32 users, bool delaying, bool reporter,
			    unsigned long expires)
{
	struct xs_maddr_dump *d = arg;
	struct sk_buff *skb = d->skb;
	void *hdr;

	if (d->idx++ < d->start)
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &xs_genl_family, NLM_F_MULTI,
			  XSTACK_CMD_MADDR_GET);
	if (!hdr)
		goto err;
	genl_dump_check_consistent(d->cb, hdr);
	if (nla_put_u32(skb, XSTACK_A_IFINDEX, xd->dev->ifindex) ||
	    nla_put_string(skb, XSTACK_A_IFNAME, xd->dev->name) ||
	    nla_put_in_addr(skb, XSTACK_A_GROUP, group) ||
	    nla_put_u32(skb, XSTACK_A_MC_USERS, users) ||
	    nla_put_u8(skb, XSTACK_A_MC_STATE,
		       delaying ? XSTACK_MC_DELAYING : XSTACK_MC_IDLE)) {
		genlmsg_cancel(skb, hdr);
		goto err;
	}
	genlmsg_end(skb, hdr);
	return 0;

err:
	d->idx--;
	return -EMSGSIZE;
}

/**
 * xs_nl_maddr_dump - XSTACK_CMD_MADDR_GET dump of multicast memberships
 * @skb: reply buffer
 * @cb: dump state; cb->args[0] is the number of memberships dumped
 *
 * One message per device and group: IFINDEX, IFNAME, GROUP, MC_USERS and
 * MC_STATE (XSTACK_MC_DELAYING while a report is pending). All-systems
 * is listed on every attached device. An optional IFINDEX or IFNAME
 * limits the dump to one attached device.
 *
 * Context: process; takes RTNL.
 * Return: skb->len, 0 when done, or a negative errno (-ENODEV, -ENOENT).
 */
int xs_nl_maddr_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = &genl_dumpit_info(cb)->info;
	struct net *net = sock_net(skb->sk);
	struct xs_net *xn = xs_net(net);
	struct xs_maddr_dump d = {
		.skb = skb, .cb = cb, .start = cb->args[0],
	};
	struct xs_dev *xd, *only = NULL;
	int err = 0;

	rtnl_lock();
	if (info->attrs[XSTACK_A_IFINDEX] || info->attrs[XSTACK_A_IFNAME]) {
		only = xs_nl_xdev(net, info->attrs, cb->extack);
		if (IS_ERR(only)) {
			err = PTR_ERR(only);
			goto out;
		}
	}
	/* Both only grow: the sum changes whenever either does. */
	cb->seq = xn->cfg_seq + xn->igmp->seq;
	list_for_each_entry(xd, &xn->devs, list) {
		if (only && xd != only)
			continue;
		err = xs_mc_dev_walk(xd, xs_nl_fill_maddr, &d);
		if (err)
			break;
	}
out:
	rtnl_unlock();
	cb->args[0] = d.idx;
	return xs_nl_dump_done(skb, err, d.idx, d.start);
}

static int xs_proc_igmp_group(void *arg, const struct xs_dev *xd,
			      __be32 group, u32 users, bool delaying,
			      bool reporter, unsigned long expires)
{
	long delta = delaying ? (long)(expires - jiffies) : 0;

	/* /proc/net/igmp prints the group's bytes as a host integer. */
	seq_printf(arg, "\t\t\t\t%08X %5u %d:%08lX\t\t%d\n",
		   (__force u32)group, users, delaying,
		   delaying ? (unsigned long)jiffies_delta_to_clock_t(delta) : 0,
		   reporter);
	return 0;
}

static int xs_proc_igmp_show(struct seq_file *seq, void *v)
{
	struct xs_net *xn = xs_net(seq_file_single_net(seq));
	struct xs_mc_dev *mc;
	struct xs_mc_group *g;
	const struct xs_dev *xd;
	bool v1;
	int bkt, count;

	seq_puts(seq, "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n");
	rtnl_lock();
	list_for_each_entry(xd, &xn->devs, list) {
		mc = rtnl_dereference(xd->mc);
		count = 1;
		v1 = false;
		if (mc) {
			hash_for_each(mc->hash, bkt, g, node)
				if (g->addr != IGMP_ALL_HOSTS)
					count++;
			spin_lock_bh(&mc->lock);
			v1 = xs_mc_v1_present(mc);
			spin_unlock_bh(&mc->lock);
		}
		seq_printf(seq, "%d\t%-10s: %5d %7s\n", xd->dev->ifindex,
			   xd->dev->name, count, v1 ? "V1" : "V2");
		xs_mc_dev_walk(xd, xs_proc_igmp_group, seq);
	}
	rtnl_unlock();
	return 0;
}

/* ------------------------------------------------------------ netns */

static int xs_igmp_qrv_max = XS_IGMP_QRV_MAX;
static int xs_igmp_unsol_max = XS_IGMP_UNSOL_MS_MAX;

static const struct ctl_table xs_igmp_sysctl[] = {
	{
		.procname = "igmp_max_memberships",
		.data = XS_SYSCTL_OFF(struct xs_igmp_net, max_memberships),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = SYSCTL_INT_MAX,
	},
	{
		.procname = "igmp_qrv",
		.data = XS_SYSCTL_OFF(struct xs_igmp_net, qrv),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
		.extra2 = &xs_igmp_qrv_max,
	},
	{
		.procname = "igmp_unsolicited_report_interval",
		.data = XS_SYSCTL_OFF(struct xs_igmp_net,
				      unsolicited_report_interval),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
		.extra2 = &xs_igmp_unsol_max,
	},
};

/**
 * xs_igmp_net_init - IGMP sysctls and /proc/net/xstack/igmp of a namespace
 * @xn: namespace state (proc directory already created)
 *
 * Return: 0 or -ENOMEM.
 */
int xs_igmp_net_init(struct xs_net *xn)
{
	struct xs_igmp_net *in = kzalloc(sizeof(*in), GFP_KERNEL);

	if (unlikely(!in))
		return -ENOMEM;
	in->max_memberships = XS_IGMP_MAX_MEMBERSHIPS;
	in->qrv = XS_IGMP_QRV;
	in->unsolicited_report_interval = XS_IGMP_UNSOL_MS;
	in->sysctl_hdr = xs_sysctl_register(xn, "net/xstack", xs_igmp_sysctl,
					    ARRAY_SIZE(xs_igmp_sysctl), in);
	if (unlikely(!in->sysctl_hdr))
		goto err_sysctl;
	if (unlikely(!proc_create_net_single("igmp", 0444, xn->proc_dir,
					     xs_proc_igmp_show, NULL)))
		goto err_proc;
	xn->igmp = in;
	return 0;

err_proc:
	xs_sysctl_unregister(in->sysctl_hdr);
err_sysctl:
	kfree(in);
	return -ENOMEM;
}

/**
 * xs_igmp_net_exit - free a namespace's IGMP state
 * @xn: namespace state, every device already detached
 */
void xs_igmp_net_exit(struct xs_net *xn)
{
	remove_proc_entry("igmp", xn->proc_dir);
	xs_sysctl_unregister(xn->igmp->sysctl_hdr);
	kfree(xn->igmp);
	xn->igmp = NULL;
}

#include "selftest/igmp_test.c"
