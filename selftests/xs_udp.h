/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differential UDP suites (udp.c, udp_wire.c, udp_mcast.c): every
 * TEST_F(udp, ...) runs twice, with the fixture variants
 *
 *   inet    AF_INET sockets of the native stack (validates the test),
 *   xstack  AF_XSTACK sockets (the family number in force, from sysfs),
 *
 * with the same expectations. Each variant gets an equivalent pair of
 * network namespaces joined by a veth pair (veth0 on both sides):
 *
 *   inet:   local 10.0.0.1/24 native      <->  peer 10.0.0.2/24 native
 *   xstack: local 10.0.0.1/24 xstack only <->  peer 10.0.0.2/24 native
 *
 * and a second pair veth1 with 10.0.1.1/24 and 10.0.1.2/24 the same way
 * (for the tests that need two links, such as SO_BINDTODEVICE). There is
 * no default route; the local host routes the multicast groups
 * 239.2.0.0/16 to veth0 (239.1.0.0/16 has no route).
 *
 * The test process (a child of the harness) enters the local netns in
 * FIXTURE_SETUP; peer sockets are made in the peer netns (setns there and
 * back: a socket keeps the netns it was created in), and they are always
 * AF_INET sockets of the native stack, so what the peer sees is the same
 * reference on both variants. Loopback to 10.0.0.1 serves the API tests;
 * the peer serves the on-the-wire ones.
 *
 * main() (XU_MAIN) loads xstack if needed (XSTACK_KO from run.sh, else
 * modprobe), builds both topologies (anonymous namespaces held by fds,
 * rtnetlink, and xsctl for xstack: XSCTL, else ../tools/xsctl/xsctl or
 * ./xsctl next to the program, else PATH), exchanges one datagram each way
 * to resolve the neighbours, runs the harness, and unloads what it loaded
 * at exit (the namespaces go with the process).
 * ICMP rate limits are off in all namespaces (icmp_ratelimit=0), so that
 * every port unreachable asked for is sent.
 *
 * Other socket types reuse the topology and the fixture (tcp.c, through
 * xs_tcp.h): before including this file they define XU_FIXTURE (the
 * fixture's name, "udp" by default), XU_SOCK_TYPE and XU_PROTO_NAME (the
 * socket FIXTURE_SETUP checks the stack under test can make), and may
 * define XU_FIXTURE_EXTRA (more fixture fields), XU_SETUP_HOOK and
 * XU_TEARDOWN_HOOK (functions of the fixture data, run at the end of the
 * setup and at the start of the teardown).
 */
#ifndef XS_UDP_H
#define XS_UDP_H

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "xs_common.h"
#include "kselftest_harness.h"

#ifndef XU_FIXTURE
#define XU_FIXTURE	udp
#define XU_SOCK_TYPE	SOCK_DGRAM
#define XU_PROTO_NAME	"UDP"
#endif
#ifndef XU_FIXTURE_EXTRA
#define XU_FIXTURE_EXTRA
#endif

/* The harness pastes its fixture argument: expand XU_FIXTURE first. */
#define XU_APPLY(m, n)		m(n)
#define XU_APPLY2(m, n, v)	m(n, v)
#define XU_F(m)			XU_APPLY(m, XU_FIXTURE)
#define XU_SELF			XU_F(FIXTURE_DATA)

#define XU_LOCAL	"10.0.0.1"
#define XU_PEER		"10.0.0.2"
#define XU_OTHER	"10.0.0.99"	/* on the subnet, nobody's */
#define XU_BCAST	"10.0.0.255"
#define XU_LOCAL1	"10.0.1.1"	/* the second link, veth1 */
#define XU_PEER1	"10.0.1.2"
#define XU_MC_ROUTED	"239.2.0.0"	/* /16 routed to veth0; 239.1/16 not */
#define XU_WAIT_MS	3000		/* for datagrams that must arrive */
#define XU_QUIET_MS	300		/* for datagrams that must not */

enum { XU_INET, XU_XSTACK, XU_NVARIANTS };

static const char *const xu_variant_name[XU_NVARIANTS] = { "inet", "xstack" };

