// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: generic netlink transport. Opens the netlink socket with extended
 * ACKs (NETLINK_EXT_ACK) and capped ACKs (NETLINK_CAP_ACK), resolves the
 * "xstack" family through nlctrl (CTRL_CMD_GETFAMILY), builds requests,
 * runs them to their end (a reply and its ACK, or a multi-part dump up to
 * NLMSG_DONE) and prints the kernel's error with its extack message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"
#include "xsctl.h"

#define NL_REQ_SIZE	4096
#define NL_RECV_SIZE	32768	/* the most the kernel puts in one dump skb */

static struct {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;	/* 0 until resolved */
} nl;

static union {
	struct nlmsghdr nlh;
	char buf[NL_REQ_SIZE];
} nl_req;

static union {
	struct nlmsghdr nlh;
	char buf[NL_RECV_SIZE];
} nl_rx;

/**
 * struct nl_call - state of one request while its answer is read
 * @type: message type of the expected replies (the family id)
 * @cb: handler of each reply, may be NULL
 * @data: argument of @cb
 * @error: positive errno from NLMSG_ERROR or NLMSG_DONE, 0 if none
 * @cb_failed: @cb failed and printed why
 * @miss_type: NLMSGERR_ATTR_MISS_TYPE of the extack, 0 if none
 * @msg: NLMSGERR_ATTR_MSG of the extack, "" if none
 */
struct nl_call {
	uint16_t type;
	mnl_cb_t cb;
	void *data;
	int error;
	bool cb_failed;
	unsigned int miss_type;
	char msg[256];
};

/* Receive side checks of the xstack attributes, by type. */
static const struct {
	const char *name;
	enum mnl_attr_data_type type;
} nl_policy[XSTACK_A_MAX + 1] = {
	[XSTACK_A_IFINDEX]	= { "IFINDEX",	  MNL_TYPE_U32 },
	[XSTACK_A_IFNAME]	= { "IFNAME",	  MNL_TYPE_NUL_STRING },
	[XSTACK_A_ADDR]		= { "ADDR",	  MNL_TYPE_U32 },
	[XSTACK_A_PREFIXLEN]	= { "PREFIXLEN",  MNL_TYPE_U8 },
	[XSTACK_A_MTU]		= { "MTU",	  MNL_TYPE_U32 },
	[XSTACK_A_LINK_TYPE]	= { "LINK_TYPE",  MNL_TYPE_U16 },
	[XSTACK_A_LINK_FLAGS]	= { "LINK_FLAGS", MNL_TYPE_U32 },
	[XSTACK_A_HWADDR]	= { "HWADDR",	  MNL_TYPE_BINARY },
	[XSTACK_A_BROADCAST]	= { "BROADCAST",  MNL_TYPE_U32 },
	[XSTACK_A_DST]		= { "DST",	  MNL_TYPE_U32 },
	[XSTACK_A_DST_LEN]	= { "DST_LEN",	  MNL_TYPE_U8 },
	[XSTACK_A_GATEWAY]	= { "GATEWAY",	  MNL_TYPE_U32 },
	[XSTACK_A_PREFSRC]	= { "PREFSRC",	  MNL_TYPE_U32 },
	[XSTACK_A_METRIC]	= { "METRIC",	  MNL_TYPE_U32 },
	[XSTACK_A_ROUTE_TYPE]	= { "ROUTE_TYPE", MNL_TYPE_U8 },
	[XSTACK_A_LLADDR]	= { "LLADDR",	  MNL_TYPE_BINARY },
	[XSTACK_A_NEIGH_STATE]	= { "NEIGH_STATE", MNL_TYPE_U16 },
	[XSTACK_A_STAT_GROUP]	= { "STAT_GROUP", MNL_TYPE_NUL_STRING },
	[XSTACK_A_STAT_NAME]	= { "STAT_NAME",  MNL_TYPE_NUL_STRING },
	[XSTACK_A_STAT_VALUE]	= { "STAT_VALUE", MNL_TYPE_U64 },
	[XSTACK_A_PAD]		= { "PAD",	  MNL_TYPE_UNSPEC },
	[XSTACK_A_NEIGH_PROBES]	= { "NEIGH_PROBES", MNL_TYPE_U32 },
	[XSTACK_A_NEIGH_AGE]	= { "NEIGH_AGE",  MNL_TYPE_U32 },
	[XSTACK_A_PMTU]		= { "PMTU",	  MNL_TYPE_U32 },
	[XSTACK_A_SOCK]		= { "SOCK",	  MNL_TYPE_NESTED },
	[XSTACK_A_SOCK_STATE]	= { "SOCK_STATE", MNL_TYPE_U8 },
	[XSTACK_A_SOCK_LADDR]	= { "SOCK_LADDR", MNL_TYPE_U32 },
	[XSTACK_A_SOCK_LPORT]	= { "SOCK_LPORT", MNL_TYPE_U16 },
	[XSTACK_A_SOCK_RADDR]	= { "SOCK_RADDR", MNL_TYPE_U32 },
	[XSTACK_A_SOCK_RPORT]	= { "SOCK_RPORT", MNL_TYPE_U16 },
	[XSTACK_A_SOCK_RQUEUE]	= { "SOCK_RQUEUE", MNL_TYPE_U32 },
	[XSTACK_A_SOCK_WQUEUE]	= { "SOCK_WQUEUE", MNL_TYPE_U32 },
	[XSTACK_A_SOCK_UID]	= { "SOCK_UID",	  MNL_TYPE_U32 },
	[XSTACK_A_SOCK_INODE]	= { "SOCK_INODE", MNL_TYPE_U64 },
	[XSTACK_A_TCP_INFO]	= { "TCP_INFO",	  MNL_TYPE_BINARY },
	[XSTACK_A_CA_NAME]	= { "CA_NAME",	  MNL_TYPE_NUL_STRING },
	[XSTACK_A_SOCK_STATES]	= { "SOCK_STATES", MNL_TYPE_U32 },
};

