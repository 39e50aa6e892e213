/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Routing table, address classification and path MTU cache interfaces.
 */
#ifndef _XSTACK_ROUTE_H
#define _XSTACK_ROUTE_H

#include <linux/types.h>
#include <net/genetlink.h>

struct xs_net;
struct xs_dev;
struct xs_ifaddr;

/**
 * struct xs_rt - an output routing decision
 * @xd: output device (valid under the RCU read lock of the lookup)
 * @nexthop: gateway, or the destination itself when on-link
 * @src: source address chosen for the destination
 * @mtu: min(device MTU, cached path MTU)
 * @type: XSTACK_RT_* (LOCAL: deliver through the internal loopback)
 */
struct xs_rt {
	struct xs_dev *xd;
	__be32 nexthop;
	__be32 src;
	u32 mtu;
	u8 type;
};

int xs_route_net_init(struct xs_net *xn);
void xs_route_net_exit(struct xs_net *xn);

/* Context: rcu_read_lock(). Returns 0, -ENETUNREACH or -EADDRNOTAVAIL. */
int xs_route_output(struct xs_net *xn, __be32 daddr, __be32 saddr, int oif,
		    struct xs_rt *rt);

/* Context: rcu_read_lock(). Address owned by this netns, or NULL. */
struct xs_ifaddr *xs_addr_lookup_rcu(struct xs_net *xn, __be32 addr);
/* Context: rcu_read_lock(). @addr is a broadcast address for @xd. */
bool xs_addr_is_broadcast_rcu(const struct xs_dev *xd, __be32 addr);

/* Connected routes follow addresses. Context: RTNL held. */
int xs_route_addr_added(struct xs_ifaddr *ifa);
void xs_route_addr_removed(struct xs_ifaddr *ifa);
void xs_route_dev_gone(struct xs_dev *xd);

/* Path MTU cache (RFC 1191), used by transports and route lookups. */
void xs_pmtu_update(struct xs_net *xn, __be32 daddr, u32 mtu);
u32 xs_pmtu_get(struct xs_net *xn, __be32 daddr);

/* Generic netlink handlers (netlink.c lists them in its ops table). */
int xs_nl_route_add(struct sk_buff *skb, struct genl_info *info);
int xs_nl_route_del(struct sk_buff *skb, struct genl_info *info);
int xs_nl_route_dump(struct sk_buff *skb, struct netlink_callback *cb);
int xs_nl_route_lookup(struct sk_buff *skb, struct genl_info *info);

#endif /* _XSTACK_ROUTE_H */
