// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: entry point. Global options, the table of objects, dispatch of
 * "xsctl [OPTIONS] OBJECT [COMMAND [ARGS]]" to a command of an object,
 * and every help and usage text, built from the tables.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"
#include "xsctl.h"

/* Where the one-line description starts in "xsctl OBJECT help". */
#define USAGE_COL	26

struct xs_opts xs_opts;

/* Every object; a new one is a file and a row here. */
static const struct xs_object *const objects[] = {
	&xs_link_object,
	&xs_addr_object,
	&xs_route_object,
	&xs_maddr_object,
	&xs_stats_object,
	&xs_neigh_object,
	&xs_sock_object,
	NULL,
};

void xs_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(XS_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void print_main_usage(FILE *fp)
{
	const struct xs_object *const *obj;

	fprintf(fp,
		"Usage: " XS_PROG " [OPTIONS] OBJECT { COMMAND | help }\n"
		"       " XS_PROG " help [OBJECT]\n"
		"\n"
		"Configure xstack, the second IPv4 stack (AF_XSTACK).\n"
		"\n"
		"Objects:\n");
	for (obj = objects; *obj; obj++)
		fprintf(fp, "  %-8s %s\n", (*obj)->name, (*obj)->help);
	fprintf(fp,
		"\n"
		"Options:\n"
		"  -j, --json  print show output as JSON\n"
		"  -h, --help  print this help\n"
		"\n"
		"Words may be abbreviated: \"" XS_PROG " a s\" is \""
		XS_PROG " addr show\".\n"
		"Run \"" XS_PROG " OBJECT help\" for the commands of an object.\n");
}

static void print_object_usage(FILE *fp, const struct xs_object *obj)
{
	const struct xs_cmd *cmd;
	const char *sep = "";
	char synopsis[128];

	fprintf(fp, "Usage: " XS_PROG " [OPTIONS] %s { ", obj->name);
	for (cmd = obj->cmds; cmd->name; cmd++) {
		if (cmd->alias)
			continue;
		fprintf(fp, "%s%s", sep, cmd->name);
		sep = " | ";
	}
	fprintf(fp, " | help }\n\n");
	for (cmd = obj->cmds; cmd->name; cmd++) {
		if (cmd->alias)
			continue;
		snprintf(synopsis, sizeof(synopsis), "%s %s", cmd->name,
			 cmd->args);
		if (strlen(synopsis) > USAGE_COL)
			fprintf(fp, "  %s\n  %-*s %s\n", synopsis, USAGE_COL, "",
				cmd->help);
		else
			fprintf(fp, "  %-*s %s\n", USAGE_COL, synopsis,
				cmd->help);
	}
	fprintf(fp,
		"\n"
		"Without a command, \"%s\" runs \"%s\".\n"
		"Run \"" XS_PROG " %s COMMAND help\" for help on a command.\n",
		obj->name, obj->default_cmd, obj->name);
}

static void print_cmd_usage(FILE *fp, const struct xs_call *call)
{
	const struct xs_cmd *cmd = call->cmd;

	fprintf(fp, "Usage: " XS_PROG " [OPTIONS] %s %s %s\n\n%s\n",
		call->obj->name, cmd->name, cmd->args, cmd->help);
	if (cmd->detail)
		fprintf(fp, "\n%s", cmd->detail);
}

/**
 * xs_usage_error() - report a bad command line
 * @call: the command being run
 * @fmt: what is wrong
 *
 * Prints "xsctl: WHAT" and the usage of the command on stderr.
 *
 * Return: XS_EXIT_USAGE.
 */
int xs_usage_error(const struct xs_call *call, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(XS_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	print_cmd_usage(stderr, call);
	return XS_EXIT_USAGE;
}

/* An exact name first, else the first entry in table order it abbreviates. */
static const struct xs_object *find_object(const char *arg)
{
	const struct xs_object *const *obj;

	for (obj = objects; *obj; obj++)
		if (!strcmp(arg, (*obj)->name))
			return *obj;
	for (obj = objects; *obj; obj++)
		if (xs_matches(arg, (*obj)->name))
			return *obj;
	return NULL;
}

static const struct xs_cmd *lookup_cmd(const struct xs_object *obj,
				       const char *arg)
{
	const struct xs_cmd *cmd;

	for (cmd = obj->cmds; cmd->name; cmd++)
		if (!strcmp(arg, cmd->name))
			return cmd;
	for (cmd = obj->cmds; cmd->name; cmd++)
		if (xs_matches(arg, cmd->name))
			return cmd;
	return NULL;
}

/* As lookup_cmd(), with an alias row replaced by the row it names. */
static const struct xs_cmd *find_cmd(const struct xs_object *obj,
				     const char *arg)
{
	const struct xs_cmd *cmd = lookup_cmd(obj, arg);

	if (cmd && cmd->alias)
		cmd = lookup_cmd(obj, cmd->alias);
	return cmd && !cmd->alias ? cmd : NULL;
}

static int run_object(const struct xs_object *obj, int argc, char **argv)
{
	struct xs_call call = { .obj = obj };
	const char *word = argc ? argv[0] : obj->default_cmd;

	if (xs_is_help(word)) {
		print_object_usage(stdout, obj);
		return XS_EXIT_OK;
	}
	call.cmd = find_cmd(obj, word);
	if (!call.cmd) {
		xs_err("unknown command \"%s\" for \"%s\"\n", word, obj->name);
		print_object_usage(stderr, obj);
		return XS_EXIT_USAGE;
	}
	if (argc) {
		argc--;
		argv++;
	}
	if (argc && xs_is_help(argv[0])) {
		print_cmd_usage(stdout, &call);
		return XS_EXIT_OK;
	}
	return call.cmd->run(&call, argc, argv);
}

/* "xsctl help [OBJECT]" */
static int run_help(int argc, char **argv)
{
	const struct xs_object *obj;

	if (argc == 0) {
		print_main_usage(stdout);
		return XS_EXIT_OK;
	}
	obj = find_object(argv[0]);
	if (!obj || argc > 1) {
		if (obj)
			xs_err("unexpected argument \"%s\"\n", argv[1]);
		else
			xs_err("unknown object \"%s\"\n", argv[0]);
		print_main_usage(stderr);
		return XS_EXIT_USAGE;
	}
	print_object_usage(stdout, obj);
	return XS_EXIT_OK;
}

static int parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			xs_opts.json = true;
			break;
		case 'h':
			print_main_usage(stdout);
			return XS_EXIT_OK;
		default:
			xs_err("unknown option \"%s\"\n", argv[optind - 1]);
			print_main_usage(stderr);
			return XS_EXIT_USAGE;
		}
	}
	return -1;
}

static int run(int argc, char **argv)
{
	const struct xs_object *obj;
	int ret;

	ret = parse_options(argc, argv);
	if (ret >= 0)
		return ret;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		xs_err("missing object\n");
		print_main_usage(stderr);
		return XS_EXIT_USAGE;
	}
	if (xs_is_help(argv[0]))
		return run_help(argc - 1, argv + 1);
	obj = find_object(argv[0]);
	if (!obj) {
		xs_err("unknown object \"%s\"\n", argv[0]);
		print_main_usage(stderr);
		return XS_EXIT_USAGE;
	}
	return run_object(obj, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	int ret = run(argc, argv);

	xs_nl_close();
	if (fflush(stdout) == EOF) {
		xs_err("cannot write output: %s", strerror(errno));
		ret = XS_EXIT_FAIL;
	} else if (ferror(stdout)) {
		xs_err("cannot write output");
		ret = XS_EXIT_FAIL;
	}
	return ret;
}
