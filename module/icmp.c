// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP (RFC 792, RFC 1122 3.2.2): echo replies, error generation with
 * the rules on when never to send one and token-bucket rate limits,
 * validation of received errors and their dispatch to the transport that
 * sent the offending datagram, and path MTU learning (RFC 1191).
 *
 * Echo replies to ping sockets go to ping.c.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/jhash.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/checksum.h>
#include <net/ip.h>

#include <linux/xstack.h>
#include "icmp.h"
#include "ip.h"
#include "ping.h"
#include "route.h"
#include "stats.h"
#include "xstack.h"

#define XS_ICMP_PEERS		1024	/* direct-mapped per-destination buckets */
#define XS_ICMP_BURST_FACTOR	6	/* per-destination burst, in tokens */
#define XS_ICMP_ERR_MAX		576	/* RFC 1812 4.3.2.3: error datagram size */

/**
 * struct xs_icmp_peer - rate-limit bucket of one destination
 * @daddr: destination owning the slot (a colliding one takes it over)
 * @tokens: credit in jiffies; one error costs icmp_ratelimit
 * @last: jiffies of the last refill
 */
struct xs_icmp_peer {
	__be32 daddr;
	unsigned long tokens;
	unsigned long last;
};

/**
 * struct xs_icmp_state - ICMP state of a namespace
 * @lock: protects the buckets (global and per destination)
 * @credit: global bucket, in messages
 * @credit_stamp: jiffies of the last global refill
 * @peers: per-destination buckets
 * @sysctl_hdr: net.xstack.icmp_*
 * @echo_ignore_all: net.xstack.icmp_echo_ignore_all
 * @echo_ignore_broadcasts: net.xstack.icmp_echo_ignore_broadcasts
 * @ratelimit: net.xstack.icmp_ratelimit, milliseconds per error to one
 *	destination
 * @ratemask: net.xstack.icmp_ratemask, types subject to @ratelimit
 * @msgs_per_sec: net.xstack.icmp_msgs_per_sec, global refill rate
 * @msgs_burst: net.xstack.icmp_msgs_burst, global bucket size
 */
struct xs_icmp_state {
	spinlock_t lock;	/* protects the buckets */
	u32 credit;
	unsigned long credit_stamp;
	struct xs_icmp_peer peers[XS_ICMP_PEERS];
	struct ctl_table_header *sysctl_hdr;
	int echo_ignore_all;
	int echo_ignore_broadcasts;
	int ratelimit;
	int ratemask;
	int msgs_per_sec;
	int msgs_burst;
};

#define XS_ICMP_SYSCTL(name, field, max) {				\
	.procname = name,						\
	.data = XS_SYSCTL_OFF(struct xs_icmp_state, field),		\
	.maxlen = sizeof(int),						\
	.mode = 0644,							\
	.proc_handler = proc_dointvec_minmax,				\
	.extra1 = SYSCTL_ZERO,						\
	.extra2 = max,							\
}

static const struct ctl_table xs_icmp_sysctl[] = {
	XS_ICMP_SYSCTL("icmp_echo_ignore_all", echo_ignore_all, SYSCTL_ONE),
	XS_ICMP_SYSCTL("icmp_echo_ignore_broadcasts", echo_ignore_broadcasts,
		       SYSCTL_ONE),
	XS_ICMP_SYSCTL("icmp_ratelimit", ratelimit, SYSCTL_INT_MAX),
	XS_ICMP_SYSCTL("icmp_ratemask", ratemask, SYSCTL_INT_MAX),
	XS_ICMP_SYSCTL("icmp_msgs_per_sec", msgs_per_sec, SYSCTL_INT_MAX),
	XS_ICMP_SYSCTL("icmp_msgs_burst", msgs_burst, SYSCTL_INT_MAX),
};

static bool xs_icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
	       type == ICMP_REDIRECT || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* Refill of the host-wide bucket (icmp_msgs_per_sec, icmp_msgs_burst). */
