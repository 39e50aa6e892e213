// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of IPv4 fragmentation and reassembly, on a namespace-less
 * xs_net with its own counters and a bare reassembly table (no sysctl
 * registration, no device, hence no ICMP). Included at the end of
 * ip_frag.c, WireGuard style, to reach its internals.
 *
 *  - round trips: 3000- and 65535-byte datagrams (linear, paged, with a
 *    frag_list, with IP options) fragmented at MTU 1500 and 576, checked
 *    fragment by fragment, and fed back in order, reversed, shuffled and
 *    with duplicates: the datagram comes back byte for byte
 *  - overlaps and inconsistent lengths discard the datagram, counted
 *  - ECN combination (RFC 3168 5.3)
 *  - fragmentation errors: DF, tiny MTU, error of the output callback
 *  - timeout, memory thresholds, queue limit, sysctl bounds
 *  - two threads feeding the fragments of the same datagrams at once
 *  - a datagram left incomplete, freed by the table's destruction
 */

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/sched/task.h>
#include <linux/string.h>

#define FT_CHECK(cond) ({						\
	bool __ok = (cond);						\
	if (!__ok)							\
		pr_err("frag self-test failed: %s (%s:%d)\n", #cond,	\
		       __FILE__, __LINE__);				\
	!__ok;								\
})

#define FT_MAX_FRAGS	256
#define FT_SADDR	htonl(0xc0000201)	/* 192.0.2.1, RFC 5737 */
#define FT_DADDR	htonl(0xc0000202)

enum ft_layout { FT_LINEAR, FT_PAGED, FT_FRAGLIST };
enum ft_order { FT_IN_ORDER, FT_REVERSED, FT_SHUFFLED, FT_DUPLICATES };

/**
 * struct ft_frags - fragments collected from xs_ip_fragment()
 * @skb: the fragments, in the order sent
 * @idx: feeding order scratch
 * @n: fragments collected
 * @fail_at: the callback fails with -ENOBUFS on this fragment, or -1
 */
struct ft_frags {
	struct sk_buff *skb[FT_MAX_FRAGS];
	unsigned int idx[FT_MAX_FRAGS];
	int n;
	int fail_at;
};

/**
 * struct ft_ctx - test state
 * @xn: test namespace state (mib and frag only)
 * @tbl: its reassembly table
 * @flat: the datagram expected back
 * @buf: copy of a reassembled datagram
 * @f: fragments
 * @rnd: shuffle state, fixed seed
 * @id: next IP identification
 */
struct ft_ctx {
	struct xs_net *xn;
	struct xs_frag_table *tbl;
	u8 *flat;
	u8 *buf;
	struct ft_frags *f;
	struct rnd_state rnd;
	u16 id;
};

/* Record route (not copied), router alert (copied), padding: 16 bytes. */
static const u8 ft_opts[] = {
	IPOPT_RR, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0,
	IPOPT_RA, 4, 0, 0,
	IPOPT_END,
};

static u64 ft_cnt(const struct ft_ctx *t, unsigned int field)
{
	return xs_stats_read(t->xn, field);
}

static unsigned int ft_queues(struct xs_frag_table *tbl)
{
	unsigned int n;

	spin_lock_bh(&tbl->lock);
	n = tbl->nqueues;
	spin_unlock_bh(&tbl->lock);
	return n;
}

static unsigned long ft_mem(struct xs_frag_table *tbl)
{
	unsigned long mem;

	spin_lock_bh(&tbl->lock);
	mem = tbl->mem;
	spin_unlock_bh(&tbl->lock);
	return mem;
}

static u8 ft_byte(unsigned int pos, u8 seed)
{
	return (u8)(pos * 7 + (pos >> 8) + seed);
}

/* A datagram of @tot bytes in @flat; header options if @ihl > 20. */
static void ft_fill(u8 *flat, unsigned int tot, unsigned int ihl, u16 id,
		    u8 seed, __be16 frag_off)
{
	struct iphdr *iph = (struct iphdr *)flat;
	unsigned int i;

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = ihl / 4;
	iph->tot_len = htons(tot);
	iph->id = htons(id);
	iph->frag_off = frag_off;
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = FT_SADDR;
	iph->daddr = FT_DADDR;
	memcpy(flat + sizeof(*iph), ft_opts, ihl - sizeof(*iph));
	for (i = ihl; i < tot; i++)
		flat[i] = ft_byte(i, seed);
	ip_send_check(iph);
}

/* An skb holding @flat: linear, or header + pages, or header + frag_list. */
static struct sk_buff *ft_skb(const u8 *flat, unsigned int tot,
			      enum ft_layout layout)
{
	unsigned int lin = layout == FT_LINEAR ? tot : min(tot, 200U);
	unsigned int off, n, i = 0;
	struct sk_buff *skb, *child;
	struct page *page;

