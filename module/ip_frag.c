// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 fragmentation and reassembly.
 *
 * Reassembly (RFC 791 3.2, RFC 815, RFC 1122 3.3.2): fragments are queued
 * per datagram, keyed by (source, destination, identification, protocol),
 * in a per-netns hash table. A queue keeps its fragments in an rbtree
 * sorted by offset. Because overlaps are rejected (below), the fragments
 * of a queue never overlap, so the datagram is complete exactly when the
 * last fragment (MF clear) fixed the total length and the bytes received
 * add up to it: RFC 815's hole list reduces to a byte count.
 *
 * Policy for odd fragments, in the spirit of RFC 5722 (written for IPv6,
 * applied here to IPv4 as Linux does):
 *  - an exact duplicate (same offset and length) is dropped and counted,
 *    the datagram goes on;
 *  - any other overlap discards the whole datagram;
 *  - inconsistent lengths (data past a known end, two different ends, MF
 *    set on a length that is not a multiple of 8 (RFC 791 3.2), an empty
 *    fragment, a datagram longer than 65535 bytes) discard the datagram.
 *
 * Each queue lives at most net.xstack.ipfrag_time seconds from its first
 * fragment; on expiry the datagram is dropped and, if fragment zero was
 * received, an ICMP time exceeded, code 1, goes to the sender (RFC 792,
 * RFC 1122 3.3.2). The memory of all queued fragments of a namespace
 * (skb->truesize plus the queue structures) is bounded: above
 * net.xstack.ipfrag_high_thresh the oldest queues are evicted until the
 * total is back under net.xstack.ipfrag_low_thresh. The number of queues
 * is bounded by XS_FRAG_MAX_QUEUES the same way.
 *
 * Fragmentation (RFC 791 3.2): a datagram too big for the MTU is cut into
 * fragments whose data is a multiple of 8 bytes except in the last one;
 * every fragment gets a copy of the header, non-first fragments with only
 * the options whose copied flag is set (RFC 791 3.1).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/hash.h>
#include <linux/icmp.h>
#include <linux/jhash.h>
#include <linux/rbtree.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysctl.h>
#include <linux/timer.h>
#include <linux/wait_bit.h>
#include <net/dst.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/sock.h>

#include "icmp.h"
#include "ip.h"
#include "stats.h"
#include "xstack.h"

#define XS_FRAG_HASH_BITS	10
#define XS_FRAG_MAX_QUEUES	4096
#define XS_FRAG_HIGH_DEFAULT	SZ_4M
#define XS_FRAG_LOW_DEFAULT	(3 * SZ_1M)
#define XS_FRAG_THRESH_MAX	SZ_1G
/* Seconds; Linux's default (RFC 1122 3.3.2 suggests 60 to 120). */
#define XS_FRAG_TIME_DEFAULT	30
#define XS_FRAG_TIME_MAX	3600
/* RFC 791 3.1: Total Length is 16 bits, so no datagram exceeds this. */
#define XS_IP_MAX_LEN		0xffff

/* ECN codepoints seen among the fragments of a queue (RFC 3168 5.3). */
#define XS_FRAG_ECN_NOT_ECT	BIT(0)
#define XS_FRAG_ECN_ECT_1	BIT(1)
#define XS_FRAG_ECN_ECT_0	BIT(2)
#define XS_FRAG_ECN_CE		BIT(3)

enum {
	XS_FRAG_FIRST_IN	= BIT(0),	/* fragment zero is queued */
	XS_FRAG_LAST_IN		= BIT(1),	/* the fragment with MF clear is */
	XS_FRAG_DEAD		= BIT(2),	/* unlinked from the table */
};

/**
 * struct xs_frag_table - reassembly queues of one namespace (xn->frag)
 * @lock: protects every field below except the sysctls, and every queue
 *	linked in the table. Taken with spin_lock_bh() in process context and
 *	from xs_ip_defrag() (which may be called from either), spin_lock()
 *	in the queue timers (softirq). Never held while sending (ICMP) or
 *	while building the reassembled datagram, so the send path may
 *	re-enter xs_ip_defrag().
 * @hash: queues by key
 * @lru: queues oldest first (creation order), for eviction
 * @nqueues: queues in @hash
 * @mem: truesize of every queued fragment plus the queue structures
 * @orphans: queues killed while their timer was already running: the
 *	timer callback frees them; xs_frag_table_destroy() waits for it
 * @dead: set by xs_frag_table_destroy(): no new queues
 * @seed: hash seed
 * @xn: namespace state (counters, ICMP, device lookup)
 * @high_thresh: net.xstack.ipfrag_high_thresh, bytes; written under @lock
 * @low_thresh: net.xstack.ipfrag_low_thresh, bytes; written under @lock,
 *	always <= @high_thresh
 * @timeout: net.xstack.ipfrag_time, in jiffies here, seconds in the sysctl
 * @sysctl_hdr: the namespace's ipfrag_* sysctls, NULL for a bare table
 */
