// SPDX-License-Identifier: GPL-2.0
/*
 * Socket-layer helpers shared by every xstack socket type: sockaddr_in
 * parsing (AF_INET or AF_XSTACK in sin_family, so programs that believe
 * they hold AF_INET sockets keep working), getsockname/getpeername,
 * SOL_IP options, received-datagram control messages, and the error
 * queue of IP_RECVERR (struct sock_extended_err plus the offender).
 *
 * Every xstack socket starts with struct inet_sock, so these helpers use
 * its fields (uc_ttl, tos, pmtudisc, inet_flags) with their usual meaning.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/inet_sock.h>
#include <net/route.h>
#include <net/sock.h>

#include "route.h"
#include "sock.h"
#include "xstack.h"

/**
 * xs_sock_parse_addr - validate a user sockaddr_in
 * @uaddr: user address (already copied to the kernel)
 * @len: its length
 * @sin: the parsed address
 *
 * Return: 0, -EINVAL (too short) or -EAFNOSUPPORT (other family).
 */
int xs_sock_parse_addr(const struct sockaddr *uaddr, int len,
		       struct sockaddr_in *sin)
{
	if (len < (int)sizeof(*sin))
		return -EINVAL;
	memcpy(sin, uaddr, sizeof(*sin));
	if (sin->sin_family != AF_INET && sin->sin_family != xs_family)
		return -EAFNOSUPPORT;
	return 0;
}

/**
 * xs_sock_parse_bind_addr - validate the address of bind(2)
 * @uaddr: user address
 * @len: its length
 * @sin: the parsed address
 *
 * As Linux, AF_UNSPEC is accepted when the address is INADDR_ANY.
 *
 * Return: 0, -EINVAL or -EAFNOSUPPORT.
 */
int xs_sock_parse_bind_addr(const struct sockaddr *uaddr, int len,
			    struct sockaddr_in *sin)
{
	if (len < (int)sizeof(*sin))
		return -EINVAL;
	memcpy(sin, uaddr, sizeof(*sin));
	if (sin->sin_family == AF_INET || sin->sin_family == xs_family)
		return 0;
	if (sin->sin_family == AF_UNSPEC &&
	    sin->sin_addr.s_addr == htonl(INADDR_ANY))
		return 0;
	return -EAFNOSUPPORT;
}

/**
 * xs_sock_getname - getsockname(2) and getpeername(2)
 * @sock: the socket
 * @uaddr: where the address goes
 * @peer: 0 for the local address, 1 for the peer
 *
 * Addresses are reported as AF_INET, as an AF_INET socket would.
 *
 * Return: the address length, or -ENOTCONN for an unconnected peer.
 */
int xs_sock_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, uaddr);
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	lock_sock(sk);
	if (peer) {
		if (!inet->inet_dport ||
		    (((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT)) &&
		     peer == 1)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		sin->sin_port = inet->inet_dport;
		sin->sin_addr.s_addr = inet->inet_daddr;
	} else {
		sin->sin_port = inet->inet_sport;
		sin->sin_addr.s_addr = inet->inet_rcv_saddr;
	}
	release_sock(sk);
	return sizeof(*sin);
}

/**
 * xs_sock_destruct - free what a closed socket still queues
 * @sk: the socket, at its final free
 *
 * Datagrams nobody read and queued errors (the role of Linux's
 * inet_sock_destruct() for its sockets).
 */
void xs_sock_destruct(struct sock *sk)
{
	__skb_queue_purge(&sk->sk_receive_queue);
	__skb_queue_purge(&sk->sk_error_queue);
}

/**
 * xs_sock_init_ip - IP-level defaults of a new socket
 * @sk: the socket
 */
void xs_sock_init_ip(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);

	inet->uc_ttl = -1;
	inet->mc_ttl = 1;
	inet_set_bit(MC_LOOP, sk);
	inet_set_bit(MC_ALL, sk);
	inet->pmtudisc = READ_ONCE(xs_net(sock_net(sk))->sysctl_ip_no_pmtu_disc) ?
			 IP_PMTUDISC_DONT : IP_PMTUDISC_WANT;
}

/**
 * xs_sock_ttl - the TTL a socket's unicast datagrams carry
 * @sk: the socket
 *
 * Return: IP_TTL, or 0 for net.xstack.ip_default_ttl.
 */
