// SPDX-License-Identifier: GPL-2.0
/*
 * TCP input (RFC 9293 3.10.7): validation and demultiplexing of
 * segments, the state machine of full sockets, acknowledgment
 * processing (RTT estimation per RFC 6298, the SACK scoreboard of
 * RFC 2018/6675, NewReno per RFC 6582, proportional rate reduction per
 * RFC 6937, limited transmit per RFC 3042), the receive side (in-order
 * and out-of-order queues, SACK and D-SACK blocks, delayed ACKs), the
 * RFC 5961 defences, PAWS (RFC 7323 5) and ICMP errors (RFC 1122
 * 4.2.3.9, RFC 5927).
 *
 * Congestion control is the kernel's: every hook is called through
 * inet_csk(sk)->icsk_ca_ops in the order kernel TCP calls it.
 *
 * Context: softirq under rcu_read_lock() with the socket's BH lock, or
 * process context from the backlog (socket owned).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/icmp.h>
#include <linux/win_minmax.h>
#include <net/checksum.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/sock.h>

#include "icmp.h"
#include "ip.h"
#include "route.h"
#include "sock.h"
#include "stats.h"
#include "tcp.h"
#include "tcp_trace.h"
#include "xstack.h"

/* What an ACK did (Linux's FLAG_* of tcp_input.c). */
#define XS_FLAG_DATA		0x01
#define XS_FLAG_WIN_UPDATE	0x02
#define XS_FLAG_DATA_ACKED	0x04
#define XS_FLAG_RETRANS_ACKED	0x08
#define XS_FLAG_SYN_ACKED	0x10
#define XS_FLAG_DATA_SACKED	0x20
#define XS_FLAG_ECE		0x40
#define XS_FLAG_DSACK		0x80
#define XS_FLAG_SND_UNA_ADV	0x400
#define XS_FLAG_ACKED		(XS_FLAG_DATA_ACKED | XS_FLAG_SYN_ACKED)

#define XS_PAWS_24DAYS		(60 * 60 * 24 * 24)

/* Options */

static void xs_tcp_parse_sack(struct xs_tcp_opts *o, const u8 *p, int len)
{
	int i, n = (len - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_PERBLOCK;

	if ((len - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK || n <= 0)
		return;
	n = min(n, 4);
	for (i = 0; i < n; i++) {
		o->sacks[i].start_seq = get_unaligned_be32(p + i * 8);
		o->sacks[i].end_seq = get_unaligned_be32(p + i * 8 + 4);
	}
	o->num_sacks = n;
}

/**
 * xs_tcp_parse_options - read the options of a segment
 * @skb: the segment, transport header set, header pulled
 * @o: filled in
 * @syn: a SYN: MSS, window scale and SACK-permitted count
 *
 * Malformed options end the walk; what was read stays (RFC 9293
 * 3.1: unknown options are skipped by their length).
 */
void xs_tcp_parse_options(const struct sk_buff *skb, struct xs_tcp_opts *o,
			  bool syn)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const u8 *p = (const u8 *)(th + 1);
	int len = th->doff * 4 - sizeof(*th);

	memset(o, 0, sizeof(*o));
	o->wscale = -1;
	while (len > 0) {
		int kind = *p++, size;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			len--;
			continue;
		}
		if (len < 2)
			return;
		size = *p++;
		if (size < 2 || size > len)
			return;
		switch (kind) {
		case TCPOPT_MSS:
			if (size == TCPOLEN_MSS && syn)
				o->mss = get_unaligned_be16(p);
			break;
		case TCPOPT_WINDOW:
			if (size == TCPOLEN_WINDOW && syn)
				o->wscale = min_t(u8, *p, TCP_MAX_WSCALE);
			break;
		case TCPOPT_SACK_PERM:
			if (size == TCPOLEN_SACK_PERM && syn)
				o->sack_ok = true;
			break;
		case TCPOPT_TIMESTAMP:
			if (size == TCPOLEN_TIMESTAMP) {
				o->saw_ts = true;
				o->tsval = get_unaligned_be32(p);
				o->tsecr = get_unaligned_be32(p + 4);
			}
			break;
		case TCPOPT_SACK:
			if (!syn)
				xs_tcp_parse_sack(o, p, size);
			break;
		}
		p += size - 2;
		len -= size;
	}
}

/* RTT and RTO (RFC 6298) */

static u32 xs_tcp_rto_min_us(const struct sock *sk)
{
	return jiffies_to_usecs(xs_tcp_sk(sk)->rto_min);
}

/* RFC 6298 2.3 in Linux's units: srtt_us is 8*SRTT, mdev_us 4*RTTVAR. */
static void xs_tcp_rtt_estimator(struct sock *sk, long mrtt_us)
{
	struct tcp_sock *tp = tcp_sk(sk);
	long m = max(mrtt_us, 1L);

	if (tp->srtt_us) {
		long err = m - (tp->srtt_us >> 3);

		tp->srtt_us += err;
		tp->mdev_us += abs(err) - (tp->mdev_us >> 2);
	} else {
		tp->srtt_us = m << 3;
		tp->mdev_us = m << 1;
	}
	tp->srtt_us = max(1U, tp->srtt_us);
	/* RTO >= SRTT + rto_min, as Linux's rttvar floor. */
	tp->rttvar_us = max(tp->mdev_us, xs_tcp_rto_min_us(sk));
	tp->mdev_max_us = tp->rttvar_us;
	tp->rtt_seq = tp->snd_nxt;
}

static void xs_tcp_set_rto(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	u32 rto = usecs_to_jiffies((tp->srtt_us >> 3) + tp->rttvar_us);

	icsk->icsk_rto = clamp_t(u32, rto, xs->rto_min, xs->rto_max);
}

/* A valid RTT sample: estimator, min filter, RTO (Karn: never from a
 * retransmitted segment unless echoed in a timestamp).
 */
static void xs_tcp_rtt_sample(struct sock *sk, long rtt_us)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (rtt_us < 0)
		return;
	minmax_running_min(&tp->rtt_min, 300 * HZ, tcp_jiffies32,
			   max_t(u32, rtt_us, 1));
	xs_tcp_rtt_estimator(sk, rtt_us);
	xs_tcp_set_rto(sk);
}

static long xs_tcp_ts_rtt(struct sock *sk, const struct xs_tcp_opts *o)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 delta;

	if (!o->saw_ts || !tp->rx_opt.tstamp_ok || !o->tsecr)
		return -1;
	delta = xs_tcp_ts_now(tp) - o->tsecr;
	if ((s32)delta < 0 || delta > 120 * MSEC_PER_SEC)
		return -1;
	return (long)delta * USEC_PER_MSEC;
}

/* Rate samples (Linux's tcp_rate.c semantics, read by cong_control) */

static void xs_tcp_rate_skb_delivered(struct sock *sk, struct sk_buff *skb,
				      struct rate_sample *rs)
{
	struct tcp_skb_cb *scb = TCP_SKB_CB(skb);
	struct tcp_sock *tp = tcp_sk(sk);
	u64 tx_us;

	if (!scb->tx.delivered_mstamp)
		return;
	tx_us = div_u64(skb->skb_mstamp_ns, NSEC_PER_USEC);
	if (!rs->prior_delivered ||
	    after(scb->tx.delivered, rs->prior_delivered)) {
		rs->prior_delivered_ce = scb->tx.delivered_ce;
		rs->prior_delivered = scb->tx.delivered;
		rs->prior_mstamp = scb->tx.delivered_mstamp;
		rs->is_app_limited = scb->tx.is_app_limited;
		rs->is_retrans = scb->sacked & TCPCB_RETRANS;
		rs->last_end_seq = scb->end_seq;
		tp->first_tx_mstamp = tx_us;
		rs->interval_us = tcp_stamp_us_delta(tx_us,
						     scb->tx.first_tx_mstamp);
	}
	if (scb->sacked & TCPCB_SACKED_ACKED)
		scb->tx.delivered_mstamp = 0;
}

static void xs_tcp_rate_gen(struct sock *sk, u32 delivered, u32 lost,
			    struct rate_sample *rs)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 snd_us, ack_us;

	if (tp->app_limited && after(tp->delivered, tp->app_limited))
		tp->app_limited = 0;
	if (delivered)
		tp->delivered_mstamp = tp->tcp_mstamp;
	rs->acked_sacked = delivered;
	rs->losses = lost;
	if (!rs->prior_mstamp) {
		rs->delivered = -1;
		rs->interval_us = -1;
		return;
	}
	rs->delivered = tp->delivered - rs->prior_delivered;
	rs->delivered_ce = tp->delivered_ce - rs->prior_delivered_ce;
	snd_us = rs->interval_us;
	ack_us = tcp_stamp_us_delta(tp->tcp_mstamp, rs->prior_mstamp);
	rs->interval_us = max(snd_us, ack_us);
	rs->snd_interval_us = snd_us;
	rs->rcv_interval_us = ack_us;
	if (unlikely(rs->interval_us < tcp_min_rtt(tp))) {
		rs->interval_us = -1;
		return;
	}
	if (!rs->is_app_limited ||
	    ((u64)rs->delivered * tp->rate_interval_us >=
	     (u64)tp->rate_delivered * rs->interval_us)) {
		tp->rate_delivered = rs->delivered;
		tp->rate_interval_us = rs->interval_us;
		tp->rate_app_limited = rs->is_app_limited;
	}
}