	skb = alloc_skb(LL_MAX_HEADER + lin, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_put_data(skb, flat, lin);
	skb_reset_network_header(skb);
	skb->protocol = htons(ETH_P_IP);
	if (layout == FT_PAGED) {
		for (off = lin; off < tot; off += n) {
			n = min_t(unsigned int, tot - off, PAGE_SIZE);
			page = alloc_page(GFP_KERNEL);
			if (!page)
				goto err;
			memcpy(page_address(page), flat + off, n);
			skb_add_rx_frag(skb, i++, page, 0, n, PAGE_SIZE);
		}
	} else if (layout == FT_FRAGLIST && tot > lin) {
		child = alloc_skb(tot - lin, GFP_KERNEL);
		if (!child)
			goto err;
		skb_put_data(child, flat + lin, tot - lin);
		skb_shinfo(skb)->frag_list = child;
		skb->len += child->len;
		skb->data_len += child->len;
		skb->truesize += child->truesize;
	}
	return skb;

err:
	kfree_skb(skb);
	return NULL;
}

/* Output callback of xs_ip_fragment(): keeps the fragments. */
static int ft_collect(struct xs_net *xn, struct sk_buff *skb, const void *ctx)
{
	struct ft_frags *f = (struct ft_frags *)ctx;

	if (f->n == f->fail_at || f->n >= FT_MAX_FRAGS) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	f->skb[f->n++] = skb;
	return 0;
}

static void ft_frags_free(struct ft_frags *f)
{
	while (f->n)
		kfree_skb(f->skb[--f->n]);
	f->fail_at = -1;
}

/* A hand-made fragment: @dlen bytes at @offset, pattern by position. */
static struct sk_buff *ft_frag(u16 id, unsigned int offset, unsigned int dlen,
			       bool mf, u8 tos)
{
	unsigned int tot = sizeof(struct iphdr) + dlen, i;
	struct sk_buff *skb;
	struct iphdr *iph;
	u8 *data;

	skb = alloc_skb(LL_MAX_HEADER + tot, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = tos;
	iph->tot_len = htons(tot);
	iph->id = htons(id);
	iph->frag_off = htons(offset >> 3 | (mf ? IP_MF : 0));
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = FT_SADDR;
	iph->daddr = FT_DADDR;
	ip_send_check(iph);
	data = skb_put(skb, dlen);
	for (i = 0; i < dlen; i++)
		data[i] = ft_byte(offset + i, 0);
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

/* Feeds a hand-made fragment; returns what xs_ip_defrag() returned. */
static struct sk_buff *ft_feed(struct ft_ctx *t, u16 id, unsigned int offset,
			       unsigned int dlen, bool mf, u8 tos)
{
	struct sk_buff *skb = ft_frag(id, offset, dlen, mf, tos);

	return skb ? xs_ip_defrag(t->xn, skb) : ERR_PTR(-ENOMEM);
}

/* Checks the fragments of the datagram in t->flat (@tot, @ihl bytes). */
static int ft_check_frags(struct ft_ctx *t, unsigned int tot,
			  unsigned int ihl, unsigned int mtu)
{
	unsigned int rest_ihl = ihl > 20 ? 24 : 20, pos = 0, hlen, dlen;
	struct ft_frags *f = t->f;
	const struct iphdr *iph;
	struct sk_buff *skb;
	int fails = 0, i;
	u16 frag_off;

	for (i = 0; i < f->n; i++) {
		skb = f->skb[i];
		iph = ip_hdr(skb);
		hlen = iph->ihl * 4;
		dlen = skb->len - hlen;
		frag_off = ntohs(iph->frag_off);
		fails += FT_CHECK(skb->data == skb_network_header(skb));
		fails += FT_CHECK(!skb_is_nonlinear(skb));
		fails += FT_CHECK(skb->len <= mtu);
		fails += FT_CHECK(hlen == (i ? rest_ihl : ihl));
		fails += FT_CHECK(ntohs(iph->tot_len) == skb->len);
		fails += FT_CHECK(!ip_fast_csum(iph, iph->ihl));
		fails += FT_CHECK((frag_off & IP_OFFSET) << 3 == pos);
		fails += FT_CHECK(!(frag_off & IP_MF) == (i == f->n - 1));
		fails += FT_CHECK(!(frag_off & IP_DF));
		if (frag_off & IP_MF)
			fails += FT_CHECK(!(dlen & 7));
		/* Options: all in fragment zero, only the copied ones after. */
		if (i)
			fails += FT_CHECK(!memcmp(skb->data + 20,
						  ft_opts + 11, hlen - 20));
		else
			fails += FT_CHECK(!memcmp(skb->data + 20, t->flat + 20,
						  hlen - 20));
		fails += FT_CHECK(iph->id == ((struct iphdr *)t->flat)->id);
		fails += FT_CHECK(!memcmp(skb->data + hlen,
					  t->flat + ihl + pos, dlen));
		pos += dlen;
	}
	fails += FT_CHECK(pos == tot - ihl);
	return fails;
}

static void ft_order(struct ft_ctx *t, enum ft_order order)
{
	struct ft_frags *f = t->f;
	unsigned int j, tmp;
	int i;

	for (i = 0; i < f->n; i++)
		f->idx[i] = order == FT_REVERSED ? f->n - 1 - i : i;
	if (order < FT_SHUFFLED)
		return;
	for (i = f->n - 1; i > 0; i--) {
		j = prandom_u32_state(&t->rnd) % (i + 1);
		tmp = f->idx[i];
		f->idx[i] = f->idx[j];
		f->idx[j] = tmp;
	}
}

/* Feeds copies of the fragments in @order; the datagram must come back. */
static int ft_reassemble(struct ft_ctx *t, unsigned int tot,
			 enum ft_order order)
{
	u64 oks = ft_cnt(t, XS_MIB_Ip_ReasmOKs);
	u64 reqds = ft_cnt(t, XS_MIB_Ip_ReasmReqds);
	u64 dups = ft_cnt(t, XS_MIB_XsExt_ReasmDuplicates);
	u64 rfails = ft_cnt(t, XS_MIB_Ip_ReasmFails);
	struct sk_buff *skb, *res = NULL;
	struct ft_frags *f = t->f;
	int fails = 0, early = 0, i;
	unsigned int ndup = 0;

	ft_order(t, order);
	for (i = 0; i < f->n; i++) {
		skb = skb_copy(f->skb[f->idx[i]], GFP_KERNEL);
		if (!skb)
			return fails + FT_CHECK(skb);
		res = xs_ip_defrag(t->xn, skb);
		if (i == f->n - 1)
			break;
		early += !!res;
		kfree_skb(res);
		res = NULL;
		if (order != FT_DUPLICATES || i % 3)
			continue;
		/* A duplicate, before the datagram completes. */
		skb = skb_copy(f->skb[f->idx[i]], GFP_KERNEL);
		if (!skb)
			return fails + FT_CHECK(skb);
		skb = xs_ip_defrag(t->xn, skb);
		fails += FT_CHECK(!skb);
		kfree_skb(skb);
		ndup++;
	}
	fails += FT_CHECK(!early);
	fails += FT_CHECK(res);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_ReasmOKs) == oks + 1);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_ReasmReqds) ==
			  reqds + f->n + ndup);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_XsExt_ReasmDuplicates) ==
			  dups + ndup);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_ReasmFails) == rfails);
	fails += FT_CHECK(!ft_queues(t->tbl) && !ft_mem(t->tbl));
	if (!res)
		return fails;
	fails += FT_CHECK(res->len == tot);
	fails += FT_CHECK(res->data == skb_network_header(res));
	fails += FT_CHECK(skb_headlen(res) >= ip_hdr(res)->ihl * 4);
	fails += FT_CHECK(res->ip_summed == CHECKSUM_NONE);
	fails += FT_CHECK(!res->next && !res->sk);
	if (res->len == tot) {
		fails += FT_CHECK(!skb_copy_bits(res, 0, t->buf, tot));
		/* The original had frag_off 0: even the header is identical. */
		fails += FT_CHECK(!memcmp(t->buf, t->flat, tot));
	}
	kfree_skb(res);
	return fails;
}

