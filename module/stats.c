// SPDX-License-Identifier: GPL-2.0
/*
 * Counter storage and presentation: per-cpu MIB allocation, summing, and
 * /proc/net/xstack/snmp in the layout of Linux's /proc/net/snmp (a header
 * line and a value line per group; IcmpMsg lists only types seen).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <linux/xstack.h>

#include "stats.h"
#include "xstack.h"

/**
 * struct xs_mib_desc - how a counter is shown
 * @group: group, as in /proc/net/snmp ("Ip", "Icmp", ...)
 * @name: counter name within the group
 */
struct xs_mib_desc {
	const char *group;
	const char *name;
};

static const struct xs_mib_desc xs_mib_desc[XS_MIB_MAX] = {
	[XS_MIB_Ip_InReceives] = { "Ip", "InReceives" },
	[XS_MIB_Ip_InHdrErrors] = { "Ip", "InHdrErrors" },
	[XS_MIB_Ip_InAddrErrors] = { "Ip", "InAddrErrors" },
	[XS_MIB_Ip_InUnknownProtos] = { "Ip", "InUnknownProtos" },
	[XS_MIB_Ip_InDiscards] = { "Ip", "InDiscards" },
	[XS_MIB_Ip_InDelivers] = { "Ip", "InDelivers" },
	[XS_MIB_Ip_OutRequests] = { "Ip", "OutRequests" },
	[XS_MIB_Ip_OutDiscards] = { "Ip", "OutDiscards" },
	[XS_MIB_Ip_OutNoRoutes] = { "Ip", "OutNoRoutes" },
	[XS_MIB_Ip_ReasmTimeout] = { "Ip", "ReasmTimeout" },
	[XS_MIB_Ip_ReasmReqds] = { "Ip", "ReasmReqds" },
	[XS_MIB_Ip_ReasmOKs] = { "Ip", "ReasmOKs" },
	[XS_MIB_Ip_ReasmFails] = { "Ip", "ReasmFails" },
	[XS_MIB_Ip_FragOKs] = { "Ip", "FragOKs" },
	[XS_MIB_Ip_FragFails] = { "Ip", "FragFails" },
	[XS_MIB_Ip_FragCreates] = { "Ip", "FragCreates" },
	[XS_MIB_Ip_OutTransmits] = { "Ip", "OutTransmits" },
	[XS_MIB_Icmp_InMsgs] = { "Icmp", "InMsgs" },
	[XS_MIB_Icmp_InErrors] = { "Icmp", "InErrors" },
	[XS_MIB_Icmp_InCsumErrors] = { "Icmp", "InCsumErrors" },
	[XS_MIB_Icmp_InDestUnreachs] = { "Icmp", "InDestUnreachs" },
	[XS_MIB_Icmp_InTimeExcds] = { "Icmp", "InTimeExcds" },
	[XS_MIB_Icmp_InParmProbs] = { "Icmp", "InParmProbs" },
	[XS_MIB_Icmp_InEchos] = { "Icmp", "InEchos" },
	[XS_MIB_Icmp_InEchoReps] = { "Icmp", "InEchoReps" },
	[XS_MIB_Icmp_OutMsgs] = { "Icmp", "OutMsgs" },
	[XS_MIB_Icmp_OutErrors] = { "Icmp", "OutErrors" },
	[XS_MIB_Icmp_OutRateLimitGlobal] = { "Icmp", "OutRateLimitGlobal" },
	[XS_MIB_Icmp_OutRateLimitHost] = { "Icmp", "OutRateLimitHost" },
	[XS_MIB_Icmp_OutDestUnreachs] = { "Icmp", "OutDestUnreachs" },
	[XS_MIB_Icmp_OutTimeExcds] = { "Icmp", "OutTimeExcds" },
	[XS_MIB_Icmp_OutEchos] = { "Icmp", "OutEchos" },
	[XS_MIB_Icmp_OutEchoReps] = { "Icmp", "OutEchoReps" },
	[XS_MIB_Udp_InDatagrams] = { "Udp", "InDatagrams" },
	[XS_MIB_Udp_NoPorts] = { "Udp", "NoPorts" },
	[XS_MIB_Udp_InErrors] = { "Udp", "InErrors" },
	[XS_MIB_Udp_OutDatagrams] = { "Udp", "OutDatagrams" },
	[XS_MIB_Udp_RcvbufErrors] = { "Udp", "RcvbufErrors" },
	[XS_MIB_Udp_SndbufErrors] = { "Udp", "SndbufErrors" },
	[XS_MIB_Udp_InCsumErrors] = { "Udp", "InCsumErrors" },
	[XS_MIB_Udp_IgnoredMulti] = { "Udp", "IgnoredMulti" },
	[XS_MIB_Udp_MemErrors] = { "Udp", "MemErrors" },
	[XS_MIB_Tcp_ActiveOpens] = { "Tcp", "ActiveOpens" },
	[XS_MIB_Tcp_PassiveOpens] = { "Tcp", "PassiveOpens" },
	[XS_MIB_Tcp_AttemptFails] = { "Tcp", "AttemptFails" },
	[XS_MIB_Tcp_EstabResets] = { "Tcp", "EstabResets" },
	[XS_MIB_Tcp_CurrEstab] = { "Tcp", "CurrEstab" },
	[XS_MIB_Tcp_InSegs] = { "Tcp", "InSegs" },
	[XS_MIB_Tcp_OutSegs] = { "Tcp", "OutSegs" },
	[XS_MIB_Tcp_RetransSegs] = { "Tcp", "RetransSegs" },
	[XS_MIB_Tcp_InErrs] = { "Tcp", "InErrs" },
	[XS_MIB_Tcp_OutRsts] = { "Tcp", "OutRsts" },
	[XS_MIB_Tcp_InCsumErrors] = { "Tcp", "InCsumErrors" },
	[XS_MIB_TcpExt_SyncookiesSent] = { "TcpExt", "SyncookiesSent" },
	[XS_MIB_TcpExt_SyncookiesRecv] = { "TcpExt", "SyncookiesRecv" },
	[XS_MIB_TcpExt_SyncookiesFailed] = { "TcpExt", "SyncookiesFailed" },
	[XS_MIB_TcpExt_EmbryonicRsts] = { "TcpExt", "EmbryonicRsts" },
	[XS_MIB_TcpExt_PruneCalled] = { "TcpExt", "PruneCalled" },
	[XS_MIB_TcpExt_RcvPruned] = { "TcpExt", "RcvPruned" },
	[XS_MIB_TcpExt_OfoPruned] = { "TcpExt", "OfoPruned" },
	[XS_MIB_TcpExt_OutOfWindowIcmps] = { "TcpExt", "OutOfWindowIcmps" },
	[XS_MIB_TcpExt_TW] = { "TcpExt", "TW" },
	[XS_MIB_TcpExt_TWRecycled] = { "TcpExt", "TWRecycled" },
	[XS_MIB_TcpExt_PAWSEstab] = { "TcpExt", "PAWSEstab" },
	[XS_MIB_TcpExt_DelayedACKs] = { "TcpExt", "DelayedACKs" },
	[XS_MIB_TcpExt_ListenOverflows] = { "TcpExt", "ListenOverflows" },
	[XS_MIB_TcpExt_ListenDrops] = { "TcpExt", "ListenDrops" },
	[XS_MIB_TcpExt_TCPRenoRecovery] = { "TcpExt", "TCPRenoRecovery" },
	[XS_MIB_TcpExt_TCPSackRecovery] = { "TcpExt", "TCPSackRecovery" },
	[XS_MIB_TcpExt_TCPLossUndo] = { "TcpExt", "TCPLossUndo" },
	[XS_MIB_TcpExt_TCPFastRetrans] = { "TcpExt", "TCPFastRetrans" },
	[XS_MIB_TcpExt_TCPSlowStartRetrans] = { "TcpExt", "TCPSlowStartRetrans" },
	[XS_MIB_TcpExt_TCPTimeouts] = { "TcpExt", "TCPTimeouts" },
	[XS_MIB_TcpExt_TCPLossProbes] = { "TcpExt", "TCPLossProbes" },
	[XS_MIB_TcpExt_TCPAbortOnData] = { "TcpExt", "TCPAbortOnData" },
	[XS_MIB_TcpExt_TCPAbortOnClose] = { "TcpExt", "TCPAbortOnClose" },
	[XS_MIB_TcpExt_TCPAbortOnMemory] = { "TcpExt", "TCPAbortOnMemory" },
	[XS_MIB_TcpExt_TCPAbortOnTimeout] = { "TcpExt", "TCPAbortOnTimeout" },
	[XS_MIB_TcpExt_TCPAbortOnLinger] = { "TcpExt", "TCPAbortOnLinger" },
	[XS_MIB_TcpExt_TCPMemoryPressures] = { "TcpExt", "TCPMemoryPressures" },
	[XS_MIB_TcpExt_TCPSACKReneging] = { "TcpExt", "TCPSACKReneging" },
	[XS_MIB_TcpExt_TCPDSACKRecv] = { "TcpExt", "TCPDSACKRecv" },
	[XS_MIB_TcpExt_TCPBacklogDrop] = { "TcpExt", "TCPBacklogDrop" },
	[XS_MIB_TcpExt_TCPOFOQueue] = { "TcpExt", "TCPOFOQueue" },
	[XS_MIB_TcpExt_TCPOFODrop] = { "TcpExt", "TCPOFODrop" },
	[XS_MIB_TcpExt_TCPRcvCoalesce] = { "TcpExt", "TCPRcvCoalesce" },
	[XS_MIB_TcpExt_TCPChallengeACK] = { "TcpExt", "TCPChallengeACK" },
	[XS_MIB_TcpExt_TCPSYNChallenge] = { "TcpExt", "TCPSYNChallenge" },
	[XS_MIB_TcpExt_TCPZeroWindowDrop] = { "TcpExt", "TCPZeroWindowDrop" },
	[XS_MIB_TcpExt_TCPRcvQDrop] = { "TcpExt", "TCPRcvQDrop" },
	[XS_MIB_TcpExt_TCPSynRetrans] = { "TcpExt", "TCPSynRetrans" },
	[XS_MIB_TcpExt_TCPOrigDataSent] = { "TcpExt", "TCPOrigDataSent" },
	[XS_MIB_TcpExt_TCPKeepAlive] = { "TcpExt", "TCPKeepAlive" },
	[XS_MIB_TcpExt_TCPWinProbe] = { "TcpExt", "TCPWinProbe" },
	[XS_MIB_TcpExt_TCPDelivered] = { "TcpExt", "TCPDelivered" },
	[XS_MIB_TcpExt_TCPDeliveredCE] = { "TcpExt", "TCPDeliveredCE" },
	[XS_MIB_TcpExt_TCPACKSkippedPAWS] = { "TcpExt", "TCPACKSkippedPAWS" },
	[XS_MIB_TcpExt_TCPACKSkippedSeq] = { "TcpExt", "TCPACKSkippedSeq" },
	[XS_MIB_TcpExt_TCPACKSkippedChallenge] = { "TcpExt", "TCPACKSkippedChallenge" },
	[XS_MIB_TcpExt_TCPWqueueTooBig] = { "TcpExt", "TCPWqueueTooBig" },
	[XS_MIB_TcpExt_TCPReqQFullDoCookies] = { "TcpExt", "TCPReqQFullDoCookies" },
	[XS_MIB_TcpExt_TCPReqQFullDrop] = { "TcpExt", "TCPReqQFullDrop" },
	[XS_MIB_IpExt_InNoRoutes] = { "IpExt", "InNoRoutes" },
	[XS_MIB_IpExt_InTruncatedPkts] = { "IpExt", "InTruncatedPkts" },
	[XS_MIB_IpExt_InMcastPkts] = { "IpExt", "InMcastPkts" },
	[XS_MIB_IpExt_OutMcastPkts] = { "IpExt", "OutMcastPkts" },
	[XS_MIB_IpExt_InBcastPkts] = { "IpExt", "InBcastPkts" },
	[XS_MIB_IpExt_OutBcastPkts] = { "IpExt", "OutBcastPkts" },
	[XS_MIB_IpExt_InOctets] = { "IpExt", "InOctets" },
	[XS_MIB_IpExt_OutOctets] = { "IpExt", "OutOctets" },
	[XS_MIB_IpExt_InCsumErrors] = { "IpExt", "InCsumErrors" },
	[XS_MIB_IpExt_ReasmOverlaps] = { "IpExt", "ReasmOverlaps" },
	[XS_MIB_Igmp_InMsgs] = { "Igmp", "InMsgs" },
	[XS_MIB_Igmp_InErrors] = { "Igmp", "InErrors" },
	[XS_MIB_Igmp_InCsumErrors] = { "Igmp", "InCsumErrors" },
	[XS_MIB_Igmp_InQueries] = { "Igmp", "InQueries" },
	[XS_MIB_Igmp_InReports] = { "Igmp", "InReports" },
	[XS_MIB_Igmp_InLeaves] = { "Igmp", "InLeaves" },
	[XS_MIB_Igmp_ReportsSuppressed] = { "Igmp", "ReportsSuppressed" },
	[XS_MIB_Igmp_OutReports] = { "Igmp", "OutReports" },
	[XS_MIB_Igmp_OutLeaves] = { "Igmp", "OutLeaves" },
	[XS_MIB_Igmp_OutErrors] = { "Igmp", "OutErrors" },
	[XS_MIB_XsExt_IpInBadSource] = { "XsExt", "IpInBadSource" },
	[XS_MIB_XsExt_IpInNotOurs] = { "XsExt", "IpInNotOurs" },
	[XS_MIB_XsExt_IpInBadOptions] = { "XsExt", "IpInBadOptions" },
	[XS_MIB_XsExt_IpOutNoNeigh] = { "XsExt", "IpOutNoNeigh" },
	[XS_MIB_XsExt_IpOutDevDown] = { "XsExt", "IpOutDevDown" },
	[XS_MIB_XsExt_IpOutXmitErrors] = { "XsExt", "IpOutXmitErrors" },
	[XS_MIB_XsExt_IpLoopbackPkts] = { "XsExt", "IpLoopbackPkts" },
	[XS_MIB_XsExt_ReasmMemEvictions] = { "XsExt", "ReasmMemEvictions" },
	[XS_MIB_XsExt_ReasmDuplicates] = { "XsExt", "ReasmDuplicates" },
	[XS_MIB_XsExt_ReasmMalformed] = { "XsExt", "ReasmMalformed" },
	[XS_MIB_XsExt_ReasmTimeExcdSent] = { "XsExt", "ReasmTimeExcdSent" },
	[XS_MIB_XsExt_PmtuUpdates] = { "XsExt", "PmtuUpdates" },
	[XS_MIB_XsExt_ArpInRequests] = { "XsExt", "ArpInRequests" },
	[XS_MIB_XsExt_ArpInReplies] = { "XsExt", "ArpInReplies" },
	[XS_MIB_XsExt_ArpInMalformed] = { "XsExt", "ArpInMalformed" },
	[XS_MIB_XsExt_ArpInOwnMac] = { "XsExt", "ArpInOwnMac" },
	[XS_MIB_XsExt_ArpInIgnored] = { "XsExt", "ArpInIgnored" },
	[XS_MIB_XsExt_ArpInAddrConflicts] = { "XsExt", "ArpInAddrConflicts" },
	[XS_MIB_XsExt_ArpOutRequests] = { "XsExt", "ArpOutRequests" },
	[XS_MIB_XsExt_ArpOutReplies] = { "XsExt", "ArpOutReplies" },
	[XS_MIB_XsExt_ArpOutAnnounces] = { "XsExt", "ArpOutAnnounces" },
	[XS_MIB_XsExt_ArpResolveFailed] = { "XsExt", "ArpResolveFailed" },
	[XS_MIB_XsExt_ArpQueueDrops] = { "XsExt", "ArpQueueDrops" },
	[XS_MIB_XsExt_ArpUnresolvedDrops] = { "XsExt", "ArpUnresolvedDrops" },
	[XS_MIB_XsExt_ArpTableFull] = { "XsExt", "ArpTableFull" },
	[XS_MIB_XsExt_ArpGcEvicted] = { "XsExt", "ArpGcEvicted" },
	[XS_MIB_XsExt_IcmpInBadEmbedded] = { "XsExt", "IcmpInBadEmbedded" },
	[XS_MIB_XsExt_IcmpInBroadcastEchoIgnored] = { "XsExt", "IcmpInBroadcastEchoIgnored" },
	[XS_MIB_XsExt_PingSocketNoMatch] = { "XsExt", "PingSocketNoMatch" },
	[XS_MIB_XsExt_PingRcvbufErrors] = { "XsExt", "PingRcvbufErrors" },
	[XS_MIB_XsExt_TcpInCE] = { "XsExt", "TcpInCE" },
	[XS_MIB_XsExt_TcpXmitCongestion] = { "XsExt", "TcpXmitCongestion" },
	[XS_MIB_XsExt_TcpTsqThrottled] = { "XsExt", "TcpTsqThrottled" },
};

