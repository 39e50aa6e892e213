// SPDX-License-Identifier: GPL-2.0
/*
 * Differential UDP socket API tests: every test runs on AF_INET (the
 * native stack: validates the test) and on AF_XSTACK with the same
 * expectations (DESIGN.md principle 7). Topology and variants: xs_udp.h.
 * Most tests use the local host's own address 10.0.0.1 (loopback of each
 * stack); udp_wire.c and udp_mcast.c cover what goes over the veth.
 *
 * Covered: bind (address, INADDR_ANY, ephemeral ports inside
 * ip_local_port_range and their exhaustion, EADDRINUSE, EADDRNOTAVAIL,
 * EACCES without CAP_NET_BIND_SERVICE, EINVAL on a second bind, bad
 * addresses), connect/send/recv and peer filtering, disconnect with
 * AF_UNSPEC, EDESTADDRREQ and sendto errnos, MSG_PEEK, MSG_DONTWAIT,
 * MSG_TRUNC in and out, empty datagrams, getsockname/getpeername,
 * SO_REUSEADDR, SO_REUSEPORT spreading, SO_RCVBUF/SO_SNDBUF and receive
 * buffer drops (Udp RcvbufErrors), SO_RCVTIMEO, SO_SNDTIMEO, SO_PRIORITY
 * (and IP_TOS's priority), SO_MARK, IP_TTL/IP_TOS values, SIOCINQ,
 * FIONREAD, SIOCOUTQ, poll and epoll readiness, shutdown, lookup with
 * 10,000 bound sockets, exact bind before wildcard, and the socket list
 * (/proc/net/udp, /proc/net/xstack/udp).
 */
#include <linux/capability.h>
#include <linux/sockios.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include "xs_udp.h"

/* ------------------------------------------------------------ bind */

TEST_F(udp, bind_addr_and_any)
{
	int a = xu_sock(self), b = xu_sock(self);
	struct sockaddr_in sin;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	EXPECT_ERR(0, xu_bind(a, XU_LOCAL, 5001));
	sin = xu_name(a, false);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(xu_a(XU_LOCAL), sin.sin_addr.s_addr);
	EXPECT_EQ(5001, ntohs(sin.sin_port));

	EXPECT_ERR(0, xu_bind(b, "0.0.0.0", 5002));
	sin = xu_name(b, false);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(htonl(INADDR_ANY), sin.sin_addr.s_addr);
	EXPECT_EQ(5002, ntohs(sin.sin_port));
	close(a);
	close(b);
}

