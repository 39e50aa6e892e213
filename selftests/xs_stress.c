// SPDX-License-Identifier: GPL-2.0
/*
 * xs_stress - load generators for the stress and fault suites (stress.sh,
 * faults.sh): many connections, many short connections, many threads on
 * one socket, SO_REUSEPORT listener groups.
 *
 *   xs_stress server FAMILY ADDR PORT [--reuseport N] [--close-after B]
 *   xs_stress hold   FAMILY ADDR PORT N
 *   xs_stress churn  FAMILY ADDR PORT N [--threads T] [--size B]
 *   xs_stress share  FAMILY ADDR PORT BYTES [--threads T]
 *   common options:  [--netns NS] [--timeout SEC]
 *
 * FAMILY: "inet", "xstack" (the number in /sys/module/xstack/parameters/
 * family) or a number; addresses use the sockaddr_in layout.
 *
 * server listens on ADDR:PORT (backlog 4096) and prints "listening PORT".
 * Every byte a connection sends is echoed back; with --close-after B the
 * server closes a connection once it has echoed B bytes (so the server
 * does the active close and holds TIME-WAIT, as a web server does),
 * otherwise when the client's end of file has been echoed. With
 * --reuseport N it runs N listeners in one SO_REUSEPORT group, each in
 * its own thread. On SIGTERM or SIGINT it prints "accepted A B ..." (the
 * connections each listener accepted) and exits 0.
 *
 * hold opens N connections at once (non-blocking connects, at most 512
 * in flight), checks each with a one-byte echo, prints "held N" and keeps
 * them until SIGTERM or SIGINT comes; then it closes them and exits 0.
 *
 * churn makes N short connections from T threads (default 4): connect,
 * send B bytes (default 64), read the echo until the server's end of file
 * (the server runs --close-after B), compare, close. Prints "churn N ok F
 * failed R/s" and exits 1 if any failed.
 *
 * share connects one socket; T writer threads (default 8) send BYTES/T
 * bytes each, every byte of writer i having the value i + 1, in chunks of
 * varying size, while T reader threads receive on the same socket and
 * count the bytes of each value. After the writers, shutdown(SHUT_WR);
 * the readers stop at the echo's end of file. Exit 0 when every value
 * came back exactly as many times as it was sent ("share N ok").
 *
 * Exit: 0 ok, 1 failure, 2 usage, 3 timeout (--timeout SEC, default 300,
 * bounds the whole run), 4 FAMILY has no TCP here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "xs_common.h"

#define MAX_LISTENERS	64
#define MAX_THREADS	64
#define ECHO_BUF	65536
#define HOLD_INFLIGHT	512

static const char *prog = "xs_stress";
static int family;
static struct sockaddr_in target;
static volatile sig_atomic_t stop;

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_stop(int sig)
{
	stop = 1;
}

static void on_alarm(int sig)
{
	static const char msg[] = "xs_stress: timeout\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static int tcp_socket(void)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 && (errno == EAFNOSUPPORT || errno == ESOCKTNOSUPPORT ||
		       errno == EPROTONOSUPPORT)) {
		fprintf(stderr, "%s: family %d has no TCP: %s\n", prog, family,
			strerror(errno));
		exit(4);
	}
	return fd;
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* ---- server ---- */

struct conn {
	int fd;
	size_t len, off;	/* pending echo: buf[off, len) */
	size_t echoed;
	bool eof;
	char buf[ECHO_BUF];
};

struct listener {
	pthread_t thread;
	int fd;
	size_t close_after;
	unsigned long accepted;
};

static void conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* Flush what is pending; false when the connection is done or broken. */
static bool conn_flush(int ep, struct conn *c, size_t close_after)
{
	struct epoll_event ev = { .data.ptr = c };
	ssize_t n;

	while (c->off < c->len) {
		n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return false;
		c->off += n;
		c->echoed += n;
	}
	if (c->off == c->len) {
		c->off = 0;
		c->len = 0;
	}
	if (close_after && c->echoed >= close_after)
		return false;
	if (c->eof && !c->len)
		return false;
	ev.events = c->len ? EPOLLOUT : EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	return true;
}

static bool conn_io(int ep, struct conn *c, size_t close_after)
{
	ssize_t n;

	if (!c->len && !c->eof) {
		n = recv(c->fd, c->buf, sizeof(c->buf), 0);
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n < 0)
			return false;
		if (n == 0)
			c->eof = true;
		c->len = n;
	}
	return conn_flush(ep, c, close_after);
}

static void accept_all(int ep, struct listener *l)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct conn *c;
	int fd;

	while ((fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK |
			     SOCK_CLOEXEC)) >= 0) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		l->accepted++;
	}
}

static void *listener_run(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[256];
	struct listener *l = arg;
	int ep, n, i;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, l->fd, &ev))
		die("epoll_ctl");
	while (!stop) {
		n = epoll_wait(ep, evs, 256, 200);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (!c)
				accept_all(ep, l);
			else if (!conn_io(ep, c, l->close_after))
				conn_close(ep, c);
		}
	}
	return NULL;
}

