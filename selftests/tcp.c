// SPDX-License-Identifier: GPL-2.0
/*
 * Differential TCP socket tests: every test runs on AF_INET (the native
 * stack: validates the test) and on AF_XSTACK with the same expectations
 * (DESIGN.md principle 7). Topology and variants: xs_udp.h; TCP helpers:
 * xs_tcp.h. Connections between two sockets of the stack under test use
 * 10.0.0.1 (each stack's own loopback); the peer 10.0.0.2 over veth0 is
 * always native Linux, so what goes over the wire meets the reference.
 * Linux is the reference for every errno and value.
 *
 * Covered:
 * connect: blocking, to ourselves and to the peer; ECONNREFUSED (local
 * and from the peer) and trying again on the same socket; non-blocking
 * (EINPROGRESS, POLLOUT, SO_ERROR, connect() again: 0 then EISCONN);
 * non-blocking refused (POLLERR, SO_ERROR ECONNREFUSED); SYNs dropped
 * (tc u32 filter): EALREADY, SYN_SENT in TCP_INFO, no poll events,
 * SO_SNDTIMEO (EINPROGRESS), TCP_USER_TIMEOUT (ETIMEDOUT); no ARP answer
 * (EHOSTUNREACH); EISCONN; bad addresses, broadcast and multicast
 * destinations (ENETUNREACH); AF_UNSPEC disconnects (RST) and the socket
 * connects again.
 * listen/accept: backlog (backlog + 1 queued), accept4 flags, EAGAIN,
 * EINVAL, SO_RCVTIMEO on accept, the addresses accept, getsockname and
 * getpeername return, autobind by listen, EINVAL for listen on a
 * connected socket, poll/epoll on a listener, SO_REUSEADDR over
 * TIME-WAIT, EADDRINUSE against a listener, SO_REUSEPORT groups.
 * data: round trips (local, out to the peer, in from the peer), never
 * connected (recv ENOTCONN, send EPIPE), 8 MiB both ways at once (local
 * and with the peer), MSG_PEEK, urgent data (MSG_OOB both ways, locally
 * and with the peer: SIGURG, POLLPRI, SIOCATMARK, SO_OOBINLINE, a newer
 * pointer replacing an older one), MSG_WAITALL, MSG_DONTWAIT, SIGPIPE and
 * MSG_NOSIGNAL after the peer closed, MSG_MORE, TCP_CORK,
 * TCP_NODELAY, SO_RCVLOWAT, sendfile, splice both ways, SIOCINQ,
 * SIOCOUTQ, SIOCOUTQNSD, the epoll events of each state (unconnected,
 * established, data, peer's FIN, both FINs, RST).
 * shutdown: ENOTCONN, EINVAL, on a listener (stops it, wakes accept),
 * SHUT_RD/SHUT_WR/SHUT_RDWR; close with unread data sends RST (both
 * ways); SO_LINGER {1, 0} (RST, no TIME-WAIT) and {1, N} (close waits).
 * options: SO_RCVBUF/SO_SNDBUF (doubling, limits, FORCE, locked values),
 * SO_RCVTIMEO, SO_SNDTIMEO, SO_KEEPALIVE and TCP_KEEPIDLE/KEEPINTVL/
 * KEEPCNT/SYNCNT/USER_TIMEOUT (defaults, ranges, inheritance), keepalive
 * finding a dead peer (ETIMEDOUT), TCP_USER_TIMEOUT with data in flight,
 * TCP_MAXSEG, TCP_QUICKACK, TCP_CONGESTION, TCP_INFO (states, options,
 * MSS, window scales, byte counters, RTT, cwnd), SO_TYPE, SO_PROTOCOL,
 * SO_DOMAIN, SO_ACCEPTCONN, SO_ERROR, SO_PRIORITY, SO_MARK, IP_TOS and
 * IP_TTL (values and on the wire, SYN options), SO_BINDTODEVICE, bad
 * levels and names.
 * states: simultaneous open and close, half-close both ways, TIME-WAIT on the
 * active closer (EADDRINUSE; the same 4-tuple takes it over), the
 * socket list (/proc/net/tcp, /proc/net/xstack/tcp).
 * scale: 1000 connections opened and closed, 2000 and 100,000 open at once,
 * 1000 accepted from a listener accept() keeps busy (none reset).
 * memory: tcp_mem limits, pressure and its end, no data lost.
 * wire: 4 MiB both ways through netem loss, delay and reordering on both
 * sides; MTU 1280 on either side (MSS 1228); zero window both ways.
 */
#include <linux/sockios.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/sendfile.h>

#include "xs_tcp.h"

#define MIB		(1u << 20)
#define EV_ALL		(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP | \
			 EPOLLERR | EPOLLPRI)

static char rxbuf[1 << 16];

/* ------------------------------------------------------------ helpers */

static double since(double t0)
{
	return xu_now() - t0;
}

/* msg from a to b: true when it arrived whole. */
static bool msg_ok(int a, int b, const char *msg)
{
	char got[256] = {};
	size_t len = strlen(msg);

	if (send(a, msg, len, MSG_NOSIGNAL) != (ssize_t)len)
		return false;
	return xt_recv_n(b, got, len, XT_WAIT_MS) == (ssize_t)len &&
	       !memcmp(got, msg, len);
}

/* The epoll events of fd within ms (level-triggered), EV_ALL bits. */
static int ev_now(int fd, int ms)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI,
	};
	int ep = epoll_create1(EPOLL_CLOEXEC), n = 0;

	if (ep < 0)
		return -1;
	if (!epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		n = epoll_wait(ep, &ev, 1, ms);
	close(ep);
	return n == 1 ? (int)(ev.events & EV_ALL) : 0;
}

/* Wait up to ms for fd's events to be exactly want: the last seen. */
static int ev_wait(int fd, int want, int ms)
{
	double end = xu_now() + ms / 1e3;
	int now;

	while ((now = ev_now(fd, 0)) != want && xu_now() < end)
		usleep(5000);
	return now;
}

static int set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)) ? errno : 0;
}

static int set_linger(int fd, int on, int secs)
{
	struct linger lg = { .l_onoff = on, .l_linger = secs };

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) ?
	       errno : 0;
}

/* bind fd to 10.0.0.1:port (no SO_REUSEADDR) and connect to addr:dport. */
static int bind_connect(int fd, int port, const char *addr, int dport)
{
	return xu_bind(fd, XU_LOCAL, port) ?: xu_connect(fd, addr, dport);
}

static void port_range(FIXTURE_DATA(tcp) *self, int *lo, int *hi)
{
	char path[128], b[64];

	*lo = *hi = -1;
	xu_sysctl_path(self, "ip_local_port_range", path, sizeof(path));
	if (xu_read_file(path, b, sizeof(b)) <= 0 ||
	    sscanf(b, "%d %d", lo, hi) != 2)
		*lo = *hi = -1;
}

/* The second number of a native "min default max" sysctl (tcp_rmem...). */
static int sysctl_mid(const char *path)
{
	char b[128];
	int a, m, z;

	if (xu_read_file(path, b, sizeof(b)) <= 0 ||
	    sscanf(b, "%d %d %d", &a, &m, &z) != 3)
		return -1;
	return m;
}

static int sysctl_int(const char *path)
{
	char b[64];

	if (xu_read_file(path, b, sizeof(b)) <= 0)
		return -1;
	return atoi(b);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	sigpipes++;
}

/* Count SIGPIPEs from now on (the suite ignores them otherwise). */
static void catch_sigpipe(void)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sigpipes = 0;
}

/* ------------------------------------------------------------ connect */

TEST_F(tcp, connect_local)
{
	int l = xt_listener(self, 7000), c = xt_sock(self), s;
	struct sockaddr_in cn, sp;

	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	ASSERT_ERR(0, xu_connect(c, XU_LOCAL, 7000));
	s = xt_accept(l, XT_WAIT_MS);
	ASSERT_LE(0, s) TH_LOG("accept: %s", xu_ename(errno));
	cn = xu_name(c, false);
	sp = xu_name(s, true);
	EXPECT_EQ(AF_INET, cn.sin_family);
	EXPECT_EQ(xu_a(XU_LOCAL), cn.sin_addr.s_addr);
	EXPECT_EQ(cn.sin_addr.s_addr, sp.sin_addr.s_addr);
	EXPECT_EQ(cn.sin_port, sp.sin_port);
	EXPECT_EQ(7000, ntohs(xu_name(c, true).sin_port));
	EXPECT_EQ(XT_ESTABLISHED, xt_state(c));
	EXPECT_EQ(XT_ESTABLISHED, xt_state(s));
	EXPECT_TRUE(msg_ok(c, s, "hello"));
	EXPECT_TRUE(msg_ok(s, c, "world"));
	close(c);
	close(s);
	close(l);
}

/* Out to the native peer: addresses on both ends, an ephemeral port. */
TEST_F(tcp, connect_to_peer)
{
	struct sockaddr_in a;
	int l, p, lo, hi;

	ASSERT_ERR(0, xt_pair_out(self, 7010, &l, &p));
	a = xu_name(l, false);
	EXPECT_EQ(xu_a(XU_LOCAL), a.sin_addr.s_addr);
	port_range(self, &lo, &hi);
	EXPECT_LE(lo, ntohs(a.sin_port));
	EXPECT_GE(hi, ntohs(a.sin_port));
	a = xu_name(p, true);
	EXPECT_EQ(xu_a(XU_LOCAL), a.sin_addr.s_addr);
	EXPECT_EQ(xu_port(l), ntohs(a.sin_port));
	a = xu_name(l, true);
	EXPECT_EQ(AF_INET, a.sin_family);
	EXPECT_EQ(xu_a(XU_PEER), a.sin_addr.s_addr);
	EXPECT_EQ(7010, ntohs(a.sin_port));
	EXPECT_TRUE(msg_ok(l, p, "out"));
	EXPECT_TRUE(msg_ok(p, l, "back"));
	close(l);
	close(p);
}

/* In from the native peer: accept() reports it, names on both ends. */
TEST_F(tcp, accept_from_peer)
{
	int ll = xt_listener(self, 7020), p = xt_peer_sock(self), l;
	struct sockaddr_in a = {};
	socklen_t len = sizeof(a);

	ASSERT_LE(0, ll);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_connect(p, XU_LOCAL, 7020));
	ASSERT_EQ(POLLIN, xu_poll(ll, POLLIN, XT_WAIT_MS));
	l = accept(ll, (struct sockaddr *)&a, &len);
	ASSERT_LE(0, l) TH_LOG("accept: %s", xu_ename(errno));
	EXPECT_EQ(sizeof(a), len);
	EXPECT_EQ(AF_INET, a.sin_family);
	EXPECT_EQ(xu_a(XU_PEER), a.sin_addr.s_addr);
	EXPECT_EQ(xu_port(p), ntohs(a.sin_port));
	a = xu_name(l, false);
	EXPECT_EQ(xu_a(XU_LOCAL), a.sin_addr.s_addr);
	EXPECT_EQ(7020, ntohs(a.sin_port));
	a = xu_name(l, true);
	EXPECT_EQ(xu_a(XU_PEER), a.sin_addr.s_addr);
	EXPECT_TRUE(msg_ok(p, l, "in"));
	EXPECT_TRUE(msg_ok(l, p, "reply"));
	close(l);
	close(p);
	close(ll);
}

TEST_F(tcp, connect_refused)
{
	int l = xt_listener(self, 7030), c = xt_sock(self), s;

	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	EXPECT_ERR(ECONNREFUSED, xu_connect(c, XU_LOCAL, 7031));
	EXPECT_EQ(XT_CLOSE, xt_state(c));
	EXPECT_EQ(0, xu_getint(c, SOL_SOCKET, SO_ERROR));
	/* The same socket may try again. */
	EXPECT_ERR(0, xu_connect(c, XU_LOCAL, 7030));
	s = xt_accept(l, XT_WAIT_MS);
	EXPECT_LE(0, s);
	if (s >= 0)
		EXPECT_TRUE(msg_ok(c, s, "again"));
	close(c);
	close(s);
	/* The native peer answers with RST. */
	c = xt_sock(self);
	ASSERT_LE(0, c);
	EXPECT_ERR(ECONNREFUSED, xu_connect(c, XU_PEER, 7032));
	EXPECT_EQ(0, xu_getint(c, SOL_SOCKET, SO_ERROR));
	close(c);
	close(l);
}

static void connect_nb(struct __test_metadata *_metadata, int c, int l,
		       const char *addr, int port)
{
	int s;

	ASSERT_EQ(0, xt_nonblock(c));
	EXPECT_ERR(EINPROGRESS, xu_connect(c, addr, port));
	EXPECT_EQ(POLLOUT, xu_poll(c, POLLIN | POLLOUT, XT_WAIT_MS));
	EXPECT_EQ(0, xu_getint(c, SOL_SOCKET, SO_ERROR));
	/* connect() again reports the outcome once, then EISCONN. */
	EXPECT_ERR(0, xu_connect(c, addr, port));
	EXPECT_ERR(EISCONN, xu_connect(c, addr, port));
	s = xt_accept(l, XT_WAIT_MS);
	ASSERT_LE(0, s);
	EXPECT_TRUE(msg_ok(c, s, "nonblocking"));
	close(s);
}

/* Non-blocking connect: EINPROGRESS even to ourselves (as Linux). */
TEST_F(tcp, connect_nonblock)
{
	int l = xt_listener(self, 7040), pl = xt_peer_listener(self, 7041);
	int c = xt_sock(self), d = xt_sock(self);

	ASSERT_LE(0, l);
	ASSERT_LE(0, pl);
	ASSERT_LE(0, c);
	ASSERT_LE(0, d);
	connect_nb(_metadata, c, l, XU_LOCAL, 7040);
	connect_nb(_metadata, d, pl, XU_PEER, 7041);
	close(c);
	close(d);
	close(l);
	close(pl);
}

static void refused_nb(struct __test_metadata *_metadata,
		       FIXTURE_DATA(tcp) *self, const char *addr, int port)
{
	int c = xt_sock(self), d = xt_sock(self);

	ASSERT_LE(0, c);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, xt_nonblock(c));
	ASSERT_EQ(0, xt_nonblock(d));
	EXPECT_ERR(EINPROGRESS, xu_connect(c, addr, port));
	EXPECT_ERR(EINPROGRESS, xu_connect(d, addr, port));
	EXPECT_EQ(POLLIN | POLLOUT | POLLERR | POLLHUP,
		  xu_poll(c, POLLIN | POLLOUT, XT_WAIT_MS));
	EXPECT_EQ(ECONNREFUSED, xu_getint(c, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, xu_getint(c, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(XT_CLOSE, xt_state(c));
	/* Not asked by SO_ERROR, connect() again tells the outcome. */
	EXPECT_TRUE(xu_poll(d, POLLOUT, XT_WAIT_MS) & POLLERR);
	EXPECT_ERR(ECONNREFUSED, xu_connect(d, addr, port));
	close(c);
	close(d);
}

TEST_F(tcp, connect_nonblock_refused)
{
	refused_nb(_metadata, self, XU_LOCAL, 7050);
	refused_nb(_metadata, self, XU_PEER, 7051);
}

/*
 * SYNs that never arrive (dropped on our egress): EALREADY while in
 * progress, SO_SNDTIMEO ends a blocking connect with EINPROGRESS (Linux),
 * TCP_USER_TIMEOUT ends it with ETIMEDOUT.
 */
TEST_F_TIMEOUT(tcp, connect_syn_dropped, 60)
{
	double t0, t;
	int c;

	ASSERT_EQ(0, xt_drop_dport(self, 7060));
	c = xt_sock(self);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xt_nonblock(c));
	EXPECT_ERR(EINPROGRESS, xu_connect(c, XU_PEER, 7060));
	EXPECT_EQ(XT_SYN_SENT, xt_state(c));
	EXPECT_EQ(0, ev_now(c, XT_QUIET_MS));
	EXPECT_ERR(EALREADY, xu_connect(c, XU_PEER, 7060));
	close(c);

	c = xt_sock(self);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, set_timeo(c, SO_SNDTIMEO, 300));
	t0 = xu_now();
	EXPECT_ERR(EINPROGRESS, xu_connect(c, XU_PEER, 7060));
	t = since(t0);
	EXPECT_TRUE(t >= 0.25 && t < 3) TH_LOG("SO_SNDTIMEO 300 ms: %.2f s", t);
	EXPECT_ERR(EALREADY, xu_connect(c, XU_PEER, 7060));
	close(c);

	c = xt_sock(self);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xu_setint(c, SOL_TCP, TCP_USER_TIMEOUT, 1000));
	t0 = xu_now();
	EXPECT_ERR(ETIMEDOUT, xu_connect(c, XU_PEER, 7060));
	t = since(t0);
	EXPECT_TRUE(t >= 0.9 && t < 6) TH_LOG("user timeout 1 s: %.2f s", t);
	EXPECT_EQ(XT_CLOSE, xt_state(c));
	close(c);
}

/* Nobody answers ARP for 10.0.0.99: EHOSTUNREACH (Linux: ~3 s). */
TEST_F_TIMEOUT(tcp, connect_no_arp, 60)
{
	int c = xt_sock(self);
	double t0 = xu_now(), t;

	ASSERT_LE(0, c);
	EXPECT_ERR(EHOSTUNREACH, xu_connect(c, XU_OTHER, 7065));
	t = since(t0);
	EXPECT_TRUE(t < 30) TH_LOG("%.1f s", t);
	TH_LOG("EHOSTUNREACH after %.1f s", t);
	close(c);
}

TEST_F(tcp, connect_eisconn)
{
	int c, s, l = xt_listener(self, 7072);

	ASSERT_LE(0, l);
	ASSERT_ERR(0, xt_pair(self, 7070, &c, &s));
	EXPECT_ERR(EISCONN, xu_connect(c, XU_LOCAL, 7070));
	EXPECT_ERR(EISCONN, xu_connect(c, XU_PEER, 7071));
	EXPECT_ERR(EISCONN, xu_connect(s, XU_LOCAL, 7072));
	/* A listener too (Linux). */
	EXPECT_ERR(EISCONN, xu_connect(l, XU_LOCAL, 7070));
	EXPECT_TRUE(msg_ok(c, s, "still"));
	close(c);
	close(s);
	close(l);
}

