// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: the "sock" object. Lists xstack's TCP sockets like "ss -tai"
 * (XSTACK_CMD_SOCK_GET dump, in the kernel's order: listeners, then the
 * established table with its connections, SYN-RECEIVED requests and
 * TIME-WAIT entries), optionally of some states only (the kernel
 * filters, XSTACK_A_SOCK_STATES):
 *
 *   State      Recv-Q Send-Q Local-Address:Port    Peer-Address:Port
 *   LISTEN     0      128    10.0.0.1:5001         0.0.0.0:*
 *            cubic cwnd:10
 *   ESTAB      0      0      10.0.0.1:5001         10.0.0.2:40312
 *            ts sack cubic wscale:7,7 rto:204 rtt:1.234/0.617 ato:40 ...
 *   TIME-WAIT  0      0      10.0.0.1:40000        10.0.0.2:5002
 *
 * Full sockets (not requests or TIME-WAIT entries) get the second line
 * of "ss -ti", a tab and the fields, from their struct tcp_info
 * (XSTACK_A_TCP_INFO) and their congestion control (XSTACK_A_CA_NAME);
 * as ss, it leaves out what is zero. With -j, a JSON array of objects with the same fields, always
 * present, numbers as numbers.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/tcp.h>

#include "json.h"
#include "nl.h"
#include "xsctl.h"

#define SOCK_CA_NAME_MAX	16	/* TCP_CA_NAME_MAX */
#define SOCK_INFINITE_SSTHRESH	0x7fffffff
#define SOCK_STATE_MAX		11	/* TCP_CLOSING */
/* Every state the kernel can be asked for: (1 << TCP_*) of 1..11. */
#define SOCK_STATES_ALL		(((1u << (SOCK_STATE_MAX + 1)) - 1) & ~1u)

/* The TCP_* state numbers of <netinet/tcp.h>, which clashes with
 * <linux/tcp.h>.
 */
enum {
	SOCK_ESTABLISHED = 1,
	SOCK_SYN_SENT,
	SOCK_SYN_RECV,
	SOCK_FIN_WAIT1,
	SOCK_FIN_WAIT2,
	SOCK_TIME_WAIT,
	SOCK_CLOSE,
	SOCK_CLOSE_WAIT,
	SOCK_LAST_ACK,
	SOCK_LISTEN,
	SOCK_CLOSING,
};

#define SF(s)	(1u << (s))

/* ss's names: as shown, and as given to "state" (ss's filter words). */
static const struct {
	const char *show;
	const char *word;
} sock_states[SOCK_STATE_MAX + 1] = {
	[0]			= { "UNKNOWN",	  NULL },
	[SOCK_ESTABLISHED]	= { "ESTAB",	  "established" },
	[SOCK_SYN_SENT]		= { "SYN-SENT",	  "syn-sent" },
	[SOCK_SYN_RECV]		= { "SYN-RECV",	  "syn-recv" },
	[SOCK_FIN_WAIT1]	= { "FIN-WAIT-1", "fin-wait-1" },
	[SOCK_FIN_WAIT2]	= { "FIN-WAIT-2", "fin-wait-2" },
	[SOCK_TIME_WAIT]	= { "TIME-WAIT",  "time-wait" },
	[SOCK_CLOSE]		= { "UNCONN",	  "closed" },
	[SOCK_CLOSE_WAIT]	= { "CLOSE-WAIT", "close-wait" },
	[SOCK_LAST_ACK]		= { "LAST-ACK",	  "last-ack" },
	[SOCK_LISTEN]		= { "LISTEN",	  "listening" },
	[SOCK_CLOSING]		= { "CLOSING",	  "closing" },
};

/* ss's groups of states. */
static const struct {
	const char *word;
	unsigned int states;
} sock_groups[] = {
	{ "all",		SOCK_STATES_ALL },
	{ "connected",		SOCK_STATES_ALL & ~(SF(SOCK_LISTEN) |
						    SF(SOCK_CLOSE)) },
	{ "synchronized",	SOCK_STATES_ALL & ~(SF(SOCK_LISTEN) |
						    SF(SOCK_CLOSE) |
						    SF(SOCK_SYN_SENT)) },
	{ "bucket",		SF(SOCK_SYN_RECV) | SF(SOCK_TIME_WAIT) },
	{ "big",		SOCK_STATES_ALL & ~(SF(SOCK_SYN_RECV) |
						    SF(SOCK_TIME_WAIT)) },
	{ "unconnected",	SF(SOCK_CLOSE) },
};

