// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: the "neigh" object. Lists xstack's neighbour (ARP) cache like
 * "ip neigh" (XSTACK_CMD_NEIGH_GET dump, sorted by device and address),
 * adds or replaces entries, static ones included (XSTACK_CMD_NEIGH_ADD),
 * deletes one (XSTACK_CMD_NEIGH_DEL) and flushes the dynamic entries
 * (XSTACK_CMD_NEIGH_FLUSH):
 *
 *   10.0.0.2 dev veth0 lladdr 02:00:00:00:00:02 REACHABLE
 *   10.0.0.3 dev veth0 FAILED
 *   10.0.0.9 dev veth0 lladdr 02:00:00:00:00:09 PERMANENT
 *
 * xsctl only checks syntax; the kernel refuses bad values (multicast
 * link-layer address, non-unicast neighbour, device without ARP) with an
 * extack message that is printed.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nl.h"
#include "xsctl.h"

#define NEIGH_IFNAMSIZ	16
#define NEIGH_ETH_ALEN	6

/* The words of "neigh add", "neigh del" and "neigh flush". */
struct neigh_args {
	bool has_dst;
	struct in_addr dst;
	bool has_lladdr;
	uint8_t lladdr[NEIGH_ETH_ALEN];
	const char *dev;
	uint16_t state;		/* 0: not given */
};

/* One entry of a NEIGH_GET dump, decoded. */
struct neigh_info {
	uint32_t dst;		/* network byte order */
	unsigned int ifindex;
	char ifname[NEIGH_IFNAMSIZ];
	bool has_lladdr;
	uint8_t lladdr[NEIGH_ETH_ALEN];
	uint16_t state;
	uint32_t probes;
	bool has_age;
	uint32_t age_ms;
};

/* What "neigh show" collects before sorting and printing. */
struct neigh_list {
	struct neigh_info *v;
	size_t n, cap;
	bool nomem;
};

static const struct {
	uint16_t state;
	const char *name;
} neigh_states[] = {
	{ XSTACK_NUD_INCOMPLETE,	"INCOMPLETE" },
	{ XSTACK_NUD_REACHABLE,		"REACHABLE" },
	{ XSTACK_NUD_STALE,		"STALE" },
	{ XSTACK_NUD_DELAY,		"DELAY" },
	{ XSTACK_NUD_PROBE,		"PROBE" },
	{ XSTACK_NUD_FAILED,		"FAILED" },
	{ XSTACK_NUD_NOARP,		"NOARP" },
	{ XSTACK_NUD_PERMANENT,		"PERMANENT" },
};

static const char *neigh_state_name(uint16_t state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(neigh_states); i++)
		if (neigh_states[i].state == state)
			return neigh_states[i].name;
	return "NONE";
}

/* "permanent", "reachable", "stale" (any case) for "nud STATE". */
static int neigh_parse_state(const char *arg, uint16_t *state)
{
	static const uint16_t settable[] = { XSTACK_NUD_PERMANENT,
					     XSTACK_NUD_REACHABLE,
					     XSTACK_NUD_STALE };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(settable); i++) {
		if (!strcasecmp(arg, neigh_state_name(settable[i]))) {
			*state = settable[i];
			return 0;
		}
	}
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff": six groups of one or two hex digits. */
static int neigh_parse_mac(const char *s, uint8_t *mac)
{
	int i, d, v;

	for (i = 0; i < NEIGH_ETH_ALEN; i++) {
		v = hexval(*s);
		if (v < 0)
			return -1;
		s++;
		d = hexval(*s);
		if (d >= 0) {
			v = v * 16 + d;
			s++;
		}
		mac[i] = v;
		if (i < NEIGH_ETH_ALEN - 1 && *s++ != ':')
			return -1;
	}
	return *s ? -1 : 0;
}