TEST_F(tcp, connect_bad_address)
{
	struct sockaddr_in sin = xu_sin(XU_LOCAL, 7080);
	int c = xt_sock(self), l = xt_listener(self, 7080), s;

	ASSERT_LE(0, c);
	ASSERT_LE(0, l);
	EXPECT_ERRNO(EINVAL, connect(c, (struct sockaddr *)&sin,
				     sizeof(sin) - 1));
	EXPECT_ERRNO(EINVAL, connect(c, (struct sockaddr *)&sin, 1));
	sin.sin_family = AF_INET6;
	EXPECT_ERRNO(EAFNOSUPPORT, connect(c, (struct sockaddr *)&sin,
					   sizeof(sin)));
	EXPECT_ERR(ENETUNREACH, xu_connect(c, XU_BCAST, 7080));
	EXPECT_ERR(ENETUNREACH, xu_connect(c, "255.255.255.255", 7080));
	EXPECT_ERR(ENETUNREACH, xu_connect(c, "239.2.0.1", 7080));
	EXPECT_ERR(ENETUNREACH, xu_connect(c, "192.0.2.1", 7080));
	/* None of it left the socket unusable. */
	EXPECT_ERR(0, xu_connect(c, XU_LOCAL, 7080));
	s = xt_accept(l, XT_WAIT_MS);
	EXPECT_LE(0, s);
	close(s);
	close(c);
	close(l);
}

