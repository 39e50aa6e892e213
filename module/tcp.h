/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP (RFC 9293) for socket(AF_XSTACK, SOCK_STREAM, 0): the socket
 * layout, the per-namespace tables and the entry points the TCP files
 * offer each other.
 *
 *   tcp.c          socket calls, options, TCP_INFO, poll, /proc
 *   tcp_table.c    established (incl. request and TIME-WAIT objects),
 *                  listening and bound-port tables; ISNs, ports
 *   tcp_minisocks.c request objects (SYN-RECEIVED) and TIME-WAIT objects
 *   tcp_input.c    segment processing and the state machine
 *   tcp_output.c   segment construction, the write queue, transmission
 *   tcp_timer.c    RTO, persist, delayed ACK, keepalive, FIN-WAIT-2
 *   tcp_cong.c     the kernel's tcp_congestion_ops behind our sockets
 *
 * Locking (Linux's model): a full socket's TCP state is changed under
 * the socket lock. Segments that arrive while a process owns the socket
 * go to its backlog and are processed by release_sock(); timers that
 * fire meanwhile set a bit in @deferred and are run by release_cb.
 * Lookups run under RCU and take a reference. Request and TIME-WAIT
 * objects are reference counted and freed after an RCU grace period.
 */
#ifndef _XSTACK_TCP_H
#define _XSTACK_TCP_H

#include <linux/rhashtable-types.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
/* net/xfrm.h (included by net/tcp.h) has an xs_net() of its own. */
#define xs_net xs_net_xfrm
#include <net/tcp.h>
#include <net/proto_memory.h>
#undef xs_net

struct xs_net;
struct xs_l4_proto;

/* Sysctl defaults, Linux's. */
#define XS_TCP_RTO_MIN_MS	200
#define XS_TCP_RTO_MAX_MS	120000
#define XS_TCP_RTO_INIT_MS	1000
#define XS_TCP_SYN_RETRIES	6
#define XS_TCP_SYNACK_RETRIES	5
#define XS_TCP_RETRIES2		15
#define XS_TCP_FIN_TIMEOUT	60	/* seconds, FIN-WAIT-2 of orphans */
#define XS_TCP_TW_LEN		(60 * HZ)	/* 2 * MSL, as Linux */
#define XS_TCP_DELACK_MAX	(HZ / 5)
#define XS_TCP_DELACK_MIN	(HZ / 25)
#define XS_TCP_ATO_MIN		(HZ / 25)
#define XS_TCP_MAX_QUICKACKS	16
#define XS_TCP_KEEPIDLE		(2 * 60 * 60)	/* seconds */
#define XS_TCP_KEEPINTVL	75
#define XS_TCP_KEEPCNT		9
#define XS_TCP_MAX_BACKLOG	4096
#define XS_TCP_GSO_MAX		(64 * 1024 - 1 - MAX_TCP_HEADER)
#define XS_TCP_CHALLENGE_ACKS	1000	/* per second and namespace */

/* Bits of xs_tcp_sock.deferred: work a timer left to release_sock(). */
enum {
	XS_TCP_RTO_DEFERRED,
	XS_TCP_DELACK_DEFERRED,
	XS_TCP_KEEPALIVE_DEFERRED,
	XS_TCP_XMIT_DEFERRED,	/* pacing or TSQ: xs_tcp_resume_xmit() */
};

/* Which timer icsk_retransmit_timer runs (icsk->icsk_pending). */
#define XS_TIMER_RTO	ICSK_TIME_RETRANS
#define XS_TIMER_PROBE	ICSK_TIME_PROBE0

/**
 * struct xs_tcp_key - a connection's 4-tuple, as seen from this host
 * @raddr: remote address
 * @laddr: local address
 * @rport: remote port
 * @lport: local port
 */
struct xs_tcp_key {
	__be32 raddr;
	__be32 laddr;
	__be16 rport;
	__be16 lport;
};

enum xs_tcp_ent_kind {
	XS_TCP_ENT_SOCK,
	XS_TCP_ENT_REQ,
	XS_TCP_ENT_TW,
};

/**
 * struct xs_tcp_ent - an entry of the established table
 * @node: rhashtable linkage
 * @key: 4-tuple
 * @kind: enum xs_tcp_ent_kind: what embeds this entry
 */
struct xs_tcp_ent {
	struct rhash_head node;
	struct xs_tcp_key key;
	u8 kind;
};

/**
 * struct xs_tcp_bnode - an entry of the bound-port table
 * @node: entry in the port's bucket (under the table lock)
 * @port: local port (host order)
 * @addr: bound address or 0
 * @dif: bound device or 0
 * @reuse: SO_REUSEADDR
 * @reuseport: SO_REUSEPORT
 * @connected: the port was chosen by connect(), not bind()
 * @uid: owner, for SO_REUSEPORT
 * @sk: the socket, or NULL for a TIME-WAIT object
 */
struct xs_tcp_bnode {
	struct hlist_node node;
	u16 port;
	__be32 addr;
	int dif;
	u8 reuse;
	u8 reuseport;
	u8 connected;
	kuid_t uid;
	struct sock *sk;
};

/**
 * struct xs_tcp_listen - the queues of a listening socket
 * @lock: protects the lists and counters below
 * @accept: established children not yet accepted (struct xs_tcp_sock)
 * @reqs: request objects of this listener (struct xs_tcp_req)
 * @accept_len: entries in @accept
 * @syn_len: entries in @reqs
 * @cookie_stamp: jiffies (| 1) of the last SYN cookie sent, 0 for none:
 *	ACKs are checked for cookies only for a while after (READ_ONCE)
 */
struct xs_tcp_listen {
	spinlock_t lock;	/* protects the lists and counters */
	struct list_head accept;
	struct list_head reqs;
	u32 accept_len;
	u32 syn_len;
	unsigned long cookie_stamp;
};

/**
 * struct xs_tcp_sock - an xstack TCP socket
 * @tp: the kernel's TCP socket layout, at offset 0 so that the
 *	kernel's congestion-control modules find their fields
 *	(DESIGN.md principle 5); keeps sk_family = AF_XSTACK
 * @ent: entry in the established table while hashed
 * @bnode: entry in the bound-port table while bound
 * @lnode: entry in the listening table while listening
 * @hashed: @ent is in the established table
 * @listen: queues while listening
 * @accept_node: entry in the parent's accept queue
 * @parent: the listener whose accept queue holds us (listener lock)
 * @send_head: first unsent skb of sk_write_queue, or NULL
 * @deferred: XS_TCP_*_DEFERRED bits
 * @delack_pending: a delayed ACK is due (the timer is armed)
 * @ack_now: send an ACK after this segment
 * @pingpong: interactive exchange seen (delayed ACKs allowed)
 * @quick: ACKs left to send immediately (start, reordering)
 * @rcv_segs: full segments received since the last ACK
 * @fin_queued: the FIN is on the write queue
 * @ece_ack: the ACK being processed has ECE (delivered_ce counts it)
 * @syn_err: soft error seen during the handshake (RFC 1122 4.2.3.9)
 * @dupacks: duplicate ACKs counted for fast retransmit
 * @rto_min: in jiffies
 * @rto_max: in jiffies
 * @retry_start: jiffies of the first retransmission of the head
 * @probe_start: jiffies of the first zero-window probe
 * @ts_recent_stamp: seconds when ts_recent was recorded (PAWS)
 * @keep_idle: TCP_KEEPIDLE in seconds, 0 for the sysctl
 * @keep_intvl: TCP_KEEPINTVL in seconds, 0 for the sysctl
 * @keep_cnt: TCP_KEEPCNT, 0 for the sysctl
 * @rcv_ratio: payload/truesize of received skbs, in 1/256
 * @last_ack_sent: rcv_nxt of the last ACK sent
 * @rcvq_space: bytes copied to the user since @rcvq_time
 * @rcvq_time: start of the current autotuning period (jiffies)
 * @syn_mss: the MSS the peer announced
 * @cork: TCP_CORK
 * @nodelay: TCP_NODELAY
 * @wscale_req: window scaling asked of the peer
 * @orphan_counted: counted as an orphan (tcp_mem.c)
 * @tw_seq: the first sequence number after taking over a TIME-WAIT
 */
struct xs_tcp_sock {
	struct tcp_sock tp;
	struct xs_tcp_ent ent;
	struct xs_tcp_bnode bnode;
	struct hlist_node lnode;
	bool hashed;
	struct xs_tcp_listen *listen;
	struct list_head accept_node;
	struct sock *parent;
	struct sk_buff *send_head;
	unsigned long deferred;
	bool delack_pending;
	bool ack_now;
	bool pingpong;
	u8 quick;
	u8 rcv_segs;
	bool fin_queued;
	bool ece_ack;
	int syn_err;
	u32 dupacks;
	u32 rto_min;
	u32 rto_max;
	unsigned long retry_start;
	unsigned long probe_start;
	u32 ts_recent_stamp;
	int keep_idle;
	int keep_intvl;
	int keep_cnt;
	u32 rcv_ratio;
	u32 last_ack_sent;
	u32 rcvq_space;
	unsigned long rcvq_time;
	u16 syn_mss;
	bool cork;
	bool nodelay;
	u8 wscale_req;
	bool orphan_counted;
	u32 tw_seq;
};

static inline struct xs_tcp_sock *xs_tcp_sk(const struct sock *sk)
{
	return (struct xs_tcp_sock *)sk;
}

/* Urgent mode: SND.UP ahead of SND.UNA (Linux's tcp_urg_mode()). */
static inline bool xs_tcp_urg_mode(const struct tcp_sock *tp)
{
	return tp->snd_una != tp->snd_up;
}

/*
 * Our FIN is owed but not queued: the close or shutdown moved the state
 * and xs_tcp_send_fin() found no memory; the retransmission timer
 * retries (xs_tcp_fin_retry_later()).
 */
static inline bool xs_tcp_fin_owed(const struct sock *sk)
{
	return !xs_tcp_sk(sk)->fin_queued &&
	       ((1 << sk->sk_state) &
		(TCPF_FIN_WAIT1 | TCPF_CLOSING | TCPF_LAST_ACK));
}

/**
 * struct xs_tcp_req - a connection in SYN-RECEIVED, before it becomes
 *	a socket (Linux's request_sock)
 * @ent: entry in the established table
 * @listener: the listener (a reference is held)
 * @node: entry in the listener's @reqs (listener queue lock)
 * @refcnt: references: the table, the timer, lookups
 * @timer: SYN-ACK retransmission
 * @rcu: deferred free
 * @snt_isn: our ISN
 * @rcv_isn: the peer's ISN
 * @ts_recent: the peer's last TSval
 * @tsoff: our timestamp offset
 * @mss: the MSS to use towards the peer
 * @snd_wnd: the peer's window (unscaled, from its SYN)
 * @rcv_wnd: the window our SYN-ACK offered
 * @num_retrans: SYN-ACKs resent
 * @snd_wscale: the peer's window scale
 * @rcv_wscale: ours
 * @wscale_ok: both sides scale windows
 * @sack_ok: SACK permitted
 * @tstamp_ok: timestamps
 * @dif: the device the SYN arrived on
 * @tos: the TOS of our SYN-ACKs (the listener's)
 * @dead: unlinked (listener queue lock); only references remain
 * @peer_mss: the MSS the peer announced (536 without the option)
 * @synack_us: when the first SYN-ACK left, for the first RTT sample
 * @cookie: rebuilt from (or answered with) a SYN cookie, in no table
 * @ecn_ok: ECN negotiated (RFC 3168 6.1.1): our SYN-ACK carries ECE.
 *	A SYN cookie does not encode it, so a connection made from a
 *	cookie runs without ECN (unlike Linux, which hides it in the
 *	timestamp)
 */
struct xs_tcp_req {
	struct xs_tcp_ent ent;
	struct sock *listener;
	struct list_head node;
	refcount_t refcnt;
	struct timer_list timer;
	struct rcu_head rcu;
	u32 snt_isn;
	u32 rcv_isn;
	u32 ts_recent;
	u32 tsoff;
	u16 mss;
	u32 snd_wnd;
	u32 rcv_wnd;
	u8 num_retrans;
	u8 snd_wscale;
	u8 rcv_wscale;
	u8 wscale_ok:1, sack_ok:1, tstamp_ok:1, cookie:1, ecn_ok:1;
	bool dead;
	int dif;
	u8 tos;
	u16 peer_mss;
	u64 synack_us;
};

/**
 * struct xs_tcp_tw - a connection in TIME-WAIT (RFC 9293 3.6.1): what
 *	is needed to answer a retransmitted FIN and to hold the 4-tuple
 *	for 2*MSL, without a full socket
 * @ent: entry in the established table
 * @bnode: entry in the bound-port table (the port stays in use)
 * @refcnt: the tables, the timer, lookups
 * @timer: expiry
 * @rcu: deferred free
 * @xn: namespace
 * @snd_nxt: our next sequence number
 * @rcv_nxt: the peer's
 * @ts_recent: the peer's last TSval
 * @ts_recent_stamp: seconds when it was seen
 * @tsoff: our timestamp offset
 * @rcv_wnd: the window to advertise (scaled)
 * @rcv_wscale: our window scale
 * @tstamp_ok: timestamps negotiated
 * @tos: TOS of our segments
 * @ttl: TTL of our segments (0: default)
 * @dif: bound device
 * @mark: skb->mark of our segments
 * @substate: TCP_TIME_WAIT, or TCP_FIN_WAIT2 for an orphan waiting for
 *	the peer's FIN (TCP_LINGER2)
 * @flags: bit 0: killed (unhashed, once)
 */
struct xs_tcp_tw {
	struct xs_tcp_ent ent;
	struct xs_tcp_bnode bnode;
	refcount_t refcnt;
	struct timer_list timer;
	struct rcu_head rcu;
	struct xs_net *xn;
	u32 snd_nxt;
	u32 rcv_nxt;
	u32 ts_recent;
	u32 ts_recent_stamp;
	u32 tsoff;
	u32 rcv_wnd;
	u8 rcv_wscale;
	u8 tstamp_ok;
	u8 tos;
	u8 ttl;
	int dif;
	u32 mark;
	u8 substate;
	unsigned long flags;
};

/**
 * struct xs_tcp_opts - options parsed from a received segment
 * @mss: MSS option value or 0
 * @wscale: window scale or -1 when absent
 * @sack_ok: SACK-permitted seen
 * @saw_ts: a timestamp option was present
 * @tsval: its TSval
 * @tsecr: its TSecr
 * @num_sacks: SACK blocks in @sacks
 * @sacks: the blocks (host order)
 */
struct xs_tcp_opts {
	u16 mss;
	s8 wscale;
	bool sack_ok;
	bool saw_ts;
	u32 tsval;
	u32 tsecr;
	u8 num_sacks;
	struct tcp_sack_block sacks[4];
};

/**
 * struct xs_tcp_table - TCP tables and settings of a namespace
 * @ehash: established connections, request and TIME-WAIT objects
 * @lock: serialises the bound-port and listening tables
 * @bhash: bound ports (struct xs_tcp_bnode by port)
 * @lhash: listening sockets by port (lnode)
 * @secret: ISN and port-offset key (RFC 6528, RFC 6056)
 * @cookie_secret: the keys of SYN cookies (tcp_syncookies.c)
 * @port_counter: RFC 6056 3.3.3 table index
 * @challenge_stamp: second of the current challenge-ACK budget
 * @challenge_count: challenge ACKs left in it (RFC 5961 7)
 * @sysctl_hdr: net.xstack.tcp_*
 * @sysctl_*: the settings, named as the sysctls
 * @sysctl_ca_name: unused storage behind the congestion sysctls
 * @inuse: sockets in the tables (established table and listeners)
 * @tw_count: TIME-WAIT objects in the established table
 * @net: the namespace
 * @ca_default: the congestion control new sockets start with (RCU,
 *	a module reference held; replaced under @lock)
 */
struct xs_tcp_table {
	struct rhashtable ehash;
	spinlock_t lock;	/* bound-port and listening tables */
	struct hlist_head *bhash;
	struct hlist_head *lhash;
	siphash_key_t secret;
	siphash_key_t cookie_secret[2];
	atomic_t port_counter;
	u32 challenge_stamp;
	atomic_t challenge_count;
	struct ctl_table_header *sysctl_hdr;
	int sysctl_rmem[3];
	int sysctl_wmem[3];
	int sysctl_syn_retries;
	int sysctl_synack_retries;
	int sysctl_retries2;
	int sysctl_orphan_retries;
	int sysctl_fin_timeout;
	int sysctl_keepalive_time;
	int sysctl_keepalive_intvl;
	int sysctl_keepalive_probes;
	int sysctl_rto_min_ms;
	int sysctl_rto_max_ms;
	int sysctl_sack;
	int sysctl_timestamps;
	int sysctl_window_scaling;
	int sysctl_max_syn_backlog;
	int sysctl_challenge_ack_limit;
	int sysctl_rfc1337;
	int sysctl_abort_on_overflow;
	int sysctl_syncookies;
	int sysctl_stdurg;
	int sysctl_ecn;
	int sysctl_ecn_fallback;
	int sysctl_pacing_ss_ratio;
	int sysctl_pacing_ca_ratio;
	int sysctl_limit_output_bytes;
	char sysctl_ca_name[TCP_CA_NAME_MAX];
	atomic_t inuse;
	atomic_t tw_count;
	struct net *net;
	const struct tcp_congestion_ops __rcu *ca_default;
};

#define XS_TCP_BHASH_BITS	12
#define XS_TCP_LHASH_BITS	10

/* The send buffer has room (sk_stream_memory_free() without its
 * reference to native TCP's stream_memory_free).
 */
static inline bool xs_tcp_memory_free(const struct sock *sk)
{
	return READ_ONCE(sk->sk_wmem_queued) < READ_ONCE(sk->sk_sndbuf);
}

static inline bool xs_tcp_is_writeable(const struct sock *sk)
{
	return sk_stream_wspace(sk) >= sk_stream_min_wspace(sk) &&
	       xs_tcp_memory_free(sk);
}

/* tcp.c */
void xs_tcp_ofo_purge(struct rb_root *root);
void xs_tcp_set_ca_state(struct sock *sk, u8 state);
void xs_tcp_state_store(struct sock *sk, int state);
extern struct proto xs_tcp_prot;
extern const struct proto_ops xs_tcp_ops;
extern const struct xs_l4_proto xs_tcp_l4;
int xs_tcp_net_init(struct xs_net *xn);
void xs_tcp_net_exit(struct xs_net *xn);
void xs_tcp_init_state(struct sock *sk);
void xs_tcp_init_state_keep(struct sock *sk);
void xs_tcp_set_state(struct sock *sk, int state);
void xs_tcp_done(struct sock *sk);
void xs_tcp_destroy_sock(struct sock *sk);
void xs_tcp_reset_sk(struct sock *sk, int err);
void xs_tcp_rcv_space_adjust(struct sock *sk);
bool xs_tcp_orphan_fin_wait2(struct sock *sk, bool more);
void xs_tcp_get_info(struct sock *sk, struct tcp_info *info);
int xs_tcp_init(void);
void xs_tcp_exit(void);

/* tcp_mem.c */
extern long xs_tcp_mem[3];
extern int xs_tcp_max_orphans;
void xs_tcp_mem_prot_init(struct proto *prot);
void xs_tcp_mem_socket_new(struct sock *sk);
void xs_tcp_mem_socket_gone(struct sock *sk);
void xs_tcp_orphan_inc(struct sock *sk);
void xs_tcp_orphan_dec(struct sock *sk);
bool xs_tcp_mem_tight(const struct sock *sk);
bool xs_tcp_check_oom(struct sock *sk, int shift);
void xs_tcp_forced_mem_schedule(struct sock *sk, int size);
int xs_tcp_wmem_schedule(struct sock *sk, int copy);
bool xs_tcp_rmem_schedule(struct sock *sk, struct sk_buff *skb);
int xs_tcp_mem_net_init(struct xs_net *xn);
void xs_tcp_mem_net_exit(struct xs_net *xn);
int xs_tcp_mem_init(void);
void xs_tcp_mem_exit(void);

/* tcp_table.c */
struct xs_tcp_table *xs_tcp_table(const struct sock *sk);
int xs_tcp_table_init(struct xs_net *xn, struct xs_tcp_table *t);
void xs_tcp_table_exit(struct xs_tcp_table *t);
struct xs_tcp_ent *xs_tcp_ehash_lookup(struct xs_tcp_table *t,
				       const struct xs_tcp_key *key);
int xs_tcp_ehash_insert(struct xs_tcp_table *t, struct xs_tcp_ent *ent);
void xs_tcp_ehash_remove(struct xs_tcp_table *t, struct xs_tcp_ent *ent);
int xs_tcp_ehash_replace(struct xs_tcp_table *t, struct xs_tcp_ent *old,
			 struct xs_tcp_ent *new);
void xs_tcp_key_of(const struct sock *sk, struct xs_tcp_key *key);
void xs_tcp_hash_sk(struct sock *sk);
void xs_tcp_unhash_sk(struct sock *sk);
int xs_tcp_bind_port(struct sock *sk, u16 port);
int xs_tcp_listen_hash(struct sock *sk);
void xs_tcp_listen_unhash(struct sock *sk);
void xs_tcp_unbind(struct sock *sk);
void xs_tcp_bind_inherit(struct sock *child, struct sock *parent);
void xs_tcp_bnode_fill(struct xs_tcp_bnode *b, struct sock *sk, u16 port);
void xs_tcp_bind_add_tw(struct xs_tcp_table *t, struct xs_tcp_tw *tw);
void xs_tcp_bind_del_tw(struct xs_tcp_table *t, struct xs_tcp_tw *tw);
int xs_tcp_connect_hash(struct sock *sk);
struct sock *xs_tcp_listen_lookup(struct xs_tcp_table *t, __be32 saddr,
				  __be16 sport, __be32 daddr, __be16 dport,
				  int dif);
u32 xs_tcp_isn(struct xs_tcp_table *t, __be32 saddr, __be32 daddr,
	       __be16 sport, __be16 dport);
u32 xs_tcp_ts_off(struct xs_tcp_table *t, __be32 saddr, __be32 daddr);
bool xs_tcp_challenge_allowed(struct xs_net *xn);

/* tcp_minisocks.c */
struct xs_tcp_req *xs_tcp_req_create(struct sock *listener,
				     struct sk_buff *skb,
				     const struct xs_tcp_opts *opts);
void xs_tcp_req_put(struct xs_tcp_req *req);
void xs_tcp_req_drop(struct xs_tcp_req *req);
void xs_tcp_req_rcv(struct xs_tcp_req *req, struct sk_buff *skb);
void xs_tcp_listen_flush(struct sock *sk);
struct sock *xs_tcp_accept_dequeue(struct sock *sk);
bool xs_tcp_listen_req_lookup(struct sock *lsk, struct sk_buff *skb);
void xs_tcp_tw_purge(struct xs_tcp_table *t);
bool xs_tcp_tw_takeover(struct sock *sk);
void xs_tcp_time_wait(struct sock *sk, int state, int timeo);
void xs_tcp_tw_put(struct xs_tcp_tw *tw);
int xs_tcp_tw_rcv(struct xs_tcp_tw *tw, struct sk_buff *skb);
void xs_tcp_tw_kill(struct xs_tcp_tw *tw);
void xs_tcp_req_fill(struct xs_tcp_req *req, struct sock *lsk,
		     struct sk_buff *skb, const struct xs_tcp_opts *o);
struct sock *xs_tcp_req_cookie_child(struct sock *lsk, struct xs_tcp_req *req);

/* tcp_urg.c */
void xs_tcp_urg_mark(struct sock *sk);
void xs_tcp_urg_write(const struct sock *sk, struct tcphdr *th, u32 seq);
void xs_tcp_urg_acked(struct sock *sk, u32 prior_snd_una);
void xs_tcp_urg_rcv(struct sock *sk, struct sk_buff *skb);
int xs_tcp_recv_urg(struct sock *sk, struct msghdr *msg, int len, int flags);

/* tcp_syncookies.c */
bool xs_tcp_syncookie_wanted(const struct sock *lsk, bool queue_full);
u32 xs_tcp_syncookie_ts(const struct xs_tcp_req *req, u32 now);
void xs_tcp_syncookie_send(struct sock *lsk, struct sk_buff *skb,
			   const struct xs_tcp_opts *o);
bool xs_tcp_syncookie_rcv(struct sock *lsk, struct sk_buff *skb);
void xs_tcp_syncookie_init(struct xs_tcp_table *t);

/* tcp_input.c */
int xs_tcp_v4_rcv(struct xs_net *xn, struct sk_buff *skb);
int xs_tcp_backlog_rcv(struct sock *sk, struct sk_buff *skb);
void xs_tcp_parse_options(const struct sk_buff *skb, struct xs_tcp_opts *o,
			  bool syn);
int xs_tcp_listen_rcv(struct sock *sk, struct sk_buff *skb);
int xs_tcp_rcv_state(struct sock *sk, struct sk_buff *skb);
void xs_tcp_rcv_sk(struct sock *sk, struct sk_buff *skb, int subclass);
void xs_tcp_init_transfer(struct sock *sk);
void xs_tcp_enter_cwr(struct sock *sk);
void xs_tcp_update_mss(struct sock *sk, u32 pmtu);
void xs_tcp_err(struct xs_net *xn, struct sk_buff *skb, u8 type, u8 code,
		u32 info);

/* tcp_output.c */
void xs_mstamp_refresh(struct tcp_sock *tp);
u32 xs_tcp_ts_now(const struct tcp_sock *tp);
int xs_tcp_send_syn(struct sock *sk);
void xs_tcp_send_ack(struct sock *sk);
void xs_tcp_send_dupack(struct sock *sk);
void xs_tcp_send_challenge_ack(struct sock *sk);
void xs_tcp_send_fin(struct sock *sk);
void xs_tcp_send_active_reset(struct sock *sk, gfp_t gfp);
void xs_tcp_send_reset_reply(struct xs_net *xn, struct sk_buff *skb);
void xs_tcp_send_synack(struct xs_tcp_req *req);
void xs_tcp_send_tw_ack(struct xs_tcp_tw *tw);
void xs_tcp_push(struct sock *sk, int nonagle);
bool xs_tcp_write_xmit(struct sock *sk, int nonagle);
int xs_tcp_retransmit_skb(struct sock *sk, struct sk_buff *skb);
void xs_tcp_xmit_lost(struct sock *sk);
void xs_tcp_resume_xmit(struct sock *sk);
bool xs_tcp_resume_or_defer(struct sock *sk);
int xs_tcp_send_probe(struct sock *sk);
u32 xs_tcp_current_mss(struct sock *sk);
u32 xs_tcp_mss_for_mtu(struct sock *sk, u32 pmtu);
u32 xs_tcp_select_window(struct sock *sk);
u32 xs_tcp_new_window(struct sock *sk);
void xs_tcp_select_initial_window(struct sock *sk, u32 mss, u32 *rcv_wnd,
				  u8 *rcv_wscale);
void xs_tcp_queue_skb(struct sock *sk, struct sk_buff *skb);
struct sk_buff *xs_tcp_alloc_skb(struct sock *sk, gfp_t gfp, bool force);
void xs_tcp_free_skb(struct sock *sk, struct sk_buff *skb);
int xs_tcp_fragment(struct sock *sk, struct sk_buff *skb, u32 len);
int xs_tcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len);
void xs_tcp_set_skb_pcount(struct sk_buff *skb, u32 mss);
void xs_tcp_cwnd_restart_check(struct sock *sk);

