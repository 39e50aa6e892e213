/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP socket diagnostics (tcp_diag.c): the XSTACK_CMD_SOCK_GET dump of
 * a namespace's TCP sockets, requests and TIME-WAIT entries, with
 * TCP_INFO and the congestion control of full sockets ("xsctl sock
 * show", like "ss -tai").
 */
#ifndef _XSTACK_TCP_DIAG_H
#define _XSTACK_TCP_DIAG_H

#include <linux/bits.h>
#include <linux/netlink.h>
#include <net/tcp_states.h>

/* The states XSTACK_A_SOCK_STATES may select, (1 << TCP_*) each. */
#define XS_TCP_DIAG_STATES	GENMASK(TCP_CLOSING, TCP_ESTABLISHED)

int xs_nl_sock_start(struct netlink_callback *cb);
int xs_nl_sock_dump(struct sk_buff *skb, struct netlink_callback *cb);
int xs_nl_sock_done(struct netlink_callback *cb);

#endif /* _XSTACK_TCP_DIAG_H */
