#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tcp_packets.py - differential packet-level TCP tests, scapy as the peer.

Runs in the native netns nb (tcp_packets.sh). The "target" is a TCP
listener or connection of the stack under test in another netns
(--netns, at --dst, MAC --dmac): sockets of family --family (AF_INET: the
native stack, which validates the expectations; or the AF_XSTACK number),
created by this process after entering that netns with setns(2). The
peer is scapy at --src, an address nb's kernel does not own: nb's kernel
drops what the target sends there (no forwarding, no RST) and the target
reaches it through a static neighbour entry for nb's MAC.

Every case opens its own connection (Linux rate-limits challenge and
duplicate ACKs per socket, tcp_invalid_ratelimit) and asserts what Linux
6.12 does:

  handshake-options  SYN with MSS, SACK_PERM, TS and WS: a SYN-ACK with
                     MSS 1460 (MTU 1500), SACK_PERM, WS and TS echoing our
                     TSval; the connection is accepted, and sends nothing
                     while idle (no ACK after the handshake's)
  handshake-plain    SYN without options: a SYN-ACK with MSS 1460 and no
                     WS, SACK_PERM or TS; the target then sends segments
                     of at most 536 bytes (the default MSS, RFC 9293 3.7.1)
  oow-data           data beyond the receive window: a duplicate ACK (SEQ
                     SND.NXT, ACK RCV.NXT), not delivered
  rst-exact          RST with SEQ = RCV.NXT: recv() fails with ECONNRESET,
                     nothing is sent in answer
  rst-inwindow       RST in the window, not at RCV.NXT: a challenge ACK,
                     the connection survives (RFC 5961 3.2)
  rst-outwindow      RST outside the window: silently ignored, the
                     connection survives
  syn-established    SYN on an established connection: a challenge ACK, no
                     RST, the connection survives (RFC 5961 4.2)
  ack-unsent         data with SEG.ACK > SND.NXT: dropped, not delivered;
                     Linux sends no ACK (RFC 9293 3.10.7.4 would)
  paws               timestamps on, data with an older TSval: a duplicate
                     ACK whose TSecr is TS.Recent, not delivered; newer
                     data after it is (RFC 7323 5)
  zero-window        the peer's window is 0 while the target has data: the
                     target sends window probes (each answered with window
                     0) at increasing intervals and no data, and sends the
                     data once the window opens (RFC 9293 3.8.6.1, RFC
                     1122 4.2.2.17)
  syn-queue          listener with backlog 1, never accepting, 8 SYNs from
                     distinct ports (both targets run with
                     tcp_syncookies=0, syn-cookies turns it on):
                     SYN-ACKs for the first 2, the rest dropped, no RST
  accept-queue       the same, handshakes completed: 2 complete, the later
                     SYNs are dropped without RST, both are accepted later
  icmp-port          connect(), the peer answers the SYN with ICMP port
                     unreachable: an ICMP quoting a SEQ outside
                     SND.UNA..SND.NXT is ignored (RFC 5927 4.1), the right
                     one fails the connect at once with ECONNREFUSED, the
                     socket is closed (TCP_INFO) and no SYN follows
  icmp-host          the same with host unreachable: EHOSTUNREACH at once
                     (Linux: a hard error in SYN-SENT, RFC 1122 4.2.3.9
                     would allow a soft one)
  bad-csum           data with a bad TCP checksum: no ACK, not delivered;
                     the same with a good checksum is
  syn-cookies        tcp_syncookies=1, backlog 1, 8 SYNs with MSS, SACK,
                     WS 7 and TS: all get a SYN-ACK (the later ones carry
                     cookies); an ACK of a wrong cookie gets an RST, the
                     right one a connection that has the SYN's options,
                     and SyncookiesSent/Recv/Failed grow (RFC 4987 3.6;
                     skipped by a kernel without CONFIG_SYN_COOKIES)
  syn-flood          spoofed SYNs from 10.0.0.200 (unanswered) flood a
                     listener with backlog 16, tcp_syncookies=1: 10 native
                     clients from nb connect meanwhile, each within WAIT,
                     and their data arrives; TCPReqQFullDoCookies grows
  rst-syn-sent       connect(): RSTs without ACK or with an ACK other than
                     ISS + 1 are ignored; RST+ACK of ISS + 1 fails it with
                     ECONNREFUSED (RFC 9293 3.10.7.3)
  rst-syn-received   an RST to the listener is ignored; one for a request
                     in the SYN queue drops it: the ACK that would complete
                     the handshake gets an RST, nothing is accepted
  rst-fin-wait-1,    an RST at RCV.NXT in each state (reached with
  rst-fin-wait-2,    shutdown(SHUT_WR) and the peer's ACK/FIN, the socket
  rst-closing,       still open): TCP_INFO shows CLOSED, SO_ERROR is
  rst-close-wait,    ECONNRESET (EPIPE in CLOSE-WAIT, as Linux's
  rst-last-ack       tcp_reset()), nothing sent in answer
  rst-orphan-fin-wait-2, rst-time-wait
                     after close(): the peer's ACK (FIN-WAIT-2) or its
                     FIN+ACK (TIME-WAIT, which must be acknowledged): a
                     bare ACK is absorbed; an RST at RCV.NXT frees the
                     4-tuple, the next ACK gets an RST (tcp_rfc1337=0)

Prints "ok - VARIANT: CASE: ..." / "not ok - ..." per case (lib/topo.sh's
relay makes each a KTAP line); when the family has no TCP yet (socket()
fails with ESOCKTNOSUPPORT or EPROTONOSUPPORT) each case is reported as
"ok - ... # SKIP". Exits 1 when a case failed.
"""
import argparse
import ctypes
import errno
import os
import random
import select
import socket
import struct
import sys
import threading
import time
import traceback

from xs_inet import csum

T_START = time.time()
CLONE_NEWNET = 0x40000000
WAIT = 3.0	# seconds, for what must happen (TCG is slow)
QUIET = 0.6	# seconds, for what must not
SETTLE = 0.25	# seconds after accept() before a case starts
LPORT = 8000	# the target's listener; LPORT + 1, + 2: backlog-1 listeners
RPORT = 9000	# ports of the peer the target connects to (icmp-*)
MSS = 1460	# over veth0's MTU of 1500
MSS_DEFAULT = 536
# TCP_INFO's tcpi_state (include/net/tcp_states.h)
TCPI_NAMES = {1: "ESTABLISHED", 2: "SYN-SENT", 3: "SYN-RECEIVED",
              4: "FIN-WAIT-1", 5: "FIN-WAIT-2", 6: "TIME-WAIT", 7: "CLOSED",
              8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"}
TCPI = {v: k for k, v in TCPI_NAMES.items()}
TCPI_CLOSE = TCPI["CLOSED"]

# TCP flags (those the cases look at)
F, S, R, A = 0x01, 0x02, 0x04, 0x10

FAILED = []


def report(ok, desc):
    print(("ok - " if ok else "not ok - ") + desc, flush=True)
    if not ok:
        FAILED.append(desc)


def note(msg):
    print("# " + msg, flush=True)


def sq(x):
    return x & 0xffffffff


class CaseError(Exception):
    """A case cannot go on (a step it depends on did not happen)."""


class CaseSkip(Exception):
    """The target cannot run this case (a missing kernel feature)."""


class Result:
    """The problems one case found; none means it passed."""

    def __init__(self):
        self.problems = []

    def expect(self, cond, what):
        if not cond:
            self.problems.append(what)
        return cond


# ------------------------------------------------------------- target side

class Netns:
    """setns(2) into the target's netns and back, for the calling thread
    (the main one) only: sockets keep the netns they were created in."""

    def __init__(self, name):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        self.target = os.open("/run/netns/" + name, os.O_RDONLY)

    def enter(self, fd):
        if self.libc.setns(fd, CLONE_NEWNET):
            e = ctypes.get_errno()
            raise OSError(e, "setns: " + os.strerror(e))

    def tcpext(self, family, name):
        """The target stack's TcpExt counter NAME."""
        from xs_scapy import snmp
        path = "/proc/thread-self/net/" + (
            "netstat" if family == socket.AF_INET else "xstack/snmp")
        self.enter(self.target)
        try:
            vals = snmp(path)
        finally:
            self.enter(self.home)
        if "TcpExt " + name not in vals:
            raise CaseError("no counter TcpExt %s in %s" % (name, path))
        return vals["TcpExt " + name]

    def sysctl(self, name, value):
        """Set /proc/sys/NAME in the target netns to VALUE; the old value,
        or None when the target has no such setting."""
        self.enter(self.target)
        try:
            with open("/proc/sys/" + name, "r+") as f:
                old = f.read().strip()
                f.seek(0)
                f.write(str(value))
            return old
        except FileNotFoundError:
            return None
        finally:
            self.enter(self.home)

    def socket(self, family):
        """A TCP socket of FAMILY in the target netns. An AF_XSTACK one is
        wrapped as AF_INET: Python then takes and returns sockaddr_in,
        which is what xstack's sockets use too."""
        self.enter(self.target)
        try:
            s = socket.socket(family, socket.SOCK_STREAM, 0)
        finally:
            self.enter(self.home)
        if family != socket.AF_INET:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0,
                              fileno=s.detach())
        return s


