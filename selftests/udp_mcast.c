// SPDX-License-Identifier: GPL-2.0
/*
 * Differential UDP multicast tests: the stack under test (AF_INET or
 * AF_XSTACK on 10.0.0.1, veth0) and the native peer 10.0.0.2. Topology
 * and variants: xs_udp.h.
 *
 * Covered: IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP / MCAST_JOIN_GROUP /
 * MCAST_LEAVE_GROUP and their errnos (EINVAL not multicast or short,
 * EADDRINUSE joined twice, EADDRNOTAVAIL not joined, ENODEV no device,
 * ENOBUFS beyond igmp_max_memberships), IP_MULTICAST_IF/TTL/LOOP/ALL
 * values, a joined socket receiving the peer's multicast (and no longer
 * after leaving or closing), every member socket getting a copy,
 * IP_MULTICAST_ALL, binding to the group address, IP_MULTICAST_LOOP on
 * and off, the multicast TTL on the wire, and sending without a route.
 */
#include <sys/uio.h>

#include "xs_udp.h"

static char rxbuf[2048];

/* IP_ADD_MEMBERSHIP or IP_DROP_MEMBERSHIP with struct ip_mreqn. */
static int mc_mreqn(int fd, int opt, const char *group, const char *ifaddr,
		    int ifindex)
{
	struct ip_mreqn m = { .imr_ifindex = ifindex };

	m.imr_multiaddr.s_addr = xu_a(group);
	m.imr_address.s_addr = ifaddr ? xu_a(ifaddr) : 0;
	return setsockopt(fd, SOL_IP, opt, &m, sizeof(m)) ? errno : 0;
}

/* The same with the older struct ip_mreq (an interface address). */
static int mc_mreq(int fd, int opt, const char *group, const char *ifaddr)
{
	struct ip_mreq m;

	m.imr_multiaddr.s_addr = xu_a(group);
	m.imr_interface.s_addr = ifaddr ? xu_a(ifaddr) : 0;
	return setsockopt(fd, SOL_IP, opt, &m, sizeof(m)) ? errno : 0;
}

static int mc_group_req(int fd, int opt, const char *group, int ifindex)
{
	struct group_req g = { .gr_interface = ifindex };
	struct sockaddr_in *sin = (struct sockaddr_in *)&g.gr_group;

	*sin = xu_sin(group, 0);
	return setsockopt(fd, SOL_IP, opt, &g, sizeof(g)) ? errno : 0;
}

/* A peer socket sending multicast out of its veth0. */
static int peer_mc_sender(FIXTURE_DATA(udp) *self)
{
	struct ip_mreqn m = { .imr_ifindex = self->pifindex };
	int fd = xu_peer_sock(self);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_IP, IP_MULTICAST_IF, &m, sizeof(m))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A local socket on INADDR_ANY:port (SO_REUSEADDR) joined to group. */
