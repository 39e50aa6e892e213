// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control of xstack's TCP: the kernel's registered
 * tcp_congestion_ops (reno, cubic, bbr, dctcp, ...) drive our sockets
 * through their function pointers; nothing of it is written here.
 *
 * An algorithm is found by name with exported symbols only: a kernel
 * AF_INET helper socket of the caller's namespace is given the name with
 * TCP_CONGESTION, which applies the kernel's own policy (an algorithm
 * not in net.ipv4.tcp_allowed_congestion_control needs CAP_NET_ADMIN,
 * autoloading a module too), and its icsk_ca_ops is read back. We take
 * a reference on the module for every socket that uses it, so that
 * rmmod of tcp_bbr fails while an xstack socket uses it and works
 * after. Algorithms written in BPF (struct_ops) are refused: they cannot
 * be pinned by a module reference.
 *
 * The per-namespace default, net.xstack.tcp_congestion_control, starts
 * as the namespace's net.ipv4.tcp_congestion_control; it is held in
 * xs_tcp_table.ca_default (RCU, module reference held).
 */
#define pr_fmt(fmt) "xstack: " fmt

#include <linux/bpf.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/net.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>

#include "tcp.h"
#include "xstack.h"

/* The ops of a BPF struct_ops algorithm carry this owner. */
static bool xs_ca_is_bpf(const struct tcp_congestion_ops *ca)
{
#ifdef BPF_MODULE_OWNER
	return ca->owner == BPF_MODULE_OWNER;
#else
	return false;	/* a kernel without BPF struct_ops */
#endif
}

/*
 * The algorithm called @name (NULL: the namespace's native default),
 * with a module reference, or an ERR_PTR: -ENOENT unknown, -EPERM not
 * allowed to the caller, -EOPNOTSUPP written in BPF.
 */
static const struct tcp_congestion_ops *xs_ca_find(struct net *net,
						   const char *name)
{
	const struct tcp_congestion_ops *ca;
	struct socket *sock;
	int err;

	err = sock_create_kern(net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err)
		return ERR_PTR(err);
	if (name) {
		err = sock->ops->setsockopt(sock, SOL_TCP, TCP_CONGESTION,
					    KERNEL_SOCKPTR((void *)name),
					    strlen(name));
		if (err) {
			sock_release(sock);
			return ERR_PTR(err);
		}
	}
	lock_sock(sock->sk);
	ca = READ_ONCE(inet_csk(sock->sk)->icsk_ca_ops);
	if (!ca || xs_ca_is_bpf(ca))
		ca = ERR_PTR(-EOPNOTSUPP);
	else if (!try_module_get(ca->owner))
		ca = ERR_PTR(-ENOENT);
	release_sock(sock->sk);
	sock_release(sock);
	return ca;
}

static void xs_ca_put(const struct tcp_congestion_ops *ca)
{
	module_put(ca->owner);
}

/* The namespace's default, with a new module reference. */
static const struct tcp_congestion_ops *xs_ca_default(struct xs_tcp_table *t)
{
	const struct tcp_congestion_ops *ca;

	rcu_read_lock();
	ca = rcu_dereference(t->ca_default);
	if (ca && !try_module_get(ca->owner))
		ca = NULL;
	rcu_read_unlock();
	return ca;
}

/**
 * xs_tcp_ca_assign_default - a new socket takes the namespace's default
 * @sk: the socket
 */
void xs_tcp_ca_assign_default(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	icsk->icsk_ca_ops = xs_ca_default(xs_tcp_table(sk));
	icsk->icsk_ca_initialized = 0;
	memset(icsk->icsk_ca_priv, 0, sizeof(icsk->icsk_ca_priv));
}

/**
 * xs_tcp_ca_init - the connection is established: the module starts
 * @sk: the socket
 */
void xs_tcp_ca_init(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (!icsk->icsk_ca_ops)
		xs_tcp_ca_assign_default(sk);
	if (!icsk->icsk_ca_ops || icsk->icsk_ca_initialized)
		return;
	if (icsk->icsk_ca_ops->init)
		icsk->icsk_ca_ops->init(sk);
	icsk->icsk_ca_initialized = 1;
	xs_tcp_set_ca_state(sk, TCP_CA_Open);
}

/**
 * xs_tcp_ca_release - the socket stops using its algorithm
 * @sk: the socket
 */
void xs_tcp_ca_release(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_congestion_ops *ca = icsk->icsk_ca_ops;

	if (!ca)
		return;
	if (icsk->icsk_ca_initialized && ca->release)
		ca->release(sk);
	icsk->icsk_ca_initialized = 0;
	icsk->icsk_ca_ops = NULL;
	xs_ca_put(ca);
}

/**
 * xs_tcp_ca_reacquire - take a reference again on icsk_ca_ops
 * @sk: the socket, whose icsk_ca_ops was restored after a release
 */
void xs_tcp_ca_reacquire(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (icsk->icsk_ca_ops && !try_module_get(icsk->icsk_ca_ops->owner))
		icsk->icsk_ca_ops = NULL;
	if (!icsk->icsk_ca_ops)
		xs_tcp_ca_assign_default(sk);
}