/* Set up by xu_global_setup() before the harness forks the tests. */
static int xu_lns[XU_NVARIANTS];		/* local netns fds */
static int xu_pns[XU_NVARIANTS];		/* peer netns fds */
static char xu_topo_err[XU_NVARIANTS][256];	/* "" when the topology is up */
static bool xu_loaded_here;
static pid_t xu_main_pid;

static inline const char *xu_ename(int err)
{
	const char *n;

	if (!err)
		return "success";
	n = strerrorname_np(err);
	return n ? n : "?";
}

/* ------------------------------------------------------------ shell */

static char xu_xsctl[1024];

static inline void xu_find_xsctl(void)
{
	const char *env = getenv("XSCTL");
	char self[900];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(xu_xsctl, sizeof(xu_xsctl), "%s", env);
		return;
	}
	snprintf(xu_xsctl, sizeof(xu_xsctl), "xsctl");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = 0;
	snprintf(xu_xsctl, sizeof(xu_xsctl), "%s/../tools/xsctl/xsctl", self);
	if (access(xu_xsctl, X_OK) == 0)
		return;
	snprintf(xu_xsctl, sizeof(xu_xsctl), "%s/xsctl", self);
	if (access(xu_xsctl, X_OK) == 0)
		return;
	snprintf(xu_xsctl, sizeof(xu_xsctl), "xsctl");
}

/* ------------------------------------------------------------ netns */

static inline int xu_setns(int fd)
{
	return setns(fd, CLONE_NEWNET);
}

/* ------------------------------------------------------------ addresses */

static inline struct sockaddr_in xu_sin(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	if (addr)
		inet_pton(AF_INET, addr, &sin.sin_addr);
	return sin;
}

static inline in_addr_t xu_a(const char *addr)
{
	struct in_addr a = {};

	inet_pton(AF_INET, addr, &a);
	return a.s_addr;
}

static inline const char *xu_ntoa(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* bind(addr, port): 0, or the errno. */
static inline int xu_bind(int fd, const char *addr, int port)
{
	struct sockaddr_in sin = xu_sin(addr ? addr : "0.0.0.0", port);

	return bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
}

static inline int xu_connect(int fd, const char *addr, int port)
{
	struct sockaddr_in sin = xu_sin(addr, port);

	return connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
}

/* sendto(addr, port): bytes sent or -1 (errno). */
static inline ssize_t xu_sendto(int fd, const void *buf, size_t len,
			 const char *addr, int port)
{
	struct sockaddr_in sin = xu_sin(addr, port);

	return sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin));
}

static inline struct sockaddr_in xu_name(int fd, bool peer)
{
	struct sockaddr_in sin = {};
	socklen_t len = sizeof(sin);

	if (peer)
		getpeername(fd, (struct sockaddr *)&sin, &len);
	else
		getsockname(fd, (struct sockaddr *)&sin, &len);
	return sin;
}

/* The local port of fd (host order). */
static inline int xu_port(int fd)
{
	return ntohs(xu_name(fd, false).sin_port);
}

/* poll fd for @events for up to @ms; the revents, 0 on timeout. */
static inline int xu_poll(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, ms) <= 0)
		return 0;
	return p.revents;
}

/*
 * recvfrom after waiting up to @ms for a datagram: bytes, or -1 with
 * errno (ETIMEDOUT when nothing came).
 */
static inline ssize_t xu_recv_wait(int fd, void *buf, size_t len, int ms,
			    struct sockaddr_in *from)
{
	socklen_t flen = sizeof(*from);

	if (!(xu_poll(fd, POLLIN, ms) & (POLLIN | POLLERR))) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (from)
		return recvfrom(fd, buf, len, MSG_DONTWAIT,
				(struct sockaddr *)from, &flen);
	return recv(fd, buf, len, MSG_DONTWAIT);
}

/* Datagrams that arrive on fd within @ms of quiet, drained. */
static inline int xu_drain(int fd, int ms)
{
	static char buf[65536];
	int n = 0;

	while (xu_poll(fd, POLLIN, ms) & POLLIN) {
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
		n++;
	}
	return n;
}

static inline int xu_setint(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val)) ? errno : 0;
}

/* getsockopt of an int; INT_MIN with errno on failure. */
static inline int xu_getint(int fd, int level, int opt)
{
	int val = 0;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, level, opt, &val, &len))
		return -0x7fffffff - 1;
	return val;
}

