// SPDX-License-Identifier: GPL-2.0
/*
 * TCP output: the write queue (sent and unsent data in sequence order,
 * @send_head the first unsent skb), segment construction with options
 * (RFC 9293 3.1, RFC 7323, RFC 2018), the receive window we advertise
 * with silly-window avoidance (RFC 1122 4.2.3.3), Nagle (RFC 896, with
 * Minshall's refinement as Linux) and TCP_CORK, transmission under the
 * congestion and send windows, retransmission, and the control segments
 * that have no socket (RST replies, SYN-ACKs, TIME-WAIT ACKs).
 *
 * Data skbs carry no linear payload: sendmsg fills page fragments, and
 * skbs of several MSS go down as GSO (SKB_GSO_TCPV4, CHECKSUM_PARTIAL),
 * segmented once by the device or the core. Transmission sends a clone
 * (or a copy while an older clone is still queued below us); the
 * original stays in the write queue until acknowledged.
 *
 * Context: socket lock held (or the socket's BH lock in softirq) for
 * everything that takes a socket.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/skbuff.h>
#include <linux/skbuff_ref.h>
#include <net/checksum.h>
#include <net/inet_ecn.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/sock.h>

#include "ip.h"
#include "route.h"
#include "sock.h"
#include "stats.h"
#include "tcp.h"
#include "tcp_trace.h"
#include "xstack.h"

#define XS_OPT_MSS_LEN		4
#define XS_OPT_TS_LEN		12	/* NOP NOP TS */
#define XS_OPT_WS_LEN		4	/* NOP WS */
#define XS_OPT_SACKOK_LEN	4	/* NOP NOP SACKOK, or within TS */

/**
 * struct xs_tcp_out_opts - options of one segment we send
 * @mss: MSS option (SYN only), 0 for none
 * @ws: window scale (SYN only), -1 for none
 * @sack_ok: SACK-permitted (SYN only)
 * @ts: send the timestamp option
 * @tsval: its TSval
 * @tsecr: its TSecr
 * @nsacks: SACK blocks to send
 * @sacks: the blocks, host order
 */
struct xs_tcp_out_opts {
	u16 mss;
	s8 ws;
	bool sack_ok;
	bool ts;
	u32 tsval;
	u32 tsecr;
	u8 nsacks;
	const struct tcp_sack_block *sacks;
};

/**
 * xs_mstamp_refresh - update the socket's clocks (Linux's semantics)
 * @tp: the socket
 *
 * tcp_clock_cache in ns, tcp_mstamp in us: what the congestion-control
 * modules read.
 */
void xs_mstamp_refresh(struct tcp_sock *tp)
{
	u64 ns = ktime_get_ns();

	tp->tcp_clock_cache = ns;
	tp->tcp_mstamp = div_u64(ns, NSEC_PER_USEC);
}

/**
 * xs_tcp_ts_now - our TSval clock (milliseconds plus the offset)
 * @tp: the socket
 *
 * Return: the TSval to send now.
 */
u32 xs_tcp_ts_now(const struct tcp_sock *tp)
{
	return (u32)div_u64(tp->tcp_mstamp, USEC_PER_MSEC) + tp->tsoffset;
}

static unsigned int xs_opts_size(const struct xs_tcp_out_opts *o)
{
	unsigned int size = 0;

	if (o->mss)
		size += XS_OPT_MSS_LEN;
	if (o->ts)
		size += XS_OPT_TS_LEN;	/* SACKOK takes the NOPs' place */
	else if (o->sack_ok)
		size += XS_OPT_SACKOK_LEN;
	if (o->ws >= 0)
		size += XS_OPT_WS_LEN;
	if (o->nsacks)
		size += 4 + o->nsacks * TCPOLEN_SACK_PERBLOCK;
	return size;
}

/* Linux's option layout, so captures compare byte for byte. */
static void xs_opts_write(__be32 *p, const struct xs_tcp_out_opts *o)
{
	unsigned int i;

	if (o->mss)
		*p++ = htonl((TCPOPT_MSS << 24) | (TCPOLEN_MSS << 16) | o->mss);
	if (o->ts) {
		if (o->sack_ok)
			*p++ = htonl((TCPOPT_SACK_PERM << 24) |
				     (TCPOLEN_SACK_PERM << 16) |
				     (TCPOPT_TIMESTAMP << 8) |
				     TCPOLEN_TIMESTAMP);
		else
			*p++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
				     (TCPOPT_TIMESTAMP << 8) |
				     TCPOLEN_TIMESTAMP);
		*p++ = htonl(o->tsval);
		*p++ = htonl(o->tsecr);
	} else if (o->sack_ok) {
		*p++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
			     (TCPOPT_SACK_PERM << 8) | TCPOLEN_SACK_PERM);
	}
	if (o->ws >= 0)
		*p++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_WINDOW << 16) |
			     (TCPOLEN_WINDOW << 8) | o->ws);
	if (o->nsacks) {
		*p++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
			     (TCPOPT_SACK << 8) |
			     (TCPOLEN_SACK_BASE +
			      o->nsacks * TCPOLEN_SACK_PERBLOCK));
		for (i = 0; i < o->nsacks; i++) {
			*p++ = htonl(o->sacks[i].start_seq);
			*p++ = htonl(o->sacks[i].end_seq);
		}
	}
}

/* Fill the TCP header pushed in front of @skb's payload. */
static struct tcphdr *xs_tcp_push_header(struct sk_buff *skb, __be16 sport,
					 __be16 dport, u32 seq, u32 ack,
					 u8 flags, u16 window,
					 const struct xs_tcp_out_opts *o)
{
	unsigned int hlen = sizeof(struct tcphdr) + xs_opts_size(o);
	struct tcphdr *th;

	skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	th = tcp_hdr(skb);
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = hlen / 4;
	tcp_flag_byte(th) = flags;
	th->window = htons(window);
	xs_opts_write((__be32 *)(th + 1), o);
	return th;
}

static void xs_tcp_csum_partial(struct sk_buff *skb, __be32 saddr,
				__be32 daddr)
{
	struct tcphdr *th = tcp_hdr(skb);

	th->check = ~tcp_v4_check(skb->len, saddr, daddr, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
}

/* MSS and window */

/**
 * xs_tcp_mss_for_mtu - the MSS of data segments over a path MTU
 * @sk: the socket
 * @pmtu: path MTU
 *
 * Less the IPv4 and TCP headers and our timestamp option, clamped by
 * the peer's MSS and TCP_MAXSEG, at least 48 bytes (as Linux).
 *
 * Return: the MSS.
 */
u32 xs_tcp_mss_for_mtu(struct sock *sk, u32 pmtu)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int mss = pmtu - sizeof(struct iphdr) - sizeof(struct tcphdr);

	if (tp->rx_opt.mss_clamp && mss > tp->rx_opt.mss_clamp)
		mss = tp->rx_opt.mss_clamp;
	/* TCP_MAXSEG clamps the MSS, options come off after (as Linux). */
	if (tp->rx_opt.user_mss && mss > tp->rx_opt.user_mss)
		mss = tp->rx_opt.user_mss;
	mss -= tp->tcp_header_len - sizeof(struct tcphdr);
	return max(mss, TCP_MIN_SND_MSS);
}

