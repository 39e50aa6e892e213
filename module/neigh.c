// SPDX-License-Identifier: GPL-2.0
/*
 * The neighbour cache: IPv4 address to Ethernet address bindings of one
 * namespace, with the neighbour unreachability detection (NUD) state
 * machine of RFC 4861 section 7.3 adapted to ARP as RFC 1122 2.3.2.1
 * suggests ("Link-layer advice" and "timeout/unicast poll" to detect
 * stale entries) and as Linux does it:
 *
 *   (new) --send--> INCOMPLETE --reply--> REACHABLE --reach_time--> STALE
 *                     |  broadcast request every retrans_time      |
 *                     |  mcast_solicit requests unanswered         | send
 *                     v                                            v
 *                   FAILED <--ucast_solicit unanswered-- PROBE <-- DELAY
 *                                                   delay_first_probe_time
 *
 *  - INCOMPLETE: resolution under way; packets wait in a queue bounded by
 *    unres_qlen_bytes (the oldest are dropped to make room).
 *  - REACHABLE: confirmed by a reply addressed to us within a random time
 *    in [0.5, 1.5) x base_reachable_time (RFC 4861 6.3.2 and 7.3.2).
 *  - STALE: address known, reachability unknown; no timer, no traffic.
 *  - DELAY: a packet was sent to a STALE neighbour; if nothing confirms
 *    it within delay_first_probe_time, PROBE.
 *  - PROBE: unicast requests to the cached address (RFC 1122 2.3.2.1
 *    "unicast poll") every retrans_time, ucast_solicit of them.
 *  - FAILED: the last resolution or probe was not answered.
 *  - PERMANENT: configured; never changed by packets, never collected.
 *
 * Failure: packets queued on an INCOMPLETE entry that fails are dropped;
 * each one that came from a socket is reported to it as an ICMP host
 * unreachable (xs_icmp_local_error()), which the socket surfaces as
 * EHOSTUNREACH. A FAILED entry is kept until garbage collection, and
 * the next packet sent to it is dropped at once with -EHOSTUNREACH
 * returned to the sender (a synchronous answer rather than another
 * silent queueing), while resolution restarts (INCOMPLETE, a broadcast
 * request) so that the packets that follow reach the neighbour if it
 * came back, as Linux's __neigh_event_send() retries FAILED entries.
 *
 * Garbage collection (Linux semantics): the periodic GC runs every
 * gc_interval while at least gc_thresh1 dynamic entries exist, and
 * removes unreferenced FAILED entries and STALE ones unused for
 * gc_stale_time. Creating an entry with gc_thresh2 or more dynamic
 * entries (at most every 5 s) or gc_thresh3 or more (always) first runs
 * a forced GC of unreferenced FAILED entries and ones not updated for
 * 5 s; above gc_thresh3 after that, the entry is refused (ArpTableFull).
 * PERMANENT entries do not count against the thresholds.
 *
 * Devices going down: xs_neigh_dev_down() removes every entry of the
 * device, PERMANENT ones included, and drops their queued packets, as
 * Linux's neigh_ifdown() does on NETDEV_DOWN; the same call on detach
 * guarantees that nothing refers to the device afterwards.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/if_arp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ktime.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <linux/xstack.h>
#include "arp.h"
#include "icmp.h"
#include "neigh.h"
#include "route.h"
#include "stats.h"
#include "xstack.h"

#define XS_NEIGH_HASH_SHIFT_MIN	5
#define XS_NEIGH_HASH_SHIFT_MAX	20
#define XS_NEIGH_THRESH_MAX	BIT(20)

/* ------------------------------------------------------------------ */
/* Pure decisions (self-tested in selftest/arp_test.c)                  */
/* ------------------------------------------------------------------ */

/**
 * xs_neigh_rand_reach_time - randomized reachable time
 * @base: BaseReachableTime in jiffies
 * @rnd: a random number
 *
 * RFC 4861 6.3.2: ReachableTime is a uniformly distributed random value
 * between MIN_RANDOM_FACTOR (0.5) and MAX_RANDOM_FACTOR (1.5) times
 * BaseReachableTime, so that neighbours do not probe in lockstep.
 *
 * Return: a time in [@base / 2, @base / 2 + @base).
 */
unsigned long xs_neigh_rand_reach_time(unsigned long base, u32 rnd)
{
	return (base >> 1) + (unsigned long)(((u64)rnd * base) >> 32);
}

/**
 * xs_arp_mc_map - Ethernet address of an IPv4 multicast group
 * @group: 224.0.0.0/4 address
 * @mac: the Ethernet address
 *
 * RFC 1112 section 6.4: 01-00-5E-00-00-00 plus the low-order 23 bits of
 * the group address.
 */
void xs_arp_mc_map(__be32 group, u8 *mac)
{
	u32 addr = ntohl(group);

	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = (addr >> 16) & 0x7f;
	mac[4] = (addr >> 8) & 0xff;
	mac[5] = addr & 0xff;
}

static unsigned long xs_nud_clamp(unsigned long next, unsigned long now)
{
	if (time_before(next, now + XS_NEIGH_MIN_TIMER))
		return now + XS_NEIGH_MIN_TIMER;
	return next;
}

/**
 * xs_nud_timer_step - one expiry of an entry's timer
 * @s: the entry's state, updated in place
 * @t: timer parameters
 * @now: current jiffies
 * @next: set to the next expiry, or 0 when the new state has no timer
 *
 * RFC 4861 7.3.3, with Linux's checks of the timestamps: REACHABLE
 * lasts until @s->confirmed + @s->reach_time, then becomes DELAY if the
 * entry was used within delay_first_probe_time, else STALE. DELAY goes
 * back to REACHABLE if a confirmation arrived meanwhile, else to PROBE.
 * INCOMPLETE broadcasts up to mcast_solicit requests and PROBE unicasts
 * up to ucast_solicit ones, one per retrans_time, then FAILED.
 *
 * Return: the request to send, XS_NUD_ACT_FAIL when the entry just
 * failed, or XS_NUD_ACT_NONE.
 */
enum xs_nud_action xs_nud_timer_step(struct xs_nud_snap *s,
				     const struct xs_nud_timing *t,
				     unsigned long now, unsigned long *next)
{
	enum xs_nud_action act = XS_NUD_ACT_NONE;

	*next = 0;
	switch (s->state) {
	case XSTACK_NUD_REACHABLE:
		if (time_before_eq(now, s->confirmed + s->reach_time)) {
			*next = s->confirmed + s->reach_time;
		} else if (time_before_eq(now, s->used + t->delay_probe)) {
			s->state = XSTACK_NUD_DELAY;
			*next = now + t->delay_probe;
		} else {
			s->state = XSTACK_NUD_STALE;
		}
		break;
	case XSTACK_NUD_DELAY:
		if (time_before_eq(now, s->confirmed + t->delay_probe)) {
			s->state = XSTACK_NUD_REACHABLE;
			s->reach_time = t->reach;
			*next = s->confirmed + t->reach;
			break;
		}
		s->state = XSTACK_NUD_PROBE;
		s->probes = 0;
		fallthrough;
	case XSTACK_NUD_PROBE:
		if (s->probes >= t->ucast_solicit) {
			s->state = XSTACK_NUD_FAILED;
			return XS_NUD_ACT_FAIL;
		}
		s->probes++;
		*next = now + t->retrans;
		act = XS_NUD_ACT_UCAST;
		break;
	case XSTACK_NUD_INCOMPLETE:
		if (s->probes >= t->mcast_solicit) {
			s->state = XSTACK_NUD_FAILED;
			return XS_NUD_ACT_FAIL;
		}
		s->probes++;
		*next = now + t->retrans;
		act = XS_NUD_ACT_BCAST;
		break;
	default:
		return XS_NUD_ACT_NONE;
	}
	if (*next)
		*next = xs_nud_clamp(*next, now);
	return act;
}

/**
 * xs_nud_update_state - merge a received or configured binding
 * @old: current state
 * @new: state the information asserts (REACHABLE for a reply addressed to
 *	us, STALE for anything else, or what the administrator asked for)
 * @ll_differs: the proposed link-layer address differs from the cached
 *	one, or the entry has none (not XS_NUD_VALID)
 * @flags: XS_NEIGH_F_OVERRIDE, XS_NEIGH_F_ADMIN (XS_NEIGH_F_LOCKTIME must
 *	already be resolved into XS_NEIGH_F_OVERRIDE or nothing)
 * @take_ll: set when the proposed address replaces the cached one
 *
 * RFC 826's merge: a known sender's binding is updated. Like Linux's
 * neigh_update(): PERMANENT entries change only by administration; a
 * different address replaces a valid one only with @XS_NEIGH_F_OVERRIDE
 * (otherwise the first answer is kept); and a STALE hint that confirms
 * the cached address does not downgrade a REACHABLE, DELAY or PROBE
 * entry.
 *
 * Return: the new state, or XS_NUD_NONE when the update is ignored.
 */
