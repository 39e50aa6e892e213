// SPDX-License-Identifier: GPL-2.0
/*
 * xstack module entry: parameters, per-netns state and the ordered
 * set-up and tear-down of every subsystem.
 *
 * Init order (unwound in reverse on failure and at exit):
 *   self-tests (selftest=1) -> pernet state (procfs, sysctls) ->
 *   netdev notifier -> protocols and socket family -> generic netlink.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/socket.h>
#include <net/netns/generic.h>

#include <linux/xstack.h>
#include "stats.h"
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

static int __net_init xs_net_init(struct net *net)
{
	struct xs_net *xn = xs_net(net);
	int err;

	xn->net = net;
	INIT_LIST_HEAD(&xn->devs);
	xn->sysctl_addrs_per_dev = XS_ADDRS_PER_DEV_DEFAULT;
	xn->sysctl_ip_default_ttl = 64;

	err = xs_proc_net_init(xn);
	if (unlikely(err))
		goto err_proc;
	err = xs_stats_net_init(xn);
	if (unlikely(err))
		goto err_stats;
	err = xs_sysctl_net_init(xn);
	if (unlikely(err))
		goto err_sysctl;
	return 0;

err_sysctl:
	xs_stats_net_exit(xn);
err_stats:
	xs_proc_net_exit(xn);
err_proc:
	return err;
}

static void __net_exit xs_net_exit(struct net *net)
{
	struct xs_net *xn = xs_net(net);

	xs_dev_net_exit(xn);
	xs_sysctl_net_exit(xn);
	xs_stats_net_exit(xn);
	xs_proc_net_exit(xn);
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
	pr_info("unloaded\n");
}

module_init(xs_init);
module_exit(xs_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("xstack developers");
MODULE_DESCRIPTION("xstack: an independent IPv4 stack behind AF_XSTACK");
