// SPDX-License-Identifier: GPL-2.0
/*
 * The small objects of TCP: request objects for connections in
 * SYN-RECEIVED on a listener (a bounded SYN queue, SYN-ACK
 * retransmission, the child socket made by the third segment, the
 * accept queue), and TIME-WAIT objects that answer for a closed
 * connection for 2*MSL (RFC 9293 3.6.1, RFC 1337, RFC 7323 5.8).
 *
 * Locking: a listener's request list and accept queue are protected by
 * its xs_tcp_listen.lock; segments for a request are processed under
 * the listener's socket lock (BH lock or backlog). Request and TIME-WAIT
 * objects are reference counted (the established table, the timer,
 * lookups) and freed after an RCU grace period.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/win_minmax.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/sock.h>

#include "route.h"
#include "sock.h"
#include "stats.h"
#include "tcp.h"
#include "xstack.h"

#define XS_TCP_SYNACK_RTO	HZ
#define XS_TW_DEAD		0

/* Request objects */

static void xs_tcp_req_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct xs_tcp_req, rcu));
}

/**
 * xs_tcp_req_put - drop a reference on a request object
 * @req: the object
 */
void xs_tcp_req_put(struct xs_tcp_req *req)
{
	if (refcount_dec_and_test(&req->refcnt)) {
		sock_put(req->listener);
		call_rcu(&req->rcu, xs_tcp_req_free_rcu);
	}
}

/* Unlink from the listener and the table, once. Listener queue lock. */
static bool xs_tcp_req_unlink_locked(struct xs_tcp_req *req)
{
	struct xs_tcp_listen *l = xs_tcp_sk(req->listener)->listen;

	if (req->dead)
		return false;
	req->dead = 1;
	list_del_init(&req->node);
	l->syn_len--;
	return true;
}

/*
 * After the unlink: out of the table, the timer stopped. @sync waits for
 * a running timer (process context, the listener's queues about to be
 * freed).
 */
static void xs_tcp_req_unlinked(struct xs_tcp_req *req, bool sync)
{
	xs_tcp_ehash_remove(xs_tcp_table(req->listener), &req->ent);
	if (sync ? timer_delete_sync(&req->timer) : del_timer(&req->timer))
		xs_tcp_req_put(req);	/* the timer's reference */
	xs_tcp_req_put(req);		/* the table's reference */
}

/**
 * xs_tcp_req_drop - forget a request (RST, timeout, listener closed)
 * @req: the object; the caller holds a reference
 */
void xs_tcp_req_drop(struct xs_tcp_req *req)
{
	struct xs_tcp_listen *l = xs_tcp_sk(req->listener)->listen;
	bool unlinked;

	spin_lock_bh(&l->lock);
	unlinked = xs_tcp_req_unlink_locked(req);
	spin_unlock_bh(&l->lock);
	if (unlinked)
		xs_tcp_req_unlinked(req, false);
}

/* SYN-ACK retransmission with backoff, net.xstack.tcp_synack_retries. */
static void xs_tcp_req_timer(struct timer_list *t)
{
	struct xs_tcp_req *req = from_timer(req, t, timer);
	struct sock *lsk = req->listener;
	int max = READ_ONCE(xs_tcp_table(lsk)->sysctl_synack_retries);

	/*
	 * Dead: unlinked, and its listener's queues may be gone. Alive: the
	 * listener's flush waits for this handler (timer_delete_sync()).
	 */
	if (READ_ONCE(req->dead)) {
		xs_tcp_req_put(req);
		return;
	}
	if (lsk->sk_state != TCP_LISTEN || req->num_retrans >= max) {
		XS_INC(xs_net(sock_net(lsk)), TcpExt_TCPTimeouts);
		xs_tcp_req_drop(req);
		xs_tcp_req_put(req);
		return;
	}
	req->num_retrans++;
	XS_INC(xs_net(sock_net(lsk)), TcpExt_TCPSynRetrans);
	XS_INC(xs_net(sock_net(lsk)), Tcp_RetransSegs);
	xs_tcp_send_synack(req);
	mod_timer(&req->timer, jiffies +
		  min_t(unsigned long, XS_TCP_SYNACK_RTO << req->num_retrans,
			msecs_to_jiffies(XS_TCP_RTO_MAX_MS)));
}

/**
 * xs_tcp_req_fill - a request's fields from the SYN that asks for it
 * @req: the zeroed request
 * @lsk: the listener
 * @skb: the SYN (or, for a cookie, the ACK: the caller corrects the ISNs)
 * @o: the SYN's options
 */
