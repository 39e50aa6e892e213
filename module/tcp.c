// SPDX-License-Identifier: GPL-2.0
/*
 * TCP socket calls for socket(AF_XSTACK, SOCK_STREAM, 0): bind,
 * connect (blocking and not), listen, accept, send and receive (page
 * fragments, MSG_PEEK/WAITALL/DONTWAIT/MORE, SO_RCVLOWAT), shutdown and
 * close (RFC 9293 3.6; RFC 2525 2.17 reset on unread data; SO_LINGER),
 * poll, ioctls, socket options (SOL_SOCKET, SOL_IP, SOL_TCP with
 * TCP_INFO), the per-namespace sysctls and /proc/net/xstack/tcp, and
 * the life of a socket: its states, teardown and memory accounting.
 *
 * Locking: every call takes the socket lock (lock_sock); softirq
 * processing defers to the backlog meanwhile (tcp.h).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/capability.h>
#include <linux/proc_fs.h>
#include <linux/rhashtable.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sockios.h>
#include <linux/win_minmax.h>
#include <asm/ioctls.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/sock.h>

#include <linux/xstack.h>
#include "ip.h"
#include "route.h"
#include "sock.h"
#include "stats.h"
#include "tcp.h"
#include "xstack.h"

#define CREATE_TRACE_POINTS
#include "tcp_trace.h"

/* Socket life */

/**
 * xs_tcp_ofo_purge - free every skb of an out-of-order queue
 * @root: the rbtree
 */
void xs_tcp_ofo_purge(struct rb_root *root)
{
	struct rb_node *p = rb_first(root);

	while (p) {
		struct sk_buff *skb = rb_entry(p, struct sk_buff, rbnode);

		p = rb_next(p);
		rb_erase(&skb->rbnode, root);
		kfree_skb(skb);
	}
}

/**
 * xs_tcp_set_ca_state - enter a congestion state (Open, Disorder, CWR,
 *	Recovery, Loss), telling the module first as kernel TCP does
 * @sk: the socket
 * @state: TCP_CA_*
 */
void xs_tcp_set_ca_state(struct sock *sk, u8 state)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (icsk->icsk_ca_ops && icsk->icsk_ca_ops->set_state)
		icsk->icsk_ca_ops->set_state(sk, state);
	icsk->icsk_ca_state = state;
}

/**
 * xs_tcp_state_store - publish sk_state to lockless readers (poll, /proc)
 * @sk: the socket
 * @state: TCP_*
 */
void xs_tcp_state_store(struct sock *sk, int state)
{
	/* Pairs with the acquire of inet_sk_state_load() (poll, /proc). */
	smp_store_release(&sk->sk_state, state);
}

/* Linux's sk_stream_write_space(): wake writers once there is room. */
static void xs_tcp_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !xs_tcp_is_writeable(sk))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/**
 * xs_tcp_init_state - TCP state of a new socket (or a child's, wiped)
 * @sk: the socket
 *
 * Everything past struct inet_sock starts from zero, then gets Linux's
 * initial values: RTO 1 s (RFC 6298 2.1), cwnd 10 (RFC 6928), MSS 536.
 */
void xs_tcp_init_state(struct sock *sk)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	memset((char *)sk + sizeof(struct inet_sock), 0,
	       sizeof(struct xs_tcp_sock) - sizeof(struct inet_sock));
	tp->out_of_order_queue = RB_ROOT;
	INIT_LIST_HEAD(&tp->tsorted_sent_queue);
	INIT_LIST_HEAD(&xs->accept_node);
	INIT_HLIST_NODE(&xs->lnode);
	INIT_HLIST_NODE(&xs->bnode.node);
	xs_tcp_init_timers(sk);
	xs->rto_min = msecs_to_jiffies(READ_ONCE(t->sysctl_rto_min_ms));
	xs->rto_max = msecs_to_jiffies(READ_ONCE(t->sysctl_rto_max_ms));
	icsk->icsk_rto = msecs_to_jiffies(XS_TCP_RTO_INIT_MS);
	tp->mdev_us = jiffies_to_usecs(icsk->icsk_rto);
	minmax_reset(&tp->rtt_min, tcp_jiffies32, ~0U);
	tcp_snd_cwnd_set(tp, TCP_INIT_CWND);
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->snd_cwnd_clamp = ~0;
	tp->mss_cache = TCP_MSS_DEFAULT;
	tp->reordering = TCP_FASTRETRANS_THRESH;
	tp->app_limited = ~0U;
	tp->rate_app_limited = 1;
	tp->tcp_header_len = sizeof(struct tcphdr);
	xs->rcv_ratio = TCP_DEFAULT_SCALING_RATIO;
	WRITE_ONCE(sk->sk_pacing_rate, ~0UL);
	sk->sk_write_space = xs_tcp_write_space;
	sock_set_flag(sk, SOCK_USE_WRITE_QUEUE);
	icsk->icsk_sync_mss = NULL;
}

/**
 * xs_tcp_set_state - change the TCP state
 * @sk: the socket
 * @state: TCP_*
 *
 * CLOSE takes the socket out of the tables (its port stays bound when
 * bind() locked it, until the socket is released).
 */
void xs_tcp_set_state(struct sock *sk, int state)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	int old = sk->sk_state;

	if (state == TCP_ESTABLISHED && old != TCP_ESTABLISHED)
		XS_INC(xn, Tcp_CurrEstab);
	else if (old == TCP_ESTABLISHED && state != TCP_ESTABLISHED)
		XS_ADD(xn, Tcp_CurrEstab, -1);
	if (state == TCP_CLOSE) {
		if (old == TCP_CLOSE_WAIT || old == TCP_ESTABLISHED)
			XS_INC(xn, Tcp_EstabResets);
		if (old == TCP_LISTEN)
			xs_tcp_listen_unhash(sk);
		xs_tcp_unhash_sk(sk);
		if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			xs_tcp_unbind(sk);
	}
	trace_tcp_set_state(sk, old, state);
	xs_tcp_state_store(sk, state);
}

/**
 * xs_tcp_destroy_sock - free what a closed, orphaned socket holds
 * @sk: the socket (CLOSE, SOCK_DEAD); the last reference is dropped by
 *	whoever holds it
 */
void xs_tcp_destroy_sock(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct sk_buff *skb;

	xs_tcp_clear_timers(sk);
	while ((skb = skb_peek(&sk->sk_write_queue)))
		xs_tcp_free_skb(sk, skb);
	xs->send_head = NULL;
	__skb_queue_purge(&sk->sk_receive_queue);
	xs_tcp_ofo_purge(&tcp_sk(sk)->out_of_order_queue);
	xs_tcp_ca_release(sk);
	xs_tcp_unbind(sk);
	kfree(xs->listen);
	xs->listen = NULL;
	sk_mem_reclaim(sk);
	xs_tcp_orphan_dec(sk);
}

/**
 * xs_tcp_done - the connection is over (RST, timeout, last ACK)
 * @sk: the socket
 */
void xs_tcp_done(struct sock *sk)
{
	xs_tcp_set_state(sk, TCP_CLOSE);
	xs_tcp_clear_timers(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
	else
		xs_tcp_destroy_sock(sk);
}

static void xs_tcp_sock_destruct(struct sock *sk)
{
	struct sk_buff *skb;

	while ((skb = skb_peek(&sk->sk_write_queue)))
		xs_tcp_free_skb(sk, skb);
	xs_tcp_ofo_purge(&tcp_sk(sk)->out_of_order_queue);
	xs_sock_destruct(sk);
	sk_mem_reclaim_final(sk);
	xs_tcp_orphan_dec(sk);
	xs_tcp_mem_socket_gone(sk);
}

static int xs_tcp_init_sock(struct sock *sk)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);

	if (sk->sk_socket)
		set_bit(SOCK_CUSTOM_SOCKOPT, &sk->sk_socket->flags);
	xs_sock_init_ip(sk);
	sock_set_flag(sk, SOCK_RCU_FREE);
	xs_tcp_init_state(sk);
	sk->sk_destruct = xs_tcp_sock_destruct;
	sk->sk_backlog_rcv = xs_tcp_backlog_rcv;
	WRITE_ONCE(sk->sk_sndbuf, READ_ONCE(t->sysctl_wmem[1]));
	WRITE_ONCE(sk->sk_rcvbuf, READ_ONCE(t->sysctl_rmem[1]));
	xs_tcp_mem_socket_new(sk);
	xs_tcp_ca_assign_default(sk);
	return 0;
}

/* RFC 9293 3.6: the state close() or shutdown(SHUT_WR) moves to. */
static bool xs_tcp_close_state(struct sock *sk)
{
	static const u8 next[TCP_MAX_STATES] = {
		[TCP_ESTABLISHED] = TCP_FIN_WAIT1 | 0x10,
		[TCP_SYN_SENT] = TCP_CLOSE,
		[TCP_SYN_RECV] = TCP_FIN_WAIT1 | 0x10,
		[TCP_FIN_WAIT1] = TCP_FIN_WAIT1,
		[TCP_FIN_WAIT2] = TCP_FIN_WAIT2,
		[TCP_TIME_WAIT] = TCP_CLOSE,
		[TCP_CLOSE] = TCP_CLOSE,
		[TCP_CLOSE_WAIT] = TCP_LAST_ACK | 0x10,
		[TCP_LAST_ACK] = TCP_LAST_ACK,
		[TCP_LISTEN] = TCP_CLOSE,
		[TCP_CLOSING] = TCP_CLOSING,
	};
	int ns = next[sk->sk_state];

	if ((ns & 0xf) == TCP_CLOSE && sk->sk_state != TCP_CLOSE)
		xs_tcp_clear_timers(sk);
	xs_tcp_set_state(sk, ns & 0xf);
	return ns & 0x10;
}