/* connect(AF_UNSPEC) on an established socket: RST, then reusable. */
TEST_F(tcp, connect_unspec_disconnects)
{
	struct sockaddr_in sin = { .sin_family = AF_UNSPEC };
	int l, p, pl = xt_peer_listener(self, 7611), q;

	ASSERT_LE(0, pl);
	ASSERT_ERR(0, xt_pair_out(self, 7610, &l, &p));
	EXPECT_OK(connect(l, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(XT_CLOSE, xt_state(l));
	EXPECT_ERRNO(ENOTCONN, getpeername(l, (struct sockaddr *)&sin,
					   &(socklen_t){ sizeof(sin) }));
	EXPECT_TRUE(xu_poll(p, POLLIN, XT_WAIT_MS) & POLLERR);
	EXPECT_ERRNO(ECONNRESET, recv(p, rxbuf, sizeof(rxbuf), 0));
	EXPECT_EQ(ECONNRESET, xu_getint(l, SOL_SOCKET, SO_ERROR));
	EXPECT_ERR(0, xu_connect(l, XU_PEER, 7611));
	q = xt_accept(pl, XT_WAIT_MS);
	ASSERT_LE(0, q);
	EXPECT_TRUE(msg_ok(l, q, "reconnected"));
	close(q);
	close(l);
	close(p);
	close(pl);
}

/* ------------------------------------------------------------ listen */

/* n non-blocking connects to 10.0.0.1:port. */
static void connect_many(FIXTURE_DATA(tcp) *self, int *c, int n, int port)
{
	int i;

	for (i = 0; i < n; i++) {
		c[i] = xt_sock(self);
		xt_nonblock(c[i]);
		xu_connect(c[i], XU_LOCAL, port);
	}
}

/* Linux queues backlog + 1 connections; SYNs beyond are dropped. */
TEST_F_TIMEOUT(tcp, listen_backlog, 60)
{
	int l = xt_sock(self), m = xt_sock(self), c[3], a, i;

	ASSERT_ERR(0, xt_listen_at(l, XU_LOCAL, 7090, 1));
	connect_many(self, c, 3, 7090);
	EXPECT_EQ(POLLOUT, xu_poll(c[0], POLLOUT, XT_WAIT_MS));
	EXPECT_EQ(POLLOUT, xu_poll(c[1], POLLOUT, XT_WAIT_MS));
	EXPECT_EQ(0, xu_poll(c[2], POLLOUT, 500));
	EXPECT_EQ(XT_SYN_SENT, xt_state(c[2]));
	/* Room again: the third one's next SYN gets in. */
	a = accept(l, NULL, NULL);
	ASSERT_LE(0, a);
	close(a);
	EXPECT_EQ(POLLOUT, xu_poll(c[2], POLLOUT, 5000));
	for (i = 0; i < 2; i++) {
		a = xt_accept(l, XT_WAIT_MS);
		EXPECT_LE(0, a);
		close(a);
	}
	for (i = 0; i < 3; i++)
		close(c[i]);
	close(l);

	ASSERT_ERR(0, xt_listen_at(m, XU_LOCAL, 7091, 0));
	connect_many(self, c, 2, 7091);
	EXPECT_EQ(POLLOUT, xu_poll(c[0], POLLOUT, XT_WAIT_MS));
	EXPECT_EQ(0, xu_poll(c[1], POLLOUT, 500));
	close(c[0]);
	close(c[1]);
	close(m);
}

TEST_F(tcp, accept4_flags)
{
	int l = xt_listener(self, 7100), c = xt_sock(self), d = xt_sock(self);
	int e = xt_sock(self), a, b;

	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	ASSERT_LE(0, d);
	ASSERT_LE(0, e);
	ASSERT_ERR(0, xu_connect(c, XU_LOCAL, 7100));
	ASSERT_ERR(0, xu_connect(d, XU_LOCAL, 7100));
	ASSERT_EQ(POLLIN, xu_poll(l, POLLIN, XT_WAIT_MS));
	EXPECT_ERRNO(EINVAL, accept4(l, NULL, NULL, O_APPEND));
	a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, a);
	EXPECT_TRUE(fcntl(a, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(a, F_GETFD) & FD_CLOEXEC);
	EXPECT_ERRNO(EAGAIN, recv(a, rxbuf, 1, 0));
	b = accept(l, NULL, NULL);
	ASSERT_LE(0, b);
	EXPECT_FALSE(fcntl(b, F_GETFL) & O_NONBLOCK);
	EXPECT_FALSE(fcntl(b, F_GETFD) & FD_CLOEXEC);
	close(b);
	/* O_NONBLOCK of the listener is not inherited. */
	ASSERT_EQ(0, xt_nonblock(l));
	ASSERT_ERR(0, xu_connect(e, XU_LOCAL, 7100));
	b = xt_accept(l, XT_WAIT_MS);
	ASSERT_LE(0, b);
	EXPECT_FALSE(fcntl(b, F_GETFL) & O_NONBLOCK);
	close(a);
	close(b);
	close(c);
	close(d);
	close(e);
	close(l);
}

TEST_F(tcp, accept_errors)
{
	int l = xt_listener(self, 7110), u = xt_sock(self), b = xt_sock(self);
	int c, s;
	double t0, t;

	ASSERT_LE(0, l);
	ASSERT_LE(0, u);
	ASSERT_LE(0, b);
	EXPECT_ERRNO(EINVAL, accept(u, NULL, NULL));
	ASSERT_ERR(0, xu_bind(b, XU_LOCAL, 7111));
	EXPECT_ERRNO(EINVAL, accept(b, NULL, NULL));
	ASSERT_ERR(0, xt_pair(self, 7112, &c, &s));
	EXPECT_ERRNO(EINVAL, accept(c, NULL, NULL));
	EXPECT_ERRNO(EINVAL, accept(s, NULL, NULL));
	/* Nothing queued: EAGAIN, non-blocking or after SO_RCVTIMEO. */
	ASSERT_EQ(0, set_timeo(l, SO_RCVTIMEO, 200));
	t0 = xu_now();
	EXPECT_ERRNO(EAGAIN, accept(l, NULL, NULL));
	t = since(t0);
	EXPECT_TRUE(t >= 0.15 && t < 3) TH_LOG("SO_RCVTIMEO 200 ms: %.2f s", t);
	ASSERT_EQ(0, xt_nonblock(l));
	t0 = xu_now();
	EXPECT_ERRNO(EAGAIN, accept(l, NULL, NULL));
	EXPECT_TRUE(since(t0) < 0.1);
	close(c);
	close(s);
	close(u);
	close(b);
	close(l);
}

TEST_F(tcp, accept_addresses)
{
	int l = xt_sock(self), c = xt_sock(self), d = xt_sock(self), s, t;
	struct sockaddr_in a, n;
	socklen_t len = sizeof(a);

	ASSERT_ERR(0, xt_listen_at(l, "0.0.0.0", 7120, 8));
	ASSERT_ERR(0, bind_connect(c, 7121, XU_LOCAL, 7120));
	ASSERT_EQ(POLLIN, xu_poll(l, POLLIN, XT_WAIT_MS));
	memset(&a, 0xff, sizeof(a));
	s = accept(l, (struct sockaddr *)&a, &len);
	ASSERT_LE(0, s);
	EXPECT_EQ(sizeof(a), len);
	EXPECT_EQ(AF_INET, a.sin_family);
	EXPECT_EQ(xu_a(XU_LOCAL), a.sin_addr.s_addr);
	EXPECT_EQ(7121, ntohs(a.sin_port));
	/* Accepted on 0.0.0.0: the socket has the address it was reached on. */
	n = xu_name(s, false);
	EXPECT_EQ(xu_a(XU_LOCAL), n.sin_addr.s_addr);
	EXPECT_EQ(7120, ntohs(n.sin_port));
	n = xu_name(c, true);
	EXPECT_EQ(xu_a(XU_LOCAL), n.sin_addr.s_addr);
	EXPECT_EQ(7120, ntohs(n.sin_port));
	n = xu_name(s, true);
	EXPECT_EQ(7121, ntohs(n.sin_port));
	EXPECT_EQ(htonl(INADDR_ANY), xu_name(l, false).sin_addr.s_addr);

	/* A short buffer: truncated, and the full length reported. */
	ASSERT_ERR(0, bind_connect(d, 7122, XU_LOCAL, 7120));
	ASSERT_EQ(POLLIN, xu_poll(l, POLLIN, XT_WAIT_MS));
	memset(&a, 0xff, sizeof(a));
	len = 4;
	t = accept(l, (struct sockaddr *)&a, &len);
	ASSERT_LE(0, t);
	EXPECT_EQ(sizeof(a), len);
	EXPECT_EQ(AF_INET, a.sin_family);
	EXPECT_EQ(7122, ntohs(a.sin_port));
	EXPECT_EQ(0xffffffff, a.sin_addr.s_addr);
	close(s);
	close(t);
	close(c);
	close(d);
	close(l);
}

TEST_F(tcp, listen_errors)
{
	int c, s, u = xt_sock(self), d = xt_sock(self), a, lo, hi;
	struct sockaddr_in sin;

	ASSERT_LE(0, u);
	ASSERT_LE(0, d);
	ASSERT_ERR(0, xt_pair(self, 7130, &c, &s));
	EXPECT_ERRNO(EINVAL, listen(c, 5));
	EXPECT_ERRNO(EINVAL, listen(s, 5));
	EXPECT_ERRNO(ENOTCONN, getpeername(u, (struct sockaddr *)&sin,
					   &(socklen_t){ sizeof(sin) }));
	/* listen() on an unbound socket picks an ephemeral port. */
	EXPECT_OK(listen(u, 5));
	sin = xu_name(u, false);
	port_range(self, &lo, &hi);
	EXPECT_EQ(htonl(INADDR_ANY), sin.sin_addr.s_addr);
	EXPECT_LE(lo, ntohs(sin.sin_port));
	EXPECT_GE(hi, ntohs(sin.sin_port));
	EXPECT_OK(listen(u, 10));	/* again: fine, a new backlog */
	EXPECT_EQ(1, xu_getint(u, SOL_SOCKET, SO_ACCEPTCONN));
	EXPECT_ERRNO(ENOTCONN, getpeername(u, (struct sockaddr *)&sin,
					   &(socklen_t){ sizeof(sin) }));
	ASSERT_ERR(0, xu_connect(d, XU_LOCAL, ntohs(sin.sin_port)));
	a = xt_accept(u, XT_WAIT_MS);
	EXPECT_LE(0, a);
	close(a);
	close(c);
	close(s);
	close(d);
	close(u);
}

TEST_F(tcp, listener_poll)
{
	int l = xt_listener(self, 7140), c = xt_sock(self), s;

	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	EXPECT_EQ(0, xu_poll(l, POLLIN | POLLOUT, XT_QUIET_MS));
	EXPECT_EQ(0, ev_now(l, 0));
	ASSERT_ERR(0, xu_connect(c, XU_LOCAL, 7140));
	EXPECT_EQ(POLLIN, xu_poll(l, POLLIN | POLLOUT, XT_WAIT_MS));
	EXPECT_EQ(EPOLLIN, ev_now(l, 0));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, xu_poll(l, POLLIN | POLLOUT, 0));
	close(s);
	close(c);
	close(l);
}

/*
 * A server that closed first keeps its port in TIME-WAIT: a new bind
 * fails without SO_REUSEADDR, works with it (and the old socket had it).
 */
TEST_F(tcp, reuseaddr_time_wait)
{
	int l = xt_listener(self, 7150), c = xt_sock(self), s, n, m, d, a;

	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	ASSERT_ERR(0, xt_join(c, l, XU_LOCAL, 7150, &s));
	close(s);
	EXPECT_EQ(0, xt_drain_eof(c, XT_WAIT_MS));
	close(c);
	close(l);
	usleep(100000);
	n = xt_sock(self);
	m = xt_sock(self);
	d = xt_sock(self);
	ASSERT_LE(0, n);
	ASSERT_LE(0, m);
	ASSERT_LE(0, d);
	EXPECT_ERR(EADDRINUSE, xu_bind(n, XU_LOCAL, 7150));
	ASSERT_ERR(0, xt_listen_at(m, XU_LOCAL, 7150, 8));
	EXPECT_ERR(0, xu_connect(d, XU_LOCAL, 7150));
	a = xt_accept(m, XT_WAIT_MS);
	EXPECT_LE(0, a);
	close(a);
	close(d);
	close(n);
	close(m);
}

TEST_F(tcp, bind_listening_eaddrinuse)
{
	int l = xt_listener(self, 7160), b = xt_sock(self), c = xt_sock(self);
	int d = xt_sock(self), e = xt_sock(self), f = xt_sock(self);
	int g = xt_sock(self);

	ASSERT_LE(0, l);
	ASSERT_LE(0, g);
	/* A listening port: EADDRINUSE, SO_REUSEADDR or not. */
	ASSERT_ERR(0, xu_setint(b, SOL_SOCKET, SO_REUSEADDR, 1));
	EXPECT_ERR(EADDRINUSE, xu_bind(b, XU_LOCAL, 7160));
	EXPECT_ERR(EADDRINUSE, xu_bind(b, NULL, 7160));
	EXPECT_ERR(EADDRINUSE, xu_bind(c, XU_LOCAL, 7160));
	/* Bound, not listening, both SO_REUSEADDR: one of them may listen. */
	ASSERT_ERR(0, xu_setint(d, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_ERR(0, xu_setint(e, SOL_SOCKET, SO_REUSEADDR, 1));
	EXPECT_ERR(0, xu_bind(d, XU_LOCAL, 7161));
	EXPECT_ERR(0, xu_bind(e, XU_LOCAL, 7161));
	EXPECT_OK(listen(d, 5));
	EXPECT_ERRNO(EADDRINUSE, listen(e, 5));
	/* Without SO_REUSEADDR on the first: the second cannot bind. */
	ASSERT_ERR(0, xu_setint(g, SOL_SOCKET, SO_REUSEADDR, 1));
	EXPECT_ERR(0, xu_bind(f, XU_LOCAL, 7162));
	EXPECT_ERR(EADDRINUSE, xu_bind(g, XU_LOCAL, 7162));
	close(b);
	close(c);
	close(d);
	close(e);
	close(f);
	close(g);
	close(l);
}

/* Accept what is queued on a and b within ms; counts in *na, *nb. */
static void accept_two(int a, int b, int want, int ms, int *na, int *nb)
{
	double end = xu_now() + ms / 1e3;
	struct pollfd p[2] = { { .fd = a, .events = POLLIN },
			       { .fd = b, .events = POLLIN } };
	int fd;

	*na = *nb = 0;
	while (*na + *nb < want && xu_now() < end) {
		if (poll(p, 2, 100) <= 0)
			continue;
		if (p[0].revents & POLLIN) {
			fd = accept(a, NULL, NULL);
			*na += fd >= 0;
			close(fd);
		}
		if (p[1].revents & POLLIN) {
			fd = accept(b, NULL, NULL);
			*nb += fd >= 0;
			close(fd);
		}
	}
}

TEST_F_TIMEOUT(tcp, reuseport_group, 60)
{
	int a = xt_sock(self), b = xt_sock(self), x = xt_sock(self), c[32];
	int i, na, nb, ok = 0;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, x);
	ASSERT_ERR(0, xu_setint(a, SOL_SOCKET, SO_REUSEPORT, 1));
	ASSERT_ERR(0, xu_setint(b, SOL_SOCKET, SO_REUSEPORT, 1));
	ASSERT_ERR(0, xt_listen_at(a, XU_LOCAL, 7170, 64));
	ASSERT_ERR(0, xt_listen_at(b, XU_LOCAL, 7170, 64));
	EXPECT_ERR(EADDRINUSE, xt_listen_at(x, XU_LOCAL, 7170, 64));
	for (i = 0; i < 32; i++) {
		c[i] = xt_sock(self);
		ok += !xu_connect(c[i], XU_LOCAL, 7170);
	}
	EXPECT_EQ(32, ok);
	accept_two(a, b, 32, XT_WAIT_MS, &na, &nb);
	TH_LOG("32 connections: %d on the first listener, %d on the second",
	       na, nb);
	EXPECT_EQ(32, na + nb);
	EXPECT_LT(0, na);
	EXPECT_LT(0, nb);
	for (i = 0; i < 32; i++)
		close(c[i]);
	/* One left: it gets them all. */
	close(a);
	for (i = 0; i < 4; i++) {
		c[i] = xt_sock(self);
		EXPECT_ERR(0, xu_connect(c[i], XU_LOCAL, 7170));
	}
	accept_two(b, b, 4, XT_WAIT_MS, &na, &nb);
	EXPECT_EQ(4, na + nb);
	for (i = 0; i < 4; i++)
		close(c[i]);
	close(b);
	close(x);
}

/* ------------------------------------------------------------ data */

static void iov_round_trip(struct __test_metadata *_metadata, int a, int b)
{
	struct iovec out[3] = { { "ab", 2 }, { "", 0 }, { "cdefg", 5 } };
	char x[3] = {}, y[8] = {};
	struct iovec in[2] = { { x, 3 }, { y, 4 } };
	struct msghdr m = { .msg_iov = out, .msg_iovlen = 3 };

	EXPECT_EQ(7, sendmsg(a, &m, 0));
	ASSERT_EQ(POLLIN, xu_poll(b, POLLIN, XT_WAIT_MS));
	usleep(20000);
	m = (struct msghdr){ .msg_iov = in, .msg_iovlen = 2 };
	EXPECT_EQ(7, recvmsg(b, &m, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(x, "abc", 3));
	EXPECT_STREQ("defg", y);
	EXPECT_EQ(0, m.msg_flags);
}

TEST_F(tcp, send_recv)
{
	struct sockaddr_in other = xu_sin(XU_PEER, 9);
	int c, s, l, p, m, q;

	ASSERT_ERR(0, xt_pair(self, 7180, &c, &s));
	ASSERT_ERR(0, xt_pair_out(self, 7181, &l, &p));
	ASSERT_ERR(0, xt_pair_in(self, 7182, &m, &q));
	EXPECT_TRUE(msg_ok(c, s, "local c->s"));
	EXPECT_TRUE(msg_ok(s, c, "local s->c"));
	EXPECT_TRUE(msg_ok(l, p, "to peer"));
	EXPECT_TRUE(msg_ok(p, l, "from peer"));
	EXPECT_TRUE(msg_ok(m, q, "accepted to peer"));
	EXPECT_TRUE(msg_ok(q, m, "peer to accepted"));
	EXPECT_EQ(0, send(c, "", 0, 0));
	EXPECT_EQ(5, write(c, "write", 5));
	EXPECT_EQ(5, xt_recv_n(s, rxbuf, 5, XT_WAIT_MS));
	EXPECT_EQ(0, memcmp(rxbuf, "write", 5));
	/* A destination given to a connected socket is ignored (Linux). */
	EXPECT_EQ(2, sendto(c, "to", 2, 0, (struct sockaddr *)&other,
			    sizeof(other)));
	EXPECT_EQ(2, xt_recv_n(s, rxbuf, 2, XT_WAIT_MS));
	iov_round_trip(_metadata, c, s);
	iov_round_trip(_metadata, l, p);
	iov_round_trip(_metadata, q, m);
	close(c);
	close(s);
	close(l);
	close(p);
	close(m);
	close(q);
}

/* Never connected: recv ENOTCONN, send EPIPE (Linux), on a listener too. */
TEST_F(tcp, unconnected_io)
{
	int u = xt_sock(self), l = xt_listener(self, 7185);

	ASSERT_LE(0, u);
	ASSERT_LE(0, l);
	catch_sigpipe();
	EXPECT_ERRNO(ENOTCONN, recv(u, rxbuf, 1, MSG_DONTWAIT));
	EXPECT_ERRNO(EPIPE, send(u, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(0, sigpipes);
	EXPECT_ERRNO(EPIPE, send(u, "x", 1, 0));
	EXPECT_EQ(1, sigpipes);
	EXPECT_ERRNO(ENOTCONN, recv(l, rxbuf, 1, MSG_DONTWAIT));
	EXPECT_ERRNO(EPIPE, send(l, "x", 1, MSG_NOSIGNAL));
	close(u);
	close(l);
}

TEST_F_TIMEOUT(tcp, large_transfer_local, 180)
{
	struct xt_flow f[2];
	double t0;
	int c, s, err;

	ASSERT_ERR(0, xt_pair(self, 7190, &c, &s));
	t0 = xu_now();
	err = xt_both_ways(c, s, 8 * MIB, 150000, f);
	EXPECT_ERR(0, err);
	EXPECT_EQ(8 * MIB, f[0].rcvd);
	EXPECT_EQ(8 * MIB, f[1].rcvd);
	TH_LOG("8 MiB each way in %.1f s (sent %zu/%zu, arrived %zu/%zu)",
	       since(t0), f[0].sent, f[1].sent, f[0].rcvd, f[1].rcvd);
	close(c);
	close(s);
}

TEST_F_TIMEOUT(tcp, large_transfer_peer, 180)
{
	struct xt_flow f[2];
	double t0;
	int l, p, err;

	ASSERT_ERR(0, xt_pair_out(self, 7200, &l, &p));
	t0 = xu_now();
	err = xt_both_ways(l, p, 8 * MIB, 150000, f);
	EXPECT_ERR(0, err);
	EXPECT_EQ(8 * MIB, f[0].rcvd);
	EXPECT_EQ(8 * MIB, f[1].rcvd);
	TH_LOG("8 MiB each way in %.1f s (sent %zu/%zu, arrived %zu/%zu)",
	       since(t0), f[0].sent, f[1].sent, f[0].rcvd, f[1].rcvd);
	close(l);
	close(p);
}

TEST_F(tcp, msg_peek)
{
	char b[64] = {};
	int c, s;

	ASSERT_ERR(0, xt_pair(self, 7210, &c, &s));
	EXPECT_ERRNO(EAGAIN, recv(s, b, sizeof(b), MSG_PEEK | MSG_DONTWAIT));
	ASSERT_EQ(6, send(c, "abcdef", 6, 0));
	ASSERT_EQ(6, xt_wait_ioctl(s, SIOCINQ, 6, XT_WAIT_MS));
	EXPECT_EQ(3, recv(s, b, 3, MSG_PEEK));
	EXPECT_EQ(0, memcmp(b, "abc", 3));
	EXPECT_EQ(6, recv(s, b, sizeof(b), MSG_PEEK));
	EXPECT_EQ(6, xt_ioctl(s, SIOCINQ));
	/* Peeking reads across segments. */
	ASSERT_EQ(3, send(c, "ghi", 3, 0));
	ASSERT_EQ(9, xt_wait_ioctl(s, SIOCINQ, 9, XT_WAIT_MS));
	memset(b, 0, sizeof(b));
	EXPECT_EQ(9, recv(s, b, sizeof(b), MSG_PEEK));
	EXPECT_STREQ("abcdefghi", b);
	EXPECT_EQ(4, recv(s, b, 4, 0));
	memset(b, 0, sizeof(b));
	EXPECT_EQ(5, recv(s, b, sizeof(b), MSG_PEEK));
	EXPECT_STREQ("efghi", b);
	EXPECT_EQ(5, recv(s, b, sizeof(b), 0));
	EXPECT_ERRNO(EAGAIN, recv(s, b, sizeof(b), MSG_PEEK | MSG_DONTWAIT));
	close(c);
	close(s);
}

static volatile sig_atomic_t sigurg_seen;

static void on_sigurg(int sig)
{
	sigurg_seen++;
}

/* recv(MSG_OOB) into *c: its return, with MSG_OOB checked in msg_flags. */
static ssize_t recv_oob(int fd, char *c, int flags)
{
	struct iovec iov = { .iov_base = c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(fd, &msg, MSG_OOB | flags);

	if (n == 1 && !(msg.msg_flags & MSG_OOB))
		return -2;
	return n;
}

/* Wait up to ms for EPOLLPRI on fd. */
static bool pri_wait(int fd, int ms)
{
	double end = xu_now() + ms / 1e3;

	do {
		if (ev_now(fd, 0) & EPOLLPRI)
			return true;
		usleep(5000);
	} while (xu_now() < end);
	return false;
}

/*
 * Urgent data from snd to rcv (Linux's and BSD's semantics: the byte
 * before the urgent pointer is out of band): SIGURG to the owner, POLLPRI
 * while it waits, SIOCINQ counts up to the mark, a normal read stops at
 * the mark (SIOCATMARK) and steps over the byte, recv(MSG_OOB) returns it once (EINVAL before and after),
 * a newer pointer replaces an older one (whose byte becomes normal data),
 * and with SO_OOBINLINE the byte stays in the stream.
 */
static void urgent_checks(struct __test_metadata *_metadata, int snd, int rcv)
{
	struct sigaction sa = { .sa_handler = on_sigurg }, old;
	char b[64] = {}, c = 0;
	int on = 1;

	ASSERT_OK(sigaction(SIGURG, &sa, &old));
	ASSERT_OK(fcntl(rcv, F_SETOWN, getpid()));
	sigurg_seen = 0;
	EXPECT_ERRNO(EINVAL, recv_oob(rcv, &c, MSG_DONTWAIT));
	ASSERT_EQ(3, send(snd, "abc", 3, 0));
	ASSERT_EQ(1, send(snd, "X", 1, MSG_OOB));
	ASSERT_TRUE(pri_wait(rcv, XT_WAIT_MS));
	EXPECT_LT(0, sigurg_seen);
	/* SIOCINQ counts up to the mark. */
	EXPECT_EQ(3, xt_ioctl(rcv, SIOCINQ));
	EXPECT_EQ(0, xt_ioctl(rcv, SIOCATMARK));
	/* The read stops at the mark. */
	EXPECT_EQ(3, recv(rcv, b, sizeof(b), 0));
	EXPECT_EQ(0, memcmp(b, "abc", 3));
	EXPECT_EQ(1, xt_ioctl(rcv, SIOCATMARK));
	EXPECT_EQ(0, xt_ioctl(rcv, SIOCINQ));
	EXPECT_EQ(1, recv_oob(rcv, &c, MSG_PEEK));
	EXPECT_EQ('X', c);
	c = 0;
	EXPECT_EQ(1, recv_oob(rcv, &c, 0));
	EXPECT_EQ('X', c);
	EXPECT_ERRNO(EINVAL, recv_oob(rcv, &c, 0));
	EXPECT_FALSE(ev_now(rcv, 0) & EPOLLPRI);
	/* The urgent byte is not in the stream: the read steps over it. */
	ASSERT_EQ(3, send(snd, "def", 3, 0));
	memset(b, 0, sizeof(b));
	EXPECT_EQ(3, xt_recv_n(rcv, b, 3, XT_WAIT_MS));
	EXPECT_STREQ("def", b);
	EXPECT_EQ(0, xt_ioctl(rcv, SIOCATMARK));

	/* Two pointers before a read: the newer one wins. */
	ASSERT_EQ(2, send(snd, "gh", 2, 0));
	ASSERT_EQ(1, send(snd, "1", 1, MSG_OOB));
	ASSERT_EQ(1, send(snd, "2", 1, MSG_OOB));
	ASSERT_EQ(3, xt_wait_ioctl(rcv, SIOCINQ, 3, XT_WAIT_MS));
	memset(b, 0, sizeof(b));
	EXPECT_EQ(3, recv(rcv, b, sizeof(b), 0));
	EXPECT_STREQ("gh1", b);
	EXPECT_EQ(1, xt_ioctl(rcv, SIOCATMARK));
	EXPECT_EQ(1, recv_oob(rcv, &c, 0));
	EXPECT_EQ('2', c);
	ASSERT_EQ(2, send(snd, "kl", 2, 0));
	memset(b, 0, sizeof(b));
	EXPECT_EQ(2, xt_recv_n(rcv, b, 2, XT_WAIT_MS));
	EXPECT_STREQ("kl", b);

	/* SO_OOBINLINE: the byte stays in the stream, MSG_OOB refuses. */
	ASSERT_OK(setsockopt(rcv, SOL_SOCKET, SO_OOBINLINE, &on, sizeof(on)));
	ASSERT_EQ(1, send(snd, "Y", 1, MSG_OOB));
	ASSERT_EQ(2, send(snd, "ij", 2, 0));
	ASSERT_EQ(3, xt_wait_ioctl(rcv, SIOCINQ, 3, XT_WAIT_MS));
	EXPECT_EQ(1, xt_ioctl(rcv, SIOCATMARK));
	EXPECT_ERRNO(EINVAL, recv_oob(rcv, &c, 0));
	memset(b, 0, sizeof(b));
	EXPECT_EQ(3, recv(rcv, b, sizeof(b), 0));
	EXPECT_STREQ("Yij", b);
	EXPECT_EQ(0, xt_ioctl(rcv, SIOCATMARK));
	EXPECT_OK(sigaction(SIGURG, &old, NULL));
}

TEST_F(tcp, urgent_data_local)
{
	int c, s;

	ASSERT_ERR(0, xt_pair(self, 7215, &c, &s));
	urgent_checks(_metadata, c, s);
	/* And the other way, on the same connection. */
	urgent_checks(_metadata, s, c);
	close(c);
	close(s);
}

/* With native Linux at the other end, both ways. */
TEST_F(tcp, urgent_data_peer)
{
	int l, p;

	ASSERT_ERR(0, xt_pair_out(self, 7216, &l, &p));
	urgent_checks(_metadata, l, p);
	close(l);
	close(p);
	ASSERT_ERR(0, xt_pair_in(self, 7217, &l, &p));
	urgent_checks(_metadata, p, l);
	close(l);
	close(p);
}

/*
 * One send(MSG_OOB) of many segments: only its last byte is urgent, the
 * rest arrives in order (each segment carries the pointer).
 */
static void urgent_bulk(struct __test_metadata *_metadata, int snd, int rcv)
{
	static char big[32 * 1024];
	char c = 0;

	xt_fill(big, sizeof(big), 0);
	ASSERT_EQ((ssize_t)sizeof(big), send(snd, big, sizeof(big), MSG_OOB));
	ASSERT_TRUE(pri_wait(rcv, XT_WAIT_MS));
	memset(big, 0, sizeof(big));
	ASSERT_EQ((ssize_t)sizeof(big) - 1,
		  xt_recv_n(rcv, big, sizeof(big) - 1, XT_WAIT_MS));
	EXPECT_EQ((ssize_t)sizeof(big) - 1, xt_check(big, sizeof(big) - 1, 0));
	EXPECT_EQ(1, xt_ioctl(rcv, SIOCATMARK));
	EXPECT_EQ(1, recv_oob(rcv, &c, 0));
	EXPECT_EQ((char)xt_pat(sizeof(big) - 1), c);
}

TEST_F(tcp, urgent_data_bulk)
{
	int l, p;

	ASSERT_ERR(0, xt_pair_out(self, 7219, &l, &p));
	urgent_bulk(_metadata, l, p);
	urgent_bulk(_metadata, p, l);
	close(l);
	close(p);
}

/* No urgent data on a socket that cannot have any. */
TEST_F(tcp, urgent_data_errors)
{
	int fd = xt_sock(self), l = xt_listener(self, 7218);
	char c;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, l);
	EXPECT_ERRNO(ENOTCONN, recv(l, &c, 1, MSG_OOB));
	EXPECT_ERRNO(EINVAL, recv(fd, &c, 1, MSG_OOB));
	EXPECT_ERRNO(EPIPE, send(fd, "x", 1, MSG_OOB | MSG_NOSIGNAL));
	EXPECT_EQ(0, xt_ioctl(fd, SIOCATMARK));
	close(fd);
	close(l);
}

struct trickle {
	int fd, chunks, size, gap_us;
};

static void *trickle_fn(void *arg)
{
	struct trickle *t = arg;
	int i;

	for (i = 0; i < t->chunks; i++) {
		usleep(t->gap_us);
		xt_send_pat(t->fd, t->size, (size_t)i * t->size, XT_WAIT_MS);
	}
	return NULL;
}

TEST_F(tcp, msg_waitall)
{
	static char b[8192];
	struct trickle t;
	pthread_t th;
	int c, s, d, r;
	double t0, el;

	ASSERT_ERR(0, xt_pair(self, 7220, &c, &s));
	t = (struct trickle){ .fd = c, .chunks = 4, .size = 1000,
			      .gap_us = 50000 };
	ASSERT_EQ(0, pthread_create(&th, NULL, trickle_fn, &t));
	EXPECT_EQ(4000, recv(s, b, 4000, MSG_WAITALL));
	EXPECT_EQ(4000, xt_check(b, 4000, 0));
	pthread_join(th, NULL);
	/* Short at EOF. */
	ASSERT_EQ(100, xt_send_pat(c, 100, 0, XT_WAIT_MS));
	ASSERT_OK(shutdown(c, SHUT_WR));
	EXPECT_EQ(100, recv(s, b, 1000, MSG_WAITALL));
	EXPECT_EQ(0, recv(s, b, 1000, MSG_WAITALL));
	/* Short when SO_RCVTIMEO expires. */
	ASSERT_ERR(0, xt_pair(self, 7221, &d, &r));
	ASSERT_EQ(0, set_timeo(r, SO_RCVTIMEO, 300));
	ASSERT_EQ(10, send(d, "0123456789", 10, 0));
	t0 = xu_now();
	EXPECT_EQ(10, recv(r, b, 100, MSG_WAITALL));
	el = since(t0);
	EXPECT_TRUE(el >= 0.25 && el < 3) TH_LOG("%.2f s", el);
	close(c);
	close(s);
	close(d);
	close(r);
}

TEST_F_TIMEOUT(tcp, msg_dontwait, 60)
{
	ssize_t total;
	int c, s;

	ASSERT_ERR(0, xt_pair(self, 7230, &c, &s));
	EXPECT_ERRNO(EAGAIN, recv(s, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	EXPECT_FALSE(fcntl(s, F_GETFL) & O_NONBLOCK);
	total = xt_fill_up(c, 0);
	TH_LOG("%zu bytes queued before EAGAIN", total);
	EXPECT_LT(0, total);
	EXPECT_GT(256 << 20, total);
	EXPECT_ERRNO(EAGAIN, send(c, rxbuf, 1000, MSG_DONTWAIT));
	EXPECT_EQ(0, xu_poll(c, POLLOUT, 0));
	EXPECT_EQ(total, xt_recv_pat(s, total, 0, 30000));
	EXPECT_EQ(POLLOUT, xu_poll(c, POLLOUT, XT_WAIT_MS));
	close(c);
	close(s);
}

/*
 * Writing to a connection the peer closed: the first write goes out, the
 * peer answers with RST, and later writes fail with EPIPE and raise
 * SIGPIPE, unless MSG_NOSIGNAL.
 */
TEST_F(tcp, sigpipe_after_peer_close)
{
	int l, p;

	catch_sigpipe();
	ASSERT_ERR(0, xt_pair_out(self, 7240, &l, &p));
	close(p);
	EXPECT_EQ(0, xt_drain_eof(l, XT_WAIT_MS));
	EXPECT_EQ(XT_CLOSE_WAIT, xt_state(l));
	EXPECT_EQ(1, send(l, "x", 1, MSG_NOSIGNAL));
	EXPECT_TRUE(xu_poll(l, 0, XT_WAIT_MS) & POLLHUP);
	EXPECT_EQ(XT_CLOSE, xt_state(l));
	EXPECT_EQ(0, sigpipes);
	EXPECT_ERRNO(EPIPE, send(l, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(0, sigpipes);
	EXPECT_ERRNO(EPIPE, send(l, "x", 1, 0));
	EXPECT_EQ(1, sigpipes);
	EXPECT_ERRNO(EPIPE, write(l, "x", 1));
	EXPECT_EQ(2, sigpipes);
	close(l);
}

TEST_F(tcp, msg_more)
{
	char b[200];
	int c, s;

	ASSERT_ERR(0, xt_pair(self, 7250, &c, &s));
	xt_fill(b, sizeof(b), 0);
	EXPECT_EQ(100, send(c, b, 100, MSG_MORE));
	EXPECT_EQ(0, xu_poll(s, POLLIN, 100));
	EXPECT_EQ(100, send(c, b + 100, 100, 0));
	EXPECT_EQ(200, xt_recv_n(s, rxbuf, 200, XT_WAIT_MS));
	EXPECT_EQ(200, xt_check(rxbuf, 200, 0));
	close(c);
	close(s);
}

TEST_F(tcp, tcp_cork)
{
	ssize_t n;
	int c, s;

	ASSERT_ERR(0, xt_pair(self, 7260, &c, &s));
	EXPECT_EQ(0, xu_getint(c, SOL_TCP, TCP_CORK));
	ASSERT_ERR(0, xu_setint(c, SOL_TCP, TCP_CORK, 1));
	EXPECT_EQ(1, xu_getint(c, SOL_TCP, TCP_CORK));
	EXPECT_EQ(100, xt_send_pat(c, 100, 0, XT_WAIT_MS));
	EXPECT_EQ(0, xu_poll(s, POLLIN, 100));
	/* Full segments still leave while corked. */
	EXPECT_EQ(200000, xt_send_pat(c, 200000, 100, XT_WAIT_MS));
	n = xt_recv_pat(s, 200100 - 65536, 0, XT_WAIT_MS);
	EXPECT_EQ(200100 - 65536, n);
	ASSERT_ERR(0, xu_setint(c, SOL_TCP, TCP_CORK, 0));
	EXPECT_EQ(0, xu_getint(c, SOL_TCP, TCP_CORK));
	EXPECT_EQ(65536, xt_recv_pat(s, 65536, 200100 - 65536, XT_WAIT_MS));
	close(c);
	close(s);
}

TEST_F(tcp, tcp_nodelay)
{
	int u = xt_sock(self), c, s, one = 1;

	ASSERT_LE(0, u);
	EXPECT_EQ(0, xu_getint(u, SOL_TCP, TCP_NODELAY));
	EXPECT_ERR(0, xu_setint(u, SOL_TCP, TCP_NODELAY, 1));
	EXPECT_EQ(1, xu_getint(u, SOL_TCP, TCP_NODELAY));
	EXPECT_ERR(0, xu_setint(u, SOL_TCP, TCP_NODELAY, 0));
	EXPECT_EQ(0, xu_getint(u, SOL_TCP, TCP_NODELAY));
	EXPECT_ERR(0, xu_setint(u, SOL_TCP, TCP_NODELAY, 5));
	EXPECT_EQ(1, xu_getint(u, SOL_TCP, TCP_NODELAY));
	EXPECT_ERRNO(EINVAL, setsockopt(u, SOL_TCP, TCP_NODELAY, &one, 2));
	ASSERT_ERR(0, xt_pair(self, 7270, &c, &s));
	EXPECT_ERR(0, xu_setint(c, SOL_TCP, TCP_NODELAY, 1));
	EXPECT_TRUE(msg_ok(c, s, "a"));
	EXPECT_TRUE(msg_ok(c, s, "b"));
	close(u);
	close(c);
	close(s);
}

TEST_F(tcp, so_rcvlowat)
{
	int c, s;

	ASSERT_ERR(0, xt_pair(self, 7280, &c, &s));
	EXPECT_EQ(1, xu_getint(s, SOL_SOCKET, SO_RCVLOWAT));
	ASSERT_ERR(0, xu_setint(s, SOL_SOCKET, SO_RCVLOWAT, 1000));
	EXPECT_EQ(1000, xu_getint(s, SOL_SOCKET, SO_RCVLOWAT));
	EXPECT_EQ(500, xt_send_pat(c, 500, 0, XT_WAIT_MS));
	EXPECT_EQ(500, xt_wait_ioctl(s, SIOCINQ, 500, XT_WAIT_MS));
	EXPECT_EQ(0, xu_poll(s, POLLIN, XT_QUIET_MS));
	EXPECT_EQ(0, ev_now(s, 0) & EPOLLIN);
	EXPECT_EQ(600, xt_send_pat(c, 600, 500, XT_WAIT_MS));
	EXPECT_EQ(POLLIN, xu_poll(s, POLLIN, XT_WAIT_MS));
	EXPECT_EQ(1100, recv(s, rxbuf, sizeof(rxbuf), 0));
	EXPECT_EQ(1100, xt_check(rxbuf, 1100, 0));
	ASSERT_ERR(0, xu_setint(s, SOL_SOCKET, SO_RCVLOWAT, 0));
	EXPECT_EQ(1, xu_getint(s, SOL_SOCKET, SO_RCVLOWAT));
	close(c);
	close(s);
}

/* A 1 MiB temporary file in pattern; its fd or -1. */
static int pattern_file(size_t len)
{
	static char b[65536];
	int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	size_t off, n;

	if (fd < 0)
		return -1;
	for (off = 0; off < len; off += n) {
		n = len - off < sizeof(b) ? len - off : sizeof(b);
		xt_fill(b, n, off);
		if (write(fd, b, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* sendfile() len bytes of f to c (non-blocking) while s receives. */
static ssize_t sendfile_through(int f, int c, int s, size_t len, int ms)
{
	double end = xu_now() + ms / 1e3;
	size_t rcvd = 0;
	off_t off = 0;
	ssize_t n;

	while (rcvd < len && xu_now() < end) {
		if ((size_t)off < len) {
			n = sendfile(c, f, &off, len - off);
			if (n < 0 && errno != EAGAIN)
				break;
		}
		rcvd += xt_recv_pat(s, len - rcvd, rcvd, 0);
		if (errno == EILSEQ || errno == ENODATA)
			break;
		xu_poll(s, POLLIN, 20);
	}
	return rcvd;
}

/* read() exactly len bytes (a pipe). */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n <= 0)
			break;
		done += n;
	}
	return done;
}

/* splice() from s into a pipe, checking what comes out of the pipe. */
static ssize_t splice_out(int s, int pp[2], size_t len, size_t off, int ms)
{
	double end = xu_now() + ms / 1e3;
	size_t done = 0;
	ssize_t n;

	while (done < len && xu_now() < end) {
		n = splice(s, NULL, pp[1], NULL, 65536, SPLICE_F_NONBLOCK);
		if (n < 0 && errno == EAGAIN) {
			xu_poll(s, POLLIN, 100);
			continue;
		}
		if (n <= 0 || read_full(pp[0], rxbuf, n) != n)
			break;
		if (xt_check(rxbuf, n, off + done) != n)
			break;
		done += n;
	}
	return done;
}

TEST_F_TIMEOUT(tcp, sendfile_splice, 60)
{
	int f = pattern_file(MIB), c, s, pp[2];
	size_t off = MIB;

	ASSERT_LE(0, f) TH_LOG("O_TMPFILE in /tmp: %s", xu_ename(errno));
	ASSERT_OK(pipe(pp));
	ASSERT_ERR(0, xt_pair(self, 7290, &c, &s));
	ASSERT_EQ(0, xt_nonblock(c));
	EXPECT_EQ(MIB, sendfile_through(f, c, s, MIB, 30000));
	/* socket -> pipe */
	EXPECT_EQ(100000, xt_send_pat(c, 100000, off, XT_WAIT_MS));
	EXPECT_EQ(100000, splice_out(s, pp, 100000, off, 10000));
	off += 100000;
	/* pipe -> socket */
	xt_fill(rxbuf, 32768, off);
	ASSERT_EQ(32768, write(pp[1], rxbuf, 32768));
	EXPECT_EQ(32768, splice(pp[0], NULL, c, NULL, 32768, 0));
	EXPECT_EQ(32768, xt_recv_pat(s, 32768, off, XT_WAIT_MS));
	close(pp[0]);
	close(pp[1]);
	close(f);
	close(c);
	close(s);
}

static void expect_queue_einval(struct __test_metadata *_metadata, int fd)
{
	EXPECT_ERRNO(EINVAL, xt_ioctl(fd, SIOCINQ));
	EXPECT_ERRNO(EINVAL, xt_ioctl(fd, SIOCOUTQ));
	EXPECT_ERRNO(EINVAL, xt_ioctl(fd, SIOCOUTQNSD));
}

TEST_F_TIMEOUT(tcp, ioctl_queues, 60)
{
	int l = xt_listener(self, 7300), u = xt_sock(self), c, s, sum = 0;
	ssize_t total;
	double end;

	ASSERT_LE(0, l);
	ASSERT_LE(0, u);
	expect_queue_einval(_metadata, l);
	EXPECT_EQ(0, xt_ioctl(u, SIOCINQ));
	EXPECT_EQ(0, xt_ioctl(u, SIOCOUTQ));
	ASSERT_ERR(0, xt_pair(self, 7301, &c, &s));
	EXPECT_EQ(1000, xt_send_pat(c, 1000, 0, XT_WAIT_MS));
	EXPECT_EQ(1000, xt_wait_ioctl(s, SIOCINQ, 1000, XT_WAIT_MS));
	EXPECT_EQ(1000, xt_ioctl(s, FIONREAD));
	EXPECT_EQ(0, xt_wait_ioctl(c, SIOCOUTQ, 0, XT_WAIT_MS));
	EXPECT_EQ(0, xt_ioctl(c, SIOCOUTQNSD));
	EXPECT_EQ(400, xt_recv_pat(s, 400, 0, XT_WAIT_MS));
	EXPECT_EQ(600, xt_ioctl(s, SIOCINQ));
	/* A full pipe: what we wrote is in their receive queue or ours. */
	total = xt_fill_up(c, 1000);
	end = xu_now() + 3;
	while (xu_now() < end) {
		sum = xt_ioctl(s, SIOCINQ) + xt_ioctl(c, SIOCOUTQ);
		if (sum == 600 + total)
			break;
		usleep(20000);
	}
	EXPECT_EQ(600 + total, sum)
		TH_LOG("SIOCINQ %d + SIOCOUTQ %d, %zu written",
		       xt_ioctl(s, SIOCINQ), xt_ioctl(c, SIOCOUTQ), total);
	EXPECT_LT(0, xt_ioctl(c, SIOCOUTQNSD));
	EXPECT_GE(xt_ioctl(c, SIOCOUTQ), xt_ioctl(c, SIOCOUTQNSD));
	EXPECT_EQ(600 + total, xt_recv_pat(s, 600 + total, 400, 30000));
	EXPECT_EQ(0, xt_wait_ioctl(c, SIOCOUTQ, 0, XT_WAIT_MS));
	EXPECT_EQ(0, xt_ioctl(s, SIOCINQ));
	close(c);
	close(s);
	close(u);
	close(l);
}

/* The epoll events through a connection's life (Linux's tcp_poll). */
TEST_F(tcp, epoll_states)
{
	int u = xt_sock(self), l, p, m, q;

	ASSERT_LE(0, u);
	/* Never connected: writable and hung up. */
	EXPECT_EQ(EPOLLOUT | EPOLLHUP, ev_now(u, 0));
	ASSERT_ERR(0, xt_pair_out(self, 7310, &l, &p));
	EXPECT_EQ(EPOLLOUT, ev_now(l, 0));
	ASSERT_EQ(3, send(p, "abc", 3, 0));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, ev_wait(l, EPOLLIN | EPOLLOUT,
					      XT_WAIT_MS));
	EXPECT_EQ(3, recv(l, rxbuf, sizeof(rxbuf), 0));
	EXPECT_EQ(EPOLLOUT, ev_now(l, 0));
	/* The peer's FIN. */
	ASSERT_OK(shutdown(p, SHUT_WR));
	EXPECT_EQ(EPOLLIN | EPOLLOUT | EPOLLRDHUP,
		  ev_wait(l, EPOLLIN | EPOLLOUT | EPOLLRDHUP, XT_WAIT_MS));
	EXPECT_EQ(0, recv(l, rxbuf, sizeof(rxbuf), 0));
	EXPECT_EQ(EPOLLIN | EPOLLOUT | EPOLLRDHUP, ev_now(l, 0));
	/* Both FINs. */
	ASSERT_OK(shutdown(l, SHUT_WR));
	EXPECT_EQ(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP,
		  ev_wait(l, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP,
			  XT_WAIT_MS));
	/* RST. */
	ASSERT_ERR(0, xt_pair_out(self, 7311, &m, &q));
	ASSERT_ERR(0, set_linger(q, 1, 0));
	close(q);
	EXPECT_EQ(EV_ALL & ~EPOLLPRI, ev_wait(m, EV_ALL & ~EPOLLPRI,
					      XT_WAIT_MS));
	EXPECT_ERRNO(ECONNRESET, recv(m, rxbuf, sizeof(rxbuf), 0));
	EXPECT_EQ(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP, ev_now(m, 0));
	EXPECT_EQ(0, recv(m, rxbuf, sizeof(rxbuf), 0));
	close(u);
	close(l);
	close(p);
	close(m);
}

/* ------------------------------------------------------------ shutdown */

static void *blocked_accept_fn(void *arg)
{
	int fd = *(int *)arg;

	*(int *)arg = accept(fd, NULL, NULL) < 0 ? errno : 0;
	return NULL;
}

TEST_F(tcp, shutdown_errors)
{
	int u = xt_sock(self), l = xt_listener(self, 7320), c = xt_sock(self);
	int d = xt_sock(self), e = xt_sock(self), a, res;
	pthread_t th;

	ASSERT_LE(0, u);
	ASSERT_LE(0, l);
	EXPECT_ERRNO(ENOTCONN, shutdown(u, SHUT_RD));
	EXPECT_ERRNO(ENOTCONN, shutdown(u, SHUT_WR));
	EXPECT_ERRNO(ENOTCONN, shutdown(u, SHUT_RDWR));
	EXPECT_ERRNO(EINVAL, shutdown(u, 3));
	EXPECT_ERRNO(EINVAL, shutdown(u, -1));
	/* A listener: SHUT_WR does nothing, SHUT_RD stops it. */
	EXPECT_OK(shutdown(l, SHUT_WR));
	EXPECT_ERR(0, xu_connect(c, XU_LOCAL, 7320));
	a = xt_accept(l, XT_WAIT_MS);
	EXPECT_LE(0, a);
	close(a);
	res = l;
	ASSERT_EQ(0, pthread_create(&th, NULL, blocked_accept_fn, &res));
	usleep(200000);
	EXPECT_OK(shutdown(l, SHUT_RD));
	pthread_join(th, NULL);
	EXPECT_ERR(EINVAL, res);	/* the blocked accept() woke up */
	EXPECT_EQ(XT_CLOSE, xt_state(l));
	EXPECT_ERRNO(EINVAL, accept(l, NULL, NULL));
	EXPECT_ERR(ECONNREFUSED, xu_connect(d, XU_LOCAL, 7320));
	/* It keeps its port and may listen again. */
	EXPECT_OK(listen(l, 5));
	EXPECT_ERR(0, xu_connect(e, XU_LOCAL, 7320));
	a = xt_accept(l, XT_WAIT_MS);
	EXPECT_LE(0, a);
	close(a);
	close(c);
	close(d);
	close(e);
	close(u);
	close(l);
}

TEST_F(tcp, shutdown_modes)
{
	int c, s, d, r, e, q;
	double t0;

	catch_sigpipe();
	/* SHUT_WR: they read EOF, we still read, our writes fail. */
	ASSERT_ERR(0, xt_pair(self, 7330, &c, &s));
	EXPECT_OK(shutdown(c, SHUT_WR));
	EXPECT_EQ(0, xt_drain_eof(s, XT_WAIT_MS));
	EXPECT_TRUE(msg_ok(s, c, "still reading"));
	EXPECT_ERRNO(EPIPE, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(0, sigpipes);
	EXPECT_ERRNO(EPIPE, send(c, "x", 1, 0));
	EXPECT_EQ(1, sigpipes);
	EXPECT_OK(shutdown(c, SHUT_WR));	/* again: fine */
	EXPECT_EQ(XT_FIN_WAIT2, xt_state(c));
	EXPECT_EQ(XT_CLOSE_WAIT, xt_state(s));

	/* SHUT_RD: reads end at once, nothing is sent, we still write. */
	ASSERT_ERR(0, xt_pair(self, 7331, &d, &r));
	ASSERT_EQ(0, set_timeo(d, SO_RCVTIMEO, 3000));
	EXPECT_OK(shutdown(d, SHUT_RD));
	t0 = xu_now();
	EXPECT_EQ(0, recv(d, rxbuf, sizeof(rxbuf), 0));
	EXPECT_TRUE(since(t0) < 1);
	EXPECT_EQ(EPOLLIN | EPOLLOUT | EPOLLRDHUP, ev_now(d, 0));
	EXPECT_EQ(0, xu_poll(r, POLLIN | POLLRDHUP, XT_QUIET_MS));
	EXPECT_EQ(XT_ESTABLISHED, xt_state(d));
	EXPECT_TRUE(msg_ok(d, r, "still writing"));

	/* SHUT_RDWR: both. */
	ASSERT_ERR(0, xt_pair(self, 7332, &e, &q));
	EXPECT_OK(shutdown(e, SHUT_RDWR));
	EXPECT_EQ(0, xt_drain_eof(q, XT_WAIT_MS));
	EXPECT_EQ(0, recv(e, rxbuf, sizeof(rxbuf), 0));
	EXPECT_ERRNO(EPIPE, send(e, "x", 1, MSG_NOSIGNAL));
	close(c);
	close(s);
	close(d);
	close(r);
	close(e);
	close(q);
}

/* The receiver of unread data's RST: ECONNRESET, then EOF, then EPIPE. */
static void expect_reset(struct __test_metadata *_metadata, int fd)
{
	EXPECT_TRUE(xu_poll(fd, POLLIN, XT_WAIT_MS) & POLLERR);
	EXPECT_ERRNO(ECONNRESET, recv(fd, rxbuf, sizeof(rxbuf), 0));
	EXPECT_EQ(0, recv(fd, rxbuf, sizeof(rxbuf), 0));
	EXPECT_ERRNO(EPIPE, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(XT_CLOSE, xt_state(fd));
}

/* Closing with unread data aborts the connection (RFC 2525): RST. */
TEST_F(tcp, close_unread_sends_rst)
{
	int l, p, m, q, c, s;

	/* Ours closes with unread data: the native peer is reset. */
	ASSERT_ERR(0, xt_pair_out(self, 7340, &l, &p));
	ASSERT_EQ(4, send(p, "data", 4, 0));
	ASSERT_EQ(4, xt_wait_ioctl(l, SIOCINQ, 4, XT_WAIT_MS));
	close(l);
	expect_reset(_metadata, p);
	/* The native peer closes with unread data: ours is reset. */
	ASSERT_ERR(0, xt_pair_in(self, 7341, &m, &q));
	ASSERT_EQ(4, send(m, "data", 4, 0));
	ASSERT_EQ(POLLIN, xu_poll(q, POLLIN, XT_WAIT_MS));
	close(q);
	expect_reset(_metadata, m);
	/* Both ends ours; SO_ERROR takes the error instead of recv(). */
	ASSERT_ERR(0, xt_pair(self, 7342, &c, &s));
	ASSERT_EQ(4, send(c, "data", 4, 0));
	ASSERT_EQ(4, xt_wait_ioctl(s, SIOCINQ, 4, XT_WAIT_MS));
	close(s);
	EXPECT_TRUE(xu_poll(c, POLLIN, XT_WAIT_MS) & POLLERR);
	EXPECT_EQ(ECONNRESET, xu_getint(c, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, recv(c, rxbuf, sizeof(rxbuf), 0));
	close(p);
	close(m);
	close(c);
}

/* SO_LINGER {1, 0}: close() resets, and leaves no TIME-WAIT behind. */
TEST_F(tcp, linger_zero)
{
	int pl = xt_peer_listener(self, 7350), l = xt_sock(self);
	int m = xt_sock(self), n = xt_sock(self), o = xt_sock(self), p, q;
	struct linger lg = {};
	socklen_t len = sizeof(lg);

	ASSERT_LE(0, pl);
	ASSERT_LE(0, l);
	ASSERT_LE(0, m);
	ASSERT_LE(0, o);
	ASSERT_ERR(0, bind_connect(l, 7351, XU_PEER, 7350));
	p = xt_accept(pl, XT_WAIT_MS);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, set_linger(l, 1, 0));
	ASSERT_OK(getsockopt(l, SOL_SOCKET, SO_LINGER, &lg, &len));
	EXPECT_EQ(1, lg.l_onoff);
	EXPECT_EQ(0, lg.l_linger);
	close(l);
	expect_reset(_metadata, p);
	/* The port is free at once, even without SO_REUSEADDR. */
	EXPECT_ERR(0, xu_bind(m, XU_LOCAL, 7351));
	/* An orderly close by us leaves TIME-WAIT: the port stays taken. */
	ASSERT_ERR(0, bind_connect(n, 7352, XU_PEER, 7350));
	q = xt_accept(pl, XT_WAIT_MS);
	ASSERT_LE(0, q);
	close(n);
	EXPECT_EQ(0, xt_drain_eof(q, XT_WAIT_MS));
	close(q);
	usleep(100000);
	EXPECT_ERR(EADDRINUSE, xu_bind(o, XU_LOCAL, 7352));
	close(p);
	close(m);
	close(o);
	close(pl);
}

/* SO_LINGER {1, N}: close() waits for the peer's ACK, up to N seconds. */
TEST_F_TIMEOUT(tcp, linger_timeout, 60)
{
	int l, p, m, q;
	double t0, t;

	ASSERT_ERR(0, xt_pair_out(self, 7360, &l, &p));
	ASSERT_ERR(0, xt_pair_out(self, 7361, &m, &q));
	/* Nothing gets through: close() returns after 1 s. */
	ASSERT_EQ(0, xt_drop_dport(self, 7360));
	ASSERT_ERR(0, set_linger(l, 1, 1));
	EXPECT_EQ(1000, xt_send_pat(l, 1000, 0, XT_WAIT_MS));
	t0 = xu_now();
	EXPECT_OK(close(l));
	t = since(t0);
	EXPECT_TRUE(t >= 0.9 && t < 4) TH_LOG("SO_LINGER 1 s: %.2f s", t);
	/* Everything acknowledged: close() returns quickly. */
	ASSERT_ERR(0, set_linger(m, 1, 10));
	EXPECT_EQ(50000, xt_send_pat(m, 50000, 0, XT_WAIT_MS));
	t0 = xu_now();
	EXPECT_OK(close(m));
	t = since(t0);
	EXPECT_TRUE(t < 3) TH_LOG("SO_LINGER 10 s, peer up: %.2f s", t);
	EXPECT_EQ(50000, xt_recv_pat(q, 50000, 0, XT_WAIT_MS));
	EXPECT_EQ(0, xt_drain_eof(q, XT_WAIT_MS));
	close(p);
	close(q);
}

/* ------------------------------------------------------------ options */

TEST_F(tcp, so_rcvbuf_sndbuf)
{
	int u = xt_sock(self), ref = socket(AF_INET, SOCK_STREAM, 0), c, s;
	int rmem = sysctl_mid("/proc/sys/net/ipv4/tcp_rmem");
	int wmem = sysctl_mid("/proc/sys/net/ipv4/tcp_wmem");
	int rmax = sysctl_int("/proc/sys/net/core/rmem_max");
	int wmax = sysctl_int("/proc/sys/net/core/wmem_max");
	static const int opt[2] = { SO_RCVBUF, SO_SNDBUF };
	int i;

	ASSERT_LE(0, u);
	ASSERT_LE(0, ref);
	ASSERT_LT(0, rmem);
	ASSERT_LT(0, wmax);
	/* The defaults: tcp_rmem[1], tcp_wmem[1]. */
	EXPECT_EQ(rmem, xu_getint(u, SOL_SOCKET, SO_RCVBUF));
	EXPECT_EQ(wmem, xu_getint(u, SOL_SOCKET, SO_SNDBUF));
	/* Linux doubles the value asked for... */
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_RCVBUF, 65536));
	EXPECT_EQ(131072, xu_getint(u, SOL_SOCKET, SO_RCVBUF));
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_SNDBUF, 32768));
	EXPECT_EQ(65536, xu_getint(u, SOL_SOCKET, SO_SNDBUF));
	/* ... capped by net.core.rmem_max/wmem_max ... */
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_RCVBUF, 1 << 30));
	EXPECT_EQ(2 * rmax, xu_getint(u, SOL_SOCKET, SO_RCVBUF));
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_SNDBUF, 1 << 30));
	EXPECT_EQ(2 * wmax, xu_getint(u, SOL_SOCKET, SO_SNDBUF));
	/* ... with the floor of a native TCP socket. */
	for (i = 0; i < 2; i++) {
		EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, opt[i], 1));
		EXPECT_ERR(0, xu_setint(ref, SOL_SOCKET, opt[i], 1));
		EXPECT_EQ(xu_getint(ref, SOL_SOCKET, opt[i]),
			  xu_getint(u, SOL_SOCKET, opt[i]));
		TH_LOG("SO_%sBUF 1 reads %d", i ? "SND" : "RCV",
		       xu_getint(u, SOL_SOCKET, opt[i]));
	}
	/* The FORCE variants pass the caps (CAP_NET_ADMIN). */
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20));
	EXPECT_EQ(2 << 20, xu_getint(u, SOL_SOCKET, SO_RCVBUF));
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_SNDBUFFORCE, 1 << 20));
	EXPECT_EQ(2 << 20, xu_getint(u, SOL_SOCKET, SO_SNDBUF));
	ASSERT_ERR(0, xt_pair(self, 7375, &c, &s));
	TH_LOG("not set, connected: SO_RCVBUF %d, SO_SNDBUF %d",
	       xu_getint(c, SOL_SOCKET, SO_RCVBUF),
	       xu_getint(c, SOL_SOCKET, SO_SNDBUF));
	close(c);
	close(s);
	close(u);
	close(ref);
}

