// SPDX-License-Identifier: GPL-2.0
/*
 * In-module self-tests of pure logic, run at load with selftest=1
 * (WireGuard style). Each area logs "xstack: <area> self-tests: pass";
 * any failure fails the module load.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/kernel.h>

#include "xstack.h"

struct xs_selftest {
	const char *area;
	int (*run)(void);
};

static const struct xs_selftest xs_selftests[] = {
	{ "addr", xs_addr_selftest },
	{ "stats", xs_stats_selftest },
	{ "igmp", xs_igmp_selftest },
	{ "arp", xs_arp_selftest },
	{ "frag", xs_frag_selftest },
};

/**
 * xs_selftests_run - run every self-test area
 *
 * Return: 0 when all pass, -EINVAL otherwise.
 */
int xs_selftests_run(void)
{
	int err = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xs_selftests); i++) {
		if (xs_selftests[i].run()) {
			pr_err("%s self-tests: FAIL\n", xs_selftests[i].area);
			err = -EINVAL;
		} else {
			pr_info("%s self-tests: pass\n", xs_selftests[i].area);
		}
	}
	return err;
}
