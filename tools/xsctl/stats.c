// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: the "stats" object. Prints xstack's counters
 * (XSTACK_CMD_STATS_GET dump: STAT_GROUP, STAT_NAME, STAT_VALUE), the
 * same as /proc/net/xstack/snmp, one "GROUP NAME VALUE" line each,
 * grouped, or as a JSON object {"Ip": {"InReceives": 12, ...}, ...}.
 *
 *   xsctl stats              every counter
 *   xsctl stats Icmp         one group (also "xsctl stats show icmp")
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "nl.h"
#include "xsctl.h"

#define STAT_NAME_MAX	64

struct stat_entry {
	char group[STAT_NAME_MAX];
	char name[STAT_NAME_MAX];
	uint64_t value;
	size_t order;		/* rank of the group, for sorting */
};

struct stat_list {
	struct stat_entry *v;
	size_t n, cap;
	char (*groups)[STAT_NAME_MAX];	/* in order of first appearance */
	size_t ngroups, gcap;
};

/* Rank of @group in order of appearance, adding it if new; -1: no memory. */
static long group_rank(struct stat_list *sl, const char *group)
{
	char (*g)[STAT_NAME_MAX];
	size_t i;

	for (i = 0; i < sl->ngroups; i++)
		if (!strcmp(sl->groups[i], group))
			return i;
	if (sl->ngroups == sl->gcap) {
		sl->gcap = sl->gcap ? 2 * sl->gcap : 8;
		g = realloc(sl->groups, sl->gcap * sizeof(*g));
		if (!g)
			return -1;
		sl->groups = g;
	}
	snprintf(sl->groups[sl->ngroups], STAT_NAME_MAX, "%s", group);
	return sl->ngroups++;
}

