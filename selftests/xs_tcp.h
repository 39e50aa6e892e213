/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differential TCP suite (tcp.c): the topology, variants and helpers
 * of xs_udp.h with a fixture named "tcp" (TEST_F(tcp, ...) runs on the
 * variants inet and xstack), plus what TCP tests need:
 *
 *   listeners and connected pairs: over 10.0.0.1 (both ends of the stack
 *   under test), to the native peer (xt_pair_out) and from it
 *   (xt_pair_in);
 *   stream I/O with deadlines, a position-dependent byte pattern and a
 *   single-threaded pump that moves data both ways at once and checks it;
 *   TCP_INFO and the TCP states as it reports them;
 *   path impairments: tc (netem, a u32 filter that drops what goes to one
 *   port) on veth0's egress, local or peer, and veth0's MTU. The fixture
 *   undoes them at teardown and clears leftovers at setup (a test killed
 *   by its timeout has no teardown).
 */
#ifndef XS_TCP_H
#define XS_TCP_H

#define XU_FIXTURE	tcp
#define XU_SOCK_TYPE	SOCK_STREAM
#define XU_PROTO_NAME	"TCP"
#define XU_FIXTURE_EXTRA						\
	bool tc[2];		/* veth0 got a root qdisc: local, peer */	\
	bool mtu[2];		/* veth0's MTU was changed: local, peer */

#include "xs_common.h"
#include "kselftest_harness.h"

FIXTURE_DATA(tcp);
static void xt_setup_hook(FIXTURE_DATA(tcp) *self);
static void xt_teardown_hook(FIXTURE_DATA(tcp) *self);
#define XU_SETUP_HOOK		xt_setup_hook
#define XU_TEARDOWN_HOOK	xt_teardown_hook

#include "xs_udp.h"

#include <linux/pkt_sched.h>
#include <linux/tcp.h>
#include <netinet/ip.h>
#include <stdint.h>

#ifndef SOL_TCP
#define SOL_TCP		IPPROTO_TCP
#endif
#ifndef SOL_UDP
#define SOL_UDP		IPPROTO_UDP
#endif

#define XT_WAIT_MS	5000	/* for what must happen (TCG is slow) */
#define XT_QUIET_MS	200	/* for what must not happen */
#define XT_MTU		1500
/* MSS over a 1500-byte MTU: 1460 in the SYN, 1448 with timestamps. */
#define XT_MSS_SYN	1460
#define XT_MSS		1448

/* TCP option kinds. */
enum {
	XT_OPT_EOL, XT_OPT_NOP, XT_OPT_MSS, XT_OPT_WS, XT_OPT_SACKOK,
	XT_OPT_SACK, XT_OPT_TS = 8,
};

/* TCP states as TCP_INFO reports them (include/net/tcp_states.h). */
enum {
	XT_ESTABLISHED = 1, XT_SYN_SENT, XT_SYN_RECV, XT_FIN_WAIT1,
	XT_FIN_WAIT2, XT_TIME_WAIT, XT_CLOSE, XT_CLOSE_WAIT, XT_LAST_ACK,
	XT_LISTEN, XT_CLOSING,
};

/* ------------------------------------------------------------ sockets */

static inline int xt_sock(FIXTURE_DATA(tcp) *self)
{
	return socket(self->family, SOCK_STREAM, 0);
}

static inline int xt_peer_sock(FIXTURE_DATA(tcp) *self)
{
	return xu_peer_socket(self, SOCK_STREAM, 0);
}

/* SO_REUSEADDR, bind addr:port and listen: 0 or errno. */
static inline int xt_listen_at(int fd, const char *addr, int port,
			       int backlog)
{
	int err;

	if (fd < 0)
		return EBADF;
	err = xu_setint(fd, SOL_SOCKET, SO_REUSEADDR, 1) ?:
	      xu_bind(fd, addr, port);
	if (!err && listen(fd, backlog))
		err = errno;
	return err;
}

