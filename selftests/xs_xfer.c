// SPDX-License-Identifier: GPL-2.0
/*
 * xs_xfer - one TCP bulk transfer, checked by SHA-256, for the shell
 * selftests (tcp_interop.sh, tcp_cong.sh).
 *
 *   xs_xfer server FAMILY ADDR PORT [--echo] [--reply-delay MS] [--cc NAME]
 *                  [COMMON]
 *   xs_xfer client FAMILY ADDR PORT BYTES [--seed N] [--chunk N]
 *                  [--half-close] [--cc NAME] [--info-file F]
 *                  [--tos N] [--priority N] [--mark N]
 *                  [--max-pacing-rate N] [COMMON]
 *   xs_xfer gen BYTES [--seed N]
 *
 *   COMMON: --timeout SEC  the whole run, at most (default 120)
 *           --idle SEC     no progress for SEC is a timeout (default 30):
 *                          SO_RCVTIMEO, SO_SNDTIMEO and poll() for accept
 *           --netns NS     enter network namespace NS first (a name under
 *                          /run/netns, or a path): cheaper under TCG than
 *                          a process more for `ip netns exec`
 *           --cpu N        run on CPU N only: with both ends on one CPU,
 *                          a veth pair delivers in order (frames sent from
 *                          two CPUs go through two backlogs and can pass
 *                          each other), for captures checked by tshark
 *
 * FAMILY: "inet" (AF_INET), "xstack" (the AF_XSTACK number in force, from
 * /sys/module/xstack/parameters/family) or a number. Addresses use the
 * sockaddr_in layout with sin_family AF_INET.
 *
 * The server binds ADDR:PORT (PORT 0: any), prints "listening PORT",
 * accepts one connection and reads it to end of file, then prints
 * "recv N SHA256". With --echo it then (after MS milliseconds, default 0)
 * sends everything it received back on the half-closed connection and
 * prints "sent N SHA256", and closes.
 *
 * The client connects, sends BYTES bytes (suffix K or M: KiB, MiB) of a
 * deterministic pseudo-random stream (splitmix64 of --seed, default 1;
 * written --chunk bytes at a time, default 65536), shuts down its
 * sending side and prints "sent N SHA256". With --half-close it keeps
 * reading after shutdown(SHUT_WR) until the server's end of file and
 * prints "recv N SHA256" of what came back; otherwise it closes.
 *
 * --cc NAME sets the congestion control with setsockopt(IPPROTO_TCP,
 * TCP_CONGESTION) before connect() (exit 5 when that fails); on the
 * server, before listen(): the connection accepted inherits it (and an
 * algorithm that needs ECN makes the listener grant ECN to an ECT SYN,
 * as dctcp's is). --info-file
 * F samples getsockopt(TCP_INFO) from connect() on, every 20 ms in a
 * thread, until everything sent is acknowledged after shutdown(SHUT_WR)
 * (the transfer ended), appending a line per sample to F:
 *   ms=<since connect> cwnd=<tcpi_snd_cwnd> ssthresh=<tcpi_snd_ssthresh>
 *   ca_state=<tcpi_ca_state> pacing=<tcpi_pacing_rate>
 *   options=<tcpi_options> delivered=<tcpi_delivered>
 *   delivered_ce=<tcpi_delivered_ce> retrans=<tcpi_total_retrans>
 * (one line each, the last one taken at the end). Either option makes
 * the client print "cc=NAME", the congestion control getsockopt(
 * TCP_CONGESTION) reads back at the end of the transfer.
 *
 * --tos N, --priority N, --mark N and --max-pacing-rate N (bytes a
 * second) set IP_TOS, SO_PRIORITY, SO_MARK and SO_MAX_PACING_RATE on the
 * client's socket before connect() (exit 1 when that fails), for tests
 * of qdiscs; N may be hex (0x10003).
 *
 * gen writes the same stream to standard output and prints "sent N
 * SHA256" on standard error: `xs_xfer gen N | sha256sum` checks the
 * SHA-256 code here against coreutils.
 *
 * SHA256 is 64 lowercase hex digits. Errors and timing go to standard
 * error. Exit: 0 ok, 1 error (socket call failed, connection reset, ...),
 * 2 usage, 3 timeout, 4 FAMILY has no TCP here (xstack not loaded, or
 * socket() fails with ESOCKTNOSUPPORT, EAFNOSUPPORT or EPROTONOSUPPORT),
 * 5 setsockopt(TCP_CONGESTION) refused the --cc name.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <linux/tcp.h>	/* struct tcp_info in full: glibc's is older */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "xs_common.h"

