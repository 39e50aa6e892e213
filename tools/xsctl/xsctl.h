/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsctl: declarations shared by all files. The object and command tables
 * that main.c dispatches through, the global options, exit codes, and the
 * argument helpers of parse.c.
 *
 * Adding an object (route, neigh, ...) is: a new file defining a
 * struct xs_object, its extern declaration below and a row in the objects
 * table of main.c.
 */
#ifndef XSCTL_H
#define XSCTL_H

#include <stdbool.h>
#include <netinet/in.h>

#define XS_PROG "xsctl"

/* The kernel's helpers, for user space. */
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit codes: success, runtime or kernel error, usage error. */
enum {
	XS_EXIT_OK	= 0,
	XS_EXIT_FAIL	= 1,
	XS_EXIT_USAGE	= 2,
};

/**
 * struct xs_opts - global options given before the object
 * @json: print show output as JSON (-j)
 */
struct xs_opts {
	bool json;
};

extern struct xs_opts xs_opts;

struct xs_call;

/**
 * struct xs_cmd - one command of an object, e.g. "attach" of "link"
 * @name: the command word
 * @args: argument synopsis for help ("" if none)
 * @help: one-line description
 * @detail: optional further text for "xsctl OBJECT COMMAND help"
 * @alias: if set, this row is only another name for the command @alias
 *	(not listed in help, all other fields unused)
 * @run: handler, given the arguments after the command word; returns an
 *	exit code (XS_EXIT_*)
 */
struct xs_cmd {
	const char *name;
	const char *args;
	const char *help;
	const char *detail;
	const char *alias;
	int (*run)(const struct xs_call *call, int argc, char **argv);
};

/**
 * struct xs_object - an object word and its commands, e.g. "link"
 * @name: the object word
 * @help: one-line description for the top-level help
 * @default_cmd: command run when none is given
 * @cmds: the commands, ended by an entry whose @name is NULL
 */
struct xs_object {
	const char *name;
	const char *help;
	const char *default_cmd;
	const struct xs_cmd *cmds;
};

/* What is being run: handed to a command so it can print its usage. */
struct xs_call {
	const struct xs_object *obj;
	const struct xs_cmd *cmd;
};

/* One per file (link.c, addr.c); listed in the objects table of main.c. */
extern const struct xs_object xs_link_object;
extern const struct xs_object xs_addr_object;
extern const struct xs_object xs_route_object;
extern const struct xs_object xs_maddr_object;
extern const struct xs_object xs_stats_object;
extern const struct xs_object xs_neigh_object;
extern const struct xs_object xs_sock_object;

/* main.c */
__printf(1, 2) void xs_err(const char *fmt, ...);
__printf(2, 3) int xs_usage_error(const struct xs_call *call,
				  const char *fmt, ...);

/* parse.c */
bool xs_matches(const char *arg, const char *name);
bool xs_is_help(const char *arg);
bool xs_valid_ifname(const char *name);
int xs_parse_prefix(const char *arg, struct in_addr *addr, int *plen);
int xs_parse_dev_arg(const struct xs_call *call, int argc, char **argv,
		     bool optional, const char **dev);

#endif /* XSCTL_H */