u8 xs_sock_ttl(const struct sock *sk)
{
	int ttl = READ_ONCE(inet_sk(sk)->uc_ttl);

	return ttl < 0 ? 0 : ttl;
}

static int xs_ip_set_flag(struct sock *sk, int optname, int val)
{
	switch (optname) {
	case IP_RECVERR:
		inet_assign_bit(RECVERR, sk, val);
		if (!val)
			skb_queue_purge(&sk->sk_error_queue);
		return 0;
	case IP_RECVTTL:
		inet_assign_bit(TTL, sk, val);
		return 0;
	case IP_RECVTOS:
		inet_assign_bit(TOS, sk, val);
		return 0;
	case IP_PKTINFO:
		inet_assign_bit(PKTINFO, sk, val);
		return 0;
	case IP_RECVOPTS:
		inet_assign_bit(RECVOPTS, sk, val);
		return 0;
	case IP_RETOPTS:
		/*
		 * Accepted (iputils ping sets it on its ping socket), but
		 * no IP_RETOPTS message is delivered: xstack has no
		 * ip_options_echo() to reverse received options.
		 */
		inet_assign_bit(RETOPTS, sk, val);
		return 0;
	}
	return -ENOPROTOOPT;
}

/*
 * IP_MULTICAST_IF takes struct ip_mreqn, struct ip_mreq or an in_addr
 * (as Linux): an interface index, or one of our addresses, or INADDR_ANY
 * to go back to routing.
 */
static int xs_ip_set_mcast_if(struct sock *sk, sockptr_t optval,
			      unsigned int optlen)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	struct inet_sock *inet = inet_sk(sk);
	struct ip_mreqn mreq = {};
	struct xs_ifaddr *ifa;
	int ifindex = 0;

	if (sk->sk_type == SOCK_STREAM)
		return -EINVAL;
	if (optlen >= sizeof(struct ip_mreqn)) {
		if (copy_from_sockptr(&mreq, optval, sizeof(mreq)))
			return -EFAULT;
	} else if (optlen >= sizeof(struct in_addr)) {
		if (copy_from_sockptr(&mreq.imr_address, optval,
				      sizeof(struct in_addr)))
			return -EFAULT;
	} else {
		return -EINVAL;
	}
	if (!mreq.imr_ifindex && mreq.imr_address.s_addr == htonl(INADDR_ANY)) {
		inet->mc_index = 0;
		inet->mc_addr = 0;
		return 0;
	}
	rcu_read_lock();
	if (mreq.imr_ifindex) {
		ifindex = dev_get_by_index_rcu(sock_net(sk), mreq.imr_ifindex) ?
			  mreq.imr_ifindex : 0;
	} else {
		ifa = xs_addr_lookup_rcu(xn, mreq.imr_address.s_addr);
		if (ifa)
			ifindex = ifa->xd->dev->ifindex;
	}
	rcu_read_unlock();
	if (!ifindex)
		return -EADDRNOTAVAIL;
	if (sk->sk_bound_dev_if && ifindex != sk->sk_bound_dev_if)
		return -EINVAL;
	inet->mc_index = ifindex;
	inet->mc_addr = mreq.imr_address.s_addr;
	return 0;
}

/**
 * xs_ip_setsockopt - SOL_IP options common to xstack sockets
 * @sk: the socket
 * @optname: IP_*
 * @optval: user value (int, or a byte for some options as Linux allows)
 * @optlen: its length
 *
 * Return: 0, -EINVAL, -EFAULT or -ENOPROTOOPT.
 */
