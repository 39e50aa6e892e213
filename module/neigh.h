/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xstack neighbour cache internals, shared by neigh.c (the cache, its
 * NUD state machine, timers, garbage collection and transmit path),
 * arp.c (the ARP protocol: RFC 826 packets, RFC 5227 announcements,
 * /proc/net/xstack/arp) and the self-tests. Other files use arp.h only.
 *
 * Locking (see also the comments at each structure):
 *  - tbl->lock (spinlock, always taken with BHs disabled) serializes
 *    every change of the hash chains, the gc list, the entry counts and
 *    the announcement list. Lookups walk the chains under RCU only.
 *  - n->lock (spinlock, BHs disabled) protects an entry's state, its
 *    link-layer address, timestamps, probe count, timer and queue.
 *    n->ha is also published through n->ha_seq so that the transmit
 *    fast path copies it without the lock.
 *  - Lock order: tbl->lock, then n->lock. Nothing is transmitted and no
 *    callback runs while either lock is held.
 *  - Entries are refcounted: the table holds one reference while an
 *    entry is linked, a pending timer holds one, and every user of a
 *    looked-up entry holds one. The last put frees it after an RCU grace
 *    period. "Unreferenced" (collectable) means only the table's
 *    reference is left, so entries whose timer runs are never collected.
 */
#ifndef _XSTACK_NEIGH_H
#define _XSTACK_NEIGH_H

#include <linux/if_ether.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/seqlock.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <linux/xstack.h>

struct xs_net;
struct xs_dev;

/* An entry that was just created and has no state yet (Linux NUD_NONE). */
#define XS_NUD_NONE		0x00
/* States with a usable link-layer address. */
#define XS_NUD_VALID		(XSTACK_NUD_PERMANENT | XSTACK_NUD_REACHABLE | \
				 XSTACK_NUD_STALE | XSTACK_NUD_DELAY |	\
				 XSTACK_NUD_PROBE)
/* States whose reachability is confirmed (or not subject to NUD). */
#define XS_NUD_CONNECTED	(XSTACK_NUD_PERMANENT | XSTACK_NUD_REACHABLE)
/* States driven by the entry's timer. */
#define XS_NUD_IN_TIMER		(XSTACK_NUD_INCOMPLETE | XSTACK_NUD_REACHABLE | \
				 XSTACK_NUD_DELAY | XSTACK_NUD_PROBE)

/*
 * RFC 826 gives no rule for competing replies; like Linux (locktime),
 * the first reply wins for this long, so that several proxies answering
 * at once do not make the entry flap.
 */
#define XS_NEIGH_LOCKTIME	HZ
/* Forced GC considers entries not updated for this long (as Linux). */
#define XS_NEIGH_FORCED_GC_AGE	(5 * HZ)
/* Forced GC runs at most this often between thresh2 and thresh3. */
#define XS_NEIGH_FORCED_GC_IVAL	(5 * HZ)
/* Timers never fire sooner than this (as Linux, HZ / 100). */
#define XS_NEIGH_MIN_TIMER	(HZ / 100 ?: 1)

/* RFC 5227 section 1.1: ANNOUNCE_NUM and ANNOUNCE_INTERVAL. */
#define XS_ARP_ANNOUNCE_NUM	2
#define XS_ARP_ANNOUNCE_IVAL	(2 * HZ)

/**
 * struct xs_neigh_parms - net.xstack.neigh.* of one namespace
 * @base_reachable_time_ms: RFC 4861 BaseReachableTime; an entry stays
 *	REACHABLE for a random time in [0.5, 1.5) times this after a
 *	confirmation
 * @retrans_time_ms: interval between requests of one resolution or probe
 * @delay_first_probe_time: seconds in DELAY before the first unicast
 *	probe (RFC 4861 DELAY_FIRST_PROBE_TIME)
 * @mcast_solicit: broadcast requests before an INCOMPLETE entry fails
 * @ucast_solicit: unicast probes before a PROBE entry fails
 * @unres_qlen_bytes: bytes (truesize) queued on one unresolved entry
 * @gc_stale_time: seconds an unused STALE entry survives periodic GC
 * @gc_thresh1: periodic GC does not run below this many dynamic entries
 * @gc_thresh2: above this, creating an entry first runs a forced GC
 *	(at most every 5 s)
 * @gc_thresh3: hard limit of dynamic entries
 * @gc_interval: seconds between periodic GC runs
 *
 * Read with READ_ONCE() wherever used: sysctl writes are not locked.
 */
