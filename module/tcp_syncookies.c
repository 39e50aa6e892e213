// SPDX-License-Identifier: GPL-2.0
/*
 * SYN cookies (RFC 4987 3.6): when a listener's SYN queue is full, the
 * SYN-ACK's ISN encodes what the connection needs and no request object
 * is kept; the ACK that completes the handshake proves it saw the
 * SYN-ACK and the connection is built from it. net.xstack.tcp_syncookies
 * chooses: 0 never, 1 when the SYN queue overflows (the default, as
 * Linux), 2 for every SYN.
 *
 * The cookie, with H1 and H2 keyed hashes (SipHash, two per-namespace
 * secrets) of the 4-tuple, T a counter of minutes and M the index of
 * the peer's MSS in xs_cookie_mss[]:
 *
 *	ISN = H1(4-tuple) + peer ISN + (T << 24) + ((H2(4-tuple, T) + M) mod 2^24)
 *
 * It is accepted for XS_COOKIE_MAX_AGE minutes; a forged ACK passes
 * with a chance of about 2^-21. When the SYN carries timestamps, the
 * low 6 bits of our TSval hold the peer's window scale (0xf: none) and
 * SACK-permitted, echoed back in the ACK's TSecr (Linux does the same);
 * without timestamps those options are lost, as they are in Linux.
 *
 * Context: the listener's socket lock (softirq or its backlog).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/siphash.h>
#include <net/ip.h>
#include <net/sock.h>

#include "stats.h"
#include "tcp.h"
#include "xstack.h"

#define XS_COOKIE_BITS		24
#define XS_COOKIE_MASK		(BIT(XS_COOKIE_BITS) - 1)
#define XS_COOKIE_MAX_AGE	2	/* minutes */
#define XS_COOKIE_TS_BITS	6
#define XS_COOKIE_TS_MASK	(BIT(XS_COOKIE_TS_BITS) - 1)
#define XS_COOKIE_TS_WS_NONE	0xf
#define XS_COOKIE_TS_SACK	BIT(4)

/* The MSS values a cookie can carry (Linux's table: common paths). */
static const u16 xs_cookie_mss[] = { 536, 1300, 1440, 1460 };

static u32 xs_cookie_minutes(void)
{
	return (u32)(jiffies / (60 * HZ));
}

static u32 xs_cookie_hash(const struct xs_tcp_table *t, int i,
			  const struct xs_tcp_key *k, u32 count)
{
	return siphash_4u32((__force u32)k->laddr, (__force u32)k->raddr,
			    (__force u32)k->lport << 16 | (__force u32)k->rport,
			    count, &t->cookie_secret[i]);
}

static u32 xs_cookie_make(const struct xs_tcp_table *t,
			  const struct xs_tcp_key *k, u32 peer_isn, u32 data)
{
	u32 count = xs_cookie_minutes();

	return xs_cookie_hash(t, 0, k, 0) + peer_isn +
	       (count << XS_COOKIE_BITS) +
	       ((xs_cookie_hash(t, 1, k, count) + data) & XS_COOKIE_MASK);
}

/* The MSS index a cookie carries, or -1 when it is not ours or too old. */
static int xs_cookie_check(const struct xs_tcp_table *t,
			   const struct xs_tcp_key *k, u32 peer_isn,
			   u32 cookie)
{
	u32 count = xs_cookie_minutes(), age, data;

	cookie -= xs_cookie_hash(t, 0, k, 0) + peer_isn;
	age = (count - (cookie >> XS_COOKIE_BITS)) &
	      ((u32)-1 >> XS_COOKIE_BITS);
	if (age >= XS_COOKIE_MAX_AGE)
		return -1;
	data = (cookie - xs_cookie_hash(t, 1, k, count - age)) &
	       XS_COOKIE_MASK;
	return data < ARRAY_SIZE(xs_cookie_mss) ? data : -1;
}

/**
 * xs_tcp_syncookie_wanted - answer this SYN with a cookie?
 * @lsk: the listener
 * @queue_full: its SYN queue is full
 *
 * Return: true to send a cookie instead of queueing a request.
 */
bool xs_tcp_syncookie_wanted(const struct sock *lsk, bool queue_full)
{
	int mode = READ_ONCE(xs_tcp_table(lsk)->sysctl_syncookies);

	return mode == 2 || (mode == 1 && queue_full);
}

/**
 * xs_tcp_syncookie_ts - our TSval in a SYN-ACK that carries a cookie
 * @req: the request the SYN-ACK answers (wscale_ok, snd_wscale, sack_ok)
 * @now: the TSval we would send
 *
 * Return: @now with the options in its low bits, never after @now.
 */
u32 xs_tcp_syncookie_ts(const struct xs_tcp_req *req, u32 now)
{
	u32 opts = req->wscale_ok ? req->snd_wscale : XS_COOKIE_TS_WS_NONE;
	u32 ts;

	if (req->sack_ok)
		opts |= XS_COOKIE_TS_SACK;
	ts = (now & ~XS_COOKIE_TS_MASK) | opts;
	if (after(ts, now))
		ts -= BIT(XS_COOKIE_TS_BITS);
	return ts;
}

