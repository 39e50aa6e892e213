// SPDX-License-Identifier: GPL-2.0
/*
 * xs_ping - ping through a ping socket, socket(FAMILY, SOCK_DGRAM,
 * IPPROTO_ICMP), for the shell selftests. FAMILY is AF_XSTACK (the number
 * in force, from sysfs) or, with --inet, AF_INET: the same program run in
 * a native netns validates what the test expects from xstack.
 *
 *   xs_ping [OPTIONS] A.B.C.D
 *
 *   --inet          AF_INET instead of AF_XSTACK
 *   -c N            echo requests to send (default 1)
 *   -s N            payload bytes after the 8-byte echo header (default 56)
 *   -i MS           pause between requests (default 0)
 *   -W MS           wait for each reply at most MS (default 2000)
 *   --bind A        bind to address A first
 *   --ident N       bind to echo identifier N first (sin_port)
 *   --connect       connect() and use send()/recv()
 *   --recverr       set IP_RECVERR and report the error queue
 *   --expect ENAME  succeed only if an errno named ENAME is reported
 *                   (by sendto/send, recv, or ee_errno of the error queue)
 *   -q              no line per reply
 *
 * Each reply is checked: ICMP echo reply, code 0, a valid ICMP checksum,
 * the identifier the kernel chose (getsockname()'s sin_port, never the
 * bogus one written by the user), the sequence number, the payload, and
 * the sender (the destination). Prints "reply ..." per reply and a final
 * "sent N received N bad N errors N ident N" line; an error prints
 * "errno ENAME via sendto|recv|errqueue ...".
 *
 * Exit: 0 when every request got a good reply (with --expect: when ENAME
 * was reported), 1 otherwise, 2 on usage errors.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "xs_common.h"

#define BOGUS_ID	0xbeef
#define MAX_PAYLOAD	65507

struct opts {
	int family;
	int count;
	int size;
	int interval_ms;
	int wait_ms;
	struct in_addr dst;
	bool has_bind;
	struct in_addr bind;
	int ident;		/* -1: let the kernel choose */
	bool connect;
	bool recverr;
	const char *expect;
	bool quiet;
};

struct stats {
	int sent;
	int received;
	int bad;
	int errors;
	bool expected_seen;
	unsigned short ident;	/* network byte order, from getsockname() */
};

static unsigned char txbuf[sizeof(struct icmphdr) + MAX_PAYLOAD];
static unsigned char rxbuf[sizeof(struct icmphdr) + MAX_PAYLOAD + 1];

static void usage(void)
{
	fprintf(stderr,
		"Usage: xs_ping [--inet] [-c N] [-s N] [-i MS] [-W MS] [--bind A]\n"
		"               [--ident N] [--connect] [--recverr]\n"
		"               [--expect ENAME] [-q] A.B.C.D\n");
	exit(2);
}

static int num(const char *s, int min, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "xs_ping: bad number '%s'\n", s);
		usage();
	}
	return (int)v;
}