void xs_tcp_req_fill(struct xs_tcp_req *req, struct sock *lsk,
		     struct sk_buff *skb, const struct xs_tcp_opts *o)
{
	struct xs_tcp_table *t = xs_tcp_table(lsk);
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct xs_net *xn = xs_net(sock_net(lsk));
	u32 mtu = 576;
	struct xs_rt rt;

	req->ent.key.raddr = iph->saddr;
	req->ent.key.laddr = iph->daddr;
	req->ent.key.rport = th->source;
	req->ent.key.lport = th->dest;
	req->ent.kind = XS_TCP_ENT_REQ;
	req->listener = lsk;
	req->rcv_isn = TCP_SKB_CB(skb)->seq;
	req->snt_isn = xs_tcp_isn(t, iph->daddr, iph->saddr, th->dest,
				  th->source);
	req->snd_wnd = ntohs(th->window);
	req->dif = skb->skb_iif;
	req->tos = READ_ONCE(inet_sk(lsk)->tos);
	req->wscale_ok = o->wscale >= 0 && READ_ONCE(t->sysctl_window_scaling);
	req->snd_wscale = req->wscale_ok ? o->wscale : 0;
	req->sack_ok = o->sack_ok && READ_ONCE(t->sysctl_sack);
	req->tstamp_ok = o->saw_ts && READ_ONCE(t->sysctl_timestamps);
	req->ts_recent = o->tsval;
	req->tsoff = xs_tcp_ts_off(t, iph->daddr, iph->saddr);
	req->peer_mss = o->mss ?: TCP_MSS_DEFAULT;
	/* From the listener's backlog too: no RCU read side held there. */
	rcu_read_lock();
	if (!xs_route_output(xn, iph->saddr, iph->daddr,
			     READ_ONCE(lsk->sk_bound_dev_if), &rt))
		mtu = rt.mtu;
	rcu_read_unlock();
	req->mss = mtu - sizeof(struct iphdr) - sizeof(struct tcphdr);
	if (tcp_sk(lsk)->rx_opt.user_mss)
		req->mss = min_t(u16, req->mss, tcp_sk(lsk)->rx_opt.user_mss);
	/* In whole segments as they will arrive: less the timestamps. */
	xs_tcp_select_initial_window(lsk, req->mss - (req->tstamp_ok ?
				     TCPOLEN_TSTAMP_ALIGNED : 0),
				     &req->rcv_wnd, &req->rcv_wscale);
	if (!req->wscale_ok)
		req->rcv_wscale = 0;
	req->synack_us = div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/**
 * xs_tcp_req_create - a SYN for a listener: queue a request, SYN-ACK
 * @lsk: the listener (its socket lock held)
 * @skb: the SYN
 * @o: its options
 *
 * A full accept queue drops the SYN (ListenOverflows, as Linux). More
 * pending requests and unaccepted children together than the backlog
 * allows, or net.xstack.tcp_max_syn_backlog requests, make a full SYN
 * queue: the SYN gets a SYN cookie (TCPReqQFullDoCookies) or, with
 * net.xstack.tcp_syncookies 0, is dropped (TCPReqQFullDrop).
 *
 * Return: the request, or NULL when none was queued.
 */
struct xs_tcp_req *xs_tcp_req_create(struct sock *lsk, struct sk_buff *skb,
				     const struct xs_tcp_opts *o)
{
	struct xs_tcp_listen *l = xs_tcp_sk(lsk)->listen;
	struct xs_net *xn = xs_net(sock_net(lsk));
	u32 max = READ_ONCE(lsk->sk_max_ack_backlog);
	struct xs_tcp_req *req;
	bool full;

	if (sk_acceptq_is_full(lsk)) {
		XS_INC(xn, TcpExt_ListenOverflows);
		goto drop;
	}
	/*
	 * Pending requests count against the backlog too: the backlog
	 * bounds what may become established before accept() (Linux gets
	 * the same result on loopback, where each handshake completes
	 * before the next SYN).
	 */
	full = READ_ONCE(l->syn_len) + READ_ONCE(lsk->sk_ack_backlog) > max ||
	       READ_ONCE(l->syn_len) >=
	       READ_ONCE(xs_tcp_table(lsk)->sysctl_max_syn_backlog);
	if (xs_tcp_syncookie_wanted(lsk, full)) {
		if (full)
			XS_INC(xn, TcpExt_TCPReqQFullDoCookies);
		xs_tcp_syncookie_send(lsk, skb, o);
		return NULL;
	}
	if (full) {
		XS_INC(xn, TcpExt_TCPReqQFullDrop);
		goto drop;
	}
	req = kzalloc(sizeof(*req), GFP_ATOMIC);
	if (unlikely(!req))
		goto drop;
	xs_tcp_req_fill(req, lsk, skb, o);
	req->ecn_ok = xs_tcp_ecn_req_ok(lsk, skb);
	INIT_LIST_HEAD(&req->node);
	timer_setup(&req->timer, xs_tcp_req_timer, 0);
	refcount_set(&req->refcnt, 2);	/* the table and the timer */
	sock_hold(lsk);
	if (xs_tcp_ehash_insert(xs_tcp_table(lsk), &req->ent)) {
		sock_put(lsk);
		kfree(req);
		goto drop;
	}
	spin_lock_bh(&l->lock);
	list_add_tail(&req->node, &l->reqs);
	l->syn_len++;
	spin_unlock_bh(&l->lock);
	mod_timer(&req->timer, jiffies + XS_TCP_SYNACK_RTO);
	xs_tcp_send_synack(req);
	return req;

drop:
	XS_INC(xn, TcpExt_ListenDrops);
	return NULL;
}

/* Per RFC 9293 3.10.7.4, the acceptable window of a request. */
static bool xs_tcp_req_in_window(const struct xs_tcp_req *req, u32 seq,
				 u32 end_seq)
{
	u32 rcv_nxt = req->rcv_isn + 1;

	if (seq == rcv_nxt)
		return true;
	return !before(end_seq, rcv_nxt) && !after(seq, rcv_nxt + req->rcv_wnd);
}

/* The TCP state of a child, from its request (RFC 9293 3.10.7.4). */
static void xs_tcp_child_state(struct sock *child, const struct xs_tcp_req *req)
{
	struct tcp_sock *tp = tcp_sk(child);
	struct xs_tcp_sock *xs = xs_tcp_sk(child);
	u32 rtt;

	tp->snd_una = req->snt_isn;
	tp->snd_nxt = req->snt_isn + 1;
	tp->write_seq = tp->snd_nxt;
	tp->pushed_seq = tp->snd_nxt;
	tp->snd_sml = tp->snd_nxt;
	/* Not in urgent mode (tcp_urg.c); the handshake's ACK moves both. */
	tp->snd_up = tp->snd_una;
	tp->rcv_nxt = req->rcv_isn + 1;
	tp->rcv_wup = tp->rcv_nxt;
	xs->last_ack_sent = tp->rcv_nxt;	/* the SYN-ACK acknowledged it */
	tp->copied_seq = tp->rcv_nxt;
	tp->snd_wl1 = req->rcv_isn;
	tp->snd_wnd = req->snd_wnd;
	tp->max_window = req->snd_wnd;
	tp->rcv_wnd = req->rcv_wnd;
	tp->rx_opt.wscale_ok = req->wscale_ok;
	tp->rx_opt.snd_wscale = req->snd_wscale;
	tp->rx_opt.rcv_wscale = req->rcv_wscale;
	tp->rx_opt.sack_ok = req->sack_ok ? TCP_SACK_SEEN : 0;
	tp->rx_opt.tstamp_ok = req->tstamp_ok;
	tp->rx_opt.ts_recent = req->ts_recent;
	tp->rx_opt.mss_clamp = req->peer_mss;
	tp->ecn_flags = req->ecn_ok ? TCP_ECN_OK : 0;
	xs->ts_recent_stamp = ktime_get_seconds();
	xs->syn_mss = req->peer_mss;
	tp->tsoffset = req->tsoff;
	if (req->tstamp_ok)
		tp->tcp_header_len = sizeof(struct tcphdr) +
				     TCPOLEN_TSTAMP_ALIGNED;
	tp->advmss = req->mss;
	xs_tcp_update_mss(child, 0);
	/* The SYN-ACK's RTT seeds the estimator unless it was resent. */
	if (!req->num_retrans) {
		rtt = div_u64(ktime_get_ns(), NSEC_PER_USEC) - req->synack_us;
		rtt = max(rtt, 1U);
		tp->srtt_us = rtt << 3;
		tp->mdev_us = rtt << 1;
		tp->rttvar_us = max(tp->mdev_us,
				    jiffies_to_usecs(xs->rto_min));
		minmax_reset(&tp->rtt_min, tcp_jiffies32, rtt);
	}
}

/* Linux's inet_csk_clone_lock() for our layout: a new socket (unlocked). */
static struct sock *xs_tcp_create_child(struct sock *lsk,
					const struct xs_tcp_req *req)
{
	struct sock *child = sk_clone_lock(lsk, GFP_ATOMIC);
	struct inet_sock *inet;

	if (unlikely(!child))
		return NULL;
	/*
	 * sk_clone_lock() returns it BH-locked (sparse cannot see that);
	 * nobody else knows it yet: the lock is taken again once it is
	 * in the tables.
	 */
	__acquire(&child->sk_lock.slock);
	bh_unlock_sock(child);
	xs_tcp_init_state_keep(child);
	xs_tcp_ca_inherit(child, lsk);
	inet = inet_sk(child);
	inet->inet_daddr = req->ent.key.raddr;
	inet->inet_rcv_saddr = req->ent.key.laddr;
	inet->inet_saddr = req->ent.key.laddr;
	inet->inet_dport = req->ent.key.rport;
	inet->inet_sport = req->ent.key.lport;
	inet->inet_num = ntohs(req->ent.key.lport);
	atomic_set(&inet->inet_id, get_random_u16());
	WRITE_ONCE(child->sk_priority, READ_ONCE(lsk->sk_priority));
	child->sk_state = TCP_SYN_RECV;
	xs_tcp_child_state(child, req);
	xs_tcp_sk(child)->ent.key = req->ent.key;
	xs_tcp_sk(child)->ent.kind = XS_TCP_ENT_SOCK;
	return child;
}

/*
 * The third segment of the handshake made a child: it replaces @req in
 * the established table (a cookie's @req was never there) and joins the
 * accept queue. Return: the child with a reference for the caller.
 */
static struct sock *xs_tcp_req_complete(struct sock *lsk,
					struct xs_tcp_req *req)
{
	struct xs_tcp_listen *l = xs_tcp_sk(lsk)->listen;
	struct xs_tcp_table *t = xs_tcp_table(lsk);
	struct xs_tcp_ent *ent;
	struct sock *child;
	bool unlinked = false;
	int err;