/* Sizes set by the user stay (no autotuning) and are inherited. */
TEST_F_TIMEOUT(tcp, so_buf_locked, 60)
{
	int l = xt_sock(self), c = xt_sock(self), s = -1, i, fd[2];
	struct xt_flow f[2];

	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	fd[0] = l;
	fd[1] = c;
	for (i = 0; i < 2; i++) {
		ASSERT_ERR(0, xu_setint(fd[i], SOL_SOCKET, SO_RCVBUF, 65536));
		ASSERT_ERR(0, xu_setint(fd[i], SOL_SOCKET, SO_SNDBUF, 65536));
	}
	ASSERT_ERR(0, xt_listen_at(l, XU_LOCAL, 7370, 8));
	ASSERT_ERR(0, xt_join(c, l, XU_LOCAL, 7370, &s));
	fd[0] = s;
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(131072, xu_getint(fd[i], SOL_SOCKET, SO_RCVBUF));
		EXPECT_EQ(131072, xu_getint(fd[i], SOL_SOCKET, SO_SNDBUF));
	}
	EXPECT_ERR(0, xt_both_ways(c, s, 2 * MIB, 60000, f));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(131072, xu_getint(fd[i], SOL_SOCKET, SO_RCVBUF));
		EXPECT_EQ(131072, xu_getint(fd[i], SOL_SOCKET, SO_SNDBUF));
	}
	close(c);
	close(s);
	close(l);
}