#define EXIT_USAGE	2
#define EXIT_TIMEOUT	3
#define EXIT_NOTCP	4
#define EXIT_CC		5
#define INFO_MS		20	/* --info-file: the sampling period */
#define TCP_CA_NAME_MAX	16	/* the kernel's, not in the uapi headers */
#define BUFSZ		(1 << 20)

/* ---------------------------------------------------------------- SHA-256
 * FIPS 180-4, byte-oriented input, big-endian output.
 */
struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed */
	uint8_t buf[64];
	unsigned int fill;	/* bytes in buf */
};

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->fill = 0;
}

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = s->h[0];
	b = s->h[1];
	c = s->h[2];
	d = s->h[3];
	e = s->h[4];
	f = s->h[5];
	g = s->h[6];
	h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
	s->h[5] += f;
	s->h[6] += g;
	s->h[7] += h;
}

static void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t k;

	s->len += n;
	if (s->fill) {
		k = 64 - s->fill < n ? 64 - s->fill : n;
		memcpy(s->buf + s->fill, p, k);
		s->fill += k;
		p += k;
		n -= k;
		if (s->fill < 64)
			return;
		sha256_block(s, s->buf);
		s->fill = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		sha256_block(s, p);
	memcpy(s->buf, p, n);
	s->fill = n;
}

/* Finish into hex (65 bytes with the NUL). */
static void sha256_hex(struct sha256 *s, char *hex)
{
	uint64_t bits = s->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t npad;
	int i;

	npad = (s->fill < 56 ? 56 : 120) - s->fill;
	for (i = 0; i < 8; i++)
		pad[npad + i] = bits >> (56 - 8 * i);
	sha256_update(s, pad, npad + 8);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x",
			(unsigned int)(s->h[i / 4] >> (24 - 8 * (i % 4))) & 0xff);
}

/* ---------------------------------------------------------------- stream
 * splitmix64, each output word little-endian: the byte stream does not
 * depend on how it is cut into chunks.
 */
struct stream {
	uint64_t x;
	uint8_t word[8];
	unsigned int used;	/* bytes of word handed out (start: 8) */
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void stream_fill(struct stream *st, uint8_t *p, size_t n)
{
	uint64_t v;
	int i;

	while (n) {
		if (st->used == 8) {
			v = splitmix64(&st->x);
			for (i = 0; i < 8; i++)
				st->word[i] = v >> (8 * i);
			st->used = 0;
		}
		/* Whole words: the common case. */
		while (st->used == 0 && n >= 8) {
			memcpy(p, st->word, 8);
			p += 8;
			n -= 8;
			v = splitmix64(&st->x);
			for (i = 0; i < 8; i++)
				st->word[i] = v >> (8 * i);
		}
		while (n && st->used < 8) {
			*p++ = st->word[st->used++];
			n--;
		}
	}
}

/* ---------------------------------------------------------------- common */

static const char *prog = "xs_xfer";
static const char *role = "";
static int idle_sec = 30;

static const char *ename(int e)
{
	return strerrorname_np(e) ?: "EUNKNOWN";
}

static void on_alarm(int sig)
{
	static const char msg[] = "xs_xfer: timeout: the whole run took too long\n";

	ssize_t r;

	(void)sig;
	r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)r;
	_exit(EXIT_TIMEOUT);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xs_xfer server FAMILY ADDR PORT [--echo] [--reply-delay MS]\n"
		"                      [--cc NAME] [--timeout SEC] [--idle SEC]\n"
		"                      [--netns NS] [--cpu N]\n"
		"       xs_xfer client FAMILY ADDR PORT BYTES [--seed N] [--chunk N]\n"
		"                      [--half-close] [--cc NAME] [--info-file F]\n"
		"                      [--tos N] [--priority N] [--mark N]\n"
		"                      [--max-pacing-rate N]\n"
		"                      [--timeout SEC] [--idle SEC] [--netns NS]\n"
		"                      [--cpu N]\n"
		"       xs_xfer gen BYTES [--seed N]\n"
		"FAMILY: inet, xstack or a number; BYTES: N, NK or NM\n");
	exit(EXIT_USAGE);
}

