// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: the "link" object. Attaches net_devices to xstack, detaches
 * them, and lists the attached ones (XSTACK_CMD_LINK_*), one per line in
 * the manner of "ip -br link" or as a JSON array.
 */
#include <stdio.h>
#include <string.h>
#include <linux/if_arp.h>

#include "json.h"
#include "nl.h"
#include "xsctl.h"

#define HWADDR_MAX	32	/* MAX_ADDR_LEN */

/* A LINK_GET reply, decoded. */
struct link_info {
	unsigned int ifindex;
	const char *ifname;
	const char *type;	/* NULL if not reported */
	char type_buf[16];
	bool has_mtu;
	unsigned int mtu;
	unsigned int flags;	/* XSTACK_LINK_F_* */
	char hwaddr[HWADDR_MAX * 3];	/* "" if none (L3 devices) */
};

struct link_show {
	const char *dev;	/* only this device, or NULL */
	struct json json;
};

static const struct {
	unsigned short type;
	const char *name;
} link_types[] = {
	{ ARPHRD_ETHER,		"ether" },
	{ ARPHRD_LOOPBACK,	"loopback" },
	{ ARPHRD_NONE,		"none" },
	{ ARPHRD_VOID,		"void" },
	{ ARPHRD_RAWIP,		"rawip" },
	{ ARPHRD_TUNNEL,	"ipip" },
	{ ARPHRD_IPGRE,		"gre" },
	{ ARPHRD_SIT,		"sit" },
	{ ARPHRD_TUNNEL6,	"tunnel6" },
	{ ARPHRD_IP6GRE,	"gre6" },
	{ ARPHRD_PPP,		"ppp" },
	{ ARPHRD_INFINIBAND,	"infiniband" },
	{ ARPHRD_IEEE80211,	"ieee802.11" },
};

static void link_type_name(struct link_info *li, unsigned short type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(link_types); i++) {
		if (link_types[i].type == type) {
			li->type = link_types[i].name;
			return;
		}
	}
	snprintf(li->type_buf, sizeof(li->type_buf), "[%u]", type);
	li->type = li->type_buf;
}

static void link_hwaddr(struct link_info *li, const struct nlattr *attr)
{
	const unsigned char *a = mnl_attr_get_payload(attr);
	size_t len = mnl_attr_get_payload_len(attr);
	char *p = li->hwaddr;
	size_t i;

	if (len > HWADDR_MAX)
		len = HWADDR_MAX;
	for (i = 0; i < len; i++)
		p += sprintf(p, i ? ":%02x" : "%02x", a[i]);
}

static int link_decode(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct nlattr *tb[XSTACK_A_MAX + 1];

	memset(li, 0, sizeof(*li));
	if (xs_nl_attrs(nlh, tb) < 0 || !xs_nl_need(tb, XSTACK_A_IFINDEX) ||
	    !xs_nl_need(tb, XSTACK_A_IFNAME))
		return -1;
	li->ifindex = mnl_attr_get_u32(tb[XSTACK_A_IFINDEX]);
	li->ifname = mnl_attr_get_str(tb[XSTACK_A_IFNAME]);
	if (tb[XSTACK_A_LINK_TYPE])
		link_type_name(li, mnl_attr_get_u16(tb[XSTACK_A_LINK_TYPE]));
	if (tb[XSTACK_A_MTU]) {
		li->has_mtu = true;
		li->mtu = mnl_attr_get_u32(tb[XSTACK_A_MTU]);
	}
	if (tb[XSTACK_A_LINK_FLAGS])
		li->flags = mnl_attr_get_u32(tb[XSTACK_A_LINK_FLAGS]);
	if (tb[XSTACK_A_HWADDR])
		link_hwaddr(li, tb[XSTACK_A_HWADDR]);
	return 0;
}

/* "2: eth0  ether  mtu 1500  UP  <LOWER_UP>  52:54:00:12:34:56" */
static void link_print_text(const struct link_info *li)
{
	char mtu[16] = "-";
	char flags[32];

	if (li->has_mtu)
		snprintf(mtu, sizeof(mtu), "%u", li->mtu);
	snprintf(flags, sizeof(flags), "<%s%s%s>",
		 li->flags & XSTACK_LINK_F_RUNNING ? "LOWER_UP" : "",
		 (li->flags & XSTACK_LINK_F_RUNNING) &&
		 (li->flags & XSTACK_LINK_F_NOARP) ? "," : "",
		 li->flags & XSTACK_LINK_F_NOARP ? "NOARP" : "");
	printf("%u: %-16s %-8s mtu %-6s %-4s ", li->ifindex, li->ifname,
	       li->type ? li->type : "-", mtu,
	       li->flags & XSTACK_LINK_F_UP ? "UP" : "DOWN");
	if (li->hwaddr[0])
		printf("%-16s %s\n", flags, li->hwaddr);
	else
		printf("%s\n", flags);
}

