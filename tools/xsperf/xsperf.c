// SPDX-License-Identifier: GPL-2.0
/*
 * xsperf - one workload generator for any socket family: the same TCP and
 * UDP workloads over AF_INET (the native stack) and AF_XSTACK, so that the
 * two stacks can be compared figure by figure (make bench).
 *
 *   xsperf -s [COMMON] [-B ADDR]
 *   xsperf -c HOST -t WORKLOAD [COMMON] [-d SEC] [-l BYTES] [-P FLOWS] [-R]
 *                  [-n CONNS] [--hold SEC] [--label TEXT]
 *
 *   COMMON: -f FAMILY  inet, xstack (the number in force, read from
 *                      /sys/module/xstack/parameters/family) or a number
 *           -p PORT    TCP and UDP control port (default 5301)
 *           --netns NS enter network namespace NS first (a name under
 *                      /run/netns, or a path)
 *
 * Workloads (-t):
 *   stream  bulk TCP, -P parallel flows (default 1) for -d seconds (default
 *           5); the client sends, or with -R the server sends. Goodput is
 *           what the receiver counted over the time until its count came
 *           back (send) or until end of file (-R).
 *   rr      request/response of -l bytes each way (default 1) on one
 *           connection, TCP_NODELAY: transactions per second and latency
 *           percentiles p50/p90/p99 in microseconds.
 *   crr     connect, 1-byte request, 1-byte response, close, in a loop:
 *           connections per second and latency percentiles. The server
 *           closes first, so TIME-WAIT stays on the server.
 *   udp     -l-byte datagrams (default 64) sent as fast as send() goes for
 *           -d seconds: packets per second sent and received (the server
 *           counts on a fresh UDP socket and reports over TCP).
 *   idle    open -n idle connections (default 1000) and measure the memory
 *           they take: the growth of Slab (and of MemTotal - MemAvailable)
 *           in /proc/meminfo from before the first connect until the
 *           server holds all of them, divided by -n. Both ends of every
 *           connection are in the same kernel when client and server run
 *           in two network namespaces of one machine (as make bench does):
 *           the figure is per connection, both sockets, file, dentry,
 *           inode and epoll entries included; that overhead is the same
 *           for every family. With --hold SEC the connections stay open
 *           SEC seconds after the report (or until SIGTERM/SIGINT).
 *
 * The server serves every workload on one port: each TCP connection starts
 * with a 24-byte control header (struct hdr) that names the workload.
 *
 * Output: one JSON object per run on standard output, one human-readable
 * line on standard error. Exit status: 0 ok, 1 the workload failed (the
 * JSON then has "ok": false and "error"), 2 usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* xs_family(), xs_enter_netns(): shared with the C selftests. */
#include "xs_common.h"

#define HDR_MAGIC	0x78737066	/* "xspf" */
#define BUFSZ		(128 * 1024)
#define IO_TIMEOUT	10		/* seconds without progress: error */

enum op {
	OP_SINK = 1,	/* client sends to EOF, server answers the count */
	OP_SOURCE,	/* server sends for dur_ms, then closes */
	OP_RR,		/* req bytes in, resp bytes out, until EOF */
	OP_CRR,		/* one transaction, server closes */
	OP_IDLE,	/* held by the server until EOF */
	OP_COUNT,	/* server answers how many OP_IDLE it holds */
	OP_UDP,		/* server opens a UDP socket and counts */
};

/* The control header, network byte order. */
struct hdr {
	uint32_t magic;
	uint32_t op;
	uint32_t req;
	uint32_t resp;
	uint32_t dur_ms;
	uint32_t arg;
};

struct opts {
	int family;
	const char *fam_name;
	const char *host;
	const char *bind;
	const char *workload;
	const char *label;
	int port;
	double dur;
	long size;
	int flows;
	bool reverse;
	long conns;
	double hold;
};

static struct opts o = {
	.port = 5301, .dur = 5, .size = -1, .flows = 1, .conns = 1000,
	.fam_name = "inet", .family = AF_INET, .label = "",
};

static struct sockaddr_in peer;
static int stop;		/* set by SIGTERM, SIGINT */

