// SPDX-License-Identifier: GPL-2.0
/*
 * Differential UDP tests over the wire: the stack under test (AF_INET or
 * AF_XSTACK on 10.0.0.1) against the native peer 10.0.0.2 over veth.
 * Topology and variants: xs_udp.h.
 *
 * Covered: datagrams of many sizes both ways (fragmented above 1472
 * bytes), 65507 bytes both ways and on loopback, 65508 -> EMSGSIZE,
 * IP_MTU_DISCOVER modes (EMSGSIZE, the local error of IP_RECVERR),
 * ICMP port unreachable: answered by a closed port (Udp NoPorts),
 * reported to a connected socket (recv and SO_ERROR give ECONNREFUSED,
 * poll POLLERR), ignored by an unconnected one, queued with IP_RECVERR
 * (sock_extended_err, offender, EPOLLERR while queued); IP_TTL, IP_TOS
 * and their control messages both ways, IP_RECVOPTS (received options),
 * IP_PKTINFO (in and out),
 * SO_BROADCAST (EACCES without it; subnet and limited broadcast both
 * ways), SO_BINDTODEVICE, SO_NO_CHECK, zero checksum accepted, bad
 * checksum dropped and counted (Udp InCsumErrors), a UDP length field
 * longer or shorter than the IP payload; ICMP errors forged by the peer
 * (host/net unreachable, protocol unreachable, time exceeded,
 * fragmentation needed with IP_MTU and the learned path MTU) for a
 * connected socket and with IP_RECVERR.
 */
#include <linux/sockios.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/uio.h>

#include "xs_udp.h"

#define MAXDG	65507

static char txbuf[MAXDG + 1];
static char rxbuf[MAXDG + 64];

/* ------------------------------------------------------------ sizes */

TEST_F(udp, sizes_both_ways)
{
	static const int sizes[] = { 1, 100, 1472, 1473, 3000, 8972, 30000 };
	struct sockaddr_in from;
	int l = xu_sock(self), p = xu_peer_bound(self, 6001);
	unsigned int i;
	ssize_t n;

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(l, NULL, 6000));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		xu_fill(txbuf, sizes[i], i);
		/* peer -> local */
		ASSERT_EQ(sizes[i], xu_sendto(p, txbuf, sizes[i], XU_LOCAL,
					      6000));
		memset(rxbuf, 0, sizes[i]);
		n = xu_recv_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &from);
		EXPECT_EQ(sizes[i], n) TH_LOG("%d bytes peer -> local: %s",
					      sizes[i], xu_ename(errno));
		if (n == sizes[i])
			EXPECT_TRUE(xu_check_fill(rxbuf, n, i));
		EXPECT_EQ(xu_a(XU_PEER), from.sin_addr.s_addr);
		EXPECT_EQ(6001, ntohs(from.sin_port));
		/* local -> peer (the echo) */
		xu_fill(txbuf, sizes[i], i + 100);
		ASSERT_EQ(sizes[i], xu_sendto(l, txbuf, sizes[i], XU_PEER,
					      6001));
		memset(rxbuf, 0, sizes[i]);
		n = xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &from);
		EXPECT_EQ(sizes[i], n) TH_LOG("%d bytes local -> peer: %s",
					      sizes[i], xu_ename(errno));
		if (n == sizes[i])
			EXPECT_TRUE(xu_check_fill(rxbuf, n, i + 100));
		EXPECT_EQ(xu_a(XU_LOCAL), from.sin_addr.s_addr);
		EXPECT_EQ(6000, ntohs(from.sin_port));
	}
	close(l);
	close(p);
}

/* 65507 bytes, the largest UDP payload in IPv4: fragmented, reassembled. */
TEST_F(udp, max_datagram_both_ways)
{
	int l = xu_sock(self), l2 = xu_sock(self), p = xu_peer_bound(self, 6011);
	ssize_t n;
	int round;

	ASSERT_LE(0, l);
	ASSERT_LE(0, l2);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(l, NULL, 6010));
	ASSERT_ERR(0, xu_bind(l2, XU_LOCAL, 6012));
	for (round = 0; round < 2; round++) {
		xu_fill(txbuf, MAXDG, 1 + round);
		ASSERT_EQ(MAXDG, xu_sendto(p, txbuf, MAXDG, XU_LOCAL, 6010));
		n = xu_recv_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL);
		EXPECT_EQ(MAXDG, n) TH_LOG("peer -> local: %s",
					   xu_ename(errno));
		if (n == MAXDG)
			EXPECT_TRUE(xu_check_fill(rxbuf, MAXDG, 1 + round));

		xu_fill(txbuf, MAXDG, 3 + round);
		ASSERT_EQ(MAXDG, xu_sendto(l, txbuf, MAXDG, XU_PEER, 6011));
		n = xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL);
		EXPECT_EQ(MAXDG, n) TH_LOG("local -> peer: %s",
					   xu_ename(errno));
		if (n == MAXDG)
			EXPECT_TRUE(xu_check_fill(rxbuf, MAXDG, 3 + round));

		/* To our own address. */
		xu_fill(txbuf, MAXDG, 5 + round);
		ASSERT_EQ(MAXDG, xu_sendto(l, txbuf, MAXDG, XU_LOCAL, 6012));
		n = xu_recv_wait(l2, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL);
		EXPECT_EQ(MAXDG, n) TH_LOG("local -> local: %s",
					   xu_ename(errno));
		if (n == MAXDG)
			EXPECT_TRUE(xu_check_fill(rxbuf, MAXDG, 5 + round));
	}
	close(l);
	close(l2);
	close(p);
}

TEST_F(udp, too_big_emsgsize)
{
	struct iovec iov[2] = {
		{ .iov_base = txbuf, .iov_len = 40000 },
		{ .iov_base = txbuf, .iov_len = MAXDG + 1 - 40000 },
	};
	struct sockaddr_in sin = xu_sin(XU_PEER, 6021);
	struct msghdr msg = {
		.msg_name = &sin, .msg_namelen = sizeof(sin),
		.msg_iov = iov, .msg_iovlen = 2,
	};
	int l = xu_sock(self), p = xu_peer_bound(self, 6021);

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	EXPECT_ERRNO(EMSGSIZE, xu_sendto(l, txbuf, MAXDG + 1, XU_PEER, 6021));
	EXPECT_ERRNO(EMSGSIZE, xu_sendto(l, txbuf, MAXDG + 1, XU_LOCAL, 6021));
	EXPECT_ERRNO(EMSGSIZE, sendmsg(l, &msg, 0));
	ASSERT_ERR(0, xu_connect(l, XU_PEER, 6021));
	EXPECT_ERRNO(EMSGSIZE, send(l, txbuf, MAXDG + 1, 0));
	/* Nothing was sent. */
	EXPECT_EQ(0, xu_drain(p, XU_QUIET_MS));
	close(l);
	close(p);
}