struct xs_neigh_parms {
	int base_reachable_time_ms;
	int retrans_time_ms;
	int delay_first_probe_time;
	int mcast_solicit;
	int ucast_solicit;
	int unres_qlen_bytes;
	int gc_stale_time;
	int gc_thresh1;
	int gc_thresh2;
	int gc_thresh3;
	int gc_interval;
};

/**
 * struct xs_neigh - one neighbour cache entry, keyed by (@xd, @ip)
 * @next: hash chain (RCU; written under tbl->lock)
 * @xd: device the neighbour is on
 * @ip: its IPv4 address
 * @ifindex: @xd's ifindex when created (hashing, dumps)
 * @tbl: owning table
 * @lock: protects all fields below except @used and @refcnt
 * @ha_seq: lets readers copy @ha without @lock
 * @ha: link-layer address, meaningful in XS_NUD_VALID states
 * @state: XSTACK_NUD_* or XS_NUD_NONE (written under @lock, read locklessly
 *	with READ_ONCE() by the fast path)
 * @probes: requests sent in the current resolution or probe
 * @dead: unlinked from the table; nothing may be queued or armed anymore
 * @exempt: PERMANENT: not counted against the gc thresholds, not on
 *	@gc_list (tbl->lock)
 * @confirmed: last reachability confirmation (jiffies)
 * @updated: last change of state or address (jiffies)
 * @used: last transmission through the entry (jiffies, lockless)
 * @reach_time: randomized reachable time of the current REACHABLE period
 * @timer: the state machine's timer (holds a reference while pending)
 * @queue: packets waiting for resolution (INCOMPLETE only)
 * @queue_bytes: sum of the truesize of @queue
 * @gc_list: position in tbl->gc_list, or in a private reap list after
 *	unlinking (tbl->lock)
 * @refcnt: references (see neigh.h)
 * @rcu: deferred free
 */
struct xs_neigh {
	struct xs_neigh __rcu *next;
	struct xs_dev *xd;
	__be32 ip;
	int ifindex;
	struct xs_neigh_table *tbl;
	spinlock_t lock;		/* the fields below, see above */
	seqcount_spinlock_t ha_seq;
	u8 ha[ETH_ALEN] __aligned(2);
	u8 state;
	u8 probes;
	bool dead;
	bool exempt;
	unsigned long confirmed;
	unsigned long updated;
	unsigned long used;
	unsigned long reach_time;
	struct timer_list timer;
	struct sk_buff_head queue;
	unsigned int queue_bytes;
	struct list_head gc_list;
	refcount_t refcnt;
	struct rcu_head rcu;
};

/**
 * struct xs_neigh_hash - bucket array of the neighbour cache
 * @shift: log2 of the number of buckets
 * @key: hash key (random per array, so chains cannot be predicted)
 * @rcu: deferred free after a resize
 * @buckets: singly linked RCU chains
 */
struct xs_neigh_hash {
	unsigned int shift;
	hsiphash_key_t key;
	struct rcu_head rcu;
	struct xs_neigh __rcu *buckets[];
};