/* bind() with AF_UNSPEC is accepted for INADDR_ANY only (as Linux). */
TEST_F(udp, bind_bad_address)
{
	int fd = xu_sock(self);
	struct sockaddr_in sin = xu_sin("0.0.0.0", 5003);

	ASSERT_LE(0, fd);
	EXPECT_ERRNO(EINVAL, bind(fd, (struct sockaddr *)&sin, 4));
	sin.sin_family = AF_INET6;
	EXPECT_ERRNO(EAFNOSUPPORT,
		     bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	sin = xu_sin(XU_LOCAL, 5003);
	sin.sin_family = AF_UNSPEC;
	EXPECT_ERRNO(EAFNOSUPPORT,
		     bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	sin = xu_sin("0.0.0.0", 5003);
	sin.sin_family = AF_UNSPEC;
	EXPECT_OK(bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(5003, xu_port(fd));
	close(fd);
}

static void port_range(FIXTURE_DATA(udp) *self, int *lo, int *hi)
{
	char path[128], buf[64];

	*lo = *hi = -1;
	xu_sysctl_path(self, "ip_local_port_range", path, sizeof(path));
	if (xu_read_file(path, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%d %d", lo, hi) != 2)
		*lo = *hi = -1;
}

TEST_F(udp, bind_ephemeral_in_range)
{
	int fds[20], i, j, lo, hi, port;

	port_range(self, &lo, &hi);
	ASSERT_LT(0, lo) TH_LOG("cannot read %s/ip_local_port_range",
				self->sysctl);
	TH_LOG("ip_local_port_range %d %d", lo, hi);
	for (i = 0; i < 20; i++) {
		fds[i] = xu_sock(self);
		ASSERT_LE(0, fds[i]);
		ASSERT_ERR(0, xu_bind(fds[i], i % 2 ? XU_LOCAL : NULL, 0));
		port = xu_port(fds[i]);
		EXPECT_LE(lo, port);
		EXPECT_GE(hi, port);
		for (j = 0; j < i; j++)
			EXPECT_NE(port, xu_port(fds[j]))
				TH_LOG("port %d given twice", port);
	}
	/* Autobind by sendto() and by connect() too. */
	for (i = 0; i < 2; i++) {
		int fd = xu_sock(self);

		ASSERT_LE(0, fd);
		if (i == 0) {
			EXPECT_EQ(1, xu_sendto(fd, "x", 1, XU_LOCAL, 9));
		} else {
			EXPECT_ERR(0, xu_connect(fd, XU_LOCAL, 9));
		}
		port = xu_port(fd);
		EXPECT_LE(lo, port) TH_LOG("autobind %d", i);
		EXPECT_GE(hi, port) TH_LOG("autobind %d", i);
		close(fd);
	}
	for (i = 0; i < 20; i++)
		close(fds[i]);
}

/* A four-port range: four binds get its four ports, the fifth fails. */
TEST_F(udp, bind_ephemeral_exhausted)
{
	int fds[5], i, port, seen = 0;

	ASSERT_ERR(0, xu_sysctl_set(self, "ip_local_port_range",
				    "40000 40003"));
	for (i = 0; i < 4; i++) {
		fds[i] = xu_sock(self);
		ASSERT_LE(0, fds[i]);
		ASSERT_ERR(0, xu_bind(fds[i], NULL, 0));
		port = xu_port(fds[i]);
		EXPECT_LE(40000, port);
		EXPECT_GE(40003, port);
		if (port >= 40000 && port <= 40003)
			seen |= 1 << (port - 40000);
	}
	EXPECT_EQ(0xf, seen);
	fds[4] = xu_sock(self);
	ASSERT_LE(0, fds[4]);
	EXPECT_ERR(EADDRINUSE, xu_bind(fds[4], NULL, 0));
	/* sendto() on an unbound socket cannot autobind either. */
	EXPECT_ERRNO(EAGAIN, xu_sendto(fds[4], "x", 1, XU_LOCAL, 9));
	for (i = 0; i < 5; i++)
		close(fds[i]);
}

TEST_F(udp, bind_eaddrinuse)
{
	int a = xu_sock(self), b = xu_sock(self), c = xu_sock(self);

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	ASSERT_ERR(0, xu_bind(a, XU_LOCAL, 5010));
	EXPECT_ERR(EADDRINUSE, xu_bind(b, XU_LOCAL, 5010));
	EXPECT_ERR(EADDRINUSE, xu_bind(b, NULL, 5010));
	ASSERT_ERR(0, xu_bind(c, NULL, 5011));
	EXPECT_ERR(EADDRINUSE, xu_bind(b, XU_LOCAL, 5011));
	EXPECT_ERR(EADDRINUSE, xu_bind(b, NULL, 5011));
	/* The failures left b unbound: it can still bind elsewhere. */
	EXPECT_ERR(0, xu_bind(b, XU_LOCAL, 5012));
	close(a);
	close(b);
	close(c);
}

TEST_F(udp, bind_eaddrnotavail)
{
	int fd = xu_sock(self);

	ASSERT_LE(0, fd);
	EXPECT_ERR(EADDRNOTAVAIL, xu_bind(fd, XU_OTHER, 5020));
	EXPECT_ERR(EADDRNOTAVAIL, xu_bind(fd, XU_PEER, 5020));
	EXPECT_ERR(EADDRNOTAVAIL, xu_bind(fd, "192.0.2.1", 0));
	EXPECT_ERR(0, xu_bind(fd, XU_LOCAL, 5020));
	close(fd);
}

static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return errno;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	data[cap / 32].permitted &= ~(1U << (cap % 32));
	data[cap / 32].inheritable &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data) ? errno : 0;
}

TEST_F(udp, bind_eacces_privileged_port)
{
	int a = xu_sock(self), b = xu_sock(self), c = xu_sock(self);
	int d = xu_sock(self);

	ASSERT_LE(0, a);
	ASSERT_LE(0, d);
	/* With the capability (root): allowed. */
	EXPECT_ERR(0, xu_bind(a, XU_LOCAL, 1023));
	/* This test runs in its own process: drop it for good. */
	ASSERT_ERR(0, drop_cap(CAP_NET_BIND_SERVICE));
	EXPECT_ERR(EACCES, xu_bind(b, XU_LOCAL, 80));
	EXPECT_ERR(EACCES, xu_bind(b, NULL, 1023));
	EXPECT_ERR(EACCES, xu_bind(b, NULL, 1));
	/* The address is checked first, then the port. */
	EXPECT_ERR(EADDRNOTAVAIL, xu_bind(b, XU_OTHER, 80));
	/* The port is checked before "already bound". */
	EXPECT_ERR(EACCES, xu_bind(a, XU_LOCAL, 80));
	EXPECT_ERR(0, xu_bind(b, XU_LOCAL, 1024));
	EXPECT_ERR(0, xu_bind(c, XU_LOCAL, 0));
	/* An unprivileged autobind is fine. */
	EXPECT_EQ(1, xu_sendto(d, "x", 1, XU_LOCAL, 9));
	close(a);
	close(b);
	close(c);
	close(d);
}

TEST_F(udp, bind_twice_einval)
{
	int fd = xu_sock(self), c = xu_sock(self);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, c);
	ASSERT_ERR(0, xu_bind(fd, XU_LOCAL, 5030));
	EXPECT_ERR(EINVAL, xu_bind(fd, XU_LOCAL, 5031));
	EXPECT_ERR(EINVAL, xu_bind(fd, NULL, 5030));
	EXPECT_ERR(EINVAL, xu_bind(fd, NULL, 0));
	/* Autobound by connect: bound as well. */
	ASSERT_ERR(0, xu_connect(c, XU_LOCAL, 5030));
	EXPECT_ERR(EINVAL, xu_bind(c, XU_LOCAL, 5032));
	close(fd);
	close(c);
}

/* ------------------------------------------------------------ connect */

TEST_F(udp, connect_send_recv)
{
	int a = xu_sock(self), b = xu_sock(self);
	struct sockaddr_in from, sin;
	char buf[64];

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_ERR(0, xu_bind(a, XU_LOCAL, 5040));
	ASSERT_ERR(0, xu_connect(b, XU_LOCAL, 5040));
	sin = xu_name(b, false);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(xu_a(XU_LOCAL), sin.sin_addr.s_addr);
	EXPECT_NE(0, sin.sin_port);
	sin = xu_name(b, true);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(xu_a(XU_LOCAL), sin.sin_addr.s_addr);
	EXPECT_EQ(5040, ntohs(sin.sin_port));

	EXPECT_EQ(5, send(b, "hello", 5, 0));
	memset(&from, 0, sizeof(from));
	ASSERT_EQ(5, xu_recv_wait(a, buf, sizeof(buf), XU_WAIT_MS, &from));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(AF_INET, from.sin_family);
	EXPECT_EQ(xu_a(XU_LOCAL), from.sin_addr.s_addr);
	EXPECT_EQ(xu_port(b), ntohs(from.sin_port));

	EXPECT_EQ(5, sendto(a, "world", 5, 0, (struct sockaddr *)&from,
			    sizeof(from)));
	ASSERT_EQ(5, xu_recv_wait(b, buf, sizeof(buf), XU_WAIT_MS, NULL));
	EXPECT_EQ(0, memcmp(buf, "world", 5));
	/* write() and read() work on a connected socket. */
	EXPECT_EQ(3, write(b, "abc", 3));
	ASSERT_EQ(3, xu_recv_wait(a, buf, sizeof(buf), XU_WAIT_MS, NULL));
	/* sendto() with an address overrides the peer. */
	EXPECT_EQ(3, xu_sendto(b, "def", 3, XU_LOCAL, 5040));
	ASSERT_EQ(3, xu_recv_wait(a, buf, sizeof(buf), XU_WAIT_MS, NULL));
	EXPECT_EQ(0, memcmp(buf, "def", 3));
	close(a);
	close(b);
}

/* A connected socket takes datagrams from its peer only. */
TEST_F(udp, connect_filters_other_sources)
{
	int a = xu_sock(self), b = xu_sock(self), c = xu_sock(self);
	char buf[16];

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	ASSERT_ERR(0, xu_bind(a, XU_LOCAL, 5050));
	ASSERT_ERR(0, xu_bind(b, XU_LOCAL, 5051));
	ASSERT_ERR(0, xu_bind(c, XU_LOCAL, 5052));
	ASSERT_ERR(0, xu_connect(b, XU_LOCAL, 5050));
	EXPECT_EQ(1, xu_sendto(c, "c", 1, XU_LOCAL, 5051));
	EXPECT_EQ(1, xu_sendto(a, "a", 1, XU_LOCAL, 5051));
	ASSERT_EQ(1, xu_recv_wait(b, buf, sizeof(buf), XU_WAIT_MS, NULL));
	EXPECT_EQ('a', buf[0]);
	EXPECT_ERRNO(EAGAIN, recv(b, buf, sizeof(buf), MSG_DONTWAIT));
	close(a);
	close(b);
	close(c);
}

TEST_F(udp, disconnect_af_unspec)
{
	int a = xu_sock(self), b = xu_sock(self), c = xu_sock(self);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	/* Autobound by connect: the disconnect gives the port back. */
	ASSERT_ERR(0, xu_connect(a, XU_LOCAL, 5060));
	EXPECT_NE(0, xu_port(a));
	EXPECT_OK(connect(a, &unspec, sizeof(unspec)));
	EXPECT_ERRNO(ENOTCONN, getpeername(a, (struct sockaddr *)&sin, &len));
	sin = xu_name(a, false);
	EXPECT_EQ(htonl(INADDR_ANY), sin.sin_addr.s_addr);
	EXPECT_EQ(0, ntohs(sin.sin_port));
	EXPECT_ERRNO(EDESTADDRREQ, send(a, "x", 1, 0));

	/* Explicitly bound port (wildcard): the port stays. */
	ASSERT_ERR(0, xu_bind(b, NULL, 5061));
	ASSERT_ERR(0, xu_connect(b, XU_LOCAL, 5060));
	EXPECT_EQ(xu_a(XU_LOCAL), xu_name(b, false).sin_addr.s_addr);
	EXPECT_OK(connect(b, &unspec, sizeof(unspec)));
	sin = xu_name(b, false);
	EXPECT_EQ(htonl(INADDR_ANY), sin.sin_addr.s_addr);
	EXPECT_EQ(5061, ntohs(sin.sin_port));
	len = sizeof(sin);
	EXPECT_ERRNO(ENOTCONN, getpeername(b, (struct sockaddr *)&sin, &len));

	/* Explicitly bound address: the address stays too. */
	ASSERT_ERR(0, xu_bind(c, XU_LOCAL, 5062));
	ASSERT_ERR(0, xu_connect(c, XU_LOCAL, 5060));
	EXPECT_OK(connect(c, &unspec, sizeof(unspec)));
	sin = xu_name(c, false);
	EXPECT_EQ(xu_a(XU_LOCAL), sin.sin_addr.s_addr);
	EXPECT_EQ(5062, ntohs(sin.sin_port));
	/* Disconnecting an unconnected socket is fine. */
	EXPECT_OK(connect(c, &unspec, sizeof(unspec)));
	close(a);
	close(b);
	close(c);
}

TEST_F(udp, connect_errnos)
{
	int fd = xu_sock(self);
	struct sockaddr_in sin = xu_sin(XU_LOCAL, 5070);

	ASSERT_LE(0, fd);
	EXPECT_ERRNO(EINVAL, connect(fd, (struct sockaddr *)&sin, 1));
	sin.sin_family = AF_INET6;
	EXPECT_ERRNO(EAFNOSUPPORT,
		     connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	/* No route (no default route in the namespace). */
	EXPECT_ERR(ENETUNREACH, xu_connect(fd, "192.0.2.1", 5070));
	close(fd);
}

TEST_F(udp, sendto_errnos)
{
	static char big[65508];
	int fd = xu_sock(self);
	struct sockaddr_in sin = xu_sin(XU_LOCAL, 5080);

	ASSERT_LE(0, fd);
	EXPECT_ERRNO(EDESTADDRREQ, send(fd, "x", 1, 0));
	EXPECT_ERRNO(EDESTADDRREQ, write(fd, "x", 1));
	EXPECT_ERRNO(EINVAL, sendto(fd, "x", 1, 0, (struct sockaddr *)&sin,
				    sizeof(sin) - 1));
	sin.sin_family = AF_INET6;
	EXPECT_ERRNO(EAFNOSUPPORT, sendto(fd, "x", 1, 0,
					  (struct sockaddr *)&sin,
					  sizeof(sin)));
	/* Port 0 is not a destination. */
	EXPECT_ERRNO(EINVAL, xu_sendto(fd, "x", 1, XU_LOCAL, 0));
	EXPECT_ERRNO(ENETUNREACH, xu_sendto(fd, "x", 1, "192.0.2.1", 9));
	EXPECT_ERRNO(EMSGSIZE, xu_sendto(fd, big, 65508, XU_LOCAL, 9));
	EXPECT_ERRNO(EOPNOTSUPP, sendto(fd, "x", 1, MSG_OOB,
					(struct sockaddr *)&sin,
					sizeof(sin)));
	close(fd);
}

/*
 * Linux autobinds before looking at the destination (inet_send_prepare()):
 * even a send that fails with EDESTADDRREQ leaves the socket bound to an
 * ephemeral port.
 */
TEST_F(udp, send_failure_autobinds)
{
	int fd = xu_sock(self), lo, hi;
	char path[128], buf[64];

	ASSERT_LE(0, fd);
	xu_sysctl_path(self, "ip_local_port_range", path, sizeof(path));
	ASSERT_LT(0, xu_read_file(path, buf, sizeof(buf)));
	ASSERT_EQ(2, sscanf(buf, "%d %d", &lo, &hi));
	EXPECT_EQ(0, xu_port(fd));
	EXPECT_ERRNO(EDESTADDRREQ, send(fd, "x", 1, 0));
	EXPECT_LE(lo, xu_port(fd));
	EXPECT_GE(hi, xu_port(fd));
	close(fd);
}

/* ------------------------------------------------------------ recv */

/* A bound receiver and a sender, both on 10.0.0.1. */
static void pair(FIXTURE_DATA(udp) *self,
		 struct __test_metadata *_metadata, int port, int *r, int *s)
{
	*r = xu_sock(self);
	*s = xu_sock(self);
	ASSERT_LE(0, *r);
	ASSERT_LE(0, *s);
	ASSERT_ERR(0, xu_bind(*r, XU_LOCAL, port));
	ASSERT_ERR(0, xu_bind(*s, XU_LOCAL, 0));
}

/* Send and wait until the receiver has it (poll, without reading). */
static bool send_arrived(int s, int r, const void *buf, size_t len, int port)
{
	if (xu_sendto(s, buf, len, XU_LOCAL, port) != (ssize_t)len)
		return false;
	return xu_poll(r, POLLIN, XU_WAIT_MS) & POLLIN;
}

TEST_F(udp, recv_peek)
{
	char buf[64] = {};
	int r, s;

	pair(self, _metadata, 5100, &r, &s);
	ASSERT_TRUE(send_arrived(s, r, "first", 5, 5100));
	ASSERT_EQ(6, xu_sendto(s, "second", 6, XU_LOCAL, 5100));
	EXPECT_EQ(5, recv(r, buf, sizeof(buf), MSG_PEEK));
	EXPECT_EQ(0, memcmp(buf, "first", 5));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(2, recv(r, buf, 2, MSG_PEEK));
	EXPECT_EQ(5, recv(r, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "first", 5));
	ASSERT_EQ(6, xu_recv_wait(r, buf, sizeof(buf), XU_WAIT_MS, NULL));
	EXPECT_EQ(0, memcmp(buf, "second", 6));
	close(r);
	close(s);
}

TEST_F(udp, recv_dontwait_empty)
{
	int fd = xu_sock(self), nb;
	char buf[8];

	ASSERT_LE(0, fd);
	/* Unbound, then bound. */
	EXPECT_ERRNO(EAGAIN, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_ERR(0, xu_bind(fd, XU_LOCAL, 5110));
	EXPECT_ERRNO(EAGAIN, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_ERRNO(EAGAIN, recv(fd, buf, sizeof(buf),
				  MSG_DONTWAIT | MSG_PEEK));
	nb = socket(self->family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, nb);
	EXPECT_ERRNO(EAGAIN, recv(nb, buf, sizeof(buf), 0));
	EXPECT_ERRNO(EAGAIN, read(nb, buf, sizeof(buf)));
	/* UDP ignores MSG_OOB on receive (Linux: no check). */
	EXPECT_ERRNO(EAGAIN, recv(fd, buf, sizeof(buf),
				  MSG_DONTWAIT | MSG_OOB));
	close(fd);
	close(nb);
}

static ssize_t recvmsg_flags(int fd, void *buf, size_t len, int flags,
			     int *msg_flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(fd, &msg, flags);

	*msg_flags = msg.msg_flags;
	return n;
}

TEST_F(udp, recv_trunc_flag)
{
	char big[100], buf[100] = {};
	int r, s, mf, i;

	for (i = 0; i < 100; i++)
		big[i] = i;
	pair(self, _metadata, 5120, &r, &s);
	ASSERT_TRUE(send_arrived(s, r, big, 100, 5120));
	/* MSG_TRUNC in: the real length; out: the flag. */
	EXPECT_EQ(100, recvmsg_flags(r, buf, 10, MSG_TRUNC | MSG_PEEK, &mf));
	EXPECT_TRUE(mf & MSG_TRUNC);
	EXPECT_EQ(100, recvmsg_flags(r, buf, 10, MSG_TRUNC, &mf));
	EXPECT_TRUE(mf & MSG_TRUNC);
	EXPECT_EQ(0, memcmp(buf, big, 10));
	EXPECT_EQ(0, buf[10]);
	/* The datagram is gone. */
	EXPECT_ERRNO(EAGAIN, recv(r, buf, sizeof(buf), MSG_DONTWAIT));
	/* A zero-length buffer with MSG_TRUNC: the length only. */
	ASSERT_TRUE(send_arrived(s, r, big, 77, 5120));
	EXPECT_EQ(77, recv(r, NULL, 0, MSG_TRUNC | MSG_DONTWAIT));
	close(r);
	close(s);
}

TEST_F(udp, recv_short_buffer_truncates)
{
	char buf[100] = {};
	int r, s, mf;

	pair(self, _metadata, 5130, &r, &s);
	ASSERT_TRUE(send_arrived(s, r, "0123456789abcdef", 16, 5130));
	ASSERT_EQ(3, xu_sendto(s, "xyz", 3, XU_LOCAL, 5130));
	EXPECT_EQ(10, recvmsg_flags(r, buf, 10, 0, &mf));
	EXPECT_TRUE(mf & MSG_TRUNC);
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
	/* The rest of the first datagram is discarded. */
	ASSERT_TRUE(xu_poll(r, POLLIN, XU_WAIT_MS) & POLLIN);
	EXPECT_EQ(3, recvmsg_flags(r, buf, sizeof(buf), 0, &mf));
	EXPECT_FALSE(mf & MSG_TRUNC);
	EXPECT_EQ(0, memcmp(buf, "xyz", 3));
	close(r);
	close(s);
}

TEST_F(udp, recv_empty_datagram)
{
	struct sockaddr_in from = {};
	char buf[8];
	int r, s;

	pair(self, _metadata, 5140, &r, &s);
	ASSERT_TRUE(send_arrived(s, r, "", 0, 5140));
	EXPECT_EQ(0, xu_recv_wait(r, buf, sizeof(buf), XU_WAIT_MS, &from));
	EXPECT_EQ(xu_port(s), ntohs(from.sin_port));
	EXPECT_EQ(xu_a(XU_LOCAL), from.sin_addr.s_addr);
	close(r);
	close(s);
}

TEST_F(udp, getsockname_getpeername)
{
	int fd = xu_sock(self);
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	ASSERT_LE(0, fd);
	memset(&sin, 0xff, sizeof(sin));
	ASSERT_OK(getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(sizeof(sin), len);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(0, sin.sin_port);
	EXPECT_EQ(htonl(INADDR_ANY), sin.sin_addr.s_addr);
	len = sizeof(sin);
	EXPECT_ERRNO(ENOTCONN, getpeername(fd, (struct sockaddr *)&sin, &len));
	ASSERT_ERR(0, xu_connect(fd, XU_LOCAL, 5150));
	len = sizeof(sin);
	memset(&sin, 0xff, sizeof(sin));
	ASSERT_OK(getpeername(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(sizeof(sin), len);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(5150, ntohs(sin.sin_port));
	EXPECT_EQ(xu_a(XU_LOCAL), sin.sin_addr.s_addr);
	/* A short buffer: truncated, the full length reported. */
	len = 4;
	ASSERT_OK(getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(sizeof(sin), len);
	close(fd);
}

/* ------------------------------------------------------------ options */

TEST_F(udp, so_reuseaddr)
{
	int a = xu_sock(self), b = xu_sock(self), c = xu_sock(self);
	int s = xu_sock(self), got = 0;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, xu_getint(a, SOL_SOCKET, SO_REUSEADDR));
	ASSERT_ERR(0, xu_setint(a, SOL_SOCKET, SO_REUSEADDR, 1));
	EXPECT_EQ(1, xu_getint(a, SOL_SOCKET, SO_REUSEADDR));
	ASSERT_ERR(0, xu_setint(b, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_ERR(0, xu_bind(a, NULL, 5200));
	EXPECT_ERR(0, xu_bind(b, NULL, 5200));
	/* Without the option on the newcomer: in use. */
	EXPECT_ERR(EADDRINUSE, xu_bind(c, NULL, 5200));
	/* A unicast datagram goes to one of them. */
	ASSERT_EQ(1, xu_sendto(s, "u", 1, XU_LOCAL, 5200));
	usleep(XU_QUIET_MS * 1000);
	got += xu_drain(a, 200);
	got += xu_drain(b, 200);
	EXPECT_EQ(1, got);
	close(a);
	close(b);
	close(c);
	close(s);
}

TEST_F(udp, so_reuseport_spreads)
{
	int a = xu_sock(self), b = xu_sock(self), c = xu_sock(self);
	int senders[64], i, na, nb;
	char buf[8];

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	ASSERT_ERR(0, xu_setint(a, SOL_SOCKET, SO_REUSEPORT, 1));
	EXPECT_EQ(1, xu_getint(a, SOL_SOCKET, SO_REUSEPORT));
	ASSERT_ERR(0, xu_setint(b, SOL_SOCKET, SO_REUSEPORT, 1));
	ASSERT_ERR(0, xu_bind(a, XU_LOCAL, 5210));
	ASSERT_ERR(0, xu_bind(b, XU_LOCAL, 5210));
	EXPECT_ERR(EADDRINUSE, xu_bind(c, XU_LOCAL, 5210));
	for (i = 0; i < 64; i++) {
		senders[i] = xu_sock(self);
		ASSERT_LE(0, senders[i]);
		snprintf(buf, sizeof(buf), "%d", i);
		EXPECT_LT(0, xu_sendto(senders[i], buf, strlen(buf), XU_LOCAL,
				       5210));
	}
	usleep(XU_QUIET_MS * 1000);
	na = xu_drain(a, 300);
	nb = xu_drain(b, 300);
	TH_LOG("SO_REUSEPORT: %d and %d of 64 datagrams", na, nb);
	EXPECT_EQ(64, na + nb);
	EXPECT_LT(0, na);
	EXPECT_LT(0, nb);
	/* One flow always goes to the same socket. */
	for (i = 0; i < 8; i++)
		EXPECT_EQ(1, xu_sendto(senders[0], "f", 1, XU_LOCAL, 5210));
	usleep(XU_QUIET_MS * 1000);
	na = xu_drain(a, 300);
	nb = xu_drain(b, 300);
	EXPECT_TRUE((na == 8 && nb == 0) || (na == 0 && nb == 8))
		TH_LOG("one flow split %d/%d", na, nb);
	for (i = 0; i < 64; i++)
		close(senders[i]);
	close(a);
	close(b);
	close(c);
}

TEST_F(udp, so_rcvbuf_drops_counted)
{
	static char data[1000];
	long long before, after, ibefore, iafter;
	int r, s, i, got, val;

	pair(self, _metadata, 5220, &r, &s);
	EXPECT_ERR(0, xu_setint(r, SOL_SOCKET, SO_RCVBUF, 4096));
	EXPECT_EQ(8192, xu_getint(r, SOL_SOCKET, SO_RCVBUF));
	EXPECT_ERR(0, xu_setint(s, SOL_SOCKET, SO_SNDBUF, 65536));
	EXPECT_EQ(131072, xu_getint(s, SOL_SOCKET, SO_SNDBUF));
	/* Tiny values are raised to the minimum (SOCK_MIN_RCVBUF). */
	val = xu_setint(s, SOL_SOCKET, SO_RCVBUF, 1);
	EXPECT_EQ(0, val);
	EXPECT_EQ(2304, xu_getint(s, SOL_SOCKET, SO_RCVBUF));

	before = xu_stat(self, "Udp", "RcvbufErrors");
	ibefore = xu_stat(self, "Udp", "InErrors");
	ASSERT_LE(0, before) TH_LOG("no Udp RcvbufErrors in %s", self->snmp);
	for (i = 0; i < 200; i++)
		EXPECT_EQ(1000, xu_sendto(s, data, sizeof(data), XU_LOCAL,
					  5220));
	usleep(XU_QUIET_MS * 1000);
	got = xu_drain(r, 300);
	after = xu_stat(self, "Udp", "RcvbufErrors");
	iafter = xu_stat(self, "Udp", "InErrors");
	TH_LOG("received %d of 200, RcvbufErrors +%lld, InErrors +%lld", got,
	       after - before, iafter - ibefore);
	EXPECT_LT(0, got);
	EXPECT_GT(200, got);
	EXPECT_EQ(200 - got, after - before);
	EXPECT_EQ(200 - got, iafter - ibefore);
	close(r);
	close(s);
}

TEST_F(udp, so_rcvtimeo)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 }, got = {};
	socklen_t len = sizeof(got);
	int fd = xu_sock(self);
	double t0, dt;
	char buf[8];

	ASSERT_LE(0, fd);
	ASSERT_ERR(0, xu_bind(fd, XU_LOCAL, 5230));
	ASSERT_OK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_OK(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &got, &len));
	EXPECT_EQ(0, got.tv_sec);
	EXPECT_EQ(200000, got.tv_usec);
	t0 = xu_now();
	EXPECT_ERRNO(EAGAIN, recv(fd, buf, sizeof(buf), 0));
	dt = xu_now() - t0;
	TH_LOG("recv returned after %.3f s", dt);
	EXPECT_LE(0.15, dt);
	EXPECT_GE(10.0, dt);
	tv.tv_usec = 1000000;	/* out of range */
	EXPECT_ERRNO(EDOM, setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				      sizeof(tv)));
	close(fd);
}

TEST_F(udp, so_sndtimeo)
{
	struct timeval tv = { .tv_sec = 2, .tv_usec = 500000 }, got = {};
	socklen_t len = sizeof(got);
	int fd = xu_sock(self);

	ASSERT_LE(0, fd);
	ASSERT_OK(getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &got, &len));
	EXPECT_EQ(0, got.tv_sec);
	EXPECT_EQ(0, got.tv_usec);
	ASSERT_OK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	len = sizeof(got);
	ASSERT_OK(getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &got, &len));
	EXPECT_EQ(2, got.tv_sec);
	EXPECT_EQ(500000, got.tv_usec);
	EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, 4));
	close(fd);
}

TEST_F(udp, so_priority_and_mark)
{
	int fd = xu_sock(self);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, xu_getint(fd, SOL_SOCKET, SO_PRIORITY));
	EXPECT_ERR(0, xu_setint(fd, SOL_SOCKET, SO_PRIORITY, 5));
	EXPECT_EQ(5, xu_getint(fd, SOL_SOCKET, SO_PRIORITY));
	EXPECT_EQ(0, xu_getint(fd, SOL_SOCKET, SO_MARK));
	EXPECT_ERR(0, xu_setint(fd, SOL_SOCKET, SO_MARK, 42));
	EXPECT_EQ(42, xu_getint(fd, SOL_SOCKET, SO_MARK));
	/* IP_TOS sets the priority from the TOS (rt_tos2priority). */
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_TOS, 0x10));
	EXPECT_EQ(0x10, xu_getint(fd, SOL_IP, IP_TOS));
	EXPECT_EQ(6, xu_getint(fd, SOL_SOCKET, SO_PRIORITY));
	/* Sending with a mark and priority works. */
	EXPECT_EQ(1, xu_sendto(fd, "x", 1, XU_LOCAL, 9));
	close(fd);
}