static void addr(const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1) {
		fprintf(stderr, "xs_ping: bad address '%s'\n", s);
		usage();
	}
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "inet", no_argument, NULL, 'N' },
		{ "bind", required_argument, NULL, 'B' },
		{ "ident", required_argument, NULL, 'D' },
		{ "connect", no_argument, NULL, 'C' },
		{ "recverr", no_argument, NULL, 'R' },
		{ "expect", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->family = -1;
	o->count = 1;
	o->size = 56;
	o->wait_ms = 2000;
	o->ident = -1;
	while ((c = getopt_long(argc, argv, "c:s:i:W:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'N':
			o->family = AF_INET;
			break;
		case 'c':
			o->count = num(optarg, 1, 1000000);
			break;
		case 's':
			o->size = num(optarg, 0, MAX_PAYLOAD);
			break;
		case 'i':
			o->interval_ms = num(optarg, 0, 60000);
			break;
		case 'W':
			o->wait_ms = num(optarg, 0, 600000);
			break;
		case 'B':
			o->has_bind = true;
			addr(optarg, &o->bind);
			break;
		case 'D':
			o->ident = num(optarg, 1, 65535);
			break;
		case 'C':
			o->connect = true;
			break;
		case 'R':
			o->recverr = true;
			break;
		case 'E':
			o->expect = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	addr(argv[optind], &o->dst);
	if (o->family < 0) {
		o->family = xs_family();
		if (o->family < 0) {
			fprintf(stderr, "xs_ping: xstack not loaded (%s)\n",
				XSTACK_FAMILY_SYSFS);
			exit(1);
		}
	}
}

static const char *ename(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

/* An error was reported: print it, note whether it is the expected one. */
static void report_errno(const struct opts *o, struct stats *st, int err,
			 const char *how, const char *detail)
{
	st->errors++;
	printf("errno %s via %s%s%s\n", ename(err), how, detail ? " " : "",
	       detail ? detail : "");
	if (o->expect && !strcmp(o->expect, ename(err)))
		st->expected_seen = true;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static unsigned short csum(const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static size_t build_echo(const struct opts *o, int seq)
{
	struct icmphdr *h = (struct icmphdr *)txbuf;
	int i;

	memset(h, 0, sizeof(*h));
	h->type = ICMP_ECHO;
	h->un.echo.id = htons(BOGUS_ID);	/* the kernel replaces it */
	h->un.echo.sequence = htons(seq);
	for (i = 0; i < o->size; i++)
		txbuf[sizeof(*h) + i] = (unsigned char)(seq + i);
	return sizeof(*h) + o->size;
}

static int open_socket(const struct opts *o)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, one = 1;

	fd = socket(o->family, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0) {
		printf("errno %s via socket\n", ename(errno));
		exit(1);
	}
	if (o->recverr &&
	    setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one)) < 0) {
		printf("errno %s via setsockopt(IP_RECVERR)\n", ename(errno));
		exit(1);
	}
	if (o->has_bind || o->ident > 0) {
		if (o->has_bind)
			sin.sin_addr = o->bind;
		if (o->ident > 0)
			sin.sin_port = htons(o->ident);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			printf("errno %s via bind\n", ename(errno));
			exit(1);
		}
	}
	return fd;
}

/* The identifier the kernel bound: sin_port of getsockname(). */
static int learn_ident(const struct opts *o, int fd, struct stats *st)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		printf("errno %s via getsockname\n", ename(errno));
		return -1;
	}
	st->ident = sin.sin_port;
	if (o->ident > 0 && ntohs(sin.sin_port) != o->ident) {
		printf("bad: bound identifier %d, getsockname says %u\n",
		       o->ident, ntohs(sin.sin_port));
		st->bad++;
	}
	return 0;
}

static int send_echo(const struct opts *o, int fd, int seq)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = o->dst };
	size_t len = build_echo(o, seq);
	ssize_t n;

	if (o->connect)
		n = send(fd, txbuf, len, 0);
	else
		n = sendto(fd, txbuf, len, 0, (struct sockaddr *)&sin,
			   sizeof(sin));
	if (n < 0)
		return -errno;
	if ((size_t)n != len) {
		printf("bad: sent %zd of %zu bytes\n", n, len);
		return -EIO;
	}
	return 0;
}

/* The error queue: "errno ENAME via errqueue origin O type T code C". */
static void read_errqueue(const struct opts *o, int fd, struct stats *st)
{
	char cbuf[512], detail[160], off[INET_ADDRSTRLEN] = "-";
	struct sock_extended_err *ee = NULL;
	struct sockaddr_in *sin;
	struct msghdr msg = { 0 };
	struct iovec iov = { rxbuf, sizeof(rxbuf) };
	struct cmsghdr *cm;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
		report_errno(o, st, errno, "recvmsg(MSG_ERRQUEUE)", NULL);
		return;
	}
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR)
			ee = (struct sock_extended_err *)CMSG_DATA(cm);
	if (!ee) {
		printf("bad: error queue entry without IP_RECVERR cmsg\n");
		st->bad++;
		return;
	}
	sin = (struct sockaddr_in *)SO_EE_OFFENDER(ee);
	if (sin->sin_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, off, sizeof(off));
	snprintf(detail, sizeof(detail),
		 "origin %u type %u code %u offender %s", ee->ee_origin,
		 ee->ee_type, ee->ee_code, off);
	report_errno(o, st, ee->ee_errno, "errqueue", detail);
}