u8 xs_nud_update_state(u8 old, u8 new, bool ll_differs, unsigned int flags,
		       bool *take_ll)
{
	*take_ll = false;
	if ((old & XSTACK_NUD_PERMANENT) && !(flags & XS_NEIGH_F_ADMIN))
		return XS_NUD_NONE;
	if (old & XS_NUD_VALID) {
		if (ll_differs && !(flags & XS_NEIGH_F_OVERRIDE))
			return XS_NUD_NONE;
		if (!ll_differs && new == XSTACK_NUD_STALE &&
		    !(flags & XS_NEIGH_F_ADMIN))
			new = old;
	}
	*take_ll = ll_differs;
	return new;
}

/**
 * xs_nud_tx_action - what sending a packet through an entry does
 * @state: the entry's state
 *
 * Return: see enum xs_nud_tx.
 */
enum xs_nud_tx xs_nud_tx_action(u8 state)
{
	if (state & (XS_NUD_CONNECTED | XSTACK_NUD_DELAY | XSTACK_NUD_PROBE))
		return XS_NUD_TX_SEND;
	if (state & XSTACK_NUD_STALE)
		return XS_NUD_TX_SEND_DELAY;
	if (state & XSTACK_NUD_INCOMPLETE)
		return XS_NUD_TX_QUEUE;
	if (state & XSTACK_NUD_FAILED)
		return XS_NUD_TX_FAILED;
	return XS_NUD_TX_RESOLVE;
}

/**
 * xs_neigh_gc_verdict - may an entry be created without collecting first
 * @gc_entries: dynamic entries in the table
 * @thresh2: gc_thresh2
 * @thresh3: gc_thresh3
 * @now: current jiffies
 * @last_flush: time of the last forced GC
 *
 * Return: XS_GC_FORCE at gc_thresh3 or more entries, or at gc_thresh2 or
 * more if the last forced GC is older than 5 s; else XS_GC_CREATE.
 */
enum xs_gc_verdict xs_neigh_gc_verdict(unsigned int gc_entries, int thresh2,
				       int thresh3, unsigned long now,
				       unsigned long last_flush)
{
	if (gc_entries >= (unsigned int)max(thresh3, 0))
		return XS_GC_FORCE;
	if (gc_entries >= (unsigned int)max(thresh2, 0) &&
	    time_after(now, last_flush + XS_NEIGH_FORCED_GC_IVAL))
		return XS_GC_FORCE;
	return XS_GC_CREATE;
}

/**
 * xs_neigh_gc_evictable - may garbage collection remove an entry
 * @state: its state
 * @refs: its reference count (1: only the table's)
 * @used: last use
 * @updated: last update
 * @now: current jiffies
 * @stale: gc_stale_time in jiffies (periodic GC)
 * @forced: forced GC (table above gc_thresh2) rather than periodic
 *
 * Only unreferenced, non-PERMANENT entries are collected; an entry with
 * a pending timer is referenced by it. FAILED (and never initialized)
 * entries always go; otherwise periodic GC takes entries unused for
 * gc_stale_time and forced GC entries not updated for 5 s.
 *
 * Return: true if the entry may be removed.
 */
bool xs_neigh_gc_evictable(u8 state, unsigned int refs, unsigned long used,
			   unsigned long updated, unsigned long now,
			   unsigned long stale, bool forced)
{
	if (refs != 1 || (state & XSTACK_NUD_PERMANENT))
		return false;
	if (state == XSTACK_NUD_FAILED || state == XS_NUD_NONE)
		return true;
	if (forced)
		return !time_in_range(updated, now - XS_NEIGH_FORCED_GC_AGE,
				      now);
	return !time_in_range_open(now, used, used + stale);
}

/**
 * xs_neigh_queue_admit - may a packet join an unresolved entry's queue
 * @queued: bytes (truesize) queued already
 * @truesize: the packet's truesize
 * @limit: unres_qlen_bytes
 * @to_free: set to the bytes that must be dropped from the head of the
 *	queue (oldest packets first) to make room
 *
 * Return: false if the packet alone exceeds @limit (it is dropped).
 */
bool xs_neigh_queue_admit(unsigned int queued, unsigned int truesize,
			  unsigned int limit, unsigned int *to_free)
{
	*to_free = 0;
	if (truesize > limit)
		return false;
	if (queued > limit - truesize)
		*to_free = queued - (limit - truesize);
	return true;
}

/* ------------------------------------------------------------------ */
/* Entries, hash table, references                                     */
/* ------------------------------------------------------------------ */

static void xs_neigh_timer(struct timer_list *t);

static void xs_neigh_hold(struct xs_neigh *n)
{
	refcount_inc(&n->refcnt);
}

static void xs_neigh_put(struct xs_neigh *n)
{
	if (!refcount_dec_and_test(&n->refcnt))
		return;
	WARN_ON_ONCE(!n->dead || !skb_queue_empty(&n->queue));
	kfree_rcu(n, rcu);
}

/* Arm the timer; it holds a reference while pending. n->lock held. */
static void xs_neigh_add_timer(struct xs_neigh *n, unsigned long when)
{
	if (!mod_timer(&n->timer, when))
		xs_neigh_hold(n);
}

/* Stop the timer and drop its reference. n->lock held, caller has a ref. */
static void xs_neigh_del_timer(struct xs_neigh *n)
{
	if (timer_delete(&n->timer))
		refcount_dec(&n->refcnt);
}

static void xs_neigh_timing(struct xs_neigh_table *tbl,
			    struct xs_nud_timing *t)
{
	const struct xs_neigh_parms *p = &tbl->parms;
	unsigned long base;

	base = msecs_to_jiffies(READ_ONCE(p->base_reachable_time_ms));
	t->retrans = max(msecs_to_jiffies(READ_ONCE(p->retrans_time_ms)), 1UL);
	t->delay_probe = (unsigned long)READ_ONCE(p->delay_first_probe_time) *
			 HZ;
	t->reach = xs_neigh_rand_reach_time(base, get_random_u32());
	t->mcast_solicit = READ_ONCE(p->mcast_solicit);
	t->ucast_solicit = READ_ONCE(p->ucast_solicit);
}

static unsigned long xs_neigh_unconfirmed(struct xs_neigh_table *tbl,
					  unsigned long now)
{
	/* As Linux: a new address is not a confirmation. */
	return now - 2 * msecs_to_jiffies(READ_ONCE(tbl->parms.base_reachable_time_ms));
}

static struct xs_neigh_hash *xs_neigh_hash_alloc(unsigned int shift)
{
	struct xs_neigh_hash *h;

	h = kvzalloc(struct_size(h, buckets, 1UL << shift), GFP_KERNEL);
	if (unlikely(!h))
		return NULL;
	h->shift = shift;
	get_random_bytes(&h->key, sizeof(h->key));
	return h;
}

static u32 xs_neigh_hashfn(const struct xs_neigh_hash *h, int ifindex,
			   __be32 ip)
{
	return hsiphash_2u32((__force u32)ip, (u32)ifindex, &h->key) >>
	       (32 - h->shift);
}

static struct xs_neigh_hash *xs_neigh_hash_locked(struct xs_neigh_table *tbl)
{
	return rcu_dereference_protected(tbl->hash,
					 lockdep_is_held(&tbl->lock));
}

static struct xs_neigh *xs_neigh_deref_locked(struct xs_neigh_table *tbl,
					      struct xs_neigh __rcu **np)
{
	return rcu_dereference_protected(*np, lockdep_is_held(&tbl->lock));
}

/* Context: rcu_read_lock(). The entry may be dead: check under n->lock. */
static struct xs_neigh *xs_neigh_lookup_rcu(struct xs_neigh_table *tbl,
					    const struct xs_dev *xd, __be32 ip)
{
	struct xs_neigh_hash *h = rcu_dereference(tbl->hash);
	struct xs_neigh *n;
	u32 b = xs_neigh_hashfn(h, xd->dev->ifindex, ip);

	for (n = rcu_dereference(h->buckets[b]); n; n = rcu_dereference(n->next))
		if (n->ip == ip && n->xd == xd)
			return n;
	return NULL;
}

/* The link pointing at the entry for (@xd, @ip). tbl->lock held. */
static struct xs_neigh __rcu **xs_neigh_find_locked(struct xs_neigh_table *tbl,
						    const struct xs_dev *xd,
						    __be32 ip)
{
	struct xs_neigh_hash *h = xs_neigh_hash_locked(tbl);
	struct xs_neigh __rcu **np;
	struct xs_neigh *n;

	np = &h->buckets[xs_neigh_hashfn(h, xd->dev->ifindex, ip)];
	for (; (n = xs_neigh_deref_locked(tbl, np)); np = &n->next)
		if (n->ip == ip && n->xd == xd)
			return np;
	return NULL;
}

/*
 * Unlink the entry *@np: it becomes dead and moves to @reap, still
 * holding the table's reference, for xs_neigh_reap() to finish once the
 * table lock is released. tbl->lock held.
 */
