// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of ARP and neighbour cache logic: packet validation
 * (RFC 826), multicast mapping (RFC 1112 6.4), the randomized reachable
 * time (RFC 4861 6.3.2), every timer transition of the NUD state
 * machine, the merge rules of received and configured bindings, what a
 * packet does to each state, queue admission and the garbage collection
 * decisions, including across a jiffies wrap; and the choice of the
 * sender address of requests on a device-less address list.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/jiffies.h>
#include <linux/rculist.h>

#include "neigh.h"
#include "xstack.h"

#define XS_CHECK(cond) ({						\
	bool __ok = (cond);						\
	if (!__ok)							\
		pr_err("arp self-test failed: %s (%s:%d)\n", #cond,	\
		       __FILE__, __LINE__);				\
	!__ok;								\
})

static __be32 ip(u8 a, u8 b, u8 c, u8 d)
{
	return htonl((u32)a << 24 | (u32)b << 16 | (u32)c << 8 | d);
}

static const u8 dev_mac[ETH_ALEN] __aligned(2) = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const u8 peer_mac[ETH_ALEN] __aligned(2) = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static void arp_init(struct xs_arp_eth *a, u16 op, __be32 sip, __be32 tip)
{
	a->hrd = htons(ARPHRD_ETHER);
	a->pro = htons(ETH_P_IP);
	a->hln = ETH_ALEN;
	a->pln = 4;
	a->op = htons(op);
	ether_addr_copy(a->sha, peer_mac);
	a->sip = sip;
	eth_zero_addr(a->tha);
	a->tip = tip;
}