	child = xs_tcp_create_child(lsk, req);
	if (unlikely(!child))
		return NULL;
	ent = &xs_tcp_sk(child)->ent;
	/* sk_clone_lock() gave 2 references: the table's and the queue's. */
	if (req->cookie)
		err = xs_tcp_ehash_insert(t, ent);
	else
		err = xs_tcp_ehash_replace(t, &req->ent, ent);
	if (err) {
		xs_tcp_destroy_sock(child);
		sock_put(child);
		sock_put(child);
		return NULL;
	}
	xs_tcp_sk(child)->hashed = true;
	xs_tcp_bind_inherit(child, lsk);
	sock_hold(child);	/* accept() may take it once it is queued */

	spin_lock_bh(&l->lock);
	if (!req->cookie)
		unlinked = xs_tcp_req_unlink_locked(req);
	list_add_tail(&xs_tcp_sk(child)->accept_node, &l->accept);
	xs_tcp_sk(child)->parent = lsk;
	sk_acceptq_added(lsk);
	spin_unlock_bh(&l->lock);
	if (unlinked) {
		if (del_timer(&req->timer))
			xs_tcp_req_put(req);
		xs_tcp_req_put(req);	/* the table no longer holds it */
	}
	XS_INC(xs_net(sock_net(lsk)), Tcp_PassiveOpens);
	return child;
}

/**
 * xs_tcp_req_cookie_child - the child of a connection a SYN cookie proved
 * @lsk: the listener (locked)
 * @req: the request rebuilt from the cookie (on the caller's stack)
 *
 * Return: the child with a reference for the caller, or NULL when the
 * accept queue is full (ListenOverflows) or memory ran out.
 */
struct sock *xs_tcp_req_cookie_child(struct sock *lsk, struct xs_tcp_req *req)
{
	if (sk_acceptq_is_full(lsk)) {
		XS_INC(xs_net(sock_net(lsk)), TcpExt_ListenOverflows);
		return NULL;
	}
	return xs_tcp_req_complete(lsk, req);
}

/*
 * A segment for a request object, under the listener's lock (Linux's
 * tcp_check_req()). Consumes @skb.
 */
static void xs_tcp_req_process(struct sock *lsk, struct xs_tcp_req *req,
			       struct sk_buff *skb)
{
	struct xs_net *xn = xs_net(sock_net(lsk));
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xs_tcp_opts o;
	struct sock *child;

