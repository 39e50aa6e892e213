// SPDX-License-Identifier: GPL-2.0
/*
 * TCP socket diagnostics: the XSTACK_CMD_SOCK_GET dump of a namespace's
 * TCP sockets, what inet_diag/tcp_diag give "ss -tai" for native TCP and
 * xsctl shows as "xsctl sock show". One message per object, each an
 * XSTACK_A_SOCK nest: the listeners of the listening table first, then
 * the established table with its connections, SYN-RECEIVED requests and
 * TIME-WAIT entries (struct xs_tcp_ent.kind; an orphan waiting for its
 * peer's FIN is a TIME-WAIT entry, shown in its FIN-WAIT-2 substate).
 * Full sockets also carry their struct tcp_info (xs_tcp_get_info()) and
 * congestion control name.
 *
 * Locking, as inet_diag: objects are picked from the tables under RCU
 * in batches of XS_TCP_DIAG_BATCH, each with a reference taken by
 * refcount_inc_not_zero() (sockets are SOCK_RCU_FREE, requests and
 * TIME-WAIT entries are freed after a grace period, so they may be
 * looked at under RCU before the reference is taken). RCU is left, and
 * only then is each object described: a full socket under
 * lock_sock_fast(), which excludes softirq processing, timers and the
 * owner (it may sleep when a process owns the socket: never under RCU),
 * for TCP_INFO and the congestion control; the rest (addresses, queue
 * lengths) is read with READ_ONCE() as /proc and inet_diag do.
 *
 * Multi-part dumps keep an rhashtable walker and the listening-table
 * position (bucket, index in the bucket) in a state allocated by .start
 * and freed by .done; between parts the walker is stopped, so nothing
 * holds RCU while user space reads. Objects picked but not yet put in
 * a message (the skb filled up) keep their reference for the next part.
 * As with /proc/net/tcp, a table that changes between parts may make an
 * object appear twice or not at all (a resize of the established table
 * restarts its walk); a single part is a consistent snapshot of each
 * object, not of the table.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include <linux/xstack.h>
#include "tcp.h"
#include "tcp_diag.h"
#include "xstack.h"

/* Objects picked from the tables per RCU section. */
#define XS_TCP_DIAG_BATCH	16

enum xs_tcp_diag_phase {
	XS_TCP_DIAG_LISTEN,	/* the listening table */
	XS_TCP_DIAG_EHASH,	/* the established table */
	XS_TCP_DIAG_DONE,
};

/* An object with a reference: a full socket, a request or a TIME-WAIT. */
struct xs_tcp_diag_obj {
	u8 kind;		/* enum xs_tcp_ent_kind */
	union {
		struct sock *sk;
		struct xs_tcp_req *req;
		struct xs_tcp_tw *tw;
	};
};

/**
 * struct xs_tcp_diag - state of one SOCK_GET dump, across its parts
 * @iter: walker of the established table (entered by .start)
 * @states: the TCPF_* states wanted
 * @phase: enum xs_tcp_diag_phase
 * @lbucket: listening-table bucket being dumped
 * @lpos: listeners of @lbucket already picked
 * @n: objects in @batch
 * @next: the first of @batch not yet in a message
 * @batch: objects picked, each with a reference
 */
struct xs_tcp_diag {
	struct rhashtable_iter iter;
	u32 states;
	u8 phase;
	unsigned int lbucket;
	unsigned int lpos;
	unsigned int n;
	unsigned int next;
	struct xs_tcp_diag_obj batch[XS_TCP_DIAG_BATCH];
};

/* What lives in cb->ctx. */
struct xs_tcp_diag_ctx {
	struct xs_tcp_diag *d;
};

static struct xs_tcp_diag *xs_tcp_diag_of(struct netlink_callback *cb)
{
	return ((struct xs_tcp_diag_ctx *)cb->ctx)->d;
}

static struct sock *xs_tcp_ent_sk(struct xs_tcp_ent *ent)
{
	return &container_of(ent, struct xs_tcp_sock, ent)->tp.inet_conn.icsk_inet.sk;
}

static bool xs_tcp_diag_wants(const struct xs_tcp_diag *d, int state)
{
	return d->states & BIT(state);
}

/* A TIME-WAIT entry's state as shown: its substate, as inet_diag. */
static int xs_tcp_tw_state(const struct xs_tcp_tw *tw)
{
	return READ_ONCE(tw->substate) == TCP_FIN_WAIT2 ? TCP_FIN_WAIT2 :
							  TCP_TIME_WAIT;
}