/**
 * xs_stats_group - group name of a counter ("Ip", "Icmp", ...)
 * @field: enum xs_mib_field
 *
 * Return: the group name.
 */
const char *xs_stats_group(unsigned int field)
{
	return xs_mib_desc[field].group;
}

/**
 * xs_stats_name - name of a counter within its group
 * @field: enum xs_mib_field
 *
 * Return: the counter name.
 */
const char *xs_stats_name(unsigned int field)
{
	return xs_mib_desc[field].name;
}

/**
 * xs_stats_read - sum of a counter over all CPUs
 * @xn: namespace state
 * @field: enum xs_mib_field
 *
 * Return: the counter value.
 */
u64 xs_stats_read(const struct xs_net *xn, unsigned int field)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(xn->mib, cpu)->field[field]);
	return sum;
}

static u64 xs_stats_icmpmsg(const struct xs_net *xn, bool out, u8 type)
{
	const struct xs_mib *m;
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		m = per_cpu_ptr(xn->mib, cpu);
		if (out)
			sum += READ_ONCE(m->icmp_out[type]);
		else
			sum += READ_ONCE(m->icmp_in[type]);
	}
	return sum;
}

/* Prints the group starting at @first; returns the first field after it. */
static unsigned int xs_snmp_group(struct seq_file *seq, const struct xs_net *xn,
				  unsigned int first)
{
	const char *group = xs_mib_desc[first].group;
	unsigned int f;

	seq_printf(seq, "%s:", group);
	for (f = first; f < XS_MIB_MAX && !strcmp(xs_mib_desc[f].group, group); f++)
		seq_printf(seq, " %s", xs_mib_desc[f].name);
	seq_printf(seq, "\n%s:", group);
	for (f = first; f < XS_MIB_MAX && !strcmp(xs_mib_desc[f].group, group); f++)
		seq_printf(seq, " %llu", xs_stats_read(xn, f));
	seq_putc(seq, '\n');
	return f;
}

