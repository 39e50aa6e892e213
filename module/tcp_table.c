// SPDX-License-Identifier: GPL-2.0
/*
 * TCP tables of a namespace: the established table (an rhashtable of
 * 4-tuples holding full sockets, request objects and TIME-WAIT objects,
 * so a lookup costs the same at 100,000 connections as at one), the
 * listening table (by port, Linux's scoring and SO_REUSEPORT groups),
 * the bound-port table with Linux's bind-conflict rules, ephemeral port
 * selection for connect() (RFC 6056 3.3.3, "double-hash"), initial
 * sequence numbers (RFC 6528) and timestamp offsets (RFC 7323 5.4), and
 * the per-namespace challenge-ACK budget (RFC 5961 7).
 *
 * Locking: the established table is an rhashtable (per-bucket locks,
 * RCU readers). The bound-port and listening tables are written under
 * xs_tcp_table.lock (BH-safe) and the listening table is read under RCU.
 * Entries of the established table hold a reference on their object.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include "tcp.h"
#include "xstack.h"

static const struct rhashtable_params xs_tcp_ehash_params = {
	.key_len = sizeof(struct xs_tcp_key),
	.key_offset = offsetof(struct xs_tcp_ent, key),
	.head_offset = offsetof(struct xs_tcp_ent, node),
	.automatic_shrinking = true,
	.min_size = 256,
};

/**
 * xs_tcp_table - the TCP tables of a socket's namespace
 * @sk: the socket
 *
 * Return: the table.
 */
struct xs_tcp_table *xs_tcp_table(const struct sock *sk)
{
	return xs_net(sock_net(sk))->tcp;
}

/**
 * xs_tcp_key_of - the established-table key of a connected socket
 * @sk: the socket
 * @key: filled in
 */
void xs_tcp_key_of(const struct sock *sk, struct xs_tcp_key *key)
{
	memset(key, 0, sizeof(*key));
	key->raddr = sk->sk_daddr;
	key->laddr = sk->sk_rcv_saddr;
	key->rport = sk->sk_dport;
	key->lport = htons(sk->sk_num);
}

/**
 * xs_tcp_ehash_lookup - find a 4-tuple in the established table
 * @t: the table
 * @key: the 4-tuple
 *
 * Context: rcu_read_lock held. No reference is taken.
 * Return: the entry or NULL.
 */
struct xs_tcp_ent *xs_tcp_ehash_lookup(struct xs_tcp_table *t,
				       const struct xs_tcp_key *key)
{
	return rhashtable_lookup(&t->ehash, key, xs_tcp_ehash_params);
}

/* /proc/net/xstack/sockstat: sockets and TIME-WAIT objects hashed. */
static void xs_tcp_ehash_count(struct xs_tcp_table *t,
			       const struct xs_tcp_ent *ent, int delta)
{
	if (ent->kind == XS_TCP_ENT_SOCK)
		atomic_add(delta, &t->inuse);
	else if (ent->kind == XS_TCP_ENT_TW)
		atomic_add(delta, &t->tw_count);
}

/**
 * xs_tcp_ehash_insert - add an entry unless its 4-tuple is taken
 * @t: the table
 * @ent: the entry (its owner's reference is the caller's business)
 *
 * Return: 0, -EADDRNOTAVAIL when the 4-tuple is in use, or -ENOMEM.
 */
int xs_tcp_ehash_insert(struct xs_tcp_table *t, struct xs_tcp_ent *ent)
{
	int err = rhashtable_lookup_insert_fast(&t->ehash, &ent->node,
						xs_tcp_ehash_params);

	if (!err)
		xs_tcp_ehash_count(t, ent, 1);
	return err == -EEXIST ? -EADDRNOTAVAIL : err;
}

/**
 * xs_tcp_ehash_remove - remove an entry
 * @t: the table
 * @ent: the entry, in the table
 */
void xs_tcp_ehash_remove(struct xs_tcp_table *t, struct xs_tcp_ent *ent)
{
	if (!rhashtable_remove_fast(&t->ehash, &ent->node,
				    xs_tcp_ehash_params))
		xs_tcp_ehash_count(t, ent, -1);
}

/**
 * xs_tcp_ehash_replace - put @new where @old is, atomically for readers
 * @t: the table
 * @old: the entry in the table
 * @new: an entry with the same key
 *
 * Return: 0 or -ENOENT when @old was not in the table.
 */