/* Linux's tcp_count_delivered(): ECE-marked ACKs count delivered_ce. */
static void xs_tcp_count_delivered(struct sock *sk, u32 pcount)
{
	struct tcp_sock *tp = tcp_sk(sk);

	tp->delivered += pcount;
	if (xs_tcp_sk(sk)->ece_ack) {
		tp->delivered_ce += pcount;
		XS_ADD(xs_net(sock_net(sk)), TcpExt_TCPDeliveredCE, pcount);
	}
}

/* The SACK scoreboard (RFC 2018, RFC 6675) */

/* Mark @skb SACKed; returns the segments newly SACKed. */
static u32 xs_tcp_tag_sacked(struct sock *sk, struct sk_buff *skb,
			     struct rate_sample *rs)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	struct tcp_sock *tp = tcp_sk(sk);
	u32 pcount = tcp_skb_pcount(skb);

	if (tcb->sacked & TCPCB_SACKED_ACKED)
		return 0;
	if (tcb->sacked & TCPCB_SACKED_RETRANS) {
		tcb->sacked &= ~TCPCB_SACKED_RETRANS;
		tp->retrans_out -= pcount;
	}
	if (tcb->sacked & TCPCB_LOST) {
		tcb->sacked &= ~TCPCB_LOST;
		tp->lost_out -= pcount;
	}
	tcb->sacked |= TCPCB_SACKED_ACKED;
	tp->sacked_out += pcount;
	xs_tcp_count_delivered(sk, pcount);
	xs_tcp_rate_skb_delivered(sk, skb, rs);
	if (!tp->highest_sack ||
	    after(tcb->end_seq, TCP_SKB_CB(tp->highest_sack)->end_seq))
		tp->highest_sack = skb;
	return pcount;
}

/* Apply one SACK block to the write queue; split skbs at MSS edges. */
static u32 xs_tcp_sack_block(struct sock *sk, u32 start, u32 end,
			     struct rate_sample *rs)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct sk_buff *skb, *tmp;
	u32 newly = 0;

	skb_queue_walk_safe(&sk->sk_write_queue, skb, tmp) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
		u32 mss;

		if (skb == xs->send_head)
			break;
		if (!after(tcb->end_seq, start))
			continue;
		if (!before(tcb->seq, end))
			break;
		if (tcb->sacked & TCPCB_SACKED_ACKED)
			continue;
		mss = skb_shinfo(skb)->gso_size;
		if (before(tcb->seq, start)) {
			/* Keep the unSACKed front apart, at an MSS edge. */
			if (!mss || (start - tcb->seq) % mss ||
			    xs_tcp_fragment(sk, skb, start - tcb->seq))
				continue;
			tmp = skb->next;	/* the tail is tagged next */
			continue;
		}
		if (after(tcb->end_seq, end)) {
			if (!mss || (end - tcb->seq) % mss ||
			    xs_tcp_fragment(sk, skb, end - tcb->seq))
				break;
			tmp = skb->next;
		}
		newly += xs_tcp_tag_sacked(sk, skb, rs);
	}
	return newly;
}

/*
 * Process the SACK blocks of an ACK. D-SACK (RFC 2883): a first block
 * below the cumulative ACK or inside the second block reports a
 * duplicate and is not a hole.
 */
static int xs_tcp_sacktag(struct sock *sk, const struct xs_tcp_opts *o,
			  u32 prior_snd_una, struct rate_sample *rs,
			  u32 *newly)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int i, flag = 0;

	*newly = 0;
	for (i = 0; i < o->num_sacks; i++) {
		u32 start = o->sacks[i].start_seq, end = o->sacks[i].end_seq;

		if (!after(end, start))
			continue;
		if (i == 0 && (!after(end, prior_snd_una) ||
			       (o->num_sacks > 1 &&
				!before(start, o->sacks[1].start_seq) &&
				!after(end, o->sacks[1].end_seq)))) {
			flag |= XS_FLAG_DSACK;
			XS_INC(xs_net(sock_net(sk)), TcpExt_TCPDSACKRecv);
			tp->dsack_dups++;
			continue;
		}
		if (after(end, tp->snd_nxt) || !after(end, tp->snd_una))
			continue;
		if (before(start, tp->snd_una))
			start = tp->snd_una;
		*newly += xs_tcp_sack_block(sk, start, end, rs);
	}
	if (*newly)
		flag |= XS_FLAG_DATA_SACKED;
	return flag;
}

/*
 * RFC 6675 IsLost(): a hole is lost when at least DupThresh segments
 * above it were SACKed. Walks from the highest SACKed skb down.
 */
static void xs_tcp_mark_lost(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 thresh = max_t(u32, tp->reordering, 1), above = 0;
	struct sk_buff *skb = tp->highest_sack;

	if (!skb)
		return;
	for (; skb != (struct sk_buff *)&sk->sk_write_queue; skb = skb->prev) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

		if (tcb->sacked & TCPCB_SACKED_ACKED) {
			above += tcp_skb_pcount(skb);
			continue;
		}
		if (above < thresh)
			continue;
		if (tcb->sacked & (TCPCB_LOST | TCPCB_SACKED_RETRANS))
			continue;
		tcb->sacked |= TCPCB_LOST;
		tp->lost_out += tcp_skb_pcount(skb);
		tp->lost += tcp_skb_pcount(skb);
	}
}

/* Without SACK: the head is lost (NewReno's retransmission, RFC 6582). */
static void xs_tcp_mark_head_lost(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	struct tcp_sock *tp = tcp_sk(sk);

	if (!skb || skb == xs_tcp_sk(sk)->send_head)
		return;
	if (TCP_SKB_CB(skb)->sacked & (TCPCB_LOST | TCPCB_SACKED_ACKED))
		return;
	TCP_SKB_CB(skb)->sacked &= ~TCPCB_SACKED_RETRANS;
	TCP_SKB_CB(skb)->sacked |= TCPCB_LOST;
	tp->lost_out += tcp_skb_pcount(skb);
	tp->lost += tcp_skb_pcount(skb);
}

/* Acknowledged data leaves the write queue */

struct xs_ack_state {
	u32 acked_pcount;
	u32 delivered;
	long seq_rtt_us;
	u64 first_ackt;
	bool retrans;
};

static int xs_tcp_clean_rtx_queue(struct sock *sk, struct xs_ack_state *st,
				  struct rate_sample *rs)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;
	int flag = 0;

	while ((skb = skb_peek(&sk->sk_write_queue)) && skb != xs->send_head) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
		u32 pcount = tcp_skb_pcount(skb);
		u8 sacked = tcb->sacked;

		if (after(tcb->end_seq, tp->snd_una)) {
			u32 mss = skb_shinfo(skb)->gso_size;
			u32 left;

			/* Part of a GSO skb: drop the acknowledged MSSes. */
			if (pcount <= 1 || !mss || !after(tp->snd_una, tcb->seq))
				break;
			if (xs_tcp_trim_head(sk, skb, tp->snd_una - tcb->seq))
				break;
			xs_tcp_set_skb_pcount(skb, mss);
			left = tcp_skb_pcount(skb);
			if (left >= pcount)
				break;
			pcount -= left;
			tp->packets_out -= pcount;
			if (sacked & TCPCB_SACKED_RETRANS)
				tp->retrans_out -= min(tp->retrans_out, pcount);
			if (sacked & TCPCB_LOST)
				tp->lost_out -= min(tp->lost_out, pcount);
			st->acked_pcount += pcount;
			xs_tcp_count_delivered(sk, pcount);
			st->delivered += pcount;
			flag |= XS_FLAG_DATA_ACKED;
			break;
		}
		if (sacked & TCPCB_RETRANS) {
			if (sacked & TCPCB_SACKED_RETRANS)
				tp->retrans_out -= pcount;
			st->retrans = true;
			flag |= XS_FLAG_RETRANS_ACKED;
		} else if (!(sacked & TCPCB_SACKED_ACKED)) {
			u64 sent_us = div_u64(skb->skb_mstamp_ns,
					      NSEC_PER_USEC);

			if (!st->first_ackt)
				st->first_ackt = sent_us;
			st->seq_rtt_us = tcp_stamp_us_delta(tp->tcp_mstamp,
							    sent_us);
		}
		if (sacked & TCPCB_SACKED_ACKED) {
			tp->sacked_out -= pcount;
		} else {
			xs_tcp_count_delivered(sk, pcount);
			st->delivered += pcount;
		}
		if (sacked & TCPCB_LOST)
			tp->lost_out -= pcount;
		tp->packets_out -= pcount;
		xs_tcp_rate_skb_delivered(sk, skb, rs);
		if (tcb->tcp_flags & TCPHDR_SYN) {
			flag |= XS_FLAG_SYN_ACKED;
		} else {
			flag |= XS_FLAG_DATA_ACKED;
			st->acked_pcount += pcount;
		}
		xs_tcp_free_skb(sk, skb);
	}
	if (!tp->packets_out) {
		tp->sacked_out = 0;
		tp->lost_out = 0;
		tp->retrans_out = 0;
	}
	return flag;
}

/* Congestion state machine */

static void xs_tcp_ca_pkts_acked(struct sock *sk, u32 pkts, long rtt_us)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct ack_sample sample = {
		.pkts_acked = pkts,
		.rtt_us = rtt_us,
		.in_flight = tcp_packets_in_flight(tcp_sk(sk)),
	};

	if (icsk->icsk_ca_ops->pkts_acked)
		icsk->icsk_ca_ops->pkts_acked(sk, &sample);
}

