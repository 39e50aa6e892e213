// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching net_devices to xstack: validation, the rx_handler that sees
 * every frame of an attached device, and the netdev notifier that keeps
 * xstack consistent when a device goes down, changes MTU, moves to
 * another namespace or disappears.
 *
 * An attached device carries xstack's rx_handler with its struct xs_dev
 * as rx_handler_data, so "is this device attached" is answered from the
 * device itself. Frames that are not xstack's return RX_HANDLER_PASS and
 * reach the native stack untouched (DESIGN.md principle 3).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "arp.h"
#include "igmp.h"
#include "ip.h"
#include "route.h"
#include "xstack.h"

/*
 * Every frame of an attached device. Softirq, rcu_read_lock held. The
 * skb is unshared first (taps such as tcpdump may hold it) so protocol
 * code may pull and, for frames it passes on, leave a private copy.
 */
static rx_handler_result_t xs_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct xs_dev *xd;

	if (skb->protocol != htons(ETH_P_IP) &&
	    skb->protocol != htons(ETH_P_ARP))
		return RX_HANDLER_PASS;
	xd = rcu_dereference(skb->dev->rx_handler_data);
	if (unlikely(!xd))
		return RX_HANDLER_PASS;
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb))
		return RX_HANDLER_CONSUMED;
	*pskb = skb;

	if (skb->protocol == htons(ETH_P_IP))
		return xs_ip_rx(xd, skb);
	if (!xd->noarp)
		return xs_arp_rx(xd, skb);
	return RX_HANDLER_PASS;
}

/**
 * xs_dev_get_rtnl - xstack state of a device, if attached
 * @dev: the device
 *
 * Context: RTNL held.
 * Return: the attached device's state or NULL.
 */
struct xs_dev *xs_dev_get_rtnl(const struct net_device *dev)
{
	ASSERT_RTNL();
	if (rtnl_dereference(dev->rx_handler) != xs_rx_handler)
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

/**
 * xs_dev_noarp - whether @dev is an L3 device without link-layer header
 * @dev: the device
 *
 * Such devices carry bare IPv4 packets: no ARP, no neighbour cache.
 *
 * Return: true for L3 devices (no header_ops->create).
 */
bool xs_dev_noarp(const struct net_device *dev)
{
	return !dev_has_header(dev);
}

/*
 * DESIGN.md principle 4: Ethernet devices, and L3 devices that carry bare
 * IPv4 packets without a link-layer header (tun, wireguard, ipip).
 */
static int xs_dev_check_type(const struct net_device *dev,
			     struct netlink_ext_ack *extack)
{
	if (dev->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG(extack, "loopback devices cannot be attached");
		return -EOPNOTSUPP;
	}
	switch (dev->type) {
	case ARPHRD_ETHER:
		if (dev->addr_len == ETH_ALEN && dev_has_header(dev))
			return 0;
		break;
	case ARPHRD_NONE:
	case ARPHRD_RAWIP:
	case ARPHRD_TUNNEL:
		/* tun and ipip have header_ops only to parse the protocol. */
		if (!dev_has_header(dev))
			return 0;
		break;
	}
	NL_SET_ERR_MSG_FMT(extack,
			   "device type %u not supported (need Ethernet or L3)",
			   dev->type);
	return -EOPNOTSUPP;
}

static void xs_dev_free(struct xs_dev *xd)
{
	netdev_put(xd->dev, &xd->dev_tracker);
	kfree_rcu(xd, rcu);
}

/**
 * xs_dev_attach - attach a device to xstack in namespace @xn
 * @xn: namespace state (the device's namespace)
 * @dev: the device
 * @extack: error report
 *
 * Context: RTNL held.
 * Return: 0, -EEXIST (already attached), -EOPNOTSUPP (device type),
 * -EBUSY (another driver owns the rx_handler) or -ENOMEM.
 */
int xs_dev_attach(struct xs_net *xn, struct net_device *dev,
		  struct netlink_ext_ack *extack)
{
	struct xs_dev *xd;
	int err;

	ASSERT_RTNL();
	if (xs_dev_get_rtnl(dev)) {
		NL_SET_ERR_MSG(extack, "device already attached");
		return -EEXIST;
	}
	err = xs_dev_check_type(dev, extack);
	if (unlikely(err))
		return err;
	if (netdev_is_rx_handler_busy(dev)) {
		NL_SET_ERR_MSG(extack,
			       "device rx_handler is in use by another driver (bridge, bond, macvlan, ...)");
		return -EBUSY;
	}