/*
 * What the user set on a socket, kept over a disconnect (the rest of
 * the TCP state starts again).
 */
struct xs_tcp_user_opts {
	bool nodelay, cork;
	int keep_idle, keep_intvl, keep_cnt, linger2;
	u8 nonagle;
	u16 user_mss;
	u32 window_clamp, user_timeout;
	u8 syn_retries;
};

static void xs_tcp_user_opts_save(struct sock *sk, struct xs_tcp_user_opts *u)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	u->nodelay = xs->nodelay;
	u->cork = xs->cork;
	u->keep_idle = xs->keep_idle;
	u->keep_intvl = xs->keep_intvl;
	u->keep_cnt = xs->keep_cnt;
	u->linger2 = tp->linger2;
	u->nonagle = tp->nonagle;
	u->user_mss = tp->rx_opt.user_mss;
	u->window_clamp = tp->window_clamp;
	u->user_timeout = icsk->icsk_user_timeout;
	u->syn_retries = icsk->icsk_syn_retries;
}

static void xs_tcp_user_opts_restore(struct sock *sk,
				     const struct xs_tcp_user_opts *u)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	xs->nodelay = u->nodelay;
	xs->cork = u->cork;
	xs->keep_idle = u->keep_idle;
	xs->keep_intvl = u->keep_intvl;
	xs->keep_cnt = u->keep_cnt;
	tp->linger2 = u->linger2;
	tp->nonagle = u->nonagle;
	tp->rx_opt.user_mss = u->user_mss;
	tp->window_clamp = u->window_clamp;
	icsk->icsk_user_timeout = u->user_timeout;
	icsk->icsk_syn_retries = u->syn_retries;
}

/**
 * xs_tcp_init_state_keep - a fresh TCP state that keeps what the user set
 * @sk: the socket (a child copied from its listener, or one that
 *	disconnected)
 *
 * TCP_NODELAY, TCP_CORK, TCP_KEEP*, TCP_LINGER2, TCP_MAXSEG,
 * TCP_WINDOW_CLAMP, TCP_USER_TIMEOUT and TCP_SYNCNT survive, as they
 * do in Linux (and accepted sockets inherit them).
 */
void xs_tcp_init_state_keep(struct sock *sk)
{
	struct xs_tcp_user_opts u;

	xs_tcp_user_opts_save(sk, &u);
	xs_tcp_init_state(sk);
	xs_tcp_user_opts_restore(sk, &u);
}

/* A fresh TCP state after a disconnect; the options the user set stay. */
static void xs_tcp_reinit(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_congestion_ops *ca;
	struct xs_tcp_bnode bnode = xs->bnode;
	u32 seq = tp->write_seq + tp->max_window + 2;

	ca = icsk->icsk_ca_ops;
	xs_tcp_ca_release(sk);
	xs_tcp_init_state_keep(sk);
	xs->bnode = bnode;
	tp->write_seq = seq ?: 1;
	icsk->icsk_ca_ops = ca;
	xs_tcp_ca_reacquire(sk);
}

/* Linux's tcp_disconnect(): back to CLOSE, ready for a new connect(). */
static int xs_tcp_disconnect(struct sock *sk, int flags)
{
	struct inet_sock *inet = inet_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	int old = sk->sk_state;
	struct sk_buff *skb;

	if (((1 << old) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
			   TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2 | TCPF_SYN_RECV)) ||
	    (tp->snd_nxt != tp->write_seq &&
	     ((1 << old) & (TCPF_CLOSING | TCPF_LAST_ACK)))) {
		xs_tcp_send_active_reset(sk, sk->sk_allocation);
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	} else if (old == TCP_SYN_SENT) {
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	}
	if (old != TCP_CLOSE)
		xs_tcp_set_state(sk, TCP_CLOSE);
	if (old == TCP_LISTEN) {
		xs_tcp_listen_flush(sk);
		kfree(xs->listen);
		xs->listen = NULL;
	}
	xs_tcp_clear_timers(sk);
	while ((skb = skb_peek(&sk->sk_write_queue)))
		xs_tcp_free_skb(sk, skb);
	xs->send_head = NULL;
	__skb_queue_purge(&sk->sk_receive_queue);
	xs_tcp_ofo_purge(&tp->out_of_order_queue);
	WRITE_ONCE(tp->urg_data, 0);
	inet->inet_dport = 0;
	inet->inet_daddr = 0;
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_saddr = 0;
		sk->sk_rcv_saddr = 0;
	}
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);
	xs_tcp_reinit(sk);
	sk_error_report(sk);
	return 0;
}

/* bind */

static int xs_tcp_bind(struct socket *sock, struct sockaddr *uaddr,
		       int addr_len)
{
	struct sock *sk = sock->sk;
	struct xs_net *xn = xs_net(sock_net(sk));
	struct inet_sock *inet = inet_sk(sk);
	struct sockaddr_in sin;
	__be32 addr;
	u16 port;
	int err;

	err = xs_sock_parse_bind_addr(uaddr, addr_len, &sin);
	if (err)
		return err;
	addr = sin.sin_addr.s_addr;
	port = ntohs(sin.sin_port);
	if (addr != htonl(INADDR_ANY)) {
		rcu_read_lock();
		err = xs_addr_lookup_rcu(xn, addr) ? 0 : -EADDRNOTAVAIL;
		rcu_read_unlock();
		if (err && !inet_test_bit(FREEBIND, sk))
			return err;
	}
	if (port && port < READ_ONCE(xn->sysctl_unpriv_port) &&
	    !ns_capable(sock_net(sk)->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_state != TCP_CLOSE || sk->sk_num)
		goto out;
	sk->sk_rcv_saddr = addr;
	inet->inet_saddr = addr;
	err = xs_tcp_bind_port(sk, port);
	if (err) {
		sk->sk_rcv_saddr = 0;
		inet->inet_saddr = 0;
		goto out;
	}
	if (addr)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
out:
	release_sock(sk);
	return err;
}

/* connect */

static int xs_tcp_v4_connect(struct sock *sk, struct sockaddr *uaddr,
			     int addr_len)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct xs_tcp_table *t = xn->tcp;
	struct inet_sock *inet = inet_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct sockaddr_in sin;
	struct xs_rt rt;
	u8 wscale;
	int err;

	err = xs_sock_parse_addr(uaddr, addr_len, &sin);
	if (err)
		return err;
	if (ipv4_is_multicast(sin.sin_addr.s_addr) ||
	    ipv4_is_lbcast(sin.sin_addr.s_addr))
		return -ENETUNREACH;
	rcu_read_lock();
	err = xs_route_output(xn, sin.sin_addr.s_addr, inet->inet_saddr,
			      READ_ONCE(sk->sk_bound_dev_if), &rt);
	rcu_read_unlock();
	if (err)
		return err;
	if (rt.type == XSTACK_RT_BROADCAST || rt.type == XSTACK_RT_MULTICAST)
		return -ENETUNREACH;
	if (!inet->inet_saddr)
		inet->inet_saddr = rt.src;
	if (!sk->sk_rcv_saddr)
		sk->sk_rcv_saddr = inet->inet_saddr;
	inet->inet_dport = sin.sin_port;
	inet->inet_daddr = sin.sin_addr.s_addr;
	xs_tcp_set_state(sk, TCP_SYN_SENT);
	err = xs_tcp_connect_hash(sk);
	if (err)
		goto err_unhash;

	tp->write_seq = xs_tcp_sk(sk)->tw_seq ?:
			xs_tcp_isn(t, inet->inet_saddr, inet->inet_daddr,
				   inet->inet_sport, inet->inet_dport);
	xs_tcp_sk(sk)->tw_seq = 0;
	tp->tsoffset = xs_tcp_ts_off(t, inet->inet_saddr, inet->inet_daddr);
	atomic_set(&inet->inet_id, get_random_u16());
	tp->advmss = rt.mtu - sizeof(struct iphdr) - sizeof(struct tcphdr);
	if (tp->rx_opt.user_mss && tp->rx_opt.user_mss < tp->advmss)
		tp->advmss = tp->rx_opt.user_mss;
	xs_tcp_update_mss(sk, rt.mtu);
	xs_tcp_select_initial_window(sk, tp->advmss, &tp->rcv_wnd, &wscale);
	tp->rx_opt.rcv_wscale = READ_ONCE(t->sysctl_window_scaling) ? wscale : 0;
	tp->snd_una = tp->write_seq;
	tp->snd_nxt = tp->write_seq;
	tp->snd_sml = tp->write_seq;
	tp->snd_up = tp->write_seq;
	tp->pushed_seq = tp->write_seq;
	tp->rcv_nxt = 0;
	tp->rcv_wup = 0;
	tp->copied_seq = 0;
	inet_csk(sk)->icsk_rto = msecs_to_jiffies(XS_TCP_RTO_INIT_MS);
	inet_csk(sk)->icsk_retransmits = 0;
	err = xs_tcp_send_syn(sk);
	if (err)
		goto err_unhash;
	XS_INC(xn, Tcp_ActiveOpens);
	return 0;

err_unhash:
	xs_tcp_set_state(sk, TCP_CLOSE);
	xs_tcp_clear_timers(sk);
	inet->inet_dport = 0;
	inet->inet_daddr = 0;
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_saddr = 0;
		sk->sk_rcv_saddr = 0;
	}
	return err;
}