/* Linux's tcp_init_cwnd_reduction(): a reduction starts (RFC 6937). */
static void xs_tcp_init_cwnd_reduction(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	tp->high_seq = tp->snd_nxt;
	tp->snd_cwnd_cnt = 0;
	tp->prior_cwnd = tcp_snd_cwnd(tp);
	tp->prr_delivered = 0;
	tp->prr_out = 0;
	tp->snd_ssthresh = inet_csk(sk)->icsk_ca_ops->ssthresh(sk);
	xs_tcp_ecn_queue_cwr(tp);
}

/**
 * xs_tcp_enter_cwr - reduce cwnd once without a loss
 * @sk: the socket (locked)
 *
 * The CWR state (Linux's tcp_enter_cwr()): for an ACK with ECE (RFC 3168
 * 6.1.2, at most once per window of data) or a local queue that refused
 * or marked a segment (NET_XMIT_DROP, NET_XMIT_CN). cwnd then falls to
 * the new ssthresh by PRR as ACKs arrive; a CWR flag goes with the next
 * new data of an ECN connection. Before the algorithm started (during
 * the handshake) nothing happens.
 */
void xs_tcp_enter_cwr(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	if (!icsk->icsk_ca_initialized)
		return;
	tp->prior_ssthresh = 0;
	if (icsk->icsk_ca_state < TCP_CA_CWR) {
		tp->undo_marker = 0;
		xs_tcp_init_cwnd_reduction(sk);
		xs_tcp_set_ca_state(sk, TCP_CA_CWR);
	}
}

/* Fast recovery; from CWR the reduction under way goes on (no second). */
static void xs_tcp_enter_recovery(struct sock *sk, bool ece_ack)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct tcp_sock *tp = tcp_sk(sk);

	if (tcp_is_sack(tp))
		XS_INC(xn, TcpExt_TCPSackRecovery);
	else
		XS_INC(xn, TcpExt_TCPRenoRecovery);
	tp->prior_ssthresh = 0;
	tp->undo_marker = tp->snd_una;
	if (inet_csk(sk)->icsk_ca_state < TCP_CA_CWR) {
		if (!ece_ack)
			tp->prior_ssthresh = tp->snd_ssthresh;
		xs_tcp_init_cwnd_reduction(sk);
	}
	xs_tcp_set_ca_state(sk, TCP_CA_Recovery);
	XS_INC(xn, TcpExt_TCPFastRetrans);
}

/*
 * RFC 6937 PRR: cwnd during CWR and recovery, with slow-start reduction
 * bound. An algorithm with its own cong_control sets cwnd itself (as in
 * Linux 6.12's tcp_cong_control()).
 */
static void xs_tcp_prr(struct sock *sk, u32 newly_acked_sacked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int in_flight = tcp_packets_in_flight(tp);
	int delta = tp->snd_ssthresh - in_flight;
	int sndcnt;

	if (inet_csk(sk)->icsk_ca_ops->cong_control)
		return;
	if (!newly_acked_sacked || !tp->prior_cwnd)
		return;
	tp->prr_delivered += newly_acked_sacked;
	if (delta < 0) {
		u64 dividend = (u64)tp->snd_ssthresh * tp->prr_delivered +
			       tp->prior_cwnd - 1;

		sndcnt = div_u64(dividend, tp->prior_cwnd) - tp->prr_out;
	} else {
		sndcnt = max_t(int, tp->prr_delivered - tp->prr_out,
			       newly_acked_sacked) + 1;
		sndcnt = min(delta, sndcnt);
	}
	/* Force a fast retransmit upon entering recovery. */
	sndcnt = max(sndcnt, tp->prr_out ? 0 : 1);
	tcp_snd_cwnd_set(tp, max(in_flight + sndcnt, 1));
}

/*
 * Back to Open. After CWR or fast recovery cwnd is the new ssthresh and
 * the algorithm hears CA_EVENT_COMPLETE_CWR (Linux's
 * tcp_end_cwnd_reduction(), not for an algorithm with cong_control);
 * after a timeout's Loss state slow start has rebuilt cwnd already.
 */
static void xs_tcp_end_recovery(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	bool reduced = icsk->icsk_ca_state == TCP_CA_Recovery ||
		       icsk->icsk_ca_state == TCP_CA_CWR;

	reduced = reduced && !icsk->icsk_ca_ops->cong_control;
	if (reduced && tp->snd_ssthresh < TCP_INFINITE_SSTHRESH) {
		tcp_snd_cwnd_set(tp, tp->snd_ssthresh);
		tp->snd_cwnd_stamp = tcp_jiffies32;
	}
	tp->undo_marker = 0;
	tp->retrans_stamp = 0;
	xs_tcp_sk(sk)->dupacks = 0;
	xs_tcp_set_ca_state(sk, TCP_CA_Open);
	if (reduced)
		tcp_ca_event(sk, CA_EVENT_COMPLETE_CWR);
}

/*
 * Open, Disorder or CWR: is it time for fast recovery (RFC 6675 or,
 * without SACK, RFC 6582's duplicate ACK count)? Moves between Open and
 * Disorder on the way.
 */
static bool xs_tcp_time_to_recover(struct sock *sk, bool sack)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	u32 dupacks = xs_tcp_sk(sk)->dupacks;

	if (sack) {
		xs_tcp_mark_lost(sk);
		if (tp->lost_out || tp->sacked_out >= tp->reordering)
			return true;
		if (tp->sacked_out && icsk->icsk_ca_state == TCP_CA_Open)
			xs_tcp_set_ca_state(sk, TCP_CA_Disorder);
		return false;
	}
	if (dupacks >= tp->reordering)
		return true;
	if (dupacks && icsk->icsk_ca_state == TCP_CA_Open)
		xs_tcp_set_ca_state(sk, TCP_CA_Disorder);
	if (!dupacks && icsk->icsk_ca_state == TCP_CA_Disorder)
		xs_tcp_set_ca_state(sk, TCP_CA_Open);
	return false;
}

/*
 * Loss detection and recovery per ACK (the role of Linux's
 * tcp_fastretrans_alert()): duplicate ACKs or the SACK scoreboard start
 * fast retransmit; partial ACKs retransmit the next hole; recovery ends
 * when high_seq is acknowledged. An ECE enters CWR (RFC 3168 6.1.2),
 * which ends once data above its high_seq is acknowledged (so that our
 * CWR flag reached the receiver).
 */
static void xs_tcp_fastretrans(struct sock *sk, int flag, bool dupack,
			       u32 newly)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	bool sack = tcp_is_sack(tp);

	if (!tp->packets_out) {
		if (icsk->icsk_ca_state != TCP_CA_Open)
			xs_tcp_end_recovery(sk);
		if (flag & XS_FLAG_ECE)
			xs_tcp_enter_cwr(sk);
		return;
	}
	if (!sack && dupack) {
		xs->dupacks++;
		/* Reno's emulated SACK count drives limited transmit. */
		tp->sacked_out = min(xs->dupacks, tp->packets_out - 1);
	}
	if (!sack && (flag & XS_FLAG_SND_UNA_ADV))
		tp->sacked_out = 0;

	switch (icsk->icsk_ca_state) {
	case TCP_CA_Recovery:
	case TCP_CA_Loss:
		if (!before(tp->snd_una, tp->high_seq)) {
			xs_tcp_end_recovery(sk);
			break;
		}
		if (sack)
			xs_tcp_mark_lost(sk);
		else if (flag & XS_FLAG_SND_UNA_ADV)
			xs_tcp_mark_head_lost(sk);	/* partial ACK */
		if (icsk->icsk_ca_state == TCP_CA_Recovery)
			xs_tcp_prr(sk, newly);
		return;
	default:
		if (icsk->icsk_ca_state == TCP_CA_CWR &&
		    !before(tp->snd_una, tp->high_seq) &&
		    tp->snd_una != tp->high_seq)
			xs_tcp_end_recovery(sk);
		if (flag & XS_FLAG_SND_UNA_ADV)
			xs->dupacks = 0;
		if (!xs_tcp_time_to_recover(sk, sack)) {
			if (flag & XS_FLAG_ECE)
				xs_tcp_enter_cwr(sk);
			if (icsk->icsk_ca_state == TCP_CA_CWR)
				xs_tcp_prr(sk, newly);
			return;
		}
		if (!tp->lost_out)
			xs_tcp_mark_head_lost(sk);
		xs_tcp_enter_recovery(sk, flag & XS_FLAG_ECE);
		xs_tcp_prr(sk, max_t(u32, newly, 1));
	}
}

/* Linux's tcp_cong_control(): the module's own control or cong_avoid. */
static void xs_tcp_cong_control(struct sock *sk, u32 ack, u32 acked_sacked,
				int flag, const struct rate_sample *rs)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	if (icsk->icsk_ca_ops->cong_control) {
		icsk->icsk_ca_ops->cong_control(sk, ack, flag, rs);
		return;
	}
	/* PRR owns cwnd in CWR and recovery (xs_tcp_fastretrans()). */
	if (icsk->icsk_ca_state < TCP_CA_CWR &&
	    ((flag & XS_FLAG_ACKED) || acked_sacked) &&
	    tcp_is_cwnd_limited(sk)) {
		icsk->icsk_ca_ops->cong_avoid(sk, ack, acked_sacked);
		tp->snd_cwnd_stamp = tcp_jiffies32;
	}
	tcp_snd_cwnd_set(tp, min(tcp_snd_cwnd(tp), tp->snd_cwnd_clamp));
	xs_tcp_update_pacing_rate(sk);
}