/* Fragments a datagram and reassembles it in every order. */
static int ft_roundtrip(struct ft_ctx *t, unsigned int tot, unsigned int mtu,
			enum ft_layout layout, bool opts)
{
	unsigned int ihl = opts ? 20 + sizeof(ft_opts) : 20;
	unsigned int rest_ihl = opts ? 24 : 20, first, each, expect;
	u64 oks = ft_cnt(t, XS_MIB_Ip_FragOKs);
	u64 creates = ft_cnt(t, XS_MIB_Ip_FragCreates);
	struct ft_frags *f = t->f;
	enum ft_order order;
	struct sk_buff *skb;
	int fails = 0, err;
	u16 id = t->id++;

	ft_fill(t->flat, tot, ihl, id, (u8)id, 0);
	skb = ft_skb(t->flat, tot, layout);
	if (!skb)
		return FT_CHECK(skb);
	err = xs_ip_fragment(t->xn, skb, mtu, ft_collect, f);
	fails += FT_CHECK(!err);
	first = (mtu - ihl) & ~7U;
	each = (mtu - rest_ihl) & ~7U;
	expect = 1 + DIV_ROUND_UP(tot - ihl - first, each);
	fails += FT_CHECK(f->n == expect);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_FragOKs) == oks + 1);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_FragCreates) == creates + f->n);
	fails += ft_check_frags(t, tot, ihl, mtu);
	if (!fails)
		for (order = FT_IN_ORDER; order <= FT_DUPLICATES; order++)
			fails += ft_reassemble(t, tot, order);
	ft_frags_free(f);
	if (fails)
		pr_err("frag self-test: round trip of %u bytes at mtu %u (layout %d, options %d) failed\n",
		       tot, mtu, layout, opts);
	return fails;
}

static int ft_roundtrips(struct ft_ctx *t)
{
	static const unsigned int sizes[] = { 3000, 65535 };
	static const unsigned int mtus[] = { 1500, 576 };
	enum ft_layout layout;
	int fails = 0, s, m;

	for (s = 0; s < ARRAY_SIZE(sizes); s++)
		for (m = 0; m < ARRAY_SIZE(mtus); m++)
			for (layout = FT_LINEAR; layout <= FT_FRAGLIST; layout++)
				fails += ft_roundtrip(t, sizes[s], mtus[m],
						      layout, false);
	fails += ft_roundtrip(t, 3000, 576, FT_LINEAR, true);
	fails += ft_roundtrip(t, 65535, 1500, FT_PAGED, true);
	/* Odd MTU: fragment data is rounded down to a multiple of 8. */
	fails += ft_roundtrip(t, 9000, 1006, FT_FRAGLIST, false);
	return fails;
}