/**
 * xs_tcp_current_mss - payload bytes per segment sent now
 * @sk: the socket
 *
 * The cached MSS less the SACK blocks that ride on our segments.
 *
 * Return: the MSS.
 */
u32 xs_tcp_current_mss(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 mss = tp->mss_cache;

	if (tp->rx_opt.num_sacks || tp->rx_opt.dsack)
		mss -= 4 + (tp->rx_opt.num_sacks + tp->rx_opt.dsack) *
			   TCPOLEN_SACK_PERBLOCK;
	return max(mss, TCP_MIN_SND_MSS);
}

/* What a receive buffer of @space bytes holds in payload. */
static int xs_tcp_win_from_space(const struct sock *sk, int space)
{
	return (s64)space * xs_tcp_sk(sk)->rcv_ratio >> 8;
}

static int xs_tcp_free_space(const struct sock *sk)
{
	return xs_tcp_win_from_space(sk, READ_ONCE(sk->sk_rcvbuf) -
				     atomic_read(&sk->sk_rmem_alloc));
}

/**
 * xs_tcp_select_initial_window - the window of our SYN or SYN-ACK
 * @sk: the socket (or the listener)
 * @mss: the MSS we expect
 * @rcv_wnd: set to the first window
 * @rcv_wscale: set to our window scale (RFC 7323 2.2), 0 when the
 *	buffer never exceeds 64 KiB
 */
void xs_tcp_select_initial_window(struct sock *sk, u32 mss, u32 *rcv_wnd,
				  u8 *rcv_wscale)
{
	struct xs_tcp_table *t = xs_tcp_table(sk);
	int space = xs_tcp_win_from_space(sk, READ_ONCE(sk->sk_rcvbuf));
	int max_space = space;
	u8 ws = 0;

	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK)) {
		int most = xs_tcp_win_from_space(sk, READ_ONCE(t->sysctl_rmem[2]));

		max_space = max(max_space, most);
	}
	while (max_space > U16_MAX && ws < TCP_MAX_WSCALE) {
		max_space >>= 1;
		ws++;
	}
	space = min_t(int, space, 65536);
	if (space > mss)
		space = rounddown(space, mss);
	*rcv_wnd = max_t(int, space, mss);
	*rcv_wscale = ws;
}

/*
 * Linux's __tcp_select_window(): the window follows the free receive
 * space, moves in MSS steps without scaling (RFC 1122 4.2.3.3, the
 * receiver side of SWS avoidance) and is closed below one MSS.
 */
/**
 * xs_tcp_new_window - the window the free receive space allows now
 * @sk: the socket
 *
 * Return: the window in bytes (before scaling), 0 below one MSS.
 */
u32 xs_tcp_new_window(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 mss = max_t(u32, inet_csk(sk)->icsk_ack.rcv_mss, TCP_MIN_SND_MSS);
	int free_space = xs_tcp_free_space(sk);
	u32 window;

	mss = min(mss, tp->advmss ?: mss);
	if (free_space < (int)mss)
		return 0;
	/* Short of memory: offer four segments at most (Linux). */
	if (unlikely(sk_under_memory_pressure(sk)))
		free_space = min_t(int, free_space, 4 * mss);
	free_space = min_t(int, free_space, U16_MAX << tp->rx_opt.rcv_wscale);
	if (tp->window_clamp)
		free_space = min_t(int, free_space, tp->window_clamp);
	if (tp->rx_opt.rcv_wscale)
		return round_up(free_space, 1 << tp->rx_opt.rcv_wscale);
	window = tp->rcv_wnd;
	if (window <= free_space - mss || window > free_space)
		window = rounddown(free_space, mss);
	return window;
}

/**
 * xs_tcp_select_window - the window field of the next segment
 * @sk: the socket
 *
 * Never moves the right edge of the window back (RFC 7323 2.4); records
 * the window in rcv_wnd and rcv_wup.
 *
 * Return: the window, scaled down by our window scale.
 */
u32 xs_tcp_select_window(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 cur = tcp_receive_window(tp);
	u32 win = xs_tcp_new_window(sk);
	u32 mss = inet_csk(sk)->icsk_ack.rcv_mss;

	if (win < cur) {
		win = cur;
		/*
		 * What is left of the window is less than a segment: a
		 * sender avoiding SWS (RFC 1122 4.2.3.4) waits for its persist
		 * timer before it sends into such a sliver. When the buffer
		 * has room for two segments, offer the whole segment.
		 */
		if (win && win < mss &&
		    READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc) >=
		    (int)(2 * SKB_TRUESIZE(mss)))
			win = mss;
		win = round_up(win, 1 << tp->rx_opt.rcv_wscale);
	}
	tp->rcv_wnd = win;
	tp->rcv_wup = tp->rcv_nxt;
	win = min_t(u32, win >> tp->rx_opt.rcv_wscale, U16_MAX);
	return win;
}

/* The write queue */

/**
 * xs_tcp_alloc_skb - an empty skb for the write queue
 * @sk: the socket
 * @gfp: allocation flags
 * @force: allocate beyond the send buffer and the memory limits (a FIN,
 *	control segments, the first skb of an empty queue); what is queued
 *	is charged when it is (xs_tcp_queue_skb())
 *
 * Return: the skb with headroom for every header, or NULL.
 */
struct sk_buff *xs_tcp_alloc_skb(struct sock *sk, gfp_t gfp, bool force)
{
	struct sk_buff *skb = alloc_skb_fclone(MAX_TCP_HEADER, gfp);

	if (unlikely(!skb))
		return NULL;
	if (!force && !sk_wmem_schedule(sk, skb->truesize)) {
		__kfree_skb(skb);
		return NULL;
	}
	skb_reserve(skb, MAX_TCP_HEADER);
	skb->ip_summed = CHECKSUM_PARTIAL;
	memset(TCP_SKB_CB(skb), 0, sizeof(struct tcp_skb_cb));
	return skb;
}

/**
 * xs_tcp_queue_skb - append an skb to the write queue
 * @sk: the socket
 * @skb: the skb, its seq, end_seq and flags set
 *
 * Charges its memory to the socket; it becomes the send head when
 * nothing else waits.
 */
