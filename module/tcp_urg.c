// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_urg.c - TCP urgent data (RFC 9293 3.8.5, RFC 6093) as Linux gives
 * it to sockets: one out-of-band byte per urgent pointer.
 *
 * Sending: send(MSG_OOB) moves SND.UP to the end of the data it queued
 * (xs_tcp_urg_mark()). While SND.UP is ahead of SND.UNA the connection
 * is in urgent mode: every segment below SND.UP carries URG and a pointer
 * to it (xs_tcp_urg_write()), Nagle does not hold segments back, and no
 * segment is larger than one MSS, so that GSO never copies a pointer onto
 * a segment it does not fit (tcp_output.c). The ACK that covers SND.UP
 * ends urgent mode (xs_tcp_urg_acked()).
 *
 * Receiving (xs_tcp_urg_rcv(), Linux's tcp_urg()): a new urgent pointer
 * ahead of what was read raises SIGURG and makes the byte before it (BSD
 * semantics, RFC 6093 3; the byte it points at with net.xstack.tcp_stdurg)
 * the urgent byte; once that byte has arrived, recv(MSG_OOB) returns it
 * (xs_tcp_recv_urg()), poll reports EPOLLPRI, a normal read stops at it
 * and steps over it unless SO_OOBINLINE (tcp.c), and SIOCATMARK says when
 * the reader has reached it. RFC 6093 4 recommends against new uses of
 * urgent data; it is here because applications (telnet, ftp, rlogin)
 * and Linux's socket semantics have it.
 *
 * tp->urg_data: 0 (none), TCP_URG_NOTYET (pointer seen, byte not yet),
 * TCP_URG_VALID | byte (waiting to be read), TCP_URG_READ (read with
 * MSG_OOB); tp->urg_seq: the urgent byte's sequence number.
 *
 * Locking: the socket lock, or its BH lock on input, as for every other
 * tcp_sock field; poll and ioctl read urg_data and urg_seq locklessly
 * (READ_ONCE against the WRITE_ONCE here).
 */
#include "tcp.h"

/**
 * xs_tcp_urg_mark - send(MSG_OOB): the last byte queued is urgent
 * @sk: the socket (locked)
 *
 * Linux's tcp_mark_urg(): SND.UP goes to the end of the write queue.
 */
void xs_tcp_urg_mark(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	WRITE_ONCE(tp->snd_up, tp->write_seq);
}

/**
 * xs_tcp_urg_write - URG and the urgent pointer of an outgoing segment
 * @sk: the socket
 * @th: the segment's header (flags and window written, checksum not yet)
 * @seq: the segment's sequence number
 *
 * A segment below SND.UP points at it; one more than 64 KiB before it
 * points as far as the field reaches (as Linux), unless SND.NXT is close.
 */
void xs_tcp_urg_write(const struct sock *sk, struct tcphdr *th, u32 seq)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	if (likely(!xs_tcp_urg_mode(tp)) || !before(seq, tp->snd_up))
		return;
	if (before(tp->snd_up, seq + 0x10000)) {
		th->urg_ptr = htons(tp->snd_up - seq);
		th->urg = 1;
	} else if (after(seq + 0xFFFF, tp->snd_nxt)) {
		th->urg_ptr = htons(0xFFFF);
		th->urg = 1;
	}
}

/**
 * xs_tcp_urg_acked - SND.UNA moved from @prior_snd_una
 * @sk: the socket
 * @prior_snd_una: SND.UNA before the ACK
 *
 * SND.UP follows SND.UNA outside urgent mode and once the ACK covers it
 * (Linux's tcp_clean_rtx_queue()), which ends urgent mode.
 */
void xs_tcp_urg_acked(struct sock *sk, u32 prior_snd_una)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (likely(between(tp->snd_up, prior_snd_una, tp->snd_una)))
		WRITE_ONCE(tp->snd_up, tp->snd_una);
}

