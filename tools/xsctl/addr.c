// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: the "addr" object. Adds and removes IPv4 addresses on attached
 * devices and lists them (XSTACK_CMD_ADDR_*), one per line in the manner
 * of "ip -br addr" or as a JSON array.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "nl.h"
#include "xsctl.h"

/* The words of "addr add" and "addr del", in any order. */
struct addr_args {
	const char *dev;
	bool has_addr;
	struct in_addr addr;
	int plen;		/* -1 if not given */
};

/* An ADDR_GET reply, decoded. */
struct addr_info {
	unsigned int ifindex;
	const char *ifname;
	char local[INET_ADDRSTRLEN];
	unsigned int plen;
	char brd[INET_ADDRSTRLEN];	/* "" if not reported */
};

struct addr_show {
	const char *dev;	/* only this device, or NULL */
	struct json json;
};

static int addr_parse(const struct xs_call *call, int argc, char **argv,
		      struct addr_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "dev")) {
			if (++i == argc)
				return xs_usage_error(call, "\"dev\" needs a device name");
			if (a->dev)
				return xs_usage_error(call, "\"dev\" given twice");
			if (!xs_valid_ifname(argv[i]))
				return xs_usage_error(call, "invalid device name \"%s\"",
						      argv[i]);
			a->dev = argv[i];
		} else if (a->has_addr) {
			return xs_usage_error(call, "unexpected argument \"%s\"",
					      argv[i]);
		} else if (xs_parse_prefix(argv[i], &a->addr, &a->plen)) {
			return xs_usage_error(call, "invalid prefix \"%s\"",
					      argv[i]);
		} else {
			a->has_addr = true;
		}
	}
	if (!a->has_addr)
		return xs_usage_error(call, "missing address");
	if (!a->dev)
		return xs_usage_error(call, "missing \"dev DEV\"");
	return 0;
}

/* Add or delete: one request with device, address and prefix length. */
static int addr_change(const struct addr_args *a, uint8_t cmd)
{
	struct nlmsghdr *nlh;

	nlh = xs_nl_new(cmd, NLM_F_ACK);
	if (!nlh)
		return XS_EXIT_FAIL;
	mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, a->dev);
	mnl_attr_put_u32(nlh, XSTACK_A_ADDR, a->addr.s_addr);
	if (a->plen >= 0)
		mnl_attr_put_u8(nlh, XSTACK_A_PREFIXLEN, a->plen);
	return xs_nl_run(nlh, NULL, NULL) ? XS_EXIT_FAIL : XS_EXIT_OK;
}

static int addr_add(const struct xs_call *call, int argc, char **argv)
{
	struct addr_args a;
	int ret;

	ret = addr_parse(call, argc, argv, &a);
	if (ret)
		return ret;
	if (a.plen < 0)
		a.plen = 32;	/* as "ip addr add" */
	return addr_change(&a, XSTACK_CMD_ADDR_ADD);
}

static int addr_del(const struct xs_call *call, int argc, char **argv)
{
	struct addr_args a;
	int ret;

	ret = addr_parse(call, argc, argv, &a);
	if (ret)
		return ret;
	return addr_change(&a, XSTACK_CMD_ADDR_DEL);
}