	xs_tcp_parse_options(skb, &o, false);
	if (th->syn && !th->ack && tcb->seq == req->rcv_isn) {
		xs_tcp_send_synack(req);	/* the SYN was resent */
		goto drop;
	}
	if (!xs_tcp_req_in_window(req, tcb->seq, tcb->end_seq) ||
	    (req->tstamp_ok && o.saw_ts &&
	     (s32)(o.tsval - req->ts_recent) < 0 && !th->rst)) {
		if (!th->rst)
			xs_tcp_send_synack(req);
		goto drop;
	}
	if (th->rst || th->syn) {
		/* RFC 9293 3.10.7.4: back to LISTEN, the request is gone. */
		XS_INC(xn, TcpExt_EmbryonicRsts);
		if (th->syn)
			xs_tcp_send_reset_reply(xn, skb);
		xs_tcp_req_drop(req);
		goto drop;
	}
	if (!th->ack)
		goto drop;
	if (tcb->ack_seq != req->snt_isn + 1) {
		xs_tcp_send_reset_reply(xn, skb);
		goto drop;
	}
	if (o.saw_ts && req->tstamp_ok)
		req->ts_recent = o.tsval;
	if (sk_acceptq_is_full(lsk)) {
		XS_INC(xn, TcpExt_ListenOverflows);
		XS_INC(xn, TcpExt_ListenDrops);
		if (READ_ONCE(xs_tcp_table(lsk)->sysctl_abort_on_overflow)) {
			xs_tcp_send_reset_reply(xn, skb);
			xs_tcp_req_drop(req);
		}
		goto drop;
	}
	child = xs_tcp_req_complete(lsk, req);
	if (!child) {
		XS_INC(xn, TcpExt_ListenDrops);
		goto drop;
	}
	/*
	 * The listener holds the nested subclass (xs_tcp_req_rcv()); the
	 * child takes the plain one, as sk_clone_lock() gives it in Linux.
	 */
	xs_tcp_rcv_sk(child, skb, 0);
	sock_put(child);
	lsk->sk_data_ready(lsk);
	return;

drop:
	kfree_skb(skb);
}

/**
 * xs_tcp_req_rcv - a segment for a request object
 * @req: the object (a reference held)
 * @skb: the segment
 *
 * Goes to the listener: processed now, or from its backlog.
 * Context: softirq, RCU. Consumes @skb.
 */
void xs_tcp_req_rcv(struct xs_tcp_req *req, struct sk_buff *skb)
{
	struct sock *lsk = req->listener;

	bh_lock_sock_nested(lsk);
	if (!sock_owned_by_user(lsk)) {
		if (!req->dead && lsk->sk_state == TCP_LISTEN)
			xs_tcp_req_process(lsk, req, skb);
		else
			xs_tcp_rcv_state(lsk, skb);
	} else if (unlikely(sk_add_backlog(lsk, skb,
					   READ_ONCE(lsk->sk_rcvbuf)))) {
		XS_INC(xs_net(sock_net(lsk)), TcpExt_TCPBacklogDrop);
		kfree_skb(skb);
	}
	bh_unlock_sock(lsk);
}

/**
 * xs_tcp_listen_req_lookup - the request a segment to a listener is for
 * @lsk: the listener (locked)
 * @skb: the segment
 *
 * Segments queued in the listener's backlog, or found a request that
 * another segment completed meanwhile, look their 4-tuple up again
 * here. When the request already became a child, the segment goes to
 * the child, as Linux's tcp_v4_rcv() does for a request "stolen" by
 * another CPU: answering it with a RST from the listener would reset
 * the peer's fresh connection, or drop data the child must receive.
 *
 * Return: true when @skb went to a request or a socket (consumed).
 */
bool xs_tcp_listen_req_lookup(struct sock *lsk, struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct xs_tcp_key key = {
		.raddr = ip_hdr(skb)->saddr,
		.laddr = ip_hdr(skb)->daddr,
		.rport = th->source,
		.lport = th->dest,
	};
	struct xs_tcp_req *req = NULL;
	struct sock *child = NULL;
	struct xs_tcp_ent *ent;

	rcu_read_lock();
	ent = xs_tcp_ehash_lookup(xs_tcp_table(lsk), &key);
	if (ent && ent->kind == XS_TCP_ENT_REQ) {
		req = container_of(ent, struct xs_tcp_req, ent);
		if (req->listener != lsk || req->dead ||
		    !refcount_inc_not_zero(&req->refcnt))
			req = NULL;
	} else if (ent && ent->kind == XS_TCP_ENT_SOCK) {
		child = &container_of(ent, struct xs_tcp_sock,
				      ent)->tp.inet_conn.icsk_inet.sk;
		if (!refcount_inc_not_zero(&child->sk_refcnt))
			child = NULL;
	}
	rcu_read_unlock();
	if (child) {
		xs_tcp_rcv_sk(child, skb, 0);	/* as in xs_tcp_req_process() */
		sock_put(child);
		return true;
	}
	if (!req)
		return false;
	xs_tcp_req_process(lsk, req, skb);
	xs_tcp_req_put(req);
	return true;
}

/**
 * xs_tcp_accept_dequeue - take the oldest child off the accept queue
 * @sk: the listener
 *
 * Return: the child (the queue's reference is now the caller's), or
 * NULL.
 */
struct sock *xs_tcp_accept_dequeue(struct sock *sk)
{
	struct xs_tcp_listen *l = xs_tcp_sk(sk)->listen;
	struct xs_tcp_sock *xs;