TEST_F(udp, ip_ttl_and_tos_values)
{
	int fd = xu_sock(self);

	ASSERT_LE(0, fd);
	EXPECT_EQ(64, xu_getint(fd, SOL_IP, IP_TTL));
	EXPECT_ERR(EINVAL, xu_setint(fd, SOL_IP, IP_TTL, 0));
	EXPECT_ERR(EINVAL, xu_setint(fd, SOL_IP, IP_TTL, 256));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_TTL, 33));
	EXPECT_EQ(33, xu_getint(fd, SOL_IP, IP_TTL));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_TTL, -1));
	EXPECT_EQ(64, xu_getint(fd, SOL_IP, IP_TTL));
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_TOS));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_TOS, 0xb9));
	EXPECT_EQ(0xb9, xu_getint(fd, SOL_IP, IP_TOS));
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_RECVTTL));
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_PKTINFO));
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_RECVERR));
	/* IP_RECVOPTS and IP_RETOPTS (set by iputils ping) are flags. */
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_RECVOPTS));
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_RETOPTS));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_RECVOPTS, 1));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_RETOPTS, 1));
	EXPECT_EQ(1, xu_getint(fd, SOL_IP, IP_RECVOPTS));
	EXPECT_EQ(1, xu_getint(fd, SOL_IP, IP_RETOPTS));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_RETOPTS, 0));
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_RETOPTS));
	EXPECT_EQ(IP_PMTUDISC_WANT, xu_getint(fd, SOL_IP, IP_MTU_DISCOVER));
	EXPECT_ERR(EINVAL, xu_setint(fd, SOL_IP, IP_MTU_DISCOVER, 10));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO));
	EXPECT_EQ(IP_PMTUDISC_DO, xu_getint(fd, SOL_IP, IP_MTU_DISCOVER));
	/* Unknown options. */
	EXPECT_ERR(ENOPROTOOPT, xu_setint(fd, SOL_IP, 9999, 1));
	EXPECT_ERR(ENOPROTOOPT, xu_setint(fd, SOL_UDP, 9999, 1));
	close(fd);
}

