// SPDX-License-Identifier: GPL-2.0
/*
 * xs_fuzz_sys - a seeded syscall fuzzer for sockets of one family, for
 * fuzz_syscalls.sh.
 *
 *   xs_fuzz_sys FAMILY [--seed N] [--seconds S] [--threads T]
 *               [--netns NS]
 *
 * FAMILY: "inet", "xstack" (the number in force) or a number. T threads
 * (default 4) share a table of 32 socket slots and for S seconds
 * (default 10) call at random: socket() of every type and protocol
 * (TCP, UDP, ping and nonsense), close() (racing with the others' calls
 * on the same descriptor), bind(), connect(), listen(), accept4(),
 * send/recv/sendmsg/recvmsg with random flags, addresses and control
 * messages, setsockopt()/getsockopt() with random levels, names, lengths
 * and values (bad pointers too), ioctl(), shutdown(), poll(),
 * getsockname()/getpeername(), sendfile() and splice(). Addresses are
 * this host (10.0.0.1), its peer (10.0.0.2), loopback, broadcast,
 * multicast, zero or random; ports a few fixed ones or random. The seed
 * and the thread number fix each thread's sequence of calls (what the
 * kernel answers may differ from run to run).
 *
 * No call may block for long: sockets are non-blocking, timeouts and
 * SO_LINGER are capped after every setsockopt(), SIGPIPE is ignored.
 *
 * Prints "fuzz_sys: N calls in S s (R/s), seed X, T threads; ok N;
 * errors: EINVAL n, ..." and exits 0; 1 on a usage or set-up error.
 */
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>

#include "xs_common.h"

#define NSLOTS		32
#define NERRNO		134
#define BUF_LEN		65536

static int family;
static unsigned long long seed = 1;
static double seconds = 10;
static int nthreads = 4;
static _Atomic int slots[NSLOTS];
static atomic_ulong ncalls, nok, nerr[NERRNO];
static struct timespec t_end;
static void *bad_ptr;		/* a page that is not mapped */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rn(struct rng *r, unsigned int n)
{
	return n ? rnd(r) % n : 0;
}

#define PICK(r, a) ((a)[rn((r), sizeof(a) / sizeof((a)[0]))])

static int rand_int(struct rng *r)
{
	static const int v[] = { 0, 1, -1, 2, 3, 7, 64, 255, 256, 1400,
				 65535, 65536, 1 << 20, 0x7fffffff,
				 (int)0x80000000 };

	return rn(r, 4) ? PICK(r, v) : (int)rnd(r);
}

static void count(long ret)
{
	atomic_fetch_add(&ncalls, 1);
	if (ret >= 0)
		atomic_fetch_add(&nok, 1);
	else if (errno > 0 && errno < NERRNO)
		atomic_fetch_add(&nerr[errno], 1);
}

static int slot_fd(struct rng *r)
{
	return atomic_load(&slots[rn(r, NSLOTS)]);
}

static void slot_put(struct rng *r, int fd)
{
	int old = atomic_exchange(&slots[rn(r, NSLOTS)], fd);

	if (old >= 0)
		close(old);
}

static socklen_t rand_addr(struct rng *r, struct sockaddr_storage *ss)
{
	static const char *const addrs[] = {
		"10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2", "127.0.0.1",
		"0.0.0.0", "255.255.255.255", "224.0.0.1", "10.0.0.255",
		"10.0.0.9",
	};
	static const uint16_t ports[] = { 9000, 9001, 9002, 7, 0, 80 };
	static const socklen_t lens[] = { sizeof(struct sockaddr_in), 0, 2,
					  8, 15, 128 };
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = rn(r, 10) ? AF_INET : rn(r, 64);
	sin->sin_port = htons(rn(r, 3) ? PICK(r, ports) : rn(r, 65536));
	if (rn(r, 8))
		inet_pton(AF_INET, PICK(r, addrs), &sin->sin_addr);
	else
		sin->sin_addr.s_addr = rnd(r);
	return rn(r, 6) ? sizeof(*sin) : PICK(r, lens);
}

