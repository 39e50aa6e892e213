// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of IGMP's pure logic. Included at the end of igmp.c,
 * WireGuard style, to reach its static helpers.
 *
 *  - message build: IPv4 header with Router Alert, TTL 1, DF, both
 *    checksums, and the 8-byte IGMPv2 message (RFC 2236 2, RFC 2113)
 *  - parse: v1, v2 and v3 queries (RFC 2236 4, RFC 3376 7.1), reports,
 *    leaves, malformed lengths and groups
 *  - Max Resp Time: v1 queries mean 10 s, v3 floating-point codes
 *    (RFC 3376 4.1.1), the minimum of one jiffy
 *  - MAC mapping of groups (RFC 1112 6.4)
 *  - random delay bounds (0, max] and the keep-or-reset timer rule
 *    (RFC 2236 3)
 */

#define IT_CHECK(cond) ({						\
	bool __ok = (cond);						\
	if (!__ok)							\
		pr_err("igmp self-test failed: %s (%s:%d)\n", #cond,	\
		       __FILE__, __LINE__);				\
	!__ok;								\
})

#define IT_SADDR	htonl(0xc0000201)	/* 192.0.2.1, RFC 5737 */
#define IT_GROUP	htonl(0xef010203)	/* 239.1.2.3 */

static int xs_igmp_test_build(void)
{
	u8 buf[XS_IGMP_PKT_LEN];
	const struct iphdr *iph = (const struct iphdr *)buf;
	const u8 *opt = buf + sizeof(*iph);
	const struct igmphdr *ih;
	struct xs_igmp_msg m;
	int fail = 0;

	ih = (const struct igmphdr *)(buf + XS_IGMP_IPH_LEN);
	memset(buf, 0xa5, sizeof(buf));
	xs_igmp_build(buf, IT_SADDR, IT_GROUP, IGMPV2_HOST_MEMBERSHIP_REPORT,
		      IT_GROUP);
	fail |= IT_CHECK(sizeof(buf) == 32);
	fail |= IT_CHECK(iph->version == 4 && iph->ihl == 6);
	fail |= IT_CHECK(ntohs(iph->tot_len) == 32);
	fail |= IT_CHECK(iph->ttl == 1);
	fail |= IT_CHECK(iph->protocol == IPPROTO_IGMP);
	fail |= IT_CHECK(iph->frag_off == htons(IP_DF));
	fail |= IT_CHECK(iph->saddr == IT_SADDR && iph->daddr == IT_GROUP);
	fail |= IT_CHECK(!ip_fast_csum(iph, iph->ihl));
	/* RFC 2113 2.1: 10010100 00000100 and a zero value. */
	fail |= IT_CHECK(opt[0] == 0x94 && opt[1] == 4 && !opt[2] && !opt[3]);
	fail |= IT_CHECK(ih->type == 0x16 && ih->code == 0);
	fail |= IT_CHECK(ih->group == IT_GROUP);
	fail |= IT_CHECK(!csum_fold(csum_partial(ih, XS_IGMP_MSG_LEN, 0)));
	fail |= IT_CHECK(!xs_igmp_parse(ih, XS_IGMP_MSG_LEN, &m));
	fail |= IT_CHECK(m.type == IGMPV2_HOST_MEMBERSHIP_REPORT &&
			 m.group == IT_GROUP);

	xs_igmp_build(buf, IT_SADDR, IGMP_ALL_ROUTER, IGMP_HOST_LEAVE_MESSAGE,
		      IT_GROUP);
	fail |= IT_CHECK(iph->daddr == htonl(0xe0000002));
	fail |= IT_CHECK(!ip_fast_csum(iph, iph->ihl));
	fail |= IT_CHECK(ih->type == 0x17 && ih->group == IT_GROUP);
	fail |= IT_CHECK(!csum_fold(csum_partial(ih, XS_IGMP_MSG_LEN, 0)));

	/* Known vector: ~(0x1600 + 0xef01 + 0x0203) = 0xf8fa on the wire. */
	xs_igmp_build(buf, 0, IT_GROUP, IGMPV2_HOST_MEMBERSHIP_REPORT,
		      IT_GROUP);
	fail |= IT_CHECK(buf[XS_IGMP_IPH_LEN + 2] == 0xf8 &&
			 buf[XS_IGMP_IPH_LEN + 3] == 0xfa);
	return fail;
}

