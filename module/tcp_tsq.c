// SPDX-License-Identifier: GPL-2.0
/*
 * Small-queue backpressure for xstack's TCP (the TCP Small Queues idea
 * of Linux's tcp_output.c: tcp_small_queue_check(), tcp_wfree() and the
 * TSQ tasklet):
 *
 * - Every segment below TCP (in a qdisc, a device queue, a driver ring)
 *   is charged to sk_wmem_alloc by xs_tcp_tsq_set_owner(), with
 *   xs_tcp_wfree() as its destructor.
 * - Before a segment leaves, the send loop checks those bytes against a
 *   limit of about 1 ms at the pacing rate (sk_pacing_shift), at least
 *   two segments, at most net.xstack.tcp_limit_output_bytes for an
 *   unpaced flow (doubled for retransmissions). Above it the socket is
 *   marked throttled (TSQ_THROTTLED in sk_tsq_flags) and stops; one or
 *   two skbs in flight always go, so a flow never stalls itself.
 * - When a throttled flow's segment is freed, the destructor only queues
 *   the socket on a per-CPU list (TSQ_QUEUED) and schedules a tasklet:
 *   transmission resumes from there, never from the destructor itself
 *   (which may run in any context, with any lock held). The tasklet
 *   sends with the socket's BH lock, or, when the user owns the socket,
 *   leaves it to release_sock() (XS_TCP_XMIT_DEFERRED).
 * - Lifetime: the destructor keeps one byte of the segment's charge, so
 *   the socket cannot be freed while it is on the list; the tasklet gives
 *   it back with sk_free(). The module stays loaded while any socket
 *   exists (the protocol's owner reference), and its exit kills the
 *   tasklets after the last socket is gone.
 *
 * Locking: sk_tsq_flags is changed only with atomic bit operations and
 * cmpxchg; the per-CPU list is protected by disabling interrupts on its
 * CPU (the destructor may run in hard-irq context).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/interrupt.h>
#include <linux/percpu.h>

#include "stats.h"
#include "tcp.h"
#include "xstack.h"

/**
 * struct xs_tsq - the sockets whose segments drained, per CPU
 * @tasklet: runs xs_tsq_tasklet_fn()
 * @head: tcp_sock.tsq_node entries (interrupts off on this CPU)
 */
struct xs_tsq {
	struct tasklet_struct tasklet;
	struct list_head head;
};

static DEFINE_PER_CPU(struct xs_tsq, xs_tsq_tasklet);

/* A drained socket: send now, or at release_sock() if the user has it. */
static void xs_tsq_handler(struct sock *sk)
{
	bh_lock_sock(sk);
	if (xs_tcp_resume_or_defer(sk))
		sock_hold(sk);	/* dropped by xs_tcp_release_cb() */
	bh_unlock_sock(sk);
}

static void xs_tsq_tasklet_fn(struct tasklet_struct *t)
{
	struct xs_tsq *tsq = from_tasklet(tsq, t, tasklet);
	struct list_head list, *q, *n;
	unsigned long flags;

	local_irq_save(flags);
	list_replace_init(&tsq->head, &list);
	local_irq_restore(flags);

	list_for_each_safe(q, n, &list) {
		struct tcp_sock *tp = list_entry(q, struct tcp_sock, tsq_node);
		struct sock *sk = (struct sock *)tp;

		list_del(&tp->tsq_node);
		clear_bit(TSQ_QUEUED, &sk->sk_tsq_flags);
		xs_tsq_handler(sk);
		sk_free(sk);	/* the byte xs_tcp_wfree() kept */
	}
}