/* Linux's inet_wait_for_connect(). */
static long xs_tcp_wait_connect(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	sk->sk_write_pending++;
	while ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
		if (signal_pending(current) || !timeo)
			break;
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	sk->sk_write_pending--;
	return timeo;
}

/* Linux's __inet_stream_connect(): the errnos of every socket state. */
static int xs_tcp_connect(struct socket *sock, struct sockaddr *uaddr,
			  int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	long timeo;
	int err;

	if (addr_len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;
	lock_sock(sk);
	if (uaddr->sa_family == AF_UNSPEC) {
		err = xs_tcp_disconnect(sk, flags);
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		goto out;
	}
	switch (sock->state) {
	default:
		err = -EINVAL;
		goto out;
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		err = -EALREADY;
		break;
	case SS_UNCONNECTED:
		err = -EISCONN;
		if (sk->sk_state != TCP_CLOSE)
			goto out;
		err = xs_tcp_v4_connect(sk, uaddr, addr_len);
		if (err < 0)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	}
	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		if (!timeo || !xs_tcp_wait_connect(sk, timeo))
			goto out;
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			goto out;
	}
	if (sk->sk_state == TCP_CLOSE)
		goto sock_error;
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;

sock_error:
	err = sock_error(sk) ?: -ECONNABORTED;
	sock->state = SS_UNCONNECTED;
	if (xs_tcp_disconnect(sk, flags))
		sock->state = SS_DISCONNECTING;
	goto out;
}

/* listen and accept */

static int xs_tcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	int err = -EINVAL;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED)
		goto out;
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		goto out;
	backlog = max(backlog, 0);
	if (sk->sk_state == TCP_LISTEN) {
		WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
		err = 0;
		goto out;
	}
	err = -ENOMEM;
	xs->listen = kzalloc(sizeof(*xs->listen), GFP_KERNEL);
	if (!xs->listen)
		goto out;
	spin_lock_init(&xs->listen->lock);
	INIT_LIST_HEAD(&xs->listen->accept);
	INIT_LIST_HEAD(&xs->listen->reqs);
	if (!sk->sk_num) {
		err = xs_tcp_bind_port(sk, 0);
		if (err)
			goto err_free;
	}
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	sk->sk_ack_backlog = 0;
	xs_tcp_state_store(sk, TCP_LISTEN);
	err = xs_tcp_listen_hash(sk);
	if (err) {
		xs_tcp_state_store(sk, TCP_CLOSE);
		goto err_free;
	}
	err = 0;
	goto out;

err_free:
	kfree(xs->listen);
	xs->listen = NULL;
out:
	release_sock(sk);
	return err;
}

/* Linux's inet_csk_wait_for_connect(). */
static int xs_tcp_wait_accept(struct sock *sk, long *timeo)
{
	DEFINE_WAIT(wait);
	int err;

	for (;;) {
		prepare_to_wait_exclusive(sk_sleep(sk), &wait,
					  TASK_INTERRUPTIBLE);
		release_sock(sk);
		if (!READ_ONCE(sk->sk_ack_backlog))
			*timeo = schedule_timeout(*timeo);
		lock_sock(sk);
		err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			break;
		err = 0;
		if (!list_empty(&xs_tcp_sk(sk)->listen->accept))
			break;
		err = sock_intr_errno(*timeo);
		if (signal_pending(current))
			break;
		err = -EAGAIN;
		if (!*timeo)
			break;
	}
	finish_wait(sk_sleep(sk), &wait);
	return err;
}

static int xs_tcp_accept(struct socket *sock, struct socket *newsock,
			 struct proto_accept_arg *arg)
{
	struct sock *sk = sock->sk, *child = NULL;
	long timeo;
	int err;

	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_state != TCP_LISTEN)
		goto out;
	timeo = sock_rcvtimeo(sk, arg->flags & O_NONBLOCK);
	while (!(child = xs_tcp_accept_dequeue(sk))) {
		err = -EAGAIN;
		if (!timeo)
			goto out;
		err = xs_tcp_wait_accept(sk, &timeo);
		if (err)
			goto out;
	}
	err = 0;
out:
	release_sock(sk);
	if (!child) {
		arg->err = err;
		return err;
	}
	lock_sock(child);
	sock_graft(child, newsock);
	newsock->state = SS_CONNECTED;
	set_bit(SOCK_CUSTOM_SOCKOPT, &newsock->flags);
	release_sock(child);
	/* The accept queue's reference is now the socket's. */
	return 0;
}

/* send */

static u32 xs_tcp_size_goal(struct sock *sk, u32 mss)
{
	u32 goal = min_t(u32, XS_TCP_GSO_MAX,
			 max_t(u32, tcp_sk(sk)->max_window >> 1, mss));

	return max(goal / mss, 1U) * mss;
}

/* The unsent tail skb that new data may go into, or NULL. */
static struct sk_buff *xs_tcp_write_tail(struct sock *sk, u32 goal)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (!skb || !xs_tcp_sk(sk)->send_head)
		return NULL;
	if (TCP_SKB_CB(skb)->tcp_flags & (TCPHDR_FIN | TCPHDR_SYN))
		return NULL;
	if (skb->len >= goal || tcp_skb_pcount(skb))
		return NULL;
	return skb;
}

/* Copy up to @copy bytes of @msg into the page fragments of @skb. */
static int xs_tcp_copy_frag(struct sock *sk, struct sk_buff *skb,
			    struct msghdr *msg, int copy)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	int i = skb_shinfo(skb)->nr_frags, err;
	bool merge;

	if (!sk_page_frag_refill(sk, pfrag))
		return -ENOMEM;
	merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
	if (!merge && i >= MAX_SKB_FRAGS)
		return 0;	/* full: a new skb */
	copy = min_t(int, copy, pfrag->size - pfrag->offset);
	copy = xs_tcp_wmem_schedule(sk, copy);
	if (copy <= 0)
		return -ENOMEM;
	err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb, pfrag->page,
				       pfrag->offset, copy);
	if (err)
		return err;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, copy);
		page_ref_inc(pfrag->page);
	}
	pfrag->offset += copy;
	return copy;
}

static int xs_tcp_sendmsg_locked(struct sock *sk, struct msghdr *msg,
				 size_t size)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int flags = msg->msg_flags, copied = 0, err;
	long timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	u32 mss, goal;

	if ((1 << sk->sk_state) & ~(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto do_error;
	}
	mss = xs_tcp_current_mss(sk);
	goal = xs_tcp_size_goal(sk, mss);
	err = -EPIPE;
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		goto do_error;

	while (msg_data_left(msg)) {
		struct sk_buff *skb = xs_tcp_write_tail(sk, goal);
		int copy;

		if (!skb) {
			bool first = skb_queue_empty(&sk->sk_write_queue);

			if (!xs_tcp_memory_free(sk))
				goto wait_for_space;
			skb = xs_tcp_alloc_skb(sk, sk->sk_allocation, first);
			if (!skb)
				goto wait_for_space;
			TCP_SKB_CB(skb)->seq = tp->write_seq;
			TCP_SKB_CB(skb)->end_seq = tp->write_seq;
			TCP_SKB_CB(skb)->tcp_flags = TCPHDR_ACK;
			xs_tcp_queue_skb(sk, skb);
		}
		copy = min_t(size_t, goal - skb->len, msg_data_left(msg));
		copy = xs_tcp_copy_frag(sk, skb, msg, copy);
		if (copy == -ENOMEM)
			goto wait_for_space;
		if (copy < 0) {
			err = copy;
			goto do_error;
		}
		if (!copy) {
			goal = skb->len;	/* frags full: close this skb */
			continue;
		}
		tp->write_seq += copy;
		TCP_SKB_CB(skb)->end_seq += copy;
		copied += copy;
		goal = xs_tcp_size_goal(sk, mss);
		if (!msg_data_left(msg))
			break;
		if (skb->len < goal)
			continue;
		xs_tcp_push(sk, tp->nonagle);
		continue;

wait_for_space:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		if (copied) {
			if (unlikely(flags & MSG_OOB))
				xs_tcp_urg_mark(sk);
			xs_tcp_push(sk, TCP_NAGLE_PUSH);
		}
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
		mss = xs_tcp_current_mss(sk);
		goal = xs_tcp_size_goal(sk, mss);
	}
	if (copied) {
		if (unlikely(flags & MSG_OOB))
			xs_tcp_urg_mark(sk);
		xs_tcp_push(sk, (flags & MSG_MORE) ? TCP_NAGLE_CORK :
			    tp->nonagle);
	}
	return copied;

do_error:
	if (copied) {
		if (unlikely(flags & MSG_OOB))
			xs_tcp_urg_mark(sk);
		xs_tcp_push(sk, tp->nonagle);
		return copied;
	}
	return sk_stream_error(sk, flags, err);
}

static int xs_tcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;
	int ret;

	lock_sock(sk);
	ret = xs_tcp_sendmsg_locked(sk, msg, size);
	release_sock(sk);
	return ret;
}

/* receive */

