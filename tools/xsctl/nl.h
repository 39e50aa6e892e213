/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsctl: generic netlink helpers of nl.c. Requests to the "xstack" family
 * are built with xs_nl_new(), filled with libmnl's mnl_attr_put_*() and
 * run with xs_nl_run(), which prints the kernel's error (with its extack
 * message) itself. Reply handlers split attributes with xs_nl_attrs(),
 * and those of a nest with xs_nl_nested().
 */
#ifndef XSCTL_NL_H
#define XSCTL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/xstack.h>

struct nlmsghdr *xs_nl_new(uint8_t cmd, uint16_t flags);
int xs_nl_run(struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
int xs_nl_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb);
int xs_nl_nested(const struct nlattr *nest, const struct nlattr **tb);
bool xs_nl_need(const struct nlattr **tb, unsigned int type);
const char *xs_nl_attr_name(unsigned int type);
void xs_nl_close(void);

#endif /* XSCTL_NL_H */