/* xs_ip_fragment() refusals and errors. */
static int ft_fragment_errors(struct ft_ctx *t)
{
	u64 ffails = ft_cnt(t, XS_MIB_Ip_FragFails);
	u64 creates = ft_cnt(t, XS_MIB_Ip_FragCreates);
	u64 oks = ft_cnt(t, XS_MIB_Ip_FragOKs);
	struct ft_frags *f = t->f;
	struct sk_buff *skb;
	int fails = 0;

	/* DF set: not ours to fragment. */
	ft_fill(t->flat, 3000, 20, t->id++, 0, htons(IP_DF));
	skb = ft_skb(t->flat, 3000, FT_LINEAR);
	if (!skb)
		return FT_CHECK(skb);
	fails += FT_CHECK(xs_ip_fragment(t->xn, skb, 1500, ft_collect, f) ==
			  -EMSGSIZE);
	fails += FT_CHECK(f->n == 0);

	/* MTU below header + 8. */
	ft_fill(t->flat, 3000, 20, t->id++, 0, 0);
	skb = ft_skb(t->flat, 3000, FT_LINEAR);
	if (!skb)
		return fails + FT_CHECK(skb);
	fails += FT_CHECK(xs_ip_fragment(t->xn, skb, 27, ft_collect, f) ==
			  -EINVAL);
	fails += FT_CHECK(f->n == 0);

	/* tot_len disagreeing with the skb. */
	skb = ft_skb(t->flat, 3000, FT_LINEAR);
	if (!skb)
		return fails + FT_CHECK(skb);
	skb_trim(skb, 2000);
	fails += FT_CHECK(xs_ip_fragment(t->xn, skb, 1500, ft_collect, f) ==
			  -EINVAL);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_FragFails) == ffails + 3);

	/* The callback fails on the second fragment: stop there. */
	skb = ft_skb(t->flat, 3000, FT_PAGED);
	if (!skb)
		return fails + FT_CHECK(skb);
	f->fail_at = 1;
	fails += FT_CHECK(xs_ip_fragment(t->xn, skb, 1500, ft_collect, f) ==
			  -ENOBUFS);
	fails += FT_CHECK(f->n == 1);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_FragFails) == ffails + 4);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_FragCreates) == creates + 1);
	ft_frags_free(f);

	/* Fits: passed on untouched even with DF, nothing counted. */
	ft_fill(t->flat, 1500, 20, t->id++, 0, htons(IP_DF));
	skb = ft_skb(t->flat, 1500, FT_LINEAR);
	if (!skb)
		return fails + FT_CHECK(skb);
	fails += FT_CHECK(!xs_ip_fragment(t->xn, skb, 1500, ft_collect, f));
	fails += FT_CHECK(f->n == 1 && f->skb[0] == skb);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_FragOKs) == oks);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_FragFails) == ffails + 4);
	ft_frags_free(f);
	return fails;
}

/* Feeds @skb and expects the datagram to be thrown away and counted. */
static int ft_expect_discard(struct ft_ctx *t, struct sk_buff *res,
			     unsigned int field, u64 before, u64 rfails)
{
	int fails = 0;

	fails += FT_CHECK(!res);
	if (res && !IS_ERR(res))
		kfree_skb(res);
	fails += FT_CHECK(ft_cnt(t, field) == before + 1);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_ReasmFails) == rfails + 1);
	fails += FT_CHECK(!ft_queues(t->tbl) && !ft_mem(t->tbl));
	return fails;
}

/* The first fragment is queued, the second one poisons the datagram. */
static int ft_pair(struct ft_ctx *t, unsigned int off1, unsigned int len1,
		   bool mf1, unsigned int off2, unsigned int len2, bool mf2,
		   unsigned int field)
{
	u64 before = ft_cnt(t, field);
	u64 rfails = ft_cnt(t, XS_MIB_Ip_ReasmFails);
	struct sk_buff *res;
	u16 id = t->id++;
	int fails = 0;

	res = ft_feed(t, id, off1, len1, mf1, 0);
	fails += FT_CHECK(!res);
	fails += FT_CHECK(ft_queues(t->tbl) == 1);
	res = ft_feed(t, id, off2, len2, mf2, 0);
	fails += ft_expect_discard(t, res, field, before, rfails);
	if (fails)
		pr_err("frag self-test: [%u,%u)%s then [%u,%u)%s not discarded\n",
		       off1, off1 + len1, mf1 ? "+MF" : "", off2, off2 + len2,
		       mf2 ? "+MF" : "");
	return fails;
}

