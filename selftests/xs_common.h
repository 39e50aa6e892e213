/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the C selftests and tools/xsperf: the socket family
 * in force, entering a network namespace, and loading/unloading xstack
 * (XSTACK_KO from run.sh, else modprobe).
 */
#ifndef XS_COMMON_H
#define XS_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/xstack.h>

/* The family number xstack registered, or -1 when it is not loaded. */
static inline int xs_family(void)
{
	FILE *f = fopen(XSTACK_FAMILY_SYSFS, "r");
	int fam = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &fam) != 1)
		fam = -1;
	fclose(f);
	return fam;
}

/*
 * Enter network namespace NS: a name under /run/netns, or a path (cheaper
 * under TCG than a process more for `ip netns exec`). 0, or -1 with errno
 * and the path tried in PATH.
 */
static inline int xs_enter_netns(const char *ns, char *path, size_t len)
{
	int fd, ret;

	if (strchr(ns, '/'))
		snprintf(path, len, "%s", ns);
	else
		snprintf(path, len, "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	return ret;
}

static inline bool xs_module_present(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

static inline bool xs_loaded(void)
{
	return xs_module_present("xstack");
}

/* Load xstack; returns 0 or the shell status of insmod/modprobe. */
static inline int xs_load(void)
{
	const char *ko = getenv("XSTACK_KO");
	char cmd[4096];

	if (ko && *ko)
		snprintf(cmd, sizeof(cmd), "insmod '%s'", ko);
	else
		snprintf(cmd, sizeof(cmd), "modprobe xstack");
	return system(cmd);
}

/*
 * delete_module(2) without waiting: 0, or -1 with errno (EWOULDBLOCK
 * while the module is in use).
 */
static inline int xs_delete_module(void)
{
	return syscall(SYS_delete_module, "xstack", O_NONBLOCK);
}

/* Unload, retrying for up to 5 s (socket and netns release can lag). */
static inline int xs_unload(void)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (!xs_loaded() || xs_delete_module() == 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

#endif /* XS_COMMON_H */