/* A listening socket on addr:port, or -1; fd is closed on failure. */
static inline int xt_listen_fd(int fd, const char *addr, int port)
{
	if (fd >= 0 && xt_listen_at(fd, addr, port, 128)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A listener of the stack under test on 10.0.0.1:port. */
static inline int xt_listener(FIXTURE_DATA(tcp) *self, int port)
{
	return xt_listen_fd(xt_sock(self), XU_LOCAL, port);
}

/* A native listener of the peer on 10.0.0.2:port. */
static inline int xt_peer_listener(FIXTURE_DATA(tcp) *self, int port)
{
	return xt_listen_fd(xt_peer_sock(self), XU_PEER, port);
}

/* accept() within ms: the new fd, or -1 (errno ETIMEDOUT: none came). */
static inline int xt_accept(int lfd, int ms)
{
	if (!(xu_poll(lfd, POLLIN, ms) & POLLIN)) {
		errno = ETIMEDOUT;
		return -1;
	}
	return accept(lfd, NULL, NULL);
}

/* c connects to addr:port, where l listens; *a: accepted. 0 or errno. */
static inline int xt_join(int c, int l, const char *addr, int port, int *a)
{
	int err;

	*a = -1;
	if (c < 0 || l < 0)
		return EBADF;
	err = xu_connect(c, addr, port);
	if (err)
		return err;
	*a = xt_accept(l, XT_WAIT_MS);
	return *a < 0 ? errno : 0;
}

/* Two sockets of the stack under test over 10.0.0.1:port: c and s. */
static inline int xt_pair(FIXTURE_DATA(tcp) *self, int port, int *c, int *s)
{
	int l = xt_listener(self, port), err;

	*c = xt_sock(self);
	err = xt_join(*c, l, XU_LOCAL, port, s);
	if (l >= 0)
		close(l);
	return err;
}

/* Ours (*l) connected to the native peer's 10.0.0.2:port (*p). */
static inline int xt_pair_out(FIXTURE_DATA(tcp) *self, int port, int *l,
			      int *p)
{
	int pl = xt_peer_listener(self, port), err;

	*l = xt_sock(self);
	err = xt_join(*l, pl, XU_PEER, port, p);
	if (pl >= 0)
		close(pl);
	return err;
}

/* The native peer (*p) connected to our 10.0.0.1:port (*l, accepted). */
static inline int xt_pair_in(FIXTURE_DATA(tcp) *self, int port, int *l,
			     int *p)
{
	int ll = xt_listener(self, port), err;

	*p = xt_peer_sock(self);
	err = xt_join(*p, ll, XU_LOCAL, port, l);
	if (ll >= 0)
		close(ll);
	return err;
}

static inline void xt_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static inline int xt_nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ? errno : 0;
}

/* An ioctl that returns an int (SIOCINQ, SIOCOUTQ, ...); -1 and errno. */
static inline int xt_ioctl(int fd, unsigned long req)
{
	int val = 0;

	return ioctl(fd, req, &val) ? -1 : val;
}

/* ------------------------------------------------------------ TCP_INFO */

/* TCP_INFO of fd; tcpi_state 0 when getsockopt failed. */
static inline struct tcp_info xt_info(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, SOL_TCP, TCP_INFO, &ti, &len))
		memset(&ti, 0, sizeof(ti));
	return ti;
}

static inline int xt_state(int fd)
{
	return xt_info(fd).tcpi_state;
}

/* Wait up to ms for fd to reach TCP state st; the last state seen. */
static inline int xt_wait_state(int fd, int st, int ms)
{
	double end = xu_now() + ms / 1e3;
	int now;

	while ((now = xt_state(fd)) != st && xu_now() < end)
		usleep(5000);
	return now;
}

/* Wait up to ms for an ioctl (SIOCOUTQ, ...) to read val; the last read. */
static inline int xt_wait_ioctl(int fd, unsigned long req, int val, int ms)
{
	double end = xu_now() + ms / 1e3;
	int now;

	while ((now = xt_ioctl(fd, req)) != val && xu_now() < end)
		usleep(5000);
	return now;
}

/* ------------------------------------------------------------ data */

/* The stream pattern: the byte at offset off of a stream. */
static inline unsigned char xt_pat(size_t off)
{
	return (unsigned char)(off * 7 + (off >> 9) * 13 + (off >> 17));
}

static inline void xt_fill(void *buf, size_t len, size_t off)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = xt_pat(off + i);
}

/* Index of the first byte not in pattern (stream offset off), or len. */
static inline ssize_t xt_check(const void *buf, size_t len, size_t off)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != xt_pat(off + i))
			break;
	return i;
}

/*
 * Send len bytes of pattern from stream offset off, waiting up to ms in
 * all: the bytes sent (fewer on timeout or error, errno then set).
 */
