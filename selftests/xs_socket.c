// SPDX-License-Identifier: GPL-2.0
/*
 * xs_socket - socket(2) from the shell, for the shell selftests.
 *
 *   xs_socket --default-family          print XSTACK_FAMILY_DEFAULT
 *   xs_socket FAMILY TYPE PROTO [--hold]
 *
 * FAMILY: a number, "inet", or "xstack" (the number in force, from sysfs).
 * TYPE: stream, dgram, seqpacket, raw, rdm or a number.
 * PROTO: 0, tcp, udp, icmp or a number.
 *
 * Prints "OK" and exits 0 when the socket was created, otherwise prints
 * the errno name (e.g. EAFNOSUPPORT) and exits 1. With --hold, keeps the
 * socket open until standard input reaches end of file (or a signal).
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "xs_common.h"

static int parse(const char *s, const char *const names[], const int vals[])
{
	char *end;
	long v;
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return vals[i];
	v = strtol(s, &end, 0);
	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "xs_socket: bad argument '%s'\n", s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	static const char *const fams[] = { "inet", NULL };
	static const int famv[] = { AF_INET };
	static const char *const types[] = {
		"stream", "dgram", "seqpacket", "raw", "rdm", NULL };
	static const int typev[] = {
		SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, SOCK_RDM };
	static const char *const protos[] = { "tcp", "udp", "icmp", NULL };
	static const int protov[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	int fam, fd;
	char c;

	if (argc == 2 && !strcmp(argv[1], "--default-family")) {
		printf("%d\n", XSTACK_FAMILY_DEFAULT);
		return 0;
	}
	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "--hold"))) {
		fprintf(stderr,
			"usage: xs_socket FAMILY TYPE PROTO [--hold]\n"
			"       xs_socket --default-family\n");
		return 2;
	}
	if (!strcmp(argv[1], "xstack")) {
		fam = xs_family();
		if (fam < 0) {
			printf("NOTLOADED\n");
			return 1;
		}
	} else {
		fam = parse(argv[1], fams, famv);
	}
	fd = socket(fam, parse(argv[2], types, typev),
		    parse(argv[3], protos, protov));
	if (fd < 0) {
		printf("%s\n", strerrorname_np(errno) ?: "EUNKNOWN");
		return 1;
	}
	printf("OK\n");
	fflush(stdout);
	if (argc == 5)
		while (read(STDIN_FILENO, &c, 1) > 0)
			;
	close(fd);
	return 0;
}
