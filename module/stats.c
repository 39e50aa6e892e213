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

#define XS_MIB_GROUP(group, name) #group,
#define XS_MIB_NAME(group, name) #name,
static const char * const xs_mib_groups[] = { XS_MIB_LIST(XS_MIB_GROUP) };
static const char * const xs_mib_names[] = { XS_MIB_LIST(XS_MIB_NAME) };
#undef XS_MIB_GROUP
#undef XS_MIB_NAME

/**
 * xs_stats_group - group name of a counter ("Ip", "Icmp", ...)
 * @field: enum xs_mib_field
 *
 * Return: the group name.
 */
const char *xs_stats_group(unsigned int field)
{
	return xs_mib_groups[field];
}

/**
 * xs_stats_name - name of a counter within its group
 * @field: enum xs_mib_field
 *
 * Return: the counter name.
 */
const char *xs_stats_name(unsigned int field)
{
	return xs_mib_names[field];
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
	const char *group = xs_mib_groups[first];
	unsigned int f;

	seq_printf(seq, "%s:", group);
	for (f = first; f < XS_MIB_MAX && !strcmp(xs_mib_groups[f], group); f++)
		seq_printf(seq, " %s", xs_mib_names[f]);
	seq_printf(seq, "\n%s:", group);
	for (f = first; f < XS_MIB_MAX && !strcmp(xs_mib_groups[f], group); f++)
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
		if (f < XS_MIB_MAX && !strcmp(xs_mib_groups[f - 1], "Icmp"))
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
		return xs_nl_fill_stat(skb, cb, xs_mib_groups[idx],
				       xs_mib_names[idx], xs_stats_read(xn, idx));
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
