// SPDX-License-Identifier: GPL-2.0
/*
 * socket(2) errnos of AF_XSTACK, checked against AF_INET (DESIGN.md
 * principle 7: every socket test runs on both families; AF_INET's answer
 * validates the test itself).
 *
 * The cases stay valid as xstack grows UDP, ping and TCP sockets:
 *   - a type neither family implements (SOCK_SEQPACKET, SOCK_RDM):
 *     ESOCKTNOSUPPORT;
 *   - an implemented type with a protocol it does not carry
 *     (SOCK_DGRAM/IPPROTO_TCP, SOCK_STREAM/IPPROTO_UDP,
 *     SOCK_STREAM/IPPROTO_ICMP): EPROTONOSUPPORT. Until xstack has the
 *     type at all it answers ESOCKTNOSUPPORT, and the case is skipped
 *     with that reason;
 *   - a protocol outside 0..IPPROTO_MAX-1: EINVAL;
 *   - SOCK_STREAM/SOCK_DGRAM with protocol 0: created, or (xstack only,
 *     not implemented yet) ESOCKTNOSUPPORT, or EPROTONOSUPPORT while
 *     SOCK_DGRAM has ping but not UDP;
 *   - SOCK_RAW: AF_INET has it, xstack never will (DESIGN.md lists the
 *     socket types): ESOCKTNOSUPPORT.
 *
 * The module is loaded (XSTACK_KO, else modprobe) if it is not already,
 * and unloaded at the end if this program loaded it.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "xs_common.h"
#include "kselftest_harness.h"

static bool loaded_here;

static void __attribute__((constructor)) load_xstack(void)
{
	if (!xs_loaded() && getuid() == 0 && xs_load() == 0)
		loaded_here = true;
}

static void __attribute__((destructor)) unload_xstack(void)
{
	if (loaded_here && xs_unload())
		fprintf(stderr, "# socket_errno: cannot unload xstack: %s\n",
			strerror(errno));
}

/* 0 when socket() succeeded (the socket is closed), else its errno. */
static int socket_errno(int family, int type, int protocol)
{
	int fd = socket(family, type, protocol);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static const char *ename(int err)
{
	return err ? strerrorname_np(err) ?: "?" : "success";
}

FIXTURE(sock) {
	int family;
};

FIXTURE_VARIANT(sock) {
	bool xstack;		/* family from sysfs, else AF_INET */
	bool has_raw;		/* SOCK_RAW is implemented */
};

FIXTURE_VARIANT_ADD(sock, inet) {
	.xstack = false,
	.has_raw = true,
};

FIXTURE_VARIANT_ADD(sock, xstack) {
	.xstack = true,
	.has_raw = false,
};

FIXTURE_SETUP(sock)
{
	if (!variant->xstack) {
		self->family = AF_INET;
		return;
	}
	self->family = xs_family();
	if (self->family < 0)
		SKIP(return, "xstack is not loaded (%s unreadable)",
		     XSTACK_FAMILY_SYSFS);
}

FIXTURE_TEARDOWN(sock)
{
}

#define EXPECT_SOCKET_ERRNO(want, type, proto) do {			\
	int _err = socket_errno(self->family, type, proto);		\
	EXPECT_EQ(want, _err)						\
		TH_LOG("socket(%d, %s, %s): want %s, got %s",		\
		       self->family, #type, #proto, ename(want),	\
		       ename(_err));					\
} while (0)

/* Skip (with the reason) when xstack does not implement @type yet. */
#define SKIP_IF_TYPE_MISSING(type) do {					\
	if (variant->xstack &&						\
	    socket_errno(self->family, type, 0) == ESOCKTNOSUPPORT)	\
		SKIP(return, "%s not implemented by xstack yet "	\
		     "(socket(%d, %s, 0) gives ESOCKTNOSUPPORT)",	\
		     #type, self->family, #type);			\
} while (0)

TEST_F(sock, seqpacket_unsupported)
{
	if (!variant->xstack && xs_module_present("sctp"))
		SKIP(return, "sctp is loaded: it implements SOCK_SEQPACKET");
	EXPECT_SOCKET_ERRNO(ESOCKTNOSUPPORT, SOCK_SEQPACKET, 0);
	EXPECT_SOCKET_ERRNO(ESOCKTNOSUPPORT,
			    SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

TEST_F(sock, rdm_unsupported)
{
	EXPECT_SOCKET_ERRNO(ESOCKTNOSUPPORT, SOCK_RDM, 0);
}

TEST_F(sock, dgram_with_tcp)
{
	SKIP_IF_TYPE_MISSING(SOCK_DGRAM);
	EXPECT_SOCKET_ERRNO(EPROTONOSUPPORT, SOCK_DGRAM, IPPROTO_TCP);
}

TEST_F(sock, stream_with_udp)
{
	SKIP_IF_TYPE_MISSING(SOCK_STREAM);
	EXPECT_SOCKET_ERRNO(EPROTONOSUPPORT, SOCK_STREAM, IPPROTO_UDP);
}

TEST_F(sock, stream_with_icmp)
{
	SKIP_IF_TYPE_MISSING(SOCK_STREAM);
	EXPECT_SOCKET_ERRNO(EPROTONOSUPPORT, SOCK_STREAM, IPPROTO_ICMP);
}

TEST_F(sock, protocol_out_of_range)
{
	EXPECT_SOCKET_ERRNO(EINVAL, SOCK_STREAM, IPPROTO_MAX);
	EXPECT_SOCKET_ERRNO(EINVAL, SOCK_DGRAM, -1);
	EXPECT_SOCKET_ERRNO(EINVAL, SOCK_SEQPACKET, 1000);
}

TEST_F(sock, stream_and_dgram)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM };
	int i, err;

	for (i = 0; i < 2; i++) {
		err = socket_errno(self->family, types[i], 0);
		/*
		 * Not implemented yet: no such type at all, or the type
		 * exists (ping is SOCK_DGRAM) but not its default
		 * protocol (UDP).
		 */
		if (variant->xstack &&
		    (err == ESOCKTNOSUPPORT || err == EPROTONOSUPPORT)) {
			TH_LOG("socket(%d, %d, 0): %s: not implemented by xstack yet",
			       self->family, types[i], ename(err));
			continue;
		}
		EXPECT_EQ(0, err)
			TH_LOG("socket(%d, %d, 0): %s", self->family,
			       types[i], ename(err));
	}
}

TEST_F(sock, raw)
{
	EXPECT_SOCKET_ERRNO(variant->has_raw ? 0 : ESOCKTNOSUPPORT,
			    SOCK_RAW, IPPROTO_ICMP);
}

TEST_HARNESS_MAIN