/* The destructor of every segment below TCP (Linux's tcp_wfree()). */
static void xs_tcp_wfree(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	unsigned long flags, nval, oval;
	struct xs_tsq *tsq;
	bool empty;

	/* Keep one byte charged: sk_free() returns it, here or later. */
	WARN_ON(refcount_sub_and_test(skb->truesize - 1, &sk->sk_wmem_alloc));
	/* Pairs with set_bit() + smp_mb__after_atomic() in the check. */
	oval = smp_load_acquire(&sk->sk_tsq_flags);
	do {
		if (!(oval & TSQF_THROTTLED) || (oval & TSQF_QUEUED))
			goto out;
		nval = (oval & ~TSQF_THROTTLED) | TSQF_QUEUED;
	} while (!try_cmpxchg(&sk->sk_tsq_flags, &oval, nval));

	local_irq_save(flags);
	tsq = this_cpu_ptr(&xs_tsq_tasklet);
	empty = list_empty(&tsq->head);
	list_add(&tcp_sk(sk)->tsq_node, &tsq->head);
	if (empty)
		tasklet_schedule(&tsq->tasklet);
	local_irq_restore(flags);
	return;
out:
	sk_free(sk);
}

/**
 * xs_tcp_tsq_set_owner - charge a segment about to leave to its socket
 * @sk: the socket
 * @skb: the segment (a clone or copy of a write-queue skb, or an ACK)
 */
void xs_tcp_tsq_set_owner(struct sock *sk, struct sk_buff *skb)
{
	skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = xs_tcp_wfree;
	skb_set_hash_from_sk(skb, sk);
	refcount_add(skb->truesize, &sk->sk_wmem_alloc);
}

/* Are at most two skbs between snd_una and snd_nxt? */
static bool xs_tcp_tsq_few_in_flight(struct sock *sk)
{
	struct sk_buff *head = skb_peek(&sk->sk_write_queue);
	struct sk_buff *send_head = xs_tcp_sk(sk)->send_head;

	if (!head || head == send_head ||
	    skb_queue_is_last(&sk->sk_write_queue, head))
		return true;
	return head->next == send_head;
}

/**
 * xs_tcp_small_queue_check - must the send loop wait for queues to drain?
 * @sk: the socket
 * @skb: the next write-queue skb to send
 * @factor: 0 for new data, 1 for a retransmission (twice the limit)
 *
 * Return: true when the socket is throttled: a segment freed below us
 * resumes transmission.
 */
bool xs_tcp_small_queue_check(struct sock *sk, const struct sk_buff *skb,
			      unsigned int factor)
{
	unsigned long limit;

	limit = max_t(unsigned long, 2 * skb->truesize,
		      READ_ONCE(sk->sk_pacing_rate) >>
		      READ_ONCE(sk->sk_pacing_shift));
	/* Pairs with sch_fq's smp_store_release() of SK_PACING_FQ. */
	if (smp_load_acquire(&sk->sk_pacing_status) == SK_PACING_NONE)
		limit = min_t(unsigned long, limit,
			      READ_ONCE(xs_tcp_table(sk)->sysctl_limit_output_bytes));
	limit <<= factor;
	if (refcount_read(&sk->sk_wmem_alloc) <= limit)
		return false;
	if (xs_tcp_tsq_few_in_flight(sk))
		return false;
	set_bit(TSQ_THROTTLED, &sk->sk_tsq_flags);
	/*
	 * The destructor may have run between the read above and the bit:
	 * read again after it (pairs with smp_load_acquire() there).
	 */
	smp_mb__after_atomic();
	if (refcount_read(&sk->sk_wmem_alloc) > limit) {
		XS_INC(xs_net(sock_net(sk)), XsExt_TcpTsqThrottled);
		return true;
	}
	return false;
}

/**
 * xs_tcp_tsq_init - set up the per-CPU lists and tasklets
 */
void xs_tcp_tsq_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct xs_tsq *tsq = &per_cpu(xs_tsq_tasklet, cpu);

		INIT_LIST_HEAD(&tsq->head);
		tasklet_setup(&tsq->tasklet, xs_tsq_tasklet_fn);
	}
}

/**
 * xs_tcp_tsq_exit - wait for the tasklets (every socket is gone)
 */
void xs_tcp_tsq_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		tasklet_kill(&per_cpu(xs_tsq_tasklet, cpu).tasklet);
}