static inline ssize_t xt_send_pat(int fd, size_t len, size_t off, int ms)
{
	static unsigned char buf[65536];
	double end = xu_now() + ms / 1e3;
	size_t done = 0, chunk;
	ssize_t n;

	while (done < len) {
		chunk = len - done < sizeof(buf) ? len - done : sizeof(buf);
		xt_fill(buf, chunk, off + done);
		n = send(fd, buf, chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			break;
		if (xu_now() > end) {
			errno = ETIMEDOUT;
			break;
		}
		xu_poll(fd, POLLOUT, 100);
	}
	return done;
}

/*
 * Receive len bytes, checking the pattern from stream offset off, waiting
 * up to ms in all: the bytes that arrived in pattern. Stops early on EOF
 * (errno ENODATA), a wrong byte (EILSEQ), an error or the timeout.
 */
static inline ssize_t xt_recv_pat(int fd, size_t len, size_t off, int ms)
{
	static unsigned char buf[65536];
	double end = xu_now() + ms / 1e3;
	size_t done = 0, chunk, good;
	ssize_t n;

	while (done < len) {
		chunk = len - done < sizeof(buf) ? len - done : sizeof(buf);
		n = recv(fd, buf, chunk, MSG_DONTWAIT);
		if (n > 0) {
			good = xt_check(buf, n, off + done);
			done += good;
			if (good < (size_t)n) {
				errno = EILSEQ;
				break;
			}
			continue;
		}
		if (n == 0) {
			errno = ENODATA;
			break;
		}
		if (errno != EAGAIN)
			break;
		if (xu_now() > end) {
			errno = ETIMEDOUT;
			break;
		}
		xu_poll(fd, POLLIN, 100);
	}
	return done;
}

/* Receive exactly len bytes within ms: the bytes received. */
static inline ssize_t xt_recv_n(int fd, void *buf, size_t len, int ms)
{
	double end = xu_now() + ms / 1e3;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = recv(fd, (char *)buf + done, len - done, MSG_DONTWAIT);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n == 0 || errno != EAGAIN || xu_now() > end)
			break;
		xu_poll(fd, POLLIN, 100);
	}
	return done;
}

/* Read until EOF within ms: bytes read before it, or -1 (errno). */
static inline ssize_t xt_drain_eof(int fd, int ms)
{
	static char buf[65536];
	double end = xu_now() + ms / 1e3;
	ssize_t n, total = 0;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return total;
		if (n > 0) {
			total += n;
			continue;
		}
		if (errno != EAGAIN)
			return -1;
		if (xu_now() > end) {
			errno = ETIMEDOUT;
			return -1;
		}
		xu_poll(fd, POLLIN, 100);
	}
}

/* One direction of a pumped transfer. */
struct xt_flow {
	int from, to;		/* sending and receiving socket */
	size_t len;		/* bytes to move */
	size_t sent, rcvd;	/* so far (rcvd: arrived in pattern) */
	int err;		/* what stopped it: errno, EILSEQ, ENODATA */
};

/* Move what one flow can without blocking; 0, or the errno that stops it. */
static inline int xt_flow_step(struct xt_flow *f, short out, short in)
{
	static unsigned char buf[65536];
	size_t chunk, good;
	ssize_t n;

	if (f->sent < f->len && (out & (POLLOUT | POLLERR | POLLHUP))) {
		chunk = f->len - f->sent;
		chunk = chunk < sizeof(buf) ? chunk : sizeof(buf);
		xt_fill(buf, chunk, f->sent);
		n = send(f->from, buf, chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN)
			return errno;
		f->sent += n > 0 ? n : 0;
	}
	if (f->rcvd < f->len && (in & (POLLIN | POLLERR | POLLHUP))) {
		chunk = f->len - f->rcvd;
		chunk = chunk < sizeof(buf) ? chunk : sizeof(buf);
		n = recv(f->to, buf, chunk, MSG_DONTWAIT);
		if (n == 0)
			return ENODATA;
		if (n < 0)
			return errno == EAGAIN ? 0 : errno;
		good = xt_check(buf, n, f->rcvd);
		f->rcvd += good;
		if (good < (size_t)n)
			return EILSEQ;
	}
	return 0;
}

/*
 * Run nf flows at once (for instance both directions of a connection)
 * until all arrived, one fails or ms passed: 0 when all arrived, else the
 * first error (ETIMEDOUT at the deadline). Single-threaded: poll(2).
 */