static int local_member(FIXTURE_DATA(udp) *self, const char *group, int port)
{
	int fd = xu_sock(self);

	if (fd < 0)
		return -1;
	if (xu_setint(fd, SOL_SOCKET, SO_REUSEADDR, 1) ||
	    xu_bind(fd, NULL, port) ||
	    (group && mc_mreq(fd, IP_ADD_MEMBERSHIP, group, XU_LOCAL))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ------------------------------------------------------------ errnos */

TEST_F(udp, mcast_membership_errnos)
{
	int fd = xu_sock(self), other = xu_sock(self);
	struct ip_mreq m = {};

	ASSERT_LE(0, fd);
	ASSERT_LE(0, other);
	/* Not a multicast group. */
	EXPECT_ERR(EINVAL, mc_mreq(fd, IP_ADD_MEMBERSHIP, "10.0.0.5",
				   XU_LOCAL));
	EXPECT_ERR(EINVAL, mc_mreq(fd, IP_ADD_MEMBERSHIP, "255.255.255.255",
				   XU_LOCAL));
	/* Too short. */
	m.imr_multiaddr.s_addr = xu_a("239.1.1.1");
	EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_IP, IP_ADD_MEMBERSHIP, &m, 4));
	/* No such interface. */
	EXPECT_ERR(ENODEV, mc_mreq(fd, IP_ADD_MEMBERSHIP, "239.1.1.1",
				   XU_OTHER));
	EXPECT_ERR(ENODEV, mc_mreqn(fd, IP_ADD_MEMBERSHIP, "239.1.1.1", NULL,
				    9999));
	/* No interface given and no route for the group. */
	EXPECT_ERR(ENODEV, mc_mreq(fd, IP_ADD_MEMBERSHIP, "239.1.1.1", NULL));

	/* Join; twice is EADDRINUSE (by address or by index alike). */
	EXPECT_ERR(0, mc_mreq(fd, IP_ADD_MEMBERSHIP, "239.1.1.1", XU_LOCAL));
	EXPECT_ERR(EADDRINUSE, mc_mreq(fd, IP_ADD_MEMBERSHIP, "239.1.1.1",
				       XU_LOCAL));
	EXPECT_ERR(EADDRINUSE, mc_mreqn(fd, IP_ADD_MEMBERSHIP, "239.1.1.1",
					NULL, self->ifindex));
	/* The same group on the other link is another membership. */
	EXPECT_ERR(0, mc_mreqn(fd, IP_ADD_MEMBERSHIP, "239.1.1.1", NULL,
			       self->ifindex1));
	/* Another socket may join the same group. */
	EXPECT_ERR(0, mc_mreq(other, IP_ADD_MEMBERSHIP, "239.1.1.1",
			      XU_LOCAL));

	/* Leave: not joined is EADDRNOTAVAIL. */
	EXPECT_ERR(EADDRNOTAVAIL, mc_mreq(fd, IP_DROP_MEMBERSHIP, "239.1.1.2",
					  XU_LOCAL));
	EXPECT_ERR(0, mc_mreq(fd, IP_DROP_MEMBERSHIP, "239.1.1.1", XU_LOCAL));
	EXPECT_ERR(EADDRNOTAVAIL, mc_mreq(fd, IP_DROP_MEMBERSHIP, "239.1.1.1",
					  XU_LOCAL));
	EXPECT_ERR(0, mc_mreqn(fd, IP_DROP_MEMBERSHIP, "239.1.1.1", NULL,
			       self->ifindex1));
	EXPECT_ERR(EADDRNOTAVAIL, mc_mreqn(fd, IP_DROP_MEMBERSHIP, "239.1.1.1",
					   NULL, self->ifindex1));
	/* Leave without an interface and no route: ENODEV. */
	EXPECT_ERR(ENODEV, mc_mreq(fd, IP_DROP_MEMBERSHIP, "239.1.1.1", NULL));
	EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_IP, IP_DROP_MEMBERSHIP, &m,
					4));
	close(fd);
	close(other);
}

TEST_F(udp, mcast_group_req)
{
	int fd = xu_sock(self);
	struct group_req g = {};

	ASSERT_LE(0, fd);
	EXPECT_ERR(0, mc_group_req(fd, MCAST_JOIN_GROUP, "239.1.2.1",
				   self->ifindex));
	EXPECT_ERR(EADDRINUSE, mc_group_req(fd, MCAST_JOIN_GROUP, "239.1.2.1",
					    self->ifindex));
	EXPECT_ERR(EINVAL, mc_group_req(fd, MCAST_JOIN_GROUP, "10.0.0.7",
					self->ifindex));
	EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_IP, MCAST_JOIN_GROUP, &g, 8));
	EXPECT_ERR(0, mc_group_req(fd, MCAST_LEAVE_GROUP, "239.1.2.1",
				   self->ifindex));
	EXPECT_ERR(EADDRNOTAVAIL, mc_group_req(fd, MCAST_LEAVE_GROUP,
					       "239.1.2.1", self->ifindex));
	close(fd);
}

/* igmp_max_memberships (20 by default) per socket, then ENOBUFS. */
TEST_F(udp, mcast_max_memberships)
{
	char path[128], buf[32], group[32];
	int fd = xu_sock(self), fd2 = xu_sock(self), max, i;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	xu_sysctl_path(self, "igmp_max_memberships", path, sizeof(path));
	ASSERT_LT(0, xu_read_file(path, buf, sizeof(buf))) TH_LOG("%s", path);
	max = atoi(buf);
	EXPECT_EQ(20, max);
	for (i = 0; i < max; i++) {
		snprintf(group, sizeof(group), "239.1.3.%d", i + 1);
		ASSERT_ERR(0, mc_mreq(fd, IP_ADD_MEMBERSHIP, group, XU_LOCAL));
	}
	EXPECT_ERR(ENOBUFS, mc_mreq(fd, IP_ADD_MEMBERSHIP, "239.1.3.200",
				    XU_LOCAL));
	/* Per socket: another one still can. */
	EXPECT_ERR(0, mc_mreq(fd2, IP_ADD_MEMBERSHIP, "239.1.3.200",
			      XU_LOCAL));
	/* Leaving one makes room. */
	EXPECT_ERR(0, mc_mreq(fd, IP_DROP_MEMBERSHIP, "239.1.3.1", XU_LOCAL));
	EXPECT_ERR(0, mc_mreq(fd, IP_ADD_MEMBERSHIP, "239.1.3.200", XU_LOCAL));
	close(fd);
	close(fd2);
}