static int ft_overlaps(struct ft_ctx *t)
{
	const unsigned int ovl = XS_MIB_IpExt_ReasmOverlaps;
	const unsigned int bad = XS_MIB_XsExt_ReasmMalformed;
	u64 before, rfails;
	int fails = 0;

	/* Partial overlap, both ways; same offset other length; inside. */
	fails += ft_pair(t, 0, 16, true, 8, 16, true, ovl);
	fails += ft_pair(t, 16, 16, true, 0, 24, true, ovl);
	fails += ft_pair(t, 0, 16, true, 0, 8, true, ovl);
	fails += ft_pair(t, 0, 32, true, 8, 8, true, ovl);
	fails += ft_pair(t, 8, 8, true, 0, 32, true, ovl);
	fails += ft_pair(t, 16, 10, false, 8, 16, true, ovl);

	/* RFC 791: MF with a length not a multiple of 8. */
	fails += ft_pair(t, 0, 16, true, 16, 12, true, bad);
	/* Data beyond the known end, from either side. */
	fails += ft_pair(t, 16, 8, false, 24, 8, true, bad);
	fails += ft_pair(t, 16, 16, true, 8, 8, false, bad);
	/* Two different ends. */
	fails += ft_pair(t, 16, 8, false, 32, 8, false, bad);
	/* MF set on a fragment ending at the known end. */
	fails += ft_pair(t, 16, 8, false, 8, 16, true, bad);
	/* Empty fragment. */
	fails += ft_pair(t, 0, 16, true, 16, 0, false, bad);

	/* Longer than 65535 bytes: discarded without creating a queue. */
	before = ft_cnt(t, bad);
	rfails = ft_cnt(t, XS_MIB_Ip_ReasmFails);
	fails += ft_expect_discard(t, ft_feed(t, t->id++, 65512, 40, false, 0),
				   bad, before, rfails);
	/* Not a fragment at all. */
	before = ft_cnt(t, bad);
	rfails = ft_cnt(t, XS_MIB_Ip_ReasmFails);
	fails += ft_expect_discard(t, ft_feed(t, t->id++, 0, 40, false, 0),
				   bad, before, rfails);
	return fails;
}

/* A 40-byte datagram that came back from hand-made fragments. */
static int ft_check_small(struct ft_ctx *t, struct sk_buff *res)
{
	int fails = 0, i;

	fails += FT_CHECK(res && !IS_ERR(res));
	if (!res || IS_ERR(res))
		return fails;
	fails += FT_CHECK(res->len == 40);
	fails += FT_CHECK(ntohs(ip_hdr(res)->tot_len) == 40);
	fails += FT_CHECK(!ip_hdr(res)->frag_off);
	fails += FT_CHECK(!ip_fast_csum(ip_hdr(res), 5));
	fails += FT_CHECK(!skb_copy_bits(res, 20, t->buf, 20));
	for (i = 0; i < 20; i++)
		fails += FT_CHECK(t->buf[i] == ft_byte(i, 0));
	kfree_skb(res);
	return fails;
}

/* Small datagrams by hand: duplicates, ECN (RFC 3168 5.3). */
static int ft_small(struct ft_ctx *t)
{
	u64 dups = ft_cnt(t, XS_MIB_XsExt_ReasmDuplicates);
	u64 before, rfails;
	struct sk_buff *res;
	u16 id = t->id++;
	int fails = 0;

	fails += FT_CHECK(!ft_feed(t, id, 16, 4, false, 0));
	fails += FT_CHECK(!ft_feed(t, id, 16, 4, false, 0));
	fails += FT_CHECK(ft_cnt(t, XS_MIB_XsExt_ReasmDuplicates) == dups + 1);
	fails += ft_check_small(t, ft_feed(t, id, 0, 16, true, 0));
	/* Completed: a late duplicate starts a new queue. */
	fails += FT_CHECK(!ft_feed(t, id, 0, 16, true, 0));
	fails += FT_CHECK(ft_queues(t->tbl) == 1);
	fails += ft_check_small(t, ft_feed(t, id, 16, 4, false, 0));
	fails += FT_CHECK(!ft_queues(t->tbl) && !ft_mem(t->tbl));

	/* CE on one fragment, ECT(0) on the other: CE. */
	id = t->id++;
	fails += FT_CHECK(!ft_feed(t, id, 0, 8, true, INET_ECN_CE));
	res = ft_feed(t, id, 8, 8, false, INET_ECN_ECT_0);
	fails += FT_CHECK(res && !IS_ERR(res));
	if (res && !IS_ERR(res)) {
		fails += FT_CHECK((ip_hdr(res)->tos & INET_ECN_MASK) ==
				  INET_ECN_CE);
		fails += FT_CHECK(!ip_fast_csum(ip_hdr(res), 5));
		kfree_skb(res);
	}
	/* Not-ECT mixed with ECT: invalid, dropped. */
	before = ft_cnt(t, XS_MIB_XsExt_ReasmMalformed);
	rfails = ft_cnt(t, XS_MIB_Ip_ReasmFails);
	id = t->id++;
	fails += FT_CHECK(!ft_feed(t, id, 0, 8, true, INET_ECN_NOT_ECT));
	fails += ft_expect_discard(t, ft_feed(t, id, 8, 8, false,
					      INET_ECN_ECT_1),
				   XS_MIB_XsExt_ReasmMalformed, before, rfails);
	return fails;
}