/* ------------------------------------------------------------ PMTU */

TEST_F(udp, mtu_discover_modes)
{
	static const struct {
		int mode;
		bool fits;	/* 1473 bytes (a 1501-byte packet) go out */
	} modes[] = {
		{ IP_PMTUDISC_DONT, true },
		{ IP_PMTUDISC_WANT, true },
		{ IP_PMTUDISC_DO, false },
		{ IP_PMTUDISC_PROBE, false },
		{ IP_PMTUDISC_INTERFACE, false },
		{ IP_PMTUDISC_OMIT, true },
	};
	int p = xu_peer_bound(self, 6031);
	unsigned int i;

	ASSERT_LE(0, p);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		int l = xu_sock(self);

		ASSERT_LE(0, l);
		ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_MTU_DISCOVER,
					modes[i].mode));
		EXPECT_EQ(modes[i].mode, xu_getint(l, SOL_IP, IP_MTU_DISCOVER));
		EXPECT_EQ(1472, xu_sendto(l, txbuf, 1472, XU_PEER, 6031))
			TH_LOG("mode %d: 1472 bytes: %s", modes[i].mode,
			       xu_ename(errno));
		EXPECT_EQ(1472, xu_recv_wait(p, rxbuf, sizeof(rxbuf),
					     XU_WAIT_MS, NULL));
		if (modes[i].fits) {
			ssize_t n = xu_sendto(l, txbuf, 1473, XU_PEER, 6031);

			EXPECT_EQ(1473, n)
				TH_LOG("mode %d: 1473 bytes: %s",
				       modes[i].mode, xu_ename(errno));
			if (n == 1473)
				EXPECT_EQ(1473, xu_recv_wait(p, rxbuf,
							     sizeof(rxbuf),
							     XU_WAIT_MS, NULL))
					TH_LOG("mode %d", modes[i].mode);
		} else {
			EXPECT_ERRNO(EMSGSIZE, xu_sendto(l, txbuf, 1473,
							 XU_PEER, 6031));
			/* To our own address the loopback MTU applies. */
			EXPECT_EQ(1473, xu_sendto(l, txbuf, 1473, XU_LOCAL,
						  6032))
				TH_LOG("mode %d: 1473 bytes to ourselves: %s",
				       modes[i].mode, xu_ename(errno));
		}
		close(l);
	}
	close(p);
}

/* With IP_RECVERR, the refused send also queues a local error. */
TEST_F(udp, mtu_discover_do_local_error)
{
	int l = xu_sock(self);
	struct xu_msg m;

	ASSERT_LE(0, l);
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO));
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVERR, 1));
	ASSERT_ERR(0, xu_connect(l, XU_PEER, 6041));
	EXPECT_ERRNO(EMSGSIZE, send(l, txbuf, 2000, 0));
	EXPECT_TRUE(xu_poll(l, 0, 0) & POLLERR);
	ASSERT_LE(0, xu_recvmsg(l, rxbuf, sizeof(rxbuf), MSG_ERRQUEUE, &m))
		TH_LOG("MSG_ERRQUEUE: %s", xu_ename(m.err));
	EXPECT_TRUE(m.has_ee);
	EXPECT_EQ(EMSGSIZE, (int)m.ee.ee_errno);
	EXPECT_EQ(SO_EE_ORIGIN_LOCAL, m.ee.ee_origin);
	EXPECT_EQ(1500U, m.ee.ee_info);
	EXPECT_TRUE(m.flags & MSG_ERRQUEUE);
	EXPECT_EQ(xu_a(XU_PEER), m.from.sin_addr.s_addr);
	EXPECT_EQ(6041, ntohs(m.from.sin_port));
	EXPECT_ERRNO(EAGAIN, recv(l, rxbuf, sizeof(rxbuf),
				  MSG_ERRQUEUE | MSG_DONTWAIT));
	close(l);
}

/* ------------------------------------------------------------ ICMP */

/* Wait for POLLERR on fd; its revents. */
static int wait_err(int fd)
{
	return xu_poll(fd, POLLIN, XU_WAIT_MS);
}