static void neigh_format_mac(const uint8_t *mac, char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

/* A plain A.B.C.D, without /LEN. */
static int neigh_parse_addr(const char *arg, struct in_addr *addr)
{
	int plen;

	if (xs_parse_prefix(arg, addr, &plen) || plen >= 0)
		return -1;
	return 0;
}

/* "KEYWORD VALUE": the value, or NULL after a usage error. */
static const char *neigh_value(const struct xs_call *call, int argc,
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

/*
 * The words of add (@add: lladdr and a state allowed) and del, in any
 * order. Returns 0 or XS_EXIT_USAGE after printing why.
 */
static int neigh_parse(const struct xs_call *call, int argc, char **argv,
		       bool add, struct neigh_args *a)
{
	const char *v;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "dev")) {
			v = neigh_value(call, argc, argv, &i, a->dev);
			if (!v)
				return XS_EXIT_USAGE;
			if (!xs_valid_ifname(v))
				return xs_usage_error(call, "invalid device name \"%s\"",
						      v);
			a->dev = v;
		} else if (add && !strcmp(argv[i], "lladdr")) {
			v = neigh_value(call, argc, argv, &i, a->has_lladdr);
			if (!v)
				return XS_EXIT_USAGE;
			if (neigh_parse_mac(v, a->lladdr))
				return xs_usage_error(call, "invalid MAC \"%s\" (a:b:c:d:e:f)",
						      v);
			a->has_lladdr = true;
		} else if (add && !strcmp(argv[i], "nud")) {
			v = neigh_value(call, argc, argv, &i, a->state);
			if (!v)
				return XS_EXIT_USAGE;
			if (neigh_parse_state(v, &a->state))
				return xs_usage_error(call, "invalid state \"%s\"",
						      v);
		} else if (add && !strcmp(argv[i], "permanent")) {
			if (a->state)
				return xs_usage_error(call, "state given twice");
			a->state = XSTACK_NUD_PERMANENT;
		} else if (!a->has_dst && !neigh_parse_addr(argv[i], &a->dst)) {
			a->has_dst = true;
		} else if (!a->has_dst) {
			return xs_usage_error(call, "invalid address \"%s\"",
					      argv[i]);
		} else {
			return xs_usage_error(call, "unexpected argument \"%s\"",
					      argv[i]);
		}
	}
	if (!a->has_dst)
		return xs_usage_error(call, "missing neighbour address");
	if (add && !a->has_lladdr)
		return xs_usage_error(call, "missing \"lladdr MAC\"");
	if (!a->dev)
		return xs_usage_error(call, "missing \"dev DEV\"");
	return 0;
}

static int neigh_add(const struct xs_call *call, int argc, char **argv)
{
	struct neigh_args a;
	struct nlmsghdr *nlh;
	int ret;

	ret = neigh_parse(call, argc, argv, true, &a);
	if (ret)
		return ret;
	nlh = xs_nl_new(XSTACK_CMD_NEIGH_ADD, NLM_F_ACK);
	if (!nlh)
		return XS_EXIT_FAIL;
	mnl_attr_put_u32(nlh, XSTACK_A_DST, a.dst.s_addr);
	mnl_attr_put(nlh, XSTACK_A_LLADDR, sizeof(a.lladdr), a.lladdr);
	mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, a.dev);
	if (a.state)
		mnl_attr_put_u16(nlh, XSTACK_A_NEIGH_STATE, a.state);
	return xs_nl_run(nlh, NULL, NULL) ? XS_EXIT_FAIL : XS_EXIT_OK;
}

static int neigh_del(const struct xs_call *call, int argc, char **argv)
{
	struct neigh_args a;
	struct nlmsghdr *nlh;
	int ret;

	ret = neigh_parse(call, argc, argv, false, &a);
	if (ret)
		return ret;
	nlh = xs_nl_new(XSTACK_CMD_NEIGH_DEL, NLM_F_ACK);
	if (!nlh)
		return XS_EXIT_FAIL;
	mnl_attr_put_u32(nlh, XSTACK_A_DST, a.dst.s_addr);
	mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, a.dev);
	return xs_nl_run(nlh, NULL, NULL) ? XS_EXIT_FAIL : XS_EXIT_OK;
}

static int neigh_flush(const struct xs_call *call, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	const char *dev;
	int ret;

	ret = xs_parse_dev_arg(call, argc, argv, true, &dev);
	if (ret)
		return ret;
	nlh = xs_nl_new(XSTACK_CMD_NEIGH_FLUSH, NLM_F_ACK);
	if (!nlh)
		return XS_EXIT_FAIL;
	if (dev)
		mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, dev);
	return xs_nl_run(nlh, NULL, NULL) ? XS_EXIT_FAIL : XS_EXIT_OK;
}

