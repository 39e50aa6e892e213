// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 addresses of attached devices: validation, add, delete, flush.
 *
 * An xstack host address is unique within its namespace: the same
 * address on two devices would make local delivery ambiguous, so the
 * second add fails with EEXIST like a duplicate on one device.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/inetdevice.h>
#include <linux/slab.h>

#include "arp.h"
#include "route.h"
#include "xstack.h"

/**
 * xs_prefix_mask - network mask of a prefix length
 * @prefixlen: 0..32
 *
 * Return: the mask in network byte order.
 */
__be32 xs_prefix_mask(unsigned int prefixlen)
{
	if (!prefixlen)
		return 0;
	return htonl(~0U << (32 - min(prefixlen, 32U)));
}

/**
 * xs_addr_is_host_unicast - whether @addr may be assigned to an interface
 * @addr: IPv4 address, network byte order
 *
 * Refuses "this network" 0.0.0.0/8 (RFC 1122 3.2.1.3 (a)), loopback
 * 127.0.0.0/8 (3.2.1.3 (g)), multicast 224.0.0.0/4 (RFC 1112) and the
 * reserved 240.0.0.0/4 including limited broadcast (RFC 1122 3.2.1.3 (c)).
 *
 * Return: true for an assignable unicast address.
 */
bool xs_addr_is_host_unicast(__be32 addr)
{
	u32 a = ntohl(addr);
	u8 first = a >> 24;

	return first != 0 && first != 127 && first < 224;
}

/**
 * xs_ifaddr_init - fill an address entry's derived fields
 * @ifa: the entry
 * @local: the address
 * @prefixlen: 0..32
 */
void xs_ifaddr_init(struct xs_ifaddr *ifa, __be32 local,
		    unsigned int prefixlen)
{
	ifa->local = local;
	ifa->prefixlen = prefixlen;
	ifa->mask = xs_prefix_mask(prefixlen);
	/* RFC 3021: /31 point-to-point links have no broadcast address. */
	ifa->broadcast = prefixlen < 31 ? local | ~ifa->mask : 0;
}

static struct xs_ifaddr *xs_addr_find_rtnl(struct xs_net *xn, __be32 local)
{
	struct xs_ifaddr *ifa;
	struct xs_dev *xd;

	list_for_each_entry(xd, &xn->devs, list)
		list_for_each_entry(ifa, &xd->addrs, list)
			if (ifa->local == local)
				return ifa;
	return NULL;
}

/**
 * xs_addr_add - add an IPv4 address to an attached device
 * @xd: the device
 * @local: the address
 * @prefixlen: prefix length
 * @extack: error report
 *
 * Context: RTNL held.
 * Return: 0, -EINVAL (bad prefix or not a unicast address), -EEXIST
 * (address present in the namespace), -ENOSPC (device full) or -ENOMEM.
 */
int xs_addr_add(struct xs_dev *xd, __be32 local, unsigned int prefixlen,
		struct netlink_ext_ack *extack)
{
	struct xs_net *xn = xd->xn;
	struct xs_ifaddr *ifa;
	int err;

	if (prefixlen > 32) {
		NL_SET_ERR_MSG(extack, "prefix length must be 0..32");
		return -EINVAL;
	}
	if (!xs_addr_is_host_unicast(local)) {
		NL_SET_ERR_MSG(extack,
			       "address must be unicast (not 0/8, 127/8, multicast or 240/4)");
		return -EINVAL;
	}
	ifa = xs_addr_find_rtnl(xn, local);
	if (ifa) {
		if (ifa->xd == xd)
			NL_SET_ERR_MSG(extack,
				       "address already assigned to this device");
		else
			NL_SET_ERR_MSG(extack,
				       "address already assigned to another device");
		return -EEXIST;
	}
	if (xd->naddrs >= READ_ONCE(xn->sysctl_addrs_per_dev)) {
		NL_SET_ERR_MSG(extack,
			       "too many addresses on device (net.xstack.addrs_per_dev)");
		return -ENOSPC;
	}

	ifa = kzalloc(sizeof(*ifa), GFP_KERNEL);
	if (unlikely(!ifa))
		return -ENOMEM;
	ifa->xd = xd;
	xs_ifaddr_init(ifa, local, prefixlen);
	list_add_tail_rcu(&ifa->list, &xd->addrs);
	err = xs_route_addr_added(ifa);
	if (unlikely(err)) {
		list_del_rcu(&ifa->list);
		kfree_rcu(ifa, rcu);
		return err;
	}
	xd->naddrs++;
	xn->cfg_seq++;
	if (xd->dev && !xd->noarp)
		xs_arp_announce(ifa);
	return 0;
}

static void xs_addr_remove(struct xs_ifaddr *ifa)
{
	xs_route_addr_removed(ifa);
	list_del_rcu(&ifa->list);
	ifa->xd->naddrs--;
	ifa->xd->xn->cfg_seq++;
	kfree_rcu(ifa, rcu);
}

/**
 * xs_addr_del - remove an IPv4 address from a device
 * @xd: the device
 * @local: the address
 * @prefixlen: prefix length that must match, or -1 for any
 * @extack: error report
 *
 * Context: RTNL held.
 * Return: 0 or -EADDRNOTAVAIL.
 */
int xs_addr_del(struct xs_dev *xd, __be32 local, int prefixlen,
		struct netlink_ext_ack *extack)
{
	struct xs_ifaddr *ifa;

	list_for_each_entry(ifa, &xd->addrs, list) {
		if (ifa->local != local)
			continue;
		if (prefixlen >= 0 && ifa->prefixlen != prefixlen)
			break;
		xs_addr_remove(ifa);
		return 0;
	}
	NL_SET_ERR_MSG(extack, "address not assigned to this device");
	return -EADDRNOTAVAIL;
}

/**
 * xs_addr_flush - remove every address of a device
 * @xd: the device
 *
 * Context: RTNL held.
 */
void xs_addr_flush(struct xs_dev *xd)
{
	struct xs_ifaddr *ifa, *tmp;

	list_for_each_entry_safe(ifa, tmp, &xd->addrs, list)
		xs_addr_remove(ifa);
}
