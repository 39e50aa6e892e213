// SPDX-License-Identifier: GPL-2.0
/*
 * TCP timers of a full socket:
 *   icsk_retransmit_timer  retransmission timeout (RFC 6298 5) with
 *                          exponential backoff, SYN and data retry
 *                          limits, TCP_USER_TIMEOUT (RFC 5482), or the
 *                          zero-window probe (RFC 9293 3.8.6.1)
 *   icsk_delack_timer      delayed ACK (RFC 1122 4.2.3.2)
 *   sk_timer               keepalive (RFC 1122 4.2.3.6) and the
 *                          FIN-WAIT-2 timeout of orphans (TCP_LINGER2)
 *
 * Each pending timer holds a socket reference (sk_reset_timer()). A
 * handler that finds the socket owned by a process sets a bit in
 * xs_tcp_sock.deferred, keeps the reference, and release_sock() runs
 * it through xs_tcp_release_cb(). The delayed ACK never sets
 * ICSK_ACK_TIMER in icsk_ack.pending (DESIGN.md principle 5).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <net/inet_connection_sock.h>
#include <net/sock.h>

#include "stats.h"
#include "tcp.h"
#include "xstack.h"

/**
 * xs_tcp_keepalive_time - idle time before the first keepalive probe
 * @sk: the socket
 *
 * Return: seconds (TCP_KEEPIDLE or net.xstack.tcp_keepalive_time).
 */
int xs_tcp_keepalive_time(const struct sock *sk)
{
	return READ_ONCE(xs_tcp_sk(sk)->keep_idle) ?:
	       READ_ONCE(xs_tcp_table(sk)->sysctl_keepalive_time);
}

/**
 * xs_tcp_keepalive_intvl - time between keepalive probes
 * @sk: the socket
 *
 * Return: seconds.
 */
int xs_tcp_keepalive_intvl(const struct sock *sk)
{
	return READ_ONCE(xs_tcp_sk(sk)->keep_intvl) ?:
	       READ_ONCE(xs_tcp_table(sk)->sysctl_keepalive_intvl);
}

/**
 * xs_tcp_keepalive_probes - unanswered probes before the connection dies
 * @sk: the socket
 *
 * Return: the count.
 */
int xs_tcp_keepalive_probes(const struct sock *sk)
{
	return READ_ONCE(xs_tcp_sk(sk)->keep_cnt) ?:
	       READ_ONCE(xs_tcp_table(sk)->sysctl_keepalive_probes);
}

/**
 * xs_tcp_reset_rto - (re)start the retransmission timer at icsk_rto
 * @sk: the socket
 */
void xs_tcp_reset_rto(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	icsk->icsk_pending = XS_TIMER_RTO;
	icsk->icsk_timeout = jiffies + icsk->icsk_rto;
	sk_reset_timer(sk, &icsk->icsk_retransmit_timer, icsk->icsk_timeout);
}

/**
 * xs_tcp_fin_retry_later - try again to queue an owed FIN
 * @sk: the socket, whose FIN found no memory (xs_tcp_fin_owed())
 *
 * The retransmission timer fires in TCP_RESOURCE_PROBE_INTERVAL and
 * calls xs_tcp_send_fin() again; otherwise nothing would, once all data
 * is acknowledged, and the connection would never close.
 */
void xs_tcp_fin_retry_later(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	icsk->icsk_pending = XS_TIMER_RTO;
	icsk->icsk_timeout = jiffies + TCP_RESOURCE_PROBE_INTERVAL;
	sk_reset_timer(sk, &icsk->icsk_retransmit_timer, icsk->icsk_timeout);
}

/**
 * xs_tcp_rearm_rto - the RTO timer follows the flight (RFC 6298 5.2/5.3)
 * @sk: the socket
 *
 * Stopped when nothing is in flight (unless a FIN is owed), restarted
 * otherwise.
 */
void xs_tcp_rearm_rto(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (unlikely(!tcp_sk(sk)->packets_out && xs_tcp_fin_owed(sk))) {
		xs_tcp_fin_retry_later(sk);
		return;
	}
	if (!tcp_sk(sk)->packets_out) {
		if (icsk->icsk_pending == XS_TIMER_RTO) {
			icsk->icsk_pending = 0;
			sk_stop_timer(sk, &icsk->icsk_retransmit_timer);
		}
		return;
	}
	xs_tcp_reset_rto(sk);
}