	spin_lock_bh(&l->lock);
	xs = list_first_entry_or_null(&l->accept, struct xs_tcp_sock,
				      accept_node);
	if (xs) {
		list_del_init(&xs->accept_node);
		xs->parent = NULL;
		sk_acceptq_removed(sk);
	}
	spin_unlock_bh(&l->lock);
	return xs ? &xs->tp.inet_conn.icsk_inet.sk : NULL;
}

/**
 * xs_tcp_listen_flush - a listener closes: requests and unaccepted
 *	children go (the children are reset, as Linux)
 * @sk: the listener (socket lock held)
 */
void xs_tcp_listen_flush(struct sock *sk)
{
	struct xs_tcp_listen *l = xs_tcp_sk(sk)->listen;
	struct xs_tcp_req *req;

	for (;;) {
		spin_lock_bh(&l->lock);
		req = list_first_entry_or_null(&l->reqs, struct xs_tcp_req,
					       node);
		if (req && !xs_tcp_req_unlink_locked(req))
			req = NULL;
		spin_unlock_bh(&l->lock);
		if (!req)
			break;
		xs_tcp_req_unlinked(req, true);
	}
	for (;;) {
		struct sock *child = xs_tcp_accept_dequeue(sk);

		if (!child)
			break;
		/* Nobody owns an unaccepted child: its BH lock is enough. */
		local_bh_disable();
		bh_lock_sock_nested(child);
		sock_set_flag(child, SOCK_DEAD);
		if (child->sk_state != TCP_CLOSE) {
			XS_INC(xs_net(sock_net(sk)), TcpExt_TCPAbortOnClose);
			xs_tcp_send_active_reset(child, GFP_ATOMIC);
			xs_tcp_done(child);
		} else {
			xs_tcp_destroy_sock(child);
		}
		bh_unlock_sock(child);
		local_bh_enable();
		sock_put(child);
	}
}

/* TIME-WAIT */

static void xs_tcp_tw_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct xs_tcp_tw, rcu));
}