int xs_ip_setsockopt(struct sock *sk, int optname, sockptr_t optval,
		     unsigned int optlen)
{
	struct inet_sock *inet = inet_sk(sk);
	int val = 0;

	if (optlen >= sizeof(int)) {
		if (copy_from_sockptr(&val, optval, sizeof(val)))
			return -EFAULT;
	} else if (optlen >= sizeof(char)) {
		unsigned char ucval;

		if (copy_from_sockptr(&ucval, optval, sizeof(ucval)))
			return -EFAULT;
		val = ucval;
	} else {
		return -EINVAL;
	}

	switch (optname) {
	case IP_TTL:
		if (optlen < 1)
			return -EINVAL;
		if (val != -1 && (val < 1 || val > 255))
			return -EINVAL;
		WRITE_ONCE(inet->uc_ttl, val);
		return 0;
	case IP_TOS:
		/* The ECN bits belong to the transport (RFC 3168 6.1.1). */
		if (sk->sk_type == SOCK_STREAM)
			val = (val & ~INET_ECN_MASK) | (inet->tos & INET_ECN_MASK);
		WRITE_ONCE(inet->tos, val);
		WRITE_ONCE(sk->sk_priority, rt_tos2priority(val));
		return 0;
	case IP_MTU_DISCOVER:
		if (val < IP_PMTUDISC_DONT || val > IP_PMTUDISC_OMIT)
			return -EINVAL;
		WRITE_ONCE(inet->pmtudisc, val);
		return 0;
	case IP_MULTICAST_TTL:
		if (sk->sk_type == SOCK_STREAM)
			return -EINVAL;
		if (val == -1)
			val = 1;
		if (val < 0 || val > 255)
			return -EINVAL;
		WRITE_ONCE(inet->mc_ttl, val);
		return 0;
	case IP_MULTICAST_LOOP:
		inet_assign_bit(MC_LOOP, sk, val);
		return 0;
	case IP_MULTICAST_ALL:
		if (val != 0 && val != 1)
			return -EINVAL;
		inet_assign_bit(MC_ALL, sk, val);
		return 0;
	case IP_MULTICAST_IF:
		return xs_ip_set_mcast_if(sk, optval, optlen);
	}
	return xs_ip_set_flag(sk, optname, val);
}

static int xs_ip_get_value(struct sock *sk, int optname, int *val)
{
	struct inet_sock *inet = inet_sk(sk);

	switch (optname) {
	case IP_TTL:
		*val = READ_ONCE(inet->uc_ttl);
		if (*val < 0)
			*val = READ_ONCE(xs_net(sock_net(sk))->sysctl_ip_default_ttl);
		return 0;
	case IP_TOS:
		*val = READ_ONCE(inet->tos);
		return 0;
	case IP_MTU_DISCOVER:
		*val = READ_ONCE(inet->pmtudisc);
		return 0;
	case IP_RECVERR:
		*val = inet_test_bit(RECVERR, sk);
		return 0;
	case IP_RECVTTL:
		*val = inet_test_bit(TTL, sk);
		return 0;
	case IP_RECVTOS:
		*val = inet_test_bit(TOS, sk);
		return 0;
	case IP_PKTINFO:
		*val = inet_test_bit(PKTINFO, sk);
		return 0;
	case IP_RECVOPTS:
		*val = inet_test_bit(RECVOPTS, sk);
		return 0;
	case IP_RETOPTS:
		*val = inet_test_bit(RETOPTS, sk);
		return 0;
	case IP_MULTICAST_TTL:
		*val = READ_ONCE(inet->mc_ttl);
		return 0;
	case IP_MULTICAST_LOOP:
		*val = inet_test_bit(MC_LOOP, sk);
		return 0;
	case IP_MULTICAST_ALL:
		*val = inet_test_bit(MC_ALL, sk);
		return 0;
	}
	return -ENOPROTOOPT;
}

static int xs_ip_get_mcast_if(struct sock *sk, char __user *optval,
			      int __user *optlen, int len)
{
	struct in_addr addr = { .s_addr = inet_sk(sk)->mc_addr };

	len = min_t(unsigned int, len, sizeof(addr));
	if (put_user(len, optlen) || copy_to_user(optval, &addr, len))
		return -EFAULT;
	return 0;
}

/**
 * xs_ip_getsockopt - read SOL_IP options common to xstack sockets
 * @sk: the socket
 * @optname: IP_*
 * @optval: user buffer
 * @optlen: user length in, length written out
 *
 * Like Linux, a buffer shorter than an int receives one byte.
 *
 * Return: 0, -EINVAL, -EFAULT or -ENOPROTOOPT.
 */