TEST_F(udp, icmp_unreach_connected)
{
	int l = xu_sock(self);
	char buf[8];

	ASSERT_LE(0, l);
	ASSERT_ERR(0, xu_connect(l, XU_PEER, 6099));
	EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_ERROR));
	/* Via recv. */
	ASSERT_EQ(4, send(l, "ping", 4, 0));
	EXPECT_TRUE(wait_err(l) & POLLERR);
	EXPECT_ERRNO(ECONNREFUSED, recv(l, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_ERRNO(EAGAIN, recv(l, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_FALSE(xu_poll(l, POLLIN, 0) & POLLERR);
	/* Via SO_ERROR, which clears it. */
	ASSERT_EQ(4, send(l, "ping", 4, 0));
	EXPECT_TRUE(wait_err(l) & POLLERR);
	EXPECT_EQ(ECONNREFUSED, xu_getint(l, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_ERROR));
	/* Via the next send. */
	ASSERT_EQ(4, send(l, "ping", 4, 0));
	EXPECT_TRUE(wait_err(l) & POLLERR);
	EXPECT_ERRNO(ECONNREFUSED, send(l, "ping", 4, 0));
	EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_ERROR));
	close(l);
}

/* Without IP_RECVERR an unconnected socket hears nothing of ICMP errors. */
TEST_F(udp, icmp_unreach_unconnected_ignored)
{
	int l = xu_sock(self);
	char buf[8];

	ASSERT_LE(0, l);
	ASSERT_EQ(4, xu_sendto(l, "ping", 4, XU_PEER, 6098));
	EXPECT_EQ(0, xu_poll(l, POLLIN, 500));
	EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_ERROR));
	EXPECT_ERRNO(EAGAIN, recv(l, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_ERRNO(EAGAIN, recv(l, buf, sizeof(buf),
				  MSG_DONTWAIT | MSG_ERRQUEUE));
	close(l);
}

/* A closed port of the stack under test answers port unreachable. */
TEST_F(udp, closed_port_answers_icmp)
{
	int p = xu_peer_sock(self);
	long long before, after;
	struct xu_msg m;
	char buf[8];

	ASSERT_LE(0, p);
	before = xu_stat(self, "Udp", "NoPorts");
	ASSERT_ERR(0, xu_setint(p, SOL_IP, IP_RECVERR, 1));
	ASSERT_ERR(0, xu_connect(p, XU_LOCAL, 6097));
	ASSERT_EQ(15, send(p, "hello-from-peer", 15, 0));
	EXPECT_TRUE(wait_err(p) & POLLERR);
	/* The quoted datagram comes back on the error queue. */
	EXPECT_EQ(15, xu_recvmsg(p, rxbuf, sizeof(rxbuf), MSG_ERRQUEUE, &m))
		TH_LOG("MSG_ERRQUEUE: %zd %s", m.n, xu_ename(m.err));
	EXPECT_TRUE(m.has_ee);
	EXPECT_EQ(ECONNREFUSED, (int)m.ee.ee_errno);
	EXPECT_EQ(SO_EE_ORIGIN_ICMP, m.ee.ee_origin);
	EXPECT_EQ(3, m.ee.ee_type);
	EXPECT_EQ(3, m.ee.ee_code);
	EXPECT_EQ(xu_a(XU_LOCAL), m.offender.sin_addr.s_addr);
	if (m.n == 15)
		EXPECT_EQ(0, memcmp(rxbuf, "hello-from-peer", 15));
	EXPECT_ERRNO(EAGAIN, recv(p, buf, sizeof(buf), MSG_DONTWAIT));
	after = xu_stat(self, "Udp", "NoPorts");
	EXPECT_EQ(before + 1, after);
	/* And without IP_RECVERR: ECONNREFUSED on the connected socket. */
	ASSERT_ERR(0, xu_setint(p, SOL_IP, IP_RECVERR, 0));
	ASSERT_EQ(4, send(p, "ping", 4, 0));
	EXPECT_TRUE(wait_err(p) & POLLERR);
	EXPECT_ERRNO(ECONNREFUSED, recv(p, buf, sizeof(buf), MSG_DONTWAIT));
	close(p);
}

TEST_F(udp, recverr_errqueue)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int l = xu_sock(self), ep;
	struct xu_msg m;

	ASSERT_LE(0, l);
	EXPECT_EQ(0, xu_getint(l, SOL_IP, IP_RECVERR));
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVERR, 1));
	EXPECT_EQ(1, xu_getint(l, SOL_IP, IP_RECVERR));
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev));
	ASSERT_EQ(8, xu_sendto(l, "abcdefgh", 8, XU_PEER, 6096));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, XU_WAIT_MS));
	EXPECT_TRUE(!!(out.events & EPOLLERR));
	EXPECT_FALSE(!!(out.events & EPOLLIN));
	/* Still there until read. */
	EXPECT_TRUE(xu_poll(l, 0, 0) & POLLERR);

	memset(rxbuf, 0, 16);
	EXPECT_EQ(8, xu_recvmsg(l, rxbuf, sizeof(rxbuf), MSG_ERRQUEUE, &m))
		TH_LOG("MSG_ERRQUEUE: %s", xu_ename(m.err));
	EXPECT_EQ(0, memcmp(rxbuf, "abcdefgh", 8));
	EXPECT_TRUE(m.flags & MSG_ERRQUEUE);
	EXPECT_EQ(AF_INET, m.from.sin_family);
	EXPECT_EQ(xu_a(XU_PEER), m.from.sin_addr.s_addr);
	EXPECT_EQ(6096, ntohs(m.from.sin_port));
	ASSERT_TRUE(m.has_ee);
	EXPECT_EQ(ECONNREFUSED, (int)m.ee.ee_errno);
	EXPECT_EQ(SO_EE_ORIGIN_ICMP, m.ee.ee_origin);
	EXPECT_EQ(3, m.ee.ee_type);
	EXPECT_EQ(3, m.ee.ee_code);
	EXPECT_EQ(0U, m.ee.ee_info);
	EXPECT_EQ(AF_INET, m.offender.sin_family);
	EXPECT_EQ(xu_a(XU_PEER), m.offender.sin_addr.s_addr);

	/* Empty again: no EPOLLERR, no error left behind. */
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	EXPECT_FALSE(xu_poll(l, 0, 0) & POLLERR);
	EXPECT_ERRNO(EAGAIN, recv(l, rxbuf, sizeof(rxbuf),
				  MSG_ERRQUEUE | MSG_DONTWAIT));
	EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_ERROR));

	/* A short buffer: truncated with MSG_TRUNC, still the header. */
	ASSERT_EQ(8, xu_sendto(l, "abcdefgh", 8, XU_PEER, 6096));
	ASSERT_TRUE(xu_poll(l, 0, XU_WAIT_MS) & POLLERR);
	EXPECT_EQ(3, xu_recvmsg(l, rxbuf, 3, MSG_ERRQUEUE, &m));
	EXPECT_TRUE(m.flags & MSG_TRUNC);
	EXPECT_TRUE(m.has_ee);
	close(ep);
	close(l);
}

/* IP_RECVERR on, an unconnected socket: sk_err is set as well. */
TEST_F(udp, recverr_sets_so_error)
{
	int l = xu_sock(self);
	char buf[8];

	ASSERT_LE(0, l);
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVERR, 1));
	ASSERT_EQ(4, xu_sendto(l, "ping", 4, XU_PEER, 6095));
	ASSERT_TRUE(xu_poll(l, 0, XU_WAIT_MS) & POLLERR);
	EXPECT_ERRNO(ECONNREFUSED, recv(l, buf, sizeof(buf), MSG_DONTWAIT));
	/* The queued error is still there. */
	EXPECT_TRUE(xu_poll(l, 0, 0) & POLLERR);
	EXPECT_EQ(4, recv(l, buf, sizeof(buf), MSG_ERRQUEUE | MSG_DONTWAIT));
	/* Turning IP_RECVERR off purges the queue. */
	ASSERT_EQ(4, xu_sendto(l, "ping", 4, XU_PEER, 6095));
	ASSERT_TRUE(xu_poll(l, 0, XU_WAIT_MS) & POLLERR);
	EXPECT_EQ(ECONNREFUSED, xu_getint(l, SOL_SOCKET, SO_ERROR));
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVERR, 0));
	EXPECT_ERRNO(EAGAIN, recv(l, buf, sizeof(buf),
				  MSG_ERRQUEUE | MSG_DONTWAIT));
	close(l);
}

/* ------------------------------------------------------------ TTL, TOS */

static ssize_t send_cmsg_int(int fd, const char *addr, int port, int type,
			     int val)
{
	char control[CMSG_SPACE(sizeof(int))] = {};
	struct sockaddr_in sin = xu_sin(addr, port);
	struct iovec iov = { .iov_base = "cmsg", .iov_len = 4 };
	struct msghdr msg = {
		.msg_name = &sin, .msg_namelen = sizeof(sin),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_IP;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &val, sizeof(val));
	return sendmsg(fd, &msg, 0);
}