/**
 * xs_tcp_tw_put - drop a reference on a TIME-WAIT object
 * @tw: the object
 */
void xs_tcp_tw_put(struct xs_tcp_tw *tw)
{
	if (refcount_dec_and_test(&tw->refcnt))
		call_rcu(&tw->rcu, xs_tcp_tw_free_rcu);
}

/**
 * xs_tcp_tw_kill - end TIME-WAIT early (RST, a new SYN, netns exit)
 * @tw: the object; the caller holds a reference
 */
void xs_tcp_tw_kill(struct xs_tcp_tw *tw)
{
	struct xs_tcp_table *t = tw->xn->tcp;

	if (test_and_set_bit(XS_TW_DEAD, &tw->flags))
		return;
	xs_tcp_ehash_remove(t, &tw->ent);
	xs_tcp_bind_del_tw(t, tw);
	if (del_timer(&tw->timer))
		xs_tcp_tw_put(tw);
	xs_tcp_tw_put(tw);
}

static void xs_tcp_tw_timer(struct timer_list *t)
{
	struct xs_tcp_tw *tw = from_timer(tw, t, timer);

	if (!test_bit(XS_TW_DEAD, &tw->flags))
		XS_INC(tw->xn, TcpExt_TW);
	xs_tcp_tw_kill(tw);
	xs_tcp_tw_put(tw);
}

