// SPDX-License-Identifier: GPL-2.0
/*
 * UDP (RFC 768, RFC 1122 4.1) for socket(AF_XSTACK, SOCK_DGRAM, 0): the
 * per-namespace port table, bind with Linux's sharing rules and RFC 6056
 * ephemeral ports, receive with checksum verification, lookup with
 * Linux's precedence (connected and bound-address sockets before
 * wildcards) and SO_REUSEPORT spreading, multicast and broadcast fan-out,
 * ICMP errors (ECONNREFUSED, EMSGSIZE, ... and IP_RECVERR), send with
 * CHECKSUM_PARTIAL, and the socket calls.
 *
 * Locking: the port table is written under its spinlock (bind, unhash)
 * and read under RCU; sockets are freed after a grace period
 * (SOCK_RCU_FREE) and looked up with a reference. Socket state is
 * changed under the socket lock.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/capability.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/jhash.h>
#include <linux/proc_fs.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sockios.h>
#include <linux/udp.h>
#include <asm/ioctls.h>
#include <net/checksum.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/sock.h>

#include <linux/xstack.h>
#include "icmp.h"
#include "igmp.h"
#include "ip.h"
#include "route.h"
#include "sock.h"
#include "stats.h"
#include "udp.h"
#include "xstack.h"

#define XS_UDP_HASH_BITS	12
#define XS_UDP_HASH_SIZE	BIT(XS_UDP_HASH_BITS)
#define XS_UDP_MAX_PAYLOAD	(0xFFFF - sizeof(struct iphdr) - \
				 sizeof(struct udphdr))
#define XS_UDP_LINEAR_MAX	2048	/* larger payloads go to page frags */

/**
 * struct xs_udp_sock - an xstack UDP socket
 * @inet: addresses, ports and IP options (struct inet_sock layout)
 * @mc_list: multicast memberships (igmp.c)
 */
struct xs_udp_sock {
	struct inet_sock inet;
	struct xs_mc_socklist __rcu *mc_list;
};

static struct xs_udp_sock *xs_udp_sk(const struct sock *sk)
{
	return (struct xs_udp_sock *)sk;
}

/**
 * struct xs_udp_table - UDP sockets of a namespace
 * @lock: serialises writers of @hash
 * @hash: bound sockets by local port (RCU hlists of sk_node)
 */
struct xs_udp_table {
	spinlock_t lock;	/* serialises writers of @hash */
	struct hlist_head hash[XS_UDP_HASH_SIZE];
};

static struct hlist_head *xs_udp_bucket(struct xs_udp_table *t, u16 port)
{
	return &t->hash[hash_32(port, XS_UDP_HASH_BITS)];
}

/* Binding rules */

/*
 * Two sockets may share a port unless their addresses and devices
 * overlap and neither SO_REUSEADDR on both nor SO_REUSEPORT on both by
 * the same user allows it (Linux's udp_lib_lport_inuse()).
 */
static bool xs_udp_conflict(const struct sock *a, const struct sock *b)
{
	if (a == b || a->sk_num != b->sk_num)
		return false;
	if (a->sk_rcv_saddr && b->sk_rcv_saddr &&
	    a->sk_rcv_saddr != b->sk_rcv_saddr)
		return false;
	if (a->sk_bound_dev_if && b->sk_bound_dev_if &&
	    a->sk_bound_dev_if != b->sk_bound_dev_if)
		return false;
	if (a->sk_reuse && b->sk_reuse)
		return false;
	if (a->sk_reuseport && b->sk_reuseport &&
	    uid_eq(sock_i_uid((struct sock *)a), sock_i_uid((struct sock *)b)))
		return false;
	return true;
}

static bool xs_udp_port_free(struct xs_udp_table *t, struct sock *sk, u16 port)
{
	struct sock *other;

	sk->sk_num = port;
	sk_for_each(other, xs_udp_bucket(t, port))
		if (xs_udp_conflict(sk, other))
			return false;
	return true;
}

/* RFC 6056 3.3.1 (Algorithm 1): random start, then linear probing. */
static u16 xs_udp_pick_port(struct xs_net *xn, struct xs_udp_table *t,
			    struct sock *sk)
{
	int low, high;
	u32 range, off, i;

	xs_local_port_range(xn, &low, &high);
	range = high - low + 1;
	off = get_random_u32_below(range);
	for (i = 0; i < range; i++) {
		u16 port = low + (off + i) % range;

		if (xs_udp_port_free(t, sk, port))
			return port;
	}
	return 0;
}

