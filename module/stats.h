/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xstack counters: per-netns, per-cpu MIB in the groups and names of
 * Linux's /proc/net/snmp (Ip, Icmp, IcmpMsg, ...) plus xstack's own
 * XsExt group, shown by /proc/net/xstack/snmp and "xsctl stats".
 *
 * Adding a counter is adding one line to enum xs_mib_field and one to
 * xs_mib_desc[] in stats.c.
 */
#ifndef _XSTACK_STATS_H
#define _XSTACK_STATS_H

#include <linux/netlink.h>
#include <linux/percpu.h>
#include <linux/types.h>

struct xs_net;

/**
 * enum xs_mib_field - every counter, named XS_MIB_<group>_<name>
 * @XS_MIB_MAX: number of counters
 *
 * Adding a counter: a line here and its name in xs_mib_desc[] (stats.c);
 * counters of one group stay together, in /proc/net/snmp's order.
 */
enum xs_mib_field {
	XS_MIB_Ip_InReceives,
	XS_MIB_Ip_InHdrErrors,
	XS_MIB_Ip_InAddrErrors,
	XS_MIB_Ip_InUnknownProtos,
	XS_MIB_Ip_InDiscards,
	XS_MIB_Ip_InDelivers,
	XS_MIB_Ip_OutRequests,
	XS_MIB_Ip_OutDiscards,
	XS_MIB_Ip_OutNoRoutes,
	XS_MIB_Ip_ReasmTimeout,
	XS_MIB_Ip_ReasmReqds,
	XS_MIB_Ip_ReasmOKs,
	XS_MIB_Ip_ReasmFails,
	XS_MIB_Ip_FragOKs,
	XS_MIB_Ip_FragFails,
	XS_MIB_Ip_FragCreates,
	XS_MIB_Ip_OutTransmits,
	XS_MIB_Icmp_InMsgs,
	XS_MIB_Icmp_InErrors,
	XS_MIB_Icmp_InCsumErrors,
	XS_MIB_Icmp_InDestUnreachs,
	XS_MIB_Icmp_InTimeExcds,
	XS_MIB_Icmp_InParmProbs,
	XS_MIB_Icmp_InEchos,
	XS_MIB_Icmp_InEchoReps,
	XS_MIB_Icmp_OutMsgs,
	XS_MIB_Icmp_OutErrors,
	XS_MIB_Icmp_OutRateLimitGlobal,
	XS_MIB_Icmp_OutRateLimitHost,
	XS_MIB_Icmp_OutDestUnreachs,
	XS_MIB_Icmp_OutTimeExcds,
	XS_MIB_Icmp_OutEchos,
	XS_MIB_Icmp_OutEchoReps,
	XS_MIB_Udp_InDatagrams,
	XS_MIB_Udp_NoPorts,
	XS_MIB_Udp_InErrors,
	XS_MIB_Udp_OutDatagrams,
	XS_MIB_Udp_RcvbufErrors,
	XS_MIB_Udp_SndbufErrors,
	XS_MIB_Udp_InCsumErrors,
	XS_MIB_Udp_IgnoredMulti,
	XS_MIB_Udp_MemErrors,
	XS_MIB_Tcp_ActiveOpens,
	XS_MIB_Tcp_PassiveOpens,
	XS_MIB_Tcp_AttemptFails,
	XS_MIB_Tcp_EstabResets,
	XS_MIB_Tcp_CurrEstab,
	XS_MIB_Tcp_InSegs,
	XS_MIB_Tcp_OutSegs,
	XS_MIB_Tcp_RetransSegs,
	XS_MIB_Tcp_InErrs,
	XS_MIB_Tcp_OutRsts,
	XS_MIB_Tcp_InCsumErrors,
	XS_MIB_TcpExt_SyncookiesSent,
	XS_MIB_TcpExt_SyncookiesRecv,
	XS_MIB_TcpExt_SyncookiesFailed,
	XS_MIB_TcpExt_EmbryonicRsts,
	XS_MIB_TcpExt_PruneCalled,
	XS_MIB_TcpExt_RcvPruned,
	XS_MIB_TcpExt_OfoPruned,
	XS_MIB_TcpExt_OutOfWindowIcmps,
	XS_MIB_TcpExt_TW,
	XS_MIB_TcpExt_TWRecycled,
	XS_MIB_TcpExt_PAWSEstab,
	XS_MIB_TcpExt_DelayedACKs,
	XS_MIB_TcpExt_ListenOverflows,
	XS_MIB_TcpExt_ListenDrops,
	XS_MIB_TcpExt_TCPRenoRecovery,
	XS_MIB_TcpExt_TCPSackRecovery,
	XS_MIB_TcpExt_TCPLossUndo,
	XS_MIB_TcpExt_TCPFastRetrans,
	XS_MIB_TcpExt_TCPSlowStartRetrans,
	XS_MIB_TcpExt_TCPTimeouts,
	XS_MIB_TcpExt_TCPLossProbes,
	XS_MIB_TcpExt_TCPAbortOnData,
	XS_MIB_TcpExt_TCPAbortOnClose,
	XS_MIB_TcpExt_TCPAbortOnMemory,
	XS_MIB_TcpExt_TCPAbortOnTimeout,
	XS_MIB_TcpExt_TCPAbortOnLinger,
	XS_MIB_TcpExt_TCPMemoryPressures,
	XS_MIB_TcpExt_TCPSACKReneging,
	XS_MIB_TcpExt_TCPDSACKRecv,
	XS_MIB_TcpExt_TCPBacklogDrop,
	XS_MIB_TcpExt_TCPOFOQueue,
	XS_MIB_TcpExt_TCPOFODrop,
	XS_MIB_TcpExt_TCPRcvCoalesce,
	XS_MIB_TcpExt_TCPChallengeACK,
	XS_MIB_TcpExt_TCPSYNChallenge,
	XS_MIB_TcpExt_TCPZeroWindowDrop,
	XS_MIB_TcpExt_TCPRcvQDrop,
	XS_MIB_TcpExt_TCPSynRetrans,
	XS_MIB_TcpExt_TCPOrigDataSent,
	XS_MIB_TcpExt_TCPKeepAlive,
	XS_MIB_TcpExt_TCPWinProbe,
	XS_MIB_TcpExt_TCPDelivered,
	XS_MIB_TcpExt_TCPDeliveredCE,
	XS_MIB_TcpExt_TCPACKSkippedPAWS,
	XS_MIB_TcpExt_TCPACKSkippedSeq,
	XS_MIB_TcpExt_TCPACKSkippedChallenge,
	XS_MIB_TcpExt_TCPWqueueTooBig,
	XS_MIB_TcpExt_TCPReqQFullDoCookies,
	XS_MIB_TcpExt_TCPReqQFullDrop,
	XS_MIB_IpExt_InNoRoutes,
	XS_MIB_IpExt_InTruncatedPkts,
	XS_MIB_IpExt_InMcastPkts,
	XS_MIB_IpExt_OutMcastPkts,
	XS_MIB_IpExt_InBcastPkts,
	XS_MIB_IpExt_OutBcastPkts,
	XS_MIB_IpExt_InOctets,
	XS_MIB_IpExt_OutOctets,
	XS_MIB_IpExt_InCsumErrors,
	XS_MIB_IpExt_ReasmOverlaps,
	XS_MIB_Igmp_InMsgs,
	XS_MIB_Igmp_InErrors,
	XS_MIB_Igmp_InCsumErrors,
	XS_MIB_Igmp_InQueries,
	XS_MIB_Igmp_InReports,
	XS_MIB_Igmp_InLeaves,
	XS_MIB_Igmp_ReportsSuppressed,
	XS_MIB_Igmp_OutReports,
	XS_MIB_Igmp_OutLeaves,
	XS_MIB_Igmp_OutErrors,
	XS_MIB_XsExt_IpInBadSource,
	XS_MIB_XsExt_IpInNotOurs,
	XS_MIB_XsExt_IpInBadOptions,
	XS_MIB_XsExt_IpOutNoNeigh,
	XS_MIB_XsExt_IpOutDevDown,
	XS_MIB_XsExt_IpOutXmitErrors,
	XS_MIB_XsExt_IpLoopbackPkts,
	XS_MIB_XsExt_ReasmMemEvictions,
	XS_MIB_XsExt_ReasmDuplicates,
	XS_MIB_XsExt_ReasmMalformed,
	XS_MIB_XsExt_ReasmTimeExcdSent,
	XS_MIB_XsExt_PmtuUpdates,
	XS_MIB_XsExt_ArpInRequests,
	XS_MIB_XsExt_ArpInReplies,
	XS_MIB_XsExt_ArpInMalformed,
	XS_MIB_XsExt_ArpInOwnMac,
	XS_MIB_XsExt_ArpInIgnored,
	XS_MIB_XsExt_ArpInAddrConflicts,
	XS_MIB_XsExt_ArpOutRequests,
	XS_MIB_XsExt_ArpOutReplies,
	XS_MIB_XsExt_ArpOutAnnounces,
	XS_MIB_XsExt_ArpResolveFailed,
	XS_MIB_XsExt_ArpQueueDrops,
	XS_MIB_XsExt_ArpUnresolvedDrops,
	XS_MIB_XsExt_ArpTableFull,
	XS_MIB_XsExt_ArpGcEvicted,
	XS_MIB_XsExt_IcmpInBadEmbedded,
	XS_MIB_XsExt_IcmpInBroadcastEchoIgnored,
	XS_MIB_XsExt_PingSocketNoMatch,
	XS_MIB_XsExt_PingRcvbufErrors,
	XS_MIB_XsExt_TcpInCE,
	XS_MIB_XsExt_TcpXmitCongestion,
	XS_MIB_XsExt_TcpTsqThrottled,
	XS_MIB_MAX
};

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
