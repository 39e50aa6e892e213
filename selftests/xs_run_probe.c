// SPDX-License-Identifier: GPL-2.0
/*
 * xs_run_probe - helper of app_xstack_run.sh, run under xstack-run.
 *
 * Creates one socket of each kind below through the C library's
 * socket() (what libxstack-run.so wraps) and prints a line per kind:
 *
 *	KIND DOMAIN TYPE PROTOCOL NONBLOCK CLOEXEC
 *
 * DOMAIN, TYPE and PROTOCOL are the kernel's SO_DOMAIN, SO_TYPE and
 * SO_PROTOCOL answers, NONBLOCK and CLOEXEC 0/1 from fcntl; a socket that
 * could not be created prints "KIND error ENAME". With --bind ADDR the
 * first TCP socket is bound to ADDR and "getsockname FAMILY" printed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct {
	const char *name;
	int domain, type, protocol;
} kinds[] = {
	{ "tcp", AF_INET, SOCK_STREAM, 0 },
	{ "tcp-proto", AF_INET, SOCK_STREAM, IPPROTO_TCP },
	{ "tcp-flags", AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0 },
	{ "udp", AF_INET, SOCK_DGRAM, 0 },
	{ "udp-flags", AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0 },
	{ "ping", AF_INET, SOCK_DGRAM, IPPROTO_ICMP },
	{ "raw", AF_INET, SOCK_RAW, IPPROTO_ICMP },
	{ "tcp6", AF_INET6, SOCK_STREAM, 0 },
	{ "udp6", AF_INET6, SOCK_DGRAM, 0 },
	{ "unix", AF_UNIX, SOCK_STREAM, 0 },
};

static const char *ename(int err)
{
	switch (err) {
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	}
	return strerror(err);
}

static int getint(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int val = -1;

	if (getsockopt(fd, SOL_SOCKET, opt, &val, &len))
		return -errno;
	return val;
}

int main(int argc, char **argv)
{
	const char *bind_addr = argc > 2 && !strcmp(argv[1], "--bind") ?
				argv[2] : NULL;
	struct sockaddr_storage ss;
	struct sockaddr_in sin;
	socklen_t len;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		fd = socket(kinds[i].domain, kinds[i].type, kinds[i].protocol);
		if (fd < 0) {
			printf("%s error %s\n", kinds[i].name, ename(errno));
			continue;
		}
		printf("%s %d %d %d %d %d\n", kinds[i].name,
		       getint(fd, SO_DOMAIN), getint(fd, SO_TYPE),
		       getint(fd, SO_PROTOCOL),
		       !!(fcntl(fd, F_GETFL) & O_NONBLOCK),
		       !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
		if (bind_addr && i == 0) {
			memset(&sin, 0, sizeof(sin));
			sin.sin_family = AF_INET;
			inet_pton(AF_INET, bind_addr, &sin.sin_addr);
			len = sizeof(ss);
			memset(&ss, 0xff, sizeof(ss));
			if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
			    getsockname(fd, (struct sockaddr *)&ss, &len))
				printf("getsockname error %s\n", ename(errno));
			else
				printf("getsockname %d\n", ss.ss_family);
		}
		close(fd);
	}
	return 0;
}