static int xs_udp_get_port(struct sock *sk, unsigned short snum)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct xs_udp_table *t = xn->udp;
	int err = 0;

	spin_lock_bh(&t->lock);
	if (!snum)
		snum = xs_udp_pick_port(xn, t, sk);
	else if (!xs_udp_port_free(t, sk, snum))
		snum = 0;
	if (snum) {
		sk->sk_num = snum;
		inet_sk(sk)->inet_sport = htons(snum);
		sk_add_node_rcu(sk, xs_udp_bucket(t, snum));
		sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	} else {
		sk->sk_num = 0;
		err = -EADDRINUSE;
	}
	spin_unlock_bh(&t->lock);
	return err;
}

static void xs_udp_unhash(struct sock *sk)
{
	struct xs_udp_table *t = xs_net(sock_net(sk))->udp;

	spin_lock_bh(&t->lock);
	if (sk_del_node_init_rcu(sk)) {
		sk->sk_num = 0;
		inet_sk(sk)->inet_sport = 0;
		sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	}
	spin_unlock_bh(&t->lock);
}

static int xs_udp_hash(struct sock *sk)
{
	return 0;	/* sockets are hashed by xs_udp_get_port() */
}

/* Lookup */

struct xs_udp_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	int dif;
};

/* Linux's compute_score(): more specific sockets win. -1: no match. */
static int xs_udp_score(const struct sock *sk, const struct xs_udp_key *k)
{
	int score = 0;

	if (sk->sk_num != ntohs(k->dport))
		return -1;
	if (sk->sk_rcv_saddr) {
		if (sk->sk_rcv_saddr != k->daddr)
			return -1;
		score += 4;
	}
	if (sk->sk_daddr) {
		if (sk->sk_daddr != k->saddr)
			return -1;
		score += 4;
	}
	if (sk->sk_dport) {
		if (sk->sk_dport != k->sport)
			return -1;
		score += 4;
	}
	if (sk->sk_bound_dev_if) {
		if (sk->sk_bound_dev_if != k->dif)
			return -1;
		score += 4;
	}
	return score;
}

static struct sock *xs_udp_reuseport_pick(struct hlist_head *head,
					  const struct xs_udp_key *k,
					  int best, unsigned int n)
{
	u32 pick = jhash_3words((__force u32)k->saddr, (__force u32)k->daddr,
				(__force u32)k->sport << 16 |
				(__force u32)k->dport, 0) % n;
	struct sock *sk;

	sk_for_each_rcu(sk, head)
		if (sk->sk_reuseport && xs_udp_score(sk, k) == best &&
		    !pick--)
			return sk;
	return NULL;
}

/* The one socket a unicast datagram goes to, with a reference. RCU. */
static struct sock *xs_udp_lookup(struct xs_net *xn, const struct xs_udp_key *k)
{
	struct hlist_head *head = xs_udp_bucket(xn->udp, ntohs(k->dport));
	struct sock *sk, *result = NULL;
	unsigned int reuse = 0;
	int score, best = -1;

	sk_for_each_rcu(sk, head) {
		score = xs_udp_score(sk, k);
		if (score > best) {
			best = score;
			result = sk;
			reuse = 0;
		}
		if (score == best && sk->sk_reuseport)
			reuse++;
	}
	/* SO_REUSEPORT: spread flows over the group by their 4-tuple. */
	if (result && result->sk_reuseport && reuse > 1)
		result = xs_udp_reuseport_pick(head, k, best, reuse) ?: result;
	if (result && !refcount_inc_not_zero(&result->sk_refcnt))
		result = NULL;
	return result;
}

/* Receive */

static int xs_udp_queue(struct xs_net *xn, struct sock *sk, struct sk_buff *skb)
{
	int err = sock_queue_rcv_skb(sk, skb);

	if (unlikely(err < 0)) {
		if (err == -ENOMEM)
			XS_INC(xn, Udp_RcvbufErrors);
		XS_INC(xn, Udp_InErrors);
		kfree_skb(skb);
		return err;
	}
	XS_INC(xn, Udp_InDatagrams);
	return 0;
}