static void expect_timeo(struct __test_metadata *_metadata, int fd, int opt,
			 long sec, long usec)
{
	struct timeval tv = {};
	socklen_t len = sizeof(tv);

	ASSERT_OK(getsockopt(fd, SOL_SOCKET, opt, &tv, &len));
	EXPECT_EQ(sizeof(tv), len);
	EXPECT_EQ(sec, tv.tv_sec);
	EXPECT_EQ(usec, tv.tv_usec);
}

TEST_F(tcp, so_rcvtimeo)
{
	struct timeval tv = { .tv_usec = 1000000 };
	double t0, t;
	int c, s;

	ASSERT_ERR(0, xt_pair(self, 7380, &c, &s));
	expect_timeo(_metadata, s, SO_RCVTIMEO, 0, 0);
	ASSERT_EQ(0, set_timeo(s, SO_RCVTIMEO, 200));
	expect_timeo(_metadata, s, SO_RCVTIMEO, 0, 200000);
	t0 = xu_now();
	EXPECT_ERRNO(EAGAIN, recv(s, rxbuf, 10, 0));
	t = since(t0);
	EXPECT_TRUE(t >= 0.15 && t < 3) TH_LOG("SO_RCVTIMEO 200 ms: %.2f s", t);
	EXPECT_TRUE(msg_ok(c, s, "in time"));
	EXPECT_ERRNO(EDOM, setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv,
				      sizeof(tv)));
	EXPECT_ERRNO(EINVAL, setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 4));
	ASSERT_EQ(0, set_timeo(s, SO_RCVTIMEO, 0));
	expect_timeo(_metadata, s, SO_RCVTIMEO, 0, 0);
	close(c);
	close(s);
}

TEST_F_TIMEOUT(tcp, so_sndtimeo, 60)
{
	ssize_t total, n;
	double t0, t;
	int c, s;

	ASSERT_ERR(0, xt_pair(self, 7390, &c, &s));
	total = xt_fill_up(c, 0);
	ASSERT_EQ(0, set_timeo(c, SO_SNDTIMEO, 200));
	expect_timeo(_metadata, c, SO_SNDTIMEO, 0, 200000);
	/*
	 * A blocking send() gives up after the timeout: EAGAIN, or the
	 * count of what it could queue meanwhile.
	 */
	xt_fill(rxbuf, 65536, total);
	t0 = xu_now();
	n = send(c, rxbuf, 65536, 0);
	t = since(t0);
	EXPECT_TRUE(t >= 0.15 && t < 3) TH_LOG("SO_SNDTIMEO 200 ms: %.2f s", t);
	EXPECT_TRUE(n < 65536 && (n > 0 || errno == EAGAIN))
		TH_LOG("send: %zd (%s)", n, xu_ename(errno));
	total += n > 0 ? n : 0;
	EXPECT_EQ(total, xt_recv_pat(s, total, 0, 30000));
	close(c);
	close(s);
}

struct int_opt {
	int opt, def, lo, hi;
	const char *name;
};

static void expect_range(struct __test_metadata *_metadata, int fd,
			 const struct int_opt *o)
{
	EXPECT_EQ(o->def, xu_getint(fd, SOL_TCP, o->opt)) TH_LOG("%s", o->name);
	EXPECT_ERR(0, xu_setint(fd, SOL_TCP, o->opt, o->lo));
	EXPECT_EQ(o->lo, xu_getint(fd, SOL_TCP, o->opt));
	EXPECT_ERR(0, xu_setint(fd, SOL_TCP, o->opt, o->hi));
	EXPECT_EQ(o->hi, xu_getint(fd, SOL_TCP, o->opt));
	EXPECT_EQ(EINVAL, xu_setint(fd, SOL_TCP, o->opt, o->lo - 1))
		TH_LOG("%s %d", o->name, o->lo - 1);
	EXPECT_EQ(EINVAL, xu_setint(fd, SOL_TCP, o->opt, o->hi + 1))
		TH_LOG("%s %d", o->name, o->hi + 1);
	EXPECT_ERR(EINVAL, xu_setint(fd, SOL_TCP, o->opt, -1));
	EXPECT_EQ(o->hi, xu_getint(fd, SOL_TCP, o->opt));
}