void xs_tcp_queue_skb(struct sock *sk, struct sk_buff *skb)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	/* Clones of it carry the headers; it keeps only the payload. */
	__skb_header_release(skb);
	tcp_skb_pcount_set(skb, 0);
	__skb_queue_tail(&sk->sk_write_queue, skb);
	sk_wmem_queued_add(sk, skb->truesize);
	xs_tcp_forced_mem_schedule(sk, skb->truesize);	/* if not yet */
	sk_mem_charge(sk, skb->truesize);
	tcp_sk(sk)->write_seq = TCP_SKB_CB(skb)->end_seq;
	if (!xs->send_head)
		xs->send_head = skb;
}

/**
 * xs_tcp_free_skb - unlink and free an skb of the write queue
 * @sk: the socket
 * @skb: the skb
 */
void xs_tcp_free_skb(struct sock *sk, struct sk_buff *skb)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	if (xs->send_head == skb)
		xs->send_head = skb_queue_is_last(&sk->sk_write_queue, skb) ?
				NULL : skb->next;
	if (tcp_sk(sk)->highest_sack == skb)
		tcp_sk(sk)->highest_sack = NULL;
	__skb_unlink(skb, &sk->sk_write_queue);
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

/**
 * xs_tcp_set_skb_pcount - segments of @mss an skb makes on the wire
 * @skb: the skb
 * @mss: the segment size
 */
void xs_tcp_set_skb_pcount(struct sk_buff *skb, u32 mss)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);

	if (skb->len <= mss) {
		tcp_skb_pcount_set(skb, 1);
		shinfo->gso_size = 0;
		shinfo->gso_type = 0;
		shinfo->gso_segs = 0;
	} else {
		tcp_skb_pcount_set(skb, DIV_ROUND_UP(skb->len, mss));
		shinfo->gso_size = mss;
		shinfo->gso_type = SKB_GSO_TCPV4;
		shinfo->gso_segs = tcp_skb_pcount(skb);
	}
}

/**
 * xs_tcp_fragment - split an skb of the write queue at @len bytes
 * @sk: the socket
 * @skb: the skb
 * @len: bytes that stay in @skb (0 < @len < skb->len)
 *
 * The tail goes to a new skb right after @skb, with the PSH and FIN
 * flags, the SACK state and the transmit stamps.
 *
 * Return: 0 or -ENOMEM.
 */
int xs_tcp_fragment(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct sk_buff *buff;
	u32 nlen, old = tcp_skb_pcount(skb), mss;

	if (WARN_ON_ONCE(!len || len >= skb->len))
		return -EINVAL;
	if (unlikely(skb_unclone(skb, GFP_ATOMIC)))
		return -ENOMEM;
	buff = xs_tcp_alloc_skb(sk, GFP_ATOMIC, true);
	if (unlikely(!buff))
		return -ENOMEM;
	sk_wmem_queued_add(sk, buff->truesize);
	xs_tcp_forced_mem_schedule(sk, buff->truesize);
	sk_mem_charge(sk, buff->truesize);
	nlen = skb->len - len;
	buff->truesize += nlen;
	skb->truesize -= nlen;

	skb_split(skb, buff, len);
	*TCP_SKB_CB(buff) = *tcb;
	TCP_SKB_CB(buff)->seq = tcb->seq + len;
	tcb->end_seq = TCP_SKB_CB(buff)->seq;
	tcb->tcp_flags &= ~(TCPHDR_FIN | TCPHDR_PSH);
	buff->skb_mstamp_ns = skb->skb_mstamp_ns;
	buff->ip_summed = CHECKSUM_PARTIAL;
	__skb_header_release(buff);

	mss = skb_shinfo(skb)->gso_size ?: tcp_sk(sk)->mss_cache;
	xs_tcp_set_skb_pcount(skb, mss);
	xs_tcp_set_skb_pcount(buff, mss);
	/* Sent skbs: the flight counts follow a change of segmentation. */
	if (old && skb != xs->send_head) {
		int diff = (int)old - tcp_skb_pcount(skb) - tcp_skb_pcount(buff);

		tcp_sk(sk)->packets_out -= diff;
		if (tcb->sacked & TCPCB_SACKED_ACKED)
			tcp_sk(sk)->sacked_out -= diff;
		if (tcb->sacked & TCPCB_SACKED_RETRANS)
			tcp_sk(sk)->retrans_out -= diff;
		if (tcb->sacked & TCPCB_LOST)
			tcp_sk(sk)->lost_out -= diff;
	}
	__skb_queue_after(&sk->sk_write_queue, skb, buff);
	return 0;
}

/* Linux's __pskb_trim_head(): drop @len bytes of payload in front. */
static void xs_pskb_trim_head(struct sk_buff *skb, int len)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	int i, k, eat;

	eat = min_t(int, len, skb_headlen(skb));
	if (eat) {
		__skb_pull(skb, eat);
		len -= eat;
		if (!len)
			return;
	}
	eat = len;
	k = 0;
	for (i = 0; i < shinfo->nr_frags; i++) {
		int size = skb_frag_size(&shinfo->frags[i]);

		if (size <= eat) {
			skb_frag_unref(skb, i);
			eat -= size;
		} else {
			shinfo->frags[k] = shinfo->frags[i];
			if (eat) {
				skb_frag_off_add(&shinfo->frags[k], eat);
				skb_frag_size_sub(&shinfo->frags[k], eat);
				eat = 0;
			}
			k++;
		}
	}
	shinfo->nr_frags = k;
	skb->data_len -= len;
	skb->len = skb->data_len;
}

/**
 * xs_tcp_trim_head - drop acknowledged bytes at the front of an skb
 * @sk: the socket
 * @skb: the skb (in the write queue)
 * @len: bytes to drop (less than skb->len)
 *
 * Return: 0 or -ENOMEM.
 */
int xs_tcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len)
{
	u32 delta;

	if (unlikely(skb_unclone(skb, GFP_ATOMIC)))
		return -ENOMEM;
	delta = min_t(u32, len, skb->data_len);
	xs_pskb_trim_head(skb, len);
	TCP_SKB_CB(skb)->seq += len;
	skb->truesize -= delta;
	sk_wmem_queued_add(sk, -delta);
	sk_mem_uncharge(sk, delta);
	return 0;
}

/* Transmission */