/* RFC 9293 3.10.7.4: the window moves with newer segments only. */
static bool xs_tcp_may_update_window(const struct tcp_sock *tp, u32 ack,
				     u32 seq, u32 nwin)
{
	return after(ack, tp->snd_una) || after(seq, tp->snd_wl1) ||
	       (seq == tp->snd_wl1 && (nwin > tp->snd_wnd || !nwin));
}

static int xs_tcp_ack_update_window(struct sock *sk, struct sk_buff *skb,
				    u32 ack)
{
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcphdr *th = tcp_hdr(skb);
	u32 seq = TCP_SKB_CB(skb)->seq;
	u32 nwin = ntohs(th->window);

	if (!th->syn)
		nwin <<= tp->rx_opt.snd_wscale;
	if (!xs_tcp_may_update_window(tp, ack, seq, nwin))
		return 0;
	tp->snd_wl1 = seq;
	if (tp->snd_wnd == nwin)
		return 0;
	tp->snd_wnd = nwin;
	if (nwin > tp->max_window)
		tp->max_window = nwin;
	return XS_FLAG_WIN_UPDATE;
}

/* Linux's tcp_sndbuf_expand(): room for two windows of segments. */
static void xs_tcp_sndbuf_expand(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int per_mss, sndmem, nr;

	if ((sk->sk_userlocks & SOCK_SNDBUF_LOCK) || xs_tcp_mem_tight(sk))
		return;
	per_mss = SKB_TRUESIZE(max_t(u32, tp->mss_cache, 536) +
			       MAX_TCP_HEADER);
	nr = max_t(u32, tcp_snd_cwnd(tp), tp->reordering + 1) * 2;
	sndmem = nr * per_mss;
	sndmem = min(sndmem, READ_ONCE(xs_tcp_table(sk)->sysctl_wmem[2]));
	if (sk->sk_sndbuf < sndmem)
		WRITE_ONCE(sk->sk_sndbuf, sndmem);
}

static void xs_tcp_new_space(struct sock *sk)
{
	xs_tcp_sndbuf_expand(sk);
	if (sk->sk_socket && test_bit(SOCK_NOSPACE, &sk->sk_socket->flags) &&
	    sk_stream_wspace(sk) >= sk_stream_min_wspace(sk))
		sk->sk_write_space(sk);
}

/* The algorithm hears of the ACK, after SACK and before the cleanup. */
static void xs_tcp_in_ack_event(struct sock *sk, int flag)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	u32 ev = CA_ACK_SLOWPATH;

	if (!icsk->icsk_ca_ops->in_ack_event)
		return;
	if (flag & XS_FLAG_WIN_UPDATE)
		ev |= CA_ACK_WIN_UPDATE;
	if (flag & XS_FLAG_ECE)
		ev |= CA_ACK_ECE;
	icsk->icsk_ca_ops->in_ack_event(sk, ev);
}

/*
 * Process the ACK field (RFC 9293 3.10.7.4 "fifth, check the ACK
 * field"; RFC 5961 5.2 for old ACKs). Returns <0 when the segment must
 * be dropped, else the XS_FLAG_* of what happened.
 */
static int xs_tcp_ack(struct sock *sk, struct sk_buff *skb,
		      const struct xs_tcp_opts *o)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	const struct tcphdr *th = tcp_hdr(skb);
	u32 ack = TCP_SKB_CB(skb)->ack_seq, prior_snd_una = tp->snd_una;
	u32 prior_packets = tp->packets_out, prior_lost = tp->lost;
	u32 prior_delivered = tp->delivered, newly_sacked = 0;
	struct rate_sample rs = { .prior_delivered = 0 };
	struct xs_ack_state st = { .seq_rtt_us = -1 };
	bool dupack;
	long rtt;
	int flag = 0;

	if (before(ack, prior_snd_una)) {
		u32 max_window = min_t(u64, tp->max_window, tp->bytes_acked);

		if (before(ack, prior_snd_una - max_window)) {
			xs_tcp_send_challenge_ack(sk);
			return -1;
		}
		return 0;	/* old ACK: ignore it */
	}
	if (after(ack, tp->snd_nxt))
		return -1;	/* RFC 9293: ACK of what we never sent */

	if (after(ack, prior_snd_una)) {
		flag |= XS_FLAG_SND_UNA_ADV;
		icsk->icsk_retransmits = 0;
		xs->retry_start = 0;
	}
	flag |= xs_tcp_ack_update_window(sk, skb, ack);
	tp->bytes_acked += ack - prior_snd_una;
	tp->snd_una = ack;
	xs_tcp_urg_acked(sk, prior_snd_una);
	tp->rcv_tstamp = tcp_jiffies32;
	/* RFC 3168 6.1.2: the receiver saw CE (not on a SYN-ACK). */
	if (th->ece && !th->syn && (tp->ecn_flags & TCP_ECN_OK))
		flag |= XS_FLAG_ECE;
	xs->ece_ack = flag & XS_FLAG_ECE;
	if (!prior_packets)
		goto no_queue;

	if (o->num_sacks && tcp_is_sack(tp))
		flag |= xs_tcp_sacktag(sk, o, prior_snd_una, &rs,
				       &newly_sacked);
	xs_tcp_in_ack_event(sk, flag);
	flag |= xs_tcp_clean_rtx_queue(sk, &st, &rs);

	/* Karn (RFC 6298 3): the timestamp echo is exact even then. */
	rtt = st.retrans ? -1 : st.seq_rtt_us;
	if (rtt < 0 && (flag & XS_FLAG_ACKED))
		rtt = xs_tcp_ts_rtt(sk, o);
	if (flag & XS_FLAG_ACKED) {
		xs_tcp_rtt_sample(sk, rtt);
		icsk->icsk_backoff = 0;
	}
	if (st.acked_pcount || rtt >= 0)
		xs_tcp_ca_pkts_acked(sk, st.acked_pcount, rtt);

	dupack = !(flag & (XS_FLAG_SND_UNA_ADV | XS_FLAG_WIN_UPDATE)) &&
		 !(flag & XS_FLAG_DATA) && ack == prior_snd_una;
	xs_tcp_fastretrans(sk, flag, dupack, st.delivered + newly_sacked);

	xs_tcp_rate_gen(sk, tp->delivered - prior_delivered,
			tp->lost - prior_lost, &rs);
	xs_tcp_cong_control(sk, ack, tp->delivered - prior_delivered, flag,
			    &rs);
	if (flag & XS_FLAG_ACKED) {
		xs_tcp_rearm_rto(sk);
		xs_tcp_new_space(sk);
	}
	if (tp->lost_out > tp->retrans_out)
		xs_tcp_xmit_lost(sk);
	return flag;

no_queue:
	xs_tcp_in_ack_event(sk, flag);
	/* A probe's answer: the window may have opened. */
	icsk->icsk_probes_out = 0;
	if (xs->send_head && icsk->icsk_pending == XS_TIMER_PROBE &&
	    !after(TCP_SKB_CB(xs->send_head)->end_seq, tcp_wnd_end(tp))) {
		icsk->icsk_backoff = 0;
		xs->probe_start = 0;
	}
	return flag;
}

/* Receive side */

/* Linux's tcp_measure_rcv_mss() and the payload/truesize ratio. */
static void xs_tcp_measure_rcv(struct sock *sk, const struct sk_buff *skb)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	u32 len = skb_shinfo(skb)->gso_size ?: skb->len;

	if (len >= icsk->icsk_ack.rcv_mss) {
		icsk->icsk_ack.rcv_mss = min_t(u32, len, tcp_sk(sk)->advmss);
		if (skb->len >= TCP_MSS_DEFAULT && skb->truesize) {
			u64 r = div_u64((u64)skb->len << 8, skb->truesize);

			if (r)
				xs->rcv_ratio = clamp_t(u32, r, 1, 255);
		}
	}
}

/* Linux's tcp_event_data_recv(): the inter-arrival estimate (ato). */
static void xs_tcp_event_data_recv(struct sock *sk, struct sk_buff *skb)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	u32 now = tcp_jiffies32, m;

	xs_tcp_measure_rcv(sk, skb);
	if (!icsk->icsk_ack.ato) {
		xs->quick = XS_TCP_MAX_QUICKACKS;
		icsk->icsk_ack.ato = XS_TCP_ATO_MIN;
	} else {
		m = now - icsk->icsk_ack.lrcvtime;
		if (m <= XS_TCP_ATO_MIN / 2) {
			icsk->icsk_ack.ato = (icsk->icsk_ack.ato >> 1) +
					     XS_TCP_ATO_MIN / 2;
		} else if (m < icsk->icsk_ack.ato) {
			icsk->icsk_ack.ato = (icsk->icsk_ack.ato >> 1) + m;
			if (icsk->icsk_ack.ato > icsk->icsk_rto)
				icsk->icsk_ack.ato = icsk->icsk_rto;
		} else if (m > icsk->icsk_rto) {
			xs->quick = XS_TCP_MAX_QUICKACKS;
		}
	}
	icsk->icsk_ack.lrcvtime = now;
	if (skb->len >= icsk->icsk_ack.rcv_mss)
		xs->rcv_segs++;
	xs_tcp_ecn_check_ce(sk, skb);
}