static int xs_igmp_test_parse(void)
{
	struct igmphdr h = {};
	struct xs_igmp_msg m;
	int fail = 0;

	/* RFC 2236 4: code 0 in an 8-byte query is IGMPv1, 10 s, general. */
	h.type = IGMP_HOST_MEMBERSHIP_QUERY;
	h.group = IT_GROUP;
	fail |= IT_CHECK(!xs_igmp_parse(&h, 8, &m));
	fail |= IT_CHECK(m.version == 1 && m.max_resp == 100 && !m.group);

	/* v2 general and group-specific queries. */
	h.code = 50;
	h.group = 0;
	fail |= IT_CHECK(!xs_igmp_parse(&h, 8, &m));
	fail |= IT_CHECK(m.version == 2 && m.max_resp == 50 && !m.group);
	h.group = IT_GROUP;
	fail |= IT_CHECK(!xs_igmp_parse(&h, 8, &m));
	fail |= IT_CHECK(m.version == 2 && m.group == IT_GROUP);

	/* RFC 3376 7.1: 12 bytes and more is v3; 9 to 11 is ignored. */
	h.code = 100;
	fail |= IT_CHECK(!xs_igmp_parse(&h, 12, &m));
	fail |= IT_CHECK(m.version == 3 && m.max_resp == 100);
	fail |= IT_CHECK(!xs_igmp_parse(&h, 200, &m) && m.version == 3);
	fail |= IT_CHECK(xs_igmp_parse(&h, 9, &m) == -EINVAL);
	fail |= IT_CHECK(xs_igmp_parse(&h, 11, &m) == -EINVAL);
	fail |= IT_CHECK(xs_igmp_parse(&h, 7, &m) == -EINVAL);
	fail |= IT_CHECK(xs_igmp_parse(&h, 0, &m) == -EINVAL);

	/* A query about a unicast "group" is malformed. */
	h.group = IT_SADDR;
	fail |= IT_CHECK(xs_igmp_parse(&h, 8, &m) == -EINVAL);

	/* Reports and leaves must name a group. */
	h.type = IGMPV2_HOST_MEMBERSHIP_REPORT;
	fail |= IT_CHECK(xs_igmp_parse(&h, 8, &m) == -EINVAL);
	h.group = IT_GROUP;
	fail |= IT_CHECK(!xs_igmp_parse(&h, 8, &m) && m.group == IT_GROUP);
	h.type = IGMP_HOST_MEMBERSHIP_REPORT;
	fail |= IT_CHECK(!xs_igmp_parse(&h, 8, &m) && m.type == 0x12);
	h.type = IGMP_HOST_LEAVE_MESSAGE;
	h.group = 0;
	fail |= IT_CHECK(xs_igmp_parse(&h, 8, &m) == -EINVAL);

	/* Other types (DVMRP, PIMv1, v3 reports) parse and are ignored. */
	h.type = IGMP_DVMRP;
	fail |= IT_CHECK(!xs_igmp_parse(&h, 8, &m) && m.type == IGMP_DVMRP);
	return fail;
}