static int neigh_decode(const struct nlmsghdr *nlh, struct neigh_info *ni)
{
	const struct nlattr *tb[XSTACK_A_MAX + 1];
	const struct nlattr *ll;

	memset(ni, 0, sizeof(*ni));
	if (xs_nl_attrs(nlh, tb) < 0 || !xs_nl_need(tb, XSTACK_A_DST) ||
	    !xs_nl_need(tb, XSTACK_A_IFINDEX) ||
	    !xs_nl_need(tb, XSTACK_A_IFNAME) ||
	    !xs_nl_need(tb, XSTACK_A_NEIGH_STATE))
		return -1;
	ni->dst = mnl_attr_get_u32(tb[XSTACK_A_DST]);
	ni->ifindex = mnl_attr_get_u32(tb[XSTACK_A_IFINDEX]);
	snprintf(ni->ifname, sizeof(ni->ifname), "%s",
		 mnl_attr_get_str(tb[XSTACK_A_IFNAME]));
	ni->state = mnl_attr_get_u16(tb[XSTACK_A_NEIGH_STATE]);
	ll = tb[XSTACK_A_LLADDR];
	if (ll) {
		if (mnl_attr_get_payload_len(ll) != NEIGH_ETH_ALEN) {
			xs_err("malformed reply from kernel (attribute LLADDR)");
			return -1;
		}
		memcpy(ni->lladdr, mnl_attr_get_payload(ll), NEIGH_ETH_ALEN);
		ni->has_lladdr = true;
	}
	if (tb[XSTACK_A_NEIGH_PROBES])
		ni->probes = mnl_attr_get_u32(tb[XSTACK_A_NEIGH_PROBES]);
	if (tb[XSTACK_A_NEIGH_AGE]) {
		ni->age_ms = mnl_attr_get_u32(tb[XSTACK_A_NEIGH_AGE]);
		ni->has_age = true;
	}
	return 0;
}

static int neigh_collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_list *nl = data;
	struct neigh_info *v;

	if (nl->n == nl->cap) {
		nl->cap = nl->cap ? nl->cap * 2 : 32;
		v = realloc(nl->v, nl->cap * sizeof(*v));
		if (!v) {
			nl->nomem = true;
			xs_err("out of memory");
			return MNL_CB_ERROR;
		}
		nl->v = v;
	}
	if (neigh_decode(nlh, &nl->v[nl->n]) < 0)
		return MNL_CB_ERROR;
	nl->n++;
	return MNL_CB_OK;
}