static void xs_tcp_tw_fill(struct xs_tcp_tw *tw, struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	tw->ent.key = xs->ent.key;
	tw->ent.kind = XS_TCP_ENT_TW;
	tw->bnode = xs->bnode;
	INIT_HLIST_NODE(&tw->bnode.node);
	tw->bnode.sk = NULL;
	tw->xn = xs_net(sock_net(sk));
	tw->snd_nxt = tp->snd_nxt;
	tw->rcv_nxt = tp->rcv_nxt;
	tw->ts_recent = tp->rx_opt.ts_recent;
	tw->ts_recent_stamp = xs->ts_recent_stamp;
	tw->tsoff = tp->tsoffset;
	tw->rcv_wnd = tcp_receive_window(tp);
	tw->rcv_wscale = tp->rx_opt.rcv_wscale;
	tw->tstamp_ok = tp->rx_opt.tstamp_ok;
	tw->tos = READ_ONCE(inet_sk(sk)->tos);
	tw->ttl = xs_sock_ttl(sk);
	tw->dif = READ_ONCE(sk->sk_bound_dev_if);
	tw->mark = READ_ONCE(sk->sk_mark);
}

/**
 * xs_tcp_time_wait - the connection enters TIME-WAIT
 * @sk: the socket (its lock held); it is closed and replaced by a
 *	TIME-WAIT object in the tables for 2*MSL
 * @state: TCP_TIME_WAIT, or TCP_FIN_WAIT2 (an orphan waiting for FIN)
 * @timeo: how long, in jiffies
 *
 * Without memory the socket simply closes (as Linux).
 */
void xs_tcp_time_wait(struct sock *sk, int state, int timeo)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct xs_tcp_tw *tw = NULL;

	if (xs->hashed)
		tw = kzalloc(sizeof(*tw), GFP_ATOMIC);
	if (tw) {
		xs_tcp_tw_fill(tw, sk);
		tw->substate = state;
		timer_setup(&tw->timer, xs_tcp_tw_timer, 0);
		refcount_set(&tw->refcnt, 2);	/* tables and timer */
		xs_tcp_bind_add_tw(t, tw);
		if (xs_tcp_ehash_replace(t, &xs->ent, &tw->ent)) {
			xs_tcp_bind_del_tw(t, tw);
			kfree(tw);
		} else {
			xs->hashed = false;
			__sock_put(sk);		/* the table's reference */
			mod_timer(&tw->timer, jiffies + timeo);
		}
	}
	xs_tcp_done(sk);
}

/*
 * FIN-WAIT-2 of an orphan (Linux's tcp_timewait_state_process()): old
 * segments are ignored, the FIN moves to TIME-WAIT proper, new data or
 * a RST ends it (data gets a RST: nobody will read it).
 */
static int xs_tcp_tw_fin_wait2_rcv(struct xs_tcp_tw *tw, struct sk_buff *skb,
				   const struct xs_tcp_opts *o)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);

	if (th->rst) {
		if (tcb->seq == tw->rcv_nxt)
			xs_tcp_tw_kill(tw);
		goto drop;
	}
	if (th->syn || !th->ack || !after(tcb->end_seq, tw->rcv_nxt) ||
	    tcb->end_seq == tcb->seq)
		goto drop;
	if (!th->fin || tcb->end_seq != tw->rcv_nxt + 1) {
		XS_INC(tw->xn, TcpExt_TCPAbortOnData);
		xs_tcp_send_reset_reply(tw->xn, skb);
		xs_tcp_tw_kill(tw);
		goto drop;
	}
	tw->substate = TCP_TIME_WAIT;
	tw->rcv_nxt = tcb->end_seq;
	if (o->saw_ts && tw->tstamp_ok) {
		tw->ts_recent = o->tsval;
		tw->ts_recent_stamp = ktime_get_seconds();
	}
	mod_timer_pending(&tw->timer, jiffies + XS_TCP_TW_LEN);
	xs_tcp_send_tw_ack(tw);
drop:
	kfree_skb(skb);
	return false;
}

/**
 * xs_tcp_tw_rcv - a segment for a connection in TIME-WAIT
 * @tw: the object (a reference held)
 * @skb: the segment
 *
 * RFC 9293 3.10.7.4 for TIME-WAIT: a retransmitted FIN is ACKed again
 * and restarts the 2*MSL timer; other segments get an ACK; a RST ends
 * TIME-WAIT unless net.xstack.tcp_rfc1337 (RFC 1337) is set; a SYN
 * with a higher sequence number (or timestamp) may start a new
 * connection (RFC 6191).
 *
 * Return: true when @skb is a SYN to be given to a listener after the
 * caller kills @tw; false when @skb was consumed.
 */