static inline double xu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ /proc */

/* Read a whole (small) file into buf; bytes or -1. */
static inline ssize_t xu_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)total < size - 1 &&
	       (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	return total;
}

static inline int xu_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) < 0)
		err = errno;
	close(fd);
	return err;
}

/*
 * A counter of an snmp-style file ("Group: names" then "Group: values"):
 * its value, or -1 when absent.
 */
static inline long long xu_snmp_file(const char *path, const char *group,
			      const char *name)
{
	static char buf[65536];
	char *line, *save = NULL, *hdr = NULL, *h, *v, *hs, *vs;
	size_t glen = strlen(group);

	if (xu_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, group, glen) || line[glen] != ':')
			continue;
		if (!hdr) {
			hdr = line;
			continue;
		}
		h = strtok_r(hdr + glen + 1, " ", &hs);
		v = strtok_r(line + glen + 1, " ", &vs);
		while (h && v) {
			if (!strcmp(h, name))
				return strtoll(v, NULL, 10);
			h = strtok_r(NULL, " ", &hs);
			v = strtok_r(NULL, " ", &vs);
		}
		return -1;
	}
	return -1;
}

/* ------------------------------------------------------------ fixture */

XU_F(FIXTURE) {
	int family;		/* AF_INET or the AF_XSTACK number */
	int lns, pns;		/* netns fds: local, peer */
	int ifindex;		/* veth0 in the local netns */
	int ifindex1;		/* veth1 in the local netns */
	int pifindex;		/* veth0 in the peer netns */
	char snmp[64];		/* the local stack's snmp file */
	char sysctl[64];	/* the local stack's sysctl directory */
	char proc_udp[64];	/* the local stack's udp socket list */
	char proc_tcp[64];	/* the local stack's tcp socket list */
	char restore_path[128];	/* a sysctl to restore at teardown */
	char restore_val[128];
	XU_FIXTURE_EXTRA
};

XU_F(FIXTURE_VARIANT) {
	int v;			/* XU_INET or XU_XSTACK */
};

XU_APPLY2(FIXTURE_VARIANT_ADD, XU_FIXTURE, inet) {
	.v = XU_INET,
};

XU_APPLY2(FIXTURE_VARIANT_ADD, XU_FIXTURE, xstack) {
	.v = XU_XSTACK,
};

XU_F(FIXTURE_SETUP)
{
	int fd, v = variant->v;

	self->lns = self->pns = -1;
	if (getuid() != 0)
		SKIP(return, "must run as root (in the QEMU guest)");
	if (v == XU_INET) {
		self->family = AF_INET;
		snprintf(self->snmp, sizeof(self->snmp), "/proc/net/snmp");
		snprintf(self->sysctl, sizeof(self->sysctl),
			 "/proc/sys/net/ipv4");
		snprintf(self->proc_udp, sizeof(self->proc_udp),
			 "/proc/net/udp");
		snprintf(self->proc_tcp, sizeof(self->proc_tcp),
			 "/proc/net/tcp");
	} else {
		self->family = xs_family();
		if (self->family < 0)
			SKIP(return, "xstack is not loaded (%s unreadable)",
			     XSTACK_FAMILY_SYSFS);
		snprintf(self->snmp, sizeof(self->snmp),
			 "/proc/net/xstack/snmp");
		snprintf(self->sysctl, sizeof(self->sysctl),
			 "/proc/sys/net/xstack");
		snprintf(self->proc_udp, sizeof(self->proc_udp),
			 "/proc/net/xstack/udp");
		snprintf(self->proc_tcp, sizeof(self->proc_tcp),
			 "/proc/net/xstack/tcp");
	}
	if (xu_topo_err[v][0])
		SKIP(return, "%s topology: %s", xu_variant_name[v],
		     xu_topo_err[v]);
	self->lns = dup(xu_lns[v]);
	self->pns = dup(xu_pns[v]);
	ASSERT_LE(0, self->lns);
	ASSERT_LE(0, self->pns);
	ASSERT_EQ(0, xu_setns(self->pns));
	self->pifindex = if_nametoindex("veth0");
	ASSERT_EQ(0, xu_setns(self->lns));
	self->ifindex = if_nametoindex("veth0");
	self->ifindex1 = if_nametoindex("veth1");
	ASSERT_LT(0, self->ifindex);
	ASSERT_LT(0, self->ifindex1);
	ASSERT_LT(0, self->pifindex);

	fd = socket(self->family, XU_SOCK_TYPE, 0);
	if (fd < 0 && v == XU_XSTACK &&
	    (errno == ESOCKTNOSUPPORT || errno == EPROTONOSUPPORT))
		SKIP(return, "xstack has no " XU_PROTO_NAME " yet (socket: %s)",
		     xu_ename(errno));
	ASSERT_LE(0, fd) TH_LOG("socket(%d, %d, 0): %s", self->family,
				XU_SOCK_TYPE, xu_ename(errno));
	close(fd);
#ifdef XU_SETUP_HOOK
	XU_SETUP_HOOK(self);
#endif
}

