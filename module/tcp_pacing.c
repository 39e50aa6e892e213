// SPDX-License-Identifier: GPL-2.0
/*
 * Pacing of xstack's TCP, with Linux's semantics (tcp_update_pacing_rate()
 * of net/ipv4/tcp_input.c, the EDT model of tcp_output.c):
 *
 * - sk_pacing_rate: set by the algorithm's cong_control (bbr), else after
 *   every ACK to 200% of cwnd * mss / srtt in slow start and 120% after
 *   (net.xstack.tcp_pacing_ss_ratio, tcp_pacing_ca_ratio), capped by
 *   SO_MAX_PACING_RATE (sk_max_pacing_rate, set by the core).
 * - Earliest departure time: every segment carries in skb->tstamp (mono
 *   clock) the time it may leave, tp->tcp_wstamp_ns, which grows by
 *   len / rate after each data segment once the socket is paced
 *   (sk_pacing_status: SK_PACING_NEEDED, set by an algorithm such as
 *   bbr, or SK_PACING_FQ, set by sch_fq when it sees our skbs). sch_fq
 *   holds each segment until its time, as it does for Linux's TCP.
 * - Internal pacing: an algorithm that needs pacing with no fq below us
 *   (SK_PACING_NEEDED) has the send loop stop at a segment whose time has
 *   not come; tp->pacing_timer (a soft hrtimer, holding a socket
 *   reference) resumes it, from the softirq or, when the user holds the
 *   socket, from release_sock() (XS_TCP_XMIT_DEFERRED).
 * - GSO size follows the rate (Linux's tcp_tso_autosize()): about 1 ms
 *   of data per skb (sk_pacing_shift), at least the algorithm's
 *   min_tso_segs (2 by default), more on paths with a tiny RTT.
 *
 * Locking: the socket lock (or its BH lock in softirq); sk_pacing_rate is
 * written with WRITE_ONCE() as sch_fq reads it without a lock.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/hrtimer.h>

#include "tcp.h"
#include "xstack.h"

#define XS_TCP_MIN_TSO_SEGS	2	/* net.ipv4.tcp_min_tso_segs */
#define XS_TCP_TSO_RTT_LOG	9	/* net.ipv4.tcp_tso_rtt_log */

/**
 * xs_tcp_update_pacing_rate - sk_pacing_rate from cwnd and srtt
 * @sk: the socket
 */
