// SPDX-License-Identifier: GPL-2.0
/*
 * The xstack generic netlink family, spoken raw (without xsctl, which
 * validates some input itself): strict policies, precise errnos and an
 * extack message on every refusal, dumps.
 *
 *   prefix length 33                       EINVAL "prefix ..."
 *   no device attribute                    EINVAL + message
 *   ifindex 0 (policy minimum 1)           ERANGE + message
 *   ifname longer than IFNAMSIZ-1          ERANGE/EINVAL + message
 *   report-only attribute (MTU) in a request   EINVAL + message
 *   unknown attribute type (strict)        EINVAL + message
 *   address of the wrong size              EINVAL/ERANGE + message
 *   ADDR_ADD without an address            EINVAL, missing-attribute
 *                                          report naming XSTACK_A_ADDR
 *   unknown command                        EOPNOTSUPP
 *   socket dump (SOCK_GET): a state filter with bits outside
 *   TCP_ESTABLISHED..TCP_CLOSING, or a report-only XSTACK_A_SOCK
 *                                          EINVAL + message;
 *   without NLM_F_DUMP                     EOPNOTSUPP
 *
 * Each test runs in a new network namespace with a dummy0 device.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "xs_common.h"
#include "kselftest_harness.h"

static bool loaded_here;

static void __attribute__((constructor)) load_xstack(void)
{
	if (!xs_loaded() && getuid() == 0 && xs_load() == 0)
		loaded_here = true;
}

static void __attribute__((destructor)) unload_xstack(void)
{
	if (loaded_here && xs_unload())
		fprintf(stderr, "# netlink_policy: cannot unload xstack\n");
}

#define NLA_ALIGN4(len) (((len) + 3) & ~3U)

struct req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char buf[1024];
};

/* What the kernel answered: errno (0 = ack), extack, first reply. */
struct answer {
	int err;
	char msg[256];
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE or -1 */
	int nreplies;
	char ifname[IFNAMSIZ];	/* XSTACK_A_IFNAME of the first reply */
};

static void req_init(struct req *r, int family, int cmd, int flags)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = family;
	r->n.nlmsg_flags = NLM_F_REQUEST | flags;
	r->g.cmd = cmd;
	r->g.version = XSTACK_GENL_VERSION;
}

static void put_attr(struct req *r, int type, const void *data, size_t len)
{
	struct nlattr *a = (void *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN4(a->nla_len);
}

static void put_u32(struct req *r, int type, uint32_t v)
{
	put_attr(r, type, &v, sizeof(v));
}

static void put_u8(struct req *r, int type, uint8_t v)
{
	put_attr(r, type, &v, sizeof(v));
}

/* Walk attributes [a, a + len), calling fn on each. */
#define for_each_attr(a, start, len)					\
	for (a = (struct nlattr *)(start);				\
	     (char *)a + NLA_HDRLEN <= (char *)(start) + (len) &&	\
	     a->nla_len >= NLA_HDRLEN &&				\
	     (char *)a + a->nla_len <= (char *)(start) + (len);	\
	     a = (struct nlattr *)((char *)a + NLA_ALIGN4(a->nla_len)))

static void parse_error(struct nlmsghdr *h, struct answer *ans)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = sizeof(*e);	/* NETLINK_CAP_ACK: no payload */
	struct nlattr *a;

	ans->err = -e->error;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	for_each_attr(a, (char *)e + off, h->nlmsg_len - NLMSG_HDRLEN - off) {
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(ans->msg, sizeof(ans->msg), "%s",
				 (char *)a + NLA_HDRLEN);
		else if (a->nla_type == NLMSGERR_ATTR_MISS_TYPE)
			ans->miss_type = *(uint32_t *)((char *)a + NLA_HDRLEN);
	}
}

static void parse_reply(struct nlmsghdr *h, struct answer *ans)
{
	char *attrs = (char *)NLMSG_DATA(h) + GENL_HDRLEN;
	struct nlattr *a;

	if (ans->nreplies++)
		return;
	for_each_attr(a, attrs, h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN))
		if (a->nla_type == XSTACK_A_IFNAME)
			snprintf(ans->ifname, sizeof(ans->ifname), "%s",
				 (char *)a + NLA_HDRLEN);
}