/* Linux's tcp_check_urg(): @th announces an urgent pointer. */
static void xs_tcp_check_urg(struct sock *sk, const struct tcphdr *th)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 ptr = ntohs(th->urg_ptr);

	/* BSD points after the urgent byte (RFC 6093 2). */
	if (ptr && !READ_ONCE(xs_tcp_table(sk)->sysctl_stdurg))
		ptr--;
	ptr += ntohl(th->seq);
	/* Read already, or behind what arrived (no replay), or not newer. */
	if (after(tp->copied_seq, ptr) || before(ptr, tp->rcv_nxt))
		return;
	if (tp->urg_data && !after(ptr, tp->urg_seq))
		return;
	sk_send_sigurg(sk);
	/*
	 * The reader stands at the old urgent byte and would step over it:
	 * step now, since the new pointer replaces the mark (tcp_check_urg()).
	 */
	if (tp->urg_seq == tp->copied_seq && tp->urg_data &&
	    !sock_flag(sk, SOCK_URGINLINE) && tp->copied_seq != tp->rcv_nxt) {
		struct sk_buff *skb = skb_peek(&sk->sk_receive_queue);

		WRITE_ONCE(tp->copied_seq, tp->copied_seq + 1);
		if (skb && !before(tp->copied_seq, TCP_SKB_CB(skb)->end_seq)) {
			__skb_unlink(skb, &sk->sk_receive_queue);
			__kfree_skb(skb);
		}
	}
	WRITE_ONCE(tp->urg_data, TCP_URG_NOTYET);
	WRITE_ONCE(tp->urg_seq, ptr);
}

/**
 * xs_tcp_urg_rcv - the urgent pointer of an acceptable segment
 * @sk: the socket (BH lock held or owned)
 * @skb: the segment, data at the TCP header, before its data is queued
 *
 * A new pointer is taken (xs_tcp_check_urg()); when the urgent byte is in
 * @skb, it is kept for recv(MSG_OOB) and the reader woken (EPOLLPRI).
 */
void xs_tcp_urg_rcv(struct sock *sk, struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct tcp_sock *tp = tcp_sk(sk);
	u32 ptr;
	u8 byte;

	if (th->urg)
		xs_tcp_check_urg(sk, th);
	if (tp->urg_data != TCP_URG_NOTYET)
		return;
	/* The urgent byte's offset in @skb (its data follows the header). */
	ptr = tp->urg_seq - ntohl(th->seq) + th->doff * 4 - th->syn;
	if (ptr >= skb->len || skb_copy_bits(skb, ptr, &byte, 1))
		return;
	WRITE_ONCE(tp->urg_data, TCP_URG_VALID | byte);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
}

/**
 * xs_tcp_recv_urg - recv(MSG_OOB) (Linux's tcp_recv_urg())
 * @sk: the socket (locked)
 * @msg: where the urgent byte goes
 * @len: room in @msg
 * @flags: MSG_PEEK leaves the byte, MSG_TRUNC does not copy it
 *
 * Never blocks, whatever the socket's mode: without an urgent byte yet
 * it is -EAGAIN (0 after the peer's FIN).
 *
 * Return: 1 (0 with no room: MSG_TRUNC set), 0, or -EINVAL (no urgent
 * data, SO_OOBINLINE, or read already), -ENOTCONN, -EAGAIN, -EFAULT.
 */
int xs_tcp_recv_urg(struct sock *sk, struct msghdr *msg, int len, int flags)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int err = 0;
	char c;

	if (sock_flag(sk, SOCK_URGINLINE) || !tp->urg_data ||
	    tp->urg_data == TCP_URG_READ)
		return -EINVAL;		/* as Linux answers */
	if (sk->sk_state == TCP_CLOSE && !sock_flag(sk, SOCK_DONE))
		return -ENOTCONN;
	if (!(tp->urg_data & TCP_URG_VALID)) {
		if (sk->sk_state == TCP_CLOSE ||
		    (sk->sk_shutdown & RCV_SHUTDOWN))
			return 0;
		return -EAGAIN;
	}
	c = tp->urg_data;
	if (!(flags & MSG_PEEK))
		WRITE_ONCE(tp->urg_data, TCP_URG_READ);
	msg->msg_flags |= MSG_OOB;
	if (len <= 0) {
		msg->msg_flags |= MSG_TRUNC;
		return 0;
	}
	if (!(flags & MSG_TRUNC))
		err = memcpy_to_msg(msg, &c, 1);
	return err ? -EFAULT : 1;
}