/* A window update after reading (Linux's tcp_cleanup_rbuf()). */
static void xs_tcp_cleanup_rbuf(struct sock *sk, int copied)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	bool ack = false;

	if (copied <= 0 || (1 << sk->sk_state) &
	    (TCPF_CLOSE | TCPF_LISTEN | TCPF_SYN_SENT))
		return;
	if (xs->delack_pending &&
	    (tp->rcv_nxt - tp->rcv_wup > icsk->icsk_ack.rcv_mss ||
	     (skb_queue_empty(&sk->sk_receive_queue) && !xs->pingpong)))
		ack = true;
	if (!ack && !(sk->sk_shutdown & RCV_SHUTDOWN)) {
		u32 now = tcp_receive_window(tp);

		if (2 * now <= tp->window_clamp || !tp->window_clamp) {
			u32 nw = xs_tcp_new_window(sk);

			if (nw && nw >= 2 * now)
				ack = true;
		}
	}
	if (ack)
		xs_tcp_send_ack(sk);
}

/**
 * xs_tcp_rcv_space_adjust - receive buffer autotuning (Linux's DRS)
 * @sk: the socket
 *
 * Once per RTT: the buffer grows to hold twice what the application
 * read in the last RTT, up to net.xstack.tcp_rmem[2], unless
 * SO_RCVBUF fixed it or memory is short (tcp_mem.c).
 */
void xs_tcp_rcv_space_adjust(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	u32 rtt = max_t(u32, tp->srtt_us >> 3, USEC_PER_MSEC);
	int rcvbuf;

	if (!xs->rcvq_time) {
		xs->rcvq_time = jiffies;
		return;
	}
	if (jiffies_to_usecs(jiffies - xs->rcvq_time) < rtt)
		return;
	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK) && !xs_tcp_mem_tight(sk)) {
		rcvbuf = div_u64((u64)xs->rcvq_space * 2 * 256,
				 max_t(u32, xs->rcv_ratio, 1));
		rcvbuf = min(rcvbuf, READ_ONCE(xs_tcp_table(sk)->sysctl_rmem[2]));
		if (rcvbuf > sk->sk_rcvbuf)
			WRITE_ONCE(sk->sk_rcvbuf, rcvbuf);
	}
	xs->rcvq_space = 0;
	xs->rcvq_time = jiffies;
}

static void xs_tcp_eat_skb(struct sock *sk, struct sk_buff *skb)
{
	__skb_unlink(skb, &sk->sk_receive_queue);
	__kfree_skb(skb);
}

/*
 * A read of @used bytes at @offset of an skb reaches the urgent byte:
 * stop before it, or step over it when it comes first (unless
 * SO_OOBINLINE), as tcp_recvmsg_locked(). True when nothing is left to
 * copy of this skb now.
 */
static bool xs_tcp_urg_skip(struct sock *sk, u32 *seq, u32 *offset,
			    u32 *used)
{
	u32 urg_offset = tcp_sk(sk)->urg_seq - *seq;

	if (urg_offset >= *used)
		return false;
	if (urg_offset) {
		*used = urg_offset;
		return false;
	}
	if (sock_flag(sk, SOCK_URGINLINE))
		return false;
	WRITE_ONCE(*seq, *seq + 1);
	++*offset;
	return !--*used;
}

static int xs_tcp_recvmsg_locked(struct sock *sk, struct msghdr *msg,
				 size_t len, int flags)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 peek_seq, *seq = &tp->copied_seq;
	int copied = 0, target, err;
	struct sk_buff *skb, *last;
	long timeo;

	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	if (unlikely(flags & MSG_OOB))
		return xs_tcp_recv_urg(sk, msg, len, flags);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	if (flags & MSG_PEEK) {
		peek_seq = tp->copied_seq;
		seq = &peek_seq;
	}
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	do {
		u32 offset, used;

		/* At the urgent mark: stop after what was read (Linux). */
		if (unlikely(tp->urg_data) && tp->urg_seq == *seq) {
			if (copied)
				break;
			if (signal_pending(current)) {
				copied = timeo ? sock_intr_errno(timeo) : -EAGAIN;
				break;
			}
		}
		last = skb_peek_tail(&sk->sk_receive_queue);
		skb_queue_walk(&sk->sk_receive_queue, skb) {
			last = skb;
			offset = *seq - TCP_SKB_CB(skb)->seq;
			if (offset < skb->len)
				goto found_ok_skb;
			if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
				goto found_fin_ok;
		}
		if (copied >= target && !READ_ONCE(sk->sk_backlog.tail))
			break;
		if (copied) {
			if (!timeo || sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) ||
			    signal_pending(current))
				break;
		} else {
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				copied = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				copied = -ENOTCONN;
				break;
			}
			if (!timeo) {
				copied = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				copied = sock_intr_errno(timeo);
				break;
			}
		}
		xs_tcp_cleanup_rbuf(sk, copied);
		if (copied >= target) {
			release_sock(sk);
			lock_sock(sk);
		} else {
			sk_wait_data(sk, &timeo, last);
		}
		if ((flags & MSG_PEEK) && peek_seq != tp->copied_seq) {
			copied = -EAGAIN;	/* another reader moved on */
			break;
		}
		continue;

found_ok_skb:
		used = min_t(size_t, skb->len - offset, len);
		if (unlikely(tp->urg_data) &&
		    xs_tcp_urg_skip(sk, seq, &offset, &used))
			goto skip_copy;
		err = skb_copy_datagram_msg(skb, offset, msg, used);
		if (err) {
			if (!copied)
				copied = -EFAULT;
			break;
		}
		*seq += used;
		copied += used;
		len -= used;
		if (!(flags & MSG_PEEK))
			xs_tcp_sk(sk)->rcvq_space += used;
skip_copy:
		/* Read past the urgent byte: the mark is gone. */
		if (unlikely(tp->urg_data) && after(tp->copied_seq, tp->urg_seq))
			WRITE_ONCE(tp->urg_data, 0);
		if (used + offset < skb->len)
			continue;
		if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
			goto found_fin_ok;
		if (!(flags & MSG_PEEK))
			xs_tcp_eat_skb(sk, skb);
		continue;

found_fin_ok:
		++*seq;
		if (!(flags & MSG_PEEK))
			xs_tcp_eat_skb(sk, skb);
		break;
	} while (len > 0);
	if (!(flags & MSG_PEEK))
		xs_tcp_rcv_space_adjust(sk);
	xs_tcp_cleanup_rbuf(sk, copied);
	return copied;
}

static int xs_tcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
			  int flags)
{
	struct sock *sk = sock->sk;
	int ret;

	if (flags & MSG_ERRQUEUE)
		return xs_sock_recv_err(sk, msg, len, &msg->msg_namelen);
	lock_sock(sk);
	ret = xs_tcp_recvmsg_locked(sk, msg, len, flags);
	release_sock(sk);
	return ret;
}

/* shutdown and close */

static void xs_tcp_shutdown_send(struct sock *sk)
{
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_SYN_SENT |
				   TCPF_SYN_RECV | TCPF_CLOSE_WAIT)) {
		if (xs_tcp_close_state(sk))
			xs_tcp_send_fin(sk);
	}
}

/* Linux's inet_shutdown() and tcp_shutdown(). */
static int xs_tcp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	how++;
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;
	lock_sock(sk);
	if (sock->state == SS_CONNECTING) {
		if ((1 << sk->sk_state) &
		    (TCPF_SYN_SENT | TCPF_SYN_RECV | TCPF_CLOSE))
			sock->state = SS_DISCONNECTING;
		else
			sock->state = SS_CONNECTED;
	}
	switch (sk->sk_state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		fallthrough;
	default:
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		if (how & SEND_SHUTDOWN)
			xs_tcp_shutdown_send(sk);
		break;
	case TCP_LISTEN:
		if (!(how & RCV_SHUTDOWN))
			break;
		fallthrough;
	case TCP_SYN_SENT:
		err = xs_tcp_disconnect(sk, O_NONBLOCK);
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		break;
	}
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

/* Unread bytes, FIN excluded: RFC 2525 2.17 makes close() reset then. */
static u32 xs_tcp_purge_unread(struct sock *sk)
{
	struct sk_buff *skb;
	u32 unread = 0;

	while ((skb = __skb_dequeue(&sk->sk_receive_queue))) {
		u32 len = TCP_SKB_CB(skb)->end_seq - TCP_SKB_CB(skb)->seq;

		if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
			len--;
		if (after(TCP_SKB_CB(skb)->seq + len, tcp_sk(sk)->copied_seq))
			unread += TCP_SKB_CB(skb)->seq + len -
				  max_t(u32, TCP_SKB_CB(skb)->seq,
					tcp_sk(sk)->copied_seq);
		__kfree_skb(skb);
	}
	sk_mem_reclaim(sk);
	return unread;
}

/**
 * xs_tcp_orphan_fin_wait2 - an orphan reached FIN-WAIT-2
 * @sk: the socket (locked, SOCK_DEAD)
 * @more: the segment that acknowledged our FIN still carries data or a
 *	FIN for this socket to process
 *
 * It waits TCP_LINGER2 (or net.xstack.tcp_fin_timeout) for the peer's
 * FIN as a TIME-WAIT object in the FIN-WAIT-2 substate, as Linux does;
 * TCP_LINGER2 below zero resets at once. With @more it stays a full
 * socket under the FIN-WAIT-2 timer instead, so that a FIN that came
 * with the ACK moves it to TIME-WAIT and is acknowledged rather than
 * lost (Linux's tcp_rcv_state_process() does the same).
 *
 * Return: true when the socket is closed.
 */
