// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XSTACK socket family: the net_proto_family, the table of socket
 * types and protocols xstack implements, and socket creation dispatch.
 *
 * Socket types are matched against xs_protosw[] the way an AF_INET
 * socket(2) matches its switch table, so callers get the errnos they know:
 * an unknown type gives ESOCKTNOSUPPORT, a known type with a protocol it
 * does not carry gives EPROTONOSUPPORT. Open sockets pin the module
 * through their proto_ops and proto owners.
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/sock.h>

#include "ping.h"
#include "sock.h"
#include "tcp.h"
#include "udp.h"
#include "xstack.h"

/**
 * struct xs_protosw - one socket type/protocol xstack implements
 * @type: SOCK_STREAM, SOCK_DGRAM, ...
 * @protocol: IPPROTO_* it carries; socket(2) with protocol 0 picks it
 * @prot: transport protocol (registered with proto_register at load)
 * @ops: socket calls (a template: sockets use a copy with .family set)
 * @wildcard: protocol 0 selects this entry (as UDP and TCP, not ping)
 */
struct xs_protosw {
	short type;
	short protocol;
	struct proto *prot;
	const struct proto_ops *ops;
	bool wildcard;
};

/*
 * The proto_ops sockets point to: copies of the templates with .family
 * set to the family number in force (a module parameter).
 */
static struct proto_ops *xs_ops_rt;

static const struct xs_protosw xs_protosw[] = {
	{
		.type = SOCK_STREAM,
		.protocol = IPPROTO_TCP,
		.prot = &xs_tcp_prot,
		.ops = &xs_tcp_ops,
		.wildcard = true,
	},
	{
		.type = SOCK_DGRAM,
		.protocol = IPPROTO_UDP,
		.prot = &xs_udp_prot,
		.ops = &xs_udp_ops,
		.wildcard = true,
	},
	{
		.type = SOCK_DGRAM,
		.protocol = IPPROTO_ICMP,
		.prot = &xs_ping_prot,
		.ops = &xs_ping_ops,
	},
};

static const struct xs_protosw *xs_protosw_find(int type, int *protocol,
						int *err)
{
	const struct xs_protosw *sw;
	size_t i;

	*err = -ESOCKTNOSUPPORT;
	for (i = 0; i < ARRAY_SIZE(xs_protosw); i++) {
		sw = &xs_protosw[i];
		if (sw->type != type)
			continue;
		if (*protocol == sw->protocol || (!*protocol && sw->wildcard)) {
			*protocol = sw->protocol;
			*err = 0;
			return sw;
		}
		*err = -EPROTONOSUPPORT;
	}
	return NULL;
}

static int xs_create(struct net *net, struct socket *sock, int protocol,
		     int kern)
{
	const struct xs_protosw *sw;
	struct sock *sk;
	int err;

	if (unlikely(protocol < 0 || protocol >= IPPROTO_MAX))
		return -EINVAL;

	sw = xs_protosw_find(sock->type, &protocol, &err);
	if (!sw)
		return err;

	sk = sk_alloc(net, xs_family, GFP_KERNEL, sw->prot, kern);
	if (unlikely(!sk))
		return -ENOBUFS;
	sock->ops = &xs_ops_rt[sw - xs_protosw];
	sock->state = SS_UNCONNECTED;
	sock_init_data(sock, sk);
	sk->sk_destruct = xs_sock_destruct;
	sk->sk_protocol = protocol;
	if (sk->sk_prot->init) {
		err = sk->sk_prot->init(sk);
		if (unlikely(err)) {
			sk_common_release(sk);
			return err;
		}
	}
	return 0;
}

static struct net_proto_family xs_family_ops = {
	.create = xs_create,
	.owner = THIS_MODULE,
};

static void xs_protos_unregister(size_t n)
{
	while (n--)
		proto_unregister(xs_protosw[n].prot);
	kfree(xs_ops_rt);
	xs_ops_rt = NULL;
}

static int xs_protos_register(void)
{
	size_t i;
	int err;

	xs_ops_rt = kcalloc(ARRAY_SIZE(xs_protosw), sizeof(*xs_ops_rt),
			    GFP_KERNEL);
	if (unlikely(!xs_ops_rt))
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(xs_protosw); i++) {
		xs_ops_rt[i] = *xs_protosw[i].ops;
		xs_ops_rt[i].family = xs_family;
		err = proto_register(xs_protosw[i].prot, 1);
		if (unlikely(err)) {
			xs_protos_unregister(i);
			return err;
		}
	}
	return 0;
}

/**
 * xs_af_init - register the transport protocols and the socket family
 *
 * Return: 0, or a negative errno (the family number is taken: -EEXIST).
 */
int xs_af_init(void)
{
	int err;

	err = xs_protos_register();
	if (unlikely(err))
		goto err_protos;

	xs_family_ops.family = xs_family;
	err = sock_register(&xs_family_ops);
	if (unlikely(err)) {
		pr_err("cannot register socket family %d: %s; load with family=N naming a free number below %d\n",
		       xs_family,
		       err == -EEXIST ? "the number is taken by another protocol" :
					"the number is out of range",
		       AF_MAX);
		goto err_sock;
	}
	return 0;

err_sock:
	xs_protos_unregister(ARRAY_SIZE(xs_protosw));
err_protos:
	return err;
}

/**
 * xs_af_exit - unregister the socket family and the transport protocols
 *
 * Called only when no xstack socket exists (open sockets pin the module).
 */
void xs_af_exit(void)
{
	sock_unregister(xs_family);
	xs_protos_unregister(ARRAY_SIZE(xs_protosw));
}