/* ------------------------------------------------------------ ioctl, poll */

TEST_F(udp, ioctl_inq_outq)
{
	static char data[300];
	int r, s, n;

	pair(self, _metadata, 5300, &r, &s);
	n = -1;
	EXPECT_OK(ioctl(r, SIOCINQ, &n));
	EXPECT_EQ(0, n);
	n = -1;
	EXPECT_OK(ioctl(s, SIOCOUTQ, &n));
	EXPECT_EQ(0, n);
	ASSERT_TRUE(send_arrived(s, r, data, 100, 5300));
	ASSERT_EQ(300, xu_sendto(s, data, 300, XU_LOCAL, 5300));
	usleep(100000);
	n = -1;
	EXPECT_OK(ioctl(r, SIOCINQ, &n));
	EXPECT_EQ(100, n);
	n = -1;
	EXPECT_OK(ioctl(r, FIONREAD, &n));
	EXPECT_EQ(100, n);
	EXPECT_EQ(100, recv(r, data, sizeof(data), 0));
	ASSERT_TRUE(xu_poll(r, POLLIN, XU_WAIT_MS) & POLLIN);
	n = -1;
	EXPECT_OK(ioctl(r, SIOCINQ, &n));
	EXPECT_EQ(300, n);
	EXPECT_EQ(300, recv(r, data, sizeof(data), 0));
	/* An empty datagram: 0 as well, but readable. */
	ASSERT_TRUE(send_arrived(s, r, data, 0, 5300));
	n = -1;
	EXPECT_OK(ioctl(r, SIOCINQ, &n));
	EXPECT_EQ(0, n);
	/* The send queue drains once the datagrams are gone. */
	n = -1;
	EXPECT_OK(ioctl(s, SIOCOUTQ, &n));
	EXPECT_EQ(0, n);
	close(r);
	close(s);
}