static void xs_tcp_syn_opts(struct sock *sk, struct xs_tcp_out_opts *o)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct xs_tcp_table *t = xs_tcp_table(sk);

	o->mss = tp->advmss;
	o->ws = READ_ONCE(t->sysctl_window_scaling) ? tp->rx_opt.rcv_wscale : -1;
	o->sack_ok = READ_ONCE(t->sysctl_sack);
	o->ts = READ_ONCE(t->sysctl_timestamps);
	o->tsval = xs_tcp_ts_now(tp);
	o->tsecr = 0;
	/* SYN-ACK of a simultaneous open: only what the peer offered. */
	if (sk->sk_state == TCP_SYN_RECV) {
		if (!tp->rx_opt.wscale_ok)
			o->ws = -1;
		o->sack_ok = o->sack_ok && tp->rx_opt.sack_ok;
		o->ts = o->ts && tp->rx_opt.tstamp_ok;
		o->tsecr = tp->rx_opt.ts_recent;
	}
}

static void xs_tcp_est_opts(struct sock *sk, struct xs_tcp_out_opts *o)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (tp->rx_opt.tstamp_ok) {
		o->ts = true;
		o->tsval = xs_tcp_ts_now(tp);
		o->tsecr = tp->rx_opt.ts_recent;
	}
	if (tp->rx_opt.dsack) {
		o->nsacks = 1 + tp->rx_opt.num_sacks;
		o->sacks = tp->duplicate_sack;
	} else if (tp->rx_opt.num_sacks) {
		o->nsacks = tp->rx_opt.num_sacks;
		o->sacks = tp->selective_acks;
	}
	if (o->nsacks > (o->ts ? 3 : 4))
		o->nsacks = o->ts ? 3 : 4;
}

static void xs_tcp_fill_tx(struct sock *sk, struct xs_ip_tx *tx)
{
	struct inet_sock *inet = inet_sk(sk);

	memset(tx, 0, sizeof(*tx));
	tx->saddr = inet->inet_saddr;
	tx->daddr = inet->inet_daddr;
	tx->protocol = IPPROTO_TCP;
	tx->tos = READ_ONCE(inet->tos);
	tx->ttl = xs_sock_ttl(sk);
	tx->pmtudisc = IP_PMTUDISC_DO;	/* RFC 1191: DF on every segment */
	tx->oif = READ_ONCE(sk->sk_bound_dev_if);
	tx->mark = READ_ONCE(sk->sk_mark);
	tx->priority = READ_ONCE(sk->sk_priority);
}

/* An ACK went out: the pending delayed ACK and its counters are done. */
static void xs_tcp_event_ack_sent(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	xs->rcv_segs = 0;
	xs->ack_now = false;
	xs->last_ack_sent = tcp_sk(sk)->rcv_nxt;
	tcp_sk(sk)->rx_opt.dsack = 0;
	if (xs->quick)
		xs->quick--;
	if (xs->delack_pending)
		xs_tcp_cancel_delack(sk);
}

/* Linux's tcp_rate_skb_sent(): the delivery snapshot of a send. */
static void xs_tcp_rate_skb_sent(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!tp->packets_out) {
		u64 now = tp->tcp_clock_cache;

		tp->first_tx_mstamp = div_u64(now, NSEC_PER_USEC);
		tp->delivered_mstamp = tp->first_tx_mstamp;
	}
	TCP_SKB_CB(skb)->tx.first_tx_mstamp = tp->first_tx_mstamp;
	TCP_SKB_CB(skb)->tx.delivered_mstamp = tp->delivered_mstamp;
	TCP_SKB_CB(skb)->tx.delivered = tp->delivered;
	TCP_SKB_CB(skb)->tx.delivered_ce = tp->delivered_ce;
	TCP_SKB_CB(skb)->tx.is_app_limited = tp->app_limited ? 1 : 0;
}

/*
 * Send one skb of the write queue (a clone or copy of it), or a control
 * skb of our own (!@clone, consumed).
 */
static int xs_tcp_transmit_skb(struct sock *sk, struct sk_buff *skb,
			       bool clone, gfp_t gfp)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	struct tcp_sock *tp = tcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct xs_tcp_out_opts o = { .ws = -1 };
	u64 prior_wstamp = 0;
	struct xs_ip_tx tx;
	struct tcphdr *th;
	u16 window;
	u32 segs;
	u8 ecn;
	int err;

	xs_mstamp_refresh(tp);
	if (clone && skb->len)
		xs_tcp_cwnd_restart_check(sk);
	if (clone) {
		/* The departure time; RTT samples count from it (Linux). */
		prior_wstamp = xs_tcp_pacing_stamp(sk, skb);
		xs_tcp_rate_skb_sent(sk, skb);
		if (unlikely(skb_cloned(skb)))
			skb = pskb_copy(skb, gfp);
		else
			skb = skb_clone(skb, gfp);
		if (unlikely(!skb))
			return -ENOBUFS;
	}
	segs = tcp_skb_pcount(skb) ?: 1;
	if (tcb->tcp_flags & TCPHDR_SYN) {
		xs_tcp_syn_opts(sk, &o);
		window = min_t(u32, tp->rcv_wnd, U16_MAX);
	} else {
		xs_tcp_est_opts(sk, &o);
		window = xs_tcp_select_window(sk);
	}
	th = xs_tcp_push_header(skb, inet->inet_sport, inet->inet_dport,
				tcb->seq, tp->rcv_nxt, tcb->tcp_flags, window,
				&o);
	if (!(tcb->tcp_flags & TCPHDR_ACK))
		th->ack_seq = 0;
	ecn = xs_tcp_ecn_send(sk, skb, th);
	xs_tcp_urg_write(sk, th, tcb->seq);
	xs_tcp_tsq_set_owner(sk, skb);
	xs_tcp_csum_partial(skb, inet->inet_saddr, inet->inet_daddr);
	if (tcb->tcp_flags & TCPHDR_ACK)
		xs_tcp_event_ack_sent(sk);
	if (skb->len > tcp_hdrlen(skb)) {
		tp->data_segs_out += segs;
		tp->bytes_sent += skb->len - tcp_hdrlen(skb);
	}
	tp->segs_out += segs;
	XS_ADD(xn, Tcp_OutSegs, segs);
	if (tcb->tcp_flags & TCPHDR_RST)
		XS_INC(xn, Tcp_OutRsts);

	xs_tcp_fill_tx(sk, &tx);
	tx.tos = (tx.tos & ~INET_ECN_MASK) | ecn;
	if (clone && skb->len > tcp_hdrlen(skb))
		xs_tcp_pacing_sent(sk, skb->len, prior_wstamp);
	err = xs_ip_send(xn, skb, &tx);
	/*
	 * A qdisc that dropped the segment (lost, not an error: loss
	 * recovery resends it) or marked its queue congested: reduce the
	 * window once, as Linux's tcp_transmit_skb() does (CWR state).
	 */
	if (unlikely(err == -ENOBUFS || err == NET_XMIT_CN)) {
		XS_INC(xn, XsExt_TcpXmitCongestion);
		xs_tcp_enter_cwr(sk);
		err = 0;
	}
	/*
	 * The path MTU shrank under us (another socket's ICMP error, a
	 * device's MTU): take it for the next segments, as Linux's
	 * tcp_current_mss() follows the route's MTU.
	 */
	if (unlikely(err == -EMSGSIZE))
		xs_tcp_update_mss(sk, 0);
	return err;
}