def abort(sock):
    """Close with SO_LINGER {1, 0}: an RST, no FIN retransmissions."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def pending(sock):
    """What a recv() on SOCK would return now: None when it would block
    (nothing delivered, no error)."""
    sock.settimeout(0)
    try:
        d = sock.recv(4096, socket.MSG_PEEK)
        return "data %r" % d[:24] if d else "end of file"
    except BlockingIOError:
        return None
    except OSError as e:
        return "error %s" % errno.errorcode.get(e.errno, e.errno)


def recv_n(sock, n, timeout=WAIT):
    """Up to N bytes from SOCK within TIMEOUT."""
    got = b""
    end = time.time() + timeout
    while len(got) < n:
        left = end - time.time()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            d = sock.recv(n - len(got))
        except socket.timeout:
            break
        if not d:
            break
        got += d
    return got


def tcp_state(sock):
    """tcpi_state of TCP_INFO, None when it cannot be read."""
    try:
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]
    except OSError:
        return None


def wait_state(sock, want, timeout=WAIT):
    """tcpi_state of SOCK once it is WANT, or the last one seen when it
    did not get there within TIMEOUT."""
    end = time.time() + timeout
    while True:
        st = tcp_state(sock)
        if st == want or time.time() >= end:
            return st
        time.sleep(0.02)


def state_name(st):
    return TCPI_NAMES.get(st, str(st))


def errname(err):
    return errno.errorcode.get(err, str(err)) if err else "no error"


# --------------------------------------------------------------- frames

def tcp_flags(f):
    return int(f[TCP].flags)


def plen(f):
    """TCP payload length (Ethernet padding excluded)."""
    return f[IP].len - f[IP].ihl * 4 - f[TCP].dataofs * 4


def payload(f):
    off = f[TCP].dataofs * 4
    return bytes(f[TCP])[off:off + plen(f)]


def options(f):
    """The TCP options of F as {name: value}."""
    return {k: v for k, v in f[TCP].options if k not in ("NOP", "EOL")}


class Conn:
    """One connection of the scapy peer with the target: the peer's
    sequence space (snd_nxt) and the target's (rcv_nxt, what the target
    sends next), and the timestamps when negotiated."""

    def __init__(self, t, sport, dport, ts=False):
        self.t = t
        self.sport, self.dport = sport, dport
        self.iss = random.getrandbits(32)
        self.snd_nxt = self.iss
        self.rcv_nxt = 0
        self.irs = 0
        self.ts = ts
        self.tsval = random.randrange(1 << 24, 1 << 30)
        self.ts_recent = 0
        self.sock = None

    def next_ts(self):
        self.tsval = sq(self.tsval + 7)
        return self.tsval

    def pkt(self, flags, seq=None, ack=None, data=b"", win=65535,
            opts=None, tsval=None, chksum=None):
        if seq is None:
            seq = self.snd_nxt
        if ack is None:
            ack = self.rcv_nxt
        if opts is None:
            opts = []
            if self.ts:
                opts = [("NOP", None), ("NOP", None),
                        ("Timestamp", (tsval if tsval is not None else
                                       self.next_ts(), self.ts_recent))]
        tcp = TCP(sport=self.sport, dport=self.dport, flags=flags,
                  seq=sq(seq), ack=sq(ack) if "A" in flags else 0,
                  window=win, options=opts)
        p = IP(src=self.t.args.src, dst=self.t.args.dst) / tcp
        if data:
            p = p / Raw(data)
        if chksum is not None:
            p = IP(bytes(p))
            p[TCP].chksum = chksum
        return p

    def send(self, *a, **kw):
        self.t.peer.send([self.pkt(*a, **kw)])

    def data(self, data, **kw):
        """Data at snd_nxt; snd_nxt advances."""
        self.send("PA", data=data, **kw)
        self.snd_nxt = sq(self.snd_nxt + len(data))

    def mine(self, f):
        """F is a TCP segment of the target on this connection (its
        TSval, when newer, becomes the TSecr we echo)."""
        if TCP not in f or f[TCP].sport != self.dport or \
                f[TCP].dport != self.sport:
            return False
        o = options(f).get("Timestamp")
        if o and (not self.ts_recent or
                  sq(o[0] - self.ts_recent) < 1 << 31):
            self.ts_recent = o[0]
        return True

    def rel(self, f, t0=None):
        """F, with sequence numbers relative to the ISNs (and its time
        relative to T0)."""
        return "%s seq %d ack %d len %d win %d%s" % (
            f[TCP].flags, sq(f[TCP].seq - self.irs),
            sq(f[TCP].ack - self.iss), plen(f), f[TCP].window,
            "" if t0 is None else " at %+.2f s" % (float(f.time) - t0))

    def is_ack(self, f, ack=None):
        """F is a pure ACK at SEQ rcv_nxt acknowledging ACK (snd_nxt)."""
        return self.mine(f) and tcp_flags(f) == A and plen(f) == 0 and \
            f[TCP].seq == self.rcv_nxt and \
            f[TCP].ack == (self.snd_nxt if ack is None else sq(ack))


class Tester:
    """The peer (scapy, sending from --src), one sniffer of everything the
    target sends it, and the target's sockets."""

    def __init__(self, args):
        self.args = args
        self.peer = Peer(args)
        self.sn = Sniffer(args.iface, "ip src host %s and ip dst host %s" %
                          (args.dst, args.src))
        self.ns = Netns(args.netns)
        self.port = random.randrange(20000, 50000)
        self.t_mark = time.time()
        self.listener = self.listen(LPORT, 16)

    def sock(self):
        return self.ns.socket(self.args.family)

    def listen(self, port, backlog):
        s = self.sock()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.args.dst, port))
        s.listen(backlog)
        return s

    def next_port(self):
        self.port += 1
        return self.port

    def mark(self):
        """Where the frames sent from now on start (and when: t_mark)."""
        self.t_mark = time.time()
        return len(self.sn.frames)

    def since(self, m, pred=lambda f: True):
        return [f for f in self.sn.frames[m:] if pred(f)]

    def wait(self, m, pred, timeout=WAIT):
        """The first frame since M matching PRED, waiting up to TIMEOUT."""
        end = time.time() + timeout
        while True:
            for f in self.sn.frames[m:]:
                if pred(f):
                    return f
            if time.time() >= end:
                return None
            time.sleep(0.02)

    def quiet(self, m, pred, secs=QUIET):
        """The frames matching PRED within SECS from now (none wanted)."""
        time.sleep(secs)
        return self.since(m, pred)

    def unanswered(self, r, c, what, *a, **kw):
        """C sends C.send(*A, **KW) and nothing may answer it within
        QUIET (WHAT names the failure)."""
        m = self.mark()
        c.send(*a, **kw)
        ans = self.quiet(m, c.mine)
        r.expect(not ans, "%s: %s" %
                 (what, "; ".join(c.rel(f, self.t_mark) for f in ans)))

    def accept(self, listener, sport, timeout=WAIT):
        """The accepted socket of the peer's port SPORT."""
        end = time.time() + timeout
        while time.time() < end:
            listener.settimeout(max(end - time.time(), 0.01))
            try:
                s, addr = listener.accept()
            except socket.timeout:
                break
            if addr[1] == sport:
                return s
            abort(s)
        raise CaseError("accept() returned no connection from port %d" %
                        sport)

    def syn(self, c, opts=None, win=65535):
        """Send C's SYN; the SYN-ACK or None."""
        if opts is None:
            opts = [("MSS", MSS)]
            if c.ts:
                opts += [("NOP", None), ("NOP", None),
                         ("Timestamp", (c.tsval, 0))]
        m = self.mark()
        c.send("S", seq=c.iss, opts=opts, win=win)
        sa = self.wait(m, lambda f: c.mine(f) and tcp_flags(f) == S | A)
        if sa is not None:
            c.irs = sa[TCP].seq
            c.rcv_nxt = sq(c.irs + 1)
            c.snd_nxt = sq(c.iss + 1)
        return sa

    def establish(self, ts=False, opts=None, ack_win=65535, listener=None,
                  port=LPORT):
        """A connection from a new port: SYN, SYN-ACK, ACK, accept(), and
        SETTLE seconds for anything the target sends on its own then (a
        case's checks count what follows its stimulus; handshake-options
        checks that an idle connection sends nothing)."""
        c = Conn(self, self.next_port(), port, ts)
        sa = self.syn(c, opts)
        if sa is None:
            raise CaseError("no SYN-ACK to the SYN from port %d" % c.sport)
        c.send("A", win=ack_win)
        c.sock = self.accept(listener or self.listener, c.sport)
        time.sleep(SETTLE)
        return c, sa

    def alive(self, c, r):
        """C still works both ways: nothing pending on the target socket,
        data from the peer is acknowledged and delivered, data from the
        target arrives."""
        p = pending(c.sock)
        r.expect(p is None, "the target socket has %s" % p)
        m = self.mark()
        c.data(b"alive")
        got = recv_n(c.sock, 5)
        r.expect(got == b"alive", "then data at RCV.NXT: recv() got %r, "
                 "want b'alive'" % got)
        r.expect(self.wait(m, c.is_ack) is not None,
                 "then data at RCV.NXT: no ACK of it")
        m = self.mark()
        c.sock.sendall(b"back")
        d = self.wait(m, lambda f: c.mine(f) and plen(f) > 0)
        if r.expect(d is not None, "the target's data did not come"):
            r.expect(d[TCP].seq == c.rcv_nxt and payload(d) == b"back",
                     "the target's data: %s %r" % (c.rel(d), payload(d)))
            c.rcv_nxt = sq(c.rcv_nxt + plen(d))
            c.send("A")