/* One object of a SOCK_GET dump, decoded. */
struct sock_info {
	unsigned int state;
	char laddr[INET_ADDRSTRLEN];
	unsigned int lport;
	char raddr[INET_ADDRSTRLEN];
	unsigned int rport;
	uint32_t rqueue;
	uint32_t wqueue;
	uint32_t uid;
	uint64_t inode;
	bool has_info;		/* a full socket: @ti and @ca */
	struct tcp_info ti;
	char ca[SOCK_CA_NAME_MAX];
};

struct sock_show {
	bool header_done;
	struct json json;
};

static const char *sock_state_name(unsigned int state)
{
	if (state > SOCK_STATE_MAX)
		return "UNKNOWN";
	return sock_states[state].show;
}

/* A state word, a group or a state as shown (any case): its bits. */
static int sock_parse_state(const char *arg, unsigned int *states)
{
	size_t i;

	for (i = 1; i <= SOCK_STATE_MAX; i++) {
		if (!strcasecmp(arg, sock_states[i].word) ||
		    !strcasecmp(arg, sock_states[i].show)) {
			*states |= SF(i);
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(sock_groups); i++) {
		if (!strcasecmp(arg, sock_groups[i].word)) {
			*states |= sock_groups[i].states;
			return 0;
		}
	}
	return -1;
}

static void sock_addr(const struct nlattr *attr, char *buf)
{
	struct in_addr in = { .s_addr = mnl_attr_get_u32(attr) };

	inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static int sock_decode(const struct nlmsghdr *nlh, struct sock_info *si)
{
	const struct nlattr *tb[XSTACK_A_MAX + 1];
	const struct nlattr *attr;
	size_t len;

	memset(si, 0, sizeof(*si));
	if (xs_nl_attrs(nlh, tb) < 0 || !xs_nl_need(tb, XSTACK_A_SOCK) ||
	    xs_nl_nested(tb[XSTACK_A_SOCK], tb) < 0 ||
	    !xs_nl_need(tb, XSTACK_A_SOCK_STATE) ||
	    !xs_nl_need(tb, XSTACK_A_SOCK_LADDR) ||
	    !xs_nl_need(tb, XSTACK_A_SOCK_LPORT) ||
	    !xs_nl_need(tb, XSTACK_A_SOCK_RADDR) ||
	    !xs_nl_need(tb, XSTACK_A_SOCK_RPORT))
		return -1;
	si->state = mnl_attr_get_u8(tb[XSTACK_A_SOCK_STATE]);
	sock_addr(tb[XSTACK_A_SOCK_LADDR], si->laddr);
	si->lport = mnl_attr_get_u16(tb[XSTACK_A_SOCK_LPORT]);
	sock_addr(tb[XSTACK_A_SOCK_RADDR], si->raddr);
	si->rport = mnl_attr_get_u16(tb[XSTACK_A_SOCK_RPORT]);
	if (tb[XSTACK_A_SOCK_RQUEUE])
		si->rqueue = mnl_attr_get_u32(tb[XSTACK_A_SOCK_RQUEUE]);
	if (tb[XSTACK_A_SOCK_WQUEUE])
		si->wqueue = mnl_attr_get_u32(tb[XSTACK_A_SOCK_WQUEUE]);
	if (tb[XSTACK_A_SOCK_UID])
		si->uid = mnl_attr_get_u32(tb[XSTACK_A_SOCK_UID]);
	if (tb[XSTACK_A_SOCK_INODE])
		si->inode = mnl_attr_get_u64(tb[XSTACK_A_SOCK_INODE]);
	attr = tb[XSTACK_A_TCP_INFO];
	if (attr) {
		/* Another kernel's tcp_info may be shorter or longer. */
		len = mnl_attr_get_payload_len(attr);
		if (len > sizeof(si->ti))
			len = sizeof(si->ti);
		memcpy(&si->ti, mnl_attr_get_payload(attr), len);
		si->has_info = true;
	}
	if (tb[XSTACK_A_CA_NAME])
		snprintf(si->ca, sizeof(si->ca), "%s",
			 mnl_attr_get_str(tb[XSTACK_A_CA_NAME]));
	return 0;
}

/* "10.0.0.1:5001", "0.0.0.0:*" for port 0, as ss. */
static void sock_endpoint(char *buf, size_t size, const char *addr,
			  unsigned int port)
{
	if (port)
		snprintf(buf, size, "%s:%u", addr, port);
	else
		snprintf(buf, size, "%s:*", addr);
}

/* ss's rates: "%g" below 1000, else one decimal and K, M or G. */
static void sock_rate(char *buf, size_t size, double bps)
{
	if (bps > 1000000000.)
		snprintf(buf, size, "%.1fG", bps / 1000000000.);
	else if (bps > 1000000.)
		snprintf(buf, size, "%.1fM", bps / 1000000.);
	else if (bps > 1000.)
		snprintf(buf, size, "%.1fK", bps / 1000.);
	else
		snprintf(buf, size, "%g", bps);
}

/* ss's estimate of the sending rate, cwnd * mss / srtt; 0: unknown. */
static double sock_send_bps(const struct tcp_info *ti)
{
	if (!ti->tcpi_rtt || !ti->tcpi_snd_mss || !ti->tcpi_snd_cwnd)
		return 0;
	return (double)ti->tcpi_snd_cwnd * ti->tcpi_snd_mss * 8000000. /
	       ti->tcpi_rtt;
}

/* Pacing rate in bit/s; 0 when none or unlimited. */
static double sock_pacing_bps(const struct tcp_info *ti)
{
	if (!ti->tcpi_pacing_rate || ti->tcpi_pacing_rate == ~0ULL)
		return 0;
	return ti->tcpi_pacing_rate * 8.;
}

static void sock_print_header(void)
{
	printf("%-10s %-6s %-6s %-21s %s\n", "State", "Recv-Q", "Send-Q",
	       "Local-Address:Port", "Peer-Address:Port");
}

/* The second line of "ss -ti", what is zero left out as there. */
static void sock_print_info(const struct sock_info *si)
{
	const struct tcp_info *ti = &si->ti;
	double send = sock_send_bps(ti), pacing = sock_pacing_bps(ti);
	char rate[32];

	putchar('\t');
	if (ti->tcpi_options & TCPI_OPT_TIMESTAMPS)
		printf(" ts");
	if (ti->tcpi_options & TCPI_OPT_SACK)
		printf(" sack");
	if (ti->tcpi_options & TCPI_OPT_ECN)
		printf(" ecn");
	if (si->ca[0])
		printf(" %s", si->ca);
	if (ti->tcpi_options & TCPI_OPT_WSCALE)
		printf(" wscale:%u,%u", ti->tcpi_snd_wscale,
		       ti->tcpi_rcv_wscale);
	if (ti->tcpi_rto)
		printf(" rto:%g", ti->tcpi_rto / 1000.);
	if (ti->tcpi_rtt)
		printf(" rtt:%.3f/%.3f", ti->tcpi_rtt / 1000.,
		       ti->tcpi_rttvar / 1000.);
	if (ti->tcpi_ato)
		printf(" ato:%g", ti->tcpi_ato / 1000.);
	if (ti->tcpi_snd_mss)
		printf(" mss:%u", ti->tcpi_snd_mss);
	if (ti->tcpi_pmtu)
		printf(" pmtu:%u", ti->tcpi_pmtu);
	if (ti->tcpi_rcv_mss)
		printf(" rcvmss:%u", ti->tcpi_rcv_mss);
	if (ti->tcpi_advmss)
		printf(" advmss:%u", ti->tcpi_advmss);
	if (ti->tcpi_snd_cwnd)
		printf(" cwnd:%u", ti->tcpi_snd_cwnd);
	if (ti->tcpi_snd_ssthresh && ti->tcpi_snd_ssthresh < SOCK_INFINITE_SSTHRESH)
		printf(" ssthresh:%u", ti->tcpi_snd_ssthresh);
	if (ti->tcpi_bytes_sent)
		printf(" bytes_sent:%llu", (unsigned long long)ti->tcpi_bytes_sent);
	if (ti->tcpi_bytes_retrans)
		printf(" bytes_retrans:%llu",
		       (unsigned long long)ti->tcpi_bytes_retrans);
	if (ti->tcpi_bytes_acked)
		printf(" bytes_acked:%llu",
		       (unsigned long long)ti->tcpi_bytes_acked);
	if (ti->tcpi_bytes_received)
		printf(" bytes_received:%llu",
		       (unsigned long long)ti->tcpi_bytes_received);
	if (ti->tcpi_segs_out)
		printf(" segs_out:%u", ti->tcpi_segs_out);
	if (ti->tcpi_segs_in)
		printf(" segs_in:%u", ti->tcpi_segs_in);
	if (ti->tcpi_data_segs_out)
		printf(" data_segs_out:%u", ti->tcpi_data_segs_out);
	if (ti->tcpi_data_segs_in)
		printf(" data_segs_in:%u", ti->tcpi_data_segs_in);
	if (send) {
		sock_rate(rate, sizeof(rate), send);
		printf(" send %sbps", rate);
	}
	if (ti->tcpi_last_data_sent)
		printf(" lastsnd:%u", ti->tcpi_last_data_sent);
	if (ti->tcpi_last_data_recv)
		printf(" lastrcv:%u", ti->tcpi_last_data_recv);
	if (ti->tcpi_last_ack_recv)
		printf(" lastack:%u", ti->tcpi_last_ack_recv);
	if (pacing) {
		sock_rate(rate, sizeof(rate), pacing);
		printf(" pacing_rate %sbps", rate);
	}
	if (ti->tcpi_delivery_rate) {
		sock_rate(rate, sizeof(rate), ti->tcpi_delivery_rate * 8.);
		printf(" delivery_rate %sbps", rate);
	}
	if (ti->tcpi_delivered)
		printf(" delivered:%u", ti->tcpi_delivered);
	if (ti->tcpi_delivery_rate_app_limited)
		printf(" app_limited");
	if (ti->tcpi_unacked)
		printf(" unacked:%u", ti->tcpi_unacked);
	if (ti->tcpi_retrans || ti->tcpi_total_retrans)
		printf(" retrans:%u/%u", ti->tcpi_retrans,
		       ti->tcpi_total_retrans);
	if (ti->tcpi_lost)
		printf(" lost:%u", ti->tcpi_lost);
	/* A listener's tcpi_sacked is its backlog, as in Linux. */
	if (ti->tcpi_sacked && si->state != SOCK_LISTEN)
		printf(" sacked:%u", ti->tcpi_sacked);
	if (ti->tcpi_rcv_space)
		printf(" rcv_space:%u", ti->tcpi_rcv_space);
	if (ti->tcpi_rcv_ssthresh)
		printf(" rcv_ssthresh:%u", ti->tcpi_rcv_ssthresh);
	if (ti->tcpi_min_rtt)
		printf(" minrtt:%g", ti->tcpi_min_rtt / 1000.);
	if (ti->tcpi_snd_wnd)
		printf(" snd_wnd:%u", ti->tcpi_snd_wnd);
	putchar('\n');
}

/* "ESTAB      0      0      10.0.0.1:5001         10.0.0.2:40312" */
static void sock_print_text(const struct sock_info *si)
{
	char local[32], peer[32];

	sock_endpoint(local, sizeof(local), si->laddr, si->lport);
	sock_endpoint(peer, sizeof(peer), si->raddr, si->rport);
	printf("%-10s %-6u %-6u %-21s %s\n", sock_state_name(si->state),
	       si->rqueue, si->wqueue, local, peer);
	if (si->has_info)
		sock_print_info(si);
}

/* A rate in bit/s, or null when there is none. */
static void sock_json_rate(struct json *j, const char *key, double bps)
{
	if (bps)
		json_uint(j, key, (unsigned long long)(bps + 0.5));
	else
		json_null(j, key);
}

static void sock_print_json_info(struct json *j, const struct sock_info *si)
{
	const struct tcp_info *ti = &si->ti;
	bool wscale = ti->tcpi_options & TCPI_OPT_WSCALE;

	json_string(j, "cc", si->ca[0] ? si->ca : NULL);
	json_bool(j, "ts", ti->tcpi_options & TCPI_OPT_TIMESTAMPS);
	json_bool(j, "sack", ti->tcpi_options & TCPI_OPT_SACK);
	json_bool(j, "ecn", ti->tcpi_options & TCPI_OPT_ECN);
	if (wscale) {
		json_uint(j, "snd_wscale", ti->tcpi_snd_wscale);
		json_uint(j, "rcv_wscale", ti->tcpi_rcv_wscale);
	} else {
		json_null(j, "snd_wscale");
		json_null(j, "rcv_wscale");
	}
	json_double(j, "rto", ti->tcpi_rto / 1000., 3);
	json_double(j, "rtt", ti->tcpi_rtt / 1000., 3);
	json_double(j, "rttvar", ti->tcpi_rttvar / 1000., 3);
	json_double(j, "ato", ti->tcpi_ato / 1000., 3);
	json_uint(j, "mss", ti->tcpi_snd_mss);
	json_uint(j, "pmtu", ti->tcpi_pmtu);
	json_uint(j, "rcvmss", ti->tcpi_rcv_mss);
	json_uint(j, "advmss", ti->tcpi_advmss);
	json_uint(j, "cwnd", ti->tcpi_snd_cwnd);
	if (ti->tcpi_snd_ssthresh < SOCK_INFINITE_SSTHRESH)
		json_uint(j, "ssthresh", ti->tcpi_snd_ssthresh);
	else
		json_null(j, "ssthresh");
	json_uint(j, "bytes_sent", ti->tcpi_bytes_sent);
	json_uint(j, "bytes_retrans", ti->tcpi_bytes_retrans);
	json_uint(j, "bytes_acked", ti->tcpi_bytes_acked);
	json_uint(j, "bytes_received", ti->tcpi_bytes_received);
	json_uint(j, "segs_out", ti->tcpi_segs_out);
	json_uint(j, "segs_in", ti->tcpi_segs_in);
	json_uint(j, "data_segs_out", ti->tcpi_data_segs_out);
	json_uint(j, "data_segs_in", ti->tcpi_data_segs_in);
	sock_json_rate(j, "send_bps", sock_send_bps(ti));
	json_uint(j, "lastsnd", ti->tcpi_last_data_sent);
	json_uint(j, "lastrcv", ti->tcpi_last_data_recv);
	json_uint(j, "lastack", ti->tcpi_last_ack_recv);
	sock_json_rate(j, "pacing_rate_bps", sock_pacing_bps(ti));
	json_uint(j, "delivery_rate_bps", ti->tcpi_delivery_rate * 8);
	json_uint(j, "delivered", ti->tcpi_delivered);
	json_bool(j, "app_limited", ti->tcpi_delivery_rate_app_limited);
	json_uint(j, "unacked", ti->tcpi_unacked);
	json_uint(j, "retrans", ti->tcpi_retrans);
	json_uint(j, "retrans_total", ti->tcpi_total_retrans);
	json_uint(j, "lost", ti->tcpi_lost);
	json_uint(j, "sacked", ti->tcpi_sacked);
	json_uint(j, "rcv_space", ti->tcpi_rcv_space);
	json_uint(j, "rcv_ssthresh", ti->tcpi_rcv_ssthresh);
	json_double(j, "minrtt", ti->tcpi_min_rtt / 1000., 3);
	json_uint(j, "snd_wnd", ti->tcpi_snd_wnd);
}

static void sock_print_json(struct json *j, const struct sock_info *si)
{
	json_open_object(j, NULL);
	json_string(j, "state", sock_state_name(si->state));
	json_uint(j, "recv_q", si->rqueue);
	json_uint(j, "send_q", si->wqueue);
	json_string(j, "local_addr", si->laddr);
	json_uint(j, "local_port", si->lport);
	json_string(j, "peer_addr", si->raddr);
	json_uint(j, "peer_port", si->rport);
	json_uint(j, "uid", si->uid);
	json_uint(j, "inode", si->inode);
	if (si->has_info)
		sock_print_json_info(j, si);
	json_close_object(j);
}

static int sock_show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sock_show *ss = data;
	struct sock_info si;

	if (sock_decode(nlh, &si) < 0)
		return MNL_CB_ERROR;
	if (xs_opts.json) {
		sock_print_json(&ss->json, &si);
		return MNL_CB_OK;
	}
	if (!ss->header_done) {
		sock_print_header();
		ss->header_done = true;
	}
	sock_print_text(&si);
	return MNL_CB_OK;
}

/* "show [state STATE]...": the states are ORed, as in ss. */
static int sock_show(const struct xs_call *call, int argc, char **argv)
{
	struct sock_show ss = { 0 };
	unsigned int states = 0;
	struct nlmsghdr *nlh;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "state"))
			return xs_usage_error(call, "unexpected argument \"%s\"",
					      argv[i]);
		if (++i == argc)
			return xs_usage_error(call, "\"state\" needs a value");
		if (sock_parse_state(argv[i], &states))
			return xs_usage_error(call, "invalid state \"%s\"",
					      argv[i]);
	}
	nlh = xs_nl_new(XSTACK_CMD_SOCK_GET, NLM_F_DUMP);
	if (!nlh)
		return XS_EXIT_FAIL;
	if (states)
		mnl_attr_put_u32(nlh, XSTACK_A_SOCK_STATES, states);
	if (!xs_opts.json) {
		if (xs_nl_run(nlh, sock_show_cb, &ss))
			return XS_EXIT_FAIL;
		if (!ss.header_done)
			sock_print_header();
		return XS_EXIT_OK;
	}

	if (json_buffer(&ss.json) < 0) {
		xs_err("out of memory");
		return XS_EXIT_FAIL;
	}
	json_open_array(&ss.json, NULL);
	if (xs_nl_run(nlh, sock_show_cb, &ss)) {
		json_discard(&ss.json);
		return XS_EXIT_FAIL;
	}
	json_close_array(&ss.json);
	json_commit(&ss.json, stdout);
	return XS_EXIT_OK;
}