static bool xs_icmp_global_allow(struct xs_icmp_state *st)
{
	unsigned long now = jiffies, delta = now - st->credit_stamp;
	u32 burst = READ_ONCE(st->msgs_burst);
	u32 rate = READ_ONCE(st->msgs_per_sec);
	u32 incr;

	if (!rate)
		return true;
	incr = min_t(u64, (u64)rate * min_t(unsigned long, delta, HZ) / HZ,
		     burst);
	if (incr) {
		st->credit = min_t(u32, st->credit + incr, burst);
		st->credit_stamp = now;
	}
	return st->credit > 0;
}

/* Token bucket per destination, as Linux's icmp_ratelimit/ratemask. */
static bool xs_icmp_peer_allow(struct xs_icmp_state *st, __be32 daddr)
{
	unsigned long cost = msecs_to_jiffies(READ_ONCE(st->ratelimit));
	unsigned long burst = XS_ICMP_BURST_FACTOR * cost, now = jiffies;
	struct xs_icmp_peer *p;

	if (!cost)
		return true;
	p = &st->peers[jhash_1word((__force u32)daddr, 0) % XS_ICMP_PEERS];
	if (p->daddr != daddr) {
		p->daddr = daddr;
		p->tokens = burst;
		p->last = now;
	}
	p->tokens = min(p->tokens + (now - p->last), burst);
	p->last = now;
	if (p->tokens < cost)
		return false;
	p->tokens -= cost;
	return true;
}

/*
 * Linux 6.12's order: types outside icmp_ratemask and fragmentation
 * needed (PMTU discovery) are never limited; otherwise the host-wide
 * bucket must have credit, the destination's bucket must allow, and only
 * then is host-wide credit consumed.
 */
static bool xs_icmp_allow(struct xs_net *xn, u8 type, u8 code, __be32 daddr)
{
	struct xs_icmp_state *st = xn->icmp;
	bool ok = true;

	if (type > NR_ICMP_TYPES ||
	    (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) ||
	    !(READ_ONCE(st->ratemask) & (1 << type)))
		return true;
	spin_lock_bh(&st->lock);
	if (!xs_icmp_global_allow(st)) {
		XS_INC(xn, Icmp_OutRateLimitGlobal);
		ok = false;
	} else if (!xs_icmp_peer_allow(st, daddr)) {
		XS_INC(xn, Icmp_OutRateLimitHost);
		ok = false;
	} else if (st->credit) {
		st->credit--;
	}
	spin_unlock_bh(&st->lock);
	return ok;
}

/* RFC 1122 3.2.2: the datagrams an error must never be sent about. */
static bool xs_icmp_may_reply(struct xs_net *xn, const struct sk_buff *in,
			      const struct iphdr *iph)
{
	u8 itype, *tp;
	u32 s = ntohl(iph->saddr);

	if (in->pkt_type != PACKET_HOST && in->pkt_type != PACKET_LOOPBACK)
		return false;
	if (ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr))
		return false;
	if (!s || (s >> 24) == 127 || (s >> 28) >= 0xe)
		return false;
	if (iph->frag_off & htons(IP_OFFSET))
		return false;
	if (iph->protocol != IPPROTO_ICMP)
		return true;
	tp = skb_header_pointer(in, skb_network_offset(in) + iph->ihl * 4,
				sizeof(itype), &itype);
	/* Never about an error, nor about an unknown type. */
	return tp && *tp <= NR_ICMP_TYPES && !xs_icmp_is_error(*tp);
}

static void xs_icmp_count_out(struct xs_net *xn, u8 type)
{
	XS_INC(xn, Icmp_OutMsgs);
	XS_ICMP_OUT(xn, type);
	if (type == ICMP_DEST_UNREACH)
		XS_INC(xn, Icmp_OutDestUnreachs);
	else if (type == ICMP_TIME_EXCEEDED)
		XS_INC(xn, Icmp_OutTimeExcds);
	else if (type == ICMP_ECHOREPLY)
		XS_INC(xn, Icmp_OutEchoReps);
	else if (type == ICMP_ECHO)
		XS_INC(xn, Icmp_OutEchos);
}

