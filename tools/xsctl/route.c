// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: the "route" object. Adds and removes routes of xstack's routing
 * table (XSTACK_CMD_ROUTE_ADD/DEL), lists it like "ip route"
 * (XSTACK_CMD_ROUTE_GET dump, sorted: default first, then by prefix) and
 * asks the kernel for the decision of one destination like
 * "ip route get" (XSTACK_CMD_ROUTE_LOOKUP):
 *
 *   default via 10.0.0.254 dev veth0 metric 0
 *   10.0.0.0/24 dev veth0 proto kernel src 10.0.0.1
 *   10.0.1.5 via 10.0.0.254 dev veth0 src 10.0.0.1 mtu 1500
 *
 * Errors are the kernel's (ESRCH, EEXIST, ENETUNREACH, EINVAL, ENODEV,
 * ENOENT), printed with their extack message: xsctl only checks syntax,
 * so that a prefix with host bits set reaches the kernel and is refused
 * there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nl.h"
#include "xsctl.h"

#define ROUTE_IFNAMSIZ	16

/* The words of "route add" and "route del". */
struct route_args {
	bool has_dst;
	struct in_addr dst;
	int plen;
	const char *dev;
	bool has_gw;
	struct in_addr gw;
	bool has_metric;
	uint32_t metric;
	bool has_src;
	struct in_addr src;
};

/* One route of a ROUTE_GET dump or the answer of ROUTE_LOOKUP, decoded. */
struct route_info {
	uint32_t dst;		/* network byte order */
	unsigned int plen;
	bool has_gw;
	uint32_t gw;
	bool has_src;
	uint32_t src;
	bool has_metric;
	uint32_t metric;
	unsigned int type;	/* XSTACK_RT_* */
	bool has_mtu;
	uint32_t mtu;
	unsigned int ifindex;
	char ifname[ROUTE_IFNAMSIZ];
};

/* What "route show" collects before sorting and printing. */
struct route_list {
	const char *dev;	/* only this device, or NULL */
	struct route_info *v;
	size_t n, cap;
	bool nomem;
};

static const char *const route_type_names[] = {
	[XSTACK_RT_UNICAST]	= "unicast",
	[XSTACK_RT_CONNECTED]	= "connected",
	[XSTACK_RT_LOCAL]	= "local",
	[XSTACK_RT_BROADCAST]	= "broadcast",
	[XSTACK_RT_MULTICAST]	= "multicast",
};

static const char *route_type_name(unsigned int type)
{
	if (type < ARRAY_SIZE(route_type_names) && route_type_names[type])
		return route_type_names[type];
	return "unknown";
}

/* Strict decimal u32: no sign, no blanks, no leading zero. */
static int parse_u32(const char *s, uint32_t *val)
{
	unsigned long long v = 0;
	const char *p;

	if (!*s || (s[0] == '0' && s[1]) || strlen(s) > 10)
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*val = v;
	return 0;
}

/* A plain A.B.C.D, without /LEN. */
static int parse_addr(const char *arg, struct in_addr *addr)
{
	int plen;

	if (xs_parse_prefix(arg, addr, &plen) || plen >= 0)
		return -1;
	return 0;
}

/* PREFIX: "default", A.B.C.D/LEN or A.B.C.D (a host route, /32). */
static int parse_dst(const char *arg, struct route_args *a)
{
	if (!strcmp(arg, "default")) {
		a->dst.s_addr = 0;
		a->plen = 0;
	} else if (xs_parse_prefix(arg, &a->dst, &a->plen)) {
		return -1;
	} else if (a->plen < 0) {
		a->plen = 32;
	}
	a->has_dst = true;
	return 0;
}

/* "KEYWORD VALUE": the value, or NULL after a usage error. */
static const char *keyword_value(const struct xs_call *call, int argc,
				 char **argv, int *i, bool seen)
{
	const char *kw = argv[*i];

	if (*i + 1 == argc) {
		xs_usage_error(call, "\"%s\" needs a value", kw);
		return NULL;
	}
	if (seen) {
		xs_usage_error(call, "\"%s\" given twice", kw);
		return NULL;
	}
	return argv[++*i];
}