/* A segment carrying only flags (ACK, RST, SYN, FIN). */
static int xs_tcp_send_flags(struct sock *sk, u32 seq, u8 flags, gfp_t gfp)
{
	struct sk_buff *skb = xs_tcp_alloc_skb(sk, gfp, true);

	if (unlikely(!skb))
		return -ENOBUFS;
	TCP_SKB_CB(skb)->seq = seq;
	TCP_SKB_CB(skb)->end_seq = seq;
	TCP_SKB_CB(skb)->tcp_flags = flags;
	return xs_tcp_transmit_skb(sk, skb, false, gfp);
}

/* The sequence number of a segment without data (RFC 9293 3.4). */
static u32 xs_tcp_acceptable_seq(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!before(tcp_wnd_end(tp), tp->snd_nxt))
		return tp->snd_nxt;
	return tcp_wnd_end(tp);
}

/**
 * xs_tcp_send_ack - send an ACK now
 * @sk: the socket (not LISTEN, not CLOSE)
 *
 * Out of memory, the delayed-ACK timer retries.
 */
void xs_tcp_send_ack(struct sock *sk)
{
	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
		return;
	if (xs_tcp_send_flags(sk, xs_tcp_acceptable_seq(sk), TCPHDR_ACK,
			      GFP_ATOMIC) == -ENOBUFS)
		xs_tcp_schedule_delack(sk);
}

/**
 * xs_tcp_send_dupack - ACK an unacceptable segment, rate limited
 * @sk: the socket
 *
 * RFC 9293 3.10.7.4; Linux limits such ACKs to one per
 * tcp_invalid_ratelimit (500 ms) per socket.
 */
void xs_tcp_send_dupack(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 now = tcp_jiffies32;

	if (tp->last_oow_ack_time &&
	    (s32)(now - tp->last_oow_ack_time) < HZ / 2) {
		XS_INC(xs_net(sock_net(sk)), TcpExt_TCPACKSkippedSeq);
		return;
	}
	tp->last_oow_ack_time = now;
	xs_tcp_send_ack(sk);
}

/**
 * xs_tcp_send_challenge_ack - RFC 5961 challenge ACK
 * @sk: the socket
 *
 * Limited per socket as a duplicate ACK and per namespace by
 * net.xstack.tcp_challenge_ack_limit per second (RFC 5961 7).
 */
void xs_tcp_send_challenge_ack(struct sock *sk)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct tcp_sock *tp = tcp_sk(sk);
	u32 now = tcp_jiffies32;

	if (tp->last_oow_ack_time &&
	    (s32)(now - tp->last_oow_ack_time) < HZ / 2) {
		XS_INC(xn, TcpExt_TCPACKSkippedChallenge);
		return;
	}
	if (!xs_tcp_challenge_allowed(xn)) {
		XS_INC(xn, TcpExt_TCPACKSkippedChallenge);
		return;
	}
	tp->last_oow_ack_time = now;
	XS_INC(xn, TcpExt_TCPChallengeACK);
	xs_tcp_send_ack(sk);
}

/**
 * xs_tcp_send_active_reset - abort: RST with our next sequence number
 * @sk: the socket
 * @gfp: allocation flags
 */
void xs_tcp_send_active_reset(struct sock *sk, gfp_t gfp)
{
	trace_tcp_send_reset(sk);
	xs_tcp_send_flags(sk, xs_tcp_acceptable_seq(sk),
			  TCPHDR_RST | TCPHDR_ACK, gfp);
}

/**
 * xs_tcp_send_syn - queue and send our SYN (active open)
 * @sk: the socket in SYN-SENT, snd_nxt/write_seq at the ISN
 *
 * Return: 0 or -ENOBUFS.
 */
int xs_tcp_send_syn(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb = xs_tcp_alloc_skb(sk, sk->sk_allocation, true);

	if (unlikely(!skb))
		return -ENOBUFS;
	TCP_SKB_CB(skb)->seq = tp->write_seq;
	TCP_SKB_CB(skb)->end_seq = tp->write_seq + 1;
	TCP_SKB_CB(skb)->tcp_flags = TCPHDR_SYN;
	xs_tcp_ecn_send_syn(sk, skb);
	xs_tcp_queue_skb(sk, skb);
	tp->snd_nxt = tp->write_seq;
	xs_tcp_write_xmit(sk, TCP_NAGLE_PUSH);
	return 0;
}

/**
 * xs_tcp_send_fin - queue our FIN after the data and push it
 * @sk: the socket
 *
 * The FIN rides on the last unsent skb when there is one. Out of
 * memory, an skb is taken beyond the send buffer; when even that fails,
 * the retransmission timer tries again (xs_tcp_fin_retry_later()): a
 * FIN is never lost.
 */
void xs_tcp_send_fin(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);
	struct tcp_sock *tp = tcp_sk(sk);

	if (xs->fin_queued)
		return;
	xs->fin_queued = true;
	if (tail && xs->send_head) {
		TCP_SKB_CB(tail)->tcp_flags |= TCPHDR_FIN;
		TCP_SKB_CB(tail)->end_seq++;
		tp->write_seq++;
	} else {
		struct sk_buff *skb = xs_tcp_alloc_skb(sk, GFP_ATOMIC |
						       __GFP_NOWARN, true);

		if (unlikely(!skb))
			skb = xs_tcp_alloc_skb(sk, GFP_KERNEL & ~__GFP_DIRECT_RECLAIM,
					       true);
		if (unlikely(!skb)) {
			xs->fin_queued = false;
			xs_tcp_fin_retry_later(sk);
			return;
		}
		TCP_SKB_CB(skb)->seq = tp->write_seq;
		TCP_SKB_CB(skb)->end_seq = tp->write_seq + 1;
		TCP_SKB_CB(skb)->tcp_flags = TCPHDR_FIN | TCPHDR_ACK;
		xs_tcp_queue_skb(sk, skb);
	}
	xs_tcp_push(sk, TCP_NAGLE_OFF);
}