static void addr_ntop(const struct nlattr *attr, char *buf)
{
	struct in_addr in = { .s_addr = mnl_attr_get_u32(attr) };

	inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static int addr_decode(const struct nlmsghdr *nlh, struct addr_info *ai)
{
	const struct nlattr *tb[XSTACK_A_MAX + 1];

	memset(ai, 0, sizeof(*ai));
	if (xs_nl_attrs(nlh, tb) < 0 || !xs_nl_need(tb, XSTACK_A_IFINDEX) ||
	    !xs_nl_need(tb, XSTACK_A_IFNAME) ||
	    !xs_nl_need(tb, XSTACK_A_ADDR) ||
	    !xs_nl_need(tb, XSTACK_A_PREFIXLEN))
		return -1;
	ai->ifindex = mnl_attr_get_u32(tb[XSTACK_A_IFINDEX]);
	ai->ifname = mnl_attr_get_str(tb[XSTACK_A_IFNAME]);
	addr_ntop(tb[XSTACK_A_ADDR], ai->local);
	ai->plen = mnl_attr_get_u8(tb[XSTACK_A_PREFIXLEN]);
	if (tb[XSTACK_A_BROADCAST])
		addr_ntop(tb[XSTACK_A_BROADCAST], ai->brd);
	return 0;
}

/* "eth0  10.0.0.1/24 brd 10.0.0.255" */
static void addr_print_text(const struct addr_info *ai)
{
	char prefix[INET_ADDRSTRLEN + 3];

	snprintf(prefix, sizeof(prefix), "%s/%u", ai->local, ai->plen);
	if (ai->brd[0])
		printf("%-16s %-18s brd %s\n", ai->ifname, prefix, ai->brd);
	else
		printf("%-16s %s\n", ai->ifname, prefix);
}

static void addr_print_json(struct json *j, const struct addr_info *ai)
{
	json_open_object(j, NULL);
	json_uint(j, "ifindex", ai->ifindex);
	json_string(j, "ifname", ai->ifname);
	json_string(j, "local", ai->local);
	json_uint(j, "prefixlen", ai->plen);
	json_string(j, "broadcast", ai->brd[0] ? ai->brd : NULL);
	json_close_object(j);
}

static int addr_show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_show *as = data;
	struct addr_info ai;

	if (addr_decode(nlh, &ai) < 0)
		return MNL_CB_ERROR;
	if (as->dev && strcmp(as->dev, ai.ifname))
		return MNL_CB_OK;
	if (xs_opts.json)
		addr_print_json(&as->json, &ai);
	else
		addr_print_text(&ai);
	return MNL_CB_OK;
}

/* A dump, of one device when the kernel is given its name. */
static int addr_show(const struct xs_call *call, int argc, char **argv)
{
	struct addr_show as = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	ret = xs_parse_dev_arg(call, argc, argv, true, &as.dev);
	if (ret)
		return ret;
	nlh = xs_nl_new(XSTACK_CMD_ADDR_GET, NLM_F_DUMP);
	if (!nlh)
		return XS_EXIT_FAIL;
	if (as.dev)
		mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, as.dev);
	if (!xs_opts.json)
		return xs_nl_run(nlh, addr_show_cb, &as) ? XS_EXIT_FAIL
							 : XS_EXIT_OK;

	if (json_buffer(&as.json) < 0) {
		xs_err("out of memory");
		return XS_EXIT_FAIL;
	}
	json_open_array(&as.json, NULL);
	if (xs_nl_run(nlh, addr_show_cb, &as)) {
		json_discard(&as.json);
		return XS_EXIT_FAIL;
	}
	json_close_array(&as.json);
	json_commit(&as.json, stdout);
	return XS_EXIT_OK;
}

static const struct xs_cmd addr_cmds[] = {
	{
		.name	= "add",
		.args	= "A.B.C.D[/LEN] dev DEV",
		.help	= "add an IPv4 address to the attached DEV",
		.detail	=
			"LEN is 0..32; without /LEN the prefix is /32. The\n"
			"broadcast address is derived from the prefix.\n",
		.run	= addr_add,
	},
	{
		.name	= "del",
		.args	= "A.B.C.D[/LEN] dev DEV",
		.help	= "remove an IPv4 address from DEV",
		.detail	=
			"Without /LEN no prefix length is sent, and the address\n"
			"is matched whatever its prefix length.\n",
		.run	= addr_del,
	},
	{
		.name	= "show",
		.args	= "[dev DEV]",
		.help	= "list the addresses of all devices, or of DEV",
		.detail	=
			"One line per address: device, A.B.C.D/LEN and broadcast.\n"
			"With -j, a JSON array of objects with the keys ifindex,\n"
			"ifname, local, prefixlen and broadcast.\n",
		.run	= addr_show,
	},
	{ .name = "delete", .alias = "del" },
	{ .name = "list", .alias = "show" },
	{ .name = "ls", .alias = "show" },
	{ .name = NULL },
};

const struct xs_object xs_addr_object = {
	.name		= "addr",
	.help		= "IPv4 addresses of attached devices",
	.default_cmd	= "show",
	.cmds		= addr_cmds,
};