int xs_tcp_ehash_replace(struct xs_tcp_table *t, struct xs_tcp_ent *old,
			 struct xs_tcp_ent *new)
{
	int err = rhashtable_replace_fast(&t->ehash, &old->node, &new->node,
					  xs_tcp_ehash_params);

	if (!err) {
		xs_tcp_ehash_count(t, old, -1);
		xs_tcp_ehash_count(t, new, 1);
	}
	return err;
}

/**
 * xs_tcp_hash_sk - enter a connected socket into the established table
 * @sk: the socket, its 4-tuple set
 *
 * Used when the 4-tuple was checked by the caller (a child replacing
 * its request object does not come here). The table holds a reference.
 */
void xs_tcp_hash_sk(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	if (xs->hashed)
		return;
	xs_tcp_key_of(sk, &xs->ent.key);
	xs->ent.kind = XS_TCP_ENT_SOCK;
	if (!xs_tcp_ehash_insert(xs_tcp_table(sk), &xs->ent)) {
		sock_hold(sk);
		xs->hashed = true;
	}
}

/**
 * xs_tcp_unhash_sk - take a socket out of the established table
 * @sk: the socket
 *
 * Drops the table's reference; the caller holds another one.
 */
void xs_tcp_unhash_sk(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	if (!xs->hashed)
		return;
	xs_tcp_ehash_remove(xs_tcp_table(sk), &xs->ent);
	xs->hashed = false;
	__sock_put(sk);
}

/* Bound ports */

static struct hlist_head *xs_tcp_bucket(struct xs_tcp_table *t, u16 port)
{
	return &t->bhash[hash_32(port, XS_TCP_BHASH_BITS)];
}

/**
 * xs_tcp_bnode_fill - describe a socket's binding
 * @b: the node
 * @sk: the socket
 * @port: the port it binds
 */
void xs_tcp_bnode_fill(struct xs_tcp_bnode *b, struct sock *sk, u16 port)
{
	b->port = port;
	b->addr = sk->sk_rcv_saddr;
	b->dif = sk->sk_bound_dev_if;
	b->reuse = sk->sk_reuse;
	b->reuseport = sk->sk_reuseport;
	b->uid = sock_i_uid(sk);
	b->sk = sk;
}

static bool xs_tcp_is_listen(const struct xs_tcp_bnode *b)
{
	return b->sk && b->sk->sk_state == TCP_LISTEN;
}

/*
 * Linux's inet_bind_conflict(): bindings on one port conflict when
 * their devices and addresses overlap, unless both have SO_REUSEADDR and
 * the other one does not listen, or both have SO_REUSEPORT from the same
 * user (any user for a TIME-WAIT).
 */
static bool xs_tcp_conflict(const struct xs_tcp_bnode *a,
			    const struct xs_tcp_bnode *b)
{
	if (a == b || a->port != b->port)
		return false;
	if (a->dif && b->dif && a->dif != b->dif)
		return false;
	if (a->addr && b->addr && a->addr != b->addr)
		return false;
	if (a->reuse && b->reuse && !xs_tcp_is_listen(b))
		return false;
	if (a->reuseport && b->reuseport &&
	    (!b->sk || uid_eq(a->uid, b->uid)))
		return false;
	return true;
}

static bool xs_tcp_port_free(struct xs_tcp_table *t,
			     const struct xs_tcp_bnode *me)
{
	struct xs_tcp_bnode *b;

	hlist_for_each_entry(b, xs_tcp_bucket(t, me->port), node)
		if (xs_tcp_conflict(me, b))
			return false;
	return true;
}

static bool xs_tcp_port_unused(struct xs_tcp_table *t, u16 port)
{
	struct xs_tcp_bnode *b;

	hlist_for_each_entry(b, xs_tcp_bucket(t, port), node)
		if (b->port == port)
			return false;
	return true;
}

/* RFC 6056 3.3.1 for bind(port 0): random start, first unused port. */
static u16 xs_tcp_pick_port(struct xs_tcp_table *t, struct xs_tcp_bnode *me,
			    int low, int high)
{
	u32 range = high - low + 1, off = get_random_u32_below(range), i;

	for (i = 0; i < range; i++) {
		me->port = low + (off + i) % range;
		if (xs_tcp_port_unused(t, me->port))
			return me->port;
	}
	/* Every port is in use: share one where the rules allow it. */
	for (i = 0; i < range; i++) {
		me->port = low + (off + i) % range;
		if (xs_tcp_port_free(t, me))
			return me->port;
	}
	return 0;
}