static inline int xt_pump(struct xt_flow *f, int nf, int ms)
{
	double end = xu_now() + ms / 1e3;
	struct pollfd p[8];
	int i, left;

	for (i = 0; i < nf; i++) {
		f[i].sent = 0;
		f[i].rcvd = 0;
		f[i].err = 0;
	}
	for (;;) {
		left = 0;
		for (i = 0; i < nf; i++) {
			p[2 * i].fd = f[i].from;
			p[2 * i].events = f[i].sent < f[i].len ? POLLOUT : 0;
			p[2 * i + 1].fd = f[i].to;
			p[2 * i + 1].events = f[i].rcvd < f[i].len ? POLLIN : 0;
			left += f[i].rcvd < f[i].len;
		}
		if (!left)
			return 0;
		if (xu_now() > end)
			break;
		if (poll(p, 2 * nf, 100) < 0)
			return errno;
		for (i = 0; i < nf; i++) {
			f[i].err = xt_flow_step(&f[i], p[2 * i].revents,
						p[2 * i + 1].revents);
			if (f[i].err)
				return f[i].err;
		}
	}
	for (i = 0; i < nf; i++)
		if (f[i].rcvd < f[i].len)
			f[i].err = ETIMEDOUT;
	return ETIMEDOUT;
}

/* len bytes a -> b and len bytes b -> a at once: 0 or an errno. */
static inline int xt_both_ways(int a, int b, size_t len, int ms,
			       struct xt_flow f[2])
{
	f[0] = (struct xt_flow){ .from = a, .to = b, .len = len };
	f[1] = (struct xt_flow){ .from = b, .to = a, .len = len };
	return xt_pump(f, 2, ms);
}

/*
 * Fill the send path of fd: MSG_DONTWAIT until EAGAIN, again after a
 * pause, until a pause frees nothing (the receiver's queue can still be
 * collapsed, ACKs still be in flight). Returns at EAGAIN: the bytes
 * queued, in pattern from stream offset off.
 */
static inline ssize_t xt_fill_up(int fd, size_t off)
{
	ssize_t total = 0, n, got;
	int round;

	for (round = 0; round < 20; round++) {
		if (round)
			usleep(200000);
		got = 0;
		do {
			n = xt_send_pat(fd, 65536, off + total, 0);
			total += n;
			got += n;
		} while (n > 0 && total < (256 << 20));
		if (round && !got)
			break;
	}
	return total;
}

/* ------------------------------------------------------------ tc, MTU */

/*
 * Run "tc ARGS" (ARGS split at spaces) in the local or the peer netns and
 * remember to remove veth0's root qdisc at teardown: tc's exit status.
 */
static inline int xt_tc(FIXTURE_DATA(tcp) *self, bool peer, const char *args)
{
	char buf[512], *argv[40], *save = NULL, *t;
	int n = 0, st;
	pid_t pid;

	snprintf(buf, sizeof(buf), "%s", args);
	argv[n++] = "tc";
	for (t = strtok_r(buf, " ", &save); t && n < 39;
	     t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	argv[n] = NULL;
	self->tc[peer] = true;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (xu_setns(peer ? self->pns : self->lns))
			_exit(126);
		dup2(2, 1);
		execvp("tc", argv);
		execv("/usr/sbin/tc", argv);
		execv("/sbin/tc", argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* netem on veth0's egress, local or peer: "delay 5ms loss 5%", ... */
static inline int xt_netem(FIXTURE_DATA(tcp) *self, bool peer,
			   const char *params)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "qdisc add dev veth0 root netem %s",
		 params);
	return xt_tc(self, peer, cmd);
}

/*
 * Drop every packet the local host sends to TCP/UDP port `port` (of any
 * destination) on veth0: a prio qdisc with a u32 filter. ARP and other
 * ports are not affected.
 */
static inline int xt_drop_dport(FIXTURE_DATA(tcp) *self, int port)
{
	char cmd[256];
	int err;

	err = xt_tc(self, false, "qdisc add dev veth0 root handle 1: prio");
	if (err)
		return err;
	snprintf(cmd, sizeof(cmd),
		 "filter add dev veth0 parent 1: protocol ip prio 1 u32 match ip dport %d 0xffff action drop",
		 port);
	return xt_tc(self, false, cmd);
}

/* Delete veth0's root qdisc in the current netns (rtnetlink): 0 or errno. */
static inline int xt_qdisc_del(void)
{
	struct xu_nlreq r = {};
	struct nlmsghdr *h = (struct nlmsghdr *)r.buf;
	struct tcmsg tcm = {
		.tcm_family = AF_UNSPEC,
		.tcm_ifindex = if_nametoindex("veth0"),
		.tcm_parent = TC_H_ROOT,
	};

	if (!tcm.tcm_ifindex)
		return ENODEV;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(tcm));
	h->nlmsg_type = RTM_DELQDISC;
	memcpy(NLMSG_DATA(h), &tcm, sizeof(tcm));
	return xu_rtnl(h);
}