	xd = kzalloc(sizeof(*xd), GFP_KERNEL);
	if (unlikely(!xd))
		return -ENOMEM;
	xd->xn = xn;
	xd->dev = dev;
	xd->mtu = READ_ONCE(dev->mtu);
	xd->noarp = xs_dev_noarp(dev);
	INIT_LIST_HEAD(&xd->addrs);
	netdev_hold(dev, &xd->dev_tracker, GFP_KERNEL);

	err = netdev_rx_handler_register(dev, xs_rx_handler, xd);
	if (unlikely(err)) {
		NL_SET_ERR_MSG(extack, "cannot register rx_handler");
		goto err_register;
	}
	list_add_tail_rcu(&xd->list, &xn->devs);
	xn->cfg_seq++;
	netdev_info(dev, "attached to xstack\n");
	return 0;

err_register:
	netdev_put(dev, &xd->dev_tracker);
	kfree(xd);
	return err;
}

static void xs_dev_release(struct xs_dev *xd)
{
	struct net_device *dev = xd->dev;

	netdev_rx_handler_unregister(dev);
	list_del_rcu(&xd->list);
	xd->xn->cfg_seq++;
	xs_mc_dev_down(xd);
	xs_neigh_dev_down(xd);
	xs_route_dev_gone(xd);
	xs_addr_flush(xd);
	netdev_info(dev, "detached from xstack\n");
	xs_dev_free(xd);
}

/**
 * xs_dev_detach - detach a device from xstack
 * @xn: namespace state
 * @dev: the device
 * @extack: error report
 *
 * Purges every address and all state that refers to the device.
 *
 * Context: RTNL held.
 * Return: 0, or -ENOENT when the device is not attached.
 */
int xs_dev_detach(struct xs_net *xn, struct net_device *dev,
		  struct netlink_ext_ack *extack)
{
	struct xs_dev *xd = xs_dev_get_rtnl(dev);

	if (!xd || xd->xn != xn) {
		NL_SET_ERR_MSG(extack, "device is not attached to xstack");
		return -ENOENT;
	}
	xs_dev_release(xd);
	return 0;
}

/**
 * xs_dev_net_exit - detach every device of a namespace
 * @xn: namespace state
 *
 * Called when the namespace dies or the module unloads; the devices are
 * left as they were before attach.
 */
void xs_dev_net_exit(struct xs_net *xn)
{
	struct xs_dev *xd, *tmp;

	rtnl_lock();
	list_for_each_entry_safe(xd, tmp, &xn->devs, list)
		xs_dev_release(xd);
	rtnl_unlock();
}

/* Route lookups read the new MTU; the PMTU cache only ever lowers it. */
static void xs_dev_changemtu(struct xs_dev *xd)
{
	WRITE_ONCE(xd->mtu, READ_ONCE(xd->dev->mtu));
	xd->xn->cfg_seq++;
}

static int xs_netdev_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct xs_dev *xd = xs_dev_get_rtnl(dev);

	if (!xd)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_UNREGISTER:
		/* Also seen when the device moves to another namespace. */
		xs_dev_release(xd);
		break;
	case NETDEV_CHANGEMTU:
		xs_dev_changemtu(xd);
		break;
	case NETDEV_DOWN:
		/* Neighbours learned on the link are stale once it is down;
		 * IGMP stops its timers until the link is up again.
		 */
		xs_neigh_dev_down(xd);
		xs_mc_dev_down(xd);
		fallthrough;
	case NETDEV_CHANGE:
		WRITE_ONCE(xd->noarp, xs_dev_noarp(dev));
		xd->xn->cfg_seq++;
		break;
	case NETDEV_UP:
		/* RFC 2236 3: report our groups again on a link that came up. */
		xs_mc_dev_up(xd);
		WRITE_ONCE(xd->noarp, xs_dev_noarp(dev));
		xd->xn->cfg_seq++;
		break;
	case NETDEV_POST_TYPE_CHANGE:
		if (xs_dev_check_type(dev, NULL)) {
			netdev_warn(dev, "type changed to %u, detaching\n",
				    dev->type);
			xs_dev_release(xd);
		}
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block xs_netdev_notifier = {
	.notifier_call = xs_netdev_event,
};

/**
 * xs_dev_init - start watching device events
 *
 * Return: 0 or a negative errno.
 */
int xs_dev_init(void)
{
	return register_netdevice_notifier(&xs_netdev_notifier);
}

/**
 * xs_dev_exit - stop watching device events
 *
 * Called after every namespace has detached its devices.
 */
void xs_dev_exit(void)
{
	unregister_netdevice_notifier(&xs_netdev_notifier);
}
