// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 routing for an xstack host: the per-namespace routing table with
 * longest-prefix match, connected routes that follow addresses, source
 * address selection, the hash of local addresses, and the path MTU cache
 * (RFC 1191).
 *
 * The table is one hash list table keyed by (prefix, length) plus a count
 * of routes per prefix length. A lookup probes only the lengths in use,
 * longest first, so it costs at most 33 hash probes whatever the number
 * of routes. Among routes of one prefix the lowest metric whose device is
 * up wins (RFC 1812 5.2.4.3 preference by specificity, then metric).
 *
 * Locking: the table, the local address hash and the per-length counts
 * are written under RTNL and read under RCU. The PMTU cache has its own
 * spinlock (written from softirq).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <linux/xstack.h>
#include "route.h"
#include "stats.h"
#include "xstack.h"

#define XS_PMTU_BUCKETS		1024	/* direct-mapped PMTU cache slots */
#define XS_PMTU_MIN		552	/* Linux's min_pmtu default */
#define XS_ROUTE_MAX_DEFAULT	BIT(20)

struct xs_rt_key {
	__be32 dst;
	u32 plen;
};

/**
 * struct xs_route - one route
 * @key: destination prefix and length (hash key)
 * @node: entry in the table (routes of equal key chain here)
 * @xd: output device
 * @gw: gateway, 0 for on-link
 * @prefsrc: preferred source, 0 for automatic
 * @metric: preference among equal prefixes, lower first
 * @type: XSTACK_RT_UNICAST or XSTACK_RT_CONNECTED
 * @rcu: deferred free
 */
struct xs_route {
	struct xs_rt_key key;
	struct rhlist_head node;
	struct xs_dev *xd;
	__be32 gw;
	__be32 prefsrc;
	u32 metric;
	u8 type;
	struct rcu_head rcu;
};

/**
 * struct xs_pmtu - a cached path MTU (RFC 1191)
 * @daddr: destination
 * @mtu: learned path MTU
 * @expires: jiffies when the entry stops applying
 */
struct xs_pmtu {
	__be32 daddr;
	u32 mtu;
	unsigned long expires;
};

/**
 * struct xs_route_table - routing state of a namespace
 * @routes: routes keyed by (prefix, length) (RTNL writers, RCU readers)
 * @locals: local addresses keyed by address (RTNL writers, RCU readers)
 * @plen_count: routes per prefix length; lookups skip empty lengths
 * @nroutes: routes in @routes (RTNL)
 * @pmtu_lock: protects @pmtu
 * @pmtu: direct-mapped cache; a colliding destination replaces the slot
 * @sysctl_hdr: net.xstack.route_max_size, mtu_expires, min_pmtu
 * @max_size: net.xstack.route_max_size
 * @mtu_expires: net.xstack.mtu_expires (seconds)
 * @min_pmtu: net.xstack.min_pmtu
 */
struct xs_route_table {
	struct rhltable routes;
	struct rhashtable locals;
	unsigned int plen_count[33];
	unsigned int nroutes;
	spinlock_t pmtu_lock;	/* protects @pmtu */
	struct xs_pmtu pmtu[XS_PMTU_BUCKETS];
	struct ctl_table_header *sysctl_hdr;
	int max_size;
	int mtu_expires;
	int min_pmtu;
};