/* Waits up to 5 s for @field to reach @value (timers under TCG). */
static bool ft_wait(struct ft_ctx *t, unsigned int field, u64 value)
{
	int i;

	for (i = 0; i < 250 && ft_cnt(t, field) < value; i++)
		msleep(20);
	return ft_cnt(t, field) == value;
}

static int ft_timeout(struct ft_ctx *t)
{
	u64 tmo = ft_cnt(t, XS_MIB_Ip_ReasmTimeout);
	u64 rfails = ft_cnt(t, XS_MIB_Ip_ReasmFails);
	u64 sent = ft_cnt(t, XS_MIB_XsExt_ReasmTimeExcdSent);
	unsigned long saved = t->tbl->timeout;
	int fails = 0;

	t->tbl->timeout = 1;
	/* With fragment zero (no device here, so no ICMP), and without. */
	fails += FT_CHECK(!ft_feed(t, t->id++, 0, 8, true, 0));
	fails += FT_CHECK(!ft_feed(t, t->id++, 8, 8, false, 0));
	t->tbl->timeout = saved;
	fails += FT_CHECK(ft_wait(t, XS_MIB_Ip_ReasmTimeout, tmo + 2));
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_ReasmFails) == rfails + 2);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_XsExt_ReasmTimeExcdSent) == sent);
	fails += FT_CHECK(!ft_queues(t->tbl) && !ft_mem(t->tbl));
	return fails;
}

/* Memory thresholds and the queue limit evict the oldest queues. */
static int ft_limits(struct ft_ctx *t)
{
	u64 ev = ft_cnt(t, XS_MIB_XsExt_ReasmMemEvictions);
	struct xs_frag_table *tbl = t->tbl;
	int fails = 0, over = 0, i;
	u64 now, last = ev;

	tbl->high_thresh = 64 << 10;
	tbl->low_thresh = 48 << 10;
	for (i = 0; i < 100; i++) {
		fails += FT_CHECK(!ft_feed(t, t->id++, 0, 1480, true, 0));
		over += ft_mem(tbl) > tbl->high_thresh;
		now = ft_cnt(t, XS_MIB_XsExt_ReasmMemEvictions);
		/* Every eviction goes down to the low threshold. */
		if (now != last)
			fails += FT_CHECK(ft_mem(tbl) <= tbl->low_thresh);
		last = now;
	}
	fails += FT_CHECK(!over);
	fails += FT_CHECK(last > ev);
	fails += FT_CHECK(ft_queues(tbl) > 0);

	/* A high threshold of 0 turns reassembly off and empties the table. */
	tbl->low_thresh = 0;
	tbl->high_thresh = 0;
	fails += FT_CHECK(!ft_feed(t, t->id++, 0, 8, true, 0));
	fails += FT_CHECK(!ft_queues(tbl) && !ft_mem(tbl));

	/* The number of queues is bounded too. */
	tbl->high_thresh = XS_FRAG_THRESH_MAX;
	tbl->low_thresh = XS_FRAG_THRESH_MAX;
	ev = ft_cnt(t, XS_MIB_XsExt_ReasmMemEvictions);
	for (i = 0; i < XS_FRAG_MAX_QUEUES + 10; i++)
		fails += FT_CHECK(!ft_feed(t, t->id++, 0, 8, true, 0));
	fails += FT_CHECK(ft_queues(tbl) == XS_FRAG_MAX_QUEUES);
	fails += FT_CHECK(ft_cnt(t, XS_MIB_XsExt_ReasmMemEvictions) == ev + 10);
	tbl->low_thresh = 0;
	tbl->high_thresh = 0;
	fails += FT_CHECK(!ft_feed(t, t->id++, 0, 8, true, 0));
	fails += FT_CHECK(!ft_queues(tbl) && !ft_mem(tbl));

	tbl->high_thresh = XS_FRAG_HIGH_DEFAULT;
	tbl->low_thresh = XS_FRAG_LOW_DEFAULT;
	return fails;
}

static int ft_sysctl_write(proc_handler *handler, void *data, const char *val)
{
	struct ctl_table ctl = { .data = data, .maxlen = sizeof(int) };
	char buf[24];
	size_t len = strscpy(buf, val, sizeof(buf));
	loff_t pos = 0;

	return handler(&ctl, 1, buf, &len, &pos);
}

static int ft_sysctl_read(proc_handler *handler, void *data, char *buf,
			  size_t size)
{
	struct ctl_table ctl = { .data = data, .maxlen = sizeof(int) };
	size_t len = size - 1;
	loff_t pos = 0;
	int err;

	err = handler(&ctl, 0, buf, &len, &pos);
	buf[err ? 0 : len] = '\0';
	return err;
}

