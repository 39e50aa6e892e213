// SPDX-License-Identifier: GPL-2.0
/*
 * TCP memory: the protocol-wide accounting behind net.xstack.tcp_mem and
 * what the stack does when it runs short, as Linux's TCP does:
 *
 * - Every skb queued to a socket is charged to it (sk_mem_*) and to the
 *   protocol total (proto.memory_allocated, in pages; the core's
 *   __sk_mem_raise_allocated() enters memory pressure above tcp_mem[1]
 *   and refuses charges above tcp_mem[2], except for the tcp_rmem[0]/
 *   tcp_wmem[0] every socket is guaranteed).
 * - Under pressure or above tcp_mem[0] buffers stop growing (send-buffer
 *   expansion, receive-buffer autotuning) and the window offered is at
 *   most four segments (Linux's __tcp_select_window()).
 * - A segment that does not fit first makes the socket prune: the window
 *   is clamped, then the out-of-order queue is dropped from its far end
 *   (the data the sender must keep anyway, RFC 2018 8: SACKed data may be
 *   reneged) until the receive queue fits; if nothing helps, the segment
 *   is dropped and counted (PruneCalled, OfoPruned, RcvPruned).
 * - Orphans (closed by their owner, still sending) are reset when the
 *   total exceeds tcp_mem[2] or there are more than tcp_max_orphans of
 *   them (TCPAbortOnMemory), so that nobody's data waits for memory that
 *   orphans hold.
 * - /proc/net/xstack/sockstat shows the totals as /proc/net/sockstat.
 *
 * Locking: the counters are atomic or per-CPU; the per-socket functions
 * run under the socket lock (or in its softirq owner context).
 */
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>

#include "stats.h"
#include "tcp.h"
#include "xstack.h"

static atomic_long_t xs_tcp_memory_allocated;
static DEFINE_PER_CPU(int, xs_tcp_fw_alloc);
static struct percpu_counter xs_tcp_sockets_allocated;
static struct percpu_counter xs_tcp_orphan_count;
static unsigned long xs_tcp_memory_pressure;

/* net.xstack.tcp_mem, pages, and tcp_max_orphans (shared by every
 * namespace, as Linux's).
 */
long xs_tcp_mem[3];
int xs_tcp_max_orphans;

/*
 * The buffer every socket keeps under pressure (the core reads it
 * through proto.sysctl_rmem/sysctl_wmem): Linux's default tcp_rmem[0]
 * and tcp_wmem[0]. Fixed, as the per-namespace tcp_rmem lives where the
 * core cannot find it.
 */
static int xs_tcp_rmem_min = PAGE_SIZE;
static int xs_tcp_wmem_min = PAGE_SIZE;

static void xs_tcp_enter_memory_pressure(struct sock *sk)
{
	if (!READ_ONCE(xs_tcp_memory_pressure)) {
		WRITE_ONCE(xs_tcp_memory_pressure, jiffies ?: 1);
		XS_INC(xs_net(sock_net(sk)), TcpExt_TCPMemoryPressures);
	}
}

static void xs_tcp_leave_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(xs_tcp_memory_pressure, 0);
}

/**
 * xs_tcp_mem_prot_init - fill in the memory fields of the TCP proto
 * @prot: xs_tcp_prot, before proto_register()
 */
void xs_tcp_mem_prot_init(struct proto *prot)
{
	prot->enter_memory_pressure = xs_tcp_enter_memory_pressure;
	prot->leave_memory_pressure = xs_tcp_leave_memory_pressure;
	prot->memory_pressure = &xs_tcp_memory_pressure;
	prot->memory_allocated = &xs_tcp_memory_allocated;
	prot->per_cpu_fw_alloc = &xs_tcp_fw_alloc;
	prot->sockets_allocated = &xs_tcp_sockets_allocated;
	prot->orphan_count = NULL;	/* ours is counted here */
	prot->sysctl_mem = xs_tcp_mem;
	prot->sysctl_rmem = &xs_tcp_rmem_min;
	prot->sysctl_wmem = &xs_tcp_wmem_min;
}