bool xs_tcp_orphan_fin_wait2(struct sock *sk, bool more)
{
	int tmo = READ_ONCE(tcp_sk(sk)->linger2);

	if (tmo < 0) {
		xs_tcp_send_active_reset(sk, GFP_ATOMIC);
		XS_INC(xs_net(sock_net(sk)), TcpExt_TCPAbortOnLinger);
		xs_tcp_done(sk);
		return true;
	}
	tmo = tmo ?: READ_ONCE(xs_tcp_table(sk)->sysctl_fin_timeout) * HZ;
	if (more) {
		xs_tcp_reset_keepalive(sk, tmo);
		return false;
	}
	xs_tcp_time_wait(sk, TCP_FIN_WAIT2, tmo);
	return true;
}

static void xs_tcp_close(struct sock *sk, long timeout)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	u32 unread;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sk->sk_state == TCP_LISTEN) {
		xs_tcp_set_state(sk, TCP_CLOSE);
		xs_tcp_listen_flush(sk);
		goto adjudge;
	}
	unread = xs_tcp_purge_unread(sk);
	if (sk->sk_state == TCP_CLOSE)
		goto adjudge;
	if (unread) {
		/* RFC 2525 2.17: data is lost, the peer must know. */
		xs_tcp_send_active_reset(sk, sk->sk_allocation);
		xs_tcp_set_state(sk, TCP_CLOSE);
		XS_INC(xn, TcpExt_TCPAbortOnClose);
	} else if (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) {
		/* SO_LINGER with a zero timeout: abort. */
		xs_tcp_disconnect(sk, 0);
		XS_INC(xn, TcpExt_TCPAbortOnData);
	} else if (xs_tcp_close_state(sk)) {
		xs_tcp_send_fin(sk);
	}
	if (timeout)
		sk_stream_wait_close(sk, timeout);
adjudge:
	sock_orphan(sk);
	if (sk->sk_state != TCP_CLOSE) {
		xs_tcp_orphan_inc(sk);
		if (xs_tcp_check_oom(sk, 0)) {
			xs_tcp_send_active_reset(sk, GFP_ATOMIC);
			xs_tcp_set_state(sk, TCP_CLOSE);
		}
	}
	if (sk->sk_state == TCP_FIN_WAIT2)
		xs_tcp_orphan_fin_wait2(sk, false);	/* becomes CLOSE */
	if (sk->sk_state == TCP_CLOSE) {
		xs_tcp_clear_timers(sk);
		xs_tcp_destroy_sock(sk);
	}
	release_sock(sk);
}

static int xs_tcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	long timeout = 0;

	if (!sk)
		return 0;
	if (sock_flag(sk, SOCK_LINGER) && !(current->flags & PF_EXITING))
		timeout = sk->sk_lingertime;
	xs_tcp_close(sk, timeout);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

/* poll */

static __poll_t xs_tcp_poll(struct file *file, struct socket *sock,
			    poll_table *wait)
{
	struct sock *sk = sock->sk;
	const struct tcp_sock *tp = tcp_sk(sk);
	__poll_t mask = 0;
	u8 shutdown;
	int state;

	sock_poll_wait(file, sock, wait);
	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return READ_ONCE(sk->sk_ack_backlog) ? EPOLLIN | EPOLLRDNORM : 0;
	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		int target = sock_rcvlowat(sk, 0, INT_MAX);
		u32 avail = READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);
		u16 urg_data = READ_ONCE(tp->urg_data);

		if (avail && sock_flag(sk, SOCK_DONE))
			avail--;
		/* The urgent byte a read steps over is not readable data. */
		if (unlikely(urg_data) &&
		    READ_ONCE(tp->urg_seq) == READ_ONCE(tp->copied_seq) &&
		    !sock_flag(sk, SOCK_URGINLINE))
			target++;
		if (urg_data & TCP_URG_VALID)
			mask |= EPOLLPRI;
		if ((int)avail >= target)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (xs_tcp_is_writeable(sk)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* NOSPACE before the recheck: the writer's
				 * wakeup sees it (as tcp_poll()).
				 */
				smp_mb__after_atomic();
				if (xs_tcp_is_writeable(sk))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	/* sk_err after the state (as tcp_poll(); pairs with sk_error_report()). */
	smp_rmb();
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

/* ioctls */

static int xs_tcp_ioctl(struct socket *sock, unsigned int cmd,
			unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct tcp_sock *tp = tcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		/* Up to the urgent mark while one is ahead (tcp_inq()). */
		if (unlikely(tp->urg_data) && !sock_flag(sk, SOCK_URGINLINE) &&
		    !before(tp->urg_seq, tp->copied_seq) &&
		    before(tp->urg_seq, tp->rcv_nxt)) {
			answ = tp->urg_seq - tp->copied_seq;
		} else {
			answ = tp->rcv_nxt - tp->copied_seq;
			if (answ && sock_flag(sk, SOCK_DONE))
				answ--;
		}
		release_sock(sk);
		break;
	case SIOCATMARK:
		answ = READ_ONCE(tp->urg_data) &&
		       READ_ONCE(tp->urg_seq) == READ_ONCE(tp->copied_seq);
		break;
	case SIOCOUTQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = (1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV) ?
		       0 : READ_ONCE(tp->write_seq) - tp->snd_una;
		break;
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = (1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV) ?
		       0 : READ_ONCE(tp->write_seq) - READ_ONCE(tp->snd_nxt);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

/* socket options */

static int xs_tcp_set_congestion(struct sock *sk, sockptr_t optval,
				 unsigned int optlen)
{
	char name[TCP_CA_NAME_MAX];
	int len, err;

	if (optlen < 1)
		return -EINVAL;
	len = min_t(unsigned int, optlen, TCP_CA_NAME_MAX - 1);
	if (copy_from_sockptr(name, optval, len))
		return -EFAULT;
	name[len] = 0;
	lock_sock(sk);
	err = xs_tcp_ca_assign(sk, name,
			       ns_capable(sock_net(sk)->user_ns,
					  CAP_NET_ADMIN));
	release_sock(sk);
	return err;
}

static int xs_tcp_set_int(struct sock *sk, int optname, int val)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	switch (optname) {
	case TCP_NODELAY:
		xs->nodelay = !!val;
		if (val) {
			tp->nonagle |= TCP_NAGLE_OFF | TCP_NAGLE_PUSH;
			xs_tcp_push(sk, tp->nonagle);
		} else {
			tp->nonagle &= ~TCP_NAGLE_OFF;
		}
		return 0;
	case TCP_CORK:
		xs->cork = !!val;
		if (val) {
			tp->nonagle |= TCP_NAGLE_CORK;
		} else {
			tp->nonagle &= ~TCP_NAGLE_CORK;
			if (tp->nonagle & TCP_NAGLE_OFF)
				tp->nonagle |= TCP_NAGLE_PUSH;
			xs_tcp_push(sk, tp->nonagle | TCP_NAGLE_PUSH);
		}
		return 0;
	case TCP_MAXSEG:
		if (val && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW))
			return -EINVAL;
		tp->rx_opt.user_mss = val;
		return 0;
	case TCP_KEEPIDLE:
		if (val < 1 || val > MAX_TCP_KEEPIDLE)
			return -EINVAL;
		WRITE_ONCE(xs->keep_idle, val);
		if (sock_flag(sk, SOCK_KEEPOPEN) &&
		    !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
			xs_tcp_reset_keepalive(sk, val * HZ);
		return 0;
	case TCP_KEEPINTVL:
		if (val < 1 || val > MAX_TCP_KEEPINTVL)
			return -EINVAL;
		WRITE_ONCE(xs->keep_intvl, val);
		return 0;
	case TCP_KEEPCNT:
		if (val < 1 || val > MAX_TCP_KEEPCNT)
			return -EINVAL;
		WRITE_ONCE(xs->keep_cnt, val);
		return 0;
	case TCP_USER_TIMEOUT:
		if (val < 0)
			return -EINVAL;
		WRITE_ONCE(icsk->icsk_user_timeout, val);
		return 0;
	case TCP_SYNCNT:
		if (val < 1 || val > MAX_TCP_SYNCNT)
			return -EINVAL;
		WRITE_ONCE(icsk->icsk_syn_retries, val);
		return 0;
	case TCP_LINGER2:
		if (val < 0)
			WRITE_ONCE(tp->linger2, -1);
		else if (val > XS_TCP_FIN_TIMEOUT * 2)
			WRITE_ONCE(tp->linger2, XS_TCP_FIN_TIMEOUT * 2 * HZ);
		else
			WRITE_ONCE(tp->linger2, val * HZ);
		return 0;
	case TCP_QUICKACK:
		if (val & 1) {
			xs->pingpong = false;
			xs->quick = XS_TCP_MAX_QUICKACKS;
			if ((1 << sk->sk_state) &
			    (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT) &&
			    xs->delack_pending)
				xs_tcp_send_ack(sk);
		} else {
			xs->pingpong = true;
			xs->quick = 0;
		}
		return 0;
	case TCP_WINDOW_CLAMP:
		if (val && val < SOCK_MIN_RCVBUF / 2)
			val = SOCK_MIN_RCVBUF / 2;
		if (val < 0)
			return -EINVAL;
		WRITE_ONCE(tp->window_clamp, val);
		return 0;
	case TCP_NOTSENT_LOWAT:
		WRITE_ONCE(tp->notsent_lowat, val);
		return 0;
	case TCP_DEFER_ACCEPT:
	case TCP_THIN_LINEAR_TIMEOUTS:
		return 0;	/* accepted, no effect yet */
	}
	return -ENOPROTOOPT;
}

static int xs_tcp_setsockopt(struct socket *sock, int level, int optname,
			     sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val, err;

	if (level == SOL_SOCKET)
		return xs_sock_sol_socket(sock, optname, optval, optlen);
	if (level == SOL_IP) {
		lock_sock(sk);
		err = xs_ip_setsockopt(sk, optname, optval, optlen);
		release_sock(sk);
		return err;
	}
	if (level != SOL_TCP)
		return -ENOPROTOOPT;
	if (optname == TCP_CONGESTION)
		return xs_tcp_set_congestion(sk, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	err = xs_tcp_set_int(sk, optname, val);
	release_sock(sk);
	return err;
}

/* Linux's tcp_compute_delivery_rate(): bytes per second. */
static u64 xs_tcp_delivery_rate(const struct tcp_sock *tp)
{
	u32 rate = READ_ONCE(tp->rate_delivered);
	u32 intv = READ_ONCE(tp->rate_interval_us);
	u64 rate64 = 0;

	if (rate && intv) {
		rate64 = (u64)rate * tp->mss_cache * USEC_PER_SEC;
		do_div(rate64, intv);
	}
	return rate64;
}

/**
 * xs_tcp_get_info - TCP_INFO of a socket (Linux's tcp_get_info() fields)
 * @sk: the socket (locked, or a consistent-enough lockless read)
 * @info: filled in
 */
void xs_tcp_get_info(struct sock *sk, struct tcp_info *info)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 now = tcp_jiffies32;
	unsigned long rate;

	memset(info, 0, sizeof(*info));
	info->tcpi_state = inet_sk_state_load(sk);
	rate = READ_ONCE(sk->sk_pacing_rate);
	info->tcpi_pacing_rate = rate != ~0UL ? rate : ~0ULL;
	rate = READ_ONCE(sk->sk_max_pacing_rate);
	info->tcpi_max_pacing_rate = rate != ~0UL ? rate : ~0ULL;
	info->tcpi_reordering = tp->reordering;
	info->tcpi_snd_cwnd = tcp_snd_cwnd(tp);
	if (info->tcpi_state == TCP_LISTEN) {
		info->tcpi_unacked = READ_ONCE(sk->sk_ack_backlog);
		info->tcpi_sacked = READ_ONCE(sk->sk_max_ack_backlog);
		return;
	}
	info->tcpi_ca_state = icsk->icsk_ca_state;
	info->tcpi_retransmits = icsk->icsk_retransmits;
	info->tcpi_probes = icsk->icsk_probes_out;
	info->tcpi_backoff = icsk->icsk_backoff;
	if (tp->rx_opt.tstamp_ok)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tcp_is_sack(tp))
		info->tcpi_options |= TCPI_OPT_SACK;
	if (tp->ecn_flags & TCP_ECN_OK)
		info->tcpi_options |= TCPI_OPT_ECN;
	if (tp->ecn_flags & TCP_ECN_SEEN)
		info->tcpi_options |= TCPI_OPT_ECN_SEEN;
	if (tp->rx_opt.wscale_ok) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = tp->rx_opt.snd_wscale;
		info->tcpi_rcv_wscale = tp->rx_opt.rcv_wscale;
	}
	info->tcpi_rto = jiffies_to_usecs(icsk->icsk_rto);
	info->tcpi_ato = jiffies_to_usecs(min_t(u32, icsk->icsk_ack.ato,
						XS_TCP_DELACK_MAX));
	info->tcpi_snd_mss = tp->mss_cache;
	info->tcpi_rcv_mss = icsk->icsk_ack.rcv_mss;
	info->tcpi_unacked = tp->packets_out;
	info->tcpi_sacked = tp->sacked_out;
	info->tcpi_lost = tp->lost_out;
	info->tcpi_retrans = tp->retrans_out;
	info->tcpi_last_data_sent = jiffies_to_msecs(now - tp->lsndtime);
	info->tcpi_last_data_recv = jiffies_to_msecs(now -
						     icsk->icsk_ack.lrcvtime);
	info->tcpi_last_ack_recv = jiffies_to_msecs(now - tp->rcv_tstamp);
	info->tcpi_pmtu = icsk->icsk_pmtu_cookie;
	info->tcpi_rcv_ssthresh = tp->rcv_ssthresh ?: tp->rcv_wnd;
	info->tcpi_rtt = tp->srtt_us >> 3;
	info->tcpi_rttvar = tp->mdev_us >> 2;
	info->tcpi_snd_ssthresh = tp->snd_ssthresh;
	info->tcpi_advmss = tp->advmss;
	info->tcpi_rcv_space = sk->sk_rcvbuf;
	info->tcpi_total_retrans = tp->total_retrans;
	info->tcpi_bytes_acked = tp->bytes_acked;
	info->tcpi_bytes_received = tp->bytes_received;
	info->tcpi_notsent_bytes = max_t(int, 0, tp->write_seq - tp->snd_nxt);
	info->tcpi_segs_out = tp->segs_out;
	info->tcpi_segs_in = READ_ONCE(tp->segs_in);
	info->tcpi_data_segs_in = READ_ONCE(tp->data_segs_in);
	info->tcpi_min_rtt = tcp_min_rtt(tp);
	info->tcpi_data_segs_out = tp->data_segs_out;
	info->tcpi_delivery_rate_app_limited = tp->rate_app_limited ? 1 : 0;
	info->tcpi_delivery_rate = xs_tcp_delivery_rate(tp);
	info->tcpi_delivered = tp->delivered;
	info->tcpi_delivered_ce = tp->delivered_ce;
	info->tcpi_bytes_sent = tp->bytes_sent;
	info->tcpi_bytes_retrans = tp->bytes_retrans;
	info->tcpi_dsack_dups = tp->dsack_dups;
	info->tcpi_reord_seen = tp->reord_seen;
	info->tcpi_rcv_ooopack = tp->rcv_ooopack;
	info->tcpi_snd_wnd = tp->snd_wnd;
	info->tcpi_rcv_wnd = tp->rcv_wnd;
	info->tcpi_total_rto = tp->total_rto;
}