/* RFC 2883: report a duplicate segment in the next ACK. */
static void xs_tcp_dsack_set(struct sock *sk, u32 seq, u32 end_seq)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!tcp_is_sack(tp))
		return;
	tp->rx_opt.dsack = 1;
	tp->duplicate_sack[0].start_seq = seq;
	tp->duplicate_sack[0].end_seq = end_seq;
}

/* Merge SACK blocks that now touch (Linux's tcp_sack_maybe_coalesce). */
static void xs_tcp_sack_coalesce(struct tcp_sock *tp)
{
	struct tcp_sack_block *sp = tp->selective_acks;
	int i, j;

	for (i = 0; i < tp->rx_opt.num_sacks; i++) {
		for (j = i + 1; j < tp->rx_opt.num_sacks; j++) {
			if (after(sp[j].start_seq, sp[i].end_seq) ||
			    after(sp[i].start_seq, sp[j].end_seq))
				continue;
			if (before(sp[j].start_seq, sp[i].start_seq))
				sp[i].start_seq = sp[j].start_seq;
			if (after(sp[j].end_seq, sp[i].end_seq))
				sp[i].end_seq = sp[j].end_seq;
			memmove(&sp[j], &sp[j + 1],
				(tp->rx_opt.num_sacks - j - 1) * sizeof(*sp));
			tp->rx_opt.num_sacks--;
			j--;
		}
	}
}

/* RFC 2018 4: the block of the newest segment goes first. */
static void xs_tcp_sack_new_ofo(struct sock *sk, u32 seq, u32 end_seq)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct tcp_sack_block *sp = tp->selective_acks;
	struct tcp_sack_block blk = { seq, end_seq };
	int i;

	if (!tcp_is_sack(tp))
		return;
	for (i = 0; i < tp->rx_opt.num_sacks; i++) {
		if (after(sp[i].start_seq, end_seq) ||
		    after(seq, sp[i].end_seq))
			continue;
		if (before(sp[i].start_seq, blk.start_seq))
			blk.start_seq = sp[i].start_seq;
		if (after(sp[i].end_seq, blk.end_seq))
			blk.end_seq = sp[i].end_seq;
		memmove(&sp[i], &sp[i + 1],
			(tp->rx_opt.num_sacks - i - 1) * sizeof(*sp));
		tp->rx_opt.num_sacks--;
		i--;
	}
	if (tp->rx_opt.num_sacks == 4)
		tp->rx_opt.num_sacks--;
	memmove(&sp[1], &sp[0], tp->rx_opt.num_sacks * sizeof(*sp));
	sp[0] = blk;
	tp->rx_opt.num_sacks++;
	xs_tcp_sack_coalesce(tp);
}

/* Blocks the cumulative ACK reached are no longer sent. */
static void xs_tcp_sack_remove(struct tcp_sock *tp)
{
	struct tcp_sack_block *sp = tp->selective_acks;
	int i;

	if (RB_EMPTY_ROOT(&tp->out_of_order_queue)) {
		tp->rx_opt.num_sacks = 0;
		return;
	}
	for (i = 0; i < tp->rx_opt.num_sacks; i++) {
		if (after(sp[i].end_seq, tp->rcv_nxt))
			continue;
		memmove(&sp[i], &sp[i + 1],
			(tp->rx_opt.num_sacks - i - 1) * sizeof(*sp));
		tp->rx_opt.num_sacks--;
		i--;
	}
}

/* In-order data to the receive queue, coalesced with the tail. */
static void xs_tcp_queue_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_receive_queue);
	bool fragstolen;
	int delta;

	if (tail && !(TCP_SKB_CB(tail)->tcp_flags & TCPHDR_FIN) &&
	    TCP_SKB_CB(tail)->end_seq == TCP_SKB_CB(skb)->seq &&
	    skb_try_coalesce(tail, skb, &fragstolen, &delta)) {
		TCP_SKB_CB(tail)->end_seq = TCP_SKB_CB(skb)->end_seq;
		TCP_SKB_CB(tail)->tcp_flags |= TCP_SKB_CB(skb)->tcp_flags;
		sk_mem_charge(sk, delta);
		atomic_add(delta, &sk->sk_rmem_alloc);
		XS_INC(xs_net(sock_net(sk)), TcpExt_TCPRcvCoalesce);
		kfree_skb_partial(skb, fragstolen);
		return;
	}
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
}

static void xs_tcp_rcv_nxt_update(struct tcp_sock *tp, u32 seq)
{
	tp->bytes_received += seq - tp->rcv_nxt;
	tp->rcv_nxt = seq;
}

static bool xs_tcp_fin(struct sock *sk);

/* Move what the out-of-order queue now continues to the receive queue. */
static bool xs_tcp_ofo_queue(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct rb_node *p = rb_first(&tp->out_of_order_queue);
	bool fin = false;

	while (p) {
		struct sk_buff *skb = rb_to_skb(p);

		if (after(TCP_SKB_CB(skb)->seq, tp->rcv_nxt))
			break;
		p = rb_next(p);
		rb_erase(&skb->rbnode, &tp->out_of_order_queue);
		if (!after(TCP_SKB_CB(skb)->end_seq, tp->rcv_nxt)) {
			sk_mem_uncharge(sk, skb->truesize);
			atomic_sub(skb->truesize, &sk->sk_rmem_alloc);
			skb->destructor = NULL;
			skb->sk = NULL;
			__kfree_skb(skb);
			continue;
		}
		/* Already charged to the socket as an ofo skb. */
		__skb_queue_tail(&sk->sk_receive_queue, skb);
		xs_tcp_rcv_nxt_update(tp, TCP_SKB_CB(skb)->end_seq);
		if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN) {
			fin = true;
			break;
		}
	}
	tp->ooo_last_skb = NULL;
	return fin;
}

/* Out-of-order data (RFC 9293 3.10.7.4 "seventh"): the rbtree by seq. */
static void xs_tcp_data_queue_ofo(struct sock *sk, struct sk_buff *skb)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct tcp_sock *tp = tcp_sk(sk);
	u32 seq = TCP_SKB_CB(skb)->seq, end_seq = TCP_SKB_CB(skb)->end_seq;
	struct rb_node **p = &tp->out_of_order_queue.rb_node, *parent = NULL;
	struct sk_buff *skb1;

	xs_tcp_ecn_check_ce(sk, skb);
	xs_tcp_sk(sk)->ack_now = true;	/* RFC 5681 4.2: ACK at once */
	if (unlikely(!xs_tcp_rmem_schedule(sk, skb))) {
		XS_INC(xn, TcpExt_TCPOFODrop);
		kfree_skb(skb);
		return;
	}
	XS_INC(xn, TcpExt_TCPOFOQueue);
	tp->rcv_ooopack += max_t(u16, 1, skb_shinfo(skb)->gso_segs);
	while (*p) {
		parent = *p;
		skb1 = rb_to_skb(parent);
		if (before(seq, TCP_SKB_CB(skb1)->seq)) {
			p = &parent->rb_left;
			continue;
		}
		if (!after(end_seq, TCP_SKB_CB(skb1)->end_seq)) {
			/* All of it is queued already. */
			xs_tcp_dsack_set(sk, seq, end_seq);
			kfree_skb(skb);
			return;
		}
		p = &parent->rb_right;
	}
	skb_set_owner_r(skb, sk);
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &tp->out_of_order_queue);
	/* Drop the skbs the new one covers entirely. */
	while ((skb1 = skb_rb_next(skb)) &&
	       !after(TCP_SKB_CB(skb1)->end_seq, end_seq)) {
		rb_erase(&skb1->rbnode, &tp->out_of_order_queue);
		xs_tcp_dsack_set(sk, TCP_SKB_CB(skb1)->seq,
				 TCP_SKB_CB(skb1)->end_seq);
		kfree_skb(skb1);
	}
	xs_tcp_sack_new_ofo(sk, seq, end_seq);
}

/*
 * Data of a synchronized state: in-order data is queued (a segment
 * overlapping rcv_nxt too; recvmsg skips what was read), older data is
 * a duplicate (D-SACK), data beyond is out of order. Consumes @skb.
 * Returns true when the socket went away (TIME-WAIT).
 */