/**
 * xs_tcp_reset_probe - start the zero-window probe timer
 * @sk: the socket
 */
void xs_tcp_reset_probe(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	u64 when = (u64)icsk->icsk_rto << icsk->icsk_backoff;

	when = min_t(u64, when, xs_tcp_sk(sk)->rto_max);
	icsk->icsk_pending = XS_TIMER_PROBE;
	icsk->icsk_timeout = jiffies + when;
	if (!xs_tcp_sk(sk)->probe_start)
		xs_tcp_sk(sk)->probe_start = jiffies ?: 1;
	sk_reset_timer(sk, &icsk->icsk_retransmit_timer, icsk->icsk_timeout);
}

/**
 * xs_tcp_schedule_delack - send the ACK within the ACK timeout
 * @sk: the socket
 *
 * The delay is the estimated inter-arrival time (icsk_ack.ato), at
 * most 200 ms (RFC 1122 4.2.3.2: less than 0.5 s).
 */
void xs_tcp_schedule_delack(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	unsigned long ato = clamp_t(unsigned long, icsk->icsk_ack.ato,
				    XS_TCP_DELACK_MIN, XS_TCP_DELACK_MAX);
	unsigned long timeout = jiffies + ato;

	if (xs->delack_pending && time_before(icsk->icsk_ack.timeout, timeout))
		return;
	xs->delack_pending = true;
	icsk->icsk_ack.timeout = timeout;
	sk_reset_timer(sk, &icsk->icsk_delack_timer, timeout);
}

/**
 * xs_tcp_cancel_delack - an ACK went out: no delayed ACK is due
 * @sk: the socket
 */
void xs_tcp_cancel_delack(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	xs->delack_pending = false;
	sk_stop_timer(sk, &inet_csk(sk)->icsk_delack_timer);
}

/**
 * xs_tcp_reset_keepalive - (re)start the keepalive/FIN-WAIT-2 timer
 * @sk: the socket
 * @len: delay in jiffies
 */
void xs_tcp_reset_keepalive(struct sock *sk, unsigned long len)
{
	sk_reset_timer(sk, &sk->sk_timer, jiffies + len);
}

/**
 * xs_tcp_set_keepalive - SO_KEEPALIVE turned on or off
 * @sk: the socket (locked)
 * @val: on
 */
void xs_tcp_set_keepalive(struct sock *sk, int val)
{
	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	if (val && !sock_flag(sk, SOCK_KEEPOPEN))
		xs_tcp_reset_keepalive(sk, xs_tcp_keepalive_time(sk) * HZ);
	else if (!val)
		sk_stop_timer(sk, &sk->sk_timer);
}

/* The connection failed: report the error, close it (RFC 1122 4.2.3.5). */
static void xs_tcp_write_err(struct sock *sk)
{
	WRITE_ONCE(sk->sk_err, READ_ONCE(sk->sk_err_soft) ?: ETIMEDOUT);
	sk_error_report(sk);
	XS_INC(xs_net(sock_net(sk)), TcpExt_TCPAbortOnTimeout);
	xs_tcp_done(sk);
}

/* TCP_USER_TIMEOUT: how long unacknowledged data may wait. */
static bool xs_tcp_user_timeout_expired(struct sock *sk, unsigned long since)
{
	u32 ut = READ_ONCE(inet_csk(sk)->icsk_user_timeout);

	return ut && since && time_after_eq(jiffies,
					    since + msecs_to_jiffies(ut));
}

/* Nobody waits for an orphan: Linux's tcp_orphan_retries (0: 8). */
static int xs_tcp_orphan_retries(struct sock *sk)
{
	return READ_ONCE(xs_tcp_table(sk)->sysctl_orphan_retries) ?: 8;
}

/*
 * An orphan holds memory nobody will read from (Linux's
 * tcp_out_of_resources()): reset it when memory or orphans are short,
 * sooner when its peer has been silent long or sent an ICMP error.
 */
static bool xs_tcp_out_of_resources(struct sock *sk)
{
	int shift = 0;

	if ((s32)(tcp_jiffies32 - tcp_sk(sk)->lsndtime) > 2 * TCP_RTO_MAX)
		shift++;
	if (READ_ONCE(sk->sk_err_soft))
		shift++;
	if (!xs_tcp_check_oom(sk, shift))
		return false;
	xs_tcp_send_active_reset(sk, GFP_ATOMIC);
	xs_tcp_done(sk);
	return true;
}