/**
 * struct xs_neigh_table - neighbour cache of one namespace (xn->neigh)
 * @xn: namespace state
 * @parms: sysctls
 * @lock: serializes writers (see neigh.h)
 * @hash: bucket array (RCU; replaced by the grow work under @lock)
 * @hash_gen: bumped when @hash is replaced (dump consistency)
 * @entries: linked entries (@lock)
 * @gc_entries: linked entries that are not PERMANENT (@lock; read with
 *	READ_ONCE() elsewhere)
 * @gc_list: dynamic entries, oldest first (@lock)
 * @last_flush: last forced GC (jiffies, @lock)
 * @announces: pending RFC 5227 announcements (struct xs_arp_ann, @lock)
 * @gc_work: periodic garbage collection
 * @grow_work: grows @hash in process context
 * @sysctl_hdr: net.xstack.neigh.*
 * @dead: namespace exiting: no new entries, timers or work (@lock)
 * @rcu: deferred free
 */
struct xs_neigh_table {
	struct xs_net *xn;
	struct xs_neigh_parms parms;
	spinlock_t lock;		/* writers, see neigh.h */
	struct xs_neigh_hash __rcu *hash;
	unsigned int hash_gen;
	unsigned int entries;
	unsigned int gc_entries;
	struct list_head gc_list;
	unsigned long last_flush;
	struct list_head announces;
	struct delayed_work gc_work;
	struct work_struct grow_work;
	struct ctl_table_header *sysctl_hdr;
	bool dead;
	struct rcu_head rcu;
};

/* Update flags of xs_neigh_update(). */
#define XS_NEIGH_F_OVERRIDE	BIT(0)	/* a different address replaces ours */
#define XS_NEIGH_F_LOCKTIME	BIT(1)	/* override unless updated < 1 s ago */
#define XS_NEIGH_F_ADMIN	BIT(2)	/* from netlink: may change PERMANENT */

/**
 * struct xs_arp_eth - an ARP packet for IPv4 over Ethernet (RFC 826)
 * @hrd: hardware type, ARPHRD_ETHER
 * @pro: protocol type, ETH_P_IP
 * @hln: hardware address length, 6
 * @pln: protocol address length, 4
 * @op: ARPOP_REQUEST or ARPOP_REPLY
 * @sha: sender hardware address
 * @sip: sender protocol address
 * @tha: target hardware address
 * @tip: target protocol address
 */
struct xs_arp_eth {
	__be16 hrd;
	__be16 pro;
	u8 hln;
	u8 pln;
	__be16 op;
	u8 sha[ETH_ALEN];
	__be32 sip;
	u8 tha[ETH_ALEN];
	__be32 tip;
} __packed __aligned(2);

/**
 * enum xs_arp_verdict - what xs_arp_check() thinks of a received packet
 * @XS_ARP_OK: well formed request or reply
 * @XS_ARP_MALFORMED: wrong hardware/protocol type or address lengths,
 *	or a sender that cannot be a neighbour (multicast, broadcast or zero
 *	hardware address; multicast, loopback, reserved or limited broadcast
 *	protocol address; zero protocol address in a reply)
 * @XS_ARP_OWN_MAC: sent with our own hardware address (a loop, or the
 *	native stack's frame reflected to us)
 * @XS_ARP_OTHER_OP: an operation other than request and reply (InARP,
 *	...): not ours to handle
 */
enum xs_arp_verdict {
	XS_ARP_OK,
	XS_ARP_MALFORMED,
	XS_ARP_OWN_MAC,
	XS_ARP_OTHER_OP,
};

/**
 * struct xs_nud_timing - timer parameters of one state machine step, in
 *	jiffies (from struct xs_neigh_parms)
 * @retrans: retrans_time_ms
 * @delay_probe: delay_first_probe_time
 * @reach: the randomized reachable time to use if the step enters
 *	REACHABLE
 * @mcast_solicit: mcast_solicit
 * @ucast_solicit: ucast_solicit
 */
struct xs_nud_timing {
	unsigned long retrans;
	unsigned long delay_probe;
	unsigned long reach;
	unsigned int mcast_solicit;
	unsigned int ucast_solicit;
};

/**
 * struct xs_nud_snap - the part of an entry the state machine decides on
 * @state: XSTACK_NUD_*
 * @probes: requests sent so far in INCOMPLETE or PROBE
 * @confirmed: last confirmation
 * @used: last use
 * @reach_time: reachable time of the current REACHABLE period
 */