/* Whether @sk takes a multicast or broadcast datagram (Linux's rules). */
static bool xs_udp_mcast_match(struct sock *sk, const struct xs_udp_key *k,
			       bool mcast)
{
	if (sk->sk_num != ntohs(k->dport))
		return false;
	if (sk->sk_daddr && sk->sk_daddr != k->saddr)
		return false;
	if (sk->sk_dport && sk->sk_dport != k->sport)
		return false;
	if (sk->sk_rcv_saddr && sk->sk_rcv_saddr != k->daddr)
		return false;
	if (sk->sk_bound_dev_if && sk->sk_bound_dev_if != k->dif)
		return false;
	if (!mcast)
		return true;
	/* IP_MULTICAST_ALL (default on) takes groups joined by anyone. */
	return xs_mc_sock_member(&xs_udp_sk(sk)->mc_list, k->daddr, k->dif,
				 k->saddr) || inet_test_bit(MC_ALL, sk);
}

/* Every matching socket gets a copy (RFC 1122 4.1.3.5 multicast fan-out). */
static void xs_udp_mcast_deliver(struct xs_net *xn, struct sk_buff *skb,
				 const struct xs_udp_key *k, bool mcast)
{
	struct hlist_head *head = xs_udp_bucket(xn->udp, ntohs(k->dport));
	struct sock *sk, *prev = NULL;
	struct sk_buff *copy;

	sk_for_each_rcu(sk, head) {
		if (!xs_udp_mcast_match(sk, k, mcast))
			continue;
		if (prev) {
			copy = skb_clone(skb, GFP_ATOMIC);
			if (unlikely(!copy)) {
				XS_INC(xn, Udp_InErrors);
				XS_INC(xn, Udp_MemErrors);
			} else {
				xs_udp_queue(xn, prev, copy);
			}
		}
		prev = sk;
	}
	if (prev) {
		xs_udp_queue(xn, prev, skb);
	} else {
		XS_INC(xn, Udp_IgnoredMulti);
		consume_skb(skb);
	}
}

/* RFC 768: length and checksum; a zero checksum means none was sent. */
static int xs_udp_validate(struct xs_net *xn, struct sk_buff *skb)
{
	const struct udphdr *uh;
	unsigned int ulen;

	if (unlikely(!pskb_may_pull(skb, sizeof(*uh))))
		goto err;
	uh = udp_hdr(skb);
	ulen = ntohs(uh->len);
	if (unlikely(ulen < sizeof(*uh) || ulen > skb->len))
		goto err;
	if (unlikely(pskb_trim_rcsum(skb, ulen)))
		goto err;
	uh = udp_hdr(skb);
	if (!uh->check) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		return 0;
	}
	if (unlikely(skb_checksum_init(skb, IPPROTO_UDP, inet_compute_pseudo)))
		goto err_csum;
	if (!skb_csum_unnecessary(skb) && unlikely(__skb_checksum_complete(skb)))
		goto err_csum;
	return 0;

err_csum:
	XS_INC(xn, Udp_InCsumErrors);
err:
	XS_INC(xn, Udp_InErrors);
	return -EINVAL;
}