/* tcp_timer.c */
void xs_tcp_init_timers(struct sock *sk);
void xs_tcp_clear_timers(struct sock *sk);
void xs_tcp_reset_rto(struct sock *sk);
void xs_tcp_rearm_rto(struct sock *sk);
void xs_tcp_fin_retry_later(struct sock *sk);
void xs_tcp_reset_probe(struct sock *sk);
void xs_tcp_schedule_delack(struct sock *sk);
void xs_tcp_cancel_delack(struct sock *sk);
void xs_tcp_reset_keepalive(struct sock *sk, unsigned long len);
void xs_tcp_release_cb(struct sock *sk);
int xs_tcp_keepalive_time(const struct sock *sk);
int xs_tcp_keepalive_intvl(const struct sock *sk);
int xs_tcp_keepalive_probes(const struct sock *sk);
void xs_tcp_set_keepalive(struct sock *sk, int val);

/* tcp_cong.c */
int xs_tcp_ca_assign(struct sock *sk, const char *name, bool admin);
void xs_tcp_ca_assign_default(struct sock *sk);
void xs_tcp_ca_init(struct sock *sk);
void xs_tcp_ca_release(struct sock *sk);
void xs_tcp_ca_reacquire(struct sock *sk);
void xs_tcp_ca_inherit(struct sock *child, const struct sock *parent);
void xs_tcp_ca_available(char *buf, size_t len);
void xs_tcp_ca_default_name(struct xs_tcp_table *t, char *buf, size_t len);
int xs_tcp_ca_set_default(struct xs_tcp_table *t, const char *name);
int xs_tcp_ca_net_init(struct net *net, struct xs_tcp_table *t);
void xs_tcp_ca_net_exit(struct xs_tcp_table *t);