struct xs_nud_snap {
	u8 state;
	u8 probes;
	unsigned long confirmed;
	unsigned long used;
	unsigned long reach_time;
};

/**
 * enum xs_nud_action - what to do after a timer step
 * @XS_NUD_ACT_NONE: nothing
 * @XS_NUD_ACT_BCAST: broadcast an ARP request (INCOMPLETE)
 * @XS_NUD_ACT_UCAST: unicast an ARP request to the cached address (PROBE)
 * @XS_NUD_ACT_FAIL: resolution failed: drop and report the queue
 */
enum xs_nud_action {
	XS_NUD_ACT_NONE,
	XS_NUD_ACT_BCAST,
	XS_NUD_ACT_UCAST,
	XS_NUD_ACT_FAIL,
};

/**
 * enum xs_nud_tx - what a packet to send through an entry does
 * @XS_NUD_TX_SEND: send it now with the cached address
 * @XS_NUD_TX_SEND_DELAY: STALE: send it now, enter DELAY (RFC 4861 7.3.3)
 * @XS_NUD_TX_QUEUE: INCOMPLETE: queue it, resolution is under way
 * @XS_NUD_TX_RESOLVE: new entry: queue it and start resolving
 * @XS_NUD_TX_FAILED: FAILED: drop it with EHOSTUNREACH and start
 *	resolving again for the packets that follow
 */
enum xs_nud_tx {
	XS_NUD_TX_SEND,
	XS_NUD_TX_SEND_DELAY,
	XS_NUD_TX_QUEUE,
	XS_NUD_TX_RESOLVE,
	XS_NUD_TX_FAILED,
};

/**
 * enum xs_gc_verdict - what creating an entry must do first
 * @XS_GC_CREATE: create it
 * @XS_GC_FORCE: run a forced GC, then create only below gc_thresh3
 */
enum xs_gc_verdict {
	XS_GC_CREATE,
	XS_GC_FORCE,
};

/* neigh.c: the cache */
int xs_neigh_table_init(struct xs_net *xn);
void xs_neigh_table_exit(struct xs_net *xn);
void xs_neigh_learn(struct xs_dev *xd, __be32 ip, const u8 *lladdr,
		    u8 state, unsigned int flags, bool create);

/* neigh.c: pure decisions (self-tested) */
unsigned long xs_neigh_rand_reach_time(unsigned long base, u32 rnd);
void xs_arp_mc_map(__be32 group, u8 *mac);
enum xs_nud_action xs_nud_timer_step(struct xs_nud_snap *s,
				     const struct xs_nud_timing *t,
				     unsigned long now, unsigned long *next);
u8 xs_nud_update_state(u8 old, u8 new, bool ll_differs, unsigned int flags,
		       bool *take_ll);
enum xs_nud_tx xs_nud_tx_action(u8 state);
enum xs_gc_verdict xs_neigh_gc_verdict(unsigned int gc_entries, int thresh2,
				       int thresh3, unsigned long now,
				       unsigned long last_flush);
bool xs_neigh_gc_evictable(u8 state, unsigned int refs, unsigned long used,
			   unsigned long updated, unsigned long now,
			   unsigned long stale, bool forced);
bool xs_neigh_queue_admit(unsigned int queued, unsigned int truesize,
			  unsigned int limit, unsigned int *to_free);

/* arp.c */
enum xs_arp_verdict xs_arp_check(const struct xs_arp_eth *arp,
				 const u8 *dev_addr);
int xs_arp_send(struct xs_net *xn, struct net_device *dev, u16 op,
		__be32 sip, __be32 tip, const u8 *dst_hw, const u8 *tha);
__be32 xs_arp_select_src_rcu(const struct xs_dev *xd, __be32 hint,
			     __be32 target);
int xs_arp_proc_init(struct xs_net *xn);
void xs_arp_proc_exit(struct xs_net *xn);
void xs_arp_announce_flush(struct xs_neigh_table *tbl);

#endif /* _XSTACK_NEIGH_H */