/* Keep later calls from blocking for long, whatever was set. */
static void cap_blocking(int fd)
{
	struct timeval tv = { 0, 20000 };
	struct linger lg = { 1, 0 };
	socklen_t len = sizeof(lg);

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 &&
	    lg.l_onoff && lg.l_linger > 1) {
		lg.l_linger = 1;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void op_socket(struct rng *r)
{
	static const int types[] = { SOCK_STREAM, SOCK_STREAM, SOCK_DGRAM,
				     SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, 0,
				     99 };
	static const int protos[] = { 0, 0, IPPROTO_TCP, IPPROTO_UDP,
				      IPPROTO_ICMP, IPPROTO_RAW, 255 };
	int type = PICK(r, types), fd;

	if (type == SOCK_DGRAM && !rn(r, 3))
		fd = socket(family, type, IPPROTO_ICMP);	/* ping */
	else
		fd = socket(family, type | (rn(r, 4) ? 0 : SOCK_CLOEXEC),
			    PICK(r, protos));
	count(fd);
	if (fd < 0)
		return;
	cap_blocking(fd);
	slot_put(r, fd);
}

static void op_close(struct rng *r)
{
	int old = atomic_exchange(&slots[rn(r, NSLOTS)], -1);

	if (old >= 0)
		count(close(old));
}

static void op_bind_connect(struct rng *r, int fd, bool conn)
{
	struct sockaddr_storage ss;
	socklen_t len = rand_addr(r, &ss);

	if (!rn(r, 50)) {
		count(conn ? connect(fd, bad_ptr, len) : bind(fd, bad_ptr, len));
		return;
	}
	count(conn ? connect(fd, (struct sockaddr *)&ss, len) :
		     bind(fd, (struct sockaddr *)&ss, len));
}

static void op_accept(struct rng *r, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = rn(r, 2) ? sizeof(ss) : rn(r, 20);
	int nfd = accept4(fd, rn(r, 8) ? (struct sockaddr *)&ss : NULL,
			  &len, SOCK_NONBLOCK | (rn(r, 2) ? SOCK_CLOEXEC : 0));

	count(nfd);
	if (nfd >= 0) {
		cap_blocking(nfd);
		slot_put(r, nfd);
	}
}

static int rand_flags(struct rng *r)
{
	static const int f[] = { 0, MSG_PEEK, MSG_TRUNC, MSG_WAITALL,
				 MSG_OOB, MSG_MORE, MSG_ERRQUEUE, MSG_CONFIRM,
				 MSG_DONTROUTE, MSG_EOR, MSG_FASTOPEN };
	int flags = PICK(r, f) | (rn(r, 3) ? 0 : PICK(r, f));

	if (!rn(r, 20))
		flags = (int)rnd(r);
	return flags | MSG_DONTWAIT | MSG_NOSIGNAL;
}

static void op_send_recv(struct rng *r, int fd, char *buf)
{
	size_t len = rn(r, 4) ? rn(r, 2000) : rn(r, BUF_LEN);
	struct sockaddr_storage ss;
	socklen_t alen;

	switch (rn(r, 4)) {
	case 0:
		count(send(fd, buf, len, rand_flags(r)));
		break;
	case 1:
		alen = rand_addr(r, &ss);
		count(sendto(fd, buf, len, rand_flags(r),
			     (struct sockaddr *)&ss, alen));
		break;
	case 2:
		count(recv(fd, rn(r, 50) ? buf : bad_ptr, len, rand_flags(r)));
		break;
	default:
		alen = rn(r, 2) ? sizeof(ss) : rn(r, 20);
		count(recvfrom(fd, buf, len, rand_flags(r),
			       (struct sockaddr *)&ss, &alen));
	}
}

static void op_msg(struct rng *r, int fd, char *buf)
{
	static const int types[] = { IP_TTL, IP_TOS, IP_PKTINFO, IP_RETOPTS,
				     IP_RECVERR, 0, 99 };
	char cbuf[256] __attribute__((aligned(8)));
	struct sockaddr_storage ss;
	struct iovec iov[3] = {
		{ buf, rn(r, 1500) }, { buf + 2000, rn(r, 100) },
		{ buf + 4000, rn(r, 9000) },
	};
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = rn(r, 4) };
	struct cmsghdr *c;

	if (rn(r, 2)) {
		m.msg_name = &ss;
		m.msg_namelen = rand_addr(r, &ss);
	}
	if (rn(r, 3) == 0) {
		for (size_t i = 0; i < sizeof(cbuf); i++)
			cbuf[i] = rnd(r);
		m.msg_control = cbuf;
		m.msg_controllen = rn(r, 2) ? CMSG_SPACE(4) : rn(r, 256);
		c = (struct cmsghdr *)cbuf;
		if (m.msg_controllen >= sizeof(*c) && rn(r, 4)) {
			c->cmsg_level = rn(r, 5) ? SOL_IP : rn(r, 300);
			c->cmsg_type = PICK(r, types);
			c->cmsg_len = rn(r, 4) ? CMSG_LEN(4) : rn(r, 300);
		}
	}
	if (rn(r, 2))
		count(sendmsg(fd, &m, rand_flags(r)));
	else
		count(recvmsg(fd, &m, rand_flags(r)));
}

static void op_sockopt(struct rng *r, int fd, char *buf)
{
	static const int levels[] = { SOL_SOCKET, SOL_SOCKET, SOL_IP, SOL_IP,
				      SOL_TCP, SOL_TCP, IPPROTO_UDP, 255, -1 };
	static const socklen_t lens[] = { 0, 1, 2, 4, 4, 4, 8, 16, 32, 104,
					  256, 4096 };
	int level = PICK(r, levels), name = rn(r, 80);
	socklen_t len = PICK(r, lens);
	void *p = rn(r, 40) ? buf : bad_ptr;
	int v = rand_int(r);

	memcpy(buf, &v, sizeof(v));
	if (!rn(r, 4))
		for (int i = 0; i < 64; i++)
			buf[i] = rnd(r);
	if (rn(r, 2)) {
		count(setsockopt(fd, level, name, p, len));
		cap_blocking(fd);
	} else {
		count(getsockopt(fd, level, name, p, &len));
	}
}

