// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: the "maddr" object. Lists the multicast groups joined on
 * attached devices (XSTACK_CMD_MADDR_GET dump), one per line in the
 * manner of "ip maddr", or as a JSON array:
 *
 *   veth0            inet 224.0.0.1       users 1
 *   veth0            inet 239.1.2.3       users 2 delaying
 *
 * "delaying" marks a group whose membership report is pending (RFC 2236
 * 6, Delaying Member); 224.0.0.1 (all-systems) is joined implicitly on
 * every attached device.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>

#include "json.h"
#include "nl.h"
#include "xsctl.h"

#define MADDR_IFNAMSIZ	16

/* A MADDR_GET reply, decoded. */
struct maddr_info {
	unsigned int ifindex;
	char ifname[MADDR_IFNAMSIZ];
	char group[INET_ADDRSTRLEN];
	unsigned int users;
	unsigned int state;	/* XSTACK_MC_* */
};

struct maddr_show {
	const char *dev;	/* only this device, or NULL */
	struct json json;
};

static const char *maddr_state_name(unsigned int state)
{
	switch (state) {
	case XSTACK_MC_IDLE:
		return "idle";
	case XSTACK_MC_DELAYING:
		return "delaying";
	}
	return "unknown";
}

/*
 * The attributes of a reply. GROUP, MC_USERS and MC_STATE are checked
 * here with their types, the device by xs_nl_attrs().
 */
static int maddr_decode(const struct nlmsghdr *nlh, struct maddr_info *mi)
{
	const struct nlattr *tb[XSTACK_A_MAX + 1];
	const struct nlattr *attr, *group = NULL, *users = NULL, *state = NULL;
	struct in_addr in;

	memset(mi, 0, sizeof(*mi));
	if (xs_nl_attrs(nlh, tb) < 0 || !xs_nl_need(tb, XSTACK_A_IFINDEX) ||
	    !xs_nl_need(tb, XSTACK_A_IFNAME))
		return -1;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(attr)) {
		case XSTACK_A_GROUP:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				goto malformed;
			group = attr;
			break;
		case XSTACK_A_MC_USERS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				goto malformed;
			users = attr;
			break;
		case XSTACK_A_MC_STATE:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				goto malformed;
			state = attr;
			break;
		}
	}
	if (!group || !users) {
		xs_err("malformed reply from kernel (no %s attribute)",
		       group ? "MC_USERS" : "GROUP");
		return -1;
	}
	mi->ifindex = mnl_attr_get_u32(tb[XSTACK_A_IFINDEX]);
	snprintf(mi->ifname, sizeof(mi->ifname), "%s",
		 mnl_attr_get_str(tb[XSTACK_A_IFNAME]));
	in.s_addr = mnl_attr_get_u32(group);
	inet_ntop(AF_INET, &in, mi->group, sizeof(mi->group));
	mi->users = mnl_attr_get_u32(users);
	mi->state = state ? mnl_attr_get_u8(state) : XSTACK_MC_IDLE;
	return 0;

malformed:
	xs_err("malformed reply from kernel (multicast attribute %u)",
	       mnl_attr_get_type(attr));
	return -1;
}

/* "veth0            inet 239.1.2.3       users 2 delaying" */
static void maddr_print_text(const struct maddr_info *mi)
{
	printf("%-16s inet %-15s users %u%s\n", mi->ifname, mi->group,
	       mi->users, mi->state == XSTACK_MC_DELAYING ? " delaying" : "");
}

static void maddr_print_json(struct json *j, const struct maddr_info *mi)
{
	json_open_object(j, NULL);
	json_uint(j, "ifindex", mi->ifindex);
	json_string(j, "ifname", mi->ifname);
	json_string(j, "family", "inet");
	json_string(j, "group", mi->group);
	json_uint(j, "users", mi->users);
	json_string(j, "state", maddr_state_name(mi->state));
	json_close_object(j);
}

static int maddr_show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct maddr_show *ms = data;
	struct maddr_info mi;

	if (maddr_decode(nlh, &mi) < 0)
		return MNL_CB_ERROR;
	if (ms->dev && strcmp(ms->dev, mi.ifname))
		return MNL_CB_OK;
	if (xs_opts.json)
		maddr_print_json(&ms->json, &mi);
	else
		maddr_print_text(&mi);
	return MNL_CB_OK;
}

/* A dump, of one device when the kernel is given its name. */
static int maddr_show(const struct xs_call *call, int argc, char **argv)
{
	struct maddr_show ms = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	ret = xs_parse_dev_arg(call, argc, argv, true, &ms.dev);
	if (ret)
		return ret;
	nlh = xs_nl_new(XSTACK_CMD_MADDR_GET, NLM_F_DUMP);
	if (!nlh)
		return XS_EXIT_FAIL;
	if (ms.dev)
		mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, ms.dev);
	if (!xs_opts.json)
		return xs_nl_run(nlh, maddr_show_cb, &ms) ? XS_EXIT_FAIL
							  : XS_EXIT_OK;

	if (json_buffer(&ms.json) < 0) {
		xs_err("out of memory");
		return XS_EXIT_FAIL;
	}
	json_open_array(&ms.json, NULL);
	if (xs_nl_run(nlh, maddr_show_cb, &ms)) {
		json_discard(&ms.json);
		return XS_EXIT_FAIL;
	}
	json_close_array(&ms.json);
	json_commit(&ms.json, stdout);
	return XS_EXIT_OK;
}

static const struct xs_cmd maddr_cmds[] = {
	{
		.name	= "show",
		.args	= "[dev DEV]",
		.help	= "list multicast groups joined on all devices, or on DEV",
		.detail	=
			"One line per device and group: device, \"inet\", group,\n"
			"the number of sockets that joined it, and \"delaying\"\n"
			"while a membership report is pending (RFC 2236 6).\n"
			"224.0.0.1 (all-systems) is joined on every device.\n"
			"With -j, a JSON array of objects with the keys ifindex,\n"
			"ifname, family, group, users and state (\"idle\" or\n"
			"\"delaying\").\n",
		.run	= maddr_show,
	},
	{ .name = "list", .alias = "show" },
	{ .name = "ls", .alias = "show" },
	{ .name = NULL },
};

const struct xs_object xs_maddr_object = {
	.name		= "maddr",
	.help		= "multicast memberships of attached devices",
	.default_cmd	= "show",
	.cmds		= maddr_cmds,
};