/**
 * xs_tcp_mem_socket_new - a socket was created
 * @sk: the socket
 */
void xs_tcp_mem_socket_new(struct sock *sk)
{
	percpu_counter_inc(&xs_tcp_sockets_allocated);
}

/**
 * xs_tcp_mem_socket_gone - a socket's memory is gone
 * @sk: the socket
 */
void xs_tcp_mem_socket_gone(struct sock *sk)
{
	percpu_counter_dec(&xs_tcp_sockets_allocated);
}

/**
 * xs_tcp_orphan_inc - @sk lost its owner but lives on (close())
 * @sk: the socket (locked)
 */
void xs_tcp_orphan_inc(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	if (xs->orphan_counted)
		return;
	xs->orphan_counted = true;
	percpu_counter_inc(&xs_tcp_orphan_count);
}

/**
 * xs_tcp_orphan_dec - an orphan is destroyed
 * @sk: the socket (locked)
 */
void xs_tcp_orphan_dec(struct sock *sk)
{
	struct xs_tcp_sock *xs = xs_tcp_sk(sk);

	if (!xs->orphan_counted)
		return;
	xs->orphan_counted = false;
	percpu_counter_dec(&xs_tcp_orphan_count);
}

/**
 * xs_tcp_mem_tight - whether buffers may not grow now
 * @sk: the socket
 *
 * Linux's tcp_should_expand_sndbuf() and tcp_clamp_window() rule: not
 * under memory pressure, and not once the total passed tcp_mem[0].
 *
 * Return: true when buffers must stay as they are.
 */
bool xs_tcp_mem_tight(const struct sock *sk)
{
	return sk_under_memory_pressure(sk) ||
	       sk_memory_allocated(sk) >= sk_prot_mem_limits(sk, 0);
}

/**
 * xs_tcp_check_oom - whether an orphan must give its memory back
 * @sk: the orphan
 * @shift: how much more the orphan count may exceed tcp_max_orphans
 *	(Linux's tcp_check_oom(): doubled per backoff step)
 *
 * Return: true when the orphan is to be reset; counted (TCPAbortOnMemory).
 */
bool xs_tcp_check_oom(struct sock *sk, int shift)
{
	long orphans = percpu_counter_read_positive(&xs_tcp_orphan_count);
	int most = READ_ONCE(xs_tcp_max_orphans);
	bool many = false, oom;

	if (orphans << shift > most) {
		/* The per-CPU estimate is coarse: count exactly (Linux). */
		orphans = percpu_counter_sum_positive(&xs_tcp_orphan_count);
		many = orphans << shift > most;
	}
	oom = READ_ONCE(sk->sk_wmem_queued) > SOCK_MIN_SNDBUF &&
	      sk_memory_allocated(sk) > sk_prot_mem_limits(sk, 2);
	if (many)
		net_info_ratelimited("xstack: too many orphaned TCP sockets\n");
	if (oom)
		net_info_ratelimited("xstack: out of TCP memory, consider tuning net.xstack.tcp_mem\n");
	if (!many && !oom)
		return false;
	XS_INC(xs_net(sock_net(sk)), TcpExt_TCPAbortOnMemory);
	return true;
}

/**
 * xs_tcp_forced_mem_schedule - charge @size whatever the limits say
 * @sk: the socket
 * @size: bytes about to be charged
 *
 * For what must go out even when memory is short: a FIN, the first skb
 * of an empty write queue, tcp_wmem[0] (Linux's sk_forced_mem_schedule()).
 * A socket in a memory cgroup tries the normal way, as the cgroup's
 * charge is not for modules; refused, it borrows (sk_forward_alloc below
 * zero until the skb is freed).
 */