TEST_F(udp, poll_and_epoll_readiness)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out[4];
	int r, s, ep, n;
	char buf[8];

	pair(self, _metadata, 5310, &r, &s);
	EXPECT_EQ(POLLOUT, xu_poll(r, POLLIN | POLLOUT, 0));
	EXPECT_EQ(0, xu_poll(r, POLLIN, 100));
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev));
	n = epoll_wait(ep, out, 4, 0);
	ASSERT_EQ(1, n);
	EXPECT_EQ((uint32_t)EPOLLOUT, out[0].events);

	ASSERT_TRUE(send_arrived(s, r, "x", 1, 5310));
	EXPECT_EQ(POLLIN | POLLOUT, xu_poll(r, POLLIN | POLLOUT, 0));
	n = epoll_wait(ep, out, 4, 0);
	ASSERT_EQ(1, n);
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLOUT), out[0].events);
	EXPECT_EQ(1, recv(r, buf, sizeof(buf), 0));
	EXPECT_EQ(POLLOUT, xu_poll(r, POLLIN | POLLOUT, 0));

	/* Edge-triggered: one event for a new datagram. */
	ev.events = EPOLLIN | EPOLLET;
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, r, &ev));
	EXPECT_EQ(0, epoll_wait(ep, out, 4, 0));
	ASSERT_EQ(1, xu_sendto(s, "y", 1, XU_LOCAL, 5310));
	n = epoll_wait(ep, out, 4, XU_WAIT_MS);
	ASSERT_EQ(1, n);
	EXPECT_EQ((uint32_t)EPOLLIN, out[0].events);
	EXPECT_EQ(0, epoll_wait(ep, out, 4, 0));
	/* An unbound socket is writable too. */
	EXPECT_EQ(POLLOUT, xu_poll(s, POLLIN | POLLOUT, 0) & ~POLLIN);
	close(ep);
	close(r);
	close(s);
}

