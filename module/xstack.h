/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xstack internal interfaces: per-netns state, attached devices and their
 * IPv4 addresses, and the entry points each module file offers the others.
 *
 * Locking overview (details at each declaration):
 *  - Configuration (attach, detach, address changes, device events) runs
 *    under RTNL. Writers of the device and address lists hold RTNL.
 *  - Readers on the packet path and netlink dumps walk the same lists
 *    under rcu_read_lock(); objects are freed after a grace period.
 */
#ifndef _XSTACK_H
#define _XSTACK_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#define XS_ADDRS_PER_DEV_DEFAULT	256
#define XS_ADDRS_PER_DEV_MAX		4096

/**
 * struct xs_net - xstack state of one network namespace
 * @net: the namespace
 * @devs: attached devices (struct xs_dev); RCU list, written under RTNL
 * @cfg_seq: bumped on every configuration change (under RTNL), so that
 *	multi-part netlink dumps can flag NLM_F_DUMP_INTR
 * @proc_dir: /proc/net/xstack
 * @sysctl_hdr: net.xstack.* table of this namespace
 * @sysctl_addrs_per_dev: net.xstack.addrs_per_dev, max addresses a device
 * @sysctl_ip_default_ttl: net.xstack.ip_default_ttl
 * @sysctl_ip_no_pmtu_disc: net.xstack.ip_no_pmtu_disc (0: set DF)
 * @sysctl_local_ports: net.xstack.ip_local_port_range, low in [0] and
 *	high in [1] (RFC 6056 ephemeral ports), written as a pair
 * @sysctl_unpriv_port: net.xstack.ip_unprivileged_port_start
 * @mib: per-cpu counters (stats.h)
 * @route: routing table and PMTU cache (route.c)
 * @neigh: neighbour cache (arp.c)
 * @frag: reassembly queues (ip_frag.c)
 * @icmp: ICMP rate limits (icmp.c)
 * @ping: ping socket table (ping.c)
 * @igmp: IGMP sysctls (igmp.c)
 * @udp: UDP port table (udp.c)
 * @tcp: TCP tables and settings (tcp_table.c, tcp.c)
 * @loopback: internal loopback of datagrams to our own addresses
 *	(ip_output.c)
 */
struct xs_net {
	struct net *net;
	struct list_head devs;
	unsigned int cfg_seq;
	struct proc_dir_entry *proc_dir;
	struct ctl_table_header *sysctl_hdr;
	int sysctl_addrs_per_dev;
	int sysctl_ip_default_ttl;
	int sysctl_ip_no_pmtu_disc;
	int sysctl_local_ports[2];
	int sysctl_unpriv_port;
	struct xs_mib __percpu *mib;
	struct xs_route_table *route;
	struct xs_neigh_table *neigh;
	struct xs_frag_table *frag;
	struct xs_icmp_state *icmp;
	struct xs_ping_table *ping;
	struct xs_igmp_net *igmp;
	struct xs_udp_table *udp;
	struct xs_tcp_table *tcp;
	struct xs_loopback *loopback;
};

/**
 * struct xs_dev - a net_device attached to xstack
 * @dev: the device; a tracked reference is held while attached
 * @dev_tracker: reference tracker of @dev
 * @xn: namespace state the device belongs to
 * @list: entry in xn->devs (RCU, written under RTNL)
 * @addrs: IPv4 addresses (struct xs_ifaddr); RCU list, written under RTNL
 * @naddrs: number of entries in @addrs (RTNL)
 * @mtu: device MTU, refreshed on NETDEV_CHANGEMTU
 * @noarp: L3 device without link-layer header, or IFF_NOARP: no ARP
 * @mc: multicast groups joined on the device (igmp.c), created on the
 *	first join; RCU, written under RTNL
 * @rcu: deferred free
 */
struct xs_dev {
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	struct xs_net *xn;
	struct list_head list;
	struct list_head addrs;
	unsigned int naddrs;
	unsigned int mtu;
	bool noarp;
	struct xs_mc_dev __rcu *mc;
	struct rcu_head rcu;
};

/**
 * struct xs_ifaddr - an IPv4 address of an attached device
 * @list: entry in xd->addrs (RCU, written under RTNL)
 * @xd: owning device
 * @local: the address
 * @mask: network mask derived from @prefixlen
 * @broadcast: directed broadcast, 0 for /31 and /32
 * @prefixlen: 0..32
 * @lnode: entry in the namespace's local address hash (route.c)
 * @rcu: deferred free
 */
struct xs_ifaddr {
	struct list_head list;
	struct rhash_head lnode;
	struct xs_dev *xd;
	__be32 local;
	__be32 mask;
	__be32 broadcast;
	u8 prefixlen;
	struct rcu_head rcu;
};

/* main.c */
extern int xs_family;
struct xs_net *xs_net(const struct net *net);

/* af_xstack.c */
int xs_af_init(void);
void xs_af_exit(void);

/* dev.c */
int xs_dev_init(void);
void xs_dev_exit(void);
void xs_dev_net_exit(struct xs_net *xn);
int xs_dev_attach(struct xs_net *xn, struct net_device *dev,
		  struct netlink_ext_ack *extack);
int xs_dev_detach(struct xs_net *xn, struct net_device *dev,
		  struct netlink_ext_ack *extack);
struct xs_dev *xs_dev_get_rtnl(const struct net_device *dev);
bool xs_dev_noarp(const struct net_device *dev);

/* addr.c */
__be32 xs_prefix_mask(unsigned int prefixlen);
bool xs_addr_is_host_unicast(__be32 addr);
int xs_addr_add(struct xs_dev *xd, __be32 local, unsigned int prefixlen,
		struct netlink_ext_ack *extack);
int xs_addr_del(struct xs_dev *xd, __be32 local, int prefixlen,
		struct netlink_ext_ack *extack);
void xs_addr_flush(struct xs_dev *xd);
void xs_ifaddr_init(struct xs_ifaddr *ifa, __be32 local,
		    unsigned int prefixlen);

/* netlink.c */
extern struct genl_family xs_genl_family;
int xs_nl_dump_done(struct sk_buff *skb, int err, long idx, long start);
int xs_netlink_init(void);
void xs_netlink_exit(void);
struct net_device *xs_nl_dev(struct net *net, struct nlattr **attrs,
			     struct netlink_ext_ack *extack);
struct xs_dev *xs_nl_xdev(struct net *net, struct nlattr **attrs,
			  struct netlink_ext_ack *extack);

/* proc.c */
void xs_local_port_range(const struct xs_net *xn, int *low, int *high);
int xs_proc_net_init(struct xs_net *xn);
void xs_proc_net_exit(struct xs_net *xn);
int xs_sysctl_net_init(struct xs_net *xn);
void xs_sysctl_net_exit(struct xs_net *xn);
struct ctl_table_header *xs_sysctl_register(struct xs_net *xn,
					    const char *path,
					    const struct ctl_table *tmpl,
					    size_t n, void *base);
void xs_sysctl_unregister(struct ctl_table_header *hdr);

/*
 * Sysctl templates passed to xs_sysctl_register() hold in .data the
 * offset of each field within the subsystem's per-netns structure.
 */
#define XS_SYSCTL_OFF(type, field) ((void *)offsetof(type, field))

/* selftest/ */
int xs_selftests_run(void);
int xs_addr_selftest(void);
int xs_stats_selftest(void);
int xs_igmp_selftest(void);
int xs_arp_selftest(void);
int xs_frag_selftest(void);

#endif /* _XSTACK_H */