static int xs_igmp_test_max_resp(void)
{
	int fail = 0;

	/* RFC 3376 4.1.1: codes below 128 are linear. */
	fail |= IT_CHECK(xs_igmpv3_mrc(0) == 0);
	fail |= IT_CHECK(xs_igmpv3_mrc(127) == 127);
	/* 1 000 0000: (0 | 0x10) << 3 = 128; 1 111 1111: 31 << 10. */
	fail |= IT_CHECK(xs_igmpv3_mrc(0x80) == 128);
	fail |= IT_CHECK(xs_igmpv3_mrc(0x8f) == 248);
	fail |= IT_CHECK(xs_igmpv3_mrc(0x90) == 256);
	fail |= IT_CHECK(xs_igmpv3_mrc(0xff) == 31744);

	/* Tenths of a second to jiffies, never zero. */
	fail |= IT_CHECK(xs_igmp_max_delay(100) == 10 * HZ);
	fail |= IT_CHECK(xs_igmp_max_delay(1) == max(1, HZ / 10));
	fail |= IT_CHECK(xs_igmp_max_delay(0) == 1);
	fail |= IT_CHECK(xs_igmp_max_delay(255) == 255 * HZ / 10);
	return fail;
}

static int xs_igmp_test_mac(void)
{
	static const struct {
		u32 group;
		u8 mac[ETH_ALEN];
	} v[] = {
		{ 0xe0000001, { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } },
		{ 0xef010203, { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 } },
		/* The 24th bit from the right is dropped: 32 groups a MAC. */
		{ 0xef810203, { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 } },
		{ 0xe07fffff, { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xff } },
		{ 0xefffffff, { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xff } },
	};
	u8 mac[ETH_ALEN];
	int fail = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		xs_mc_eth_addr(htonl(v[i].group), mac);
		fail |= IT_CHECK(ether_addr_equal(mac, v[i].mac));
		fail |= IT_CHECK(is_multicast_ether_addr(mac));
	}
	return fail;
}

static int xs_igmp_test_delay(void)
{
	unsigned long now = 1000, d, lo = ULONG_MAX, hi = 0;
	static const unsigned long maxes[] = { 1, 2, 25, 10 * HZ, 3175 * HZ };
	int fail = 0;
	size_t i, n;

	/* RFC 2236 3: the delay lies in (0, Max Response Time]. */
	for (i = 0; i < ARRAY_SIZE(maxes); i++) {
		fail |= IT_CHECK(xs_igmp_delay(maxes[i], 0) == 1);
		fail |= IT_CHECK(xs_igmp_delay(maxes[i], U32_MAX) == maxes[i]);
		for (n = 0; n < 1000; n++) {
			d = xs_igmp_delay(maxes[i], get_random_u32());
			fail |= IT_CHECK(d >= 1 && d <= maxes[i]);
			if (fail)
				return fail;
		}
	}
	fail |= IT_CHECK(xs_igmp_delay(0, U32_MAX) == 1);
	/* Spread: 1000 draws over (0, 100] cover most of the range. */
	for (n = 0; n < 1000; n++) {
		d = xs_igmp_delay(100, get_random_u32());
		lo = min(lo, d);
		hi = max(hi, d);
	}
	fail |= IT_CHECK(lo <= 10 && hi >= 90);

	/* A running timer is kept only if it fires within the new bound. */
	fail |= IT_CHECK(!xs_igmp_keep_timer(false, now + 1, now, 100));
	fail |= IT_CHECK(xs_igmp_keep_timer(true, now + 50, now, 100));
	fail |= IT_CHECK(xs_igmp_keep_timer(true, now + 100, now, 100));
	fail |= IT_CHECK(!xs_igmp_keep_timer(true, now + 101, now, 100));
	/* Across a jiffies wrap. */
	now = ULONG_MAX - 10;
	fail |= IT_CHECK(xs_igmp_keep_timer(true, now + 50, now, 100));
	fail |= IT_CHECK(!xs_igmp_keep_timer(true, now + 150, now, 100));
	return fail;
}

/**
 * xs_igmp_selftest - run the IGMP self-tests
 *
 * Return: 0 when every check passes, else non-zero (details logged).
 */
int xs_igmp_selftest(void)
{
	int fail = 0;

	fail |= xs_igmp_test_build();
	fail |= xs_igmp_test_parse();
	fail |= xs_igmp_test_max_resp();
	fail |= xs_igmp_test_mac();
	fail |= xs_igmp_test_delay();
	return fail;
}
