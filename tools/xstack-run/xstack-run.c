// SPDX-License-Identifier: GPL-2.0
/*
 * libxstack-run.so - LD_PRELOAD library of xstack-run: the AF_INET
 * sockets of an unmodified program are created in the xstack family.
 *
 * Only socket(2) is wrapped. Everything else works unchanged on the
 * socket it returns: xstack takes sockaddr_in addresses with sin_family
 * AF_INET and gives AF_INET back from getsockname, getpeername, accept
 * and recvfrom, and the descriptor is a socket like any other for poll,
 * epoll, sendfile, fcntl and the socket options.
 *
 * XSTACK_RUN selects which sockets move (comma separated; default all):
 *   tcp   socket(AF_INET, SOCK_STREAM, 0 or IPPROTO_TCP)
 *   udp   socket(AF_INET, SOCK_DGRAM, 0 or IPPROTO_UDP)
 *   ping  socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)
 *   all   the three
 * SOCK_NONBLOCK and SOCK_CLOEXEC in the type are kept. Other sockets
 * (AF_INET6, AF_UNIX, netlink, raw, MPTCP, SCTP...) stay native.
 *
 * The family number is read from /sys/module/xstack/parameters/family
 * at the first socket to move. There is no fallback to the native
 * stack: when the module is not loaded the call fails with EAFNOSUPPORT
 * (and a message on stderr, once); when xstack refuses a socket its
 * errno is returned.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/xstack.h>

#define XR_TCP	0x1
#define XR_UDP	0x2
#define XR_PING	0x4
#define XR_ALL	(XR_TCP | XR_UDP | XR_PING)

static int (*real_socket)(int domain, int type, int protocol);
static unsigned int xr_mask = XR_ALL;
static int xr_family = -1;	/* the family number, read once */
static int xr_warned;

static void xr_die(const char *fmt, const char *arg)
{
	fprintf(stderr, "xstack-run: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	_exit(127);
}

/* The system call itself, until dlsym() has found the next socket(). */
static int xr_sys_socket(int domain, int type, int protocol)
{
	return syscall(SYS_socket, domain, type, protocol);
}

/* XSTACK_RUN=tcp,udp,ping|all; unset or empty: all. */
static unsigned int xr_parse(const char *s)
{
	unsigned int mask = 0;
	const char *p = s;
	size_t n;

	while (*p) {
		n = strcspn(p, ",");
		if (n == 3 && !strncmp(p, "tcp", 3))
			mask |= XR_TCP;
		else if (n == 3 && !strncmp(p, "udp", 3))
			mask |= XR_UDP;
		else if (n == 4 && !strncmp(p, "ping", 4))
			mask |= XR_PING;
		else if (n == 3 && !strncmp(p, "all", 3))
			mask |= XR_ALL;
		else if (n)
			xr_die("XSTACK_RUN=%s: want a comma-separated list of tcp, udp, ping, all",
			       s);
		p += n;
		if (*p == ',')
			p++;
	}
	return mask ? mask : XR_ALL;
}

__attribute__((constructor))
static void xr_init(void)
{
	const char *env = getenv("XSTACK_RUN");

	real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (!real_socket)
		xr_die("cannot find socket(): %s", dlerror());
	if (env)
		xr_mask = xr_parse(env);
}

/* The family number in force, or -1 when xstack is not loaded. */
static int xr_get_family(void)
{
	char buf[16];
	ssize_t n;
	int fd, fam;

	fam = __atomic_load_n(&xr_family, __ATOMIC_RELAXED);
	if (fam > 0)
		return fam;
	fd = open(XSTACK_FAMILY_SYSFS, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	fam = atoi(buf);
	if (fam <= 0)
		return -1;
	__atomic_store_n(&xr_family, fam, __ATOMIC_RELAXED);
	return fam;
}

/* Which of XR_* an AF_INET socket(2) call asks for (0: none of ours). */
static unsigned int xr_kind(int type, int protocol)
{
	switch (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
	case SOCK_STREAM:
		return protocol == 0 || protocol == IPPROTO_TCP ? XR_TCP : 0;
	case SOCK_DGRAM:
		if (protocol == 0 || protocol == IPPROTO_UDP)
			return XR_UDP;
		return protocol == IPPROTO_ICMP ? XR_PING : 0;
	}
	return 0;
}

int socket(int domain, int type, int protocol)
{
	int fam;

	if (!real_socket)	/* called before our constructor ran */
		real_socket = xr_sys_socket;
	if (domain != AF_INET || !(xr_kind(type, protocol) & xr_mask))
		return real_socket(domain, type, protocol);

	fam = xr_get_family();
	if (fam < 0) {
		if (!__atomic_exchange_n(&xr_warned, 1, __ATOMIC_RELAXED))
			fprintf(stderr,
				"xstack-run: the xstack module is not loaded (no %s): AF_INET sockets fail with EAFNOSUPPORT\n",
				XSTACK_FAMILY_SYSFS);
		errno = EAFNOSUPPORT;
		return -1;
	}
	return real_socket(fam, type, protocol);
}
