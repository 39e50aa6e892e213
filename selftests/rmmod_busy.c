// SPDX-License-Identifier: GPL-2.0
/*
 * Open AF_XSTACK sockets pin the module: while one exists, rmmod fails
 * ("in use"; delete_module(2) returns EWOULDBLOCK, the kernel's answer for
 * a module whose reference count is not zero) and the module stays; once
 * every socket is closed, rmmod succeeds.
 *
 * The first socket type xstack can create is used: SOCK_DGRAM/IPPROTO_ICMP
 * (ping), SOCK_DGRAM (UDP), SOCK_STREAM (TCP). While xstack implements
 * none of them the test is skipped, saying so.
 *
 * Loads xstack (XSTACK_KO, else modprobe) if needed; leaves it unloaded.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "xs_common.h"
#include "kselftest_harness.h"

#define NSOCKS 64

static const struct {
	int type, protocol;
	const char *name;
} candidates[] = {
	{ SOCK_DGRAM, IPPROTO_ICMP, "SOCK_DGRAM/IPPROTO_ICMP" },
	{ SOCK_DGRAM, 0, "SOCK_DGRAM" },
	{ SOCK_STREAM, 0, "SOCK_STREAM" },
};

/* /sys/module/xstack/refcnt, or -1. */
static int refcnt(void)
{
	FILE *f = fopen("/sys/module/xstack/refcnt", "r");
	int n = -1;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Opens a socket of the first type xstack implements; sets *which. */
static int open_any(int family, int *which)
{
	size_t i;
	int fd;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		fd = socket(family, candidates[i].type,
			    candidates[i].protocol);
		if (fd >= 0) {
			*which = i;
			return fd;
		}
	}
	return -1;
}

FIXTURE(pin) {
	int family;
	int fds[NSOCKS];
	int nfds;
	int which;
};

FIXTURE_SETUP(pin)
{
	int i;

	self->nfds = 0;
	for (i = 0; i < NSOCKS; i++)
		self->fds[i] = -1;
	if (getuid() != 0)
		SKIP(return, "needs root");
	if (!xs_loaded())
		ASSERT_EQ(0, xs_load()) TH_LOG("cannot load xstack");
	self->family = xs_family();
	ASSERT_LT(0, self->family);
	self->fds[0] = open_any(self->family, &self->which);
	if (self->fds[0] < 0)
		SKIP(return,
		     "no xstack socket type exists yet: socket(%d, ...) fails for SOCK_DGRAM/IPPROTO_ICMP, SOCK_DGRAM and SOCK_STREAM (last: %s)",
		     self->family, strerrorname_np(errno) ?: "?");
	self->nfds = 1;
	TH_LOG("holding %s sockets", candidates[self->which].name);
}

FIXTURE_TEARDOWN(pin)
{
	int i;

	for (i = 0; i < NSOCKS; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	xs_unload();
}

/* rmmod (the tool) must fail and say the module is in use. */
static void expect_rmmod_refused(struct __test_metadata *_metadata)
{
	char buf[512] = "";
	size_t n;
	FILE *p;

	p = popen("rmmod xstack 2>&1", "r");
	ASSERT_NE(NULL, p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	EXPECT_NE(0, pclose(p)) TH_LOG("rmmod xstack succeeded");
	EXPECT_NE(NULL, strstr(buf, "in use")) TH_LOG("rmmod said: %s", buf);
	EXPECT_TRUE(xs_loaded());
}

TEST_F(pin, one_socket)
{
	EXPECT_LT(0, refcnt());
	EXPECT_EQ(-1, xs_delete_module());
	EXPECT_EQ(EWOULDBLOCK, errno)
		TH_LOG("delete_module: %s", strerrorname_np(errno) ?: "?");
	expect_rmmod_refused(_metadata);

	close(self->fds[0]);
	self->fds[0] = -1;
	EXPECT_EQ(0, xs_unload()) TH_LOG("rmmod after close: %s",
					 strerror(errno));
	EXPECT_FALSE(xs_loaded());
}

TEST_F(pin, many_sockets)
{
	int i, fd;

	for (i = 1; i < NSOCKS; i++) {
		fd = socket(self->family, candidates[self->which].type,
			    candidates[self->which].protocol);
		ASSERT_LE(0, fd) TH_LOG("socket %d: %s", i, strerror(errno));
		self->fds[i] = fd;
	}
	/* Closing all but one keeps the module pinned. */
	for (i = 0; i < NSOCKS - 1; i++) {
		close(self->fds[i]);
		self->fds[i] = -1;
	}
	expect_rmmod_refused(_metadata);

	close(self->fds[NSOCKS - 1]);
	self->fds[NSOCKS - 1] = -1;
	EXPECT_EQ(0, xs_unload()) TH_LOG("rmmod after close: %s",
					 strerror(errno));
}

TEST_F(pin, dup_and_fork)
{
	int dupfd = dup(self->fds[0]);
	pid_t pid;
	int status;

	ASSERT_LE(0, dupfd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The child's copies close when it exits. */
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(self->fds[0]);
	self->fds[0] = -1;
	/* Still open through the duplicate. */
	expect_rmmod_refused(_metadata);
	close(dupfd);
	EXPECT_EQ(0, xs_unload());
}

TEST_HARNESS_MAIN
