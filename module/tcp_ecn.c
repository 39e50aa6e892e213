// SPDX-License-Identifier: GPL-2.0
/*
 * Explicit Congestion Notification for xstack's TCP (RFC 3168), with
 * Linux's rules (tcp_ecn_* of net/ipv4/tcp_input.c and tcp_output.c):
 *
 * - Negotiation (RFC 3168 6.1.1): our SYN carries ECE and CWR when
 *   net.xstack.tcp_ecn is 1 or the congestion control needs ECN
 *   (TCP_CONG_NEEDS_ECN: dctcp); a SYN-ACK with ECE and without CWR
 *   confirms it. A SYN with ECE and CWR is answered with ECE when
 *   net.xstack.tcp_ecn is 1 or 2 (the default: accept only) or the
 *   listener's algorithm needs ECN; a SYN that is itself ECT is not
 *   (RFC 3168 6.1.1, unless the algorithm needs ECN), as Linux. A
 *   retransmitted SYN goes without ECE and CWR with
 *   net.xstack.tcp_ecn_fallback (RFC 3168 6.1.1.1). SYN cookies do not
 *   keep the negotiation: they answer without ECE.
 * - Sending: new data is ECT(0); retransmissions and pure ACKs are not
 *   (RFC 3168 6.1.5, 6.1.4), except for an algorithm that needs ECN,
 *   whose every segment is ECT(0) (RFC 8257 3.1). ECE is set on every
 *   segment while the peer owes us a CWR; CWR goes on the next new data
 *   segment after a reduction (SKB_GSO_TCP_ECN keeps it on the first
 *   segment of a GSO skb).
 * - Receiving: CE on a data segment makes us echo ECE until a segment
 *   with CWR arrives (RFC 3168 6.1.3) and ACK quickly; the algorithm
 *   hears CA_EVENT_ECN_IS_CE / CA_EVENT_ECN_NO_CE (dctcp keeps its own
 *   ECE state through them and may ask for an immediate ACK with
 *   ICSK_ACK_NOW, taken here into our own flag).
 * - Reacting: an ACK with ECE enters CWR once per window
 *   (xs_tcp_enter_cwr() in tcp_input.c) and counts delivered_ce.
 *
 * The ECN bits of inet->tos are never used for TCP (IP_TOS keeps them
 * as they were, see sock.c): every segment's codepoint is chosen here.
 *
 * Locking: tp->ecn_flags changes under the socket lock (or its BH lock
 * on input), as every other field of the connection.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <net/inet_ecn.h>

#include "stats.h"
#include "tcp.h"
#include "xstack.h"

static bool xs_tcp_ca_needs_ecn(const struct sock *sk)
{
	const struct tcp_congestion_ops *ca = inet_csk(sk)->icsk_ca_ops;

	return ca && (ca->flags & TCP_CONG_NEEDS_ECN);
}

/**
 * xs_tcp_ecn_send_syn - ask for ECN in our SYN
 * @sk: the connecting socket
 * @skb: the SYN
 */
void xs_tcp_ecn_send_syn(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);

	tp->ecn_flags = 0;
	if (READ_ONCE(xs_tcp_table(sk)->sysctl_ecn) == 1 ||
	    xs_tcp_ca_needs_ecn(sk)) {
		TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_ECE | TCPHDR_CWR;
		tp->ecn_flags = TCP_ECN_OK;
	}
}

/**
 * xs_tcp_ecn_resend_syn - the ECN flags of a SYN sent again
 * @sk: the socket
 * @skb: the SYN (or, in a simultaneous open, our SYN-ACK)
 *
 * RFC 3168 6.1.1.1: a SYN that went unanswered may have been dropped
 * for its ECN flags; with net.xstack.tcp_ecn_fallback it goes without
 * (tp->ecn_flags stays: the SYN-ACK decides). Our SYN-ACK never has CWR
 * and has ECE only for an ECN connection (Linux's
 * tcp_ecn_send_synack()).
 */
void xs_tcp_ecn_resend_syn(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

	if (tcb->tcp_flags & TCPHDR_ACK) {
		tcb->tcp_flags &= ~TCPHDR_CWR;
		if (!(tcp_sk(sk)->ecn_flags & TCP_ECN_OK))
			tcb->tcp_flags &= ~TCPHDR_ECE;
		return;
	}
	if (READ_ONCE(xs_tcp_table(sk)->sysctl_ecn_fallback))
		tcb->tcp_flags &= ~(TCPHDR_ECE | TCPHDR_CWR);
}

/**
 * xs_tcp_ecn_rcv_syn - the peer's SYN or SYN-ACK decides (SYN-SENT)
 * @sk: the socket
 * @th: the segment's header
 *
 * RFC 3168 6.1.1: a SYN-ACK confirms with ECE and no CWR; the SYN of a
 * simultaneous open with ECE and CWR.
 */
void xs_tcp_ecn_rcv_syn(struct sock *sk, const struct tcphdr *th)
{
	struct tcp_sock *tp = tcp_sk(sk);
	bool ok = th->ack ? th->ece && !th->cwr : th->ece && th->cwr;

	if (!ok)
		tp->ecn_flags &= ~TCP_ECN_OK;
}

/**
 * xs_tcp_ecn_req_ok - does a listener accept ECN for this SYN?
 * @lsk: the listener
 * @skb: the SYN
 *
 * Return: true when our SYN-ACK confirms ECN (Linux's
 * tcp_ecn_create_request()).
 */