static int route_parse_word(const struct xs_call *call, int argc, char **argv,
			    int *i, struct route_args *a, bool allow_src)
{
	const char *kw = argv[*i], *v;

	if (!strcmp(kw, "dev")) {
		v = keyword_value(call, argc, argv, i, a->dev);
		if (!v)
			return XS_EXIT_USAGE;
		if (!xs_valid_ifname(v))
			return xs_usage_error(call, "invalid device name \"%s\"", v);
		a->dev = v;
	} else if (!strcmp(kw, "via")) {
		v = keyword_value(call, argc, argv, i, a->has_gw);
		if (!v)
			return XS_EXIT_USAGE;
		if (parse_addr(v, &a->gw))
			return xs_usage_error(call, "invalid gateway \"%s\"", v);
		a->has_gw = true;
	} else if (!strcmp(kw, "metric")) {
		v = keyword_value(call, argc, argv, i, a->has_metric);
		if (!v)
			return XS_EXIT_USAGE;
		if (parse_u32(v, &a->metric))
			return xs_usage_error(call, "invalid metric \"%s\"", v);
		a->has_metric = true;
	} else if (allow_src && !strcmp(kw, "src")) {
		v = keyword_value(call, argc, argv, i, a->has_src);
		if (!v)
			return XS_EXIT_USAGE;
		if (parse_addr(v, &a->src))
			return xs_usage_error(call, "invalid source \"%s\"", v);
		a->has_src = true;
	} else if (a->has_dst) {
		return xs_usage_error(call, "unexpected argument \"%s\"", kw);
	} else if (parse_dst(kw, a)) {
		return xs_usage_error(call, "invalid prefix \"%s\"", kw);
	}
	return 0;
}

static int route_parse(const struct xs_call *call, int argc, char **argv,
		       struct route_args *a, bool allow_src)
{
	int i, ret;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		ret = route_parse_word(call, argc, argv, &i, a, allow_src);
		if (ret)
			return ret;
	}
	if (!a->has_dst)
		return xs_usage_error(call, "missing prefix");
	return 0;
}

/* Add or delete: one request with the attributes that were given. */
static int route_change(const struct route_args *a, uint8_t cmd)
{
	struct nlmsghdr *nlh;

	nlh = xs_nl_new(cmd, NLM_F_ACK);
	if (!nlh)
		return XS_EXIT_FAIL;
	mnl_attr_put_u32(nlh, XSTACK_A_DST, a->dst.s_addr);
	mnl_attr_put_u8(nlh, XSTACK_A_DST_LEN, a->plen);
	if (a->has_gw)
		mnl_attr_put_u32(nlh, XSTACK_A_GATEWAY, a->gw.s_addr);
	if (a->dev)
		mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, a->dev);
	if (a->has_metric)
		mnl_attr_put_u32(nlh, XSTACK_A_METRIC, a->metric);
	if (a->has_src)
		mnl_attr_put_u32(nlh, XSTACK_A_PREFSRC, a->src.s_addr);
	return xs_nl_run(nlh, NULL, NULL) ? XS_EXIT_FAIL : XS_EXIT_OK;
}

static int route_add(const struct xs_call *call, int argc, char **argv)
{
	struct route_args a;
	int ret;

	ret = route_parse(call, argc, argv, &a, true);
	if (ret)
		return ret;
	if (!a.has_gw && !a.dev)
		return xs_usage_error(call, "a route needs \"via GW\" or \"dev DEV\"");
	return route_change(&a, XSTACK_CMD_ROUTE_ADD);
}

static int route_del(const struct xs_call *call, int argc, char **argv)
{
	struct route_args a;
	int ret;

	ret = route_parse(call, argc, argv, &a, false);
	if (ret)
		return ret;
	return route_change(&a, XSTACK_CMD_ROUTE_DEL);
}

