// SPDX-License-Identifier: GPL-2.0
/*
 * Counter storage and presentation: per-cpu MIB allocation, summing, and
 * /proc/net/xstack/snmp in the layout of Linux's /proc/net/snmp (a header
 * line and a value line per group; IcmpMsg lists only types seen).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>

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