const char *xs_nl_attr_name(unsigned int type)
{
	if (type > XSTACK_A_MAX || !nl_policy[type].name)
		return "unknown";
	return nl_policy[type].name;
}

static struct nlmsghdr *nl_msg(uint16_t family, uint8_t cmd,
			       uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl_req.buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl.seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* Pick NLMSGERR_ATTR_* out of the TLVs that start @off into the payload. */
static void nl_extack(const struct nlmsghdr *nlh, size_t off,
		      struct nl_call *c)
{
	const struct nlattr *attr;
	size_t len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(attr, nlh, off) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(attr, MNL_TYPE_STRING) < 0)
				break;
			len = mnl_attr_get_payload_len(attr);
			if (len >= sizeof(c->msg))
				len = sizeof(c->msg) - 1;
			memcpy(c->msg, mnl_attr_get_str(attr), len);
			c->msg[len] = '\0';
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				c->miss_type = mnl_attr_get_u32(attr);
			break;
		}
	}
}

/* An error or a success: the end of a request that is not a dump. */
static int nl_cb_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct nl_call *c = data;
	size_t off = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		c->error = EBADMSG;
		return MNL_CB_ERROR;
	}
	/* Without NETLINK_CAP_ACK the whole request is echoed first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    err->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += err->msg.nlmsg_len - NLMSG_HDRLEN;
	nl_extack(nlh, off, c);
	if (err->error == 0) {
		if (c->msg[0])
			xs_err("Warning: %s", c->msg);
		return MNL_CB_STOP;
	}
	c->error = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

/* The end of a dump: an int error (0 if the dump succeeded), then TLVs. */
static int nl_cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct nl_call *c = data;
	int error = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(error))
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	nl_extack(nlh, sizeof(error), c);
	if (error == 0) {
		if (c->msg[0])
			xs_err("Warning: %s", c->msg);
		return MNL_CB_STOP;
	}
	c->error = error < 0 ? -error : error;
	return MNL_CB_ERROR;
}

static int nl_cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct nl_call *c = data;
	int ret;

	if (nlh->nlmsg_type != c->type || !c->cb)
		return MNL_CB_OK;
	ret = c->cb(nlh, c->data);
	if (ret == MNL_CB_ERROR)
		c->cb_failed = true;
	return ret;
}

/*
 * Send @nlh and read the answer to its end. Returns MNL_CB_STOP (0) on
 * success, MNL_CB_ERROR (-1) on failure: a kernel error is in @c, a local
 * one in errno.
 */
static int nl_exec(struct nlmsghdr *nlh, struct nl_call *c)
{
	/* Not const: libmnl 1.0.4 takes a plain mnl_cb_t pointer. */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR]	= nl_cb_error,
		[NLMSG_DONE]	= nl_cb_done,
	};
	unsigned int seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(nl.sk, nlh, nlh->nlmsg_len) < 0)
		return MNL_CB_ERROR;
	do {
		n = mnl_socket_recvfrom(nl.sk, nl_rx.buf, sizeof(nl_rx.buf));
		if (n <= 0) {
			if (n == 0)
				errno = ENODATA;
			return MNL_CB_ERROR;
		}
		ret = mnl_cb_run2(nl_rx.buf, n, seq, nl.portid, nl_cb_data, c,
				  ctl, MNL_ARRAY_SIZE(ctl));
	} while (ret > MNL_CB_STOP);
	return ret;
}

/* Print why a request failed; errno is the one nl_exec() left. */
static void nl_report(const struct nl_call *c)
{
	int err = errno;

	if (c->cb_failed)
		return;
	if (c->error && c->msg[0])
		xs_err("Error: %s (%s)", c->msg, strerror(c->error));
	else if (c->error && c->miss_type)
		xs_err("Error: missing attribute %s (%s)",
		       xs_nl_attr_name(c->miss_type), strerror(c->error));
	else if (c->error)
		xs_err("Error: %s", strerror(c->error));
	else if (err == EINTR)
		xs_err("Error: dump interrupted by a concurrent change, try again");
	else
		xs_err("netlink: %s", strerror(err));
}