struct xs_frag_table {
	spinlock_t lock;	/* see above */
	struct hlist_head hash[1 << XS_FRAG_HASH_BITS];
	struct list_head lru;
	unsigned int nqueues;
	unsigned long mem;
	unsigned int orphans;
	bool dead;
	u32 seed;
	struct xs_net *xn;
	int high_thresh;
	int low_thresh;
	unsigned long timeout;
	struct ctl_table_header *sysctl_hdr;
};

/**
 * struct xs_frag_queue - fragments of one datagram being reassembled
 * @node: entry in tbl->hash
 * @lru: entry in tbl->lru; after the queue was killed, entry in a local
 *	list of queues to free
 * @timer: reassembly timeout, armed once at creation (RFC 1122 3.3.2:
 *	the timer is not restarted by later fragments)
 * @tbl: owning table
 * @fragments: queued fragments (skb->rbnode), by offset, never
 *	overlapping; each still has skb->data at its IP header
 * @saddr: key: source
 * @daddr: key: destination
 * @id: key: identification
 * @protocol: key: protocol
 * @flags: XS_FRAG_*
 * @ecn: XS_FRAG_ECN_* seen
 * @iif: ifindex of the device fragment zero (else any) came in on
 * @len: total data length, valid once XS_FRAG_LAST_IN
 * @max_end: highest data end seen
 * @meat: data bytes queued
 * @mem: memory charged to tbl->mem for this queue
 * @reason: drop reason for the fragments still queued when freed
 *
 * All fields are protected by tbl->lock while the queue is in the table.
 * Once killed (XS_FRAG_DEAD, unlinked), exactly one party owns it: the
 * killer if it deactivated the pending timer, else the running timer.
 */
struct xs_frag_queue {
	struct hlist_node node;
	struct list_head lru;
	struct timer_list timer;
	struct xs_frag_table *tbl;
	struct rb_root fragments;
	__be32 saddr;
	__be32 daddr;
	__be16 id;
	u8 protocol;
	u8 flags;
	u8 ecn;
	int iif;
	unsigned int len;
	unsigned int max_end;
	unsigned int meat;
	unsigned int mem;
	enum skb_drop_reason reason;
};

/* What a fragment says about itself, parsed once. */
struct xs_frag_info {
	__be32 saddr;
	__be32 daddr;
	__be16 id;
	u8 protocol;
	bool mf;
	bool bad;
	u8 ecn;
	unsigned int offset;
	unsigned int end;
	u32 hash;
};

enum xs_frag_verdict {
	XS_FRAG_QUEUED,
	XS_FRAG_COMPLETE,
	XS_FRAG_DUP,
	XS_FRAG_OVERLAP,
	XS_FRAG_BAD,
	XS_FRAG_NOMEM,
};

/* Offsets of a queued fragment, from its own (linear) header. */
static unsigned int frag_start(const struct sk_buff *skb)
{
	return (ntohs(ip_hdr(skb)->frag_off) & IP_OFFSET) << 3;
}

static unsigned int frag_end(const struct sk_buff *skb)
{
	return frag_start(skb) + skb->len - ip_hdr(skb)->ihl * 4;
}

static u8 frag_ecn(u8 tos)
{
	switch (tos & INET_ECN_MASK) {
	case INET_ECN_ECT_1:
		return XS_FRAG_ECN_ECT_1;
	case INET_ECN_ECT_0:
		return XS_FRAG_ECN_ECT_0;
	case INET_ECN_CE:
		return XS_FRAG_ECN_CE;
	default:
		return XS_FRAG_ECN_NOT_ECT;
	}
}

static void xs_frag_purge(struct rb_root *root, enum skb_drop_reason reason)
{
	struct rb_node *p = rb_first(root);
	struct sk_buff *skb;

	while (p) {
		skb = rb_to_skb(p);
		p = rb_next(p);
		rb_erase(&skb->rbnode, root);
		/* Leave no stale pointers in skb->dev (same storage). */
		memset(&skb->rbnode, 0, sizeof(skb->rbnode));
		kfree_skb_reason(skb, reason);
	}
}

/* Frees a killed queue and what is left in it. No table access. */
static void xs_frag_free(struct xs_frag_queue *q)
{
	xs_frag_purge(&q->fragments, q->reason);
	kfree(q);
}

static void xs_frag_dispose(struct list_head *dispose)
{
	struct xs_frag_queue *q, *tmp;

	list_for_each_entry_safe(q, tmp, dispose, lru) {
		list_del(&q->lru);
		xs_frag_free(q);
	}
}

static void xs_frag_unlink(struct xs_frag_table *tbl, struct xs_frag_queue *q,
			   enum skb_drop_reason reason)
{
	lockdep_assert_held(&tbl->lock);
	q->flags |= XS_FRAG_DEAD;
	q->reason = reason;
	hlist_del(&q->node);
	list_del(&q->lru);
	tbl->nqueues--;
	tbl->mem -= q->mem;
	q->mem = 0;
}

/*
 * Takes @q out of the table. If its timer was pending, the caller owns
 * @q and gets it on @dispose to free after unlocking; otherwise the timer
 * callback is running, waits for tbl->lock, and will free @q itself.
 */
static void xs_frag_kill(struct xs_frag_table *tbl, struct xs_frag_queue *q,
			 enum skb_drop_reason reason, struct list_head *dispose)
{
	xs_frag_unlink(tbl, q, reason);
	if (timer_delete(&q->timer))
		list_add_tail(&q->lru, dispose);
	else
		tbl->orphans++;
}

