// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink configuration family "xstack": device attach/detach and
 * address management with strict attribute policies, extack messages on
 * every error and dumps for the show commands. xsctl is its client.
 *
 * Changes need CAP_NET_ADMIN in the user namespace owning the caller's
 * network namespace (GENL_UNS_ADMIN_PERM); all handlers act on the
 * caller's namespace only and run under RTNL, but for the TCP socket
 * dump (tcp_diag.c), which takes RCU and the socket locks instead.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <linux/xstack.h>
#include "arp.h"
#include "igmp.h"
#include "route.h"
#include "stats.h"
#include "tcp_diag.h"
#include "xstack.h"

static const struct nla_policy xs_nl_policy[XSTACK_A_MAX + 1] = {
	[XSTACK_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[XSTACK_A_IFNAME]	= { .type = NLA_STRING, .len = IFNAMSIZ - 1 },
	[XSTACK_A_ADDR]		= { .type = NLA_BE32 },
	[XSTACK_A_PREFIXLEN]	= { .type = NLA_U8 },
	/* Attributes the kernel reports and never accepts. */
	[XSTACK_A_MTU]		= { .type = NLA_REJECT },
	[XSTACK_A_LINK_TYPE]	= { .type = NLA_REJECT },
	[XSTACK_A_LINK_FLAGS]	= { .type = NLA_REJECT },
	[XSTACK_A_HWADDR]	= { .type = NLA_REJECT },
	[XSTACK_A_BROADCAST]	= { .type = NLA_REJECT },
	[XSTACK_A_DST]		= { .type = NLA_BE32 },
	[XSTACK_A_DST_LEN]	= { .type = NLA_U8 },
	[XSTACK_A_GATEWAY]	= { .type = NLA_BE32 },
	[XSTACK_A_PREFSRC]	= { .type = NLA_BE32 },
	[XSTACK_A_METRIC]	= { .type = NLA_U32 },
	[XSTACK_A_ROUTE_TYPE]	= { .type = NLA_REJECT },
	[XSTACK_A_LLADDR]	= { .type = NLA_BINARY, .len = MAX_ADDR_LEN },
	[XSTACK_A_NEIGH_STATE]	= { .type = NLA_U16 },
	[XSTACK_A_STAT_GROUP]	= { .type = NLA_REJECT },
	[XSTACK_A_STAT_NAME]	= { .type = NLA_REJECT },
	[XSTACK_A_STAT_VALUE]	= { .type = NLA_REJECT },
	[XSTACK_A_PAD]		= { .type = NLA_REJECT },
	[XSTACK_A_NEIGH_PROBES]	= { .type = NLA_REJECT },
	[XSTACK_A_NEIGH_AGE]	= { .type = NLA_REJECT },
	[XSTACK_A_PMTU]		= { .type = NLA_REJECT },
	[XSTACK_A_GROUP]	= { .type = NLA_REJECT },
	[XSTACK_A_MC_USERS]	= { .type = NLA_REJECT },
	[XSTACK_A_MC_STATE]	= { .type = NLA_REJECT },
	[XSTACK_A_SOCK]		= { .type = NLA_REJECT },
	[XSTACK_A_SOCK_STATE]	= { .type = NLA_REJECT },
	[XSTACK_A_SOCK_LADDR]	= { .type = NLA_REJECT },
	[XSTACK_A_SOCK_LPORT]	= { .type = NLA_REJECT },
	[XSTACK_A_SOCK_RADDR]	= { .type = NLA_REJECT },
	[XSTACK_A_SOCK_RPORT]	= { .type = NLA_REJECT },
	[XSTACK_A_SOCK_RQUEUE]	= { .type = NLA_REJECT },
	[XSTACK_A_SOCK_WQUEUE]	= { .type = NLA_REJECT },
	[XSTACK_A_SOCK_UID]	= { .type = NLA_REJECT },
	[XSTACK_A_SOCK_INODE]	= { .type = NLA_REJECT },
	[XSTACK_A_TCP_INFO]	= { .type = NLA_REJECT },
	[XSTACK_A_CA_NAME]	= { .type = NLA_REJECT },
	/* A request filter: (1 << TCP_*) of the states to dump. */
	[XSTACK_A_SOCK_STATES]	= NLA_POLICY_MASK(NLA_U32, XS_TCP_DIAG_STATES),
};

static bool xs_nl_has_dev(struct nlattr **attrs)
{
	return attrs[XSTACK_A_IFINDEX] || attrs[XSTACK_A_IFNAME];
}

/**
 * xs_nl_dev - the device named by XSTACK_A_IFINDEX or XSTACK_A_IFNAME
 * @net: caller's namespace
 * @attrs: parsed attributes
 * @extack: error report
 *
 * Context: RTNL held.
 * Return: the device, or ERR_PTR(-EINVAL) (none named), ERR_PTR(-ENODEV).
 */
struct net_device *xs_nl_dev(struct net *net, struct nlattr **attrs,
			     struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL;
	char name[IFNAMSIZ];
	struct nlattr *attr;

	attr = attrs[XSTACK_A_IFINDEX];
	if (attr) {
		dev = __dev_get_by_index(net, nla_get_u32(attr));
	} else {
		attr = attrs[XSTACK_A_IFNAME];
		if (!attr) {
			NL_SET_ERR_MSG(extack,
				       "missing device (XSTACK_A_IFINDEX or XSTACK_A_IFNAME)");
			return ERR_PTR(-EINVAL);
		}
		nla_strscpy(name, attr, sizeof(name));
		dev = __dev_get_by_name(net, name);
	}
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such device");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

/**
 * xs_nl_xdev - the attached device named in a request
 * @net: caller's namespace
 * @attrs: parsed attributes
 * @extack: error report
 *
 * Context: RTNL held.
 * Return: the device's xstack state, or ERR_PTR(-EINVAL, -ENODEV, -ENOENT).
 */
struct xs_dev *xs_nl_xdev(struct net *net, struct nlattr **attrs,
			  struct netlink_ext_ack *extack)
{
	struct net_device *dev = xs_nl_dev(net, attrs, extack);
	struct xs_dev *xd;

	if (IS_ERR(dev))
		return ERR_CAST(dev);
	xd = xs_dev_get_rtnl(dev);
	if (!xd) {
		NL_SET_ERR_MSG(extack, "device is not attached to xstack");
		return ERR_PTR(-ENOENT);
	}
	return xd;
}

static u32 xs_nl_link_flags(const struct xs_dev *xd)
{
	const struct net_device *dev = xd->dev;
	u32 flags = 0;

	if (dev->flags & IFF_UP)
		flags |= XSTACK_LINK_F_UP;
	if (netif_running(dev) && netif_carrier_ok(dev))
		flags |= XSTACK_LINK_F_RUNNING;
	if (xd->noarp)
		flags |= XSTACK_LINK_F_NOARP;
	return flags;
}

static int xs_nl_put_dev(struct sk_buff *skb, const struct net_device *dev)
{
	if (nla_put_u32(skb, XSTACK_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, XSTACK_A_IFNAME, dev->name))
		return -EMSGSIZE;
	return 0;
}

static int xs_nl_fill_link(struct sk_buff *skb, const struct xs_dev *xd,
			   u32 portid, u32 seq, int flags,
			   struct netlink_callback *cb)
{
	const struct net_device *dev = xd->dev;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &xs_genl_family, flags,
			  XSTACK_CMD_LINK_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (xs_nl_put_dev(skb, dev) ||
	    nla_put_u32(skb, XSTACK_A_MTU, xd->mtu) ||
	    nla_put_u16(skb, XSTACK_A_LINK_TYPE, dev->type) ||
	    nla_put_u32(skb, XSTACK_A_LINK_FLAGS, xs_nl_link_flags(xd)))
		goto err_cancel;
	if (dev->addr_len && dev_has_header(dev) &&
	    nla_put(skb, XSTACK_A_HWADDR, dev->addr_len, dev->dev_addr))
		goto err_cancel;
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int xs_nl_fill_addr(struct sk_buff *skb, const struct xs_ifaddr *ifa,
			   u32 portid, u32 seq, int flags,
			   struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &xs_genl_family, flags,
			  XSTACK_CMD_ADDR_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (xs_nl_put_dev(skb, ifa->xd->dev) ||
	    nla_put_be32(skb, XSTACK_A_ADDR, ifa->local) ||
	    nla_put_u8(skb, XSTACK_A_PREFIXLEN, ifa->prefixlen) ||
	    nla_put_be32(skb, XSTACK_A_BROADCAST, ifa->broadcast)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int xs_nl_link_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct net_device *dev;
	int err;

	rtnl_lock();
	dev = xs_nl_dev(net, info->attrs, info->extack);
	err = IS_ERR(dev) ? PTR_ERR(dev) :
	      xs_dev_attach(xs_net(net), dev, info->extack);
	rtnl_unlock();
	return err;
}

static int xs_nl_link_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct net_device *dev;
	int err;

	rtnl_lock();
	dev = xs_nl_dev(net, info->attrs, info->extack);
	err = IS_ERR(dev) ? PTR_ERR(dev) :
	      xs_dev_detach(xs_net(net), dev, info->extack);
	rtnl_unlock();
	return err;
}

static int xs_nl_link_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct sk_buff *msg;
	struct xs_dev *xd;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (unlikely(!msg))
		return -ENOMEM;
	rtnl_lock();
	xd = xs_nl_xdev(net, info->attrs, info->extack);
	err = IS_ERR(xd) ? PTR_ERR(xd) :
	      xs_nl_fill_link(msg, xd, info->snd_portid, info->snd_seq, 0,
			      NULL);
	rtnl_unlock();
	if (unlikely(err)) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/**
 * xs_nl_dump_done - return value of one dump part
 * @skb: the part being filled
 * @err: result of filling the last object
 * @idx: objects dumped so far (the next part resumes here)
 * @start: objects dumped before this part
 *
 * A full skb ends this part and the next call resumes at @idx; an object
 * too big for an empty skb is an error.
 *
 * Return: what the dumpit callback returns.
 */
int xs_nl_dump_done(struct sk_buff *skb, int err, long idx, long start)
{
	if (err == -EMSGSIZE && idx > start)
		return skb->len;
	return err ?: skb->len;
}

/* cb->args[0]: devices already dumped. */
static int xs_nl_link_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xs_net *xn = xs_net(sock_net(skb->sk));
	long idx = 0, start = cb->args[0];
	struct xs_dev *xd;
	int err = 0;

	rtnl_lock();
	cb->seq = xn->cfg_seq;
	list_for_each_entry(xd, &xn->devs, list) {
		if (idx++ < start)
			continue;
		err = xs_nl_fill_link(skb, xd, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err) {
			idx--;
			break;
		}
	}
	rtnl_unlock();
	cb->args[0] = idx;
	return xs_nl_dump_done(skb, err, idx, start);
}

static int xs_nl_addr_parse(struct genl_info *info, __be32 *addr)
{
	if (GENL_REQ_ATTR_CHECK(info, XSTACK_A_ADDR))
		return -EINVAL;
	*addr = nla_get_be32(info->attrs[XSTACK_A_ADDR]);
	return 0;
}

static int xs_nl_addr_add(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	unsigned int prefixlen = 32;
	struct xs_dev *xd;
	__be32 addr;
	int err;

	err = xs_nl_addr_parse(info, &addr);
	if (unlikely(err))
		return err;
	if (info->attrs[XSTACK_A_PREFIXLEN])
		prefixlen = nla_get_u8(info->attrs[XSTACK_A_PREFIXLEN]);

	rtnl_lock();
	xd = xs_nl_xdev(net, info->attrs, info->extack);
	err = IS_ERR(xd) ? PTR_ERR(xd) :
	      xs_addr_add(xd, addr, prefixlen, info->extack);
	rtnl_unlock();
	return err;
}

static int xs_nl_addr_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct xs_dev *xd;
	int prefixlen = -1;
	__be32 addr;
	int err;

	err = xs_nl_addr_parse(info, &addr);
	if (unlikely(err))
		return err;
	if (info->attrs[XSTACK_A_PREFIXLEN])
		prefixlen = nla_get_u8(info->attrs[XSTACK_A_PREFIXLEN]);

	rtnl_lock();
	xd = xs_nl_xdev(net, info->attrs, info->extack);
	err = IS_ERR(xd) ? PTR_ERR(xd) :
	      xs_addr_del(xd, addr, prefixlen, info->extack);
	rtnl_unlock();
	return err;
}

static int xs_nl_addr_dump_dev(struct sk_buff *skb, struct netlink_callback *cb,
			       const struct xs_dev *xd, long *idx, long start)
{
	const struct xs_ifaddr *ifa;
	int err;

	list_for_each_entry(ifa, &xd->addrs, list) {
		if ((*idx)++ < start)
			continue;
		err = xs_nl_fill_addr(skb, ifa, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err) {
			(*idx)--;
			return err;
		}
	}
	return 0;
}

/*
 * cb->args[0]: addresses already dumped. An optional IFINDEX or IFNAME
 * limits the dump to one attached device.
 */
static int xs_nl_addr_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = &genl_dumpit_info(cb)->info;
	struct net *net = sock_net(skb->sk);
	struct xs_net *xn = xs_net(net);
	long idx = 0, start = cb->args[0];
	struct xs_dev *xd, *only = NULL;
	int err = 0;

	rtnl_lock();
	if (xs_nl_has_dev(info->attrs)) {
		only = xs_nl_xdev(net, info->attrs, cb->extack);
		if (IS_ERR(only)) {
			err = PTR_ERR(only);
			goto out;
		}
	}
	cb->seq = xn->cfg_seq;
	list_for_each_entry(xd, &xn->devs, list) {
		if (only && xd != only)
			continue;
		err = xs_nl_addr_dump_dev(skb, cb, xd, &idx, start);
		if (err)
			break;
	}
out:
	rtnl_unlock();
	cb->args[0] = idx;
	return xs_nl_dump_done(skb, err, idx, start);
}