XU_F(FIXTURE_TEARDOWN)
{
#ifdef XU_TEARDOWN_HOOK
	XU_TEARDOWN_HOOK(self);
#endif
	if (self->restore_path[0])
		xu_write_file(self->restore_path, self->restore_val);
	if (self->lns >= 0)
		close(self->lns);
	if (self->pns >= 0)
		close(self->pns);
}

/* ------------------------------------------------------------ helpers */

/* A UDP socket of the family under test, in the local netns. */
static inline int xu_sock(XU_SELF *self)
{
	return socket(self->family, SOCK_DGRAM, 0);
}

/* An AF_INET socket of the native peer. */
static inline int xu_peer_socket(XU_SELF *self, int type, int proto)
{
	int fd, err;

	if (xu_setns(self->pns))
		return -1;
	fd = socket(AF_INET, type, proto);
	err = errno;
	if (xu_setns(self->lns))
		abort();	/* cannot go on in the wrong netns */
	errno = err;
	return fd;
}

static inline int xu_peer_sock(XU_SELF *self)
{
	return xu_peer_socket(self, SOCK_DGRAM, 0);
}

/* A counter of the local stack under test (Udp, Ip, Icmp groups). */
static inline long long xu_stat(XU_SELF *self, const char *group,
			 const char *name)
{
	return xu_snmp_file(self->snmp, group, name);
}

/* A counter of the native peer. */
static inline long long xu_peer_stat(XU_SELF *self, const char *group,
			      const char *name)
{
	long long v;

	if (xu_setns(self->pns))
		return -1;
	v = xu_snmp_file("/proc/net/snmp", group, name);
	if (xu_setns(self->lns))
		abort();
	return v;
}

/* Path of a sysctl of the local stack (ip_local_port_range, ...). */
static inline const char *xu_sysctl_path(XU_SELF *self, const char *name,
				  char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", self->sysctl, name);
	return buf;
}

/* Change a local sysctl for this test; the old value comes back after. */
static inline int xu_sysctl_set(XU_SELF *self, const char *name,
			 const char *val)
{
	char path[128];

	xu_sysctl_path(self, name, path, sizeof(path));
	if (!self->restore_path[0]) {
		if (xu_read_file(path, self->restore_val,
				 sizeof(self->restore_val)) < 0)
			return errno;
		snprintf(self->restore_path, sizeof(self->restore_path), "%s",
			 path);
	}
	return xu_write_file(path, val);
}