static int stat_add(struct stat_list *sl, const char *group, const char *name,
		    uint64_t value)
{
	struct stat_entry *v;
	long rank = group_rank(sl, group);

	if (rank < 0)
		return -1;
	if (sl->n == sl->cap) {
		sl->cap = sl->cap ? 2 * sl->cap : 128;
		v = realloc(sl->v, sl->cap * sizeof(*v));
		if (!v)
			return -1;
		sl->v = v;
	}
	v = &sl->v[sl->n];
	snprintf(v->group, sizeof(v->group), "%s", group);
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->value = value;
	v->order = (size_t)rank * 100000 + sl->n;
	sl->n++;
	return 0;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[XSTACK_A_MAX + 1];
	struct stat_list *sl = data;

	if (xs_nl_attrs(nlh, tb) < 0 || !xs_nl_need(tb, XSTACK_A_STAT_GROUP) ||
	    !xs_nl_need(tb, XSTACK_A_STAT_NAME) ||
	    !xs_nl_need(tb, XSTACK_A_STAT_VALUE))
		return MNL_CB_ERROR;
	if (stat_add(sl, mnl_attr_get_str(tb[XSTACK_A_STAT_GROUP]),
		     mnl_attr_get_str(tb[XSTACK_A_STAT_NAME]),
		     mnl_attr_get_u64(tb[XSTACK_A_STAT_VALUE]))) {
		xs_err("out of memory");
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int stat_cmp(const void *pa, const void *pb)
{
	const struct stat_entry *a = pa, *b = pb;

	return a->order < b->order ? -1 : a->order > b->order;
}

/* @group (any case) is known: a group of the dump, or IcmpMsg. */
static const char *known_group(const struct stat_list *sl, const char *group)
{
	size_t i;

	for (i = 0; i < sl->ngroups; i++)
		if (!strcasecmp(sl->groups[i], group))
			return sl->groups[i];
	/* Listed only once some ICMP type was counted. */
	if (!strcasecmp(group, "IcmpMsg"))
		return "IcmpMsg";
	return NULL;
}

static void stats_print_text(const struct stat_list *sl, const char *group)
{
	size_t i;

	for (i = 0; i < sl->n; i++) {
		if (group && strcmp(sl->v[i].group, group))
			continue;
		printf("%-8s %-28s %llu\n", sl->v[i].group, sl->v[i].name,
		       (unsigned long long)sl->v[i].value);
	}
}

static void stats_print_json(const struct stat_list *sl, const char *group)
{
	const char *open = NULL;
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_open_object(&j, NULL);
	if (group && !strcmp(group, "IcmpMsg"))
		json_open_object(&j, (open = group));
	for (i = 0; i < sl->n; i++) {
		if (group && strcmp(sl->v[i].group, group))
			continue;
		if (!open || strcmp(open, sl->v[i].group)) {
			if (open)
				json_close_object(&j);
			open = sl->v[i].group;
			json_open_object(&j, open);
		}
		json_uint(&j, sl->v[i].name, sl->v[i].value);
	}
	if (open)
		json_close_object(&j);
	json_close_object(&j);
}

static int stats_run(const char *want)
{
	struct stat_list sl = { 0 };
	const char *group = NULL;
	struct nlmsghdr *nlh;
	int ret = XS_EXIT_OK;

	nlh = xs_nl_new(XSTACK_CMD_STATS_GET, NLM_F_DUMP);
	if (!nlh)
		return XS_EXIT_FAIL;
	if (xs_nl_run(nlh, stats_cb, &sl)) {
		ret = XS_EXIT_FAIL;
		goto out;
	}
	if (want) {
		group = known_group(&sl, want);
		if (!group) {
			xs_err("unknown counter group \"%s\"", want);
			ret = XS_EXIT_FAIL;
			goto out;
		}
	}
	qsort(sl.v, sl.n, sizeof(*sl.v), stat_cmp);
	if (xs_opts.json)
		stats_print_json(&sl, group);
	else
		stats_print_text(&sl, group);
out:
	free(sl.v);
	free(sl.groups);
	return ret;
}

/* "stats show [GROUP]" */
static int stats_show(const struct xs_call *call, int argc, char **argv)
{
	if (argc > 1)
		return xs_usage_error(call, "unexpected argument \"%s\"",
				      argv[1]);
	return stats_run(argc ? argv[0] : NULL);
}

/* "stats GROUP": the command word is the group. */
static int stats_group(const struct xs_call *call, int argc, char **argv)
{
	if (argc > 0)
		return xs_usage_error(call, "unexpected argument \"%s\"",
				      argv[0]);
	return stats_run(call->cmd->name);
}

static const struct xs_cmd stats_cmds[] = {
	{
		.name	= "show",
		.args	= "[GROUP]",
		.help	= "print every counter, or those of GROUP",
		.detail	=
			"One line per counter: GROUP NAME VALUE, the groups and\n"
			"names of /proc/net/xstack/snmp (Ip, Icmp, IcmpMsg, Udp, Tcp,\n"
			"TcpExt, Igmp, IpExt, XsExt). GROUP is matched in any case.\n"
			"With -j, a JSON\n"
			"object of groups, each an object of counters.\n",
		.run	= stats_show,
	},
	{ .name = "Ip", .args = "", .help = "the Ip counters only",
	  .run = stats_group },
	{ .name = "Icmp", .args = "", .help = "the Icmp counters only",
	  .run = stats_group },
	{ .name = "IcmpMsg", .args = "", .help = "the IcmpMsg counters only",
	  .run = stats_group },
	{ .name = "Udp", .args = "", .help = "the Udp counters only",
	  .run = stats_group },
	{ .name = "Tcp", .args = "", .help = "the Tcp counters only",
	  .run = stats_group },
	{ .name = "TcpExt", .args = "", .help = "the TcpExt counters only",
	  .run = stats_group },
	{ .name = "Igmp", .args = "", .help = "the Igmp counters only",
	  .run = stats_group },
	{ .name = "IpExt", .args = "", .help = "the IpExt counters only",
	  .run = stats_group },
	{ .name = "XsExt", .args = "", .help = "the XsExt counters only",
	  .run = stats_group },
	{ .name = "list", .alias = "show" },
	{ .name = NULL },
};

const struct xs_object xs_stats_object = {
	.name		= "stats",
	.help		= "counters (as /proc/net/xstack/snmp)",
	.default_cmd	= "show",
	.cmds		= stats_cmds,
};