static int listen_one(bool reuseport)
{
	int fd = tcp_socket(), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		die("SO_REUSEPORT");
	if (bind(fd, (struct sockaddr *)&target, sizeof(target)))
		die("bind");
	if (listen(fd, 4096))
		die("listen");
	set_nonblock(fd);
	if (!target.sin_port) {
		socklen_t len = sizeof(target);

		if (getsockname(fd, (struct sockaddr *)&target, &len))
			die("getsockname");
	}
	return fd;
}

static int run_server(int nlisten, size_t close_after)
{
	static struct listener ls[MAX_LISTENERS];
	int i;

	for (i = 0; i < nlisten; i++) {
		ls[i].fd = listen_one(nlisten > 1);
		ls[i].close_after = close_after;
	}
	printf("listening %u\n", ntohs(target.sin_port));
	fflush(stdout);
	for (i = 0; i < nlisten; i++)
		if (pthread_create(&ls[i].thread, NULL, listener_run, &ls[i]))
			die("pthread_create");
	for (i = 0; i < nlisten; i++)
		pthread_join(ls[i].thread, NULL);
	printf("accepted");
	for (i = 0; i < nlisten; i++)
		printf(" %lu", ls[i].accepted);
	printf("\n");
	return 0;
}

/* ---- clients ---- */

static int connect_blocking(void)
{
	int fd = tcp_socket();

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&target, sizeof(target))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Wait for a non-blocking connect; 0 when it is established. */
static int connect_finish(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&p, 1, 30000) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err;
}

static int echo_byte(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c = 'h';

	if (send(fd, &c, 1, MSG_NOSIGNAL) != 1)
		return -1;
	if (poll(&p, 1, 30000) != 1 || recv(fd, &c, 1, 0) != 1 || c != 'h')
		return -1;
	return 0;
}

static int run_hold(int n)
{
	int *fds = calloc(n, sizeof(int)), i, done = 0, err;

	if (!fds)
		die("calloc");
	for (i = 0; i < n; i++) {
		fds[i] = tcp_socket();
		if (fds[i] < 0)
			die("socket");
		set_nonblock(fds[i]);
		if (connect(fds[i], (struct sockaddr *)&target,
			    sizeof(target)) && errno != EINPROGRESS)
			die("connect");
		if (i - done + 1 < HOLD_INFLIGHT && i + 1 < n)
			continue;
		for (; done <= i; done++) {
			err = connect_finish(fds[done]);
			if (!err)
				err = echo_byte(fds[done]) ? EPROTO : 0;
			if (err) {
				fprintf(stderr, "%s: connection %d: %s\n",
					prog, done, strerror(err));
				return 1;
			}
		}
	}
	printf("held %d\n", n);
	fflush(stdout);
	while (!stop)
		pause();
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

struct churn {
	pthread_t thread;
	int count, size;
	int ok, failed, first_errno;
};

static int churn_once(int size)
{
	struct timeval tv = { .tv_sec = 30 };
	char req[4096], rsp[4096];
	int fd, i, got = 0;
	ssize_t n;

	for (i = 0; i < size; i++)
		req[i] = 'a' + (i + size) % 26;
	fd = connect_blocking();
	if (fd < 0)
		return errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, req, size, MSG_NOSIGNAL) != size)
		goto err;
	while ((n = recv(fd, rsp + got, sizeof(rsp) - got, 0)) > 0)
		got += n;
	if (n < 0 || got != size || memcmp(req, rsp, size)) {
		errno = n < 0 ? errno : EPROTO;
		goto err;
	}
	close(fd);
	return 0;
err:
	i = errno;
	close(fd);
	return i;
}

static void *churn_run(void *arg)
{
	struct churn *c = arg;
	int i, err;

	for (i = 0; i < c->count && !stop; i++) {
		err = churn_once(c->size);
		if (!err) {
			c->ok++;
			continue;
		}
		if (!c->failed++)
			c->first_errno = err;
	}
	return NULL;
}

static int run_churn(int n, int nthreads, int size)
{
	static struct churn cs[MAX_THREADS];
	int i, ok = 0, failed = 0;
	double t0 = now(), dt;

	for (i = 0; i < nthreads; i++) {
		cs[i].count = n / nthreads + (i < n % nthreads);
		cs[i].size = size;
		if (pthread_create(&cs[i].thread, NULL, churn_run, &cs[i]))
			die("pthread_create");
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(cs[i].thread, NULL);
		ok += cs[i].ok;
		failed += cs[i].failed;
		if (cs[i].failed)
			fprintf(stderr, "%s: thread %d: %d failed, first: %s\n",
				prog, i, cs[i].failed,
				strerror(cs[i].first_errno));
	}
	dt = now() - t0;
	printf("churn %d ok %d failed %.0f/s\n", ok, failed, ok / dt);
	return failed || ok != n;
}

struct share {
	pthread_t thread;
	int fd, id;
	size_t bytes;
	unsigned long count[256];
	int err;
};

