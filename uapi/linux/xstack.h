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
 */
enum xstack_cmd {
	XSTACK_CMD_UNSPEC,
	XSTACK_CMD_LINK_ATTACH,
	XSTACK_CMD_LINK_DETACH,
	XSTACK_CMD_LINK_GET,
	XSTACK_CMD_ADDR_ADD,
	XSTACK_CMD_ADDR_DEL,
	XSTACK_CMD_ADDR_GET,

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

	__XSTACK_A_MAX,
	XSTACK_A_MAX = __XSTACK_A_MAX - 1
};

/* XSTACK_A_LINK_FLAGS bits */
#define XSTACK_LINK_F_UP	(1U << 0)	/* device is up (IFF_UP) */
#define XSTACK_LINK_F_RUNNING	(1U << 1)	/* carrier present */
#define XSTACK_LINK_F_NOARP	(1U << 2)	/* L3 device: no ARP */

#endif /* _UAPI_LINUX_XSTACK_H */
