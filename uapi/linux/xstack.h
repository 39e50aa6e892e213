/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xstack user-visible ABI: the socket family number, socket options and
 * the generic netlink configuration family (commands and attributes).
 *
 * User programs and the tools in tools/ include only this header.
 */
#ifndef _UAPI_LINUX_XSTACK_H
#define _UAPI_LINUX_XSTACK_H

#include <linux/types.h>

/*
 * Default socket family number of AF_XSTACK.
 *
 * sock_register() only accepts numbers below AF_MAX (46 in both 6.1 and
 * 6.12), so xstack must reuse a number that no in-tree family implements.
 * 19 was AF_ECONET: the Acorn Econet protocol was removed from Linux in
 * 3.5 (2012) and nothing in 6.1 or 6.12 registers or autoloads
 * "net-pf-19". Other dead numbers (AF_ASH 18, AF_SNA 22, AF_WANPIPE 25)
 * can be chosen with the module parameter "family"; the number in force
 * is readable at XSTACK_FAMILY_SYSFS.
 */
#define XSTACK_FAMILY_DEFAULT	19
#define XSTACK_FAMILY_SYSFS	"/sys/module/xstack/parameters/family"

/* Generic netlink family. */
#define XSTACK_GENL_NAME	"xstack"
#define XSTACK_GENL_VERSION	1

/**
 * enum xstack_cmd - generic netlink commands
 * @XSTACK_CMD_UNSPEC: unused
 * @XSTACK_CMD_LINK_ATTACH: attach a net_device (XSTACK_A_IFINDEX or _IFNAME)
 * @XSTACK_CMD_LINK_DETACH: detach a net_device
 * @XSTACK_CMD_LINK_GET: show attached devices (dump or one device)
 * @XSTACK_CMD_ADDR_ADD: add XSTACK_A_ADDR/XSTACK_A_PREFIXLEN to a device
 * @XSTACK_CMD_ADDR_DEL: remove an address from a device
 * @XSTACK_CMD_ADDR_GET: show addresses (dump, optionally of one device)
 * @XSTACK_CMD_ROUTE_ADD: add a route (DST, DST_LEN, GATEWAY and/or device,
 *	METRIC, PREFSRC)
 * @XSTACK_CMD_ROUTE_DEL: delete a route (DST, DST_LEN; METRIC, GATEWAY and
 *	device narrow the match)
 * @XSTACK_CMD_ROUTE_GET: dump the routing table
 * @XSTACK_CMD_ROUTE_LOOKUP: resolve DST like "ip route get": answers with
 *	the chosen route, device, gateway and source address
 * @XSTACK_CMD_NEIGH_ADD: add or replace a neighbour (DST, LLADDR, device;
 *	NEIGH_STATE XSTACK_NUD_PERMANENT for a static entry)
 * @XSTACK_CMD_NEIGH_DEL: delete a neighbour (DST, device)
 * @XSTACK_CMD_NEIGH_GET: dump the neighbour cache (optionally one device)
 * @XSTACK_CMD_NEIGH_FLUSH: flush dynamic entries (optionally one device)
 * @XSTACK_CMD_STATS_GET: dump every counter as STAT_GROUP/NAME/VALUE
 * @XSTACK_CMD_MADDR_GET: dump multicast memberships (device, GROUP,
 *	MC_USERS, MC_STATE)
 * @XSTACK_CMD_SOCK_GET: dump the TCP sockets of the namespace, like
 *	"ss -tai": one message per listener, connection, SYN-RECEIVED request
 *	and TIME-WAIT entry, each holding an XSTACK_A_SOCK nest;
 *	XSTACK_A_SOCK_STATES in the request selects states
 */
enum xstack_cmd {
	XSTACK_CMD_UNSPEC,
	XSTACK_CMD_LINK_ATTACH,
	XSTACK_CMD_LINK_DETACH,
	XSTACK_CMD_LINK_GET,
	XSTACK_CMD_ADDR_ADD,
	XSTACK_CMD_ADDR_DEL,
	XSTACK_CMD_ADDR_GET,
	XSTACK_CMD_ROUTE_ADD,
	XSTACK_CMD_ROUTE_DEL,
	XSTACK_CMD_ROUTE_GET,
	XSTACK_CMD_ROUTE_LOOKUP,
	XSTACK_CMD_NEIGH_ADD,
	XSTACK_CMD_NEIGH_DEL,
	XSTACK_CMD_NEIGH_GET,
	XSTACK_CMD_NEIGH_FLUSH,
	XSTACK_CMD_STATS_GET,
	XSTACK_CMD_MADDR_GET,
	XSTACK_CMD_SOCK_GET,