bool xs_tcp_ecn_req_ok(const struct sock *lsk, const struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	bool ect = !INET_ECN_is_not_ect(TCP_SKB_CB(skb)->ip_dsfield);

	if (!th->ece || !th->cwr)
		return false;
	if (xs_tcp_ca_needs_ecn(lsk))
		return true;
	return (!ect || th->res1) &&
	       READ_ONCE(xs_tcp_table(lsk)->sysctl_ecn);
}

/**
 * xs_tcp_ecn_synack_tos - the ECN codepoint of a listener's SYN-ACK
 * @lsk: the listener
 *
 * Return: ECT(0) for an algorithm that needs ECN, else Not-ECT.
 */
u8 xs_tcp_ecn_synack_tos(const struct sock *lsk)
{
	return xs_tcp_ca_needs_ecn(lsk) ? INET_ECN_ECT_0 : INET_ECN_NOT_ECT;
}

/**
 * xs_tcp_ecn_send - the ECN fields of a segment about to leave
 * @sk: the socket
 * @skb: the segment, TCP header pushed
 * @th: its header
 *
 * Sets ECE and CWR in @th as RFC 3168 6.1 asks (Linux's tcp_ecn_send()).
 *
 * Return: the ECN codepoint for the IPv4 header.
 */
u8 xs_tcp_ecn_send(struct sock *sk, struct sk_buff *skb, struct tcphdr *th)
{
	struct tcp_sock *tp = tcp_sk(sk);
	bool needs = xs_tcp_ca_needs_ecn(sk);
	u8 ect = needs ? INET_ECN_ECT_0 : INET_ECN_NOT_ECT;

	if (th->syn)
		return ect;
	if (!(tp->ecn_flags & TCP_ECN_OK))
		return INET_ECN_NOT_ECT;
	/* New data: ECT, and the CWR owed since the last reduction. */
	if (skb->len != th->doff * 4 &&
	    !before(TCP_SKB_CB(skb)->seq, tp->snd_nxt)) {
		ect = INET_ECN_ECT_0;
		if (tp->ecn_flags & TCP_ECN_QUEUE_CWR) {
			tp->ecn_flags &= ~TCP_ECN_QUEUE_CWR;
			th->cwr = 1;
			skb_shinfo(skb)->gso_type |= SKB_GSO_TCP_ECN;
		}
	}
	if (tp->ecn_flags & TCP_ECN_DEMAND_CWR)
		th->ece = 1;
	return ect;
}

/* Linux's tcp_enter_quickack_mode(): ACK the next @n segments at once. */
static void xs_tcp_ecn_quickack(struct sock *sk, u8 n)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	xs->quick = max(xs->quick, n);
	xs->pingpong = false;
	inet_csk(sk)->icsk_ack.ato = XS_TCP_ATO_MIN;
}

/* Tell the algorithm; an ICSK_ACK_NOW it raised becomes our own flag. */
static void xs_tcp_ecn_ca_event(struct sock *sk, enum tcp_ca_event ev)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (!xs_tcp_ca_needs_ecn(sk))
		return;
	tcp_ca_event(sk, ev);
	if (icsk->icsk_ack.pending & ICSK_ACK_NOW) {
		icsk->icsk_ack.pending &= ~ICSK_ACK_NOW;
		xs_tcp_sk(sk)->ack_now = true;
	}
}

/**
 * xs_tcp_ecn_accept_cwr - a segment with CWR: stop echoing ECE
 * @sk: the socket
 * @skb: the segment
 *
 * RFC 3168 6.1.3. The sender's cwnd may now be tiny: ACK data at once.
 */
void xs_tcp_ecn_accept_cwr(struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

	if (!tcp_hdr(skb)->cwr)
		return;
	tcp_sk(sk)->ecn_flags &= ~TCP_ECN_DEMAND_CWR;
	if (tcb->seq != tcb->end_seq)
		xs_tcp_sk(sk)->ack_now = true;
}

/**
 * xs_tcp_ecn_check_ce - the ECN codepoint of a data segment received
 * @sk: the socket
 * @skb: the segment
 *
 * Linux's __tcp_ecn_check_ce().
 */
void xs_tcp_ecn_check_ce(struct sock *sk, const struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!(tp->ecn_flags & TCP_ECN_OK))
		return;
	switch (TCP_SKB_CB(skb)->ip_dsfield & INET_ECN_MASK) {
	case INET_ECN_NOT_ECT:
		/* Not-ECT after ECT: most likely a retransmission. */
		if (tp->ecn_flags & TCP_ECN_SEEN)
			xs_tcp_ecn_quickack(sk, 2);
		break;
	case INET_ECN_CE:
		XS_INC(xs_net(sock_net(sk)), XsExt_TcpInCE);
		xs_tcp_ecn_ca_event(sk, CA_EVENT_ECN_IS_CE);
		if (!(tp->ecn_flags & TCP_ECN_DEMAND_CWR)) {
			xs_tcp_ecn_quickack(sk, 2);
			tp->ecn_flags |= TCP_ECN_DEMAND_CWR;
		}
		tp->ecn_flags |= TCP_ECN_SEEN;
		break;
	default:
		xs_tcp_ecn_ca_event(sk, CA_EVENT_ECN_NO_CE);
		tp->ecn_flags |= TCP_ECN_SEEN;
		break;
	}
}

/**
 * xs_tcp_ecn_queue_cwr - a reduction happened: the next data has CWR
 * @tp: the connection
 */
void xs_tcp_ecn_queue_cwr(struct tcp_sock *tp)
{
	if (tp->ecn_flags & TCP_ECN_OK)
		tp->ecn_flags |= TCP_ECN_QUEUE_CWR;
}