TEST_F(tcp, keepalive_options)
{
	static const struct int_opt o[] = {
		{ TCP_KEEPIDLE, 7200, 1, 32767, "TCP_KEEPIDLE" },
		{ TCP_KEEPINTVL, 75, 1, 32767, "TCP_KEEPINTVL" },
		{ TCP_KEEPCNT, 9, 1, 127, "TCP_KEEPCNT" },
		{ TCP_SYNCNT, 6, 1, 127, "TCP_SYNCNT" },
	};
	int u = xt_sock(self), l = xt_sock(self), c = xt_sock(self), s;
	unsigned int i;

	ASSERT_LE(0, u);
	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	EXPECT_EQ(0, xu_getint(u, SOL_SOCKET, SO_KEEPALIVE));
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_KEEPALIVE, 7));
	EXPECT_EQ(1, xu_getint(u, SOL_SOCKET, SO_KEEPALIVE));
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_KEEPALIVE, 0));
	EXPECT_EQ(0, xu_getint(u, SOL_SOCKET, SO_KEEPALIVE));
	for (i = 0; i < ARRAY_SIZE(o); i++)
		expect_range(_metadata, u, &o[i]);
	EXPECT_EQ(0, xu_getint(u, SOL_TCP, TCP_USER_TIMEOUT));
	EXPECT_ERR(0, xu_setint(u, SOL_TCP, TCP_USER_TIMEOUT, 1500));
	EXPECT_EQ(1500, xu_getint(u, SOL_TCP, TCP_USER_TIMEOUT));
	EXPECT_ERR(EINVAL, xu_setint(u, SOL_TCP, TCP_USER_TIMEOUT, -1));
	EXPECT_EQ(1500, xu_getint(u, SOL_TCP, TCP_USER_TIMEOUT));
	/* Accepted sockets inherit them from the listener. */
	ASSERT_ERR(0, xu_setint(l, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_ERR(0, xu_setint(l, SOL_TCP, TCP_KEEPIDLE, 100));
	ASSERT_ERR(0, xu_setint(l, SOL_TCP, TCP_KEEPINTVL, 10));
	ASSERT_ERR(0, xu_setint(l, SOL_TCP, TCP_KEEPCNT, 3));
	ASSERT_ERR(0, xt_listen_at(l, XU_LOCAL, 7400, 8));
	ASSERT_ERR(0, xt_join(c, l, XU_LOCAL, 7400, &s));
	EXPECT_EQ(1, xu_getint(s, SOL_SOCKET, SO_KEEPALIVE));
	EXPECT_EQ(100, xu_getint(s, SOL_TCP, TCP_KEEPIDLE));
	EXPECT_EQ(10, xu_getint(s, SOL_TCP, TCP_KEEPINTVL));
	EXPECT_EQ(3, xu_getint(s, SOL_TCP, TCP_KEEPCNT));
	EXPECT_EQ(0, xu_getint(c, SOL_SOCKET, SO_KEEPALIVE));
	close(c);
	close(s);
	close(l);
	close(u);
}

/*
 * Keepalive with idle 1 s, interval 1 s, 2 probes: while the peer
 * answers, probes go and come back and nothing happens; once they are
 * dropped, the connection fails with ETIMEDOUT.
 */
TEST_F_TIMEOUT(tcp, keepalive_dead_peer, 60)
{
	struct tcp_info a, b;
	double t0, t;
	int l, p;

	ASSERT_ERR(0, xt_pair_out(self, 7410, &l, &p));
	ASSERT_ERR(0, xu_setint(l, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_ERR(0, xu_setint(l, SOL_TCP, TCP_KEEPIDLE, 1));
	ASSERT_ERR(0, xu_setint(l, SOL_TCP, TCP_KEEPINTVL, 1));
	ASSERT_ERR(0, xu_setint(l, SOL_TCP, TCP_KEEPCNT, 2));
	a = xt_info(l);
	usleep(3500000);
	b = xt_info(l);
	EXPECT_EQ(0, xu_poll(l, POLLIN, 0));
	EXPECT_EQ(XT_ESTABLISHED, b.tcpi_state);
	EXPECT_LE(2, (int)(b.tcpi_segs_out - a.tcpi_segs_out)) TH_LOG("no probes");
	EXPECT_LE(2, (int)(b.tcpi_segs_in - a.tcpi_segs_in)) TH_LOG("no answers");
	EXPECT_EQ(0, (long long)(b.tcpi_bytes_received -
				 a.tcpi_bytes_received));
	EXPECT_TRUE(msg_ok(l, p, "alive"));
	ASSERT_EQ(0, xt_drop_dport(self, 7410));
	t0 = xu_now();
	EXPECT_TRUE(xu_poll(l, POLLIN, 20000) & POLLERR);
	t = since(t0);
	EXPECT_TRUE(t >= 1.5 && t < 15) TH_LOG("dead after %.1f s", t);
	EXPECT_ERRNO(ETIMEDOUT, recv(l, rxbuf, sizeof(rxbuf), 0));
	EXPECT_EQ(XT_CLOSE, xt_state(l));
	close(l);
	close(p);
}

/* TCP_USER_TIMEOUT with data unacknowledged: ETIMEDOUT after it. */
TEST_F_TIMEOUT(tcp, user_timeout_data, 60)
{
	double t0, t;
	int l, p;

	ASSERT_ERR(0, xt_pair_out(self, 7420, &l, &p));
	ASSERT_ERR(0, xu_setint(l, SOL_TCP, TCP_USER_TIMEOUT, 1000));
	ASSERT_EQ(0, xt_drop_dport(self, 7420));
	EXPECT_EQ(1000, xt_send_pat(l, 1000, 0, XT_WAIT_MS));
	t0 = xu_now();
	EXPECT_TRUE(xu_poll(l, POLLIN, 15000) & POLLERR);
	t = since(t0);
	EXPECT_TRUE(t >= 0.9 && t < 8) TH_LOG("timed out after %.2f s", t);
	EXPECT_EQ(ETIMEDOUT, xu_getint(l, SOL_SOCKET, SO_ERROR));
	EXPECT_LE(1, (int)xt_info(l).tcpi_total_retrans);
	EXPECT_EQ(XT_CLOSE, xt_state(l));
	close(l);
	close(p);
}

TEST_F(tcp, tcp_maxseg)
{
	int u = xt_sock(self), a = xt_sock(self), l, p, m, q, r;
	int pl = xt_peer_listener(self, 7432);

	ASSERT_LE(0, u);
	ASSERT_LE(0, a);
	ASSERT_LE(0, pl);
	/* Not connected: the default MSS (536), or what was set. */
	EXPECT_EQ(536, xu_getint(u, SOL_TCP, TCP_MAXSEG));
	EXPECT_ERR(EINVAL, xu_setint(u, SOL_TCP, TCP_MAXSEG, 87));
	EXPECT_ERR(EINVAL, xu_setint(u, SOL_TCP, TCP_MAXSEG, 32768));
	EXPECT_ERR(0, xu_setint(u, SOL_TCP, TCP_MAXSEG, 88));
	EXPECT_EQ(88, xu_getint(u, SOL_TCP, TCP_MAXSEG));
	/* Over veth0 (MTU 1500) with timestamps: 1448 at both ends. */
	ASSERT_ERR(0, xt_pair_out(self, 7430, &l, &p));
	EXPECT_EQ(XT_MSS, xu_getint(l, SOL_TCP, TCP_MAXSEG));
	EXPECT_EQ(XT_MSS, xu_getint(p, SOL_TCP, TCP_MAXSEG));
	ASSERT_ERR(0, xt_pair_in(self, 7431, &m, &q));
	EXPECT_EQ(XT_MSS, xu_getint(m, SOL_TCP, TCP_MAXSEG));
	EXPECT_EQ(XT_MSS, xu_getint(q, SOL_TCP, TCP_MAXSEG));
	/* 1000 asked for: both ends use it, less the timestamps. */
	ASSERT_ERR(0, xu_setint(a, SOL_TCP, TCP_MAXSEG, 1000));
	ASSERT_ERR(0, xt_join(a, pl, XU_PEER, 7432, &r));
	EXPECT_EQ(988, xu_getint(a, SOL_TCP, TCP_MAXSEG));
	EXPECT_EQ(988, xu_getint(r, SOL_TCP, TCP_MAXSEG));
	close(u);
	close(a);
	close(l);
	close(p);
	close(m);
	close(q);
	close(r);
	close(pl);
}

TEST_F(tcp, tcp_quickack)
{
	int u = xt_sock(self), c, s;

	ASSERT_LE(0, u);
	EXPECT_EQ(1, xu_getint(u, SOL_TCP, TCP_QUICKACK));
	EXPECT_ERR(0, xu_setint(u, SOL_TCP, TCP_QUICKACK, 0));
	EXPECT_EQ(0, xu_getint(u, SOL_TCP, TCP_QUICKACK));
	EXPECT_ERR(0, xu_setint(u, SOL_TCP, TCP_QUICKACK, 1));
	EXPECT_EQ(1, xu_getint(u, SOL_TCP, TCP_QUICKACK));
	ASSERT_ERR(0, xt_pair(self, 7440, &c, &s));
	EXPECT_ERR(0, xu_setint(s, SOL_TCP, TCP_QUICKACK, 0));
	EXPECT_EQ(0, xu_getint(s, SOL_TCP, TCP_QUICKACK));
	EXPECT_ERR(0, xu_setint(s, SOL_TCP, TCP_QUICKACK, 1));
	EXPECT_EQ(1, xu_getint(s, SOL_TCP, TCP_QUICKACK));
	EXPECT_TRUE(msg_ok(c, s, "ack me"));
	close(u);
	close(c);
	close(s);
}

/* TCP_CONGESTION of fd into name (len: in, out): 0 or errno. */
static int get_cc(int fd, char *name, socklen_t *len)
{
	return getsockopt(fd, SOL_TCP, TCP_CONGESTION, name, len) ? errno : 0;
}

static int set_cc(int fd, const char *name)
{
	return setsockopt(fd, SOL_TCP, TCP_CONGESTION, name, strlen(name)) ?
	       errno : 0;
}

static void expect_cc(struct __test_metadata *_metadata, int fd,
		      const char *want)
{
	char name[32] = {};
	socklen_t len = sizeof(name);

	ASSERT_ERR(0, get_cc(fd, name, &len));
	EXPECT_EQ(16, (int)len);	/* TCP_CA_NAME_MAX */
	EXPECT_STREQ(want, name);
}

TEST_F_TIMEOUT(tcp, tcp_congestion, 60)
{
	int u = xt_sock(self), l = xt_sock(self), c = xt_sock(self), s;
	char def[32] = {}, name[32] = {};
	socklen_t len = 4;
	struct xt_flow f[2];

	ASSERT_LE(0, u);
	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	ASSERT_LT(0, xu_read_file("/proc/sys/net/ipv4/tcp_congestion_control",
				  def, sizeof(def)));
	def[strcspn(def, "\n")] = 0;
	expect_cc(_metadata, u, def);
	ASSERT_ERR(0, get_cc(u, name, &len));
	EXPECT_EQ(4, (int)len);
	EXPECT_EQ(0, memcmp(name, def, 4));
	EXPECT_ERR(0, set_cc(u, "reno"));
	expect_cc(_metadata, u, "reno");
	EXPECT_ERR(ENOENT, set_cc(u, "nonexistent"));
	expect_cc(_metadata, u, "reno");
	/* Accepted sockets inherit the listener's; it changes on the fly. */
	ASSERT_ERR(0, set_cc(l, "reno"));
	ASSERT_ERR(0, xt_listen_at(l, XU_LOCAL, 7450, 8));
	ASSERT_ERR(0, xt_join(c, l, XU_LOCAL, 7450, &s));
	expect_cc(_metadata, s, "reno");
	expect_cc(_metadata, c, def);
	EXPECT_ERR(0, set_cc(c, "reno"));
	expect_cc(_metadata, c, "reno");
	EXPECT_ERR(0, xt_both_ways(c, s, 256 << 10, 30000, f));
	EXPECT_ERR(0, set_cc(c, def));
	expect_cc(_metadata, c, def);
	EXPECT_ERR(0, xt_both_ways(c, s, 256 << 10, 30000, f));
	close(u);
	close(c);
	close(s);
	close(l);
}

#define OPT_TS_SACK_WS	(TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE)

TEST_F_TIMEOUT(tcp, tcp_info, 60)
{
	int u = xt_sock(self), ll = xt_listener(self, 7460), l, p, m, q;
	struct tcp_info a, b, a0, b0;
	struct xt_flow f[2];
	unsigned char st = 0;
	socklen_t len = 1;

	ASSERT_LE(0, u);
	ASSERT_LE(0, ll);
	EXPECT_EQ(XT_CLOSE, xt_state(u));
	EXPECT_EQ(XT_LISTEN, xt_state(ll));
	/* A short buffer gets the start of the structure. */
	ASSERT_OK(getsockopt(ll, SOL_TCP, TCP_INFO, &st, &len));
	EXPECT_EQ(1, (int)len);
	EXPECT_EQ(XT_LISTEN, st);

	ASSERT_ERR(0, xt_pair_out(self, 7461, &l, &p));
	a = xt_info(l);
	b = xt_info(p);
	a0 = a;
	b0 = b;
	EXPECT_EQ(XT_ESTABLISHED, a.tcpi_state);
	EXPECT_EQ(OPT_TS_SACK_WS, a.tcpi_options & OPT_TS_SACK_WS);
	EXPECT_EQ(OPT_TS_SACK_WS, b.tcpi_options & OPT_TS_SACK_WS);
	EXPECT_EQ((int)b.tcpi_rcv_wscale, (int)a.tcpi_snd_wscale);
	EXPECT_EQ((int)b.tcpi_snd_wscale, (int)a.tcpi_rcv_wscale);
	EXPECT_EQ(XT_MSS, (int)a.tcpi_snd_mss);
	EXPECT_EQ(XT_MSS, (int)b.tcpi_snd_mss);
	EXPECT_LT(0, (int)a.tcpi_snd_cwnd);
	TH_LOG("ours after the handshake: wscale %d/%d cwnd %u advmss %u",
	       a.tcpi_snd_wscale, a.tcpi_rcv_wscale, a.tcpi_snd_cwnd,
	       a.tcpi_advmss);
	TH_LOG("  rcv_mss %u bytes_acked %llu bytes_received %llu segs %u/%u",
	       a.tcpi_rcv_mss, (unsigned long long)a.tcpi_bytes_acked,
	       (unsigned long long)a.tcpi_bytes_received,
	       a.tcpi_segs_out, a.tcpi_segs_in);
	/* 1 MiB out, 256 KiB back: the byte counters match. */
	f[0] = (struct xt_flow){ .from = l, .to = p, .len = MIB };
	f[1] = (struct xt_flow){ .from = p, .to = l, .len = 256 << 10 };
	ASSERT_ERR(0, xt_pump(f, 2, 30000));
	EXPECT_EQ(0, xt_wait_ioctl(l, SIOCOUTQ, 0, XT_WAIT_MS));
	EXPECT_EQ(0, xt_wait_ioctl(p, SIOCOUTQ, 0, XT_WAIT_MS));
	a = xt_info(l);
	b = xt_info(p);
	EXPECT_EQ(MIB, a.tcpi_bytes_acked - a0.tcpi_bytes_acked);
	/* Sent counts retransmissions (a TLP can happen on a clean path). */
	EXPECT_EQ(MIB, a.tcpi_bytes_sent - a0.tcpi_bytes_sent -
		       (a.tcpi_bytes_retrans - a0.tcpi_bytes_retrans));
	EXPECT_EQ(MIB, b.tcpi_bytes_received - b0.tcpi_bytes_received);
	EXPECT_EQ(256u << 10, a.tcpi_bytes_received - a0.tcpi_bytes_received);
	EXPECT_EQ(256u << 10, b.tcpi_bytes_acked - b0.tcpi_bytes_acked);
	EXPECT_LE(MIB / XT_MSS, a.tcpi_data_segs_out - a0.tcpi_data_segs_out);
	EXPECT_LE((256u << 10) / XT_MSS,
		  a.tcpi_data_segs_in - a0.tcpi_data_segs_in);
	EXPECT_LT(0, (int)a.tcpi_rtt);
	EXPECT_LT(0, (int)a.tcpi_min_rtt);
	EXPECT_LT(0, (int)a.tcpi_snd_cwnd);
	EXPECT_EQ(0, (int)a.tcpi_unacked);
	TH_LOG("ours after the transfer: rtt %u us min %u cwnd %u ssthresh %u retrans %u",
	       a.tcpi_rtt, a.tcpi_min_rtt, a.tcpi_snd_cwnd,
	       a.tcpi_snd_ssthresh, a.tcpi_total_retrans);
	/* States, the peer closing first ... */
	ASSERT_OK(shutdown(p, SHUT_WR));
	EXPECT_EQ(XT_CLOSE_WAIT, xt_wait_state(l, XT_CLOSE_WAIT, XT_WAIT_MS));
	ASSERT_OK(shutdown(l, SHUT_WR));
	EXPECT_EQ(XT_CLOSE, xt_wait_state(l, XT_CLOSE, XT_WAIT_MS));
	/* ... and us first (TIME-WAIT is not a socket's state: CLOSE). */
	ASSERT_ERR(0, xt_pair_out(self, 7462, &m, &q));
	ASSERT_OK(shutdown(m, SHUT_WR));
	EXPECT_EQ(XT_FIN_WAIT2, xt_wait_state(m, XT_FIN_WAIT2, XT_WAIT_MS));
	ASSERT_OK(shutdown(q, SHUT_WR));
	EXPECT_EQ(XT_CLOSE, xt_wait_state(m, XT_CLOSE, XT_WAIT_MS));
	close(u);
	close(ll);
	close(l);
	close(p);
	close(m);
	close(q);
}

TEST_F(tcp, socket_identity)
{
	int u = xt_sock(self), t = socket(self->family, SOCK_STREAM,
					  IPPROTO_TCP);
	int l = xt_listener(self, 7470), c = xt_sock(self), s;
	static const int ro[] = { SO_TYPE, SO_PROTOCOL, SO_DOMAIN, SO_ERROR,
				  SO_ACCEPTCONN };
	unsigned int i;

	ASSERT_LE(0, u);
	ASSERT_LE(0, t);
	ASSERT_LE(0, l);
	EXPECT_EQ(SOCK_STREAM, xu_getint(u, SOL_SOCKET, SO_TYPE));
	EXPECT_EQ(IPPROTO_TCP, xu_getint(u, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(self->family, xu_getint(u, SOL_SOCKET, SO_DOMAIN));
	EXPECT_EQ(0, xu_getint(u, SOL_SOCKET, SO_ACCEPTCONN));
	EXPECT_EQ(0, xu_getint(u, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(IPPROTO_TCP, xu_getint(t, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_ERRNO(EPROTONOSUPPORT, socket(self->family, SOCK_STREAM,
					     IPPROTO_UDP));
	for (i = 0; i < ARRAY_SIZE(ro); i++)
		EXPECT_EQ(ENOPROTOOPT, xu_setint(u, SOL_SOCKET, ro[i], 1))
			TH_LOG("setsockopt(SOL_SOCKET, %d)", ro[i]);
	EXPECT_EQ(1, xu_getint(l, SOL_SOCKET, SO_ACCEPTCONN));
	ASSERT_ERR(0, xt_join(c, l, XU_LOCAL, 7470, &s));
	EXPECT_EQ(self->family, xu_getint(s, SOL_SOCKET, SO_DOMAIN));
	EXPECT_EQ(SOCK_STREAM, xu_getint(s, SOL_SOCKET, SO_TYPE));
	EXPECT_EQ(IPPROTO_TCP, xu_getint(s, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(0, xu_getint(s, SOL_SOCKET, SO_ACCEPTCONN));
	close(u);
	close(t);
	close(c);
	close(s);
	close(l);
}

TEST_F(tcp, priority_mark)
{
	int u = xt_sock(self), c, s;

	ASSERT_LE(0, u);
	EXPECT_EQ(0, xu_getint(u, SOL_SOCKET, SO_PRIORITY));
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_PRIORITY, 3));
	EXPECT_EQ(3, xu_getint(u, SOL_SOCKET, SO_PRIORITY));
	/* IP_TOS sets the priority of its TOS (IPTOS_LOWDELAY: 6). */
	EXPECT_ERR(0, xu_setint(u, SOL_IP, IP_TOS, 0x10));
	EXPECT_EQ(6, xu_getint(u, SOL_SOCKET, SO_PRIORITY));
	EXPECT_EQ(0, xu_getint(u, SOL_SOCKET, SO_MARK));
	EXPECT_ERR(0, xu_setint(u, SOL_SOCKET, SO_MARK, 42));
	EXPECT_EQ(42, xu_getint(u, SOL_SOCKET, SO_MARK));
	ASSERT_ERR(0, xt_pair(self, 7480, &c, &s));
	EXPECT_ERR(0, xu_setint(c, SOL_SOCKET, SO_PRIORITY, 5));
	EXPECT_ERR(0, xu_setint(c, SOL_SOCKET, SO_MARK, 7));
	EXPECT_EQ(5, xu_getint(c, SOL_SOCKET, SO_PRIORITY));
	EXPECT_EQ(7, xu_getint(c, SOL_SOCKET, SO_MARK));
	EXPECT_TRUE(msg_ok(c, s, "marked"));
	close(u);
	close(c);
	close(s);
}

/* The peer's raw socket sees our SYN and data with our TTL and TOS. */
TEST_F(tcp, ip_tos_ttl_on_wire)
{
	int raw = xu_peer_socket(self, SOCK_RAW, IPPROTO_TCP);
	int pl = xt_peer_listener(self, 7490), l = xt_sock(self), p;
	unsigned char v[8] = {};
	struct xt_seg sg;

	ASSERT_LE(0, raw);
	ASSERT_LE(0, pl);
	ASSERT_LE(0, l);
	EXPECT_EQ(64, xu_getint(l, SOL_IP, IP_TTL));
	EXPECT_ERR(EINVAL, xu_setint(l, SOL_IP, IP_TTL, 0));
	EXPECT_ERR(EINVAL, xu_setint(l, SOL_IP, IP_TTL, 256));
	EXPECT_ERR(0, xu_setint(l, SOL_IP, IP_TTL, 33));
	EXPECT_EQ(33, xu_getint(l, SOL_IP, IP_TTL));
	EXPECT_EQ(0, xu_getint(l, SOL_IP, IP_TOS));
	/* The ECN bits are TCP's own: not taken from IP_TOS. */
	EXPECT_ERR(0, xu_setint(l, SOL_IP, IP_TOS, 0x2b));
	EXPECT_EQ(0x28, xu_getint(l, SOL_IP, IP_TOS));
	ASSERT_ERR(0, bind_connect(l, 7491, XU_PEER, 7490));
	p = xt_accept(pl, XT_WAIT_MS);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, xt_raw_next(raw, 7491, XT_WAIT_MS, &sg));
	EXPECT_TRUE(sg.th.syn && !sg.th.ack);
	EXPECT_EQ(33, sg.ip.ttl);
	EXPECT_EQ(0x28, sg.ip.tos);
	EXPECT_TRUE(ntohs(sg.ip.frag_off) & IP_DF);
	/* SYN options: MSS 1460, SACK permitted, timestamps, window scale. */
	EXPECT_EQ(4, xt_seg_opt(&sg, XT_OPT_MSS, v));
	EXPECT_EQ(XT_MSS_SYN, v[0] << 8 | v[1]);
	EXPECT_EQ(2, xt_seg_opt(&sg, XT_OPT_SACKOK, NULL));
	EXPECT_EQ(10, xt_seg_opt(&sg, XT_OPT_TS, NULL));
	EXPECT_EQ(3, xt_seg_opt(&sg, XT_OPT_WS, NULL));
	ASSERT_EQ(4, send(l, "data", 4, 0));
	do {
		ASSERT_EQ(0, xt_raw_next(raw, 7491, XT_WAIT_MS, &sg));
	} while (sg.payload == 0);
	EXPECT_EQ(4, sg.payload);
	EXPECT_EQ(33, sg.ip.ttl);
	EXPECT_EQ(0x28, sg.ip.tos);
	EXPECT_TRUE(ntohs(sg.ip.frag_off) & IP_DF);
	EXPECT_EQ(10, xt_seg_opt(&sg, XT_OPT_TS, NULL));
	/* -1: back to the default. */
	EXPECT_ERR(0, xu_setint(l, SOL_IP, IP_TTL, -1));
	EXPECT_EQ(64, xu_getint(l, SOL_IP, IP_TTL));
	close(raw);
	close(pl);
	close(l);
	close(p);
}

TEST_F(tcp, bindtodevice)
{
	int pl = xt_listen_fd(xt_peer_sock(self), "0.0.0.0", 7500);
	int l = xt_sock(self), b = xt_sock(self), q = xt_peer_sock(self);
	int r = xt_peer_sock(self), p, a;
	char name[IFNAMSIZ] = {};
	socklen_t len = sizeof(name);

	ASSERT_LE(0, pl);
	ASSERT_LE(0, l);
	ASSERT_LE(0, b);
	ASSERT_LE(0, q);
	ASSERT_LE(0, r);
	EXPECT_ERRNO(ENODEV, setsockopt(l, SOL_SOCKET, SO_BINDTODEVICE,
					"nosuchdev", 10));
	ASSERT_OK(setsockopt(l, SOL_SOCKET, SO_BINDTODEVICE, "veth1", 6));
	ASSERT_OK(getsockopt(l, SOL_SOCKET, SO_BINDTODEVICE, name, &len));
	EXPECT_STREQ("veth1", name);
	/* No route to 10.0.0.2 through veth1: taken as on-link there. */
	ASSERT_ERR(0, xu_connect(l, XU_PEER, 7500));
	p = xt_accept(pl, XT_WAIT_MS);
	ASSERT_LE(0, p);
	EXPECT_EQ(xu_a(XU_LOCAL1), xu_name(l, false).sin_addr.s_addr);
	EXPECT_EQ(xu_a(XU_LOCAL1), xu_name(p, true).sin_addr.s_addr);
	EXPECT_TRUE(msg_ok(l, p, "via veth1"));
	EXPECT_TRUE(msg_ok(p, l, "back via veth1"));
	/* A listener bound to veth1 hears what arrives on veth1 only. */
	ASSERT_OK(setsockopt(b, SOL_SOCKET, SO_BINDTODEVICE, "veth1", 6));
	ASSERT_ERR(0, xt_listen_at(b, "0.0.0.0", 7501, 8));
	EXPECT_ERR(0, xu_connect(q, XU_LOCAL1, 7501));
	a = xt_accept(b, XT_WAIT_MS);
	EXPECT_LE(0, a);
	EXPECT_ERR(ECONNREFUSED, xu_connect(r, XU_LOCAL, 7501));
	close(a);
	close(b);
	close(q);
	close(r);
	close(p);
	close(l);
	close(pl);
}

TEST_F(tcp, bad_options)
{
	int u = xt_sock(self), one = 1, v = 0;
	socklen_t len;

	ASSERT_LE(0, u);
	EXPECT_ERR(ENOPROTOOPT, xu_setint(u, SOL_TCP, 9999, 1));
	EXPECT_ERRNO(ENOPROTOOPT, xu_getint(u, SOL_TCP, 9999));
	EXPECT_ERR(ENOPROTOOPT, xu_setint(u, SOL_IP, 9999, 1));
	EXPECT_ERRNO(ENOPROTOOPT, xu_getint(u, SOL_IP, 9999));
	EXPECT_ERR(ENOPROTOOPT, xu_setint(u, SOL_SOCKET, 9999, 1));
	EXPECT_ERRNO(ENOPROTOOPT, xu_getint(u, SOL_SOCKET, 9999));
	/* Another level: ENOPROTOOPT to set, EOPNOTSUPP to get (Linux). */
	EXPECT_ERR(ENOPROTOOPT, xu_setint(u, 9999, 1, 1));
	EXPECT_ERRNO(EOPNOTSUPP, xu_getint(u, 9999, 1));
	EXPECT_ERR(ENOPROTOOPT, xu_setint(u, SOL_UDP, 1, 1));
	EXPECT_ERRNO(EOPNOTSUPP, xu_getint(u, SOL_UDP, 1));
	/* Bad lengths and pointers. */
	EXPECT_ERRNO(EINVAL, setsockopt(u, SOL_TCP, TCP_KEEPIDLE, &one, 2));
	EXPECT_ERRNO(EFAULT, setsockopt(u, SOL_TCP, TCP_KEEPIDLE, NULL, 4));
	len = -1;
	EXPECT_ERRNO(EINVAL, getsockopt(u, SOL_TCP, TCP_NODELAY, &v, &len));
	len = -1;
	EXPECT_ERRNO(EINVAL, getsockopt(u, SOL_SOCKET, SO_TYPE, &v, &len));
	close(u);
}

/* ------------------------------------------------------------ states */

/*
 * Both FINs cross (netem holds each side's 100 ms): each end gets the
 * other's FIN before the ACK of its own (CLOSING), then both end in
 * TIME-WAIT.
 */
/*
 * Simultaneous open (RFC 9293 3.5, figure 8): both ends connect to each
 * other at once, their SYNs crossing on the wire (100 ms of netem delay
 * each way); each goes SYN-SENT -> SYN-RECEIVED -> ESTABLISHED and data
 * flows both ways.
 */
TEST_F_TIMEOUT(tcp, simultaneous_open, 60)
{
	bool recv_l = false, recv_p = false;
	int l = xt_sock(self), p = xt_peer_sock(self), st, a, b;
	double end;

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(l, XU_LOCAL, 7530));
	ASSERT_ERR(0, xu_bind(p, XU_PEER, 7531));
	/* Neighbours resolved first: only the SYNs are to be delayed. */
	ASSERT_ERR(0, xt_pair_out(self, 7532, &a, &b));
	close(a);
	close(b);
	ASSERT_EQ(0, xt_netem(self, false, "delay 100ms"));
	ASSERT_EQ(0, xt_netem(self, true, "delay 100ms"));
	ASSERT_OK(xt_nonblock(l));
	ASSERT_OK(xt_nonblock(p));
	EXPECT_ERR(EINPROGRESS, xu_connect(l, XU_PEER, 7531));
	EXPECT_ERR(EINPROGRESS, xu_connect(p, XU_LOCAL, 7530));
	end = xu_now() + 5;
	while (xu_now() < end) {
		st = xt_state(l);
		recv_l |= st == XT_SYN_RECV;
		recv_p |= xt_state(p) == XT_SYN_RECV;
		if (st == XT_ESTABLISHED && xt_state(p) == XT_ESTABLISHED)
			break;
		usleep(2000);
	}
	EXPECT_TRUE(recv_l) TH_LOG("ours never in SYN-RECEIVED");
	EXPECT_TRUE(recv_p) TH_LOG("the peer never in SYN-RECEIVED");
	EXPECT_EQ(XT_ESTABLISHED, xt_state(l));
	EXPECT_EQ(XT_ESTABLISHED, xt_state(p));
	EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_ERROR));
	EXPECT_TRUE(msg_ok(l, p, "ours to the peer"));
	EXPECT_TRUE(msg_ok(p, l, "the peer to ours"));
	close(l);
	close(p);
}

TEST_F_TIMEOUT(tcp, simultaneous_close, 60)
{
	bool closing_l = false, closing_p = false;
	double end;
	int l, p, n, port;

	ASSERT_ERR(0, xt_pair_out(self, 7520, &l, &p));
	ASSERT_EQ(0, xt_netem(self, false, "delay 100ms"));
	ASSERT_EQ(0, xt_netem(self, true, "delay 100ms"));
	ASSERT_OK(shutdown(l, SHUT_WR));
	ASSERT_OK(shutdown(p, SHUT_WR));
	end = xu_now() + 2;
	while (xu_now() < end && !(closing_l && closing_p)) {
		closing_l |= xt_state(l) == XT_CLOSING;
		closing_p |= xt_state(p) == XT_CLOSING;
		usleep(2000);
	}
	EXPECT_TRUE(closing_l) TH_LOG("ours never in CLOSING");
	EXPECT_TRUE(closing_p) TH_LOG("the peer never in CLOSING");
	EXPECT_EQ(0, xt_drain_eof(l, XT_WAIT_MS));
	EXPECT_EQ(0, xt_drain_eof(p, XT_WAIT_MS));
	EXPECT_EQ(XT_CLOSE, xt_wait_state(l, XT_CLOSE, XT_WAIT_MS));
	EXPECT_EQ(XT_CLOSE, xt_wait_state(p, XT_CLOSE, XT_WAIT_MS));
	port = xu_port(l);
	close(l);
	close(p);
	n = xt_sock(self);
	EXPECT_ERR(EADDRINUSE, xu_bind(n, XU_LOCAL, port));
	close(n);
}

/* One side shut down its writing; the other keeps sending, all of it. */
TEST_F_TIMEOUT(tcp, half_close, 60)
{
	struct xt_flow f;
	int l, p, m, q;

	ASSERT_ERR(0, xt_pair_out(self, 7530, &l, &p));
	ASSERT_OK(shutdown(l, SHUT_WR));
	EXPECT_EQ(0, xt_drain_eof(p, XT_WAIT_MS));
	f = (struct xt_flow){ .from = p, .to = l, .len = MIB };
	EXPECT_ERR(0, xt_pump(&f, 1, 30000));
	close(p);
	EXPECT_EQ(0, xt_drain_eof(l, XT_WAIT_MS));

	ASSERT_ERR(0, xt_pair_in(self, 7531, &m, &q));
	ASSERT_OK(shutdown(q, SHUT_WR));
	EXPECT_EQ(0, xt_drain_eof(m, XT_WAIT_MS));
	f = (struct xt_flow){ .from = m, .to = q, .len = MIB };
	EXPECT_ERR(0, xt_pump(&f, 1, 30000));
	close(m);
	EXPECT_EQ(0, xt_drain_eof(q, XT_WAIT_MS));
	close(l);
	close(q);
}

/*
 * The active closer's end stays in TIME-WAIT: its port cannot be bound
 * without SO_REUSEADDR; with it, connecting to another port works, and to
 * the same one too (the TIME-WAIT is taken over).
 */
TEST_F(tcp, time_wait_active_closer)
{
	int l = xt_listener(self, 7540), l2 = xt_listener(self, 7542);
	int c = xt_sock(self), n = xt_sock(self), m = xt_sock(self);
	int o = xt_sock(self), s, a;

	ASSERT_LE(0, l);
	ASSERT_LE(0, l2);
	ASSERT_LE(0, c);
	ASSERT_LE(0, o);
	ASSERT_ERR(0, xu_setint(c, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_ERR(0, bind_connect(c, 7541, XU_LOCAL, 7540));
	s = xt_accept(l, XT_WAIT_MS);
	ASSERT_LE(0, s);
	close(c);
	EXPECT_EQ(0, xt_drain_eof(s, XT_WAIT_MS));
	close(s);
	usleep(100000);
	EXPECT_ERR(EADDRINUSE, xu_bind(n, XU_LOCAL, 7541));
	ASSERT_ERR(0, xu_setint(m, SOL_SOCKET, SO_REUSEADDR, 1));
	EXPECT_ERR(0, xu_bind(m, XU_LOCAL, 7541));
	/* Another destination from the same port: fine. */
	ASSERT_ERR(0, xu_setint(o, SOL_SOCKET, SO_REUSEADDR, 1));
	EXPECT_ERR(0, bind_connect(o, 7541, XU_LOCAL, 7542));
	a = xt_accept(l2, XT_WAIT_MS);
	EXPECT_LE(0, a);
	EXPECT_TRUE(msg_ok(o, a, "other 4-tuple"));
	close(a);
	/*
	 * The same 4-tuple: an explicitly bound socket takes over the
	 * TIME-WAIT (Linux, with timestamps: tcp_twsk_unique()).
	 */
	EXPECT_ERR(0, xu_connect(m, XU_LOCAL, 7540));
	a = xt_accept(l, XT_WAIT_MS);
	EXPECT_LE(0, a);
	EXPECT_TRUE(msg_ok(m, a, "same 4-tuple"));
	close(a);
	close(n);
	close(m);
	close(o);
	close(l);
	close(l2);
}

/*
 * The state (st column) of the entry of 10.0.0.1:lport (and remote port
 * rport, if not 0) in a /proc/net/tcp-format file: -1 if none, -2 if the
 * file cannot be read.
 */
static int proc_state(const char *path, int lport, int rport)
{
	static char b[1 << 20];
	unsigned int la, lp, ra, rp, st;
	char *line, *save = NULL;

	if (xu_read_file(path, b, sizeof(b)) < 0)
		return -2;
	for (line = strtok_r(b, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, " %*d: %X:%X %X:%X %X", &la, &lp, &ra, &rp,
			   &st) != 5)
			continue;
		if (la == xu_a(XU_LOCAL) && (int)lp == lport &&
		    (!rport || (int)rp == rport))
			return st;
	}
	return -1;
}

static int wait_proc_state(const char *path, int lport, int rport, int st)
{
	double end = xu_now() + XT_WAIT_MS / 1e3;
	int now;

	while ((now = proc_state(path, lport, rport)) != st && xu_now() < end)
		usleep(20000);
	return now;
}

TEST_F(tcp, proc_net_tcp)
{
	int l = xt_listener(self, 7550), c = xt_sock(self), s;
	const char *path = self->proc_tcp;

	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	ASSERT_LE(-1, proc_state(path, 7550, 0)) TH_LOG("cannot read %s", path);
	EXPECT_EQ(0x0A, proc_state(path, 7550, 0));
	ASSERT_ERR(0, bind_connect(c, 7551, XU_LOCAL, 7550));
	s = xt_accept(l, XT_WAIT_MS);
	ASSERT_LE(0, s);
	EXPECT_EQ(0x01, proc_state(path, 7551, 7550));
	EXPECT_EQ(0x01, proc_state(path, 7550, 7551));
	close(c);
	EXPECT_EQ(0, xt_drain_eof(s, XT_WAIT_MS));
	close(s);
	EXPECT_EQ(0x06, wait_proc_state(path, 7551, 7550, 0x06));
	close(l);
	EXPECT_EQ(-1, wait_proc_state(path, 7550, 0, -1));
}

/* ------------------------------------------------------------ scale */

/* One short connection to l: 0, or a step that failed (1 to 4). */
static int short_conn(FIXTURE_DATA(tcp) *self, int l, int port, bool we_close)
{
	int c = xt_sock(self), s = -1, bad = 0;
	char b;

	if (c < 0 || xu_connect(c, XU_LOCAL, port))
		bad = 1;
	if (!bad)
		s = xt_accept(l, XT_WAIT_MS);
	if (!bad && s < 0)
		bad = 2;
	if (!bad && (send(c, "x", 1, 0) != 1 ||
		     xt_recv_n(s, &b, 1, XT_WAIT_MS) != 1 || b != 'x'))
		bad = 3;
	if (we_close) {
		xt_close(&c);
		if (!bad && s >= 0 && xt_drain_eof(s, XT_WAIT_MS))
			bad = 4;
		xt_close(&s);
	} else {
		xt_close(&s);
		if (!bad && c >= 0 && xt_drain_eof(c, XT_WAIT_MS))
			bad = 4;
		xt_close(&c);
	}
	return bad;
}

TEST_F_TIMEOUT(tcp, accept_close_1000, 240)
{
	int l = xt_listener(self, 7560), i, bad, nbad = 0, c, s;
	double t0 = xu_now();

	ASSERT_LE(0, l);
	for (i = 0; i < 1000; i++) {
		bad = short_conn(self, l, 7560, i & 1);
		if (bad && !nbad++)
			TH_LOG("connection %d failed at step %d: %s", i, bad,
			       xu_ename(errno));
	}
	EXPECT_EQ(0, nbad);
	TH_LOG("1000 connections in %.1f s", since(t0));
	close(l);
	ASSERT_ERR(0, xt_pair(self, 7561, &c, &s));
	EXPECT_TRUE(msg_ok(c, s, "after 1000"));
	close(c);
	close(s);
}

#define NBUSY	1000

struct busy_accept {
	int l;
	int fds[NBUSY];
	int n;
	volatile double end;	/* set again once every client connected */
};

/* accept() without pause: the listener is owned by us most of the time. */
static void *busy_accept_fn(void *arg)
{
	struct busy_accept *b = arg;
	int fd;

	while (b->n < NBUSY && xu_now() < b->end) {
		fd = accept(b->l, NULL, NULL);
		if (fd >= 0)
			b->fds[b->n++] = fd;
	}
	return NULL;
}

/*
 * Connections whose third segment and first data reach the listener
 * while accept() holds it: both wait in its backlog, the first makes
 * the child, the second must go to the child (not get a RST that kills
 * the new connection). Every client sends its number at once; every
 * one is accepted with it and none was reset.
 */
TEST_F_TIMEOUT(tcp, accept_busy_listener, 120)
{
	static struct busy_accept b;
	struct rlimit rl = { 3 * NBUSY, 3 * NBUSY };
	static int c[NBUSY];
	static bool seen[NBUSY];
	int i, v, nbad = 0, nreset = 0;
	double t0 = xu_now();
	pthread_t th;

	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &rl));
	memset(&b, 0, sizeof(b));
	memset(seen, 0, sizeof(seen));
	b.l = xt_sock(self);
	ASSERT_ERR(0, xt_listen_at(b.l, XU_LOCAL, 7565, 4096));
	ASSERT_EQ(0, xt_nonblock(b.l));
	b.end = t0 + 100;
	ASSERT_EQ(0, pthread_create(&th, NULL, busy_accept_fn, &b));
	for (i = 0; i < NBUSY; i++) {
		c[i] = xt_sock(self);
		if (xu_connect(c[i], XU_LOCAL, 7565) ||
		    send(c[i], &i, sizeof(i), 0) != sizeof(i))
			nbad++;
	}
	b.end = xu_now() + XT_WAIT_MS / 1000.0;
	pthread_join(th, NULL);
	EXPECT_EQ(0, nbad);
	EXPECT_EQ(NBUSY, b.n);
	for (i = 0; i < b.n; i++) {
		if (xt_recv_n(b.fds[i], &v, sizeof(v), 1000) != sizeof(v) ||
		    v < 0 || v >= NBUSY || seen[v])
			nbad++;
		else
			seen[v] = true;
	}
	EXPECT_EQ(0, nbad);
	for (i = 0; i < NBUSY; i++)
		nreset += xt_state(c[i]) != XT_ESTABLISHED;
	EXPECT_EQ(0, nreset);
	for (i = 0; i < b.n; i++)
		close(b.fds[i]);
	for (i = 0; i < NBUSY; i++)
		close(c[i]);
	close(b.l);
	TH_LOG("%d connections in %.1f s", NBUSY, since(t0));
}

#define NCONN 2000

/*
 * Connection i carries the number i from from[i] to to[i] (sent in
 * reverse order when asked): how many did not.
 */
static int numbers_cross(const int *from, const int *to, int n, bool reverse)
{
	int i, k, v, nbad = 0;

	for (k = 0; k < n; k++) {
		i = reverse ? n - 1 - k : k;
		nbad += send(from[i], &i, sizeof(i), 0) != sizeof(i);
	}
	for (i = 0; i < n; i++)
		nbad += xt_recv_n(to[i], &v, sizeof(v), XT_WAIT_MS) !=
			sizeof(v) || v != i;
	return nbad;
}

TEST_F_TIMEOUT(tcp, established_2000, 240)
{
	static int c[NCONN], s[NCONN];
	struct rlimit rl = { 3 * NCONN, 3 * NCONN };
	int l = xt_listener(self, 7570), i, nbad = 0;
	double t0 = xu_now();

	ASSERT_LE(0, l);
	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &rl));
	for (i = 0; i < NCONN; i++) {
		c[i] = xt_sock(self);
		if (xt_join(c[i], l, XU_LOCAL, 7570, &s[i]) && !nbad++)
			TH_LOG("connection %d: %s", i, xu_ename(errno));
	}
	ASSERT_EQ(0, nbad);
	TH_LOG("%d connections in %.1f s", NCONN, since(t0));
	EXPECT_EQ(0, numbers_cross(c, s, NCONN, false));
	EXPECT_EQ(0, numbers_cross(s, c, NCONN, true));
	for (i = 0; i < NCONN; i++) {
		close(c[i]);
		close(s[i]);
	}
	close(l);
	TH_LOG("all in %.1f s", since(t0));
}

#define NBIG		100000
#define NBIG_PORTS	4
#define NBIG_PORT	7580

/*
 * 100,000 established connections (200,000 sockets) at once, over four
 * listening ports as the ephemeral range holds 64,512 ports: each one
 * carries its own number from client to server, which proves every
 * 4-tuple finds its socket among all the others. About two minutes a
 * family under TCG and 3 GiB of guest memory: only with XS_SCALE=1
 * (README: "Scale").
 */
TEST_F_TIMEOUT(tcp, established_100k, 900)
{
	struct rlimit rl = { 2 * NBIG + 64, 2 * NBIG + 64 };
	int *c = calloc(NBIG, sizeof(int)), *s = calloc(NBIG, sizeof(int));
	int l[NBIG_PORTS], i, n;
	double t0 = xu_now();

	if (!getenv("XS_SCALE")) {
		free(c);
		free(s);
		SKIP(return, "XS_SCALE=1 runs it (two minutes, 3 GiB)");
	}
	ASSERT_TRUE(c && s);
	ASSERT_EQ(0, xu_sysctl_set(self, "ip_local_port_range", "1024 65535"));
	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &rl));
	for (i = 0; i < NBIG_PORTS; i++) {
		l[i] = xt_listener(self, NBIG_PORT + i);
		ASSERT_LE(0, l[i]);
	}
	for (n = 0; n < NBIG; n++) {
		c[n] = xt_sock(self);
		if (xt_join(c[n], l[n % NBIG_PORTS], XU_LOCAL,
			    NBIG_PORT + n % NBIG_PORTS, &s[n])) {
			TH_LOG("connection %d: %s", n, xu_ename(errno));
			close(c[n]);
			break;
		}
	}
	EXPECT_EQ(NBIG, n);
	TH_LOG("%d connections in %.1f s", n, since(t0));
	EXPECT_EQ(0, numbers_cross(c, s, n, false));
	for (i = 0; i < n; i++) {
		close(c[i]);
		close(s[i]);
	}
	for (i = 0; i < NBIG_PORTS; i++)
		close(l[i]);
	free(c);
	free(s);
	TH_LOG("all in %.1f s", since(t0));
}