/* Evicts the oldest queue; counted as a failed reassembly. */
static void xs_frag_evict_one(struct xs_frag_table *tbl,
			      struct list_head *dispose)
{
	struct xs_frag_queue *q;

	q = list_first_entry(&tbl->lru, struct xs_frag_queue, lru);
	xs_frag_kill(tbl, q, SKB_DROP_REASON_NOMEM, dispose);
	XS_INC(tbl->xn, XsExt_ReasmMemEvictions);
	XS_INC(tbl->xn, Ip_ReasmFails);
}

/* Above the high threshold: evict oldest first down to the low one. */
static void xs_frag_evict(struct xs_frag_table *tbl, struct list_head *dispose)
{
	unsigned long low = READ_ONCE(tbl->low_thresh);

	lockdep_assert_held(&tbl->lock);
	while (tbl->mem > low && !list_empty(&tbl->lru))
		xs_frag_evict_one(tbl, dispose);
}

/* Timer: the datagram took longer than ipfrag_time (RFC 1122 3.3.2). */
static void xs_frag_expire(struct timer_list *t)
{
	struct xs_frag_queue *q = from_timer(q, t, timer);
	struct xs_frag_table *tbl = q->tbl;
	struct xs_net *xn = tbl->xn;
	struct sk_buff *head = NULL;
	int iif;

	spin_lock(&tbl->lock);
	if (q->flags & XS_FRAG_DEAD) {
		/*
		 * Killed while this callback was starting: ours to free.
		 * The wake-up is ordered after the store for the waiter of
		 * xs_frag_table_destroy(), which reads @orphans under the
		 * lock; after the unlock below, @tbl is not touched again.
		 */
		if (!--tbl->orphans) {
			/* Store before the waiter check (wake_up_var()). */
			smp_mb();
			wake_up_var(&tbl->orphans);
		}
		spin_unlock(&tbl->lock);
		xs_frag_free(q);
		return;
	}
	xs_frag_unlink(tbl, q, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
	if (q->flags & XS_FRAG_FIRST_IN) {
		head = skb_rb_first(&q->fragments);
		rb_erase(&head->rbnode, &q->fragments);
		memset(&head->rbnode, 0, sizeof(head->rbnode));
	}
	iif = q->iif;
	spin_unlock(&tbl->lock);

	XS_INC(xn, Ip_ReasmTimeout);
	XS_INC(xn, Ip_ReasmFails);
	if (head) {
		/*
		 * RFC 1122 3.3.2: time exceeded only if fragment zero came
		 * in. Its skb->dev was overwritten by the rbtree linkage and
		 * the device may have gone since: look it up again.
		 */
		rcu_read_lock();
		head->dev = iif && xn->net ?
			    dev_get_by_index_rcu(xn->net, iif) : NULL;
		if (head->dev) {
			xs_icmp_send(xn, head, ICMP_TIME_EXCEEDED,
				     ICMP_EXC_FRAGTIME, 0);
			XS_INC(xn, XsExt_ReasmTimeExcdSent);
		}
		kfree_skb_reason(head, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
		rcu_read_unlock();
	}
	xs_frag_free(q);
}

static struct xs_frag_queue *xs_frag_lookup(struct xs_frag_table *tbl,
					    const struct xs_frag_info *fi)
{
	struct xs_frag_queue *q;

	hlist_for_each_entry(q, &tbl->hash[fi->hash], node)
		if (q->saddr == fi->saddr && q->daddr == fi->daddr &&
		    q->id == fi->id && q->protocol == fi->protocol)
			return q;
	return NULL;
}

static struct xs_frag_queue *xs_frag_create(struct xs_frag_table *tbl,
					    const struct xs_frag_info *fi,
					    struct list_head *dispose)
{
	struct xs_frag_queue *q;

	lockdep_assert_held(&tbl->lock);
	if (unlikely(tbl->nqueues >= XS_FRAG_MAX_QUEUES))
		xs_frag_evict_one(tbl, dispose);
	q = kzalloc(sizeof(*q), GFP_ATOMIC);
	if (unlikely(!q))
		return NULL;
	q->tbl = tbl;
	q->fragments = RB_ROOT;
	q->saddr = fi->saddr;
	q->daddr = fi->daddr;
	q->id = fi->id;
	q->protocol = fi->protocol;
	q->mem = sizeof(*q);
	tbl->mem += q->mem;
	hlist_add_head(&q->node, &tbl->hash[fi->hash]);
	list_add_tail(&q->lru, &tbl->lru);
	tbl->nqueues++;
	timer_setup(&q->timer, xs_frag_expire, 0);
	mod_timer(&q->timer, jiffies + READ_ONCE(tbl->timeout));
	return q;
}

/*
 * Links @skb into the sorted tree of @q. Intervals in the tree never
 * overlap, so one descent finds the place or the one fragment that the
 * new one collides with.
 */
static enum xs_frag_verdict xs_frag_insert(struct xs_frag_queue *q,
					   struct sk_buff *skb,
					   const struct xs_frag_info *fi)
{
	struct rb_node **p = &q->fragments.rb_node, *parent = NULL;
	unsigned int start, end;
	struct sk_buff *fp;

	while (*p) {
		parent = *p;
		fp = rb_to_skb(parent);
		start = frag_start(fp);
		end = frag_end(fp);
		if (fi->offset == start && fi->end == end)
			return XS_FRAG_DUP;
		if (fi->end <= start)
			p = &parent->rb_left;
		else if (fi->offset >= end)
			p = &parent->rb_right;
		else
			return XS_FRAG_OVERLAP;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &q->fragments);
	return XS_FRAG_QUEUED;
}

static enum xs_frag_verdict xs_frag_enqueue(struct xs_frag_table *tbl,
					    struct xs_frag_queue *q,
					    struct sk_buff *skb,
					    const struct xs_frag_info *fi,
					    int ifindex)
{
	enum xs_frag_verdict v;

	if (!fi->mf) {
		/* RFC 791 3.2: the last fragment fixes the total length. */
		if (q->flags & XS_FRAG_LAST_IN ? fi->end != q->len :
						 fi->end < q->max_end)
			return XS_FRAG_BAD;
	} else if ((q->flags & XS_FRAG_LAST_IN) && fi->end >= q->len) {
		return XS_FRAG_BAD;
	}

	v = xs_frag_insert(q, skb, fi);
	if (v != XS_FRAG_QUEUED)
		return v;

	if (!fi->mf) {
		q->flags |= XS_FRAG_LAST_IN;
		q->len = fi->end;
	}
	if (fi->offset == 0)
		q->flags |= XS_FRAG_FIRST_IN;
	if (ifindex && (fi->offset == 0 || !q->iif))
		q->iif = ifindex;
	q->max_end = max(q->max_end, fi->end);
	q->meat += fi->end - fi->offset;
	q->ecn |= fi->ecn;
	q->mem += skb->truesize;
	tbl->mem += skb->truesize;

	if ((q->flags & XS_FRAG_LAST_IN) && q->meat == q->len)
		return XS_FRAG_COMPLETE;
	return XS_FRAG_QUEUED;
}

/*
 * Parses the fragment header (validated by the caller). Returns -EINVAL
 * if @skb is not a fragment or is shorter than its header says; sets
 * fi->bad for fragments that poison their datagram.
 */
static int xs_frag_parse(struct xs_frag_table *tbl, struct sk_buff *skb,
			 struct xs_frag_info *fi)
{
	const struct iphdr *iph;
	unsigned int ihl, tot, dlen;
	u16 frag_off;

	if (unlikely(!pskb_may_pull(skb, sizeof(*iph))))
		return -EINVAL;
	iph = (const struct iphdr *)skb->data;
	ihl = iph->ihl * 4;
	tot = ntohs(iph->tot_len);
	if (unlikely(ihl < sizeof(*iph) || tot < ihl || skb->len < tot ||
		     !pskb_may_pull(skb, ihl)))
		return -EINVAL;
	if (skb->len > tot && unlikely(pskb_trim_rcsum(skb, tot)))
		return -EINVAL;
	/* Fragments with a frag_list cannot become members of one. */
	if (unlikely(skb_has_frag_list(skb)) && skb_linearize(skb))
		return -EINVAL;
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);

	frag_off = ntohs(iph->frag_off);
	if (unlikely(!(frag_off & (IP_MF | IP_OFFSET))))
		return -EINVAL;
	dlen = tot - ihl;
	fi->saddr = iph->saddr;
	fi->daddr = iph->daddr;
	fi->id = iph->id;
	fi->protocol = iph->protocol;
	fi->mf = frag_off & IP_MF;
	fi->ecn = frag_ecn(iph->tos);
	fi->offset = (frag_off & IP_OFFSET) << 3;
	fi->end = fi->offset + dlen;
	/*
	 * RFC 791 3.2: the data of every fragment but the last is a
	 * multiple of 8 bytes; no fragment is empty; the datagram fits in
	 * Total Length.
	 */
	fi->bad = !dlen || (fi->mf && (dlen & 7)) ||
		  fi->end + ihl > XS_IP_MAX_LEN;
	fi->hash = jhash_3words((__force u32)fi->saddr, (__force u32)fi->daddr,
				(__force u32)fi->id << 16 | fi->protocol,
				tbl->seed) & ((1 << XS_FRAG_HASH_BITS) - 1);
	return 0;
}

/*
 * RFC 3168 5.3: CE on any fragment marks the datagram CE; a mix of
 * Not-ECT and ECT fragments is invalid. Returns the ECN bits to OR in,
 * or -EINVAL.
 */
static int xs_frag_ecn(u8 seen)
{
	if ((seen & XS_FRAG_ECN_NOT_ECT) && seen != XS_FRAG_ECN_NOT_ECT)
		return -EINVAL;
	return seen & XS_FRAG_ECN_CE ? INET_ECN_CE : 0;
}

/*
 * Builds the datagram from the complete, sorted, non-overlapping
 * fragments in @root (taken out of their queue): fragment zero becomes
 * the head, the others lose their IP header and are chained on its
 * frag_list. Consumes every fragment. Not under tbl->lock.
 */
static struct sk_buff *xs_frag_build(struct xs_net *xn, struct rb_root *root,
				     unsigned int len, u8 ecn,
				     struct net_device *dev)
{
	struct sk_buff *head, *fp, **tail;
	struct iphdr *iph;
	unsigned int ihl;
	int ecn_bits;

	head = skb_rb_first(root);
	rb_erase(&head->rbnode, root);
	memset(&head->rbnode, 0, sizeof(head->rbnode));

	ecn_bits = xs_frag_ecn(ecn);
	ihl = ip_hdr(head)->ihl * 4;
	if (unlikely(ecn_bits < 0 || ihl + len > XS_IP_MAX_LEN ||
		     frag_start(head))) {
		XS_INC(xn, XsExt_ReasmMalformed);
		goto fail;
	}
	/* The header is rewritten below: it must be ours alone. */
	if (unlikely(skb_unclone(head, GFP_ATOMIC)))
		goto fail;

	tail = &skb_shinfo(head)->frag_list;
	while ((fp = skb_rb_first(root))) {
		rb_erase(&fp->rbnode, root);
		memset(&fp->rbnode, 0, sizeof(fp->rbnode));
		__skb_pull(fp, ip_hdr(fp)->ihl * 4);
		skb_reset_transport_header(fp);
		head->data_len += fp->len;
		head->len += fp->len;
		head->truesize += fp->truesize;
		*tail = fp;
		tail = &fp->next;
	}

	head->dev = dev;
	skb_reset_network_header(head);
	skb_set_transport_header(head, ihl);
	/* The fragments' checksums do not add up to the datagram's. */
	head->ip_summed = CHECKSUM_NONE;
	head->csum_valid = 0;
	iph = ip_hdr(head);
	iph->tot_len = htons(ihl + len);
	iph->frag_off = 0;
	iph->tos |= ecn_bits;
	ip_send_check(iph);
	XS_INC(xn, Ip_ReasmOKs);
	return head;

fail:
	XS_INC(xn, Ip_ReasmFails);
	kfree_skb(head);
	xs_frag_purge(root, SKB_DROP_REASON_NOMEM);
	return NULL;
}

/**
 * xs_ip_defrag - queue an IPv4 fragment, reassemble its datagram
 * @xn: namespace state
 * @skb: a fragment (MF set or offset != 0); skb->data at its validated IP
 *	header; not shared. Consumed.
 *
 * Context: softirq or process; takes the namespace's reassembly lock.
 * Must not be called once xs_frag_net_exit() started.
 *
 * Return: the reassembled datagram when @skb completed it (IP header
 * linear, skb->data and the network header at it, tot_len and checksum
 * rewritten, frag_off cleared, ip_summed CHECKSUM_NONE, data beyond the
 * first fragment on the frag_list), else NULL: @skb was queued, or was
 * dropped and counted.
 */
struct sk_buff *xs_ip_defrag(struct xs_net *xn, struct sk_buff *skb)
{
	struct xs_frag_table *tbl = xn->frag;
	enum skb_drop_reason reason = SKB_DROP_REASON_IP_INHDR;
	struct rb_root frags = RB_ROOT;
	enum xs_frag_verdict v;
	struct xs_frag_queue *q;
	struct xs_frag_info fi;
	struct net_device *dev;
	unsigned int len = 0;
	LIST_HEAD(dispose);
	int ifindex;
	u8 ecn = 0;

	XS_INC(xn, Ip_ReasmReqds);
	if (unlikely(xs_frag_parse(tbl, skb, &fi))) {
		XS_INC(xn, XsExt_ReasmMalformed);
		XS_INC(xn, Ip_ReasmFails);
		goto drop;
	}
	/* Queued fragments belong to no socket and hold no route. */
	skb_orphan(skb);
	skb_dst_drop(skb);
	/* skb->dev shares its storage with skb->rbnode. */
	dev = skb->dev;
	ifindex = dev ? dev->ifindex : 0;

	spin_lock_bh(&tbl->lock);
	q = xs_frag_lookup(tbl, &fi);
	if (!q && !fi.bad && likely(!tbl->dead))
		q = xs_frag_create(tbl, &fi, &dispose);
	if (unlikely(fi.bad))
		v = XS_FRAG_BAD;
	else if (likely(q))
		v = xs_frag_enqueue(tbl, q, skb, &fi, ifindex);
	else
		v = XS_FRAG_NOMEM;
	switch (v) {
	case XS_FRAG_QUEUED:
		if (unlikely(tbl->mem > READ_ONCE(tbl->high_thresh)))
			xs_frag_evict(tbl, &dispose);
		break;
	case XS_FRAG_COMPLETE:
		frags = q->fragments;
		q->fragments = RB_ROOT;
		len = q->len;
		ecn = q->ecn;
		xs_frag_kill(tbl, q, SKB_DROP_REASON_NOT_SPECIFIED, &dispose);
		break;
	case XS_FRAG_OVERLAP:
	case XS_FRAG_BAD:
		/* The whole datagram goes (RFC 5722 policy, see top). */
		if (q)
			xs_frag_kill(tbl, q, SKB_DROP_REASON_IP_INHDR,
				     &dispose);
		break;
	default:
		break;
	}
	spin_unlock_bh(&tbl->lock);
	xs_frag_dispose(&dispose);

	switch (v) {
	case XS_FRAG_QUEUED:
		return NULL;
	case XS_FRAG_COMPLETE:
		return xs_frag_build(xn, &frags, len, ecn, dev);
	case XS_FRAG_DUP:
		XS_INC(xn, XsExt_ReasmDuplicates);
		reason = SKB_DROP_REASON_DUP_FRAG;
		goto drop;
	case XS_FRAG_OVERLAP:
		XS_INC(xn, IpExt_ReasmOverlaps);
		break;
	case XS_FRAG_BAD:
		XS_INC(xn, XsExt_ReasmMalformed);
		break;
	case XS_FRAG_NOMEM:
		reason = SKB_DROP_REASON_NOMEM;
		break;
	}
	XS_INC(xn, Ip_ReasmFails);
drop:
	kfree_skb_reason(skb, reason);
	return NULL;
}

/*
 * RFC 791 3.1 "Options": the copied flag (high bit of the type) marks the
 * options every fragment carries; the others stay in the first fragment.
 * Writes the header of the non-first fragments to @hdr (at least as long
 * as @ihl) and returns its length, or -EINVAL for malformed options.
 */
static int xs_frag_rest_hdr(u8 *hdr, const u8 *src, unsigned int ihl)
{
	unsigned int i = sizeof(struct iphdr), n = sizeof(struct iphdr);
	unsigned int olen;
	u8 type;

	memcpy(hdr, src, sizeof(struct iphdr));
	while (i < ihl) {
		type = src[i];
		if (type == IPOPT_END)
			break;
		if (type == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (ihl - i < 2)
			return -EINVAL;
		olen = src[i + 1];
		if (olen < 2 || olen > ihl - i)
			return -EINVAL;
		if (IPOPT_COPIED(type)) {
			memcpy(hdr + n, src + i, olen);
			n += olen;
		}
		i += olen;
	}
	while (n & 3)
		hdr[n++] = IPOPT_END;
	((struct iphdr *)hdr)->ihl = n / 4;
	return n;
}

static void xs_frag_copy_meta(struct sk_buff *to, const struct sk_buff *from)
{
	to->protocol = htons(ETH_P_IP);
	to->pkt_type = from->pkt_type;
	to->priority = from->priority;
	to->mark = from->mark;
	to->dev = from->dev;
	skb_set_delivery_time(to, from->tstamp, from->tstamp_type);
	skb_copy_hash(to, from);
	skb_copy_queue_mapping(to, from);
	skb_dst_copy(to, from);
	/*
	 * Like the datagram, each fragment is charged to the sending socket
	 * until it leaves. Only full sockets: a mini socket's destructor
	 * would be the native stack's.
	 */
	if (from->sk && sk_fullsock(from->sk))
		skb_set_owner_w(to, from->sk);
}

/* One fragment: header @hdr of @hlen bytes, then @len bytes at @pos. */
static struct sk_buff *xs_frag_make(struct sk_buff *skb, const u8 *hdr,
				    unsigned int hlen, unsigned int pos,
				    unsigned int len, u16 frag_off)
{
	unsigned int hroom = LL_MAX_HEADER, troom = 0;
	struct sk_buff *frag;
	struct iphdr *iph;

	if (skb->dev) {
		hroom = max_t(unsigned int, hroom, LL_RESERVED_SPACE(skb->dev));
		troom = skb->dev->needed_tailroom;
	}
	frag = alloc_skb(hroom + hlen + len + troom, GFP_ATOMIC);
	if (unlikely(!frag))
		return NULL;
	skb_reserve(frag, hroom);
	skb_reset_network_header(frag);
	skb_put_data(frag, hdr, hlen);
	skb_set_transport_header(frag, hlen);
	if (unlikely(skb_copy_bits(skb, pos, skb_put(frag, len), len))) {
		kfree_skb(frag);
		return NULL;
	}
	iph = ip_hdr(frag);
	iph->tot_len = htons(hlen + len);
	iph->frag_off = htons(frag_off);
	ip_send_check(iph);
	xs_frag_copy_meta(frag, skb);
	return frag;
}

/**
 * xs_ip_fragment - split a datagram into fragments and send them
 * @xn: namespace state
 * @skb: the datagram: skb->data at its IPv4 header, tot_len == skb->len,
 *	DF clear, not GSO; linear, paged or with a frag_list. Consumed.
 * @mtu: largest fragment, IP header included; at least the header plus 8
 * @out: sends one fragment, consumes it, returns 0, NET_XMIT_CN or an
 *	error
 * @ctx: passed to @out
 *
 * A datagram that fits in @mtu is passed to @out unchanged. Otherwise
 * (RFC 791 3.2) each fragment carries a multiple of 8 data bytes except
 * the last, a copy of the header (with only the copied options in
 * non-first fragments), MF and its offset, and the priority, mark,
 * device, timestamp and socket ownership of @skb. Fragments are built
 * and sent one at a time; the first error stops the datagram.
 *
 * Context: softirq or process, no sleeping.
 *
 * Return: 0, NET_XMIT_CN when @out said so for a fragment (all were
 * sent), -EMSGSIZE (DF set), -EINVAL (malformed datagram or @mtu too
 * small), -ENOMEM, or the first error (< 0) of @out.
 */
int xs_ip_fragment(struct xs_net *xn, struct sk_buff *skb, unsigned int mtu,
		   int (*out)(struct xs_net *xn, struct sk_buff *skb,
			      const void *ctx),
		   const void *ctx)
{
	unsigned int ihl, rest_len, dlen, pos, len, base, hlen;
	u8 rest[sizeof(struct iphdr) + MAX_IPOPTLEN];
	const struct iphdr *iph;
	struct sk_buff *frag;
	const u8 *hdr;
	u16 frag_off;
	int err, ret = 0;
	bool mf;

	err = -EINVAL;
	if (unlikely(!pskb_may_pull(skb, sizeof(*iph))))
		goto fail;
	iph = (const struct iphdr *)skb->data;
	ihl = iph->ihl * 4;
	if (unlikely(ihl < sizeof(*iph) || ntohs(iph->tot_len) != skb->len ||
		     skb->len <= ihl || !pskb_may_pull(skb, ihl)))
		goto fail;
	if (skb->len <= mtu)
		return out(xn, skb, ctx);
	iph = (const struct iphdr *)skb->data;
	if (unlikely(iph->frag_off & htons(IP_DF))) {
		err = -EMSGSIZE;
		goto fail;
	}
	if (unlikely(skb_is_gso(skb) || mtu < ihl + 8))
		goto fail;
	/* A checksum left to the device would cover one fragment only. */
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		err = skb_checksum_help(skb);
		if (unlikely(err))
			goto fail;
	}
	/* The calls above may move the data: read the header after them. */
	iph = (const struct iphdr *)skb->data;
	dlen = skb->len - ihl;
	frag_off = ntohs(iph->frag_off);
	base = (frag_off & IP_OFFSET) << 3;
	err = xs_frag_rest_hdr(rest, skb->data, ihl);
	if (unlikely(err < 0 || base + dlen + ihl > XS_IP_MAX_LEN)) {
		err = -EINVAL;
		goto fail;
	}
	rest_len = err;

	for (pos = 0; pos < dlen; pos += len) {
		/* Fragment zero has the full header, the others @rest. */
		hdr = pos ? rest : skb->data;
		hlen = pos ? rest_len : ihl;
		len = min(dlen - pos, (mtu - hlen) & ~7U);
		/* A datagram that is itself a fragment keeps its MF. */
		mf = pos + len < dlen || (frag_off & IP_MF);
		frag = xs_frag_make(skb, hdr, hlen, ihl + pos, len,
				    (base + pos) >> 3 | (mf ? IP_MF : 0));
		if (unlikely(!frag)) {
			err = -ENOMEM;
			goto fail;
		}
		err = out(xn, frag, ctx);
		if (unlikely(err < 0))
			goto fail;
		if (err)
			ret = err;	/* NET_XMIT_CN: sent, queue congested */
		XS_INC(xn, Ip_FragCreates);
	}
	XS_INC(xn, Ip_FragOKs);
	consume_skb(skb);
	return ret;

fail:
	XS_INC(xn, Ip_FragFails);
	kfree_skb(skb);
	return err;
}

/* Table set-up and tear-down, without sysctls (self-tests use these). */
static void xs_frag_table_init(struct xs_frag_table *tbl, struct xs_net *xn)
{
	unsigned int i;

	spin_lock_init(&tbl->lock);
	for (i = 0; i < ARRAY_SIZE(tbl->hash); i++)
		INIT_HLIST_HEAD(&tbl->hash[i]);
	INIT_LIST_HEAD(&tbl->lru);
	tbl->seed = get_random_u32();
	tbl->xn = xn;
	tbl->high_thresh = XS_FRAG_HIGH_DEFAULT;
	tbl->low_thresh = XS_FRAG_LOW_DEFAULT;
	tbl->timeout = XS_FRAG_TIME_DEFAULT * HZ;
}

static bool xs_frag_table_quiet(struct xs_frag_table *tbl)
{
	bool quiet;

	spin_lock_bh(&tbl->lock);
	quiet = !tbl->orphans;
	spin_unlock_bh(&tbl->lock);
	return quiet;
}

/*
 * Frees every queue. Once it returns no timer of the table runs or will
 * run, so the caller may free @tbl. Context: process.
 */
static void xs_frag_table_destroy(struct xs_frag_table *tbl)
{
	struct xs_frag_queue *q;
	LIST_HEAD(dispose);

	spin_lock_bh(&tbl->lock);
	tbl->dead = true;
	while (!list_empty(&tbl->lru)) {
		q = list_first_entry(&tbl->lru, struct xs_frag_queue, lru);
		xs_frag_kill(tbl, q, SKB_DROP_REASON_QUEUE_PURGE, &dispose);
	}
	spin_unlock_bh(&tbl->lock);
	xs_frag_dispose(&dispose);
	/* Timers that were already running free their queue themselves. */
	wait_var_event(&tbl->orphans, xs_frag_table_quiet(tbl));
	WARN_ON_ONCE(tbl->nqueues || tbl->mem);
}

/*
 * net.xstack.ipfrag_high_thresh and ipfrag_low_thresh: bytes, with
 * 0 <= low <= high <= XS_FRAG_THRESH_MAX; a write breaking the order
 * fails with -EINVAL. A high threshold of 0 disables reassembly.
 */
static int xs_frag_thresh_rw(struct xs_frag_table *tbl, bool high, int write,
			     void *buffer, size_t *lenp, loff_t *ppos)
{
	int *field = high ? &tbl->high_thresh : &tbl->low_thresh;
	int val = READ_ONCE(*field), min = 0, max = XS_FRAG_THRESH_MAX;
	struct ctl_table tmp = {
		.data = &val,
		.maxlen = sizeof(val),
		.extra1 = &min,
		.extra2 = &max,
	};
	int err;

	if (high)
		min = READ_ONCE(tbl->low_thresh);
	else
		max = READ_ONCE(tbl->high_thresh);
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	/* Checked again under the lock against a concurrent write. */
	spin_lock_bh(&tbl->lock);
	if (high ? val >= tbl->low_thresh : val <= tbl->high_thresh)
		WRITE_ONCE(*field, val);
	else
		err = -EINVAL;
	spin_unlock_bh(&tbl->lock);
	return err;
}

static int xs_frag_sysctl_high(const struct ctl_table *ctl, int write,
			       void *buffer, size_t *lenp, loff_t *ppos)
{
	return xs_frag_thresh_rw(container_of(ctl->data, struct xs_frag_table,
					      high_thresh),
				 true, write, buffer, lenp, ppos);
}

static int xs_frag_sysctl_low(const struct ctl_table *ctl, int write,
			      void *buffer, size_t *lenp, loff_t *ppos)
{
	return xs_frag_thresh_rw(container_of(ctl->data, struct xs_frag_table,
					      low_thresh),
				 false, write, buffer, lenp, ppos);
}

/* net.xstack.ipfrag_time: seconds, 1..XS_FRAG_TIME_MAX; new queues only. */
static int xs_frag_sysctl_time(const struct ctl_table *ctl, int write,
			       void *buffer, size_t *lenp, loff_t *ppos)
{
	unsigned long *timeout = ctl->data;
	int val = READ_ONCE(*timeout) / HZ, max = XS_FRAG_TIME_MAX;
	struct ctl_table tmp = {
		.data = &val,
		.maxlen = sizeof(val),
		.extra1 = SYSCTL_ONE,
		.extra2 = &max,
	};
	int err;

	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (!err && write)
		WRITE_ONCE(*timeout, (unsigned long)val * HZ);
	return err;
}

static const struct ctl_table xs_frag_sysctl_template[] = {
	{
		.procname = "ipfrag_high_thresh",
		.data = XS_SYSCTL_OFF(struct xs_frag_table, high_thresh),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = xs_frag_sysctl_high,
	},
	{
		.procname = "ipfrag_low_thresh",
		.data = XS_SYSCTL_OFF(struct xs_frag_table, low_thresh),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = xs_frag_sysctl_low,
	},
	{
		.procname = "ipfrag_time",
		.data = XS_SYSCTL_OFF(struct xs_frag_table, timeout),
		.maxlen = sizeof(unsigned long),
		.mode = 0644,
		.proc_handler = xs_frag_sysctl_time,
	},
};

/**
 * xs_frag_net_init - create a namespace's reassembly table and sysctls
 * @xn: namespace state (xn->net set)
 *
 * Sets xn->frag. Context: process (pernet init).
 *
 * Return: 0 or -ENOMEM.
 */
int xs_frag_net_init(struct xs_net *xn)
{
	struct xs_frag_table *tbl;

	tbl = kzalloc(sizeof(*tbl), GFP_KERNEL);
	if (unlikely(!tbl))
		return -ENOMEM;
	xs_frag_table_init(tbl, xn);
	tbl->sysctl_hdr = xs_sysctl_register(xn, "net/xstack",
					     xs_frag_sysctl_template,
					     ARRAY_SIZE(xs_frag_sysctl_template),
					     tbl);
	if (unlikely(!tbl->sysctl_hdr))
		goto err_sysctl;
	xn->frag = tbl;
	return 0;

err_sysctl:
	kfree(tbl);
	return -ENOMEM;
}

/**
 * xs_frag_net_exit - free a namespace's reassembly queues and table
 * @xn: namespace state
 *
 * Call once no fragment can reach xs_ip_defrag() any more (devices
 * detached, receive paths quiesced), and before the state that
 * xs_icmp_send() uses (ICMP, routes, loopback) is torn down: a queue
 * timer may send until this returns. Drops every queued fragment without
 * ICMP and waits for running queue timers. Context: process.
 */
void xs_frag_net_exit(struct xs_net *xn)
{
	struct xs_frag_table *tbl = xn->frag;

	if (!tbl)
		return;
	xs_sysctl_unregister(tbl->sysctl_hdr);
	xs_frag_table_destroy(tbl);
	xn->frag = NULL;
	kfree(tbl);
}

#include "selftest/frag_test.c"