void xs_tcp_forced_mem_schedule(struct sock *sk, int size)
{
	int delta = size - sk->sk_forward_alloc, amt;

	if (delta <= 0)
		return;
	if (mem_cgroup_sk_enabled(sk)) {
		sk_wmem_schedule(sk, size);
		return;
	}
	amt = sk_mem_pages(delta);
	sk_forward_alloc_add(sk, amt << PAGE_SHIFT);
	sk_memory_allocated_add(sk, amt);
}

/**
 * xs_tcp_wmem_schedule - how much of @copy bytes sendmsg may queue
 * @sk: the socket
 * @copy: bytes it wants to copy
 *
 * Linux's tcp_wmem_schedule(): the protocol's limits apply, but a socket
 * with less than tcp_wmem[0] queued always makes progress.
 *
 * Return: the bytes that may be copied, 0 or less when none.
 */
int xs_tcp_wmem_schedule(struct sock *sk, int copy)
{
	int left;

	if (likely(sk_wmem_schedule(sk, copy)))
		return copy;
	left = READ_ONCE(xs_tcp_table(sk)->sysctl_wmem[0]) - sk->sk_wmem_queued;
	if (left > 0)
		xs_tcp_forced_mem_schedule(sk, min(left, copy));
	return min(copy, sk->sk_forward_alloc);
}

/*
 * Drop out-of-order data from the far end (Linux's tcp_prune_ofo_queue())
 * until the socket fits its buffer again, an eighth of the buffer at a
 * time, never the data that lies before @in_skb. SACK blocks are sent no
 * more: what we reneged on must not look received (RFC 2018 8).
 */
static bool xs_tcp_prune_ofo(struct sock *sk, const struct sk_buff *in_skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct rb_node *node = rb_last(&tp->out_of_order_queue), *prev;
	int goal = READ_ONCE(sk->sk_rcvbuf) >> 3;
	bool pruned = false;

	while (node) {
		struct sk_buff *skb = rb_to_skb(node);

		if (after(TCP_SKB_CB(in_skb)->seq, TCP_SKB_CB(skb)->seq))
			break;
		pruned = true;
		prev = rb_prev(node);
		rb_erase(node, &tp->out_of_order_queue);
		goal -= skb->truesize;
		kfree_skb(skb);
		node = prev;
		if (!node || goal <= 0) {
			sk_mem_reclaim(sk);
			if (atomic_read(&sk->sk_rmem_alloc) <= sk->sk_rcvbuf &&
			    !sk_under_memory_pressure(sk))
				break;
			goal = READ_ONCE(sk->sk_rcvbuf) >> 3;
		}
	}
	if (!pruned)
		return false;
	XS_INC(xs_net(sock_net(sk)), TcpExt_OfoPruned);
	tp->ooo_last_skb = NULL;
	tp->rx_opt.num_sacks = 0;
	tp->rx_opt.dsack = 0;
	return true;
}

/* Linux's tcp_clamp_window(): grow the buffer while memory allows. */
static void xs_tcp_clamp_window(struct sock *sk)
{
	int rmem = atomic_read(&sk->sk_rmem_alloc);

	if (sk->sk_rcvbuf < READ_ONCE(xs_tcp_table(sk)->sysctl_rmem[2]) &&
	    !(sk->sk_userlocks & SOCK_RCVBUF_LOCK) && !xs_tcp_mem_tight(sk))
		WRITE_ONCE(sk->sk_rcvbuf,
			   min(rmem, READ_ONCE(xs_tcp_table(sk)->sysctl_rmem[2])));
}

static bool xs_tcp_rmem_fits(struct sock *sk, struct sk_buff *skb)
{
	return atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf) &&
	       sk_rmem_schedule(sk, skb, skb->truesize);
}

/* Linux's tcp_prune_queue(), without collapsing: 0 when @skb fits now. */
static int xs_tcp_prune_queue(struct sock *sk, const struct sk_buff *in_skb)
{
	struct xs_net *xn = xs_net(sock_net(sk));

	XS_INC(xn, TcpExt_PruneCalled);
	if (atomic_read(&sk->sk_rmem_alloc) >= sk->sk_rcvbuf)
		xs_tcp_clamp_window(sk);
	sk_mem_reclaim(sk);
	if (atomic_read(&sk->sk_rmem_alloc) <= sk->sk_rcvbuf)
		return 0;
	xs_tcp_prune_ofo(sk, in_skb);
	if (atomic_read(&sk->sk_rmem_alloc) <= sk->sk_rcvbuf)
		return 0;
	XS_INC(xn, TcpExt_RcvPruned);
	return -ENOMEM;
}