static int nl_open(void)
{
	int one = 1;

	nl.sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl.sk) {
		xs_err("cannot open generic netlink socket: %s",
		       strerror(errno));
		return -1;
	}
	/* Both are best effort: old kernels just give fewer details. */
	mnl_socket_setsockopt(nl.sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl.sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl.sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		xs_err("cannot bind netlink socket: %s", strerror(errno));
		xs_nl_close();
		return -1;
	}
	nl.portid = mnl_socket_get_portid(nl.sk);
	nl.seq = time(NULL);
	return 0;
}

static int nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	uint16_t *id = data;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			*id = mnl_attr_get_u16(attr);
	}
	return MNL_CB_OK;
}

static int nl_resolve(const char *name)
{
	struct nl_call c = { .type = GENL_ID_CTRL, .cb = nl_family_cb };
	struct nlmsghdr *nlh;
	uint16_t id = 0;

	c.data = &id;
	nlh = nl_msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	if (nl_exec(nlh, &c) < 0) {
		if (c.error == ENOENT)
			xs_err("xstack module not loaded (generic netlink family \"%s\" not found)",
			       name);
		else
			nl_report(&c);
		return -1;
	}
	if (!id) {
		xs_err("no id for generic netlink family \"%s\"", name);
		return -1;
	}
	nl.family = id;
	return 0;
}

/**
 * xs_nl_new() - start an xstack request
 * @cmd: XSTACK_CMD_*
 * @flags: NLM_F_ACK for a command, NLM_F_DUMP for a dump
 *
 * Opens the socket and resolves the family on first use, printing why if
 * that fails. The message lives in a static buffer until the next call.
 *
 * Return: the message to add attributes to, or NULL.
 */
struct nlmsghdr *xs_nl_new(uint8_t cmd, uint16_t flags)
{
	if (!nl.sk && nl_open() < 0)
		return NULL;
	if (!nl.family && nl_resolve(XSTACK_GENL_NAME) < 0)
		return NULL;
	return nl_msg(nl.family, cmd, XSTACK_GENL_VERSION, flags);
}

/**
 * xs_nl_run() - send a request and handle its answer
 * @nlh: the request from xs_nl_new()
 * @cb: called for each reply message, may be NULL
 * @data: argument of @cb
 *
 * A @cb that returns MNL_CB_ERROR must have printed why.
 *
 * Return: 0, or -1 after printing the error.
 */
int xs_nl_run(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct nl_call c = { .type = nl.family, .cb = cb, .data = data };

	if (nl_exec(nlh, &c) == MNL_CB_STOP)
		return 0;
	nl_report(&c);
	return -1;
}

/* Check @attr against nl_policy and index it in @tb: 0, or -1 (said). */
static int nl_attr_index(const struct nlattr *attr, const struct nlattr **tb)
{
	unsigned int type = mnl_attr_get_type(attr);

	if (type > XSTACK_A_MAX || !nl_policy[type].name)
		return 0;
	if (mnl_attr_validate(attr, nl_policy[type].type) < 0) {
		xs_err("malformed reply from kernel (attribute %s)",
		       nl_policy[type].name);
		return -1;
	}
	tb[type] = attr;
	return 0;
}

/**
 * xs_nl_attrs() - index the attributes of an xstack reply
 * @nlh: the reply
 * @tb: filled with XSTACK_A_MAX + 1 pointers, NULL where absent
 *
 * Attributes newer than this program are skipped.
 *
 * Return: 0, or -1 after printing what is malformed.
 */
int xs_nl_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	const struct nlattr *attr;

	memset(tb, 0, (XSTACK_A_MAX + 1) * sizeof(*tb));
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		xs_err("malformed reply from kernel (no genetlink header)");
		return -1;
	}
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (nl_attr_index(attr, tb) < 0)
			return -1;
	}
	return 0;
}

/**
 * xs_nl_nested() - index the attributes inside a nest (XSTACK_A_SOCK)
 * @nest: the nest, checked as MNL_TYPE_NESTED
 * @tb: filled with XSTACK_A_MAX + 1 pointers, NULL where absent
 *
 * The nest holds attributes of the same numbering as the message.
 *
 * Return: 0, or -1 after printing what is malformed.
 */
int xs_nl_nested(const struct nlattr *nest, const struct nlattr **tb)
{
	const struct nlattr *attr;

	memset(tb, 0, (XSTACK_A_MAX + 1) * sizeof(*tb));
	mnl_attr_for_each_nested(attr, nest) {
		if (nl_attr_index(attr, tb) < 0)
			return -1;
	}
	return 0;
}

/* A reply must carry attribute @type: true, or false after saying so. */
bool xs_nl_need(const struct nlattr **tb, unsigned int type)
{
	if (tb[type])
		return true;
	xs_err("malformed reply from kernel (no %s attribute)",
	       xs_nl_attr_name(type));
	return false;
}

void xs_nl_close(void)
{
	if (nl.sk)
		mnl_socket_close(nl.sk);
	nl.sk = NULL;
	nl.family = 0;
}