# ------------------------------------------------------------------ cases

def case_handshake_options(t, r):
    c = Conn(t, t.next_port(), LPORT, ts=True)
    sa = t.syn(c, [("MSS", MSS), ("SAckOK", b""),
                   ("Timestamp", (c.tsval, 0)), ("NOP", None),
                   ("WScale", 7)])
    if sa is None:
        raise CaseError("no SYN-ACK")
    o = options(sa)
    note("%s: SYN-ACK %s, options %s" % (t.args.variant, c.rel(sa),
                                         sa[TCP].options))
    r.expect(sa[TCP].ack == sq(c.iss + 1), "SYN-ACK acknowledges %d, "
             "not ISS + 1" % sq(sa[TCP].ack - c.iss))
    r.expect(o.get("MSS") == MSS, "MSS %s, want %d" % (o.get("MSS"), MSS))
    r.expect("SAckOK" in o, "no SACK_PERM")
    r.expect("WScale" in o and 0 <= o["WScale"] <= 14,
             "window scale %s, want 0..14" % o.get("WScale"))
    tso = o.get("Timestamp")
    r.expect(tso is not None and tso[1] == c.tsval,
             "timestamps %s, want TSecr %d" % (tso, c.tsval))
    r.expect(sa[TCP].window > 0, "window 0 in the SYN-ACK")
    m = t.mark()
    c.send("A")
    c.sock = t.accept(t.listener, c.sport)
    ans = t.quiet(m, c.mine)
    r.expect(not ans, "the idle connection sent after the handshake: %s" %
             "; ".join(c.rel(f, t.t_mark) for f in ans))
    abort(c.sock)


def case_handshake_plain(t, r):
    c, sa = t.establish(opts=[])
    o = options(sa)
    note("%s: SYN-ACK %s, options %s" % (t.args.variant, c.rel(sa),
                                         sa[TCP].options))
    r.expect(o.get("MSS") == MSS, "MSS %s, want %d" % (o.get("MSS"), MSS))
    extra = sorted(set(o) & {"WScale", "SAckOK", "Timestamp"})
    r.expect(not extra, "options not offered by the SYN: %s" % extra)
    # No MSS option from us: the target must assume 536.
    m = t.mark()
    c.sock.sendall(b"m" * 1200)
    segs = {}
    end = time.time() + WAIT
    while sum(len(v) for v in segs.values()) < 1200 and time.time() < end:
        time.sleep(0.05)
        for f in t.since(m, lambda f: c.mine(f) and plen(f) > 0):
            segs[sq(f[TCP].seq - c.rcv_nxt)] = payload(f)
    c.send("A", ack=c.rcv_nxt + 1200)
    sizes = sorted(len(v) for v in segs.values())
    note("%s: 1200 bytes sent as segments of %s bytes" % (t.args.variant,
                                                           sizes))
    r.expect(sum(sizes) >= 1200, "only %d of 1200 bytes came" % sum(sizes))
    r.expect(sizes and max(sizes) <= MSS_DEFAULT,
             "segments of %s bytes, want <= %d" % (sizes, MSS_DEFAULT))
    abort(c.sock)


def case_oow_data(t, r):
    c, _ = t.establish()
    m = t.mark()
    c.send("PA", seq=c.snd_nxt + (1 << 30), data=b"out-of-window")
    d = t.wait(m, c.mine)
    if r.expect(d is not None, "no answer"):
        r.expect(c.is_ack(d), "answer %s, want a duplicate ACK (ACK 0 "
                 "relative: RCV.NXT)" % c.rel(d))
    t.alive(c, r)
    abort(c.sock)