/* Whether the retries are used up; kills the connection if so. */
static bool xs_tcp_write_timeout(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct xs_tcp_table *t = xs_tcp_table(sk);
	int retries;

	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		retries = icsk->icsk_syn_retries ?:
			  READ_ONCE(t->sysctl_syn_retries);
	else
		retries = READ_ONCE(t->sysctl_retries2);
	if (sock_flag(sk, SOCK_DEAD)) {
		if (xs_tcp_out_of_resources(sk))
			return true;
		retries = min(retries, xs_tcp_orphan_retries(sk));
	}
	if (icsk->icsk_user_timeout && sk->sk_state != TCP_SYN_SENT) {
		if (xs_tcp_user_timeout_expired(sk, xs->retry_start)) {
			xs_tcp_write_err(sk);
			return true;
		}
		return false;
	}
	if (icsk->icsk_retransmits >= retries ||
	    (sk->sk_state == TCP_SYN_SENT &&
	     xs_tcp_user_timeout_expired(sk, xs->retry_start))) {
		xs_tcp_write_err(sk);
		return true;
	}
	return false;
}

/* RFC 6298 5.4-5.7 and RFC 5681 3.1: the loss state after a timeout. */
static void xs_tcp_enter_loss(struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;

	if (icsk->icsk_ca_state <= TCP_CA_Disorder ||
	    !after(tp->high_seq, tp->snd_una) ||
	    (icsk->icsk_ca_state == TCP_CA_Loss && !icsk->icsk_retransmits)) {
		tp->prior_ssthresh = tp->snd_ssthresh;
		tp->prior_cwnd = tcp_snd_cwnd(tp);
		tp->snd_ssthresh = icsk->icsk_ca_ops->ssthresh(sk);
		tcp_ca_event(sk, CA_EVENT_LOSS);
		tp->undo_marker = tp->snd_una;
		xs_tcp_ecn_queue_cwr(tp);	/* RFC 3168 6.1.2 */
	}
	tcp_snd_cwnd_set(tp, tcp_packets_in_flight(tp) + 1);
	tp->snd_cwnd_cnt = 0;
	tp->snd_cwnd_stamp = tcp_jiffies32;
	tp->retrans_out = 0;
	tp->lost_out = 0;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

		if (skb == xs_tcp_sk(sk)->send_head)
			break;
		tcb->sacked &= ~TCPCB_SACKED_RETRANS;
		if (!(tcb->sacked & TCPCB_SACKED_ACKED)) {
			tcb->sacked |= TCPCB_LOST;
			tp->lost_out += tcp_skb_pcount(skb);
			tp->lost += tcp_skb_pcount(skb);
		}
	}
	tp->high_seq = tp->snd_nxt;
	xs_tcp_set_ca_state(sk, TCP_CA_Loss);
	xs_tcp_sk(sk)->dupacks = 0;
}

static void xs_tcp_retransmit_timer(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_net *xn = xs_net(sock_net(sk));
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	int err;

	if (unlikely(xs_tcp_fin_owed(sk))) {
		/* Still no memory: it re-armed this timer. */
		xs_tcp_send_fin(sk);
		/* Queued, sent or not: the flight's timer takes over. */
		if (!icsk->icsk_pending)
			xs_tcp_rearm_rto(sk);
		return;
	}
	if (!tp->packets_out || !skb)
		return;
	if (!xs->retry_start)
		xs->retry_start = jiffies ?: 1;
	if (xs_tcp_write_timeout(sk))
		return;
	XS_INC(xn, TcpExt_TCPTimeouts);
	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV)
		XS_INC(xn, TcpExt_TCPSynRetrans);
	else
		xs_tcp_enter_loss(sk);
	err = xs_tcp_retransmit_skb(sk, skb);
	if (unlikely(err == -ENOMEM || err == -ENOBUFS)) {
		/*
		 * Local resources (Linux's TCP_RESOURCE_PROBE_INTERVAL):
		 * retry soon, without backing off. Any other failure (no
		 * route since the device went away, ...) counts as a
		 * retransmission: the retry limits must end it.
		 */
		icsk->icsk_pending = XS_TIMER_RTO;
		icsk->icsk_timeout = jiffies + TCP_RESOURCE_PROBE_INTERVAL;
		sk_reset_timer(sk, &icsk->icsk_retransmit_timer,
			       icsk->icsk_timeout);
		return;
	}
	icsk->icsk_backoff++;
	icsk->icsk_retransmits++;
	tp->total_rto++;
	icsk->icsk_rto = min_t(u32, icsk->icsk_rto << 1, xs->rto_max);
	if (icsk->icsk_user_timeout && xs->retry_start) {
		/* Do not sleep past the user timeout (RFC 5482). */
		unsigned long end = xs->retry_start +
				    msecs_to_jiffies(icsk->icsk_user_timeout);
		unsigned long left = time_after(end, jiffies) ? end - jiffies : 1;

		icsk->icsk_pending = XS_TIMER_RTO;
		icsk->icsk_timeout = jiffies + min_t(unsigned long,
						     icsk->icsk_rto, left);
		sk_reset_timer(sk, &icsk->icsk_retransmit_timer,
			       icsk->icsk_timeout);
		return;
	}
	xs_tcp_reset_rto(sk);
}

