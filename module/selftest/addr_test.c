// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of address logic: prefix masks, unicast classification,
 * broadcast derivation and the add/delete rules of the address table
 * (duplicates, limits, prefix-matched delete), on a device-less table.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/inet.h>
#include <linux/slab.h>

#include "xstack.h"

#define XS_CHECK(cond) ({						\
	bool __ok = (cond);						\
	if (!__ok)							\
		pr_err("addr self-test failed: %s (%s:%d)\n", #cond,	\
		       __FILE__, __LINE__);				\
	!__ok;								\
})

static __be32 ip(u8 a, u8 b, u8 c, u8 d)
{
	return htonl((u32)a << 24 | (u32)b << 16 | (u32)c << 8 | d);
}

static int test_masks(void)
{
	int fails = 0;

	fails += XS_CHECK(xs_prefix_mask(0) == 0);
	fails += XS_CHECK(xs_prefix_mask(8) == ip(255, 0, 0, 0));
	fails += XS_CHECK(xs_prefix_mask(24) == ip(255, 255, 255, 0));
	fails += XS_CHECK(xs_prefix_mask(31) == ip(255, 255, 255, 254));
	fails += XS_CHECK(xs_prefix_mask(32) == ip(255, 255, 255, 255));
	return fails;
}

static int test_unicast(void)
{
	int fails = 0;

	fails += XS_CHECK(xs_addr_is_host_unicast(ip(10, 0, 0, 1)));
	fails += XS_CHECK(xs_addr_is_host_unicast(ip(223, 255, 255, 254)));
	fails += XS_CHECK(xs_addr_is_host_unicast(ip(169, 254, 1, 1)));
	fails += XS_CHECK(!xs_addr_is_host_unicast(ip(0, 0, 0, 0)));
	fails += XS_CHECK(!xs_addr_is_host_unicast(ip(0, 1, 2, 3)));
	fails += XS_CHECK(!xs_addr_is_host_unicast(ip(127, 0, 0, 1)));
	fails += XS_CHECK(!xs_addr_is_host_unicast(ip(224, 0, 0, 1)));
	fails += XS_CHECK(!xs_addr_is_host_unicast(ip(239, 1, 1, 1)));
	fails += XS_CHECK(!xs_addr_is_host_unicast(ip(240, 0, 0, 1)));
	fails += XS_CHECK(!xs_addr_is_host_unicast(ip(255, 255, 255, 255)));
	return fails;
}

static int test_broadcast(void)
{
	struct xs_ifaddr ifa = {};
	int fails = 0;

	xs_ifaddr_init(&ifa, ip(10, 1, 2, 3), 24);
	fails += XS_CHECK(ifa.broadcast == ip(10, 1, 2, 255));
	fails += XS_CHECK(ifa.mask == ip(255, 255, 255, 0));
	xs_ifaddr_init(&ifa, ip(10, 1, 2, 3), 30);
	fails += XS_CHECK(ifa.broadcast == ip(10, 1, 2, 3));
	xs_ifaddr_init(&ifa, ip(10, 1, 2, 3), 31);
	fails += XS_CHECK(ifa.broadcast == 0);
	xs_ifaddr_init(&ifa, ip(10, 1, 2, 3), 32);
	fails += XS_CHECK(ifa.broadcast == 0);
	return fails;
}

static int test_table_rules(struct xs_net *xn, struct xs_dev *a,
			    struct xs_dev *b)
{
	int fails = 0;

	fails += XS_CHECK(xs_addr_add(a, ip(10, 0, 0, 1), 24, NULL) == 0);
	fails += XS_CHECK(xs_addr_add(a, ip(10, 0, 0, 1), 24, NULL) == -EEXIST);
	fails += XS_CHECK(xs_addr_add(b, ip(10, 0, 0, 1), 16, NULL) == -EEXIST);
	fails += XS_CHECK(xs_addr_add(a, ip(10, 0, 0, 2), 33, NULL) == -EINVAL);
	fails += XS_CHECK(xs_addr_add(a, ip(224, 0, 0, 1), 4, NULL) == -EINVAL);
	fails += XS_CHECK(xs_addr_add(a, ip(10, 0, 0, 2), 24, NULL) == 0);
	fails += XS_CHECK(xs_addr_add(a, ip(10, 0, 0, 3), 24, NULL) == -ENOSPC);
	fails += XS_CHECK(xs_addr_add(b, ip(10, 0, 0, 3), 24, NULL) == 0);
	fails += XS_CHECK(a->naddrs == 2 && b->naddrs == 1);

	fails += XS_CHECK(xs_addr_del(a, ip(10, 0, 0, 3), -1, NULL) ==
			  -EADDRNOTAVAIL);
	fails += XS_CHECK(xs_addr_del(a, ip(10, 0, 0, 1), 16, NULL) ==
			  -EADDRNOTAVAIL);
	fails += XS_CHECK(xs_addr_del(a, ip(10, 0, 0, 1), 24, NULL) == 0);
	fails += XS_CHECK(xs_addr_del(a, ip(10, 0, 0, 2), -1, NULL) == 0);
	fails += XS_CHECK(a->naddrs == 0);
	fails += XS_CHECK(xs_addr_add(a, ip(10, 0, 0, 1), 24, NULL) == 0);

	xs_addr_flush(a);
	xs_addr_flush(b);
	fails += XS_CHECK(list_empty(&a->addrs) && list_empty(&b->addrs));
	return fails;
}

static int test_table(void)
{
	struct xs_dev *a, *b;
	struct xs_net *xn;
	int fails = 1;

	xn = kzalloc(sizeof(*xn), GFP_KERNEL);
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!xn || !a || !b)
		goto out;

	INIT_LIST_HEAD(&xn->devs);
	xn->sysctl_addrs_per_dev = 2;
	a->xn = xn;
	b->xn = xn;
	INIT_LIST_HEAD(&a->addrs);
	INIT_LIST_HEAD(&b->addrs);
	list_add_tail(&a->list, &xn->devs);
	list_add_tail(&b->list, &xn->devs);

	fails = test_table_rules(xn, a, b);
out:
	/* Removed addresses are freed after a grace period. */
	rcu_barrier();
	kfree(b);
	kfree(a);
	kfree(xn);
	return fails;
}

/**
 * xs_addr_selftest - run the address self-tests
 *
 * Return: number of failed checks.
 */
int xs_addr_selftest(void)
{
	return test_masks() + test_unicast() + test_broadcast() + test_table();
}