static int route_decode(const struct nlmsghdr *nlh, struct route_info *ri)
{
	const struct nlattr *tb[XSTACK_A_MAX + 1];

	memset(ri, 0, sizeof(*ri));
	if (xs_nl_attrs(nlh, tb) < 0 || !xs_nl_need(tb, XSTACK_A_DST) ||
	    !xs_nl_need(tb, XSTACK_A_IFINDEX) ||
	    !xs_nl_need(tb, XSTACK_A_IFNAME))
		return -1;
	ri->dst = mnl_attr_get_u32(tb[XSTACK_A_DST]);
	ri->plen = 32;
	if (tb[XSTACK_A_DST_LEN])
		ri->plen = mnl_attr_get_u8(tb[XSTACK_A_DST_LEN]);
	ri->has_gw = tb[XSTACK_A_GATEWAY];
	if (ri->has_gw)
		ri->gw = mnl_attr_get_u32(tb[XSTACK_A_GATEWAY]);
	ri->has_src = tb[XSTACK_A_PREFSRC];
	if (ri->has_src)
		ri->src = mnl_attr_get_u32(tb[XSTACK_A_PREFSRC]);
	ri->has_metric = tb[XSTACK_A_METRIC];
	if (ri->has_metric)
		ri->metric = mnl_attr_get_u32(tb[XSTACK_A_METRIC]);
	if (tb[XSTACK_A_ROUTE_TYPE])
		ri->type = mnl_attr_get_u8(tb[XSTACK_A_ROUTE_TYPE]);
	ri->has_mtu = tb[XSTACK_A_PMTU];
	if (ri->has_mtu)
		ri->mtu = mnl_attr_get_u32(tb[XSTACK_A_PMTU]);
	ri->ifindex = mnl_attr_get_u32(tb[XSTACK_A_IFINDEX]);
	snprintf(ri->ifname, sizeof(ri->ifname), "%s",
		 mnl_attr_get_str(tb[XSTACK_A_IFNAME]));
	return 0;
}

static const char *ntop(uint32_t addr, char *buf)
{
	struct in_addr in = { .s_addr = addr };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* "default", "10.0.0.0/24", or "10.1.2.3" for a host route. */
static const char *route_dst_str(const struct route_info *ri, char *buf,
				 size_t size)
{
	char a[INET_ADDRSTRLEN];

	if (ri->plen == 0 && ri->dst == 0)
		snprintf(buf, size, "default");
	else if (ri->plen == 32)
		snprintf(buf, size, "%s", ntop(ri->dst, a));
	else
		snprintf(buf, size, "%s/%u", ntop(ri->dst, a), ri->plen);
	return buf;
}

static void route_print_text(const struct route_info *ri)
{
	char dst[INET_ADDRSTRLEN + 3], a[INET_ADDRSTRLEN];
	bool connected = ri->type == XSTACK_RT_CONNECTED;

	printf("%s", route_dst_str(ri, dst, sizeof(dst)));
	if (ri->has_gw)
		printf(" via %s", ntop(ri->gw, a));
	printf(" dev %s", ri->ifname);
	if (connected)
		printf(" proto kernel");
	if (ri->has_src)
		printf(" src %s", ntop(ri->src, a));
	if (ri->has_metric && (!connected || ri->metric))
		printf(" metric %u", ri->metric);
	putchar('\n');
}

static void json_addr(struct json *j, const char *key, bool has,
		      uint32_t addr)
{
	char a[INET_ADDRSTRLEN];

	json_string(j, key, has ? ntop(addr, a) : NULL);
}

static void route_print_json(struct json *j, const struct route_info *ri)
{
	char dst[INET_ADDRSTRLEN + 3];

	json_open_object(j, NULL);
	json_string(j, "dst", route_dst_str(ri, dst, sizeof(dst)));
	json_uint(j, "dst_len", ri->plen);
	json_addr(j, "gateway", ri->has_gw, ri->gw);
	json_string(j, "dev", ri->ifname);
	json_uint(j, "ifindex", ri->ifindex);
	json_string(j, "protocol",
		    ri->type == XSTACK_RT_CONNECTED ? "kernel" : "static");
	json_string(j, "type", route_type_name(ri->type));
	json_addr(j, "prefsrc", ri->has_src, ri->src);
	json_uint(j, "metric", ri->metric);
	json_close_object(j);
}

static int route_show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_list *rl = data;
	struct route_info ri, *v;

	if (route_decode(nlh, &ri) < 0)
		return MNL_CB_ERROR;
	if (rl->dev && strcmp(rl->dev, ri.ifname))
		return MNL_CB_OK;
	if (rl->n == rl->cap) {
		rl->cap = rl->cap ? 2 * rl->cap : 16;
		v = realloc(rl->v, rl->cap * sizeof(*v));
		if (!v) {
			xs_err("out of memory");
			rl->nomem = true;
			return MNL_CB_ERROR;
		}
		rl->v = v;
	}
	rl->v[rl->n++] = ri;
	return MNL_CB_OK;
}