int xs_tcp_tw_rcv(struct xs_tcp_tw *tw, struct sk_buff *skb)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xs_tcp_opts o;
	bool paws = false;

	xs_tcp_parse_options(skb, &o, th->syn);
	if (tw->substate == TCP_FIN_WAIT2)
		return xs_tcp_tw_fin_wait2_rcv(tw, skb, &o);
	if (tw->tstamp_ok && o.saw_ts && (s32)(o.tsval - tw->ts_recent) < 0 &&
	    (u32)ktime_get_seconds() - tw->ts_recent_stamp < 24 * 24 * 3600)
		paws = true;
	if (th->rst) {
		if (!paws && !READ_ONCE(tw->xn->tcp->sysctl_rfc1337) &&
		    tcb->seq == tw->rcv_nxt)
			xs_tcp_tw_kill(tw);
		goto drop;
	}
	if (th->syn && !th->ack && !paws &&
	    (after(tcb->seq, tw->rcv_nxt) ||
	     (tw->tstamp_ok && o.saw_ts &&
	      (s32)(o.tsval - tw->ts_recent) > 0)))
		return true;
	if (!paws && th->fin && tcb->end_seq == tw->rcv_nxt) {
		if (o.saw_ts && tw->tstamp_ok) {
			tw->ts_recent = o.tsval;
			tw->ts_recent_stamp = ktime_get_seconds();
		}
		mod_timer_pending(&tw->timer, jiffies + XS_TCP_TW_LEN);
		xs_tcp_send_tw_ack(tw);
		goto drop;
	}
	if (paws || th->syn || tcb->seq != tw->rcv_nxt ||
	    tcb->end_seq != tcb->seq)
		xs_tcp_send_tw_ack(tw);
drop:
	kfree_skb(skb);
	return false;
}

/**
 * xs_tcp_tw_takeover - a bound socket connects to the 4-tuple of a
 *	TIME-WAIT: with timestamps, PAWS tells old segments from new ones,
 *	so the new connection may take the 4-tuple over (Linux's
 *	tcp_twsk_unique() for sockets bound with bind())
 * @sk: the connecting socket (key set)
 *
 * Return: true when the TIME-WAIT was killed; xs_tcp_sk(sk)->tw_seq is
 * then where the new connection's sequence numbers start.
 */
bool xs_tcp_tw_takeover(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct xs_tcp_tw *tw = NULL;
	struct xs_tcp_ent *ent;

	rcu_read_lock();
	ent = xs_tcp_ehash_lookup(xs_tcp_table(sk), &xs->ent.key);
	if (ent && ent->kind == XS_TCP_ENT_TW) {
		tw = container_of(ent, struct xs_tcp_tw, ent);
		if (!tw->tstamp_ok || !tw->ts_recent_stamp ||
		    !refcount_inc_not_zero(&tw->refcnt))
			tw = NULL;
	}
	rcu_read_unlock();
	if (!tw)
		return false;
	xs->tw_seq = (tw->snd_nxt + 65535 + 2) ?: 1;
	XS_INC(tw->xn, TcpExt_TWRecycled);
	xs_tcp_tw_kill(tw);
	xs_tcp_tw_put(tw);
	return true;
}

/**
 * xs_tcp_tw_purge - kill every TIME-WAIT object of a namespace
 * @t: the table of a namespace being dismantled (no socket is left)
 */
void xs_tcp_tw_purge(struct xs_tcp_table *t)
{
	struct rhashtable_iter iter;
	struct xs_tcp_ent *ent;

	for (;;) {
		struct xs_tcp_tw *tw = NULL;

		rhashtable_walk_enter(&t->ehash, &iter);
		rhashtable_walk_start(&iter);
		while ((ent = rhashtable_walk_next(&iter))) {
			if (IS_ERR(ent))
				continue;
			if (ent->kind != XS_TCP_ENT_TW)
				continue;
			tw = container_of(ent, struct xs_tcp_tw, ent);
			if (refcount_inc_not_zero(&tw->refcnt))
				break;
			tw = NULL;
		}
		rhashtable_walk_stop(&iter);
		rhashtable_walk_exit(&iter);
		if (!tw)
			break;
		if (timer_delete_sync(&tw->timer))
			xs_tcp_tw_put(tw);
		xs_tcp_tw_kill(tw);
		xs_tcp_tw_put(tw);
	}
}