/* Send @r and read until the ack/error (or NLMSG_DONE of a dump). */
static int transact(int fd, struct req *r, struct answer *ans)
{
	static uint32_t seq;
	char buf[32768];
	struct nlmsghdr *h;
	ssize_t n;

	memset(ans, 0, sizeof(*ans));
	ans->miss_type = -1;
	r->n.nlmsg_seq = ++seq;
	if (!(r->n.nlmsg_flags & NLM_F_DUMP))
		r->n.nlmsg_flags |= NLM_F_ACK;
	if (send(fd, r, r->n.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->n.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				parse_error(h, ans);
				return 0;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				ans->err = -*(int *)NLMSG_DATA(h);
				return 0;
			}
			parse_reply(h, ans);
		}
	}
}

/* The id of generic netlink family @name, or -1. */
static int genl_family_id(int fd, const char *name)
{
	struct req r;
	char buf[8192];
	struct nlmsghdr *h;
	struct nlattr *a;
	ssize_t n;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	r.g.version = 1;
	put_attr(&r, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	if (send(fd, &r, r.n.nlmsg_len, 0) < 0)
		return -1;
	n = recv(fd, buf, sizeof(buf), 0);
	h = (void *)buf;
	if (n < 0 || !NLMSG_OK(h, n) || h->nlmsg_type != GENL_ID_CTRL)
		return -1;
	for_each_attr(a, (char *)NLMSG_DATA(h) + GENL_HDRLEN,
		      h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((char *)a + NLA_HDRLEN);
	return -1;
}

FIXTURE(nl) {
	int fd;
	int family;
	int ifindex;
	struct req r;
	struct answer ans;
};

FIXTURE_SETUP(nl)
{
	int one = 1;

	self->fd = -1;
	if (getuid() != 0)
		SKIP(return, "needs root");
	if (!xs_loaded())
		SKIP(return, "xstack is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, system("ip link set lo up && ip link add dummy0 type dummy"));
	self->ifindex = if_nametoindex("dummy0");
	ASSERT_LT(0, self->ifindex);
	self->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, setsockopt(self->fd, SOL_NETLINK, NETLINK_EXT_ACK,
				&one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(self->fd, SOL_NETLINK, NETLINK_CAP_ACK,
				&one, sizeof(one)));
	self->family = genl_family_id(self->fd, XSTACK_GENL_NAME);
	ASSERT_LT(0, self->family) TH_LOG("no genetlink family \"%s\"",
					  XSTACK_GENL_NAME);
}

FIXTURE_TEARDOWN(nl)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Send self->r; expect errno @want (0: success) and an extack message. */
#define EXPECT_ANSWER(want, need_msg) do {				\
	ASSERT_EQ(0, transact(self->fd, &self->r, &self->ans));	\
	EXPECT_EQ(want, self->ans.err)					\
		TH_LOG("want %s, got %s (\"%s\")",			\
		       strerrorname_np(want) ?: "0",			\
		       strerrorname_np(self->ans.err) ?: "0",		\
		       self->ans.msg);					\
	if (need_msg)							\
		EXPECT_NE(0, self->ans.msg[0])				\
			TH_LOG("no extack message");			\
	if (self->ans.msg[0])						\
		TH_LOG("extack: %s", self->ans.msg);			\
} while (0)

static void attach_dummy(struct __test_metadata *_metadata,
			 FIXTURE_DATA(nl) *self)
{
	req_init(&self->r, self->family, XSTACK_CMD_LINK_ATTACH, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, self->ifindex);
	EXPECT_ANSWER(0, false);
}

static void addr_req(FIXTURE_DATA(nl) *self, int cmd, uint32_t addr_be,
		     int prefixlen)
{
	req_init(&self->r, self->family, cmd, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, self->ifindex);
	put_u32(&self->r, XSTACK_A_ADDR, addr_be);
	if (prefixlen >= 0)
		put_u8(&self->r, XSTACK_A_PREFIXLEN, prefixlen);
}

TEST_F(nl, attach_by_ifindex_and_get)
{
	attach_dummy(_metadata, self);
	req_init(&self->r, self->family, XSTACK_CMD_LINK_GET, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, self->ifindex);
	EXPECT_ANSWER(0, false);
	EXPECT_EQ(1, self->ans.nreplies);
	EXPECT_STREQ("dummy0", self->ans.ifname);
}

TEST_F(nl, prefixlen_33)
{
	attach_dummy(_metadata, self);
	addr_req(self, XSTACK_CMD_ADDR_ADD, htonl(0x0a000001), 33);
	EXPECT_ANSWER(EINVAL, true);
	EXPECT_NE(NULL, strstr(self->ans.msg, "prefix"));
	addr_req(self, XSTACK_CMD_ADDR_ADD, htonl(0x0a000001), 32);
	EXPECT_ANSWER(0, false);
}

TEST_F(nl, addr_without_prefixlen_is_host_route)
{
	attach_dummy(_metadata, self);
	addr_req(self, XSTACK_CMD_ADDR_ADD, htonl(0x0a000001), -1);
	EXPECT_ANSWER(0, false);
	addr_req(self, XSTACK_CMD_ADDR_DEL, htonl(0x0a000001), 32);
	EXPECT_ANSWER(0, false);
}

TEST_F(nl, missing_device)
{
	req_init(&self->r, self->family, XSTACK_CMD_LINK_ATTACH, 0);
	EXPECT_ANSWER(EINVAL, true);
}

TEST_F(nl, ifindex_zero)
{
	req_init(&self->r, self->family, XSTACK_CMD_LINK_ATTACH, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, 0);
	/* The policy's range check: ERANGE "integer out of range". */
	EXPECT_ANSWER(ERANGE, true);
}

TEST_F(nl, ifindex_unknown)
{
	req_init(&self->r, self->family, XSTACK_CMD_LINK_ATTACH, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, 0x7ffffff0);
	EXPECT_ANSWER(ENODEV, true);
}

TEST_F(nl, ifname_too_long)
{
	const char name[] = "a-name-longer-than-ifnamsiz";

	req_init(&self->r, self->family, XSTACK_CMD_LINK_ATTACH, 0);
	put_attr(&self->r, XSTACK_A_IFNAME, name, sizeof(name));
	ASSERT_EQ(0, transact(self->fd, &self->r, &self->ans));
	EXPECT_TRUE(self->ans.err == ERANGE || self->ans.err == EINVAL)
		TH_LOG("got %s", strerrorname_np(self->ans.err) ?: "0");
	EXPECT_NE(0, self->ans.msg[0]);
}

TEST_F(nl, report_only_attribute)
{
	req_init(&self->r, self->family, XSTACK_CMD_LINK_ATTACH, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, self->ifindex);
	put_u32(&self->r, XSTACK_A_MTU, 1400);
	EXPECT_ANSWER(EINVAL, true);
	/* and nothing was attached */
	req_init(&self->r, self->family, XSTACK_CMD_LINK_GET, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, self->ifindex);
	EXPECT_ANSWER(ENOENT, true);
}

TEST_F(nl, unknown_attribute)
{
	req_init(&self->r, self->family, XSTACK_CMD_LINK_ATTACH, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, self->ifindex);
	put_u32(&self->r, XSTACK_A_MAX + 1, 1);
	EXPECT_ANSWER(EINVAL, true);
}

TEST_F(nl, address_wrong_size)
{
	uint16_t half = 0x0a00;

	attach_dummy(_metadata, self);
	req_init(&self->r, self->family, XSTACK_CMD_ADDR_ADD, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, self->ifindex);
	put_attr(&self->r, XSTACK_A_ADDR, &half, sizeof(half));
	put_u8(&self->r, XSTACK_A_PREFIXLEN, 24);
	ASSERT_EQ(0, transact(self->fd, &self->r, &self->ans));
	EXPECT_TRUE(self->ans.err == ERANGE || self->ans.err == EINVAL)
		TH_LOG("got %s", strerrorname_np(self->ans.err) ?: "0");
	EXPECT_NE(0, self->ans.msg[0]);
}

TEST_F(nl, addr_add_without_address)
{
	attach_dummy(_metadata, self);
	req_init(&self->r, self->family, XSTACK_CMD_ADDR_ADD, 0);
	put_u32(&self->r, XSTACK_A_IFINDEX, self->ifindex);
	put_u8(&self->r, XSTACK_A_PREFIXLEN, 24);
	EXPECT_ANSWER(EINVAL, false);
	EXPECT_EQ(XSTACK_A_ADDR, self->ans.miss_type)
		TH_LOG("no missing-attribute report for XSTACK_A_ADDR");
}

TEST_F(nl, unknown_command)
{
	req_init(&self->r, self->family, XSTACK_CMD_MAX + 1, 0);
	EXPECT_ANSWER(EOPNOTSUPP, false);
}

TEST_F(nl, dumps)
{
	req_init(&self->r, self->family, XSTACK_CMD_LINK_GET, NLM_F_DUMP);
	EXPECT_ANSWER(0, false);
	EXPECT_EQ(0, self->ans.nreplies);
	attach_dummy(_metadata, self);
	addr_req(self, XSTACK_CMD_ADDR_ADD, htonl(0x0a000001), 24);
	EXPECT_ANSWER(0, false);
	addr_req(self, XSTACK_CMD_ADDR_ADD, htonl(0x0a000101), 24);
	EXPECT_ANSWER(0, false);
	req_init(&self->r, self->family, XSTACK_CMD_LINK_GET, NLM_F_DUMP);
	EXPECT_ANSWER(0, false);
	EXPECT_EQ(1, self->ans.nreplies);
	EXPECT_STREQ("dummy0", self->ans.ifname);
	req_init(&self->r, self->family, XSTACK_CMD_ADDR_GET, NLM_F_DUMP);
	EXPECT_ANSWER(0, false);
	EXPECT_EQ(2, self->ans.nreplies);
}

TEST_F(nl, sock_dump)
{
	/* A new namespace: no TCP socket. */
	req_init(&self->r, self->family, XSTACK_CMD_SOCK_GET, NLM_F_DUMP);
	EXPECT_ANSWER(0, false);
	EXPECT_EQ(0, self->ans.nreplies);
	req_init(&self->r, self->family, XSTACK_CMD_SOCK_GET, NLM_F_DUMP);
	put_u32(&self->r, XSTACK_A_SOCK_STATES, 1U << 1 | 1U << 11);
	EXPECT_ANSWER(0, false);
	/* Bit 0 is no state, bit 12 (TCP_NEW_SYN_RECV) is not shown. */
	req_init(&self->r, self->family, XSTACK_CMD_SOCK_GET, NLM_F_DUMP);
	put_u32(&self->r, XSTACK_A_SOCK_STATES, 1);
	EXPECT_ANSWER(EINVAL, true);
	req_init(&self->r, self->family, XSTACK_CMD_SOCK_GET, NLM_F_DUMP);
	put_u32(&self->r, XSTACK_A_SOCK_STATES, 1U << 12);
	EXPECT_ANSWER(EINVAL, true);
	req_init(&self->r, self->family, XSTACK_CMD_SOCK_GET, NLM_F_DUMP);
	put_u8(&self->r, XSTACK_A_SOCK_STATES, 2);
	EXPECT_ANSWER(EINVAL, true);
	req_init(&self->r, self->family, XSTACK_CMD_SOCK_GET, NLM_F_DUMP);
	put_attr(&self->r, XSTACK_A_SOCK, "", 0);
	EXPECT_ANSWER(EINVAL, true);
	req_init(&self->r, self->family, XSTACK_CMD_SOCK_GET, 0);
	EXPECT_ANSWER(EOPNOTSUPP, false);
}

TEST_HARNESS_MAIN