/* As "ip route": by prefix (default first), then longer, then metric. */
static int route_cmp(const void *pa, const void *pb)
{
	const struct route_info *a = pa, *b = pb;
	uint32_t da = ntohl(a->dst), db = ntohl(b->dst);

	if (da != db)
		return da < db ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	return 0;
}

static int route_show_print(struct route_list *rl)
{
	struct json j;
	size_t i;

	qsort(rl->v, rl->n, sizeof(*rl->v), route_cmp);
	if (!xs_opts.json) {
		for (i = 0; i < rl->n; i++)
			route_print_text(&rl->v[i]);
		return XS_EXIT_OK;
	}
	json_init(&j, stdout);
	json_open_array(&j, NULL);
	for (i = 0; i < rl->n; i++)
		route_print_json(&j, &rl->v[i]);
	json_close_array(&j);
	return XS_EXIT_OK;
}

static int route_show(const struct xs_call *call, int argc, char **argv)
{
	struct route_list rl = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	ret = xs_parse_dev_arg(call, argc, argv, true, &rl.dev);
	if (ret)
		return ret;
	nlh = xs_nl_new(XSTACK_CMD_ROUTE_GET, NLM_F_DUMP);
	if (!nlh)
		return XS_EXIT_FAIL;
	if (xs_nl_run(nlh, route_show_cb, &rl))
		ret = XS_EXIT_FAIL;
	else
		ret = route_show_print(&rl);
	free(rl.v);
	return ret;
}

/* "route get": the answer of ROUTE_LOOKUP. */
static int route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_info *ri = data;

	return route_decode(nlh, ri) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* "10.0.1.5 via 10.0.0.254 dev veth0 src 10.0.0.1 mtu 1500" */
static void route_get_print_text(const struct route_info *ri)
{
	char a[INET_ADDRSTRLEN];

	if (ri->type == XSTACK_RT_LOCAL || ri->type == XSTACK_RT_BROADCAST ||
	    ri->type == XSTACK_RT_MULTICAST)
		printf("%s ", route_type_name(ri->type));
	printf("%s", ntop(ri->dst, a));
	if (ri->has_gw)
		printf(" via %s", ntop(ri->gw, a));
	printf(" dev %s", ri->ifname);
	if (ri->has_src)
		printf(" src %s", ntop(ri->src, a));
	if (ri->has_mtu)
		printf(" mtu %u", ri->mtu);
	putchar('\n');
}

static void route_get_print_json(const struct route_info *ri)
{
	char a[INET_ADDRSTRLEN];
	struct json j;

	json_init(&j, stdout);
	json_open_object(&j, NULL);
	json_string(&j, "dst", ntop(ri->dst, a));
	json_addr(&j, "gateway", ri->has_gw, ri->gw);
	json_string(&j, "dev", ri->ifname);
	json_uint(&j, "ifindex", ri->ifindex);
	json_addr(&j, "prefsrc", ri->has_src, ri->src);
	json_string(&j, "type", route_type_name(ri->type));
	if (ri->has_mtu)
		json_uint(&j, "mtu", ri->mtu);
	else
		json_null(&j, "mtu");
	json_close_object(&j);
}

