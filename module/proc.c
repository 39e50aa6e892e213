// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace /proc/net/xstack/ files and net.xstack.* sysctls.
 *
 *   /proc/net/xstack/dev   attached devices and their IPv4 addresses
 *   net.xstack.addrs_per_dev   most addresses one device may carry
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "xstack.h"

static void xs_proc_dev_one(struct seq_file *seq, const struct xs_dev *xd)
{
	const struct net_device *dev = xd->dev;
	const struct xs_ifaddr *ifa;

	seq_printf(seq, "%-16s %6d %6u %5u %-4s %-5s", dev->name, dev->ifindex,
		   xd->mtu, dev->type, dev->flags & IFF_UP ? "up" : "down",
		   xd->noarp ? "noarp" : "arp");
	list_for_each_entry(ifa, &xd->addrs, list)
		seq_printf(seq, " %pI4/%u", &ifa->local, ifa->prefixlen);
	seq_putc(seq, '\n');
}

static int xs_proc_dev_show(struct seq_file *seq, void *v)
{
	struct xs_net *xn = xs_net(seq_file_single_net(seq));
	const struct xs_dev *xd;

	seq_puts(seq, "device           ifindex    mtu  type link arp   addresses\n");
	/* RTNL, not RCU: the address list of a device is walked too. */
	rtnl_lock();
	list_for_each_entry(xd, &xn->devs, list)
		xs_proc_dev_one(seq, xd);
	rtnl_unlock();
	return 0;
}

/**
 * xs_proc_net_init - create /proc/net/xstack/ of a namespace
 * @xn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int xs_proc_net_init(struct xs_net *xn)
{
	xn->proc_dir = proc_net_mkdir(xn->net, "xstack", xn->net->proc_net);
	if (unlikely(!xn->proc_dir))
		return -ENOMEM;
	if (unlikely(!proc_create_net_single("dev", 0444, xn->proc_dir,
					     xs_proc_dev_show, NULL)))
		goto err_dev;
	return 0;

err_dev:
	remove_proc_subtree("xstack", xn->net->proc_net);
	return -ENOMEM;
}

/**
 * xs_proc_net_exit - remove /proc/net/xstack/ of a namespace
 * @xn: namespace state
 */
void xs_proc_net_exit(struct xs_net *xn)
{
	remove_proc_subtree("xstack", xn->net->proc_net);
}

static int xs_addrs_per_dev_max = XS_ADDRS_PER_DEV_MAX;

/* .data points into init_net's xs_net; other namespaces get a copy. */
static struct ctl_table xs_sysctl_template[] = {
	{
		.procname = "addrs_per_dev",
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
		.extra2 = &xs_addrs_per_dev_max,
	},
};

/**
 * xs_sysctl_net_init - register net.xstack.* for a namespace
 * @xn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int xs_sysctl_net_init(struct xs_net *xn)
{
	struct ctl_table *table;

	table = kmemdup(xs_sysctl_template, sizeof(xs_sysctl_template),
			GFP_KERNEL);
	if (unlikely(!table))
		return -ENOMEM;
	table[0].data = &xn->sysctl_addrs_per_dev;

	xn->sysctl_hdr = register_net_sysctl_sz(xn->net, "net/xstack", table,
						ARRAY_SIZE(xs_sysctl_template));
	if (unlikely(!xn->sysctl_hdr)) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xs_sysctl_net_exit - unregister net.xstack.* of a namespace
 * @xn: namespace state
 */
void xs_sysctl_net_exit(struct xs_net *xn)
{
	const struct ctl_table *table = xn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(xn->sysctl_hdr);
	kfree(table);
}