	__XSTACK_CMD_MAX,
	XSTACK_CMD_MAX = __XSTACK_CMD_MAX - 1
};

/**
 * enum xstack_attr - generic netlink attributes
 * @XSTACK_A_UNSPEC: unused
 * @XSTACK_A_IFINDEX: u32, device index
 * @XSTACK_A_IFNAME: string, device name (IFNAMSIZ)
 * @XSTACK_A_ADDR: u32, IPv4 address in network byte order
 * @XSTACK_A_PREFIXLEN: u8, 0..32
 * @XSTACK_A_MTU: u32, device MTU (link show)
 * @XSTACK_A_LINK_TYPE: u16, ARPHRD_* of the device (link show)
 * @XSTACK_A_LINK_FLAGS: u32, XSTACK_LINK_F_* (link show)
 * @XSTACK_A_HWADDR: binary, link-layer address (link show)
 * @XSTACK_A_BROADCAST: u32, directed broadcast of an address (addr show)
 * @XSTACK_A_DST: u32, destination prefix or address, network byte order
 * @XSTACK_A_DST_LEN: u8, destination prefix length 0..32
 * @XSTACK_A_GATEWAY: u32, next hop, network byte order
 * @XSTACK_A_PREFSRC: u32, preferred source address, network byte order
 * @XSTACK_A_METRIC: u32, route priority (lower wins)
 * @XSTACK_A_ROUTE_TYPE: u8, XSTACK_RT_* (route show and lookup)
 * @XSTACK_A_LLADDR: binary, link-layer address of a neighbour
 * @XSTACK_A_NEIGH_STATE: u16, XSTACK_NUD_* state of a neighbour
 * @XSTACK_A_STAT_GROUP: string, counter group ("Ip", "Icmp", ...)
 * @XSTACK_A_STAT_NAME: string, counter name as in /proc/net/snmp
 * @XSTACK_A_STAT_VALUE: u64, counter value
 * @XSTACK_A_PAD: padding for 64-bit attributes
 * @XSTACK_A_NEIGH_PROBES: u32, probes sent for the current resolution
 * @XSTACK_A_NEIGH_AGE: u32, milliseconds since the entry was confirmed
 * @XSTACK_A_PMTU: u32, path MTU from the PMTU cache (route lookup)
 * @XSTACK_A_GROUP: u32, multicast group, network byte order
 * @XSTACK_A_MC_USERS: u32, sockets joined to the group on the device
 * @XSTACK_A_MC_STATE: u8, XSTACK_MC_* (IGMP host state, RFC 2236 6)
 * @XSTACK_A_SOCK: nest, one TCP socket of a SOCK_GET dump, holding the
 *	XSTACK_A_SOCK_* attributes below, and XSTACK_A_TCP_INFO and
 *	XSTACK_A_CA_NAME for full sockets (not for SYN-RECEIVED requests
 *	and TIME-WAIT entries)
 * @XSTACK_A_SOCK_STATE: u8, TCP state, Linux's TCP_* numbers
 *	(TCP_ESTABLISHED 1 ... TCP_CLOSING 11; a request is TCP_SYN_RECV,
 *	a TIME-WAIT entry TCP_TIME_WAIT or, for an orphan waiting for its
 *	peer's FIN, TCP_FIN_WAIT2)
 * @XSTACK_A_SOCK_LADDR: u32, local address, network byte order
 * @XSTACK_A_SOCK_LPORT: u16, local port, host byte order
 * @XSTACK_A_SOCK_RADDR: u32, remote address, network byte order
 * @XSTACK_A_SOCK_RPORT: u16, remote port, host byte order (0: none)
 * @XSTACK_A_SOCK_RQUEUE: u32, bytes received and not read; for a
 *	listener, connections waiting in the accept queue
 * @XSTACK_A_SOCK_WQUEUE: u32, bytes written and not yet acknowledged
 *	(sent or not); for a listener, the accept queue's limit (backlog)
 * @XSTACK_A_SOCK_UID: u32, owner, in the user namespace of the dumping
 *	socket (a request: its listener's; TIME-WAIT: 0)
 * @XSTACK_A_SOCK_INODE: u64, inode of the socket (0 when none)
 * @XSTACK_A_TCP_INFO: binary, struct tcp_info of <linux/tcp.h> as
 *	getsockopt(TCP_INFO) fills it; newer kernels may send a longer one
 * @XSTACK_A_CA_NAME: string, congestion control algorithm
 * @XSTACK_A_SOCK_STATES: u32, request: only the states whose bit
 *	(1 << TCP_*) is set (TCP_ESTABLISHED ... TCP_CLOSING); all if absent
 */