/* ------------------------------------------------------------ options */

TEST_F(udp, mcast_options)
{
	int fd = xu_sock(self);
	struct ip_mreqn mr = { .imr_ifindex = self->ifindex };
	struct in_addr a = {};
	socklen_t len = sizeof(a);
	unsigned char c = 0;

	ASSERT_LE(0, fd);
	/* TTL: 1 by default, 0..255, -1 for the default. */
	EXPECT_EQ(1, xu_getint(fd, SOL_IP, IP_MULTICAST_TTL));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_MULTICAST_TTL, 5));
	EXPECT_EQ(5, xu_getint(fd, SOL_IP, IP_MULTICAST_TTL));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_MULTICAST_TTL, 0));
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_MULTICAST_TTL));
	EXPECT_ERR(EINVAL, xu_setint(fd, SOL_IP, IP_MULTICAST_TTL, 256));
	EXPECT_ERR(EINVAL, xu_setint(fd, SOL_IP, IP_MULTICAST_TTL, -2));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_MULTICAST_TTL, -1));
	EXPECT_EQ(1, xu_getint(fd, SOL_IP, IP_MULTICAST_TTL));
	/* A one-byte value is accepted, and read back as one byte. */
	c = 7;
	EXPECT_OK(setsockopt(fd, SOL_IP, IP_MULTICAST_TTL, &c, 1));
	c = 0;
	len = 1;
	EXPECT_OK(getsockopt(fd, SOL_IP, IP_MULTICAST_TTL, &c, &len));
	EXPECT_EQ(1U, len);
	EXPECT_EQ(7, c);

	/* LOOP: on by default; ALL: on by default. */
	EXPECT_EQ(1, xu_getint(fd, SOL_IP, IP_MULTICAST_LOOP));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_MULTICAST_LOOP, 0));
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_MULTICAST_LOOP));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_MULTICAST_LOOP, 1));
	EXPECT_EQ(1, xu_getint(fd, SOL_IP, IP_MULTICAST_LOOP));
	EXPECT_EQ(1, xu_getint(fd, SOL_IP, IP_MULTICAST_ALL));
	EXPECT_ERR(0, xu_setint(fd, SOL_IP, IP_MULTICAST_ALL, 0));
	EXPECT_EQ(0, xu_getint(fd, SOL_IP, IP_MULTICAST_ALL));
	EXPECT_ERR(EINVAL, xu_setint(fd, SOL_IP, IP_MULTICAST_ALL, 2));

	/* IF: INADDR_ANY by default; an address of ours; not another. */
	len = sizeof(a);
	a.s_addr = 0xdeadbeef;
	EXPECT_OK(getsockopt(fd, SOL_IP, IP_MULTICAST_IF, &a, &len));
	EXPECT_EQ(sizeof(a), len);
	EXPECT_EQ(htonl(INADDR_ANY), a.s_addr);
	a.s_addr = xu_a(XU_LOCAL);
	EXPECT_OK(setsockopt(fd, SOL_IP, IP_MULTICAST_IF, &a, sizeof(a)));
	a.s_addr = 0;
	len = sizeof(a);
	EXPECT_OK(getsockopt(fd, SOL_IP, IP_MULTICAST_IF, &a, &len));
	EXPECT_EQ(xu_a(XU_LOCAL), a.s_addr);
	a.s_addr = xu_a(XU_OTHER);
	EXPECT_ERRNO(EADDRNOTAVAIL, setsockopt(fd, SOL_IP, IP_MULTICAST_IF,
					       &a, sizeof(a)));
	EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_IP, IP_MULTICAST_IF, &a, 2));
	/* By index (struct ip_mreqn): reads back the address given (none). */
	EXPECT_OK(setsockopt(fd, SOL_IP, IP_MULTICAST_IF, &mr, sizeof(mr)));
	len = sizeof(a);
	EXPECT_OK(getsockopt(fd, SOL_IP, IP_MULTICAST_IF, &a, &len));
	EXPECT_EQ(htonl(INADDR_ANY), a.s_addr);
	mr.imr_ifindex = 9999;
	EXPECT_ERRNO(EADDRNOTAVAIL, setsockopt(fd, SOL_IP, IP_MULTICAST_IF,
					       &mr, sizeof(mr)));
	/* INADDR_ANY: back to routing. */
	a.s_addr = 0;
	EXPECT_OK(setsockopt(fd, SOL_IP, IP_MULTICAST_IF, &a, sizeof(a)));
	close(fd);
}