/* tcp_ecn.c */
void xs_tcp_ecn_send_syn(struct sock *sk, struct sk_buff *skb);
void xs_tcp_ecn_resend_syn(struct sock *sk, struct sk_buff *skb);
void xs_tcp_ecn_rcv_syn(struct sock *sk, const struct tcphdr *th);
bool xs_tcp_ecn_req_ok(const struct sock *lsk, const struct sk_buff *skb);
u8 xs_tcp_ecn_synack_tos(const struct sock *lsk);
u8 xs_tcp_ecn_send(struct sock *sk, struct sk_buff *skb, struct tcphdr *th);
void xs_tcp_ecn_accept_cwr(struct sock *sk, const struct sk_buff *skb);
void xs_tcp_ecn_check_ce(struct sock *sk, const struct sk_buff *skb);
void xs_tcp_ecn_queue_cwr(struct tcp_sock *tp);

/* tcp_pacing.c */
void xs_tcp_update_pacing_rate(struct sock *sk);
u64 xs_tcp_pacing_stamp(struct sock *sk, struct sk_buff *skb);
void xs_tcp_pacing_sent(struct sock *sk, u32 len, u64 prior);
bool xs_tcp_pacing_check(struct sock *sk);
void xs_tcp_pacing_init(struct sock *sk);
void xs_tcp_pacing_stop(struct sock *sk);
u32 xs_tcp_tso_segs(struct sock *sk, u32 mss);

/* tcp_tsq.c */
void xs_tcp_tsq_set_owner(struct sock *sk, struct sk_buff *skb);
bool xs_tcp_small_queue_check(struct sock *sk, const struct sk_buff *skb,
			      unsigned int factor);
void xs_tcp_tsq_init(void);
void xs_tcp_tsq_exit(void);

#endif /* _XSTACK_TCP_H */
