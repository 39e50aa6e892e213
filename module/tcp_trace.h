/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of xstack's TCP, under events/xstack/ in tracefs:
 * tcp_set_state (every state change), tcp_retransmit_skb (every
 * retransmission), tcp_send_reset and tcp_receive_reset. Their fields
 * follow the native tcp:* events, so the same scripts read both.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xstack

#if !defined(_XSTACK_TCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XSTACK_TCP_TRACE_H

#include <linux/tracepoint.h>
#include <net/sock.h>

DECLARE_EVENT_CLASS(xs_tcp_sk_class,
	TP_PROTO(const struct sock *sk),
	TP_ARGS(sk),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(__u32, saddr)
		__field(__u32, daddr)
		__field(int, state)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		__entry->sport = sk->sk_num;
		__entry->dport = ntohs(sk->sk_dport);
		__entry->saddr = (__force __u32)sk->sk_rcv_saddr;
		__entry->daddr = (__force __u32)sk->sk_daddr;
		__entry->state = sk->sk_state;
	),
	TP_printk("skaddr=%p src=%pI4:%u dest=%pI4:%u state=%d",
		  __entry->skaddr, &__entry->saddr, __entry->sport,
		  &__entry->daddr, __entry->dport, __entry->state)
);

DEFINE_EVENT(xs_tcp_sk_class, tcp_send_reset,
	TP_PROTO(const struct sock *sk),
	TP_ARGS(sk));

DEFINE_EVENT(xs_tcp_sk_class, tcp_receive_reset,
	TP_PROTO(const struct sock *sk),
	TP_ARGS(sk));

TRACE_EVENT(tcp_set_state,
	TP_PROTO(const struct sock *sk, int oldstate, int newstate),
	TP_ARGS(sk, oldstate, newstate),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__field(int, oldstate)
		__field(int, newstate)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(__u32, saddr)
		__field(__u32, daddr)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		__entry->oldstate = oldstate;
		__entry->newstate = newstate;
		__entry->sport = sk->sk_num;
		__entry->dport = ntohs(sk->sk_dport);
		__entry->saddr = (__force __u32)sk->sk_rcv_saddr;
		__entry->daddr = (__force __u32)sk->sk_daddr;
	),
	TP_printk("skaddr=%p src=%pI4:%u dest=%pI4:%u oldstate=%d newstate=%d",
		  __entry->skaddr, &__entry->saddr, __entry->sport,
		  &__entry->daddr, __entry->dport, __entry->oldstate,
		  __entry->newstate)
);

TRACE_EVENT(tcp_retransmit_skb,
	TP_PROTO(const struct sock *sk, __u32 seq, __u32 len),
	TP_ARGS(sk, seq, len),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(__u32, saddr)
		__field(__u32, daddr)
		__field(__u32, seq)
		__field(__u32, len)
		__field(int, state)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		__entry->sport = sk->sk_num;
		__entry->dport = ntohs(sk->sk_dport);
		__entry->saddr = (__force __u32)sk->sk_rcv_saddr;
		__entry->daddr = (__force __u32)sk->sk_daddr;
		__entry->seq = seq;
		__entry->len = len;
		__entry->state = sk->sk_state;
	),
	TP_printk("skaddr=%p src=%pI4:%u dest=%pI4:%u seq=%u len=%u state=%d",
		  __entry->skaddr, &__entry->saddr, __entry->sport,
		  &__entry->daddr, __entry->dport, __entry->seq, __entry->len,
		  __entry->state)
);

#endif /* _XSTACK_TCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tcp_trace
#include <trace/define_trace.h>
