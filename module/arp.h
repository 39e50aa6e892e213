/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ARP (RFC 826) and the neighbour cache: interfaces for the IPv4 output
 * path, the rx handler, address changes and netlink.
 */
#ifndef _XSTACK_ARP_H
#define _XSTACK_ARP_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>

struct xs_net;
struct xs_dev;
struct xs_ifaddr;

int xs_arp_net_init(struct xs_net *xn);
void xs_arp_net_exit(struct xs_net *xn);

/*
 * Frame of type ETH_P_ARP on an attached Ethernet device, from the rx
 * handler (softirq, rcu_read_lock held). Returns RX_HANDLER_CONSUMED when
 * the frame was xstack's (it is then consumed), RX_HANDLER_PASS when it
 * belongs to the native stack (skb untouched, except that xstack may have
 * learned from a copy).
 */
rx_handler_result_t xs_arp_rx(struct xs_dev *xd, struct sk_buff *skb);

/*
 * Transmit an IPv4 packet (skb->data at the IP header, skb->protocol set)
 * to @nexthop on Ethernet device @xd: resolve, add the link-layer header
 * and dev_queue_xmit(), or queue it on the unresolved entry. Always
 * consumes @skb. Context: any (BH may be enabled or disabled), RCU held.
 * Returns 0 (sent or queued), -EHOSTUNREACH (entry FAILED, dropped),
 * -ENOBUFS (queue or table full, dropped) or a dev_queue_xmit() error.
 */
int xs_neigh_output(struct xs_dev *xd, __be32 nexthop, struct sk_buff *skb);

/*
 * Upper-layer reachability confirmation (RFC 1122 2.3.2.1 "link-layer
 * advice", RFC 4861 7.3.1): forward progress with @nexthop, e.g. a TCP
 * ACK for new data, keeps its entry REACHABLE without probing. Context:
 * any.
 */
void xs_neigh_confirm(struct xs_dev *xd, __be32 nexthop);

/* Gratuitous ARP announcement (RFC 5227 2.3) of a new address. RTNL. */
void xs_arp_announce(struct xs_ifaddr *ifa);
/* Device down or detached: flush its entries and queued packets. RTNL. */
void xs_neigh_dev_down(struct xs_dev *xd);

/* Generic netlink handlers (netlink.c lists them in its ops table). */
int xs_nl_neigh_add(struct sk_buff *skb, struct genl_info *info);
int xs_nl_neigh_del(struct sk_buff *skb, struct genl_info *info);
int xs_nl_neigh_dump(struct sk_buff *skb, struct netlink_callback *cb);
int xs_nl_neigh_flush(struct sk_buff *skb, struct genl_info *info);

#endif /* _XSTACK_ARP_H */