static void xs_tcp_probe_timer(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	int max_probes = READ_ONCE(xs_tcp_table(sk)->sysctl_retries2);

	if (tp->packets_out || !xs->send_head) {
		icsk->icsk_probes_out = 0;
		xs->probe_start = 0;
		return;
	}
	if (sock_flag(sk, SOCK_DEAD)) {
		if (xs_tcp_out_of_resources(sk))
			return;
		max_probes = min(max_probes, xs_tcp_orphan_retries(sk));
	}
	if (icsk->icsk_user_timeout
	    ? xs_tcp_user_timeout_expired(sk, xs->probe_start)
	    : icsk->icsk_probes_out >= max_probes) {
		xs_tcp_write_err(sk);
		return;
	}
	xs_tcp_send_probe(sk);
	if (tp->packets_out)
		return;		/* the window opened: the RTO runs now */
	icsk->icsk_probes_out++;
	if (icsk->icsk_backoff < 15)
		icsk->icsk_backoff++;
	xs_tcp_reset_probe(sk);
}

static void xs_tcp_write_timer_handler(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	int event = icsk->icsk_pending;

	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN) || !event)
		return;
	if (time_after(icsk->icsk_timeout, jiffies)) {
		sk_reset_timer(sk, &icsk->icsk_retransmit_timer,
			       icsk->icsk_timeout);
		return;
	}
	xs_mstamp_refresh(tcp_sk(sk));
	icsk->icsk_pending = 0;
	if (event == XS_TIMER_PROBE)
		xs_tcp_probe_timer(sk);
	else
		xs_tcp_retransmit_timer(sk);
}

static void xs_tcp_delack_handler(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN) ||
	    !xs->delack_pending)
		return;
	if (time_after(icsk->icsk_ack.timeout, jiffies)) {
		sk_reset_timer(sk, &icsk->icsk_delack_timer,
			       icsk->icsk_ack.timeout);
		return;
	}
	xs->delack_pending = false;
	/* A delayed ACK that fired: the exchange is not interactive. */
	if (xs->pingpong) {
		xs->pingpong = false;
		icsk->icsk_ack.ato = XS_TCP_ATO_MIN;
	} else {
		icsk->icsk_ack.ato = min_t(u32, icsk->icsk_ack.ato << 1,
					   icsk->icsk_rto);
	}
	XS_INC(xs_net(sock_net(sk)), TcpExt_DelayedACKs);
	xs_tcp_send_ack(sk);
}

/* FIN-WAIT-2 of an orphan: TCP_LINGER2, then TIME-WAIT's job is done. */
static void xs_tcp_fin_wait2_timeout(struct sock *sk)
{
	int linger2 = READ_ONCE(tcp_sk(sk)->linger2);

	if (linger2 < 0) {
		xs_tcp_send_active_reset(sk, GFP_ATOMIC);
		XS_INC(xs_net(sock_net(sk)), TcpExt_TCPAbortOnLinger);
	}
	xs_tcp_done(sk);
}