static void xs_neigh_unlink(struct xs_neigh_table *tbl,
			    struct xs_neigh __rcu **np, struct list_head *reap)
{
	struct xs_neigh *n = xs_neigh_deref_locked(tbl, np);

	rcu_assign_pointer(*np, xs_neigh_deref_locked(tbl, &n->next));
	tbl->entries--;
	if (!n->exempt) {
		list_del(&n->gc_list);
		WRITE_ONCE(tbl->gc_entries, tbl->gc_entries - 1);
	}
	list_add_tail(&n->gc_list, reap);
	spin_lock(&n->lock);
	n->dead = true;
	xs_neigh_del_timer(n);
	spin_unlock(&n->lock);
}

/* Unlink @n wherever it is in its chain. tbl->lock held. */
static void xs_neigh_unlink_entry(struct xs_neigh_table *tbl,
				  struct xs_neigh *n, struct list_head *reap)
{
	struct xs_neigh_hash *h = xs_neigh_hash_locked(tbl);
	struct xs_neigh __rcu **np;
	struct xs_neigh *cur;

	np = &h->buckets[xs_neigh_hashfn(h, n->ifindex, n->ip)];
	for (; (cur = xs_neigh_deref_locked(tbl, np)); np = &cur->next) {
		if (cur == n) {
			xs_neigh_unlink(tbl, np, reap);
			return;
		}
	}
	WARN_ON_ONCE(1);
}

/*
 * Finish removing unlinked entries: drop their queued packets and the
 * table's reference. With @sync (process context), also wait for a
 * timer callback still running, so that nothing touches the entry's
 * device afterwards. Returns the number of entries reaped.
 */
static unsigned int xs_neigh_reap(struct xs_net *xn, struct list_head *reap,
				  bool sync)
{
	struct xs_neigh *n, *tmp;
	struct sk_buff_head purge;
	unsigned int count = 0;

	__skb_queue_head_init(&purge);
	list_for_each_entry_safe(n, tmp, reap, gc_list) {
		list_del_init(&n->gc_list);
		spin_lock_bh(&n->lock);
		skb_queue_splice_tail_init(&n->queue, &purge);
		n->queue_bytes = 0;
		spin_unlock_bh(&n->lock);
		if (sync)
			timer_shutdown_sync(&n->timer);
		xs_neigh_put(n);
		count++;
	}
	if (!skb_queue_empty(&purge)) {
		XS_ADD(xn, XsExt_ArpUnresolvedDrops, skb_queue_len(&purge));
		__skb_queue_purge_reason(&purge, SKB_DROP_REASON_NEIGH_DEAD);
	}
	return count;
}

/*
 * Forced GC (table above gc_thresh2 or at gc_thresh3): like Linux's
 * neigh_forced_gc(), oldest entries first, down to gc_thresh2, and for at
 * most 1 ms. tbl->lock held.
 */
static void xs_neigh_forced_gc(struct xs_neigh_table *tbl,
			       struct list_head *reap)
{
	int max_clean = tbl->gc_entries - READ_ONCE(tbl->parms.gc_thresh2);
	u64 tmax = ktime_get_ns() + NSEC_PER_MSEC;
	unsigned long now = jiffies;
	struct xs_neigh *n, *tmp;
	unsigned int loop = 0;
	int shrunk = 0;
	bool evict;

	max_clean = max(max_clean, 1);
	list_for_each_entry_safe(n, tmp, &tbl->gc_list, gc_list) {
		if (refcount_read(&n->refcnt) == 1) {
			spin_lock(&n->lock);
			evict = xs_neigh_gc_evictable(n->state,
						      refcount_read(&n->refcnt),
						      READ_ONCE(n->used),
						      n->updated, now, 0, true);
			spin_unlock(&n->lock);
			if (evict) {
				xs_neigh_unlink_entry(tbl, n, reap);
				XS_INC(tbl->xn, XsExt_ArpGcEvicted);
				if (++shrunk >= max_clean)
					break;
			}
		}
		if (++loop == 16) {
			if (ktime_get_ns() > tmax)
				break;
			loop = 0;
		}
	}
	tbl->last_flush = now;
}

/*
 * Whether @xd is still attached: its device's rx_handler_data points at
 * it until detach unregisters the handler (dev.c), and detach calls
 * xs_neigh_dev_down() after that under tbl->lock, so an entry created
 * after this check passed is always flushed. tbl->lock held.
 */
static bool xs_neigh_dev_alive(const struct xs_dev *xd)
{
	return rcu_access_pointer(xd->dev->rx_handler_data) == xd;
}

static struct xs_neigh *xs_neigh_alloc(struct xs_neigh_table *tbl,
				       struct xs_dev *xd, __be32 ip,
				       bool exempt)
{
	unsigned long now = jiffies;
	struct xs_neigh *n;

	n = kzalloc(sizeof(*n), GFP_ATOMIC);
	if (unlikely(!n))
		return NULL;
	n->xd = xd;
	n->ip = ip;
	n->ifindex = xd->dev->ifindex;
	n->tbl = tbl;
	spin_lock_init(&n->lock);
	seqcount_spinlock_init(&n->ha_seq, &n->lock);
	n->state = XS_NUD_NONE;
	n->exempt = exempt;
	n->confirmed = xs_neigh_unconfirmed(tbl, now);
	n->updated = now;
	n->used = now;
	timer_setup(&n->timer, xs_neigh_timer, 0);
	__skb_queue_head_init(&n->queue);
	INIT_LIST_HEAD(&n->gc_list);
	/* The table's reference and the caller's. */
	refcount_set(&n->refcnt, 2);
	return n;
}

/*
 * Create the entry for (@xd, @ip) in state XS_NUD_NONE, or return the
 * one another CPU created meanwhile. @exempt: PERMANENT, not subject to
 * the thresholds. Context: any; tbl->lock not held.
 * Return: a referenced entry or ERR_PTR(-ENOBUFS / -ENODEV).
 */
static struct xs_neigh *xs_neigh_create(struct xs_neigh_table *tbl,
					struct xs_dev *xd, __be32 ip,
					bool exempt)
{
	struct xs_neigh __rcu **np;
	struct xs_neigh_hash *h;
	struct xs_neigh *n, *old;
	LIST_HEAD(reap);
	int err;

	n = xs_neigh_alloc(tbl, xd, ip, exempt);
	if (unlikely(!n))
		return ERR_PTR(-ENOBUFS);

	spin_lock_bh(&tbl->lock);
	if (unlikely(tbl->dead || !xs_neigh_dev_alive(xd))) {
		err = -ENODEV;
		goto err_unlock;
	}
	np = xs_neigh_find_locked(tbl, xd, ip);
	if (np) {
		old = xs_neigh_deref_locked(tbl, np);
		xs_neigh_hold(old);
		spin_unlock_bh(&tbl->lock);
		kfree(n);
		return old;
	}
	if (!exempt) {
		if (xs_neigh_gc_verdict(tbl->gc_entries,
					READ_ONCE(tbl->parms.gc_thresh2),
					READ_ONCE(tbl->parms.gc_thresh3),
					jiffies, tbl->last_flush) == XS_GC_FORCE) {
			xs_neigh_forced_gc(tbl, &reap);
			if (tbl->gc_entries >= (unsigned int)READ_ONCE(tbl->parms.gc_thresh3)) {
				XS_INC(tbl->xn, XsExt_ArpTableFull);
				net_info_ratelimited("xstack: neighbour table overflow (net.xstack.neigh.gc_thresh3)\n");
				err = -ENOBUFS;
				goto err_unlock;
			}
		}
		list_add_tail(&n->gc_list, &tbl->gc_list);
		WRITE_ONCE(tbl->gc_entries, tbl->gc_entries + 1);
	}
	h = xs_neigh_hash_locked(tbl);
	np = &h->buckets[xs_neigh_hashfn(h, n->ifindex, ip)];
	RCU_INIT_POINTER(n->next, xs_neigh_deref_locked(tbl, np));
	rcu_assign_pointer(*np, n);
	tbl->entries++;
	if (tbl->entries > (1U << h->shift) &&
	    h->shift < XS_NEIGH_HASH_SHIFT_MAX)
		queue_work(system_power_efficient_wq, &tbl->grow_work);
	spin_unlock_bh(&tbl->lock);
	xs_neigh_reap(tbl->xn, &reap, false);
	return n;

err_unlock:
	spin_unlock_bh(&tbl->lock);
	xs_neigh_reap(tbl->xn, &reap, false);
	kfree(n);
	return ERR_PTR(err);
}

/* A referenced entry, created if @create. Context: any. */
static struct xs_neigh *xs_neigh_get(struct xs_neigh_table *tbl,
				     struct xs_dev *xd, __be32 ip, bool create,
				     bool exempt)
{
	struct xs_neigh *n;

	rcu_read_lock();
	n = xs_neigh_lookup_rcu(tbl, xd, ip);
	if (n && !refcount_inc_not_zero(&n->refcnt))
		n = NULL;
	rcu_read_unlock();
	if (n || !create)
		return n;
	return xs_neigh_create(tbl, xd, ip, exempt);
}