/**
 * xs_tcp_rmem_schedule - make room for a received segment
 * @sk: the socket
 * @skb: the segment, not yet charged
 *
 * Linux's tcp_try_rmem_schedule(): within the buffer and the protocol's
 * memory, or after pruning.
 *
 * Return: true when @skb may be queued.
 */
bool xs_tcp_rmem_schedule(struct sock *sk, struct sk_buff *skb)
{
	if (xs_tcp_rmem_fits(sk, skb))
		return true;
	if (xs_tcp_prune_queue(sk, skb))
		return false;
	while (!xs_tcp_rmem_fits(sk, skb)) {
		if (!xs_tcp_prune_ofo(sk, skb))
			return false;
	}
	return true;
}

static int xs_tcp_sockstat_show(struct seq_file *seq, void *v)
{
	struct xs_tcp_table *t = xs_net(seq_file_single_net(seq))->tcp;

	seq_printf(seq, "TCP: inuse %d orphan %lld tw %d alloc %lld mem %ld pressure %d\n",
		   atomic_read(&t->inuse),
		   percpu_counter_sum_positive(&xs_tcp_orphan_count),
		   atomic_read(&t->tw_count),
		   percpu_counter_sum_positive(&xs_tcp_sockets_allocated),
		   proto_memory_allocated(&xs_tcp_prot),
		   !!READ_ONCE(xs_tcp_memory_pressure));
	return 0;
}

/**
 * xs_tcp_mem_net_init - /proc/net/xstack/sockstat of a namespace
 * @xn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int xs_tcp_mem_net_init(struct xs_net *xn)
{
	if (unlikely(!proc_create_net_single("sockstat", 0444, xn->proc_dir,
					     xs_tcp_sockstat_show, NULL)))
		return -ENOMEM;
	return 0;
}

/**
 * xs_tcp_mem_net_exit - undo xs_tcp_mem_net_init()
 * @xn: namespace state
 */
void xs_tcp_mem_net_exit(struct xs_net *xn)
{
	remove_proc_entry("sockstat", xn->proc_dir);
}

/**
 * xs_tcp_mem_init - the limits from the machine's memory, the counters
 *
 * Linux's tcp_init_mem() and tcp_max_orphans defaults.
 *
 * Return: 0 or -ENOMEM.
 */
int xs_tcp_mem_init(void)
{
	unsigned long limit = max(nr_free_buffer_pages() / 16, 128UL);
	int err;

	xs_tcp_mem[0] = limit / 4 * 3;
	xs_tcp_mem[1] = limit;
	xs_tcp_mem[2] = xs_tcp_mem[0] * 2;
	/* Linux: half its established-table size, a slot per 128 KiB. */
	xs_tcp_max_orphans = clamp_t(unsigned long,
				     nr_free_buffer_pages() / 64, 128, INT_MAX);
	err = percpu_counter_init(&xs_tcp_sockets_allocated, 0, GFP_KERNEL);
	if (unlikely(err))
		goto err_sockets;
	err = percpu_counter_init(&xs_tcp_orphan_count, 0, GFP_KERNEL);
	if (unlikely(err))
		goto err_orphans;
	return 0;

err_orphans:
	percpu_counter_destroy(&xs_tcp_sockets_allocated);
err_sockets:
	return err;
}

/**
 * xs_tcp_mem_exit - undo xs_tcp_mem_init()
 */
void xs_tcp_mem_exit(void)
{
	percpu_counter_destroy(&xs_tcp_orphan_count);
	percpu_counter_destroy(&xs_tcp_sockets_allocated);
}