def case_rst_exact(t, r):
    c, _ = t.establish()
    m = t.mark()
    c.send("R", seq=c.snd_nxt)
    got = None
    c.sock.settimeout(WAIT)
    try:
        got = "data %r" % c.sock.recv(100)
    except socket.timeout:
        got = "timeout"
    except OSError as e:
        got = errno.errorcode.get(e.errno, str(e.errno))
    r.expect(got == "ECONNRESET", "recv(): %s, want ECONNRESET" % got)
    ans = t.quiet(m, c.mine)
    r.expect(not ans, "answered: %s" % "; ".join(c.rel(f, t.t_mark) for f in ans))
    c.sock.close()


def case_rst_inwindow(t, r):
    c, _ = t.establish()
    m = t.mark()
    c.send("R", seq=c.snd_nxt + 1000)
    d = t.wait(m, c.mine)
    if r.expect(d is not None, "no challenge ACK"):
        r.expect(c.is_ack(d), "answer %s, want a challenge ACK (SEQ "
                 "SND.NXT, ACK RCV.NXT)" % c.rel(d))
    t.alive(c, r)
    abort(c.sock)


def case_rst_outwindow(t, r):
    c, _ = t.establish()
    t.unanswered(r, c, "answered", "R", seq=c.snd_nxt + (1 << 30))
    t.alive(c, r)
    abort(c.sock)


def case_syn_established(t, r):
    c, _ = t.establish()
    m = t.mark()
    c.send("S", seq=random.getrandbits(32), opts=[("MSS", MSS)])
    d = t.wait(m, c.mine)
    if r.expect(d is not None, "no challenge ACK"):
        r.expect(c.is_ack(d), "answer %s, want a challenge ACK (SEQ "
                 "SND.NXT, ACK RCV.NXT)" % c.rel(d))
    more = t.quiet(m, lambda f: c.mine(f) and tcp_flags(f) & (R | S))
    r.expect(not more, "RST or SYN sent: %s" %
             "; ".join(c.rel(f) for f in more))
    t.alive(c, r)
    abort(c.sock)


def case_ack_unsent(t, r):
    c, _ = t.establish()
    t.unanswered(r, c, "answered",
                 "PA", ack=c.rcv_nxt + 1000, data=b"acks-the-future")
    # Not delivered, and snd_nxt stays: alive() sends "alive" there.
    t.alive(c, r)
    abort(c.sock)


def case_paws(t, r):
    c, sa = t.establish(ts=True)
    r.expect("Timestamp" in options(sa), "no timestamps in the SYN-ACK")
    m = t.mark()
    c.data(b"first")
    good = c.tsval
    r.expect(recv_n(c.sock, 5) == b"first", "data with a newer TSval: "
             "not delivered")
    r.expect(t.wait(m, c.is_ack) is not None, "data with a newer TSval: "
             "no ACK")
    m = t.mark()
    c.send("PA", data=b"stale", tsval=sq(good - 0x10000))
    d = t.wait(m, c.mine)
    if r.expect(d is not None, "older TSval: no duplicate ACK"):
        tso = options(d).get("Timestamp")
        r.expect(c.is_ack(d), "older TSval: answer %s, want a duplicate "
                 "ACK" % c.rel(d))
        r.expect(tso is not None and tso[1] == good, "older TSval: the "
                 "ACK echoes %s, want TS.Recent %d" % (tso, good))
    p = pending(c.sock)
    r.expect(p is None, "older TSval: delivered (%s)" % p)
    m = t.mark()
    c.data(b"fresh")
    got = recv_n(c.sock, 5)
    r.expect(got == b"fresh", "newer TSval again: recv() got %r" % got)
    r.expect(t.wait(m, c.is_ack) is not None, "newer TSval again: no ACK")
    abort(c.sock)


def case_zero_window(t, r):
    c, _ = t.establish(ack_win=0)
    m = t.mark()
    t0 = time.time()
    c.sock.sendall(b"z" * 1000)
    probes, bad, seen = [], [], m
    # 4 probes, or 3 when they come slowly (a large RTO).
    while len(probes) < 4 and time.time() < t0 + 12 and \
            not (len(probes) == 3 and time.time() > t0 + 6):
        time.sleep(0.02)
        new = t.sn.frames[seen:]
        seen += len(new)
        for f in filter(c.mine, new):
            # Linux probes with SEQ SND.UNA - 1 and no data; a probe of
            # one byte at SND.UNA is allowed too (RFC 9293 3.8.6.1).
            if (plen(f) == 0 and f[TCP].seq == sq(c.rcv_nxt - 1)) or \
                    (plen(f) == 1 and f[TCP].seq == c.rcv_nxt):
                probes.append(float(f.time))
                c.send("A", win=0)
            else:
                bad.append(c.rel(f))
    note("%s: probes at %s s after send()" % (
        t.args.variant, ", ".join("%.2f" % (p - t0) for p in probes)))
    r.expect(not bad, "sent into the zero window: %s" % "; ".join(bad[:3]))
    if r.expect(len(probes) >= 3, "%d window probes in 12 s, want 3" %
                len(probes)):
        iv = [b - a for a, b in zip(probes, probes[1:])]
        r.expect(all(b >= 1.3 * a for a, b in zip(iv, iv[1:])),
                 "probe intervals %s s do not increase" %
                 ", ".join("%.2f" % i for i in iv))
    # Open the window: the 1000 bytes come.
    m = t.mark()
    c.send("A", win=65535)
    segs = {}
    end = time.time() + WAIT
    while sum(len(v) for v in segs.values()) < 1000 and time.time() < end:
        time.sleep(0.05)
        for f in t.since(m, lambda f: c.mine(f) and plen(f) > 0):
            segs[sq(f[TCP].seq - c.rcv_nxt)] = payload(f)
    data = b"".join(v for _, v in sorted(segs.items()))
    r.expect(data.startswith(b"z" * 1000) and 0 in segs,
             "after the window opened: %d bytes came, want 1000" % len(data))
    c.send("A", ack=c.rcv_nxt + 1000)
    abort(c.sock)


def case_syn_queue(t, r):
    lst = t.listen(LPORT + 1, 1)
    conns = [Conn(t, t.next_port(), LPORT + 1) for _ in range(8)]
    ports = [c.sport for c in conns]
    m = t.mark()
    for c in conns:
        c.send("S", seq=c.iss, opts=[("MSS", MSS)])

    def answered():
        return sorted({f[TCP].dport for f in t.since(m, lambda f: TCP in f)
                       if f[TCP].dport in ports and tcp_flags(f) == S | A})

    # Until two SYN-ACKs came, then long enough for any others.
    end = time.time() + WAIT
    while len(answered()) < 2 and time.time() < end:
        time.sleep(0.05)
    time.sleep(1.0)
    got = t.since(m, lambda f: TCP in f and f[TCP].dport in ports)
    synacks = answered()
    rst = [f for f in got if tcp_flags(f) & R]
    note("%s: SYN-ACKs to %d of 8 SYNs (ports %s)" % (
        t.args.variant, len(synacks), [p - ports[0] for p in synacks]))
    r.expect(synacks == ports[:2], "SYN-ACKs for SYNs %s, want the first "
             "2" % [p - ports[0] for p in synacks])
    r.expect(not rst, "%d RSTs" % len(rst))
    for c in conns:
        c.send("R", seq=c.iss + 1)
    lst.close()