enum xstack_attr {
	XSTACK_A_UNSPEC,
	XSTACK_A_IFINDEX,
	XSTACK_A_IFNAME,
	XSTACK_A_ADDR,
	XSTACK_A_PREFIXLEN,
	XSTACK_A_MTU,
	XSTACK_A_LINK_TYPE,
	XSTACK_A_LINK_FLAGS,
	XSTACK_A_HWADDR,
	XSTACK_A_BROADCAST,
	XSTACK_A_DST,
	XSTACK_A_DST_LEN,
	XSTACK_A_GATEWAY,
	XSTACK_A_PREFSRC,
	XSTACK_A_METRIC,
	XSTACK_A_ROUTE_TYPE,
	XSTACK_A_LLADDR,
	XSTACK_A_NEIGH_STATE,
	XSTACK_A_STAT_GROUP,
	XSTACK_A_STAT_NAME,
	XSTACK_A_STAT_VALUE,
	XSTACK_A_PAD,
	XSTACK_A_NEIGH_PROBES,
	XSTACK_A_NEIGH_AGE,
	XSTACK_A_PMTU,
	XSTACK_A_GROUP,
	XSTACK_A_MC_USERS,
	XSTACK_A_MC_STATE,
	XSTACK_A_SOCK,
	XSTACK_A_SOCK_STATE,
	XSTACK_A_SOCK_LADDR,
	XSTACK_A_SOCK_LPORT,
	XSTACK_A_SOCK_RADDR,
	XSTACK_A_SOCK_RPORT,
	XSTACK_A_SOCK_RQUEUE,
	XSTACK_A_SOCK_WQUEUE,
	XSTACK_A_SOCK_UID,
	XSTACK_A_SOCK_INODE,
	XSTACK_A_TCP_INFO,
	XSTACK_A_CA_NAME,
	XSTACK_A_SOCK_STATES,

	__XSTACK_A_MAX,
	XSTACK_A_MAX = __XSTACK_A_MAX - 1
};

/* XSTACK_A_LINK_FLAGS bits */
#define XSTACK_LINK_F_UP	0x1	/* device is up (IFF_UP) */
#define XSTACK_LINK_F_RUNNING	0x2	/* carrier present */
#define XSTACK_LINK_F_NOARP	0x4	/* L3 device: no ARP */

/* XSTACK_A_ROUTE_TYPE values */
enum xstack_route_type {
	XSTACK_RT_UNICAST,	/* gateway or on-link route added by the user */
	XSTACK_RT_CONNECTED,	/* subnet of an address, managed by xstack */
	XSTACK_RT_LOCAL,	/* lookup result: one of our own addresses */
	XSTACK_RT_BROADCAST,	/* lookup result: a broadcast address */
	XSTACK_RT_MULTICAST,	/* lookup result: a multicast group */
};

/* XSTACK_A_NEIGH_STATE values: the same bits as Linux's NUD_* states. */
#define XSTACK_NUD_INCOMPLETE	0x01
#define XSTACK_NUD_REACHABLE	0x02
#define XSTACK_NUD_STALE	0x04
#define XSTACK_NUD_DELAY	0x08
#define XSTACK_NUD_PROBE	0x10
#define XSTACK_NUD_FAILED	0x20
#define XSTACK_NUD_NOARP	0x40
#define XSTACK_NUD_PERMANENT	0x80

/* XSTACK_A_MC_STATE values: RFC 2236 section 6 host states. */
enum xstack_mc_state {
	XSTACK_MC_IDLE,			/* no report pending */
	XSTACK_MC_DELAYING,		/* a report timer is running */
};

#endif /* _UAPI_LINUX_XSTACK_H */