/* A peer socket bound to 10.0.0.2:port (0: ephemeral); -1 on failure. */
static inline int xu_peer_bound(XU_SELF *self, int port)
{
	int fd = xu_peer_sock(self);

	if (fd < 0)
		return -1;
	if (xu_bind(fd, XU_PEER, port)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* What recvmsg() reported: data length, flags, source, control messages. */
struct xu_msg {
	ssize_t n;
	int err;			/* errno when n < 0 */
	int flags;			/* msg_flags */
	struct sockaddr_in from;
	bool has_ttl, has_tos, has_pktinfo, has_ee;
	int ttl;
	int tos;
	struct in_pktinfo pktinfo;
	struct sock_extended_err ee;
	struct sockaddr_in offender;	/* SO_EE_OFFENDER */
};

static inline ssize_t xu_recvmsg(int fd, void *buf, size_t len, int flags,
				 struct xu_msg *m)
{
	char control[512];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &m->from, .msg_namelen = sizeof(m->from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *c;

	memset(m, 0, sizeof(*m));
	m->n = recvmsg(fd, &msg, flags);
	m->err = m->n < 0 ? errno : 0;
	if (m->n < 0)
		return m->n;
	m->flags = msg.msg_flags;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_IP)
			continue;
		if (c->cmsg_type == IP_TTL &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			m->has_ttl = true;
			memcpy(&m->ttl, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_type == IP_TOS &&
			   c->cmsg_len >= CMSG_LEN(1)) {
			m->has_tos = true;
			m->tos = *(unsigned char *)CMSG_DATA(c);
		} else if (c->cmsg_type == IP_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(m->pktinfo))) {
			m->has_pktinfo = true;
			memcpy(&m->pktinfo, CMSG_DATA(c), sizeof(m->pktinfo));
		} else if (c->cmsg_type == IP_RECVERR &&
			   c->cmsg_len >= CMSG_LEN(sizeof(m->ee))) {
			m->has_ee = true;
			memcpy(&m->ee, CMSG_DATA(c), sizeof(m->ee));
			if (c->cmsg_len >= CMSG_LEN(sizeof(m->ee) +
						    sizeof(m->offender)))
				memcpy(&m->offender,
				       CMSG_DATA(c) + sizeof(m->ee),
				       sizeof(m->offender));
		}
	}
	return m->n;
}

/* recvmsg after waiting up to @ms for data (or an error). */
static inline ssize_t xu_recvmsg_wait(int fd, void *buf, size_t len, int ms,
				      struct xu_msg *m)
{
	if (!(xu_poll(fd, POLLIN, ms) & (POLLIN | POLLERR))) {
		memset(m, 0, sizeof(*m));
		m->n = -1;
		m->err = errno = ETIMEDOUT;
		return -1;
	}
	return xu_recvmsg(fd, buf, len, MSG_DONTWAIT, m);
}

/* A recognisable payload: byte i of datagram @seed. */
static inline void xu_fill(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed + (i >> 8));
}

static inline bool xu_check_fill(const void *buf, size_t len,
				 unsigned int seed)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 7 + seed + (i >> 8)))
			return false;
	return true;
}

/* ------------------------------------------------------------ assertions */

/* expr must fail with errno want (expr returns -1 / < 0). */
#define EXPECT_ERRNO(want, expr) do {					\
	long _r;							\
	int _e;								\
	errno = 0;							\
	_r = (long)(expr);						\
	_e = errno;							\
	EXPECT_GT(0, _r) TH_LOG("%s: want %s, succeeded (%ld)", #expr,	\
				xu_ename(want), _r);			\
	if (_r < 0)							\
		EXPECT_EQ(want, _e) TH_LOG("%s: want %s, got %s", #expr,\
					   xu_ename(want), xu_ename(_e));\
} while (0)

/* expr must succeed (return >= 0). */
#define EXPECT_OK(expr) do {						\
	long _r;							\
	errno = 0;							\
	_r = (long)(expr);						\
	EXPECT_LE(0, _r) TH_LOG("%s: %s", #expr, xu_ename(errno));	\
} while (0)

#define ASSERT_OK(expr) do {						\
	long _r;							\
	errno = 0;							\
	_r = (long)(expr);						\
	ASSERT_LE(0, _r) TH_LOG("%s: %s", #expr, xu_ename(errno));	\
} while (0)

/* A function returning 0 or an errno must return want. */
#define EXPECT_ERR(want, expr) do {					\
	int _e = (expr);						\
	EXPECT_EQ(want, _e) TH_LOG("%s: want %s, got %s", #expr,	\
				   xu_ename(want), xu_ename(_e));	\
} while (0)

#define ASSERT_ERR(want, expr) do {					\
	int _e = (expr);						\
	ASSERT_EQ(want, _e) TH_LOG("%s: want %s, got %s", #expr,	\
				   xu_ename(want), xu_ename(_e));	\
} while (0)

/* ------------------------------------------------------------ main */

/*
 * The namespaces are anonymous: made with unshare() and held by open fds
 * of this process (inherited by the tests), so nothing is left behind
 * whatever way the program ends. They are configured through rtnetlink,
 * ioctls and /proc/sys directly (a program start under TCG costs about a
 * second each); only xsctl is run, for the xstack addresses.
 */