int xs_ip_getsockopt(struct sock *sk, int optname, char __user *optval,
		     int __user *optlen)
{
	int val, len, err;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (optname == IP_MULTICAST_IF)
		return xs_ip_get_mcast_if(sk, optval, optlen, len);
	err = xs_ip_get_value(sk, optname, &val);
	if (err)
		return err;
	if (len < (int)sizeof(int) && len > 0 && val >= 0 && val <= 255) {
		unsigned char ucval = val;

		len = 1;
		if (put_user(len, optlen) || copy_to_user(optval, &ucval, 1))
			return -EFAULT;
		return 0;
	}
	len = min_t(unsigned int, sizeof(int), len);
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/**
 * xs_icmp_errno - the errno an ICMP error means for a socket
 * @type: ICMP type
 * @code: ICMP code
 * @fatal: set when the error is hard (RFC 1122 4.2.3.9)
 *
 * Return: a negative errno, or 0 for messages that carry no error.
 */
int xs_icmp_errno(u8 type, u8 code, bool *fatal)
{
	*fatal = false;
	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code == ICMP_FRAG_NEEDED)
			return -EMSGSIZE;
		if (code > NR_ICMP_UNREACH)
			return 0;
		*fatal = icmp_err_convert[code].fatal;
		return -icmp_err_convert[code].errno;
	case ICMP_TIME_EXCEEDED:
		return -EHOSTUNREACH;
	case ICMP_PARAMETERPROB:
		*fatal = true;
		return -EPROTO;
	}
	return 0;
}

/**
 * xs_sock_queue_err - queue an extended error for IP_RECVERR
 * @sk: the socket
 * @skb: the offending datagram, data at the part to show the user
 *	(read only)
 * @err: errno
 * @origin: SO_EE_ORIGIN_ICMP or SO_EE_ORIGIN_LOCAL
 * @type: ICMP type
 * @code: ICMP code
 * @info: ICMP info (next-hop MTU)
 * @offender: who reported the error
 * @daddr: destination of the offending datagram (reported in msg_name)
 * @port: destination port of the offending datagram (msg_name)
 * @payload: bytes of @skb to copy
 *
 * Drops silently when out of memory or over the socket's receive buffer.
 */
void xs_sock_queue_err(struct sock *sk, struct sk_buff *skb, int err,
		       u8 origin, u8 type, u8 code, u32 info,
		       __be32 offender, __be32 daddr, __be16 port,
		       unsigned int payload)
{
	struct sock_exterr_skb *serr;
	struct sk_buff *eskb;
	struct iphdr *iph;

	if (!inet_test_bit(RECVERR, sk))
		return;
	payload = min(payload, skb->len);
	eskb = alloc_skb(sizeof(*iph) + payload, GFP_ATOMIC);
	if (unlikely(!eskb))
		return;
	/* A header carrying the offender and the destination, as Linux. */
	iph = skb_put_zero(eskb, sizeof(*iph));
	iph->saddr = offender;
	iph->daddr = daddr;
	skb_reset_network_header(eskb);
	__skb_pull(eskb, sizeof(*iph));
	if (skb_copy_bits(skb, 0, skb_put(eskb, payload), payload))
		goto drop;

	serr = SKB_EXT_ERR(eskb);
	memset(serr, 0, sizeof(*serr));
	serr->ee.ee_errno = err;
	serr->ee.ee_origin = origin;
	serr->ee.ee_type = type;
	serr->ee.ee_code = code;
	serr->ee.ee_info = info;
	serr->addr_offset = offsetof(struct iphdr, daddr);
	serr->port = port;
	if (sock_queue_err_skb(sk, eskb))
		goto drop;
	return;

drop:
	kfree_skb(eskb);
}

/**
 * xs_sock_local_err - queue a locally detected error for IP_RECVERR
 * @sk: the socket
 * @err: positive errno
 * @daddr: destination of the failed send
 * @port: its destination port
 * @info: ee_info (the MTU for EMSGSIZE)
 *
 * As Linux's ip_local_error(): origin SO_EE_ORIGIN_LOCAL, no payload.
 */
void xs_sock_local_err(struct sock *sk, int err, __be32 daddr, __be16 port,
		       u32 info)
{
	struct sk_buff *skb;

	if (!inet_test_bit(RECVERR, sk))
		return;
	skb = alloc_skb(0, GFP_ATOMIC);
	if (unlikely(!skb))
		return;
	xs_sock_queue_err(sk, skb, err, SO_EE_ORIGIN_LOCAL, 0, 0, info,
			  inet_sk(sk)->inet_saddr, daddr, port, 0);
	kfree_skb(skb);
}

/**
 * xs_sock_recv_err - recvmsg(MSG_ERRQUEUE)
 * @sk: the socket
 * @msg: user message
 * @len: user buffer size
 * @addr_len: set to the length of msg_name when filled
 *
 * Return: bytes copied, or -EAGAIN when the queue is empty.
 */
