// SPDX-License-Identifier: GPL-2.0
/*
 * Ping sockets: socket(AF_XSTACK, SOCK_DGRAM, IPPROTO_ICMP) with the
 * semantics of Linux ping sockets. The kernel owns the echo identifier
 * (the socket's "port"): the user writes an ICMP echo header plus
 * payload, xstack sets the identifier and checksum, and replies are
 * matched back to the socket by identifier (and bound/connected
 * addresses). Who may create them is net.xstack.ping_group_range.
 *
 * Locking: the per-netns identifier hash is written under its spinlock
 * and read under RCU; sockets are freed after a grace period
 * (SOCK_RCU_FREE) and looked up with a reference.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/cred.h>
#include <linux/icmp.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <linux/ip.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/uidgid.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include <linux/xstack.h>
#include "ip.h"
#include "ping.h"
#include "route.h"
#include "sock.h"
#include "stats.h"
#include "xstack.h"

#define XS_PING_HASH	64

/**
 * struct xs_ping_table - ping sockets of a namespace
 * @lock: serialises writers of @hash
 * @hash: bound sockets by identifier (RCU hlists of sk_node)
 * @group_range: net.xstack.ping_group_range as two kgid values, low in
 *	the low 32 bits (read with READ_ONCE, written whole)
 * @sysctl_hdr: the sysctl
 */
struct xs_ping_table {
	spinlock_t lock;	/* serialises writers of @hash */
	struct hlist_head hash[XS_PING_HASH];
	u64 group_range;
	struct ctl_table_header *sysctl_hdr;
};

static struct hlist_head *xs_ping_bucket(struct xs_ping_table *t, u16 ident)
{
	return &t->hash[ident % XS_PING_HASH];
}

/* Linux's ping_init_sock(): the caller's groups against the range. */
static int xs_ping_may_create(struct net *net)
{
	u64 range = READ_ONCE(xs_net(net)->ping->group_range);
	kgid_t low = KGIDT_INIT((u32)range), high = KGIDT_INIT(range >> 32);
	struct group_info *groups;
	kgid_t group = current_egid();
	int i, err = -EACCES;

	if (gid_lte(low, group) && gid_lte(group, high))
		return 0;
	groups = get_current_groups();
	for (i = 0; i < groups->ngroups; i++) {
		if (gid_lte(low, groups->gid[i]) &&
		    gid_lte(groups->gid[i], high)) {
			err = 0;
			break;
		}
	}
	put_group_info(groups);
	return err;
}

static int xs_ping_init(struct sock *sk)
{
	int err = xs_ping_may_create(sock_net(sk));

	if (err)
		return err;
	xs_sock_init_ip(sk);
	sock_set_flag(sk, SOCK_RCU_FREE);
	return 0;
}

static bool xs_ping_conflict(const struct sock *a, const struct sock *b)
{
	if (a->sk_num != b->sk_num)
		return false;
	if (a->sk_bound_dev_if && b->sk_bound_dev_if &&
	    a->sk_bound_dev_if != b->sk_bound_dev_if)
		return false;
	if (a->sk_rcv_saddr && b->sk_rcv_saddr &&
	    a->sk_rcv_saddr != b->sk_rcv_saddr)
		return false;
	return !(a->sk_reuse && b->sk_reuse);
}

static bool xs_ping_ident_free(struct xs_ping_table *t, struct sock *sk,
			       u16 ident)
{
	struct sock *other;

	sk->sk_num = ident;
	sk_for_each(other, xs_ping_bucket(t, ident))
		if (other != sk && xs_ping_conflict(sk, other))
			return false;
	return true;
}

/* Bind an identifier: @ident, or a random free one when 0. */
static int xs_ping_get_port(struct sock *sk, unsigned short ident)
{
	struct xs_ping_table *t = xs_net(sock_net(sk))->ping;
	u32 tries = 65535, start = get_random_u32_below(65535);
	int err = 0;

	spin_lock_bh(&t->lock);
	if (ident) {
		if (!xs_ping_ident_free(t, sk, ident))
			err = -EADDRINUSE;
	} else {
		do {
			ident = 1 + (start++ % 65535);
		} while (!xs_ping_ident_free(t, sk, ident) && --tries);
		if (!tries)
			err = -EADDRINUSE;
	}
	if (!err) {
		sk->sk_num = ident;
		inet_sk(sk)->inet_sport = htons(ident);
		sk_add_node_rcu(sk, xs_ping_bucket(t, ident));
		sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	} else {
		sk->sk_num = 0;
	}
	spin_unlock_bh(&t->lock);
	return err;
}

