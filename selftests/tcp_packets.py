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
                     distinct ports (no SYN cookies: xstack has none yet,
                     and the native netns runs with tcp_syncookies=0):
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
import time
import traceback

T_START = time.time()
CLONE_NEWNET = 0x40000000
WAIT = 3.0	# seconds, for what must happen (TCG is slow)
QUIET = 0.6	# seconds, for what must not
SETTLE = 0.25	# seconds after accept() before a case starts
LPORT = 8000	# the target's listener; LPORT + 1, + 2: backlog-1 listeners
RPORT = 9000	# ports of the peer the target connects to (icmp-*)
MSS = 1460	# over veth0's MTU of 1500
MSS_DEFAULT = 536
TCPI_CLOSE = 7	# TCP_INFO's tcpi_state of a closed socket

# TCP flags (those the cases look at)
S, R, A = 0x02, 0x04, 0x10

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
    m = t.mark()
    c.send("R", seq=c.snd_nxt + (1 << 30))
    ans = t.quiet(m, c.mine)
    r.expect(not ans, "answered: %s" % "; ".join(c.rel(f, t.t_mark) for f in ans))
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
    m = t.mark()
    c.send("PA", ack=c.rcv_nxt + 1000, data=b"acks-the-future")
    ans = t.quiet(m, c.mine)
    r.expect(not ans, "answered: %s" % "; ".join(c.rel(f, t.t_mark) for f in ans))
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


def case_bad_csum(t, r):
    c, _ = t.establish()
    good = c.pkt("PA", data=b"checksum")
    bad = sq(IP(bytes(good))[TCP].chksum ^ 0x5a5a) & 0xffff
    m = t.mark()
    c.send("PA", data=b"checksum", chksum=bad)
    ans = t.quiet(m, c.mine)
    r.expect(not ans, "answered: %s" % "; ".join(c.rel(f, t.t_mark) for f in ans))
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
     "SYN queue overflow (backlog 1, no SYN cookies): SYN-ACKs for the "
     "first 2 of 8 SYNs, the rest dropped, no RST"),
    ("accept-queue", case_accept_queue,
     "accept queue overflow (backlog 1): 2 handshakes complete, later "
     "SYNs dropped without RST, both accepted later"),
    ("icmp-port", case_icmp_port,
     "connect: ICMP port unreachable in SYN-SENT fails it at once with "
     "ECONNREFUSED; one quoting a wrong SEQ is ignored"),
    ("icmp-host", case_icmp_host,
     "connect: ICMP host unreachable in SYN-SENT fails it at once with "
     "EHOSTUNREACH; one quoting a wrong SEQ is ignored"),
    ("bad-csum", case_bad_csum,
     "data with a bad TCP checksum: no ACK, not delivered"),
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