static void op_misc(struct rng *r, int fd, char *buf, int file)
{
	static const unsigned long ioctls[] = {
		SIOCINQ, SIOCOUTQ, SIOCOUTQNSD, FIONBIO, SIOCGSTAMP_OLD,
		SIOCGSTAMPNS_OLD, SIOCGIFADDR, SIOCATMARK, 0x8999,
	};
	struct sockaddr_storage ss;
	socklen_t len = rn(r, 2) ? sizeof(ss) : rn(r, 20);
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
	int pipefd[2], on = 1;

	switch (rn(r, 7)) {
	case 0:
		memset(buf, 0, 64);
		count(ioctl(fd, PICK(r, ioctls), rn(r, 30) ? buf : bad_ptr));
		ioctl(fd, FIONBIO, &on);
		break;
	case 1:
		count(shutdown(fd, rn(r, 4)));
		break;
	case 2:
		count(poll(&pfd, 1, 0));
		break;
	case 3:
		count(getsockname(fd, (struct sockaddr *)&ss, &len));
		break;
	case 4:
		count(getpeername(fd, (struct sockaddr *)&ss, &len));
		break;
	case 5:
		count(listen(fd, rand_int(r)));
		break;
	default:
		if (rn(r, 2)) {
			off_t off = rn(r, 1 << 20);

			count(sendfile(fd, file, &off, rn(r, 200000)));
		} else if (pipe2(pipefd, O_NONBLOCK) == 0) {
			count(splice(fd, NULL, pipefd[1], NULL, rn(r, 70000),
				     SPLICE_F_NONBLOCK));
			close(pipefd[0]);
			close(pipefd[1]);
		}
	}
}

static bool expired(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t_end.tv_sec ||
	       (now.tv_sec == t_end.tv_sec && now.tv_nsec >= t_end.tv_nsec);
}

static void *worker(void *arg)
{
	struct rng r = { seed * 1000003 + (uintptr_t)arg };
	char *buf = malloc(BUF_LEN);
	int file = open("/proc/self/exe", O_RDONLY), fd;

	if (!buf)
		return NULL;
	for (int i = 0; i < BUF_LEN; i++)
		buf[i] = rnd(&r);
	while (!expired()) {
		for (int n = 0; n < 32; n++) {
			unsigned int op = rn(&r, 100);

			if (op < 8) {
				op_socket(&r);
				continue;
			}
			if (op < 12) {
				op_close(&r);
				continue;
			}
			fd = slot_fd(&r);
			if (fd < 0)
				continue;
			if (op < 22)
				op_bind_connect(&r, fd, op >= 16);
			else if (op < 28)
				op_accept(&r, fd);
			else if (op < 45)
				op_send_recv(&r, fd, buf);
			else if (op < 55)
				op_msg(&r, fd, buf);
			else if (op < 80)
				op_sockopt(&r, fd, buf);
			else
				op_misc(&r, fd, buf, file);
		}
	}
	close(file);
	free(buf);
	return NULL;
}

static int parse(int argc, char **argv)
{
	char path[256];

	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "inet"))
		family = AF_INET;
	else if (!strcmp(argv[1], "xstack"))
		family = xs_family();
	else
		family = atoi(argv[1]);
	if (family <= 0)
		return -1;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--threads"))
			nthreads = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--netns")) {
			if (xs_enter_netns(argv[i + 1], path, sizeof(path))) {
				perror(path);
				return -1;
			}
		} else {
			return -1;
		}
	}
	return nthreads > 0 && nthreads <= 64 ? 0 : -1;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	struct timespec t0, t1;
	double spent;

	if (parse(argc, argv)) {
		fprintf(stderr, "usage: xs_fuzz_sys FAMILY [--seed N] [--seconds S] [--threads T] [--netns NS]\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	bad_ptr = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < NSLOTS; i++)
		slots[i] = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t_end = t0;
	t_end.tv_sec += (time_t)seconds;
	t_end.tv_nsec += (long)((seconds - (time_t)seconds) * 1e9);
	if (t_end.tv_nsec >= 1000000000L) {
		t_end.tv_sec++;
		t_end.tv_nsec -= 1000000000L;
	}
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i] >= 0)
			close(slots[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	spent = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("fuzz_sys: %lu calls in %.1f s (%.0f/s), seed %llu, %d threads; ok %lu; errors:",
	       atomic_load(&ncalls), spent, atomic_load(&ncalls) / spent,
	       seed, nthreads, atomic_load(&nok));
	for (int e = 1; e < NERRNO; e++)
		if (atomic_load(&nerr[e]))
			printf(" %s %lu", strerrorname_np(e) ?: "?",
			       atomic_load(&nerr[e]));
	printf("\n");
	return 0;
}