def case_accept_queue(t, r):
    lst = t.listen(LPORT + 2, 1)
    conns = [Conn(t, t.next_port(), LPORT + 2) for _ in range(5)]
    ports = [c.sport for c in conns]
    m = t.mark()
    for c in conns[:2]:
        sa = t.syn(c)
        if r.expect(sa is not None, "no SYN-ACK to SYN %d" %
                    (c.sport - ports[0])):
            c.send("A")
    time.sleep(0.3)
    m2 = t.mark()
    for c in conns[2:]:
        c.send("S", seq=c.iss, opts=[("MSS", MSS)])
    time.sleep(1.5)
    late = t.since(m2, lambda f: TCP in f and f[TCP].dport in ports[2:])
    r.expect(not late, "answers to SYNs beyond the queue: %s" %
             "; ".join("%s to %d" % (f[TCP].flags, f[TCP].dport - ports[0])
                       for f in late[:3]))
    rst = t.since(m, lambda f: TCP in f and f[TCP].dport in ports and
                  tcp_flags(f) & R)
    r.expect(not rst, "%d RSTs" % len(rst))
    acc = []
    for c in conns[:2]:
        try:
            acc.append(t.accept(lst, c.sport, WAIT))
        except CaseError as e:
            r.expect(False, str(e))
    lst.settimeout(QUIET)
    try:
        s, addr = lst.accept()
        r.expect(False, "a third connection accepted (port %d)" %
                 (addr[1] - ports[0]))
        abort(s)
    except socket.timeout:
        pass
    for s in acc:
        abort(s)
    lst.close()


def case_ofo_prune(t, r):
    """Small segments out of order, each with a gap before it, into a small
    receive buffer: their memory (truesize) outgrows the buffer long
    before the window is used, so the target prunes its out-of-order
    queue (RFC 2018 8 allows it to renege on what it SACKed). The stream
    sent again in order then arrives intact."""
    lst = t.sock()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lst.bind((t.args.dst, LPORT + 3))
    lst.listen(4)
    c, sa = t.establish(opts=[("MSS", MSS), ("SAckOK", b"")], listener=lst,
                        port=LPORT + 3)
    win = sa[TCP].window
    stream = bytes(random.getrandbits(8) for _ in range(win))
    before = t.ns.tcpext(t.args.family, "OfoPruned")
    m = t.mark()
    # 16 bytes at every 32nd byte of the window but the first, from the
    # far end: what arrives lies before what is queued, so the queue's
    # far end is pruned for it (Linux drops a segment that would land at
    # the end instead).
    for off in reversed(range(32, win - 16, 32)):
        c.send("PA", seq=c.snd_nxt + off, data=stream[off:off + 16])
    sacks = t.wait(m, lambda f: c.mine(f) and "SAck" in options(f))
    r.expect(sacks is not None, "no SACK for the out-of-order segments")
    time.sleep(QUIET)
    pruned = t.ns.tcpext(t.args.family, "OfoPruned") - before
    note("%s: window %d, OfoPruned +%d, TCPOFODrop %d, PruneCalled %d" % (
        t.args.variant, win, pruned,
        t.ns.tcpext(t.args.family, "TCPOFODrop"),
        t.ns.tcpext(t.args.family, "PruneCalled")))
    r.expect(pruned > 0, "%d segments of %d bytes into a %d-byte buffer: "
             "OfoPruned +0" % (len(range(32, win - 16, 32)), 16,
                               lst.getsockopt(socket.SOL_SOCKET,
                                              socket.SO_RCVBUF)))
    got = b""
    for off in range(0, win, 512):
        c.data(stream[off:off + 512])
        got += recv_n(c.sock, len(stream[off:off + 512]))
    r.expect(got == stream, "the stream in order afterwards: %d of %d "
             "bytes intact" % (len(os.path.commonprefix([got, stream])),
                               len(stream)))
    abort(c.sock)
    lst.close()


def icmp_case(t, r, code, want):
    s = t.sock()
    s.setblocking(False)
    port = RPORT + code
    m = t.mark()
    rc = s.connect_ex((t.args.src, port))
    r.expect(rc == errno.EINPROGRESS, "connect(): %s, want EINPROGRESS" %
             errno.errorcode.get(rc, rc))
    syn = t.wait(m, lambda f: TCP in f and f[TCP].dport == port and
                 tcp_flags(f) == S)
    if syn is None:
        s.close()
        raise CaseError("no SYN")
    ip = bytes(syn[IP])
    quote = bytearray(ip[:syn[IP].ihl * 4 + 8])
    off = syn[IP].ihl * 4
    # First an ICMP quoting a SEQ the target never sent: ignored.
    isn = struct.unpack("!I", quote[off + 4:off + 8])[0]
    quote[off + 4:off + 8] = struct.pack("!I", sq(isn + 100000))
    t.peer.send([IP(src=t.args.src, dst=t.args.dst) /
                 ICMP(type=3, code=code) / Raw(bytes(quote))])
    time.sleep(QUIET)
    _, w, _ = select.select([], [s], [], 0)
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if not r.expect(not w and err == 0, "an ICMP quoting SEQ ISS + 100000 "
                    "was not ignored (connect: %s)" % (
                        errno.errorcode.get(err, err) if err else
                        "completed")):
        s.close()
        return
    quote[off + 4:off + 8] = struct.pack("!I", isn)
    m = t.mark()
    t1 = time.time()
    t.peer.send([IP(src=t.args.src, dst=t.args.dst) /
                 ICMP(type=3, code=code) / Raw(bytes(quote))])
    _, w, _ = select.select([], [s], [], WAIT)
    spent = time.time() - t1
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    note("%s: connect() failed %.2f s after the ICMP: %s" % (
        t.args.variant, spent, errno.errorcode.get(err, err)))
    r.expect(w and err == want, "connect(): %s, want %s" % (
        errno.errorcode.get(err, err) if w else "still in progress",
        errno.errorcode[want]))
    r.expect(spent < 1.0, "connect() failed %.2f s after the ICMP, "
             "want at once" % spent)
    r.expect(tcp_state(s) == TCPI_CLOSE, "TCP_INFO state %s, want CLOSE" %
             tcp_state(s))
    syns = t.quiet(m, lambda f: TCP in f and f[TCP].dport == port and
                   float(f.time) > t1 + 0.3, 1.2)
    r.expect(not syns, "%d segments sent after the ICMP" % len(syns))
    s.close()


def case_icmp_port(t, r):
    icmp_case(t, r, 3, errno.ECONNREFUSED)


def case_icmp_host(t, r):
    icmp_case(t, r, 1, errno.EHOSTUNREACH)


# RST in every state (RFC 9293 3.10.7, RFC 5961 3.2). A full socket is
# reset by an RST at RCV.NXT: TCP_INFO shows it closed and SO_ERROR
# holds ECONNREFUSED in SYN-SENT, EPIPE in CLOSE-WAIT and ECONNRESET
# elsewhere (Linux's tcp_reset()); nothing is sent in answer to an RST.

def target_fin(t, c):
    """shutdown(SHUT_WR) on the target: its FIN (RCV.NXT moves past it)."""
    m = t.mark()
    c.sock.shutdown(socket.SHUT_WR)
    fin = t.wait(m, lambda f: c.mine(f) and tcp_flags(f) & F)
    if fin is None:
        raise CaseError("no FIN after shutdown(SHUT_WR)")
    c.rcv_nxt = sq(fin[TCP].seq + plen(fin) + 1)
    return fin