TEST_F(udp, ttl_both_ways)
{
	int l = xu_sock(self), p = xu_peer_bound(self, 6101);
	struct xu_msg m;

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(l, NULL, 6100));
	ASSERT_ERR(0, xu_setint(p, SOL_IP, IP_RECVTTL, 1));
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVTTL, 1));
	EXPECT_EQ(1, xu_getint(l, SOL_IP, IP_RECVTTL));

	EXPECT_EQ(1, xu_sendto(l, "d", 1, XU_PEER, 6101));
	EXPECT_EQ(1, xu_recvmsg_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_TRUE(m.has_ttl);
	EXPECT_EQ(64, m.ttl);
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_TTL, 33));
	EXPECT_EQ(1, xu_sendto(l, "t", 1, XU_PEER, 6101));
	EXPECT_EQ(1, xu_recvmsg_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_TRUE(m.has_ttl);
	EXPECT_EQ(33, m.ttl);
	/* Per datagram, in a control message. */
	EXPECT_EQ(4, send_cmsg_int(l, XU_PEER, 6101, IP_TTL, 7));
	EXPECT_EQ(4, xu_recvmsg_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_EQ(7, m.ttl);
	EXPECT_ERRNO(EINVAL, send_cmsg_int(l, XU_PEER, 6101, IP_TTL, 0));
	EXPECT_ERRNO(EINVAL, send_cmsg_int(l, XU_PEER, 6101, IP_TTL, 256));

	/* Received: the TTL the peer sent. */
	ASSERT_ERR(0, xu_setint(p, SOL_IP, IP_TTL, 44));
	EXPECT_EQ(1, xu_sendto(p, "r", 1, XU_LOCAL, 6100));
	EXPECT_EQ(1, xu_recvmsg_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_TRUE(m.has_ttl);
	EXPECT_EQ(44, m.ttl);
	/* Not asked for: no control message. */
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVTTL, 0));
	EXPECT_EQ(1, xu_sendto(p, "r", 1, XU_LOCAL, 6100));
	EXPECT_EQ(1, xu_recvmsg_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_FALSE(m.has_ttl);
	close(l);
	close(p);
}

TEST_F(udp, tos_both_ways)
{
	int l = xu_sock(self), p = xu_peer_bound(self, 6111);
	struct xu_msg m;

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(l, NULL, 6110));
	ASSERT_ERR(0, xu_setint(p, SOL_IP, IP_RECVTOS, 1));
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVTOS, 1));
	EXPECT_EQ(1, xu_getint(l, SOL_IP, IP_RECVTOS));

	EXPECT_EQ(1, xu_sendto(l, "d", 1, XU_PEER, 6111));
	EXPECT_EQ(1, xu_recvmsg_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_TRUE(m.has_tos);
	EXPECT_EQ(0, m.tos);
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_TOS, 0x28));
	EXPECT_EQ(1, xu_sendto(l, "t", 1, XU_PEER, 6111));
	EXPECT_EQ(1, xu_recvmsg_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_TRUE(m.has_tos);
	EXPECT_EQ(0x28, m.tos);
	EXPECT_EQ(4, send_cmsg_int(l, XU_PEER, 6111, IP_TOS, 0x10));
	EXPECT_EQ(4, xu_recvmsg_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_EQ(0x10, m.tos);

	ASSERT_ERR(0, xu_setint(p, SOL_IP, IP_TOS, 0xb8));
	EXPECT_EQ(1, xu_sendto(p, "r", 1, XU_LOCAL, 6110));
	EXPECT_EQ(1, xu_recvmsg_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_TRUE(m.has_tos);
	EXPECT_EQ(0xb8, m.tos);
	close(l);
	close(p);
}

/* IP_RECVOPTS: the options of a received datagram, as they came. */
static ssize_t recv_opts(int fd, unsigned char *opts, size_t *optlen)
{
	char control[256];
	struct iovec iov = { .iov_base = rxbuf, .iov_len = sizeof(rxbuf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *c;
	ssize_t n;

	*optlen = 0;
	if (xu_poll(fd, POLLIN, XU_WAIT_MS) <= 0)
		return -1;
	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	for (c = CMSG_FIRSTHDR(&msg); n >= 0 && c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVOPTS &&
		    c->cmsg_len - CMSG_LEN(0) <= 40) {
			*optlen = c->cmsg_len - CMSG_LEN(0);
			memcpy(opts, CMSG_DATA(c), *optlen);
		}
	}
	return n;
}

TEST_F(udp, recvopts_both_ways)
{
	static const unsigned char nops[4] = {
		IPOPT_NOP, IPOPT_NOP, IPOPT_NOP, IPOPT_END
	};
	int l = xu_sock(self), p = xu_peer_bound(self, 6121);
	unsigned char opts[40];
	size_t optlen;

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(l, NULL, 6120));
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVOPTS, 1));
	ASSERT_OK(setsockopt(p, SOL_IP, IP_OPTIONS, nops, sizeof(nops)));
	EXPECT_EQ(1, xu_sendto(p, "o", 1, XU_LOCAL, 6120));
	EXPECT_EQ(1, recv_opts(l, opts, &optlen));
	EXPECT_EQ(4, (int)optlen);
	EXPECT_EQ(0, memcmp(opts, nops, sizeof(nops)));
	/* No options: no message. */
	ASSERT_OK(setsockopt(p, SOL_IP, IP_OPTIONS, NULL, 0));
	EXPECT_EQ(1, xu_sendto(p, "n", 1, XU_LOCAL, 6120));
	EXPECT_EQ(1, recv_opts(l, opts, &optlen));
	EXPECT_EQ(0, (int)optlen);
	/* Not asked for: no message. */
	ASSERT_OK(setsockopt(p, SOL_IP, IP_OPTIONS, nops, sizeof(nops)));
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVOPTS, 0));
	EXPECT_EQ(1, xu_sendto(p, "q", 1, XU_LOCAL, 6120));
	EXPECT_EQ(1, recv_opts(l, opts, &optlen));
	EXPECT_EQ(0, (int)optlen);
	close(l);
	close(p);
}

/* ------------------------------------------------------------ PKTINFO */