/**
 * xs_tcp_bind_port - bind a socket to a port (bind(2))
 * @sk: the socket, sk_rcv_saddr set
 * @port: the port, or 0 for an ephemeral one
 *
 * Return: 0 or -EADDRINUSE.
 */
int xs_tcp_bind_port(struct sock *sk, u16 port)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);
	struct xs_tcp_bnode *me = &xs_tcp_sk(sk)->bnode;
	int low, high, err = 0;

	xs_local_port_range(xs_net(sock_net(sk)), &low, &high);
	spin_lock_bh(&t->lock);
	xs_tcp_bnode_fill(me, sk, port);
	me->connected = 0;
	if (!port)
		port = xs_tcp_pick_port(t, me, low, high);
	else if (!xs_tcp_port_free(t, me))
		port = 0;
	if (port) {
		me->port = port;
		sk->sk_num = port;
		inet_sk(sk)->inet_sport = htons(port);
		hlist_add_head(&me->node, xs_tcp_bucket(t, port));
	} else {
		err = -EADDRINUSE;
	}
	spin_unlock_bh(&t->lock);
	return err;
}

/**
 * xs_tcp_unbind - release a socket's port
 * @sk: the socket
 */
void xs_tcp_unbind(struct sock *sk)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);
	struct xs_tcp_bnode *me = &xs_tcp_sk(sk)->bnode;

	spin_lock_bh(&t->lock);
	if (!hlist_unhashed(&me->node))
		hlist_del_init(&me->node);
	spin_unlock_bh(&t->lock);
	/* As Linux's inet_put_port(): getsockname() still tells the port. */
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
		sk->sk_num = 0;
}

/**
 * xs_tcp_bind_inherit - a child shares its listener's port
 * @child: the new socket
 * @parent: the listener
 */
void xs_tcp_bind_inherit(struct sock *child, struct sock *parent)
{
	struct xs_tcp_table *t = xs_tcp_table(child);
	struct xs_tcp_bnode *me = &xs_tcp_sk(child)->bnode;

	spin_lock_bh(&t->lock);
	xs_tcp_bnode_fill(me, child, parent->sk_num);
	me->addr = xs_tcp_sk(parent)->bnode.addr;
	me->connected = 0;
	hlist_add_head(&me->node, xs_tcp_bucket(t, me->port));
	spin_unlock_bh(&t->lock);
}

/**
 * xs_tcp_bind_add_tw - a TIME-WAIT object keeps the port of its socket
 * @t: the table
 * @tw: the object, its bnode filled from the socket
 */
void xs_tcp_bind_add_tw(struct xs_tcp_table *t, struct xs_tcp_tw *tw)
{
	spin_lock_bh(&t->lock);
	tw->bnode.sk = NULL;
	hlist_add_head(&tw->bnode.node, xs_tcp_bucket(t, tw->bnode.port));
	spin_unlock_bh(&t->lock);
}

/**
 * xs_tcp_bind_del_tw - release the port of a TIME-WAIT object
 * @t: the table
 * @tw: the object
 */
void xs_tcp_bind_del_tw(struct xs_tcp_table *t, struct xs_tcp_tw *tw)
{
	spin_lock_bh(&t->lock);
	if (!hlist_unhashed(&tw->bnode.node))
		hlist_del_init(&tw->bnode.node);
	spin_unlock_bh(&t->lock);
}

/* Whether connect() may use @port: no binding of bind() is on it. */
static bool xs_tcp_port_connectable(struct xs_tcp_table *t, u16 port)
{
	struct xs_tcp_bnode *b;

	hlist_for_each_entry(b, xs_tcp_bucket(t, port), node)
		if (b->port == port && !b->connected)
			return false;
	return true;
}

/*
 * RFC 6056 3.3.3 (Linux's __inet_hash_connect()): the search starts at
 * a keyed hash of the destination plus a counter, so that one
 * destination sees sequential ports and different ones unrelated ports;
 * a port is taken when no bind() holds it and the 4-tuple is unique.
 */