/* Nagle with Minshall's refinement (Linux's tcp_nagle_check()). */
static bool xs_tcp_nagle_ok(struct sock *sk, struct sk_buff *skb, u32 mss,
			    int nonagle)
{
	struct tcp_sock *tp = tcp_sk(sk);
	bool minshall;

	if (nonagle & TCP_NAGLE_PUSH)
		return true;
	/* Not for urgent data either (Linux's tcp_nagle_check()). */
	if (unlikely(xs_tcp_urg_mode(tp)))
		return true;
	if (TCP_SKB_CB(skb)->tcp_flags & (TCPHDR_FIN | TCPHDR_SYN))
		return true;
	if (skb->len >= mss)
		return true;
	if (nonagle & TCP_NAGLE_CORK)
		return false;
	if (nonagle & TCP_NAGLE_OFF)
		return true;
	minshall = before(tp->snd_una, tp->snd_sml) &&
		   !after(tp->snd_sml, tp->snd_nxt);
	return !(tp->packets_out && minshall);
}

/* Linux's tcp_cwnd_validate(): what the CC modules call cwnd-limited. */
static void xs_tcp_cwnd_validate(struct sock *sk, bool cwnd_limited)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!before(tp->snd_una, tp->cwnd_usage_seq) || cwnd_limited ||
	    (!tp->is_cwnd_limited && tp->packets_out > tp->max_packets_out)) {
		tp->is_cwnd_limited = cwnd_limited;
		tp->max_packets_out = tp->packets_out;
		tp->cwnd_usage_seq = tp->snd_nxt;
	}
}

/* Linux's tcp_rate_check_app_limited(): the flight is not cwnd bound. */
static void xs_tcp_check_app_limited(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (tp->write_seq - tp->snd_nxt < tp->mss_cache &&
	    tcp_packets_in_flight(tp) < tcp_snd_cwnd(tp) &&
	    tp->lost_out <= tp->retrans_out)
		tp->app_limited = (tp->delivered + tcp_packets_in_flight(tp)) ?: 1;
}

/* Bookkeeping after new data left: snd_nxt, the flight, the RTO. */
static void xs_tcp_event_new_data_sent(struct sock *sk, struct sk_buff *skb)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	unsigned int prior_packets = tp->packets_out;

	xs->send_head = skb_queue_is_last(&sk->sk_write_queue, skb) ?
			NULL : skb->next;
	tp->snd_nxt = TCP_SKB_CB(skb)->end_seq;
	tp->packets_out += tcp_skb_pcount(skb);
	if (!prior_packets || inet_csk(sk)->icsk_pending == XS_TIMER_PROBE)
		xs_tcp_rearm_rto(sk);
	if (skb->len && skb->len < tcp_skb_pcount(skb) * tp->mss_cache)
		tp->snd_sml = TCP_SKB_CB(skb)->end_seq;
	if (TCP_SKB_CB(skb)->end_seq != TCP_SKB_CB(skb)->seq &&
	    !(TCP_SKB_CB(skb)->tcp_flags & (TCPHDR_SYN | TCPHDR_FIN)))
		XS_ADD(xs_net(sock_net(sk)), TcpExt_TCPOrigDataSent,
		       tcp_skb_pcount(skb));
}

/*
 * RFC 6937: what left during a reduction (CWR, Recovery) counts in
 * prr_out, which bounds what PRR lets go on the next ACK.
 */
static void xs_tcp_prr_sent(struct sock *sk, u32 pcount)
{
	if ((1 << inet_csk(sk)->icsk_ca_state) &
	    (TCPF_CA_CWR | TCPF_CA_Recovery))
		tcp_sk(sk)->prr_out += pcount;
}

/*
 * Bytes of @skb that the congestion and send windows let go now, in
 * @quota segments at most (cwnd room, at most the GSO size of the rate).
 */
static u32 xs_tcp_send_limit(struct sock *sk, struct sk_buff *skb, u32 mss,
			     u32 quota)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 wnd = tcp_wnd_end(tp) - TCP_SKB_CB(skb)->seq;
	u32 limit = quota * mss;

	if (wnd < limit)
		limit = wnd >= mss ? rounddown(wnd, mss) : wnd;
	return limit;
}

/**
 * xs_tcp_write_xmit - send what the windows allow from the send head
 * @sk: the socket
 * @nonagle: TCP_NAGLE_* (PUSH: send even a partial segment)
 *
 * Return: true when unsent data is left with nothing in flight, so a
 * probe must be scheduled (zero window).
 */
bool xs_tcp_write_xmit(struct sock *sk, int nonagle)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	bool cwnd_limited = false;
	struct sk_buff *skb;
	u32 mss = xs_tcp_current_mss(sk), tso_segs;

	xs_mstamp_refresh(tp);
	tso_segs = xs_tcp_tso_segs(sk, mss);
	while ((skb = xs->send_head)) {
		u32 in_flight = tcp_packets_in_flight(tp);
		u32 cwnd = tcp_snd_cwnd(tp), limit, len;

		if (in_flight >= cwnd) {
			cwnd_limited = true;
			break;
		}
		len = skb->len ?: 1;
		/* The send window: at least a byte (the zero-window case). */
		if (after(TCP_SKB_CB(skb)->seq + min(len, mss), tcp_wnd_end(tp)) &&
		    !(TCP_SKB_CB(skb)->tcp_flags & TCPHDR_SYN) && skb->len)
			break;
		if (!xs_tcp_nagle_ok(sk, skb, mss,
				     skb_queue_is_last(&sk->sk_write_queue, skb) ?
				     nonagle : TCP_NAGLE_PUSH))
			break;
		limit = xs_tcp_send_limit(sk, skb, mss,
					  min(cwnd - in_flight, tso_segs));
		/* GSO would copy the urgent pointer onto every segment. */
		if (unlikely(xs_tcp_urg_mode(tp)))
			limit = min(limit, mss);
		if (skb->len > limit && limit &&
		    unlikely(xs_tcp_fragment(sk, skb, limit)))
			break;
		if (xs_tcp_pacing_check(sk) ||
		    xs_tcp_small_queue_check(sk, skb, 0))
			break;
		xs_tcp_set_skb_pcount(skb, mss);
		if (unlikely(xs_tcp_transmit_skb(sk, skb, true, GFP_ATOMIC)))
			break;
		xs_tcp_event_new_data_sent(sk, skb);
		xs_tcp_prr_sent(sk, tcp_skb_pcount(skb));
	}
	xs_tcp_cwnd_validate(sk, cwnd_limited);
	if (!xs->send_head)
		xs_tcp_check_app_limited(sk);
	return xs->send_head && !tp->packets_out;
}

/**
 * xs_tcp_push - send queued data, or arm the zero-window probe
 * @sk: the socket
 * @nonagle: TCP_NAGLE_* for the last skb
 */
void xs_tcp_push(struct sock *sk, int nonagle)
{
	if (!xs_tcp_sk(sk)->send_head)
		return;
	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_CLOSE)
		return;
	if (xs_tcp_write_xmit(sk, nonagle) &&
	    !inet_csk(sk)->icsk_pending)
		xs_tcp_reset_probe(sk);
}