def peer_fin(t, r, c, ack=None):
    """The peer's FIN; True once the target has acknowledged it."""
    m = t.mark()
    c.send("FA", ack=ack)
    c.snd_nxt = sq(c.snd_nxt + 1)
    if t.wait(m, c.is_ack) is not None:
        return True
    got = t.since(m, c.mine)
    r.expect(False, "no ACK of the peer's FIN (got: %s)" %
             ("; ".join(c.rel(f, t.t_mark) for f in got) or "nothing"))
    return False


def reach_fin_wait_1(t, r, c):
    target_fin(t, c)


def reach_fin_wait_2(t, r, c):
    target_fin(t, c)
    c.send("A")


def reach_closing(t, r, c):
    fin = target_fin(t, c)
    peer_fin(t, r, c, ack=fin[TCP].seq)	# crosses the target's FIN


def reach_close_wait(t, r, c):
    peer_fin(t, r, c)


def reach_last_ack(t, r, c):
    peer_fin(t, r, c)
    if wait_state(c.sock, TCPI["CLOSE-WAIT"]) != TCPI["CLOSE-WAIT"]:
        raise CaseError("no CLOSE-WAIT after the peer's FIN")
    target_fin(t, c)


def rst_in_state(t, r, name, reach, want_err):
    c, _ = t.establish()
    reach(t, r, c)
    st = wait_state(c.sock, TCPI[name])
    if not r.expect(st == TCPI[name], "the set-up reached %s, not %s" %
                    (state_name(st), name)):
        abort(c.sock)
        return
    m = t.mark()
    c.send("R", seq=c.snd_nxt)
    st = wait_state(c.sock, TCPI_CLOSE)
    err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    r.expect(st == TCPI_CLOSE, "after the RST: %s, want CLOSED" %
             state_name(st))
    r.expect(err == want_err, "after the RST: SO_ERROR %s, want %s" %
             (errname(err), errname(want_err)))
    ans = t.quiet(m, c.mine)
    r.expect(not ans, "the RST was answered: %s" %
             "; ".join(c.rel(f, t.t_mark) for f in ans))
    c.sock.close()


def case_rst_fin_wait_1(t, r):
    rst_in_state(t, r, "FIN-WAIT-1", reach_fin_wait_1, errno.ECONNRESET)


def case_rst_fin_wait_2(t, r):
    rst_in_state(t, r, "FIN-WAIT-2", reach_fin_wait_2, errno.ECONNRESET)


def case_rst_closing(t, r):
    rst_in_state(t, r, "CLOSING", reach_closing, errno.ECONNRESET)


def case_rst_close_wait(t, r):
    rst_in_state(t, r, "CLOSE-WAIT", reach_close_wait, errno.EPIPE)


def case_rst_last_ack(t, r):
    rst_in_state(t, r, "LAST-ACK", reach_last_ack, errno.ECONNRESET)


def tuple_is_free(t, r, c, what):
    """A bare ACK on C's 4-tuple gets an RST with SEQ = SEG.ACK (RFC 9293
    3.10.7.1: no connection, only the listener of the port)."""
    m = t.mark()
    c.send("A")
    f = t.wait(m, c.mine)
    if r.expect(f is not None, "%s: an ACK got no answer" % what):
        r.expect(tcp_flags(f) == R and f[TCP].seq == c.rcv_nxt,
                 "%s: an ACK got %s, want an RST with SEQ = SEG.ACK" %
                 (what, c.rel(f)))


def rst_orphan(t, r, fin_from_peer):
    """close() first, then the peer's ACK (FIN-WAIT-2 of an orphan) or
    FIN (TIME-WAIT): the 4-tuple is held (a bare ACK is absorbed) until
    an RST at RCV.NXT frees it (Linux with tcp_rfc1337=0, the default:
    TIME-WAIT assassination, RFC 1337)."""
    c, _ = t.establish()
    m = t.mark()
    c.sock.close()
    fin = t.wait(m, lambda f: c.mine(f) and tcp_flags(f) & F)
    if fin is None:
        raise CaseError("no FIN after close()")
    c.rcv_nxt = sq(fin[TCP].seq + plen(fin) + 1)
    if fin_from_peer:
        if not peer_fin(t, r, c):
            return
    else:
        c.send("A")
    time.sleep(SETTLE)
    t.unanswered(r, c, "before the RST, a bare ACK was answered", "A")
    t.unanswered(r, c, "the RST was answered", "R", seq=c.snd_nxt)
    tuple_is_free(t, r, c, "after the RST")


def case_rst_orphan_fin_wait_2(t, r):
    rst_orphan(t, r, False)


def case_rst_time_wait(t, r):
    rst_orphan(t, r, True)


def case_rst_syn_received(t, r):
    # An RST to the listener itself: ignored (RFC 9293 3.10.7.2).
    other = Conn(t, t.next_port(), LPORT)
    t.unanswered(r, other, "an RST to the listener was answered",
                 "R", seq=other.iss)
    c = Conn(t, t.next_port(), LPORT)
    if t.syn(c) is None:
        raise CaseError("no SYN-ACK")
    t.unanswered(r, c, "the RST was answered", "R", seq=c.snd_nxt)
    # The request is gone: the ACK that would complete the handshake
    # meets only the listener, and nothing is accepted.
    tuple_is_free(t, r, c, "after the RST")
    t.listener.settimeout(0)
    got = []
    try:
        while True:
            s, addr = t.listener.accept()
            got.append(addr[1])
            abort(s)
    except (BlockingIOError, socket.timeout):
        pass
    r.expect(c.sport not in got, "the reset request was accepted")


def case_rst_syn_sent(t, r):
    s = t.sock()
    s.setblocking(False)
    port = RPORT + 10
    m = t.mark()
    rc = s.connect_ex((t.args.src, port))
    r.expect(rc == errno.EINPROGRESS, "connect(): %s, want EINPROGRESS" %
             errname(rc))
    syn = t.wait(m, lambda f: TCP in f and f[TCP].dport == port and
                 tcp_flags(f) == S)
    if syn is None:
        s.close()
        raise CaseError("no SYN")
    c = Conn(t, port, syn[TCP].sport)
    c.irs = syn[TCP].seq
    # Not acceptable (RFC 9293 3.10.7.3): an RST without ACK, and one
    # whose ACK is not ISS + 1; the connect goes on.
    c.send("R", seq=0)
    c.send("RA", seq=0, ack=c.irs + 2)
    time.sleep(QUIET)
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    st = tcp_state(s)
    if not r.expect(err == 0 and st == TCPI["SYN-SENT"],
                    "an RST without an acceptable ACK was not ignored: %s, "
                    "SO_ERROR %s" % (state_name(st), errname(err))):
        s.close()
        return
    c.send("RA", seq=0, ack=c.irs + 1)
    _, w, _ = select.select([], [s], [], WAIT)
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    r.expect(w and err == errno.ECONNREFUSED, "after an RST acknowledging "
             "the SYN: connect() %s, want ECONNREFUSED" %
             (errname(err) if w else "still in progress"))
    r.expect(tcp_state(s) == TCPI_CLOSE, "TCP_INFO state %s, want CLOSED" %
             state_name(tcp_state(s)))
    s.close()