/* ------------------------------------------------------------ receive */

TEST_F(udp, mcast_receive_from_peer)
{
	int l = local_member(self, "239.1.4.1", 7000), p = peer_mc_sender(self);
	struct sockaddr_in from;
	struct xu_msg m;

	ASSERT_LE(0, l);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_setint(l, SOL_IP, IP_PKTINFO, 1));
	EXPECT_EQ(5, xu_sendto(p, "mcast", 5, "239.1.4.1", 7000));
	EXPECT_EQ(5, xu_recvmsg_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m))
		TH_LOG("member: %s", xu_ename(m.err));
	EXPECT_EQ(0, memcmp(rxbuf, "mcast", 5));
	EXPECT_EQ(xu_a(XU_PEER), m.from.sin_addr.s_addr);
	EXPECT_TRUE(m.has_pktinfo);
	EXPECT_EQ(xu_a("239.1.4.1"), m.pktinfo.ipi_addr.s_addr);
	EXPECT_EQ(self->ifindex, m.pktinfo.ipi_ifindex);
	/* Another group on the same port: not joined, not received. */
	EXPECT_EQ(5, xu_sendto(p, "other", 5, "239.1.4.2", 7000));
	EXPECT_EQ(0, xu_drain(l, XU_QUIET_MS));
	/* After leaving: nothing. */
	ASSERT_ERR(0, mc_mreq(l, IP_DROP_MEMBERSHIP, "239.1.4.1", XU_LOCAL));
	EXPECT_EQ(5, xu_sendto(p, "after", 5, "239.1.4.1", 7000));
	EXPECT_EQ(0, xu_drain(l, XU_QUIET_MS));
	/* Joined by index this time. */
	ASSERT_ERR(0, mc_mreqn(l, IP_ADD_MEMBERSHIP, "239.1.4.1", NULL,
			       self->ifindex));
	EXPECT_EQ(5, xu_sendto(p, "again", 5, "239.1.4.1", 7000));
	EXPECT_EQ(5, xu_recv_wait(l, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &from));
	EXPECT_EQ(0, memcmp(rxbuf, "again", 5));
	close(l);
	close(p);
}

/* Every member socket on the port gets its own copy. */
TEST_F(udp, mcast_every_member_gets_a_copy)
{
	int a = local_member(self, "239.1.5.1", 7010);
	int b = local_member(self, "239.1.5.1", 7010);
	int c = local_member(self, "239.1.5.1", 7010);
	int p = peer_mc_sender(self), i;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	ASSERT_LE(0, p);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(1, xu_sendto(p, "x", 1, "239.1.5.1", 7010));
	usleep(XU_QUIET_MS * 1000);
	EXPECT_EQ(3, xu_drain(a, XU_QUIET_MS));
	EXPECT_EQ(3, xu_drain(b, 0));
	EXPECT_EQ(3, xu_drain(c, 0));
	close(a);
	close(b);
	close(c);
	close(p);
}

/*
 * IP_MULTICAST_ALL (on by default): a socket on the port receives groups
 * joined by any socket of the host; off, only its own groups.
 */
TEST_F(udp, mcast_all)
{
	int member = local_member(self, "239.1.6.1", 7020);
	int bystander = local_member(self, NULL, 7020);
	int p = peer_mc_sender(self);

	ASSERT_LE(0, member);
	ASSERT_LE(0, bystander);
	ASSERT_LE(0, p);
	EXPECT_EQ(1, xu_sendto(p, "1", 1, "239.1.6.1", 7020));
	EXPECT_EQ(1, xu_recv_wait(member, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
				  NULL));
	EXPECT_EQ(1, xu_recv_wait(bystander, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
				  NULL)) TH_LOG("IP_MULTICAST_ALL on");
	ASSERT_ERR(0, xu_setint(bystander, SOL_IP, IP_MULTICAST_ALL, 0));
	EXPECT_EQ(1, xu_sendto(p, "2", 1, "239.1.6.1", 7020));
	EXPECT_EQ(1, xu_recv_wait(member, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
				  NULL));
	EXPECT_EQ(0, xu_drain(bystander, XU_QUIET_MS))
		TH_LOG("IP_MULTICAST_ALL off");
	close(member);
	close(bystander);
	close(p);
}