static int xs_udp_rcv(struct xs_net *xn, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct xs_udp_key k;
	struct sock *sk;

	if (xs_udp_validate(xn, skb)) {
		kfree_skb(skb);
		return 0;
	}
	k.saddr = iph->saddr;
	k.daddr = iph->daddr;
	k.sport = udp_hdr(skb)->source;
	k.dport = udp_hdr(skb)->dest;
	k.dif = skb->skb_iif;
	__skb_pull(skb, sizeof(struct udphdr));

	if (ipv4_is_multicast(k.daddr) || skb->pkt_type == PACKET_BROADCAST ||
	    skb->pkt_type == PACKET_MULTICAST) {
		xs_udp_mcast_deliver(xn, skb, &k, ipv4_is_multicast(k.daddr));
		return 0;
	}
	sk = xs_udp_lookup(xn, &k);
	if (!sk) {
		XS_INC(xn, Udp_NoPorts);
		__skb_push(skb, sizeof(struct udphdr));
		xs_icmp_send(xn, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
		kfree_skb(skb);
		return 0;
	}
	xs_udp_queue(xn, sk, skb);
	sock_put(sk);
	return 0;
}

/*
 * ICMP error about a datagram we sent (RFC 1122 4.1.3.3): reported to a
 * connected socket or, with IP_RECVERR, to any socket; hard errors only
 * without IP_RECVERR, as Linux.
 */
static void xs_udp_err(struct xs_net *xn, struct sk_buff *skb, u8 type,
		       u8 code, u32 info)
{
	const struct iphdr *inner = (const struct iphdr *)skb->data;
	const struct udphdr *uh = (const void *)skb->data + inner->ihl * 4;
	struct xs_udp_key k = {
		.saddr = inner->daddr,
		.daddr = inner->saddr,
		.sport = uh->dest,
		.dport = uh->source,
	};
	struct sock *sk;
	bool fatal;
	int err;

	err = -xs_icmp_errno(type, code, &fatal);
	if (!err)
		return;
	sk = xs_udp_lookup(xn, &k);
	if (!sk)
		return;
	if (err == EMSGSIZE) {
		/* The PMTU cache already learned; an error only for DF users. */
		if (inet_sk(sk)->pmtudisc == IP_PMTUDISC_DONT)
			goto out;
		fatal = true;
	}
	if (inet_test_bit(RECVERR, sk)) {
		unsigned int off = inner->ihl * 4 + sizeof(*uh);

		__skb_pull(skb, off);
		xs_sock_queue_err(sk, skb, err, SO_EE_ORIGIN_ICMP, type, code,
				  info, ip_hdr(skb)->saddr, inner->daddr,
				  uh->dest, skb->len);
		__skb_push(skb, off);
	} else if (!fatal || sk->sk_state != TCP_ESTABLISHED) {
		goto out;
	}
	WRITE_ONCE(sk->sk_err, err);
	sk_error_report(sk);
out:
	sock_put(sk);
}

const struct xs_l4_proto xs_udp_l4 = {
	.rcv = xs_udp_rcv,
	.err = xs_udp_err,
};

/* Socket calls */

static int xs_udp_init(struct sock *sk)
{
	if (sk->sk_socket)
		set_bit(SOCK_CUSTOM_SOCKOPT, &sk->sk_socket->flags);
	xs_sock_init_ip(sk);
	sock_set_flag(sk, SOCK_RCU_FREE);
	return 0;
}

static void xs_udp_destroy(struct sock *sk)
{
	xs_mc_sock_drop_all(sk, &xs_udp_sk(sk)->mc_list);
}

/* Which addresses bind(2) accepts: ours, broadcast, multicast, any. */
static int xs_udp_bind_addr_ok(struct sock *sk, __be32 addr, bool *local)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	const struct xs_dev *xd;
	int err = -EADDRNOTAVAIL;

	*local = false;
	if (addr == htonl(INADDR_ANY))
		return 0;
	if (ipv4_is_multicast(addr) || addr == htonl(INADDR_BROADCAST))
		return 0;
	rcu_read_lock();
	if (xs_addr_lookup_rcu(xn, addr)) {
		*local = true;
		err = 0;
	} else {
		list_for_each_entry_rcu(xd, &xn->devs, list)
			if (xs_addr_is_broadcast_rcu(xd, addr))
				err = 0;
	}
	rcu_read_unlock();
	return err;
}

static int xs_udp_bind_locked(struct sock *sk, const struct sockaddr_in *sin)
{
	struct inet_sock *inet = inet_sk(sk);
	u16 port = ntohs(sin->sin_port);
	bool local;
	int err;

	err = xs_udp_bind_addr_ok(sk, sin->sin_addr.s_addr, &local);
	if (err)
		return err;
	if (port && port < READ_ONCE(xs_net(sock_net(sk))->sysctl_unpriv_port) &&
	    !ns_capable(sock_net(sk)->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	if (sk->sk_state != TCP_CLOSE || sk->sk_num)
		return -EINVAL;

	sk->sk_rcv_saddr = sin->sin_addr.s_addr;
	inet->inet_saddr = local ? sin->sin_addr.s_addr : 0;
	err = xs_udp_get_port(sk, port);
	if (err) {
		sk->sk_rcv_saddr = 0;
		inet->inet_saddr = 0;
		return err;
	}
	if (sin->sin_addr.s_addr)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	return 0;
}

static int xs_udp_bind(struct socket *sock, struct sockaddr *uaddr,
		       int addr_len)
{
	struct sockaddr_in sin;
	int err;

	err = xs_sock_parse_bind_addr(uaddr, addr_len, &sin);
	if (err)
		return err;
	lock_sock(sock->sk);
	err = xs_udp_bind_locked(sock->sk, &sin);
	release_sock(sock->sk);
	return err;
}

/* Linux's inet_autobind(): no free ephemeral port is EAGAIN. */
static int xs_udp_autobind(struct sock *sk)
{
	if (sk->sk_num)
		return 0;
	return xs_udp_get_port(sk, 0) ? -EAGAIN : 0;
}

/* Linux's udp_disconnect(): forget the peer, and unlocked bindings. */
static int xs_udp_disconnect(struct sock *sk, int flags)
{
	struct inet_sock *inet = inet_sk(sk);

	sk->sk_state = TCP_CLOSE;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	WRITE_ONCE(sk->sk_bound_dev_if, 0);
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_saddr = 0;
		sk->sk_rcv_saddr = 0;
	}
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
		xs_udp_unhash(sk);
	return 0;
}

static int xs_udp_connect_locked(struct sock *sk, const struct sockaddr_in *sin)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct inet_sock *inet = inet_sk(sk);
	struct xs_rt rt;
	int oif = sk->sk_bound_dev_if;
	int err;

	if (ipv4_is_multicast(sin->sin_addr.s_addr) && inet->mc_index)
		oif = inet->mc_index;
	rcu_read_lock();
	err = xs_route_output(xn, sin->sin_addr.s_addr, inet->inet_saddr, oif,
			      &rt);
	rcu_read_unlock();
	if (err)
		return err;
	if (rt.type == XSTACK_RT_BROADCAST && !sock_flag(sk, SOCK_BROADCAST))
		return -EACCES;
	if (!inet->inet_saddr)
		inet->inet_saddr = rt.src;
	if (!sk->sk_rcv_saddr)
		sk->sk_rcv_saddr = rt.src;
	err = xs_udp_autobind(sk);
	if (err)
		return err;
	inet->inet_daddr = sin->sin_addr.s_addr;
	inet->inet_dport = sin->sin_port;
	sk->sk_state = TCP_ESTABLISHED;
	return 0;
}