def syncookies_on(t):
    """tcp_syncookies=1 on the target: the sysctl's name and old value."""
    knob = "net/%s/tcp_syncookies" % (
        "ipv4" if t.args.family == socket.AF_INET else "xstack")
    old = t.ns.sysctl(knob, 1)
    if old is None:
        raise CaseSkip("no %s (a kernel without CONFIG_SYN_COOKIES)" % knob)
    return knob, old


def case_syn_cookies(t, r):
    knob, old = syncookies_on(t)
    names = ("SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed")
    before = {n: t.ns.tcpext(t.args.family, n) for n in names}
    lst = t.listen(LPORT + 3, 1)
    try:
        syn_cookies(t, r, lst, before)
    finally:
        lst.close()
        t.ns.sysctl(knob, old)


def syn_cookies(t, r, lst, before):
    opts = [("MSS", MSS), ("SAckOK", b""), ("NOP", None), ("WScale", 7)]
    conns, answered = [], 0
    for _ in range(8):
        c = Conn(t, t.next_port(), LPORT + 3, ts=True)
        if t.syn(c, opts + [("Timestamp", (c.tsval, 0))]) is not None:
            answered += 1
        conns.append(c)
    r.expect(answered == 8, "%d of 8 SYNs got a SYN-ACK, want all" %
             answered)
    c, bad = conns[-1], conns[-2]
    if not c.irs or not bad.irs:
        raise CaseError("no SYN-ACK to the last SYNs")
    # A wrong cookie: the ACK gets an RST, nothing is accepted.
    m = t.mark()
    bad.send("A", ack=bad.rcv_nxt + 1000)
    f = t.wait(m, bad.mine)
    r.expect(f is not None and tcp_flags(f) == R and
             f[TCP].seq == sq(bad.rcv_nxt + 1000),
             "an ACK of a wrong cookie got %s, want an RST" %
             (bad.rel(f) if f is not None else "nothing"))
    # The right one: a connection with the SYN's options.
    c.send("A")
    c.sock = t.accept(lst, c.sport)
    info = c.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    r.expect(info[5] & 7 == 7, "TCP_INFO options %#x, want timestamps, "
             "SACK and window scaling (7)" % info[5])
    r.expect(info[6] & 0xf == 7, "the peer's window scale is %d, want 7" %
             (info[6] & 0xf))
    t.alive(c, r)
    abort(c.sock)
    after = {n: t.ns.tcpext(t.args.family, n) for n in before}
    note("%s: counters %s" % (t.args.variant, ", ".join(
        "%s +%d" % (n, after[n] - before[n]) for n in before)))
    for n in before:
        r.expect(after[n] > before[n], "TcpExt %s did not grow" % n)


FLOOD_SRC = "10.0.0.200"	# spoofed, unanswered: SYN-ACKs go nowhere


def syn_frames(t, dport, n):
    """N SYNs (MSS 1460) from FLOOD_SRC, distinct ports, as raw frames."""
    src, dst = socket.inet_aton(FLOOD_SRC), socket.inet_aton(t.args.dst)
    eth = bytes.fromhex(t.args.dmac.replace(":", "")) + \
        bytes.fromhex(t.peer.mac.replace(":", "")) + b"\x08\x00"
    frames = []
    for i in range(n):
        tcp = bytearray(struct.pack("!HHIIBBHHH", 1024 + i, dport,
                                    random.getrandbits(32), 0, 6 << 4, S,
                                    65535, 0, 0) + b"\x02\x04\x05\xb4")
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp[16:18] = struct.pack("!H", csum(pseudo + bytes(tcp)))
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                                   i, 0, 64, 6, 0, src, dst))
        ip[10:12] = struct.pack("!H", csum(bytes(ip)))
        frames.append(eth + bytes(ip) + bytes(tcp))
    return frames


def case_syn_flood(t, r):
    knob, old = syncookies_on(t)
    names = ("TCPReqQFullDoCookies", "SyncookiesSent")
    before = {n: t.ns.tcpext(t.args.family, n) for n in names}
    lst = t.listen(LPORT + 4, 16)
    frames = syn_frames(t, LPORT + 4, 2000)
    stop, sent = threading.Event(), [0]

    def flood():
        while not stop.is_set():
            for i in range(0, len(frames), 100):
                t.peer.send_frames(frames[i:i + 100])
                sent[0] += 100
                # At most 10,000 a second: enough to keep the SYN queue
                # full, not so many that the capture drops frames.
                if stop.wait(0.01):
                    break

    th = threading.Thread(target=flood, daemon=True)
    th.start()
    good = 0
    try:
        time.sleep(0.5)		# the SYN queue is full by now
        for i in range(10):
            good += syn_flood_client(t, r, lst, i)
    finally:
        stop.set()
        th.join()
        lst.close()
        t.ns.sysctl(knob, old)
    after = {n: t.ns.tcpext(t.args.family, n) for n in names}
    note("%s: %d flood SYNs sent; %s" % (t.args.variant, sent[0], ", ".join(
        "%s +%d" % (n, after[n] - before[n]) for n in names)))
    r.expect(good == 10, "%d of 10 clients connected during the flood" %
             good)
    for n in names:
        r.expect(after[n] > before[n], "TcpExt %s did not grow" % n)


def syn_flood_client(t, r, lst, i):
    """One native client from nb (10.0.0.2) during the flood: connects
    within WAIT, its data arrives. 1 when it did, else 0."""
    msg = b"legit client %d" % i
    try:
        s = socket.create_connection((t.args.dst, LPORT + 4), timeout=WAIT)
    except OSError as e:
        r.expect(False, "client %d: connect(): %s" % (i, e))
        return 0
    try:
        s.sendall(msg)
        a = t.accept(lst, s.getsockname()[1])
        got = recv_n(a, len(msg))
        abort(a)
    except CaseError as e:
        r.expect(False, "client %d: %s" % (i, e))
        return 0
    finally:
        s.close()
    return 1 if r.expect(got == msg, "client %d: the listener read %r" %
                         (i, got)) else 0


def case_bad_csum(t, r):
    c, _ = t.establish()
    good = c.pkt("PA", data=b"checksum")
    bad = sq(IP(bytes(good))[TCP].chksum ^ 0x5a5a) & 0xffff
    t.unanswered(r, c, "answered", "PA", data=b"checksum", chksum=bad)
    p = pending(c.sock)
    r.expect(p is None, "delivered (%s)" % p)
    m = t.mark()
    c.data(b"checksum")
    got = recv_n(c.sock, 8)
    r.expect(got == b"checksum", "with a good checksum: recv() got %r" %
             got)
    r.expect(t.wait(m, c.is_ack) is not None,
             "with a good checksum: no ACK")
    abort(c.sock)