/* Bound to the group address: takes it; bound to 10.0.0.1: does not. */
TEST_F(udp, mcast_bound_address)
{
	int g = xu_sock(self), u = xu_sock(self), p = peer_mc_sender(self);

	ASSERT_LE(0, g);
	ASSERT_LE(0, u);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_setint(g, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_ERR(0, xu_setint(u, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_ERR(0, xu_bind(g, "239.1.7.1", 7030));
	ASSERT_ERR(0, xu_bind(u, XU_LOCAL, 7030));
	ASSERT_ERR(0, mc_mreq(g, IP_ADD_MEMBERSHIP, "239.1.7.1", XU_LOCAL));
	EXPECT_EQ(1, xu_sendto(p, "g", 1, "239.1.7.1", 7030));
	EXPECT_EQ(1, xu_recv_wait(g, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	EXPECT_EQ(0, xu_drain(u, XU_QUIET_MS));
	/* Unicast to 10.0.0.1: the other way round. */
	EXPECT_EQ(1, xu_sendto(p, "u", 1, XU_LOCAL, 7030));
	EXPECT_EQ(1, xu_recv_wait(u, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	EXPECT_EQ(0, xu_drain(g, XU_QUIET_MS));
	close(g);
	close(u);
	close(p);
}

/* Closing the last member leaves the group: a bystander hears nothing. */
TEST_F(udp, mcast_close_leaves)
{
	int member = local_member(self, "239.1.8.1", 7040);
	int bystander = local_member(self, NULL, 7040);
	int p = peer_mc_sender(self);

	ASSERT_LE(0, member);
	ASSERT_LE(0, bystander);
	ASSERT_LE(0, p);
	EXPECT_EQ(1, xu_sendto(p, "1", 1, "239.1.8.1", 7040));
	EXPECT_EQ(1, xu_recv_wait(bystander, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
				  NULL));
	close(member);
	usleep(100000);
	EXPECT_EQ(1, xu_sendto(p, "2", 1, "239.1.8.1", 7040));
	EXPECT_EQ(0, xu_drain(bystander, XU_QUIET_MS));
	close(bystander);
	close(p);
}

/* ------------------------------------------------------------ send */

/* A local sender on veth0 (IP_MULTICAST_IF 10.0.0.1). */
static int local_mc_sender(FIXTURE_DATA(udp) *self)
{
	struct in_addr a = { .s_addr = xu_a(XU_LOCAL) };
	int fd = xu_sock(self);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_IP, IP_MULTICAST_IF, &a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A peer socket on port joined to group on its veth0. */
static int peer_member(FIXTURE_DATA(udp) *self, const char *group, int port)
{
	int fd = xu_peer_sock(self);

	if (fd < 0)
		return -1;
	if (xu_bind(fd, NULL, port) ||
	    mc_mreqn(fd, IP_ADD_MEMBERSHIP, group, NULL, self->pifindex)) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST_F(udp, mcast_loop)
{
	int s = local_mc_sender(self), r = local_member(self, "239.2.9.1", 7050);
	int p = peer_member(self, "239.2.9.1", 7050);
	struct sockaddr_in from;

	ASSERT_LE(0, s);
	ASSERT_LE(0, r);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_bind(s, NULL, 7051));
	/* On (default): the local member and the peer get it. */
	ASSERT_EQ(2, xu_sendto(s, "on", 2, "239.2.9.1", 7050))
		TH_LOG("sendto: %s", xu_ename(errno));
	EXPECT_EQ(2, xu_recv_wait(r, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &from))
		TH_LOG("loop on, local member: %s", xu_ename(errno));
	EXPECT_EQ(xu_a(XU_LOCAL), from.sin_addr.s_addr);
	EXPECT_EQ(7051, ntohs(from.sin_port));
	EXPECT_EQ(2, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &from))
		TH_LOG("loop on, peer: %s", xu_ename(errno));
	EXPECT_EQ(xu_a(XU_LOCAL), from.sin_addr.s_addr);
	/* Off: only the peer. */
	ASSERT_ERR(0, xu_setint(s, SOL_IP, IP_MULTICAST_LOOP, 0));
	EXPECT_EQ(3, xu_sendto(s, "off", 3, "239.2.9.1", 7050));
	EXPECT_EQ(3, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL))
		TH_LOG("loop off, peer: %s", xu_ename(errno));
	EXPECT_EQ(0, xu_drain(r, XU_QUIET_MS));
	/* The sender is a member itself: loop on, it hears itself. */
	ASSERT_ERR(0, xu_setint(s, SOL_IP, IP_MULTICAST_LOOP, 1));
	ASSERT_ERR(0, mc_mreq(s, IP_ADD_MEMBERSHIP, "239.2.9.1", XU_LOCAL));
	EXPECT_EQ(4, xu_sendto(s, "self", 4, "239.2.9.1", 7051));
	EXPECT_EQ(4, xu_recv_wait(s, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	close(s);
	close(r);
	close(p);
}

TEST_F(udp, mcast_ttl_on_wire)
{
	int s = local_mc_sender(self), p = peer_member(self, "239.2.10.1", 7060);
	struct xu_msg m;

	ASSERT_LE(0, s);
	ASSERT_LE(0, p);
	ASSERT_ERR(0, xu_setint(p, SOL_IP, IP_RECVTTL, 1));
	/* The unicast TTL does not apply to multicast. */
	ASSERT_ERR(0, xu_setint(s, SOL_IP, IP_TTL, 100));
	ASSERT_EQ(1, xu_sendto(s, "1", 1, "239.2.10.1", 7060))
		TH_LOG("sendto: %s", xu_ename(errno));
	EXPECT_EQ(1, xu_recvmsg_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_TRUE(m.has_ttl);
	EXPECT_EQ(1, m.ttl);
	ASSERT_ERR(0, xu_setint(s, SOL_IP, IP_MULTICAST_TTL, 3));
	EXPECT_EQ(1, xu_sendto(s, "3", 1, "239.2.10.1", 7060));
	EXPECT_EQ(1, xu_recvmsg_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_EQ(3, m.ttl);
	/*
	 * TTL 0: Linux drops it only on the way out of a host that is a
	 * member itself (ip_mc_output); otherwise it leaves with TTL 0.
	 */
	ASSERT_ERR(0, xu_setint(s, SOL_IP, IP_MULTICAST_TTL, 0));
	EXPECT_EQ(1, xu_sendto(s, "0", 1, "239.2.10.1", 7060));
	EXPECT_EQ(1, xu_recvmsg_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, &m));
	EXPECT_EQ(0, m.ttl);
	close(s);
	close(p);
}

/*
 * Without IP_MULTICAST_IF the group must route: with a route (239.2/16)
 * it goes out there, without (239.1/16) ENETUNREACH. An interface given
 * by IP_MULTICAST_IF or SO_BINDTODEVICE needs no route.
 */
TEST_F(udp, mcast_send_needs_route_or_if)
{
	int s = xu_sock(self), d = xu_sock(self);
	int p = peer_member(self, "239.1.11.1", 7070);
	int pr = peer_member(self, "239.2.11.1", 7071);
	ssize_t n;

	ASSERT_LE(0, s);
	ASSERT_LE(0, d);
	ASSERT_LE(0, p);
	ASSERT_LE(0, pr);
	EXPECT_EQ(1, xu_sendto(s, "r", 1, "239.2.11.1", 7071))
		TH_LOG("routed group: %s", xu_ename(errno));
	EXPECT_EQ(1, xu_recv_wait(pr, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	EXPECT_ERRNO(ENETUNREACH, xu_sendto(s, "x", 1, "239.1.11.1", 7070));
	/* SO_BINDTODEVICE chooses the device as well. */
	ASSERT_OK(setsockopt(d, SOL_SOCKET, SO_BINDTODEVICE, "veth0", 6));
	n = xu_sendto(d, "d", 1, "239.1.11.1", 7070);
	EXPECT_EQ(1, n) TH_LOG("sendto: %s", xu_ename(errno));
	if (n == 1)
		EXPECT_EQ(1, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS,
					  NULL));
	/* So does a connect() after IP_MULTICAST_IF. */
	close(s);
	s = local_mc_sender(self);
	ASSERT_LE(0, s);
	ASSERT_ERR(0, xu_connect(s, "239.1.11.1", 7070));
	EXPECT_EQ(1, send(s, "c", 1, 0));
	EXPECT_EQ(1, xu_recv_wait(p, rxbuf, sizeof(rxbuf), XU_WAIT_MS, NULL));
	close(s);
	close(d);
	close(p);
	close(pr);
}

XU_MAIN