/* Set the MTU of veth0 in the current netns: 0 or errno. */
static inline int xt_mtu_here(int mtu)
{
	struct ifreq ifr = { .ifr_mtu = mtu };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "veth0");
	if (ioctl(fd, SIOCSIFMTU, &ifr) < 0)
		err = errno;
	close(fd);
	return err;
}

/* veth0's MTU, local or peer side (restored to 1500 at teardown). */
static inline int xt_set_mtu(FIXTURE_DATA(tcp) *self, bool peer, int mtu)
{
	int err;

	self->mtu[peer] = true;
	if (!peer)
		return xt_mtu_here(mtu);
	if (xu_setns(self->pns))
		return errno;
	err = xt_mtu_here(mtu);
	if (xu_setns(self->lns))
		abort();
	return err;
}

/* Undo impairments, in both netns; back in the local one after. */
static inline void xt_unimpair(FIXTURE_DATA(tcp) *self, bool all)
{
	int i, ns[2] = { self->lns, self->pns };

	for (i = 0; i < 2; i++) {
		if (!all && !self->tc[i] && !self->mtu[i])
			continue;
		if (xu_setns(ns[i]))
			continue;
		if (all || self->tc[i])
			xt_qdisc_del();
		if (all || self->mtu[i])
			xt_mtu_here(XT_MTU);
	}
	if (xu_setns(self->lns))
		abort();
}

static void xt_setup_hook(FIXTURE_DATA(tcp) *self)
{
	xt_unimpair(self, true);
}

static void xt_teardown_hook(FIXTURE_DATA(tcp) *self)
{
	xt_unimpair(self, false);
}

/* ------------------------------------------------------------ wire */

/* A TCP segment as the peer's raw socket received it. */
struct xt_seg {
	struct iphdr ip;
	struct tcphdr th;
	unsigned char opt[40];
	int optlen;
	int payload;		/* TCP payload bytes */
};

/*
 * The next segment the peer receives from 10.0.0.1:sport within ms (raw:
 * an AF_INET SOCK_RAW IPPROTO_TCP socket of the peer): 0, or ETIMEDOUT.
 */
static inline int xt_raw_next(int raw, int sport, int ms, struct xt_seg *s)
{
	unsigned char pkt[2048];
	double end = xu_now() + ms / 1e3;
	ssize_t n;
	int ihl, doff;

	for (;;) {
		if (!(xu_poll(raw, POLLIN, (end - xu_now()) * 1e3 + 1) &
		      POLLIN))
			return ETIMEDOUT;
		n = recv(raw, pkt, sizeof(pkt), MSG_DONTWAIT);
		if (n < (ssize_t)sizeof(struct iphdr))
			continue;
		memcpy(&s->ip, pkt, sizeof(s->ip));
		ihl = s->ip.ihl * 4;
		if (n < ihl + (ssize_t)sizeof(struct tcphdr) ||
		    s->ip.saddr != xu_a(XU_LOCAL))
			continue;
		memcpy(&s->th, pkt + ihl, sizeof(s->th));
		doff = s->th.doff * 4;
		if (ntohs(s->th.source) != sport || n < ihl + doff)
			continue;
		s->optlen = doff - (int)sizeof(struct tcphdr);
		memcpy(s->opt, pkt + ihl + sizeof(struct tcphdr), s->optlen);
		s->payload = ntohs(s->ip.tot_len) - ihl - doff;
		return 0;
	}
}

/*
 * The TCP option `kind` of a segment: its length (the bytes after kind and
 * length are copied to val), or -1 when absent.
 */
static inline int xt_seg_opt(const struct xt_seg *s, int kind,
			     unsigned char *val)
{
	int i = 0, len;

	while (i < s->optlen) {
		if (s->opt[i] == XT_OPT_EOL)
			break;
		if (s->opt[i] == XT_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= s->optlen)
			break;
		len = s->opt[i + 1];
		if (len < 2 || i + len > s->optlen)
			break;
		if (s->opt[i] == kind) {
			if (val)
				memcpy(val, &s->opt[i + 2], len - 2);
			return len;
		}
		i += len;
	}
	return -1;
}

#endif /* XS_TCP_H */