/* die_errno WHAT: report errno, exit 3 on a timeout, else 1. */
static void die_errno(const char *what, unsigned long long done)
{
	int e = errno;

	if (e == EAGAIN || e == EWOULDBLOCK) {
		fprintf(stderr, "%s: %s: %s: no progress for %d s after %llu bytes\n",
			prog, role, what, idle_sec, done);
		exit(EXIT_TIMEOUT);
	}
	fprintf(stderr, "%s: %s: %s: %s (%s) after %llu bytes\n", prog, role,
		what, ename(e), strerror(e), done);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long parse_num(const char *s, bool suffix)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (suffix && (*end == 'K' || *end == 'k'))
		mul = 1024, end++;
	else if (suffix && (*end == 'M' || *end == 'm'))
		mul = 1024 * 1024, end++;
	if (*s == '\0' || *s == '-' || *end != '\0' || errno ||
	    v > ~0ULL / mul) {
		fprintf(stderr, "%s: bad number '%s'\n", prog, s);
		usage();
	}
	return v * mul;
}

static int parse_family(const char *s)
{
	if (!strcmp(s, "inet"))
		return AF_INET;
	if (!strcmp(s, "xstack")) {
		int fam = xs_family();

		if (fam < 0) {
			fprintf(stderr, "%s: %s: xstack is not loaded\n", prog, role);
			exit(EXIT_NOTCP);
		}
		return fam;
	}
	return (int)parse_num(s, false);
}

static void parse_addr(struct sockaddr_in *sin, const char *addr,
		       const char *port)
{
	unsigned long long p = parse_num(port, false);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (p > 65535 || inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		fprintf(stderr, "%s: bad address %s port %s\n", prog, addr, port);
		usage();
	}
	sin->sin_port = htons(p);
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "%s: %s: CPU %d: %s\n", prog, role, cpu,
			strerror(errno));
		exit(1);
	}
}

static void enter_netns(const char *ns)
{
	char path[4096];

	if (xs_enter_netns(ns, path, sizeof(path))) {
		fprintf(stderr, "%s: %s: netns %s: %s\n", prog, role, path,
			strerror(errno));
		exit(1);
	}
}

/* A TCP socket of FAMILY with the idle timeouts set. */
static int tcp_socket(int fam)
{
	struct timeval tv = { .tv_sec = idle_sec };
	int fd = socket(fam, SOCK_STREAM, 0);

	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "%s: %s: socket(%d, SOCK_STREAM, 0): %s (%s)\n",
			prog, role, fam, ename(e), strerror(e));
		if (e == ESOCKTNOSUPPORT || e == EAFNOSUPPORT ||
		    e == EPROTONOSUPPORT)
			exit(EXIT_NOTCP);
		exit(1);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		die_errno("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)", 0);
	return fd;
}

/* send_all: the whole buffer, or die. */
static void send_all(int fd, const uint8_t *p, size_t n,
		     unsigned long long *done)
{
	ssize_t r;

	while (n) {
		r = send(fd, p, n, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die_errno("send", *done);
		}
		p += r;
		n -= r;
		*done += r;
	}
}

/*
 * recv_to_eof: read FD until end of file into the hash (and, when KEEP,
 * append it to *keep). Returns the byte count.
 */
static unsigned long long recv_to_eof(int fd, struct sha256 *sha,
				      uint8_t **keep, size_t *keepcap)
{
	unsigned long long done = 0;
	static uint8_t buf[BUFSZ];
	ssize_t r;

	for (;;) {
		r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die_errno("recv", done);
		}
		if (r == 0)
			return done;
		sha256_update(sha, buf, r);
		if (keep) {
			if (done + r > *keepcap) {
				*keepcap = (done + r) * 2;
				*keep = realloc(*keep, *keepcap);
				if (!*keep) {
					fprintf(stderr, "%s: out of memory\n", prog);
					exit(1);
				}
			}
			memcpy(*keep + done, buf, r);
		}
		done += r;
	}
}

static void report(const char *what, unsigned long long n, struct sha256 *sha,
		   double t0)
{
	char hex[65];
	double dt = now() - t0;

	sha256_hex(sha, hex);
	printf("%s %llu %s\n", what, n, hex);
	fflush(stdout);
	fprintf(stderr, "%s: %s: %s %llu bytes in %.2f s (%.1f Mbit/s)\n", prog,
		role, what, n, dt, dt > 0 ? n * 8 / dt / 1e6 : 0.0);
}