/* Bounds of the ipfrag_* sysctls: low <= high, time 1..3600 s. */
static int ft_sysctls(struct ft_ctx *t)
{
	struct xs_frag_table *tbl = t->tbl;
	int fails = 0;
	char buf[24];

	fails += FT_CHECK(ft_sysctl_write(xs_frag_sysctl_low, &tbl->low_thresh,
					  "5000000") == -EINVAL);
	fails += FT_CHECK(ft_sysctl_write(xs_frag_sysctl_high,
					  &tbl->high_thresh, "1000") == -EINVAL);
	fails += FT_CHECK(ft_sysctl_write(xs_frag_sysctl_high,
					  &tbl->high_thresh, "-1") == -EINVAL);
	fails += FT_CHECK(ft_sysctl_write(xs_frag_sysctl_high,
					  &tbl->high_thresh,
					  "2000000000") == -EINVAL);
	fails += FT_CHECK(tbl->high_thresh == XS_FRAG_HIGH_DEFAULT &&
			  tbl->low_thresh == XS_FRAG_LOW_DEFAULT);
	fails += FT_CHECK(!ft_sysctl_write(xs_frag_sysctl_low, &tbl->low_thresh,
					   "1000"));
	fails += FT_CHECK(!ft_sysctl_write(xs_frag_sysctl_high,
					   &tbl->high_thresh, "2000"));
	fails += FT_CHECK(tbl->low_thresh == 1000 && tbl->high_thresh == 2000);
	fails += FT_CHECK(!ft_sysctl_read(xs_frag_sysctl_high,
					  &tbl->high_thresh, buf, sizeof(buf)));
	fails += FT_CHECK(!strcmp(buf, "2000\n"));
	tbl->high_thresh = XS_FRAG_HIGH_DEFAULT;
	tbl->low_thresh = XS_FRAG_LOW_DEFAULT;

	fails += FT_CHECK(!ft_sysctl_read(xs_frag_sysctl_time, &tbl->timeout,
					  buf, sizeof(buf)));
	fails += FT_CHECK(!strcmp(buf, "30\n"));
	fails += FT_CHECK(ft_sysctl_write(xs_frag_sysctl_time, &tbl->timeout,
					  "0") == -EINVAL);
	fails += FT_CHECK(ft_sysctl_write(xs_frag_sysctl_time, &tbl->timeout,
					  "3601") == -EINVAL);
	fails += FT_CHECK(!ft_sysctl_write(xs_frag_sysctl_time, &tbl->timeout,
					   "60"));
	fails += FT_CHECK(tbl->timeout == 60 * HZ);
	tbl->timeout = XS_FRAG_TIME_DEFAULT * HZ;
	return fails;
}

#define FT_CONC_DGRAMS	128
#define FT_CONC_LEN	3000
#define FT_CONC_MTU	576
#define FT_CONC_FRAGS	6	/* 552 data bytes per fragment */

/**
 * struct ft_conc - two threads feeding the same datagrams
 * @t: test state
 * @skb: fragment k of datagram d at [d * FT_CONC_FRAGS + k]
 * @done: datagrams reassembled
 * @bad: reassembled datagrams with wrong contents
 */
struct ft_conc {
	struct ft_ctx *t;
	struct sk_buff **skb;
	atomic_t done;
	atomic_t bad;
};

struct ft_conc_arg {
	struct ft_conc *c;
	int parity;
	struct completion done;
};

/* Thread @parity feeds fragments 0, 2, 4 or 1, 3, 5 of every datagram. */
static int ft_conc_thread(void *data)
{
	struct ft_conc_arg *a = data;
	struct ft_conc *c = a->c;
	struct sk_buff *res;
	int d, k;
	u8 *buf;

	buf = kmalloc(FT_CONC_LEN, GFP_KERNEL);
	for (d = 0; d < FT_CONC_DGRAMS; d++) {
		for (k = a->parity; k < FT_CONC_FRAGS; k += 2) {
			local_bh_disable();
			res = xs_ip_defrag(c->t->xn,
					   c->skb[d * FT_CONC_FRAGS + k]);
			local_bh_enable();
			c->skb[d * FT_CONC_FRAGS + k] = NULL;
			if (!res)
				continue;
			atomic_inc(&c->done);
			if (!buf || res->len != FT_CONC_LEN ||
			    skb_copy_bits(res, 0, buf, FT_CONC_LEN) ||
			    memcmp(buf + 20, c->t->flat + 20, FT_CONC_LEN - 20))
				atomic_inc(&c->bad);
			kfree_skb(res);
		}
		cond_resched();
	}
	kfree(buf);
	/* kthread_stop() before the thread ran would skip it entirely. */
	complete(&a->done);
	return 0;
}