static bool xs_tcp_data_queue(struct sock *sk, struct sk_buff *skb)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	bool fin = false;

	if (tcb->seq == tcb->end_seq) {
		consume_skb(skb);
		return false;
	}
	__skb_pull(skb, tcp_hdr(skb)->doff * 4);
	xs_tcp_ecn_accept_cwr(sk, skb);
	if (!after(tcb->end_seq, tp->rcv_nxt)) {
		xs_tcp_dsack_set(sk, tcb->seq, tcb->end_seq);
		xs->ack_now = true;
		xs->quick = max_t(u8, xs->quick, 1);
		kfree_skb(skb);
		return false;
	}
	if (!before(tcb->seq, tp->rcv_nxt + tcp_receive_window(tp))) {
		XS_INC(xn, TcpExt_TCPZeroWindowDrop);
		xs->ack_now = true;
		kfree_skb(skb);
		return false;
	}
	if (after(tcb->seq, tp->rcv_nxt)) {
		xs_tcp_event_data_recv(sk, skb);
		xs_tcp_data_queue_ofo(sk, skb);
		return false;
	}
	if (before(tcb->seq, tp->rcv_nxt))
		xs_tcp_dsack_set(sk, tcb->seq, tp->rcv_nxt);
	if (!tcp_receive_window(tp)) {
		XS_INC(xn, TcpExt_TCPZeroWindowDrop);
		goto drop;
	}
	if (unlikely(!xs_tcp_rmem_schedule(sk, skb))) {
		/*
		 * Out of memory: an empty receive queue still takes the
		 * segment, or nothing could ever be read to free memory
		 * (Linux's tcp_data_queue()).
		 */
		if (!skb_queue_empty(&sk->sk_receive_queue) && skb->len) {
			XS_INC(xn, TcpExt_TCPRcvQDrop);
			goto drop;
		}
		xs_tcp_forced_mem_schedule(sk, skb->truesize);
	}
	if (skb->len)
		xs_tcp_event_data_recv(sk, skb);
	xs_tcp_rcv_nxt_update(tp, tcb->end_seq);
	fin = tcb->tcp_flags & TCPHDR_FIN;
	xs_tcp_queue_rcv(sk, skb);
	if (!RB_EMPTY_ROOT(&tp->out_of_order_queue)) {
		fin |= xs_tcp_ofo_queue(sk);
		xs->ack_now = true;	/* a hole was filled (RFC 5681 4.2) */
	}
	if (tp->rx_opt.num_sacks)
		xs_tcp_sack_remove(tp);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
	return fin && xs_tcp_fin(sk);

drop:
	xs->ack_now = true;
	kfree_skb(skb);
	return false;
}

/*
 * The FIN (RFC 9293 3.10.7.4 "eighth"). Returns true when the socket
 * went to TIME-WAIT (its state is CLOSE and it must not be touched
 * further by the caller but to release it).
 */
static bool xs_tcp_fin(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);
	xs_tcp_sk(sk)->ack_now = true;
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		xs_tcp_set_state(sk, TCP_CLOSE_WAIT);
		xs_tcp_sk(sk)->pingpong = true;
		break;
	case TCP_FIN_WAIT1:
		/* Simultaneous close (RFC 9293 3.6). */
		xs_tcp_send_ack(sk);
		xs_tcp_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		xs_tcp_send_ack(sk);
		xs_tcp_time_wait(sk, TCP_TIME_WAIT, XS_TCP_TW_LEN);
		return true;
	default:
		break;
	}
	xs_tcp_ofo_purge(&tp->out_of_order_queue);
	tp->rx_opt.num_sacks = 0;
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		if (sk->sk_shutdown == SHUTDOWN_MASK ||
		    sk->sk_state == TCP_CLOSE)
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
		else
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_IN);
	}
	return false;
}

/* When to ACK: now, or within the delayed-ACK timeout. */
static void xs_tcp_ack_snd_check(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	if (tp->rcv_nxt == xs->last_ack_sent && !xs->ack_now &&
	    !tp->rx_opt.dsack)
		return;
	/* RFC 5681 4.2: every second full segment; quick ACKs at start. */
	if (xs->ack_now || xs->rcv_segs >= 2 || (xs->quick && !xs->pingpong) ||
	    tp->rcv_nxt - xs->last_ack_sent >= 2 * icsk->icsk_ack.rcv_mss) {
		xs_tcp_send_ack(sk);
		return;
	}
	xs_tcp_schedule_delack(sk);
}

/* PAWS (RFC 7323 5.3): a TSval older than ts_recent is a stale segment. */
static bool xs_tcp_paws_reject(struct sock *sk, const struct xs_tcp_opts *o,
			       bool rst)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!o->saw_ts || !tp->rx_opt.tstamp_ok || rst)
		return false;
	if ((s32)(o->tsval - tp->rx_opt.ts_recent) >= 0)
		return false;
	/* ts_recent older than 24 days is invalid (RFC 7323 5.5). */
	if ((u32)ktime_get_seconds() - xs_tcp_sk(sk)->ts_recent_stamp >
	    XS_PAWS_24DAYS)
		return false;
	return true;
}

/* RFC 7323 4.3 as Linux: remember the TSval of in-window segments. */
static void xs_tcp_store_ts_recent(struct sock *sk, const struct xs_tcp_opts *o,
				   u32 seq)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (o->saw_ts && tp->rx_opt.tstamp_ok && !after(seq, tp->rcv_wup) &&
	    (s32)(o->tsval - tp->rx_opt.ts_recent) >= 0) {
		tp->rx_opt.ts_recent = o->tsval;
		xs_tcp_sk(sk)->ts_recent_stamp = ktime_get_seconds();
	}
}

/* Linux's tcp_sequence(): overlaps the window at all. */
static bool xs_tcp_sequence_ok(const struct tcp_sock *tp, u32 seq, u32 end_seq)
{
	return !before(end_seq, tp->rcv_wup) &&
	       !after(seq, tp->rcv_nxt + tcp_receive_window(tp));
}

/**
 * xs_tcp_reset_sk - the peer reset the connection
 * @sk: the socket
 * @err: 0 for the errno of the state (ECONNREFUSED in SYN-SENT, EPIPE
 *	in CLOSE-WAIT, else ECONNRESET), or an errno
 */
void xs_tcp_reset_sk(struct sock *sk, int err)
{
	if (!err) {
		switch (sk->sk_state) {
		case TCP_SYN_SENT:
			err = ECONNREFUSED;
			break;
		case TCP_CLOSE_WAIT:
			err = EPIPE;
			break;
		case TCP_CLOSE:
			return;
		default:
			err = ECONNRESET;
		}
	}
	trace_tcp_receive_reset(sk);
	WRITE_ONCE(sk->sk_err, err);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	xs_tcp_done(sk);
}

/* Synchronized states, RFC 9293 3.10.7.4 "first" to "fourth". */
static bool xs_tcp_validate(struct sock *sk, struct sk_buff *skb,
			    const struct xs_tcp_opts *o)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct tcp_sock *tp = tcp_sk(sk);

	if (xs_tcp_paws_reject(sk, o, th->rst)) {
		XS_INC(xn, TcpExt_PAWSEstab);
		xs_tcp_send_dupack(sk);
		return false;
	}
	if (!xs_tcp_sequence_ok(tp, tcb->seq, tcb->end_seq)) {
		if (!th->rst) {
			if (th->syn)
				goto syn_challenge;
			xs_tcp_send_dupack(sk);
		}
		return false;
	}
	if (th->rst) {
		/* RFC 5961 3.2: only the exact sequence resets. */
		if (tcb->seq == tp->rcv_nxt)
			xs_tcp_reset_sk(sk, 0);
		else
			xs_tcp_send_challenge_ack(sk);
		return false;
	}
	xs_tcp_store_ts_recent(sk, o, tcb->seq);
	if (th->syn) {
syn_challenge:
		/* RFC 5961 4.2: a SYN in a synchronized state. */
		XS_INC(xn, TcpExt_TCPSYNChallenge);
		xs_tcp_send_challenge_ack(sk);
		return false;
	}
	return true;
}

/* RFC 9293 3.10.7.3: SYN-SENT. */
static int xs_tcp_rcv_synsent(struct sock *sk, struct sk_buff *skb)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct tcp_sock *tp = tcp_sk(sk);
	struct xs_tcp_opts o;
	struct sk_buff *syn;

	xs_tcp_parse_options(skb, &o, true);
	if (th->ack) {
		if (!after(tcb->ack_seq, tp->snd_una) ||
		    after(tcb->ack_seq, tp->snd_nxt)) {
			xs_tcp_send_reset_reply(xs_net(sock_net(sk)), skb);
			goto drop;
		}
		if (th->rst) {
			xs_tcp_reset_sk(sk, ECONNREFUSED);
			goto drop;
		}
	} else if (th->rst) {
		goto drop;
	}
	if (!th->syn)
		goto drop;

	tp->rcv_nxt = tcb->seq + 1;
	tp->rcv_wup = tp->rcv_nxt;
	tp->copied_seq = tp->rcv_nxt;
	tp->snd_wl1 = tcb->seq;
	tp->rx_opt.sack_ok = o.sack_ok && READ_ONCE(t->sysctl_sack) ?
			     TCP_SACK_SEEN : 0;
	tp->rx_opt.tstamp_ok = o.saw_ts && READ_ONCE(t->sysctl_timestamps);
	tp->rx_opt.wscale_ok = o.wscale >= 0 &&
			       READ_ONCE(t->sysctl_window_scaling);
	if (tp->rx_opt.wscale_ok) {
		tp->rx_opt.snd_wscale = o.wscale;
	} else {
		tp->rx_opt.snd_wscale = 0;
		tp->rx_opt.rcv_wscale = 0;
	}
	if (tp->rx_opt.tstamp_ok) {
		tp->tcp_header_len = sizeof(struct tcphdr) + TCPOLEN_TSTAMP_ALIGNED;
		tp->rx_opt.ts_recent = o.tsval;
		xs_tcp_sk(sk)->ts_recent_stamp = ktime_get_seconds();
	}
	tp->rx_opt.mss_clamp = o.mss ?: TCP_MSS_DEFAULT;
	xs_tcp_sk(sk)->syn_mss = o.mss;
	xs_tcp_ecn_rcv_syn(sk, th);

	if (!th->ack) {
		/* Simultaneous open (RFC 9293 3.5, figure 7). */
		tp->snd_wnd = ntohs(th->window);
		tp->max_window = tp->snd_wnd;
		xs_tcp_set_state(sk, TCP_SYN_RECV);
		/* Our SYN goes again, now with the ACK: a SYN-ACK. */
		syn = skb_peek(&sk->sk_write_queue);
		if (syn) {
			TCP_SKB_CB(syn)->tcp_flags |= TCPHDR_ACK;
			xs_tcp_retransmit_skb(sk, syn);
		}
		goto drop;
	}

	xs_tcp_ack(sk, skb, &o);
	tp->snd_wnd = ntohs(th->window);
	tp->max_window = tp->snd_wnd;
	xs_tcp_update_mss(sk, inet_csk(sk)->icsk_pmtu_cookie);
	xs_tcp_set_state(sk, TCP_ESTABLISHED);
	xs_tcp_init_transfer(sk);
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	}
	xs_tcp_send_ack(sk);
	xs_tcp_push(sk, tp->nonagle);