static const struct rhashtable_params xs_route_params = {
	.key_len = sizeof(struct xs_rt_key),
	.key_offset = offsetof(struct xs_route, key),
	.head_offset = offsetof(struct xs_route, node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params xs_local_params = {
	.key_len = sizeof(__be32),
	.key_offset = offsetof(struct xs_ifaddr, local),
	.head_offset = offsetof(struct xs_ifaddr, lnode),
	.automatic_shrinking = true,
};

static int xs_mtu_min = 68;	/* RFC 791: every host handles 68 octets */
static int xs_mtu_max = 65535;

static const struct ctl_table xs_route_sysctl[] = {
	{
		.procname = "route_max_size",
		.data = XS_SYSCTL_OFF(struct xs_route_table, max_size),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
		.extra2 = SYSCTL_INT_MAX,
	},
	{
		.procname = "mtu_expires",
		.data = XS_SYSCTL_OFF(struct xs_route_table, mtu_expires),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
		.extra2 = SYSCTL_INT_MAX,
	},
	{
		.procname = "min_pmtu",
		.data = XS_SYSCTL_OFF(struct xs_route_table, min_pmtu),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = &xs_mtu_min,
		.extra2 = &xs_mtu_max,
	},
};

static bool xs_is_multicast(__be32 addr)
{
	return (ntohl(addr) & 0xf0000000) == 0xe0000000;
}

/**
 * xs_addr_lookup_rcu - the local address entry of @addr
 * @xn: namespace state
 * @addr: IPv4 address
 *
 * Context: rcu_read_lock().
 * Return: the entry, or NULL when @addr is not one of ours.
 */
struct xs_ifaddr *xs_addr_lookup_rcu(struct xs_net *xn, __be32 addr)
{
	if (unlikely(!xn->route))
		return NULL;
	return rhashtable_lookup(&xn->route->locals, &addr, xs_local_params);
}

/**
 * xs_addr_is_broadcast_rcu - whether @addr is a broadcast address on @xd
 * @xd: device
 * @addr: IPv4 address
 *
 * Limited broadcast, or the directed broadcast of one of @xd's subnets.
 *
 * Context: rcu_read_lock().
 * Return: true for broadcast.
 */
bool xs_addr_is_broadcast_rcu(const struct xs_dev *xd, __be32 addr)
{
	const struct xs_ifaddr *ifa;

	if (addr == htonl(INADDR_BROADCAST))
		return true;
	list_for_each_entry_rcu(ifa, &xd->addrs, list)
		if (ifa->broadcast && ifa->broadcast == addr)
			return true;
	return false;
}

static bool xs_route_usable(const struct xs_route *r, int oif)
{
	const struct net_device *dev = r->xd->dev;

	return netif_running(dev) && (!oif || dev->ifindex == oif);
}

/* Longest prefix first, then lowest metric among usable routes. */
static const struct xs_route *xs_route_lpm(struct xs_route_table *t,
					   __be32 daddr, int oif)
{
	const struct xs_route *r, *best;
	struct rhlist_head *list, *pos;
	struct xs_rt_key key;
	int plen;

	for (plen = 32; plen >= 0; plen--) {
		if (!READ_ONCE(t->plen_count[plen]))
			continue;
		key.dst = daddr & xs_prefix_mask(plen);
		key.plen = plen;
		list = rhltable_lookup(&t->routes, &key, xs_route_params);
		best = NULL;
		rhl_for_each_entry_rcu(r, pos, list, node)
			if (xs_route_usable(r, oif) &&
			    (!best || r->metric < best->metric))
				best = r;
		if (best)
			return best;
	}
	return NULL;
}

/* RFC 1122 3.3.4.3 / 3.3.1.2: an address of the output interface. */
static __be32 xs_select_src(struct xs_net *xn, const struct xs_dev *xd,
			    __be32 nexthop)
{
	const struct xs_ifaddr *ifa, *first = NULL;
	const struct xs_dev *other;

	list_for_each_entry_rcu(ifa, &xd->addrs, list) {
		if (!((ifa->local ^ nexthop) & ifa->mask))
			return ifa->local;
		if (!first)
			first = ifa;
	}
	if (first)
		return first->local;
	list_for_each_entry_rcu(other, &xn->devs, list)
		list_for_each_entry_rcu(ifa, &other->addrs, list)
			return ifa->local;
	return 0;
}

static u32 xs_rt_mtu(struct xs_net *xn, const struct xs_dev *xd, __be32 daddr)
{
	u32 mtu = READ_ONCE(xd->mtu);
	u32 pmtu = xs_pmtu_get(xn, daddr);

	return pmtu ? min(mtu, pmtu) : mtu;
}

static int xs_route_local(struct xs_ifaddr *ifa, __be32 saddr,
			  struct xs_rt *rt)
{
	rt->xd = ifa->xd;
	rt->nexthop = ifa->local;
	rt->src = saddr ?: ifa->local;
	rt->mtu = 65535;	/* the internal loopback never fragments */
	rt->type = XSTACK_RT_LOCAL;
	return 0;
}

/*
 * No route, but the socket names its device (SO_BINDTODEVICE,
 * IP_MULTICAST_IF, IP_PKTINFO): Linux then takes the destination as
 * on-link through that device.
 */
static int xs_route_onlink(struct xs_net *xn, __be32 daddr, __be32 saddr,
			   int oif, struct xs_rt *rt)
{
	struct xs_dev *xd;

	list_for_each_entry_rcu(xd, &xn->devs, list) {
		if (xd->dev->ifindex != oif || !netif_running(xd->dev))
			continue;
		rt->xd = xd;
		rt->nexthop = daddr;
		rt->src = saddr ?: xs_select_src(xn, xd, daddr);
		if (!rt->src)
			break;
		rt->mtu = xs_rt_mtu(xn, xd, daddr);
		if (xs_is_multicast(daddr))
			rt->type = XSTACK_RT_MULTICAST;
		else if (xs_addr_is_broadcast_rcu(xd, daddr))
			rt->type = XSTACK_RT_BROADCAST;
		else
			rt->type = XSTACK_RT_UNICAST;
		return 0;
	}
	XS_INC(xn, Ip_OutNoRoutes);
	return -ENETUNREACH;
}

/**
 * xs_route_output - route a datagram this host sends
 * @xn: namespace state
 * @daddr: destination
 * @saddr: source the socket is bound to, or 0
 * @oif: device the socket is bound to, or 0
 * @rt: the decision
 *
 * Context: rcu_read_lock(); @rt->xd is valid until rcu_read_unlock().
 * Return: 0, -EADDRNOTAVAIL (@saddr is not ours) or -ENETUNREACH.
 */
int xs_route_output(struct xs_net *xn, __be32 daddr, __be32 saddr, int oif,
		    struct xs_rt *rt)
{
	const struct xs_route *r;
	struct xs_ifaddr *ifa;

	if (saddr && !xs_addr_lookup_rcu(xn, saddr))
		return -EADDRNOTAVAIL;
	ifa = xs_addr_lookup_rcu(xn, daddr);
	if (ifa && (!oif || oif == ifa->xd->dev->ifindex))
		return xs_route_local(ifa, saddr, rt);

	/* Linux: broadcast and multicast from a bound source leave there. */
	if (!oif && saddr && (xs_is_multicast(daddr) ||
			      daddr == htonl(INADDR_BROADCAST)))
		oif = xs_addr_lookup_rcu(xn, saddr)->xd->dev->ifindex;
	r = xs_route_lpm(xn->route, daddr, oif);
	if (!r)
		return xs_route_onlink(xn, daddr, saddr, oif, rt);
	rt->xd = r->xd;
	rt->nexthop = r->gw ?: daddr;
	rt->src = saddr ?: r->prefsrc ?: xs_select_src(xn, r->xd, rt->nexthop);
	if (!rt->src)
		return -ENETUNREACH;
	rt->mtu = xs_rt_mtu(xn, r->xd, daddr);
	if (xs_is_multicast(daddr))
		rt->type = XSTACK_RT_MULTICAST;
	else if (xs_addr_is_broadcast_rcu(r->xd, daddr))
		rt->type = XSTACK_RT_BROADCAST;
	else
		rt->type = r->type;
	return 0;
}

/* Path MTU cache (RFC 1191 6.3: entries age out, mtu_expires). */

static struct xs_pmtu *xs_pmtu_slot(struct xs_route_table *t, __be32 daddr)
{
	return &t->pmtu[jhash_1word((__force u32)daddr, 0) %
			XS_PMTU_BUCKETS];
}

/**
 * xs_pmtu_update - learn a smaller path MTU towards @daddr
 * @xn: namespace state
 * @daddr: destination
 * @mtu: next-hop MTU from ICMP fragmentation needed
 *
 * Values below net.xstack.min_pmtu are raised to it (RFC 1191 section 3
 * and the defence against forged tiny MTUs).
 */
void xs_pmtu_update(struct xs_net *xn, __be32 daddr, u32 mtu)
{
	struct xs_route_table *t = xn->route;
	struct xs_pmtu *p;

	mtu = max_t(u32, mtu, READ_ONCE(t->min_pmtu));
	p = xs_pmtu_slot(t, daddr);
	spin_lock_bh(&t->pmtu_lock);
	if (p->daddr != daddr || time_after(jiffies, p->expires) ||
	    mtu < p->mtu) {
		p->daddr = daddr;
		p->mtu = mtu;
		p->expires = jiffies + READ_ONCE(t->mtu_expires) * HZ;
		XS_INC(xn, XsExt_PmtuUpdates);
	}
	spin_unlock_bh(&t->pmtu_lock);
}

/**
 * xs_pmtu_get - cached path MTU towards @daddr
 * @xn: namespace state
 * @daddr: destination
 *
 * Return: the MTU, or 0 when nothing (fresh) is cached.
 */
u32 xs_pmtu_get(struct xs_net *xn, __be32 daddr)
{
	struct xs_route_table *t = xn->route;
	struct xs_pmtu *p = xs_pmtu_slot(t, daddr);
	u32 mtu = 0;

	spin_lock_bh(&t->pmtu_lock);
	if (p->daddr == daddr && p->mtu && time_before(jiffies, p->expires))
		mtu = p->mtu;
	spin_unlock_bh(&t->pmtu_lock);
	return mtu;
}

/* Table maintenance, under RTNL. */

static int xs_route_insert(struct xs_net *xn, struct xs_route *r)
{
	struct xs_route_table *t = xn->route;
	int err;

	err = rhltable_insert(&t->routes, &r->node, xs_route_params);
	if (unlikely(err))
		return err;
	WRITE_ONCE(t->plen_count[r->key.plen], t->plen_count[r->key.plen] + 1);
	t->nroutes++;
	xn->cfg_seq++;
	return 0;
}

static void xs_route_remove(struct xs_net *xn, struct xs_route *r)
{
	struct xs_route_table *t = xn->route;

	rhltable_remove(&t->routes, &r->node, xs_route_params);
	WRITE_ONCE(t->plen_count[r->key.plen], t->plen_count[r->key.plen] - 1);
	t->nroutes--;
	xn->cfg_seq++;
	kfree_rcu(r, rcu);
}

static struct rhlist_head *xs_route_list(struct xs_route_table *t,
					 __be32 dst, unsigned int plen)
{
	struct xs_rt_key key = { .dst = dst, .plen = plen };

	return rhltable_lookup(&t->routes, &key, xs_route_params);
}

static struct xs_route *xs_route_find_connected(struct xs_net *xn,
						const struct xs_ifaddr *ifa)
{
	struct rhlist_head *list, *pos;
	struct xs_route *r;

	list = xs_route_list(xn->route, ifa->local & ifa->mask, ifa->prefixlen);
	rhl_for_each_entry_rcu(r, pos, list, node)
		if (r->type == XSTACK_RT_CONNECTED && r->xd == ifa->xd)
			return r;
	return NULL;
}

static struct xs_route *xs_route_alloc(__be32 dst, unsigned int plen,
				       struct xs_dev *xd)
{
	struct xs_route *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (unlikely(!r))
		return NULL;
	r->key.dst = dst;
	r->key.plen = plen;
	r->xd = xd;
	return r;
}

/**
 * xs_route_addr_added - add the local and connected routes of an address
 * @ifa: the new address (already on its device's list)
 *
 * A /32 gets no connected route; a second address in a subnet shares the
 * first one's route.
 *
 * Context: RTNL held.
 * Return: 0 or a negative errno (the address must then be removed).
 */
int xs_route_addr_added(struct xs_ifaddr *ifa)
{
	struct xs_net *xn = ifa->xd->xn;
	struct xs_route *r;
	int err;

	if (unlikely(!xn->route))	/* self-tests run without tables */
		return 0;
	err = rhashtable_insert_fast(&xn->route->locals, &ifa->lnode,
				     xs_local_params);
	if (unlikely(err))
		return err;
	rcu_read_lock();
	r = ifa->prefixlen == 32 ? NULL : xs_route_find_connected(xn, ifa);
	rcu_read_unlock();
	if (ifa->prefixlen == 32 || r)
		return 0;

	r = xs_route_alloc(ifa->local & ifa->mask, ifa->prefixlen, ifa->xd);
	if (unlikely(!r)) {
		err = -ENOMEM;
		goto err_alloc;
	}
	r->type = XSTACK_RT_CONNECTED;
	r->prefsrc = ifa->local;
	err = xs_route_insert(xn, r);
	if (unlikely(err))
		goto err_insert;
	return 0;

err_insert:
	kfree(r);
err_alloc:
	rhashtable_remove_fast(&xn->route->locals, &ifa->lnode,
			       xs_local_params);
	return err;
}

static const struct xs_ifaddr *xs_addr_same_subnet(const struct xs_ifaddr *ifa)
{
	const struct xs_ifaddr *other;

	list_for_each_entry(other, &ifa->xd->addrs, list)
		if (other != ifa && other->prefixlen == ifa->prefixlen &&
		    !((other->local ^ ifa->local) & ifa->mask))
			return other;
	return NULL;
}

/**
 * xs_route_addr_removed - drop what xs_route_addr_added() created
 * @ifa: the address being removed (still on its device's list)
 *
 * The connected route stays while another address of the device is in
 * the same subnet; its preferred source moves to that address.
 *
 * Context: RTNL held.
 */
void xs_route_addr_removed(struct xs_ifaddr *ifa)
{
	struct xs_net *xn = ifa->xd->xn;
	const struct xs_ifaddr *other;
	struct xs_route *r;

	if (unlikely(!xn->route))
		return;
	rhashtable_remove_fast(&xn->route->locals, &ifa->lnode,
			       xs_local_params);
	rcu_read_lock();	/* RTNL keeps @r; the lookup wants RCU */
	r = xs_route_find_connected(xn, ifa);
	rcu_read_unlock();
	if (!r)
		return;
	other = xs_addr_same_subnet(ifa);
	if (other)
		WRITE_ONCE(r->prefsrc, other->local);
	else
		xs_route_remove(xn, r);
}

/* Calls @fn on every route; @fn may remove the route it is given. */
static void xs_route_walk(struct xs_net *xn,
			  void (*fn)(struct xs_net *xn, struct xs_route *r,
				     void *arg),
			  void *arg)
{
	struct rhashtable_iter iter;
	struct xs_route *r;

	rhltable_walk_enter(&xn->route->routes, &iter);
	rhashtable_walk_start(&iter);
	while ((r = rhashtable_walk_next(&iter))) {
		if (IS_ERR(r))
			continue;	/* -EAGAIN: resized, keep walking */
		fn(xn, r, arg);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

static void xs_route_drop_dev(struct xs_net *xn, struct xs_route *r, void *arg)
{
	if (!arg || r->xd == arg)
		xs_route_remove(xn, r);
}

/**
 * xs_route_dev_gone - remove every route through a detached device
 * @xd: the device
 *
 * Context: RTNL held.
 */
void xs_route_dev_gone(struct xs_dev *xd)
{
	if (likely(xd->xn->route))
		xs_route_walk(xd->xn, xs_route_drop_dev, xd);
}

/**
 * xs_route_net_init - create a namespace's routing state
 * @xn: namespace state
 *
 * Return: 0 or a negative errno.
 */
int xs_route_net_init(struct xs_net *xn)
{
	struct xs_route_table *t;
	int err;

	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	if (unlikely(!t))
		return -ENOMEM;
	spin_lock_init(&t->pmtu_lock);
	t->max_size = XS_ROUTE_MAX_DEFAULT;
	t->mtu_expires = 600;
	t->min_pmtu = XS_PMTU_MIN;

	err = rhltable_init(&t->routes, &xs_route_params);
	if (unlikely(err))
		goto err_routes;
	err = rhashtable_init(&t->locals, &xs_local_params);
	if (unlikely(err))
		goto err_locals;
	t->sysctl_hdr = xs_sysctl_register(xn, "net/xstack", xs_route_sysctl,
					   ARRAY_SIZE(xs_route_sysctl), t);
	if (unlikely(!t->sysctl_hdr)) {
		err = -ENOMEM;
		goto err_sysctl;
	}
	xn->route = t;
	return 0;

err_sysctl:
	rhashtable_destroy(&t->locals);
err_locals:
	rhltable_destroy(&t->routes);
err_routes:
	kvfree(t);
	return err;
}

/**
 * xs_route_net_exit - free a namespace's routing state
 * @xn: namespace state (every device already detached)
 */
void xs_route_net_exit(struct xs_net *xn)
{
	struct xs_route_table *t = xn->route;

	xs_sysctl_unregister(t->sysctl_hdr);
	rtnl_lock();
	xs_route_walk(xn, xs_route_drop_dev, NULL);
	rtnl_unlock();
	xn->route = NULL;
	synchronize_rcu();
	rhashtable_destroy(&t->locals);
	rhltable_destroy(&t->routes);
	kvfree(t);
}

/* Generic netlink: route add, del, dump, lookup. */

struct xs_route_req {
	__be32 dst;
	u32 plen;
	__be32 gw;
	__be32 prefsrc;
	u32 metric;
	struct xs_dev *xd;
	bool has_metric;
};

static int xs_nl_route_parse(struct genl_info *info, struct xs_route_req *req)
{
	struct nlattr **a = info->attrs;

	memset(req, 0, sizeof(*req));
	if (GENL_REQ_ATTR_CHECK(info, XSTACK_A_DST))
		return -EINVAL;
	req->dst = nla_get_be32(a[XSTACK_A_DST]);
	req->plen = a[XSTACK_A_DST_LEN] ? nla_get_u8(a[XSTACK_A_DST_LEN]) : 32;
	if (req->plen > 32) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[XSTACK_A_DST_LEN],
				    "prefix length must be 0..32");
		return -EINVAL;
	}
	if (req->dst & ~xs_prefix_mask(req->plen)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[XSTACK_A_DST],
				    "invalid prefix for given prefix length");
		return -EINVAL;
	}
	if (a[XSTACK_A_GATEWAY])
		req->gw = nla_get_be32(a[XSTACK_A_GATEWAY]);
	if (a[XSTACK_A_PREFSRC])
		req->prefsrc = nla_get_be32(a[XSTACK_A_PREFSRC]);
	if (a[XSTACK_A_METRIC]) {
		req->metric = nla_get_u32(a[XSTACK_A_METRIC]);
		req->has_metric = true;
	}
	return 0;
}

/* The device the gateway is on-link for, checked against a given one. */
static int xs_nl_route_gw_dev(struct xs_net *xn, struct xs_route_req *req,
			      struct netlink_ext_ack *extack)
{
	const struct xs_route *r;

	if (!xs_addr_is_host_unicast(req->gw) ||
	    xs_addr_lookup_rcu(xn, req->gw)) {
		NL_SET_ERR_MSG(extack, "gateway must be a remote unicast address");
		return -EINVAL;
	}
	r = xs_route_lpm(xn->route, req->gw,
			 req->xd ? req->xd->dev->ifindex : 0);
	if (!r || r->gw) {
		NL_SET_ERR_MSG(extack,
			       "gateway is not on a connected network of the device");
		return req->xd ? -EINVAL : -ENETUNREACH;
	}
	req->xd = r->xd;
	return 0;
}

static int xs_nl_route_validate(struct xs_net *xn, struct genl_info *info,
				struct xs_route_req *req)
{
	struct netlink_ext_ack *extack = info->extack;
	int err;

	if (req->prefsrc && !xs_addr_lookup_rcu(xn, req->prefsrc)) {
		NL_SET_ERR_MSG(extack, "preferred source is not a local address");
		return -EINVAL;
	}
	if (req->gw) {
		err = xs_nl_route_gw_dev(xn, req, extack);
		if (err)
			return err;
	}
	if (!req->xd) {
		NL_SET_ERR_MSG(extack, "route needs a gateway or a device");
		return -EINVAL;
	}
	if (xn->route->nroutes >= READ_ONCE(xn->route->max_size)) {
		NL_SET_ERR_MSG(extack,
			       "routing table full (net.xstack.route_max_size)");
		return -ENOSPC;
	}
	return 0;
}

static bool xs_route_exists(struct xs_net *xn, const struct xs_route_req *req)
{
	struct rhlist_head *list, *pos;
	const struct xs_route *r;

	list = xs_route_list(xn->route, req->dst, req->plen);
	rhl_for_each_entry_rcu(r, pos, list, node)
		if (r->metric == req->metric)
			return true;
	return false;
}

static int xs_nl_route_add_locked(struct xs_net *xn, struct genl_info *info,
				  struct xs_route_req *req)
{
	struct xs_route *r;
	int err;

	if (info->attrs[XSTACK_A_IFINDEX] || info->attrs[XSTACK_A_IFNAME]) {
		req->xd = xs_nl_xdev(xn->net, info->attrs, info->extack);
		if (IS_ERR(req->xd))
			return PTR_ERR(req->xd);
	}
	/* RCU for the lookups only: allocation below may sleep. */
	rcu_read_lock();
	err = xs_nl_route_validate(xn, info, req);
	if (!err && xs_route_exists(xn, req)) {
		NL_SET_ERR_MSG(info->extack,
			       "a route to this prefix with this metric exists");
		err = -EEXIST;
	}
	rcu_read_unlock();
	if (err)
		return err;
	r = xs_route_alloc(req->dst, req->plen, req->xd);
	if (unlikely(!r))
		return -ENOMEM;
	r->gw = req->gw;
	r->prefsrc = req->prefsrc;
	r->metric = req->metric;
	r->type = XSTACK_RT_UNICAST;
	err = xs_route_insert(xn, r);
	if (unlikely(err))
		kfree(r);
	return err;
}

/**
 * xs_nl_route_add - XSTACK_CMD_ROUTE_ADD
 * @skb: request
 * @info: parsed request
 *
 * Return: 0, -EINVAL, -ENODEV, -ENOENT, -ENETUNREACH, -EEXIST, -ENOSPC.
 */
int xs_nl_route_add(struct sk_buff *skb, struct genl_info *info)
{
	struct xs_net *xn = xs_net(genl_info_net(info));
	struct xs_route_req req;
	int err;

	err = xs_nl_route_parse(info, &req);
	if (err)
		return err;
	rtnl_lock();
	err = xs_nl_route_add_locked(xn, info, &req);
	rtnl_unlock();
	return err;
}

static bool xs_route_matches(const struct xs_route *r,
			     const struct xs_route_req *req)
{
	return (!req->has_metric || r->metric == req->metric) &&
	       (!req->gw || r->gw == req->gw) &&
	       (!req->xd || r->xd == req->xd);
}

static int xs_nl_route_del_locked(struct xs_net *xn, struct genl_info *info,
				  struct xs_route_req *req)
{
	struct rhlist_head *list, *pos;
	struct xs_route *r;

	if (info->attrs[XSTACK_A_IFINDEX] || info->attrs[XSTACK_A_IFNAME]) {
		req->xd = xs_nl_xdev(xn->net, info->attrs, info->extack);
		if (IS_ERR(req->xd))
			return PTR_ERR(req->xd);
	}
	list = xs_route_list(xn->route, req->dst, req->plen);
	rhl_for_each_entry_rcu(r, pos, list, node) {
		if (xs_route_matches(r, req)) {
			xs_route_remove(xn, r);
			return 0;
		}
	}
	NL_SET_ERR_MSG(info->extack, "no such route");
	return -ESRCH;
}

/**
 * xs_nl_route_del - XSTACK_CMD_ROUTE_DEL
 * @skb: request
 * @info: parsed request
 *
 * Return: 0, -EINVAL, -ENODEV, -ENOENT or -ESRCH (no matching route).
 */
int xs_nl_route_del(struct sk_buff *skb, struct genl_info *info)
{
	struct xs_net *xn = xs_net(genl_info_net(info));
	struct xs_route_req req;
	int err;

	err = xs_nl_route_parse(info, &req);
	if (err)
		return err;
	rtnl_lock();
	rcu_read_lock();
	err = xs_nl_route_del_locked(xn, info, &req);
	rcu_read_unlock();
	rtnl_unlock();
	return err;
}

static int xs_nl_put_rt_dev(struct sk_buff *skb, const struct xs_dev *xd)
{
	if (nla_put_u32(skb, XSTACK_A_IFINDEX, xd->dev->ifindex) ||
	    nla_put_string(skb, XSTACK_A_IFNAME, xd->dev->name))
		return -EMSGSIZE;
	return 0;
}

static int xs_nl_fill_route(struct sk_buff *skb, const struct xs_route *r,
			    struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &xs_genl_family, NLM_F_MULTI,
			  XSTACK_CMD_ROUTE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_be32(skb, XSTACK_A_DST, r->key.dst) ||
	    nla_put_u8(skb, XSTACK_A_DST_LEN, r->key.plen) ||
	    (r->gw && nla_put_be32(skb, XSTACK_A_GATEWAY, r->gw)) ||
	    (r->prefsrc && nla_put_be32(skb, XSTACK_A_PREFSRC, r->prefsrc)) ||
	    nla_put_u32(skb, XSTACK_A_METRIC, r->metric) ||
	    nla_put_u8(skb, XSTACK_A_ROUTE_TYPE, r->type) ||
	    xs_nl_put_rt_dev(skb, r->xd)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * xs_nl_route_dump - XSTACK_CMD_ROUTE_GET dump
 * @skb: reply buffer
 * @cb: dump state; cb->args[0] counts routes already dumped
 *
 * Return: skb->len, 0 when done, or a negative errno.
 */
int xs_nl_route_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xs_net *xn = xs_net(sock_net(skb->sk));
	long idx = 0, start = cb->args[0];
	struct rhashtable_iter iter;
	struct xs_route *r;
	int err = 0;

	rtnl_lock();
	cb->seq = xn->cfg_seq;
	rhltable_walk_enter(&xn->route->routes, &iter);
	rhashtable_walk_start(&iter);
	while ((r = rhashtable_walk_next(&iter))) {
		if (IS_ERR(r))
			continue;
		if (idx++ < start)
			continue;
		err = xs_nl_fill_route(skb, r, cb);
		if (err) {
			idx--;
			break;
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	rtnl_unlock();
	cb->args[0] = idx;
	return xs_nl_dump_done(skb, err, idx, start);
}

static int xs_nl_fill_lookup(struct sk_buff *msg, struct genl_info *info,
			     __be32 daddr, const struct xs_rt *rt)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &xs_genl_family, 0,
				XSTACK_CMD_ROUTE_LOOKUP);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_be32(msg, XSTACK_A_DST, daddr) ||
	    (rt->nexthop != daddr &&
	     nla_put_be32(msg, XSTACK_A_GATEWAY, rt->nexthop)) ||
	    nla_put_be32(msg, XSTACK_A_PREFSRC, rt->src) ||
	    nla_put_u8(msg, XSTACK_A_ROUTE_TYPE, rt->type) ||
	    nla_put_u32(msg, XSTACK_A_PMTU, rt->mtu) ||
	    xs_nl_put_rt_dev(msg, rt->xd)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/**
 * xs_nl_route_lookup - XSTACK_CMD_ROUTE_LOOKUP ("route get")
 * @skb: request
 * @info: parsed request: DST, optional PREFSRC and device
 *
 * Return: 0 with a reply, or -EINVAL, -ENODEV, -ENETUNREACH,
 * -EADDRNOTAVAIL.
 */
int xs_nl_route_lookup(struct sk_buff *skb, struct genl_info *info)
{
	struct xs_net *xn = xs_net(genl_info_net(info));
	__be32 daddr, saddr = 0;
	struct net_device *dev;
	struct sk_buff *msg;
	struct xs_rt rt;
	int oif = 0;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, XSTACK_A_DST))
		return -EINVAL;
	daddr = nla_get_be32(info->attrs[XSTACK_A_DST]);
	if (info->attrs[XSTACK_A_PREFSRC])
		saddr = nla_get_be32(info->attrs[XSTACK_A_PREFSRC]);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (unlikely(!msg))
		return -ENOMEM;

	rtnl_lock();
	if (info->attrs[XSTACK_A_IFINDEX] || info->attrs[XSTACK_A_IFNAME]) {
		dev = xs_nl_dev(xn->net, info->attrs, info->extack);
		if (IS_ERR(dev)) {
			err = PTR_ERR(dev);
			goto out;
		}
		oif = dev->ifindex;
	}
	rcu_read_lock();
	err = xs_route_output(xn, daddr, saddr, oif, &rt);
	if (err == -ENETUNREACH)
		NL_SET_ERR_MSG(info->extack, "no route to destination");
	else if (err)
		NL_SET_ERR_MSG(info->extack, "source is not a local address");
	else
		err = xs_nl_fill_lookup(msg, info, daddr, &rt);
	rcu_read_unlock();
out:
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}
