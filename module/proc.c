// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace /proc/net/xstack/ files and net.xstack.* sysctls.
 *
 *   /proc/net/xstack/dev   attached devices and their IPv4 addresses
 *   net.xstack.addrs_per_dev   most addresses one device may carry
 *   net.xstack.ip_default_ttl  TTL of datagrams without IP_TTL
 *   net.xstack.ip_no_pmtu_disc 1: do not set DF by default
 *   net.xstack.ip_local_port_range  ephemeral ports (RFC 6056)
 *   net.xstack.ip_unprivileged_port_start  first port bindable without
 *	CAP_NET_BIND_SERVICE
 *
 * Subsystems register their own tables with xs_sysctl_register().
 */
#define pr_fmt(fmt) "xstack: " fmt

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

static int xs_ttl_max = 255;
static int xs_port_max = 65535;
static DEFINE_SEQLOCK(xs_port_range_lock);

/**
 * xs_local_port_range - the ephemeral port range of a namespace
 * @xn: namespace state
 * @low: first port
 * @high: last port
 */
void xs_local_port_range(const struct xs_net *xn, int *low, int *high)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&xs_port_range_lock);
		*low = xn->sysctl_local_ports[0];
		*high = xn->sysctl_local_ports[1];
	} while (read_seqretry(&xs_port_range_lock, seq));
}

/* Like net.ipv4.ip_local_port_range: two ports, low <= high, 1..65535. */
static int xs_port_range_sysctl(const struct ctl_table *table, int write,
				void *buffer, size_t *lenp, loff_t *ppos)
{
	int *range = table->data, vals[2];
	struct ctl_table tmp = {
		.data = vals,
		.maxlen = sizeof(vals),
		.mode = table->mode,
		.extra1 = SYSCTL_ONE,
		.extra2 = &xs_port_max,
	};
	int err;

	read_seqlock_excl(&xs_port_range_lock);
	vals[0] = range[0];
	vals[1] = range[1];
	read_sequnlock_excl(&xs_port_range_lock);
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (!write || err)
		return err;
	if (vals[0] > vals[1])
		return -EINVAL;
	write_seqlock(&xs_port_range_lock);
	range[0] = vals[0];
	range[1] = vals[1];
	write_sequnlock(&xs_port_range_lock);
	return 0;
}

static const struct ctl_table xs_sysctl_template[] = {
	{
		.procname = "addrs_per_dev",
		.data = XS_SYSCTL_OFF(struct xs_net, sysctl_addrs_per_dev),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
		.extra2 = &xs_addrs_per_dev_max,
	},
	{
		.procname = "ip_default_ttl",
		.data = XS_SYSCTL_OFF(struct xs_net, sysctl_ip_default_ttl),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
		.extra2 = &xs_ttl_max,
	},
	{
		.procname = "ip_local_port_range",
		.data = XS_SYSCTL_OFF(struct xs_net, sysctl_local_ports),
		.maxlen = sizeof(int) * 2,
		.mode = 0644,
		.proc_handler = xs_port_range_sysctl,
	},
	{
		.procname = "ip_unprivileged_port_start",
		.data = XS_SYSCTL_OFF(struct xs_net, sysctl_unpriv_port),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = &xs_port_max,
	},
	{
		.procname = "ip_no_pmtu_disc",
		.data = XS_SYSCTL_OFF(struct xs_net, sysctl_ip_no_pmtu_disc),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = SYSCTL_ONE,
	},
};

/**
 * xs_sysctl_register - register a subsystem's per-netns sysctl table
 * @xn: namespace state
 * @path: "net/xstack" or a subdirectory of it
 * @tmpl: template whose .data fields are offsets into @base's structure
 *	(XS_SYSCTL_OFF)
 * @n: entries in @tmpl
 * @base: the subsystem's per-netns structure
 *
 * Return: the header for xs_sysctl_unregister(), or NULL (no memory).
 */
struct ctl_table_header *xs_sysctl_register(struct xs_net *xn,
					    const char *path,
					    const struct ctl_table *tmpl,
					    size_t n, void *base)
{
	struct ctl_table_header *hdr;
	struct ctl_table *table;
	size_t i;

	table = kmemdup(tmpl, n * sizeof(*tmpl), GFP_KERNEL);
	if (unlikely(!table))
		return NULL;
	for (i = 0; i < n; i++)
		table[i].data = (char *)base + (uintptr_t)tmpl[i].data;
	hdr = register_net_sysctl_sz(xn->net, path, table, n);
	if (unlikely(!hdr))
		kfree(table);
	return hdr;
}

/**
 * xs_sysctl_unregister - unregister a table from xs_sysctl_register()
 * @hdr: its header (NULL is ignored)
 */
void xs_sysctl_unregister(struct ctl_table_header *hdr)
{
	const struct ctl_table *table;

	if (!hdr)
		return;
	table = hdr->ctl_table_arg;
	unregister_net_sysctl_table(hdr);
	kfree(table);
}

/**
 * xs_sysctl_net_init - register net.xstack.* for a namespace
 * @xn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int xs_sysctl_net_init(struct xs_net *xn)
{
	xn->sysctl_hdr = xs_sysctl_register(xn, "net/xstack",
					    xs_sysctl_template,
					    ARRAY_SIZE(xs_sysctl_template), xn);
	return xn->sysctl_hdr ? 0 : -ENOMEM;
}

/**
 * xs_sysctl_net_exit - unregister net.xstack.* of a namespace
 * @xn: namespace state
 */
void xs_sysctl_net_exit(struct xs_net *xn)
{
	xs_sysctl_unregister(xn->sysctl_hdr);
}