static int xs_tcp_connect_pick(struct sock *sk, struct xs_tcp_table *t)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	int low, high, err = -EADDRNOTAVAIL;
	u32 range, off, i;
	u16 port;

	xs_local_port_range(xs_net(sock_net(sk)), &low, &high);
	range = high - low + 1;
	off = siphash_3u32((__force u32)sk->sk_rcv_saddr,
			   (__force u32)sk->sk_daddr,
			   (__force u32)sk->sk_dport, &t->secret);
	off += atomic_add_return(2, &t->port_counter);
	spin_lock_bh(&t->lock);
	for (i = 0; i < range; i++) {
		port = low + (off + i) % range;
		if (!xs_tcp_port_connectable(t, port))
			continue;
		sk->sk_num = port;
		inet->inet_sport = htons(port);
		xs_tcp_key_of(sk, &xs->ent.key);
		err = xs_tcp_ehash_insert(t, &xs->ent);
		if (err == -EADDRNOTAVAIL)
			continue;
		if (err)
			break;
		xs_tcp_bnode_fill(&xs->bnode, sk, port);
		xs->bnode.connected = 1;
		hlist_add_head(&xs->bnode.node, xs_tcp_bucket(t, port));
		break;
	}
	spin_unlock_bh(&t->lock);
	if (err) {
		sk->sk_num = 0;
		inet->inet_sport = 0;
	}
	return err;
}

/**
 * xs_tcp_connect_hash - give a connecting socket its port and hash it
 * @sk: the socket, addresses and destination port set
 *
 * A socket bound by bind() keeps its port (the 4-tuple must be unique);
 * otherwise an ephemeral port is chosen.
 *
 * Return: 0, or -EADDRNOTAVAIL when no 4-tuple is free.
 */
int xs_tcp_connect_hash(struct sock *sk)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	int err;

	if (!sk->sk_num) {
		err = xs_tcp_connect_pick(sk, t);
	} else {
		xs_tcp_key_of(sk, &xs->ent.key);
		err = xs_tcp_ehash_insert(t, &xs->ent);
		if (err == -EADDRNOTAVAIL && xs_tcp_tw_takeover(sk))
			err = xs_tcp_ehash_insert(t, &xs->ent);
	}
	if (err)
		return err;
	xs->ent.kind = XS_TCP_ENT_SOCK;
	xs->hashed = true;
	sock_hold(sk);
	return 0;
}

/* Listening sockets */

static struct hlist_head *xs_tcp_lbucket(struct xs_tcp_table *t, u16 port)
{
	return &t->lhash[hash_32(port, XS_TCP_LHASH_BITS)];
}

/**
 * xs_tcp_listen_hash - start listening on the bound port
 * @sk: the socket, bound (its bnode in the port table)
 *
 * Checks the port again as a listener (Linux's inet_csk_listen_start()).
 *
 * Return: 0 or -EADDRINUSE.
 */
int xs_tcp_listen_hash(struct sock *sk)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	int err = 0;

	spin_lock_bh(&t->lock);
	xs->bnode.reuse = sk->sk_reuse;
	xs->bnode.reuseport = sk->sk_reuseport;
	if (!xs_tcp_port_free(t, &xs->bnode))
		err = -EADDRINUSE;
	else
		hlist_add_head_rcu(&xs->lnode, xs_tcp_lbucket(t, sk->sk_num));
	spin_unlock_bh(&t->lock);
	if (!err)
		atomic_inc(&t->inuse);
	return err;
}

/**
 * xs_tcp_listen_unhash - stop finding a listener
 * @sk: the socket
 */
void xs_tcp_listen_unhash(struct sock *sk)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	spin_lock_bh(&t->lock);
	if (!hlist_unhashed(&xs->lnode)) {
		hlist_del_init_rcu(&xs->lnode);
		atomic_dec(&t->inuse);
	}
	spin_unlock_bh(&t->lock);
}

static int xs_tcp_listen_score(const struct sock *sk, __be32 daddr, u16 port,
			       int dif)
{
	int score = 1;

	if (sk->sk_num != port || sk->sk_state != TCP_LISTEN)
		return -1;
	if (sk->sk_rcv_saddr) {
		if (sk->sk_rcv_saddr != daddr)
			return -1;
		score += 4;
	}
	if (sk->sk_bound_dev_if) {
		if (sk->sk_bound_dev_if != dif)
			return -1;
		score += 4;
	}
	return score;
}

/**
 * xs_tcp_listen_lookup - the listener a SYN goes to
 * @t: the table
 * @saddr: source address of the segment
 * @sport: its source port
 * @daddr: its destination address
 * @dport: its destination port
 * @dif: the receiving device
 *
 * The most specific listener wins; an SO_REUSEPORT group spreads
 * connections over its members by a hash of the 4-tuple.
 *
 * Context: rcu_read_lock held.
 * Return: the listener with a reference, or NULL.
 */