static int xs_udp_connect(struct socket *sock, struct sockaddr *uaddr,
			  int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	struct sockaddr_in sin;
	int err;

	if (addr_len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;
	if (uaddr->sa_family == AF_UNSPEC) {
		lock_sock(sk);
		xs_udp_disconnect(sk, 0);
		release_sock(sk);
		return 0;
	}
	err = xs_sock_parse_addr(uaddr, addr_len, &sin);
	if (err)
		return err;
	lock_sock(sk);
	err = xs_udp_connect_locked(sk, &sin);
	release_sock(sk);
	return err;
}

/* Send */

/**
 * struct xs_udp_cork - one datagram's addressing
 * @tx: IPv4 parameters
 * @dport: destination port
 */
struct xs_udp_cork {
	struct xs_ip_tx tx;
	__be16 dport;
};

static int xs_udp_cmsg(struct sock *sk, struct msghdr *msg,
		       struct xs_udp_cork *c)
{
	struct cmsghdr *cmsg;
	struct in_pktinfo *info;
	int val;

	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level == SOL_SOCKET) {
			/* SO_MARK, SO_PRIORITY, timestamps: core semantics. */
			continue;
		}
		if (cmsg->cmsg_level != SOL_IP)
			continue;
		switch (cmsg->cmsg_type) {
		case IP_PKTINFO:
			if (cmsg->cmsg_len != CMSG_LEN(sizeof(*info)))
				return -EINVAL;
			info = (struct in_pktinfo *)CMSG_DATA(cmsg);
			if (info->ipi_ifindex)
				c->tx.oif = info->ipi_ifindex;
			if (info->ipi_spec_dst.s_addr)
				c->tx.saddr = info->ipi_spec_dst.s_addr;
			break;
		case IP_TTL:
			if (cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
				return -EINVAL;
			val = *(int *)CMSG_DATA(cmsg);
			if (val < 1 || val > 255)
				return -EINVAL;
			c->tx.ttl = val;
			break;
		case IP_TOS:
			if (cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
				val = *(int *)CMSG_DATA(cmsg);
			else if (cmsg->cmsg_len == CMSG_LEN(sizeof(u8)))
				val = *(u8 *)CMSG_DATA(cmsg);
			else
				return -EINVAL;
			if (val < 0 || val > 255)
				return -EINVAL;
			c->tx.tos = val;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static int xs_udp_dest(struct sock *sk, struct msghdr *msg,
		       struct xs_udp_cork *c)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, usin, msg->msg_name);
	struct inet_sock *inet = inet_sk(sk);

	if (usin) {
		if (msg->msg_namelen < (int)sizeof(*usin))
			return -EINVAL;
		if (usin->sin_family != AF_INET &&
		    usin->sin_family != xs_family &&
		    usin->sin_family != AF_UNSPEC)
			return -EAFNOSUPPORT;
		c->tx.daddr = usin->sin_addr.s_addr;
		c->dport = usin->sin_port;
		if (!c->dport)
			return -EINVAL;
		return 0;
	}
	if (sk->sk_state != TCP_ESTABLISHED)
		return -EDESTADDRREQ;
	c->tx.daddr = inet->inet_daddr;
	c->dport = inet->inet_dport;
	return 0;
}

static void xs_udp_cork_init(struct sock *sk, struct xs_udp_cork *c)
{
	struct inet_sock *inet = inet_sk(sk);

	memset(c, 0, sizeof(*c));
	c->tx.saddr = inet->inet_saddr;
	c->tx.protocol = IPPROTO_UDP;
	c->tx.tos = READ_ONCE(inet->tos);
	c->tx.ttl = xs_sock_ttl(sk);
	c->tx.pmtudisc = READ_ONCE(inet->pmtudisc);
	c->tx.broadcast_ok = sock_flag(sk, SOCK_BROADCAST);
	c->tx.oif = READ_ONCE(sk->sk_bound_dev_if);
	c->tx.mark = READ_ONCE(sk->sk_mark);
	c->tx.priority = READ_ONCE(sk->sk_priority);
}

/* Multicast: IP_MULTICAST_IF, IP_MULTICAST_TTL, IP_MULTICAST_LOOP. */
static void xs_udp_cork_mcast(struct sock *sk, struct xs_udp_cork *c)
{
	struct inet_sock *inet = inet_sk(sk);

	if (!ipv4_is_multicast(c->tx.daddr))
		return;
	if (!c->tx.oif)
		c->tx.oif = READ_ONCE(inet->mc_index);
	if (!c->tx.saddr)
		c->tx.saddr = READ_ONCE(inet->mc_addr);
	c->tx.ttl = READ_ONCE(inet->mc_ttl);
	c->tx.ttl_exact = true;		/* IP_MULTICAST_TTL 0 means 0 */
	c->tx.mc_loop = inet_test_bit(MC_LOOP, sk);
}

static struct sk_buff *xs_udp_build(struct sock *sk, struct msghdr *msg,
				    size_t len, const struct xs_udp_cork *c,
				    int *err)
{
	unsigned int hlen = LL_MAX_HEADER + sizeof(struct iphdr) +
			    sizeof(struct udphdr);
	size_t linear = len <= XS_UDP_LINEAR_MAX ? len : 0;
	unsigned int ulen = len + sizeof(struct udphdr);
	struct sk_buff *skb;
	struct udphdr *uh;

	skb = sock_alloc_send_pskb(sk, hlen + linear, len - linear,
				   msg->msg_flags & MSG_DONTWAIT, err,
				   PAGE_ALLOC_COSTLY_ORDER);
	if (!skb)
		return NULL;
	skb_reserve(skb, hlen);
	skb_put(skb, linear);
	skb->data_len = len - linear;
	skb->len += len - linear;
	skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	*err = skb_copy_datagram_from_iter(skb, sizeof(*uh), &msg->msg_iter,
					   len);
	if (unlikely(*err)) {
		kfree_skb(skb);
		return NULL;
	}
	uh = udp_hdr(skb);
	uh->source = inet_sk(sk)->inet_sport;
	uh->dest = c->dport;
	uh->len = htons(ulen);
	uh->check = 0;
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* Once the source is known: the device (or the core) folds the payload. */
static void xs_udp_csum(struct sock *sk, struct sk_buff *skb, __be32 saddr,
			__be32 daddr)
{
	struct udphdr *uh = udp_hdr(skb);

	if (sk->sk_no_check_tx)
		return;
	uh->check = ~csum_tcpudp_magic(saddr, daddr, ntohs(uh->len),
				       IPPROTO_UDP, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct udphdr, check);
}

/* IP_PMTUDISC_DO, PROBE and INTERFACE refuse to fragment locally. */
static bool xs_udp_no_frag(u8 pmtudisc)
{
	return pmtudisc >= IP_PMTUDISC_DO && pmtudisc != IP_PMTUDISC_OMIT;
}

static int xs_udp_send_one(struct sock *sk, struct msghdr *msg, size_t len,
			   struct xs_udp_cork *c)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct sk_buff *skb;
	struct xs_rt rt;
	int err;

	/* Allocation and the copy from user space may sleep: before RCU. */
	skb = xs_udp_build(sk, msg, len, c, &err);
	if (!skb)
		goto out_count;
	rcu_read_lock();
	err = xs_route_output(xn, c->tx.daddr, c->tx.saddr, c->tx.oif, &rt);
	if (err)
		goto out_free;
	if (rt.type == XSTACK_RT_BROADCAST && !c->tx.broadcast_ok) {
		err = -EACCES;
		goto out_free;
	}
	if (xs_udp_no_frag(c->tx.pmtudisc) &&
	    len + sizeof(struct udphdr) + sizeof(struct iphdr) > rt.mtu) {
		err = -EMSGSIZE;
		xs_sock_local_err(sk, -err, c->tx.daddr, c->dport, rt.mtu);
		goto out_free;
	}
	c->tx.saddr = rt.src;
	xs_udp_csum(sk, skb, rt.src, c->tx.daddr);
	err = min(xs_ip_send_routed(xn, skb, &c->tx, &rt), 0);
	rcu_read_unlock();
	goto out_count;

out_free:
	rcu_read_unlock();
	kfree_skb(skb);
out_count:
	if (!err)
		XS_INC(xn, Udp_OutDatagrams);
	else if (err == -ENOBUFS || err == -EAGAIN)
		XS_INC(xn, Udp_SndbufErrors);
	return err;
}

static int xs_udp_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct xs_udp_cork c;
	int err;

	if (len > XS_UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;

	lock_sock(sk);
	/* As inet_sendmsg(): the socket gets its port before anything. */
	err = xs_udp_autobind(sk);
	xs_udp_cork_init(sk, &c);
	if (!err)
		err = xs_udp_dest(sk, msg, &c);
	if (!err && msg->msg_controllen)
		err = xs_udp_cmsg(sk, msg, &c);
	if (!err) {
		xs_udp_cork_mcast(sk, &c);
		err = xs_udp_send_one(sk, msg, len, &c);
	}
	release_sock(sk);
	if (err == -EPIPE && !(msg->msg_flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err ?: len;
}

static int xs_udp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
			  int flags)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, msg->msg_name);
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	unsigned int ulen;
	int copied, err;

	if (flags & MSG_ERRQUEUE)
		return xs_sock_recv_err(sk, msg, len, &msg->msg_namelen);

	/* MSG_OOB means nothing to UDP and is ignored, as Linux. */
	skb = skb_recv_datagram(sk, flags & ~MSG_OOB, &err);
	if (!skb)
		return err;
	ulen = skb->len;
	copied = len;
	if (copied > ulen)
		copied = ulen;
	else if (copied < ulen)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (unlikely(err))
		goto out;
	sock_recv_timestamp(msg, sk, skb);
	if (sin) {
		sin->sin_family = AF_INET;
		sin->sin_port = udp_hdr(skb)->source;
		sin->sin_addr.s_addr = ip_hdr(skb)->saddr;
		memset(sin->sin_zero, 0, sizeof(sin->sin_zero));
		msg->msg_namelen = sizeof(*sin);
	}
	xs_sock_recv_cmsgs(msg, sk, skb);
	err = flags & MSG_TRUNC ? ulen : copied;
out:
	skb_free_datagram(sk, skb);
	return err;
}

static int xs_udp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	sock->sk = NULL;
	sk_common_release(sk);
	return 0;
}