/* A reply: check it; returns 1 when it answers @seq. */
static int check_reply(const struct opts *o, struct stats *st, size_t n,
		       const struct sockaddr_in *from, int seq)
{
	const struct icmphdr *h = (const struct icmphdr *)rxbuf;
	size_t want = sizeof(*h) + o->size;
	char a[INET_ADDRSTRLEN];
	const char *why = NULL;
	int i;

	inet_ntop(AF_INET, &from->sin_addr, a, sizeof(a));
	if (n < sizeof(*h))
		why = "shorter than an echo header";
	else if (h->type != ICMP_ECHOREPLY || h->code != 0)
		why = "not an echo reply";
	else if (ntohs(h->un.echo.sequence) != seq)
		return 0;	/* a late reply to an earlier request */
	else if (h->un.echo.id != st->ident)
		why = "identifier is not the socket's";
	else if (n != want)
		why = "wrong length";
	else if (csum(rxbuf, n) != 0)
		why = "bad ICMP checksum";
	else if (from->sin_addr.s_addr != o->dst.s_addr)
		why = "from another address";
	for (i = 0; !why && i < o->size; i++)
		if (rxbuf[sizeof(*h) + i] != (unsigned char)(seq + i))
			why = "payload differs";
	if (why) {
		printf("bad reply from %s: %s (type %u code %u id %u seq %u len %zu)\n",
		       a, why, n >= sizeof(*h) ? h->type : 0,
		       n >= sizeof(*h) ? h->code : 0,
		       n >= sizeof(*h) ? ntohs(h->un.echo.id) : 0,
		       n >= sizeof(*h) ? ntohs(h->un.echo.sequence) : 0, n);
		st->bad++;
		return 1;
	}
	st->received++;
	if (!o->quiet)
		printf("reply from %s: id %u seq %d bytes %zu\n", a,
		       ntohs(h->un.echo.id), seq, n);
	return 1;
}

static int read_reply(const struct opts *o, int fd, struct stats *st, int seq)
{
	struct sockaddr_in from = { 0 };
	socklen_t flen = sizeof(from);
	ssize_t n;

	n = recvfrom(fd, rxbuf, sizeof(rxbuf), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &flen);
	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		report_errno(o, st, errno, o->connect ? "recv" : "recvfrom",
			     NULL);
		return 1;
	}
	if (o->connect)
		from.sin_addr = o->dst;	/* not every kernel fills it */
	return check_reply(o, st, n, &from, seq);
}

/* Wait for the reply to @seq (or an error) for at most o->wait_ms. */
static void wait_reply(const struct opts *o, int fd, struct stats *st, int seq)
{
	long deadline = now_ms() + o->wait_ms, left;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n;

	while ((left = deadline - now_ms()) >= 0) {
		n = poll(&pfd, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((pfd.revents & POLLERR) && o->recverr) {
			read_errqueue(o, fd, st);
			return;
		}
		if (read_reply(o, fd, st, seq))
			return;
	}
	if (!o->quiet)
		printf("no reply to seq %d within %d ms\n", seq, o->wait_ms);
}

static void do_connect(const struct opts *o, int fd, struct stats *st)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = o->dst };

	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		report_errno(o, st, errno, "connect", NULL);
		printf("sent 0 received 0 bad 0 errors %d ident 0\n",
		       st->errors);
		exit(st->expected_seen ? 0 : 1);
	}
}

int main(int argc, char **argv)
{
	struct stats st = { 0 };
	struct opts o;
	int fd, seq, err;

	parse_opts(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open_socket(&o);
	if (o.connect)
		do_connect(&o, fd, &st);
	for (seq = 1; seq <= o.count && !st.expected_seen; seq++) {
		if (seq > 1 && o.interval_ms)
			usleep(o.interval_ms * 1000);
		err = send_echo(&o, fd, seq);
		if (err == -EIO) {
			st.bad++;
			continue;
		}
		if (err) {
			report_errno(&o, &st, -err, o.connect ? "send" : "sendto",
				     NULL);
			continue;
		}
		st.sent++;
		if (st.sent == 1 && learn_ident(&o, fd, &st))
			return 1;
		wait_reply(&o, fd, &st, seq);
	}
	printf("sent %d received %d bad %d errors %d ident %u\n", st.sent,
	       st.received, st.bad, st.errors, ntohs(st.ident));
	close(fd);
	if (o.expect)
		return st.expected_seen ? 0 : 1;
	return st.received == o.count && !st.bad && !st.errors ? 0 : 1;
}
