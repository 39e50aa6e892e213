// SPDX-License-Identifier: GPL-2.0
/*
 * xstack module entry: parameters, per-netns state and the ordered
 * set-up and tear-down of every subsystem.
 *
 * Init order (unwound in reverse on failure and at exit):
 *   self-tests (selftest=1) -> pernet state (procfs, counters, sysctls,
 *   routing, ARP, reassembly, ICMP, IGMP, ping, UDP, TCP, loopback) ->
 *   netdev notifier ->
 *   protocols and socket family -> generic netlink.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/socket.h>
#include <net/netns/generic.h>

#include <linux/xstack.h>
#include "arp.h"
#include "icmp.h"
#include "igmp.h"
#include "ip.h"
#include "ping.h"
#include "route.h"
#include "stats.h"
#include "tcp.h"
#include "udp.h"
#include "xstack.h"

int xs_family = XSTACK_FAMILY_DEFAULT;
module_param_named(family, xs_family, int, 0444);
MODULE_PARM_DESC(family, "socket family number of AF_XSTACK (default "
		 __stringify(XSTACK_FAMILY_DEFAULT) ")");

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "run the in-module self-tests at load");

static unsigned int xs_net_id __read_mostly;

/**
 * xs_net - xstack state of a network namespace
 * @net: the namespace
 *
 * Return: the namespace's state; valid while @net is alive.
 */
struct xs_net *xs_net(const struct net *net)
{
	return net_generic(net, xs_net_id);
}

/*
 * Per-namespace subsystems in set-up order; torn down in reverse after
 * every device has been detached.
 */
struct xs_net_part {
	const char *name;
	int (*init)(struct xs_net *xn);
	void (*exit)(struct xs_net *xn);
};

static const struct xs_net_part xs_net_parts[] = {
	{ "proc", xs_proc_net_init, xs_proc_net_exit },
	{ "stats", xs_stats_net_init, xs_stats_net_exit },
	{ "sysctl", xs_sysctl_net_init, xs_sysctl_net_exit },
	{ "route", xs_route_net_init, xs_route_net_exit },
	{ "arp", xs_arp_net_init, xs_arp_net_exit },
	{ "icmp", xs_icmp_net_init, xs_icmp_net_exit },
	{ "igmp", xs_igmp_net_init, xs_igmp_net_exit },
	{ "ping", xs_ping_net_init, xs_ping_net_exit },
	{ "udp", xs_udp_net_init, xs_udp_net_exit },
	{ "tcp", xs_tcp_net_init, xs_tcp_net_exit },
	{ "loopback", xs_loopback_net_init, xs_loopback_net_exit },
	/* Last, so torn down first: its timers send ICMP. */
	{ "frag", xs_frag_net_init, xs_frag_net_exit },
};

static void xs_net_parts_exit(struct xs_net *xn, size_t n)
{
	while (n--)
		xs_net_parts[n].exit(xn);
}

static int __net_init xs_net_init(struct net *net)
{
	struct xs_net *xn = xs_net(net);
	size_t i;
	int err;

	xn->net = net;
	INIT_LIST_HEAD(&xn->devs);
	xn->sysctl_addrs_per_dev = XS_ADDRS_PER_DEV_DEFAULT;
	xn->sysctl_ip_default_ttl = 64;
	xn->sysctl_local_ports[0] = 32768;	/* Linux's defaults */
	xn->sysctl_local_ports[1] = 60999;
	xn->sysctl_unpriv_port = 1024;

	for (i = 0; i < ARRAY_SIZE(xs_net_parts); i++) {
		err = xs_net_parts[i].init(xn);
		if (unlikely(err)) {
			pr_err("cannot set up %s for a network namespace: %d\n",
			       xs_net_parts[i].name, err);
			xs_net_parts_exit(xn, i);
			return err;
		}
	}
	return 0;
}

static void __net_exit xs_net_exit(struct net *net)
{
	struct xs_net *xn = xs_net(net);

	xs_dev_net_exit(xn);
	xs_net_parts_exit(xn, ARRAY_SIZE(xs_net_parts));
}

static struct pernet_operations xs_net_ops = {
	.init = xs_net_init,
	.exit = xs_net_exit,
	.id = &xs_net_id,
	.size = sizeof(struct xs_net),
};

static int __init xs_check_family(void)
{
	if (xs_family > AF_UNSPEC && xs_family < AF_MAX)
		return 0;
	pr_err("family=%d is out of range: the kernel accepts socket families 1..%d\n",
	       xs_family, AF_MAX - 1);
	return -EINVAL;
}

static int __init xs_init(void)
{
	int err;

	err = xs_check_family();
	if (unlikely(err))
		return err;
	if (selftest) {
		err = xs_selftests_run();
		if (unlikely(err))
			return err;
	}

	err = xs_tcp_init();
	if (unlikely(err))
		return err;
	err = register_pernet_subsys(&xs_net_ops);
	if (unlikely(err))
		goto err_pernet;
	err = xs_dev_init();
	if (unlikely(err))
		goto err_dev;
	err = xs_af_init();
	if (unlikely(err))
		goto err_af;
	err = xs_netlink_init();
	if (unlikely(err))
		goto err_netlink;

	pr_info("loaded, socket family %d\n", xs_family);
	return 0;

err_netlink:
	xs_af_exit();
err_af:
	xs_dev_exit();
err_dev:
	unregister_pernet_subsys(&xs_net_ops);
err_pernet:
	xs_tcp_exit();
	return err;
}

static void __exit xs_exit(void)
{
	xs_netlink_exit();
	xs_af_exit();
	/*
	 * Pernet exit detaches every device under RTNL while the notifier
	 * still watches for devices that go away meanwhile.
	 */
	unregister_pernet_subsys(&xs_net_ops);
	xs_dev_exit();
	/* Request and TIME-WAIT objects are freed after a grace period. */
	rcu_barrier();
	xs_tcp_exit();
	pr_info("unloaded\n");
}

module_init(xs_init);
module_exit(xs_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("xstack developers");
MODULE_DESCRIPTION("xstack: an independent IPv4 stack behind AF_XSTACK");