/* By device, then by address. */
static int neigh_cmp(const void *pa, const void *pb)
{
	const struct neigh_info *a = pa, *b = pb;
	uint32_t x = ntohl(a->dst), y = ntohl(b->dst);

	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* "10.0.0.2 dev veth0 lladdr 02:00:00:00:00:02 REACHABLE" */
static void neigh_print_text(const struct neigh_info *ni)
{
	char addr[INET_ADDRSTRLEN], mac[18];
	struct in_addr in = { .s_addr = ni->dst };

	inet_ntop(AF_INET, &in, addr, sizeof(addr));
	printf("%s dev %s", addr, ni->ifname);
	if (ni->has_lladdr) {
		neigh_format_mac(ni->lladdr, mac, sizeof(mac));
		printf(" lladdr %s", mac);
	}
	printf(" %s\n", neigh_state_name(ni->state));
}

static void neigh_print_json(struct json *j, const struct neigh_info *ni)
{
	char addr[INET_ADDRSTRLEN], mac[18];
	struct in_addr in = { .s_addr = ni->dst };

	inet_ntop(AF_INET, &in, addr, sizeof(addr));
	json_open_object(j, NULL);
	json_string(j, "dst", addr);
	json_string(j, "dev", ni->ifname);
	json_uint(j, "ifindex", ni->ifindex);
	if (ni->has_lladdr) {
		neigh_format_mac(ni->lladdr, mac, sizeof(mac));
		json_string(j, "lladdr", mac);
	} else {
		json_null(j, "lladdr");
	}
	json_string(j, "state", neigh_state_name(ni->state));
	json_uint(j, "probes", ni->probes);
	if (ni->has_age)
		json_uint(j, "age_ms", ni->age_ms);
	else
		json_null(j, "age_ms");
	json_close_object(j);
}

/* A dump, of one device when the kernel is given its name. */
static int neigh_show(const struct xs_call *call, int argc, char **argv)
{
	struct neigh_list nl = { 0 };
	struct nlmsghdr *nlh;
	const char *dev;
	struct json j;
	int ret;
	size_t i;

	ret = xs_parse_dev_arg(call, argc, argv, true, &dev);
	if (ret)
		return ret;
	nlh = xs_nl_new(XSTACK_CMD_NEIGH_GET, NLM_F_DUMP);
	if (!nlh)
		return XS_EXIT_FAIL;
	if (dev)
		mnl_attr_put_strz(nlh, XSTACK_A_IFNAME, dev);
	if (xs_nl_run(nlh, neigh_collect_cb, &nl)) {
		free(nl.v);
		return XS_EXIT_FAIL;
	}
	if (nl.n)
		qsort(nl.v, nl.n, sizeof(*nl.v), neigh_cmp);

	if (!xs_opts.json) {
		for (i = 0; i < nl.n; i++)
			neigh_print_text(&nl.v[i]);
		free(nl.v);
		return XS_EXIT_OK;
	}
	json_init(&j, stdout);
	if (json_buffer(&j) < 0) {
		free(nl.v);
		xs_err("out of memory");
		return XS_EXIT_FAIL;
	}
	json_open_array(&j, NULL);
	for (i = 0; i < nl.n; i++)
		neigh_print_json(&j, &nl.v[i]);
	json_close_array(&j);
	free(nl.v);
	json_commit(&j, stdout);
	return XS_EXIT_OK;
}

static const struct xs_cmd neigh_cmds[] = {
	{
		.name	= "add",
		.args	= "A.B.C.D lladdr MAC dev DEV [permanent | nud STATE]",
		.help	= "add or replace the neighbour A.B.C.D on DEV",
		.detail	=
			"MAC is aa:bb:cc:dd:ee:ff. Without a state the entry is\n"
			"REACHABLE and then ages like a learned one; \"permanent\"\n"
			"makes a static entry that ARP never changes, that is not\n"
			"garbage collected and that \"flush\" keeps. STATE is\n"
			"permanent, reachable or stale. DEV must use ARP (not an\n"
			"L3 device).\n",
		.run	= neigh_add,
	},
	{
		.name	= "del",
		.args	= "A.B.C.D dev DEV",
		.help	= "delete the neighbour A.B.C.D of DEV",
		.detail	=
			"Deletes the entry whatever its state, a static one too,\n"
			"and drops the packets waiting for its resolution.\n",
		.run	= neigh_del,
	},
	{
		.name	= "show",
		.args	= "[dev DEV]",
		.help	= "list the neighbour cache, or the entries of DEV",
		.detail	=
			"One line per entry, like \"ip neigh\": address, device,\n"
			"link-layer address when known, and state (INCOMPLETE,\n"
			"REACHABLE, STALE, DELAY, PROBE, FAILED, PERMANENT).\n"
			"With -j, a JSON array of objects with the keys dst, dev,\n"
			"ifindex, lladdr (null when unknown), state, probes\n"
			"(requests of the current resolution) and age_ms (time\n"
			"since the last confirmation).\n",
		.run	= neigh_show,
	},
	{
		.name	= "flush",
		.args	= "[dev DEV]",
		.help	= "delete the dynamic entries, of all devices or of DEV",
		.detail	= "Static (PERMANENT) entries are kept.\n",
		.run	= neigh_flush,
	},
	{ .name = "replace", .alias = "add" },
	{ .name = "delete", .alias = "del" },
	{ .name = "list", .alias = "show" },
	{ .name = "ls", .alias = "show" },
	{ .name = NULL },
};

const struct xs_object xs_neigh_object = {
	.name		= "neigh",
	.help		= "neighbour (ARP) cache",
	.default_cmd	= "show",
	.cmds		= neigh_cmds,
};