/**
 * xs_tcp_ca_inherit - a child starts with its listener's algorithm
 * @child: the new socket (its icsk_ca_ops wiped)
 * @parent: the listener
 */
void xs_tcp_ca_inherit(struct sock *child, const struct sock *parent)
{
	struct inet_connection_sock *icsk = inet_csk(child);

	icsk->icsk_ca_ops = inet_csk(parent)->icsk_ca_ops;
	icsk->icsk_ca_initialized = 0;
	memset(icsk->icsk_ca_priv, 0, sizeof(icsk->icsk_ca_priv));
	xs_tcp_ca_reacquire(child);
}

/**
 * xs_tcp_ca_assign - TCP_CONGESTION
 * @sk: the socket (locked)
 * @name: algorithm name
 * @admin: the caller has CAP_NET_ADMIN (the kernel checks it again)
 *
 * On an established connection the old module is released and the new
 * one initialised at once, as Linux's tcp_reinit_congestion_control().
 *
 * Return: 0, -ENOENT, -EPERM or -EOPNOTSUPP (BPF).
 */
int xs_tcp_ca_assign(struct sock *sk, const char *name, bool admin)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_congestion_ops *ca;

	ca = xs_ca_find(sock_net(sk), name);
	if (IS_ERR(ca))
		return PTR_ERR(ca);
	if (ca == icsk->icsk_ca_ops) {
		xs_ca_put(ca);
		return 0;
	}
	xs_tcp_ca_release(sk);
	icsk->icsk_ca_ops = ca;
	memset(icsk->icsk_ca_priv, 0, sizeof(icsk->icsk_ca_priv));
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN |
				     TCPF_SYN_SENT | TCPF_SYN_RECV)))
		xs_tcp_ca_init(sk);
	return 0;
}

/**
 * xs_tcp_ca_default_name - the name of the namespace's default
 * @t: the namespace's tables
 * @buf: filled with the name
 * @len: size of @buf
 */
void xs_tcp_ca_default_name(struct xs_tcp_table *t, char *buf, size_t len)
{
	const struct tcp_congestion_ops *ca;

	rcu_read_lock();
	ca = rcu_dereference(t->ca_default);
	strscpy(buf, ca ? ca->name : "", len);
	rcu_read_unlock();
}

static void xs_tcp_ca_swap_default(struct xs_tcp_table *t,
				   const struct tcp_congestion_ops *ca)
{
	const struct tcp_congestion_ops *old;

	spin_lock_bh(&t->lock);
	old = rcu_dereference_protected(t->ca_default,
					lockdep_is_held(&t->lock));
	rcu_assign_pointer(t->ca_default, ca);
	spin_unlock_bh(&t->lock);
	if (old) {
		synchronize_rcu();
		xs_ca_put(old);
	}
}

/**
 * xs_tcp_ca_set_default - write net.xstack.tcp_congestion_control
 * @t: the namespace's tables
 * @name: algorithm name
 *
 * Return: 0, -ENOENT, -EPERM or -EOPNOTSUPP.
 */
int xs_tcp_ca_set_default(struct xs_tcp_table *t, const char *name)
{
	const struct tcp_congestion_ops *ca;

	ca = xs_ca_find(t->net, name);
	if (IS_ERR(ca))
		return PTR_ERR(ca);
	xs_tcp_ca_swap_default(t, ca);
	return 0;
}

/**
 * xs_tcp_ca_available - the algorithms the kernel has registered
 * @buf: filled with a space-separated list
 * @len: size of @buf
 *
 * The kernel's net.ipv4.tcp_available_congestion_control, read as a
 * file of the caller's namespace.
 */
void xs_tcp_ca_available(char *buf, size_t len)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	buf[0] = 0;
	f = filp_open("/proc/sys/net/ipv4/tcp_available_congestion_control",
		      O_RDONLY, 0);
	if (IS_ERR(f))
		return;
	n = kernel_read(f, buf, len - 1, &pos);
	filp_close(f, NULL);
	if (n <= 0) {
		buf[0] = 0;
		return;
	}
	buf[n] = 0;
	strim(buf);
}

/**
 * xs_tcp_ca_net_init - a namespace's default: its native default
 * @net: the namespace
 * @t: its tables
 *
 * Return: 0 or a negative errno.
 */
int xs_tcp_ca_net_init(struct net *net, struct xs_tcp_table *t)
{
	const struct tcp_congestion_ops *ca;

	t->net = net;
	ca = xs_ca_find(net, NULL);
	if (IS_ERR(ca))
		return PTR_ERR(ca);
	RCU_INIT_POINTER(t->ca_default, ca);
	return 0;
}

/**
 * xs_tcp_ca_net_exit - drop the namespace's default
 * @t: its tables
 */
void xs_tcp_ca_net_exit(struct xs_tcp_table *t)
{
	const struct tcp_congestion_ops *ca;

	ca = rcu_dereference_protected(t->ca_default, true);
	RCU_INIT_POINTER(t->ca_default, NULL);
	if (ca)
		xs_ca_put(ca);
}