/* --------------------------------------------------------------- roles */

struct opts {
	int fam;
	struct sockaddr_in sin;
	unsigned long long bytes;
	uint64_t seed;
	size_t chunk;
	bool echo;
	bool half_close;
	unsigned int reply_delay_ms;
	unsigned int timeout;
	const char *cc;		/* --cc: TCP_CONGESTION before connect() */
	const char *info_file;	/* --info-file: TCP_INFO samples */
	long long tos;		/* --tos: IP_TOS, -1 for none */
	long long priority;	/* --priority: SO_PRIORITY, -1 for none */
	long long mark;		/* --mark: SO_MARK, -1 for none */
	long long pacing;	/* --max-pacing-rate: -1 for none */
};

/* ---------------------------------------------------------------- TCP_INFO
 * The --info-file sampler: a thread appending a line per 20 ms until
 * told to stop.
 */
struct sampler {
	int fd;
	FILE *f;
	double t0;			/* connect() returned */
	pthread_t thread;
	volatile bool stop;
};

/* info_get: TCP_INFO of FD, or die. */
static void info_get(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len))
		die_errno("getsockopt(TCP_INFO)", 0);
}

static void sample(struct sampler *s)
{
	struct tcp_info ti;

	info_get(s->fd, &ti);
	fprintf(s->f,
		"ms=%.0f cwnd=%u ssthresh=%u ca_state=%u pacing=%llu options=%u delivered=%u delivered_ce=%u retrans=%u\n",
		(now() - s->t0) * 1000, ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh,
		ti.tcpi_ca_state, (unsigned long long)ti.tcpi_pacing_rate,
		ti.tcpi_options, ti.tcpi_delivered, ti.tcpi_delivered_ce,
		ti.tcpi_total_retrans);
}

static void *sampler_run(void *arg)
{
	struct sampler *s = arg;

	while (!s->stop) {
		sample(s);
		usleep(INFO_MS * 1000);
	}
	return NULL;
}

static void sampler_start(struct sampler *s, int fd, const char *path,
			  double t0)
{
	int e;

	s->fd = fd;
	s->t0 = t0;
	s->stop = false;
	s->f = fopen(path, "a");
	if (!s->f) {
		fprintf(stderr, "%s: %s: %s: %s\n", prog, role, path,
			strerror(errno));
		exit(1);
	}
	e = pthread_create(&s->thread, NULL, sampler_run, s);
	if (e) {
		fprintf(stderr, "%s: %s: pthread_create: %s\n", prog, role,
			strerror(e));
		exit(1);
	}
}

/*
 * sampler_stop: once everything sent is acknowledged (or after the idle
 * timeout), stop the thread and take the last sample.
 */
static void sampler_stop(struct sampler *s)
{
	struct tcp_info ti;
	double end = now() + idle_sec;

	for (;;) {
		info_get(s->fd, &ti);
		if ((!ti.tcpi_unacked && !ti.tcpi_notsent_bytes) || now() > end)
			break;
		usleep(INFO_MS * 1000 / 2);
	}
	s->stop = true;
	pthread_join(s->thread, NULL);
	sample(s);
	if (fclose(s->f)) {
		fprintf(stderr, "%s: %s: info file: %s\n", prog, role,
			strerror(errno));
		exit(1);
	}
}

/* set_cc: setsockopt(TCP_CONGESTION, CC) unless CC is NULL, or exit 5. */
static void set_cc(int fd, const char *cc)
{
	int e;

	if (!cc || !setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc)))
		return;
	e = errno;
	fprintf(stderr, "%s: %s: setsockopt(TCP_CONGESTION, \"%s\"): %s (%s)\n",
		prog, role, cc, ename(e), strerror(e));
	exit(EXIT_CC);
}

/* set_int: setsockopt(LEVEL, NAME, V) unless V < 0, or exit 1. */
static void set_int(int fd, int level, int name, const char *what,
		    long long v)
{
	int val = (int)v, e;

	if (v < 0 || !setsockopt(fd, level, name, &val, sizeof(val)))
		return;
	e = errno;
	fprintf(stderr, "%s: %s: setsockopt(%s, %lld): %s (%s)\n",
		prog, role, what, v, ename(e), strerror(e));
	exit(1);
}