/* Like Linux: pairs of InTypeN/OutTypeN lines, only for counts seen. */
static void xs_snmp_icmpmsg(struct seq_file *seq, const struct xs_net *xn)
{
	unsigned int type, dir;
	u64 v;

	seq_puts(seq, "IcmpMsg:");
	for (type = 0; type < 256; type++)
		for (dir = 0; dir < 2; dir++)
			if (xs_stats_icmpmsg(xn, dir, type))
				seq_printf(seq, " %sType%u", dir ? "Out" : "In",
					   type);
	seq_puts(seq, "\nIcmpMsg:");
	for (type = 0; type < 256; type++) {
		for (dir = 0; dir < 2; dir++) {
			v = xs_stats_icmpmsg(xn, dir, type);
			if (v)
				seq_printf(seq, " %llu", v);
		}
	}
	seq_putc(seq, '\n');
}

static int xs_snmp_show(struct seq_file *seq, void *v)
{
	const struct xs_net *xn = xs_net(seq_file_single_net(seq));
	unsigned int f = 0;

	while (f < XS_MIB_MAX) {
		f = xs_snmp_group(seq, xn, f);
		/* IcmpMsg follows Icmp, as in /proc/net/snmp. */
		if (f < XS_MIB_MAX && !strcmp(xs_mib_desc[f - 1].group, "Icmp"))
			xs_snmp_icmpmsg(seq, xn);
	}
	return 0;
}