CASES = [
    ("handshake-options", case_handshake_options,
     "SYN with MSS/SACK_PERM/TS/WS gets a SYN-ACK with MSS 1460, "
     "SACK_PERM, WS and TS echoing our TSval; nothing sent while idle"),
    ("handshake-plain", case_handshake_plain,
     "SYN without options gets a SYN-ACK with MSS 1460 only; "
     "segments of at most 536 bytes follow"),
    ("oow-data", case_oow_data,
     "data beyond the window gets a duplicate ACK (ACK = RCV.NXT), "
     "not delivered"),
    ("rst-exact", case_rst_exact,
     "RST with SEQ = RCV.NXT resets: recv() ECONNRESET, no answer"),
    ("rst-inwindow", case_rst_inwindow,
     "RST in the window, SEQ != RCV.NXT: challenge ACK, no reset "
     "(RFC 5961 3.2)"),
    ("rst-outwindow", case_rst_outwindow,
     "RST outside the window: ignored silently, no reset"),
    ("syn-established", case_syn_established,
     "SYN on an established connection: challenge ACK, no RST, "
     "connection survives (RFC 5961 4.2)"),
    ("ack-unsent", case_ack_unsent,
     "data with SEG.ACK > SND.NXT: dropped, not delivered, no ACK (as "
     "Linux)"),
    ("paws", case_paws,
     "PAWS: data with an older TSval gets a duplicate ACK echoing "
     "TS.Recent, not delivered (RFC 7323 5)"),
    ("zero-window", case_zero_window,
     "zero window: probes at increasing intervals, no data, data once "
     "the window opens"),
    ("syn-queue", case_syn_queue,
     "SYN queue overflow (backlog 1, tcp_syncookies=0): SYN-ACKs for the "
     "first 2 of 8 SYNs, the rest dropped, no RST"),
    ("accept-queue", case_accept_queue,
     "accept queue overflow (backlog 1): 2 handshakes complete, later "
     "SYNs dropped without RST, both accepted later"),
    ("ofo-prune", case_ofo_prune,
     "out-of-order segments beyond the receive buffer's memory: the "
     "out-of-order queue is pruned (OfoPruned), the stream sent again "
     "arrives intact"),
    ("icmp-port", case_icmp_port,
     "connect: ICMP port unreachable in SYN-SENT fails it at once with "
     "ECONNREFUSED; one quoting a wrong SEQ is ignored"),
    ("icmp-host", case_icmp_host,
     "connect: ICMP host unreachable in SYN-SENT fails it at once with "
     "EHOSTUNREACH; one quoting a wrong SEQ is ignored"),
    ("bad-csum", case_bad_csum,
     "data with a bad TCP checksum: no ACK, not delivered"),
    ("syn-cookies", case_syn_cookies,
     "tcp_syncookies=1, backlog 1: all of 8 SYNs get a SYN-ACK; the ACK "
     "of a cookie makes a connection with the SYN's options (TS, SACK, "
     "WS 7), a wrong cookie gets an RST (RFC 4987 3.6)"),
    ("syn-flood", case_syn_flood,
     "a flood of spoofed SYNs at a listener with backlog 16 and "
     "tcp_syncookies=1: 10 native clients connect during it and their "
     "data arrives (RFC 4987)"),
    ("rst-syn-sent", case_rst_syn_sent,
     "SYN-SENT: RSTs without an acceptable ACK ignored, an RST "
     "acknowledging the SYN fails connect() with ECONNREFUSED"),
    ("rst-syn-received", case_rst_syn_received,
     "LISTEN ignores an RST; SYN-RECEIVED: an RST drops the request, "
     "the ACK that follows gets an RST, nothing is accepted"),
    ("rst-fin-wait-1", case_rst_fin_wait_1,
     "FIN-WAIT-1: an RST at RCV.NXT closes, SO_ERROR ECONNRESET"),
    ("rst-fin-wait-2", case_rst_fin_wait_2,
     "FIN-WAIT-2: an RST at RCV.NXT closes, SO_ERROR ECONNRESET"),
    ("rst-closing", case_rst_closing,
     "CLOSING: an RST at RCV.NXT closes, SO_ERROR ECONNRESET"),
    ("rst-close-wait", case_rst_close_wait,
     "CLOSE-WAIT: an RST at RCV.NXT closes, SO_ERROR EPIPE"),
    ("rst-last-ack", case_rst_last_ack,
     "LAST-ACK: an RST at RCV.NXT closes, SO_ERROR ECONNRESET"),
    ("rst-orphan-fin-wait-2", case_rst_orphan_fin_wait_2,
     "FIN-WAIT-2 after close(): a bare ACK absorbed, an RST frees the "
     "4-tuple (the next ACK gets an RST)"),
    ("rst-time-wait", case_rst_time_wait,
     "TIME-WAIT: a bare ACK absorbed, an RST frees the 4-tuple "
     "(tcp_rfc1337=0)"),
]


def probe(args):
    """None when the family has TCP sockets in the target netns, else the
    reason to skip; other errors are raised."""
    try:
        Netns(args.netns).socket(args.family).close()
    except OSError as e:
        if e.errno in (errno.ESOCKTNOSUPPORT, errno.EPROTONOSUPPORT):
            return "%s has no TCP yet (socket: %s)" % (
                args.variant, errno.errorcode[e.errno])
        raise
    return None


def import_scapy():
    """Slow under TCG (seconds): only when the cases run, and only the
    layers used (scapy.all takes twice as long)."""
    global ICMP, IP, Raw, TCP, Peer, Sniffer
    from scapy.layers.inet import ICMP, IP, TCP
    from scapy.packet import Raw
    from xs_scapy import Peer, Sniffer


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iface", default="veth0")
    ap.add_argument("--dmac", required=True, help="the target's MAC")
    ap.add_argument("--src", default="10.0.0.3", help="the peer (scapy)")
    ap.add_argument("--dst", default="10.0.0.1", help="the target")
    ap.add_argument("--netns", required=True, help="the target's netns")
    ap.add_argument("--family", type=int, required=True)
    ap.add_argument("--variant", required=True, help="inet or xstack")
    ap.add_argument("case", nargs="*", help="the cases to run (all)")
    args = ap.parse_args()
    unknown = set(args.case) - {c[0] for c in CASES}
    if unknown:
        ap.error("unknown cases %s" % sorted(unknown))
    cases = [c for c in CASES if not args.case or c[0] in args.case]
    why = probe(args)
    if why:
        for name, _, desc in cases:
            report(True, "%s: %s: %s # SKIP %s" % (args.variant, name, desc,
                                                   why))
        return 0
    t_import = time.time()
    import_scapy()
    t_cases = time.time()
    try:
        t = Tester(args)
    except Exception as e:	# no listener, no sniffer: every case fails
        for ln in traceback.format_exc().splitlines():
            note(ln)
        for name, _, desc in cases:
            report(False, "%s: %s: %s -- set-up failed: %s: %s" % (
                args.variant, name, desc, type(e).__name__, e))
        return 1
    for name, fn, desc in cases:
        r = Result()
        t0 = time.time()
        try:
            fn(t, r)
        except CaseError as e:
            r.problems.append(str(e))
        except CaseSkip as e:
            report(True, "%s: %s: %s # SKIP %s" % (args.variant, name, desc,
                                                   e))
            continue
        except Exception as e:	# a bug of the case: report, go on
            r.problems.append("%s: %s" % (type(e).__name__, e))
            for ln in traceback.format_exc().splitlines():
                note(ln)
        line = "%s: %s: %s" % (args.variant, name, desc)
        if r.problems:
            line += " -- " + "; ".join(r.problems)
        note("%s: %s took %.1f s" % (args.variant, name, time.time() - t0))
        report(not r.problems, line)
    t.listener.close()
    note("%s: %.1f s from start to scapy, %.1f s to import it, %d cases "
         "in %.1f s" % (args.variant, t_import - T_START, t_cases - t_import,
                        len(cases), time.time() - t_cases))
    return 1 if FAILED else 0


if __name__ == "__main__":
    RC = main()
    # Skip the interpreter's teardown of scapy: seconds under TCG.
    sys.stdout.flush()
    os._exit(RC)