/* print_cc: "cc=NAME", what getsockopt(TCP_CONGESTION) reads back. */
static void print_cc(int fd)
{
	char name[TCP_CA_NAME_MAX + 1] = "";
	socklen_t len = TCP_CA_NAME_MAX;

	if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len))
		die_errno("getsockopt(TCP_CONGESTION)", 0);
	name[len < TCP_CA_NAME_MAX ? len : TCP_CA_NAME_MAX] = '\0';
	printf("cc=%s\n", name);
	fflush(stdout);
}

static int run_server(struct opts *o)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(o->sin);
	struct pollfd pfd;
	struct sha256 sha;
	uint8_t *keep = NULL;
	size_t keepcap = 0;
	unsigned long long n, sent = 0;
	int one = 1, lfd, fd, r;
	double t0;

	lfd = tcp_socket(o->fam);
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		fprintf(stderr, "%s: %s: SO_REUSEADDR: %s (ignored)\n", prog,
			role, ename(errno));
	set_cc(lfd, o->cc);
	if (bind(lfd, (struct sockaddr *)&o->sin, sizeof(o->sin)))
		die_errno("bind", 0);
	if (listen(lfd, 1))
		die_errno("listen", 0);
	if (getsockname(lfd, (struct sockaddr *)&o->sin, &len))
		die_errno("getsockname", 0);
	printf("listening %u\n", ntohs(o->sin.sin_port));
	fflush(stdout);

	pfd.fd = lfd;
	pfd.events = POLLIN;
	do
		r = poll(&pfd, 1, idle_sec * 1000);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die_errno("poll", 0);
	if (r == 0) {
		fprintf(stderr, "%s: %s: no connection in %d s\n", prog, role,
			idle_sec);
		return EXIT_TIMEOUT;
	}
	len = sizeof(peer);
	fd = accept(lfd, (struct sockaddr *)&peer, &len);
	if (fd < 0)
		die_errno("accept", 0);
	close(lfd);
	t0 = now();

	sha256_init(&sha);
	n = recv_to_eof(fd, &sha, o->echo ? &keep : NULL, &keepcap);
	report("recv", n, &sha, t0);
	if (o->echo) {
		if (o->reply_delay_ms)
			usleep(o->reply_delay_ms * 1000);
		t0 = now();
		sha256_init(&sha);
		sha256_update(&sha, keep, n);
		send_all(fd, keep, n, &sent);
		report("sent", sent, &sha, t0);
		free(keep);
	}
	if (close(fd))
		die_errno("close", n);
	return 0;
}

static int run_client(struct opts *o)
{
	static uint8_t buf[BUFSZ];
	struct stream st = { .x = o->seed, .used = 8 };
	unsigned long long left = o->bytes, done = 0, n;
	struct sampler smp;
	struct sha256 sha;
	size_t k;
	double t0;
	int fd;

	fd = tcp_socket(o->fam);
	set_cc(fd, o->cc);
	set_int(fd, IPPROTO_IP, IP_TOS, "IP_TOS", o->tos);
	set_int(fd, SOL_SOCKET, SO_PRIORITY, "SO_PRIORITY", o->priority);
	set_int(fd, SOL_SOCKET, SO_MARK, "SO_MARK", o->mark);
	set_int(fd, SOL_SOCKET, SO_MAX_PACING_RATE, "SO_MAX_PACING_RATE",
		o->pacing);
	t0 = now();
	while (connect(fd, (struct sockaddr *)&o->sin, sizeof(o->sin))) {
		if (errno == EINTR)
			continue;
		/* connect() timed out by SO_SNDTIMEO says EINPROGRESS. */
		if (errno == EINPROGRESS)
			errno = EAGAIN;
		die_errno("connect", 0);
	}
	if (o->info_file)
		sampler_start(&smp, fd, o->info_file, now());
	sha256_init(&sha);
	while (left) {
		k = left < o->chunk ? left : o->chunk;
		stream_fill(&st, buf, k);
		sha256_update(&sha, buf, k);
		send_all(fd, buf, k, &done);
		left -= k;
	}
	if (shutdown(fd, SHUT_WR))
		die_errno("shutdown(SHUT_WR)", done);
	if (o->info_file)
		sampler_stop(&smp);
	if (o->cc || o->info_file)
		print_cc(fd);
	report("sent", done, &sha, t0);
	if (o->half_close) {
		t0 = now();
		sha256_init(&sha);
		n = recv_to_eof(fd, &sha, NULL, NULL);
		report("recv", n, &sha, t0);
	}
	if (close(fd))
		die_errno("close", done);
	return 0;
}