static void xs_ping_unhash(struct sock *sk)
{
	struct xs_ping_table *t = xs_net(sock_net(sk))->ping;

	spin_lock_bh(&t->lock);
	if (sk_del_node_init_rcu(sk)) {
		sk->sk_num = 0;
		inet_sk(sk)->inet_sport = 0;
		sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	}
	spin_unlock_bh(&t->lock);
}

static int xs_ping_hash(struct sock *sk)
{
	return 0;	/* sockets are hashed by xs_ping_get_port() */
}

static struct sock *xs_ping_lookup(struct xs_net *xn, u16 ident,
				   __be32 saddr, __be32 daddr, int ifindex)
{
	struct sock *sk;

	sk_for_each_rcu(sk, xs_ping_bucket(xn->ping, ident)) {
		if (sk->sk_num != ident)
			continue;
		if (sk->sk_rcv_saddr && sk->sk_rcv_saddr != daddr)
			continue;
		if (sk->sk_daddr && sk->sk_daddr != saddr)
			continue;
		if (sk->sk_bound_dev_if && sk->sk_bound_dev_if != ifindex)
			continue;
		if (refcount_inc_not_zero(&sk->sk_refcnt))
			return sk;
	}
	return NULL;
}

/**
 * xs_ping_rcv - deliver an echo reply to its ping socket
 * @xn: namespace state
 * @skb: reply, data at the ICMP header
 *
 * Context: softirq, rcu_read_lock held. Consumes @skb.
 */
void xs_ping_rcv(struct xs_net *xn, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct sock *sk;

	sk = xs_ping_lookup(xn, ntohs(icmp_hdr(skb)->un.echo.id), iph->saddr,
			    iph->daddr, skb->skb_iif);
	if (!sk) {
		XS_INC(xn, XsExt_PingSocketNoMatch);
		kfree_skb(skb);
		return;
	}
	if (sock_queue_rcv_skb(sk, skb) < 0) {
		XS_INC(xn, XsExt_PingRcvbufErrors);
		kfree_skb(skb);
	}
	sock_put(sk);
}

/**
 * xs_ping_err - an ICMP error about one of our echo requests
 * @xn: namespace state
 * @skb: error, data at the embedded IPv4 header of our echo
 * @type: ICMP type
 * @code: ICMP code
 * @info: next-hop MTU for fragmentation needed
 *
 * As Linux: with IP_RECVERR the error is queued and reported; without,
 * only hard errors on connected sockets are (RFC 1122 4.1.3.3).
 */
void xs_ping_err(struct xs_net *xn, struct sk_buff *skb, u8 type, u8 code,
		 u32 info)
{
	const struct iphdr *inner = (const struct iphdr *)skb->data;
	const struct icmphdr *echo = (const void *)skb->data + inner->ihl * 4;
	struct sock *sk;
	bool fatal;
	int err;

	err = -xs_icmp_errno(type, code, &fatal);
	if (!err)
		return;
	sk = xs_ping_lookup(xn, ntohs(echo->un.echo.id), inner->daddr,
			    inner->saddr, 0);
	if (!sk)
		return;
	if (inet_test_bit(RECVERR, sk)) {
		__skb_pull(skb, inner->ihl * 4);
		xs_sock_queue_err(sk, skb, err, SO_EE_ORIGIN_ICMP, type, code,
				  info, ip_hdr(skb)->saddr, inner->daddr, 0,
				  skb->len);
		__skb_push(skb, inner->ihl * 4);
	} else if (!fatal || sk->sk_state != TCP_ESTABLISHED) {
		goto out;
	}
	WRITE_ONCE(sk->sk_err, err);
	sk_error_report(sk);
out:
	sock_put(sk);
}

static int xs_ping_check_local(struct sock *sk, __be32 addr)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	int err = 0;

	if (addr == htonl(INADDR_ANY))
		return 0;
	rcu_read_lock();
	if (!xs_addr_lookup_rcu(xn, addr))
		err = -EADDRNOTAVAIL;
	rcu_read_unlock();
	return err;
}