/* ------------------------------------------------------------ shutdown */

TEST_F(udp, shutdown_unconnected)
{
	int fd = xu_sock(self), fd2 = xu_sock(self);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	EXPECT_ERRNO(EINVAL, shutdown(fd, 3));
	EXPECT_ERRNO(EINVAL, shutdown(fd, -1));
	ASSERT_ERR(0, xu_bind(fd, XU_LOCAL, 5400));
	EXPECT_ERRNO(ENOTCONN, shutdown(fd, SHUT_RD));
	EXPECT_ERRNO(ENOTCONN, shutdown(fd2, SHUT_RDWR));
	EXPECT_ERRNO(ENOTCONN, shutdown(fd2, SHUT_WR));
	close(fd);
	close(fd2);
}

struct blocked_recv {
	int fd;
	ssize_t ret;
	int err;
};

static void *blocked_recv_fn(void *arg)
{
	struct blocked_recv *b = arg;
	char buf[8];

	b->ret = recv(b->fd, buf, sizeof(buf), 0);
	b->err = errno;
	return NULL;
}

TEST_F(udp, shutdown_connected)
{
	struct timeval tv = { .tv_sec = 5 };
	struct blocked_recv b = { .ret = -2 };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	pthread_t th;
	int r, s;
	char buf[8];

	pair(self, _metadata, 5410, &r, &s);
	ASSERT_ERR(0, xu_connect(s, XU_LOCAL, 5410));
	ASSERT_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	/* A recv blocked in another thread returns 0. */
	b.fd = s;
	ASSERT_EQ(0, pthread_create(&th, NULL, blocked_recv_fn, &b));
	usleep(200000);
	EXPECT_OK(shutdown(s, SHUT_RD));
	pthread_join(th, NULL);
	EXPECT_EQ(0, b.ret) TH_LOG("blocked recv: %zd (%s)", b.ret,
				   xu_ename(b.err));
	/* And the next one too, at once. */
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_TRUE(xu_poll(s, POLLIN, 0) & POLLIN);
	/* As Linux: the socket stays connected. */
	EXPECT_OK(getpeername(s, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(5410, ntohs(sin.sin_port));
	/* Sending still works. */
	EXPECT_EQ(1, send(s, "z", 1, 0));
	ASSERT_EQ(1, xu_recv_wait(r, buf, sizeof(buf), XU_WAIT_MS, NULL));
	EXPECT_OK(shutdown(s, SHUT_WR));
	close(r);
	close(s);
}

/* ------------------------------------------------------------ lookup */

#define MANY		10000
#define MANY_BASE	20000

TEST_F_TIMEOUT(udp, lookup_10000_sockets, 180)
{
	struct rlimit rl = { .rlim_cur = MANY + 100, .rlim_max = MANY + 100 };
	static int fds[MANY];
	int s, i, port, wrong = 0, lost = 0;
	char buf[16];
	ssize_t n;
	double t0;

	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &rl));
	t0 = xu_now();
	for (i = 0; i < MANY; i++) {
		fds[i] = xu_sock(self);
		ASSERT_LE(0, fds[i]) TH_LOG("socket %d: %s", i,
					    xu_ename(errno));
		ASSERT_ERR(0, xu_bind(fds[i], i % 2 ? XU_LOCAL : NULL,
				      MANY_BASE + i));
	}
	TH_LOG("%d sockets bound in %.2f s", MANY, xu_now() - t0);
	s = xu_sock(self);
	ASSERT_LE(0, s);
	t0 = xu_now();
	for (i = 0; i < MANY; i += 37) {
		port = MANY_BASE + i;
		snprintf(buf, sizeof(buf), "%d", port);
		ASSERT_LT(0, xu_sendto(s, buf, strlen(buf), XU_LOCAL, port));
		n = xu_recv_wait(fds[i], buf, sizeof(buf) - 1, XU_WAIT_MS,
				 NULL);
		if (n < 0) {
			lost++;
			continue;
		}
		buf[n] = 0;
		if (atoi(buf) != port)
			wrong++;
	}
	TH_LOG("%d datagrams in %.2f s", MANY / 37 + 1, xu_now() - t0);
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, wrong);
	/* Nothing went to a wrong socket. */
	for (i = 0; i < MANY; i++)
		if (i % 37 && (xu_poll(fds[i], POLLIN, 0) & POLLIN))
			wrong++;
	EXPECT_EQ(0, wrong);
	for (i = 0; i < MANY; i++)
		close(fds[i]);
	close(s);
}