/* ------------------------------------------------------------------ */
/* Transmission                                                         */
/* ------------------------------------------------------------------ */

/**
 * struct xs_neigh_probe - an ARP request to send once locks are dropped
 * @xd: device
 * @tip: address to resolve
 * @hint: source address of a packet waiting for it, or 0
 * @unicast: PROBE: send to @dst rather than broadcast
 * @dst: cached link-layer address (@unicast)
 */
struct xs_neigh_probe {
	struct xs_dev *xd;
	__be32 tip;
	__be32 hint;
	bool unicast;
	u8 dst[ETH_ALEN] __aligned(2);
};

static __be32 xs_neigh_skb_saddr(const struct sk_buff *skb)
{
	__be32 buf;
	const __be32 *p;

	p = skb_header_pointer(skb, skb_network_offset(skb) +
			       offsetof(struct iphdr, saddr), sizeof(buf), &buf);
	return p ? *p : 0;
}

/* Describe the request @n needs. n->lock held. */
static void xs_neigh_probe_prep(struct xs_neigh *n, struct xs_neigh_probe *p,
				bool unicast, const struct sk_buff *skb)
{
	p->xd = n->xd;
	p->tip = n->ip;
	p->unicast = unicast;
	if (unicast)
		ether_addr_copy(p->dst, n->ha);
	if (!skb)
		skb = skb_peek_tail(&n->queue);
	p->hint = skb ? xs_neigh_skb_saddr(skb) : 0;
}

/*
 * RFC 826 request for p->tip, sender address chosen by
 * xs_arp_select_src_rcu(). Requests are rate limited by the caller: one
 * per retrans_time and entry (the entry's timer). Context: any.
 */
static void xs_neigh_send_probe(struct xs_net *xn,
				const struct xs_neigh_probe *p)
{
	struct net_device *dev = p->xd->dev;
	__be32 sip;

	if (unlikely(!netif_running(dev)))
		return;
	rcu_read_lock();
	sip = xs_arp_select_src_rcu(p->xd, p->hint, p->tip);
	rcu_read_unlock();
	if (!xs_arp_send(xn, dev, ARPOP_REQUEST, sip, p->tip,
			 p->unicast ? p->dst : NULL, NULL))
		XS_INC(xn, XsExt_ArpOutRequests);
}

/* dev_queue_xmit()'s code: NET_XMIT_CN is kept (sent, but congested). */
static int xs_neigh_xmit_rc(int rc)
{
	return rc > 0 && rc != NET_XMIT_CN ? net_xmit_errno(rc) : rc;
}

/* Add the Ethernet header for @ha and transmit. Consumes @skb. */
static int xs_neigh_xmit(struct net_device *dev, struct sk_buff *skb,
			 const u8 *ha)
{
	if (unlikely(skb_cow_head(skb, LL_RESERVED_SPACE(dev)))) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	skb->dev = dev;
	if (unlikely(dev_hard_header(skb, dev, ntohs(skb->protocol), ha, NULL,
				     skb->len) < 0)) {
		kfree_skb(skb);
		return -EINVAL;
	}
	return xs_neigh_xmit_rc(dev_queue_xmit(skb));
}

/* Send packets released by a resolution, with the address @ha. */
static void xs_neigh_xmit_queue(struct xs_dev *xd, struct sk_buff_head *q,
				const u8 *ha)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q)))
		xs_neigh_xmit(xd->dev, skb, ha);
}

/*
 * Resolution failed: drop the packets that waited for it, and report each
 * one sent by a socket as an ICMP host unreachable would be (RFC 1122
 * 2.3.2.2: the sender should learn of the failure).
 */
static void xs_neigh_fail_queue(struct xs_net *xn, struct sk_buff_head *q)
{
	struct sk_buff *skb;

	rcu_read_lock();
	while ((skb = __skb_dequeue(q))) {
		XS_INC(xn, XsExt_ArpUnresolvedDrops);
		if (skb->sk)
			xs_icmp_local_error(xn, skb, ICMP_DEST_UNREACH,
					    ICMP_HOST_UNREACH);
		kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
	}
	rcu_read_unlock();
}

/*
 * Queue @skb on an INCOMPLETE entry, dropping the oldest packets beyond
 * unres_qlen_bytes into @drop. n->lock held. Consumes @skb.
 */
static int xs_neigh_enqueue(struct xs_neigh *n, struct sk_buff *skb,
			    struct sk_buff_head *drop)
{
	unsigned int limit = READ_ONCE(n->tbl->parms.unres_qlen_bytes);
	struct xs_net *xn = n->tbl->xn;
	unsigned int to_free;
	struct sk_buff *old;

	if (unlikely(!xs_neigh_queue_admit(n->queue_bytes, skb->truesize,
					   limit, &to_free))) {
		XS_INC(xn, XsExt_ArpQueueDrops);
		__skb_queue_tail(drop, skb);
		return -ENOBUFS;
	}
	while (to_free && (old = __skb_dequeue(&n->queue))) {
		n->queue_bytes -= old->truesize;
		to_free -= min(to_free, old->truesize);
		XS_INC(xn, XsExt_ArpQueueDrops);
		__skb_queue_tail(drop, old);
	}
	__skb_queue_tail(&n->queue, skb);
	n->queue_bytes += skb->truesize;
	return 0;
}

/* Start a resolution: INCOMPLETE, first broadcast request. n->lock held. */
static void xs_neigh_start_resolve(struct xs_neigh *n, unsigned long now,
				   struct xs_neigh_probe *probe,
				   const struct sk_buff *skb)
{
	struct xs_nud_timing t;

	xs_neigh_timing(n->tbl, &t);
	xs_neigh_del_timer(n);
	WRITE_ONCE(n->state, XSTACK_NUD_INCOMPLETE);
	n->probes = 1;
	n->updated = now;
	xs_neigh_add_timer(n, xs_nud_clamp(now + t.retrans, now));
	xs_neigh_probe_prep(n, probe, false, skb);
}

static void xs_neigh_copy_ha(struct xs_neigh *n, u8 *ha)
{
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&n->ha_seq);
		ether_addr_copy(ha, n->ha);
	} while (read_seqcount_retry(&n->ha_seq, seq));
}

/*
 * A packet is to be sent through @n. Returns 1: send it now to @ha;
 * 0: queued; -ENOBUFS: dropped into @drop (queue bound); -EHOSTUNREACH:
 * the entry is FAILED, drop it (@skb not consumed); -EAGAIN: the entry
 * died, look it up again (@skb not consumed).
 */
static int xs_neigh_tx_event(struct xs_neigh *n, struct sk_buff *skb, u8 *ha,
			     struct xs_neigh_probe *probe,
			     struct sk_buff_head *drop)
{
	struct xs_net *xn = n->tbl->xn;
	unsigned long now = jiffies;
	struct xs_nud_timing t;
	int ret = 1;

	/* Fast path: a usable address, no state change (Linux's too). */
	if (xs_nud_tx_action(READ_ONCE(n->state)) == XS_NUD_TX_SEND) {
		if (READ_ONCE(n->used) != now)
			WRITE_ONCE(n->used, now);
		xs_neigh_copy_ha(n, ha);
		return 1;
	}

	spin_lock_bh(&n->lock);
	if (unlikely(n->dead)) {
		spin_unlock_bh(&n->lock);
		return -EAGAIN;
	}
	WRITE_ONCE(n->used, now);
	switch (xs_nud_tx_action(n->state)) {
	case XS_NUD_TX_SEND:
		ether_addr_copy(ha, n->ha);
		break;
	case XS_NUD_TX_SEND_DELAY:
		/* RFC 4861 7.3.3: STALE and a packet is sent: DELAY. */
		xs_neigh_timing(n->tbl, &t);
		WRITE_ONCE(n->state, XSTACK_NUD_DELAY);
		n->updated = now;
		xs_neigh_add_timer(n, xs_nud_clamp(now + t.delay_probe, now));
		ether_addr_copy(ha, n->ha);
		break;
	case XS_NUD_TX_QUEUE:
		ret = xs_neigh_enqueue(n, skb, drop);
		break;
	case XS_NUD_TX_RESOLVE:
		xs_neigh_start_resolve(n, now, probe, skb);
		ret = xs_neigh_enqueue(n, skb, drop);
		break;
	case XS_NUD_TX_FAILED:
		/* See the top of this file: answer now, retry for the next. */
		xs_neigh_start_resolve(n, now, probe, skb);
		XS_INC(xn, XsExt_ArpUnresolvedDrops);
		ret = -EHOSTUNREACH;
		break;
	}
	spin_unlock_bh(&n->lock);
	return ret;
}

/* Broadcast, multicast and NOARP destinations need no resolution. */
static bool xs_neigh_static_ha(const struct xs_dev *xd, __be32 nexthop,
			       u8 *ha)
{
	const struct net_device *dev = xd->dev;

	if (ipv4_is_multicast(nexthop)) {
		xs_arp_mc_map(nexthop, ha);
		return true;
	}
	if (xs_addr_is_broadcast_rcu(xd, nexthop)) {
		ether_addr_copy(ha, dev->broadcast);
		return true;
	}
	if (dev->flags & IFF_NOARP) {
		/* As Linux's arp_constructor() for NOARP devices. */
		ether_addr_copy(ha, dev->dev_addr);
		return true;
	}
	return false;
}