static int xs_tcp_put_opt(char __user *optval, int __user *optlen,
			  const void *val, int size, int len)
{
	len = min(len, size);
	if (put_user(len, optlen) || copy_to_user(optval, val, len))
		return -EFAULT;
	return 0;
}

static int xs_tcp_get_int(struct sock *sk, int optname, int *val)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	switch (optname) {
	case TCP_NODELAY:
		*val = xs->nodelay;
		return 0;
	case TCP_CORK:
		*val = xs->cork;
		return 0;
	case TCP_MAXSEG:
		*val = tp->mss_cache;
		if (tp->rx_opt.user_mss &&
		    (1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
			*val = tp->rx_opt.user_mss;
		return 0;
	case TCP_KEEPIDLE:
		*val = xs_tcp_keepalive_time(sk);
		return 0;
	case TCP_KEEPINTVL:
		*val = xs_tcp_keepalive_intvl(sk);
		return 0;
	case TCP_KEEPCNT:
		*val = xs_tcp_keepalive_probes(sk);
		return 0;
	case TCP_USER_TIMEOUT:
		*val = READ_ONCE(icsk->icsk_user_timeout);
		return 0;
	case TCP_SYNCNT:
		*val = READ_ONCE(icsk->icsk_syn_retries) ?:
		       READ_ONCE(xs_tcp_table(sk)->sysctl_syn_retries);
		return 0;
	case TCP_LINGER2:
		*val = READ_ONCE(tp->linger2);
		if (*val >= 0)
			*val = (*val ?: READ_ONCE(xs_tcp_table(sk)->sysctl_fin_timeout) *
				HZ) / HZ;
		return 0;
	case TCP_QUICKACK:
		*val = !xs->pingpong;
		return 0;
	case TCP_WINDOW_CLAMP:
		*val = READ_ONCE(tp->window_clamp);
		return 0;
	case TCP_NOTSENT_LOWAT:
		*val = READ_ONCE(tp->notsent_lowat);
		return 0;
	case TCP_DEFER_ACCEPT:
	case TCP_THIN_LINEAR_TIMEOUTS:
		*val = 0;
		return 0;
	}
	return -ENOPROTOOPT;
}

static int xs_tcp_getsockopt(struct socket *sock, int level, int optname,
			     char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	int len, val, err;

	if (level == SOL_IP)
		return xs_ip_getsockopt(sk, optname, optval, optlen);
	if (level != SOL_TCP)
		return -EOPNOTSUPP;	/* as Linux's ip_getsockopt() */
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (optname == TCP_INFO) {
		struct tcp_info info;

		lock_sock(sk);
		xs_tcp_get_info(sk, &info);
		release_sock(sk);
		return xs_tcp_put_opt(optval, optlen, &info, sizeof(info), len);
	}
	if (optname == TCP_CONGESTION) {
		char name[TCP_CA_NAME_MAX] = {};
		const struct tcp_congestion_ops *ca;

		lock_sock(sk);
		ca = inet_csk(sk)->icsk_ca_ops;
		if (ca)
			strscpy(name, ca->name, sizeof(name));
		release_sock(sk);
		return xs_tcp_put_opt(optval, optlen, name, sizeof(name), len);
	}
	lock_sock(sk);
	err = xs_tcp_get_int(sk, optname, &val);
	release_sock(sk);
	if (err)
		return err;
	return xs_tcp_put_opt(optval, optlen, &val, sizeof(val), len);
}

struct proto xs_tcp_prot = {
	.name = "XS_TCP",
	.owner = THIS_MODULE,
	.init = xs_tcp_init_sock,
	.disconnect = xs_tcp_disconnect,
	.keepalive = xs_tcp_set_keepalive,
	.backlog_rcv = xs_tcp_backlog_rcv,
	.release_cb = xs_tcp_release_cb,
	/* the memory fields: xs_tcp_mem_prot_init() */
	.max_header = MAX_TCP_HEADER,
	.obj_size = sizeof(struct xs_tcp_sock),
	.slab_flags = SLAB_TYPESAFE_BY_RCU,
};

/* af_xstack.c copies it and fills in the family number in force. */
const struct proto_ops xs_tcp_ops = {
	.owner = THIS_MODULE,
	.release = xs_tcp_release,
	.bind = xs_tcp_bind,
	.connect = xs_tcp_connect,
	.socketpair = sock_no_socketpair,
	.accept = xs_tcp_accept,
	.getname = xs_sock_getname,
	.poll = xs_tcp_poll,
	.ioctl = xs_tcp_ioctl,
	.listen = xs_tcp_listen,
	.shutdown = xs_tcp_shutdown,
	.setsockopt = xs_tcp_setsockopt,
	.getsockopt = xs_tcp_getsockopt,
	.sendmsg = xs_tcp_sendmsg,
	.recvmsg = xs_tcp_recvmsg,
	.mmap = sock_no_mmap,
};

const struct xs_l4_proto xs_tcp_l4 = {
	.rcv = xs_tcp_v4_rcv,
	.err = xs_tcp_err,
};

/* /proc/net/xstack/tcp in the format of /proc/net/tcp */

static void xs_tcp_proc_sk(struct seq_file *seq, struct sock *sk, int i)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	int state = inet_sk_state_load(sk), timer = 0, rxq, txq;
	unsigned long expires = jiffies;

	if (icsk->icsk_pending == XS_TIMER_RTO) {
		timer = 1;
		expires = icsk->icsk_timeout;
	} else if (icsk->icsk_pending == XS_TIMER_PROBE) {
		timer = 4;
		expires = icsk->icsk_timeout;
	} else if (timer_pending(&sk->sk_timer)) {
		timer = 2;
		expires = sk->sk_timer.expires;
	}
	if (state == TCP_LISTEN) {
		rxq = READ_ONCE(sk->sk_ack_backlog);
		txq = READ_ONCE(sk->sk_max_ack_backlog);
	} else {
		rxq = max_t(int, READ_ONCE(tp->rcv_nxt) -
			    READ_ONCE(tp->copied_seq), 0);
		txq = READ_ONCE(tp->write_seq) - tp->snd_una;
	}
	seq_printf(seq, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %lu %lu %u %u %d\n",
		   i, sk->sk_rcv_saddr, sk->sk_num, sk->sk_daddr,
		   ntohs(sk->sk_dport), state, txq, rxq, timer,
		   jiffies_delta_to_clock_t(expires - jiffies),
		   icsk->icsk_retransmits,
		   from_kuid_munged(seq_user_ns(seq), sock_i_uid(sk)),
		   icsk->icsk_probes_out, sock_i_ino(sk),
		   refcount_read(&sk->sk_refcnt), sk,
		   jiffies_to_clock_t(icsk->icsk_rto),
		   jiffies_to_clock_t(icsk->icsk_ack.ato),
		   (icsk->icsk_ack.quick << 1) | xs_tcp_sk(sk)->pingpong,
		   tcp_snd_cwnd(tp),
		   state == TCP_LISTEN ? 0 :
		   (tcp_in_initial_slowstart(tp) ? -1 : tp->snd_ssthresh));
}