static int xs_udp_setsockopt(struct socket *sock, int level, int optname,
			     sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int err;

	if (level == SOL_SOCKET)
		return xs_sock_sol_socket(sock, optname, optval, optlen);
	if (level != SOL_IP)
		return -ENOPROTOOPT;
	lock_sock(sk);
	err = xs_mc_setsockopt(sk, &xs_udp_sk(sk)->mc_list, optname, optval,
			       optlen);
	if (err == -ENOPROTOOPT)
		err = xs_ip_setsockopt(sk, optname, optval, optlen);
	release_sock(sk);
	return err;
}

/* IP_MTU: the path MTU towards the connected peer, as Linux. */
static int xs_udp_get_mtu(struct sock *sk, char __user *optval,
			  int __user *optlen)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct xs_rt rt;
	int len, val, err;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	lock_sock(sk);
	err = -ENOTCONN;
	if (sk->sk_state == TCP_ESTABLISHED) {
		rcu_read_lock();
		err = xs_route_output(xn, sk->sk_daddr, 0, sk->sk_bound_dev_if,
				      &rt);
		if (!err)
			val = rt.mtu;
		rcu_read_unlock();
	}
	release_sock(sk);
	if (err)
		return err;
	len = min_t(unsigned int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

static int xs_udp_getsockopt(struct socket *sock, int level, int optname,
			     char __user *optval, int __user *optlen)
{
	if (level != SOL_IP)
		return -ENOPROTOOPT;
	if (optname == IP_MTU)
		return xs_udp_get_mtu(sock->sk, optval, optlen);
	return xs_ip_getsockopt(sock->sk, optname, optval, optlen);
}

static int xs_udp_ioctl(struct socket *sock, unsigned int cmd,
			unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	int amount = 0;

	switch (cmd) {
	case SIOCINQ:
		/* The size of the next datagram, as Linux. */
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

/* Linux's inet_shutdown() for datagram sockets. */
static int xs_udp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	how++;	/* SHUT_RD..SHUT_RDWR -> RCV_SHUTDOWN..SHUTDOWN_MASK */
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;
	lock_sock(sk);
	if (sk->sk_state == TCP_CLOSE)
		err = -ENOTCONN;	/* but still wake pollers, as Linux */
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

struct proto xs_udp_prot = {
	.name = "XS_UDP",
	.owner = THIS_MODULE,
	.init = xs_udp_init,
	.destroy = xs_udp_destroy,
	.hash = xs_udp_hash,
	.unhash = xs_udp_unhash,
	.get_port = xs_udp_get_port,
	.disconnect = xs_udp_disconnect,
	.obj_size = sizeof(struct xs_udp_sock),
};

/* af_xstack.c copies it and fills in the family number in force. */
const struct proto_ops xs_udp_ops = {
	.owner = THIS_MODULE,
	.release = xs_udp_release,
	.bind = xs_udp_bind,
	.connect = xs_udp_connect,
	.socketpair = sock_no_socketpair,
	.accept = sock_no_accept,
	.getname = xs_sock_getname,
	.poll = datagram_poll,
	.ioctl = xs_udp_ioctl,
	.listen = sock_no_listen,
	.shutdown = xs_udp_shutdown,
	.setsockopt = xs_udp_setsockopt,
	.getsockopt = xs_udp_getsockopt,
	.sendmsg = xs_udp_sendmsg,
	.recvmsg = xs_udp_recvmsg,
	.mmap = sock_no_mmap,
};

/* /proc/net/xstack/udp in the format of /proc/net/udp. */

static void xs_udp_proc_sock(struct seq_file *seq, struct sock *sk, int slot)
{
	const struct inet_sock *inet = inet_sk(sk);

	seq_printf(seq,
		   "%5d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %u\n",
		   slot, sk->sk_rcv_saddr, ntohs(inet->inet_sport),
		   inet->inet_daddr, ntohs(inet->inet_dport), sk->sk_state,
		   sk_wmem_alloc_get(sk), sk_rmem_alloc_get(sk), 0, 0UL, 0,
		   from_kuid_munged(seq_user_ns(seq), sock_i_uid(sk)), 0,
		   sock_i_ino(sk), refcount_read(&sk->sk_refcnt), sk,
		   atomic_read(&sk->sk_drops));
}

static int xs_udp_proc_show(struct seq_file *seq, void *v)
{
	struct xs_udp_table *t = xs_net(seq_file_single_net(seq))->udp;
	struct sock *sk;
	unsigned int i;

	seq_puts(seq, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
	rcu_read_lock();
	for (i = 0; i < XS_UDP_HASH_SIZE; i++)
		sk_for_each_rcu(sk, &t->hash[i])
			xs_udp_proc_sock(seq, sk, i);
	rcu_read_unlock();
	return 0;
}

/**
 * xs_udp_net_init - UDP port table and /proc/net/xstack/udp of a netns
 * @xn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int xs_udp_net_init(struct xs_net *xn)
{
	struct xs_udp_table *t = kvzalloc(sizeof(*t), GFP_KERNEL);

	if (unlikely(!t))
		return -ENOMEM;
	spin_lock_init(&t->lock);
	if (unlikely(!proc_create_net_single("udp", 0444, xn->proc_dir,
					     xs_udp_proc_show, NULL))) {
		kvfree(t);
		return -ENOMEM;
	}
	xn->udp = t;
	return 0;
}

/**
 * xs_udp_net_exit - free a namespace's UDP table
 * @xn: namespace state (its sockets, which hold the netns, are gone)
 */
void xs_udp_net_exit(struct xs_net *xn)
{
	remove_proc_entry("udp", xn->proc_dir);
	kvfree(xn->udp);
	xn->udp = NULL;
}