drop:
	kfree_skb(skb);
	return 0;
}

/*
 * The ACK of our FIN in @skb moved the state (RFC 9293 3.10.7.4
 * "fifth"). True when the socket is closed and @skb is done with.
 */
static bool xs_tcp_ack_state(struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	bool fin_acked = xs->fin_queued && tp->snd_una == tp->write_seq;

	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		if (!fin_acked)
			break;
		xs_tcp_set_state(sk, TCP_FIN_WAIT2);
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
		if (!sock_flag(sk, SOCK_DEAD)) {
			sk->sk_state_change(sk);
			break;
		}
		return xs_tcp_orphan_fin_wait2(sk, tcb->end_seq != tcb->seq);
	case TCP_CLOSING:
		if (fin_acked) {
			xs_tcp_time_wait(sk, TCP_TIME_WAIT, XS_TCP_TW_LEN);
			return true;
		}
		break;
	case TCP_LAST_ACK:
		if (fin_acked) {
			xs_tcp_done(sk);
			return true;
		}
		break;
	}
	return false;
}

/* SYN-RECEIVED of a full socket (simultaneous open or a new child). */
static bool xs_tcp_synrecv_ack(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 ack = TCP_SKB_CB(skb)->ack_seq;

	if (!after(ack, tp->snd_una) || after(ack, tp->snd_nxt)) {
		xs_tcp_send_reset_reply(xs_net(sock_net(sk)), skb);
		return false;
	}
	xs_tcp_set_state(sk, TCP_ESTABLISHED);
	xs_tcp_init_transfer(sk);
	tp->snd_wl1 = TCP_SKB_CB(skb)->seq;
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	}
	return true;
}

/**
 * xs_tcp_rcv_state - a segment for a full socket not in LISTEN
 * @sk: the socket (BH lock held and not owned, or owned by us)
 * @skb: the segment, data at the TCP header, control block filled
 *
 * Consumes @skb.
 *
 * Return: 0.
 */
int xs_tcp_rcv_state(struct sock *sk, struct sk_buff *skb)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct tcp_sock *tp = tcp_sk(sk);
	struct xs_tcp_opts o;
	u32 segs;
	int flag;

	xs_mstamp_refresh(tp);
	segs = max_t(u16, 1, skb_shinfo(skb)->gso_segs);
	tp->segs_in += segs;
	if (skb->len > th->doff * 4)
		tp->data_segs_in += segs;
	switch (sk->sk_state) {
	case TCP_CLOSE:
		xs_tcp_send_reset_reply(xn, skb);
		goto drop;
	case TCP_LISTEN:
		return xs_tcp_listen_rcv(sk, skb);
	case TCP_SYN_SENT:
		return xs_tcp_rcv_synsent(sk, skb);
	}
	xs_tcp_parse_options(skb, &o, false);
	if (!xs_tcp_validate(sk, skb, &o))
		goto drop;
	if (!th->ack)
		goto drop;
	if (sk->sk_state == TCP_SYN_RECV && !xs_tcp_synrecv_ack(sk, skb))
		goto drop;
	flag = xs_tcp_ack(sk, skb, &o);
	if (flag < 0) {
		if (sk->sk_state != TCP_ESTABLISHED)
			xs_tcp_send_challenge_ack(sk);
		goto drop;
	}
	if (xs_tcp_ack_state(sk, skb))
		goto drop;

	switch (sk->sk_state) {
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (!before(tcb->seq, tp->rcv_nxt))
			goto drop;	/* after the peer's FIN */
		fallthrough;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		/* RFC 9293 3.10.4: data for a closed reader aborts. */
		if ((sk->sk_shutdown & RCV_SHUTDOWN) && sock_flag(sk, SOCK_DEAD) &&
		    after(tcb->end_seq - th->fin, tp->rcv_nxt)) {
			XS_INC(xn, TcpExt_TCPAbortOnData);
			xs_tcp_send_active_reset(sk, GFP_ATOMIC);
			xs_tcp_reset_sk(sk, ECONNRESET);
			goto drop;
		}
		fallthrough;
	case TCP_ESTABLISHED:
		/* RFC 9293 3.10.7.4 "sixth": the URG bit. */
		if (unlikely(th->urg || tp->urg_data == TCP_URG_NOTYET))
			xs_tcp_urg_rcv(sk, skb);
		if (xs_tcp_data_queue(sk, skb))
			return 0;
		break;
	default:
		goto drop;
	}
	if (sk->sk_state == TCP_CLOSE)
		return 0;
	xs_tcp_push(sk, tp->nonagle);
	xs_tcp_ack_snd_check(sk);
	return 0;

drop:
	kfree_skb(skb);
	if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN &&
	    sk->sk_state != TCP_SYN_SENT) {
		xs_tcp_push(sk, tp->nonagle);
		xs_tcp_ack_snd_check(sk);
	}
	return 0;
}

/**
 * xs_tcp_init_transfer - the connection is established
 * @sk: the socket
 *
 * Initial window (RFC 6928: ten segments), the congestion module's
 * init (once, with an RTT sample where there is one), buffers and
 * keepalive.
 */
void xs_tcp_init_transfer(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	tp->lsndtime = tcp_jiffies32;
	tp->rcv_tstamp = tcp_jiffies32;
	inet_csk(sk)->icsk_ack.lrcvtime = tcp_jiffies32;
	if (inet_csk(sk)->icsk_retransmits && tcp_snd_cwnd(tp) > 1)
		tcp_snd_cwnd_set(tp, 1);	/* RFC 6298 5.7 via RFC 5681 */
	else
		tcp_snd_cwnd_set(tp, TCP_INIT_CWND);
	tp->snd_cwnd_stamp = tcp_jiffies32;
	inet_csk(sk)->icsk_retransmits = 0;
	inet_csk(sk)->icsk_backoff = 0;
	xs_tcp_sk(sk)->retry_start = 0;
	if (tp->srtt_us)
		xs_tcp_set_rto(sk);
	else
		inet_csk(sk)->icsk_rto = msecs_to_jiffies(XS_TCP_RTO_INIT_MS);
	/* Linux's tcp_initialize_rcv_mss(): a guess until data arrives. */
	inet_csk(sk)->icsk_ack.rcv_mss =
		clamp_t(u32, min3(tp->advmss, tp->mss_cache, tp->rcv_wnd / 2),
			TCP_MIN_MSS, TCP_MSS_DEFAULT);
	xs_tcp_ca_init(sk);
	xs_tcp_update_pacing_rate(sk);
	xs_tcp_sndbuf_expand(sk);
	if (sock_flag(sk, SOCK_KEEPOPEN))
		xs_tcp_reset_keepalive(sk, xs_tcp_keepalive_time(sk) * HZ);
}

/**
 * xs_tcp_update_mss - the path MTU changed (or was first learned)
 * @sk: the socket
 * @pmtu: the path MTU, 0 to look it up
 */
void xs_tcp_update_mss(struct sock *sk, u32 pmtu)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct tcp_sock *tp = tcp_sk(sk);
	struct xs_rt rt;

	if (!pmtu) {
		rcu_read_lock();
		pmtu = xs_route_output(xn, sk->sk_daddr, sk->sk_rcv_saddr,
				       sk->sk_bound_dev_if, &rt) ? 576 : rt.mtu;
		rcu_read_unlock();
	}
	inet_csk(sk)->icsk_pmtu_cookie = pmtu;
	tp->mss_cache = xs_tcp_mss_for_mtu(sk, pmtu);
}

/**
 * xs_tcp_listen_rcv - a segment for a listener (RFC 9293 3.10.7.2)
 * @sk: the listener (BH lock held, or owned by us)
 * @skb: the segment
 *
 * Consumes @skb.
 *
 * Return: 0.
 */
int xs_tcp_listen_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	const struct tcphdr *th = tcp_hdr(skb);
	struct xs_tcp_opts o;

	if (xs_tcp_listen_req_lookup(sk, skb))
		return 0;
	if (th->rst)
		goto drop;
	if (th->ack) {
		/* RFC 4987 3.6: the ACK of a SYN-ACK that carried a cookie. */
		if (!th->syn && xs_tcp_syncookie_rcv(sk, skb))
			return 0;
		xs_tcp_send_reset_reply(xn, skb);
		goto drop;
	}
	if (!th->syn || th->fin)
		goto drop;
	if (skb->pkt_type != PACKET_HOST && skb->pkt_type != PACKET_LOOPBACK)
		goto drop;
	xs_tcp_parse_options(skb, &o, true);
	xs_tcp_req_create(sk, skb, &o);