/* ------------------------------------------------------------ wire */

/*
 * netem on both sides' egress: 5% loss, 5 ms delay, 25% reordered. Data
 * and ACKs are lost both ways, so both ends retransmit and both receive
 * out of order (SACK, the out-of-order queue, loss recovery on each).
 */
TEST_F_TIMEOUT(tcp, wire_lossy, 300)
{
	const char *impair = "loss 5% delay 5ms reorder 25%";
	struct tcp_info a, b;
	struct xt_flow f[2];
	double t0;
	int l, p;

	ASSERT_ERR(0, xt_pair_out(self, 7580, &l, &p));
	ASSERT_EQ(0, xt_netem(self, false, impair));
	ASSERT_EQ(0, xt_netem(self, true, impair));
	t0 = xu_now();
	EXPECT_ERR(0, xt_both_ways(l, p, 4 * MIB, 240000, f));
	EXPECT_EQ(4 * MIB, f[0].rcvd);
	EXPECT_EQ(4 * MIB, f[1].rcvd);
	a = xt_info(l);
	b = xt_info(p);
	TH_LOG("4 MiB each way in %.1f s", since(t0));
	TH_LOG("ours: retrans %u ooo %u reord %u dsack %u; peer: retrans %u ooo %u",
	       a.tcpi_total_retrans, a.tcpi_rcv_ooopack, a.tcpi_reord_seen,
	       a.tcpi_dsack_dups, b.tcpi_total_retrans, b.tcpi_rcv_ooopack);
	EXPECT_LT(0, (int)a.tcpi_total_retrans);
	EXPECT_LT(0, (int)b.tcpi_total_retrans);
	EXPECT_LT(0, (int)a.tcpi_rcv_ooopack);
	EXPECT_EQ(XT_ESTABLISHED, a.tcpi_state);
	ASSERT_OK(shutdown(l, SHUT_WR));
	EXPECT_EQ(0, xt_drain_eof(p, 30000));
	close(l);
	close(p);
}