int xs_sock_recv_err(struct sock *sk, struct msghdr *msg, int len,
		     int *addr_len)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, msg->msg_name);
	struct {
		struct sock_extended_err ee;
		struct sockaddr_in offender;
	} errhdr;
	struct sock_exterr_skb *serr;
	struct sk_buff *skb;
	int copied, err;

	skb = sock_dequeue_err_skb(sk);
	if (!skb)
		return -EAGAIN;
	copied = skb->len;
	if (copied > len) {
		msg->msg_flags |= MSG_TRUNC;
		copied = len;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (unlikely(err)) {
		kfree_skb(skb);
		return err;
	}
	serr = SKB_EXT_ERR(skb);
	if (sin) {
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = ip_hdr(skb)->daddr;
		sin->sin_port = serr->port;
		*addr_len = sizeof(*sin);
	}
	memset(&errhdr, 0, sizeof(errhdr));
	errhdr.ee = serr->ee;
	errhdr.offender.sin_family = AF_INET;
	errhdr.offender.sin_addr.s_addr = ip_hdr(skb)->saddr;
	put_cmsg(msg, SOL_IP, IP_RECVERR, sizeof(errhdr), &errhdr);
	msg->msg_flags |= MSG_ERRQUEUE;
	consume_skb(skb);
	return copied;
}

/*
 * IP_PKTINFO's ipi_spec_dst: the address a reply would come from, i.e.
 * the destination if it is ours, else (broadcast, multicast) the source
 * address routing picks on the receiving device (Linux's
 * fib_compute_spec_dst()).
 */
static __be32 xs_sock_spec_dst(struct sock *sk, struct sk_buff *skb)
{
	struct xs_net *xn = xs_net(sock_net(sk));
	const struct iphdr *iph = ip_hdr(skb);
	__be32 spec = iph->daddr;
	struct xs_rt rt;

	rcu_read_lock();
	if (!xs_addr_lookup_rcu(xn, iph->daddr) &&
	    !xs_route_output(xn, iph->saddr, 0, skb->skb_iif, &rt))
		spec = rt.src;
	rcu_read_unlock();
	return spec;
}

/**
 * xs_sock_recv_cmsgs - IP_PKTINFO/IP_RECVTTL/IP_RECVTOS/IP_RECVOPTS messages
 * @msg: user message
 * @sk: the receiving socket
 * @skb: the datagram; its network header is the IPv4 header
 */
void xs_sock_recv_cmsgs(struct msghdr *msg, struct sock *sk,
			struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (inet_test_bit(PKTINFO, sk)) {
		struct in_pktinfo info = {};

		info.ipi_ifindex = skb->skb_iif;
		info.ipi_spec_dst.s_addr = xs_sock_spec_dst(sk, skb);
		info.ipi_addr.s_addr = iph->daddr;
		put_cmsg(msg, SOL_IP, IP_PKTINFO, sizeof(info), &info);
	}
	if (inet_test_bit(TTL, sk)) {
		int ttl = iph->ttl;

		put_cmsg(msg, SOL_IP, IP_TTL, sizeof(ttl), &ttl);
	}
	if (inet_test_bit(TOS, sk)) {
		u8 tos = iph->tos;

		put_cmsg(msg, SOL_IP, IP_TOS, sizeof(tos), &tos);
	}
	/* The options as received, when there are any (as Linux). */
	if (inet_test_bit(RECVOPTS, sk) && iph->ihl > 5)
		put_cmsg(msg, SOL_IP, IP_RECVOPTS, iph->ihl * 4 - sizeof(*iph),
			 (void *)(iph + 1));
}

/**
 * xs_sock_sol_socket - SOL_SOCKET options of UDP and TCP sockets
 * @sock: the socket (it carries SOCK_CUSTOM_SOCKOPT)
 * @optname: SO_*
 * @optval: user value
 * @optlen: its length
 *
 * The core refuses SO_REUSEPORT for families other than AF_INET and
 * AF_INET6, so our sockets take SOL_SOCKET themselves: SO_REUSEPORT is
 * set here, everything else goes on to the core unchanged.
 *
 * Return: 0 or a negative errno.
 */
int xs_sock_sol_socket(struct socket *sock, int optname, sockptr_t optval,
		       unsigned int optlen)
{
	int val;

	if (optname != SO_REUSEPORT)
		return sock_setsockopt(sock, SOL_SOCKET, optname, optval,
				       optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sock->sk);
	sock->sk->sk_reuseport = !!val;
	release_sock(sock->sk);
	return 0;
}