static int xs_ping_bind(struct socket *sock, struct sockaddr *uaddr,
			int addr_len)
{
	struct sock *sk = sock->sk;
	struct sockaddr_in sin;
	int err;

	err = xs_sock_parse_addr(uaddr, addr_len, &sin);
	if (err)
		return err;
	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_num)
		goto out;
	err = xs_ping_check_local(sk, sin.sin_addr.s_addr);
	if (err)
		goto out;
	sk->sk_rcv_saddr = sin.sin_addr.s_addr;
	inet_sk(sk)->inet_saddr = sin.sin_addr.s_addr;
	err = xs_ping_get_port(sk, ntohs(sin.sin_port));
	if (err) {
		sk->sk_rcv_saddr = 0;
		inet_sk(sk)->inet_saddr = 0;
	}
out:
	release_sock(sk);
	return err;
}

static int xs_ping_autobind(struct sock *sk)
{
	return sk->sk_num ? 0 : xs_ping_get_port(sk, 0);
}

static int xs_ping_disconnect(struct sock *sk, int flags)
{
	sk->sk_state = TCP_CLOSE;
	sk->sk_daddr = 0;
	sk->sk_dport = 0;
	return 0;
}

static int xs_ping_connect_locked(struct sock *sk, const struct sockaddr_in *sin)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct xs_rt rt;
	int err;

	rcu_read_lock();
	err = xs_route_output(xn, sin->sin_addr.s_addr, sk->sk_rcv_saddr,
			      sk->sk_bound_dev_if, &rt);
	rcu_read_unlock();
	if (err)
		return err;
	if (rt.type == XSTACK_RT_BROADCAST && !sock_flag(sk, SOCK_BROADCAST))
		return -EACCES;
	err = xs_ping_autobind(sk);
	if (err)
		return err;
	if (!inet_sk(sk)->inet_saddr)
		inet_sk(sk)->inet_saddr = rt.src;
	if (!sk->sk_rcv_saddr)
		sk->sk_rcv_saddr = rt.src;
	sk->sk_daddr = sin->sin_addr.s_addr;
	sk->sk_dport = sin->sin_port;
	sk->sk_state = TCP_ESTABLISHED;
	return 0;
}

static int xs_ping_connect(struct socket *sock, struct sockaddr *uaddr,
			   int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	struct sockaddr_in sin;
	int err;

	if (addr_len >= (int)sizeof(uaddr->sa_family) &&
	    uaddr->sa_family == AF_UNSPEC) {
		lock_sock(sk);
		xs_ping_disconnect(sk, 0);
		release_sock(sk);
		return 0;
	}
	err = xs_sock_parse_addr(uaddr, addr_len, &sin);
	if (err)
		return err;
	lock_sock(sk);
	err = xs_ping_connect_locked(sk, &sin);
	release_sock(sk);
	return err;
}

/* The destination of a send: msg_name, or the connected peer. */
static int xs_ping_dest(struct sock *sk, struct msghdr *msg, __be32 *daddr)
{
	struct sockaddr_in sin;
	int err;

	if (msg->msg_name) {
		err = xs_sock_parse_addr(msg->msg_name, msg->msg_namelen, &sin);
		if (err)
			return err;
		*daddr = sin.sin_addr.s_addr;
		return 0;
	}
	if (sk->sk_state != TCP_ESTABLISHED)
		return -EDESTADDRREQ;
	*daddr = sk->sk_daddr;
	return 0;
}

static struct sk_buff *xs_ping_build(struct sock *sk, struct msghdr *msg,
				     size_t len, int *err)
{
	unsigned int hlen = LL_MAX_HEADER + sizeof(struct iphdr);
	struct icmphdr *icmph;
	struct sk_buff *skb;

	skb = sock_alloc_send_skb(sk, hlen + len, msg->msg_flags & MSG_DONTWAIT,
				  err);
	if (!skb)
		return NULL;
	skb_reserve(skb, hlen);
	if (memcpy_from_msg(skb_put(skb, len), msg, len)) {
		*err = -EFAULT;
		goto err_free;
	}
	skb_reset_transport_header(skb);
	icmph = icmp_hdr(skb);
	/* Linux ping sockets send echo requests only. */
	if (icmph->type != ICMP_ECHO || icmph->code != 0) {
		*err = -EINVAL;
		goto err_free;
	}
	icmph->un.echo.id = inet_sk(sk)->inet_sport;
	icmph->checksum = 0;
	icmph->checksum = csum_fold(csum_partial(skb->data, len, 0));
	return skb;

err_free:
	kfree_skb(skb);
	return NULL;
}