static void xs_tcp_proc_ent(struct seq_file *seq, struct xs_tcp_ent *ent,
			    int i)
{
	const struct xs_tcp_key *k = &ent->key;
	struct xs_tcp_req *req;
	struct xs_tcp_tw *tw;

	switch (ent->kind) {
	case XS_TCP_ENT_SOCK:
		xs_tcp_proc_sk(seq, (struct sock *)
			       container_of(ent, struct xs_tcp_sock, ent), i);
		return;
	case XS_TCP_ENT_REQ:
		req = container_of(ent, struct xs_tcp_req, ent);
		seq_printf(seq, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %d %d %pK\n",
			   i, k->laddr, ntohs(k->lport), k->raddr,
			   ntohs(k->rport), TCP_SYN_RECV, 0, 0, 1,
			   jiffies_delta_to_clock_t(req->timer.expires -
						    jiffies),
			   req->num_retrans, 0, 0, 0, 0, req);
		return;
	case XS_TCP_ENT_TW:
		tw = container_of(ent, struct xs_tcp_tw, ent);
		seq_printf(seq, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %pK\n",
			   i, k->laddr, ntohs(k->lport), k->raddr,
			   ntohs(k->rport), tw->substate, 0, 0, 3,
			   jiffies_delta_to_clock_t(tw->timer.expires -
						    jiffies),
			   0, 0, 0, 0, refcount_read(&tw->refcnt), tw);
		return;
	}
}