void xs_tcp_update_pacing_rate(struct sock *sk)
{
	const struct xs_tcp_table *t = xs_tcp_table(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	u64 rate;

	/* mss * 8 * USEC_PER_SEC / 100 per percent and srtt_us (<< 3) */
	rate = (u64)tp->mss_cache * ((USEC_PER_SEC / 100) << 3);
	if (tcp_snd_cwnd(tp) < tp->snd_ssthresh / 2)
		rate *= READ_ONCE(t->sysctl_pacing_ss_ratio);
	else
		rate *= READ_ONCE(t->sysctl_pacing_ca_ratio);
	rate *= max(tcp_snd_cwnd(tp), tp->packets_out);
	if (likely(tp->srtt_us))
		rate = div64_u64(rate, tp->srtt_us);
	WRITE_ONCE(sk->sk_pacing_rate,
		   min_t(u64, rate, READ_ONCE(sk->sk_max_pacing_rate)));
}

/**
 * xs_tcp_pacing_stamp - the departure time of a segment about to leave
 * @sk: the socket
 * @skb: the write-queue skb (its clone inherits the stamp)
 *
 * Return: the departure time before this segment, for
 * xs_tcp_pacing_sent().
 */
u64 xs_tcp_pacing_stamp(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u64 prior = tp->tcp_wstamp_ns;

	tp->tcp_wstamp_ns = max(tp->tcp_wstamp_ns, tp->tcp_clock_cache);
	skb_set_delivery_time(skb, tp->tcp_wstamp_ns, SKB_CLOCK_MONOTONIC);
	return prior;
}

/**
 * xs_tcp_pacing_sent - a data segment left: the next one leaves later
 * @sk: the socket
 * @len: bytes of the segment (headers included)
 * @prior: what xs_tcp_pacing_stamp() returned
 *
 * Linux's tcp_update_skb_after_send(): the first ten segments are not
 * paced (as the original sch_fq), and time the socket lost to jitter
 * is credited up to half a segment's time.
 */
void xs_tcp_pacing_sent(struct sock *sk, u32 len, u64 prior)
{
	struct tcp_sock *tp = tcp_sk(sk);
	unsigned long rate;
	u64 len_ns, credit;

	/* Pairs with sch_fq's smp_store_release() of SK_PACING_FQ. */
	if (smp_load_acquire(&sk->sk_pacing_status) == SK_PACING_NONE)
		return;
	rate = READ_ONCE(sk->sk_pacing_rate);
	if (rate == ~0UL || !rate || tp->data_segs_out < 10)
		return;
	len_ns = div64_ul((u64)len * NSEC_PER_SEC, rate);
	credit = tp->tcp_wstamp_ns - prior;
	len_ns -= min_t(u64, len_ns / 2, credit);
	tp->tcp_wstamp_ns += len_ns;
}

/**
 * xs_tcp_pacing_check - must the send loop wait for the pacing timer?
 * @sk: the socket
 *
 * Return: true when internal pacing holds the next segment (the timer
 * is armed then).
 */
bool xs_tcp_pacing_check(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	/* Pairs with the release of sch_fq (SK_PACING_FQ) or bbr. */
	if (smp_load_acquire(&sk->sk_pacing_status) != SK_PACING_NEEDED)
		return false;
	if (tp->tcp_wstamp_ns <= tp->tcp_clock_cache)
		return false;
	if (!hrtimer_is_queued(&tp->pacing_timer)) {
		sock_hold(sk);
		hrtimer_start(&tp->pacing_timer, ns_to_ktime(tp->tcp_wstamp_ns),
			      HRTIMER_MODE_ABS_PINNED_SOFT);
	}
	return true;
}

static enum hrtimer_restart xs_tcp_pace_kick(struct hrtimer *timer)
{
	struct tcp_sock *tp = container_of(timer, struct tcp_sock,
					   pacing_timer);
	struct sock *sk = (struct sock *)tp;
	bool deferred;

	bh_lock_sock(sk);
	deferred = xs_tcp_resume_or_defer(sk);
	bh_unlock_sock(sk);
	if (!deferred)
		sock_put(sk);	/* else the timer's reference: release_cb */
	return HRTIMER_NORESTART;
}

/**
 * xs_tcp_pacing_init - set up the pacing timer of a new socket
 * @sk: the socket
 */
void xs_tcp_pacing_init(struct sock *sk)
{
	hrtimer_init(&tcp_sk(sk)->pacing_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_ABS_PINNED_SOFT);
	tcp_sk(sk)->pacing_timer.function = xs_tcp_pace_kick;
}

/**
 * xs_tcp_pacing_stop - cancel the pacing timer
 * @sk: the socket
 */
void xs_tcp_pacing_stop(struct sock *sk)
{
	if (hrtimer_try_to_cancel(&tcp_sk(sk)->pacing_timer) == 1)
		__sock_put(sk);
}

/**
 * xs_tcp_tso_segs - segments per GSO skb at the current pacing rate
 * @sk: the socket
 * @mss: the current MSS
 *
 * Return: at least 1.
 */
u32 xs_tcp_tso_segs(struct sock *sk, u32 mss)
{
	const struct tcp_congestion_ops *ca = inet_csk(sk)->icsk_ca_ops;
	u32 min_segs = ca && ca->min_tso_segs ? ca->min_tso_segs(sk) :
					       XS_TCP_MIN_TSO_SEGS;
	unsigned long bytes;
	u32 r;

	bytes = READ_ONCE(sk->sk_pacing_rate) >> READ_ONCE(sk->sk_pacing_shift);
	r = tcp_min_rtt(tcp_sk(sk)) >> XS_TCP_TSO_RTT_LOG;
	if (r < BITS_PER_TYPE(u32))
		bytes += XS_TCP_GSO_MAX >> r;
	bytes = min_t(unsigned long, bytes, XS_TCP_GSO_MAX);
	return max_t(u32, bytes / mss, max(min_segs, 1U));
}
