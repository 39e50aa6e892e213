/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4 input, output, fragmentation and reassembly interfaces, and the
 * table of transport protocols that IPv4 delivers to.
 */
#ifndef _XSTACK_IP_H
#define _XSTACK_IP_H

#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct xs_net;
struct xs_dev;
struct xs_rt;

/**
 * struct xs_l4_proto - a transport protocol IPv4 delivers to
 * @rcv: a datagram for us; skb->data at the transport header,
 *	transport and network headers set; consumes the skb. Context:
 *	softirq, rcu_read_lock held.
 * @err: an ICMP error about a datagram we sent; skb->data at the
 *	embedded IPv4 header (at least its header plus 8 bytes present);
 *	does not consume. @info is the next-hop MTU for fragmentation
 *	needed, else 0.
 */
struct xs_l4_proto {
	int (*rcv)(struct xs_net *xn, struct sk_buff *skb);
	void (*err)(struct xs_net *xn, struct sk_buff *skb, u8 type, u8 code,
		    u32 info);
};

/* Frame of type ETH_P_IP from the rx handler (see xs_arp_rx()). */
rx_handler_result_t xs_ip_rx(struct xs_dev *xd, struct sk_buff *skb);
/* A datagram this host sent to itself (internal loopback). Consumes. */
void xs_ip_loopback_rcv(struct xs_net *xn, struct sk_buff *skb);
int xs_loopback_net_init(struct xs_net *xn);
void xs_loopback_net_exit(struct xs_net *xn);
/* A complete datagram for this host (after reassembly). Consumes. */
void xs_ip_local_deliver(struct xs_net *xn, struct sk_buff *skb);
/* ICMP error dispatch to the transport that sent the embedded datagram. */
void xs_ip_deliver_err(struct xs_net *xn, struct sk_buff *skb, u8 type,
		       u8 code, u32 info);

/**
 * struct xs_ip_tx - how to send one datagram
 * @saddr: source, or 0 to let the route choose
 * @daddr: destination
 * @protocol: IPPROTO_*
 * @tos: TOS byte (DSCP and ECN)
 * @ttl: time to live, or 0 for net.xstack.ip_default_ttl
 * @pmtudisc: IP_PMTUDISC_*: DO and PROBE set DF and never fragment
 *	locally; WANT sets DF when the datagram fits the path MTU and
 *	fragments it otherwise; DONT never sets DF
 * @broadcast_ok: the sender may send to broadcast (SO_BROADCAST)
 * @ttl_exact: use @ttl even when 0 (IP_MULTICAST_TTL 0)
 * @mc_loop: loop multicast back to local members (IP_MULTICAST_LOOP)
 * @router_alert: add the IP Router Alert option (RFC 2113; IGMP)
 * @oif: bound device index or 0
 * @mark: skb->mark
 * @priority: skb->priority
 */
struct xs_ip_tx {
	__be32 saddr;
	__be32 daddr;
	u8 protocol;
	u8 tos;
	u8 ttl;
	u8 pmtudisc;
	bool broadcast_ok;
	bool ttl_exact;
	bool mc_loop;
	bool router_alert;
	int oif;
	u32 mark;
	u32 priority;
};

/*
 * Route, prepend the IPv4 header and send. skb->data at the transport
 * header, with LL_MAX_HEADER + sizeof(struct iphdr) of headroom; skb->sk
 * may be set (errors for it surface through its protocol's err hook).
 * Consumes @skb. Returns 0 or -ENETUNREACH, -EHOSTUNREACH, -EMSGSIZE,
 * -ENOBUFS, -EACCES (broadcast without @broadcast_ok), -EADDRNOTAVAIL.
 */
int xs_ip_send(struct xs_net *xn, struct sk_buff *skb,
	       const struct xs_ip_tx *tx);
/* xs_ip_send() along a route the caller looked up. RCU held. Consumes. */
int xs_ip_send_routed(struct xs_net *xn, struct sk_buff *skb,
		      const struct xs_ip_tx *tx, const struct xs_rt *rt);
/* Send a datagram whose IPv4 header is built, along route @rt. */
int xs_ip_output(struct xs_net *xn, struct sk_buff *skb,
		 const struct xs_rt *rt);

/* Fragmentation and reassembly (ip_frag.c). */
int xs_frag_net_init(struct xs_net *xn);
void xs_frag_net_exit(struct xs_net *xn);
/*
 * Queue a fragment (MF set or offset != 0; skb->data at the IP header,
 * header validated, trimmed to tot_len). Returns the reassembled datagram
 * (linear IP header, data at the IP header, tot_len and checksum fixed)
 * when it is complete, else NULL: the fragment was queued or dropped and
 * counted. Context: softirq.
 */
struct sk_buff *xs_ip_defrag(struct xs_net *xn, struct sk_buff *skb);
/*
 * Split a datagram (data at the IP header, DF clear) into fragments of
 * at most @mtu bytes and pass each to @out. Consumes @skb. Returns 0 or
 * the first error of @out or of allocation.
 */
int xs_ip_fragment(struct xs_net *xn, struct sk_buff *skb, unsigned int mtu,
		   int (*out)(struct xs_net *xn, struct sk_buff *skb,
			      const void *ctx),
		   const void *ctx);

#endif /* _XSTACK_IP_H */
