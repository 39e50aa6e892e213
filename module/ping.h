/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ping sockets: socket(AF_XSTACK, SOCK_DGRAM, IPPROTO_ICMP).
 */
#ifndef _XSTACK_PING_H
#define _XSTACK_PING_H

#include <linux/net.h>
#include <linux/skbuff.h>

struct xs_net;

extern struct proto xs_ping_prot;
extern const struct proto_ops xs_ping_ops;

int xs_ping_net_init(struct xs_net *xn);
void xs_ping_net_exit(struct xs_net *xn);
/* An echo reply (skb->data at the ICMP header). Consumes. */
void xs_ping_rcv(struct xs_net *xn, struct sk_buff *skb);
/* An ICMP error about one of our echoes (data at the embedded header). */
void xs_ping_err(struct xs_net *xn, struct sk_buff *skb, u8 type, u8 code,
		 u32 info);

#endif /* _XSTACK_PING_H */
