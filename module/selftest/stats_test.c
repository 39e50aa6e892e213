// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of the counter table: every counter has a group and a name,
 * and the counters of a group are contiguous, as /proc/net/xstack/snmp
 * prints one header and one value line per run of a group.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/string.h>

#include "stats.h"
#include "xstack.h"

static bool xs_group_seen_before(unsigned int f)
{
	const char *group = xs_stats_group(f);
	unsigned int i;

	for (i = 0; i + 1 < f; i++)
		if (!strcmp(xs_stats_group(i), group))
			return true;
	return false;
}

/**
 * xs_stats_selftest - check the counter table
 *
 * Return: number of failed checks.
 */
int xs_stats_selftest(void)
{
	unsigned int f;
	int fails = 0;

	for (f = 0; f < XS_MIB_MAX; f++) {
		if (!xs_stats_group(f) || !xs_stats_name(f)) {
			pr_err("stats self-test: counter %u has no name\n", f);
			return 1;
		}
		/* A new run of a group must be the group's first. */
		if (f && strcmp(xs_stats_group(f), xs_stats_group(f - 1)) &&
		    xs_group_seen_before(f)) {
			pr_err("stats self-test: group %s is split at %s\n",
			       xs_stats_group(f), xs_stats_name(f));
			fails++;
		}
	}
	return fails;
}
