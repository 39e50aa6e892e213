// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: strict parsing of command line words shared by the objects:
 * keyword matching, device names, IPv4 prefixes (A.B.C.D[/LEN]) and the
 * "[dev] DEV" argument of the one-device commands.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <linux/if.h>

#include "xsctl.h"

/* @arg names @name: it is a non-empty prefix of it ("sh" for "show"). */
bool xs_matches(const char *arg, const char *name)
{
	size_t len = strlen(arg);

	return len && strncmp(arg, name, len) == 0;
}

bool xs_is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "--help");
}

/* The kernel's dev_valid_name(): 1..IFNAMSIZ-1 bytes, no '/', ':', space. */
bool xs_valid_ifname(const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (len == 0 || len >= IFNAMSIZ)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	return true;
}

/* LEN of a prefix: decimal 0..32, no sign, no leading zero, no blanks. */
static int parse_plen(const char *s, int *plen)
{
	size_t len = strlen(s);
	int val = 0;
	size_t i;

	if (len == 0 || len > 2 || (len == 2 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		val = val * 10 + (s[i] - '0');
	}
	if (val > 32)
		return -1;
	*plen = val;
	return 0;
}

/**
 * xs_parse_prefix() - parse A.B.C.D[/LEN]
 * @arg: the word
 * @addr: the address, network byte order
 * @plen: LEN, or -1 when there is no "/LEN"
 *
 * The address must be four decimal octets (inet_pton()).
 *
 * Return: 0, or -1 if @arg is not a valid prefix.
 */
int xs_parse_prefix(const char *arg, struct in_addr *addr, int *plen)
{
	const char *slash = strchr(arg, '/');
	size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
	char buf[INET_ADDRSTRLEN];

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, arg, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1)
		return -1;
	*plen = -1;
	if (!slash)
		return 0;
	return parse_plen(slash + 1, plen);
}

/**
 * xs_parse_dev_arg() - parse the "[dev] DEV" argument of a command
 * @call: the command, for usage errors
 * @argc: argument count
 * @argv: arguments after the command word
 * @optional: whether DEV may be left out
 * @dev: set to the device name, or NULL when left out
 *
 * Return: 0, or XS_EXIT_USAGE after printing the usage error.
 */
int xs_parse_dev_arg(const struct xs_call *call, int argc, char **argv,
		     bool optional, const char **dev)
{
	*dev = NULL;
	if (argc > 0 && !strcmp(argv[0], "dev")) {
		if (argc == 1)
			return xs_usage_error(call, "\"dev\" needs a device name");
		argc--;
		argv++;
	}
	if (argc == 0) {
		if (optional)
			return 0;
		return xs_usage_error(call, "missing device name");
	}
	if (argc > 1)
		return xs_usage_error(call, "unexpected argument \"%s\"",
				      argv[1]);
	if (!xs_valid_ifname(argv[0]))
		return xs_usage_error(call, "invalid device name \"%s\"",
				      argv[0]);
	*dev = argv[0];
	return 0;
}