static void mtu_pair(struct __test_metadata *_metadata, int l, int p)
{
	struct xt_flow f[2];

	EXPECT_EQ(1228, xu_getint(l, SOL_TCP, TCP_MAXSEG));
	EXPECT_EQ(1228, xu_getint(p, SOL_TCP, TCP_MAXSEG));
	EXPECT_ERR(0, xt_both_ways(l, p, MIB, 60000, f));
	close(l);
	close(p);
}

/* MTU 1280 at either end: MSS 1228 (1280 - 40 - 12) both ways. */
TEST_F_TIMEOUT(tcp, wire_mtu_1280, 180)
{
	int l, p;

	/* The peer's MTU: the MSS in its SYN bounds what we send. */
	ASSERT_EQ(0, xt_set_mtu(self, true, 1280));
	ASSERT_ERR(0, xt_pair_out(self, 7590, &l, &p));
	mtu_pair(_metadata, l, p);
	ASSERT_EQ(0, xt_set_mtu(self, true, XT_MTU));
	/* Ours: we must advertise it and keep to it. */
	ASSERT_EQ(0, xt_set_mtu(self, false, 1280));
	ASSERT_ERR(0, xt_pair_out(self, 7591, &l, &p));
	mtu_pair(_metadata, l, p);
	ASSERT_ERR(0, xt_pair_in(self, 7592, &l, &p));
	mtu_pair(_metadata, l, p);
}

/*
 * snd fills rcv's small window while rcv does not read: EAGAIN, a
 * blocking send blocks, the connection lives on zero-window probes; then
 * rcv drains, everything arrives and more follows.
 */
static void zero_window(struct __test_metadata *_metadata, int snd, int rcv,
			const char *who)
{
	struct xt_flow f;
	ssize_t total;
	double t0, t;

	total = xt_fill_up(snd, 0);
	/*
	 * On a slow (debug) kernel the last ACKs can come after the pauses
	 * of xt_fill_up() and grow the send buffer: once the window is
	 * shut, top the buffer up.
	 */
	for (t0 = xu_now(); xt_info(snd).tcpi_snd_wnd && since(t0) < 5;)
		usleep(50000);
	total += xt_fill_up(snd, total);
	TH_LOG("%s: %zu bytes in before the window closed", who, total);
	EXPECT_ERRNO(EAGAIN, send(snd, rxbuf, 1000, MSG_DONTWAIT));
	EXPECT_EQ(0, (int)xt_info(snd).tcpi_snd_wnd) TH_LOG("%s", who);
	ASSERT_EQ(0, set_timeo(snd, SO_SNDTIMEO, 300));
	t0 = xu_now();
	EXPECT_ERRNO(EAGAIN, send(snd, rxbuf, 1000, 0));
	t = since(t0);
	EXPECT_TRUE(t >= 0.25) TH_LOG("%s: blocked %.2f s", who, t);
	usleep(1500000);
	EXPECT_EQ(XT_ESTABLISHED, xt_state(snd)) TH_LOG("%s", who);
	EXPECT_EQ(0, xu_poll(snd, POLLOUT, 0)) TH_LOG("%s", who);
	EXPECT_EQ(total, xt_recv_pat(rcv, total, 0, 30000)) TH_LOG("%s", who);
	EXPECT_EQ(POLLOUT, xu_poll(snd, POLLOUT, XT_WAIT_MS)) TH_LOG("%s", who);
	f = (struct xt_flow){ .from = snd, .to = rcv, .len = MIB };
	EXPECT_EQ(0, xt_pump(&f, 1, 30000)) TH_LOG("%s", who);
}

TEST_F_TIMEOUT(tcp, wire_zero_window, 120)
{
	int pl = xt_peer_sock(self), ll = xt_sock(self), l, p, m, q;

	ASSERT_LE(0, pl);
	ASSERT_LE(0, ll);
	ASSERT_ERR(0, xu_setint(pl, SOL_SOCKET, SO_RCVBUF, 8192));
	ASSERT_ERR(0, xt_listen_at(pl, XU_PEER, 7600, 8));
	l = xt_sock(self);
	ASSERT_ERR(0, xt_join(l, pl, XU_PEER, 7600, &p));
	zero_window(_metadata, l, p, "ours into the peer's window");
	ASSERT_ERR(0, xu_setint(ll, SOL_SOCKET, SO_RCVBUF, 8192));
	ASSERT_ERR(0, xt_listen_at(ll, XU_LOCAL, 7601, 8));
	q = xt_peer_sock(self);
	ASSERT_ERR(0, xt_join(q, ll, XU_LOCAL, 7601, &m));
	zero_window(_metadata, q, m, "the peer's into our window");
	close(l);
	close(p);
	close(m);
	close(q);
	close(pl);
	close(ll);
}

/* ------------------------------------------------------------ memory */

#define MP_CONNS	16
#define MP_PORT		7700
#define MP_LIMITS	"1024 1536 2048"	/* tcp_mem, pages */
#define MP_HARD		2048
/*
 * The count lags by up to net.core.mem_pcpu_rsv (256 pages, the least
 * allowed) per CPU: what each CPU charged or freed is added in bulk.
 */
#define MP_SLACK	(2 * 256)

/* A TcpExt counter of the stack under test. */
static long long tcpext(FIXTURE_DATA(tcp) *self, const char *name)
{
	return xu_snmp_file(self->family == AF_INET ? "/proc/net/netstat" :
			    self->snmp, "TcpExt", name);
}

/*
 * The protocol's line of /proc/net/protocols ("TCP" or "XS_TCP"): its
 * memory in pages and whether it is under memory pressure.
 */
static int proto_mem(FIXTURE_DATA(tcp) *self, long *pages, bool *press)
{
	const char *name = self->family == AF_INET ? "TCP" : "XS_TCP";
	static char buf[16384];
	char *line, *save = NULL, pr[8], nm[32];
	unsigned int size;
	long mem;
	int socks;

	if (xu_read_file("/proc/net/protocols", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%31s %u %d %ld %7s", nm, &size, &socks, &mem,
			   pr) != 5 || strcmp(nm, name))
			continue;
		*pages = mem;
		*press = !strcmp(pr, "yes");
		return 0;
	}
	return -1;
}

/*
 * Global sysctls (net.ipv4.tcp_mem) live in the initial namespace: write one there, keeping the old value in old.
 */
static int init_sysctl(FIXTURE_DATA(tcp) *self, const char *path,
		       const char *val, char *old, size_t oldsz)
{
	int ns = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC), err = -1;

	if (ns < 0)
		return -1;
	if (!xu_setns(ns)) {
		if (!old || xu_read_file(path, old, oldsz) >= 0)
			err = xu_write_file(path, val);
		if (xu_setns(self->lns))
			abort();
	}
	close(ns);
	return err;
}

/* Receive what each flow sent, all at once: the flows that got it all. */
static int drain_all(int *fd, const ssize_t *len, int n, int ms)
{
	static unsigned char buf[65536];
	double end = xu_now() + ms / 1e3;
	size_t got[MP_CONNS] = {};
	struct pollfd p[MP_CONNS];
	int i, done = 0;
	ssize_t r;

	while (done < n && xu_now() < end) {
		for (i = 0; i < n; i++) {
			p[i].fd = got[i] < (size_t)len[i] ? fd[i] : -1;
			p[i].events = POLLIN;
		}
		poll(p, n, 100);
		for (i = 0, done = 0; i < n; i++) {
			while (got[i] < (size_t)len[i]) {
				r = recv(fd[i], buf, sizeof(buf), MSG_DONTWAIT);
				if (r <= 0)
					break;
				if (xt_check(buf, r, got[i]) < r)
					return -1;	/* corrupted */
				got[i] += r;
			}
			done += got[i] == (size_t)len[i];
		}
	}
	return done;
}

/*
 * net.*.tcp_mem (Linux's semantics, in pages): receivers that do not
 * read and senders that fill their buffers push the protocol's memory up
 * to tcp_mem[2]; it stays near that limit (each socket keeps a minimum
 * buffer), the stack enters memory pressure (/proc/net/protocols,
 * TCPMemoryPressures), no byte is lost or corrupted when the readers
 * drain, and closing gives the memory back and ends the pressure.
 */
TEST_F_TIMEOUT(tcp, mem_pressure, 150)
{
	const char *lim = self->family == AF_INET ?
			  "/proc/sys/net/ipv4/tcp_mem" :
			  "/proc/sys/net/xstack/tcp_mem";
	char old_mem[128] = "";
	int c[MP_CONNS], s[MP_CONNS], i, n = 0;
	ssize_t sent[MP_CONNS];
	long base, pages = 0, peak = 0;
	long long press0;
	bool press = false;

	ASSERT_EQ(0, proto_mem(self, &base, &press));
	ASSERT_FALSE(press);
	press0 = tcpext(self, "TCPMemoryPressures");
	ASSERT_LE(0, press0);
	if (self->family == AF_INET) {
		ASSERT_EQ(0, init_sysctl(self, lim, MP_LIMITS, old_mem,
					 sizeof(old_mem)));
	} else {
		ASSERT_EQ(0, xu_sysctl_set(self, "tcp_mem", MP_LIMITS));
	}
	for (n = 0; n < MP_CONNS; n++)
		if (xt_pair(self, MP_PORT + n, &c[n], &s[n]))
			break;
	EXPECT_EQ(MP_CONNS, n);
	for (i = 0; i < n; i++) {
		sent[i] = xt_fill_up(c[i], 0);
		EXPECT_LT(0, sent[i]);
		if (!proto_mem(self, &pages, &press) && pages > peak)
			peak = pages;
	}
	EXPECT_EQ(0, proto_mem(self, &pages, &press));
	EXPECT_TRUE(press) TH_LOG("%ld pages, no pressure", pages);
	/* tcp_mem[2], each socket's minimum, the per-CPU reserves. */
	EXPECT_GE(MP_HARD + 4 * MP_CONNS + MP_SLACK, peak - base)
		TH_LOG("peak %ld pages over %ld", peak, base);
	EXPECT_LT(press0, tcpext(self, "TCPMemoryPressures"));
	EXPECT_EQ(n, drain_all(s, sent, n, 90000));
	for (i = 0; i < n; i++) {
		close(c[i]);
		close(s[i]);
	}
	for (i = 0; i < 100; i++) {
		if (!proto_mem(self, &pages, &press) && !press &&
		    pages <= base + MP_SLACK)
			break;
		usleep(100000);
	}
	EXPECT_FALSE(press);
	EXPECT_GE(base + MP_SLACK, pages);
	if (self->family == AF_INET) {
		EXPECT_EQ(0, init_sysctl(self, lim, old_mem, NULL, 0));
	}
}

XU_MAIN