static int ft_concurrent(struct ft_ctx *t)
{
	u64 oks = ft_cnt(t, XS_MIB_Ip_ReasmOKs);
	struct ft_conc_arg arg[2];
	struct task_struct *task[2];
	struct ft_frags *f = t->f;
	struct ft_conc c = { .t = t };
	int fails = 0, d, k, i;
	struct sk_buff *skb;

	c.skb = kcalloc(FT_CONC_DGRAMS * FT_CONC_FRAGS, sizeof(*c.skb),
			GFP_KERNEL);
	if (!c.skb)
		return FT_CHECK(c.skb);
	for (d = 0; d < FT_CONC_DGRAMS; d++) {
		ft_fill(t->flat, FT_CONC_LEN, 20, t->id++, 0, 0);
		skb = ft_skb(t->flat, FT_CONC_LEN, FT_LINEAR);
		if (!skb ||
		    xs_ip_fragment(t->xn, skb, FT_CONC_MTU, ft_collect, f) ||
		    f->n != FT_CONC_FRAGS) {
			fails += FT_CHECK(false);
			ft_frags_free(f);
			goto out;
		}
		for (k = 0; k < FT_CONC_FRAGS; k++)
			c.skb[d * FT_CONC_FRAGS + k] = f->skb[k];
		f->n = 0;
	}

	for (i = 0; i < 2; i++) {
		arg[i].c = &c;
		arg[i].parity = i;
		init_completion(&arg[i].done);
		task[i] = kthread_create(ft_conc_thread, &arg[i],
					 "xs_frag_test/%d", i);
		if (IS_ERR(task[i])) {
			fails += FT_CHECK(!IS_ERR(task[i]));
			/* Feed this half here instead. */
			ft_conc_thread(&arg[i]);
			continue;
		}
		get_task_struct(task[i]);
		if (num_online_cpus() > 1 && cpu_online(i))
			kthread_bind(task[i], i);
	}
	for (i = 0; i < 2; i++)
		if (!IS_ERR(task[i]))
			wake_up_process(task[i]);
	for (i = 0; i < 2; i++) {
		if (IS_ERR(task[i]))
			continue;
		wait_for_completion(&arg[i].done);
		kthread_stop_put(task[i]);
	}

	fails += FT_CHECK(atomic_read(&c.done) == FT_CONC_DGRAMS);
	fails += FT_CHECK(!atomic_read(&c.bad));
	fails += FT_CHECK(ft_cnt(t, XS_MIB_Ip_ReasmOKs) == oks + FT_CONC_DGRAMS);
	fails += FT_CHECK(!ft_queues(t->tbl) && !ft_mem(t->tbl));
out:
	for (i = 0; i < FT_CONC_DGRAMS * FT_CONC_FRAGS; i++)
		kfree_skb(c.skb[i]);
	kfree(c.skb);
	return fails;
}

/* A datagram missing a fragment stays queued for the destruction test. */
static int ft_incomplete(struct ft_ctx *t)
{
	struct ft_frags *f = t->f;
	struct sk_buff *skb;
	int fails = 0, i;

	ft_fill(t->flat, 3000, 20, t->id++, 0, 0);
	skb = ft_skb(t->flat, 3000, FT_LINEAR);
	if (!skb)
		return FT_CHECK(skb);
	fails += FT_CHECK(!xs_ip_fragment(t->xn, skb, 1500, ft_collect, f));
	fails += FT_CHECK(f->n == 3);
	for (i = 0; i < f->n; i++) {
		if (i == 1)
			continue;
		fails += FT_CHECK(!xs_ip_defrag(t->xn, f->skb[i]));
		f->skb[i] = NULL;
	}
	ft_frags_free(f);
	fails += FT_CHECK(ft_queues(t->tbl) == 1 && ft_mem(t->tbl));
	return fails;
}

/**
 * xs_frag_selftest - run the fragmentation and reassembly self-tests
 *
 * Return: number of failed checks.
 */
int xs_frag_selftest(void)
{
	struct ft_ctx *t;
	int fails = 1;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return fails;
	t->xn = kzalloc(sizeof(*t->xn), GFP_KERNEL);
	t->tbl = kzalloc(sizeof(*t->tbl), GFP_KERNEL);
	t->f = kzalloc(sizeof(*t->f), GFP_KERNEL);
	t->flat = kvmalloc(XS_IP_MAX_LEN, GFP_KERNEL);
	t->buf = kvmalloc(XS_IP_MAX_LEN, GFP_KERNEL);
	if (!t->xn || !t->tbl || !t->f || !t->flat || !t->buf)
		goto out;
	t->xn->mib = alloc_percpu(struct xs_mib);
	if (!t->xn->mib)
		goto out;
	t->f->fail_at = -1;
	t->id = 1;
	prandom_seed_state(&t->rnd, 791);
	xs_frag_table_init(t->tbl, t->xn);
	t->xn->frag = t->tbl;

	fails = ft_roundtrips(t);
	fails += ft_fragment_errors(t);
	fails += ft_overlaps(t);
	fails += ft_small(t);
	fails += ft_timeout(t);
	fails += ft_limits(t);
	fails += ft_sysctls(t);
	fails += ft_concurrent(t);
	fails += ft_incomplete(t);

	/* Frees the incomplete datagram; no new queue afterwards. */
	xs_frag_table_destroy(t->tbl);
	fails += FT_CHECK(!t->tbl->nqueues && !t->tbl->mem &&
			  list_empty(&t->tbl->lru));
	fails += FT_CHECK(!ft_feed(t, t->id++, 0, 8, true, 0));
	fails += FT_CHECK(!t->tbl->nqueues && !t->tbl->mem);
	free_percpu(t->xn->mib);
out:
	kvfree(t->buf);
	kvfree(t->flat);
	kfree(t->f);
	kfree(t->tbl);
	kfree(t->xn);
	kfree(t);
	return fails;
}
