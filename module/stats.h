/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xstack counters: per-netns, per-cpu MIB in the groups and names of
 * Linux's /proc/net/snmp (Ip, Icmp, IcmpMsg, ...) plus xstack's own
 * XsExt group, shown by /proc/net/xstack/snmp and "xsctl stats".
 *
 * Adding a counter is adding one line to XS_MIB_LIST.
 */
#ifndef _XSTACK_STATS_H
#define _XSTACK_STATS_H

#include <linux/netlink.h>
#include <linux/percpu.h>
#include <linux/types.h>

struct xs_net;

/* X(group, name): group is a C identifier of the group string below. */
#define XS_MIB_LIST(X)							\
	X(Ip, InReceives)						\
	X(Ip, InHdrErrors)						\
	X(Ip, InAddrErrors)						\
	X(Ip, InUnknownProtos)						\
	X(Ip, InDiscards)						\
	X(Ip, InDelivers)						\
	X(Ip, OutRequests)						\
	X(Ip, OutDiscards)						\
	X(Ip, OutNoRoutes)						\
	X(Ip, ReasmTimeout)						\
	X(Ip, ReasmReqds)						\
	X(Ip, ReasmOKs)							\
	X(Ip, ReasmFails)						\
	X(Ip, FragOKs)							\
	X(Ip, FragFails)						\
	X(Ip, FragCreates)						\
	X(Ip, OutTransmits)						\
	X(Icmp, InMsgs)							\
	X(Icmp, InErrors)						\
	X(Icmp, InCsumErrors)						\
	X(Icmp, InDestUnreachs)						\
	X(Icmp, InTimeExcds)						\
	X(Icmp, InParmProbs)						\
	X(Icmp, InEchos)						\
	X(Icmp, InEchoReps)						\
	X(Icmp, OutMsgs)						\
	X(Icmp, OutErrors)						\
	X(Icmp, OutRateLimitGlobal)					\
	X(Icmp, OutRateLimitHost)					\
	X(Icmp, OutDestUnreachs)					\
	X(Icmp, OutTimeExcds)						\
	X(Icmp, OutEchos)						\
	X(Icmp, OutEchoReps)						\
	X(Udp, InDatagrams)						\
	X(Udp, NoPorts)							\
	X(Udp, InErrors)						\
	X(Udp, OutDatagrams)						\
	X(Udp, RcvbufErrors)						\
	X(Udp, SndbufErrors)						\
	X(Udp, InCsumErrors)						\
	X(Udp, IgnoredMulti)						\
	X(Udp, MemErrors)						\
	X(IpExt, InNoRoutes)						\
	X(IpExt, InTruncatedPkts)					\
	X(IpExt, InMcastPkts)						\
	X(IpExt, OutMcastPkts)						\
	X(IpExt, InBcastPkts)						\
	X(IpExt, OutBcastPkts)						\
	X(IpExt, InOctets)						\
	X(IpExt, OutOctets)						\
	X(IpExt, InCsumErrors)						\
	X(IpExt, ReasmOverlaps)						\
	X(Igmp, InMsgs)							\
	X(Igmp, InErrors)						\
	X(Igmp, InCsumErrors)						\
	X(Igmp, InQueries)						\
	X(Igmp, InReports)						\
	X(Igmp, InLeaves)						\
	X(Igmp, ReportsSuppressed)					\
	X(Igmp, OutReports)						\
	X(Igmp, OutLeaves)						\
	X(Igmp, OutErrors)						\
	X(XsExt, IpInBadSource)						\
	X(XsExt, IpInNotOurs)						\
	X(XsExt, IpInBadOptions)					\
	X(XsExt, IpOutNoNeigh)						\
	X(XsExt, IpOutDevDown)						\
	X(XsExt, IpOutXmitErrors)					\
	X(XsExt, IpLoopbackPkts)					\
	X(XsExt, ReasmMemEvictions)					\
	X(XsExt, ReasmDuplicates)					\
	X(XsExt, ReasmMalformed)					\
	X(XsExt, ReasmTimeExcdSent)					\
	X(XsExt, PmtuUpdates)						\
	X(XsExt, ArpInRequests)						\
	X(XsExt, ArpInReplies)						\
	X(XsExt, ArpInMalformed)					\
	X(XsExt, ArpInOwnMac)						\
	X(XsExt, ArpInIgnored)						\
	X(XsExt, ArpInAddrConflicts)					\
	X(XsExt, ArpOutRequests)					\
	X(XsExt, ArpOutReplies)						\
	X(XsExt, ArpOutAnnounces)					\
	X(XsExt, ArpResolveFailed)					\
	X(XsExt, ArpQueueDrops)						\
	X(XsExt, ArpUnresolvedDrops)					\
	X(XsExt, ArpTableFull)						\
	X(XsExt, ArpGcEvicted)						\
	X(XsExt, IcmpInBadEmbedded)					\
	X(XsExt, IcmpInBroadcastEchoIgnored)				\
	X(XsExt, PingSocketNoMatch)					\
	X(XsExt, PingRcvbufErrors)

#define XS_MIB_ENUM(group, name) XS_MIB_##group##_##name,
/**
 * enum xs_mib_field - every counter, named XS_MIB_<group>_<name>
 * @XS_MIB_MAX: number of counters
 */
enum xs_mib_field {
	XS_MIB_LIST(XS_MIB_ENUM)
	XS_MIB_MAX
};
#undef XS_MIB_ENUM

/**
 * struct xs_mib - one CPU's counters of one namespace
 * @field: indexed by enum xs_mib_field
 * @icmp_in: IcmpMsg InTypeN, indexed by ICMP type
 * @icmp_out: IcmpMsg OutTypeN, indexed by ICMP type
 */
struct xs_mib {
	u64 field[XS_MIB_MAX];
	u64 icmp_in[256];
	u64 icmp_out[256];
};

/* Softirq or process context, preemption safe (this_cpu ops). */
#define XS_INC(xn, f)		this_cpu_inc((xn)->mib->field[XS_MIB_##f])
#define XS_ADD(xn, f, n)	this_cpu_add((xn)->mib->field[XS_MIB_##f], (n))
#define XS_ICMP_IN(xn, type)	this_cpu_inc((xn)->mib->icmp_in[(u8)(type)])
#define XS_ICMP_OUT(xn, type)	this_cpu_inc((xn)->mib->icmp_out[(u8)(type)])

int xs_stats_net_init(struct xs_net *xn);
void xs_stats_net_exit(struct xs_net *xn);
u64 xs_stats_read(const struct xs_net *xn, unsigned int field);
const char *xs_stats_group(unsigned int field);
const char *xs_stats_name(unsigned int field);
int xs_nl_stats_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _XSTACK_STATS_H */