static const struct xs_cmd sock_cmds[] = {
	{
		.name	= "show",
		.args	= "[state STATE]...",
		.help	= "list TCP sockets, or those in the states given",
		.detail	=
			"Like \"ss -tai\": one line per listener, connection,\n"
			"SYN-RECEIVED request and TIME-WAIT entry with state,\n"
			"Recv-Q, Send-Q (for a listener: accept queue and backlog),\n"
			"local and peer address:port. Full sockets have a second,\n"
			"indented line as \"ss -ti\": options (ts, sack, ecn),\n"
			"congestion control, wscale:snd,rcv, rto, rtt:srtt/rttvar,\n"
			"ato, minrtt (milliseconds), mss, pmtu, rcvmss, advmss, cwnd,\n"
			"ssthresh, byte and segment counts, send, pacing_rate and\n"
			"delivery_rate (bit/s), lastsnd, lastrcv, lastack (ms ago),\n"
			"delivered, app_limited, unacked, retrans:now/total, lost,\n"
			"sacked, rcv_space, rcv_ssthresh, snd_wnd; zeros left out.\n"
			"STATE is established, syn-sent, syn-recv, fin-wait-1,\n"
			"fin-wait-2, time-wait, closed, close-wait, last-ack,\n"
			"listening, closing, a name as shown (ESTAB, LISTEN, ...),\n"
			"or a group: all, connected, synchronized, bucket, big;\n"
			"several are ORed. With -j, a JSON array of objects with the\n"
			"keys state, recv_q, send_q, local_addr, local_port,\n"
			"peer_addr, peer_port, uid, inode and, for full sockets, the\n"
			"fields of the second line (snd_wscale, rcv_wscale, send_bps,\n"
			"pacing_rate_bps, delivery_rate_bps, retrans, retrans_total,\n"
			"cc, ...), all present; null for none or unlimited.\n",
		.run	= sock_show,
	},
	{ .name = "list", .alias = "show" },
	{ .name = "ls", .alias = "show" },
	{ .name = NULL },
};

const struct xs_object xs_sock_object = {
	.name		= "sock",
	.help		= "TCP sockets (like ss -tai)",
	.default_cmd	= "show",
	.cmds		= sock_cmds,
};