static struct sk_buff *xs_icmp_build_err(const struct sk_buff *in,
					 const struct iphdr *iph, u8 type,
					 u8 code, __be32 info)
{
	unsigned int len = min_t(unsigned int, ntohs(iph->tot_len),
				 XS_ICMP_ERR_MAX - sizeof(struct iphdr) -
				 sizeof(struct icmphdr));
	struct icmphdr *icmph;
	struct sk_buff *skb;

	len = min(len, in->len - skb_network_offset(in));
	skb = alloc_skb(LL_MAX_HEADER + sizeof(struct iphdr) +
			sizeof(*icmph) + len, GFP_ATOMIC);
	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER + sizeof(struct iphdr));
	icmph = skb_put(skb, sizeof(*icmph));
	icmph->type = type;
	icmph->code = code;
	icmph->checksum = 0;
	icmph->un.gateway = info;
	if (skb_copy_bits(in, skb_network_offset(in), skb_put(skb, len),
			  len)) {
		kfree_skb(skb);
		return NULL;
	}
	icmph->checksum = csum_fold(csum_partial(skb->data, skb->len, 0));
	return skb;
}

/**
 * xs_icmp_send - send an ICMP error about a received datagram
 * @xn: namespace state
 * @in: the offending datagram; its network header is set
 * @type: ICMP type
 * @code: ICMP code
 * @info: type-specific word (next-hop MTU for fragmentation needed)
 *
 * Sends nothing about ICMP errors, broadcasts, multicasts, non-first
 * fragments or invalid sources (RFC 1122 3.2.2), and respects the global
 * and per-destination rate limits. Does not consume @in.
 */