/**
 * xs_neigh_output - send an IPv4 packet to a next hop on a device
 * @xd: output device
 * @nexthop: gateway or on-link destination
 * @skb: the packet, data at its IPv4 header, skb->protocol set
 *
 * L3 devices (no link-layer header) transmit the packet as is. On
 * Ethernet, the destination address comes from RFC 1112 6.4 for
 * multicast, is the device broadcast address for the limited and
 * directed broadcasts, and otherwise from the neighbour cache: a
 * resolved entry transmits at once, an unresolved one queues the packet
 * (bounded by unres_qlen_bytes) and starts or continues resolution.
 *
 * Context: any (BHs enabled or not), rcu_read_lock() held.
 * Return: 0 (sent or queued), NET_XMIT_CN (sent, the qdisc's queue is
 * congested), -EHOSTUNREACH (neighbour FAILED; dropped,
 * resolution restarted), -ENOBUFS (queue or table full, or no memory;
 * dropped), -EINVAL (@nexthop cannot be a neighbour: 0/8, loopback,
 * reserved), -ENODEV (device detached) or a dev_queue_xmit() error as a
 * negative errno. Always consumes @skb.
 */
int xs_neigh_output(struct xs_dev *xd, __be32 nexthop, struct sk_buff *skb)
{
	struct xs_neigh_probe probe = {};
	struct net_device *dev = xd->dev;
	struct xs_net *xn = xd->xn;
	struct sk_buff_head drop;
	struct xs_neigh *n = NULL;
	u8 ha[ETH_ALEN] __aligned(2);
	int ret, tries;

	skb->dev = dev;
	if (!skb->protocol)
		skb->protocol = htons(ETH_P_IP);
	skb_reset_network_header(skb);
	if (!dev_has_header(dev))
		return xs_neigh_xmit_rc(dev_queue_xmit(skb));
	if (xs_neigh_static_ha(xd, nexthop, ha))
		return xs_neigh_xmit(dev, skb, ha);
	if (unlikely(!xs_addr_is_host_unicast(nexthop))) {
		XS_INC(xn, XsExt_ArpUnresolvedDrops);
		kfree_skb(skb);
		return -EINVAL;
	}

	__skb_queue_head_init(&drop);
	ret = -EAGAIN;
	for (tries = 0; ret == -EAGAIN && tries < 3; tries++) {
		n = xs_neigh_get(xn->neigh, xd, nexthop, true, false);
		if (IS_ERR(n)) {
			ret = PTR_ERR(n);
			break;
		}
		ret = xs_neigh_tx_event(n, skb, ha, &probe, &drop);
		xs_neigh_put(n);
	}
	if (ret == -EHOSTUNREACH)
		kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
	if (unlikely(ret < 0 && (ret == -EAGAIN || IS_ERR(n)))) {
		/* No entry could take it (table full, detached, racing). */
		XS_INC(xn, XsExt_ArpUnresolvedDrops);
		__skb_queue_tail(&drop, skb);
		if (ret == -EAGAIN)
			ret = -ENOBUFS;
	}
	if (probe.xd)
		xs_neigh_send_probe(xn, &probe);
	__skb_queue_purge_reason(&drop, SKB_DROP_REASON_NEIGH_QUEUEFULL);
	if (ret == 1)
		return xs_neigh_xmit(dev, skb, ha);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The state machine                                                   */
/* ------------------------------------------------------------------ */

static void xs_neigh_timer(struct timer_list *t)
{
	struct xs_neigh *n = from_timer(n, t, timer);
	struct xs_neigh_probe probe = {};
	enum xs_nud_action act = XS_NUD_ACT_NONE;
	struct xs_neigh_table *tbl = n->tbl;
	unsigned long next, now = jiffies;
	struct sk_buff_head failed;
	struct xs_nud_timing tm;
	struct xs_nud_snap s;

	__skb_queue_head_init(&failed);
	spin_lock(&n->lock);
	/* Dead, or re-armed by an update while we waited for the lock. */
	if (n->dead || timer_pending(&n->timer) ||
	    !(n->state & XS_NUD_IN_TIMER))
		goto out_unlock;

	xs_neigh_timing(tbl, &tm);
	s.state = n->state;
	s.probes = n->probes;
	s.confirmed = READ_ONCE(n->confirmed);
	s.used = READ_ONCE(n->used);
	s.reach_time = n->reach_time;
	act = xs_nud_timer_step(&s, &tm, now, &next);
	if (s.state != n->state)
		n->updated = now;
	WRITE_ONCE(n->state, s.state);
	n->probes = s.probes;
	n->reach_time = s.reach_time;
	if (next)
		xs_neigh_add_timer(n, next);

	switch (act) {
	case XS_NUD_ACT_BCAST:
	case XS_NUD_ACT_UCAST:
		xs_neigh_probe_prep(n, &probe, act == XS_NUD_ACT_UCAST, NULL);
		break;
	case XS_NUD_ACT_FAIL:
		skb_queue_splice_init(&n->queue, &failed);
		n->queue_bytes = 0;
		break;
	case XS_NUD_ACT_NONE:
		break;
	}
out_unlock:
	spin_unlock(&n->lock);

	if (probe.xd)
		xs_neigh_send_probe(tbl->xn, &probe);
	if (act == XS_NUD_ACT_FAIL) {
		XS_INC(tbl->xn, XsExt_ArpResolveFailed);
		xs_neigh_fail_queue(tbl->xn, &failed);
	}
	/* The reference of the timer that fired. */
	xs_neigh_put(n);
}

/*
 * Apply new information to @n (n->lock held): see xs_nud_update_state().
 * Packets released by the resolution are moved to @flushq, to be sent to
 * @ha once the lock is dropped. Returns 0 or -EPERM (ignored).
 */
static int __xs_neigh_update(struct xs_neigh *n, const u8 *lladdr, u8 new,
			     unsigned int flags, struct sk_buff_head *flushq,
			     u8 *ha)
{
	struct xs_neigh_table *tbl = n->tbl;
	unsigned long now = jiffies;
	struct xs_nud_timing t;
	u8 old = n->state;
	bool differs, take;

	if ((flags & XS_NEIGH_F_LOCKTIME) &&
	    time_after(now, n->updated + XS_NEIGH_LOCKTIME))
		flags |= XS_NEIGH_F_OVERRIDE;
	differs = !(old & XS_NUD_VALID) || !ether_addr_equal(n->ha, lladdr);
	new = xs_nud_update_state(old, new, differs, flags, &take);
	if (new == XS_NUD_NONE)
		return -EPERM;

	/* Packets were waiting: the entry is being used, so not just STALE. */
	if (new == XSTACK_NUD_STALE && !skb_queue_empty(&n->queue))
		new = XSTACK_NUD_DELAY;
	if (new & XS_NUD_CONNECTED)
		WRITE_ONCE(n->confirmed, now);
	if (new != old || take)
		n->updated = now;
	if (take) {
		write_seqcount_begin(&n->ha_seq);
		ether_addr_copy(n->ha, lladdr);
		write_seqcount_end(&n->ha_seq);
		if (!(new & XS_NUD_CONNECTED))
			WRITE_ONCE(n->confirmed, xs_neigh_unconfirmed(tbl, now));
	}
	if (new != old) {
		xs_neigh_timing(tbl, &t);
		xs_neigh_del_timer(n);
		if (new & XS_NUD_VALID)
			n->probes = 0;
		if (new == XSTACK_NUD_REACHABLE) {
			n->reach_time = t.reach;
			xs_neigh_add_timer(n, xs_nud_clamp(now + t.reach, now));
		} else if (new == XSTACK_NUD_DELAY) {
			xs_neigh_add_timer(n, xs_nud_clamp(now + t.delay_probe,
							   now));
		}
		WRITE_ONCE(n->state, new);
	}
	if (!(old & XS_NUD_VALID) && (new & XS_NUD_VALID) &&
	    !skb_queue_empty(&n->queue)) {
		skb_queue_splice_tail_init(&n->queue, flushq);
		n->queue_bytes = 0;
		ether_addr_copy(ha, n->ha);
	}
	return 0;
}

/**
 * xs_neigh_learn - take a binding from a received ARP packet
 * @xd: receiving device
 * @ip: sender protocol address
 * @lladdr: sender hardware address
 * @state: XSTACK_NUD_REACHABLE (reply addressed to us, unicast) or
 *	XSTACK_NUD_STALE (anything else: it proves no reachability)
 * @flags: XS_NEIGH_F_OVERRIDE (gratuitous ARP, request to us) or
 *	XS_NEIGH_F_LOCKTIME
 * @create: create the entry if absent (only for a request addressed to
 *	us, RFC 826: "If Merge_flag is false, add the triplet")
 *
 * Releases the packets waiting for the entry when it becomes resolved.
 *
 * Context: softirq (rx handler), rcu_read_lock() held.
 */
void xs_neigh_learn(struct xs_dev *xd, __be32 ip, const u8 *lladdr,
		    u8 state, unsigned int flags, bool create)
{
	struct xs_neigh_table *tbl = xd->xn->neigh;
	struct sk_buff_head flushq;
	u8 ha[ETH_ALEN] __aligned(2);
	struct xs_neigh *n;

	n = xs_neigh_get(tbl, xd, ip, create, false);
	if (IS_ERR_OR_NULL(n))
		return;
	__skb_queue_head_init(&flushq);
	spin_lock_bh(&n->lock);
	if (likely(!n->dead))
		__xs_neigh_update(n, lladdr, state, flags, &flushq, ha);
	spin_unlock_bh(&n->lock);
	xs_neigh_put(n);
	xs_neigh_xmit_queue(xd, &flushq, ha);
}

/**
 * xs_neigh_confirm - an upper layer saw forward progress with a neighbour
 * @xd: device
 * @nexthop: the neighbour
 *
 * RFC 1122 2.3.2.1 allows "link-layer advice" and RFC 4861 7.3.1 counts
 * upper-layer hints as reachability confirmation: the entry's timer then
 * keeps it REACHABLE (or returns it from DELAY to REACHABLE) without
 * probing. Like Linux's neigh_confirm(), only the timestamp is written.
 *
 * Context: any.
 */
void xs_neigh_confirm(struct xs_dev *xd, __be32 nexthop)
{
	struct xs_neigh_table *tbl = xd->xn->neigh;
	unsigned long now = jiffies;
	struct xs_neigh *n;

	if (unlikely(!tbl))
		return;
	rcu_read_lock();
	n = xs_neigh_lookup_rcu(tbl, xd, nexthop);
	if (n && READ_ONCE(n->confirmed) != now)
		WRITE_ONCE(n->confirmed, now);
	rcu_read_unlock();
}

/* ------------------------------------------------------------------ */
/* Garbage collection and table growth                                 */
/* ------------------------------------------------------------------ */

static void xs_neigh_gc_work(struct work_struct *work)
{
	struct xs_neigh_table *tbl = container_of(to_delayed_work(work),
						  struct xs_neigh_table,
						  gc_work);
	const struct xs_neigh_parms *p = &tbl->parms;
	unsigned long stale, now = jiffies;
	struct xs_neigh __rcu **np;
	struct xs_neigh_hash *h;
	struct xs_neigh *n;
	unsigned int i;
	LIST_HEAD(reap);
	bool evict;

	stale = (unsigned long)READ_ONCE(p->gc_stale_time) * HZ;
	if (READ_ONCE(tbl->gc_entries) < (unsigned int)READ_ONCE(p->gc_thresh1))
		goto out;

	/* One bucket per lock hold, so softirqs are not held off for long. */
	for (i = 0; ; i++) {
		spin_lock_bh(&tbl->lock);
		h = xs_neigh_hash_locked(tbl);
		if (i >= (1U << h->shift)) {
			spin_unlock_bh(&tbl->lock);
			break;
		}
		np = &h->buckets[i];
		while ((n = xs_neigh_deref_locked(tbl, np))) {
			spin_lock(&n->lock);
			evict = !n->exempt &&
				xs_neigh_gc_evictable(n->state,
						      refcount_read(&n->refcnt),
						      READ_ONCE(n->used),
						      n->updated, now, stale,
						      false);
			spin_unlock(&n->lock);
			if (evict) {
				xs_neigh_unlink(tbl, np, &reap);
				XS_INC(tbl->xn, XsExt_ArpGcEvicted);
			} else {
				np = &n->next;
			}
		}
		spin_unlock_bh(&tbl->lock);
		if (!list_empty(&reap))
			xs_neigh_reap(tbl->xn, &reap, true);
		cond_resched();
	}
out:
	if (!READ_ONCE(tbl->dead))
		queue_delayed_work(system_power_efficient_wq, &tbl->gc_work,
				   (unsigned long)READ_ONCE(p->gc_interval) * HZ);
}

/* Rehash into a bigger array (RCU readers may miss entries meanwhile). */
static void xs_neigh_grow_work(struct work_struct *work)
{
	struct xs_neigh_table *tbl = container_of(work, struct xs_neigh_table,
						  grow_work);
	struct xs_neigh_hash *old, *new;
	struct xs_neigh *n, *next;
	unsigned int shift, i;
	u32 b;

	spin_lock_bh(&tbl->lock);
	old = xs_neigh_hash_locked(tbl);
	shift = clamp_t(unsigned int, fls(tbl->entries), old->shift + 1,
			XS_NEIGH_HASH_SHIFT_MAX);
	if (tbl->dead || tbl->entries <= (1U << old->shift) ||
	    old->shift >= XS_NEIGH_HASH_SHIFT_MAX) {
		spin_unlock_bh(&tbl->lock);
		return;
	}
	spin_unlock_bh(&tbl->lock);

	new = xs_neigh_hash_alloc(shift);
	if (unlikely(!new))
		return;

	spin_lock_bh(&tbl->lock);
	if (tbl->dead || xs_neigh_hash_locked(tbl) != old) {
		spin_unlock_bh(&tbl->lock);
		kvfree(new);
		return;
	}
	for (i = 0; i < (1U << old->shift); i++) {
		for (n = xs_neigh_deref_locked(tbl, &old->buckets[i]); n;
		     n = next) {
			next = xs_neigh_deref_locked(tbl, &n->next);
			b = xs_neigh_hashfn(new, n->ifindex, n->ip);
			rcu_assign_pointer(n->next,
					   xs_neigh_deref_locked(tbl, &new->buckets[b]));
			rcu_assign_pointer(new->buckets[b], n);
		}
	}
	rcu_assign_pointer(tbl->hash, new);
	tbl->hash_gen++;
	spin_unlock_bh(&tbl->lock);
	kvfree_rcu(old, rcu);
}

/*
 * Remove the entries of @xd (every device if NULL); PERMANENT ones only
 * with @permanent. Context: process. Returns the number removed.
 */
static unsigned int xs_neigh_flush(struct xs_neigh_table *tbl,
				   const struct xs_dev *xd, bool permanent)
{
	struct xs_neigh __rcu **np;
	struct xs_neigh_hash *h;
	struct xs_neigh *n;
	unsigned int i;
	LIST_HEAD(reap);

	spin_lock_bh(&tbl->lock);
	h = xs_neigh_hash_locked(tbl);
	for (i = 0; i < (1U << h->shift); i++) {
		np = &h->buckets[i];
		while ((n = xs_neigh_deref_locked(tbl, np))) {
			if ((!xd || n->xd == xd) && (permanent || !n->exempt))
				xs_neigh_unlink(tbl, np, &reap);
			else
				np = &n->next;
		}
	}
	spin_unlock_bh(&tbl->lock);
	return xs_neigh_reap(tbl->xn, &reap, true);
}

/**
 * xs_neigh_dev_down - a device went down or is being detached
 * @xd: the device
 *
 * Removes every entry of @xd, PERMANENT ones included (as Linux's
 * neigh_ifdown() on NETDEV_DOWN), drops their queued packets and waits
 * for their timers, so nothing refers to @xd when this returns. On
 * detach, call it after the rx handler is unregistered.
 *
 * Context: process, RTNL held.
 */
void xs_neigh_dev_down(struct xs_dev *xd)
{
	struct xs_neigh_table *tbl = xd->xn->neigh;

	ASSERT_RTNL();
	if (tbl)
		xs_neigh_flush(tbl, xd, true);
}

/* ------------------------------------------------------------------ */
/* Generic netlink                                                     */
/* ------------------------------------------------------------------ */

static int xs_nl_neigh_dst(struct genl_info *info, __be32 *dst)
{
	if (GENL_REQ_ATTR_CHECK(info, XSTACK_A_DST))
		return -EINVAL;
	*dst = nla_get_be32(info->attrs[XSTACK_A_DST]);
	if (!xs_addr_is_host_unicast(*dst)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[XSTACK_A_DST],
				    "neighbour address must be unicast (not 0/8, 127/8, multicast or 240/4)");
		return -EINVAL;
	}
	return 0;
}