static int xs_ping_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	struct xs_ip_tx tx = {};
	struct sk_buff *skb;
	__be32 daddr;
	int err;

	if (len > 0xFFFF - sizeof(struct iphdr))
		return -EMSGSIZE;
	if (len < sizeof(struct icmphdr))
		return -EINVAL;
	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	lock_sock(sk);
	err = xs_ping_dest(sk, msg, &daddr);
	if (!err)
		err = xs_ping_autobind(sk);
	if (!err) {
		skb = xs_ping_build(sk, msg, len, &err);
		if (skb) {
			tx.saddr = inet->inet_saddr;
			tx.daddr = daddr;
			tx.protocol = IPPROTO_ICMP;
			tx.tos = inet->tos;
			tx.ttl = xs_sock_ttl(sk);
			tx.pmtudisc = inet->pmtudisc;
			tx.broadcast_ok = sock_flag(sk, SOCK_BROADCAST);
			tx.oif = sk->sk_bound_dev_if;
			tx.mark = sk->sk_mark;
			tx.priority = sk->sk_priority;
			XS_INC(xs_net(sock_net(sk)), Icmp_OutMsgs);
			XS_INC(xs_net(sock_net(sk)), Icmp_OutEchos);
			XS_ICMP_OUT(xs_net(sock_net(sk)), ICMP_ECHO);
			err = min(xs_ip_send(xs_net(sock_net(sk)), skb, &tx),
				  0);
		}
	}
	release_sock(sk);
	return err ?: len;
}

static int xs_ping_recvmsg(struct socket *sock, struct msghdr *msg,
			   size_t len, int flags)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, msg->msg_name);
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	int copied, err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return xs_sock_recv_err(sk, msg, len, &msg->msg_namelen);

	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	copied = skb->len;
	if (copied > len) {
		msg->msg_flags |= MSG_TRUNC;
		copied = len;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (err)
		goto out;
	sock_recv_timestamp(msg, sk, skb);
	if (sin) {
		sin->sin_family = AF_INET;
		sin->sin_port = 0;
		sin->sin_addr.s_addr = ip_hdr(skb)->saddr;
		memset(sin->sin_zero, 0, sizeof(sin->sin_zero));
		msg->msg_namelen = sizeof(*sin);
	}
	xs_sock_recv_cmsgs(msg, sk, skb);
	err = copied;
out:
	skb_free_datagram(sk, skb);
	return err;
}

static int xs_ping_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	sock->sk = NULL;
	sk_common_release(sk);
	return 0;
}

static int xs_ping_setsockopt(struct socket *sock, int level, int optname,
			      sockptr_t optval, unsigned int optlen)
{
	int err;

	if (level != SOL_IP)
		return -ENOPROTOOPT;
	lock_sock(sock->sk);
	err = xs_ip_setsockopt(sock->sk, optname, optval, optlen);
	release_sock(sock->sk);
	return err;
}

static int xs_ping_getsockopt(struct socket *sock, int level, int optname,
			      char __user *optval, int __user *optlen)
{
	if (level != SOL_IP)
		return -ENOPROTOOPT;
	return xs_ip_getsockopt(sock->sk, optname, optval, optlen);
}

static int xs_ping_ioctl(struct socket *sock, unsigned int cmd,
			 unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	int amount = 0;

	switch (cmd) {
	case SIOCINQ:
		spin_lock_bh(&sk->sk_receive_queue.lock);
		skb = skb_peek(&sk->sk_receive_queue);
		if (skb)
			amount = skb->len;
		spin_unlock_bh(&sk->sk_receive_queue.lock);
		return put_user(amount, (int __user *)arg);
	case SIOCOUTQ:
		return put_user(sk_wmem_alloc_get(sk), (int __user *)arg);
	}
	return -ENOIOCTLCMD;
}