static void xs_tcp_keepalive_handler(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	u32 elapsed, idle;

	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		xs_tcp_fin_wait2_timeout(sk);
		return;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    (1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT | TCPF_LISTEN))
		return;
	elapsed = xs_tcp_keepalive_time(sk) * HZ;
	/* Data in flight or waiting: the RTO and probe timers watch it. */
	if (tp->packets_out || xs_tcp_sk(sk)->send_head)
		goto resched;
	idle = tcp_jiffies32 - max(tp->rcv_tstamp, icsk->icsk_ack.lrcvtime);
	if (idle >= elapsed) {
		u32 ut = READ_ONCE(icsk->icsk_user_timeout);

		if ((ut && idle >= msecs_to_jiffies(ut) &&
		     icsk->icsk_probes_out > 0) ||
		    (!ut && icsk->icsk_probes_out >=
		     xs_tcp_keepalive_probes(sk))) {
			xs_tcp_send_active_reset(sk, GFP_ATOMIC);
			xs_tcp_write_err(sk);
			return;
		}
		xs_mstamp_refresh(tp);
		if (!xs_tcp_send_probe(sk)) {
			icsk->icsk_probes_out++;
			XS_INC(xs_net(sock_net(sk)), TcpExt_TCPKeepAlive);
			elapsed = xs_tcp_keepalive_intvl(sk) * HZ;
		} else {
			elapsed = HZ / 2;	/* no memory: retry */
		}
	} else {
		elapsed -= idle;
	}
resched:
	xs_tcp_reset_keepalive(sk, elapsed);
}

/* Run @fn now, or leave it to release_sock() with the reference. */
static void xs_tcp_timer_run(struct sock *sk, int bit,
			     void (*fn)(struct sock *sk))
{
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		fn(sk);
	} else if (!test_and_set_bit(bit, &xs_tcp_sk(sk)->deferred)) {
		bh_unlock_sock(sk);
		return;		/* the timer's reference goes to release_cb */
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

static void xs_tcp_write_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_retransmit_timer);

	xs_tcp_timer_run(&icsk->icsk_inet.sk, XS_TCP_RTO_DEFERRED,
			 xs_tcp_write_timer_handler);
}

static void xs_tcp_delack_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_delack_timer);

	xs_tcp_timer_run(&icsk->icsk_inet.sk, XS_TCP_DELACK_DEFERRED,
			 xs_tcp_delack_handler);
}

static void xs_tcp_keepalive_timer(struct timer_list *t)
{
	struct sock *sk = from_timer(sk, t, sk_timer);

	xs_tcp_timer_run(sk, XS_TCP_KEEPALIVE_DEFERRED,
			 xs_tcp_keepalive_handler);
}

/**
 * xs_tcp_release_cb - run the timer work deferred while we owned the socket
 * @sk: the socket (release_sock(), owner still set)
 */
void xs_tcp_release_cb(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	if (!READ_ONCE(xs->deferred))
		return;
	if (test_and_clear_bit(XS_TCP_RTO_DEFERRED, &xs->deferred)) {
		xs_tcp_write_timer_handler(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XS_TCP_DELACK_DEFERRED, &xs->deferred)) {
		xs_tcp_delack_handler(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XS_TCP_KEEPALIVE_DEFERRED, &xs->deferred)) {
		xs_tcp_keepalive_handler(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(XS_TCP_XMIT_DEFERRED, &xs->deferred)) {
		xs_tcp_resume_xmit(sk);
		__sock_put(sk);
	}
}

/**
 * xs_tcp_init_timers - set up the timers of a new socket
 * @sk: the socket
 */
void xs_tcp_init_timers(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	timer_setup(&icsk->icsk_retransmit_timer, xs_tcp_write_timer, 0);
	timer_setup(&icsk->icsk_delack_timer, xs_tcp_delack_timer, 0);
	timer_setup(&sk->sk_timer, xs_tcp_keepalive_timer, 0);
	xs_tcp_pacing_init(sk);
	icsk->icsk_pending = 0;
	xs_tcp_sk(sk)->delack_pending = false;
}

/**
 * xs_tcp_clear_timers - stop every timer of a socket
 * @sk: the socket
 */
void xs_tcp_clear_timers(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	icsk->icsk_pending = 0;
	xs_tcp_sk(sk)->delack_pending = false;
	sk_stop_timer(sk, &icsk->icsk_retransmit_timer);
	sk_stop_timer(sk, &icsk->icsk_delack_timer);
	sk_stop_timer(sk, &sk->sk_timer);
	xs_tcp_pacing_stop(sk);
}