static int xs_nl_neigh_state(struct genl_info *info, u8 *state)
{
	struct nlattr *attr = info->attrs[XSTACK_A_NEIGH_STATE];

	*state = XSTACK_NUD_REACHABLE;
	if (!attr)
		return 0;
	switch (nla_get_u16(attr)) {
	case XSTACK_NUD_PERMANENT:
	case XSTACK_NUD_REACHABLE:
	case XSTACK_NUD_STALE:
		*state = nla_get_u16(attr);
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(info->extack, attr,
			    "state must be PERMANENT, REACHABLE or STALE");
	return -EINVAL;
}

/* The attached ARP device named in a request. RTNL held. */
static struct xs_dev *xs_nl_neigh_xdev(struct net *net, struct nlattr **attrs,
				       struct netlink_ext_ack *extack)
{
	struct xs_dev *xd = xs_nl_xdev(net, attrs, extack);

	if (IS_ERR(xd))
		return xd;
	if (xd->noarp || (xd->dev->flags & IFF_NOARP)) {
		NL_SET_ERR_MSG(extack,
			       "device does not use ARP (L3 or NOARP device)");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return xd;
}

/* Create or replace the entry; RTNL held, so @xd stays attached. */
static int xs_neigh_admin_add(struct xs_neigh_table *tbl, struct xs_dev *xd,
			      __be32 ip, const u8 *lladdr, u8 state,
			      struct netlink_ext_ack *extack)
{
	bool exempt = state == XSTACK_NUD_PERMANENT;
	struct sk_buff_head flushq;
	u8 ha[ETH_ALEN] __aligned(2);
	struct xs_neigh *n;
	int tries;

	__skb_queue_head_init(&flushq);
	for (tries = 0; tries < 3; tries++) {
		n = xs_neigh_get(tbl, xd, ip, true, exempt);
		if (IS_ERR(n)) {
			NL_SET_ERR_MSG(extack,
				       "neighbour table full (net.xstack.neigh.gc_thresh3) or out of memory");
			return PTR_ERR(n);
		}
		spin_lock_bh(&tbl->lock);
		spin_lock(&n->lock);
		if (likely(!n->dead)) {
			__xs_neigh_update(n, lladdr, state,
					  XS_NEIGH_F_OVERRIDE | XS_NEIGH_F_ADMIN,
					  &flushq, ha);
			if (n->exempt && !exempt) {
				list_add_tail(&n->gc_list, &tbl->gc_list);
				WRITE_ONCE(tbl->gc_entries, tbl->gc_entries + 1);
			} else if (!n->exempt && exempt) {
				list_del_init(&n->gc_list);
				WRITE_ONCE(tbl->gc_entries, tbl->gc_entries - 1);
			}
			n->exempt = exempt;
			spin_unlock(&n->lock);
			spin_unlock_bh(&tbl->lock);
			xs_neigh_put(n);
			xs_neigh_xmit_queue(xd, &flushq, ha);
			return 0;
		}
		spin_unlock(&n->lock);
		spin_unlock_bh(&tbl->lock);
		xs_neigh_put(n);
	}
	NL_SET_ERR_MSG(extack, "neighbour entry busy, try again");
	return -EAGAIN;
}

/**
 * xs_nl_neigh_add - XSTACK_CMD_NEIGH_ADD: add or replace a neighbour
 * @skb: request
 * @info: request attributes: XSTACK_A_DST, XSTACK_A_LLADDR, the device
 *	(XSTACK_A_IFINDEX or XSTACK_A_IFNAME), optional XSTACK_A_NEIGH_STATE
 *	(XSTACK_NUD_PERMANENT, _REACHABLE (default) or _STALE)
 *
 * Return: 0, -EINVAL (bad attribute), -ENODEV (no such device), -ENOENT
 * (not attached), -EOPNOTSUPP (device without ARP) or -ENOBUFS (table
 * full).
 */
int xs_nl_neigh_add(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr *ll_attr;
	struct xs_dev *xd;
	const u8 *lladdr;
	__be32 dst;
	u8 state;
	int err;

	err = xs_nl_neigh_dst(info, &dst);
	if (unlikely(err))
		return err;
	if (GENL_REQ_ATTR_CHECK(info, XSTACK_A_LLADDR))
		return -EINVAL;
	ll_attr = info->attrs[XSTACK_A_LLADDR];
	if (nla_len(ll_attr) != ETH_ALEN) {
		NL_SET_ERR_MSG_ATTR(info->extack, ll_attr,
				    "link-layer address must be 6 bytes (Ethernet)");
		return -EINVAL;
	}
	lladdr = nla_data(ll_attr);
	if (!is_valid_ether_addr(lladdr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, ll_attr,
				    "link-layer address must be unicast and not zero");
		return -EINVAL;
	}
	err = xs_nl_neigh_state(info, &state);
	if (unlikely(err))
		return err;

	rtnl_lock();
	xd = xs_nl_neigh_xdev(net, info->attrs, info->extack);
	if (IS_ERR(xd)) {
		err = PTR_ERR(xd);
		goto out;
	}
	rcu_read_lock();
	if (xs_addr_is_broadcast_rcu(xd, dst)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[XSTACK_A_DST],
				    "neighbour address is a broadcast address of the device");
		err = -EINVAL;
	}
	rcu_read_unlock();
	if (!err)
		err = xs_neigh_admin_add(xs_net(net)->neigh, xd, dst, lladdr,
					 state, info->extack);
out:
	rtnl_unlock();
	return err;
}

/**
 * xs_nl_neigh_del - XSTACK_CMD_NEIGH_DEL: delete a neighbour
 * @skb: request
 * @info: XSTACK_A_DST and the device
 *
 * Deletes the entry whatever its state, PERMANENT included, and drops
 * the packets queued on it.
 *
 * Return: 0, -EINVAL, -ENODEV, -ENOENT (device not attached, or no such
 * entry) or -EOPNOTSUPP.
 */
int xs_nl_neigh_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct xs_neigh_table *tbl = xs_net(net)->neigh;
	struct xs_neigh __rcu **np;
	struct xs_dev *xd;
	LIST_HEAD(reap);
	__be32 dst;
	int err;

	err = xs_nl_neigh_dst(info, &dst);
	if (unlikely(err))
		return err;

	rtnl_lock();
	xd = xs_nl_neigh_xdev(net, info->attrs, info->extack);
	if (IS_ERR(xd)) {
		err = PTR_ERR(xd);
		goto out;
	}
	spin_lock_bh(&tbl->lock);
	np = xs_neigh_find_locked(tbl, xd, dst);
	if (np)
		xs_neigh_unlink(tbl, np, &reap);
	spin_unlock_bh(&tbl->lock);
	if (!np) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[XSTACK_A_DST],
				    "no such neighbour entry on this device");
		err = -ENOENT;
		goto out;
	}
	xs_neigh_reap(tbl->xn, &reap, true);