/**
 * xs_tcp_syncookie_send - answer a SYN with a cookie, keeping nothing
 * @lsk: the listener (locked)
 * @skb: the SYN
 * @o: its options
 */
void xs_tcp_syncookie_send(struct sock *lsk, struct sk_buff *skb,
			   const struct xs_tcp_opts *o)
{
	struct xs_net *xn = xs_net(sock_net(lsk));
	struct xs_tcp_req req = {};
	int i;

	xs_tcp_req_fill(&req, lsk, skb, o);
	for (i = ARRAY_SIZE(xs_cookie_mss) - 1; i > 0; i--)
		if (req.peer_mss >= xs_cookie_mss[i])
			break;
	req.snt_isn = xs_cookie_make(xs_tcp_table(lsk), &req.ent.key,
				     req.rcv_isn, i);
	req.cookie = 1;
	WRITE_ONCE(xs_tcp_sk(lsk)->listen->cookie_stamp, jiffies | 1);
	xs_tcp_send_synack(&req);
	XS_INC(xn, TcpExt_SyncookiesSent);
}

/* The options the ACK's TSecr brings back; false when they make no sense. */
static bool xs_cookie_ts_decode(const struct xs_tcp_table *t,
				struct xs_tcp_opts *o)
{
	u32 opts = o->tsecr & XS_COOKIE_TS_MASK;
	u32 ws = opts & XS_COOKIE_TS_WS_NONE;

	o->sack_ok = opts & XS_COOKIE_TS_SACK;
	o->wscale = -1;
	if (ws != XS_COOKIE_TS_WS_NONE) {
		if (ws > TCP_MAX_WSCALE || !READ_ONCE(t->sysctl_window_scaling))
			return false;
		o->wscale = ws;
	}
	return !o->sack_ok || READ_ONCE(t->sysctl_sack);
}

/**
 * xs_tcp_syncookie_rcv - an ACK for a listener that no request matches
 * @lsk: the listener (locked)
 * @skb: the segment (ACK set, SYN and RST clear)
 *
 * When the listener sent cookies lately and the ACK acknowledges one, a
 * child is made from it and @skb goes to the child, as from a request.
 * A valid cookie with a full accept queue drops @skb (ListenOverflows);
 * a wrong one leaves it to the caller, which resets (SyncookiesFailed).
 *
 * Return: true when @skb was consumed.
 */
bool xs_tcp_syncookie_rcv(struct sock *lsk, struct sk_buff *skb)
{
	unsigned long stamp = READ_ONCE(xs_tcp_sk(lsk)->listen->cookie_stamp);
	struct xs_net *xn = xs_net(sock_net(lsk));
	struct xs_tcp_table *t = xs_tcp_table(lsk);
	const struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xs_tcp_req req = {};
	struct xs_tcp_opts o;
	struct sock *child;
	int mss;

	if (!stamp || time_after(jiffies, stamp + XS_COOKIE_MAX_AGE * 60 * HZ) ||
	    !READ_ONCE(t->sysctl_syncookies))
		return false;
	req.ent.key.raddr = ip_hdr(skb)->saddr;
	req.ent.key.laddr = ip_hdr(skb)->daddr;
	req.ent.key.rport = th->source;
	req.ent.key.lport = th->dest;
	mss = xs_cookie_check(t, &req.ent.key, tcb->seq - 1, tcb->ack_seq - 1);
	xs_tcp_parse_options(skb, &o, false);
	if (mss < 0 || (o.saw_ts && !xs_cookie_ts_decode(t, &o))) {
		XS_INC(xn, TcpExt_SyncookiesFailed);
		return false;
	}
	XS_INC(xn, TcpExt_SyncookiesRecv);
	if (!o.saw_ts) {
		o.wscale = -1;
		o.sack_ok = false;
	}
	o.mss = xs_cookie_mss[mss];
	/* The request as the SYN made it, from what the cookie kept. */
	xs_tcp_req_fill(&req, lsk, skb, &o);
	req.rcv_isn = tcb->seq - 1;
	req.snt_isn = tcb->ack_seq - 1;
	req.snd_wnd = ntohs(th->window) << req.snd_wscale;
	req.num_retrans = 1;	/* no RTT sample: the SYN-ACK's time is gone */
	req.cookie = 1;
	child = xs_tcp_req_cookie_child(lsk, &req);
	if (!child) {
		XS_INC(xn, TcpExt_ListenDrops);
		kfree_skb(skb);
		return true;
	}
	xs_tcp_rcv_sk(child, skb, 0);
	sock_put(child);
	lsk->sk_data_ready(lsk);
	return true;
}

/**
 * xs_tcp_syncookie_init - the cookie secrets of a namespace
 * @t: its TCP table
 */
void xs_tcp_syncookie_init(struct xs_tcp_table *t)
{
	get_random_bytes(t->cookie_secret, sizeof(t->cookie_secret));
}