void xs_icmp_send(struct xs_net *xn, struct sk_buff *in, u8 type, u8 code,
		  __be32 info)
{
	const struct iphdr *iph = ip_hdr(in);
	struct xs_ip_tx tx = {};
	struct sk_buff *skb;

	if (!xs_icmp_may_reply(xn, in, iph))
		return;
	if (!xs_icmp_allow(xn, type, code, iph->saddr))
		return;
	skb = xs_icmp_build_err(in, iph, type, code, info);
	if (unlikely(!skb)) {
		XS_INC(xn, Icmp_OutErrors);
		return;
	}
	rcu_read_lock();
	if (xs_addr_lookup_rcu(xn, iph->daddr))
		tx.saddr = iph->daddr;
	rcu_read_unlock();
	tx.daddr = iph->saddr;
	tx.protocol = IPPROTO_ICMP;
	tx.tos = (iph->tos & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL;
	tx.pmtudisc = IP_PMTUDISC_DONT;
	xs_icmp_count_out(xn, type);
	if (xs_ip_send(xn, skb, &tx) < 0)
		XS_INC(xn, Icmp_OutErrors);
}

/**
 * xs_icmp_local_error - report a send failure as if ICMP had said so
 * @xn: namespace state
 * @skb: our datagram; its network header is set
 * @type: ICMP type
 * @code: ICMP code
 *
 * Does not consume @skb.
 */
void xs_icmp_local_error(struct xs_net *xn, struct sk_buff *skb, u8 type,
			 u8 code)
{
	int off = skb_network_offset(skb);

	/* Present the datagram at its IPv4 header, then restore. */
	if (off >= 0)
		__skb_pull(skb, off);
	else
		__skb_push(skb, -off);
	if (pskb_may_pull(skb, sizeof(struct iphdr) + 8))
		xs_ip_deliver_err(xn, skb, type, code, 0);
	if (off >= 0)
		__skb_push(skb, off);
	else
		__skb_pull(skb, -off);
}

/* RFC 1191 section 5: guess the next plateau below a datagram size. */
static u32 xs_icmp_mtu_plateau(u32 len)
{
	static const u16 plateaus[] = { 32000, 17914, 8166, 4352, 2002, 1492,
					576, 296, 68 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(plateaus); i++)
		if (plateaus[i] < len)
			return plateaus[i];
	return 68;
}

static void xs_icmp_count_in_err(struct xs_net *xn, u8 type)
{
	if (type == ICMP_DEST_UNREACH)
		XS_INC(xn, Icmp_InDestUnreachs);
	else if (type == ICMP_TIME_EXCEEDED)
		XS_INC(xn, Icmp_InTimeExcds);
	else if (type == ICMP_PARAMETERPROB)
		XS_INC(xn, Icmp_InParmProbs);
}

/*
 * An error about one of our datagrams: the embedded header must be a
 * sane IPv4 header from one of our addresses with 8 transport bytes
 * (RFC 792, RFC 1122 3.2.2; RFC 5927 checks continue in the transport).
 */
static void xs_icmp_rcv_err(struct xs_net *xn, struct sk_buff *skb)
{
	const struct icmphdr *icmph = icmp_hdr(skb);
	u8 type = icmph->type, code = icmph->code;
	const struct iphdr *inner;
	u32 info = 0;

	xs_icmp_count_in_err(xn, type);
	if (!pskb_may_pull(skb, sizeof(*icmph) + sizeof(*inner)))
		goto bad;
	inner = (const struct iphdr *)(skb->data + sizeof(*icmph));
	if (inner->version != 4 || inner->ihl < 5 ||
	    !pskb_may_pull(skb, sizeof(*icmph) + inner->ihl * 4 + 8))
		goto bad;
	icmph = icmp_hdr(skb);
	inner = (const struct iphdr *)(skb->data + sizeof(*icmph));
	if (!xs_addr_lookup_rcu(xn, inner->saddr))
		goto bad;

	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
		info = ntohs(icmph->un.frag.mtu);
		if (!info)
			info = xs_icmp_mtu_plateau(ntohs(inner->tot_len));
		if (info < 68)
			goto bad;
		/*
		 * As Linux (udp_err(), icmp_err()): errors about UDP and
		 * ICMP datagrams teach the path MTU whoever sent them; TCP
		 * learns only from an error within a connection's flight
		 * (xs_tcp_err(), RFC 5927), so that a forged one about a
		 * segment nobody sent cannot shrink a destination's MTU.
		 */
		if (inner->protocol == IPPROTO_UDP ||
		    inner->protocol == IPPROTO_ICMP)
			xs_pmtu_update(xn, inner->daddr, info);
	}
	__skb_pull(skb, sizeof(*icmph));
	xs_ip_deliver_err(xn, skb, type, code, info);
	kfree_skb(skb);
	return;

bad:
	XS_INC(xn, XsExt_IcmpInBadEmbedded);
	XS_INC(xn, Icmp_InErrors);
	kfree_skb(skb);
}

static void xs_icmp_echo(struct xs_net *xn, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct xs_icmp_state *st = xn->icmp;
	struct xs_ip_tx tx = {};
	struct icmphdr *icmph;

	XS_INC(xn, Icmp_InEchos);
	if (READ_ONCE(st->echo_ignore_all))
		goto drop;
	if (skb->pkt_type != PACKET_HOST && skb->pkt_type != PACKET_LOOPBACK &&
	    READ_ONCE(st->echo_ignore_broadcasts)) {
		XS_INC(xn, XsExt_IcmpInBroadcastEchoIgnored);
		goto drop;
	}
	if (xs_addr_lookup_rcu(xn, iph->daddr))
		tx.saddr = iph->daddr;
	tx.daddr = iph->saddr;
	tx.tos = iph->tos;
	tx.protocol = IPPROTO_ICMP;
	tx.pmtudisc = IP_PMTUDISC_DONT;
	tx.broadcast_ok = true;

	/* RFC 792: the reply is the request with the type changed. */
	skb = skb_unshare(skb, GFP_ATOMIC);
	if (unlikely(!skb) || unlikely(skb_ensure_writable(skb, sizeof(*icmph))))
		goto err;
	icmph = icmp_hdr(skb);
	icmph->type = ICMP_ECHOREPLY;
	csum_replace2(&icmph->checksum, htons(ICMP_ECHO << 8),
		      htons(ICMP_ECHOREPLY << 8));
	skb_scrub_packet(skb, true);
	skb->ip_summed = CHECKSUM_NONE;
	skb->pkt_type = PACKET_HOST;
	xs_icmp_count_out(xn, ICMP_ECHOREPLY);
	if (xs_ip_send(xn, skb, &tx) < 0)
		XS_INC(xn, Icmp_OutErrors);
	return;

err:
	XS_INC(xn, Icmp_OutErrors);
drop:
	kfree_skb(skb);
}

