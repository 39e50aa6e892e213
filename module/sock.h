/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Socket-layer helpers shared by every xstack socket type: address
 * parsing, getsockname/getpeername, IP-level socket options, and the
 * error queue (IP_RECVERR).
 */
#ifndef _XSTACK_SOCK_H
#define _XSTACK_SOCK_H

#include <linux/in.h>
#include <linux/net.h>
#include <net/sock.h>

struct xs_net;

int xs_sock_parse_addr(const struct sockaddr *uaddr, int len,
		       struct sockaddr_in *sin);
int xs_sock_parse_bind_addr(const struct sockaddr *uaddr, int len,
			    struct sockaddr_in *sin);
int xs_sock_getname(struct socket *sock, struct sockaddr *uaddr, int peer);
void xs_sock_init_ip(struct sock *sk);
void xs_sock_destruct(struct sock *sk);
int xs_ip_setsockopt(struct sock *sk, int optname, sockptr_t optval,
		     unsigned int optlen);
int xs_ip_getsockopt(struct sock *sk, int optname, char __user *optval,
		     int __user *optlen);
void xs_sock_queue_err(struct sock *sk, struct sk_buff *skb, int err,
		       u8 origin, u8 type, u8 code, u32 info,
		       __be32 offender, __be32 daddr, __be16 port,
		       unsigned int payload);
void xs_sock_local_err(struct sock *sk, int err, __be32 daddr, __be16 port,
		       u32 info);
int xs_sock_recv_err(struct sock *sk, struct msghdr *msg, int len,
		     int *addr_len);
int xs_icmp_errno(u8 type, u8 code, bool *fatal);
void xs_sock_recv_cmsgs(struct msghdr *msg, struct sock *sk,
			struct sk_buff *skb);
u8 xs_sock_ttl(const struct sock *sk);
int xs_sock_sol_socket(struct socket *sock, int optname, sockptr_t optval,
		       unsigned int optlen);

#endif /* _XSTACK_SOCK_H */