TEST_F(udp, pktinfo_received)
{
	int l = xu_sock(self), l2 = xu_sock(self), p = xu_peer_bound(self, 0);
	char a1[INET_ADDRSTRLEN], a2[INET_ADDRSTRLEN];
	struct xu_msg m;

	ASSERT_LE(0, l);
	ASSERT_LE(0, l2);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(l, NULL, 6120));
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_PKTINFO, 1));
	EXPECT_EQ(1, xu_getint(l, SOL_IP, IP_PKTINFO));
	ASSERT_ERR(0, xu_setint(p, SOL_SOCKET, SO_BROADCAST, 1));

	/* Unicast from the peer. */
	EXPECT_EQ(1, xu_sendto(p, "u", 1, XU_LOCAL, 6120));
	EXPECT_EQ(1, xu_recvmsg_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	ASSERT_TRUE(m.has_pktinfo);
	EXPECT_EQ(self->ifindex, m.pktinfo.ipi_ifindex);
	EXPECT_EQ(xu_a(XU_LOCAL), m.pktinfo.ipi_addr.s_addr);
	EXPECT_EQ(xu_a(XU_LOCAL), m.pktinfo.ipi_spec_dst.s_addr);

	/* Subnet broadcast: the destination, and our address to answer from. */
	EXPECT_EQ(1, xu_sendto(p, "b", 1, XU_BCAST, 6120));
	EXPECT_EQ(1, xu_recvmsg_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	ASSERT_TRUE(m.has_pktinfo);
	EXPECT_EQ(self->ifindex, m.pktinfo.ipi_ifindex);
	EXPECT_EQ(xu_a(XU_BCAST), m.pktinfo.ipi_addr.s_addr)
		TH_LOG("ipi_addr %s", xu_ntoa(m.pktinfo.ipi_addr, a1));
	EXPECT_EQ(xu_a(XU_LOCAL), m.pktinfo.ipi_spec_dst.s_addr)
		TH_LOG("ipi_spec_dst %s", xu_ntoa(m.pktinfo.ipi_spec_dst, a2));

	/* Sent to ourselves. */
	ASSERT_ERR(0, xu_bind(l2, XU_LOCAL, 0));
	EXPECT_EQ(1, xu_sendto(l2, "s", 1, XU_LOCAL, 6120));
	EXPECT_EQ(1, xu_recvmsg_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	ASSERT_TRUE(m.has_pktinfo);
	/* As from the device owning the address (Linux's rt_iif). */
	EXPECT_EQ(self->ifindex, m.pktinfo.ipi_ifindex);
	EXPECT_EQ(xu_a(XU_LOCAL), m.pktinfo.ipi_addr.s_addr);
	EXPECT_EQ(xu_a(XU_LOCAL), m.pktinfo.ipi_spec_dst.s_addr);
	close(l);
	close(l2);
	close(p);
}

/* IP_PKTINFO on send: the source address and the interface. */
TEST_F(udp, pktinfo_sent)
{
	char control[CMSG_SPACE(sizeof(struct in_pktinfo))] = {};
	int l = xu_sock(self), p = xu_peer_bound(self, 6131);
	struct sockaddr_in sin = xu_sin(XU_PEER, 6131), from;
	struct iovec iov = { .iov_base = "pi", .iov_len = 2 };
	struct msghdr msg = {
		.msg_name = &sin, .msg_namelen = sizeof(sin),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct in_pktinfo pi = { .ipi_ifindex = self->ifindex };

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	pi.ipi_spec_dst.s_addr = xu_a(XU_LOCAL);
	c->cmsg_level = SOL_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	EXPECT_EQ(2, sendmsg(l, &msg, 0)) TH_LOG("sendmsg: %s",
						 xu_ename(errno));
	EXPECT_EQ(2, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &from));
	EXPECT_EQ(xu_a(XU_LOCAL), from.sin_addr.s_addr);
	/* A bad length: EINVAL. */
	c->cmsg_len = CMSG_LEN(sizeof(pi) - 1);
	EXPECT_ERRNO(EINVAL, sendmsg(l, &msg, 0));
	close(l);
	close(p);
}

/* ------------------------------------------------------------ broadcast */

TEST_F(udp, broadcast_send)
{
	int l = xu_sock(self), r = xu_sock(self), p = xu_peer_sock(self);
	int lb = xu_sock(self);
	struct sockaddr_in from;
	ssize_t n;

	ASSERT_LE(0, l);
	ASSERT_LE(0, r);
	ASSERT_LE(0, p);
	ASSERT_LE(0, lb);
	ASSERT_ERR(0, xu_bind(p, NULL, 6140));
	ASSERT_ERR(0, xu_bind(r, NULL, 6140));
	EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_BROADCAST));

	/* Subnet broadcast. */
	EXPECT_ERRNO(EACCES, xu_sendto(l, "n", 1, XU_BCAST, 6140));
	EXPECT_ERR(EACCES, xu_connect(l, XU_BCAST, 6140));
	ASSERT_ERR(0, xu_setint(l, SOL_SOCKET, SO_BROADCAST, 1));
	EXPECT_EQ(1, xu_getint(l, SOL_SOCKET, SO_BROADCAST));
	EXPECT_EQ(1, xu_sendto(l, "B", 1, XU_BCAST, 6140));
	EXPECT_EQ(1, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &from))
		TH_LOG("peer: %s", xu_ename(errno));
	EXPECT_EQ(xu_a(XU_LOCAL), from.sin_addr.s_addr);
	/* Looped back to our own listeners too. */
	EXPECT_EQ(1, xu_recv_wait(r, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL))
		TH_LOG("local receiver: %s", xu_ename(errno));

	/* Limited broadcast needs a device: bound to our address here. */
	ASSERT_ERR(0, xu_bind(lb, XU_LOCAL, 0));
	EXPECT_ERRNO(EACCES, xu_sendto(lb, "n", 1, "255.255.255.255", 6140));
	ASSERT_ERR(0, xu_setint(lb, SOL_SOCKET, SO_BROADCAST, 1));
	n = xu_sendto(lb, "L", 1, "255.255.255.255", 6140);
	EXPECT_EQ(1, n) TH_LOG("sendto: %s", xu_ename(errno));
	if (n == 1) {
		EXPECT_EQ(1, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
					  &from)) TH_LOG("peer: %s",
							 xu_ename(errno));
		EXPECT_EQ(xu_a(XU_LOCAL), from.sin_addr.s_addr);
		EXPECT_EQ(1, xu_recv_wait(r, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
					  NULL)) TH_LOG("local receiver: %s",
							xu_ename(errno));
	}
	EXPECT_EQ(0, xu_drain(p, XU_QUIET_MS));
	close(l);
	close(r);
	close(p);
	close(lb);
}

/* An unbound socket: no route to 255.255.255.255 (no default route). */
TEST_F(udp, broadcast_limited_unbound)
{
	int l = xu_sock(self), p = xu_peer_sock(self);
	ssize_t n;

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(p, NULL, 6150));
	ASSERT_ERR(0, xu_setint(l, SOL_SOCKET, SO_BROADCAST, 1));
	EXPECT_ERRNO(ENETUNREACH, xu_sendto(l, "x", 1, "255.255.255.255",
					    6150));
	/* With the device (SO_BINDTODEVICE) it goes out. */
	ASSERT_OK(setsockopt(l, SOL_SOCKET, SO_BINDTODEVICE, "veth0", 6));
	n = xu_sendto(l, "x", 1, "255.255.255.255", 6150);
	EXPECT_EQ(1, n) TH_LOG("sendto: %s", xu_ename(errno));
	if (n == 1)
		EXPECT_EQ(1, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
					  NULL));
	close(l);
	close(p);
}