drop:
	kfree_skb(skb);
	return 0;
}

/**
 * xs_tcp_backlog_rcv - a segment queued while a process owned the socket
 * @sk: the socket (owned by release_sock()'s caller)
 * @skb: the segment
 *
 * Return: 0.
 */
int xs_tcp_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	/*
	 * The backlog runs with BH enabled; a listener locks the children
	 * it creates with bh_lock_sock(), which softirqs take too.
	 */
	if (sk->sk_state == TCP_LISTEN) {
		local_bh_disable();
		xs_tcp_rcv_state(sk, skb);
		local_bh_enable();
		return 0;
	}
	return xs_tcp_rcv_state(sk, skb);
}

/* Validation and demultiplexing */

/* Header length and checksum (RFC 9293 3.1); fills the control block. */
static int xs_tcp_check(struct xs_net *xn, struct sk_buff *skb)
{
	struct tcp_skb_cb *tcb;
	const struct tcphdr *th;

	if (unlikely(!pskb_may_pull(skb, sizeof(*th))))
		goto err;
	th = tcp_hdr(skb);
	if (unlikely(th->doff < sizeof(*th) / 4))
		goto err;
	if (unlikely(!pskb_may_pull(skb, th->doff * 4)))
		goto err;
	if (unlikely(skb_checksum_init(skb, IPPROTO_TCP, inet_compute_pseudo)))
		goto err_csum;
	if (!skb_csum_unnecessary(skb) &&
	    unlikely(__skb_checksum_complete(skb)))
		goto err_csum;
	th = tcp_hdr(skb);
	tcb = TCP_SKB_CB(skb);
	memset(tcb, 0, sizeof(*tcb));
	tcb->seq = ntohl(th->seq);
	tcb->end_seq = tcb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	tcb->ack_seq = ntohl(th->ack_seq);
	tcb->tcp_flags = tcp_flag_byte(th);
	tcb->ip_dsfield = ipv4_get_dsfield(ip_hdr(skb));
	return 0;

err_csum:
	XS_INC(xn, Tcp_InCsumErrors);
err:
	XS_INC(xn, Tcp_InErrs);
	return -EINVAL;
}

/**
 * xs_tcp_rcv_sk - a segment for a socket: processed now or backlogged
 * @sk: the socket (a reference held)
 * @skb: the segment
 * @subclass: lockdep subclass of its lock: SINGLE_DEPTH_NESTING from the
 *	device path (as Linux's tcp_v4_rcv()), 0 under a listener's lock
 *
 * Context: softirq (BHs off). Consumes @skb.
 */
void xs_tcp_rcv_sk(struct sock *sk, struct sk_buff *skb, int subclass)
{
	spin_lock_nested(&sk->sk_lock.slock, subclass);
	if (!sock_owned_by_user(sk)) {
		xs_tcp_rcv_state(sk, skb);
	} else if (unlikely(sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
					   READ_ONCE(sk->sk_sndbuf)))) {
		XS_INC(xs_net(sock_net(sk)), TcpExt_TCPBacklogDrop);
		kfree_skb(skb);
	}
	bh_unlock_sock(sk);
}

/**
 * xs_tcp_v4_rcv - a TCP segment for this host
 * @xn: namespace
 * @skb: the segment, data at the TCP header
 *
 * Context: softirq (or BH disabled), rcu_read_lock held. Consumes.
 *
 * Return: 0.
 */
int xs_tcp_v4_rcv(struct xs_net *xn, struct sk_buff *skb)
{
	struct xs_tcp_table *t = xn->tcp;
	struct xs_tcp_key key = {};
	struct xs_tcp_ent *ent;
	const struct tcphdr *th;
	struct sock *sk;

	if (skb->pkt_type != PACKET_HOST && skb->pkt_type != PACKET_LOOPBACK)
		goto drop;
	if (xs_tcp_check(xn, skb))
		goto drop;
	XS_INC(xn, Tcp_InSegs);
	th = tcp_hdr(skb);
	key.raddr = ip_hdr(skb)->saddr;
	key.laddr = ip_hdr(skb)->daddr;
	key.rport = th->source;
	key.lport = th->dest;
	ent = xs_tcp_ehash_lookup(t, &key);
	if (ent) {
		switch (ent->kind) {
		case XS_TCP_ENT_SOCK:
			sk = &container_of(ent, struct xs_tcp_sock,
					   ent)->tp.inet_conn.icsk_inet.sk;
			if (!refcount_inc_not_zero(&sk->sk_refcnt))
				break;
			xs_tcp_rcv_sk(sk, skb, SINGLE_DEPTH_NESTING);
			sock_put(sk);
			return 0;
		case XS_TCP_ENT_REQ: {
			struct xs_tcp_req *req = container_of(ent,
					struct xs_tcp_req, ent);

			if (!refcount_inc_not_zero(&req->refcnt))
				break;
			xs_tcp_req_rcv(req, skb);
			xs_tcp_req_put(req);
			return 0;
		}
		case XS_TCP_ENT_TW: {
			struct xs_tcp_tw *tw = container_of(ent,
					struct xs_tcp_tw, ent);

			if (!refcount_inc_not_zero(&tw->refcnt))
				break;
			if (!xs_tcp_tw_rcv(tw, skb)) {
				xs_tcp_tw_put(tw);
				return 0;
			}
			/* A new SYN may end TIME-WAIT (RFC 9293 3.6.1). */
			xs_tcp_tw_kill(tw);
			xs_tcp_tw_put(tw);
			break;
		}
		}
	}
	sk = xs_tcp_listen_lookup(t, key.raddr, key.rport, key.laddr,
				  key.lport, skb->skb_iif);
	if (sk) {
		xs_tcp_rcv_sk(sk, skb, SINGLE_DEPTH_NESTING);
		sock_put(sk);
		return 0;
	}
	xs_tcp_send_reset_reply(xn, skb);
drop:
	kfree_skb(skb);
	return 0;
}

/* ICMP errors (RFC 1122 4.2.3.9, RFC 5927) */

static void xs_tcp_err_sk(struct sock *sk, struct sk_buff *icmp, u32 seq,
			  u8 type, u8 code, u32 info)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct tcp_sock *tp = tcp_sk(sk);
	bool fatal;
	int err;

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
		return;
	/* RFC 5927 4.1: only errors about what is in flight count. */
	if (!between(seq, tp->snd_una, tp->snd_nxt)) {
		XS_INC(xn, TcpExt_OutOfWindowIcmps);
		return;
	}
	err = -xs_icmp_errno(type, code, &fatal);
	if (!err)
		return;
	if (err == EMSGSIZE) {
		/* In our window: learn (tcp_v4_mtu_reduced()). */
		if (info)
			xs_pmtu_update(xn, sk->sk_daddr, info);
		if (info && info < inet_csk(sk)->icsk_pmtu_cookie &&
		    !sock_owned_by_user(sk)) {
			xs_tcp_update_mss(sk, max_t(u32, info, 68));
			xs_tcp_sk(sk)->ack_now = false;
			/* Resend what no longer fits (Linux's simple
			 * retransmit): the head, now in smaller segments.
			 */
			if (tp->packets_out) {
				struct sk_buff *head = skb_peek(&sk->sk_write_queue);

				xs_tcp_retransmit_skb(sk, head);
			}
		}
		return;
	}
	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV) {
		if (!sock_owned_by_user(sk)) {
			WRITE_ONCE(sk->sk_err, err);
			sk_error_report(sk);
			xs_tcp_done(sk);
		} else {
			WRITE_ONCE(sk->sk_err_soft, err);
		}
		return;
	}
	/* Established: soft errors, unless IP_RECVERR asks for them. */
	if (!sock_owned_by_user(sk) && inet_test_bit(RECVERR, sk)) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
	} else {
		WRITE_ONCE(sk->sk_err_soft, err);
	}
}

/**
 * xs_tcp_err - an ICMP error about a segment we sent
 * @xn: namespace
 * @skb: the ICMP message, data at the embedded IPv4 header
 * @type: ICMP type
 * @code: ICMP code
 * @info: next-hop MTU for fragmentation needed
 */
void xs_tcp_err(struct xs_net *xn, struct sk_buff *skb, u8 type, u8 code,
		u32 info)
{
	const struct iphdr *inner = (const struct iphdr *)skb->data;
	const struct tcphdr *th = (const void *)skb->data + inner->ihl * 4;
	struct xs_tcp_key key = {
		.raddr = inner->daddr,
		.laddr = inner->saddr,
		.rport = th->dest,
		.lport = th->source,
	};
	struct xs_tcp_ent *ent;
	struct sock *sk;

	ent = xs_tcp_ehash_lookup(xn->tcp, &key);
	if (!ent || ent->kind != XS_TCP_ENT_SOCK)
		return;
	sk = &container_of(ent, struct xs_tcp_sock,
			   ent)->tp.inet_conn.icsk_inet.sk;
	if (!refcount_inc_not_zero(&sk->sk_refcnt))
		return;
	bh_lock_sock(sk);
	xs_tcp_err_sk(sk, skb, ntohl(th->seq), type, code, info);
	bh_unlock_sock(sk);
	sock_put(sk);
}