/**
 * xs_tcp_retransmit_skb - send an skb of the write queue again
 * @sk: the socket
 * @skb: an skb between snd_una and snd_nxt
 *
 * Return: 0, or an error when nothing was sent.
 */
int xs_tcp_retransmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	struct tcp_sock *tp = tcp_sk(sk);
	u32 mss = xs_tcp_current_mss(sk), segs;
	int err;

	if (before(tcb->seq, tp->snd_una)) {
		if (WARN_ON_ONCE(!before(tp->snd_una, tcb->end_seq)))
			return -EINVAL;
		if (xs_tcp_trim_head(sk, skb, tp->snd_una - tcb->seq))
			return -ENOMEM;
	}
	/* One segment at a time in urgent mode (see xs_tcp_write_xmit()). */
	if (unlikely(xs_tcp_urg_mode(tp)) && skb->len > mss &&
	    xs_tcp_fragment(sk, skb, mss))
		return -ENOMEM;
	if (unlikely(tcb->tcp_flags & TCPHDR_SYN))
		xs_tcp_ecn_resend_syn(sk, skb);
	segs = tcp_skb_pcount(skb);
	xs_tcp_set_skb_pcount(skb, mss);
	tp->packets_out += (int)tcp_skb_pcount(skb) - (int)segs;
	if (tcb->sacked & TCPCB_LOST)
		tp->lost_out += (int)tcp_skb_pcount(skb) - (int)segs;
	segs = tcp_skb_pcount(skb);
	err = xs_tcp_transmit_skb(sk, skb, true, GFP_ATOMIC);
	if (unlikely(err))
		return err;
	trace_tcp_retransmit_skb(sk, tcb->seq, skb->len);
	if (!(tcb->sacked & TCPCB_SACKED_RETRANS))
		tp->retrans_out += segs;
	tcb->sacked |= TCPCB_RETRANS;
	tp->total_retrans += segs;
	tp->bytes_retrans += skb->len;
	XS_ADD(xs_net(sock_net(sk)), Tcp_RetransSegs, segs);
	if (!tp->retrans_stamp)
		tp->retrans_stamp = tcp_time_stamp_ms(tp) ?: 1;
	if (!tp->undo_marker)
		tp->undo_retrans = 0;
	tp->undo_retrans += segs;
	return 0;
}

/**
 * xs_tcp_xmit_lost - retransmit what is marked lost, within cwnd
 * @sk: the socket
 *
 * RFC 6675 4 (NextSeg rule 1): holes below the highest SACKed sequence
 * that the scoreboard marked lost, in sequence order.
 */
void xs_tcp_xmit_lost(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	u32 mss = xs_tcp_current_mss(sk);
	u32 tso_segs = xs_tcp_tso_segs(sk, mss);
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		u8 sacked = TCP_SKB_CB(skb)->sacked;
		u32 quota;

		if (skb == xs->send_head)
			break;
		if (!(sacked & TCPCB_LOST) ||
		    (sacked & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)))
			continue;
		if (tcp_packets_in_flight(tp) >= tcp_snd_cwnd(tp))
			break;
		if (xs_tcp_pacing_check(sk) ||
		    xs_tcp_small_queue_check(sk, skb, 1))
			break;
		quota = tcp_snd_cwnd(tp) - tcp_packets_in_flight(tp);
		quota = min(quota, tso_segs);
		if (skb->len > quota * mss &&
		    xs_tcp_fragment(sk, skb, quota * mss))
			break;
		if (xs_tcp_retransmit_skb(sk, skb))
			break;
		xs_tcp_prr_sent(sk, tcp_skb_pcount(skb));
		if (skb == skb_peek(&sk->sk_write_queue))
			xs_tcp_rearm_rto(sk);
	}
}

/**
 * xs_tcp_resume_xmit - send what pacing or small-queue backpressure held
 * @sk: the socket (locked, or its BH lock with no owner)
 *
 * Lost segments first, then new data, as Linux's tcp_tsq_write().
 */
void xs_tcp_resume_xmit(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_CLOSING | TCPF_CLOSE_WAIT |
				     TCPF_LAST_ACK)))
		return;
	xs_mstamp_refresh(tp);
	if (tp->lost_out > tp->retrans_out)
		xs_tcp_xmit_lost(sk);
	xs_tcp_push(sk, tp->nonagle);
}

/**
 * xs_tcp_resume_or_defer - resume transmission now, or at release_sock()
 * @sk: the socket, its BH lock held (pacing timer, TSQ tasklet)
 *
 * Return: true when the work was newly left to xs_tcp_release_cb()
 * (XS_TCP_XMIT_DEFERRED), which drops a socket reference: the caller
 * must leave it one, before it unlocks.
 */
bool xs_tcp_resume_or_defer(struct sock *sk)
{
	if (!sock_owned_by_user(sk)) {
		xs_tcp_resume_xmit(sk);
		return false;
	}
	return !test_and_set_bit(XS_TCP_XMIT_DEFERRED,
				 &xs_tcp_sk(sk)->deferred);
}

/**
 * xs_tcp_send_probe - zero-window probe (RFC 9293 3.8.6.1)
 * @sk: the socket
 *
 * Linux's way: a segment with an old sequence number (snd_una - 1)
 * that the peer must answer with an ACK carrying its window; when the
 * window opened meanwhile, the data itself goes.
 *
 * Return: 0 or an error.
 */
int xs_tcp_send_probe(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb = xs->send_head;

	if (sk->sk_state == TCP_CLOSE)
		return -EINVAL;
	if (skb && before(TCP_SKB_CB(skb)->seq, tcp_wnd_end(tp))) {
		xs_tcp_write_xmit(sk, TCP_NAGLE_PUSH);
		return 0;
	}
	XS_INC(xs_net(sock_net(sk)), TcpExt_TCPWinProbe);
	return xs_tcp_send_flags(sk, tp->snd_una - 1, TCPHDR_ACK, GFP_ATOMIC);
}

/**
 * xs_tcp_cwnd_restart_check - restart cwnd after an idle period
 * @sk: the socket
 *
 * RFC 7661/Linux's tcp_cwnd_restart(): after more than an RTO of
 * silence the congestion module hears CA_EVENT_TX_START (before
 * lsndtime moves) and cwnd shrinks back towards the initial window.
 */