static int test_arp_check(void)
{
	__be32 sip = ip(10, 0, 0, 2), tip = ip(10, 0, 0, 1);
	struct xs_arp_eth a;
	int fails = 0;

	arp_init(&a, ARPOP_REQUEST, sip, tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_OK);
	arp_init(&a, ARPOP_REPLY, sip, tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_OK);

	arp_init(&a, ARPOP_REQUEST, sip, tip);
	a.hrd = htons(ARPHRD_IEEE802);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	arp_init(&a, ARPOP_REQUEST, sip, tip);
	a.pro = htons(ETH_P_IPV6);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	arp_init(&a, ARPOP_REQUEST, sip, tip);
	a.hln = 8;
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	arp_init(&a, ARPOP_REQUEST, sip, tip);
	a.pln = 16;
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);

	arp_init(&a, ARPOP_InREQUEST, sip, tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_OTHER_OP);
	arp_init(&a, 0, sip, tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_OTHER_OP);

	/* Sender hardware address: unicast, not zero, not ours. */
	arp_init(&a, ARPOP_REQUEST, sip, tip);
	eth_broadcast_addr(a.sha);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	a.sha[0] = 0x01;
	a.sha[5] = 0x05;
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	eth_zero_addr(a.sha);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	ether_addr_copy(a.sha, dev_mac);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_OWN_MAC);

	/* Sender protocol address. */
	arp_init(&a, ARPOP_REQUEST, ip(224, 0, 0, 1), tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	arp_init(&a, ARPOP_REQUEST, ip(127, 0, 0, 1), tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	arp_init(&a, ARPOP_REQUEST, ip(255, 255, 255, 255), tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	arp_init(&a, ARPOP_REQUEST, ip(0, 1, 2, 3), tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	/* RFC 5227 probe: sender 0.0.0.0 in a request only. */
	arp_init(&a, ARPOP_REQUEST, 0, tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_OK);
	arp_init(&a, ARPOP_REPLY, 0, tip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);

	/* Target protocol address. */
	arp_init(&a, ARPOP_REQUEST, sip, ip(239, 1, 2, 3));
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	arp_init(&a, ARPOP_REQUEST, sip, ip(127, 0, 0, 1));
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_MALFORMED);
	/* Gratuitous ARP is well formed. */
	arp_init(&a, ARPOP_REQUEST, sip, sip);
	fails += XS_CHECK(xs_arp_check(&a, dev_mac) == XS_ARP_OK);
	return fails;
}

static int test_mc_map(void)
{
	static const u8 m1[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const u8 m2[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa };
	static const u8 m3[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x00, 0x01, 0x02 };
	u8 mac[ETH_ALEN];
	int fails = 0;

	xs_arp_mc_map(ip(224, 0, 0, 1), mac);
	fails += XS_CHECK(!memcmp(mac, m1, ETH_ALEN));
	xs_arp_mc_map(ip(239, 255, 255, 250), mac);
	fails += XS_CHECK(!memcmp(mac, m2, ETH_ALEN));
	/* Only 23 bits survive: 224.128.1.2 and 224.0.1.2 share a MAC. */
	xs_arp_mc_map(ip(224, 128, 1, 2), mac);
	fails += XS_CHECK(!memcmp(mac, m3, ETH_ALEN));
	xs_arp_mc_map(ip(225, 0, 1, 2), mac);
	fails += XS_CHECK(!memcmp(mac, m3, ETH_ALEN));
	return fails;
}

static int test_reach_time(void)
{
	const unsigned long base = 30 * HZ;
	int fails = 0;
	u32 rnd;

	fails += XS_CHECK(xs_neigh_rand_reach_time(base, 0) == base / 2);
	fails += XS_CHECK(xs_neigh_rand_reach_time(base, U32_MAX) <
			  base / 2 + base);
	fails += XS_CHECK(xs_neigh_rand_reach_time(base, U32_MAX) >=
			  base / 2 + base - 1);
	fails += XS_CHECK(xs_neigh_rand_reach_time(base, 1U << 31) ==
			  base / 2 + base / 2);
	fails += XS_CHECK(xs_neigh_rand_reach_time(0, 12345) == 0);
	for (rnd = 1; rnd && !fails; rnd = rnd * 3 + 7) {
		unsigned long r = xs_neigh_rand_reach_time(base, rnd);

		fails += XS_CHECK(r >= base / 2 && r < base / 2 + base);
		if (rnd > U32_MAX / 4)
			break;
	}
	return fails;
}

static const struct xs_nud_timing timing = {
	.retrans = HZ,
	.delay_probe = 5 * HZ,
	.reach = 20 * HZ,
	.mcast_solicit = 3,
	.ucast_solicit = 2,
};

static int test_timer_incomplete(unsigned long now)
{
	struct xs_nud_snap s = { .state = XSTACK_NUD_INCOMPLETE, .probes = 1 };
	enum xs_nud_action act;
	unsigned long next;
	int fails = 0;

	/* First request went out at creation; two more, then failure. */
	act = xs_nud_timer_step(&s, &timing, now, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_BCAST && s.probes == 2);
	fails += XS_CHECK(next == now + HZ);
	act = xs_nud_timer_step(&s, &timing, now + HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_BCAST && s.probes == 3);
	act = xs_nud_timer_step(&s, &timing, now + 2 * HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_FAIL);
	fails += XS_CHECK(s.state == XSTACK_NUD_FAILED && next == 0);
	/* FAILED has no timer. */
	act = xs_nud_timer_step(&s, &timing, now + 3 * HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_NONE && next == 0);
	return fails;
}

static int test_timer_reachable(unsigned long now)
{
	struct xs_nud_snap s = {
		.state = XSTACK_NUD_REACHABLE,
		.confirmed = now,
		.used = now,
		.reach_time = 10 * HZ,
	};
	enum xs_nud_action act;
	unsigned long next;
	int fails = 0;

	/* Early expiry (confirmed meanwhile): re-armed at confirmed + reach. */
	act = xs_nud_timer_step(&s, &timing, now + 3 * HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_NONE);
	fails += XS_CHECK(s.state == XSTACK_NUD_REACHABLE &&
			  next == now + 10 * HZ);
	/* Expired, used recently: DELAY. */
	s.used = now + 9 * HZ;
	act = xs_nud_timer_step(&s, &timing, now + 11 * HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_NONE);
	fails += XS_CHECK(s.state == XSTACK_NUD_DELAY &&
			  next == now + 16 * HZ);
	/* Expired, unused: STALE, no timer. */
	s.state = XSTACK_NUD_REACHABLE;
	s.used = now;
	act = xs_nud_timer_step(&s, &timing, now + 11 * HZ, &next);
	fails += XS_CHECK(s.state == XSTACK_NUD_STALE && next == 0);
	act = xs_nud_timer_step(&s, &timing, now + 12 * HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_NONE && next == 0 &&
			  s.state == XSTACK_NUD_STALE);
	return fails;
}

static int test_timer_delay_probe(unsigned long now)
{
	struct xs_nud_snap s = {
		.state = XSTACK_NUD_DELAY,
		.confirmed = now - 100 * HZ,
		.used = now,
	};
	enum xs_nud_action act;
	unsigned long next;
	int fails = 0;

	/* Confirmed during DELAY: REACHABLE with the new random time. */
	s.confirmed = now + 2 * HZ;
	act = xs_nud_timer_step(&s, &timing, now + 5 * HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_NONE);
	fails += XS_CHECK(s.state == XSTACK_NUD_REACHABLE &&
			  s.reach_time == 20 * HZ && next == now + 22 * HZ);

	/* Not confirmed: PROBE, first unicast request at once. */
	s.state = XSTACK_NUD_DELAY;
	s.confirmed = now - 100 * HZ;
	s.probes = 7;
	act = xs_nud_timer_step(&s, &timing, now + 5 * HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_UCAST);
	fails += XS_CHECK(s.state == XSTACK_NUD_PROBE && s.probes == 1 &&
			  next == now + 6 * HZ);
	act = xs_nud_timer_step(&s, &timing, now + 6 * HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_UCAST && s.probes == 2);
	/* ucast_solicit (2) unanswered: FAILED. */
	act = xs_nud_timer_step(&s, &timing, now + 7 * HZ, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_FAIL &&
			  s.state == XSTACK_NUD_FAILED && next == 0);
	return fails;
}

static int test_timer_misc(unsigned long now)
{
	static const u8 untimed[] = { XS_NUD_NONE, XSTACK_NUD_STALE,
				      XSTACK_NUD_FAILED, XSTACK_NUD_PERMANENT };
	struct xs_nud_timing fast = timing;
	struct xs_nud_snap s = {};
	enum xs_nud_action act;
	unsigned long next;
	int fails = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(untimed); i++) {
		s.state = untimed[i];
		act = xs_nud_timer_step(&s, &fast, now, &next);
		fails += XS_CHECK(act == XS_NUD_ACT_NONE && next == 0 &&
				  s.state == untimed[i]);
	}
	/* Timers are never armed closer than XS_NEIGH_MIN_TIMER. */
	fast.retrans = 0;
	s.state = XSTACK_NUD_INCOMPLETE;
	s.probes = 0;
	act = xs_nud_timer_step(&s, &fast, now, &next);
	fails += XS_CHECK(act == XS_NUD_ACT_BCAST &&
			  next == now + XS_NEIGH_MIN_TIMER);
	return fails;
}

static int test_update(void)
{
	const u8 r = XSTACK_NUD_REACHABLE, st = XSTACK_NUD_STALE;
	const u8 p = XSTACK_NUD_PERMANENT;
	const unsigned int ov = XS_NEIGH_F_OVERRIDE;
	const unsigned int adm = XS_NEIGH_F_ADMIN | XS_NEIGH_F_OVERRIDE;
	int fails = 0;
	bool take;

	/* No address yet: any information is taken. */
	fails += XS_CHECK(xs_nud_update_state(XSTACK_NUD_INCOMPLETE, r, true,
					      0, &take) == r && take);
	fails += XS_CHECK(xs_nud_update_state(XSTACK_NUD_FAILED, st, true, 0,
					      &take) == st && take);
	fails += XS_CHECK(xs_nud_update_state(XS_NUD_NONE, st, true, ov,
					      &take) == st && take);
	/* A different address within the lock time: the first one wins. */
	fails += XS_CHECK(xs_nud_update_state(r, r, true, 0, &take) ==
			  XS_NUD_NONE && !take);
	fails += XS_CHECK(xs_nud_update_state(st, st, true, 0, &take) ==
			  XS_NUD_NONE);
	/* With override it replaces, unconfirmed: STALE. */
	fails += XS_CHECK(xs_nud_update_state(r, st, true, ov, &take) == st &&
			  take);
	/* A STALE hint with the same address keeps a better state. */
	fails += XS_CHECK(xs_nud_update_state(r, st, false, ov, &take) == r &&
			  !take);
	fails += XS_CHECK(xs_nud_update_state(XSTACK_NUD_PROBE, st, false, 0,
					      &take) == XSTACK_NUD_PROBE);
	/* A reply confirms: PROBE/DELAY/STALE -> REACHABLE. */
	fails += XS_CHECK(xs_nud_update_state(XSTACK_NUD_PROBE, r, false, 0,
					      &take) == r && !take);
	fails += XS_CHECK(xs_nud_update_state(st, r, false, 0, &take) == r);
	/* PERMANENT: only the administrator changes it. */
	fails += XS_CHECK(xs_nud_update_state(p, r, true, ov, &take) ==
			  XS_NUD_NONE);
	fails += XS_CHECK(xs_nud_update_state(p, st, false, ov, &take) ==
			  XS_NUD_NONE);
	fails += XS_CHECK(xs_nud_update_state(p, r, true, adm, &take) == r &&
			  take);
	/* The administrator may set STALE on a valid entry. */
	fails += XS_CHECK(xs_nud_update_state(r, st, false, adm, &take) == st);
	return fails;
}

static int test_tx_action(void)
{
	int fails = 0;

	fails += XS_CHECK(xs_nud_tx_action(XSTACK_NUD_REACHABLE) ==
			  XS_NUD_TX_SEND);
	fails += XS_CHECK(xs_nud_tx_action(XSTACK_NUD_PERMANENT) ==
			  XS_NUD_TX_SEND);
	fails += XS_CHECK(xs_nud_tx_action(XSTACK_NUD_DELAY) ==
			  XS_NUD_TX_SEND);
	fails += XS_CHECK(xs_nud_tx_action(XSTACK_NUD_PROBE) ==
			  XS_NUD_TX_SEND);
	fails += XS_CHECK(xs_nud_tx_action(XSTACK_NUD_STALE) ==
			  XS_NUD_TX_SEND_DELAY);
	fails += XS_CHECK(xs_nud_tx_action(XSTACK_NUD_INCOMPLETE) ==
			  XS_NUD_TX_QUEUE);
	fails += XS_CHECK(xs_nud_tx_action(XSTACK_NUD_FAILED) ==
			  XS_NUD_TX_FAILED);
	fails += XS_CHECK(xs_nud_tx_action(XS_NUD_NONE) == XS_NUD_TX_RESOLVE);
	return fails;
}

static int test_gc(unsigned long now)
{
	const unsigned long stale = 60 * HZ;
	int fails = 0;

	/* Thresholds (gc_thresh2 = 512, gc_thresh3 = 1024). */
	fails += XS_CHECK(xs_neigh_gc_verdict(0, 512, 1024, now, now) ==
			  XS_GC_CREATE);
	fails += XS_CHECK(xs_neigh_gc_verdict(511, 512, 1024, now,
					      now - 60 * HZ) == XS_GC_CREATE);
	fails += XS_CHECK(xs_neigh_gc_verdict(512, 512, 1024, now,
					      now - HZ) == XS_GC_CREATE);
	fails += XS_CHECK(xs_neigh_gc_verdict(512, 512, 1024, now,
					      now - 6 * HZ) == XS_GC_FORCE);
	fails += XS_CHECK(xs_neigh_gc_verdict(1024, 512, 1024, now, now) ==
			  XS_GC_FORCE);
	fails += XS_CHECK(xs_neigh_gc_verdict(0, 0, 0, now, now) ==
			  XS_GC_FORCE);

	/* Referenced (timer pending or in use) or PERMANENT: never. */
	fails += XS_CHECK(!xs_neigh_gc_evictable(XSTACK_NUD_FAILED, 2, 0, 0,
						 now, stale, false));
	fails += XS_CHECK(!xs_neigh_gc_evictable(XSTACK_NUD_PERMANENT, 1,
						 now - 10 * stale, now - 10 * stale,
						 now, stale, true));
	fails += XS_CHECK(xs_neigh_gc_evictable(XSTACK_NUD_FAILED, 1, now,
						now, now, stale, false));
	/* Periodic: STALE unused for gc_stale_time. */
	fails += XS_CHECK(!xs_neigh_gc_evictable(XSTACK_NUD_STALE, 1,
						 now - stale + 1, now - stale,
						 now, stale, false));
	fails += XS_CHECK(xs_neigh_gc_evictable(XSTACK_NUD_STALE, 1,
						now - stale, now, now, stale,
						false));
	/* Forced: not updated in the last 5 s. */
	fails += XS_CHECK(!xs_neigh_gc_evictable(XSTACK_NUD_STALE, 1,
						 now - stale * 2, now - HZ, now,
						 stale, true));
	fails += XS_CHECK(xs_neigh_gc_evictable(XSTACK_NUD_STALE, 1, now,
						now - 6 * HZ, now, stale,
						true));
	return fails;
}

static int test_queue(void)
{
	unsigned int to_free;
	int fails = 0;

	fails += XS_CHECK(!xs_neigh_queue_admit(0, 2000, 1000, &to_free));
	fails += XS_CHECK(!xs_neigh_queue_admit(0, 1, 0, &to_free));
	fails += XS_CHECK(xs_neigh_queue_admit(0, 1000, 1000, &to_free) &&
			  to_free == 0);
	fails += XS_CHECK(xs_neigh_queue_admit(500, 500, 1000, &to_free) &&
			  to_free == 0);
	fails += XS_CHECK(xs_neigh_queue_admit(900, 500, 1000, &to_free) &&
			  to_free == 400);
	fails += XS_CHECK(xs_neigh_queue_admit(1000, 1000, 1000, &to_free) &&
			  to_free == 1000);
	return fails;
}

static int test_select_src(void)
{
	struct xs_ifaddr a = {}, b = {};
	struct xs_dev xd = {};
	int fails = 0;

	INIT_LIST_HEAD(&xd.addrs);
	rcu_read_lock();
	fails += XS_CHECK(xs_arp_select_src_rcu(&xd, 0, ip(10, 0, 0, 2)) == 0);
	rcu_read_unlock();

	xs_ifaddr_init(&a, ip(192, 168, 1, 1), 24);
	xs_ifaddr_init(&b, ip(10, 0, 0, 1), 24);
	a.xd = &xd;
	b.xd = &xd;
	list_add_tail_rcu(&a.list, &xd.addrs);
	list_add_tail_rcu(&b.list, &xd.addrs);
	rcu_read_lock();
	/* The subnet of the target first, else the first address. */
	fails += XS_CHECK(xs_arp_select_src_rcu(&xd, 0, ip(10, 0, 0, 2)) ==
			  ip(10, 0, 0, 1));
	fails += XS_CHECK(xs_arp_select_src_rcu(&xd, 0, ip(172, 16, 0, 1)) ==
			  ip(192, 168, 1, 1));
	/* The waiting packet's source wins if it is ours on the device. */
	fails += XS_CHECK(xs_arp_select_src_rcu(&xd, ip(192, 168, 1, 1),
						ip(10, 0, 0, 2)) ==
			  ip(192, 168, 1, 1));
	fails += XS_CHECK(xs_arp_select_src_rcu(&xd, ip(172, 16, 0, 9),
						ip(10, 0, 0, 2)) ==
			  ip(10, 0, 0, 1));
	rcu_read_unlock();
	return fails;
}

/**
 * xs_arp_selftest - self-tests of ARP and neighbour cache logic
 *
 * Return: the number of failed checks.
 */
int xs_arp_selftest(void)
{
	/* Just before the wrap, so time comparisons must use time_*(). */
	const unsigned long now = ULONG_MAX - 7 * HZ;
	int fails = 0;

	fails += test_arp_check();
	fails += test_mc_map();
	fails += test_reach_time();
	fails += test_timer_incomplete(now);
	fails += test_timer_reachable(now);
	fails += test_timer_delay_probe(now);
	fails += test_timer_misc(now);
	fails += test_timer_reachable(jiffies);
	fails += test_update();
	fails += test_tx_action();
	fails += test_gc(now);
	fails += test_gc(30 * HZ);
	fails += test_queue();
	fails += test_select_src();
	return fails;
}