/* ---------------------------------------------------------------- util */

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("xsperf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_family(const char *s)
{
	char *end;
	int fam;

	if (!strcmp(s, "inet"))
		return AF_INET;
	if (!strcmp(s, "xstack")) {
		fam = xs_family();
		if (fam < 0)
			die("xstack is not loaded (no %s)", XSTACK_FAMILY_SYSFS);
		return fam;
	}
	fam = strtol(s, &end, 0);
	if (*end || fam <= 0)
		die("bad family '%s' (inet, xstack or a number)", s);
	return fam;
}

static void enter_netns(const char *ns)
{
	char path[4096];

	if (xs_enter_netns(ns, path, sizeof(path)))
		die("netns %s: %s", path, strerror(errno));
}

static void set_timeouts(int fd, int sec)
{
	struct timeval tv = { .tv_sec = sec };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Read exactly len bytes: 0 ok, -1 error or early EOF (errno set). */
static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = ECONNRESET;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static void raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur >= (rlim_t)want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < (rlim_t)want)
		rl.rlim_max = want;
	if (!setrlimit(RLIMIT_NOFILE, &rl) || getrlimit(RLIMIT_NOFILE, &rl))
		return;
	/* Not privileged: as far as the hard limit goes. */
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < (rlim_t)want)
		fprintf(stderr, "xsperf: RLIMIT_NOFILE below %ld\n", want);
}

/* ---------------------------------------------------------------- output */

/* The JSON object being built for this run. */
static char json[4096];
static size_t json_len;

static void jadd(const char *fmt, ...)
{
	va_list ap;

	if (json_len >= sizeof(json))
		return;
	va_start(ap, fmt);
	json_len += vsnprintf(json + json_len, sizeof(json) - json_len, fmt,
			      ap);
	va_end(ap);
}

static void jstart(void)
{
	json_len = 0;
	jadd("{\"tool\": \"xsperf\", \"workload\": \"%s\", "
	     "\"family\": \"%s\", \"family_nr\": %d, \"peer\": \"%s\", "
	     "\"label\": \"%s\"",
	     o.workload, o.fam_name, o.family, o.host, o.label);
}

/* Finish and print the JSON object; a failure adds "error". */
static int jend(const char *err)
{
	if (err)
		jadd(", \"ok\": false, \"error\": \"%s\"}", err);
	else
		jadd(", \"ok\": true}");
	puts(json);
	fflush(stdout);
	return err ? 1 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Latency samples in nanoseconds. */
struct samples {
	uint64_t *v;
	size_t n, cap;
};

static void sample_add(struct samples *s, uint64_t ns)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 65536;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("out of memory");
	}
	s->v[s->n++] = ns;
}

static double pct_us(struct samples *s, double p)
{
	size_t i;

	if (!s->n)
		return 0;
	i = (size_t)(p / 100 * (s->n - 1) + 0.5);
	return s->v[i] / 1e3;
}

static void jlatency(struct samples *s)
{
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	jadd(", \"lat_us\": {\"p50\": %.1f, \"p90\": %.1f, \"p99\": %.1f, \"max\": %.1f}",
	     pct_us(s, 50), pct_us(s, 90), pct_us(s, 99), pct_us(s, 100));
}

/* ---------------------------------------------------------------- client */