static void *share_write(void *arg)
{
	struct share *s = arg;
	char buf[16384];
	size_t left = s->bytes, chunk;
	ssize_t n;
	unsigned int seed = s->id;

	memset(buf, s->id + 1, sizeof(buf));
	while (left) {
		chunk = 1 + rand_r(&seed) % sizeof(buf);
		if (chunk > left)
			chunk = left;
		n = send(s->fd, buf, chunk, MSG_NOSIGNAL);
		if (n <= 0) {
			s->err = n < 0 ? errno : EPROTO;
			break;
		}
		left -= n;
	}
	return NULL;
}

static void *share_read(void *arg)
{
	struct share *s = arg;
	unsigned char buf[8192];
	ssize_t n, i;

	while ((n = recv(s->fd, buf, 1 + s->id * 997 % sizeof(buf), 0)) > 0)
		for (i = 0; i < n; i++)
			s->count[buf[i]]++;
	if (n < 0)
		s->err = errno;
	return NULL;
}

static int run_share(size_t bytes, int nthreads)
{
	static struct share w[MAX_THREADS], r[MAX_THREADS];
	unsigned long got;
	int fd, i, j, bad = 0;

	fd = connect_blocking();
	if (fd < 0)
		die("connect");
	for (i = 0; i < nthreads; i++) {
		w[i] = (struct share){ .fd = fd, .id = i,
				       .bytes = bytes / nthreads };
		r[i] = (struct share){ .fd = fd, .id = i };
		if (pthread_create(&w[i].thread, NULL, share_write, &w[i]) ||
		    pthread_create(&r[i].thread, NULL, share_read, &r[i]))
			die("pthread_create");
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i].thread, NULL);
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	for (i = 0; i < nthreads; i++)
		pthread_join(r[i].thread, NULL);
	for (i = 0; i < nthreads; i++) {
		if (w[i].err || r[i].err) {
			fprintf(stderr, "%s: thread %d: %s\n", prog, i,
				strerror(w[i].err ? w[i].err : r[i].err));
			bad = 1;
		}
		for (got = 0, j = 0; j < nthreads; j++)
			got += r[j].count[i + 1];
		if (got != w[i].bytes) {
			fprintf(stderr, "%s: writer %d sent %zu, %lu came back\n",
				prog, i, w[i].bytes, got);
			bad = 1;
		}
	}
	close(fd);
	if (!bad)
		printf("share %zu ok\n", bytes / nthreads * nthreads);
	return bad;
}

/* ---- command line ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: xs_stress server FAMILY ADDR PORT [--reuseport N] [--close-after B]\n"
		"       xs_stress hold   FAMILY ADDR PORT N\n"
		"       xs_stress churn  FAMILY ADDR PORT N [--threads T] [--size B]\n"
		"       xs_stress share  FAMILY ADDR PORT BYTES [--threads T]\n"
		"       common: [--netns NS] [--timeout SEC]\n");
	exit(2);
}

static int parse_family(const char *s)
{
	if (!strcmp(s, "inet"))
		return AF_INET;
	if (!strcmp(s, "xstack")) {
		int f = xs_family();

		if (f < 0) {
			fprintf(stderr, "%s: xstack is not loaded\n", prog);
			exit(4);
		}
		return f;
	}
	return atoi(s);
}

static long num(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*end == 'K')
		v <<= 10, end++;
	else if (*end == 'M')
		v <<= 20, end++;
	if (*end || v < min || v > max)
		usage();
	return v;
}

static void raise_nofile(void)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };

	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = 65536;
		rl.rlim_max = 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	long count = 0, threads = 0, size = 64, reuse = 1, close_after = 0;
	long timeout = 300;
	struct sigaction sa = { .sa_handler = on_stop };
	const char *mode, *netns = NULL;
	char path[512];
	int i;

	if (argc < 5)
		usage();
	mode = argv[1];
	family = parse_family(argv[2]);
	target.sin_family = AF_INET;
	if (inet_pton(AF_INET, argv[3], &target.sin_addr) != 1)
		usage();
	target.sin_port = htons(num(argv[4], 0, 65535));
	i = 5;
	if (strcmp(mode, "server")) {
		if (argc < 6)
			usage();
		count = num(argv[i++], 1, 1L << 40);
	}
	for (; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(a, "--threads"))
			threads = num(v, 1, MAX_THREADS);
		else if (!strcmp(a, "--size"))
			size = num(v, 1, 4096);
		else if (!strcmp(a, "--reuseport"))
			reuse = num(v, 1, MAX_LISTENERS);
		else if (!strcmp(a, "--close-after"))
			close_after = num(v, 1, 1L << 40);
		else if (!strcmp(a, "--netns"))
			netns = v;
		else if (!strcmp(a, "--timeout"))
			timeout = num(v, 1, 86400);
		else
			usage();
		i++;
	}
	if (netns && xs_enter_netns(netns, path, sizeof(path)))
		die(path);
	raise_nofile();
	/* No SA_RESTART: the signal must end pause() and epoll_wait(). */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(timeout);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "server"))
		return run_server(reuse, close_after);
	if (!strcmp(mode, "hold"))
		return run_hold(count);
	if (!strcmp(mode, "churn"))
		return run_churn(count, threads ? threads : 4, size);
	if (!strcmp(mode, "share"))
		return run_share(count, threads ? threads : 8);
	usage();
	return 2;
}