static int xs_ping_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;

	how++;	/* SHUT_RD..SHUT_RDWR -> RCV_SHUTDOWN..SHUTDOWN_MASK */
	if (how < RCV_SHUTDOWN || how > SHUTDOWN_MASK)
		return -EINVAL;
	lock_sock(sk);
	if (sk->sk_state != TCP_ESTABLISHED) {
		release_sock(sk);
		return -ENOTCONN;
	}
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
	sk->sk_state_change(sk);
	release_sock(sk);
	return 0;
}

struct proto xs_ping_prot = {
	.name = "XS_PING",
	.owner = THIS_MODULE,
	.init = xs_ping_init,
	.hash = xs_ping_hash,
	.unhash = xs_ping_unhash,
	.get_port = xs_ping_get_port,
	.obj_size = sizeof(struct inet_sock),
};

/* af_xstack.c copies it and fills in the family number in force. */
const struct proto_ops xs_ping_ops = {
	.owner = THIS_MODULE,
	.release = xs_ping_release,
	.bind = xs_ping_bind,
	.connect = xs_ping_connect,
	.socketpair = sock_no_socketpair,
	.accept = sock_no_accept,
	.getname = xs_sock_getname,
	.poll = datagram_poll,
	.ioctl = xs_ping_ioctl,
	.listen = sock_no_listen,
	.shutdown = xs_ping_shutdown,
	.setsockopt = xs_ping_setsockopt,
	.getsockopt = xs_ping_getsockopt,
	.sendmsg = xs_ping_sendmsg,
	.recvmsg = xs_ping_recvmsg,
	.mmap = sock_no_mmap,
};

/* net.xstack.ping_group_range: "low high" gids of the caller's userns. */
static int xs_ping_group_range_sysctl(const struct ctl_table *table, int write,
				      void *buffer, size_t *lenp, loff_t *ppos)
{
	struct user_namespace *ns = current_user_ns();
	u64 *range = table->data, cur = READ_ONCE(*range);
	int vals[2];
	struct ctl_table tmp = {
		.data = vals,
		.maxlen = sizeof(vals),
		.mode = table->mode,
		.extra1 = SYSCTL_ZERO,
		.extra2 = SYSCTL_INT_MAX,
	};
	kgid_t low, high;
	int err;

	vals[0] = from_kgid_munged(ns, KGIDT_INIT((u32)cur));
	vals[1] = from_kgid_munged(ns, KGIDT_INIT(cur >> 32));
	/* proc_douintvec_minmax() takes no arrays: ints, 0..INT_MAX. */
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (!write || err)
		return err;
	low = make_kgid(ns, vals[0]);
	high = make_kgid(ns, vals[1]);
	if (!gid_valid(low) || !gid_valid(high))
		return -EINVAL;
	WRITE_ONCE(*range, (u64)__kgid_val(high) << 32 | __kgid_val(low));
	return 0;
}

static const struct ctl_table xs_ping_sysctl[] = {
	{
		.procname = "ping_group_range",
		.data = XS_SYSCTL_OFF(struct xs_ping_table, group_range),
		.maxlen = sizeof(u64),
		.mode = 0644,
		.proc_handler = xs_ping_group_range_sysctl,
	},
};

/**
 * xs_ping_net_init - ping socket table of a namespace
 * @xn: namespace state
 *
 * Everybody may create ping sockets by default (Debian's default for
 * net.ipv4.ping_group_range).
 *
 * Return: 0 or -ENOMEM.
 */
int xs_ping_net_init(struct xs_net *xn)
{
	struct xs_ping_table *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (unlikely(!t))
		return -ENOMEM;
	spin_lock_init(&t->lock);
	t->group_range = (u64)(u32)INT_MAX << 32;
	t->sysctl_hdr = xs_sysctl_register(xn, "net/xstack", xs_ping_sysctl,
					   ARRAY_SIZE(xs_ping_sysctl), t);
	if (unlikely(!t->sysctl_hdr)) {
		kfree(t);
		return -ENOMEM;
	}
	xn->ping = t;
	return 0;
}

/**
 * xs_ping_net_exit - free a namespace's ping table
 * @xn: namespace state (no socket of it is left: each holds the netns)
 */
void xs_ping_net_exit(struct xs_net *xn)
{
	xs_sysctl_unregister(xn->ping->sysctl_hdr);
	kfree(xn->ping);
	xn->ping = NULL;
}
