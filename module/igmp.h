/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multicast group membership: IGMPv2 (RFC 2236) host side, per-device
 * group tables with the device's link-layer multicast filter, and the
 * per-socket membership lists behind IP_ADD_MEMBERSHIP and friends.
 */
#ifndef _XSTACK_IGMP_H
#define _XSTACK_IGMP_H

#include <linux/skbuff.h>
#include <linux/sockptr.h>
#include <net/genetlink.h>
#include <net/sock.h>

struct xs_net;
struct xs_dev;
struct xs_l4_proto;
struct xs_mc_socklist;

extern const struct xs_l4_proto xs_igmp_l4;

int xs_igmp_net_init(struct xs_net *xn);
void xs_igmp_net_exit(struct xs_net *xn);

/*
 * IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP (struct ip_mreq or ip_mreqn), and
 * if implemented IP_ADD/DROP_SOURCE_MEMBERSHIP, IP_BLOCK/UNBLOCK_SOURCE,
 * MCAST_JOIN_GROUP, MCAST_LEAVE_GROUP. Context: socket locked, process.
 * Returns 0, -ENOPROTOOPT for other options, or Linux's errnos (EINVAL
 * not multicast, ENODEV no such interface, EADDRINUSE already joined,
 * EADDRNOTAVAIL not joined, ENOBUFS over net.xstack.igmp_max_memberships).
 */
int xs_mc_setsockopt(struct sock *sk, struct xs_mc_socklist __rcu **list,
		     int optname, sockptr_t optval, unsigned int optlen);
/* Leave every group of a closing socket. Context: process. */
void xs_mc_sock_drop_all(struct sock *sk, struct xs_mc_socklist __rcu **list);
/*
 * Whether a socket joined @group on @ifindex (and, with source filters,
 * accepts @saddr). Context: rcu_read_lock().
 */
bool xs_mc_sock_member(struct xs_mc_socklist __rcu **list, __be32 group,
		       int ifindex, __be32 saddr);
/* Whether any socket of this host joined @group on @xd. RCU. */
bool xs_mc_dev_member_rcu(const struct xs_dev *xd, __be32 group);
/* Device detached or down: forget its groups. RTNL held. */
void xs_mc_dev_down(struct xs_dev *xd);
/* Device up again: re-announce its groups (RFC 2236 3). RTNL held. */
void xs_mc_dev_up(struct xs_dev *xd);

/* XSTACK_CMD_MADDR_GET dump: device, group, users, reporter state. */
int xs_nl_maddr_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _XSTACK_IGMP_H */