TEST_F(udp, lookup_exact_beats_wildcard)
{
	int order, spec, wild, s;
	char buf[8];

	for (order = 0; order < 2; order++) {
		spec = xu_sock(self);
		wild = xu_sock(self);
		s = xu_sock(self);
		ASSERT_LE(0, spec);
		ASSERT_LE(0, wild);
		ASSERT_LE(0, s);
		ASSERT_ERR(0, xu_setint(spec, SOL_SOCKET, SO_REUSEADDR, 1));
		ASSERT_ERR(0, xu_setint(wild, SOL_SOCKET, SO_REUSEADDR, 1));
		if (order) {
			ASSERT_ERR(0, xu_bind(wild, NULL, 5500));
			ASSERT_ERR(0, xu_bind(spec, XU_LOCAL, 5500));
		} else {
			ASSERT_ERR(0, xu_bind(spec, XU_LOCAL, 5500));
			ASSERT_ERR(0, xu_bind(wild, NULL, 5500));
		}
		EXPECT_EQ(1, xu_sendto(s, "e", 1, XU_LOCAL, 5500));
		EXPECT_EQ(1, xu_recv_wait(spec, buf, sizeof(buf), XU_WAIT_MS,
					  NULL)) TH_LOG("order %d", order);
		EXPECT_EQ(0, xu_drain(wild, XU_QUIET_MS)) TH_LOG("order %d",
								 order);
		close(spec);
		close(wild);
		close(s);
	}
}