out:
	rtnl_unlock();
	return err;
}

/**
 * xs_nl_neigh_flush - XSTACK_CMD_NEIGH_FLUSH: remove dynamic entries
 * @skb: request
 * @info: optional device
 *
 * Removes every entry that is not PERMANENT, of one device or of all.
 *
 * Return: 0, or the device lookup errors of xs_nl_neigh_add().
 */
int xs_nl_neigh_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct xs_dev *xd = NULL;
	int err = 0;

	rtnl_lock();
	if (info->attrs[XSTACK_A_IFINDEX] || info->attrs[XSTACK_A_IFNAME]) {
		xd = xs_nl_neigh_xdev(net, info->attrs, info->extack);
		if (IS_ERR(xd)) {
			err = PTR_ERR(xd);
			goto out;
		}
	}
	xs_neigh_flush(xs_net(net)->neigh, xd, false);
out:
	rtnl_unlock();
	return err;
}

static int xs_nl_neigh_fill(struct sk_buff *skb, struct xs_neigh *n,
			    struct net *net, const struct genl_info *info,
			    struct netlink_callback *cb)
{
	struct net_device *dev;
	u8 ha[ETH_ALEN] __aligned(2);
	unsigned long confirmed;
	u8 state, probes;
	void *hdr;

	dev = dev_get_by_index_rcu(net, n->ifindex);
	spin_lock_bh(&n->lock);
	state = n->state;
	probes = n->probes;
	confirmed = READ_ONCE(n->confirmed);
	ether_addr_copy(ha, n->ha);
	spin_unlock_bh(&n->lock);
	/* Being created, or its device is going away. */
	if (state == XS_NUD_NONE || !dev)
		return 0;

	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq, info->family,
			  NLM_F_MULTI, XSTACK_CMD_NEIGH_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_be32(skb, XSTACK_A_DST, n->ip) ||
	    nla_put_u32(skb, XSTACK_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, XSTACK_A_IFNAME, dev->name) ||
	    nla_put_u16(skb, XSTACK_A_NEIGH_STATE, state) ||
	    nla_put_u32(skb, XSTACK_A_NEIGH_PROBES, probes) ||
	    nla_put_u32(skb, XSTACK_A_NEIGH_AGE,
			jiffies_to_msecs(jiffies - confirmed)))
		goto err_cancel;
	if ((state & XS_NUD_VALID) &&
	    nla_put(skb, XSTACK_A_LLADDR, ETH_ALEN, ha))
		goto err_cancel;
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/**
 * xs_nl_neigh_dump - XSTACK_CMD_NEIGH_GET: dump the neighbour cache
 * @skb: the part being filled
 * @cb: dump state: cb->args[0] is the hash bucket and cb->args[1] the
 *	position within it where the next part resumes
 *
 * An optional device (XSTACK_A_IFINDEX or XSTACK_A_IFNAME) limits the
 * dump to its entries. Each entry carries XSTACK_A_DST, XSTACK_A_LLADDR
 * (when known), XSTACK_A_IFINDEX, XSTACK_A_IFNAME, XSTACK_A_NEIGH_STATE,
 * XSTACK_A_NEIGH_PROBES and XSTACK_A_NEIGH_AGE (ms since the last
 * confirmation). A resize of the table between parts flags
 * NLM_F_DUMP_INTR.
 *
 * Return: the length of the part, 0 at the end, or a negative errno.
 */