static void link_print_json(struct json *j, const struct link_info *li)
{
	json_open_object(j, NULL);
	json_uint(j, "ifindex", li->ifindex);
	json_string(j, "ifname", li->ifname);
	if (li->has_mtu)
		json_uint(j, "mtu", li->mtu);
	else
		json_null(j, "mtu");
	json_string(j, "type", li->type);
	json_bool(j, "up", li->flags & XSTACK_LINK_F_UP);
	json_bool(j, "running", li->flags & XSTACK_LINK_F_RUNNING);
	json_bool(j, "noarp", li->flags & XSTACK_LINK_F_NOARP);
	json_string(j, "address", li->hwaddr[0] ? li->hwaddr : NULL);
	json_close_object(j);
}

static int link_show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_show *ls = data;
	struct link_info li;

	if (link_decode(nlh, &li) < 0)
		return MNL_CB_ERROR;
	if (ls->dev && strcmp(ls->dev, li.ifname))
		return MNL_CB_OK;
	if (xs_opts.json)
		link_print_json(&ls->json, &li);
	else
		link_print_text(&li);
	return MNL_CB_OK;
}

/* Attach or detach: one request naming the device, answered by an ACK. */
static int link_change(const struct xs_call *call, int argc, char **argv,
		       uint8_t cmd)
{
	struct nlmsghdr *nlh;
	const char *dev;
	int ret;

	ret = xs_parse_dev_arg(call, argc, argv, false, &dev);
	if (ret)
		return ret;
	nlh = xs_nl_new(cmd, NLM_F_ACK);
	if (!nlh)
		return XS_EXIT_FAIL;
	mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, dev);
	return xs_nl_run(nlh, NULL, NULL) ? XS_EXIT_FAIL : XS_EXIT_OK;
}

static int link_attach(const struct xs_call *call, int argc, char **argv)
{
	return link_change(call, argc, argv, XSTACK_CMD_LINK_ATTACH);
}

static int link_detach(const struct xs_call *call, int argc, char **argv)
{
	return link_change(call, argc, argv, XSTACK_CMD_LINK_DETACH);
}

/* All devices: a dump. One device: a plain LINK_GET naming it. */
static int link_show(const struct xs_call *call, int argc, char **argv)
{
	struct link_show ls = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	ret = xs_parse_dev_arg(call, argc, argv, true, &ls.dev);
	if (ret)
		return ret;
	nlh = xs_nl_new(XSTACK_CMD_LINK_GET, ls.dev ? NLM_F_ACK : NLM_F_DUMP);
	if (!nlh)
		return XS_EXIT_FAIL;
	if (ls.dev)
		mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, ls.dev);
	if (!xs_opts.json)
		return xs_nl_run(nlh, link_show_cb, &ls) ? XS_EXIT_FAIL
							 : XS_EXIT_OK;

	if (json_buffer(&ls.json) < 0) {
		xs_err("out of memory");
		return XS_EXIT_FAIL;
	}
	json_open_array(&ls.json, NULL);
	if (xs_nl_run(nlh, link_show_cb, &ls)) {
		json_discard(&ls.json);
		return XS_EXIT_FAIL;
	}
	json_close_array(&ls.json);
	json_commit(&ls.json, stdout);
	return XS_EXIT_OK;
}

static const struct xs_cmd link_cmds[] = {
	{
		.name	= "attach",
		.args	= "DEV",
		.help	= "attach device DEV to xstack",
		.detail	=
			"xstack then takes the ARP and IPv4 frames for its own\n"
			"addresses on DEV and passes everything else to the\n"
			"native stack. DEV is an Ethernet device or an L3 device\n"
			"without ARP (tun, wireguard, ipip, gre).\n",
		.run	= link_attach,
	},
	{
		.name	= "detach",
		.args	= "DEV",
		.help	= "detach DEV from xstack",
		.run	= link_detach,
	},
	{
		.name	= "show",
		.args	= "[DEV]",
		.help	= "list the attached devices, or only DEV",
		.detail	=
			"One line per device: ifindex, name, type, mtu, state\n"
			"(UP or DOWN), flags (LOWER_UP: carrier, NOARP) and the\n"
			"link-layer address. With -j, a JSON array of objects\n"
			"with the keys ifindex, ifname, mtu, type, up, running,\n"
			"noarp and address (null for L3 devices).\n",
		.run	= link_show,
	},
	{ .name = "list", .alias = "show" },
	{ .name = "ls", .alias = "show" },
	{ .name = NULL },
};

const struct xs_object xs_link_object = {
	.name		= "link",
	.help		= "devices attached to xstack",
	.default_cmd	= "show",
	.cmds		= link_cmds,
};