static void xs_tcp_diag_put(struct xs_tcp_diag_obj *o)
{
	switch (o->kind) {
	case XS_TCP_ENT_SOCK:
		sock_put(o->sk);
		break;
	case XS_TCP_ENT_REQ:
		xs_tcp_req_put(o->req);
		break;
	case XS_TCP_ENT_TW:
		xs_tcp_tw_put(o->tw);
		break;
	}
}

/* Take a reference on @sk for the batch. Context: RCU. */
static void xs_tcp_diag_hold_sk(struct xs_tcp_diag *d, struct sock *sk)
{
	struct xs_tcp_diag_obj *o = &d->batch[d->n];

	if (!xs_tcp_diag_wants(d, inet_sk_state_load(sk)) ||
	    !refcount_inc_not_zero(&sk->sk_refcnt))
		return;
	o->kind = XS_TCP_ENT_SOCK;
	o->sk = sk;
	d->n++;
}

/* The next listeners, from bucket @d->lbucket on. Context: RCU. */
static void xs_tcp_diag_pick_listen(struct xs_tcp_table *t,
				    struct xs_tcp_diag *d)
{
	struct xs_tcp_sock *xs;
	unsigned int i;

	for (; d->lbucket < BIT(XS_TCP_LHASH_BITS); d->lbucket++, d->lpos = 0) {
		i = 0;
		hlist_for_each_entry_rcu(xs, &t->lhash[d->lbucket], lnode) {
			if (i++ < d->lpos)
				continue;
			if (d->n == XS_TCP_DIAG_BATCH)
				return;
			d->lpos = i;
			xs_tcp_diag_hold_sk(d, &xs->tp.inet_conn.icsk_inet.sk);
		}
	}
	d->phase = XS_TCP_DIAG_EHASH;
}

/* Take a reference on the object of @ent for the batch. Context: RCU. */
static void xs_tcp_diag_hold_ent(struct xs_tcp_diag *d, struct xs_tcp_ent *ent)
{
	struct xs_tcp_diag_obj *o = &d->batch[d->n];
	struct xs_tcp_req *req;
	struct xs_tcp_tw *tw;

	switch (ent->kind) {
	case XS_TCP_ENT_SOCK:
		xs_tcp_diag_hold_sk(d, xs_tcp_ent_sk(ent));
		return;
	case XS_TCP_ENT_REQ:
		req = container_of(ent, struct xs_tcp_req, ent);
		if (!xs_tcp_diag_wants(d, TCP_SYN_RECV) ||
		    !refcount_inc_not_zero(&req->refcnt))
			return;
		o->req = req;
		break;
	case XS_TCP_ENT_TW:
		tw = container_of(ent, struct xs_tcp_tw, ent);
		if (!xs_tcp_diag_wants(d, xs_tcp_tw_state(tw)) ||
		    !refcount_inc_not_zero(&tw->refcnt))
			return;
		o->tw = tw;
		break;
	default:
		return;
	}
	o->kind = ent->kind;
	d->n++;
}

/* The next entries of the established table. */
static void xs_tcp_diag_pick_ehash(struct xs_tcp_diag *d)
{
	struct xs_tcp_ent *ent;

	rhashtable_walk_start(&d->iter);
	while (d->n < XS_TCP_DIAG_BATCH) {
		ent = rhashtable_walk_next(&d->iter);
		if (!ent) {
			d->phase = XS_TCP_DIAG_DONE;
			break;
		}
		/* -EAGAIN: the table was resized, the walk starts over. */
		if (IS_ERR(ent))
			continue;
		xs_tcp_diag_hold_ent(d, ent);
	}
	rhashtable_walk_stop(&d->iter);
}

/* Refill the (empty) batch. Context: process, no RCU held. */
static void xs_tcp_diag_pick(struct xs_tcp_table *t, struct xs_tcp_diag *d)
{
	d->n = 0;
	d->next = 0;
	while (!d->n && d->phase != XS_TCP_DIAG_DONE) {
		if (d->phase == XS_TCP_DIAG_LISTEN) {
			if (!xs_tcp_diag_wants(d, TCP_LISTEN)) {
				d->phase = XS_TCP_DIAG_EHASH;
				continue;
			}
			rcu_read_lock();
			xs_tcp_diag_pick_listen(t, d);
			rcu_read_unlock();
		} else {
			if (!(d->states & ~TCPF_LISTEN)) {
				d->phase = XS_TCP_DIAG_DONE;
				break;
			}
			xs_tcp_diag_pick_ehash(d);
		}
	}
}