TEST_F(udp, broadcast_receive)
{
	int any = xu_sock(self), spec = xu_sock(self), p = xu_peer_bound(self, 0);
	struct sockaddr_in from;

	ASSERT_LE(0, any);
	ASSERT_LE(0, spec);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_setint(any, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_ERR(0, xu_setint(spec, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_ERR(0, xu_bind(any, NULL, 6160));
	ASSERT_ERR(0, xu_bind(spec, XU_LOCAL, 6160));
	ASSERT_ERR(0, xu_setint(p, SOL_SOCKET, SO_BROADCAST, 1));

	EXPECT_EQ(1, xu_sendto(p, "s", 1, XU_BCAST, 6160));
	EXPECT_EQ(1, xu_recv_wait(any, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
				  &from)) TH_LOG("subnet broadcast");
	EXPECT_EQ(xu_a(XU_PEER), from.sin_addr.s_addr);
	EXPECT_EQ(1, xu_sendto(p, "l", 1, "255.255.255.255", 6160));
	EXPECT_EQ(1, xu_recv_wait(any, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
				  &from)) TH_LOG("limited broadcast");
	/* A socket bound to the unicast address gets no broadcast. */
	EXPECT_EQ(0, xu_drain(spec, XU_QUIET_MS));
	EXPECT_EQ(0, xu_drain(any, 0));
	/* Unicast to the same port goes to the specific one. */
	EXPECT_EQ(1, xu_sendto(p, "u", 1, XU_LOCAL, 6160));
	EXPECT_EQ(1, xu_recv_wait(spec, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
				  NULL));
	close(any);
	close(spec);
	close(p);
}

/* ------------------------------------------------------------ device */

/*
 * A socket bound to a device takes what arrives on it. Datagrams a host
 * sends to its own address count as arriving on the device that owns the
 * address (Linux: the local route's device), so 10.0.0.1 is veth0's.
 */
TEST_F(udp, bindtodevice)
{
	int d = xu_sock(self), d1 = xu_sock(self), s = xu_sock(self);
	int p = xu_peer_bound(self, 0);
	char name[IFNAMSIZ] = {};
	socklen_t len = sizeof(name);

	ASSERT_LE(0, d);
	ASSERT_LE(0, d1);
	ASSERT_LE(0, s);
	ASSERT_LE(0, p);
	EXPECT_ERRNO(ENODEV, setsockopt(d, SOL_SOCKET, SO_BINDTODEVICE,
					"nosuchdev", 10));
	ASSERT_OK(setsockopt(d, SOL_SOCKET, SO_BINDTODEVICE, "veth0", 6));
	ASSERT_OK(getsockopt(d, SOL_SOCKET, SO_BINDTODEVICE, name, &len));
	EXPECT_STREQ("veth0", name);
	EXPECT_EQ(self->ifindex, xu_getint(d, SOL_SOCKET, SO_BINDTOIFINDEX));
	ASSERT_ERR(0, xu_bind(d, NULL, 6170));
	/* Arriving on veth0: delivered. */
	EXPECT_EQ(1, xu_sendto(p, "v", 1, XU_LOCAL, 6170));
	EXPECT_EQ(1, xu_recv_wait(d, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	/* Sent to our own 10.0.0.1: veth0's address, delivered. */
	EXPECT_EQ(1, xu_sendto(s, "l", 1, XU_LOCAL, 6170));
	EXPECT_EQ(1, xu_recv_wait(d, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	/* Arriving on veth1: not for d (port unreachable, nobody else). */
	EXPECT_EQ(1, xu_sendto(p, "w", 1, XU_LOCAL1, 6170));
	EXPECT_EQ(0, xu_drain(d, XU_QUIET_MS));
	/* Another socket on the same port bound to veth1: no conflict. */
	ASSERT_OK(setsockopt(d1, SOL_SOCKET, SO_BINDTODEVICE, "veth1", 6));
	EXPECT_ERR(0, xu_bind(d1, NULL, 6170));
	EXPECT_EQ(1, xu_sendto(p, "w", 1, XU_LOCAL1, 6170));
	EXPECT_EQ(1, xu_recv_wait(d1, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	EXPECT_EQ(1, xu_sendto(s, "m", 1, XU_LOCAL1, 6170));
	EXPECT_EQ(1, xu_recv_wait(d1, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	EXPECT_EQ(0, xu_drain(d, XU_QUIET_MS));
	EXPECT_EQ(1, xu_sendto(p, "v", 1, XU_LOCAL, 6170));
	EXPECT_EQ(1, xu_recv_wait(d, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	EXPECT_EQ(0, xu_drain(d1, 0));
	/* Sending from the bound socket goes out of veth0. */
	EXPECT_EQ(1, xu_sendto(d, "o", 1, XU_PEER, xu_port(p)));
	EXPECT_EQ(1, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	/* Unbinding from the device: an empty name. */
	EXPECT_OK(setsockopt(d, SOL_SOCKET, SO_BINDTODEVICE, "", 1));
	EXPECT_EQ(0, xu_getint(d, SOL_SOCKET, SO_BINDTOIFINDEX));
	close(d);
	close(d1);
	close(s);
	close(p);
}

/*
 * Bound to a device, a destination with no route through it is taken as
 * on-link (Linux's ip_route_output: "routing tables are wrong, assume
 * on-link"): it is sent out of the device, and here the peer answers ARP
 * for its veth1 address on veth0 too (arp_ignore 0).
 */
TEST_F(udp, bindtodevice_assumes_onlink)
{
	int d = xu_sock(self), p = xu_peer_sock(self);

	ASSERT_LE(0, d);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(p, NULL, 6180));
	ASSERT_OK(setsockopt(d, SOL_SOCKET, SO_BINDTODEVICE, "veth0", 6));
	ASSERT_EQ(1, xu_sendto(d, "x", 1, XU_PEER1, 6180))
		TH_LOG("sendto: %s", xu_ename(errno));
	EXPECT_EQ(1, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	close(d);
	close(p);
}

/* ------------------------------------------------------------ checksum */

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t udp_csum(in_addr_t src, in_addr_t dst, const void *seg,
			 size_t len)
{
	uint32_t sum = 0;
	uint16_t pseudo[6];

	memcpy(&pseudo[0], &src, 4);
	memcpy(&pseudo[2], &dst, 4);
	pseudo[4] = htons(IPPROTO_UDP);
	pseudo[5] = htons(len);
	sum = csum_add(sum, pseudo, sizeof(pseudo));
	sum = csum_add(sum, seg, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	return sum ? sum : 0xffff;
}

/*
 * A hand-made UDP datagram from the peer (a raw socket: the peer's
 * kernel adds the IP header): ports, payload, the length field and the
 * checksum as given (csum -1: the right one; len -1: the right one).
 */
static ssize_t raw_send(FIXTURE_DATA(udp) *self, int sport, int dport,
			const char *payload, size_t plen, int ulen, int csum,
			size_t wire_len)
{
	unsigned char seg[256] = {};
	struct udphdr *uh = (struct udphdr *)seg;
	struct sockaddr_in dst = xu_sin(XU_LOCAL, 0);
	int fd = xu_peer_socket(self, SOCK_RAW, IPPROTO_UDP);
	ssize_t n;

	if (fd < 0)
		return -1;
	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons(ulen < 0 ? (int)(sizeof(*uh) + plen) : ulen);
	memcpy(seg + sizeof(*uh), payload, plen);
	if (!wire_len)
		wire_len = sizeof(*uh) + plen;
	uh->check = csum < 0 ? htons(udp_csum(xu_a(XU_PEER), xu_a(XU_LOCAL),
					      seg, sizeof(*uh) + plen)) :
			htons(csum);
	n = sendto(fd, seg, wire_len, 0, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
	return n;
}

TEST_F(udp, zero_checksum_accepted)
{
	int l = xu_sock(self);
	struct sockaddr_in from;

	ASSERT_LE(0, l);
	ASSERT_ERR(0, xu_bind(l, NULL, 6200));
	ASSERT_EQ(8 + 5, raw_send(self, 4444, 6200, "zero!", 5, -1, 0, 0));
	EXPECT_EQ(5, xu_recv_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &from));
	EXPECT_EQ(0, memcmp(rxbuf, "zero!", 5));
	EXPECT_EQ(4444, ntohs(from.sin_port));
	EXPECT_EQ(xu_a(XU_PEER), from.sin_addr.s_addr);
	close(l);
}

TEST_F(udp, bad_checksum_dropped_counted)
{
	long long csum0, err0, in0;
	int l = xu_sock(self);
	uint16_t good;
	unsigned char seg[16] = {};
	struct udphdr *uh = (struct udphdr *)seg;

	ASSERT_LE(0, l);
	ASSERT_ERR(0, xu_bind(l, NULL, 6210));
	uh->source = htons(4445);
	uh->dest = htons(6210);
	uh->len = htons(8 + 4);
	memcpy(seg + 8, "bad!", 4);
	good = udp_csum(xu_a(XU_PEER), xu_a(XU_LOCAL), seg, 12);
	csum0 = xu_stat(self, "Udp", "InCsumErrors");
	err0 = xu_stat(self, "Udp", "InErrors");
	in0 = xu_stat(self, "Udp", "InDatagrams");
	ASSERT_LE(0, csum0) TH_LOG("no Udp InCsumErrors in %s", self->snmp);
	ASSERT_EQ(12, raw_send(self, 4445, 6210, "bad!", 4, -1,
			       good ^ 0x1234, 0));
	EXPECT_EQ(0, xu_drain(l, XU_QUIET_MS));
	EXPECT_EQ(csum0 + 1, xu_stat(self, "Udp", "InCsumErrors"));
	EXPECT_EQ(err0 + 1, xu_stat(self, "Udp", "InErrors"));
	EXPECT_EQ(in0, xu_stat(self, "Udp", "InDatagrams"));
	/* The same datagram with the right checksum is taken. */
	ASSERT_EQ(12, raw_send(self, 4445, 6210, "bad!", 4, -1, good, 0));
	EXPECT_EQ(4, xu_recv_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	EXPECT_EQ(in0 + 1, xu_stat(self, "Udp", "InDatagrams"));
	close(l);
}

/* The UDP length field against the IP payload length. */
TEST_F(udp, length_field_checked)
{
	long long err0;
	int l = xu_sock(self);
	struct sockaddr_in from;

	ASSERT_LE(0, l);
	ASSERT_ERR(0, xu_bind(l, NULL, 6220));
	err0 = xu_stat(self, "Udp", "InErrors");
	/* Longer than the IP payload: dropped, InErrors. */
	ASSERT_EQ(12, raw_send(self, 4446, 6220, "long", 4, 40, 0, 0));
	EXPECT_EQ(0, xu_drain(l, XU_QUIET_MS));
	EXPECT_EQ(err0 + 1, xu_stat(self, "Udp", "InErrors"));
	/* Shorter: the datagram is trimmed to it. */
	ASSERT_EQ(8 + 10, raw_send(self, 4446, 6220, "shortXXXXX", 10, 8 + 5,
				   0, 0));
	EXPECT_EQ(5, xu_recv_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &from));
	EXPECT_EQ(0, memcmp(rxbuf, "short", 5));
	/* Shorter than a UDP header: dropped. */
	ASSERT_EQ(8 + 4, raw_send(self, 4446, 6220, "tiny", 4, 6, 0, 0));
	EXPECT_EQ(0, xu_drain(l, XU_QUIET_MS));
	EXPECT_EQ(err0 + 2, xu_stat(self, "Udp", "InErrors"));
	close(l);
}

/*
 * The checksum field on the wire, seen by a raw socket of the peer:
 * present by default, zero with SO_NO_CHECK.
 */
TEST_F(udp, so_no_check_sends_zero)
{
	int l = xu_sock(self), p = xu_peer_bound(self, 6231);
	int raw = xu_peer_socket(self, SOCK_RAW, IPPROTO_UDP);
	unsigned char pkt[128];
	struct udphdr *uh;
	int i, round;
	ssize_t n;

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	ASSERT_LE(0, raw);
	ASSERT_ERR(0, xu_bind(l, XU_LOCAL, 6230));
	for (round = 0; round < 2; round++) {
		if (round)
			ASSERT_ERR(0, xu_setint(l, SOL_SOCKET, SO_NO_CHECK, 1));
		EXPECT_EQ(round, xu_getint(l, SOL_SOCKET, SO_NO_CHECK));
		ASSERT_EQ(3, xu_sendto(l, "chk", 3, XU_PEER, 6231));
		EXPECT_EQ(3, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
					  NULL));
		/* The raw socket sees the IP header too; find ours. */
		for (i = 0; i < 10; i++) {
			n = xu_recv_wait(raw, pkt, sizeof(pkt), XU_WAIT_MS,
					 NULL);
			if (n < 28)
				break;
			uh = (struct udphdr *)(pkt + (pkt[0] & 15) * 4);
			if (ntohs(uh->source) == 6230 &&
			    ntohs(uh->dest) == 6231)
				break;
		}
		ASSERT_LE(28, n);
		if (round) {
			EXPECT_EQ(0, uh->check);
		} else {
			EXPECT_NE(0, uh->check);
		}
	}
	close(l);
	close(p);
	close(raw);
}

/* ------------------------------------------------------------ ICMP in */

/*
 * An ICMP error sent by the peer (raw socket, from 10.0.1.2 to 10.0.1.1)
 * about a datagram 10.0.1.1:sport -> 10.0.1.2:dport: the quoted IP
 * header, the UDP header and 8 bytes. The veth1 path is used so that a
 * learned path MTU does not disturb the other tests.
 */
static int icmp_error(FIXTURE_DATA(udp) *self, int type, int code, int mtu,
		      int sport, int dport)
{
	unsigned char pkt[8 + 20 + 8 + 8] = {};
	struct sockaddr_in dst = xu_sin(XU_LOCAL1, 0);
	unsigned char *ip = pkt + 8, *uh = pkt + 28;
	in_addr_t src = xu_a(XU_LOCAL1), to = xu_a(XU_PEER1);
	uint32_t sum;
	ssize_t n;
	int fd;

	pkt[0] = type;
	pkt[1] = code;
	pkt[6] = mtu >> 8;
	pkt[7] = mtu & 0xff;
	ip[0] = 0x45;
	ip[3] = 36;
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &to, 4);
	sum = csum_add(0, ip, 20);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = ~sum >> 8;
	ip[11] = ~sum & 0xff;
	uh[0] = sport >> 8;
	uh[1] = sport & 0xff;
	uh[2] = dport >> 8;
	uh[3] = dport & 0xff;
	uh[5] = 16;
	memcpy(uh + 8, "quoted!!", 8);
	sum = csum_add(0, pkt, sizeof(pkt));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	pkt[2] = ~sum >> 8;
	pkt[3] = ~sum & 0xff;
	fd = xu_peer_socket(self, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return -1;
	n = sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst,
		   sizeof(dst));
	close(fd);
	return n == sizeof(pkt) ? 0 : -1;
}

/*
 * ICMP errors for a connected socket without IP_RECVERR: hard errors
 * (protocol unreachable, fragmentation needed unless IP_PMTUDISC_DONT)
 * are reported, soft ones (host unreachable, time exceeded) are not
 * (RFC 1122 4.2.3.9, Linux's __udp4_lib_err).
 */
TEST_F(udp, icmp_errors_connected)
{
	int l = xu_sock(self), p = xu_peer_sock(self), sport;
	char buf[8];

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	/* Someone listens there: the datagrams sent are not refused. */
	ASSERT_ERR(0, xu_bind(p, XU_PEER1, 6301));
	EXPECT_ERRNO(ENOTCONN, xu_getint(l, SOL_IP, IP_MTU));
	ASSERT_ERR(0, xu_connect(l, XU_PEER1, 6301));
	sport = xu_port(l);
	EXPECT_EQ(1500, xu_getint(l, SOL_IP, IP_MTU));

	/* Soft: nothing to see. */
	ASSERT_EQ(0, icmp_error(self, 3, 1, 0, sport, 6301));
	ASSERT_EQ(0, icmp_error(self, 11, 0, 0, sport, 6301));
	EXPECT_EQ(0, xu_poll(l, POLLIN, XU_QUIET_MS));
	EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_ERROR));

	/* Hard: protocol unreachable. */
	ASSERT_EQ(0, icmp_error(self, 3, 2, 0, sport, 6301));
	EXPECT_TRUE(xu_poll(l, POLLIN, XU_WAIT_MS) & POLLERR);
	EXPECT_ERRNO(ENOPROTOOPT, recv(l, buf, sizeof(buf), MSG_DONTWAIT));

	/* Fragmentation needed: EMSGSIZE, and the path MTU is learned. */
	ASSERT_EQ(0, icmp_error(self, 3, 4, 1400, sport, 6301));
	EXPECT_TRUE(xu_poll(l, POLLIN, XU_WAIT_MS) & POLLERR);
	EXPECT_EQ(EMSGSIZE, xu_getint(l, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(1400, xu_getint(l, SOL_IP, IP_MTU));
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO));
	EXPECT_ERRNO(EMSGSIZE, send(l, txbuf, 1400 - 28 + 1, 0));
	EXPECT_EQ(1400 - 28, send(l, txbuf, 1400 - 28, 0));
	/* With IP_PMTUDISC_DONT it is not an error. */
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_MTU_DISCOVER,
				IP_PMTUDISC_DONT));
	ASSERT_EQ(0, icmp_error(self, 3, 4, 1300, sport, 6301));
	EXPECT_EQ(0, xu_poll(l, POLLIN, XU_QUIET_MS));
	EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(1, xu_drain(p, 0));	/* the 1372 bytes */
	close(l);
	close(p);
}

/* The same errors with IP_RECVERR: all of them queued, soft ones too. */
TEST_F(udp, icmp_errors_recverr)
{
	static const struct {
		int type, code, mtu, err;
	} cases[] = {
		{ 3, 1, 0, EHOSTUNREACH },
		{ 3, 0, 0, ENETUNREACH },
		{ 11, 0, 0, EHOSTUNREACH },
		{ 3, 13, 0, EHOSTUNREACH },	/* administratively prohibited */
		{ 3, 4, 1280, EMSGSIZE },
	};
	int l = xu_sock(self), sport;
	struct xu_msg m;
	unsigned int i;

	ASSERT_LE(0, l);
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_RECVERR, 1));
	ASSERT_ERR(0, xu_bind(l, XU_LOCAL1, 0));
	sport = xu_port(l);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, icmp_error(self, cases[i].type, cases[i].code,
					cases[i].mtu, sport, 6302));
		ASSERT_TRUE(xu_poll(l, 0, XU_WAIT_MS) & POLLERR)
			TH_LOG("ICMP %d/%d: no error queued", cases[i].type,
			       cases[i].code);
		EXPECT_EQ(8, xu_recvmsg(l, rxbuf, sizeof(rxbuf), MSG_ERRQUEUE,
					&m)) TH_LOG("%s", xu_ename(m.err));
		EXPECT_EQ(0, memcmp(rxbuf, "quoted!!", 8));
		EXPECT_TRUE(m.has_ee);
		EXPECT_EQ(cases[i].err, (int)m.ee.ee_errno)
			TH_LOG("ICMP %d/%d: %s", cases[i].type, cases[i].code,
			       xu_ename(m.ee.ee_errno));
		EXPECT_EQ(SO_EE_ORIGIN_ICMP, m.ee.ee_origin);
		EXPECT_EQ(cases[i].type, m.ee.ee_type);
		EXPECT_EQ(cases[i].code, m.ee.ee_code);
		EXPECT_EQ((unsigned int)cases[i].mtu, m.ee.ee_info);
		EXPECT_EQ(xu_a(XU_PEER1), m.offender.sin_addr.s_addr);
		EXPECT_EQ(xu_a(XU_PEER1), m.from.sin_addr.s_addr);
		EXPECT_EQ(6302, ntohs(m.from.sin_port));
		/* sk_err too, for every one (IP_RECVERR). */
		EXPECT_EQ(0, xu_getint(l, SOL_SOCKET, SO_ERROR));
	}
	close(l);
}

XU_MAIN