static inline void xu_global_cleanup(void)
{
	int v;

	if (getpid() != xu_main_pid)
		return;
	for (v = 0; v < XU_NVARIANTS; v++) {
		if (xu_lns[v] >= 0)
			close(xu_lns[v]);
		if (xu_pns[v] >= 0)
			close(xu_pns[v]);
		xu_lns[v] = xu_pns[v] = -1;
	}
	if (xu_loaded_here && xs_unload())
		fprintf(stderr, "# cannot unload xstack: %s\n",
			strerror(errno));
}

/* A new network namespace (an fd); the caller's is kept. */
static inline int xu_netns_new(void)
{
	int self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), fd;

	if (self_ns < 0)
		return -1;
	if (unshare(CLONE_NEWNET)) {
		close(self_ns);
		return -1;
	}
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (xu_setns(self_ns))
		abort();
	close(self_ns);
	return fd;
}

/* Set IFF_UP on a device of the current netns: 0 or errno. */
static inline int xu_link_up(const char *name)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = errno;
	}
	close(fd);
	return err;
}

/* An rtnetlink request under construction. */
struct xu_nlreq {
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static inline struct rtattr *xu_nla(struct nlmsghdr *h, int type,
				    const void *data, int len)
{
	struct rtattr *rta = (struct rtattr *)((char *)h +
					       NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static inline void xu_nla_end(struct nlmsghdr *h, struct rtattr *nest)
{
	nest->rta_len = (char *)h + h->nlmsg_len - (char *)nest;
}

/* Send one rtnetlink request in the current netns: 0 or errno. */
static inline int xu_rtnl(struct nlmsghdr *h)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
		char more[512];
	} ack;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int err;
	ssize_t n;

	if (fd < 0)
		return errno;
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	if (send(fd, h, h->nlmsg_len, 0) < 0) {
		err = errno;
		close(fd);
		return err;
	}
	n = recv(fd, &ack, sizeof(ack), 0);
	close(fd);
	if (n < (ssize_t)(sizeof(ack.h) + sizeof(ack.e)) ||
	    ack.h.nlmsg_type != NLMSG_ERROR)
		return EPROTO;
	return -ack.e.error;
}

/* veth pair NAME: one end in the current netns, the other in peer_ns. */
static inline int xu_veth(const char *name, int peer_ns)
{
	struct xu_nlreq r = {};
	struct nlmsghdr *h = (struct nlmsghdr *)r.buf;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *linkinfo, *data, *peer;

	h->nlmsg_len = NLMSG_LENGTH(sizeof(ifi));
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	memcpy(NLMSG_DATA(h), &ifi, sizeof(ifi));
	xu_nla(h, IFLA_IFNAME, name, strlen(name) + 1);
	linkinfo = xu_nla(h, IFLA_LINKINFO, NULL, 0);
	xu_nla(h, IFLA_INFO_KIND, "veth", 5);
	data = xu_nla(h, IFLA_INFO_DATA, NULL, 0);
	peer = xu_nla(h, VETH_INFO_PEER, &ifi, sizeof(ifi));
	xu_nla(h, IFLA_IFNAME, name, strlen(name) + 1);
	xu_nla(h, IFLA_NET_NS_FD, &peer_ns, sizeof(peer_ns));
	xu_nla_end(h, peer);
	xu_nla_end(h, data);
	xu_nla_end(h, linkinfo);
	return xu_rtnl(h);
}

/* A native address ADDR/24 on a device of the current netns. */
static inline int xu_addr_add(const char *dev, const char *addr)
{
	struct xu_nlreq r = {};
	struct nlmsghdr *h = (struct nlmsghdr *)r.buf;
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET,
		.ifa_prefixlen = 24,
		.ifa_index = if_nametoindex(dev),
	};
	in_addr_t a = xu_a(addr);

	if (!ifa.ifa_index)
		return ENODEV;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(ifa));
	h->nlmsg_type = RTM_NEWADDR;
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	memcpy(NLMSG_DATA(h), &ifa, sizeof(ifa));
	xu_nla(h, IFA_LOCAL, &a, sizeof(a));
	xu_nla(h, IFA_ADDRESS, &a, sizeof(a));
	return xu_rtnl(h);
}