void xs_tcp_cwnd_restart_check(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	s32 idle = tcp_jiffies32 - tp->lsndtime;

	if (!tp->packets_out) {
		tcp_ca_event(sk, CA_EVENT_TX_START);
		if (idle > (s32)inet_csk(sk)->icsk_rto && tp->lsndtime) {
			u32 restart = min(tcp_snd_cwnd(tp), TCP_INIT_CWND);
			u32 cwnd = tcp_snd_cwnd(tp);

			tcp_ca_event(sk, CA_EVENT_CWND_RESTART);
			tp->snd_ssthresh = max(tp->snd_ssthresh,
					       (cwnd >> 1) + (cwnd >> 2));
			while ((idle -= inet_csk(sk)->icsk_rto) > 0 &&
			       cwnd > restart)
				cwnd >>= 1;
			tcp_snd_cwnd_set(tp, max(cwnd, restart));
			tp->snd_cwnd_stamp = tcp_jiffies32;
			tp->snd_cwnd_used = 0;
		}
	}
	tp->lsndtime = tcp_jiffies32;
}

/* Segments without a socket */

/**
 * struct xs_tcp_ctl - a segment to send on behalf of no full socket
 * @saddr: source address
 * @daddr: destination
 * @sport: source port
 * @dport: destination port
 * @seq: sequence number
 * @ack: acknowledgment number
 * @flags: TCPHDR_*
 * @window: window field
 * @tos: TOS byte
 * @ttl: TTL, 0 for the default
 * @oif: output device or 0
 * @mark: skb->mark
 * @priority: skb->priority (the listener's SO_PRIORITY)
 */
struct xs_tcp_ctl {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	u32 seq;
	u32 ack;
	u8 flags;
	u16 window;
	u8 tos;
	u8 ttl;
	int oif;
	u32 mark;
	u32 priority;
};

static void xs_tcp_send_ctl(struct xs_net *xn, const struct xs_tcp_ctl *c,
			    const struct xs_tcp_out_opts *o)
{
	struct xs_ip_tx tx = {
		.saddr = c->saddr,
		.daddr = c->daddr,
		.protocol = IPPROTO_TCP,
		.tos = c->tos,
		.ttl = c->ttl,
		.pmtudisc = IP_PMTUDISC_DO,
		.oif = c->oif,
		.mark = c->mark,
		.priority = c->priority,
	};
	struct sk_buff *skb = alloc_skb(MAX_TCP_HEADER, GFP_ATOMIC);

	if (unlikely(!skb))
		return;
	skb_reserve(skb, MAX_TCP_HEADER);
	xs_tcp_push_header(skb, c->sport, c->dport, c->seq, c->ack, c->flags,
			   c->window, o);
	xs_tcp_csum_partial(skb, c->saddr, c->daddr);
	XS_INC(xn, Tcp_OutSegs);
	if (c->flags & TCPHDR_RST)
		XS_INC(xn, Tcp_OutRsts);
	xs_ip_send(xn, skb, &tx);
}

/**
 * xs_tcp_send_reset_reply - answer a segment that has no connection
 * @xn: namespace
 * @skb: the segment (transport header set, not a RST)
 *
 * RFC 9293 3.10.7.1: with an ACK, <SEQ=SEG.ACK><CTL=RST>; without,
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Never for broadcast or
 * multicast (RFC 1122 4.2.3.10).
 */
void xs_tcp_send_reset_reply(struct xs_net *xn, struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct xs_tcp_out_opts o = { .ws = -1 };
	struct xs_tcp_ctl c = {
		.saddr = iph->daddr,
		.daddr = iph->saddr,
		.sport = th->dest,
		.dport = th->source,
	};

	if (th->rst)
		return;
	if (skb->pkt_type != PACKET_HOST && skb->pkt_type != PACKET_LOOPBACK)
		return;
	if (th->ack) {
		c.seq = ntohl(th->ack_seq);
		c.flags = TCPHDR_RST;
	} else {
		c.ack = ntohl(th->seq) + th->syn + th->fin + skb->len -
			th->doff * 4;
		c.flags = TCPHDR_RST | TCPHDR_ACK;
	}
	xs_tcp_send_ctl(xn, &c, &o);
}

/**
 * xs_tcp_send_synack - send (or resend) the SYN-ACK of a request
 * @req: the request object
 */
void xs_tcp_send_synack(struct xs_tcp_req *req)
{
	struct sock *lsk = req->listener;
	struct xs_net *xn = xs_net(sock_net(lsk));
	struct xs_tcp_out_opts o = {
		.mss = req->mss,
		.ws = req->wscale_ok ? req->rcv_wscale : -1,
		.sack_ok = req->sack_ok,
		.ts = req->tstamp_ok,
		.tsval = (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC) + req->tsoff,
		.tsecr = req->ts_recent,
	};
	struct xs_tcp_ctl c = {
		.saddr = req->ent.key.laddr,
		.daddr = req->ent.key.raddr,
		.sport = req->ent.key.lport,
		.dport = req->ent.key.rport,
		.seq = req->snt_isn,
		.ack = req->rcv_isn + 1,
		.flags = TCPHDR_SYN | TCPHDR_ACK,
		.window = min_t(u32, req->rcv_wnd, U16_MAX),
		.tos = READ_ONCE(inet_sk(lsk)->tos) & ~INET_ECN_MASK,
		.ttl = xs_sock_ttl(lsk),
		.oif = READ_ONCE(lsk->sk_bound_dev_if),
		.mark = READ_ONCE(lsk->sk_mark),
		.priority = READ_ONCE(lsk->sk_priority),
	};

	/* RFC 3168 6.1.1: an ECN-setup SYN-ACK has ECE (and not CWR). */
	if (req->ecn_ok)
		c.flags |= TCPHDR_ECE;
	c.tos |= xs_tcp_ecn_synack_tos(lsk);
	if (req->cookie && o.ts)
		o.tsval = xs_tcp_syncookie_ts(req, o.tsval);
	xs_tcp_send_ctl(xn, &c, &o);
}

/**
 * xs_tcp_send_tw_ack - ACK from a TIME-WAIT object
 * @tw: the object
 */
void xs_tcp_send_tw_ack(struct xs_tcp_tw *tw)
{
	struct xs_tcp_out_opts o = {
		.ws = -1,
		.ts = tw->tstamp_ok,
		.tsval = (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC) + tw->tsoff,
		.tsecr = tw->ts_recent,
	};
	struct xs_tcp_ctl c = {
		.saddr = tw->ent.key.laddr,
		.daddr = tw->ent.key.raddr,
		.sport = tw->ent.key.lport,
		.dport = tw->ent.key.rport,
		.seq = tw->snd_nxt,
		.ack = tw->rcv_nxt,
		.flags = TCPHDR_ACK,
		.window = min_t(u32, tw->rcv_wnd >> tw->rcv_wscale, U16_MAX),
		.tos = tw->tos,
		.ttl = tw->ttl,
		.oif = tw->dif,
		.mark = tw->mark,
	};

	xs_tcp_send_ctl(tw->xn, &c, &o);
}