static int xs_tcp_proc_show(struct seq_file *seq, void *v)
{
	struct xs_tcp_table *t = xs_net(seq_file_single_net(seq))->tcp;
	struct rhashtable_iter iter;
	struct xs_tcp_sock *xs;
	struct xs_tcp_ent *ent;
	unsigned int b;
	int i = 0;

	seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	rcu_read_lock();
	for (b = 0; b < BIT(XS_TCP_LHASH_BITS); b++)
		hlist_for_each_entry_rcu(xs, &t->lhash[b], lnode)
			xs_tcp_proc_sk(seq, &xs->tp.inet_conn.icsk_inet.sk, i++);
	rcu_read_unlock();
	rhashtable_walk_enter(&t->ehash, &iter);
	rhashtable_walk_start(&iter);
	while ((ent = rhashtable_walk_next(&iter))) {
		if (IS_ERR(ent))
			continue;
		xs_tcp_proc_ent(seq, ent, i++);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return 0;
}

/* Sysctls: net.xstack.tcp_* */

static int xs_tcp_mem_handler(const struct ctl_table *table, int write,
			      void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ctl_table tmp = *table;

	if (write && !capable(CAP_NET_ADMIN))
		return -EPERM;
	tmp.data = xs_tcp_mem;
	tmp.maxlen = sizeof(xs_tcp_mem);
	return proc_doulongvec_minmax(&tmp, write, buffer, lenp, ppos);
}

static int xs_tcp_max_orphans_handler(const struct ctl_table *table,
				      int write, void *buffer, size_t *lenp,
				      loff_t *ppos)
{
	struct ctl_table tmp = *table;

	if (write && !capable(CAP_NET_ADMIN))
		return -EPERM;
	tmp.data = &xs_tcp_max_orphans;
	tmp.extra1 = SYSCTL_ZERO;
	tmp.extra2 = SYSCTL_INT_MAX;
	return proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
}

static int xs_tcp_ca_handler(const struct ctl_table *table, int write,
			     void *buffer, size_t *lenp, loff_t *ppos)
{
	struct xs_tcp_table *t = container_of(table->data, struct xs_tcp_table,
					      sysctl_ca_name);
	char name[TCP_CA_NAME_MAX];
	struct ctl_table tmp = {
		.data = name,
		.maxlen = sizeof(name),
	};
	int err;

	xs_tcp_ca_default_name(t, name, sizeof(name));
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (write && !err)
		err = xs_tcp_ca_set_default(t, name);
	return err;
}

static int xs_tcp_ca_avail_handler(const struct ctl_table *table, int write,
				   void *buffer, size_t *lenp, loff_t *ppos)
{
	char *list = kzalloc(TCP_CA_BUF_MAX, GFP_KERNEL);
	struct ctl_table tmp = {
		.maxlen = TCP_CA_BUF_MAX,
	};
	int err;

	if (!list)
		return -ENOMEM;
	xs_tcp_ca_available(list, TCP_CA_BUF_MAX);
	tmp.data = list;
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	kfree(list);
	return err;
}

#define XS_TCP_INT(name, field, lo, hi)					\
	{								\
		.procname = name,					\
		.data = XS_SYSCTL_OFF(struct xs_tcp_table, field),	\
		.maxlen = sizeof(int),					\
		.mode = 0644,						\
		.proc_handler = proc_dointvec_minmax,			\
		.extra1 = (void *)(lo),					\
		.extra2 = (void *)(hi),					\
	}

static const int xs_tcp_int_max = INT_MAX;
static const int xs_tcp_sec_max = 32767;
static const int xs_tcp_retries_max = 255;
static const int xs_tcp_rto_max_max = 120000;
static const int xs_tcp_rto_min_min = 1;

static const struct ctl_table xs_tcp_sysctl[] = {
	{
		.procname = "tcp_rmem",
		.data = XS_SYSCTL_OFF(struct xs_tcp_table, sysctl_rmem),
		.maxlen = sizeof(int) * 3,
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
	},
	{
		.procname = "tcp_wmem",
		.data = XS_SYSCTL_OFF(struct xs_tcp_table, sysctl_wmem),
		.maxlen = sizeof(int) * 3,
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
	},
	{
		.procname = "tcp_mem",
		.data = XS_SYSCTL_OFF(struct xs_tcp_table, sysctl_rmem),
		.maxlen = sizeof(xs_tcp_mem),
		.mode = 0644,
		.proc_handler = xs_tcp_mem_handler,
	},
	{
		.procname = "tcp_max_orphans",
		.data = XS_SYSCTL_OFF(struct xs_tcp_table, sysctl_rmem),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = xs_tcp_max_orphans_handler,
	},
	{
		.procname = "tcp_congestion_control",
		.data = XS_SYSCTL_OFF(struct xs_tcp_table, sysctl_ca_name),
		.maxlen = TCP_CA_NAME_MAX,
		.mode = 0644,
		.proc_handler = xs_tcp_ca_handler,
	},
	{
		.procname = "tcp_available_congestion_control",
		.data = XS_SYSCTL_OFF(struct xs_tcp_table, sysctl_ca_name),
		.maxlen = TCP_CA_BUF_MAX,
		.mode = 0444,
		.proc_handler = xs_tcp_ca_avail_handler,
	},
	XS_TCP_INT("tcp_syn_retries", sysctl_syn_retries, SYSCTL_ONE,
		   &xs_tcp_retries_max),
	XS_TCP_INT("tcp_synack_retries", sysctl_synack_retries, SYSCTL_ONE,
		   &xs_tcp_retries_max),
	XS_TCP_INT("tcp_retries2", sysctl_retries2, SYSCTL_ONE,
		   &xs_tcp_retries_max),
	XS_TCP_INT("tcp_orphan_retries", sysctl_orphan_retries, SYSCTL_ZERO,
		   &xs_tcp_retries_max),
	XS_TCP_INT("tcp_fin_timeout", sysctl_fin_timeout, SYSCTL_ONE,
		   &xs_tcp_sec_max),
	XS_TCP_INT("tcp_keepalive_time", sysctl_keepalive_time, SYSCTL_ONE,
		   &xs_tcp_sec_max),
	XS_TCP_INT("tcp_keepalive_intvl", sysctl_keepalive_intvl, SYSCTL_ONE,
		   &xs_tcp_sec_max),
	XS_TCP_INT("tcp_keepalive_probes", sysctl_keepalive_probes, SYSCTL_ONE,
		   &xs_tcp_retries_max),
	XS_TCP_INT("tcp_rto_min_ms", sysctl_rto_min_ms, &xs_tcp_rto_min_min,
		   &xs_tcp_rto_max_max),
	XS_TCP_INT("tcp_rto_max_ms", sysctl_rto_max_ms, &xs_tcp_rto_min_min,
		   &xs_tcp_rto_max_max),
	XS_TCP_INT("tcp_sack", sysctl_sack, SYSCTL_ZERO, SYSCTL_ONE),
	XS_TCP_INT("tcp_timestamps", sysctl_timestamps, SYSCTL_ZERO,
		   SYSCTL_ONE),
	XS_TCP_INT("tcp_window_scaling", sysctl_window_scaling, SYSCTL_ZERO,
		   SYSCTL_ONE),
	XS_TCP_INT("tcp_max_syn_backlog", sysctl_max_syn_backlog, SYSCTL_ONE,
		   &xs_tcp_int_max),
	XS_TCP_INT("tcp_challenge_ack_limit", sysctl_challenge_ack_limit,
		   SYSCTL_ZERO, &xs_tcp_int_max),
	XS_TCP_INT("tcp_rfc1337", sysctl_rfc1337, SYSCTL_ZERO, SYSCTL_ONE),
	XS_TCP_INT("tcp_abort_on_overflow", sysctl_abort_on_overflow,
		   SYSCTL_ZERO, SYSCTL_ONE),
	XS_TCP_INT("tcp_syncookies", sysctl_syncookies, SYSCTL_ZERO,
		   SYSCTL_TWO),
	XS_TCP_INT("tcp_stdurg", sysctl_stdurg, SYSCTL_ZERO, SYSCTL_ONE),
	XS_TCP_INT("tcp_ecn", sysctl_ecn, SYSCTL_ZERO, SYSCTL_TWO),
	XS_TCP_INT("tcp_ecn_fallback", sysctl_ecn_fallback, SYSCTL_ZERO,
		   SYSCTL_ONE),
	XS_TCP_INT("tcp_pacing_ss_ratio", sysctl_pacing_ss_ratio, SYSCTL_ZERO,
		   SYSCTL_ONE_THOUSAND),
	XS_TCP_INT("tcp_pacing_ca_ratio", sysctl_pacing_ca_ratio, SYSCTL_ZERO,
		   SYSCTL_ONE_THOUSAND),
	XS_TCP_INT("tcp_limit_output_bytes", sysctl_limit_output_bytes,
		   SYSCTL_ZERO, &xs_tcp_int_max),
};

static void xs_tcp_sysctl_defaults(struct xs_tcp_table *t)
{
	t->sysctl_rmem[0] = PAGE_SIZE;
	t->sysctl_rmem[1] = 131072;
	t->sysctl_rmem[2] = 6 * 1024 * 1024;
	t->sysctl_wmem[0] = PAGE_SIZE;
	t->sysctl_wmem[1] = 16 * 1024;
	t->sysctl_wmem[2] = 4 * 1024 * 1024;
	t->sysctl_syn_retries = XS_TCP_SYN_RETRIES;
	t->sysctl_synack_retries = XS_TCP_SYNACK_RETRIES;
	t->sysctl_retries2 = XS_TCP_RETRIES2;
	t->sysctl_fin_timeout = XS_TCP_FIN_TIMEOUT;
	t->sysctl_keepalive_time = XS_TCP_KEEPIDLE;
	t->sysctl_keepalive_intvl = XS_TCP_KEEPINTVL;
	t->sysctl_keepalive_probes = XS_TCP_KEEPCNT;
	t->sysctl_rto_min_ms = XS_TCP_RTO_MIN_MS;
	t->sysctl_rto_max_ms = XS_TCP_RTO_MAX_MS;
	t->sysctl_sack = 1;
	t->sysctl_timestamps = 1;
	t->sysctl_window_scaling = 1;
	t->sysctl_max_syn_backlog = XS_TCP_MAX_BACKLOG;
	t->sysctl_challenge_ack_limit = XS_TCP_CHALLENGE_ACKS;
	t->sysctl_syncookies = 1;
	t->sysctl_ecn = 2;		/* accept ECN, do not ask for it */
	t->sysctl_ecn_fallback = 1;
	t->sysctl_pacing_ss_ratio = 200;
	t->sysctl_pacing_ca_ratio = 120;
	t->sysctl_limit_output_bytes = 1024 * 1024;
}

/**
 * xs_tcp_net_init - TCP tables, sysctls and /proc of a namespace
 * @xn: namespace state
 *
 * Return: 0 or a negative errno.
 */
int xs_tcp_net_init(struct xs_net *xn)
{
	struct xs_tcp_table *t = kzalloc(sizeof(*t), GFP_KERNEL);
	int err;

	if (unlikely(!t))
		return -ENOMEM;
	xs_tcp_sysctl_defaults(t);
	xs_tcp_syncookie_init(t);
	err = xs_tcp_table_init(xn, t);
	if (unlikely(err))
		goto err_table;
	xn->tcp = t;
	err = xs_tcp_ca_net_init(xn->net, t);
	if (unlikely(err))
		goto err_ca;
	err = -ENOMEM;
	t->sysctl_hdr = xs_sysctl_register(xn, "net/xstack", xs_tcp_sysctl,
					   ARRAY_SIZE(xs_tcp_sysctl), t);
	if (unlikely(!t->sysctl_hdr))
		goto err_sysctl;
	if (unlikely(!proc_create_net_single("tcp", 0444, xn->proc_dir,
					     xs_tcp_proc_show, NULL)))
		goto err_proc;
	err = xs_tcp_mem_net_init(xn);
	if (unlikely(err))
		goto err_sockstat;
	return 0;

err_sockstat:
	remove_proc_entry("tcp", xn->proc_dir);
err_proc:
	xs_sysctl_unregister(t->sysctl_hdr);
err_sysctl:
	xs_tcp_ca_net_exit(t);
err_ca:
	xs_tcp_table_exit(t);
	xn->tcp = NULL;
err_table:
	kfree(t);
	return err;
}

/**
 * xs_tcp_net_exit - free a namespace's TCP state
 * @xn: namespace state; its sockets are gone, its devices detached
 */
void xs_tcp_net_exit(struct xs_net *xn)
{
	struct xs_tcp_table *t = xn->tcp;

	xs_tcp_mem_net_exit(xn);
	remove_proc_entry("tcp", xn->proc_dir);
	xs_sysctl_unregister(t->sysctl_hdr);
	xs_tcp_tw_purge(t);
	xs_tcp_ca_net_exit(t);
	xs_tcp_table_exit(t);
	kfree(t);
	xn->tcp = NULL;
}

/**
 * xs_tcp_init - module-wide TCP state: memory limits and counters
 *
 * Return: 0 or -ENOMEM.
 */
int xs_tcp_init(void)
{
	int err = xs_tcp_mem_init();

	if (unlikely(err))
		return err;
	xs_tcp_mem_prot_init(&xs_tcp_prot);
	xs_tcp_tsq_init();
	return 0;
}

/**
 * xs_tcp_exit - undo xs_tcp_init()
 */
void xs_tcp_exit(void)
{
	xs_tcp_tsq_exit();
	xs_tcp_mem_exit();
}