static int tcp_connect(void)
{
	int fd = socket(o.family, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	set_timeouts(fd, IO_TIMEOUT);
	if (connect(fd, (struct sockaddr *)&peer, sizeof(peer))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int send_hdr(int fd, enum op op, uint32_t req, uint32_t resp,
		    uint32_t dur_ms)
{
	struct hdr h = {
		.magic = htonl(HDR_MAGIC), .op = htonl(op), .req = htonl(req),
		.resp = htonl(resp), .dur_ms = htonl(dur_ms),
	};

	return write_full(fd, &h, sizeof(h));
}

static char errbuf[256];

static const char *errf(const char *what)
{
	snprintf(errbuf, sizeof(errbuf), "%s: %s", what, strerror(errno));
	return errbuf;
}

struct flow {
	pthread_t th;
	pthread_barrier_t *bar;
	uint64_t bytes;
	double t0, t1;
	const char *err;
	char errbuf[128];
};

static void *stream_flow(void *arg)
{
	struct flow *f = arg;
	uint64_t cnt = 0;
	char *buf;
	ssize_t n;
	int fd;

	buf = calloc(1, BUFSZ);
	fd = buf ? tcp_connect() : -1;
	if (fd < 0 || send_hdr(fd, o.reverse ? OP_SOURCE : OP_SINK, BUFSZ, 0,
			       o.dur * 1000)) {
		snprintf(f->errbuf, sizeof(f->errbuf), "connect: %s",
			 strerror(errno));
		f->err = f->errbuf;
	}
	pthread_barrier_wait(f->bar);
	if (f->err)
		goto out;
	f->t0 = now();
	if (o.reverse) {
		while ((n = read(fd, buf, BUFSZ)) > 0)
			cnt += n;
		if (n < 0)
			goto fail;
	} else {
		while (now() - f->t0 < o.dur) {
			n = write(fd, buf, BUFSZ);
			if (n < 0 && errno != EINTR)
				goto fail;
		}
		if (shutdown(fd, SHUT_WR) || read_full(fd, &cnt, sizeof(cnt)))
			goto fail;
	}
	f->t1 = now();
	f->bytes = cnt;
	goto out;
fail:
	snprintf(f->errbuf, sizeof(f->errbuf), "transfer: %s",
		 strerror(errno));
	f->err = f->errbuf;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int run_stream(void)
{
	struct flow *fl = calloc(o.flows, sizeof(*fl));
	const char *err = NULL;
	pthread_barrier_t bar;
	double t0 = 0, t1 = 0, mbps;
	uint64_t bytes = 0;
	int i;

	if (!fl)
		die("out of memory");
	pthread_barrier_init(&bar, NULL, o.flows);
	for (i = 0; i < o.flows; i++) {
		fl[i].bar = &bar;
		if (pthread_create(&fl[i].th, NULL, stream_flow, &fl[i]))
			die("pthread_create: %s", strerror(errno));
	}
	for (i = 0; i < o.flows; i++) {
		pthread_join(fl[i].th, NULL);
		if (fl[i].err) {
			err = fl[i].err;
			continue;
		}
		bytes += fl[i].bytes;
		if (!t0 || fl[i].t0 < t0)
			t0 = fl[i].t0;
		if (fl[i].t1 > t1)
			t1 = fl[i].t1;
	}
	mbps = t1 > t0 ? bytes * 8 / (t1 - t0) / 1e6 : 0;
	jstart();
	jadd(", \"dir\": \"%s\", \"flows\": %d, \"duration\": %.3f, "
	     "\"bytes\": %" PRIu64 ", \"mbit_s\": %.2f",
	     o.reverse ? "recv" : "send", o.flows, t1 - t0, bytes, mbps);
	fprintf(stderr, "xsperf: stream %s %s %d flow(s): %.1f Mbit/s "
		"(%" PRIu64 " bytes in %.2f s)\n",
		o.fam_name, o.reverse ? "recv" : "send", o.flows, mbps, bytes,
		t1 - t0);
	free(fl);
	return jend(err);
}

static int run_rr(void)
{
	struct samples s = { 0 };
	const char *err = NULL;
	double t0, t, last;
	long sz = o.size < 0 ? 1 : o.size;
	char *buf = calloc(1, sz ? sz : 1);
	int fd;

	if (!buf)
		die("out of memory");
	fd = tcp_connect();
	if (fd < 0 || send_hdr(fd, OP_RR, sz, sz, 0)) {
		err = errf("connect");
		if (fd >= 0)
			close(fd);
		free(buf);
		jstart();
		return jend(err);
	}
	nodelay(fd);
	t0 = now();
	last = t0;
	while (last - t0 < o.dur) {
		if (write_full(fd, buf, sz) || read_full(fd, buf, sz)) {
			err = errf("transaction");
			break;
		}
		t = now();
		sample_add(&s, (t - last) * 1e9);
		last = t;
	}
	close(fd);
	jstart();
	jadd(", \"size\": %ld, \"duration\": %.3f, \"transactions\": %zu, \"tps\": %.1f",
	     sz, last - t0, s.n, s.n / (last - t0));
	jlatency(&s);
	fprintf(stderr, "xsperf: rr %s %ld bytes: %.1f transactions/s, p50 %.1f us, p99 %.1f us\n",
		o.fam_name, sz, s.n / (last - t0), pct_us(&s, 50),
		pct_us(&s, 99));
	free(buf);
	free(s.v);
	return jend(err);
}

static int run_crr(void)
{
	struct {
		struct hdr h;
		char req;
	} __attribute__((packed)) msg = {
		.h = { .magic = htonl(HDR_MAGIC), .op = htonl(OP_CRR),
		       .req = htonl(1), .resp = htonl(1) },
	};
	struct samples s = { 0 };
	const char *err = NULL;
	double t0, t, last;
	char c;
	int fd;

	t0 = now();
	last = t0;
	while (last - t0 < o.dur) {
		fd = tcp_connect();
		if (fd < 0) {
			err = errf("connect");
			break;
		}
		nodelay(fd);
		if (write_full(fd, &msg, sizeof(msg)) ||
		    read_full(fd, &c, 1)) {
			err = errf("transaction");
			close(fd);
			break;
		}
		/* The server closes first: wait for its FIN. */
		if (read(fd, &c, 1) != 0) {
			errno = EPROTO;
			err = errf("no end of file after the response");
		}
		close(fd);
		if (err)
			break;
		t = now();
		sample_add(&s, (t - last) * 1e9);
		last = t;
	}
	jstart();
	jadd(", \"duration\": %.3f, \"connections\": %zu, \"cps\": %.1f",
	     last - t0, s.n, s.n / (last - t0));
	jlatency(&s);
	fprintf(stderr, "xsperf: crr %s: %.1f connections/s, p50 %.1f us, p99 %.1f us\n",
		o.fam_name, s.n / (last - t0), pct_us(&s, 50), pct_us(&s, 99));
	free(s.v);
	return jend(err);
}

static int run_udp(void)
{
	long sz = o.size < 0 ? 64 : o.size;
	uint64_t sent = 0, errs = 0, got[2];
	struct sockaddr_in dst = peer;
	const char *err = NULL;
	char *buf = calloc(1, sz ? sz : 1);
	double t0, t1 = 0;
	uint16_t port;
	int ctl, fd = -1;
	char c = 0;
	long i;

	if (!buf)
		die("out of memory");
	got[0] = 0;
	got[1] = 0;
	ctl = tcp_connect();
	if (ctl < 0 || send_hdr(ctl, OP_UDP, sz, 0, 0) ||
	    read_full(ctl, &port, sizeof(port))) {
		err = errf("control connection");
		goto out;
	}
	dst.sin_port = port;
	fd = socket(o.family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		err = errf("UDP socket");
		goto out;
	}
	set_timeouts(fd, IO_TIMEOUT);
	t0 = now();
	do {
		for (i = 0; i < 64; i++) {
			if (send(fd, buf, sz, 0) == sz)
				sent++;
			else if (errno == ENOBUFS || errno == EAGAIN ||
				 errno == ECONNREFUSED || errno == EINTR)
				errs++;
			else
				break;
		}
		if (i < 64) {
			err = errf("send");
			break;
		}
		t1 = now();
	} while (t1 - t0 < o.dur);
	if (!t1)
		t1 = now();
	/* Let the receiver drain, then ask for its count. */
	usleep(300000);
	if (!err && (write_full(ctl, &c, 1) ||
		     read_full(ctl, got, sizeof(got))))
		err = errf("control connection");
	jstart();
	jadd(", \"size\": %ld, \"duration\": %.3f, \"sent\": %" PRIu64
	     ", \"send_errors\": %" PRIu64 ", \"received\": %" PRIu64
	     ", \"send_pps\": %.1f, \"recv_pps\": %.1f, \"loss\": %.4f",
	     sz, t1 - t0, sent, errs, got[0], sent / (t1 - t0),
	     got[0] / (t1 - t0), sent ? 1 - (double)got[0] / sent : 0);
	fprintf(stderr, "xsperf: udp %s %ld bytes: sent %.0f pps, received %.0f pps\n",
		o.fam_name, sz, sent / (t1 - t0), got[0] / (t1 - t0));
	close(fd);
	close(ctl);
	free(buf);
	return jend(err);
out:
	if (fd >= 0)
		close(fd);
	if (ctl >= 0)
		close(ctl);
	free(buf);
	jstart();
	return jend(err);
}

/* Slab and MemTotal - MemAvailable of /proc/meminfo, in bytes. */
static void read_meminfo(int64_t *slab, int64_t *used)
{
	char line[256];
	long long v, total = 0, avail = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	*slab = 0;
	*used = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %lld", &v) == 1)
			*slab = v * 1024;
		else if (sscanf(line, "MemTotal: %lld", &v) == 1)
			total = v;
		else if (sscanf(line, "MemAvailable: %lld", &v) == 1)
			avail = v;
	}
	fclose(f);
	*used = (total - avail) * 1024;
}

static long server_held(void)
{
	uint32_t n;
	int fd = tcp_connect();

	if (fd < 0)
		return -1;
	if (send_hdr(fd, OP_COUNT, 0, 0, 0) || read_full(fd, &n, sizeof(n))) {
		close(fd);
		return -1;
	}
	close(fd);
	return ntohl(n);
}

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
}

static int run_idle(void)
{
	int64_t slab0, used0, slab1, used1;
	const char *err = NULL;
	int *fds = calloc(o.conns, sizeof(int));
	long i, n = 0, held = 0, base;
	double t0, t1, dt;

	if (!fds)
		die("out of memory");
	raise_nofile(o.conns + 64);
	/* Warm up the caches one connection would fill, then settle. */
	base = server_held();
	if (base < 0) {
		err = errf("server");
		goto out;
	}
	usleep(500000);
	read_meminfo(&slab0, &used0);
	t0 = now();
	for (n = 0; n < o.conns; n++) {
		fds[n] = tcp_connect();
		if (fds[n] < 0 || send_hdr(fds[n], OP_IDLE, 0, 0, 0)) {
			err = errf("connect");
			if (fds[n] >= 0)
				close(fds[n]);
			break;
		}
	}
	t1 = now();
	/* Until the server holds all of them (at most 30 s). */
	for (i = 0; !err && i < 300; i++) {
		held = server_held();
		if (held >= base + n || held < 0)
			break;
		usleep(100000);
	}
	if (!err && held < base + n) {
		errno = ETIMEDOUT;
		err = errf("the server did not get every connection");
	}
	usleep(500000);
	read_meminfo(&slab1, &used1);
	dt = t1 - t0;
	jstart();
	jadd(", \"connections\": %ld, \"server_held\": %ld, "
	     "\"open_seconds\": %.3f, "
	     "\"open_cps\": %.1f, \"slab_delta\": %" PRId64
	     ", \"used_delta\": %" PRId64 ", \"slab_per_conn\": %.0f, "
	     "\"used_per_conn\": %.0f",
	     n, held - base, dt, dt > 0 ? n / dt : 0, slab1 - slab0, used1 - used0,
	     n ? (double)(slab1 - slab0) / n : 0,
	     n ? (double)(used1 - used0) / n : 0);
	fprintf(stderr, "xsperf: idle %s %ld connections: %.0f bytes of "
		"slab each (%.0f bytes of memory), opened at %.0f/s\n",
		o.fam_name, n, n ? (double)(slab1 - slab0) / n : 0,
		n ? (double)(used1 - used0) / n : 0, dt > 0 ? n / dt : 0);
	i = jend(err);
	/* Held even when the server missed some: they are open here. */
	if (n && o.hold > 0) {
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		t0 = now();
		while (!__atomic_load_n(&stop, __ATOMIC_RELAXED) &&
		       now() - t0 < o.hold)
			usleep(100000);
	}
	while (n > 0)
		close(fds[--n]);
	free(fds);
	return i;
out:
	free(fds);
	jstart();
	return jend(err);
}

/* ---------------------------------------------------------------- server */

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static long held;
static int held_ep;

/* The connections of OP_IDLE: closed at their end of file. */
static void *holder(void *arg)
{
	struct epoll_event ev[64];
	char buf[256];
	int i, n;

	(void)arg;
	for (;;) {
		n = epoll_wait(held_ep, ev, 64, -1);
		for (i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (r > 0 || (r < 0 && errno == EAGAIN))
				continue;
			epoll_ctl(held_ep, EPOLL_CTL_DEL, fd, NULL);
			close(fd);
			pthread_mutex_lock(&held_lock);
			held--;
			pthread_mutex_unlock(&held_lock);
		}
	}
	return NULL;
}

struct conn {
	int fd;
	struct hdr h;
};

static void serve_sink(int fd)
{
	char *buf = malloc(BUFSZ);
	uint64_t cnt = 0;
	ssize_t n;

	if (!buf)
		return;
	while ((n = read(fd, buf, BUFSZ)) > 0)
		cnt += n;
	if (!n)
		write_full(fd, &cnt, sizeof(cnt));
	free(buf);
}

static void serve_source(int fd, uint32_t dur_ms)
{
	char *buf = calloc(1, BUFSZ);
	double t0 = now();

	if (!buf)
		return;
	while ((now() - t0) * 1000 < dur_ms)
		if (write(fd, buf, BUFSZ) < 0 && errno != EINTR)
			break;
	free(buf);
}

static void serve_rr(int fd, uint32_t req, uint32_t resp)
{
	char *buf = calloc(1, req > resp ? req : resp);

	if (!buf)
		return;
	nodelay(fd);
	while (!read_full(fd, buf, req) && !write_full(fd, buf, resp))
		;
	free(buf);
}

static void serve_udp(int ctl)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	uint64_t got[2] = { 0, 0 };
	struct pollfd p[2];
	char *buf = malloc(65536);
	int rcvbuf = 4 << 20;
	ssize_t n;
	int fd;

	fd = socket(o.family, SOCK_DGRAM, 0);
	if (!buf || fd < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (o.bind)
		inet_pton(AF_INET, o.bind, &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) ||
	    write_full(ctl, &a.sin_port, sizeof(a.sin_port)))
		goto out;
	p[0].fd = fd;
	p[0].events = POLLIN;
	p[1].fd = ctl;
	p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, 60000) <= 0)
			goto out;
		while ((n = recv(fd, buf, 65536, MSG_DONTWAIT)) >= 0) {
			got[0]++;
			got[1] += n;
		}
		if (p[1].revents) {
			char c;

			if (read(ctl, &c, 1) != 1)
				goto out;
			while ((n = recv(fd, buf, 65536, MSG_DONTWAIT)) >= 0) {
				got[0]++;
				got[1] += n;
			}
			write_full(ctl, got, sizeof(got));
			goto out;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void *serve(void *arg)
{
	struct conn *c = arg;

	switch (c->h.op) {
	case OP_SINK:
		serve_sink(c->fd);
		break;
	case OP_SOURCE:
		serve_source(c->fd, c->h.dur_ms);
		break;
	case OP_RR:
		serve_rr(c->fd, c->h.req, c->h.resp);
		break;
	case OP_UDP:
		serve_udp(c->fd);
		break;
	}
	close(c->fd);
	free(c);
	return NULL;
}

static void serve_crr(int fd, uint32_t req, uint32_t resp)
{
	char buf[1024];

	if (req > sizeof(buf) || resp > sizeof(buf))
		return;
	nodelay(fd);
	if (!read_full(fd, buf, req))
		write_full(fd, buf, resp);
}

static int run_server(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct epoll_event ev;
	pthread_attr_t attr;
	pthread_t th;
	struct conn *c;
	int one = 1;
	int lfd, fd;
	uint32_t n;

	signal(SIGPIPE, SIG_IGN);
	raise_nofile(1 << 20);
	a.sin_port = htons(o.port);
	if (o.bind && inet_pton(AF_INET, o.bind, &a.sin_addr) != 1)
		die("bad address %s", o.bind);
	lfd = socket(o.family, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket(%s, SOCK_STREAM): %s", o.fam_name, strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4096))
		die("bind/listen port %d: %s", o.port, strerror(errno));
	held_ep = epoll_create1(EPOLL_CLOEXEC);
	if (held_ep < 0)
		die("epoll_create1: %s", strerror(errno));
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&th, &attr, holder, NULL))
		die("pthread_create: %s", strerror(errno));
	printf("xsperf: server %s listening on port %d\n", o.fam_name, o.port);
	fflush(stdout);
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				continue;
			die("accept: %s", strerror(errno));
		}
		set_timeouts(fd, IO_TIMEOUT);
		c = malloc(sizeof(*c));
		if (!c || read_full(fd, &c->h, sizeof(c->h)) ||
		    ntohl(c->h.magic) != HDR_MAGIC) {
			free(c);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->h.op = ntohl(c->h.op);
		c->h.req = ntohl(c->h.req);
		c->h.resp = ntohl(c->h.resp);
		c->h.dur_ms = ntohl(c->h.dur_ms);
		switch (c->h.op) {
		case OP_CRR:
			serve_crr(fd, c->h.req, c->h.resp);
			close(fd);
			free(c);
			break;
		case OP_IDLE:
			ev.events = EPOLLIN | EPOLLRDHUP;
			ev.data.fd = fd;
			free(c);
			pthread_mutex_lock(&held_lock);
			if (epoll_ctl(held_ep, EPOLL_CTL_ADD, fd, &ev))
				close(fd);
			else
				held++;
			pthread_mutex_unlock(&held_lock);
			break;
		case OP_COUNT:
			pthread_mutex_lock(&held_lock);
			n = htonl(held);
			pthread_mutex_unlock(&held_lock);
			write_full(fd, &n, sizeof(n));
			close(fd);
			free(c);
			break;
		case OP_SINK:
		case OP_SOURCE:
		case OP_RR:
		case OP_UDP:
			if (c->h.req > (64 << 20) || c->h.resp > (64 << 20) ||
			    pthread_create(&th, &attr, serve, c)) {
				close(fd);
				free(c);
			}
			break;
		default:
			close(fd);
			free(c);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

static void print_usage(void)
{
	fprintf(stderr,
		"usage: xsperf -s [-f FAMILY] [-p PORT] [-B ADDR] [--netns NS]\n"
		"       xsperf -c HOST -t stream|rr|crr|udp|idle [-f FAMILY] [-p PORT]\n"
		"              [-d SEC] [-l BYTES] [-P FLOWS] [-R] [-n CONNS]\n"
		"              [--hold SEC] [--label TEXT] [--netns NS]\n"
		"  FAMILY: inet, xstack or a number (default inet)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "netns", required_argument, NULL, 'N' },
		{ "hold", required_argument, NULL, 'H' },
		{ "label", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool server = false;
	const char *netns = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "sc:f:p:B:t:d:l:P:Rn:h", lopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			server = true;
			break;
		case 'c':
			o.host = optarg;
			break;
		case 'f':
			o.fam_name = optarg;
			break;
		case 'p':
			o.port = atoi(optarg);
			break;
		case 'B':
			o.bind = optarg;
			break;
		case 't':
			o.workload = optarg;
			break;
		case 'd':
			o.dur = atof(optarg);
			break;
		case 'l':
			o.size = atol(optarg);
			break;
		case 'P':
			o.flows = atoi(optarg);
			break;
		case 'R':
			o.reverse = true;
			break;
		case 'n':
			o.conns = atol(optarg);
			break;
		case 'N':
			netns = optarg;
			break;
		case 'H':
			o.hold = atof(optarg);
			break;
		case 'L':
			o.label = optarg;
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc || server == !!o.host || o.port <= 0 ||
	    o.port > 65535 || o.dur <= 0 || o.flows < 1 || o.flows > 1024 ||
	    o.conns < 1 || o.size > (16 << 20))
		print_usage();
	if (netns)
		enter_netns(netns);
	o.family = parse_family(o.fam_name);
	if (server)
		return run_server();
	signal(SIGPIPE, SIG_IGN);
	if (!o.workload)
		print_usage();
	peer.sin_family = AF_INET;
	peer.sin_port = htons(o.port);
	if (inet_pton(AF_INET, o.host, &peer.sin_addr) != 1)
		die("bad address %s (dotted quad)", o.host);
	if (!strcmp(o.workload, "stream"))
		return run_stream();
	if (!strcmp(o.workload, "rr"))
		return run_rr();
	if (!strcmp(o.workload, "crr"))
		return run_crr();
	if (!strcmp(o.workload, "udp"))
		return run_udp();
	if (!strcmp(o.workload, "idle"))
		return run_idle();
	print_usage();
	return 2;
}