static int xs_icmp_rcv(struct xs_net *xn, struct sk_buff *skb)
{
	u8 type;

	XS_INC(xn, Icmp_InMsgs);
	if (unlikely(!pskb_may_pull(skb, sizeof(struct icmphdr))))
		goto err;
	if (unlikely(skb_checksum_simple_validate(skb))) {
		XS_INC(xn, Icmp_InCsumErrors);
		goto err;
	}
	type = icmp_hdr(skb)->type;
	XS_ICMP_IN(xn, type);

	switch (type) {
	case ICMP_ECHO:
		xs_icmp_echo(xn, skb);
		return 0;
	case ICMP_ECHOREPLY:
		XS_INC(xn, Icmp_InEchoReps);
		xs_ping_rcv(xn, skb);
		return 0;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		xs_icmp_rcv_err(xn, skb);
		return 0;
	}
	/* RFC 1122 3.2.2: unknown types (and source quench, RFC 6633). */
	kfree_skb(skb);
	return 0;

err:
	XS_INC(xn, Icmp_InErrors);
	kfree_skb(skb);
	return 0;
}

/* An ICMP error about an ICMP message we sent: only echoes matter. */
static void xs_icmp_err(struct xs_net *xn, struct sk_buff *skb, u8 type,
			u8 code, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct icmphdr *inner;

	inner = (const struct icmphdr *)(skb->data + iph->ihl * 4);
	if (inner->type == ICMP_ECHO)
		xs_ping_err(xn, skb, type, code, info);
}

const struct xs_l4_proto xs_icmp_l4 = {
	.rcv = xs_icmp_rcv,
	.err = xs_icmp_err,
};

/**
 * xs_icmp_net_init - ICMP state and sysctls of a namespace
 * @xn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int xs_icmp_net_init(struct xs_net *xn)
{
	struct xs_icmp_state *st = kvzalloc(sizeof(*st), GFP_KERNEL);

	if (unlikely(!st))
		return -ENOMEM;
	spin_lock_init(&st->lock);
	st->echo_ignore_broadcasts = 1;
	st->ratelimit = 1000;
	st->ratemask = 0x1818;
	st->msgs_per_sec = 1000;
	st->msgs_burst = 50;
	st->credit = st->msgs_burst;
	st->credit_stamp = jiffies;
	st->sysctl_hdr = xs_sysctl_register(xn, "net/xstack", xs_icmp_sysctl,
					    ARRAY_SIZE(xs_icmp_sysctl), st);
	if (unlikely(!st->sysctl_hdr)) {
		kvfree(st);
		return -ENOMEM;
	}
	xn->icmp = st;
	return 0;
}

/**
 * xs_icmp_net_exit - free a namespace's ICMP state
 * @xn: namespace state
 */
void xs_icmp_net_exit(struct xs_net *xn)
{
	xs_sysctl_unregister(xn->icmp->sysctl_hdr);
	kvfree(xn->icmp);
	xn->icmp = NULL;
}