struct sock *xs_tcp_listen_lookup(struct xs_tcp_table *t, __be32 saddr,
				  __be16 sport, __be32 daddr, __be16 dport,
				  int dif)
{
	struct hlist_head *head = xs_tcp_lbucket(t, ntohs(dport));
	struct sock *result = NULL;
	struct xs_tcp_sock *xs;
	unsigned int n = 0;
	int score, best = -1;
	u32 hash = 0;

	hlist_for_each_entry_rcu(xs, head, lnode) {
		struct sock *sk = &xs->tp.inet_conn.icsk_inet.sk;

		score = xs_tcp_listen_score(sk, daddr, ntohs(dport), dif);
		if (score < 0 || score < best)
			continue;
		if (score > best) {
			best = score;
			result = sk;
			n = 1;
			hash = jhash_3words((__force u32)saddr,
					    (__force u32)daddr,
					    (__force u32)sport, 0);
			continue;
		}
		/* Same score: a member of the reuseport group. */
		if (sk->sk_reuseport && result->sk_reuseport) {
			n++;
			if (reciprocal_scale(hash, n) == 0)
				result = sk;
		}
	}
	if (result && !refcount_inc_not_zero(&result->sk_refcnt))
		result = NULL;
	return result;
}

/* Sequence numbers and secrets */

/**
 * xs_tcp_isn - initial sequence number (RFC 6528 3)
 * @t: the table (holds the namespace's secret)
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port
 * @dport: remote port
 *
 * ISN = M + F(4-tuple, secret), M a 4-microsecond clock... as Linux,
 * whose clock ticks every 64 ns.
 *
 * Return: the ISN.
 */
u32 xs_tcp_isn(struct xs_tcp_table *t, __be32 saddr, __be32 daddr,
	       __be16 sport, __be16 dport)
{
	u32 hash = siphash_3u32((__force u32)saddr, (__force u32)daddr,
				(__force u32)sport << 16 | (__force u32)dport,
				&t->secret);

	return hash + (u32)(ktime_get_real_ns() >> 6);
}

/**
 * xs_tcp_ts_off - per-connection timestamp offset (RFC 7323 5.4)
 * @t: the table
 * @saddr: local address
 * @daddr: remote address
 *
 * Return: the offset added to our TSval clock.
 */
u32 xs_tcp_ts_off(struct xs_tcp_table *t, __be32 saddr, __be32 daddr)
{
	return siphash_2u32((__force u32)daddr, (__force u32)saddr,
			    &t->secret) ^ 0x5a5a5a5a;
}

/**
 * xs_tcp_challenge_allowed - take one challenge ACK from the budget
 * @xn: namespace
 *
 * RFC 5961 7: at most net.xstack.tcp_challenge_ack_limit per second.
 *
 * Return: true when an ACK may be sent.
 */
bool xs_tcp_challenge_allowed(struct xs_net *xn)
{
	struct xs_tcp_table *t = xn->tcp;
	u32 now = jiffies / HZ;

	if (READ_ONCE(t->challenge_stamp) != now) {
		WRITE_ONCE(t->challenge_stamp, now);
		atomic_set(&t->challenge_count,
			   READ_ONCE(t->sysctl_challenge_ack_limit));
	}
	return atomic_dec_if_positive(&t->challenge_count) >= 0;
}

/**
 * xs_tcp_table_init - allocate the tables of a namespace
 * @xn: namespace
 * @t: the zeroed table structure
 *
 * Return: 0 or -ENOMEM.
 */
int xs_tcp_table_init(struct xs_net *xn, struct xs_tcp_table *t)
{
	int err;

	spin_lock_init(&t->lock);
	get_random_bytes(&t->secret, sizeof(t->secret));
	t->bhash = kvcalloc(BIT(XS_TCP_BHASH_BITS), sizeof(*t->bhash),
			    GFP_KERNEL);
	t->lhash = kvcalloc(BIT(XS_TCP_LHASH_BITS), sizeof(*t->lhash),
			    GFP_KERNEL);
	if (unlikely(!t->bhash || !t->lhash)) {
		err = -ENOMEM;
		goto err_alloc;
	}
	err = rhashtable_init(&t->ehash, &xs_tcp_ehash_params);
	if (unlikely(err))
		goto err_alloc;
	return 0;

err_alloc:
	kvfree(t->lhash);
	kvfree(t->bhash);
	return err;
}

/**
 * xs_tcp_table_exit - free the tables of a namespace
 * @t: the table; every socket of the namespace is gone, TIME-WAIT
 *	and request objects were killed
 */
void xs_tcp_table_exit(struct xs_tcp_table *t)
{
	rhashtable_destroy(&t->ehash);
	kvfree(t->lhash);
	kvfree(t->bhash);
}