static int route_get_parse(const struct xs_call *call, int argc, char **argv,
			   struct route_args *a)
{
	const char *v;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "from")) {
			v = keyword_value(call, argc, argv, &i, a->has_src);
			if (!v)
				return XS_EXIT_USAGE;
			if (parse_addr(v, &a->src))
				return xs_usage_error(call, "invalid source \"%s\"", v);
			a->has_src = true;
		} else if (!strcmp(argv[i], "oif") || !strcmp(argv[i], "dev")) {
			v = keyword_value(call, argc, argv, &i, a->dev);
			if (!v)
				return XS_EXIT_USAGE;
			if (!xs_valid_ifname(v))
				return xs_usage_error(call, "invalid device name \"%s\"", v);
			a->dev = v;
		} else if (a->has_dst) {
			return xs_usage_error(call, "unexpected argument \"%s\"",
					      argv[i]);
		} else if (parse_addr(argv[i], &a->dst)) {
			return xs_usage_error(call, "invalid address \"%s\"",
					      argv[i]);
		} else {
			a->has_dst = true;
		}
	}
	if (!a->has_dst)
		return xs_usage_error(call, "missing address");
	return 0;
}

static int route_get(const struct xs_call *call, int argc, char **argv)
{
	struct route_info ri = { .ifindex = 0 };
	struct nlmsghdr *nlh;
	struct route_args a;
	int ret;

	ret = route_get_parse(call, argc, argv, &a);
	if (ret)
		return ret;
	nlh = xs_nl_new(XSTACK_CMD_ROUTE_LOOKUP, NLM_F_ACK);
	if (!nlh)
		return XS_EXIT_FAIL;
	mnl_attr_put_u32(nlh, XSTACK_A_DST, a.dst.s_addr);
	if (a.has_src)
		mnl_attr_put_u32(nlh, XSTACK_A_PREFSRC, a.src.s_addr);
	if (a.dev)
		mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, a.dev);
	ri.ifname[0] = '\0';
	if (xs_nl_run(nlh, route_get_cb, &ri))
		return XS_EXIT_FAIL;
	if (!ri.ifname[0]) {
		xs_err("no answer from the kernel");
		return XS_EXIT_FAIL;
	}
	if (xs_opts.json)
		route_get_print_json(&ri);
	else
		route_get_print_text(&ri);
	return XS_EXIT_OK;
}

static const struct xs_cmd route_cmds[] = {
	{
		.name	= "show",
		.args	= "[dev DEV]",
		.help	= "list the routing table, or the routes of DEV",
		.detail	=
			"One line per route, as \"ip route\": PREFIX [via GW] dev DEV\n"
			"[proto kernel] [src A] [metric N]; connected routes (of an\n"
			"address) say \"proto kernel\". With -j, a JSON array of\n"
			"objects with the keys dst, dst_len, gateway, dev, ifindex,\n"
			"protocol, type, prefsrc and metric.\n",
		.run	= route_show,
	},
	{
		.name	= "add",
		.args	= "PREFIX [via GW] [dev DEV] [metric N] [src A]",
		.help	= "add a route",
		.detail	=
			"PREFIX is \"default\", A.B.C.D/LEN or A.B.C.D (a host\n"
			"route). A route needs a gateway on a connected network or\n"
			"a device. Among routes to one prefix the lowest metric\n"
			"wins; two routes to one prefix need different metrics.\n",
		.run	= route_add,
	},
	{
		.name	= "del",
		.args	= "PREFIX [via GW] [dev DEV] [metric N]",
		.help	= "delete a route",
		.detail	=
			"Deletes the first route to PREFIX that matches the\n"
			"gateway, device and metric given.\n",
		.run	= route_del,
	},
	{
		.name	= "get",
		.args	= "A.B.C.D [from A] [oif DEV]",
		.help	= "show the route xstack takes to A.B.C.D",
		.detail	=
			"Prints the decision as \"ip route get\": destination,\n"
			"gateway (if not on-link), device, source address and\n"
			"path MTU; \"local\", \"broadcast\" or \"multicast\" first\n"
			"for such destinations. With -j, a JSON object with the\n"
			"keys dst, gateway, dev, ifindex, prefsrc, type and mtu.\n",
		.run	= route_get,
	},
	{ .name = "delete", .alias = "del" },
	{ .name = "list", .alias = "show" },
	{ .name = "ls", .alias = "show" },
	{ .name = NULL },
};

const struct xs_object xs_route_object = {
	.name		= "route",
	.help		= "the routing table",
	.default_cmd	= "show",
	.cmds		= route_cmds,
};
