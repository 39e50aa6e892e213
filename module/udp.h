/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UDP sockets (RFC 768, RFC 1122 4.1): socket(AF_XSTACK, SOCK_DGRAM, 0).
 */
#ifndef _XSTACK_UDP_H
#define _XSTACK_UDP_H

#include <linux/net.h>

struct xs_net;
struct xs_l4_proto;

extern struct proto xs_udp_prot;
extern const struct proto_ops xs_udp_ops;
extern const struct xs_l4_proto xs_udp_l4;

int xs_udp_net_init(struct xs_net *xn);
void xs_udp_net_exit(struct xs_net *xn);

#endif /* _XSTACK_UDP_H */