static const struct genl_ops xs_nl_ops[] = {
	{
		.cmd = XSTACK_CMD_LINK_ATTACH,
		.doit = xs_nl_link_attach,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XSTACK_CMD_LINK_DETACH,
		.doit = xs_nl_link_detach,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XSTACK_CMD_LINK_GET,
		.doit = xs_nl_link_get,
		.dumpit = xs_nl_link_dump,
	},
	{
		.cmd = XSTACK_CMD_ADDR_ADD,
		.doit = xs_nl_addr_add,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XSTACK_CMD_ADDR_DEL,
		.doit = xs_nl_addr_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XSTACK_CMD_ADDR_GET,
		.dumpit = xs_nl_addr_dump,
	},
	{
		.cmd = XSTACK_CMD_ROUTE_ADD,
		.doit = xs_nl_route_add,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XSTACK_CMD_ROUTE_DEL,
		.doit = xs_nl_route_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XSTACK_CMD_ROUTE_GET,
		.dumpit = xs_nl_route_dump,
	},
	{
		.cmd = XSTACK_CMD_ROUTE_LOOKUP,
		.doit = xs_nl_route_lookup,
	},
	{
		.cmd = XSTACK_CMD_NEIGH_ADD,
		.doit = xs_nl_neigh_add,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XSTACK_CMD_NEIGH_DEL,
		.doit = xs_nl_neigh_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XSTACK_CMD_NEIGH_GET,
		.dumpit = xs_nl_neigh_dump,
	},
	{
		.cmd = XSTACK_CMD_NEIGH_FLUSH,
		.doit = xs_nl_neigh_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XSTACK_CMD_STATS_GET,
		.dumpit = xs_nl_stats_dump,
	},
	{
		.cmd = XSTACK_CMD_MADDR_GET,
		.dumpit = xs_nl_maddr_dump,
	},
	{
		.cmd = XSTACK_CMD_SOCK_GET,
		.start = xs_nl_sock_start,
		.dumpit = xs_nl_sock_dump,
		.done = xs_nl_sock_done,
	},
};

struct genl_family xs_genl_family __ro_after_init = {
	.name = XSTACK_GENL_NAME,
	.version = XSTACK_GENL_VERSION,
	.maxattr = XSTACK_A_MAX,
	.policy = xs_nl_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = xs_nl_ops,
	.n_ops = ARRAY_SIZE(xs_nl_ops),
};

/**
 * xs_netlink_init - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int xs_netlink_init(void)
{
	return genl_register_family(&xs_genl_family);
}

/**
 * xs_netlink_exit - unregister the generic netlink family
 */
void xs_netlink_exit(void)
{
	genl_unregister_family(&xs_genl_family);
}