static int run_gen(struct opts *o)
{
	static uint8_t buf[BUFSZ];
	struct stream st = { .x = o->seed, .used = 8 };
	unsigned long long left = o->bytes;
	struct sha256 sha;
	char hex[65];
	size_t k;

	sha256_init(&sha);
	while (left) {
		k = left < sizeof(buf) ? left : sizeof(buf);
		stream_fill(&st, buf, k);
		sha256_update(&sha, buf, k);
		if (fwrite(buf, 1, k, stdout) != k) {
			fprintf(stderr, "%s: gen: write: %s\n", prog, strerror(errno));
			return 1;
		}
		left -= k;
	}
	if (fflush(stdout)) {
		fprintf(stderr, "%s: gen: write: %s\n", prog, strerror(errno));
		return 1;
	}
	sha256_hex(&sha, hex);
	fprintf(stderr, "sent %llu %s\n", o->bytes, hex);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .seed = 1, .chunk = 65536, .timeout = 120,
			  .tos = -1, .priority = -1, .mark = -1,
			  .pacing = -1 };
	const char *netns = NULL;
	int i, npos, want, cpu = -1;
	char *pos[5];

	if (argc < 2)
		usage();
	role = argv[1];
	if (!strcmp(role, "server"))
		want = 3;
	else if (!strcmp(role, "client"))
		want = 4;
	else if (!strcmp(role, "gen"))
		want = 1;
	else
		usage();

	for (i = 2, npos = 0; i < argc; i++) {
		const char *a = argv[i];
		bool arg = i + 1 < argc;

		if (!strcmp(a, "--echo") && want == 3) {
			o.echo = true;
		} else if (!strcmp(a, "--half-close") && want == 4) {
			o.half_close = true;
		} else if (!strcmp(a, "--cc") && arg && want != 1) {
			o.cc = argv[++i];
		} else if (!strcmp(a, "--info-file") && arg && want == 4) {
			o.info_file = argv[++i];
		} else if (!strcmp(a, "--tos") && arg && want == 4) {
			o.tos = parse_num(argv[++i], false) & 0xff;
		} else if (!strcmp(a, "--priority") && arg && want == 4) {
			o.priority = parse_num(argv[++i], false) & 0xffffffff;
		} else if (!strcmp(a, "--mark") && arg && want == 4) {
			o.mark = parse_num(argv[++i], false) & 0xffffffff;
		} else if (!strcmp(a, "--max-pacing-rate") && arg && want == 4) {
			o.pacing = parse_num(argv[++i], false) & 0x7fffffff;
		} else if (!strcmp(a, "--reply-delay") && arg && want == 3) {
			o.reply_delay_ms = parse_num(argv[++i], false);
		} else if (!strcmp(a, "--seed") && arg && want != 3) {
			o.seed = parse_num(argv[++i], false);
		} else if (!strcmp(a, "--chunk") && arg && want == 4) {
			o.chunk = parse_num(argv[++i], true);
			if (!o.chunk || o.chunk > BUFSZ)
				usage();
		} else if (!strcmp(a, "--timeout") && arg && want != 1) {
			o.timeout = parse_num(argv[++i], false);
		} else if (!strcmp(a, "--idle") && arg && want != 1) {
			idle_sec = parse_num(argv[++i], false);
			if (idle_sec <= 0)
				usage();
		} else if (!strcmp(a, "--netns") && arg && want != 1) {
			netns = argv[++i];
		} else if (!strcmp(a, "--cpu") && arg && want != 1) {
			cpu = parse_num(argv[++i], false);
			if (cpu >= CPU_SETSIZE)
				usage();
		} else if (a[0] == '-' && a[1] == '-') {
			usage();
		} else if (npos < want) {
			pos[npos++] = argv[i];
		} else {
			usage();
		}
	}
	if (npos != want)
		usage();

	if (want == 1) {
		o.bytes = parse_num(pos[0], true);
		return run_gen(&o);
	}
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(o.timeout);
	if (cpu >= 0)
		pin_cpu(cpu);
	if (netns)
		enter_netns(netns);
	o.fam = parse_family(pos[0]);
	parse_addr(&o.sin, pos[1], pos[2]);
	if (want == 3)
		return run_server(&o);
	o.bytes = parse_num(pos[3], true);
	return run_client(&o);
}