/* A connected socket beats a socket bound to the exact address. */
TEST_F(udp, lookup_connected_beats_bound)
{
	int spec = xu_sock(self), conn = xu_sock(self), s = xu_sock(self);
	int other = xu_sock(self);
	char buf[8];

	ASSERT_LE(0, spec);
	ASSERT_LE(0, conn);
	ASSERT_LE(0, s);
	ASSERT_LE(0, other);
	ASSERT_ERR(0, xu_bind(s, XU_LOCAL, 5510));
	ASSERT_ERR(0, xu_bind(other, XU_LOCAL, 5511));
	ASSERT_ERR(0, xu_setint(spec, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_ERR(0, xu_setint(conn, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_ERR(0, xu_bind(spec, XU_LOCAL, 5512));
	ASSERT_ERR(0, xu_bind(conn, NULL, 5512));
	ASSERT_ERR(0, xu_connect(conn, XU_LOCAL, 5510));
	EXPECT_EQ(1, xu_sendto(s, "c", 1, XU_LOCAL, 5512));
	EXPECT_EQ(1, xu_recv_wait(conn, buf, sizeof(buf), XU_WAIT_MS, NULL));
	EXPECT_EQ(0, xu_drain(spec, XU_QUIET_MS));
	/* From anyone else: the bound one. */
	EXPECT_EQ(1, xu_sendto(other, "o", 1, XU_LOCAL, 5512));
	EXPECT_EQ(1, xu_recv_wait(spec, buf, sizeof(buf), XU_WAIT_MS, NULL));
	EXPECT_EQ(0, xu_drain(conn, XU_QUIET_MS));
	close(spec);
	close(conn);
	close(s);
	close(other);
}

/* ------------------------------------------------------------ /proc */

/* The line of @file whose local address is addr:port, or NULL. */
static char *proc_line(const char *file, const char *addr, int port,
		       char *buf, size_t size)
{
	char want[32], *line, *save = NULL;

	snprintf(want, sizeof(want), "%08X:%04X", xu_a(addr), port);
	if (xu_read_file(file, buf, size) < 0)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strstr(line, want))
			return line;
	return NULL;
}

TEST_F(udp, proc_net_udp_lists_socket)
{
	static char buf[1 << 20];
	unsigned long inode;
	char local[32], rem[32];
	unsigned int st;
	int fd = xu_sock(self), c = xu_sock(self), slot;
	struct stat sst;
	char *line;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, c);
	ASSERT_ERR(0, xu_bind(fd, XU_LOCAL, 5600));
	ASSERT_OK(fstat(fd, &sst));
	line = proc_line(self->proc_udp, XU_LOCAL, 5600, buf, sizeof(buf));
	ASSERT_NE(NULL, line) TH_LOG("no 0100000A:15E0 in %s", self->proc_udp);
	TH_LOG("%s", line);
	ASSERT_EQ(5, sscanf(line, " %d: %31s %31s %x %*s %*s %*s %*s %*s %lu",
			    &slot, local, rem, &st, &inode));
	EXPECT_STREQ("0100000A:15E0", local);
	EXPECT_STREQ("00000000:0000", rem);
	EXPECT_EQ(7U, st);	/* TCP_CLOSE */
	EXPECT_EQ(sst.st_ino, inode);

	/* A connected socket: its peer, state 01. */
	ASSERT_ERR(0, xu_bind(c, XU_LOCAL, 5601));
	ASSERT_ERR(0, xu_connect(c, XU_LOCAL, 5600));
	line = proc_line(self->proc_udp, XU_LOCAL, 5601, buf, sizeof(buf));
	ASSERT_NE(NULL, line);
	ASSERT_EQ(5, sscanf(line, " %d: %31s %31s %x %*s %*s %*s %*s %*s %lu",
			    &slot, local, rem, &st, &inode));
	EXPECT_STREQ("0100000A:15E0", rem);
	EXPECT_EQ(1U, st);	/* TCP_ESTABLISHED */
	close(fd);
	close(c);
	/* Gone once closed. */
	EXPECT_EQ(NULL, proc_line(self->proc_udp, XU_LOCAL, 5600, buf,
				  sizeof(buf)));
}

XU_MAIN