static int xs_tcp_diag_put_tuple(struct sk_buff *skb, u8 state, __be32 laddr,
				 u16 lport, __be32 raddr, u16 rport)
{
	if (nla_put_u8(skb, XSTACK_A_SOCK_STATE, state) ||
	    nla_put_be32(skb, XSTACK_A_SOCK_LADDR, laddr) ||
	    nla_put_u16(skb, XSTACK_A_SOCK_LPORT, lport) ||
	    nla_put_be32(skb, XSTACK_A_SOCK_RADDR, raddr) ||
	    nla_put_u16(skb, XSTACK_A_SOCK_RPORT, rport))
		return -EMSGSIZE;
	return 0;
}

static int xs_tcp_diag_put_owner(struct sk_buff *skb, u32 rq, u32 wq, u32 uid,
				 u64 ino)
{
	if (nla_put_u32(skb, XSTACK_A_SOCK_RQUEUE, rq) ||
	    nla_put_u32(skb, XSTACK_A_SOCK_WQUEUE, wq) ||
	    nla_put_u32(skb, XSTACK_A_SOCK_UID, uid) ||
	    nla_put_u64_64bit(skb, XSTACK_A_SOCK_INODE, ino, XSTACK_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * TCP_INFO and the congestion control of @sk, under the socket lock:
 * icsk_ca_ops only changes under it, and while it is set the socket
 * holds a reference on its module.
 */
static int xs_tcp_diag_put_info(struct sk_buff *skb, struct sock *sk)
{
	const struct tcp_congestion_ops *ca;
	struct nlattr *attr;
	int err = 0;
	bool slow;

	attr = nla_reserve(skb, XSTACK_A_TCP_INFO, sizeof(struct tcp_info));
	if (!attr)
		return -EMSGSIZE;
	slow = lock_sock_fast(sk);
	xs_tcp_get_info(sk, nla_data(attr));
	ca = READ_ONCE(inet_csk(sk)->icsk_ca_ops);
	if (ca)
		err = nla_put_string(skb, XSTACK_A_CA_NAME, ca->name);
	unlock_sock_fast(sk, slow);
	return err;
}

/* A full socket; -ENOENT when it left the states wanted meanwhile. */
static int xs_tcp_diag_fill_sk(struct sk_buff *skb, struct netlink_callback *cb,
			       const struct xs_tcp_diag *d, struct sock *sk)
{
	struct user_namespace *ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	int state = inet_sk_state_load(sk);
	u32 rq, wq;

	if (!xs_tcp_diag_wants(d, state))
		return -ENOENT;
	if (state == TCP_LISTEN) {
		rq = READ_ONCE(sk->sk_ack_backlog);
		wq = READ_ONCE(sk->sk_max_ack_backlog);
	} else {
		rq = max_t(int, READ_ONCE(tp->rcv_nxt) -
			   READ_ONCE(tp->copied_seq), 0);
		wq = READ_ONCE(tp->write_seq) - READ_ONCE(tp->snd_una);
	}
	if (xs_tcp_diag_put_tuple(skb, state, READ_ONCE(sk->sk_rcv_saddr),
				  READ_ONCE(sk->sk_num),
				  READ_ONCE(sk->sk_daddr),
				  ntohs(READ_ONCE(sk->sk_dport))) ||
	    xs_tcp_diag_put_owner(skb, rq, wq,
				  from_kuid_munged(ns, sock_i_uid(sk)),
				  sock_i_ino(sk)))
		return -EMSGSIZE;
	return xs_tcp_diag_put_info(skb, sk);
}

static int xs_tcp_diag_fill_req(struct sk_buff *skb,
				struct netlink_callback *cb,
				const struct xs_tcp_req *req)
{
	struct user_namespace *ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	const struct xs_tcp_key *k = &req->ent.key;

	if (xs_tcp_diag_put_tuple(skb, TCP_SYN_RECV, k->laddr, ntohs(k->lport),
				  k->raddr, ntohs(k->rport)) ||
	    xs_tcp_diag_put_owner(skb, 0, 0,
				  from_kuid_munged(ns,
						   sock_i_uid(req->listener)),
				  0))
		return -EMSGSIZE;
	return 0;
}

/* A TIME-WAIT entry; -ENOENT when it left the states wanted meanwhile. */
static int xs_tcp_diag_fill_tw(struct sk_buff *skb, const struct xs_tcp_diag *d,
			       const struct xs_tcp_tw *tw)
{
	const struct xs_tcp_key *k = &tw->ent.key;
	int state = xs_tcp_tw_state(tw);

	if (!xs_tcp_diag_wants(d, state))
		return -ENOENT;
	if (xs_tcp_diag_put_tuple(skb, state, k->laddr, ntohs(k->lport),
				  k->raddr, ntohs(k->rport)) ||
	    xs_tcp_diag_put_owner(skb, 0, 0, 0, 0))
		return -EMSGSIZE;
	return 0;
}

/*
 * One message for @o. Return: 0, -ENOENT (skipped: no message) or
 * -EMSGSIZE (@skb is full; nothing of it was left in @skb).
 */
static int xs_tcp_diag_fill(struct sk_buff *skb, struct netlink_callback *cb,
			    const struct xs_tcp_diag *d,
			    const struct xs_tcp_diag_obj *o)
{
	struct nlattr *nest;
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &xs_genl_family, NLM_F_MULTI, XSTACK_CMD_SOCK_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, XSTACK_A_SOCK);
	if (!nest) {
		err = -EMSGSIZE;
		goto err_cancel;
	}
	switch (o->kind) {
	case XS_TCP_ENT_SOCK:
		err = xs_tcp_diag_fill_sk(skb, cb, d, o->sk);
		break;
	case XS_TCP_ENT_REQ:
		err = xs_tcp_diag_fill_req(skb, cb, o->req);
		break;
	default:
		err = xs_tcp_diag_fill_tw(skb, d, o->tw);
		break;
	}
	if (err)
		goto err_cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return err;
}

/**
 * xs_nl_sock_start - start an XSTACK_CMD_SOCK_GET dump
 * @cb: the dump; XSTACK_A_SOCK_STATES of the request selects states
 *
 * Context: process.
 * Return: 0 or -ENOMEM.
 */
int xs_nl_sock_start(struct netlink_callback *cb)
{
	const struct genl_info *info = &genl_dumpit_info(cb)->info;
	struct xs_tcp_table *t = xs_net(sock_net(cb->skb->sk))->tcp;
	struct nlattr *attr = info->attrs[XSTACK_A_SOCK_STATES];
	struct xs_tcp_diag_ctx *ctx = (void *)cb->ctx;
	struct xs_tcp_diag *d;

	NL_ASSERT_DUMP_CTX_FITS(struct xs_tcp_diag_ctx);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->states = attr ? nla_get_u32(attr) : XS_TCP_DIAG_STATES;
	d->phase = XS_TCP_DIAG_LISTEN;
	rhashtable_walk_enter(&t->ehash, &d->iter);
	ctx->d = d;
	return 0;
}

/**
 * xs_nl_sock_dump - one part of an XSTACK_CMD_SOCK_GET dump
 * @skb: the part to fill
 * @cb: the dump, its state set up by xs_nl_sock_start()
 *
 * Context: process; takes and leaves RCU and socket locks itself.
 * Return: skb->len (0 when the dump is over) or -EMSGSIZE.
 */
int xs_nl_sock_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xs_tcp_table *t = xs_net(sock_net(skb->sk))->tcp;
	struct xs_tcp_diag *d = xs_tcp_diag_of(cb);
	struct xs_tcp_diag_obj *o;
	int err;

	for (;;) {
		for (; d->next < d->n; d->next++) {
			o = &d->batch[d->next];
			err = xs_tcp_diag_fill(skb, cb, d, o);
			if (err == -EMSGSIZE)
				return skb->len ?: -EMSGSIZE;
			xs_tcp_diag_put(o);
		}
		if (d->phase == XS_TCP_DIAG_DONE)
			return skb->len;
		xs_tcp_diag_pick(t, d);
		cond_resched();
	}
}

/**
 * xs_nl_sock_done - end of an XSTACK_CMD_SOCK_GET dump (or its abort)
 * @cb: the dump
 *
 * Drops the references of objects not dumped and the table walker.
 *
 * Return: 0.
 */
int xs_nl_sock_done(struct netlink_callback *cb)
{
	struct xs_tcp_diag *d = xs_tcp_diag_of(cb);

	if (!d)
		return 0;
	for (; d->next < d->n; d->next++)
		xs_tcp_diag_put(&d->batch[d->next]);
	rhashtable_walk_exit(&d->iter);
	kfree(d);
	return 0;
}