/* A native device route PREFIX/len dev DEV (as "ip route add"). */
static inline int xu_route_add(const char *dev, const char *prefix, int len)
{
	struct xu_nlreq r = {};
	struct nlmsghdr *h = (struct nlmsghdr *)r.buf;
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = len,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT,
		.rtm_scope = RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST,
	};
	in_addr_t a = xu_a(prefix);
	int oif = if_nametoindex(dev);

	if (!oif)
		return ENODEV;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(rtm));
	h->nlmsg_type = RTM_NEWROUTE;
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	memcpy(NLMSG_DATA(h), &rtm, sizeof(rtm));
	xu_nla(h, RTA_DST, &a, sizeof(a));
	xu_nla(h, RTA_OIF, &oif, sizeof(oif));
	return xu_rtnl(h);
}

/* Write a /proc/sys file of the current netns: 0 or errno. */
static inline int xu_sysctl_w(const char *path, const char *val)
{
	return xu_write_file(path, val);
}

/* Run xsctl ARGS... in netns ns: its exit status, or -1. */
static inline int xu_xsctl_run(int ns, const char *a1, const char *a2,
			       const char *a3, const char *a4, const char *a5,
			       const char *a6)
{
	const char *argv[] = { xu_xsctl, a1, a2, a3, a4, a5, a6, NULL };
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (xu_setns(ns))
			_exit(126);
		dup2(2, 1);
		execvp(xu_xsctl, (char **)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * One datagram each way between local and peer (resolves the neighbours
 * so that the first test does not measure ARP). NULL, or a message.
 */
static inline const char *xu_warmup(int v, int family)
{
	int self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	const char *why = NULL;
	int l = -1, p = -1, i;
	char buf[16];

	if (self_ns < 0)
		return "cannot open our netns";
	xu_setns(xu_pns[v]);
	p = socket(AF_INET, SOCK_DGRAM, 0);
	xu_setns(xu_lns[v]);
	l = socket(family, SOCK_DGRAM, 0);
	xu_setns(self_ns);
	if (l < 0 || p < 0) {
		why = "socket() failed";
		goto out;
	}
	if (xu_bind(p, XU_PEER, 9999) || xu_bind(l, XU_LOCAL, 9999)) {
		why = "bind() failed";
		goto out;
	}
	for (i = 0; i < 5; i++) {
		xu_sendto(l, "ping", 4, XU_PEER, 9999);
		if (xu_recv_wait(p, buf, sizeof(buf), 1000, NULL) == 4)
			break;
	}
	if (i == 5) {
		why = "no datagram from local to peer";
		goto out;
	}
	for (i = 0; i < 5; i++) {
		xu_sendto(p, "pong", 4, XU_LOCAL, 9999);
		if (xu_recv_wait(l, buf, sizeof(buf), 1000, NULL) == 4)
			break;
	}
	if (i == 5)
		why = "no datagram from peer to local";
out:
	if (l >= 0)
		close(l);
	if (p >= 0)
		close(p);
	close(self_ns);
	return why;
}

#define XU_TOPO_FAIL(v, ...) do {					\
	snprintf(xu_topo_err[v], sizeof(xu_topo_err[v]), __VA_ARGS__);	\
	goto out;							\
} while (0)

static inline void xu_topology(int v)
{
	static const char *const ipv6_off[] = {
		"/proc/sys/net/ipv6/conf/all/disable_ipv6",
		"/proc/sys/net/ipv6/conf/default/disable_ipv6",
	};
	int self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int ns[2], i, j, err, family = AF_INET;
	const char *why;

	xu_lns[v] = ns[0] = xu_netns_new();
	xu_pns[v] = ns[1] = xu_netns_new();
	if (self_ns < 0 || ns[0] < 0 || ns[1] < 0)
		XU_TOPO_FAIL(v, "unshare(CLONE_NEWNET): %s", xu_ename(errno));
	for (i = 0; i < 2; i++) {
		if (xu_setns(ns[i]))
			XU_TOPO_FAIL(v, "setns: %s", xu_ename(errno));
		for (j = 0; j < 2; j++)
			xu_sysctl_w(ipv6_off[j], "1");
		xu_sysctl_w("/proc/sys/net/ipv4/icmp_ratelimit", "0");
		err = xu_link_up("lo");
		if (err)
			XU_TOPO_FAIL(v, "lo up: %s", xu_ename(err));
	}
	/* veth0 and veth1, created from the local side. */
	xu_setns(ns[0]);
	for (j = 0; j < 2; j++) {
		err = xu_veth(j ? "veth1" : "veth0", ns[1]);
		if (err)
			XU_TOPO_FAIL(v, "veth: %s", xu_ename(err));
	}
	for (i = 0; i < 2; i++) {
		xu_setns(ns[i]);
		for (j = 0; j < 2; j++) {
			err = xu_link_up(j ? "veth1" : "veth0");
			if (err)
				XU_TOPO_FAIL(v, "link up: %s", xu_ename(err));
		}
	}
	xu_setns(ns[1]);
	err = xu_addr_add("veth0", XU_PEER) ?: xu_addr_add("veth1", XU_PEER1);
	if (err)
		XU_TOPO_FAIL(v, "peer addresses: %s", xu_ename(err));
	xu_setns(ns[0]);
	if (v == XU_INET) {
		err = xu_addr_add("veth0", XU_LOCAL) ?:
		      xu_addr_add("veth1", XU_LOCAL1) ?:
		      xu_route_add("veth0", XU_MC_ROUTED, 16);
		if (err)
			XU_TOPO_FAIL(v, "local addresses: %s", xu_ename(err));
	} else {
		family = xs_family();
		xu_sysctl_w("/proc/sys/net/xstack/icmp_ratelimit", "0");
		if (xu_xsctl_run(ns[0], "link", "attach", "veth0", NULL, NULL,
				 NULL) ||
		    xu_xsctl_run(ns[0], "link", "attach", "veth1", NULL, NULL,
				 NULL) ||
		    xu_xsctl_run(ns[0], "addr", "add", XU_LOCAL "/24", "dev",
				 "veth0", NULL) ||
		    xu_xsctl_run(ns[0], "addr", "add", XU_LOCAL1 "/24", "dev",
				 "veth1", NULL) ||
		    xu_xsctl_run(ns[0], "route", "add", XU_MC_ROUTED "/16",
				 "dev", "veth0", NULL)) {
			fprintf(stderr, "# xstack: xsctl (%s) failed\n",
				xu_xsctl);
			XU_TOPO_FAIL(v, "xsctl link/addr/route failed");
		}
	}
	xu_setns(self_ns);
	why = xu_warmup(v, family);
	if (why)
		fprintf(stderr, "# %s topology warm-up: %s\n",
			xu_variant_name[v], why);
out:
	if (self_ns >= 0) {
		xu_setns(self_ns);
		close(self_ns);
	}
}

static inline void xu_global_setup(int argc, char **argv)
{
	double t0 = xu_now(), t1;
	int i, fd;

	xu_main_pid = getpid();
	for (i = 0; i < XU_NVARIANTS; i++)
		xu_lns[i] = xu_pns[i] = -1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-h"))
			return;
	if (getuid() != 0)
		return;
	xu_find_xsctl();
	atexit(xu_global_cleanup);
	signal(SIGPIPE, SIG_IGN);
	xu_topology(XU_INET);
	t1 = xu_now();
	if (!xs_loaded()) {
		if (xs_load() == 0)
			xu_loaded_here = true;
	}
	if (!xs_loaded()) {
		snprintf(xu_topo_err[XU_XSTACK], sizeof(xu_topo_err[0]),
			 "xstack cannot be loaded");
		return;
	}
	fd = socket(xs_family(), SOCK_DGRAM, 0);
	if (fd < 0) {
		snprintf(xu_topo_err[XU_XSTACK], sizeof(xu_topo_err[0]),
			 "no UDP in xstack (socket: %s)", xu_ename(errno));
		return;
	}
	close(fd);
	xu_topology(XU_XSTACK);
	fprintf(stderr, "# setup: inet %.1f s, xstack %.1f s\n", t1 - t0,
		xu_now() - t1);
}

#define XU_MAIN								\
	int main(int argc, char **argv)					\
	{								\
		xu_global_setup(argc, argv);				\
		return test_harness_run(argc, argv);			\
	}

#endif /* XS_UDP_H */