int xs_nl_neigh_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = &genl_dumpit_info(cb)->info;
	struct net *net = sock_net(skb->sk);
	struct xs_neigh_table *tbl = xs_net(net)->neigh;
	long bucket = cb->args[0], start = cb->args[1], idx = 0;
	struct xs_neigh_hash *h;
	struct xs_neigh *n;
	struct xs_dev *xd;
	int ifindex = 0;
	int err = 0;

	if (info->attrs[XSTACK_A_IFINDEX] || info->attrs[XSTACK_A_IFNAME]) {
		rtnl_lock();
		xd = xs_nl_neigh_xdev(net, info->attrs, cb->extack);
		if (!IS_ERR(xd))
			ifindex = xd->dev->ifindex;
		rtnl_unlock();
		if (IS_ERR(xd))
			return PTR_ERR(xd);
	}

	rcu_read_lock();
	h = rcu_dereference(tbl->hash);
	/* Bucket positions mean nothing across a resize. */
	cb->seq = READ_ONCE(tbl->hash_gen) + 1;
	for (; bucket < (1L << h->shift); bucket++, start = 0) {
		idx = 0;
		for (n = rcu_dereference(h->buckets[bucket]); n;
		     n = rcu_dereference(n->next), idx++) {
			if (idx < start || (ifindex && n->ifindex != ifindex))
				continue;
			err = xs_nl_neigh_fill(skb, n, net, info, cb);
			if (err)
				goto out;
		}
	}
out:
	rcu_read_unlock();
	cb->args[0] = bucket;
	cb->args[1] = idx;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* ------------------------------------------------------------------ */
/* Per-namespace set-up                                                */
/* ------------------------------------------------------------------ */

static int xs_neigh_ms_min = 10;
static int xs_neigh_reach_ms_min = 100;
static int xs_neigh_ms_max = 3600 * 1000;
static int xs_neigh_secs_max = 3600;
static int xs_neigh_stale_max = 7 * 24 * 3600;
static int xs_neigh_solicit_max = 255;
static int xs_neigh_qlen_max = 64 << 20;
static int xs_neigh_thresh_max = XS_NEIGH_THRESH_MAX;

#define XS_NEIGH_SYSCTL(name, min, max) {				\
	.procname = #name,						\
	.data = XS_SYSCTL_OFF(struct xs_neigh_table, parms.name),	\
	.maxlen = sizeof(int),						\
	.mode = 0644,							\
	.proc_handler = proc_dointvec_minmax,				\
	.extra1 = (min),						\
	.extra2 = (max),						\
}

/* A new gc_interval takes effect now, not after the old one elapsed. */
static int xs_neigh_gc_interval_sysctl(const struct ctl_table *table,
				       int write, void *buffer, size_t *lenp,
				       loff_t *ppos)
{
	struct xs_neigh_table *tbl = container_of((int *)table->data,
						  struct xs_neigh_table,
						  parms.gc_interval);
	int ret;

	ret = proc_dointvec_minmax(table, write, buffer, lenp, ppos);
	if (!ret && write)
		mod_delayed_work(system_power_efficient_wq, &tbl->gc_work,
				 (unsigned long)READ_ONCE(tbl->parms.gc_interval) * HZ);
	return ret;
}

static const struct ctl_table xs_neigh_sysctl_template[] = {
	XS_NEIGH_SYSCTL(base_reachable_time_ms, &xs_neigh_reach_ms_min,
			&xs_neigh_ms_max),
	XS_NEIGH_SYSCTL(retrans_time_ms, &xs_neigh_ms_min, &xs_neigh_ms_max),
	XS_NEIGH_SYSCTL(delay_first_probe_time, SYSCTL_ONE,
			&xs_neigh_secs_max),
	XS_NEIGH_SYSCTL(mcast_solicit, SYSCTL_ONE, &xs_neigh_solicit_max),
	XS_NEIGH_SYSCTL(ucast_solicit, SYSCTL_ONE, &xs_neigh_solicit_max),
	XS_NEIGH_SYSCTL(unres_qlen_bytes, SYSCTL_ZERO, &xs_neigh_qlen_max),
	XS_NEIGH_SYSCTL(gc_stale_time, SYSCTL_ONE, &xs_neigh_stale_max),
	XS_NEIGH_SYSCTL(gc_thresh1, SYSCTL_ZERO, &xs_neigh_thresh_max),
	XS_NEIGH_SYSCTL(gc_thresh2, SYSCTL_ZERO, &xs_neigh_thresh_max),
	XS_NEIGH_SYSCTL(gc_thresh3, SYSCTL_ZERO, &xs_neigh_thresh_max),
	{
		.procname = "gc_interval",
		.data = XS_SYSCTL_OFF(struct xs_neigh_table, parms.gc_interval),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = xs_neigh_gc_interval_sysctl,
		.extra1 = SYSCTL_ONE,
		.extra2 = &xs_neigh_secs_max,
	},
};

/* Linux's arp_tbl defaults. */
static const struct xs_neigh_parms xs_neigh_defaults = {
	.base_reachable_time_ms	= 30 * 1000,
	.retrans_time_ms	= 1000,
	.delay_first_probe_time	= 5,
	.mcast_solicit		= 3,
	.ucast_solicit		= 3,
	.unres_qlen_bytes	= SK_WMEM_MAX,
	.gc_stale_time		= 60,
	.gc_thresh1		= 128,
	.gc_thresh2		= 512,
	.gc_thresh3		= 1024,
	.gc_interval		= 30,
};

/**
 * xs_neigh_table_init - create a namespace's neighbour cache
 * @xn: namespace state
 *
 * Allocates the table and its hash array, registers
 * net.xstack.neigh.* and starts the periodic garbage collection.
 *
 * Context: process.
 * Return: 0 or -ENOMEM.
 */
int xs_neigh_table_init(struct xs_net *xn)
{
	struct xs_neigh_table *tbl;
	struct xs_neigh_hash *h;

	tbl = kzalloc(sizeof(*tbl), GFP_KERNEL);
	if (unlikely(!tbl))
		return -ENOMEM;
	h = xs_neigh_hash_alloc(XS_NEIGH_HASH_SHIFT_MIN);
	if (unlikely(!h))
		goto err_hash;
	tbl->xn = xn;
	tbl->parms = xs_neigh_defaults;
	spin_lock_init(&tbl->lock);
	RCU_INIT_POINTER(tbl->hash, h);
	INIT_LIST_HEAD(&tbl->gc_list);
	INIT_LIST_HEAD(&tbl->announces);
	tbl->last_flush = jiffies;
	INIT_DELAYED_WORK(&tbl->gc_work, xs_neigh_gc_work);
	INIT_WORK(&tbl->grow_work, xs_neigh_grow_work);
	tbl->sysctl_hdr = xs_sysctl_register(xn, "net/xstack/neigh",
					     xs_neigh_sysctl_template,
					     ARRAY_SIZE(xs_neigh_sysctl_template),
					     tbl);
	if (unlikely(!tbl->sysctl_hdr))
		goto err_sysctl;
	xn->neigh = tbl;
	queue_delayed_work(system_power_efficient_wq, &tbl->gc_work,
			   (unsigned long)tbl->parms.gc_interval * HZ);
	return 0;

err_sysctl:
	kvfree(h);
err_hash:
	kfree(tbl);
	return -ENOMEM;
}

/**
 * xs_neigh_table_exit - destroy a namespace's neighbour cache
 * @xn: namespace state
 *
 * Stops garbage collection, announcements and every entry timer (waiting
 * for running ones), drops all queued packets and frees the entries
 * after an RCU grace period.
 *
 * Context: process.
 */
void xs_neigh_table_exit(struct xs_net *xn)
{
	struct xs_neigh_table *tbl = xn->neigh;
	struct xs_neigh_hash *h;

	if (!tbl)
		return;
	xs_sysctl_unregister(tbl->sysctl_hdr);
	spin_lock_bh(&tbl->lock);
	tbl->dead = true;
	spin_unlock_bh(&tbl->lock);
	cancel_delayed_work_sync(&tbl->gc_work);
	cancel_work_sync(&tbl->grow_work);
	xs_arp_announce_flush(tbl);
	xs_neigh_flush(tbl, NULL, true);
	WARN_ON_ONCE(tbl->entries || tbl->gc_entries);
	xn->neigh = NULL;
	h = rcu_dereference_protected(tbl->hash, true);
	kvfree_rcu(h, rcu);
	kfree_rcu(tbl, rcu);
}
