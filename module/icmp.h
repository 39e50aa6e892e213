/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP (RFC 792, RFC 1122 3.2.2) and ping socket interfaces.
 */
#ifndef _XSTACK_ICMP_H
#define _XSTACK_ICMP_H

#include <linux/skbuff.h>

struct xs_net;
struct xs_l4_proto;

extern const struct xs_l4_proto xs_icmp_l4;

int xs_icmp_net_init(struct xs_net *xn);
void xs_icmp_net_exit(struct xs_net *xn);

/*
 * Send an ICMP error about @in (data at its IP header, as received) to
 * its source, subject to RFC 1122 3.2.2 rules and rate limits. Does not
 * consume @in. Context: softirq or process.
 */
void xs_icmp_send(struct xs_net *xn, struct sk_buff *in, u8 type, u8 code,
		  __be32 info);
/*
 * A locally generated datagram could not be sent (e.g. its neighbour did
 * not resolve): report the error to the sending socket as if the ICMP
 * error had arrived (skb->data at the IP header). Does not consume.
 */
void xs_icmp_local_error(struct xs_net *xn, struct sk_buff *skb, u8 type,
			 u8 code);

#endif /* _XSTACK_ICMP_H */