/**
 * xs_stats_net_init - allocate a namespace's counters and their proc file
 * @xn: namespace state (proc_dir already created)
 *
 * Return: 0 or -ENOMEM.
 */
int xs_stats_net_init(struct xs_net *xn)
{
	xn->mib = alloc_percpu(struct xs_mib);
	if (unlikely(!xn->mib))
		return -ENOMEM;
	if (unlikely(!proc_create_net_single("snmp", 0444, xn->proc_dir,
					     xs_snmp_show, NULL))) {
		free_percpu(xn->mib);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xs_stats_net_exit - free a namespace's counters
 * @xn: namespace state
 */
void xs_stats_net_exit(struct xs_net *xn)
{
	remove_proc_entry("snmp", xn->proc_dir);
	free_percpu(xn->mib);
}

static int xs_nl_fill_stat(struct sk_buff *skb, struct netlink_callback *cb,
			   const char *group, const char *name, u64 value)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &xs_genl_family, NLM_F_MULTI, XSTACK_CMD_STATS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, XSTACK_A_STAT_GROUP, group) ||
	    nla_put_string(skb, XSTACK_A_STAT_NAME, name) ||
	    nla_put_u64_64bit(skb, XSTACK_A_STAT_VALUE, value, XSTACK_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Counter @idx of the dump: the MIB fields, then IcmpMsg In/Out types. */
static int xs_nl_stat_one(struct sk_buff *skb, struct netlink_callback *cb,
			  const struct xs_net *xn, long idx)
{
	char name[16];
	bool out;
	u8 type;

	if (idx < XS_MIB_MAX)
		return xs_nl_fill_stat(skb, cb, xs_mib_desc[idx].group,
				       xs_mib_desc[idx].name, xs_stats_read(xn, idx));
	idx -= XS_MIB_MAX;
	out = idx >= 256;
	type = idx & 0xff;
	if (!xs_stats_icmpmsg(xn, out, type))
		return 0;
	snprintf(name, sizeof(name), "%sType%u", out ? "Out" : "In", type);
	return xs_nl_fill_stat(skb, cb, "IcmpMsg", name,
			       xs_stats_icmpmsg(xn, out, type));
}

/**
 * xs_nl_stats_dump - XSTACK_CMD_STATS_GET dump of every counter
 * @skb: reply buffer
 * @cb: dump state; cb->args[0] is the next counter
 *
 * Return: skb->len, 0 when done, or a negative errno.
 */
int xs_nl_stats_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct xs_net *xn = xs_net(sock_net(skb->sk));
	long idx, start = cb->args[0];
	int err = 0;

	for (idx = start; idx < XS_MIB_MAX + 512; idx++) {
		err = xs_nl_stat_one(skb, cb, xn, idx);
		if (err)
			break;
	}
	cb->args[0] = idx;
	return xs_nl_dump_done(skb, err, idx, start);
}
